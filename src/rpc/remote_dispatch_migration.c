/*
 * remote_dispatch_migration.c: migration procedures of the remote program
 *
 * Migration protocol v3 with extensible parameters (what the stock
 * client uses once both daemons answer MIGRATION_PARAMS), the older v3
 * procedures with fixed arguments mapped onto it, and the controls of
 * a domain's migration (abort, downtime, speed, compression cache, the
 * switch to post-copy).
 *
 * Handlers only translate: typed parameters are decoded (at most
 * REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX), cookies travel as opaque
 * bytes in both directions, and every call that takes part in the
 * protocol tells the driver which connection it comes from
 * (qemuMigrationConn).  Once such a connection is gone and its last
 * call has returned, the driver hears about it (qemuDriverClientClosed)
 * on a thread of its own, so that it can clean up a migration the
 * client abandoned between two calls.
 */
#include <limits.h>
#include <string.h>

#include "remote_dispatch.h"
#include "remote_typedparam.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.remote_dispatch_migration");

/* libvirt's VIR_MIGRATE_PARAM_* names used by the v3 procedures with
 * fixed arguments */
#define REMOTE_MIGRATE_PARAM_URI "migrate_uri"
#define REMOTE_MIGRATE_PARAM_DEST_NAME "destination_name"
#define REMOTE_MIGRATE_PARAM_DEST_XML "destination_xml"
#define REMOTE_MIGRATE_PARAM_BANDWIDTH "bandwidth"

/* ---- connection identity and clients going away ------------------------ */

/* Fills @conn for a call of @client; the client will be reported to
 * the driver when it is gone. */
static void
remoteMigrationConnInit(virNetServerClient *client, qemuMigrationConn *conn)
{
    remoteClient *priv = remoteClientGet(client);

    g_mutex_lock(&priv->lock);
    priv->migration = true;
    g_mutex_unlock(&priv->lock);
    conn->clientID = virNetServerClientGetID(client);
    conn->localAddr = virNetServerClientGetLocalHost(client);
}

static void
remoteMigrationReleasedRun(gpointer data, gpointer opaque)
{
    g_autofree guint64 *clientID = data;
    remoteServer *srv = opaque;

    VIR_DEBUG("client %" G_GUINT64_FORMAT " is gone: telling the driver",
              *clientID);
    qemuDriverClientClosed(srv->driver, *clientID);
}

GThreadPool *
remoteMigrationReleasedPoolNew(remoteServer *srv)
{
    /* one thread: the notifications arrive in the order clients went */
    return g_thread_pool_new(remoteMigrationReleasedRun, srv, 1, FALSE, NULL);
}

void
remoteMigrationClientReleased(remoteServer *srv, guint64 clientID)
{
    g_autoptr(GError) err = NULL;
    guint64 *data = g_new0(guint64, 1);

    *data = clientID;
    if (!g_thread_pool_push(srv->releasedPool, data, &err)) {
        VIR_ERROR("cannot report the end of client %" G_GUINT64_FORMAT ": %s",
                  clientID, err->message);
        g_free(data);
    }
}

/* ---- argument and result helpers --------------------------------------- */

/* The migration parameters of a call. */
static virTypedParamList *
remoteMigrationParams(const remote_typed_param *val, u_int len)
{
    return remoteDeserializeTypedParams(val, len,
                                        REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX);
}

/* Moves the driver's cookie *@cookie (@len bytes) into a reply. */
static int
remoteMigrationCookieOut(char **cookie, size_t len, char **val, u_int *vallen)
{
    if (len > REMOTE_MIGRATE_COOKIE_MAX) {
        virReportError(VIR_ERR_RPC,
                       _("migration cookie of %1$zu bytes exceeds the limit of %2$d bytes"),
                       len, REMOTE_MIGRATE_COOKIE_MAX);
        return -1;
    }
    *vallen = *cookie ? len : 0;
    *val = g_steal_pointer(cookie);
    return 0;
}

/* The flags of a v3 procedure with fixed arguments (a hyper on the
 * wire, an unsigned int for the driver). */
static int
remoteMigrationFlags(uint64_t flags, const char *api, unsigned int *out)
{
    if (flags > UINT_MAX) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("unsupported flags (0x%1$llx) in function %2$s"),
                       (unsigned long long)flags, api);
        return -1;
    }
    *out = flags;
    return 0;
}

/* Parameters equivalent to the fixed arguments of a v3 procedure; NULL
 * arguments (and a zero bandwidth) are left out. */
static virTypedParamList *
remoteMigrationFixedParams(const char *uri, const char *dname,
                           const char *xml, uint64_t bandwidth)
{
    g_autoptr(virTypedParamList) params = virTypedParamListNew();

    if (uri && virTypedParamListAddString(params, REMOTE_MIGRATE_PARAM_URI, uri) < 0)
        return NULL;
    if (dname &&
        virTypedParamListAddString(params, REMOTE_MIGRATE_PARAM_DEST_NAME, dname) < 0)
        return NULL;
    if (xml && virTypedParamListAddString(params, REMOTE_MIGRATE_PARAM_DEST_XML, xml) < 0)
        return NULL;
    if (bandwidth &&
        virTypedParamListAddULLong(params, REMOTE_MIGRATE_PARAM_BANDWIDTH, bandwidth) < 0)
        return NULL;
    return g_steal_pointer(&params);
}

static const char *
remoteOptString(char **str)
{
    return str ? *str : NULL;
}

/* ---- the protocol steps, with the request of each --------------------- */

/* What the five steps need besides their results; a v3 procedure with
 * fixed arguments and its *3_PARAMS counterpart fill the same one. */
typedef struct {
    const unsigned char *uuid;    /* the domain (Begin, Perform, Confirm) */
    const char *dconnuri;         /* Perform */
    virTypedParamList *params;
    const char *cookiein;
    size_t cookieinlen;
    unsigned int flags;
    int cancelled;                /* Finish, Confirm */
} remoteMigrationStep;

static char *
remoteMigrationBegin(virNetServerClient *client, remoteServer *srv,
                     const remoteMigrationStep *step, char **cookieout,
                     size_t *cookieoutlen)
{
    qemuMigrationConn conn;

    remoteMigrationConnInit(client, &conn);
    return qemuDomainMigrateBegin3Params(srv->driver, step->uuid,
                                         step->params->par, step->params->npar,
                                         cookieout, cookieoutlen, step->flags,
                                         &conn);
}

static int
remoteMigrationPrepare(virNetServerClient *client, remoteServer *srv,
                       const remoteMigrationStep *step, char **cookieout,
                       size_t *cookieoutlen, char **uriout)
{
    qemuMigrationConn conn;

    remoteMigrationConnInit(client, &conn);
    return qemuDomainMigratePrepare3Params(srv->driver, step->params->par,
                                           step->params->npar, step->cookiein,
                                           step->cookieinlen, cookieout,
                                           cookieoutlen, uriout, step->flags,
                                           &conn);
}

static int
remoteMigrationPerform(virNetServerClient *client, remoteServer *srv,
                       const remoteMigrationStep *step, char **cookieout,
                       size_t *cookieoutlen)
{
    qemuMigrationConn conn;

    remoteMigrationConnInit(client, &conn);
    return qemuDomainMigratePerform3Params(srv->driver, step->uuid,
                                           step->dconnuri, step->params->par,
                                           step->params->npar, step->cookiein,
                                           step->cookieinlen, cookieout,
                                           cookieoutlen, step->flags, &conn);
}

/* Fills @dom with the domain now running here: a failed Finish is an
 * error reply, as libvirtd answers when the driver returns no domain. */
static int
remoteMigrationFinish(virNetServerClient *client, remoteServer *srv,
                      const remoteMigrationStep *step, char **cookieout,
                      size_t *cookieoutlen, remote_nonnull_domain *dom)
{
    qemuMigrationConn conn;
    qemuDomainRef ref = { 0 };

    remoteMigrationConnInit(client, &conn);
    if (qemuDomainMigrateFinish3Params(srv->driver, step->params->par,
                                       step->params->npar, step->cookiein,
                                       step->cookieinlen, cookieout,
                                       cookieoutlen, step->flags,
                                       step->cancelled, &ref, &conn) < 0)
        return -1;
    remoteMakeDomain(dom, &ref);
    qemuDomainRefClear(&ref);
    return 0;
}

static int
remoteMigrationConfirm(virNetServerClient *client, remoteServer *srv,
                       const remoteMigrationStep *step)
{
    qemuMigrationConn conn;

    remoteMigrationConnInit(client, &conn);
    return qemuDomainMigrateConfirm3Params(srv->driver, step->uuid,
                                           step->params->par,
                                           step->params->npar, step->cookiein,
                                           step->cookieinlen, step->flags,
                                           step->cancelled, &conn);
}

/* ---- protocol v3 with extensible parameters --------------------------- */

int
remoteDispatchDomainMigrateBegin3Params(virNetServerClient *client,
                                        const virNetMessageHeader *header,
                                        void *args, void *ret, void *opaque)
{
    remote_domain_migrate_begin3_params_args *a = args;
    remote_domain_migrate_begin3_params_ret *r = ret;
    g_autoptr(virTypedParamList) params = NULL;
    g_autofree char *cookie = NULL;
    size_t cookielen = 0;
    remoteMigrationStep step = { .uuid = remoteDomainUUID(&a->dom),
                                 .flags = a->flags };

    if (!(params = remoteMigrationParams(a->params.params_val,
                                         a->params.params_len)))
        return -1;
    step.params = params;
    if (!(r->xml = remoteMigrationBegin(client, opaque, &step, &cookie,
                                        &cookielen)))
        return -1;
    return remoteMigrationCookieOut(&cookie, cookielen,
                                    &r->cookie_out.cookie_out_val,
                                    &r->cookie_out.cookie_out_len);
}

int
remoteDispatchDomainMigratePrepare3Params(virNetServerClient *client,
                                          const virNetMessageHeader *header,
                                          void *args, void *ret, void *opaque)
{
    remote_domain_migrate_prepare3_params_args *a = args;
    remote_domain_migrate_prepare3_params_ret *r = ret;
    g_autoptr(virTypedParamList) params = NULL;
    g_autofree char *cookie = NULL;
    g_autofree char *uri = NULL;
    size_t cookielen = 0;
    remoteMigrationStep step = { .cookiein = a->cookie_in.cookie_in_val,
                                 .cookieinlen = a->cookie_in.cookie_in_len,
                                 .flags = a->flags };

    if (!(params = remoteMigrationParams(a->params.params_val,
                                         a->params.params_len)))
        return -1;
    step.params = params;
    if (remoteMigrationPrepare(client, opaque, &step, &cookie, &cookielen,
                               &uri) < 0)
        return -1;
    /* no URI (tunnelled or the client's own): a NULL remote_string */
    if (uri) {
        r->uri_out = g_new0(char *, 1);
        *r->uri_out = g_steal_pointer(&uri);
    }
    return remoteMigrationCookieOut(&cookie, cookielen,
                                    &r->cookie_out.cookie_out_val,
                                    &r->cookie_out.cookie_out_len);
}

int
remoteDispatchDomainMigratePerform3Params(virNetServerClient *client,
                                          const virNetMessageHeader *header,
                                          void *args, void *ret, void *opaque)
{
    remote_domain_migrate_perform3_params_args *a = args;
    remote_domain_migrate_perform3_params_ret *r = ret;
    g_autoptr(virTypedParamList) params = NULL;
    g_autofree char *cookie = NULL;
    size_t cookielen = 0;
    remoteMigrationStep step = { .uuid = remoteDomainUUID(&a->dom),
                                 .dconnuri = remoteOptString(a->dconnuri),
                                 .cookiein = a->cookie_in.cookie_in_val,
                                 .cookieinlen = a->cookie_in.cookie_in_len,
                                 .flags = a->flags };

    if (!(params = remoteMigrationParams(a->params.params_val,
                                         a->params.params_len)))
        return -1;
    step.params = params;
    if (remoteMigrationPerform(client, opaque, &step, &cookie, &cookielen) < 0)
        return -1;
    return remoteMigrationCookieOut(&cookie, cookielen,
                                    &r->cookie_out.cookie_out_val,
                                    &r->cookie_out.cookie_out_len);
}

int
remoteDispatchDomainMigrateFinish3Params(virNetServerClient *client,
                                         const virNetMessageHeader *header,
                                         void *args, void *ret, void *opaque)
{
    remote_domain_migrate_finish3_params_args *a = args;
    remote_domain_migrate_finish3_params_ret *r = ret;
    g_autoptr(virTypedParamList) params = NULL;
    g_autofree char *cookie = NULL;
    size_t cookielen = 0;
    remoteMigrationStep step = { .cookiein = a->cookie_in.cookie_in_val,
                                 .cookieinlen = a->cookie_in.cookie_in_len,
                                 .flags = a->flags,
                                 .cancelled = a->cancelled };

    if (!(params = remoteMigrationParams(a->params.params_val,
                                         a->params.params_len)))
        return -1;
    step.params = params;
    if (remoteMigrationFinish(client, opaque, &step, &cookie, &cookielen,
                              &r->dom) < 0)
        return -1;
    return remoteMigrationCookieOut(&cookie, cookielen,
                                    &r->cookie_out.cookie_out_val,
                                    &r->cookie_out.cookie_out_len);
}

int
remoteDispatchDomainMigrateConfirm3Params(virNetServerClient *client,
                                          const virNetMessageHeader *header,
                                          void *args, void *ret, void *opaque)
{
    remote_domain_migrate_confirm3_params_args *a = args;
    g_autoptr(virTypedParamList) params = NULL;
    remoteMigrationStep step = { .uuid = remoteDomainUUID(&a->dom),
                                 .cookiein = a->cookie_in.cookie_in_val,
                                 .cookieinlen = a->cookie_in.cookie_in_len,
                                 .flags = a->flags,
                                 .cancelled = a->cancelled };

    if (!(params = remoteMigrationParams(a->params.params_val,
                                         a->params.params_len)))
        return -1;
    step.params = params;
    return remoteMigrationConfirm(client, opaque, &step);
}

/* ---- protocol v3 with fixed arguments ----------------------------------- */

int
remoteDispatchDomainMigrateBegin3(virNetServerClient *client,
                                  const virNetMessageHeader *header,
                                  void *args, void *ret, void *opaque)
{
    remote_domain_migrate_begin3_args *a = args;
    remote_domain_migrate_begin3_ret *r = ret;
    g_autoptr(virTypedParamList) params = NULL;
    g_autofree char *cookie = NULL;
    size_t cookielen = 0;
    remoteMigrationStep step = { .uuid = remoteDomainUUID(&a->dom) };

    if (remoteMigrationFlags(a->flags, "virDomainMigrateBegin3", &step.flags) < 0 ||
        !(params = remoteMigrationFixedParams(NULL, remoteOptString(a->dname),
                                              remoteOptString(a->xmlin),
                                              a->resource)))
        return -1;
    step.params = params;
    if (!(r->xml = remoteMigrationBegin(client, opaque, &step, &cookie,
                                        &cookielen)))
        return -1;
    return remoteMigrationCookieOut(&cookie, cookielen,
                                    &r->cookie_out.cookie_out_val,
                                    &r->cookie_out.cookie_out_len);
}

int
remoteDispatchDomainMigratePrepare3(virNetServerClient *client,
                                    const virNetMessageHeader *header,
                                    void *args, void *ret, void *opaque)
{
    remote_domain_migrate_prepare3_args *a = args;
    remote_domain_migrate_prepare3_ret *r = ret;
    g_autoptr(virTypedParamList) params = NULL;
    g_autofree char *cookie = NULL;
    g_autofree char *uri = NULL;
    size_t cookielen = 0;
    remoteMigrationStep step = { .cookiein = a->cookie_in.cookie_in_val,
                                 .cookieinlen = a->cookie_in.cookie_in_len };

    if (remoteMigrationFlags(a->flags, "virDomainMigratePrepare3", &step.flags) < 0 ||
        !(params = remoteMigrationFixedParams(remoteOptString(a->uri_in),
                                              remoteOptString(a->dname),
                                              a->dom_xml, a->resource)))
        return -1;
    step.params = params;
    if (remoteMigrationPrepare(client, opaque, &step, &cookie, &cookielen,
                               &uri) < 0)
        return -1;
    if (uri) {
        r->uri_out = g_new0(char *, 1);
        *r->uri_out = g_steal_pointer(&uri);
    }
    return remoteMigrationCookieOut(&cookie, cookielen,
                                    &r->cookie_out.cookie_out_val,
                                    &r->cookie_out.cookie_out_len);
}

int
remoteDispatchDomainMigratePerform3(virNetServerClient *client,
                                    const virNetMessageHeader *header,
                                    void *args, void *ret, void *opaque)
{
    remote_domain_migrate_perform3_args *a = args;
    remote_domain_migrate_perform3_ret *r = ret;
    g_autoptr(virTypedParamList) params = NULL;
    g_autofree char *cookie = NULL;
    size_t cookielen = 0;
    remoteMigrationStep step = { .uuid = remoteDomainUUID(&a->dom),
                                 .dconnuri = remoteOptString(a->dconnuri),
                                 .cookiein = a->cookie_in.cookie_in_val,
                                 .cookieinlen = a->cookie_in.cookie_in_len };

    if (remoteMigrationFlags(a->flags, "virDomainMigratePerform3", &step.flags) < 0 ||
        !(params = remoteMigrationFixedParams(remoteOptString(a->uri),
                                              remoteOptString(a->dname),
                                              remoteOptString(a->xmlin),
                                              a->resource)))
        return -1;
    step.params = params;
    if (remoteMigrationPerform(client, opaque, &step, &cookie, &cookielen) < 0)
        return -1;
    return remoteMigrationCookieOut(&cookie, cookielen,
                                    &r->cookie_out.cookie_out_val,
                                    &r->cookie_out.cookie_out_len);
}

int
remoteDispatchDomainMigrateFinish3(virNetServerClient *client,
                                   const virNetMessageHeader *header,
                                   void *args, void *ret, void *opaque)
{
    remote_domain_migrate_finish3_args *a = args;
    remote_domain_migrate_finish3_ret *r = ret;
    g_autoptr(virTypedParamList) params = NULL;
    g_autofree char *cookie = NULL;
    size_t cookielen = 0;
    remoteMigrationStep step = { .cookiein = a->cookie_in.cookie_in_val,
                                 .cookieinlen = a->cookie_in.cookie_in_len,
                                 .cancelled = a->cancelled };

    /* dconnuri only matters to peer-to-peer migration, not served */
    if (remoteMigrationFlags(a->flags, "virDomainMigrateFinish3", &step.flags) < 0 ||
        !(params = remoteMigrationFixedParams(remoteOptString(a->uri), a->dname,
                                              NULL, 0)))
        return -1;
    step.params = params;
    if (remoteMigrationFinish(client, opaque, &step, &cookie, &cookielen,
                              &r->dom) < 0)
        return -1;
    return remoteMigrationCookieOut(&cookie, cookielen,
                                    &r->cookie_out.cookie_out_val,
                                    &r->cookie_out.cookie_out_len);
}

int
remoteDispatchDomainMigrateConfirm3(virNetServerClient *client,
                                    const virNetMessageHeader *header,
                                    void *args, void *ret, void *opaque)
{
    remote_domain_migrate_confirm3_args *a = args;
    g_autoptr(virTypedParamList) params = virTypedParamListNew();
    remoteMigrationStep step = { .uuid = remoteDomainUUID(&a->dom),
                                 .params = params,
                                 .cookiein = a->cookie_in.cookie_in_val,
                                 .cookieinlen = a->cookie_in.cookie_in_len,
                                 .cancelled = a->cancelled };

    if (remoteMigrationFlags(a->flags, "virDomainMigrateConfirm3", &step.flags) < 0)
        return -1;
    return remoteMigrationConfirm(client, opaque, &step);
}

/* ---- control of a domain's migration ---------------------------------- */

int
remoteDispatchDomainAbortJob(virNetServerClient *client,
                             const virNetMessageHeader *header,
                             void *args, void *ret, void *opaque)
{
    remote_domain_abort_job_args *a = args;
    remoteServer *srv = opaque;

    return qemuDomainAbortJob(srv->driver, remoteDomainUUID(&a->dom), 0);
}

int
remoteDispatchDomainAbortJobFlags(virNetServerClient *client,
                                  const virNetMessageHeader *header,
                                  void *args, void *ret, void *opaque)
{
    remote_domain_abort_job_flags_args *a = args;
    remoteServer *srv = opaque;

    return qemuDomainAbortJob(srv->driver, remoteDomainUUID(&a->dom), a->flags);
}

int
remoteDispatchDomainMigrateSetMaxDowntime(virNetServerClient *client,
                                          const virNetMessageHeader *header,
                                          void *args, void *ret, void *opaque)
{
    remote_domain_migrate_set_max_downtime_args *a = args;
    remoteServer *srv = opaque;

    return qemuDomainMigrateSetMaxDowntime(srv->driver, remoteDomainUUID(&a->dom),
                                           a->downtime, a->flags);
}

int
remoteDispatchDomainMigrateGetMaxDowntime(virNetServerClient *client,
                                          const virNetMessageHeader *header,
                                          void *args, void *ret, void *opaque)
{
    remote_domain_migrate_get_max_downtime_args *a = args;
    remote_domain_migrate_get_max_downtime_ret *r = ret;
    remoteServer *srv = opaque;
    unsigned long long downtime = 0;

    if (qemuDomainMigrateGetMaxDowntime(srv->driver, remoteDomainUUID(&a->dom),
                                        &downtime, a->flags) < 0)
        return -1;
    r->downtime = downtime;
    return 0;
}

int
remoteDispatchDomainMigrateSetMaxSpeed(virNetServerClient *client,
                                       const virNetMessageHeader *header,
                                       void *args, void *ret, void *opaque)
{
    remote_domain_migrate_set_max_speed_args *a = args;
    remoteServer *srv = opaque;

    /* a hyper on the wire, an unsigned long in the API: the same on the
     * 64-bit hosts virtmigd runs on */
    G_STATIC_ASSERT(sizeof(unsigned long) >= sizeof(a->bandwidth));
    return qemuDomainMigrateSetMaxSpeed(srv->driver, remoteDomainUUID(&a->dom),
                                        a->bandwidth, a->flags);
}

int
remoteDispatchDomainMigrateGetMaxSpeed(virNetServerClient *client,
                                       const virNetMessageHeader *header,
                                       void *args, void *ret, void *opaque)
{
    remote_domain_migrate_get_max_speed_args *a = args;
    remote_domain_migrate_get_max_speed_ret *r = ret;
    remoteServer *srv = opaque;
    unsigned long bandwidth = 0;

    if (qemuDomainMigrateGetMaxSpeed(srv->driver, remoteDomainUUID(&a->dom),
                                     &bandwidth, a->flags) < 0)
        return -1;
    r->bandwidth = bandwidth;
    return 0;
}

int
remoteDispatchDomainMigrateSetCompressionCache(virNetServerClient *client,
                                               const virNetMessageHeader *header,
                                               void *args, void *ret,
                                               void *opaque)
{
    remote_domain_migrate_set_compression_cache_args *a = args;
    remoteServer *srv = opaque;

    return qemuDomainMigrateSetCompressionCache(srv->driver,
                                                remoteDomainUUID(&a->dom),
                                                a->cacheSize, a->flags);
}

int
remoteDispatchDomainMigrateGetCompressionCache(virNetServerClient *client,
                                               const virNetMessageHeader *header,
                                               void *args, void *ret,
                                               void *opaque)
{
    remote_domain_migrate_get_compression_cache_args *a = args;
    remote_domain_migrate_get_compression_cache_ret *r = ret;
    remoteServer *srv = opaque;
    unsigned long long cacheSize = 0;

    if (qemuDomainMigrateGetCompressionCache(srv->driver,
                                             remoteDomainUUID(&a->dom),
                                             &cacheSize, a->flags) < 0)
        return -1;
    r->cacheSize = cacheSize;
    return 0;
}

int
remoteDispatchDomainMigrateStartPostCopy(virNetServerClient *client,
                                         const virNetMessageHeader *header,
                                         void *args, void *ret, void *opaque)
{
    remote_domain_migrate_start_post_copy_args *a = args;
    remoteServer *srv = opaque;

    return qemuDomainMigrateStartPostCopy(srv->driver, remoteDomainUUID(&a->dom),
                                          a->flags);
}
