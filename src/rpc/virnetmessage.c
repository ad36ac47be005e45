/*
 * virnetmessage.c: RPC packet framing and XDR encoding / decoding
 */
#include <string.h>

#include "virnetmessage.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.netmessage");

bool_t
virNetMessageXdrVoid(XDR *xdrs, void *data)
{
    return TRUE;
}

virNetMessage *
virNetMessageNew(char *buffer, size_t length)
{
    virNetMessage *msg = g_new0(virNetMessage, 1);

    msg->buffer = buffer;
    msg->length = length;
    return msg;
}

void
virNetMessageFree(virNetMessage *msg)
{
    if (!msg)
        return;
    g_free(msg->buffer);
    g_free(msg);
}

size_t
virNetMessageMaxLength(size_t maxMessage)
{
    return VIR_NET_MESSAGE_LEN_MAX + maxMessage;
}

int
virNetMessageDecodeLength(const char *buf, size_t maxLength, size_t *length)
{
    guint32 be;
    guint32 len;

    memcpy(&be, buf, sizeof(be));
    len = GUINT32_FROM_BE(be);
    if (len < VIR_NET_MESSAGE_MIN_LEN) {
        virReportError(VIR_ERR_RPC,
                       _("packet %1$u bytes received from client too small, want %2$u"),
                       len, (unsigned int)VIR_NET_MESSAGE_MIN_LEN);
        return -1;
    }
    if (len > maxLength) {
        virReportError(VIR_ERR_RPC,
                       _("packet %1$u bytes received from client too large, want %2$zu"),
                       len, maxLength);
        return -1;
    }
    *length = len;
    return 0;
}

int
virNetMessageDecodeHeader(virNetMessage *msg)
{
    XDR xdr;
    bool ok;

    if (msg->length < VIR_NET_MESSAGE_MIN_LEN) {
        virReportError(VIR_ERR_RPC, "%s", _("Unable to decode message header"));
        return -1;
    }
    xdrmem_create(&xdr, msg->buffer + VIR_NET_MESSAGE_LEN_MAX,
                  VIR_NET_MESSAGE_HEADER_MAX, XDR_DECODE);
    ok = xdr_virNetMessageHeader(&xdr, &msg->header);
    xdr_destroy(&xdr);
    if (!ok) {
        virReportError(VIR_ERR_RPC, "%s", _("Unable to decode message header"));
        return -1;
    }
    return 0;
}

int
virNetMessageDecodePayload(const virNetMessage *msg, xdrproc_t filter,
                           void *data)
{
    XDR xdr;
    bool ok;

    xdrmem_create(&xdr, msg->buffer + VIR_NET_MESSAGE_MIN_LEN,
                  msg->length - VIR_NET_MESSAGE_MIN_LEN, XDR_DECODE);
    ok = filter(&xdr, data, 0);
    xdr_destroy(&xdr);
    if (!ok) {
        /* XDR_FREE resets what it frees: @data stays safe to free again */
        xdr_free(filter, data);
        virReportError(VIR_ERR_RPC, "%s", _("Unable to decode message payload"));
        return -1;
    }
    return 0;
}

/* Encodes into a @size-byte buffer; NULL if it does not fit. */
static GBytes *
virNetMessageEncodeSized(const virNetMessageHeader *header, xdrproc_t filter,
                         const void *data, size_t size)
{
    g_autofree char *buf = g_malloc(size);
    guint32 zero = 0;
    guint32 be;
    size_t len;
    XDR xdr;
    bool ok;

    xdrmem_create(&xdr, buf, size, XDR_ENCODE);
    ok = xdr_u_int(&xdr, &zero) &&
         xdr_virNetMessageHeader(&xdr, (virNetMessageHeader *)header) &&
         (!filter || filter(&xdr, (void *)data, 0));
    len = xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    if (!ok)
        return NULL;
    be = GUINT32_TO_BE((guint32)len);
    memcpy(buf, &be, sizeof(be));
    return g_bytes_new_take(g_realloc(g_steal_pointer(&buf), len), len);
}

GBytes *
virNetMessageEncode(const virNetMessageHeader *header, xdrproc_t filter,
                    const void *data, size_t maxLength)
{
    size_t size = MIN(VIR_NET_MESSAGE_INITIAL + VIR_NET_MESSAGE_MIN_LEN,
                      maxLength);

    for (;;) {
        GBytes *packet = virNetMessageEncodeSized(header, filter, data, size);

        if (packet)
            return packet;
        if (size >= maxLength)
            break;
        size = MIN(size * 4, maxLength);
    }
    virReportError(VIR_ERR_RPC, "%s", _("Unable to encode message payload"));
    return NULL;
}

/* A remote_string for @str: pointer to a pointer, or NULL. */
static char **
virNetMessageWrapString(const char *str)
{
    char **ptr;

    if (!str)
        return NULL;
    ptr = g_new0(char *, 1);
    *ptr = g_strdup(str);
    return ptr;
}

/* Fills @rerr from @err the way libvirt's virNetMessageSaveError does. */
static void
virNetMessageErrorFill(virNetMessageError *rerr, const virError *err)
{
    memset(rerr, 0, sizeof(*rerr));
    if (!err || err->code == VIR_ERR_OK) {
        rerr->code = VIR_ERR_INTERNAL_ERROR;
        rerr->domain = VIR_FROM_RPC;
        rerr->level = VIR_ERR_ERROR;
        rerr->message = virNetMessageWrapString(
            _("Library function returned error but did not set virError"));
        return;
    }
    rerr->code = err->code;
    rerr->domain = err->domain;
    rerr->level = err->level;
    rerr->message = virNetMessageWrapString(err->message);
    rerr->str1 = virNetMessageWrapString(err->str1);
    rerr->str2 = virNetMessageWrapString(err->str2);
    rerr->str3 = virNetMessageWrapString(err->str3);
    rerr->int1 = err->int1;
    rerr->int2 = err->int2;
}

/* @err as the payload of a packet of @type, status VIR_NET_ERROR. */
static GBytes *
virNetMessageEncodeErrorType(const virNetMessageHeader *call, int type,
                             const virError *err, size_t maxLength)
{
    virNetMessageHeader header = *call;
    virNetMessageError rerr;
    GBytes *packet;

    header.type = type;
    header.status = VIR_NET_ERROR;
    virNetMessageErrorFill(&rerr, err);
    packet = virNetMessageEncode(&header, (xdrproc_t)xdr_virNetMessageError,
                                 &rerr, maxLength);
    xdr_free((xdrproc_t)xdr_virNetMessageError, (char *)&rerr);
    return packet;
}

GBytes *
virNetMessageEncodeError(const virNetMessageHeader *call, const virError *err,
                         size_t maxLength)
{
    return virNetMessageEncodeErrorType(call, VIR_NET_REPLY, err, maxLength);
}

GBytes *
virNetMessageEncodeStreamError(const virNetMessageHeader *stream,
                               const virError *err, size_t maxLength)
{
    return virNetMessageEncodeErrorType(stream, VIR_NET_STREAM, err, maxLength);
}

GBytes *
virNetMessageEncodeRaw(const virNetMessageHeader *header, const char *data,
                       size_t len, size_t maxLength)
{
    size_t total = VIR_NET_MESSAGE_MIN_LEN + len;
    char *buf;
    guint32 be;
    XDR xdr;
    bool ok;

    if (total > maxLength) {
        virReportError(VIR_ERR_RPC, "%s", _("Unable to encode message payload"));
        return NULL;
    }
    buf = g_malloc(total);
    xdrmem_create(&xdr, buf + VIR_NET_MESSAGE_LEN_MAX,
                  VIR_NET_MESSAGE_HEADER_MAX, XDR_ENCODE);
    ok = xdr_virNetMessageHeader(&xdr, (virNetMessageHeader *)header);
    xdr_destroy(&xdr);
    if (!ok) {
        g_free(buf);
        virReportError(VIR_ERR_RPC, "%s", _("Unable to encode message header"));
        return NULL;
    }
    be = GUINT32_TO_BE((guint32)total);
    memcpy(buf, &be, sizeof(be));
    if (len)
        memcpy(buf + VIR_NET_MESSAGE_MIN_LEN, data, len);
    return g_bytes_new_take(buf, total);
}

const char *
virNetMessageRawPayload(const virNetMessage *msg, size_t *len)
{
    *len = msg->length - VIR_NET_MESSAGE_MIN_LEN;
    return msg->buffer + VIR_NET_MESSAGE_MIN_LEN;
}

static char *
virNetMessageUnwrapString(char **str)
{
    return str ? g_strdup(*str) : NULL;
}

virError *
virNetMessageDecodeError(const virNetMessage *msg)
{
    virNetMessageError rerr = { 0 };
    virError *err;

    if (virNetMessageDecodePayload(msg, (xdrproc_t)xdr_virNetMessageError,
                                   &rerr) < 0)
        return NULL;
    err = g_new0(virError, 1);
    err->code = rerr.code;
    err->domain = rerr.domain;
    err->level = rerr.level;
    err->message = virNetMessageUnwrapString(rerr.message);
    err->str1 = virNetMessageUnwrapString(rerr.str1);
    err->str2 = virNetMessageUnwrapString(rerr.str2);
    err->str3 = virNetMessageUnwrapString(rerr.str3);
    err->int1 = rerr.int1;
    err->int2 = rerr.int2;
    xdr_free((xdrproc_t)xdr_virNetMessageError, (char *)&rerr);
    return err;
}
