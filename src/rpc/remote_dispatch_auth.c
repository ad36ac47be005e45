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
 * The SASL security layer, as libvirt: on a UNIX socket or TLS none is
 * negotiated (max SSF 0); on plain TCP one of SSF >= 56 is required
 * (DIGEST-MD5, GSSAPI), and once the reply that completes the
 * authentication is sent, the client's whole stream goes through it
 * (virNetServerClientSetSASLSession, docs/security.md).
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

/* libvirt's minimum SSF of a security layer on plain TCP: "good
 * enough to require kerberos" (DES); the maximum is its arbitrary big
 * number. */
#define REMOTE_SASL_MIN_SSF 56
#define REMOTE_SASL_MAX_SSF 100000

/* The negotiation completed (@priv locked): a strong enough layer on
 * plain TCP, a username on the list.  0, or -1 with the reason
 * reported.  With a layer, the session goes to the connection, which
 * starts it after this reply. */
static int
remoteSASLFinish(virNetServerClient *client, remoteClient *priv)
{
    g_autofree char *identity = NULL;
    int ssf;

    if ((ssf = virNetSASLSessionGetKeySize(priv->sasl)) < 0)
        return -1;
    VIR_DEBUG("client %" G_GUINT64_FORMAT ": negotiated an SSF of %d",
              virNetServerClientGetID(client), ssf);
    if (!virNetServerClientIsSecure(client) && ssf < REMOTE_SASL_MIN_SSF) {
        /* secprops forbid it already; libvirt checks again */
        virReportError(VIR_ERR_AUTH_FAILED,
                       _("negotiated SSF %1$d was not strong enough"), ssf);
        return -1;
    }
    if (!(identity = virNetSASLSessionGetIdentity(priv->sasl)) ||
        !virNetSASLContextCheckIdentity(priv->srv->sasl, identity))
        return -1;

    VIR_INFO("client %" G_GUINT64_FORMAT ": authenticated with SASL as '%s'%s",
             virNetServerClientGetID(client), identity,
             ssf > 0 ? ", security layer on" : "");
    g_free(priv->saslUser);
    priv->saslUser = g_steal_pointer(&identity);
    virNetServerClientSetAuthenticated(client);
    if (ssf > 0) {
        /* last: the reply this worker queues next is the last in clear */
        virNetServerClientSetSASLSession(client, g_steal_pointer(&priv->sasl));
    } else {
        g_clear_pointer(&priv->sasl, virNetSASLSessionFree);
    }
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

/* libvirt's choice: a UNIX socket or TLS needs no security layer (max
 * SSF 0, anonymous mechanisms allowed); plain TCP needs one of SSF >= 56
 * and no anonymous or plain-text mechanism. */
static int
remoteSASLSecProps(virNetServerClient *client, virNetSASLSession *sess)
{
    if (virNetServerClientIsSecure(client))
        return virNetSASLSessionSecProps(sess, 0, 0, true);
    return virNetSASLSessionSecProps(sess, REMOTE_SASL_MIN_SSF,
                                     REMOTE_SASL_MAX_SSF, false);
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
    local = remoteSASLAddr(virNetServerClientGetLocalAddr(client));
    remote = remoteSASLAddr(virNetServerClientGetRemoteAddr(client));
    if (!(sess = virNetSASLSessionNewServer(srv->sasl, local, remote)) ||
        remoteSASLSecProps(client, sess) < 0 ||
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
