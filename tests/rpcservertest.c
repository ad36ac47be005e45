/*
 * rpcservertest.c: the remote program over real sockets
 *
 * A remoteServer with the fake driver (rpcfakedriver.c) serves in a
 * thread; the raw client of rpctestclient.c checks the connection
 * handshake of the stock client, the domain procedures, errors encoded
 * as libvirt does, read-only refusals and event delivery.
 */
#include <string.h>

#include "testutils.h"
#include "rpctestserver.h"

/* ---- the connection --------------------------------------------------- */

static void
testHandshake(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = rpcTestServerStart(&cfg);
    g_autoptr(rpcTestClient) client = rpcTestConnect(ts->rw);
    remote_connect_get_type_ret type = { 0 };
    remote_connect_get_lib_version_ret lib = { 0 };
    remote_connect_get_uri_ret uri = { 0 };
    remote_connect_is_secure_ret secure = { 0 };
    remote_connect_supports_feature_args feature = { 14 };

    /* the sequence of the stock client (virsh-rpc-trace.md) */
    rpcTestAuthList(client);
    g_assert_cmpint(rpcTestFeature(client, 10), ==, 1);
    rpcTestCallError(client, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                  TEST_XDR(remote_connect_supports_feature_args), &feature,
                  VIR_ERR_INTERNAL_ERROR, "internal error: connection not open");
    g_assert_cmpint(rpcTestClientOpen(client, "qemu:///system", 0), ==, 0);
    g_assert_cmpint(rpcTestFeature(client, 14), ==, 1);
    g_assert_cmpint(rpcTestFeature(client, 15), ==, 1);
    g_assert_cmpint(rpcTestFeature(client, 9), ==, 1);
    /* migration features: the (fake) driver's answer */
    g_assert_cmpint(rpcTestFeature(client, 13), ==, 1);
    g_assert_cmpint(rpcTestFeature(client, 5), ==, 0);
    g_assert_cmpint(rpcTestFeature(client, 0), ==, 0);
    g_assert_cmpint(rpcTestFeature(client, 99), ==, 0);
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK,
               TEST_VOID, NULL, TEST_VOID, NULL);

    rpcTestCallOK(client, REMOTE_PROC_CONNECT_GET_TYPE, TEST_VOID, NULL,
               TEST_XDR(remote_connect_get_type_ret), &type);
    g_assert_cmpstr(type.type, ==, "QEMU");
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_GET_LIB_VERSION, TEST_VOID, NULL,
               TEST_XDR(remote_connect_get_lib_version_ret), &lib);
    g_assert_cmpuint(lib.lib_ver, ==, 9000000);
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_GET_URI, TEST_VOID, NULL,
               TEST_XDR(remote_connect_get_uri_ret), &uri);
    g_assert_cmpstr(uri.uri, ==, "qemu:///system");
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_IS_SECURE, TEST_VOID, NULL,
               TEST_XDR(remote_connect_is_secure_ret), &secure);
    g_assert_cmpint(secure.secure, ==, 1);

    rpcTestCallOK(client, REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK,
               TEST_VOID, NULL, TEST_VOID, NULL);
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_CLOSE, TEST_VOID, NULL, TEST_VOID, NULL);
    xdr_free(TEST_XDR(remote_connect_get_type_ret), (char *)&type);
    xdr_free(TEST_XDR(remote_connect_get_uri_ret), (char *)&uri);
}

static void
testOpenURIs(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = rpcTestServerStart(&cfg);
    char *xen = (char *)"xen:///system";
    char *session = (char *)"qemu:///session";
    remote_connect_open_args bad = { &xen, 0 };
    remote_connect_open_args good = { &session, 0 };
    remote_connect_open_args dflt = { NULL, 0 };
    remote_connect_get_uri_ret uri = { 0 };
    g_autoptr(rpcTestClient) client = rpcTestConnect(ts->rw);
    g_autoptr(rpcTestClient) other = rpcTestConnect(ts->rw);

    rpcTestCallError(client, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                  TEST_XDR(remote_connect_list_all_domains_args),
                  &(remote_connect_list_all_domains_args){ 1, 0 },
                  VIR_ERR_INTERNAL_ERROR, "internal error: connection not open");
    rpcTestCallError(client, REMOTE_PROC_CONNECT_OPEN,
                  TEST_XDR(remote_connect_open_args), &bad,
                  VIR_ERR_NO_CONNECT, "no connection driver available for xen:///system");
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_OPEN, TEST_XDR(remote_connect_open_args),
               &good, TEST_VOID, NULL);
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_GET_URI, TEST_VOID, NULL,
               TEST_XDR(remote_connect_get_uri_ret), &uri);
    g_assert_cmpstr(uri.uri, ==, "qemu:///session");
    xdr_free(TEST_XDR(remote_connect_get_uri_ret), (char *)&uri);
    rpcTestCallError(client, REMOTE_PROC_CONNECT_OPEN,
                  TEST_XDR(remote_connect_open_args), &good,
                  VIR_ERR_INTERNAL_ERROR, "internal error: connection already open");

    /* NULL name: the default URI */
    rpcTestCallOK(other, REMOTE_PROC_CONNECT_OPEN, TEST_XDR(remote_connect_open_args),
               &dflt, TEST_VOID, NULL);
    rpcTestCallOK(other, REMOTE_PROC_CONNECT_GET_URI, TEST_VOID, NULL,
               TEST_XDR(remote_connect_get_uri_ret), &uri);
    g_assert_cmpstr(uri.uri, ==, "qemu:///system");
    xdr_free(TEST_XDR(remote_connect_get_uri_ret), (char *)&uri);
}

/* A server without a storage driver (these tests') answers the storage
 * procedures like libvirt without one: "not supported", naming the API. */
static void
testNoStorage(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = rpcTestServerStart(&cfg);
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    remote_connect_list_all_storage_pools_args all = { 1, 0 };
    remote_storage_pool_define_xml_args def = { (char *)"<pool/>", 0 };

    rpcTestCallError(client, REMOTE_PROC_CONNECT_LIST_ALL_STORAGE_POOLS,
                     TEST_XDR(remote_connect_list_all_storage_pools_args), &all,
                     VIR_ERR_NO_SUPPORT,
                     "this function is not supported by the connection driver: virConnectListAllStoragePools");
    rpcTestCallError(client, REMOTE_PROC_STORAGE_POOL_DEFINE_XML,
                     TEST_XDR(remote_storage_pool_define_xml_args), &def,
                     VIR_ERR_NO_SUPPORT,
                     "this function is not supported by the connection driver: virStoragePoolDefineXML");
}

static void
testHostInfo(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = rpcTestServerStart(&cfg);
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    remote_node_get_info_ret info = { 0 };
    remote_connect_get_capabilities_ret caps = { 0 };
    remote_connect_get_hostname_ret host = { 0 };
    remote_node_get_security_model_ret secmodel = { 0 };
    remote_connect_get_version_ret version = { 0 };
    g_autofree char *qemu = g_find_program_in_path("qemu-system-x86_64");

    rpcTestCallOK(client, REMOTE_PROC_NODE_GET_INFO, TEST_VOID, NULL,
               TEST_XDR(remote_node_get_info_ret), &info);
    g_assert_cmpint(info.cpus, >=, 1);
    g_assert_cmpint(info.nodes * info.sockets * info.cores * info.threads, ==, info.cpus);
    g_assert_cmpuint(info.memory, >, 0);
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_GET_CAPABILITIES, TEST_VOID, NULL,
               TEST_XDR(remote_connect_get_capabilities_ret), &caps);
    g_assert_cmpstr(caps.capabilities, ==, TEST_CAPABILITIES);
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_GET_HOSTNAME, TEST_VOID, NULL,
               TEST_XDR(remote_connect_get_hostname_ret), &host);
    g_assert_cmpuint(strlen(host.hostname), >, 0);
    rpcTestCallOK(client, REMOTE_PROC_NODE_GET_SECURITY_MODEL, TEST_VOID, NULL,
               TEST_XDR(remote_node_get_security_model_ret), &secmodel);
    g_assert_cmpuint(secmodel.model.model_len, ==, 5);
    g_assert_cmpstr(secmodel.model.model_val, ==, "none");
    g_assert_cmpstr(secmodel.doi.doi_val, ==, "0");
    if (qemu) {
        rpcTestCallOK(client, REMOTE_PROC_CONNECT_GET_VERSION, TEST_VOID, NULL,
                   TEST_XDR(remote_connect_get_version_ret), &version);
        g_assert_cmpuint(version.hv_ver, >=, 1000000);
    }
    xdr_free(TEST_XDR(remote_connect_get_capabilities_ret), (char *)&caps);
    xdr_free(TEST_XDR(remote_connect_get_hostname_ret), (char *)&host);
    xdr_free(TEST_XDR(remote_node_get_security_model_ret), (char *)&secmodel);
}

/* ---- domains ------------------------------------------------------------ */

static void
testDomainQueries(rpcTestClient *client, remote_nonnull_domain *dom)
{
    remote_domain_get_info_ret info = { 0 };
    remote_domain_get_os_type_ret os = { 0 };
    remote_domain_is_active_ret active = { 0 };
    remote_domain_is_persistent_ret persistent = { 0 };
    remote_domain_is_updated_ret updated = { 1 };
    remote_domain_get_security_label_ret label = { 0 };
    remote_domain_has_managed_save_image_args msargs = { *dom, 0 };
    remote_domain_has_managed_save_image_ret ms = { 1 };
    remote_domain_get_messages_args margs = { *dom, 0 };
    remote_domain_get_messages_ret msgs = { 0 };

    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_GET_INFO, TEST_XDR(remote_nonnull_domain), dom,
               TEST_XDR(remote_domain_get_info_ret), &info);
    g_assert_cmpint(info.state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpuint(info.maxMem, ==, 262144);
    g_assert_cmpuint(info.nrVirtCpu, ==, 1);
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_GET_OS_TYPE, TEST_XDR(remote_nonnull_domain), dom,
               TEST_XDR(remote_domain_get_os_type_ret), &os);
    g_assert_cmpstr(os.type, ==, "hvm");
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_IS_ACTIVE, TEST_XDR(remote_nonnull_domain), dom,
               TEST_XDR(remote_domain_is_active_ret), &active);
    g_assert_cmpint(active.active, ==, 1);
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_IS_PERSISTENT, TEST_XDR(remote_nonnull_domain),
               dom, TEST_XDR(remote_domain_is_persistent_ret), &persistent);
    g_assert_cmpint(persistent.persistent, ==, 1);
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_IS_UPDATED, TEST_XDR(remote_nonnull_domain), dom,
               TEST_XDR(remote_domain_is_updated_ret), &updated);
    g_assert_cmpint(updated.updated, ==, 0);
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL,
               TEST_XDR(remote_nonnull_domain), dom,
               TEST_XDR(remote_domain_get_security_label_ret), &label);
    g_assert_cmpuint(label.label.label_len, ==, 1);
    g_assert_cmpint(label.label.label_val[0], ==, '\0');
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE,
               TEST_XDR(remote_domain_has_managed_save_image_args), &msargs,
               TEST_XDR(remote_domain_has_managed_save_image_ret), &ms);
    g_assert_cmpint(ms.result, ==, 0);
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_GET_MESSAGES,
               TEST_XDR(remote_domain_get_messages_args), &margs,
               TEST_XDR(remote_domain_get_messages_ret), &msgs);
    g_assert_cmpuint(msgs.msgs.msgs_len, ==, 0);
    xdr_free(TEST_XDR(remote_domain_get_os_type_ret), (char *)&os);
    xdr_free(TEST_XDR(remote_domain_get_security_label_ret), (char *)&label);
}

static void
testDomainJobs(rpcTestClient *client, remote_nonnull_domain *dom)
{
    remote_domain_get_job_info_ret info = { .type = 9 };
    remote_domain_get_job_stats_args none = { *dom, 0 };
    remote_domain_get_job_stats_args completed = { *dom, 1 };
    remote_domain_get_job_stats_ret stats = { 0 };

    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_GET_JOB_INFO, TEST_XDR(remote_nonnull_domain),
               dom, TEST_XDR(remote_domain_get_job_info_ret), &info);
    g_assert_cmpint(info.type, ==, 0);
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_GET_JOB_STATS,
               TEST_XDR(remote_domain_get_job_stats_args), &none,
               TEST_XDR(remote_domain_get_job_stats_ret), &stats);
    g_assert_cmpint(stats.type, ==, 0);
    g_assert_cmpuint(stats.params.params_len, ==, 0);
    xdr_free(TEST_XDR(remote_domain_get_job_stats_ret), (char *)&stats);
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_GET_JOB_STATS,
               TEST_XDR(remote_domain_get_job_stats_args), &completed,
               TEST_XDR(remote_domain_get_job_stats_ret), &stats);
    g_assert_cmpint(stats.type, ==, 3);
    g_assert_cmpuint(stats.params.params_len, ==, 10);
    g_assert_cmpstr(stats.params.params_val[1].field, ==, "time_elapsed");
    g_assert_cmpint(stats.params.params_val[1].value.type, ==, VIR_TYPED_PARAM_ULLONG);
    g_assert_cmpuint(stats.params.params_val[1].value.remote_typed_param_value_u.ul, ==, 1484);
    xdr_free(TEST_XDR(remote_domain_get_job_stats_ret), (char *)&stats);
}

static void
testDomainLists(rpcTestClient *client, int activeID)
{
    remote_connect_num_of_domains_ret nactive = { 0 };
    remote_connect_num_of_defined_domains_ret ndefined = { 0 };
    remote_connect_list_domains_args idargs = { 10 };
    remote_connect_list_domains_ret ids = { 0 };
    remote_connect_list_defined_domains_args nameargs = { 10 };
    remote_connect_list_defined_domains_ret names = { 0 };
    remote_domain_lookup_by_id_args byid = { activeID };
    remote_domain_lookup_by_id_ret found = { 0 };

    rpcTestCallOK(client, REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, TEST_VOID, NULL,
               TEST_XDR(remote_connect_num_of_domains_ret), &nactive);
    g_assert_cmpint(nactive.num, ==, 1);
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, TEST_VOID, NULL,
               TEST_XDR(remote_connect_num_of_defined_domains_ret), &ndefined);
    g_assert_cmpint(ndefined.num, ==, 1);
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_LIST_DOMAINS,
               TEST_XDR(remote_connect_list_domains_args), &idargs,
               TEST_XDR(remote_connect_list_domains_ret), &ids);
    g_assert_cmpuint(ids.ids.ids_len, ==, 1);
    g_assert_cmpint(ids.ids.ids_val[0], ==, activeID);
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS,
               TEST_XDR(remote_connect_list_defined_domains_args), &nameargs,
               TEST_XDR(remote_connect_list_defined_domains_ret), &names);
    g_assert_cmpuint(names.names.names_len, ==, 1);
    g_assert_cmpstr(names.names.names_val[0], ==, "other");
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_LOOKUP_BY_ID,
               TEST_XDR(remote_domain_lookup_by_id_args), &byid,
               TEST_XDR(remote_domain_lookup_by_id_ret), &found);
    g_assert_cmpstr(found.dom.name, ==, "demo");
    g_assert_cmpuint(rpcTestCountDomains(client, TEST_LIST_ALL), ==, 2);
    g_assert_cmpuint(rpcTestCountDomains(client, TEST_LIST_ACTIVE), ==, 1);
    xdr_free(TEST_XDR(remote_connect_list_domains_ret), (char *)&ids);
    xdr_free(TEST_XDR(remote_connect_list_defined_domains_ret), (char *)&names);
    xdr_free(TEST_XDR(remote_domain_lookup_by_id_ret), (char *)&found);
}

static void
testDomainLifecycle(rpcTestClient *client, remote_nonnull_domain *dom)
{
    remote_domain_destroy_flags_args destroy = { *dom, 0 };
    remote_domain_create_with_flags_args start = { *dom, 0 };
    remote_domain_create_with_flags_ret started = { 0 };

    rpcTestDomainAction(client, REMOTE_PROC_DOMAIN_SUSPEND, dom);
    rpcTestState(client, dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    rpcTestDomainAction(client, REMOTE_PROC_DOMAIN_RESUME, dom);
    rpcTestState(client, dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    rpcTestDomainAction(client, REMOTE_PROC_DOMAIN_SHUTDOWN, dom);
    rpcTestState(client, dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN);
    rpcTestCallError(client, REMOTE_PROC_DOMAIN_DESTROY, TEST_XDR(remote_nonnull_domain),
                  dom, VIR_ERR_OPERATION_INVALID,
                  "Requested operation is not valid: domain is not running");
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS,
               TEST_XDR(remote_domain_create_with_flags_args), &start,
               TEST_XDR(remote_domain_create_with_flags_ret), &started);
    g_assert_cmpstr(started.dom.name, ==, "demo");
    g_assert_cmpint(started.dom.id, >, 0);
    xdr_free(TEST_XDR(remote_domain_create_with_flags_ret), (char *)&started);
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_DESTROY_FLAGS,
               TEST_XDR(remote_domain_destroy_flags_args), &destroy, TEST_VOID, NULL);
    rpcTestState(client, dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED);
}

static void
testDomains(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = rpcTestServerStart(&cfg);
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    g_autofree char *xml = virTestLoadFile("rpcdata/domain-demo.xml");
    g_autofree char *other = rpcTestDomainXML("other");
    remote_nonnull_domain dom = { 0 };
    remote_nonnull_domain otherdom = { 0 };
    remote_nonnull_domain found = { 0 };
    remote_domain_get_xml_desc_args xargs = { { 0 }, 0 };
    remote_domain_get_xml_desc_ret xret = { 0 };
    remote_domain_undefine_flags_args undef = { { 0 }, 0 };

    g_assert_cmpuint(rpcTestCountDomains(client, TEST_LIST_ALL), ==, 0);
    rpcTestDefine(client, xml, &dom);
    rpcTestDefine(client, other, &otherdom);
    g_assert_cmpstr(dom.name, ==, "demo");
    g_assert_cmpint(dom.id, ==, -1);
    g_assert_cmpuint((guint8)dom.uuid[0], ==, 0x5a);
    rpcTestLookup(client, "demo", &found);
    g_assert_cmpmem(found.uuid, 16, dom.uuid, 16);
    rpcTestState(client, &dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN);
    xargs.dom = dom;
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_GET_XML_DESC,
               TEST_XDR(remote_domain_get_xml_desc_args), &xargs,
               TEST_XDR(remote_domain_get_xml_desc_ret), &xret);
    g_assert_cmpstr(xret.xml, ==, xml);

    rpcTestDomainAction(client, REMOTE_PROC_DOMAIN_CREATE, &dom);
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&found);
    rpcTestLookup(client, "demo", &found);
    g_assert_cmpint(found.id, >, 0);
    rpcTestState(client, &dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    testDomainLists(client, found.id);
    testDomainQueries(client, &dom);
    testDomainJobs(client, &dom);
    testDomainLifecycle(client, &dom);

    undef.dom = dom;
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS,
               TEST_XDR(remote_domain_undefine_flags_args), &undef, TEST_VOID, NULL);
    rpcTestDomainAction(client, REMOTE_PROC_DOMAIN_UNDEFINE, &otherdom);
    rpcTestCallError(client, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                  TEST_XDR(remote_domain_lookup_by_name_args),
                  &(remote_domain_lookup_by_name_args){ (char *)"demo" },
                  VIR_ERR_NO_DOMAIN, "Domain not found: no domain with matching name 'demo'");
    rpcTestCallError(client, REMOTE_PROC_DOMAIN_GET_INFO, TEST_XDR(remote_nonnull_domain),
                  &dom, VIR_ERR_NO_DOMAIN,
                  "Domain not found: no domain with matching uuid '5a1e0000-0000-4000-8000-00000000d1d1'");
    g_assert_cmpuint(rpcTestCountDomains(client, TEST_LIST_ALL), ==, 0);
    xdr_free(TEST_XDR(remote_domain_get_xml_desc_ret), (char *)&xret);
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&found);
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&otherdom);
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&dom);
}

/* ---- read-only access ------------------------------------------------ */

static void
testReadonly(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = rpcTestServerStart(&cfg);
    g_autoptr(rpcTestClient) rw = rpcTestOpen(ts->rw, 0);
    g_autoptr(rpcTestClient) ro = rpcTestOpen(ts->ro, 0);
    g_autoptr(rpcTestClient) roflag = rpcTestOpen(ts->rw, TEST_CONNECT_RO);
    g_autofree char *xml = virTestLoadFile("rpcdata/domain-demo.xml");
    remote_domain_define_xml_args def = { xml };
    remote_domain_get_xml_desc_args secure = { { 0 }, TEST_XML_SECURE };
    remote_domain_get_xml_desc_ret desc = { 0 };
    remote_nonnull_domain dom = { 0 };

    rpcTestDefine(rw, xml, &dom);
    rpcTestDomainAction(rw, REMOTE_PROC_DOMAIN_CREATE, &dom);
    g_assert_cmpuint(rpcTestCountDomains(ro, TEST_LIST_ALL), ==, 1);
    rpcTestState(ro, &dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    rpcTestCallError(ro, REMOTE_PROC_DOMAIN_DESTROY, TEST_XDR(remote_nonnull_domain), &dom,
                  VIR_ERR_OPERATION_DENIED,
                  "operation forbidden: read only access prevents virDomainDestroy");
    rpcTestCallError(roflag, REMOTE_PROC_DOMAIN_DESTROY, TEST_XDR(remote_nonnull_domain),
                  &dom, VIR_ERR_OPERATION_DENIED,
                  "operation forbidden: read only access prevents virDomainDestroy");
    rpcTestCallError(ro, REMOTE_PROC_DOMAIN_DEFINE_XML,
                  TEST_XDR(remote_domain_define_xml_args), &def, VIR_ERR_OPERATION_DENIED,
                  "operation forbidden: read only access prevents virDomainDefineXML");
    rpcTestCallError(ro, REMOTE_PROC_DOMAIN_SUSPEND, TEST_XDR(remote_nonnull_domain), &dom,
                  VIR_ERR_OPERATION_DENIED,
                  "operation forbidden: read only access prevents virDomainSuspend");
    secure.dom = dom;
    rpcTestCallError(ro, REMOTE_PROC_DOMAIN_GET_XML_DESC,
                  TEST_XDR(remote_domain_get_xml_desc_args), &secure,
                  VIR_ERR_OPERATION_DENIED,
                  "operation forbidden: virDomainGetXMLDesc with secure flag");
    secure.flags = 0;
    rpcTestCallOK(ro, REMOTE_PROC_DOMAIN_GET_XML_DESC,
               TEST_XDR(remote_domain_get_xml_desc_args), &secure,
               TEST_XDR(remote_domain_get_xml_desc_ret), &desc);
    /* nothing was changed, and the read-write client still may */
    rpcTestState(rw, &dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    rpcTestDomainAction(rw, REMOTE_PROC_DOMAIN_DESTROY, &dom);
    xdr_free(TEST_XDR(remote_domain_get_xml_desc_ret), (char *)&desc);
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&dom);
}

/* ---- protocol errors -------------------------------------------------- */

static void
testProtocolErrors(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = rpcTestServerStart(&cfg);
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    remote_connect_domain_event_callback_deregister_any_args dereg = { 4242 };

    rpcTestCallError(client, 9999, TEST_VOID, NULL, VIR_ERR_NO_SUPPORT,
                  "this function is not supported by the connection driver: remote procedure 9999");
    /* a procedure libvirt has but virtmigd does not implement */
    rpcTestCallError(client, 26, TEST_VOID, NULL, VIR_ERR_NO_SUPPORT,
                  "this function is not supported by the connection driver: remote procedure 26");
    rpcTestCallError(client, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                  TEST_XDR(remote_connect_domain_event_callback_deregister_any_args),
                  &dereg, VIR_ERR_RPC, "domain event callback 4242 not registered");
    /* the connection is still usable */
    rpcTestAuthList(client);
}

/* ---- events ------------------------------------------------------------ */

static int
testRegister(rpcTestClient *client, int eventID, remote_nonnull_domain *dom)
{
    remote_connect_domain_event_callback_register_any_args args = { eventID, dom };
    remote_connect_domain_event_callback_register_any_ret ret = { 0 };

    rpcTestCallOK(client, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
               TEST_XDR(remote_connect_domain_event_callback_register_any_args), &args,
               TEST_XDR(remote_connect_domain_event_callback_register_any_ret), &ret);
    g_assert_cmpint(ret.callbackID, >, 0);
    return ret.callbackID;
}

/* Raises an event for a domain called @name (UUID: the demo's for
 * "demo", else @name's first byte repeated); takes @params. */
static void
testEmit(rpcTestServer *ts, int eventID, const char *name, GVariant *params)
{
    qemuDomainEvent ev = { .eventID = eventID, .dom = { .name = (char *)name, .id = 3 } };

    if (g_str_equal(name, "demo"))
        rpcTestDemoUUID(ev.dom.uuid);
    else
        memset(ev.dom.uuid, name[0], VIR_UUID_BUFLEN);
    if (params)
        ev.params = g_variant_ref_sink(params);
    rpcFakeDriverEmit(ts->driver, &ev);
    if (params)
        g_variant_unref(ev.params);
}

static void
testEventsLifecycle(rpcTestServer *ts, rpcTestClient *client, rpcTestClient *legacy,
                    int cbLifecycle)
{
    g_autofree char *xml = virTestLoadFile("rpcdata/domain-demo.xml");
    remote_domain_event_callback_lifecycle_msg cbmsg = { 0 };
    remote_domain_event_lifecycle_msg msg = { 0 };
    remote_nonnull_domain dom = { 0 };

    rpcTestDefine(client, xml, &dom);
    rpcTestExpectEvent(client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                    TEST_XDR(remote_domain_event_callback_lifecycle_msg), &cbmsg);
    g_assert_cmpint(cbmsg.callbackID, ==, cbLifecycle);
    g_assert_cmpstr(cbmsg.msg.dom.name, ==, "demo");
    g_assert_cmpint(cbmsg.msg.event, ==, VIR_DOMAIN_EVENT_DEFINED);
    g_assert_cmpint(cbmsg.msg.detail, ==, VIR_DOMAIN_EVENT_DEFINED_ADDED);
    xdr_free(TEST_XDR(remote_domain_event_callback_lifecycle_msg), (char *)&cbmsg);
    rpcTestExpectEvent(legacy, REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE,
                    TEST_XDR(remote_domain_event_lifecycle_msg), &msg);
    g_assert_cmpstr(msg.dom.name, ==, "demo");
    xdr_free(TEST_XDR(remote_domain_event_lifecycle_msg), (char *)&msg);

    rpcTestDomainAction(client, REMOTE_PROC_DOMAIN_CREATE, &dom);
    rpcTestExpectEvent(client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                    TEST_XDR(remote_domain_event_callback_lifecycle_msg), &cbmsg);
    g_assert_cmpint(cbmsg.msg.event, ==, VIR_DOMAIN_EVENT_STARTED);
    g_assert_cmpint(cbmsg.msg.detail, ==, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    g_assert_cmpint(cbmsg.msg.dom.id, >, 0);
    xdr_free(TEST_XDR(remote_domain_event_callback_lifecycle_msg), (char *)&cbmsg);
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&dom);
}

static void
testEventsMigration(rpcTestServer *ts, rpcTestClient *client, int cbIteration,
                    int cbCompleted)
{
    g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
    remote_domain_event_callback_migration_iteration_msg iter = { 0 };
    remote_domain_event_callback_job_completed_msg job = { 0 };

    /* filtered on domain "demo" (UUID 5a1e...): "x" is not delivered */
    testEmit(ts, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION, "xyz",
             g_variant_new_parsed("{'iteration': <1>}"));
    rpcTestExpectNoEvent(client);
    testEmit(ts, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION, "demo",
             g_variant_new_parsed("{'iteration': <2>}"));
    rpcTestExpectEvent(client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION,
                    TEST_XDR(remote_domain_event_callback_migration_iteration_msg), &iter);
    g_assert_cmpint(iter.callbackID, ==, cbIteration);
    g_assert_cmpint(iter.iteration, ==, 2);
    xdr_free(TEST_XDR(remote_domain_event_callback_migration_iteration_msg), (char *)&iter);

    g_variant_builder_add(&b, "{sv}", "operation", g_variant_new_int32(5));
    g_variant_builder_add(&b, "{sv}", "time_elapsed", g_variant_new_uint64(1484));
    testEmit(ts, VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, "xyz", g_variant_builder_end(&b));
    rpcTestExpectEvent(client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED,
                    TEST_XDR(remote_domain_event_callback_job_completed_msg), &job);
    g_assert_cmpint(job.callbackID, ==, cbCompleted);
    g_assert_cmpuint(job.params.params_len, ==, 2);
    g_assert_cmpstr(job.params.params_val[1].field, ==, "time_elapsed");
    g_assert_cmpuint(job.params.params_val[1].value.remote_typed_param_value_u.ul, ==, 1484);
    xdr_free(TEST_XDR(remote_domain_event_callback_job_completed_msg), (char *)&job);

    /* an event without the field it needs is dropped, not sent broken */
    testEmit(ts, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION, "demo", NULL);
    rpcTestExpectNoEvent(client);
}

static void
testEvents(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = rpcTestServerStart(&cfg);
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    g_autoptr(rpcTestClient) legacy = rpcTestOpen(ts->rw, 0);
    g_autoptr(rpcTestClient) gone = rpcTestOpen(ts->rw, 0);
    remote_connect_domain_event_register_any_args any = { VIR_DOMAIN_EVENT_ID_LIFECYCLE };
    remote_connect_domain_event_callback_deregister_any_args dereg = { 0 };
    remote_nonnull_domain filter = { (char *)"demo", { 0 }, -1 };
    int cbLifecycle;
    int cbIteration;
    int cbCompleted;
    g_autofree char *notRegistered = NULL;

    rpcTestDemoUUID((unsigned char *)filter.uuid);
    cbLifecycle = testRegister(client, VIR_DOMAIN_EVENT_ID_LIFECYCLE, NULL);
    cbIteration = testRegister(client, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION, &filter);
    cbCompleted = testRegister(client, VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, NULL);
    g_assert_cmpint(cbIteration, !=, cbLifecycle);
    testRegister(gone, VIR_DOMAIN_EVENT_ID_LIFECYCLE, NULL);
    rpcTestCallOK(legacy, REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY,
               TEST_XDR(remote_connect_domain_event_register_any_args), &any,
               TEST_VOID, NULL);
    rpcTestCallError(legacy, REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY,
                  TEST_XDR(remote_connect_domain_event_register_any_args), &any,
                  VIR_ERR_INTERNAL_ERROR, "internal error: domain event 0 already registered");
    /* a client that leaves with registrations must not disturb delivery */
    g_clear_pointer(&gone, rpcTestClientFree);
    rpcTestServerWaitClients(ts, 2);

    testEventsLifecycle(ts, client, legacy, cbLifecycle);
    testEventsMigration(ts, client, cbIteration, cbCompleted);

    dereg.callbackID = cbLifecycle;
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
               TEST_XDR(remote_connect_domain_event_callback_deregister_any_args), &dereg,
               TEST_VOID, NULL);
    testEmit(ts, VIR_DOMAIN_EVENT_ID_LIFECYCLE, "demo", NULL);
    rpcTestExpectNoEvent(client);
    notRegistered = g_strdup_printf("domain event callback %d not registered",
                                    cbLifecycle);
    rpcTestCallError(client, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                  TEST_XDR(remote_connect_domain_event_callback_deregister_any_args),
                  &dereg, VIR_ERR_RPC, notRegistered);
}

/* A connection holds at most REMOTE_EVENT_CALLBACKS_MAX registrations
 * (legacy ones included); others are not affected. */
static void
testEventsLimit(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    g_autoptr(rpcTestClient) other = NULL;
    remote_connect_domain_event_register_any_args legacy = { VIR_DOMAIN_EVENT_ID_REBOOT };
    remote_connect_domain_event_callback_register_any_args args = {
        VIR_DOMAIN_EVENT_ID_LIFECYCLE, NULL };
    remote_connect_domain_event_callback_deregister_any_args dereg = { 0 };
    g_autofree char *tooMany = g_strdup_printf(
        "Too many domain event callbacks '%d' for limit '%d'",
        REMOTE_EVENT_CALLBACKS_MAX + 1, REMOTE_EVENT_CALLBACKS_MAX);
    int i;

    rpcTestCallOK(client, REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY,
                  TEST_XDR(remote_connect_domain_event_register_any_args), &legacy,
                  TEST_VOID, NULL);
    for (i = 1; i < REMOTE_EVENT_CALLBACKS_MAX; i++)
        dereg.callbackID = testRegister(client, VIR_DOMAIN_EVENT_ID_LIFECYCLE, NULL);
    rpcTestCallError(client, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                     TEST_XDR(remote_connect_domain_event_callback_register_any_args),
                     &args, VIR_ERR_RPC, tooMany);
    legacy.eventID = VIR_DOMAIN_EVENT_ID_WATCHDOG;
    rpcTestCallError(client, REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY,
                     TEST_XDR(remote_connect_domain_event_register_any_args), &legacy,
                     VIR_ERR_RPC, tooMany);
    other = rpcTestOpen(ts->rw, 0);
    testRegister(other, VIR_DOMAIN_EVENT_ID_LIFECYCLE, NULL);

    /* one gone, one more fits */
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                  TEST_XDR(remote_connect_domain_event_callback_deregister_any_args),
                  &dereg, TEST_VOID, NULL);
    testRegister(client, VIR_DOMAIN_EVENT_ID_LIFECYCLE, NULL);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/server/handshake", testHandshake);
    g_test_add_func("/rpc/server/open", testOpenURIs);
    g_test_add_func("/rpc/server/host", testHostInfo);
    g_test_add_func("/rpc/server/no-storage", testNoStorage);
    g_test_add_func("/rpc/server/domains", testDomains);
    g_test_add_func("/rpc/server/readonly", testReadonly);
    g_test_add_func("/rpc/server/protocol-errors", testProtocolErrors);
    g_test_add_func("/rpc/server/events", testEvents);
    g_test_add_func("/rpc/server/events-limit", testEventsLimit);
    return g_test_run();
}
