/*
 * rpcsasltest.c: SASL authentication of the remote program, over real
 * sockets with the real libsasl2
 *
 * A remoteServer over the fake driver gets a UNIX socket and a loopback
 * TCP listener that ask for SASL (beside the test server's own sockets,
 * which do not); its SASL configuration (a private directory: PLAIN and
 * SCRAM-SHA-256, a sasldb made with saslpasswd2) lets the raw client
 * authenticate with PLAIN, whose one message it can write by hand.
 * Checked: AUTH_LIST, the refusal of everything else before
 * authentication, wrong password, unknown user, unknown mechanism,
 * sasl_allowed_username_list, the order of INIT/START/STEP, retries,
 * and SASL on plain TCP.  The stock client (SCRAM-SHA-256) is
 * tests/rpcsasltest.py.
 *
 * Skipped (77) without saslpasswd2 (package sasl2-bin).
 */
#include <string.h>
#include <unistd.h>

#include "testutils.h"
#include "rpctestserver.h"
#include "virnetsasl.h"

#define TEST_AUTH_FAILED "authentication failed: authentication failed"
#define TEST_AUTH_REQUIRED "authentication required"

/* The SASL configuration of this process (libsasl2 is initialized once
 * per process, like the daemon does). */
typedef struct {
    char *saslpasswd;             /* saslpasswd2 */
    char *dir;                    /* virtmigd.conf, passwd.db */
    virNetSASLContext *sasl;
} testSASL;

static testSASL testSetup;

static void
testAddUser(const char *db, const char *user, const char *password)
{
    const char *argv[] = { testSetup.saslpasswd, "-p", "-c", "-f", db, "-a",
                           VIR_NET_SASL_APPNAME, user, NULL };
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GBytes) input = g_bytes_new(password, strlen(password));

    proc = g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDIN_PIPE, &err);
    g_assert_no_error(err);
    g_subprocess_communicate(proc, input, NULL, NULL, NULL, &err);
    g_assert_no_error(err);
    g_assert_true(g_subprocess_get_successful(proc));
}

static void
testSetupSASL(void)
{
    const char *const allowed[] = { "alice", "adm*", NULL };
    g_autofree char *db = NULL;
    g_autofree char *conf = NULL;
    g_autofree char *content = NULL;

    testSetup.dir = g_dir_make_tmp("rpcsasltest-XXXXXX", NULL);
    g_assert_nonnull(testSetup.dir);
    db = g_build_filename(testSetup.dir, "passwd.db", NULL);
    conf = g_build_filename(testSetup.dir, VIR_NET_SASL_APPNAME ".conf", NULL);
    content = g_strdup_printf("mech_list: plain scram-sha-256\nsasldb_path: %s\n", db);
    g_assert_true(g_file_set_contents(conf, content, -1, NULL));
    testAddUser(db, "alice", "secret");
    testAddUser(db, "admin1", "root-secret");
    testAddUser(db, "bob", "bob-secret");    /* not on the allowed list */
    testSetup.sasl = virNetSASLContextNewServer(testSetup.dir, allowed);
    g_assert_nonnull(testSetup.sasl);
}

static void
testTeardownSASL(void)
{
    g_autoptr(GDir) dir = g_dir_open(testSetup.dir, 0, NULL);
    const char *name;

    g_clear_pointer(&testSetup.sasl, virNetSASLContextFree);
    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(testSetup.dir, name, NULL);

        unlink(path);
    }
    rmdir(testSetup.dir);
    g_free(testSetup.dir);
    g_free(testSetup.saslpasswd);
}

/* The test server with a SASL UNIX socket DIR/sock-sasl (and SASL). */
static rpcTestServer *
testServerStart(char **saslPath)
{
    rpcTestServer *ts = rpcTestServerStartDefault();

    remoteServerSetSASL(ts->srv, testSetup.sasl);
    *saslPath = g_build_filename(ts->dir, "sock-sasl", NULL);
    g_assert_cmpint(remoteServerAddUnixSocket(ts->srv, *saslPath, 0600, false,
                                              VIR_NET_SERVER_AUTH_SASL), ==, 0);
    return ts;
}

static void
testAuthList(rpcTestClient *client, int expected)
{
    remote_auth_list_ret ret = { 0 };

    rpcTestCallOK(client, REMOTE_PROC_AUTH_LIST, TEST_VOID, NULL,
                  TEST_XDR(remote_auth_list_ret), &ret);
    g_assert_cmpuint(ret.types.types_len, ==, 1);
    g_assert_cmpint(ret.types.types_val[0], ==, expected);
    xdr_free(TEST_XDR(remote_auth_list_ret), (char *)&ret);
}

/* AUTH_SASL_INIT: the mechanisms offered. */
static char *
testInit(rpcTestClient *client)
{
    remote_auth_sasl_init_ret ret = { 0 };
    char *mechlist;

    rpcTestCallOK(client, REMOTE_PROC_AUTH_SASL_INIT, TEST_VOID, NULL,
                  TEST_XDR(remote_auth_sasl_init_ret), &ret);
    mechlist = g_strdup(ret.mechlist);
    xdr_free(TEST_XDR(remote_auth_sasl_init_ret), (char *)&ret);
    return mechlist;
}

/* AUTH_SASL_START with PLAIN's one message ("\0USER\0PASSWORD"): 0
 * (complete), or 1 with the error checked against @message. */
static int
testStartPlain(rpcTestClient *client, const char *mech, const char *user,
               const char *password, const char *message)
{
    g_autofree char *data = g_strdup_printf("%c%s%c%s", 0, user, 0, password);
    remote_auth_sasl_start_args args = { 0 };
    remote_auth_sasl_start_ret ret = { 0 };
    g_autoptr(virError) err = NULL;
    int rc;

    args.mech = (char *)mech;
    args.data.data_val = data;
    args.data.data_len = strlen(user) + strlen(password) + 2;
    rc = rpcTestClientCall(client, REMOTE_PROC_AUTH_SASL_START,
                           TEST_XDR(remote_auth_sasl_start_args), &args,
                           TEST_XDR(remote_auth_sasl_start_ret), &ret, &err);
    if (rc == 0) {
        g_assert_null(message);
        g_assert_cmpint(ret.complete, ==, 1);
        xdr_free(TEST_XDR(remote_auth_sasl_start_ret), (char *)&ret);
        return 0;
    }
    g_assert_cmpint(rc, ==, 1);
    g_assert_cmpstr(err->message, ==, message);
    g_assert_cmpint(err->code, ==, VIR_ERR_AUTH_FAILED);
    return 1;
}

/* Every procedure but the authentication ones is refused. */
static void
testRefusedBeforeAuth(rpcTestClient *client)
{
    char *uri = (char *)"qemu:///system";
    remote_connect_open_args open = { &uri, 0 };
    remote_connect_supports_feature_args feature = { 10 };
    remote_connect_list_all_domains_args list = { 1, TEST_LIST_ALL };

    rpcTestCallError(client, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                     TEST_XDR(remote_connect_supports_feature_args), &feature,
                     VIR_ERR_RPC, TEST_AUTH_REQUIRED);
    rpcTestCallError(client, REMOTE_PROC_CONNECT_OPEN,
                     TEST_XDR(remote_connect_open_args), &open,
                     VIR_ERR_RPC, TEST_AUTH_REQUIRED);
    rpcTestCallError(client, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                     TEST_XDR(remote_connect_list_all_domains_args), &list,
                     VIR_ERR_RPC, TEST_AUTH_REQUIRED);
    rpcTestCallError(client, REMOTE_PROC_CONNECT_GET_TYPE, TEST_VOID, NULL,
                     VIR_ERR_RPC, TEST_AUTH_REQUIRED);
}

/* ---- tests ------------------------------------------------------------- */

static void
testAuthenticate(void)
{
    g_autofree char *path = NULL;
    g_autoptr(rpcTestServer) ts = testServerStart(&path);
    g_autoptr(rpcTestClient) client = rpcTestConnect(path);
    g_autofree char *mechs = NULL;

    testAuthList(client, REMOTE_AUTH_SASL);
    testRefusedBeforeAuth(client);
    mechs = testInit(client);
    g_assert_nonnull(strstr(mechs, "PLAIN"));
    g_assert_nonnull(strstr(mechs, "SCRAM-SHA-256"));
    g_assert_null(strstr(mechs, "DIGEST-MD5"));   /* not in mech_list */
    g_assert_cmpint(testStartPlain(client, "PLAIN", "alice", "secret", NULL), ==, 0);

    /* now the stock client's sequence goes on */
    g_assert_cmpint(rpcTestFeature(client, 10), ==, 1);
    g_assert_cmpint(rpcTestClientOpen(client, "qemu:///system", 0), ==, 0);
    g_assert_cmpuint(rpcTestCountDomains(client, TEST_LIST_ALL), ==, 0);
    /* authenticated once: no second negotiation */
    rpcTestCallError(client, REMOTE_PROC_AUTH_SASL_INIT, TEST_VOID, NULL,
                     VIR_ERR_AUTH_FAILED, TEST_AUTH_FAILED);
    g_assert_cmpuint(rpcTestCountDomains(client, TEST_LIST_ALL), ==, 0);
}

static void
testWrongCredentials(void)
{
    g_autofree char *path = NULL;
    g_autoptr(rpcTestServer) ts = testServerStart(&path);
    g_autoptr(rpcTestClient) client = rpcTestConnect(path);
    g_autofree char *m1 = NULL;
    g_autofree char *m2 = NULL;
    g_autofree char *m3 = NULL;
    g_autofree char *m4 = NULL;

    /* wrong password; the client may try again from INIT, as libvirtd */
    m1 = testInit(client);
    testStartPlain(client, "PLAIN", "alice", "wrong", TEST_AUTH_FAILED);
    testRefusedBeforeAuth(client);
    /* the failed negotiation is gone: START needs a new INIT */
    testStartPlain(client, "PLAIN", "alice", "secret", TEST_AUTH_FAILED);
    /* unknown user */
    m2 = testInit(client);
    testStartPlain(client, "PLAIN", "mallory", "secret", TEST_AUTH_FAILED);
    /* a mechanism not offered */
    m3 = testInit(client);
    testStartPlain(client, "DIGEST-MD5", "alice", "secret", TEST_AUTH_FAILED);
    testStartPlain(client, "NO-SUCH-MECH", "alice", "secret", TEST_AUTH_FAILED);
    testRefusedBeforeAuth(client);
    /* and still the right password works */
    m4 = testInit(client);
    g_assert_cmpint(testStartPlain(client, "PLAIN", "alice", "secret", NULL), ==, 0);
    g_assert_cmpint(rpcTestClientOpen(client, "qemu:///system", 0), ==, 0);
}

static void
testOrder(void)
{
    g_autofree char *path = NULL;
    g_autoptr(rpcTestServer) ts = testServerStart(&path);
    g_autoptr(rpcTestClient) client = rpcTestConnect(path);
    g_autofree char *mechs = NULL;
    remote_auth_sasl_step_args step = { 0 };

    /* STEP or START without INIT */
    rpcTestCallError(client, REMOTE_PROC_AUTH_SASL_STEP,
                     TEST_XDR(remote_auth_sasl_step_args), &step,
                     VIR_ERR_AUTH_FAILED, TEST_AUTH_FAILED);
    testStartPlain(client, "PLAIN", "alice", "secret", TEST_AUTH_FAILED);
    /* two INITs */
    mechs = testInit(client);
    rpcTestCallError(client, REMOTE_PROC_AUTH_SASL_INIT, TEST_VOID, NULL,
                     VIR_ERR_AUTH_FAILED, TEST_AUTH_FAILED);
    testRefusedBeforeAuth(client);
}

static void
testAllowedList(void)
{
    g_autofree char *path = NULL;
    g_autoptr(rpcTestServer) ts = testServerStart(&path);
    g_autoptr(rpcTestClient) bob = rpcTestConnect(path);
    g_autoptr(rpcTestClient) admin = rpcTestConnect(path);
    g_autofree char *m1 = NULL;
    g_autofree char *m2 = NULL;

    /* the right password, but not on sasl_allowed_username_list */
    m1 = testInit(bob);
    testStartPlain(bob, "PLAIN", "bob", "bob-secret", TEST_AUTH_FAILED);
    testRefusedBeforeAuth(bob);
    /* "adm*" */
    m2 = testInit(admin);
    g_assert_cmpint(testStartPlain(admin, "PLAIN", "admin1", "root-secret", NULL),
                    ==, 0);
    g_assert_cmpint(rpcTestClientOpen(admin, "qemu:///system", 0), ==, 0);
}

static void
testOtherListeners(void)
{
    g_autofree char *path = NULL;
    g_autoptr(rpcTestServer) ts = testServerStart(&path);
    g_autoptr(rpcTestClient) none = rpcTestConnect(ts->rw);
    g_autoptr(rpcTestClient) tcp = NULL;
    unsigned int port = 0;

    /* a listener without SASL: no negotiation, nothing refused */
    testAuthList(none, REMOTE_AUTH_NONE);
    rpcTestCallError(none, REMOTE_PROC_AUTH_SASL_INIT, TEST_VOID, NULL,
                     VIR_ERR_AUTH_FAILED, TEST_AUTH_FAILED);
    g_assert_cmpint(rpcTestClientOpen(none, "qemu:///system", 0), ==, 0);

    /* SASL on plain TCP would need a security layer: refused, saying so */
    g_assert_cmpint(virNetServerAddTCPListener(ts->srv->net, "127.0.0.1", 0,
                                               VIR_NET_SERVER_AUTH_SASL, &port),
                    ==, 0);
    tcp = rpcTestClientConnectTCP("127.0.0.1", port);
    g_assert_nonnull(tcp);
    testAuthList(tcp, REMOTE_AUTH_SASL);
    rpcTestCallError(tcp, REMOTE_PROC_AUTH_SASL_INIT, TEST_VOID, NULL,
                     VIR_ERR_AUTH_FAILED,
                     "authentication failed: SASL over plain TCP needs a SASL security layer (SSF >= 56), which virtmigd does not support yet: use TLS or a UNIX socket");
    testRefusedBeforeAuth(tcp);
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (!(testSetup.saslpasswd = g_find_program_in_path("saslpasswd2")) &&
        g_file_test("/usr/sbin/saslpasswd2", G_FILE_TEST_IS_EXECUTABLE))
        testSetup.saslpasswd = g_strdup("/usr/sbin/saslpasswd2");
    if (!testSetup.saslpasswd) {
        g_printerr("saslpasswd2 not found (package sasl2-bin): skipped\n");
        return 77;
    }
    g_test_add_func("/rpc/sasl/authenticate", testAuthenticate);
    g_test_add_func("/rpc/sasl/wrong-credentials", testWrongCredentials);
    g_test_add_func("/rpc/sasl/order", testOrder);
    g_test_add_func("/rpc/sasl/allowed-list", testAllowedList);
    g_test_add_func("/rpc/sasl/other-listeners", testOtherListeners);
    testSetupSASL();
    ret = g_test_run();
    testTeardownSASL();
    return ret;
}
