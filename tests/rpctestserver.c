/*
 * rpctestserver.c: a remote server over the fake driver, run in a
 * thread, and call helpers for the RPC server tests
 */
#include <string.h>
#include <unistd.h>

#include "rpctestserver.h"
#include "testutils.h"
#include "viruuid.h"

remoteServerConfig
rpcTestServerConfig(void)
{
    remoteServerConfig cfg = {
        .maxClients = 300, .maxAnonymousClients = 20, .anonymousTimeout = 30,
        .maxWorkers = 20, .prioWorkers = 5,
        .maxMessageSize = TEST_MAX_MESSAGE,
        .keepaliveInterval = 5, .keepaliveCount = 5,
    };

    return cfg;
}

static gpointer
rpcTestServerThread(gpointer opaque)
{
    rpcTestServer *ts = opaque;

    g_main_context_push_thread_default(ts->ctx);
    g_main_loop_run(ts->loop);
    g_main_context_pop_thread_default(ts->ctx);
    return NULL;
}

rpcTestServer *
rpcTestServerStart(const remoteServerConfig *cfg)
{
    rpcTestServer *ts = g_new0(rpcTestServer, 1);

    ts->dir = g_dir_make_tmp("rpcservertest-XXXXXX", NULL);
    g_assert_nonnull(ts->dir);
    ts->rw = g_build_filename(ts->dir, "sock", NULL);
    ts->ro = g_build_filename(ts->dir, "sock-ro", NULL);
    ts->ctx = g_main_context_new();
    ts->loop = g_main_loop_new(ts->ctx, FALSE);
    ts->driver = rpcFakeDriverNew(TEST_CAPABILITIES);
    ts->srv = remoteServerNew(ts->driver, cfg, ts->ctx);
    g_assert_nonnull(ts->srv);
    g_assert_cmpuint(rpcFakeDriverListenerCount(ts->driver), ==, 1);
    g_assert_cmpint(remoteServerAddUnixSocket(ts->srv, ts->rw, 0600, false,
                                               VIR_NET_SERVER_AUTH_NONE), ==, 0);
    g_assert_cmpint(remoteServerAddUnixSocket(ts->srv, ts->ro, 0666, true,
                                               VIR_NET_SERVER_AUTH_NONE), ==, 0);
    ts->thread = g_thread_new("rpc-loop", rpcTestServerThread, ts);
    return ts;
}

rpcTestServer *
rpcTestServerStartDefault(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();

    return rpcTestServerStart(&cfg);
}

void
rpcTestServerStop(rpcTestServer *ts)
{
    g_main_loop_quit(ts->loop);
    g_thread_join(ts->thread);
    remoteServerFree(ts->srv);
    g_assert_cmpuint(rpcFakeDriverListenerCount(ts->driver), ==, 0);
    g_assert_false(g_file_test(ts->rw, G_FILE_TEST_EXISTS));
    qemuDriverFree(ts->driver);
    g_main_loop_unref(ts->loop);
    g_main_context_unref(ts->ctx);
    rmdir(ts->dir);
    g_free(ts->dir);
    g_free(ts->rw);
    g_free(ts->ro);
    g_free(ts);
}

/* Polls the server's client count until it is @n (or fails). */
void
rpcTestServerWaitClients(rpcTestServer *ts, size_t n)
{
    gint64 deadline = g_get_monotonic_time() + RPC_TEST_TIMEOUT_MS * 1000;

    while (virNetServerGetClientCount(ts->srv->net) != n) {
        if (g_get_monotonic_time() > deadline)
            g_error("server has %zu clients, expected %zu",
                    virNetServerGetClientCount(ts->srv->net), n);
        g_usleep(10 * 1000);
    }
}

/* ---- call helpers ---------------------------------------------------- */

rpcTestClient *
rpcTestConnect(const char *path)
{
    rpcTestClient *client = rpcTestClientConnectUnix(path);

    g_assert_nonnull(client);
    return client;
}

rpcTestClient *
rpcTestOpen(const char *path, unsigned int flags)
{
    rpcTestClient *client = rpcTestConnect(path);

    g_assert_cmpint(rpcTestClientOpen(client, "qemu:///system", flags), ==, 0);
    return client;
}

void
rpcTestCallOK(rpcTestClient *client, int proc, xdrproc_t argsFilter, void *args,
           xdrproc_t retFilter, void *ret)
{
    g_autoptr(virError) err = NULL;
    int rc = rpcTestClientCall(client, proc, argsFilter, args, retFilter, ret, &err);

    if (rc != 0)
        g_error("procedure %d failed: %s", proc, err ? err->message : "transport");
}

void
rpcTestCallError(rpcTestClient *client, int proc, xdrproc_t argsFilter, void *args,
              int code, const char *message)
{
    g_autoptr(virError) err = NULL;

    g_assert_cmpint(rpcTestClientCall(client, proc, argsFilter, args, TEST_VOID,
                                      NULL, &err), ==, 1);
    g_assert_cmpstr(err->message, ==, message);
    g_assert_cmpint(err->code, ==, code);
    g_assert_cmpint(err->level, ==, VIR_ERR_ERROR);
}

void
rpcTestAuthList(rpcTestClient *client)
{
    remote_auth_list_ret ret = { 0 };

    rpcTestCallOK(client, REMOTE_PROC_AUTH_LIST, TEST_VOID, NULL,
               TEST_XDR(remote_auth_list_ret), &ret);
    g_assert_cmpuint(ret.types.types_len, ==, 1);
    g_assert_cmpint(ret.types.types_val[0], ==, REMOTE_AUTH_NONE);
    xdr_free(TEST_XDR(remote_auth_list_ret), (char *)&ret);
}

int
rpcTestFeature(rpcTestClient *client, int feature)
{
    remote_connect_supports_feature_args args = { feature };
    remote_connect_supports_feature_ret ret = { 0 };

    rpcTestCallOK(client, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
               TEST_XDR(remote_connect_supports_feature_args), &args,
               TEST_XDR(remote_connect_supports_feature_ret), &ret);
    return ret.supported;
}

char *
rpcTestDomainXML(const char *name)
{
    g_autofree char *tmpl = virTestLoadFile("rpcdata/domain-template.xml");
    g_auto(GStrv) parts = g_strsplit(tmpl, "@NAME@", -1);

    return g_strjoinv(name, parts);
}

/* Defines @xml; fills @dom (xdr_free it). */
void
rpcTestDefine(rpcTestClient *client, const char *xml, remote_nonnull_domain *dom)
{
    remote_domain_define_xml_args args = { (char *)xml };
    remote_domain_define_xml_ret ret = { 0 };

    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_DEFINE_XML,
               TEST_XDR(remote_domain_define_xml_args), &args,
               TEST_XDR(remote_domain_define_xml_ret), &ret);
    *dom = ret.dom;
}

void
rpcTestLookup(rpcTestClient *client, const char *name, remote_nonnull_domain *dom)
{
    remote_domain_lookup_by_name_args args = { (char *)name };
    remote_domain_lookup_by_name_ret ret = { 0 };

    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
               TEST_XDR(remote_domain_lookup_by_name_args), &args,
               TEST_XDR(remote_domain_lookup_by_name_ret), &ret);
    *dom = ret.dom;
}

void
rpcTestState(rpcTestClient *client, remote_nonnull_domain *dom, int state, int reason)
{
    remote_domain_get_state_args args = { *dom, 0 };
    remote_domain_get_state_ret ret = { 0 };

    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_GET_STATE,
               TEST_XDR(remote_domain_get_state_args), &args,
               TEST_XDR(remote_domain_get_state_ret), &ret);
    g_assert_cmpint(ret.state, ==, state);
    g_assert_cmpint(ret.reason, ==, reason);
}

/* Calls a procedure whose only argument is @dom and returns nothing. */
void
rpcTestDomainAction(rpcTestClient *client, int proc, remote_nonnull_domain *dom)
{
    rpcTestCallOK(client, proc, TEST_XDR(remote_nonnull_domain), dom, TEST_VOID, NULL);
}

unsigned int
rpcTestCountDomains(rpcTestClient *client, unsigned int flags)
{
    remote_connect_list_all_domains_args args = { 1, flags };
    remote_connect_list_all_domains_ret ret = { 0 };
    unsigned int n;

    rpcTestCallOK(client, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
               TEST_XDR(remote_connect_list_all_domains_args), &args,
               TEST_XDR(remote_connect_list_all_domains_ret), &ret);
    g_assert_cmpuint(ret.domains.domains_len, ==, ret.ret);
    n = ret.ret;
    xdr_free(TEST_XDR(remote_connect_list_all_domains_ret), (char *)&ret);
    return n;
}

/* The UUID of rpcdata/domain-demo.xml. */
void
rpcTestDemoUUID(unsigned char *uuid)
{
    g_assert_cmpint(virUUIDParse("5a1e0000-0000-4000-8000-00000000d1d1", uuid), ==, 0);
}

void
rpcTestExpectEvent(rpcTestClient *client, int proc, xdrproc_t filter, void *data)
{
    g_autoptr(virNetMessage) msg = rpcTestClientNextEvent(client, RPC_TEST_TIMEOUT_MS);

    g_assert_nonnull(msg);
    g_assert_cmpint(msg->header.type, ==, VIR_NET_MESSAGE);
    g_assert_cmpuint(msg->header.prog, ==, REMOTE_PROGRAM);
    g_assert_cmpint(msg->header.proc, ==, proc);
    g_assert_cmpint(virNetMessageDecodePayload(msg, filter, data), ==, 0);
}

void
rpcTestExpectNoEvent(rpcTestClient *client)
{
    g_autoptr(virNetMessage) msg = rpcTestClientNextEvent(client, 300);

    if (msg)
        g_error("unexpected event %d", msg->header.proc);
}
