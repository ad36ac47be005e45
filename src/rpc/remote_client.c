/*
 * remote_client.c: typed calls of the remote program, for a daemon
 * talking to another daemon (peer-to-peer migration)
 */
#include <string.h>

#include "remote_client.h"
#include "remote_protocol.h"
#include "remote_typedparam.h"
#include "virdrvfeature.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_REMOTE

VIR_LOG_INIT("rpc.remoteclient");

struct _remoteClient {
    virNetClient *net;
    int timeoutMs;
};

/* ---- URIs --------------------------------------------------------------- */

void
remoteClientTargetClear(remoteClientTarget *target)
{
    g_clear_pointer(&target->host, g_free);
    g_clear_pointer(&target->socket, g_free);
    g_clear_pointer(&target->name, g_free);
    g_clear_pointer(&target->pkipath, g_free);
    target->port = 0;
    target->tls = false;
}

/* The socket= parameter of a qemu+unix:// URI, pkipath= of a
 * qemu+tls:// one; other parameters are for the remote driver and
 * refused rather than ignored. */
static int
remoteClientParseQuery(const char *uri, const char *query,
                       remoteClientTarget *target)
{
    const char *allowed = target->tls ? "pkipath" : "socket";

    g_autoptr(GHashTable) params = NULL;
    g_autoptr(GError) err = NULL;
    GHashTableIter iter;
    gpointer key;
    gpointer value;

    if (!query)
        return 0;
    if (!(params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, &err))) {
        virReportError(VIR_ERR_INVALID_ARG, _("invalid URI '%1$s': %2$s"),
                       uri, err->message);
        return -1;
    }
    g_hash_table_iter_init(&iter, params);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        char **slot = target->tls ? &target->pkipath : &target->socket;

        if (target->host && !target->tls) {
            virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED,
                           _("URI parameters are not supported in '%1$s'"), uri);
            return -1;
        }
        if (g_strcmp0(key, allowed) != 0) {
            virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED,
                           _("URI parameter '%1$s' is not supported in '%2$s'"),
                           (const char *)key, uri);
            return -1;
        }
        g_free(*slot);
        *slot = g_strdup(value);
    }
    return 0;
}

int
remoteClientParseURI(const char *uri, remoteClientTarget *target)
{
    g_autoptr(GUri) parsed = NULL;
    g_autoptr(GError) err = NULL;
    const char *scheme;
    const char *path;

    memset(target, 0, sizeof(*target));
    if (!(parsed = g_uri_parse(uri, G_URI_FLAGS_ENCODED_QUERY, &err))) {
        virReportError(VIR_ERR_INVALID_ARG, _("invalid URI '%1$s': %2$s"),
                       uri, err->message);
        return -1;
    }
    scheme = g_uri_get_scheme(parsed);
    path = g_uri_get_path(parsed);
    if (g_str_equal(scheme, "qemu+tcp") || g_str_equal(scheme, "qemu+tls")) {
        if (!g_uri_get_host(parsed) || !*g_uri_get_host(parsed)) {
            virReportError(VIR_ERR_INVALID_ARG, _("no host in URI '%1$s'"), uri);
            return -1;
        }
        target->tls = g_str_equal(scheme, "qemu+tls");
        target->host = g_strdup(g_uri_get_host(parsed));
        target->port = g_uri_get_port(parsed) > 0 ? g_uri_get_port(parsed) :
                       target->tls ? REMOTE_CLIENT_DEFAULT_TLS_PORT
                                   : REMOTE_CLIENT_DEFAULT_TCP_PORT;
    } else if (g_str_equal(scheme, "qemu+unix")) {
        target->socket = g_strdup(REMOTE_CLIENT_DEFAULT_SOCKET);
    } else {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED,
                       _("URI scheme '%1$s' is not supported for connecting to a peer daemon"),
                       scheme);
        return -1;
    }
    if (remoteClientParseQuery(uri, g_uri_get_query(parsed), target) < 0) {
        remoteClientTargetClear(target);
        return -1;
    }
    /* libvirt's remote driver opens the path on the driver of the
     * scheme's first part: qemu+tcp://h/system -> qemu:///system */
    target->name = g_strdup_printf("qemu://%s", *path ? path : "/system");
    return 0;
}

/* ---- calls -------------------------------------------------------------- */

remoteClientConfig
remoteClientDefaultConfig(void)
{
    remoteClientConfig cfg = {
        .net = virNetClientDefaultConfig(),
        .keepaliveInterval = 5,
        .keepaliveCount = 5,
        .callTimeoutMs = 0,
    };

    return cfg;
}

virNetClient *
remoteClientGetNet(remoteClient *rc)
{
    return rc->net;
}

static int
remoteClientCall(remoteClient *rc, int proc, xdrproc_t argsFilter, void *args,
                 xdrproc_t retFilter, void *ret)
{
    return virNetClientCall(rc->net, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                            proc, argsFilter, args, retFilter, ret,
                            rc->timeoutMs);
}

int
remoteClientSupportsFeature(remoteClient *rc, int feature, bool *supported)
{
    remote_connect_supports_feature_args args = { feature };
    remote_connect_supports_feature_ret ret = { 0 };

    if (remoteClientCall(rc, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                         (xdrproc_t)xdr_remote_connect_supports_feature_args, &args,
                         (xdrproc_t)xdr_remote_connect_supports_feature_ret, &ret) < 0)
        return -1;
    *supported = ret.supported != 0;
    return 0;
}

/* We only speak "none": a peer that requires SASL or polkit is refused. */
static int
remoteClientAuthenticate(remoteClient *rc)
{
    remote_auth_list_ret ret = { { 0 } };
    bool none = false;
    u_int i;

    if (remoteClientCall(rc, REMOTE_PROC_AUTH_LIST, NULL, NULL,
                         (xdrproc_t)xdr_remote_auth_list_ret, &ret) < 0)
        return -1;
    for (i = 0; i < ret.types.types_len; i++)
        none |= ret.types.types_val[i] == REMOTE_AUTH_NONE;
    none |= ret.types.types_len == 0;
    xdr_free((xdrproc_t)xdr_remote_auth_list_ret, (char *)&ret);
    if (!none) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       _("the daemon at %1$s requires authentication, which is not supported yet"),
                       virNetClientName(rc->net));
        return -1;
    }
    return 0;
}

static virNetClient *
remoteClientConnect(const remoteClientTarget *target, const remoteClientConfig *cfg)
{
    g_autofree char *ca = NULL;
    g_autofree char *crl = NULL;
    g_autofree char *cert = NULL;
    g_autofree char *key = NULL;
    g_autoptr(virNetTLSContext) ctx = NULL;
    virNetTLSConfig tls = cfg->tls;
    virNetClientConfig net = cfg->net;

    if (!target->host)
        return virNetClientNewUnix(target->socket, &cfg->net);
    if (!target->tls)
        return virNetClientNewTCP(target->host, target->port, &cfg->net);
    if (target->pkipath) {
        /* libvirt's remote driver: the files of a pkipath directory */
        tls.caFile = ca = g_build_filename(target->pkipath, "cacert.pem", NULL);
        tls.crlFile = crl = g_build_filename(target->pkipath, "cacrl.pem", NULL);
        tls.certFile = cert = g_build_filename(target->pkipath, "clientcert.pem", NULL);
        tls.keyFile = key = g_build_filename(target->pkipath, "clientkey.pem", NULL);
    }
    tls.verifyPeer = true;
    if (!(ctx = virNetTLSContextNewClient(&tls)))
        return NULL;
    net.tls = ctx;
    return virNetClientNewTCP(target->host, target->port, &net);
}

remoteClient *
remoteClientOpen(const char *uri, const remoteClientConfig *cfg)
{
    remoteClientTarget target = { 0 };
    g_autoptr(remoteClient) rc = NULL;
    remote_connect_open_args args = { NULL, 0 };
    bool keepalive = false;
    int ret;

    if (remoteClientParseURI(uri, &target) < 0)
        return NULL;
    rc = g_new0(remoteClient, 1);
    rc->timeoutMs = cfg->callTimeoutMs;
    rc->net = remoteClientConnect(&target, cfg);
    args.name = &target.name;
    ret = rc->net &&
          remoteClientAuthenticate(rc) == 0 &&
          remoteClientSupportsFeature(rc, VIR_DRV_FEATURE_PROGRAM_KEEPALIVE,
                                      &keepalive) == 0 &&
          remoteClientCall(rc, REMOTE_PROC_CONNECT_OPEN,
                           (xdrproc_t)xdr_remote_connect_open_args, &args,
                           NULL, NULL) == 0 ? 0 : -1;
    remoteClientTargetClear(&target);
    if (ret < 0) {
        g_autoptr(virError) err = virSaveLastError();

        /* do not say goodbye on a connection that never opened */
        virNetClientFree(g_steal_pointer(&rc->net));
        virSetError(err);
        return NULL;
    }
    if (keepalive && cfg->keepaliveInterval > 0)
        virNetClientKeepAliveStart(rc->net, cfg->keepaliveInterval,
                                   cfg->keepaliveCount);
    return g_steal_pointer(&rc);
}

int
remoteClientClose(remoteClient *rc)
{
    int ret = 0;

    if (!rc)
        return 0;
    if (rc->net && virNetClientIsOpen(rc->net))
        ret = remoteClientCall(rc, REMOTE_PROC_CONNECT_CLOSE, NULL, NULL, NULL, NULL);
    virNetClientFree(rc->net);
    g_free(rc);
    return ret;
}

/* Where the typed parameters and the cookie go in the arguments of a
 * *3_PARAMS procedure (each has its own rpcgen struct). */
typedef struct {
    remote_typed_param **params;
    u_int *nparams;
    char **cookie;
    u_int *cookielen;
} remoteClientMigrationArgs;

/* Fills the parameters and the cookie of @args, calls @proc, and frees
 * what it serialized (the cookie stays the caller's). */
static int
remoteClientMigrationCall(remoteClient *rc, int proc,
                          const virTypedParameter *params, size_t nparams,
                          const char *cookiein, size_t cookieinlen,
                          const remoteClientMigrationArgs *fields,
                          xdrproc_t argsFilter, void *args,
                          xdrproc_t retFilter, void *ret)
{
    int rv;

    if (remoteSerializeTypedParams(params, nparams,
                                   REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX,
                                   fields->params, fields->nparams) < 0)
        return -1;
    *fields->cookie = (char *)cookiein;
    *fields->cookielen = cookieinlen;
    rv = remoteClientCall(rc, proc, argsFilter, args, retFilter, ret);
    *fields->cookie = NULL;
    *fields->cookielen = 0;
    xdr_free(argsFilter, args);
    return rv;
}

/* Takes the opaque @val / @len of a result (XDR allocates with malloc,
 * which g_free accepts). */
static void
remoteClientStealCookie(char **val, u_int *len, char **out, size_t *outlen)
{
    *out = g_steal_pointer(val);
    *outlen = *len;
    *len = 0;
}

int
remoteClientMigratePrepare3Params(remoteClient *rc,
                                  const virTypedParameter *params, size_t nparams,
                                  const char *cookiein, size_t cookieinlen,
                                  char **cookieout, size_t *cookieoutlen,
                                  char **uriout, unsigned int flags)
{
    remote_domain_migrate_prepare3_params_args args = { .flags = flags };
    remote_domain_migrate_prepare3_params_ret ret = { { 0 } };
    remoteClientMigrationArgs fields = {
        &args.params.params_val, &args.params.params_len,
        &args.cookie_in.cookie_in_val, &args.cookie_in.cookie_in_len,
    };

    if (remoteClientMigrationCall(rc, REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS,
                                  params, nparams, cookiein, cookieinlen, &fields,
                                  (xdrproc_t)xdr_remote_domain_migrate_prepare3_params_args,
                                  &args,
                                  (xdrproc_t)xdr_remote_domain_migrate_prepare3_params_ret,
                                  &ret) < 0)
        return -1;
    remoteClientStealCookie(&ret.cookie_out.cookie_out_val,
                            &ret.cookie_out.cookie_out_len, cookieout, cookieoutlen);
    *uriout = ret.uri_out ? g_steal_pointer(ret.uri_out) : NULL;
    xdr_free((xdrproc_t)xdr_remote_domain_migrate_prepare3_params_ret, (char *)&ret);
    return 0;
}

int
remoteClientMigrateFinish3Params(remoteClient *rc,
                                 const virTypedParameter *params, size_t nparams,
                                 const char *cookiein, size_t cookieinlen,
                                 char **cookieout, size_t *cookieoutlen,
                                 unsigned int flags, int cancelled,
                                 char **name, unsigned char *uuid)
{
    remote_domain_migrate_finish3_params_args args = { .flags = flags,
                                                       .cancelled = cancelled };
    remote_domain_migrate_finish3_params_ret ret = { { 0 } };
    remoteClientMigrationArgs fields = {
        &args.params.params_val, &args.params.params_len,
        &args.cookie_in.cookie_in_val, &args.cookie_in.cookie_in_len,
    };

    if (remoteClientMigrationCall(rc, REMOTE_PROC_DOMAIN_MIGRATE_FINISH3_PARAMS,
                                  params, nparams, cookiein, cookieinlen, &fields,
                                  (xdrproc_t)xdr_remote_domain_migrate_finish3_params_args,
                                  &args,
                                  (xdrproc_t)xdr_remote_domain_migrate_finish3_params_ret,
                                  &ret) < 0)
        return -1;
    remoteClientStealCookie(&ret.cookie_out.cookie_out_val,
                            &ret.cookie_out.cookie_out_len, cookieout, cookieoutlen);
    *name = g_steal_pointer(&ret.dom.name);
    memcpy(uuid, ret.dom.uuid, VIR_UUID_BUFLEN);
    xdr_free((xdrproc_t)xdr_remote_domain_migrate_finish3_params_ret, (char *)&ret);
    return 0;
}
