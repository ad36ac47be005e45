/*
 * virnettransport.c: the byte stream under one RPC connection
 */
#include <errno.h>
#include <string.h>

#include "virnettransport.h"
#include "virerror.h"
#include "virlog.h"
#include "virsocket.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.nettransport");

struct _virNetTransport {
    GSocket *sock;
    virNetTLSSession *tls;      /* NULL: plain */
    char *name;

    /* SASL security layer, once on */
    virNetSASLSession *sasl;
    size_t saslMaxBuf;          /* largest chunk encoded / read at once */
    char *saslWire;             /* saslMaxBuf bytes read from the wire */
    const char *saslDecoded;    /* owned by sasl, until its next decode */
    size_t saslDecodedLength;
    size_t saslDecodedOffset;
    const char *saslEncoded;    /* owned by sasl, until its next encode */
    size_t saslEncodedLength;
    size_t saslEncodedOffset;
    size_t saslEncodedRawLength; /* the caller's bytes it encodes */
};

virNetTransport *
virNetTransportNew(GSocket *sock, virNetTLSSession *tls, const char *name)
{
    virNetTransport *t = g_new0(virNetTransport, 1);

    t->sock = g_object_ref(sock);
    t->tls = tls;
    t->name = g_strdup(name);
    g_socket_set_blocking(sock, FALSE);
    virSocketSetNoDelay(sock);
    return t;
}

void
virNetTransportFree(virNetTransport *t)
{
    if (!t)
        return;
    virNetSASLSessionFree(t->sasl);
    g_free(t->saslWire);
    virNetTLSSessionFree(t->tls);
    g_object_unref(t->sock);
    g_free(t->name);
    g_free(t);
}

GSocket *
virNetTransportGetSocket(virNetTransport *t)
{
    return t->sock;
}

virNetTLSSession *
virNetTransportGetTLS(virNetTransport *t)
{
    return t->tls;
}

/* ---- the wire: the socket or its TLS session ------------------------------ */

/* A failure of @op on the wire: reported (VIR_ERR_RPC), EIO, -1. */
static gssize
virNetTransportFailed(virNetTransport *t, const char *op, const char *why)
{
    virReportError(VIR_ERR_RPC, _("Cannot %1$s data: %2$s"), op, why);
    errno = EIO;
    return -1;
}

static gssize
virNetTransportWire(virNetTransport *t, char *buf, size_t len, bool out)
{
    g_autoptr(GError) err = NULL;
    gssize n;

    if (t->tls) {
        n = out ? virNetTLSSessionWrite(t->tls, buf, len)
                : virNetTLSSessionRead(t->tls, buf, len);
        if (n < 0 && errno != EAGAIN) {
            g_autofree char *why = g_strdup(virGetLastErrorMessage());

            virResetLastError();
            return virNetTransportFailed(t, out ? "write" : "read", why);
        }
        return n;
    }
    n = out ? g_socket_send(t->sock, buf, len, NULL, &err)
            : g_socket_receive(t->sock, buf, len, NULL, &err);
    if (n < 0 && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        errno = EAGAIN;
        return -1;
    }
    if (n < 0)
        return virNetTransportFailed(t, out ? "write" : "read", err->message);
    return n;
}

/* ---- the SASL security layer (libvirt's virNetSocket*SASL) ---------------- */

int
virNetTransportStartSASL(virNetTransport *t, virNetSASLSession *sess)
{
    ssize_t max = virNetSASLSessionGetMaxBufSize(sess);

    if (max <= 0) {
        if (max == 0)
            virReportError(VIR_ERR_AUTH_FAILED, "%s",
                           _("SASL security layer without a buffer size"));
        virNetSASLSessionFree(sess);
        return -1;
    }
    VIR_DEBUG("%s: SASL security layer on, chunks of %zd bytes", t->name, max);
    t->sasl = sess;
    t->saslMaxBuf = max;
    t->saslWire = g_malloc(max);
    return 0;
}

bool
virNetTransportHasSASL(virNetTransport *t)
{
    return t->sasl != NULL;
}

/* A chunk from the wire is decoded into the session's buffer, which
 * later reads serve until it is empty. */
static gssize
virNetTransportReadSASL(virNetTransport *t, char *buf, size_t len)
{
    size_t avail;

    if (!t->saslDecoded) {
        gssize n = virNetTransportWire(t, t->saslWire, t->saslMaxBuf, false);
        const char *out = NULL;
        size_t outlen = 0;

        if (n <= 0)
            return n;
        if (virNetSASLSessionDecode(t->sasl, t->saslWire, n, &out, &outlen) < 0) {
            errno = EIO;
            return -1;
        }
        if (outlen == 0) {
            /* only part of a frame: libsasl2 keeps it for the next read */
            errno = EAGAIN;
            return -1;
        }
        t->saslDecoded = out;
        t->saslDecodedLength = outlen;
        t->saslDecodedOffset = 0;
    }
    avail = t->saslDecodedLength - t->saslDecodedOffset;
    len = MIN(len, avail);
    memcpy(buf, t->saslDecoded + t->saslDecodedOffset, len);
    t->saslDecodedOffset += len;
    if (t->saslDecodedOffset == t->saslDecodedLength) {
        t->saslDecoded = NULL;
        t->saslDecodedLength = t->saslDecodedOffset = 0;
    }
    return len;
}

/* The first saslMaxBuf bytes at most are encoded, and reported written
 * only once all of their encoding is on the wire; until then the caller
 * is told EAGAIN and offers the same bytes again. */
static gssize
virNetTransportWriteSASL(virNetTransport *t, const char *buf, size_t len)
{
    gssize n;

    if (!t->saslEncoded) {
        size_t chunk = MIN(len, t->saslMaxBuf);

        if (virNetSASLSessionEncode(t->sasl, buf, chunk, &t->saslEncoded,
                                    &t->saslEncodedLength) < 0) {
            errno = EIO;
            return -1;
        }
        t->saslEncodedRawLength = chunk;
        t->saslEncodedOffset = 0;
    }
    n = virNetTransportWire(t, (char *)t->saslEncoded + t->saslEncodedOffset,
                            t->saslEncodedLength - t->saslEncodedOffset, true);
    if (n < 0)
        return n;
    t->saslEncodedOffset += n;
    if (t->saslEncodedOffset < t->saslEncodedLength) {
        errno = EAGAIN;
        return -1;
    }
    n = t->saslEncodedRawLength;
    t->saslEncoded = NULL;
    t->saslEncodedLength = t->saslEncodedOffset = 0;
    t->saslEncodedRawLength = 0;
    return n;
}

/* ---- the stream ------------------------------------------------------------- */

gssize
virNetTransportRead(virNetTransport *t, char *buf, size_t len)
{
    if (t->sasl)
        return virNetTransportReadSASL(t, buf, len);
    return virNetTransportWire(t, buf, len, false);
}

gssize
virNetTransportWrite(virNetTransport *t, const char *buf, size_t len)
{
    if (t->sasl)
        return virNetTransportWriteSASL(t, buf, len);
    return virNetTransportWire(t, (char *)buf, len, true);
}

bool
virNetTransportHasPending(virNetTransport *t)
{
    if (t->saslDecoded)
        return true;
    return t->tls && virNetTLSSessionPending(t->tls) > 0;
}
