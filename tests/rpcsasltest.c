/*
 * rpcsasltest.c: SASL authentication of the remote program, over real
 * sockets with the real libsasl2
 *
 * A remoteServer over the fake driver gets a UNIX socket and a loopback
 * TCP listener that ask for SASL (beside the test server's own sockets,
 * which do not); its SASL configuration (a private directory: PLAIN,
 * SCRAM-SHA-256 and DIGEST-MD5, a sasldb made with saslpasswd2) lets the
 * raw client authenticate with PLAIN, whose one message it can write by
 * hand, and on plain TCP with DIGEST-MD5 through libsasl2's client API,
 * whose security layer then wraps the client's stream.
 * Checked: AUTH_LIST, the refusal of everything else before
 * authentication, wrong password, unknown user, unknown mechanism,
 * sasl_allowed_username_list, the order of INIT/START/STEP, retries,
 * and SASL on plain TCP (only mechanisms with a layer of SSF >= 56, the
 * stream encoded after the completing reply, large calls both ways, a
 * client that skips the layer).  The stock client is
 * tests/rpcsasltest.py.
 *
 * Skipped (77) without saslpasswd2 (package sasl2-bin).
 */
#include <string.h>
#include <unistd.h>
#include <sasl/sasl.h>

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
    content = g_strdup_printf("mech_list: plain scram-sha-256 digest-md5\nsasldb_path: %s\n",
                              db);
    g_assert_true(g_file_set_contents(conf, content, -1, NULL));
    testAddUser(db, "alice", "secret");
    testAddUser(db, "admin1", "root-secret");
    testAddUser(db, "bob", "bob-secret");    /* not on the allowed list */
    testSetup.sasl = virNetSASLContextNewServer(testSetup.dir, allowed);
    g_assert_nonnull(testSetup.sasl);
    /* the DIGEST-MD5 client side (libsasl2's plugins, no configuration) */
    g_assert_cmpint(sasl_client_init(NULL), ==, SASL_OK);
}

static void
testTeardownSASL(void)
{
    g_autoptr(GDir) dir = g_dir_open(testSetup.dir, 0, NULL);
    const char *name;

    sasl_client_done();
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
    g_assert_null(strstr(mechs, "CRAM-MD5"));     /* not in mech_list */
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
    testStartPlain(client, "CRAM-MD5", "alice", "secret", TEST_AUTH_FAILED);
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

    /* a listener without SASL: no negotiation, nothing refused */
    testAuthList(none, REMOTE_AUTH_NONE);
    rpcTestCallError(none, REMOTE_PROC_AUTH_SASL_INIT, TEST_VOID, NULL,
                     VIR_ERR_AUTH_FAILED, TEST_AUTH_FAILED);
    g_assert_cmpint(rpcTestClientOpen(none, "qemu:///system", 0), ==, 0);

}

/* ---- DIGEST-MD5 on plain TCP: libsasl2's client ------------------------ */

typedef struct {
    const char *user;
    sasl_secret_t *secret;
    sasl_callback_t callbacks[4];
    sasl_conn_t *conn;
} testDigestClient;

static int
testDigestSimple(void *opaque, int id, const char **result, unsigned *len)
{
    testDigestClient *dc = opaque;

    if (id != SASL_CB_AUTHNAME && id != SASL_CB_USER)
        return SASL_BADPARAM;
    *result = dc->user;
    if (len)
        *len = strlen(dc->user);
    return SASL_OK;
}

static int
testDigestSecret(sasl_conn_t *conn, void *opaque, int id, sasl_secret_t **secret)
{
    testDigestClient *dc = opaque;

    *secret = dc->secret;
    return SASL_OK;
}

#define TEST_SASL_CB(func) ((int (*)(void))(void (*)(void))(func))

/* A client session as libvirt's (service "libvirt", SSF 56 to 100000). */
static testDigestClient *
testDigestClientNew(const char *user, const char *password)
{
    testDigestClient *dc = g_new0(testDigestClient, 1);
    sasl_security_properties_t secprops = {
        .min_ssf = 56, .max_ssf = 100000, .maxbufsize = 65536,
    };
    size_t len = strlen(password);

    dc->user = user;
    dc->secret = g_malloc0(sizeof(sasl_secret_t) + len);
    dc->secret->len = len;
    memcpy(dc->secret->data, password, len);
    dc->callbacks[0] = (sasl_callback_t){ SASL_CB_AUTHNAME,
                                          TEST_SASL_CB(testDigestSimple), dc };
    dc->callbacks[1] = (sasl_callback_t){ SASL_CB_USER,
                                          TEST_SASL_CB(testDigestSimple), dc };
    dc->callbacks[2] = (sasl_callback_t){ SASL_CB_PASS,
                                          TEST_SASL_CB(testDigestSecret), dc };
    dc->callbacks[3] = (sasl_callback_t){ SASL_CB_LIST_END, NULL, NULL };
    g_assert_cmpint(sasl_client_new(VIR_NET_SASL_SERVICE, "127.0.0.1", NULL, NULL,
                                    dc->callbacks, 0, &dc->conn), ==, SASL_OK);
    g_assert_cmpint(sasl_setprop(dc->conn, SASL_SEC_PROPS, &secprops), ==, SASL_OK);
    return dc;
}

static void
testDigestClientFree(testDigestClient *dc)
{
    if (!dc)
        return;
    sasl_dispose(&dc->conn);
    g_free(dc->secret);
    g_free(dc);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(testDigestClient, testDigestClientFree);

/* sasl_encode or sasl_decode on the client's session. */
static int
testDigestCode(testDigestClient *dc,
               int (*func)(sasl_conn_t *, const char *, unsigned,
                           const char **, unsigned *),
               const char *in, size_t inlen, const char **out, size_t *outlen)
{
    unsigned len = 0;

    if (func(dc->conn, in, inlen, out, &len) != SASL_OK)
        return -1;
    *outlen = len;
    return 0;
}

static int
testDigestEncode(void *opaque, const char *in, size_t inlen,
                 const char **out, size_t *outlen)
{
    return testDigestCode(opaque, sasl_encode, in, inlen, out, outlen);
}

static int
testDigestDecode(void *opaque, const char *in, size_t inlen,
                 const char **out, size_t *outlen)
{
    return testDigestCode(opaque, sasl_decode, in, inlen, out, outlen);
}

/* One START (@mech) or STEP: the server's complete flag and data (a
 * copy, NULL for nil); -1 refused, with @message checked. */
static int
testDigestCall(rpcTestClient *client, const char *mech, const char *data,
               unsigned len, char **serverin, unsigned *serverinlen,
               const char *message)
{
    remote_auth_sasl_start_args start = { (char *)mech, data == NULL,
                                          { len, (char *)data } };
    remote_auth_sasl_step_args step = { data == NULL, { len, (char *)data } };
    remote_auth_sasl_start_ret ret = { 0 };   /* the same as a step's */
    g_autoptr(virError) err = NULL;
    int complete;
    int rc;

    G_STATIC_ASSERT(sizeof(remote_auth_sasl_start_ret) ==
                    sizeof(remote_auth_sasl_step_ret));
    if (mech)
        rc = rpcTestClientCall(client, REMOTE_PROC_AUTH_SASL_START,
                               TEST_XDR(remote_auth_sasl_start_args), &start,
                               TEST_XDR(remote_auth_sasl_start_ret), &ret, &err);
    else
        rc = rpcTestClientCall(client, REMOTE_PROC_AUTH_SASL_STEP,
                               TEST_XDR(remote_auth_sasl_step_args), &step,
                               TEST_XDR(remote_auth_sasl_step_ret), &ret, &err);
    if (rc == 1) {
        g_assert_cmpstr(err->message, ==, message);
        g_assert_cmpint(err->code, ==, VIR_ERR_AUTH_FAILED);
        return -1;
    }
    g_assert_cmpint(rc, ==, 0);
    *serverin = ret.nil ? NULL : g_memdup2(ret.data.data_val, ret.data.data_len);
    *serverinlen = ret.data.data_len;
    complete = ret.complete;
    xdr_free(TEST_XDR(remote_auth_sasl_start_ret), (char *)&ret);
    return complete;
}

/* DIGEST-MD5 as libvirt's client runs it (after INIT): START, STEPs
 * until the server completes, the server's last data checked.  0 with
 * the security layer on, or -1 refused with @message. */
static int
testDigestAuth(rpcTestClient *client, testDigestClient *dc, const char *message)
{
    const char *out = NULL;
    unsigned outlen = 0;
    const char *mech = NULL;
    g_autofree char *in = NULL;
    unsigned inlen = 0;
    const void *ssf = NULL;
    const void *maxbuf = NULL;
    int complete;
    int rc;

    rc = sasl_client_start(dc->conn, "DIGEST-MD5", NULL, &out, &outlen, &mech);
    g_assert_true(rc == SASL_OK || rc == SASL_CONTINUE);
    complete = testDigestCall(client, mech, out, outlen, &in, &inlen, message);
    while (complete == 0) {
        rc = sasl_client_step(dc->conn, in, inlen, NULL, &out, &outlen);
        g_assert_true(rc == SASL_OK || rc == SASL_CONTINUE);
        g_clear_pointer(&in, g_free);
        complete = testDigestCall(client, NULL, out, outlen, &in, &inlen, message);
    }
    if (complete < 0)
        return -1;
    /* the completing reply came in clear: check the server's proof */
    if (in)
        g_assert_cmpint(sasl_client_step(dc->conn, in, inlen, NULL, &out, &outlen),
                        ==, SASL_OK);
    g_assert_cmpint(sasl_getprop(dc->conn, SASL_SSF, &ssf), ==, SASL_OK);
    g_assert_cmpint(*(const int *)ssf, >=, 56);
    g_assert_cmpint(sasl_getprop(dc->conn, SASL_MAXOUTBUF, &maxbuf), ==, SASL_OK);
    rpcTestClientSetLayer(client, testDigestEncode, testDigestDecode,
                          *(const unsigned *)maxbuf, dc);
    return 0;
}

/* A domain of @size bytes of description at least. */
static char *
testBigDomainXML(const char *name, size_t size)
{
    g_autofree char *xml = rpcTestDomainXML(name);
    g_autofree char *filler = g_strnfill(size, 'y');
    g_autofree char *desc = g_strdup_printf("  <description>%s</description>\n</domain>",
                                            filler);
    g_auto(GStrv) parts = g_strsplit(xml, "</domain>", 2);

    return g_strconcat(parts[0], desc, parts[1], NULL);
}

/* Calls through the layer: the stock sequence, a call and a reply of
 * several chunks, and many more. */
static void
testDigestCalls(rpcTestClient *tcp)
{
    g_autofree char *xml = testBigDomainXML("big", 300 * 1024);
    remote_nonnull_domain dom = { 0 };
    remote_domain_get_xml_desc_args xargs = { { 0 }, 0 };
    remote_domain_get_xml_desc_ret xret = { 0 };
    unsigned int serials[100];
    size_t i;

    g_assert_cmpint(rpcTestClientOpen(tcp, "qemu:///system", 0), ==, 0);
    rpcTestDefine(tcp, xml, &dom);
    xargs.dom = dom;
    rpcTestCallOK(tcp, REMOTE_PROC_DOMAIN_GET_XML_DESC,
                  TEST_XDR(remote_domain_get_xml_desc_args), &xargs,
                  TEST_XDR(remote_domain_get_xml_desc_ret), &xret);
    g_assert_cmpstr(xret.xml, ==, xml);
    for (i = 0; i < 100; i++)
        g_assert_cmpuint(rpcTestCountDomains(tcp, TEST_LIST_ALL), ==, 1);
    /* pipelined: the server decodes many calls from one read, more than
     * it handles per wakeup or in flight, which the socket's readiness
     * no longer shows */
    for (i = 0; i < G_N_ELEMENTS(serials); i++) {
        serials[i] = rpcTestClientSendCall(tcp, REMOTE_PROC_CONNECT_GET_TYPE,
                                           TEST_VOID, NULL);
        g_assert_cmpuint(serials[i], !=, 0);
    }
    for (i = 0; i < G_N_ELEMENTS(serials); i++) {
        g_autoptr(virNetMessage) reply = rpcTestClientWaitReply(tcp, serials[i],
                                                                RPC_TEST_TIMEOUT_MS);

        g_assert_nonnull(reply);
        g_assert_cmpint(reply->header.status, ==, VIR_NET_OK);
    }
    xdr_free(TEST_XDR(remote_domain_get_xml_desc_ret), (char *)&xret);
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&dom);
}

static void
testPlainTCP(void)
{
    g_autofree char *path = NULL;
    g_autoptr(rpcTestServer) ts = testServerStart(&path);
    g_autoptr(rpcTestClient) tcp = NULL;
    g_autoptr(rpcTestClient) clear = NULL;
    g_autoptr(testDigestClient) wrong = testDigestClientNew("alice", "wrong");
    g_autoptr(testDigestClient) dc = testDigestClientNew("alice", "secret");
    g_autoptr(testDigestClient) dc2 = testDigestClientNew("alice", "secret");
    g_autofree char *m1 = NULL;
    g_autofree char *m2 = NULL;
    g_autofree char *m3 = NULL;
    g_autofree char *m4 = NULL;
    g_autoptr(virNetMessage) msg = NULL;
    unsigned int port = 0;

    g_assert_cmpint(virNetServerAddTCPListener(ts->srv->net, "127.0.0.1", 0,
                                               VIR_NET_SERVER_AUTH_SASL, &port),
                    ==, 0);
    tcp = rpcTestClientConnectTCP("127.0.0.1", port);
    g_assert_nonnull(tcp);
    testAuthList(tcp, REMOTE_AUTH_SASL);
    testRefusedBeforeAuth(tcp);
    /* only what has a security layer of SSF >= 56 */
    m1 = testInit(tcp);
    g_assert_cmpstr(m1, ==, "DIGEST-MD5");
    testStartPlain(tcp, "PLAIN", "alice", "secret", TEST_AUTH_FAILED);
    m2 = testInit(tcp);
    g_assert_cmpint(testDigestAuth(tcp, wrong, TEST_AUTH_FAILED), ==, -1);
    testRefusedBeforeAuth(tcp);
    m3 = testInit(tcp);
    g_assert_cmpint(testDigestAuth(tcp, dc, NULL), ==, 0);
    testDigestCalls(tcp);

    /* a client that authenticates, then writes in clear: the server
     * cannot decode it (the two calls make one whole frame for
     * DIGEST-MD5, whose integrity check fails) and drops it */
    clear = rpcTestClientConnectTCP("127.0.0.1", port);
    m4 = testInit(clear);
    g_assert_cmpint(testDigestAuth(clear, dc2, NULL), ==, 0);
    rpcTestClientSetLayer(clear, NULL, NULL, 0, NULL);
    g_assert_cmpuint(rpcTestClientSendCall(clear, REMOTE_PROC_AUTH_LIST, TEST_VOID,
                                           NULL), !=, 0);
    g_assert_cmpuint(rpcTestClientSendCall(clear, REMOTE_PROC_AUTH_LIST, TEST_VOID,
                                           NULL), !=, 0);
    g_assert_cmpint(rpcTestClientRecv(clear, RPC_TEST_TIMEOUT_MS, &msg), ==, -1);
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
    g_test_add_func("/rpc/sasl/plain-tcp-digest-md5", testPlainTCP);
    testSetupSASL();
    ret = g_test_run();
    testTeardownSASL();
    return ret;
}
