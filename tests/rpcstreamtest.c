/*
 * rpcstreamtest.c: RPC streams through DOMAIN_OPEN_CONSOLE over the fake
 * driver, whose console is a socket pair: the test plays both the
 * client (raw packets) and the guest (the pair's other end).
 *
 * Asserts libvirt's wire behaviour: the open's reply comes before any
 * data (also data already waiting at the open); data both ways; an empty packet from the client is ignored;
 * finish and abort are confirmed by an empty VIR_NET_OK packet; EOF is
 * an empty VIR_NET_CONTINUE packet; a forced takeover gives the old
 * session a stream error and later packets for it are dropped; a
 * disconnect releases the session; flow control bounds what the server
 * reads from the guest while the client does not read.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "testutils.h"
#include "rpctestserver.h"

#define PROC REMOTE_PROC_DOMAIN_OPEN_CONSOLE
#define FLOW_TOTAL (8 * 1024 * 1024)

typedef struct {
    rpcTestServer *ts;
    rpcTestClient *client;
    remote_nonnull_domain dom;
} testEnv;

static void
testEnvSetup(testEnv *env, bool start)
{
    g_autofree char *xml = rpcTestDomainXML("con");

    env->ts = rpcTestServerStartDefault();
    env->client = rpcTestOpen(env->ts->rw, 0);
    rpcTestDefine(env->client, xml, &env->dom);
    if (start)
        rpcTestDomainAction(env->client, REMOTE_PROC_DOMAIN_CREATE, &env->dom);
}

static void
testEnvClear(testEnv *env)
{
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&env->dom);
    g_clear_pointer(&env->client, rpcTestClientFree);
    g_clear_pointer(&env->ts, rpcTestServerStop);
}

/* Sends DOMAIN_OPEN_CONSOLE; returns its serial (the reply is left). */
static unsigned int
testSendOpen(rpcTestClient *client, remote_nonnull_domain *dom,
             const char *devname, unsigned int flags)
{
    char *name = (char *)devname;
    remote_domain_open_console_args args = { *dom, devname ? &name : NULL, flags };
    unsigned int serial = rpcTestClientSendCall(client, PROC,
                                                TEST_XDR(remote_domain_open_console_args),
                                                &args);

    g_assert_cmpuint(serial, >, 0);
    return serial;
}

/* The next packet that is not an event. */
static virNetMessage *
testNext(rpcTestClient *client)
{
    for (;;) {
        virNetMessage *msg = NULL;

        if (rpcTestClientRecv(client, RPC_TEST_TIMEOUT_MS, &msg) <= 0)
            g_error("no packet from the server");
        if (msg->header.type != VIR_NET_MESSAGE)
            return msg;
        virNetMessageFree(msg);
    }
}

/* Opens the console: the very next packet is the successful reply. */
static unsigned int
testOpen(rpcTestClient *client, remote_nonnull_domain *dom, unsigned int flags)
{
    unsigned int serial = testSendOpen(client, dom, NULL, flags);
    g_autoptr(virNetMessage) reply = testNext(client);

    g_assert_cmpint(reply->header.type, ==, VIR_NET_REPLY);
    g_assert_cmpuint(reply->header.serial, ==, serial);
    g_assert_cmpint(reply->header.status, ==, VIR_NET_OK);
    return serial;
}

/* The next packet is the stream's, of @status; returns it. */
static virNetMessage *
testNextStream(rpcTestClient *client, unsigned int serial, int status)
{
    virNetMessage *msg = testNext(client);

    g_assert_cmpint(msg->header.type, ==, VIR_NET_STREAM);
    g_assert_cmpuint(msg->header.prog, ==, REMOTE_PROGRAM);
    g_assert_cmpint(msg->header.proc, ==, PROC);
    g_assert_cmpuint(msg->header.serial, ==, serial);
    g_assert_cmpint(msg->header.status, ==, status);
    return msg;
}

/* The next packet is stream data: exactly @expect (empty: EOF). */
static void
testExpectData(rpcTestClient *client, unsigned int serial, const char *expect)
{
    g_autoptr(virNetMessage) msg = testNextStream(client, serial, VIR_NET_CONTINUE);
    size_t len;
    const char *data = virNetMessageRawPayload(msg, &len);

    g_assert_cmpmem(data, len, expect, strlen(expect));
}

static void
testExpectConfirm(rpcTestClient *client, unsigned int serial)
{
    g_autoptr(virNetMessage) msg = testNextStream(client, serial, VIR_NET_OK);
    size_t len;

    virNetMessageRawPayload(msg, &len);
    g_assert_cmpuint(len, ==, 0);
}

static void
testWaitConsoles(qemuDriver *driver, size_t n)
{
    gint64 deadline = g_get_monotonic_time() + RPC_TEST_TIMEOUT_MS * 1000;

    while (rpcFakeDriverConsoleCount(driver) != n) {
        if (g_get_monotonic_time() > deadline)
            g_error("%zu console sessions, not %zu", rpcFakeDriverConsoleCount(driver), n);
        g_usleep(10000);
    }
}

/* Reads exactly @len bytes from the guest's end. */
static void
testGuestRead(int fd, const char *expect)
{
    size_t len = strlen(expect);
    g_autofree char *buf = g_malloc0(len + 1);
    size_t have = 0;

    while (have < len) {
        gssize n = read(fd, buf + have, len - have);

        g_assert_cmpint(n, >, 0);
        have += n;
    }
    g_assert_cmpstr(buf, ==, expect);
}

/* Output already waiting in the terminal comes after the open's reply,
 * never before (libvirt's client would take it for the reply). */
static void
testReplyFirst(void)
{
    testEnv env = { 0 };
    size_t i;

    testEnvSetup(&env, true);
    rpcFakeDriverConsoleSetBanner(env.ts->driver, "banner");
    for (i = 0; i < 20; i++) {
        unsigned int serial = testOpen(env.client, &env.dom, 0);

        testExpectData(env.client, serial, "banner");
        g_assert_cmpint(rpcTestClientSendStream(env.client, PROC, serial, VIR_NET_ERROR,
                                                NULL, 0), ==, 0);
        testExpectConfirm(env.client, serial);
        testWaitConsoles(env.ts->driver, 0);
    }
    testEnvClear(&env);
}

/* Data both ways, the empty packet of a blocking reader, finish. */
static void
testDataAndFinish(void)
{
    testEnv env = { 0 };
    unsigned int serial;
    int guest = -1;

    testEnvSetup(&env, true);
    serial = testOpen(env.client, &env.dom, 0);
    guest = rpcFakeDriverConsoleTakePeer(env.ts->driver, "con");
    g_assert_cmpint(guest, >=, 0);

    g_assert_cmpint(write(guest, "login: ", 7), ==, 7);
    testExpectData(env.client, serial, "login: ");
    g_assert_cmpint(rpcTestClientSendStream(env.client, PROC, serial, VIR_NET_CONTINUE,
                                            "", 0), ==, 0);
    g_assert_cmpint(rpcTestClientSendStream(env.client, PROC, serial, VIR_NET_CONTINUE,
                                            "root\r", 5), ==, 0);
    testGuestRead(guest, "root\r");
    g_assert_cmpint(write(guest, "# ", 2), ==, 2);
    testExpectData(env.client, serial, "# ");

    g_assert_cmpint(rpcTestClientSendStream(env.client, PROC, serial, VIR_NET_OK,
                                            NULL, 0), ==, 0);
    testExpectConfirm(env.client, serial);
    testWaitConsoles(env.ts->driver, 0);
    /* the terminal is closed: the guest sees the end */
    g_assert_cmpint(read(guest, (char[1]){ 0 }, 1), ==, 0);
    close(guest);
    testEnvClear(&env);
}

/* Abort is confirmed too; the device may be opened again. */
static void
testAbort(void)
{
    testEnv env = { 0 };
    unsigned int serial;

    testEnvSetup(&env, true);
    serial = testOpen(env.client, &env.dom, 0);
    g_assert_cmpint(rpcTestClientSendStream(env.client, PROC, serial, VIR_NET_ERROR,
                                            NULL, 0), ==, 0);
    testExpectConfirm(env.client, serial);
    testWaitConsoles(env.ts->driver, 0);
    serial = testOpen(env.client, &env.dom, 0);
    testWaitConsoles(env.ts->driver, 1);
    testEnvClear(&env);
}

/* The guest goes away: an empty data packet (EOF) releases the device;
 * the client's finish is still confirmed. */
static void
testEOF(void)
{
    testEnv env = { 0 };
    unsigned int serial;
    int guest;

    testEnvSetup(&env, true);
    serial = testOpen(env.client, &env.dom, 0);
    guest = rpcFakeDriverConsoleTakePeer(env.ts->driver, "con");
    g_assert_cmpint(write(guest, "bye", 3), ==, 3);
    close(guest);
    testExpectData(env.client, serial, "bye");
    testExpectData(env.client, serial, "");
    testWaitConsoles(env.ts->driver, 0);
    /* data after the end goes nowhere, and breaks nothing */
    g_assert_cmpint(rpcTestClientSendStream(env.client, PROC, serial, VIR_NET_CONTINUE,
                                            "x", 1), ==, 0);
    g_assert_cmpint(rpcTestClientSendStream(env.client, PROC, serial, VIR_NET_OK,
                                            NULL, 0), ==, 0);
    testExpectConfirm(env.client, serial);
    testEnvClear(&env);
}

/* One session per device; FORCE takes over and the old session gets
 * libvirt's stream error; its late abort is dropped. */
static void
testForce(void)
{
    testEnv env = { 0 };
    g_autoptr(rpcTestClient) other = NULL;
    g_autoptr(virNetMessage) reply = NULL;
    g_autoptr(virNetMessage) msg = NULL;
    g_autoptr(virError) err = NULL;
    unsigned int serial;
    unsigned int otherSerial;
    unsigned int call;
    int oldGuest;
    int guest;

    testEnvSetup(&env, true);
    serial = testOpen(env.client, &env.dom, 0);
    /* held open: the old session must end by the takeover, not by EOF */
    oldGuest = rpcFakeDriverConsoleTakePeer(env.ts->driver, "con");
    other = rpcTestOpen(env.ts->rw, 0);
    otherSerial = testSendOpen(other, &env.dom, NULL, 0);
    reply = rpcTestClientWaitReply(other, otherSerial, RPC_TEST_TIMEOUT_MS);
    g_assert_cmpint(rpcTestClientDecodeReply(reply, TEST_VOID, NULL, &err), ==, 1);
    g_assert_cmpint(err->code, ==, VIR_ERR_OPERATION_FAILED);
    g_assert_cmpstr(err->message, ==,
                    "operation failed: Active console session exists for this domain");
    g_clear_pointer(&err, virErrorFree);

    otherSerial = testOpen(other, &env.dom, VIR_DOMAIN_CONSOLE_FORCE);
    msg = testNextStream(env.client, serial, VIR_NET_ERROR);
    err = virNetMessageDecodeError(msg);
    g_assert_cmpint(err->code, ==, VIR_ERR_RPC);
    g_assert_cmpint(err->domain, ==, VIR_FROM_STREAMS);
    g_assert_cmpstr(err->message, ==, "stream had I/O failure");
    testWaitConsoles(env.ts->driver, 1);

    /* the old stream is gone: its abort gets no answer, the connection
     * lives on (the next packet is the next call's reply) */
    g_assert_cmpint(rpcTestClientSendStream(env.client, PROC, serial, VIR_NET_ERROR,
                                            NULL, 0), ==, 0);
    call = rpcTestClientSendCall(env.client, REMOTE_PROC_CONNECT_GET_LIB_VERSION,
                                 TEST_VOID, NULL);
    g_clear_pointer(&msg, virNetMessageFree);
    msg = testNext(env.client);
    g_assert_cmpint(msg->header.type, ==, VIR_NET_REPLY);
    g_assert_cmpuint(msg->header.serial, ==, call);

    /* the new session is the guest's */
    guest = rpcFakeDriverConsoleTakePeer(env.ts->driver, "con");
    g_assert_cmpint(write(guest, "mine", 4), ==, 4);
    testExpectData(other, otherSerial, "mine");
    close(guest);
    close(oldGuest);
    testEnvClear(&env);
}

/* A client that leaves with its stream open releases the device. */
static void
testDisconnect(void)
{
    testEnv env = { 0 };
    g_autoptr(rpcTestClient) other = NULL;
    int guest = -1;

    testEnvSetup(&env, true);
    other = rpcTestOpen(env.ts->rw, 0);
    testOpen(other, &env.dom, 0);
    guest = rpcFakeDriverConsoleTakePeer(env.ts->driver, "con");
    g_clear_pointer(&other, rpcTestClientFree);
    testWaitConsoles(env.ts->driver, 0);
    g_assert_cmpint(read(guest, (char[1]){ 0 }, 1), ==, 0);
    close(guest);
    testOpen(env.client, &env.dom, 0);
    testEnvClear(&env);
}

/* Writes to the guest's end until it would block for @idleMs (0: until
 * it would block); returns the bytes written (the pattern continues
 * from @offset). */
static size_t
testGuestFill(int fd, size_t offset, size_t max, int idleMs)
{
    char buf[65536];
    size_t written = 0;
    gint64 idleSince = g_get_monotonic_time();

    while (written < max) {
        size_t i;
        size_t len = MIN(sizeof(buf), max - written);
        gssize n;

        for (i = 0; i < len; i++)
            buf[i] = (char)((offset + written + i) % 251);
        n = write(fd, buf, len);
        if (n < 0 && errno == EAGAIN) {
            if (g_get_monotonic_time() - idleSince >= (gint64)idleMs * 1000)
                break;
            g_usleep(10000);
            continue;
        }
        g_assert_cmpint(n, >, 0);
        written += n;
        idleSince = g_get_monotonic_time();
    }
    return written;
}

/* While the client does not read, the server reads at most one packet
 * ahead of its socket: the guest is held back.  Once the client reads,
 * everything arrives, in order. */
static void
testFlowControl(void)
{
    testEnv env = { 0 };
    unsigned int serial;
    int guest = -1;
    size_t written;
    size_t received = 0;

    testEnvSetup(&env, true);
    serial = testOpen(env.client, &env.dom, 0);
    guest = rpcFakeDriverConsoleTakePeer(env.ts->driver, "con");
    g_assert_cmpint(fcntl(guest, F_SETFL, O_NONBLOCK), ==, 0);

    written = testGuestFill(guest, 0, FLOW_TOTAL, 300);
    /* socket buffers on both sides and one 256 KiB packet, not 8 MiB */
    g_assert_cmpuint(written, <, FLOW_TOTAL / 2);
    g_test_message("held back after %zu bytes", written);

    while (received < FLOW_TOTAL) {
        g_autoptr(virNetMessage) msg = NULL;
        const char *data;
        size_t len;
        size_t i;

        if (written < FLOW_TOTAL)
            written += testGuestFill(guest, written, FLOW_TOTAL - written, 0);
        msg = testNextStream(env.client, serial, VIR_NET_CONTINUE);
        data = virNetMessageRawPayload(msg, &len);
        g_assert_cmpuint(len, >, 0);
        g_assert_cmpuint(len, <=, 256 * 1024 - 24);
        for (i = 0; i < len; i++) {
            if (data[i] != (char)((received + i) % 251))
                g_error("byte %zu differs", received + i);
        }
        received += len;
    }
    g_assert_cmpuint(received, ==, FLOW_TOTAL);
    close(guest);
    testEnvClear(&env);
}

/* libvirt's errors. */
static void
testErrors(void)
{
    testEnv env = { 0 };
    remote_domain_open_console_args args = { 0 };
    char *name = (char *)"serial1";

    testEnvSetup(&env, false);
    args.dom = env.dom;
    rpcTestCallError(env.client, PROC, TEST_XDR(remote_domain_open_console_args), &args,
                     VIR_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain is not running");
    rpcTestDomainAction(env.client, REMOTE_PROC_DOMAIN_CREATE, &env.dom);
    args.dev_name = &name;
    rpcTestCallError(env.client, PROC, TEST_XDR(remote_domain_open_console_args), &args,
                     VIR_ERR_INTERNAL_ERROR,
                     "internal error: character device serial1 is not using a PTY");
    name = (char *)"console7";
    rpcTestCallError(env.client, PROC, TEST_XDR(remote_domain_open_console_args), &args,
                     VIR_ERR_INTERNAL_ERROR,
                     "internal error: cannot find character device console7");
    args.dev_name = NULL;
    args.flags = 4;
    rpcTestCallError(env.client, PROC, TEST_XDR(remote_domain_open_console_args), &args,
                     VIR_ERR_INVALID_ARG,
                     "invalid argument: qemuDomainOpenConsole: unsupported flags (0x4)");
    testEnvClear(&env);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/stream/reply-first", testReplyFirst);
    g_test_add_func("/rpc/stream/data-finish", testDataAndFinish);
    g_test_add_func("/rpc/stream/abort", testAbort);
    g_test_add_func("/rpc/stream/eof", testEOF);
    g_test_add_func("/rpc/stream/force", testForce);
    g_test_add_func("/rpc/stream/disconnect", testDisconnect);
    g_test_add_func("/rpc/stream/flow-control", testFlowControl);
    g_test_add_func("/rpc/stream/errors", testErrors);
    return g_test_run();
}
