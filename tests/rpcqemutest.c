/*
 * rpcqemutest.c: libvirt's QEMU program (0x20008087) over the fake driver
 *
 * Its table (generated from src/rpc/qemu_protocol.x) holds every
 * procedure but the event message, with libvirt 9.0's priorities, and
 * none of them read-only-safe.  Served on the remote program's
 * connections: the monitor command (QMP, HMP) and the taint it leaves
 * (DOMAIN_GET_MESSAGES of the remote program), the agent and attach
 * refusals, read-only refusals naming libvirt-qemu's APIs, and monitor
 * event registrations filtered by domain and name (exact, NOCASE,
 * REGEX) with their DOMAIN_MONITOR_EVENT messages.
 */
#include <stdio.h>
#include <string.h>

#include "testutils.h"
#include "rpctestserver.h"
#include "qemu_dispatch.h"

/* libvirt's VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP and
 * VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_REGEX / _NOCASE */
#define TEST_HMP 1
#define TEST_REGEX 1
#define TEST_NOCASE 2

/* ---- the table --------------------------------------------------------- */

static void
testTable(void)
{
    const char *srcdir = g_getenv("VIRTMIG_SOURCE_DIR");
    g_autofree char *path = g_build_filename(srcdir ? srcdir : "..", "src", "rpc",
                                             "qemu_protocol.x", NULL);
    g_autofree char *text = virTestLoadFile(path);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    size_t n;
    const virNetServerProc *procs = qemuDispatchGetProcs(&n);
    size_t found = 0;
    size_t i, j;

    g_assert_true(virNetServerProcsSorted(procs, n));
    for (i = 0; lines[i]; i++) {
        char name[128];
        int number;

        if (sscanf(lines[i], " QEMU_PROC_%127[A-Z0-9_] = %d", name, &number) != 2)
            continue;
        for (j = 0; j < n && procs[j].proc != number; j++)
            ;
        if (g_str_equal(name, "DOMAIN_MONITOR_EVENT")) {
            g_assert_cmpuint(j, ==, n);
            continue;
        }
        g_assert_cmpuint(j, <, n);
        g_assert_cmpstr(procs[j].name, ==, name);
        /* libvirt: the registrations are high priority, the rest low */
        g_assert_cmpint(procs[j].highPriority, ==, g_str_has_prefix(name, "CONNECT_"));
        g_assert_false(procs[j].readonly);
        g_assert_true(g_str_has_prefix(procs[j].api, "vir"));
        g_assert_nonnull(strstr(procs[j].api, "Qemu"));
        found++;
    }
    g_assert_cmpuint(found, ==, 6);
    g_assert_cmpuint(found, ==, n);
}

/* ---- calls --------------------------------------------------------------- */

/* A connection with the demo domain defined and (@start) running, its
 * calls going to the QEMU program. */
static rpcTestClient *
testOpenDemo(rpcTestServer *ts, bool start, remote_nonnull_domain *dom)
{
    rpcTestClient *client = rpcTestOpen(ts->rw, 0);
    g_autofree char *xml = virTestLoadFile("rpcdata/domain-demo.xml");

    rpcTestDefine(client, xml, dom);
    if (start)
        rpcTestDomainAction(client, REMOTE_PROC_DOMAIN_CREATE, dom);
    rpcTestClientSetProgram(client, QEMU_PROGRAM, QEMU_PROTOCOL_VERSION);
    return client;
}

static char *
testMonitorCommand(rpcTestClient *client, int proc, remote_nonnull_domain *dom,
                   const char *cmd, unsigned int flags)
{
    qemu_domain_monitor_command_args args = { *dom, (char *)cmd, flags };
    qemu_domain_monitor_command_ret ret = { 0 };

    rpcTestCallOK(client, proc, TEST_XDR(qemu_domain_monitor_command_args), &args,
                  TEST_XDR(qemu_domain_monitor_command_ret), &ret);
    return ret.result;
}

/* DOMAIN_GET_MESSAGES of the remote program, joined with '|'. */
static char *
testMessages(rpcTestClient *client, remote_nonnull_domain *dom)
{
    remote_domain_get_messages_args args = { *dom, 0 };
    remote_domain_get_messages_ret ret = { 0 };
    g_autoptr(GString) out = g_string_new(NULL);
    u_int i;

    rpcTestClientSetProgram(client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION);
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_GET_MESSAGES,
                  TEST_XDR(remote_domain_get_messages_args), &args,
                  TEST_XDR(remote_domain_get_messages_ret), &ret);
    rpcTestClientSetProgram(client, QEMU_PROGRAM, QEMU_PROTOCOL_VERSION);
    for (i = 0; i < ret.msgs.msgs_len; i++)
        g_string_append_printf(out, "%s%s", i ? "|" : "", ret.msgs.msgs_val[i]);
    xdr_free(TEST_XDR(remote_domain_get_messages_ret), (char *)&ret);
    return g_strdup(out->str);
}

static void
testMonitor(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    remote_nonnull_domain dom = { 0 };
    g_autoptr(rpcTestClient) client = testOpenDemo(ts, true, &dom);
    qemu_domain_monitor_command_args args = { dom, (char *)"{}", 0 };
    g_autofree char *before = testMessages(client, &dom);
    g_autofree char *qmp = NULL;
    g_autofree char *hmp = NULL;
    g_autofree char *files = NULL;
    g_autofree char *after = NULL;

    g_assert_cmpstr(before, ==, "");
    qmp = testMonitorCommand(client, QEMU_PROC_DOMAIN_MONITOR_COMMAND, &dom,
                             "{\"execute\":\"query-status\"}", 0);
    g_assert_cmpstr(qmp, ==, "{\"return\":{},\"id\":\"fake-1\"}");
    hmp = testMonitorCommand(client, QEMU_PROC_DOMAIN_MONITOR_COMMAND, &dom,
                             "info status", TEST_HMP);
    g_assert_cmpstr(hmp, ==, "VM status: running\r\n");
    files = testMonitorCommand(client, QEMU_PROC_DOMAIN_MONITOR_COMMAND_WITH_FILES,
                               &dom, "info status", TEST_HMP);
    g_assert_cmpstr(files, ==, hmp);
    after = testMessages(client, &dom);
    g_assert_cmpstr(after, ==, "tainted: custom monitor control commands issued");

    /* not running: libvirt's error */
    rpcTestClientSetProgram(client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION);
    rpcTestDomainAction(client, REMOTE_PROC_DOMAIN_DESTROY, &dom);
    rpcTestClientSetProgram(client, QEMU_PROGRAM, QEMU_PROTOCOL_VERSION);
    rpcTestCallError(client, QEMU_PROC_DOMAIN_MONITOR_COMMAND,
                     TEST_XDR(qemu_domain_monitor_command_args), &args,
                     VIR_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain is not running");
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&dom);
}

static void
testAgentAttach(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    remote_nonnull_domain dom = { 0 };
    g_autoptr(rpcTestClient) client = testOpenDemo(ts, true, &dom);
    qemu_domain_agent_command_args agent = { dom, (char *)"{\"execute\":\"guest-ping\"}",
                                             -1, 0 };
    qemu_domain_attach_args attach = { 4242, 0 };

    rpcTestCallError(client, QEMU_PROC_DOMAIN_AGENT_COMMAND,
                     TEST_XDR(qemu_domain_agent_command_args), &agent,
                     VIR_ERR_ARGUMENT_UNSUPPORTED,
                     "argument unsupported: QEMU guest agent is not configured");
    rpcTestCallError(client, QEMU_PROC_DOMAIN_ATTACH,
                     TEST_XDR(qemu_domain_attach_args), &attach, VIR_ERR_NO_SUPPORT,
                     "this function is not supported by the connection driver: "
                     "virDomainQemuAttach");
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&dom);
}

/* Every procedure is refused on a read-only connection, naming
 * libvirt-qemu's API, before its arguments are looked at. */
static void
testReadonly(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    size_t n;
    const virNetServerProc *procs = qemuDispatchGetProcs(&n);
    size_t i;

    for (i = 0; i < n; i++) {
        g_autoptr(rpcTestClient) client = rpcTestOpen(ts->ro, 0);
        g_autofree char *message = g_strdup_printf(
            "operation forbidden: read only access prevents %s", procs[i].api);

        rpcTestClientSetProgram(client, QEMU_PROGRAM, QEMU_PROTOCOL_VERSION);
        rpcTestCallError(client, procs[i].proc, TEST_VOID, NULL,
                         VIR_ERR_OPERATION_DENIED, message);
    }
}

/* ---- monitor events ------------------------------------------------------ */

static int
testRegister(rpcTestClient *client, remote_nonnull_domain *dom, const char *event,
             unsigned int flags)
{
    char *name = (char *)event;
    qemu_connect_domain_monitor_event_register_args args = {
        dom, event ? &name : NULL, flags };
    qemu_connect_domain_monitor_event_register_ret ret = { 0 };

    rpcTestCallOK(client, QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_REGISTER,
                  TEST_XDR(qemu_connect_domain_monitor_event_register_args), &args,
                  TEST_XDR(qemu_connect_domain_monitor_event_register_ret), &ret);
    g_assert_cmpint(ret.callbackID, >, 0);
    return ret.callbackID;
}

/* QEMU's event @name for the domain @dom (the demo's UUID for "demo",
 * else its first byte repeated), with @details (the data's JSON) or
 * none. */
static void
testEmit(rpcTestServer *ts, const char *dom, const char *name, const char *details)
{
    qemuDomainEvent ev = { .eventID = QEMU_DOMAIN_EVENT_ID_MONITOR,
                           .dom = { .name = (char *)dom, .id = 3 } };
    GVariantDict dict;

    if (g_str_equal(dom, "demo"))
        rpcTestDemoUUID(ev.dom.uuid);
    else
        memset(ev.dom.uuid, dom[0], VIR_UUID_BUFLEN);
    g_variant_dict_init(&dict, NULL);
    g_variant_dict_insert(&dict, "event", "s", name);
    g_variant_dict_insert(&dict, "seconds", "x", (gint64)1700000000);
    g_variant_dict_insert(&dict, "micros", "u", (guint32)4242);
    if (details)
        g_variant_dict_insert(&dict, "details", "s", details);
    ev.params = g_variant_ref_sink(g_variant_dict_end(&dict));
    rpcFakeDriverEmit(ts->driver, &ev);
    g_variant_unref(ev.params);
}

/* The next events of @client: one message per callback ID of @ids (in
 * order, terminated by 0), all for event @name with @details. */
static void
testExpect(rpcTestClient *client, const char *name, const char *details,
           const int *ids)
{
    for (; *ids; ids++) {
        g_autoptr(virNetMessage) msg = rpcTestClientNextEvent(client,
                                                              RPC_TEST_TIMEOUT_MS);
        qemu_domain_monitor_event_msg data = { 0 };

        g_assert_nonnull(msg);
        g_assert_cmpint(msg->header.type, ==, VIR_NET_MESSAGE);
        g_assert_cmpuint(msg->header.prog, ==, QEMU_PROGRAM);
        g_assert_cmpuint(msg->header.vers, ==, QEMU_PROTOCOL_VERSION);
        g_assert_cmpint(msg->header.proc, ==, QEMU_PROC_DOMAIN_MONITOR_EVENT);
        g_assert_cmpint(virNetMessageDecodePayload(msg,
                            TEST_XDR(qemu_domain_monitor_event_msg), &data), ==, 0);
        g_assert_cmpint(data.callbackID, ==, *ids);
        g_assert_cmpstr(data.event, ==, name);
        g_assert_cmpint(data.seconds, ==, 1700000000);
        g_assert_cmpuint(data.micros, ==, 4242);
        g_assert_cmpstr(data.details ? *data.details : NULL, ==, details);
        xdr_free(TEST_XDR(qemu_domain_monitor_event_msg), (char *)&data);
    }
}

static void
testExpectNone(rpcTestClient *client)
{
    g_autoptr(virNetMessage) msg = rpcTestClientNextEvent(client, 300);

    if (msg)
        g_error("unexpected event: program %#x procedure %d", msg->header.prog,
                msg->header.proc);
}

static void
testDeregister(rpcTestClient *client, int callbackID, const char *error)
{
    qemu_connect_domain_monitor_event_deregister_args args = { callbackID };

    if (!error)
        rpcTestCallOK(client, QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER,
                      TEST_XDR(qemu_connect_domain_monitor_event_deregister_args),
                      &args, TEST_VOID, NULL);
    else
        rpcTestCallError(client, QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER,
                         TEST_XDR(qemu_connect_domain_monitor_event_deregister_args),
                         &args, VIR_ERR_RPC, error);
}

static void
testEvents(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    remote_nonnull_domain dom = { 0 };
    g_autoptr(rpcTestClient) client = testOpenDemo(ts, false, &dom);
    g_autoptr(rpcTestClient) other = rpcTestOpen(ts->rw, 0);
    remote_connect_domain_event_callback_deregister_any_args remoteDereg = { 0 };
    g_autofree char *notQemu = NULL;
    g_autofree char *gone = NULL;
    int all, exact, nocase, regex, demo;

    rpcTestClientSetProgram(other, QEMU_PROGRAM, QEMU_PROTOCOL_VERSION);
    all = testRegister(client, NULL, NULL, 0);
    exact = testRegister(client, NULL, "STOP", 0);
    nocase = testRegister(client, NULL, "stop", TEST_NOCASE);
    regex = testRegister(client, NULL, "^RES", TEST_REGEX);
    demo = testRegister(other, &dom, NULL, 0);

    testEmit(ts, "demo", "STOP", NULL);
    testExpect(client, "STOP", NULL, (int[]){ all, exact, nocase, 0 });
    testExpect(other, "STOP", NULL, (int[]){ demo, 0 });
    testEmit(ts, "xyz", "RESUME", "{\"a\":1}");
    testExpect(client, "RESUME", "{\"a\":1}", (int[]){ all, regex, 0 });
    testExpectNone(other);
    testEmit(ts, "xyz", "Stop", NULL);
    testExpect(client, "Stop", NULL, (int[]){ all, nocase, 0 });
    testExpectNone(client);

    /* the remote program does not know these callback IDs */
    rpcTestClientSetProgram(client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION);
    remoteDereg.callbackID = all;
    notQemu = g_strdup_printf("domain event callback %d not registered", all);
    rpcTestCallError(client, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                     TEST_XDR(remote_connect_domain_event_callback_deregister_any_args),
                     &remoteDereg, VIR_ERR_RPC, notQemu);
    rpcTestClientSetProgram(client, QEMU_PROGRAM, QEMU_PROTOCOL_VERSION);
    testDeregister(client, all, NULL);
    testDeregister(client, exact, NULL);
    gone = g_strdup_printf("qemu monitor event callback %d not registered", all);
    testDeregister(client, all, gone);
    testEmit(ts, "demo", "STOP", NULL);
    testExpect(client, "STOP", NULL, (int[]){ nocase, 0 });
    testExpect(other, "STOP", NULL, (int[]){ demo, 0 });
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&dom);
}

static void
testRegisterErrors(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    g_autoptr(virError) err = NULL;
    char *bad = (char *)"STOP\\(";
    qemu_connect_domain_monitor_event_register_args args = { NULL, &bad, TEST_REGEX };

    rpcTestClientSetProgram(client, QEMU_PROGRAM, QEMU_PROTOCOL_VERSION);
    g_assert_cmpint(rpcTestClientCall(client,
                                      QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_REGISTER,
                                      TEST_XDR(qemu_connect_domain_monitor_event_register_args),
                                      &args, TEST_VOID, NULL, &err), ==, 1);
    g_assert_cmpint(err->code, ==, VIR_ERR_INVALID_ARG);
    g_assert_true(g_str_has_prefix(err->message,
                                   "invalid argument: failed to compile regex 'STOP\\(': "));
    g_clear_pointer(&err, virErrorFree);
    args.flags = 4;
    g_assert_cmpint(rpcTestClientCall(client,
                                      QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_REGISTER,
                                      TEST_XDR(qemu_connect_domain_monitor_event_register_args),
                                      &args, TEST_VOID, NULL, &err), ==, 1);
    g_assert_cmpint(err->code, ==, VIR_ERR_INVALID_ARG);
    /* the connection still works */
    g_assert_cmpint(testRegister(client, NULL, "STOP", 0), >, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/qemu/table", testTable);
    g_test_add_func("/rpc/qemu/monitor-command", testMonitor);
    g_test_add_func("/rpc/qemu/agent-attach", testAgentAttach);
    g_test_add_func("/rpc/qemu/readonly", testReadonly);
    g_test_add_func("/rpc/qemu/events", testEvents);
    g_test_add_func("/rpc/qemu/register-errors", testRegisterErrors);
    return g_test_run();
}
