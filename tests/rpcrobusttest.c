/*
 * rpcrobusttest.c: the RPC server under hostile or heavy use
 *
 * Keepalive probes, the malformed packets of rpcdata/NAME.hex (the
 * server answers with an error or drops only that connection, and keeps
 * serving), client and message size limits, clients that do not open
 * the connection (max_anonymous_clients, anonymous_client_timeout), 200
 * clients with 20 busy ones, shutdown during a call, TCP listeners.
 */
#include <string.h>
#include <sys/resource.h>

#include "testutils.h"
#include "virkeepalive.h"
#include "virkeepaliveprotocol.h"
#include "rpctestserver.h"

/* ---- keepalive ---------------------------------------------------------- */

/* Reads whatever comes to @client for up to @ms (answering PINGs if
 * enabled); -1 if the server closed the connection, else 0. */
static int
testIdle(rpcTestClient *client, int ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;

    for (;;) {
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;
        virNetMessage *msg = NULL;

        if (left <= 0)
            return 0;
        if (rpcTestClientRecv(client, (int)left, &msg) < 0)
            return -1;
        virNetMessageFree(msg);
    }
}

/* Serves every client in turn for @ms; returns -1 as soon as one of
 * them is dropped (it must be @watch; *@dropped says when), else 0. */
static int
testIdleAll(rpcTestClient **clients, size_t n, rpcTestClient *watch, int ms,
            gint64 *dropped)
{
    gint64 start = g_get_monotonic_time();
    size_t i;

    while ((g_get_monotonic_time() - start) / 1000 < ms) {
        for (i = 0; i < n; i++) {
            if (testIdle(clients[i], 20) == 0)
                continue;
            g_assert_true(clients[i] == watch);
            *dropped = g_get_monotonic_time();
            return -1;
        }
    }
    return 0;
}

static void
testKeepAlive(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = NULL;
    g_autoptr(rpcTestClient) answering = NULL;
    g_autoptr(rpcTestClient) silent = NULL;
    g_autoptr(rpcTestClient) old = NULL;
    g_autoptr(GBytes) ping = virKeepAliveMessageNew(KEEPALIVE_PROC_PING);
    rpcTestClient *clients[3];
    gint64 opened;
    gint64 dropped = 0;

    /* generous figures: the answering clients must keep up even on a
     * loaded machine (sanitizers, parallel tests) */
    cfg.keepaliveInterval = 2;
    cfg.keepaliveCount = 2;
    ts = rpcTestServerStart(&cfg);
    clients[0] = answering = rpcTestOpen(ts->rw, 0);
    clients[1] = silent = rpcTestOpen(ts->rw, 0);
    opened = g_get_monotonic_time();
    rpcTestClientSetAutoPong(silent, false);
    /* a client that never asked for PROGRAM_KEEPALIVE gets no probes */
    clients[2] = old = rpcTestConnect(ts->rw);
    rpcTestAuthList(old);

    /* silent: PINGs every 2 s of silence, dropped once 2 went
     * unanswered (not before ~4 s); answering the PINGs keeps the others */
    g_assert_cmpint(testIdleAll(clients, G_N_ELEMENTS(clients), silent, 12000,
                                &dropped), ==, -1);
    g_assert_cmpint((dropped - opened) / 1000, >=, 3500);
    g_assert_cmpuint(rpcTestClientPingsSeen(silent), ==, 2);
    g_assert_cmpuint(rpcTestClientPingsSeen(answering), >=, 2);
    g_assert_cmpuint(rpcTestClientPingsSeen(old), ==, 0);
    rpcTestAuthList(answering);
    rpcTestAuthList(old);
    rpcTestServerWaitClients(ts, 2);

    /* our PING gets a PONG, answered before the next call's reply */
    g_assert_cmpint(rpcTestClientSendRaw(old, g_bytes_get_data(ping, NULL),
                                         g_bytes_get_size(ping)), ==, 0);
    rpcTestAuthList(old);
    g_assert_cmpuint(rpcTestClientPongsSeen(old), ==, 1);
}

/* ---- robustness: the malformed packet corpus ---------------------------- */

typedef struct {
    char *expect;        /* close | ignore | ok | incomplete | error CODE MSG */
    GByteArray *bytes;
} testCorpusCase;

static void
testCorpusCaseFree(testCorpusCase *tc)
{
    g_free(tc->expect);
    g_byte_array_unref(tc->bytes);
    g_free(tc);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(testCorpusCase, testCorpusCaseFree);

/* Parses rpcdata/NAME.hex: "# expect: ..." and hex bytes. */
static testCorpusCase *
testCorpusLoad(const char *file)
{
    g_autofree char *path = g_build_filename("rpcdata", file, NULL);
    g_autofree char *text = virTestLoadFile(path);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    testCorpusCase *tc = g_new0(testCorpusCase, 1);
    size_t i;

    tc->bytes = g_byte_array_new();
    for (i = 0; lines[i]; i++) {
        const char *p = lines[i];

        if (g_str_has_prefix(p, "# expect: ")) {
            tc->expect = g_strdup(p + strlen("# expect: "));
            continue;
        }
        if (*p == '#')
            continue;
        while (*p) {
            guint8 byte;

            if (*p == ' ') {
                p++;
                continue;
            }
            g_assert_true(g_ascii_isxdigit(p[0]) && g_ascii_isxdigit(p[1]));
            byte = g_ascii_xdigit_value(p[0]) * 16 + g_ascii_xdigit_value(p[1]);
            g_byte_array_append(tc->bytes, &byte, 1);
            p += 2;
        }
    }
    g_assert_nonnull(tc->expect);
    return tc;
}

/* The corpus packets all carry serial 100. */
static void
testCorpusExpectReply(rpcTestClient *client, const char *expect)
{
    g_autoptr(virNetMessage) reply = rpcTestClientWaitReply(client, 100,
                                                            RPC_TEST_TIMEOUT_MS);
    g_autoptr(virError) err = NULL;
    g_autofree char *actual = NULL;

    g_assert_nonnull(reply);
    if (g_str_equal(expect, "ok")) {
        g_assert_cmpint(reply->header.status, ==, VIR_NET_OK);
        return;
    }
    g_assert_cmpint(reply->header.status, ==, VIR_NET_ERROR);
    err = virNetMessageDecodeError(reply);
    g_assert_nonnull(err);
    actual = g_strdup_printf("error %d %s", err->code, err->message);
    g_assert_cmpstr(actual, ==, expect);
}

static void
testCorpusOne(rpcTestServer *ts, const char *file)
{
    g_autoptr(testCorpusCase) tc = testCorpusLoad(file);
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    g_autoptr(rpcTestClient) fresh = NULL;
    virNetMessage *msg = NULL;

    g_test_message("%s: %s", file, tc->expect);
    g_assert_cmpint(rpcTestClientSendRaw(client, tc->bytes->data, tc->bytes->len), ==, 0);
    if (g_str_equal(tc->expect, "close")) {
        g_assert_cmpint(rpcTestClientRecv(client, RPC_TEST_TIMEOUT_MS, &msg), ==, -1);
    } else if (g_str_equal(tc->expect, "ignore") ||
               g_str_equal(tc->expect, "incomplete")) {
        g_assert_cmpint(rpcTestClientRecv(client, 300, &msg), ==, 0);
    } else {
        testCorpusExpectReply(client, tc->expect);
    }
    /* the same connection still works unless it had to go */
    if (g_str_equal(tc->expect, "ignore") || g_str_equal(tc->expect, "ok") ||
        g_str_has_prefix(tc->expect, "error "))
        rpcTestAuthList(client);
    g_clear_pointer(&client, rpcTestClientFree);

    /* and the server keeps serving others */
    fresh = rpcTestOpen(ts->rw, 0);
    g_assert_cmpuint(rpcTestCountDomains(fresh, TEST_LIST_ALL), ==, 0);
}

static void
testCorpus(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = rpcTestServerStart(&cfg);
    g_auto(GStrv) files = virTestListFiles("rpcdata", ".hex");
    size_t i;

    g_assert_cmpuint(g_strv_length(files), >=, 25);
    for (i = 0; files[i]; i++)
        testCorpusOne(ts, files[i]);
    rpcTestServerWaitClients(ts, 0);
}

/* ---- limits -------------------------------------------------------------- */

static void
testMaxClients(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = NULL;
    rpcTestClient *clients[3];
    g_autoptr(rpcTestClient) refused = NULL;
    g_autoptr(rpcTestClient) later = NULL;
    virNetMessage *msg = NULL;
    size_t i;

    cfg.maxClients = 3;
    ts = rpcTestServerStart(&cfg);
    for (i = 0; i < G_N_ELEMENTS(clients); i++)
        clients[i] = rpcTestOpen(i == 2 ? ts->ro : ts->rw, 0);
    rpcTestServerWaitClients(ts, 3);
    refused = rpcTestConnect(ts->rw);
    g_assert_cmpint(rpcTestClientRecv(refused, RPC_TEST_TIMEOUT_MS, &msg), ==, -1);
    rpcTestAuthList(clients[0]);

    rpcTestClientFree(clients[1]);
    rpcTestServerWaitClients(ts, 2);
    later = rpcTestOpen(ts->rw, 0);
    rpcTestAuthList(later);
    rpcTestClientFree(clients[0]);
    rpcTestClientFree(clients[2]);
}

static void
testMaxMessage(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = rpcTestServerStart(&cfg);
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    g_autoptr(rpcTestClient) other = rpcTestOpen(ts->rw, 0);
    g_autofree char *xml = g_strnfill(TEST_MAX_MESSAGE, 'x');
    g_autofree char *fits = g_strnfill(TEST_MAX_MESSAGE - 64, 'x');
    remote_domain_define_xml_args big = { xml };
    remote_domain_define_xml_args ok = { fits };
    virNetMessage *msg = NULL;

    /* a payload just under the limit is read (and refused by the driver) */
    rpcTestCallError(other, REMOTE_PROC_DOMAIN_DEFINE_XML,
                  TEST_XDR(remote_domain_define_xml_args), &ok, VIR_ERR_XML_ERROR,
                  "XML error: (domain_definition):1: malformed XML");
    /* one above costs the connection, and only that one (the server may
     * hang up before the client has finished sending) */
    rpcTestClientSendCall(client, REMOTE_PROC_DOMAIN_DEFINE_XML,
                          TEST_XDR(remote_domain_define_xml_args), &big);
    g_assert_cmpint(rpcTestClientRecv(client, RPC_TEST_TIMEOUT_MS, &msg), ==, -1);
    rpcTestAuthList(other);
}

/* ---- anonymous clients ---------------------------------------------------- */

/* Sends AUTH_LIST (allowed before CONNECT_OPEN); its serial. */
static unsigned int
testSendAuthList(rpcTestClient *client)
{
    return rpcTestClientSendCall(client, REMOTE_PROC_AUTH_LIST, TEST_VOID, NULL);
}

/* True if the call @serial of @client is answered within @ms. */
static bool
testAnswered(rpcTestClient *client, unsigned int serial, int ms)
{
    g_autoptr(virNetMessage) reply = rpcTestClientWaitReply(client, serial, ms);

    return reply != NULL;
}

/* At max_anonymous_clients clients that have not opened, no connection
 * is accepted (it waits in the backlog, as with libvirtd) until one of
 * them opens or leaves; opened clients are served throughout. */
static void
testAnonymousLimit(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    rpcTestClient *anon[3];
    unsigned int serial;
    size_t i;
    g_autoptr(rpcTestServer) ts = NULL;
    g_autoptr(rpcTestClient) opened = NULL;
    g_autoptr(rpcTestClient) waiting = NULL;
    g_autoptr(rpcTestClient) later = NULL;

    cfg.maxAnonymousClients = G_N_ELEMENTS(anon);
    ts = rpcTestServerStart(&cfg);
    opened = rpcTestOpen(ts->rw, 0);
    for (i = 0; i < G_N_ELEMENTS(anon); i++) {
        anon[i] = rpcTestConnect(i == 0 ? ts->ro : ts->rw);
        rpcTestAuthList(anon[i]);
    }
    rpcTestServerWaitClients(ts, 4);

    waiting = rpcTestConnect(ts->rw);
    serial = testSendAuthList(waiting);
    g_assert_false(testAnswered(waiting, serial, 500));
    g_assert_cmpuint(virNetServerGetClientCount(ts->srv->net), ==, 4);
    rpcTestAuthList(opened);

    /* one opens: the waiting connection is accepted and answered */
    g_assert_cmpint(rpcTestClientOpen(anon[0], "qemu:///system", 0), ==, 0);
    g_assert_true(testAnswered(waiting, serial, RPC_TEST_TIMEOUT_MS));

    /* full again; one leaves: the next one is served */
    later = rpcTestConnect(ts->ro);
    serial = testSendAuthList(later);
    g_assert_false(testAnswered(later, serial, 300));
    rpcTestClientFree(anon[1]);
    g_assert_true(testAnswered(later, serial, RPC_TEST_TIMEOUT_MS));
    rpcTestClientFree(anon[0]);
    rpcTestClientFree(anon[2]);
}

/* A client that has not opened within anonymous_client_timeout is
 * dropped, whether silent or busy with pre-open calls and keepalive;
 * opened clients stay. */
static void
testAnonymousTimeout(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    virNetMessage *msg = NULL;
    gint64 start;
    gint64 ms;
    g_autoptr(rpcTestServer) ts = NULL;
    g_autoptr(rpcTestClient) opened = NULL;
    g_autoptr(rpcTestClient) silent = NULL;
    g_autoptr(rpcTestClient) chatty = NULL;

    cfg.anonymousTimeout = 1;
    cfg.keepaliveInterval = 1;
    ts = rpcTestServerStart(&cfg);
    start = g_get_monotonic_time();
    silent = rpcTestConnect(ts->rw);
    chatty = rpcTestConnect(ts->rw);
    opened = rpcTestOpen(ts->rw, 0);
    g_assert_cmpint(rpcTestFeature(chatty, 10), ==, 1);
    rpcTestAuthList(chatty);

    g_assert_cmpint(rpcTestClientRecv(silent, RPC_TEST_TIMEOUT_MS, &msg), ==, -1);
    ms = (g_get_monotonic_time() - start) / 1000;
    g_test_message("silent client dropped after %" G_GINT64_FORMAT " ms", ms);
    g_assert_cmpint(ms, >=, 900);
    /* PINGs of the keepalive it asked for come first */
    g_assert_cmpint(testIdle(chatty, RPC_TEST_TIMEOUT_MS), ==, -1);
    rpcTestServerWaitClients(ts, 1);
    g_assert_cmpint(testIdle(opened, 1500), ==, 0);
    rpcTestAuthList(opened);
}

/* ---- concurrency --------------------------------------------------------- */

#define TEST_CLIENTS 200
#define TEST_BUSY 20

static void
testDefineSlow(rpcTestClient *client, remote_nonnull_domain *doms)
{
    size_t i;

    for (i = 0; i < TEST_BUSY; i++) {
        g_autofree char *name = g_strdup_printf("slow%02zu", i);
        g_autofree char *xml = rpcTestDomainXML(name);

        rpcTestDefine(client, xml, &doms[i]);
    }
}

static void
testConcurrency(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = NULL;
    rpcTestClient *clients[TEST_CLIENTS];
    unsigned int serials[TEST_CLIENTS];
    remote_nonnull_domain doms[TEST_BUSY] = { { 0 } };
    remote_connect_list_all_domains_args all = { 1, TEST_LIST_ALL };
    gint64 start;
    gint64 quickMs;
    size_t i;
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4 * TEST_CLIENTS + 64) {
        g_test_skip("not enough file descriptors");
        return;
    }
    ts = rpcTestServerStart(&cfg);
    for (i = 0; i < TEST_CLIENTS; i++)
        clients[i] = rpcTestOpen(ts->rw, 0);
    rpcTestServerWaitClients(ts, TEST_CLIENTS);
    testDefineSlow(clients[0], doms);

    /* 20 long calls occupy every normal worker... */
    for (i = 0; i < TEST_BUSY; i++) {
        serials[i] = rpcTestClientSendCall(clients[i], REMOTE_PROC_DOMAIN_CREATE,
                                           TEST_XDR(remote_nonnull_domain), &doms[i]);
    }
    /* ...while 180 clients' queries are answered by the priority workers */
    start = g_get_monotonic_time();
    for (i = TEST_BUSY; i < TEST_CLIENTS; i++) {
        serials[i] = rpcTestClientSendCall(clients[i], REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                                           TEST_XDR(remote_connect_list_all_domains_args),
                                           &all);
    }
    for (i = TEST_BUSY; i < TEST_CLIENTS; i++) {
        g_autoptr(virNetMessage) reply = rpcTestClientWaitReply(clients[i], serials[i],
                                                                RPC_TEST_TIMEOUT_MS);

        g_assert_nonnull(reply);
        g_assert_cmpint(reply->header.status, ==, VIR_NET_OK);
    }
    quickMs = (g_get_monotonic_time() - start) / 1000;
    g_test_message("180 queries answered in %" G_GINT64_FORMAT " ms", quickMs);
    g_assert_cmpint(quickMs, <, RPC_FAKE_SLOW_MS / 2);

    for (i = 0; i < TEST_BUSY; i++) {
        g_autoptr(virNetMessage) reply = rpcTestClientWaitReply(clients[i], serials[i],
                                                                RPC_TEST_TIMEOUT_MS);

        g_assert_nonnull(reply);
        g_assert_cmpint(reply->header.status, ==, VIR_NET_OK);
    }
    g_assert_cmpuint(rpcTestCountDomains(clients[TEST_CLIENTS - 1], TEST_LIST_ACTIVE), ==,
                     TEST_BUSY);
    for (i = 0; i < TEST_BUSY; i++)
        xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&doms[i]);
    for (i = 0; i < TEST_CLIENTS; i++)
        rpcTestClientFree(clients[i]);
    rpcTestServerWaitClients(ts, 0);
}

/* ---- shutdown and TCP ------------------------------------------------------ */

static void
testShutdownBusy(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    rpcTestServer *ts = rpcTestServerStart(&cfg);
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    g_autofree char *xml = rpcTestDomainXML("slowstop");
    remote_nonnull_domain dom = { 0 };
    virNetMessage *msg = NULL;
    gint64 start;

    rpcTestDefine(client, xml, &dom);
    g_assert_cmpuint(rpcTestClientSendCall(client, REMOTE_PROC_DOMAIN_CREATE,
                                           TEST_XDR(remote_nonnull_domain), &dom), >, 0);
    g_usleep(200 * 1000);
    /* stopping waits for the running call, then the client sees EOF */
    start = g_get_monotonic_time();
    rpcTestServerStop(ts);
    g_assert_cmpint((g_get_monotonic_time() - start) / 1000, >=, RPC_FAKE_SLOW_MS / 2);
    g_assert_cmpint(rpcTestClientRecv(client, RPC_TEST_TIMEOUT_MS, &msg), ==, -1);
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&dom);
}

static void
testTCP(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = rpcTestServerStart(&cfg);
    g_autoptr(rpcTestClient) client = NULL;
    remote_connect_is_secure_ret secure = { 1 };
    unsigned int port = 0;

    g_assert_cmpint(virNetServerAddTCPListener(ts->srv->net, "127.0.0.1", 0,
                                               VIR_NET_SERVER_AUTH_NONE, &port),
                    ==, 0);
    g_assert_cmpuint(port, >, 0);
    g_assert_cmpint(virNetServerAddTCPListener(ts->srv->net, "not-an-address", 1,
                                               VIR_NET_SERVER_AUTH_NONE, NULL),
                    ==, -1);
    client = rpcTestClientConnectTCP("127.0.0.1", port);
    g_assert_nonnull(client);
    g_assert_cmpint(rpcTestClientOpen(client, "qemu:///system", 0), ==, 0);
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_IS_SECURE, TEST_VOID, NULL,
               TEST_XDR(remote_connect_is_secure_ret), &secure);
    g_assert_cmpint(secure.secure, ==, 0);
    g_assert_cmpuint(rpcTestCountDomains(client, TEST_LIST_ALL), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/robust/keepalive", testKeepAlive);
    g_test_add_func("/rpc/robust/corpus", testCorpus);
    g_test_add_func("/rpc/robust/max-clients", testMaxClients);
    g_test_add_func("/rpc/robust/max-message", testMaxMessage);
    g_test_add_func("/rpc/robust/anonymous-limit", testAnonymousLimit);
    g_test_add_func("/rpc/robust/anonymous-timeout", testAnonymousTimeout);
    g_test_add_func("/rpc/robust/concurrency", testConcurrency);
    g_test_add_func("/rpc/robust/shutdown-busy", testShutdownBusy);
    g_test_add_func("/rpc/robust/tcp", testTCP);
    return g_test_run();
}
