/*
 * rpcmigrationtest.c: the migration procedures of the remote program
 *
 * Wire encodings against rpcmigrationdata/NAME.hex (the call of
 * begin3-params-args.hex is byte for byte what virsh 9.0 sends), then a
 * remoteServer over the fake driver (rpcfakemigration.c) served through
 * real sockets: the v3 protocol with parameters and with fixed
 * arguments (typed parameters and cookies reach the driver intact, its
 * results and errors reach the client), read-only refusals, tunables,
 * aborting a Perform that occupies a worker, the connection identity
 * handed to the driver, and the driver hearing of clients that left.
 */
#include <string.h>

#include "testutils.h"
#include "rpctestserver.h"

#define TEST_FLAGS 0x8301            /* LIVE|CHANGE_PROTECTION|UNSAFE|POSTCOPY */
#define TEST_ABORT_JOB_POSTCOPY 2    /* VIR_DOMAIN_ABORT_JOB_POSTCOPY */
#define TEST_MAX_SPEED_POSTCOPY 1    /* VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY */

static const char testBeginCookie[] = "begin:demo\0\xff";
#define TEST_BEGIN_COOKIE_LEN (sizeof(testBeginCookie) - 1)

/* The fake's Begin cookie for domain @name: "begin:NAME" 0x00 0xff. */
static GByteArray *
testBeginCookieOf(const char *name)
{
    GByteArray *cookie = g_byte_array_new();

    g_byte_array_append(cookie, (const guint8 *)"begin:", 6);
    g_byte_array_append(cookie, (const guint8 *)name, strlen(name));
    g_byte_array_append(cookie, (const guint8 *)"\0\xff", 2);
    return cookie;
}

/* ---- parameters ------------------------------------------------------- */

static remote_typed_param
testParamString(const char *field, const char *value)
{
    remote_typed_param p = { (char *)field, { .type = VIR_TYPED_PARAM_STRING } };

    p.value.remote_typed_param_value_u.s = (char *)value;
    return p;
}

static remote_typed_param
testParamULLong(const char *field, unsigned long long value)
{
    remote_typed_param p = { (char *)field, { .type = VIR_TYPED_PARAM_ULLONG } };

    p.value.remote_typed_param_value_u.ul = value;
    return p;
}

static remote_typed_param
testParamInt(const char *field, int value)
{
    remote_typed_param p = { (char *)field, { .type = VIR_TYPED_PARAM_INT } };

    p.value.remote_typed_param_value_u.i = value;
    return p;
}

/* One parameter of every type; the RPC layer does not know their names. */
static void
testAllTypes(remote_typed_param *p)
{
    p[0] = testParamString("migrate_uri", "tcp:127.0.0.3");
    p[1] = testParamULLong("bandwidth", 100);
    p[2] = testParamInt("parallel.connections", -4);
    p[3] = (remote_typed_param){ (char *)"test.uint",
                                 { .type = VIR_TYPED_PARAM_UINT,
                                   .remote_typed_param_value_u.ui = 4000000000U } };
    p[4] = (remote_typed_param){ (char *)"test.llong",
                                 { .type = VIR_TYPED_PARAM_LLONG,
                                   .remote_typed_param_value_u.l = -5000000000LL } };
    p[5] = (remote_typed_param){ (char *)"test.double",
                                 { .type = VIR_TYPED_PARAM_DOUBLE,
                                   .remote_typed_param_value_u.d = 0.5 } };
    p[6] = (remote_typed_param){ (char *)"test.bool",
                                 { .type = VIR_TYPED_PARAM_BOOLEAN,
                                   .remote_typed_param_value_u.b = 1 } };
}

/* The driver received exactly @expected (names, types, values, order). */
static void
testCheckParams(const virTypedParamList *got, const remote_typed_param *expected,
                size_t n)
{
    size_t i;

    g_assert_nonnull(got);
    g_assert_cmpuint(got->npar, ==, n);
    for (i = 0; i < n; i++) {
        const virTypedParameter *p = &got->par[i];
        const remote_typed_param_value *v = &expected[i].value;

        g_assert_cmpstr(p->field, ==, expected[i].field);
        g_assert_cmpint(p->type, ==, v->type);
        switch ((virTypedParameterType)v->type) {
        case VIR_TYPED_PARAM_INT:
            g_assert_cmpint(p->value.i, ==, v->remote_typed_param_value_u.i);
            break;
        case VIR_TYPED_PARAM_UINT:
            g_assert_cmpuint(p->value.ui, ==, v->remote_typed_param_value_u.ui);
            break;
        case VIR_TYPED_PARAM_LLONG:
            g_assert_cmpint(p->value.l, ==, v->remote_typed_param_value_u.l);
            break;
        case VIR_TYPED_PARAM_ULLONG:
            g_assert_cmpuint(p->value.ul, ==, v->remote_typed_param_value_u.ul);
            break;
        case VIR_TYPED_PARAM_DOUBLE:
            g_assert_cmpfloat(p->value.d, ==, v->remote_typed_param_value_u.d);
            break;
        case VIR_TYPED_PARAM_BOOLEAN:
            g_assert_cmpint(p->value.b, ==, v->remote_typed_param_value_u.b);
            break;
        case VIR_TYPED_PARAM_STRING:
            g_assert_cmpstr(p->value.s, ==, v->remote_typed_param_value_u.s);
            break;
        case VIR_TYPED_PARAM_LAST:
            g_assert_not_reached();
        }
    }
}

/* The last migration call reached @api with this cookie and flags;
 * returns its client ID. */
static guint64
testCheckCall(rpcTestServer *ts, const char *api, const char *cookie,
              size_t cookielen, unsigned int flags, rpcFakeMigrationCall *call)
{
    rpcFakeDriverLastMigrationCall(ts->driver, call);
    g_assert_cmpstr(call->api, ==, api);
    g_assert_cmpmem(call->cookie->data, call->cookie->len, cookie, cookielen);
    g_assert_cmpuint(call->flags, ==, flags);
    return call->clientID;
}

/* "@step:" followed by @cookie */
static GByteArray *
testStepCookie(const char *step, const char *cookie, size_t cookielen)
{
    GByteArray *out = g_byte_array_new();

    g_byte_array_append(out, (const guint8 *)step, strlen(step));
    g_byte_array_append(out, (const guint8 *)":", 1);
    g_byte_array_append(out, (const guint8 *)cookie, cookielen);
    return out;
}

/* ---- wire encodings ---------------------------------------------------- */

static void
testCompareHex(GBytes *packet, const char *name)
{
    g_autofree char *dump = NULL;
    g_autofree char *path = g_strdup_printf("rpcmigrationdata/%s.hex", name);

    g_assert_nonnull(packet);
    dump = rpcTestHexDump(packet);
    g_assert_true(virTestCompareToFile(dump, path));
}

static virNetMessageHeader
testHeader(int proc, int type, unsigned int serial)
{
    virNetMessageHeader header = {
        .prog = REMOTE_PROGRAM, .vers = REMOTE_PROTOCOL_VERSION,
        .proc = proc, .type = type, .serial = serial, .status = VIR_NET_OK,
    };

    return header;
}

/* The domain of the captured call: "dirty" with the demo's UUID, the
 * first domain started on its server. */
static remote_nonnull_domain
testDirty(void)
{
    remote_nonnull_domain dom = { (char *)"dirty", { 0 }, 1 };

    rpcTestDemoUUID((unsigned char *)dom.uuid);
    return dom;
}

static void
testWireBegin(void)
{
    remote_typed_param params[2];
    remote_domain_migrate_begin3_params_args args = { testDirty(), { 2, params },
                                                      TEST_FLAGS };
    remote_domain_migrate_begin3_params_args decoded = { 0 };
    /* `virsh migrate --live --postcopy --unsafe --bandwidth 100 dirty
     * DST --migrateuri tcp:127.0.0.3` sends this as its 10th call */
    virNetMessageHeader header = testHeader(REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS,
                                            VIR_NET_CALL, 10);
    g_autoptr(GBytes) call = NULL;
    g_autoptr(GBytes) reply = NULL;
    g_autoptr(virNetMessage) msg = NULL;
    remote_domain_migrate_begin3_params_ret ret = {
        { TEST_BEGIN_COOKIE_LEN, (char *)testBeginCookie },
        (char *)"<domain type='kvm'><name>dirty</name></domain>\n",
    };
    gsize len;
    const char *data;

    params[0] = testParamString("migrate_uri", "tcp:127.0.0.3");
    params[1] = testParamULLong("bandwidth", 100);
    call = virNetMessageEncode(&header, TEST_XDR(remote_domain_migrate_begin3_params_args),
                               &args, TEST_MAX_MESSAGE);
    testCompareHex(call, "begin3-params-args");

    /* and back, as the server reads it */
    data = g_bytes_get_data(call, &len);
    msg = virNetMessageNew(g_memdup2(data, len), len);
    g_assert_cmpint(virNetMessageDecodeHeader(msg), ==, 0);
    g_assert_cmpint(virNetMessageDecodePayload(msg,
                        TEST_XDR(remote_domain_migrate_begin3_params_args), &decoded), ==, 0);
    g_assert_cmpstr(decoded.dom.name, ==, "dirty");
    g_assert_cmpuint(decoded.flags, ==, TEST_FLAGS);
    g_assert_cmpuint(decoded.params.params_len, ==, 2);
    g_assert_cmpstr(decoded.params.params_val[0].value.remote_typed_param_value_u.s, ==,
                    "tcp:127.0.0.3");
    xdr_free(TEST_XDR(remote_domain_migrate_begin3_params_args), (char *)&decoded);

    header = testHeader(REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS, VIR_NET_REPLY, 10);
    reply = virNetMessageEncode(&header, TEST_XDR(remote_domain_migrate_begin3_params_ret),
                                &ret, TEST_MAX_MESSAGE);
    testCompareHex(reply, "begin3-params-ret");
}

static void
testWirePrepare(void)
{
    static const char cookie[] = "prepare:\x01\x00\x02";
    char *uri = (char *)"tcp:127.0.0.3:49152";
    remote_domain_migrate_prepare3_params_ret ret = {
        { sizeof(cookie) - 1, (char *)cookie }, &uri,
    };
    virNetMessageHeader header = testHeader(REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS,
                                            VIR_NET_REPLY, 9);
    g_autoptr(GBytes) reply = NULL;
    g_autoptr(GBytes) nouri = NULL;

    reply = virNetMessageEncode(&header, TEST_XDR(remote_domain_migrate_prepare3_params_ret),
                                &ret, TEST_MAX_MESSAGE);
    testCompareHex(reply, "prepare3-params-ret");
    ret.uri_out = NULL;
    nouri = virNetMessageEncode(&header, TEST_XDR(remote_domain_migrate_prepare3_params_ret),
                                &ret, TEST_MAX_MESSAGE);
    testCompareHex(nouri, "prepare3-params-ret-nouri");
}

/* ---- a migration through the server ------------------------------------ */

typedef struct {
    rpcTestServer *ts;
    rpcTestClient *src;
    rpcTestClient *dst;
    remote_nonnull_domain dom;      /* running on the source */
    char *name;                     /* its name */
    char *incomingXML;              /* the destination's definition */
} testMigration;

static testMigration *
testMigrationNew(const remoteServerConfig *cfg, const char *name)
{
    testMigration *t = g_new0(testMigration, 1);
    g_autofree char *xml = rpcTestDomainXML(name);

    t->ts = rpcTestServerStart(cfg);
    t->src = rpcTestOpen(t->ts->rw, 0);
    t->dst = rpcTestOpen(t->ts->rw, 0);
    t->incomingXML = rpcTestDomainXML("incoming");
    t->name = g_strdup(name);
    rpcTestDefine(t->src, xml, &t->dom);
    rpcTestDomainAction(t->src, REMOTE_PROC_DOMAIN_CREATE, &t->dom);
    return t;
}

static void
testMigrationFree(testMigration *t)
{
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&t->dom);
    g_free(t->incomingXML);
    g_free(t->name);
    rpcTestClientFree(t->src);
    rpcTestClientFree(t->dst);
    rpcTestServerStop(t->ts);
    g_free(t);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(testMigration, testMigrationFree);

/* Begin3Params with one parameter of every type; returns the cookie. */
static GByteArray *
testBegin(testMigration *t, rpcFakeMigrationCall *call)
{
    remote_typed_param params[7];
    remote_domain_migrate_begin3_params_args args = { t->dom, { 7, params }, TEST_FLAGS };
    remote_domain_migrate_begin3_params_ret ret = { { 0 } };
    g_autofree char *xml = rpcTestDomainXML(t->name);
    GByteArray *cookie = testBeginCookieOf(t->name);

    testAllTypes(params);
    rpcTestCallOK(t->src, REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS,
                  TEST_XDR(remote_domain_migrate_begin3_params_args), &args,
                  TEST_XDR(remote_domain_migrate_begin3_params_ret), &ret);
    g_assert_cmpstr(ret.xml, ==, xml);
    g_assert_cmpmem(ret.cookie_out.cookie_out_val, ret.cookie_out.cookie_out_len,
                    cookie->data, cookie->len);
    testCheckCall(t->ts, "qemuDomainMigrateBegin3Params", NULL, 0, TEST_FLAGS, call);
    testCheckParams(call->params, params, G_N_ELEMENTS(params));
    xdr_free(TEST_XDR(remote_domain_migrate_begin3_params_ret), (char *)&ret);
    return cookie;
}

static GByteArray *
testPrepare(testMigration *t, GByteArray *cookie, rpcFakeMigrationCall *call)
{
    remote_typed_param params[2];
    remote_domain_migrate_prepare3_params_args args = {
        { 2, params }, { cookie->len, (char *)cookie->data }, 0x8201 };
    remote_domain_migrate_prepare3_params_ret ret = { { 0 } };
    g_autoptr(GByteArray) expected = testStepCookie("prepare", (char *)cookie->data,
                                                    cookie->len);
    GByteArray *out = g_byte_array_new();

    params[0] = testParamString("migrate_uri", "tcp:127.0.0.3");
    params[1] = testParamString("destination_xml", t->incomingXML);
    rpcTestCallOK(t->dst, REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS,
                  TEST_XDR(remote_domain_migrate_prepare3_params_args), &args,
                  TEST_XDR(remote_domain_migrate_prepare3_params_ret), &ret);
    g_assert_nonnull(ret.uri_out);
    g_assert_cmpstr(*ret.uri_out, ==, "tcp:127.0.0.3:49152");
    g_assert_cmpmem(ret.cookie_out.cookie_out_val, ret.cookie_out.cookie_out_len,
                    expected->data, expected->len);
    testCheckCall(t->ts, "qemuDomainMigratePrepare3Params", (char *)cookie->data,
                  cookie->len, 0x8201, call);
    testCheckParams(call->params, params, G_N_ELEMENTS(params));
    g_byte_array_append(out, (guint8 *)ret.cookie_out.cookie_out_val,
                        ret.cookie_out.cookie_out_len);
    xdr_free(TEST_XDR(remote_domain_migrate_prepare3_params_ret), (char *)&ret);
    return out;
}

static GByteArray *
testPerform(testMigration *t, GByteArray *cookie, rpcFakeMigrationCall *call)
{
    remote_typed_param params[1];
    remote_domain_migrate_perform3_params_args args = {
        t->dom, NULL, { 1, params }, { cookie->len, (char *)cookie->data }, TEST_FLAGS };
    remote_domain_migrate_perform3_params_ret ret = { { 0 } };
    g_autoptr(GByteArray) expected = testStepCookie("perform", (char *)cookie->data,
                                                    cookie->len);
    GByteArray *out = g_byte_array_new();

    params[0] = testParamString("migrate_uri", "tcp:127.0.0.3:49152");
    rpcTestCallOK(t->src, REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS,
                  TEST_XDR(remote_domain_migrate_perform3_params_args), &args,
                  TEST_XDR(remote_domain_migrate_perform3_params_ret), &ret);
    g_assert_cmpmem(ret.cookie_out.cookie_out_val, ret.cookie_out.cookie_out_len,
                    expected->data, expected->len);
    testCheckCall(t->ts, "qemuDomainMigratePerform3Params", (char *)cookie->data,
                  cookie->len, TEST_FLAGS, call);
    g_assert_null(call->dconnuri);
    testCheckParams(call->params, params, G_N_ELEMENTS(params));
    g_byte_array_append(out, (guint8 *)ret.cookie_out.cookie_out_val,
                        ret.cookie_out.cookie_out_len);
    xdr_free(TEST_XDR(remote_domain_migrate_perform3_params_ret), (char *)&ret);
    return out;
}

static GByteArray *
testFinish(testMigration *t, GByteArray *cookie, rpcFakeMigrationCall *call)
{
    remote_typed_param params[1];
    remote_domain_migrate_finish3_params_args args = {
        { 1, params }, { cookie->len, (char *)cookie->data }, 0x8201, 0 };
    remote_domain_migrate_finish3_params_ret ret = { { 0 } };
    g_autoptr(GByteArray) expected = testStepCookie("finish", (char *)cookie->data,
                                                    cookie->len);
    GByteArray *out = g_byte_array_new();

    params[0] = testParamString("destination_name", "incoming");
    rpcTestCallOK(t->dst, REMOTE_PROC_DOMAIN_MIGRATE_FINISH3_PARAMS,
                  TEST_XDR(remote_domain_migrate_finish3_params_args), &args,
                  TEST_XDR(remote_domain_migrate_finish3_params_ret), &ret);
    g_assert_cmpstr(ret.dom.name, ==, "incoming");
    g_assert_cmpint(ret.dom.id, >, 0);
    g_assert_cmpmem(ret.cookie_out.cookie_out_val, ret.cookie_out.cookie_out_len,
                    expected->data, expected->len);
    testCheckCall(t->ts, "qemuDomainMigrateFinish3Params", (char *)cookie->data,
                  cookie->len, 0x8201, call);
    g_assert_cmpint(call->cancelled, ==, 0);
    g_byte_array_append(out, (guint8 *)ret.cookie_out.cookie_out_val,
                        ret.cookie_out.cookie_out_len);
    xdr_free(TEST_XDR(remote_domain_migrate_finish3_params_ret), (char *)&ret);
    return out;
}

static void
testConfirm(testMigration *t, GByteArray *cookie, rpcFakeMigrationCall *call)
{
    remote_typed_param params[1];
    remote_domain_migrate_confirm3_params_args args = {
        t->dom, { 1, params }, { cookie->len, (char *)cookie->data }, TEST_FLAGS, 0 };

    params[0] = testParamString("destination_name", "incoming");
    rpcTestCallOK(t->src, REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3_PARAMS,
                  TEST_XDR(remote_domain_migrate_confirm3_params_args), &args,
                  TEST_VOID, NULL);
    testCheckCall(t->ts, "qemuDomainMigrateConfirm3Params", (char *)cookie->data,
                  cookie->len, TEST_FLAGS, call);
    g_assert_cmpint(call->cancelled, ==, 0);
    testCheckParams(call->params, params, G_N_ELEMENTS(params));
}

static void
testProtocolParams(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(testMigration) t = testMigrationNew(&cfg, "demo");
    rpcFakeMigrationCall call = { 0 };
    g_autoptr(GByteArray) c1 = NULL;
    g_autoptr(GByteArray) c2 = NULL;
    g_autoptr(GByteArray) c3 = NULL;
    g_autoptr(GByteArray) c4 = NULL;
    remote_nonnull_domain incoming = { 0 };
    guint64 srcID;
    guint64 dstID;

    c1 = testBegin(t, &call);
    srcID = call.clientID;
    /* a UNIX socket: no local address */
    g_assert_null(call.localAddr);
    rpcFakeMigrationCallClear(&call);
    c2 = testPrepare(t, c1, &call);
    dstID = call.clientID;
    g_assert_cmpuint(srcID, !=, dstID);
    rpcFakeMigrationCallClear(&call);
    rpcTestLookup(t->dst, "incoming", &incoming);
    rpcTestState(t->dst, &incoming, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION);
    c3 = testPerform(t, c2, &call);
    g_assert_cmpuint(call.clientID, ==, srcID);
    rpcFakeMigrationCallClear(&call);
    c4 = testFinish(t, c3, &call);
    g_assert_cmpuint(call.clientID, ==, dstID);
    rpcFakeMigrationCallClear(&call);
    testConfirm(t, c4, &call);
    rpcFakeMigrationCallClear(&call);

    rpcTestState(t->dst, &incoming, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED);
    rpcTestState(t->src, &t->dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_MIGRATED);
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&incoming);
}

/* ---- protocol v3 with fixed arguments ----------------------------------- */

static void
testFixedBeginPrepare(testMigration *t, rpcFakeMigrationCall *call)
{
    char *dname = (char *)"incoming";
    char *uri = (char *)"tcp:127.0.0.3";
    remote_domain_migrate_begin3_args begin = { t->dom, NULL, 0x201, &dname, 0 };
    remote_domain_migrate_begin3_ret bret = { { 0 } };
    remote_domain_migrate_prepare3_args prepare = {
        { 3, (char *)"c\0d" }, &uri, 0x201, &dname, 100, t->incomingXML };
    remote_domain_migrate_prepare3_ret pret = { { 0 } };
    remote_typed_param expectBegin[1];
    remote_typed_param expectPrepare[4];

    rpcTestCallOK(t->src, REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3,
                  TEST_XDR(remote_domain_migrate_begin3_args), &begin,
                  TEST_XDR(remote_domain_migrate_begin3_ret), &bret);
    g_assert_cmpmem(bret.cookie_out.cookie_out_val, bret.cookie_out.cookie_out_len,
                    testBeginCookie, TEST_BEGIN_COOKIE_LEN);
    testCheckCall(t->ts, "qemuDomainMigrateBegin3Params", NULL, 0, 0x201, call);
    expectBegin[0] = testParamString("destination_name", "incoming");
    testCheckParams(call->params, expectBegin, 1);
    rpcFakeMigrationCallClear(call);
    xdr_free(TEST_XDR(remote_domain_migrate_begin3_ret), (char *)&bret);

    rpcTestCallOK(t->dst, REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3,
                  TEST_XDR(remote_domain_migrate_prepare3_args), &prepare,
                  TEST_XDR(remote_domain_migrate_prepare3_ret), &pret);
    g_assert_cmpstr(*pret.uri_out, ==, "tcp:127.0.0.3:49152");
    g_assert_cmpmem(pret.cookie_out.cookie_out_val, pret.cookie_out.cookie_out_len,
                    "prepare:c\0d", 11);
    testCheckCall(t->ts, "qemuDomainMigratePrepare3Params", "c\0d", 3, 0x201, call);
    expectPrepare[0] = testParamString("migrate_uri", "tcp:127.0.0.3");
    expectPrepare[1] = testParamString("destination_name", "incoming");
    expectPrepare[2] = testParamString("destination_xml", t->incomingXML);
    expectPrepare[3] = testParamULLong("bandwidth", 100);
    testCheckParams(call->params, expectPrepare, 4);
    rpcFakeMigrationCallClear(call);
    xdr_free(TEST_XDR(remote_domain_migrate_prepare3_ret), (char *)&pret);
}

static void
testFixedPerformFinish(testMigration *t, rpcFakeMigrationCall *call)
{
    char *uri = (char *)"tcp:127.0.0.3:49152";
    char *dconnuri = (char *)"qemu+tcp://127.0.0.3/system";
    remote_domain_migrate_perform3_args perform = {
        t->dom, NULL, { 1, (char *)"p" }, &dconnuri, &uri, 0x201, NULL, 0 };
    remote_domain_migrate_perform3_ret pret = { { 0 } };
    remote_domain_migrate_finish3_args finish = {
        (char *)"incoming", { 1, (char *)"f" }, NULL, &uri, 0x201, 0 };
    remote_domain_migrate_finish3_ret fret = { { 0 } };
    remote_typed_param expect[2];

    rpcTestCallOK(t->src, REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3,
                  TEST_XDR(remote_domain_migrate_perform3_args), &perform,
                  TEST_XDR(remote_domain_migrate_perform3_ret), &pret);
    g_assert_cmpmem(pret.cookie_out.cookie_out_val, pret.cookie_out.cookie_out_len,
                    "perform:p", 9);
    testCheckCall(t->ts, "qemuDomainMigratePerform3Params", "p", 1, 0x201, call);
    g_assert_cmpstr(call->dconnuri, ==, dconnuri);
    expect[0] = testParamString("migrate_uri", uri);
    testCheckParams(call->params, expect, 1);
    rpcFakeMigrationCallClear(call);
    xdr_free(TEST_XDR(remote_domain_migrate_perform3_ret), (char *)&pret);

    rpcTestCallOK(t->dst, REMOTE_PROC_DOMAIN_MIGRATE_FINISH3,
                  TEST_XDR(remote_domain_migrate_finish3_args), &finish,
                  TEST_XDR(remote_domain_migrate_finish3_ret), &fret);
    g_assert_cmpstr(fret.dom.name, ==, "incoming");
    testCheckCall(t->ts, "qemuDomainMigrateFinish3Params", "f", 1, 0x201, call);
    expect[1] = testParamString("destination_name", "incoming");
    testCheckParams(call->params, expect, 2);
    rpcFakeMigrationCallClear(call);
    xdr_free(TEST_XDR(remote_domain_migrate_finish3_ret), (char *)&fret);
}

static void
testProtocolFixed(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(testMigration) t = testMigrationNew(&cfg, "demo");
    rpcFakeMigrationCall call = { 0 };
    remote_domain_migrate_confirm3_args confirm = { t->dom, { 1, (char *)"x" },
                                                    0x201, 0 };
    remote_domain_migrate_begin3_args tooWide = { t->dom, NULL, 1ULL << 32, NULL, 0 };

    rpcTestCallError(t->src, REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3,
                     TEST_XDR(remote_domain_migrate_begin3_args), &tooWide,
                     VIR_ERR_INVALID_ARG,
                     "invalid argument: unsupported flags (0x100000000) "
                     "in function virDomainMigrateBegin3");
    testFixedBeginPrepare(t, &call);
    testFixedPerformFinish(t, &call);
    rpcTestCallOK(t->src, REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3,
                  TEST_XDR(remote_domain_migrate_confirm3_args), &confirm,
                  TEST_VOID, NULL);
    testCheckCall(t->ts, "qemuDomainMigrateConfirm3Params", "x", 1, 0x201, &call);
    g_assert_cmpuint(call.params->npar, ==, 0);
    rpcFakeMigrationCallClear(&call);
    rpcTestState(t->src, &t->dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_MIGRATED);
}

/* ---- the address a client reached us at ----------------------------------- */

static void
testLocalAddress(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = rpcTestServerStart(&cfg);
    g_autoptr(rpcTestClient) client = NULL;
    g_autofree char *xml = rpcTestDomainXML("incoming");
    remote_typed_param params[1];
    remote_domain_migrate_prepare3_params_args args = { { 1, params }, { 0, NULL }, 0 };
    remote_domain_migrate_prepare3_params_ret ret = { { 0 } };
    rpcFakeMigrationCall call = { 0 };
    unsigned int port = 0;

    g_assert_cmpint(virNetServerAddTCPListener(ts->srv->net, "127.0.0.2", 0,
                                               VIR_NET_SERVER_AUTH_NONE, &port),
                    ==, 0);
    client = rpcTestClientConnectTCP("127.0.0.2", port);
    g_assert_nonnull(client);
    g_assert_cmpint(rpcTestClientOpen(client, "qemu:///system", 0), ==, 0);
    /* no migrate_uri: the driver offers the address the client used */
    params[0] = testParamString("destination_xml", xml);
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS,
                  TEST_XDR(remote_domain_migrate_prepare3_params_args), &args,
                  TEST_XDR(remote_domain_migrate_prepare3_params_ret), &ret);
    g_assert_cmpstr(*ret.uri_out, ==, "tcp:127.0.0.2:49152");
    testCheckCall(ts, "qemuDomainMigratePrepare3Params", NULL, 0, 0, &call);
    g_assert_cmpstr(call.localAddr, ==, "127.0.0.2");
    rpcFakeMigrationCallClear(&call);
    xdr_free(TEST_XDR(remote_domain_migrate_prepare3_params_ret), (char *)&ret);
}

/* ---- connect features ----------------------------------------------------- */

static void
testFeatures(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = rpcTestServerStart(&cfg);
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    /* the fake driver answers as libvirt 9.0's QEMU driver: the stock
     * probe of features 0..20 (virsh-rpc-trace.md), less FD_PASSING (8)
     * and NETWORK_UPDATE_HAS_CORRECT_ORDER (16), which virtmigd lacks */
    static const int expected[] = { 0, 0, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1,
                                    0, 0, 0, 0, 0 };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(expected); i++) {
        if (rpcTestFeature(client, i) != expected[i])
            g_error("feature %zu: expected %d", i, expected[i]);
    }
}

/* ---- driver errors -------------------------------------------------------- */

static void
testErrors(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(testMigration) t = testMigrationNew(&cfg, "demo");
    g_autoptr(GByteArray) cookie = NULL;
    rpcFakeMigrationCall call = { 0 };
    remote_typed_param params[1];
    remote_domain_migrate_perform3_params_args perform = {
        t->dom, NULL, { 0, NULL }, { 0, NULL }, 0 };
    remote_domain_migrate_finish3_params_args finish = {
        { 1, params }, { 3, (char *)"abc" }, 0, 1 };
    remote_domain_migrate_begin3_params_args begin = { t->dom, { 0, NULL }, 0 };
    remote_nonnull_domain ghost = { (char *)"ghost", { 0 }, -1 };

    /* Perform before Begin: the driver's error, as it reported it */
    rpcTestCallError(t->src, REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS,
                     TEST_XDR(remote_domain_migrate_perform3_params_args), &perform,
                     VIR_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: "
                     "domain 'demo' is not processing outgoing migration");
    memset(ghost.uuid, 0x42, VIR_UUID_BUFLEN);
    begin.dom = ghost;
    rpcTestCallError(t->src, REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS,
                     TEST_XDR(remote_domain_migrate_begin3_params_args), &begin,
                     VIR_ERR_NO_DOMAIN,
                     "Domain not found: no domain with matching uuid "
                     "'42424242-4242-4242-4242-424242424242'");

    /* a failed (here: cancelled) Finish is an error reply, no domain */
    cookie = testBegin(t, &call);
    rpcFakeMigrationCallClear(&call);
    g_byte_array_unref(testPrepare(t, cookie, &call));
    rpcFakeMigrationCallClear(&call);
    params[0] = testParamString("destination_name", "incoming");
    rpcTestCallError(t->dst, REMOTE_PROC_DOMAIN_MIGRATE_FINISH3_PARAMS,
                     TEST_XDR(remote_domain_migrate_finish3_params_args), &finish,
                     VIR_ERR_OPERATION_FAILED,
                     "operation failed: migration of domain 'incoming' was cancelled");
    testCheckCall(t->ts, "qemuDomainMigrateFinish3Params", "abc", 3, 0, &call);
    g_assert_cmpint(call.cancelled, ==, 1);
    rpcFakeMigrationCallClear(&call);
}

/* ---- read-only connections ------------------------------------------------ */

static void
testReadonlyRefused(rpcTestClient *ro, int proc, xdrproc_t filter, void *args,
                    const char *api)
{
    g_autofree char *msg = g_strdup_printf("operation forbidden: read only access prevents %s",
                                           api);

    rpcTestCallError(ro, proc, filter, args, VIR_ERR_OPERATION_DENIED, msg);
}

static void
testReadonly(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(testMigration) t = testMigrationNew(&cfg, "demo");
    g_autoptr(rpcTestClient) ro = rpcTestOpen(t->ts->ro, 0);
    remote_domain_migrate_begin3_params_args begin = { t->dom, { 0, NULL }, 0 };
    remote_domain_migrate_prepare3_params_args prepare = { { 0, NULL }, { 0, NULL }, 0 };
    remote_domain_migrate_confirm3_params_args confirm = { t->dom, { 0, NULL },
                                                           { 0, NULL }, 0, 0 };
    remote_domain_abort_job_flags_args abortFlags = { t->dom, 0 };
    remote_domain_migrate_get_max_speed_args speed = { t->dom, 0 };
    remote_domain_migrate_get_max_downtime_args downtime = { t->dom, 0 };
    remote_domain_migrate_get_max_downtime_ret downtimeRet = { 1 };
    remote_domain_migrate_get_compression_cache_ret cacheRet = { 1 };

    testReadonlyRefused(ro, REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS,
                        TEST_XDR(remote_domain_migrate_begin3_params_args), &begin,
                        "virDomainMigrateBegin3Params");
    testReadonlyRefused(ro, REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS,
                        TEST_XDR(remote_domain_migrate_prepare3_params_args), &prepare,
                        "virDomainMigratePrepare3Params");
    testReadonlyRefused(ro, REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3_PARAMS,
                        TEST_XDR(remote_domain_migrate_confirm3_params_args), &confirm,
                        "virDomainMigrateConfirm3Params");
    testReadonlyRefused(ro, REMOTE_PROC_DOMAIN_ABORT_JOB, TEST_XDR(remote_nonnull_domain),
                        &t->dom, "virDomainAbortJob");
    testReadonlyRefused(ro, REMOTE_PROC_DOMAIN_ABORT_JOB_FLAGS,
                        TEST_XDR(remote_domain_abort_job_flags_args), &abortFlags,
                        "virDomainAbortJobFlags");
    testReadonlyRefused(ro, REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_SPEED,
                        TEST_XDR(remote_domain_migrate_get_max_speed_args), &speed,
                        "virDomainMigrateGetMaxSpeed");
    /* libvirt 9.0 lets read-only clients read these two */
    rpcTestCallOK(ro, REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_DOWNTIME,
                  TEST_XDR(remote_domain_migrate_get_max_downtime_args), &downtime,
                  TEST_XDR(remote_domain_migrate_get_max_downtime_ret), &downtimeRet);
    g_assert_cmpuint(downtimeRet.downtime, ==, 0);
    rpcTestCallOK(ro, REMOTE_PROC_DOMAIN_MIGRATE_GET_COMPRESSION_CACHE,
                  TEST_XDR(remote_domain_migrate_get_compression_cache_args), &downtime,
                  TEST_XDR(remote_domain_migrate_get_compression_cache_ret), &cacheRet);
    g_assert_cmpuint(cacheRet.cacheSize, ==, 0);
    /* nothing reached the driver's migration protocol */
    g_assert_cmpuint(rpcFakeDriverClosedClientCount(t->ts->driver), ==, 0);
}

/* ---- tunables ------------------------------------------------------------ */

static void
testTunables(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(testMigration) t = testMigrationNew(&cfg, "demo");
    remote_domain_migrate_set_max_downtime_args setDowntime = { t->dom, 250, 0 };
    remote_domain_migrate_get_max_downtime_args getDowntime = { t->dom, 0 };
    remote_domain_migrate_get_max_downtime_ret downtime = { 0 };
    remote_domain_migrate_set_max_speed_args setSpeed = { t->dom, 8796093022208ULL, 0 };
    remote_domain_migrate_set_max_speed_args setPostcopy = { t->dom, 77,
                                                             TEST_MAX_SPEED_POSTCOPY };
    remote_domain_migrate_get_max_speed_args getSpeed = { t->dom, 0 };
    remote_domain_migrate_get_max_speed_ret speed = { 0 };
    remote_domain_migrate_set_compression_cache_args setCache = { t->dom, 1ULL << 33, 0 };
    remote_domain_migrate_get_compression_cache_args getCache = { t->dom, 0 };
    remote_domain_migrate_get_compression_cache_ret cache = { 0 };

    rpcTestCallOK(t->src, REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_DOWNTIME,
                  TEST_XDR(remote_domain_migrate_set_max_downtime_args), &setDowntime,
                  TEST_VOID, NULL);
    rpcTestCallOK(t->src, REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_DOWNTIME,
                  TEST_XDR(remote_domain_migrate_get_max_downtime_args), &getDowntime,
                  TEST_XDR(remote_domain_migrate_get_max_downtime_ret), &downtime);
    g_assert_cmpuint(downtime.downtime, ==, 250);

    /* bandwidths beyond 32 bits survive the trip */
    rpcTestCallOK(t->src, REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_SPEED,
                  TEST_XDR(remote_domain_migrate_set_max_speed_args), &setSpeed,
                  TEST_VOID, NULL);
    rpcTestCallOK(t->src, REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_SPEED,
                  TEST_XDR(remote_domain_migrate_set_max_speed_args), &setPostcopy,
                  TEST_VOID, NULL);
    rpcTestCallOK(t->src, REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_SPEED,
                  TEST_XDR(remote_domain_migrate_get_max_speed_args), &getSpeed,
                  TEST_XDR(remote_domain_migrate_get_max_speed_ret), &speed);
    g_assert_cmpuint(speed.bandwidth, ==, 8796093022208ULL);
    getSpeed.flags = TEST_MAX_SPEED_POSTCOPY;
    rpcTestCallOK(t->src, REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_SPEED,
                  TEST_XDR(remote_domain_migrate_get_max_speed_args), &getSpeed,
                  TEST_XDR(remote_domain_migrate_get_max_speed_ret), &speed);
    g_assert_cmpuint(speed.bandwidth, ==, 77);

    rpcTestCallOK(t->src, REMOTE_PROC_DOMAIN_MIGRATE_SET_COMPRESSION_CACHE,
                  TEST_XDR(remote_domain_migrate_set_compression_cache_args), &setCache,
                  TEST_VOID, NULL);
    rpcTestCallOK(t->src, REMOTE_PROC_DOMAIN_MIGRATE_GET_COMPRESSION_CACHE,
                  TEST_XDR(remote_domain_migrate_get_compression_cache_args), &getCache,
                  TEST_XDR(remote_domain_migrate_get_compression_cache_ret), &cache);
    g_assert_cmpuint(cache.cacheSize, ==, 1ULL << 33);
}

/* ---- a Perform that occupies a worker ------------------------------------ */

/* Starts a slow Perform on @client; returns its serial once it blocks
 * in the driver. */
static unsigned int
testSlowPerform(testMigration *t, rpcTestClient *client)
{
    rpcFakeMigrationCall call = { 0 };
    remote_domain_migrate_perform3_params_args args = {
        t->dom, NULL, { 0, NULL }, { 0, NULL }, TEST_FLAGS };
    g_autoptr(GByteArray) cookie = testBegin(t, &call);
    unsigned int serial;

    rpcFakeMigrationCallClear(&call);
    args.cookie_in.cookie_in_len = cookie->len;
    args.cookie_in.cookie_in_val = (char *)cookie->data;
    serial = rpcTestClientSendCall(client, REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS,
                                   TEST_XDR(remote_domain_migrate_perform3_params_args),
                                   &args);
    g_assert_cmpuint(serial, >, 0);
    g_assert_true(rpcFakeDriverWaitSlowPerform(t->ts->driver, RPC_TEST_TIMEOUT_MS));
    return serial;
}

/* The reply to the call @serial: an error with @code and @message, or
 * success if @message is NULL. */
static void
testExpectReply(rpcTestClient *client, unsigned int serial, int code,
                const char *message)
{
    g_autoptr(virNetMessage) reply = rpcTestClientWaitReply(client, serial,
                                                            RPC_TEST_TIMEOUT_MS);
    remote_domain_migrate_perform3_params_ret ret = { { 0 } };
    g_autoptr(virError) err = NULL;

    g_assert_nonnull(reply);
    if (!message) {
        g_assert_cmpint(rpcTestClientDecodeReply(reply,
                            TEST_XDR(remote_domain_migrate_perform3_params_ret),
                            &ret, &err), ==, 0);
        xdr_free(TEST_XDR(remote_domain_migrate_perform3_params_ret), (char *)&ret);
        return;
    }
    g_assert_cmpint(rpcTestClientDecodeReply(reply, TEST_VOID, NULL, &err), ==, 1);
    g_assert_cmpint(err->code, ==, code);
    g_assert_cmpstr(err->message, ==, message);
}

static void
testAbort(void)
{
    /* few workers: the Perform holds one of the two normal ones */
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(testMigration) t = NULL;
    remote_domain_abort_job_flags_args postcopyAbort = { { 0 }, TEST_ABORT_JOB_POSTCOPY };
    remote_domain_migrate_start_post_copy_args postcopy = { { 0 }, 0 };
    unsigned int serial;

    cfg.maxWorkers = 2;
    cfg.prioWorkers = 1;
    t = testMigrationNew(&cfg, "slowmig");
    postcopyAbort.dom = t->dom;
    postcopy.dom = t->dom;

    /* virsh migrate's own connection aborts (what its SIGINT handler
     * does): the abort is answered while the Perform still runs */
    serial = testSlowPerform(t, t->src);
    rpcTestCallError(t->src, REMOTE_PROC_DOMAIN_ABORT_JOB_FLAGS,
                     TEST_XDR(remote_domain_abort_job_flags_args), &postcopyAbort,
                     VIR_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: no job is active on the domain");
    rpcTestDomainAction(t->src, REMOTE_PROC_DOMAIN_ABORT_JOB, &t->dom);
    testExpectReply(t->src, serial, VIR_ERR_OPERATION_ABORTED,
                    "operation aborted: migration out job: canceled by client");

    /* the failed Perform ended the job (the client sends no Confirm);
     * a second client (virsh migrate-postcopy) lets the next Perform
     * complete */
    rpcTestState(t->src, &t->dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    serial = testSlowPerform(t, t->src);
    rpcTestCallOK(t->dst, REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY,
                  TEST_XDR(remote_domain_migrate_start_post_copy_args), &postcopy,
                  TEST_VOID, NULL);
    testExpectReply(t->src, serial, 0, NULL);
}

/* ---- the driver hears of clients that left --------------------------- */

static void
testClientClosed(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(testMigration) t = testMigrationNew(&cfg, "slowmig");
    g_autoptr(rpcTestClient) other = rpcTestOpen(t->ts->rw, 0);
    remote_domain_migrate_start_post_copy_args postcopy = { t->dom, 0 };
    rpcFakeMigrationCall call = { 0 };
    guint64 srcID;
    unsigned int serial;

    /* a client that took no part in a migration is not reported */
    rpcTestCountDomains(other, TEST_LIST_ALL);
    g_clear_pointer(&other, rpcTestClientFree);

    /* gone while its Perform runs: reported once the call returned */
    serial = testSlowPerform(t, t->src);
    rpcFakeDriverLastMigrationCall(t->ts->driver, &call);
    srcID = call.clientID;
    rpcFakeMigrationCallClear(&call);
    g_assert_cmpuint(serial, >, 0);
    g_clear_pointer(&t->src, rpcTestClientFree);
    g_assert_false(rpcFakeDriverWaitClientClosed(t->ts->driver, srcID, 300));
    rpcTestCallOK(t->dst, REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY,
                  TEST_XDR(remote_domain_migrate_start_post_copy_args), &postcopy,
                  TEST_VOID, NULL);
    g_assert_true(rpcFakeDriverWaitClientClosed(t->ts->driver, srcID,
                                                RPC_TEST_TIMEOUT_MS));
    g_assert_cmpuint(rpcFakeDriverClosedClientCount(t->ts->driver), ==, 1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/migration/wire/begin", testWireBegin);
    g_test_add_func("/rpc/migration/wire/prepare", testWirePrepare);
    g_test_add_func("/rpc/migration/protocol-params", testProtocolParams);
    g_test_add_func("/rpc/migration/protocol-fixed", testProtocolFixed);
    g_test_add_func("/rpc/migration/local-address", testLocalAddress);
    g_test_add_func("/rpc/migration/features", testFeatures);
    g_test_add_func("/rpc/migration/errors", testErrors);
    g_test_add_func("/rpc/migration/readonly", testReadonly);
    g_test_add_func("/rpc/migration/tunables", testTunables);
    g_test_add_func("/rpc/migration/abort", testAbort);
    g_test_add_func("/rpc/migration/client-closed", testClientClosed);
    return g_test_run();
}
