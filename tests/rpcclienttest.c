/*
 * rpcclienttest.c: the RPC client (virnetclient.c, remote_client.c)
 * against the project's own server over the fake driver
 *
 * URIs, calls and the peer's errors, keepalive both ways (a frozen
 * server is declared dead; the server's PINGs are answered), a peer
 * closing mid-reply, an oversized reply, unreachable addresses, the
 * Prepare3Params / Finish3Params round trip, and TLS both ways with the
 * certificates of tests/rpcdata/pki (tools/virtmig-certs.sh).  Assertions are on what
 * happens, never on how long it took.
 */
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

#include "testutils.h"
#include "rpctestserver.h"
#include "remote_client.h"
#include "virdrvfeature.h"

/* Bounds a wait that must end by itself (a hang fails the test). */
#define TEST_CALL_TIMEOUT_MS 30000

static char *
testUnixURI(const char *path)
{
    return g_strdup_printf("qemu+unix:///system?socket=%s", path);
}

static remoteClient *
testOpen(rpcTestServer *ts, const remoteClientConfig *cfg)
{
    g_autofree char *uri = testUnixURI(ts->rw);
    remoteClient *rc = remoteClientOpen(uri, cfg);

    if (!rc)
        g_error("open %s: %s", uri, virGetLastErrorMessage());
    return rc;
}

/* The thread's last error is @code from @domain and mentions @needle. */
static void
testCheckError(int code, int domain, const char *needle)
{
    virError *err = virGetLastError();

    g_assert_nonnull(err);
    if (err->code != code || err->domain != domain ||
        !strstr(err->message, needle))
        g_error("expected error %d/%d with '%s', got %d/%d '%s'", code, domain,
                needle, err->code, err->domain, err->message);
    virResetLastError();
}

/* ---- URIs ------------------------------------------------------------------ */

static void
testParseURI(void)
{
    remoteClientTarget t;

    g_assert_cmpint(remoteClientParseURI("qemu+tcp://dst.example/system", &t), ==, 0);
    g_assert_cmpstr(t.host, ==, "dst.example");
    g_assert_cmpuint(t.port, ==, 16509);
    g_assert_null(t.socket);
    g_assert_cmpstr(t.name, ==, "qemu:///system");
    remoteClientTargetClear(&t);

    g_assert_cmpint(remoteClientParseURI("qemu+tcp://[::1]:16600/system", &t), ==, 0);
    g_assert_cmpstr(t.host, ==, "::1");
    g_assert_cmpuint(t.port, ==, 16600);
    remoteClientTargetClear(&t);

    g_assert_cmpint(remoteClientParseURI("qemu+unix:///system?socket=/r/s", &t), ==, 0);
    g_assert_null(t.host);
    g_assert_cmpstr(t.socket, ==, "/r/s");
    g_assert_cmpstr(t.name, ==, "qemu:///system");
    remoteClientTargetClear(&t);

    g_assert_cmpint(remoteClientParseURI("qemu+unix:///session", &t), ==, 0);
    g_assert_cmpstr(t.socket, ==, REMOTE_CLIENT_DEFAULT_SOCKET);
    g_assert_cmpstr(t.name, ==, "qemu:///session");
    remoteClientTargetClear(&t);

    g_assert_cmpint(remoteClientParseURI("qemu+tls://dst/system", &t), ==, 0);
    g_assert_true(t.tls);
    g_assert_cmpstr(t.host, ==, "dst");
    g_assert_cmpuint(t.port, ==, 16514);
    g_assert_null(t.pkipath);
    remoteClientTargetClear(&t);

    g_assert_cmpint(remoteClientParseURI("qemu+tls://dst:1234/system?pkipath=/p", &t),
                    ==, 0);
    g_assert_cmpuint(t.port, ==, 1234);
    g_assert_cmpstr(t.pkipath, ==, "/p");
    remoteClientTargetClear(&t);

    g_assert_cmpint(remoteClientParseURI("qemu+tls://dst/system?no_verify=1", &t),
                    ==, -1);
    testCheckError(VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_FROM_REMOTE, "'no_verify'");
    g_assert_cmpint(remoteClientParseURI("qemu+tcp://dst/system?pkipath=/p", &t),
                    ==, -1);
    testCheckError(VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_FROM_REMOTE, "not supported");
    g_assert_cmpint(remoteClientParseURI("qemu+ssh://dst/system", &t), ==, -1);
    testCheckError(VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_FROM_REMOTE, "'qemu+ssh'");
    g_assert_cmpint(remoteClientParseURI("qemu:///system", &t), ==, -1);
    testCheckError(VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_FROM_REMOTE, "'qemu'");
    g_assert_cmpint(remoteClientParseURI("qemu+tcp:///system", &t), ==, -1);
    testCheckError(VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, "no host");
    g_assert_cmpint(remoteClientParseURI("qemu+unix:///system?no_verify=1", &t), ==, -1);
    testCheckError(VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_FROM_REMOTE, "'no_verify'");
    g_assert_cmpint(remoteClientParseURI("not a uri", &t), ==, -1);
    testCheckError(VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, "not a uri");
}

/* ---- calls and errors -------------------------------------------------------- */

static void
testCall(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    remoteClientConfig cfg = remoteClientDefaultConfig();
    remoteClient *rc = testOpen(ts, &cfg);
    remote_connect_get_type_ret type = { 0 };
    bool supported = false;

    rpcTestServerWaitClients(ts, 1);
    g_assert_cmpint(remoteClientSupportsFeature(rc, VIR_DRV_FEATURE_MIGRATION_P2P,
                                                &supported), ==, 0);
    g_assert_true(supported);
    g_assert_cmpint(remoteClientSupportsFeature(rc, VIR_DRV_FEATURE_FD_PASSING,
                                                &supported), ==, 0);
    g_assert_false(supported);
    g_assert_cmpint(virNetClientCall(remoteClientGetNet(rc), REMOTE_PROGRAM,
                                     REMOTE_PROTOCOL_VERSION,
                                     REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL,
                                     TEST_XDR(remote_connect_get_type_ret), &type,
                                     TEST_CALL_TIMEOUT_MS), ==, 0);
    g_assert_cmpstr(type.type, ==, "QEMU");
    xdr_free(TEST_XDR(remote_connect_get_type_ret), (char *)&type);
    g_assert_cmpint(remoteClientClose(rc), ==, 0);
    rpcTestServerWaitClients(ts, 0);
}

/* The same call through the test client and through ours gives the
 * same error: code, domain and message travel intact. */
static void
testPeerError(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    remoteClientConfig cfg = remoteClientDefaultConfig();
    g_autoptr(remoteClient) rc = testOpen(ts, &cfg);
    g_autoptr(rpcTestClient) raw = rpcTestOpen(ts->rw, 0);
    remote_domain_lookup_by_name_args args = { (char *)"nosuch" };
    remote_domain_lookup_by_name_ret ret = { { 0 } };
    g_autoptr(virError) expected = NULL;
    virError *err;

    g_assert_cmpint(rpcTestClientCall(raw, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                                      TEST_XDR(remote_domain_lookup_by_name_args), &args,
                                      TEST_XDR(remote_domain_lookup_by_name_ret), &ret,
                                      &expected), ==, 1);
    g_assert_cmpint(virNetClientCall(remoteClientGetNet(rc), REMOTE_PROGRAM,
                                     REMOTE_PROTOCOL_VERSION,
                                     REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                                     TEST_XDR(remote_domain_lookup_by_name_args), &args,
                                     TEST_XDR(remote_domain_lookup_by_name_ret), &ret,
                                     TEST_CALL_TIMEOUT_MS), ==, -1);
    err = virGetLastError();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(err->code, ==, expected->code);
    g_assert_cmpint(err->domain, ==, expected->domain);
    g_assert_cmpstr(err->message, ==, expected->message);
    g_assert_cmpstr(err->message, !=, "");
    virResetLastError();
    /* an error reply leaves the connection usable */
    g_assert_true(virNetClientIsOpen(remoteClientGetNet(rc)));
}

/* ---- keepalive --------------------------------------------------------------- */

/* What the close callback saw. */
typedef struct {
    GMutex lock;
    GCond cond;
    unsigned int calls;
    virError *reason;
} testClosed;

static void
testCloseCallback(virNetClient *client G_GNUC_UNUSED, const virError *reason,
                  void *opaque)
{
    testClosed *closed = opaque;

    g_mutex_lock(&closed->lock);
    closed->calls++;
    virErrorFree(closed->reason);
    closed->reason = reason ? virErrorCopy(reason) : NULL;
    g_cond_broadcast(&closed->cond);
    g_mutex_unlock(&closed->lock);
}

/* The close callback ran exactly once, with a reason mentioning @needle. */
static void
testClosedCheck(testClosed *closed, const char *needle)
{
    gint64 deadline = g_get_monotonic_time() + TEST_CALL_TIMEOUT_MS * 1000LL;

    g_mutex_lock(&closed->lock);
    while (!closed->calls && g_cond_wait_until(&closed->cond, &closed->lock, deadline))
        ;
    g_assert_cmpuint(closed->calls, ==, 1);
    g_assert_nonnull(closed->reason);
    g_assert_nonnull(strstr(closed->reason->message, needle));
    g_mutex_unlock(&closed->lock);
    virErrorFree(closed->reason);
    g_mutex_clear(&closed->lock);
    g_cond_clear(&closed->cond);
}

typedef struct {
    GMutex lock;
    GCond cond;
    bool frozen;
    bool released;
} testGate;

/* Runs on the server's loop and holds it until released: the server
 * neither reads nor answers anything meanwhile. */
static gboolean
testGateHold(gpointer opaque)
{
    testGate *gate = opaque;

    g_mutex_lock(&gate->lock);
    gate->frozen = true;
    g_cond_broadcast(&gate->cond);
    while (!gate->released)
        g_cond_wait(&gate->cond, &gate->lock);
    g_mutex_unlock(&gate->lock);
    return G_SOURCE_REMOVE;
}

static void
testGateFreeze(testGate *gate, rpcTestServer *ts)
{
    g_mutex_init(&gate->lock);
    g_cond_init(&gate->cond);
    g_main_context_invoke(ts->ctx, testGateHold, gate);
    g_mutex_lock(&gate->lock);
    while (!gate->frozen)
        g_cond_wait(&gate->cond, &gate->lock);
    g_mutex_unlock(&gate->lock);
}

static void
testGateRelease(testGate *gate)
{
    g_mutex_lock(&gate->lock);
    gate->released = true;
    g_cond_broadcast(&gate->cond);
    g_mutex_unlock(&gate->lock);
}

/* A peer that stops answering: the call waiting on it fails because
 * keepalive declared it dead, not because of the call's own timeout. */
static void
testKeepAliveDead(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    remoteClientConfig cfg = remoteClientDefaultConfig();
    g_autoptr(remoteClient) rc = NULL;
    remote_connect_get_type_ret type = { 0 };
    testGate gate = { 0 };
    testClosed closed = { 0 };
    g_autoptr(virError) reason = NULL;

    cfg.keepaliveInterval = 1;
    cfg.keepaliveCount = 2;
    rc = testOpen(ts, &cfg);
    g_mutex_init(&closed.lock);
    g_cond_init(&closed.cond);
    virNetClientSetCloseCallback(remoteClientGetNet(rc), testCloseCallback, &closed);
    testGateFreeze(&gate, ts);
    g_assert_cmpint(virNetClientCall(remoteClientGetNet(rc), REMOTE_PROGRAM,
                                     REMOTE_PROTOCOL_VERSION,
                                     REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL,
                                     TEST_XDR(remote_connect_get_type_ret), &type,
                                     TEST_CALL_TIMEOUT_MS), ==, -1);
    testCheckError(VIR_ERR_RPC, VIR_FROM_RPC, "no answer to 2 keepalive messages");
    testClosedCheck(&closed, "keepalive");
    g_assert_false(virNetClientIsOpen(remoteClientGetNet(rc)));
    reason = virNetClientGetCloseError(remoteClientGetNet(rc));
    g_assert_nonnull(strstr(reason->message, ts->rw));
    /* later calls fail at once with the same reason */
    g_assert_cmpint(remoteClientSupportsFeature(rc, 1, &(bool){ false }), ==, -1);
    testCheckError(VIR_ERR_RPC, VIR_FROM_RPC, "keepalive");
    testGateRelease(&gate);
    g_clear_pointer(&rc, remoteClientClose);
    rpcTestServerWaitClients(ts, 0);
    g_mutex_clear(&gate.lock);
    g_cond_clear(&gate.cond);
}

/* Both sides probe (1 s x 1): an idle client answers the server's
 * PINGs, the server answers ours, and the connection stays up. */
static void
testKeepAliveAnswered(void)
{
    remoteServerConfig scfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = NULL;
    remoteClientConfig cfg = remoteClientDefaultConfig();
    g_autoptr(remoteClient) rc = NULL;
    bool supported = false;

    scfg.keepaliveInterval = 1;
    scfg.keepaliveCount = 1;
    ts = rpcTestServerStart(&scfg);
    cfg.keepaliveInterval = 1;
    cfg.keepaliveCount = 1;
    rc = testOpen(ts, &cfg);
    g_usleep(3500 * 1000);             /* three of the server's intervals */
    g_assert_true(virNetClientIsOpen(remoteClientGetNet(rc)));
    g_assert_cmpint(remoteClientSupportsFeature(rc, VIR_DRV_FEATURE_MIGRATION_P2P,
                                                &supported), ==, 0);
    g_assert_true(supported);
    rpcTestServerWaitClients(ts, 1);
}

/* A call that outlives its timeout fails with VIR_ERR_OPERATION_TIMEOUT;
 * the connection stays up and serves the next call. */
static void
testCallTimeout(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    remoteClientConfig cfg = remoteClientDefaultConfig();
    g_autoptr(remoteClient) rc = testOpen(ts, &cfg);
    testGate gate = { 0 };
    bool supported = false;

    testGateFreeze(&gate, ts);
    g_assert_cmpint(virNetClientCall(remoteClientGetNet(rc), REMOTE_PROGRAM,
                                     REMOTE_PROTOCOL_VERSION,
                                     REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL,
                                     NULL, NULL, 200), ==, -1);
    testCheckError(VIR_ERR_OPERATION_TIMEOUT, VIR_FROM_RPC, ts->rw);
    testGateRelease(&gate);
    /* the late reply to the abandoned call is dropped, not mismatched */
    g_assert_cmpint(remoteClientSupportsFeature(rc, VIR_DRV_FEATURE_MIGRATION_P2P,
                                                &supported), ==, 0);
    g_assert_true(supported);
    g_mutex_clear(&gate.lock);
    g_cond_clear(&gate.cond);
}

/* Events the peer sends between replies are skipped. */
static void
testEventsIgnored(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    remoteClientConfig cfg = remoteClientDefaultConfig();
    g_autoptr(remoteClient) rc = testOpen(ts, &cfg);
    remote_connect_domain_event_callback_register_any_args args = {
        VIR_DOMAIN_EVENT_ID_LIFECYCLE, NULL };
    remote_connect_domain_event_callback_register_any_ret ret = { 0 };
    qemuDomainEvent ev = { .eventID = VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                           .dom = { .name = (char *)"ev", .id = 3 } };
    bool supported = false;
    size_t i;

    g_assert_cmpint(virNetClientCall(remoteClientGetNet(rc), REMOTE_PROGRAM,
                                     REMOTE_PROTOCOL_VERSION,
                                     REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                                     TEST_XDR(remote_connect_domain_event_callback_register_any_args),
                                     &args,
                                     TEST_XDR(remote_connect_domain_event_callback_register_any_ret),
                                     &ret, TEST_CALL_TIMEOUT_MS), ==, 0);
    for (i = 0; i < 3; i++) {
        rpcFakeDriverEmit(ts->driver, &ev);
        g_assert_cmpint(remoteClientSupportsFeature(rc, VIR_DRV_FEATURE_MIGRATION_P2P,
                                                    &supported), ==, 0);
        g_assert_true(supported);
    }
    g_assert_true(virNetClientIsOpen(remoteClientGetNet(rc)));
}

#define TEST_THREADS 4
#define TEST_CALLS_PER_THREAD 50

static gpointer
testConcurrentThread(gpointer opaque)
{
    remoteClient *rc = opaque;
    size_t i;

    for (i = 0; i < TEST_CALLS_PER_THREAD; i++) {
        remote_connect_get_type_ret type = { 0 };

        if (virNetClientCall(remoteClientGetNet(rc), REMOTE_PROGRAM,
                             REMOTE_PROTOCOL_VERSION, REMOTE_PROC_CONNECT_GET_TYPE,
                             NULL, NULL, TEST_XDR(remote_connect_get_type_ret), &type,
                             TEST_CALL_TIMEOUT_MS) < 0 ||
            g_strcmp0(type.type, "QEMU") != 0)
            return GINT_TO_POINTER(1);
        xdr_free(TEST_XDR(remote_connect_get_type_ret), (char *)&type);
    }
    return NULL;
}

/* Calls from several threads on one connection each get their reply. */
static void
testConcurrent(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    remoteClientConfig cfg = remoteClientDefaultConfig();
    g_autoptr(remoteClient) rc = testOpen(ts, &cfg);
    GThread *threads[TEST_THREADS];
    size_t i;

    for (i = 0; i < TEST_THREADS; i++)
        threads[i] = g_thread_new("caller", testConcurrentThread, rc);
    for (i = 0; i < TEST_THREADS; i++)
        g_assert_null(g_thread_join(threads[i]));
}

/* The destination daemon going away while no call is pending: the
 * close callback says so, and the next call fails at once. */
static void
testServerGone(void)
{
    rpcTestServer *ts = rpcTestServerStartDefault();
    remoteClientConfig cfg = remoteClientDefaultConfig();
    g_autoptr(remoteClient) rc = testOpen(ts, &cfg);
    testClosed closed = { 0 };
    bool supported = false;

    g_mutex_init(&closed.lock);
    g_cond_init(&closed.cond);
    virNetClientSetCloseCallback(remoteClientGetNet(rc), testCloseCallback, &closed);
    rpcTestServerWaitClients(ts, 1);
    rpcTestServerStop(ts);
    testClosedCheck(&closed, "closed by the peer");
    g_assert_cmpint(remoteClientSupportsFeature(rc, VIR_DRV_FEATURE_MIGRATION_P2P,
                                                &supported), ==, -1);
    testCheckError(VIR_ERR_RPC, VIR_FROM_RPC, "closed by the peer");
}

/* ---- broken peers ------------------------------------------------------------ */

typedef struct {
    GSocketListener *listener;
    char *path;
    GThread *thread;
} testRawPeer;

/* Accepts one connection, reads one call, sends the first 12 bytes of
 * a reply announcing 100 and closes. */
static gpointer
testRawPeerThread(gpointer opaque)
{
    testRawPeer *peer = opaque;
    g_autoptr(GSocketConnection) conn = g_socket_listener_accept(peer->listener,
                                                                NULL, NULL, NULL);
    GInputStream *in;
    GOutputStream *out;
    char buf[4096];
    static const char partial[12] = { 0, 0, 0, 100, 0x20, 0x00, 0x80, 0x86,
                                      0, 0, 0, 1 };

    g_assert_nonnull(conn);
    in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
    out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
    g_assert_cmpint(g_input_stream_read(in, buf, sizeof(buf), NULL, NULL), >, 0);
    g_assert_true(g_output_stream_write_all(out, partial, sizeof(partial), NULL,
                                            NULL, NULL));
    g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
    return NULL;
}

static void
testPeerClosesMidReply(void)
{
    g_autofree char *dir = g_dir_make_tmp("rpcclienttest-XXXXXX", NULL);
    testRawPeer peer = { g_socket_listener_new(), g_build_filename(dir, "sock", NULL) };
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(peer.path);
    virNetClientConfig cfg = virNetClientDefaultConfig();
    g_autoptr(virNetClient) client = NULL;
    g_autofree char *closed = g_strdup_printf("connection to unix:%s closed by the peer",
                                              peer.path);
    testClosed notified = { 0 };

    g_assert_true(g_socket_listener_add_address(peer.listener, addr,
                                                G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_DEFAULT,
                                                NULL, NULL, NULL));
    peer.thread = g_thread_new("raw-peer", testRawPeerThread, &peer);
    client = virNetClientNewUnix(peer.path, &cfg);
    g_assert_nonnull(client);
    /* no timeout: only the peer closing can end this call */
    g_assert_cmpint(virNetClientCall(client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                                     REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL,
                                     NULL, NULL, 0), ==, -1);
    testCheckError(VIR_ERR_RPC, VIR_FROM_RPC, closed);
    g_assert_false(virNetClientIsOpen(client));
    /* set after the fact, the close callback still runs */
    g_mutex_init(&notified.lock);
    g_cond_init(&notified.cond);
    virNetClientSetCloseCallback(client, testCloseCallback, &notified);
    testClosedCheck(&notified, closed);
    g_thread_join(peer.thread);
    g_socket_listener_close(peer.listener);
    g_object_unref(peer.listener);
    unlink(peer.path);
    rmdir(dir);
    g_free(peer.path);
}

/* A reply larger than our limit is refused and ends the connection
 * (its rest cannot be skipped safely). */
static void
testOversizedReply(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    remoteClientConfig cfg = remoteClientDefaultConfig();
    g_autoptr(remoteClient) rc = NULL;
    remote_connect_get_capabilities_ret caps = { 0 };

    /* AUTH_LIST, features and CONNECT_OPEN fit; the capabilities do not */
    cfg.net.maxMessage = 64;
    rc = testOpen(ts, &cfg);
    g_assert_cmpint(virNetClientCall(remoteClientGetNet(rc), REMOTE_PROGRAM,
                                     REMOTE_PROTOCOL_VERSION,
                                     REMOTE_PROC_CONNECT_GET_CAPABILITIES, NULL, NULL,
                                     TEST_XDR(remote_connect_get_capabilities_ret),
                                     &caps, TEST_CALL_TIMEOUT_MS), ==, -1);
    testCheckError(VIR_ERR_RPC, VIR_FROM_RPC, "larger than the limit of 68 bytes");
    g_assert_false(virNetClientIsOpen(remoteClientGetNet(rc)));
    g_clear_pointer(&rc, remoteClientClose);
    rpcTestServerWaitClients(ts, 0);
}

/* A TCP port nobody listens on (bound, then released). */
static unsigned int
testFreePort(void)
{
    g_autoptr(GSocket) sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                           G_SOCKET_PROTOCOL_DEFAULT, NULL);
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_assert_true(g_socket_bind(sock, any, TRUE, NULL));
    bound = g_socket_get_local_address(sock, NULL);
    return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
}

static void
testUnreachable(void)
{
    remoteClientConfig cfg = remoteClientDefaultConfig();
    unsigned int port = testFreePort();
    g_autofree char *tcp = g_strdup_printf("qemu+tcp://127.0.0.1:%u/system", port);
    g_autofree char *where = g_strdup_printf("'127.0.0.1:%u'", port);

    g_assert_null(remoteClientOpen("qemu+unix:///system?socket=/nonexistent/sock", &cfg));
    testCheckError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, "'unix:/nonexistent/sock'");
    g_assert_null(remoteClientOpen(tcp, &cfg));
    testCheckError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, where);
}

/* ---- migration ---------------------------------------------------------------- */

static void
testMigration(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    remoteClientConfig cfg = remoteClientDefaultConfig();
    g_autoptr(remoteClient) rc = NULL;
    g_autofree char *xml = rpcTestDomainXML("p2p");
    g_autofree char *tcp = NULL;
    virTypedParameter prepare[2] = { 0 };
    virTypedParameter finish[1] = { 0 };
    g_autofree char *cookie = NULL;
    g_autofree char *cookie2 = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *name = NULL;
    unsigned char uuid[VIR_UUID_BUFLEN] = { 0 };
    size_t cookielen = 0;
    size_t cookie2len = 0;
    unsigned int port = 0;
    rpcFakeMigrationCall call = { 0 };

    g_assert_cmpint(virNetServerAddTCPListener(ts->srv->net, "127.0.0.1", 0,
                                               VIR_NET_SERVER_AUTH_NONE, &port),
                    ==, 0);
    tcp = g_strdup_printf("qemu+tcp://127.0.0.1:%u/system", port);
    rc = remoteClientOpen(tcp, &cfg);
    g_assert_nonnull(rc);

    g_strlcpy(prepare[0].field, "destination_xml", sizeof(prepare[0].field));
    prepare[0].type = VIR_TYPED_PARAM_STRING;
    prepare[0].value.s = xml;
    g_strlcpy(prepare[1].field, "bandwidth", sizeof(prepare[1].field));
    prepare[1].type = VIR_TYPED_PARAM_ULLONG;
    prepare[1].value.ul = 100;
    g_assert_cmpint(remoteClientMigratePrepare3Params(rc, prepare, 2, "c1\0", 3,
                                                      &cookie, &cookielen, &uri,
                                                      0x201), ==, 0);
    g_assert_cmpmem(cookie, cookielen, "prepare:c1\0", 11);
    g_assert_cmpstr(uri, ==, "tcp:127.0.0.1:49152");
    rpcFakeDriverLastMigrationCall(ts->driver, &call);
    g_assert_cmpstr(call.api, ==, "qemuDomainMigratePrepare3Params");
    g_assert_cmpuint(call.params->npar, ==, 2);
    g_assert_cmpuint(call.params->par[1].value.ul, ==, 100);
    g_assert_cmpuint(call.flags, ==, 0x201);
    rpcFakeMigrationCallClear(&call);

    g_strlcpy(finish[0].field, "destination_name", sizeof(finish[0].field));
    finish[0].type = VIR_TYPED_PARAM_STRING;
    finish[0].value.s = (char *)"p2p";
    g_assert_cmpint(remoteClientMigrateFinish3Params(rc, finish, 1, "c3", 2,
                                                     &cookie2, &cookie2len, 0x201, 0,
                                                     &name, uuid), ==, 0);
    g_assert_cmpmem(cookie2, cookie2len, "finish:c3", 9);
    g_assert_cmpstr(name, ==, "p2p");
    g_assert_cmpint(uuid[0] | uuid[15], !=, 0);

    /* a second Finish finds no incoming migration: the peer's error */
    g_clear_pointer(&name, g_free);
    g_clear_pointer(&cookie2, g_free);
    g_assert_cmpint(remoteClientMigrateFinish3Params(rc, finish, 1, NULL, 0,
                                                     &cookie2, &cookie2len, 0, 1,
                                                     &name, uuid), ==, -1);
    testCheckError(VIR_ERR_NO_DOMAIN, VIR_FROM_QEMU, "'p2p'");
    g_assert_null(name);
    g_assert_null(cookie2);
}

/* ---- TLS ---------------------------------------------------------------- */

/* A TLS listener on 127.0.0.1 with the server credentials of
 * tests/rpcdata/pki (client certificates required, any DN); its URI
 * with the pkipath of the client @who. */
static char *
testTLSListen(rpcTestServer *ts, const char *who, const char *host)
{
    g_autofree char *ca = virTestSrcPath("rpcdata/pki/server/cacert.pem");
    g_autofree char *cert = virTestSrcPath("rpcdata/pki/server/servercert.pem");
    g_autofree char *key = virTestSrcPath("rpcdata/pki/server/serverkey.pem");
    g_autofree char *pki = g_strdup_printf("rpcdata/pki/%s", who);
    g_autofree char *pkipath = virTestSrcPath(pki);
    virNetTLSConfig cfg = {
        .caFile = ca, .certFile = cert, .keyFile = key, .verifyPeer = true,
    };
    g_autoptr(virNetTLSContext) ctx = virNetTLSContextNewServer(&cfg);
    unsigned int port = 0;

    if (!ctx)
        g_error("server TLS context: %s", virGetLastErrorMessage());
    g_assert_cmpint(virNetServerAddTLSListener(ts->srv->net, "127.0.0.1", 0, ctx,
                                               VIR_NET_SERVER_AUTH_NONE,
                                               &port), ==, 0);
    return g_strdup_printf("qemu+tls://%s:%u/system?pkipath=%s", host, port,
                           pkipath);
}

/* Calls over TLS, from several threads at once: replies that arrive
 * together in one TLS record are all delivered (the session's buffered
 * data does not wait for the socket to become readable). */
static void
testTLS(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    g_autofree char *uri = testTLSListen(ts, "client", "127.0.0.1");
    remoteClientConfig cfg = remoteClientDefaultConfig();
    g_autoptr(remoteClient) rc = remoteClientOpen(uri, &cfg);
    remote_connect_is_secure_ret secure = { 0 };
    GThread *threads[TEST_THREADS];
    size_t i;

    if (!rc)
        g_error("open %s: %s", uri, virGetLastErrorMessage());
    g_assert_cmpint(virNetClientCall(remoteClientGetNet(rc), REMOTE_PROGRAM,
                                     REMOTE_PROTOCOL_VERSION,
                                     REMOTE_PROC_CONNECT_IS_SECURE, NULL, NULL,
                                     TEST_XDR(remote_connect_is_secure_ret), &secure,
                                     TEST_CALL_TIMEOUT_MS), ==, 0);
    g_assert_cmpint(secure.secure, ==, 1);
    for (i = 0; i < TEST_THREADS; i++)
        threads[i] = g_thread_new("caller", testConcurrentThread, rc);
    for (i = 0; i < TEST_THREADS; i++)
        g_assert_null(g_thread_join(threads[i]));
}

/* The server refuses a certificate from another CA (the client trusts
 * ours too): the connection never opens, the error says the server
 * refused it. */
static void
testTLSClientRefused(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    g_autofree char *uri = testTLSListen(ts, "eve", "127.0.0.1");
    remoteClientConfig cfg = remoteClientDefaultConfig();

    g_assert_null(remoteClientOpen(uri, &cfg));
    testCheckError(VIR_ERR_RPC, VIR_FROM_RPC, "refused the TLS connection");
    rpcTestServerWaitClients(ts, 0);
}

/* The client refuses a server whose certificate does not name the host
 * it connected to. */
static void
testTLSServerRefused(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    g_autofree char *uri = testTLSListen(ts, "client", "localhost");
    remoteClientConfig cfg = remoteClientDefaultConfig();

    g_assert_null(remoteClientOpen(uri, &cfg));
    testCheckError(VIR_ERR_AUTH_FAILED, VIR_FROM_RPC,
                   "Failed to verify peer's certificate");
}

/* Missing credentials fail before connecting, naming the file. */
static void
testTLSMissingFiles(void)
{
    remoteClientConfig cfg = remoteClientDefaultConfig();

    g_assert_null(remoteClientOpen("qemu+tls://127.0.0.1:1/system?pkipath=/nonexistent",
                                   &cfg));
    testCheckError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, "/nonexistent/cacert.pem");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/client/parse-uri", testParseURI);
    g_test_add_func("/rpc/client/call", testCall);
    g_test_add_func("/rpc/client/peer-error", testPeerError);
    g_test_add_func("/rpc/client/keepalive-dead", testKeepAliveDead);
    g_test_add_func("/rpc/client/keepalive-answered", testKeepAliveAnswered);
    g_test_add_func("/rpc/client/call-timeout", testCallTimeout);
    g_test_add_func("/rpc/client/events-ignored", testEventsIgnored);
    g_test_add_func("/rpc/client/concurrent", testConcurrent);
    g_test_add_func("/rpc/client/server-gone", testServerGone);
    g_test_add_func("/rpc/client/peer-closes-mid-reply", testPeerClosesMidReply);
    g_test_add_func("/rpc/client/oversized-reply", testOversizedReply);
    g_test_add_func("/rpc/client/unreachable", testUnreachable);
    g_test_add_func("/rpc/client/migration", testMigration);
    g_test_add_func("/rpc/client/tls", testTLS);
    g_test_add_func("/rpc/client/tls-client-refused", testTLSClientRefused);
    g_test_add_func("/rpc/client/tls-server-refused", testTLSServerRefused);
    g_test_add_func("/rpc/client/tls-missing-files", testTLSMissingFiles);
    return g_test_run();
}
