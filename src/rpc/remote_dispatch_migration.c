/*
 * remote_dispatch_migration.c: migration procedures of the remote program
 *
 * Migration protocol v3 with extensible parameters (what the stock
 * client uses once both daemons answer MIGRATION_PARAMS).  The older v3
 * procedures with fixed arguments are generated stubs that convert
 * their arguments and call these handlers (@fold in remote_protocol.x);
 * the controls of a domain's migration (abort, downtime, speed,
 * compression cache, the switch to post-copy) are generated stubs too.
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

#include "remote_dispatch.h"
#include "remote_typedparam.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.remote_dispatch_migration");

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

/* ---- arguments and results ------------------------------------------- */

int
remoteMigrationFixedFlags(uint64_t flags, const char *api, unsigned int *out)
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

void
remoteMigrationFixedParamString(remote_typed_param *params, u_int *n,
                                const char *name, const char *value)
{
    if (!value)
        return;
    params[*n].field = (char *)name;
    params[*n].value.type = VIR_TYPED_PARAM_STRING;
    params[*n].value.remote_typed_param_value_u.s = (char *)value;
    (*n)++;
}

void
remoteMigrationFixedParamULLong(remote_typed_param *params, u_int *n,
                                const char *name, uint64_t value)
{
    if (!value)
        return;
    params[*n].field = (char *)name;
    params[*n].value.type = VIR_TYPED_PARAM_ULLONG;
    params[*n].value.remote_typed_param_value_u.ul = value;
    (*n)++;
}

/* What the five steps share: the decoded parameters, the identity of
 * the connection, the cookie the driver answers. */
typedef struct {
    virTypedParamList *params;
    qemuMigrationConn conn;
    char *cookie;
    size_t cookielen;
} remoteMigrationCall;

static void
remoteMigrationCallClear(remoteMigrationCall *call)
{
    g_clear_pointer(&call->params, virTypedParamListFree);
    g_clear_pointer(&call->cookie, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(remoteMigrationCall, remoteMigrationCallClear);

/* Decodes the parameters (at most REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX);
 * from then on the driver hears when the connection is gone. */
static int
remoteMigrationCallInit(remoteMigrationCall *call, virNetServerClient *client,
                        const remote_typed_param *val, u_int len)
{
    if (!(call->params = remoteDeserializeTypedParams(val, len,
                                                      REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX)))
        return -1;
    remoteMigrationConnInit(client, &call->conn);
    return 0;
}

/* Moves the driver's cookie into a reply. */
static int
remoteMigrationCallCookie(remoteMigrationCall *call, char **val, u_int *len)
{
    if (call->cookielen > REMOTE_MIGRATE_COOKIE_MAX) {
        virReportError(VIR_ERR_RPC,
                       _("migration cookie of %1$zu bytes exceeds the limit of %2$d bytes"),
                       call->cookielen, REMOTE_MIGRATE_COOKIE_MAX);
        return -1;
    }
    *len = call->cookie ? call->cookielen : 0;
    *val = g_steal_pointer(&call->cookie);
    return 0;
}

/* ---- the protocol steps ------------------------------------------------ */

int
remoteDispatchDomainMigrateBegin3Params(virNetServerClient *client,
                                        const virNetMessageHeader *header,
                                        void *args, void *ret, void *opaque)
{
    remote_domain_migrate_begin3_params_args *a = args;
    remote_domain_migrate_begin3_params_ret *r = ret;
    remoteServer *srv = opaque;
    g_auto(remoteMigrationCall) c = { 0 };

    if (remoteMigrationCallInit(&c, client, a->params.params_val,
                                a->params.params_len) < 0 ||
        !(r->xml = qemuDomainMigrateBegin3Params(srv->driver, remoteDomainUUID(&a->dom),
                                                 c.params->par, c.params->npar,
                                                 &c.cookie, &c.cookielen,
                                                 a->flags, &c.conn)))
        return -1;
    return remoteMigrationCallCookie(&c, &r->cookie_out.cookie_out_val,
                                     &r->cookie_out.cookie_out_len);
}

int
remoteDispatchDomainMigratePrepare3Params(virNetServerClient *client,
                                          const virNetMessageHeader *header,
                                          void *args, void *ret, void *opaque)
{
    remote_domain_migrate_prepare3_params_args *a = args;
    remote_domain_migrate_prepare3_params_ret *r = ret;
    remoteServer *srv = opaque;
    g_auto(remoteMigrationCall) c = { 0 };
    g_autofree char *uri = NULL;

    if (remoteMigrationCallInit(&c, client, a->params.params_val,
                                a->params.params_len) < 0 ||
        qemuDomainMigratePrepare3Params(srv->driver, c.params->par, c.params->npar,
                                        a->cookie_in.cookie_in_val,
                                        a->cookie_in.cookie_in_len, &c.cookie,
                                        &c.cookielen, &uri, a->flags, &c.conn) < 0)
        return -1;
    /* no URI (tunnelled or the client's own): a NULL remote_string */
    if (uri) {
        r->uri_out = g_new0(char *, 1);
        *r->uri_out = g_steal_pointer(&uri);
    }
    return remoteMigrationCallCookie(&c, &r->cookie_out.cookie_out_val,
                                     &r->cookie_out.cookie_out_len);
}

int
remoteDispatchDomainMigratePerform3Params(virNetServerClient *client,
                                          const virNetMessageHeader *header,
                                          void *args, void *ret, void *opaque)
{
    remote_domain_migrate_perform3_params_args *a = args;
    remote_domain_migrate_perform3_params_ret *r = ret;
    remoteServer *srv = opaque;
    const char *dconnuri = a->dconnuri ? *a->dconnuri : NULL;
    g_auto(remoteMigrationCall) c = { 0 };

    if (remoteMigrationCallInit(&c, client, a->params.params_val,
                                a->params.params_len) < 0 ||
        qemuDomainMigratePerform3Params(srv->driver, remoteDomainUUID(&a->dom),
                                        dconnuri, c.params->par, c.params->npar,
                                        a->cookie_in.cookie_in_val,
                                        a->cookie_in.cookie_in_len, &c.cookie,
                                        &c.cookielen, a->flags, &c.conn) < 0)
        return -1;
    return remoteMigrationCallCookie(&c, &r->cookie_out.cookie_out_val,
                                     &r->cookie_out.cookie_out_len);
}

/* A failed Finish is an error reply, as libvirtd answers when its
 * driver returns no domain. */
int
remoteDispatchDomainMigrateFinish3Params(virNetServerClient *client,
                                         const virNetMessageHeader *header,
                                         void *args, void *ret, void *opaque)
{
    remote_domain_migrate_finish3_params_args *a = args;
    remote_domain_migrate_finish3_params_ret *r = ret;
    remoteServer *srv = opaque;
    g_auto(remoteMigrationCall) c = { 0 };
    qemuDomainRef ref = { 0 };

    if (remoteMigrationCallInit(&c, client, a->params.params_val,
                                a->params.params_len) < 0 ||
        qemuDomainMigrateFinish3Params(srv->driver, c.params->par, c.params->npar,
                                       a->cookie_in.cookie_in_val,
                                       a->cookie_in.cookie_in_len, &c.cookie,
                                       &c.cookielen, a->flags, a->cancelled,
                                       &ref, &c.conn) < 0)
        return -1;
    remoteMoveDomain(&r->dom, &ref);
    return remoteMigrationCallCookie(&c, &r->cookie_out.cookie_out_val,
                                     &r->cookie_out.cookie_out_len);
}

int
remoteDispatchDomainMigrateConfirm3Params(virNetServerClient *client,
                                          const virNetMessageHeader *header,
                                          void *args, void *ret, void *opaque)
{
    remote_domain_migrate_confirm3_params_args *a = args;
    remoteServer *srv = opaque;
    g_auto(remoteMigrationCall) c = { 0 };

    if (remoteMigrationCallInit(&c, client, a->params.params_val,
                                a->params.params_len) < 0)
        return -1;
    return qemuDomainMigrateConfirm3Params(srv->driver, remoteDomainUUID(&a->dom),
                                           c.params->par, c.params->npar,
                                           a->cookie_in.cookie_in_val,
                                           a->cookie_in.cookie_in_len,
                                           a->flags, a->cancelled, &c.conn);
}
