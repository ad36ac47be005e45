/*
 * virnetsasl.c: SASL authentication of RPC clients (Cyrus SASL)
 *
 * Messages and error codes follow libvirt's virnetsaslcontext.c, so
 * that logs and clients read the same.
 */
#include <limits.h>
#include <string.h>
#include <sasl/sasl.h>

#include "virnetsasl.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.netsasl");

/* Arbitrary size of the data we could encode in a single block
 * (libvirt's): what the peer may send us at once in a security
 * layer. */
#define VIR_NET_SASL_MAX_BUFSIZE (1 << 16)

struct _virNetSASLContext {
    GMutex lock;                  /* held around every libsasl2 call */
    char *confDir;
    GStrv allowedUsers;           /* NULL: anyone */
    sasl_callback_t callbacks[3]; /* libsasl2 keeps the pointer until
                                   * sasl_server_done */
};

struct _virNetSASLSession {
    virNetSASLContext *ctx;       /* outlives its sessions */
    sasl_conn_t *conn;
};

/* ---- libsasl2 callbacks ------------------------------------------------ */

/* Where libsasl2 looks for virtmigd.conf: our directory only.  The
 * answer stays ours: although sasl.h says the library frees it,
 * libsasl2 (lib/server.c, load_config) never does, and its own default
 * callback answers static strings. */
static int
virNetSASLGetConfPath(void *opaque, char **path)
{
    virNetSASLContext *ctx = opaque;

    *path = ctx->confDir;
    return SASL_OK;
}

static int
virNetSASLLog(void *opaque, int level, const char *message)
{
    switch (level) {
    case SASL_LOG_ERR:
        VIR_WARN("SASL: %s", message);
        break;
    case SASL_LOG_FAIL:
    case SASL_LOG_WARN:
    case SASL_LOG_NOTE:
        VIR_INFO("SASL: %s", message);
        break;
    default:
        VIR_DEBUG("SASL: %s", message);
        break;
    }
    return SASL_OK;
}

/* sasl_callback_t takes every callback as int (*)(void). */
#define VIR_NET_SASL_CB(func) ((int (*)(void))(void (*)(void))(func))

/* ---- context ----------------------------------------------------------- */

virNetSASLContext *
virNetSASLContextNewServer(const char *confDir, const char *const *allowedUsers)
{
    g_autofree virNetSASLContext *ctx = g_new0(virNetSASLContext, 1);
    int err;

    g_mutex_init(&ctx->lock);
    ctx->confDir = g_strdup(confDir);
    ctx->allowedUsers = allowedUsers ? g_strdupv((char **)allowedUsers) : NULL;
    ctx->callbacks[0] = (sasl_callback_t){ SASL_CB_GETCONFPATH,
                                           VIR_NET_SASL_CB(virNetSASLGetConfPath),
                                           ctx };
    ctx->callbacks[1] = (sasl_callback_t){ SASL_CB_LOG,
                                           VIR_NET_SASL_CB(virNetSASLLog), ctx };
    ctx->callbacks[2] = (sasl_callback_t){ SASL_CB_LIST_END, NULL, NULL };

    if ((err = sasl_server_init(ctx->callbacks, VIR_NET_SASL_APPNAME)) != SASL_OK) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       _("failed to initialize SASL library: %1$d (%2$s)"),
                       err, sasl_errstring(err, NULL, NULL));
        g_strfreev(ctx->allowedUsers);
        g_free(ctx->confDir);
        g_mutex_clear(&ctx->lock);
        return NULL;
    }
    VIR_DEBUG("SASL server initialized, configuration from %s/%s.conf",
              confDir, VIR_NET_SASL_APPNAME);
    return g_steal_pointer(&ctx);
}

void
virNetSASLContextFree(virNetSASLContext *ctx)
{
    if (!ctx)
        return;
    sasl_server_done();
    g_strfreev(ctx->allowedUsers);
    g_free(ctx->confDir);
    g_mutex_clear(&ctx->lock);
    g_free(ctx);
}

bool
virNetSASLContextCheckIdentity(virNetSASLContext *ctx, const char *identity)
{
    size_t i;

    if (!ctx->allowedUsers)
        return true;              /* no list: anyone authenticated */
    for (i = 0; ctx->allowedUsers[i]; i++) {
        if (g_pattern_match_simple(ctx->allowedUsers[i], identity))
            return true;
    }
    VIR_ERROR("SASL client identity '%s' not allowed by sasl_allowed_username_list",
              identity);
    virReportError(VIR_ERR_SYSTEM_ERROR, "%s",
                   _("Client's username is not on the list of allowed clients"));
    return false;
}

/* ---- session ----------------------------------------------------------- */

virNetSASLSession *
virNetSASLSessionNewServer(virNetSASLContext *ctx, const char *localAddr,
                           const char *remoteAddr)
{
    g_autofree virNetSASLSession *sess = g_new0(virNetSASLSession, 1);
    int err;

    sess->ctx = ctx;
    g_mutex_lock(&ctx->lock);
    err = sasl_server_new(VIR_NET_SASL_SERVICE, NULL, NULL, localAddr,
                          remoteAddr, NULL, SASL_SUCCESS_DATA, &sess->conn);
    g_mutex_unlock(&ctx->lock);
    if (err != SASL_OK) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       _("Failed to create SASL client context: %1$d (%2$s)"),
                       err, sasl_errstring(err, NULL, NULL));
        return NULL;
    }
    return g_steal_pointer(&sess);
}

void
virNetSASLSessionFree(virNetSASLSession *sess)
{
    if (!sess)
        return;
    if (sess->conn) {
        g_mutex_lock(&sess->ctx->lock);
        sasl_dispose(&sess->conn);
        g_mutex_unlock(&sess->ctx->lock);
    }
    g_free(sess);
}

int
virNetSASLSessionSecProps(virNetSASLSession *sess, int minSSF, int maxSSF,
                          bool allowAnonymous)
{
    sasl_security_properties_t secprops = {
        .min_ssf = minSSF,
        .max_ssf = maxSSF,
        .maxbufsize = VIR_NET_SASL_MAX_BUFSIZE,
        .security_flags = allowAnonymous ? 0 :
                          SASL_SEC_NOANONYMOUS | SASL_SEC_NOPLAINTEXT,
    };
    int err;

    VIR_DEBUG("minSSF=%d maxSSF=%d allowAnonymous=%d", minSSF, maxSSF,
              allowAnonymous);
    g_mutex_lock(&sess->ctx->lock);
    err = sasl_setprop(sess->conn, SASL_SEC_PROPS, &secprops);
    g_mutex_unlock(&sess->ctx->lock);
    if (err != SASL_OK) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("cannot set security props %1$d (%2$s)"),
                       err, sasl_errstring(err, NULL, NULL));
        return -1;
    }
    return 0;
}

char *
virNetSASLSessionListMechanisms(virNetSASLSession *sess)
{
    const char *mechlist = NULL;
    char *ret = NULL;
    int err;

    g_mutex_lock(&sess->ctx->lock);
    err = sasl_listmech(sess->conn, NULL, "", ",", "", &mechlist, NULL, NULL);
    if (err == SASL_OK)
        ret = g_strdup(mechlist);
    else
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("cannot list SASL mechanisms %1$d (%2$s)"),
                       err, sasl_errdetail(sess->conn));
    g_mutex_unlock(&sess->ctx->lock);
    return ret;
}

/* sasl_server_start (@mech) or sasl_server_step (@mech NULL). */
static int
virNetSASLSessionServerExchange(virNetSASLSession *sess, const char *mech,
                                const char *clientin, size_t clientinlen,
                                const char **serverout, size_t *serveroutlen)
{
    const char *what = mech ? "start" : "step";
    const char *out = NULL;
    unsigned int outlen = 0;
    int err;
    int ret = -1;

    g_mutex_lock(&sess->ctx->lock);
    if (mech)
        err = sasl_server_start(sess->conn, mech, clientin, clientinlen,
                                &out, &outlen);
    else
        err = sasl_server_step(sess->conn, clientin, clientinlen, &out, &outlen);
    *serverout = out;
    *serveroutlen = outlen;
    if (err == SASL_OK) {
        ret = VIR_NET_SASL_COMPLETE;
    } else if (err == SASL_CONTINUE) {
        ret = VIR_NET_SASL_CONTINUE;
    } else {
        virReportError(VIR_ERR_AUTH_FAILED,
                       _("Failed to %1$s SASL negotiation: %2$d (%3$s)"),
                       what, err, sasl_errdetail(sess->conn));
    }
    g_mutex_unlock(&sess->ctx->lock);
    return ret;
}

int
virNetSASLSessionServerStart(virNetSASLSession *sess, const char *mech,
                             const char *clientin, size_t clientinlen,
                             const char **serverout, size_t *serveroutlen)
{
    return virNetSASLSessionServerExchange(sess, mech, clientin, clientinlen,
                                           serverout, serveroutlen);
}

int
virNetSASLSessionServerStep(virNetSASLSession *sess,
                            const char *clientin, size_t clientinlen,
                            const char **serverout, size_t *serveroutlen)
{
    return virNetSASLSessionServerExchange(sess, NULL, clientin, clientinlen,
                                           serverout, serveroutlen);
}

char *
virNetSASLSessionGetIdentity(virNetSASLSession *sess)
{
    const void *val = NULL;
    int err;

    g_mutex_lock(&sess->ctx->lock);
    err = sasl_getprop(sess->conn, SASL_USERNAME, &val);
    g_mutex_unlock(&sess->ctx->lock);
    if (err != SASL_OK) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       _("cannot query SASL username on connection %1$d (%2$s)"),
                       err, sasl_errstring(err, NULL, NULL));
        return NULL;
    }
    if (!val) {
        virReportError(VIR_ERR_AUTH_FAILED, "%s",
                       _("no client username was found"));
        return NULL;
    }
    return g_strdup(val);
}

/* sasl_getprop under the lock; a property without value is an error
 * (SASL_NOTDONE). */
static int
virNetSASLSessionGetProp(virNetSASLSession *sess, int prop, const void **val)
{
    int err;

    *val = NULL;
    g_mutex_lock(&sess->ctx->lock);
    err = sasl_getprop(sess->conn, prop, val);
    g_mutex_unlock(&sess->ctx->lock);
    return err == SASL_OK && !*val ? SASL_NOTDONE : err;
}

int
virNetSASLSessionGetKeySize(virNetSASLSession *sess)
{
    const void *val;
    int err = virNetSASLSessionGetProp(sess, SASL_SSF, &val);

    if (err != SASL_OK) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       _("cannot query SASL ssf on connection %1$d (%2$s)"),
                       err, sasl_errstring(err, NULL, NULL));
        return -1;
    }
    return *(const int *)val;
}

ssize_t
virNetSASLSessionGetMaxBufSize(virNetSASLSession *sess)
{
    const void *val;
    int err = virNetSASLSessionGetProp(sess, SASL_MAXOUTBUF, &val);

    if (err != SASL_OK) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("cannot get security props %1$d (%2$s)"),
                       err, sasl_errstring(err, NULL, NULL));
        return -1;
    }
    return *(const unsigned *)val;
}

/* sasl_encode and sasl_decode share their signature. */
typedef int (*virNetSASLCodeFunc)(sasl_conn_t *conn, const char *input,
                                  unsigned inputlen, const char **output,
                                  unsigned *outputlen);

/* Applies sasl_encode (@encode) or sasl_decode to @input. */
static int
virNetSASLSessionCode(virNetSASLSession *sess, bool encode,
                      const char *input, size_t inputlen,
                      const char **output, size_t *outputlen)
{
    virNetSASLCodeFunc func = encode ? sasl_encode : sasl_decode;
    const char *out = NULL;
    unsigned outlen = 0;
    int err;

    if (inputlen > UINT_MAX) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("SASL data length %1$zu too long, max %2$u"),
                       inputlen, UINT_MAX);
        return -1;
    }
    g_mutex_lock(&sess->ctx->lock);
    err = func(sess->conn, input, inputlen, &out, &outlen);
    g_mutex_unlock(&sess->ctx->lock);
    if (err != SASL_OK) {
        /* two whole messages, libvirt's, for the translators */
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       encode ? _("failed to encode SASL data: %1$d (%2$s)")
                              : _("failed to decode SASL data: %1$d (%2$s)"),
                       err, sasl_errstring(err, NULL, NULL));
        return -1;
    }
    *output = out;
    *outputlen = outlen;
    return 0;
}

int
virNetSASLSessionEncode(virNetSASLSession *sess,
                        const char *input, size_t inputlen,
                        const char **output, size_t *outputlen)
{
    return virNetSASLSessionCode(sess, true, input, inputlen, output, outputlen);
}

int
virNetSASLSessionDecode(virNetSASLSession *sess,
                        const char *input, size_t inputlen,
                        const char **output, size_t *outputlen)
{
    return virNetSASLSessionCode(sess, false, input, inputlen, output, outputlen);
}
