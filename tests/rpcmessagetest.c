/*
 * rpcmessagetest.c: RPC framing, XDR encoding, errors, typed parameters
 * and the keepalive state machine.
 *
 * Encoded packets are compared byte for byte with hex dumps in
 * rpcmessagedata/NAME.hex (the wire format libvirt's client decodes).
 */
#include <string.h>

#include "testutils.h"
#include "virerror.h"
#include "virnetmessage.h"
#include "virkeepalive.h"
#include "virkeepaliveprotocol.h"
#include "remote_protocol.h"
#include "remote_typedparam.h"

/* 16 bytes a line, in groups of 4, with the offset. */
static char *
testHexDump(GBytes *bytes)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(bytes, &len);
    GString *out = g_string_new(NULL);
    gsize i;

    for (i = 0; i < len; i++) {
        if (i % 16 == 0)
            g_string_append_printf(out, "%06zx ", i);
        g_string_append_printf(out, "%s%02x", i % 4 == 0 ? " " : "", data[i]);
        if (i % 16 == 15 || i == len - 1)
            g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}

static void
testCompareHex(GBytes *packet, const char *name)
{
    g_autofree char *dump = NULL;
    g_autofree char *path = g_strdup_printf("rpcmessagedata/%s.hex", name);

    g_assert_nonnull(packet);
    dump = testHexDump(packet);
    g_assert_true(virTestCompareToFile(dump, path));
}

static virNetMessageHeader
testCallHeader(int proc, unsigned int serial)
{
    virNetMessageHeader header = {
        .prog = REMOTE_PROGRAM, .vers = REMOTE_PROTOCOL_VERSION,
        .proc = proc, .type = VIR_NET_CALL, .serial = serial,
        .status = VIR_NET_OK,
    };

    return header;
}

/* Wraps an encoded packet as a received message. */
static virNetMessage *
testReceive(GBytes *packet)
{
    gsize len;
    const char *data = g_bytes_get_data(packet, &len);
    virNetMessage *msg = virNetMessageNew(g_memdup2(data, len), len);

    g_assert_cmpint(virNetMessageDecodeHeader(msg), ==, 0);
    return msg;
}

/* ---- framing --------------------------------------------------------- */

static void
testDecodeLength(void)
{
    static const struct {
        guint8 bytes[4];
        size_t max;
        int rc;
        size_t len;
    } cases[] = {
        { { 0, 0, 0, 28 }, 1024, 0, 28 },        /* header only */
        { { 0, 0, 0, 27 }, 1024, -1, 0 },        /* below the header */
        { { 0, 0, 0, 0 }, 1024, -1, 0 },
        { { 0, 0, 4, 0 }, 1024, 0, 1024 },       /* exactly the limit */
        { { 0, 0, 4, 1 }, 1024, -1, 0 },         /* one past */
        { { 0xff, 0xff, 0xff, 0xff }, 1024, -1, 0 },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        size_t len = 0;
        int rc;

        virResetLastError();
        rc = virNetMessageDecodeLength((const char *)cases[i].bytes,
                                       cases[i].max, &len);
        g_assert_cmpint(rc, ==, cases[i].rc);
        if (rc == 0) {
            g_assert_cmpuint(len, ==, cases[i].len);
        } else {
            g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_RPC);
        }
    }
    g_assert_cmpuint(virNetMessageMaxLength(33554432), ==, 33554432 + 4);
}

static void
testHeaderRoundTrip(void)
{
    virNetMessageHeader header = testCallHeader(REMOTE_PROC_CONNECT_OPEN, 42);
    remote_connect_open_args args = { NULL, 0 };
    g_autoptr(GBytes) packet = virNetMessageEncode(&header,
                                                   (xdrproc_t)xdr_remote_connect_open_args,
                                                   &args, 1024);
    g_autoptr(virNetMessage) msg = testReceive(packet);

    g_assert_cmpuint(msg->header.prog, ==, 0x20008086);
    g_assert_cmpuint(msg->header.vers, ==, 1);
    g_assert_cmpint(msg->header.proc, ==, 1);
    g_assert_cmpint(msg->header.type, ==, VIR_NET_CALL);
    g_assert_cmpuint(msg->header.serial, ==, 42);
    g_assert_cmpint(msg->header.status, ==, VIR_NET_OK);
    /* length word + header + NULL name pointer + flags */
    g_assert_cmpuint(msg->length, ==, 4 + 24 + 4 + 4);
    testCompareHex(packet, "connect-open-null");
}

static void
testTruncatedPayload(void)
{
    virNetMessageHeader header = testCallHeader(REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, 3);
    remote_domain_lookup_by_name_args args = { (char *)"a-domain-name" };
    remote_domain_lookup_by_name_args decoded = { 0 };
    g_autoptr(GBytes) packet = virNetMessageEncode(&header,
                                                   (xdrproc_t)xdr_remote_domain_lookup_by_name_args,
                                                   &args, 1024);
    g_autoptr(virNetMessage) msg = testReceive(packet);

    msg->length -= 4;           /* cut into the string */
    g_assert_cmpint(virNetMessageDecodePayload(msg,
                        (xdrproc_t)xdr_remote_domain_lookup_by_name_args,
                        &decoded), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_RPC);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, "Unable to decode message payload");
    g_assert_null(decoded.name);
}

static void
testEncodeTooLarge(void)
{
    virNetMessageHeader header = testCallHeader(REMOTE_PROC_DOMAIN_DEFINE_XML, 1);
    g_autofree char *xml = g_strnfill(100 * 1024, 'x');
    remote_domain_define_xml_args args = { xml };
    GBytes *packet;

    virResetLastError();
    packet = virNetMessageEncode(&header, (xdrproc_t)xdr_remote_domain_define_xml_args,
                                 &args, virNetMessageMaxLength(64 * 1024));
    g_assert_null(packet);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_RPC);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, "Unable to encode message payload");

    /* grows past the initial buffer when allowed */
    packet = virNetMessageEncode(&header, (xdrproc_t)xdr_remote_domain_define_xml_args,
                                 &args, virNetMessageMaxLength(1024 * 1024));
    g_assert_nonnull(packet);
    g_assert_cmpuint(g_bytes_get_size(packet), ==, 28 + 4 + 100 * 1024);
    g_bytes_unref(packet);
}

/* ---- errors ---------------------------------------------------------- */

static void
testErrorReadonly(void)
{
    virNetMessageHeader call = testCallHeader(REMOTE_PROC_DOMAIN_DESTROY, 7);
    virError err = {
        .code = VIR_ERR_OPERATION_DENIED,
        .domain = VIR_FROM_DOMAIN,
        .message = (char *)"operation forbidden: read only access prevents virDomainDestroy",
        .level = VIR_ERR_ERROR,
        .str1 = (char *)"read only access prevents virDomainDestroy",
    };
    g_autoptr(GBytes) packet = virNetMessageEncodeError(&call, &err, 4096);
    g_autoptr(virNetMessage) msg = testReceive(packet);
    g_autoptr(virError) decoded = NULL;

    testCompareHex(packet, "error-readonly");
    g_assert_cmpint(msg->header.type, ==, VIR_NET_REPLY);
    g_assert_cmpint(msg->header.status, ==, VIR_NET_ERROR);
    g_assert_cmpuint(msg->header.serial, ==, 7);
    g_assert_cmpint(msg->header.proc, ==, REMOTE_PROC_DOMAIN_DESTROY);
    decoded = virNetMessageDecodeError(msg);
    g_assert_nonnull(decoded);
    g_assert_cmpint(decoded->code, ==, 29);
    g_assert_cmpint(decoded->domain, ==, 20);
    g_assert_cmpint(decoded->level, ==, 2);
    g_assert_cmpstr(decoded->message, ==, err.message);
    g_assert_cmpstr(decoded->str1, ==, err.str1);
    g_assert_null(decoded->str2);
    g_assert_null(decoded->str3);
}

/* Stream packets as libvirt's daemon sends them: data as raw bytes
 * (no XDR length) with VIR_NET_CONTINUE, EOF as an empty one, an error
 * as a remote_error with VIR_NET_ERROR, all of type VIR_NET_STREAM
 * with the opening call's procedure and serial. */
static void
testStreamPackets(void)
{
    virNetMessageHeader header = testCallHeader(REMOTE_PROC_DOMAIN_OPEN_CONSOLE, 5);
    virError err = {
        .code = VIR_ERR_RPC,
        .domain = VIR_FROM_STREAMS,
        .message = (char *)"stream had I/O failure",
        .level = VIR_ERR_ERROR,
    };
    g_autoptr(GBytes) data = NULL;
    g_autoptr(GBytes) eof = NULL;
    g_autoptr(GBytes) error = NULL;
    g_autoptr(virNetMessage) msg = NULL;
    g_autoptr(virError) decoded = NULL;
    const char *payload;
    size_t len;

    header.type = VIR_NET_STREAM;
    header.status = VIR_NET_CONTINUE;
    data = virNetMessageEncodeRaw(&header, "hello", 5, 4096);
    testCompareHex(data, "stream-data");
    msg = testReceive(data);
    payload = virNetMessageRawPayload(msg, &len);
    g_assert_cmpmem(payload, len, "hello", 5);
    eof = virNetMessageEncodeRaw(&header, NULL, 0, 4096);
    testCompareHex(eof, "stream-eof");
    g_assert_null(virNetMessageEncodeRaw(&header, "hello", 5, 32));

    error = virNetMessageEncodeStreamError(&header, &err, 4096);
    testCompareHex(error, "stream-error");
    g_clear_pointer(&msg, virNetMessageFree);
    msg = testReceive(error);
    g_assert_cmpint(msg->header.type, ==, VIR_NET_STREAM);
    g_assert_cmpint(msg->header.status, ==, VIR_NET_ERROR);
    decoded = virNetMessageDecodeError(msg);
    g_assert_cmpstr(decoded->message, ==, err.message);
    g_assert_cmpint(decoded->domain, ==, VIR_FROM_STREAMS);
}

static void
testErrorUnset(void)
{
    virNetMessageHeader call = testCallHeader(REMOTE_PROC_CONNECT_GET_TYPE, 9);
    g_autoptr(GBytes) packet = virNetMessageEncodeError(&call, NULL, 4096);
    g_autoptr(virNetMessage) msg = testReceive(packet);
    g_autoptr(virError) decoded = virNetMessageDecodeError(msg);

    testCompareHex(packet, "error-unset");
    g_assert_cmpint(decoded->code, ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_cmpint(decoded->domain, ==, VIR_FROM_RPC);
    g_assert_cmpstr(decoded->message, ==,
                    "Library function returned error but did not set virError");
}

/* ---- typed parameters ------------------------------------------------ */

static virTypedParamList *
testParams(void)
{
    virTypedParamList *list = virTypedParamListNew();

    g_assert_cmpint(virTypedParamListAddInt(list, "operation", -5), ==, 0);
    g_assert_cmpint(virTypedParamListAddUInt(list, "uint", 4000000000U), ==, 0);
    g_assert_cmpint(virTypedParamListAddLLong(list, "llong", -(1LL << 40)), ==, 0);
    g_assert_cmpint(virTypedParamListAddULLong(list, "time_elapsed", 1484), ==, 0);
    g_assert_cmpint(virTypedParamListAddDouble(list, "double", 0.5), ==, 0);
    g_assert_cmpint(virTypedParamListAddBoolean(list, "bool", true), ==, 0);
    g_assert_cmpint(virTypedParamListAddString(list, "migrate_uri", "tcp:1.2.3.4"), ==, 0);
    return list;
}

static void
testTypedParamsWire(void)
{
    g_autoptr(virTypedParamList) params = testParams();
    g_autoptr(virTypedParamList) back = NULL;
    remote_domain_get_job_stats_ret ret = { 0 };
    remote_domain_get_job_stats_ret decoded = { 0 };
    virNetMessageHeader header = testCallHeader(REMOTE_PROC_DOMAIN_GET_JOB_STATS, 5);
    g_autoptr(GBytes) packet = NULL;
    g_autoptr(virNetMessage) msg = NULL;
    size_t i;

    header.type = VIR_NET_REPLY;
    ret.type = 3;
    g_assert_cmpint(remoteSerializeTypedParams(params->par, params->npar, 64,
                                               &ret.params.params_val,
                                               &ret.params.params_len), ==, 0);
    packet = virNetMessageEncode(&header, (xdrproc_t)xdr_remote_domain_get_job_stats_ret,
                                 &ret, 4096);
    xdr_free((xdrproc_t)xdr_remote_domain_get_job_stats_ret, (char *)&ret);
    testCompareHex(packet, "job-stats");

    msg = testReceive(packet);
    g_assert_cmpint(virNetMessageDecodePayload(msg,
                        (xdrproc_t)xdr_remote_domain_get_job_stats_ret, &decoded), ==, 0);
    g_assert_cmpint(decoded.type, ==, 3);
    back = remoteDeserializeTypedParams(decoded.params.params_val,
                                        decoded.params.params_len, 64);
    xdr_free((xdrproc_t)xdr_remote_domain_get_job_stats_ret, (char *)&decoded);
    g_assert_nonnull(back);
    g_assert_cmpuint(back->npar, ==, params->npar);
    for (i = 0; i < params->npar; i++) {
        g_assert_cmpstr(back->par[i].field, ==, params->par[i].field);
        g_assert_cmpint(back->par[i].type, ==, params->par[i].type);
    }
    g_assert_cmpint(back->par[0].value.i, ==, -5);
    g_assert_cmpuint(back->par[1].value.ui, ==, 4000000000U);
    g_assert_cmpint(back->par[2].value.l, ==, -(1LL << 40));
    g_assert_cmpuint(back->par[3].value.ul, ==, 1484);
    g_assert_cmpfloat(back->par[4].value.d, ==, 0.5);
    g_assert_true(back->par[5].value.b);
    g_assert_cmpstr(back->par[6].value.s, ==, "tcp:1.2.3.4");
}

static void
testTypedParamsLimits(void)
{
    g_autoptr(virTypedParamList) params = testParams();
    remote_typed_param bad = { (char *)"x", { .type = 99 } };
    remote_typed_param *out = NULL;
    u_int outlen = 0;

    g_assert_cmpint(remoteSerializeTypedParams(params->par, params->npar, 3,
                                               &out, &outlen), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_RPC);
    g_assert_null(out);
    g_assert_null(remoteDeserializeTypedParams(&bad, 1, 64));
    g_assert_cmpstr(virGetLastErrorMessage(), ==, "unknown parameter type: 99");
}

static void
testTypedParamsVariant(void)
{
    g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
    g_autoptr(GVariant) dict = NULL;
    g_autoptr(virTypedParamList) list = NULL;

    g_variant_builder_add(&b, "{sv}", "operation", g_variant_new_int32(5));
    g_variant_builder_add(&b, "{sv}", "time_elapsed", g_variant_new_uint64(1484));
    g_variant_builder_add(&b, "{sv}", "ignored", g_variant_new_byte(1));
    g_variant_builder_add(&b, "{sv}", "name", g_variant_new_string("dirty"));
    dict = g_variant_ref_sink(g_variant_builder_end(&b));
    list = remoteTypedParamsFromVariant(dict);
    g_assert_cmpuint(list->npar, ==, 3);
    g_assert_cmpstr(list->par[0].field, ==, "operation");
    g_assert_cmpint(list->par[0].type, ==, VIR_TYPED_PARAM_INT);
    g_assert_cmpint(list->par[1].type, ==, VIR_TYPED_PARAM_ULLONG);
    g_assert_cmpuint(list->par[1].value.ul, ==, 1484);
    g_assert_cmpstr(list->par[2].value.s, ==, "dirty");
    g_clear_pointer(&list, virTypedParamListFree);
    list = remoteTypedParamsFromVariant(NULL);
    g_assert_cmpuint(list->npar, ==, 0);
}

/* ---- fixed-size and NUL-carrying fields ------------------------------ */

static void
testSecurityModel(void)
{
    virNetMessageHeader header = testCallHeader(REMOTE_PROC_NODE_GET_SECURITY_MODEL, 2);
    /* tirpc's xdr_char writes back even when encoding: no literals */
    g_autofree char *model = g_strdup("none");
    g_autofree char *doi = g_strdup("0");
    remote_node_get_security_model_ret ret = { { 5, model }, { 2, doi } };
    g_autoptr(GBytes) packet = NULL;

    header.type = VIR_NET_REPLY;
    packet = virNetMessageEncode(&header,
                                 (xdrproc_t)xdr_remote_node_get_security_model_ret,
                                 &ret, 4096);
    /* XDR chars take 4 bytes each: a count, then one word per char */
    testCompareHex(packet, "security-model");
}

static void
testLifecycleEvent(void)
{
    virNetMessageHeader header = {
        .prog = REMOTE_PROGRAM, .vers = 1,
        .proc = REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
        .type = VIR_NET_MESSAGE, .serial = 1, .status = VIR_NET_OK,
    };
    remote_domain_event_callback_lifecycle_msg data = {
        .callbackID = 275,
        .msg = { .dom = { .name = (char *)"dirty", .id = 15 },
                 .event = 2, .detail = 0 },
    };
    g_autoptr(GBytes) packet = NULL;

    memset(data.msg.dom.uuid, 0xd1, sizeof(data.msg.dom.uuid));
    packet = virNetMessageEncode(&header,
                                 (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg,
                                 &data, 4096);
    testCompareHex(packet, "event-lifecycle");
}

/* ---- keepalive ------------------------------------------------------- */

#define SEC G_USEC_PER_SEC

static void
testKeepAliveDisabled(void)
{
    virKeepAlive ka;
    gint64 next = 0;

    virKeepAliveInit(&ka, 0, 5);
    g_assert_false(virKeepAliveStart(&ka, 0));
    g_assert_cmpint(virKeepAliveCheck(&ka, 100 * SEC, &next), ==, VIR_KEEPALIVE_WAIT);
    g_assert_cmpint(next, ==, G_MAXINT64);
}

static void
testKeepAliveDeath(void)
{
    virKeepAlive ka;
    gint64 next = 0;

    /* interval 5, count 2: PINGs at 5 and 10, dead at 15 */
    virKeepAliveInit(&ka, 5, 2);
    g_assert_cmpint(virKeepAliveCheck(&ka, 50 * SEC, &next), ==, VIR_KEEPALIVE_WAIT);
    g_assert_true(virKeepAliveStart(&ka, 0));
    g_assert_cmpint(virKeepAliveCheck(&ka, 4 * SEC, &next), ==, VIR_KEEPALIVE_WAIT);
    g_assert_cmpint(next, ==, 5 * SEC);
    g_assert_cmpint(virKeepAliveCheck(&ka, 5 * SEC, &next), ==, VIR_KEEPALIVE_SEND_PING);
    g_assert_cmpint(next, ==, 10 * SEC);
    g_assert_cmpint(virKeepAliveCheck(&ka, 10 * SEC, &next), ==, VIR_KEEPALIVE_SEND_PING);
    g_assert_cmpint(virKeepAliveCheck(&ka, 15 * SEC, &next), ==, VIR_KEEPALIVE_DEAD);
}

static void
testKeepAliveTraffic(void)
{
    virKeepAlive ka;
    gint64 next = 0;

    /* any packet from the peer counts, not only PONGs */
    virKeepAliveInit(&ka, 5, 2);
    virKeepAliveStart(&ka, 0);
    g_assert_cmpint(virKeepAliveCheck(&ka, 5 * SEC, &next), ==, VIR_KEEPALIVE_SEND_PING);
    g_assert_cmpint(virKeepAliveCheck(&ka, 10 * SEC, &next), ==, VIR_KEEPALIVE_SEND_PING);
    virKeepAliveReceived(&ka, 12 * SEC);
    g_assert_cmpint(virKeepAliveCheck(&ka, 15 * SEC, &next), ==, VIR_KEEPALIVE_WAIT);
    g_assert_cmpint(next, ==, 17 * SEC);
    g_assert_cmpint(virKeepAliveCheck(&ka, 17 * SEC, &next), ==, VIR_KEEPALIVE_SEND_PING);
    g_assert_cmpint(virKeepAliveCheck(&ka, 22 * SEC, &next), ==, VIR_KEEPALIVE_SEND_PING);
    g_assert_cmpint(virKeepAliveCheck(&ka, 27 * SEC, &next), ==, VIR_KEEPALIVE_DEAD);
}

static void
testKeepAliveMessages(void)
{
    g_autoptr(GBytes) ping = virKeepAliveMessageNew(KEEPALIVE_PROC_PING);
    g_autoptr(GBytes) pong = virKeepAliveMessageNew(KEEPALIVE_PROC_PONG);
    g_autoptr(virNetMessage) msg = testReceive(ping);

    testCompareHex(ping, "keepalive-ping");
    testCompareHex(pong, "keepalive-pong");
    g_assert_true(virKeepAliveIsMessage(&msg->header));
    g_assert_cmpuint(msg->header.prog, ==, 0x6b656570);
    g_assert_cmpint(msg->header.type, ==, VIR_NET_MESSAGE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/message/decode-length", testDecodeLength);
    g_test_add_func("/rpc/message/header", testHeaderRoundTrip);
    g_test_add_func("/rpc/message/truncated", testTruncatedPayload);
    g_test_add_func("/rpc/message/too-large", testEncodeTooLarge);
    g_test_add_func("/rpc/error/readonly", testErrorReadonly);
    g_test_add_func("/rpc/error/unset", testErrorUnset);
    g_test_add_func("/rpc/stream/packets", testStreamPackets);
    g_test_add_func("/rpc/typedparam/wire", testTypedParamsWire);
    g_test_add_func("/rpc/typedparam/limits", testTypedParamsLimits);
    g_test_add_func("/rpc/typedparam/variant", testTypedParamsVariant);
    g_test_add_func("/rpc/wire/security-model", testSecurityModel);
    g_test_add_func("/rpc/wire/lifecycle-event", testLifecycleEvent);
    g_test_add_func("/rpc/keepalive/disabled", testKeepAliveDisabled);
    g_test_add_func("/rpc/keepalive/death", testKeepAliveDeath);
    g_test_add_func("/rpc/keepalive/traffic", testKeepAliveTraffic);
    g_test_add_func("/rpc/keepalive/messages", testKeepAliveMessages);
    return g_test_run();
}
