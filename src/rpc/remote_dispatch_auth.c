/*
 * remote_dispatch_auth.c: the authentication procedures of the remote
 * program: AUTH_LIST and SASL (INIT, START, STEP), as libvirt 9.0's
 * remote_daemon_dispatch.c serves them
 *
 * A client of a listener that asks for SASL may only call these (and
 * is refused anything else with "authentication required",
 * remoteDispatchCheck) until a negotiation completes and its username
 * passes sasl_allowed_username_list.  Every failure answers libvirt's
 * VIR_ERR_AUTH_FAILED "authentication failed" (the reason is logged);
 * the client may start again with AUTH_SASL_INIT, as with libvirtd.
 *
 * No SASL security layer: on a UNIX socket or TLS none is negotiated
 * (max SSF 0, libvirt's choice there too); on plain TCP, where libvirt
 * asks for one (SSF >= 56), AUTH_SASL_INIT refuses with a message that
 * says so (docs/security.md).
 */
#include <string.h>

#include "remote_dispatch.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.remote_dispatch_auth");

int
remoteDispatchAuthList(virNetServerClient *client,
                       const virNetMessageHeader *header,
                       void *args, void *ret, void *opaque)
{
    remote_auth_list_ret *r = ret;

    r->types.types_len = 1;
    r->types.types_val = g_new0(remote_auth_type, 1);
    if (virNetServerClientGetAuth(client) == VIR_NET_SERVER_AUTH_SASL)
        r->types.types_val[0] = REMOTE_AUTH_SASL;
    else
        r->types.types_val[0] = REMOTE_AUTH_NONE;
    return 0;
}

/* ---- SASL -------------------------------------------------------------- */

/* libsasl2's "IP;PORT" for our "IP:PORT"; NULL for a UNIX socket. */
static char *
remoteSASLAddr(const char *addr)
{
    const char *colon = addr ? strrchr(addr, ':') : NULL;
    char *ret;

    if (!colon)
        return NULL;
    ret = g_strdup(addr);
    ret[colon - addr] = ';';
    return ret;
}

/* Ends the negotiation after a failure (@priv locked): logs the reason
 * (the last error) and reports libvirt's one answer.  Returns -1. */
static int
remoteSASLFail(virNetServerClient *client, remoteClient *priv)
{
    VIR_INFO("client %" G_GUINT64_FORMAT ": SASL authentication failed: %s",
             virNetServerClientGetID(client), virGetLastErrorMessage());
    g_clear_pointer(&priv->sasl, virNetSASLSessionFree);
    virResetLastError();
    virReportError(VIR_ERR_AUTH_FAILED, "%s", _("authentication failed"));
    return -1;
}

/* The negotiation completed (@priv locked): no security layer, a
 * username on the list.  0, or -1 with the reason reported. */
static int
remoteSASLFinish(virNetServerClient *client, remoteClient *priv)
{
    g_autofree char *identity = NULL;
    int ssf;

    if ((ssf = virNetSASLSessionGetKeySize(priv->sasl)) < 0)
        return -1;
    if (ssf > 0) {
        /* secprops allow none; a layer would have to wrap the stream */
        virReportError(VIR_ERR_AUTH_FAILED,
                       _("negotiated SSF %1$d needs a SASL security layer, which virtmigd does not support yet"),
                       ssf);
        return -1;
    }
    if (!(identity = virNetSASLSessionGetIdentity(priv->sasl)) ||
        !virNetSASLContextCheckIdentity(priv->srv->sasl, identity))
        return -1;

    VIR_INFO("client %" G_GUINT64_FORMAT ": authenticated with SASL as '%s'",
             virNetServerClientGetID(client), identity);
    g_free(priv->saslUser);
    priv->saslUser = g_steal_pointer(&identity);
    g_clear_pointer(&priv->sasl, virNetSASLSessionFree);
    virNetServerClientSetAuthenticated(client);
    return 0;
}

/* The answer of a start or step (@priv locked): @rv is the session's
 * result, @out its data (NULL: "nil" on the wire). */
static int
remoteSASLReply(virNetServerClient *client, remoteClient *priv, int rv,
                const char *out, size_t outlen,
                int *complete, int *nil, char **data, u_int *datalen)
{
    if (rv < 0)
        return remoteSASLFail(client, priv);
    if (outlen > REMOTE_AUTH_SASL_DATA_MAX) {
        virReportError(VIR_ERR_AUTH_FAILED, _("sasl reply data too long %1$zu"),
                       outlen);
        return remoteSASLFail(client, priv);
    }
    *nil = out ? 0 : 1;
    *datalen = outlen;
    if (out && outlen > 0) {
        *data = g_malloc(outlen);
        memcpy(*data, out, outlen);
    }
    if (rv == VIR_NET_SASL_CONTINUE) {
        *complete = 0;
        return 0;
    }
    if (remoteSASLFinish(client, priv) < 0)
        return remoteSASLFail(client, priv);
    *complete = 1;
    return 0;
}

/* The client's data for libsasl2, which tells NULL (the wire's "nil")
 * from an empty string. */
static const char *
remoteSASLInput(int nil, const char *data)
{
    if (nil)
        return NULL;
    return data ? data : "";
}

int
remoteDispatchAuthSaslInit(virNetServerClient *client,
                           const virNetMessageHeader *header,
                           void *args, void *ret, void *opaque)
{
    remote_auth_sasl_init_ret *r = ret;
    remoteServer *srv = opaque;
    remoteClient *priv = remoteClientGet(client);
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&priv->lock);
    g_autoptr(virNetSASLSession) sess = NULL;
    g_autofree char *local = NULL;
    g_autofree char *remote = NULL;

    if (virNetServerClientGetAuth(client) != VIR_NET_SERVER_AUTH_SASL ||
        virNetServerClientIsAuthenticated(client) || priv->sasl || !srv->sasl) {
        virReportError(VIR_ERR_AUTH_FAILED, "%s",
                       _("client tried invalid SASL init request"));
        return remoteSASLFail(client, priv);
    }
    if (!virNetServerClientIsSecure(client)) {
        /* libvirt wants a layer of SSF >= 56 here: say why it fails */
        VIR_WARN("client %" G_GUINT64_FORMAT ": SASL over plain TCP refused (no SASL security layer yet)",
                 virNetServerClientGetID(client));
        virReportError(VIR_ERR_AUTH_FAILED, "%s",
                       _("SASL over plain TCP needs a SASL security layer (SSF >= 56), which virtmigd does not support yet: use TLS or a UNIX socket"));
        return -1;
    }
    local = remoteSASLAddr(virNetServerClientGetLocalAddr(client));
    remote = remoteSASLAddr(virNetServerClientGetRemoteAddr(client));
    /* a UNIX socket or TLS: no SSF wanted, no security layer (max 0) */
    if (!(sess = virNetSASLSessionNewServer(srv->sasl, local, remote)) ||
        virNetSASLSessionSecProps(sess, 0, 0, true) < 0 ||
        !(r->mechlist = virNetSASLSessionListMechanisms(sess)))
        return remoteSASLFail(client, priv);
    VIR_DEBUG("client %" G_GUINT64_FORMAT ": SASL mechanisms '%s'",
              virNetServerClientGetID(client), r->mechlist);
    priv->sasl = g_steal_pointer(&sess);
    return 0;
}

/* AUTH_SASL_START (@mech) or AUTH_SASL_STEP (@mech NULL): feeds the
 * client's data to the negotiation and fills the reply. */
static int
remoteSASLExchange(virNetServerClient *client, const char *mech, int nil,
                   const char *data, u_int datalen, int *complete, int *rnil,
                   char **rdata, u_int *rdatalen)
{
    remoteClient *priv = remoteClientGet(client);
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&priv->lock);
    const char *in = remoteSASLInput(nil, data);
    const char *out = NULL;
    size_t outlen = 0;
    int rv;

    if (!priv->sasl) {
        virReportError(VIR_ERR_AUTH_FAILED, _("client tried invalid SASL %1$s request"),
                       mech ? "start" : "step");
        return remoteSASLFail(client, priv);
    }
    VIR_DEBUG("client %" G_GUINT64_FORMAT ": SASL %s %s, %u bytes, nil %d",
              virNetServerClientGetID(client), mech ? "start" : "step",
              NULLSTR(mech), datalen, nil);
    if (mech)
        rv = virNetSASLSessionServerStart(priv->sasl, mech, in, datalen,
                                          &out, &outlen);
    else
        rv = virNetSASLSessionServerStep(priv->sasl, in, datalen, &out, &outlen);
    return remoteSASLReply(client, priv, rv, out, outlen, complete, rnil,
                           rdata, rdatalen);
}

int
remoteDispatchAuthSaslStart(virNetServerClient *client,
                            const virNetMessageHeader *header,
                            void *args, void *ret, void *opaque)
{
    remote_auth_sasl_start_args *a = args;
    remote_auth_sasl_start_ret *r = ret;

    return remoteSASLExchange(client, a->mech, a->nil, a->data.data_val,
                              a->data.data_len, &r->complete, &r->nil,
                              &r->data.data_val, &r->data.data_len);
}

int
remoteDispatchAuthSaslStep(virNetServerClient *client,
                           const virNetMessageHeader *header,
                           void *args, void *ret, void *opaque)
{
    remote_auth_sasl_step_args *a = args;
    remote_auth_sasl_step_ret *r = ret;

    return remoteSASLExchange(client, NULL, a->nil, a->data.data_val,
                              a->data.data_len, &r->complete, &r->nil,
                              &r->data.data_val, &r->data.data_len);
}
