/*
 * rpcnulldrvtest.c: the drivers virtmigd does not have, on the wire
 *
 * Networks, interfaces, node devices, secrets and network filters are
 * answered as an empty libvirt 9.0 host (messages as libvirtd sends
 * them); their event registrations are accepted, kept apart from the
 * domain ones and refused on a wrong ID as libvirtd refuses them; CPU
 * model names honour need_results.  Over the fake driver.
 */
#include "testutils.h"
#include "rpctestserver.h"
#include "virerror.h"

#define UUID_BYTES "\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11"
#define UUID_STR "11111111-1111-1111-1111-111111111111"

static void
testLists(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    remote_connect_list_all_networks_args all = { .need_results = 1 };
    remote_connect_list_all_networks_ret nets = { 0 };
    remote_connect_list_all_node_devices_ret devs = { 0 };
    remote_connect_num_of_networks_ret num = { .num = -1 };
    remote_connect_list_networks_args names = { .maxnames = 10 };
    remote_connect_list_networks_ret namesRet = { 0 };
    remote_node_num_of_devices_args numDevs = { .flags = 1 };

    rpcTestCallOK(client, REMOTE_PROC_CONNECT_LIST_ALL_NETWORKS,
                  TEST_XDR(remote_connect_list_all_networks_args), &all,
                  TEST_XDR(remote_connect_list_all_networks_ret), &nets);
    g_assert_cmpuint(nets.nets.nets_len, ==, 0);
    g_assert_cmpuint(nets.ret, ==, 0);
    /* every filter libvirt's node device driver knows */
    all.flags = 0xc03fffff;
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_LIST_ALL_NODE_DEVICES,
                  TEST_XDR(remote_connect_list_all_networks_args), &all,
                  TEST_XDR(remote_connect_list_all_node_devices_ret), &devs);
    g_assert_cmpuint(devs.devices.devices_len, ==, 0);
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_NUM_OF_NETWORKS, TEST_VOID, NULL,
                  TEST_XDR(remote_connect_num_of_networks_ret), &num);
    g_assert_cmpint(num.num, ==, 0);
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_LIST_NETWORKS,
                  TEST_XDR(remote_connect_list_networks_args), &names,
                  TEST_XDR(remote_connect_list_networks_ret), &namesRet);
    g_assert_cmpuint(namesRet.names.names_len, ==, 0);

    names.maxnames = REMOTE_NETWORK_LIST_MAX + 1;
    rpcTestCallError(client, REMOTE_PROC_CONNECT_LIST_NETWORKS,
                     TEST_XDR(remote_connect_list_networks_args), &names,
                     VIR_ERR_RPC, "maxnames > REMOTE_NETWORK_LIST_MAX");
    all.flags = 0x80000000;
    rpcTestCallError(client, REMOTE_PROC_CONNECT_LIST_ALL_NETWORKS,
                     TEST_XDR(remote_connect_list_all_networks_args), &all,
                     VIR_ERR_INVALID_ARG,
                     "unsupported flags (0x80000000) in function networkConnectListAllNetworks");
    all.flags = 0x4;
    rpcTestCallError(client, REMOTE_PROC_CONNECT_LIST_ALL_INTERFACES,
                     TEST_XDR(remote_connect_list_all_networks_args), &all,
                     VIR_ERR_INVALID_ARG,
                     "unsupported flags (0x4) in function udevConnectListAllInterfaces");
    all.flags = 0x1;
    rpcTestCallError(client, REMOTE_PROC_CONNECT_LIST_ALL_NWFILTERS,
                     TEST_XDR(remote_connect_list_all_networks_args), &all,
                     VIR_ERR_INVALID_ARG,
                     "unsupported flags (0x1) in function nwfilterConnectListAllNWFilters");
    rpcTestCallError(client, REMOTE_PROC_NODE_NUM_OF_DEVICES,
                     TEST_XDR(remote_node_num_of_devices_args), &numDevs,
                     VIR_ERR_INVALID_ARG,
                     "unsupported flags (0x1) in function nodeNumOfDevices");
}

static void
testLookups(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    remote_network_lookup_by_name_args byName = { .name = (char *)"nosuch" };
    remote_network_lookup_by_uuid_args byUUID = { 0 };
    remote_interface_lookup_by_mac_string_args byMAC = {
        .mac = (char *)"11:22:33:44:55:66" };
    remote_secret_lookup_by_usage_args byUsage = { .usageType = 1,
                                                   .usageID = (char *)"/x" };
    xdrproc_t nameXDR = TEST_XDR(remote_network_lookup_by_name_args);
    xdrproc_t uuidXDR = TEST_XDR(remote_network_lookup_by_uuid_args);
    const struct {
        int proc;
        xdrproc_t filter;
        void *args;
        int code;
        const char *message;
    } cases[] = {
        { REMOTE_PROC_NETWORK_LOOKUP_BY_NAME, nameXDR, &byName, VIR_ERR_NO_NETWORK,
          "Network not found: no network with matching name 'nosuch'" },
        { REMOTE_PROC_NETWORK_LOOKUP_BY_UUID, uuidXDR, &byUUID, VIR_ERR_NO_NETWORK,
          "Network not found: no network with matching uuid '" UUID_STR "'" },
        { REMOTE_PROC_NODE_DEVICE_LOOKUP_BY_NAME, nameXDR, &byName,
          VIR_ERR_NO_NODE_DEVICE,
          "Node device not found: no node device with matching name 'nosuch'" },
        { REMOTE_PROC_INTERFACE_LOOKUP_BY_NAME, nameXDR, &byName,
          VIR_ERR_NO_INTERFACE,
          "Interface not found: couldn't find interface named 'nosuch'" },
        { REMOTE_PROC_INTERFACE_LOOKUP_BY_MAC_STRING,
          TEST_XDR(remote_interface_lookup_by_mac_string_args), &byMAC,
          VIR_ERR_NO_INTERFACE,
          "Interface not found: couldn't find interface with MAC address "
          "'11:22:33:44:55:66'" },
        { REMOTE_PROC_SECRET_LOOKUP_BY_UUID, uuidXDR, &byUUID, VIR_ERR_NO_SECRET,
          "Secret not found: no secret with matching uuid '" UUID_STR "'" },
        { REMOTE_PROC_SECRET_LOOKUP_BY_USAGE,
          TEST_XDR(remote_secret_lookup_by_usage_args), &byUsage, VIR_ERR_NO_SECRET,
          "Secret not found: no secret with matching usage '/x'" },
        { REMOTE_PROC_NWFILTER_LOOKUP_BY_NAME, nameXDR, &byName, VIR_ERR_NO_NWFILTER,
          "Network filter not found: no nwfilter with matching name 'nosuch'" },
        { REMOTE_PROC_NWFILTER_LOOKUP_BY_UUID, uuidXDR, &byUUID, VIR_ERR_NO_NWFILTER,
          "Network filter not found: no nwfilter with matching uuid '" UUID_STR "'" },
    };
    size_t i;

    memcpy(byUUID.uuid, UUID_BYTES, VIR_UUID_BUFLEN);
    for (i = 0; i < G_N_ELEMENTS(cases); i++)
        rpcTestCallError(client, cases[i].proc, cases[i].filter, cases[i].args,
                         cases[i].code, cases[i].message);
}

/* Registers an event of @proc; returns its callback ID. */
static int
testRegister(rpcTestClient *client, int proc, int eventID)
{
    remote_connect_network_event_register_any_args args = { .eventID = eventID };
    remote_connect_network_event_register_any_ret ret = { 0 };

    rpcTestCallOK(client, proc,
                  TEST_XDR(remote_connect_network_event_register_any_args), &args,
                  TEST_XDR(remote_connect_network_event_register_any_ret), &ret);
    g_assert_cmpint(ret.callbackID, >, 0);
    return ret.callbackID;
}

static void
testEvents(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    remote_connect_network_event_register_any_args bad = { .eventID = 1 };
    remote_connect_network_event_deregister_any_args dereg = { 0 };
    g_autofree char *msg = NULL;
    int net = testRegister(client, REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY, 0);
    int dev = testRegister(client, REMOTE_PROC_CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY, 1);
    int sec = testRegister(client, REMOTE_PROC_CONNECT_SECRET_EVENT_REGISTER_ANY, 1);

    g_assert_cmpint(net, !=, dev);
    g_assert_cmpint(dev, !=, sec);
    rpcTestCallError(client, REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY,
                     TEST_XDR(remote_connect_network_event_register_any_args), &bad,
                     VIR_ERR_INTERNAL_ERROR,
                     "internal error: unsupported network event ID 1");
    bad.eventID = 2;
    rpcTestCallError(client, REMOTE_PROC_CONNECT_SECRET_EVENT_REGISTER_ANY,
                     TEST_XDR(remote_connect_network_event_register_any_args), &bad,
                     VIR_ERR_INTERNAL_ERROR,
                     "internal error: unsupported secret event ID 2");

    /* a network callback is not a node device's, nor a domain's */
    dereg.callbackID = net;
    msg = g_strdup_printf("node device event callback %d not registered", net);
    rpcTestCallError(client, REMOTE_PROC_CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY,
                     TEST_XDR(remote_connect_network_event_deregister_any_args), &dereg,
                     VIR_ERR_RPC, msg);
    g_free(msg);
    msg = g_strdup_printf("domain event callback %d not registered", net);
    rpcTestCallError(client, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                     TEST_XDR(remote_connect_network_event_deregister_any_args), &dereg,
                     VIR_ERR_RPC, msg);
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_NETWORK_EVENT_DEREGISTER_ANY,
                  TEST_XDR(remote_connect_network_event_deregister_any_args), &dereg,
                  TEST_VOID, NULL);
    g_free(msg);
    msg = g_strdup_printf("network event callback %d not registered", net);
    rpcTestCallError(client, REMOTE_PROC_CONNECT_NETWORK_EVENT_DEREGISTER_ANY,
                     TEST_XDR(remote_connect_network_event_deregister_any_args), &dereg,
                     VIR_ERR_RPC, msg);
    dereg.callbackID = dev;
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY,
                  TEST_XDR(remote_connect_network_event_deregister_any_args), &dereg,
                  TEST_VOID, NULL);
    dereg.callbackID = sec;
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_SECRET_EVENT_DEREGISTER_ANY,
                  TEST_XDR(remote_connect_network_event_deregister_any_args), &dereg,
                  TEST_VOID, NULL);
}

static void
testCPUModelNames(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, TEST_CONNECT_RO);
    remote_connect_get_cpu_model_names_args args = { .arch = (char *)"x86_64" };
    remote_connect_get_cpu_model_names_ret ret = { 0 };

    /* without need_results: the count only */
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_GET_CPU_MODEL_NAMES,
                  TEST_XDR(remote_connect_get_cpu_model_names_args), &args,
                  TEST_XDR(remote_connect_get_cpu_model_names_ret), &ret);
    g_assert_cmpint(ret.ret, ==, 3);
    g_assert_cmpuint(ret.models.models_len, ==, 0);
    xdr_free(TEST_XDR(remote_connect_get_cpu_model_names_ret), (char *)&ret);

    args.need_results = 1;
    memset(&ret, 0, sizeof(ret));
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_GET_CPU_MODEL_NAMES,
                  TEST_XDR(remote_connect_get_cpu_model_names_args), &args,
                  TEST_XDR(remote_connect_get_cpu_model_names_ret), &ret);
    g_assert_cmpint(ret.ret, ==, 3);
    g_assert_cmpuint(ret.models.models_len, ==, 3);
    g_assert_cmpstr(ret.models.models_val[1], ==, "Haswell");
    xdr_free(TEST_XDR(remote_connect_get_cpu_model_names_ret), (char *)&ret);

    args.flags = 1;
    rpcTestCallError(client, REMOTE_PROC_CONNECT_GET_CPU_MODEL_NAMES,
                     TEST_XDR(remote_connect_get_cpu_model_names_args), &args,
                     VIR_ERR_INVALID_ARG,
                     "unsupported flags (0x1) in function qemuConnectGetCPUModelNames");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/nulldrv/lists", testLists);
    g_test_add_func("/rpc/nulldrv/lookups", testLookups);
    g_test_add_func("/rpc/nulldrv/events", testEvents);
    g_test_add_func("/rpc/nulldrv/cpu-model-names", testCPUModelNames);
    return g_test_run();
}
