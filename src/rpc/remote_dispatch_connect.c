/*
 * remote_dispatch_connect.c: connection, host and domain list procedures
 * of the remote program written by hand, and the helpers the generated
 * ones call
 */
#include <string.h>

#include "remote_dispatch.h"
#include "virdrvfeature.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.remote_dispatch_connect");

/* VIR_CONNECT_RO of virConnectOpenAuth's flags */
#define REMOTE_CONNECT_RO (1 << 0)

/* Who answers a feature query. */
typedef enum {
    REMOTE_FEATURE_NO,            /* not supported */
    REMOTE_FEATURE_YES,           /* implemented by the RPC layer */
    REMOTE_FEATURE_DRIVER,        /* qemuDriverSupportsFeature decides */
} remoteFeatureAnswer;

typedef struct {
    virDrvFeature feature;
    remoteFeatureAnswer answer;
} remoteFeatureEntry;

/*
 * What CONNECT_SUPPORTS_FEATURE answers: the one place to switch a
 * feature on.  Protocol features are the RPC layer's; the migration
 * ones are the driver's, asked at each query (stock libvirt 9.0 answers
 * yes to 3, 4, 6-16).  Unknown numbers are no.
 */
static const remoteFeatureEntry remoteFeatures[] = {
    { VIR_DRV_FEATURE_MIGRATION_V1, REMOTE_FEATURE_DRIVER },
    { VIR_DRV_FEATURE_REMOTE, REMOTE_FEATURE_NO },
    { VIR_DRV_FEATURE_MIGRATION_V2, REMOTE_FEATURE_DRIVER },
    { VIR_DRV_FEATURE_MIGRATION_P2P, REMOTE_FEATURE_DRIVER },
    { VIR_DRV_FEATURE_MIGRATION_DIRECT, REMOTE_FEATURE_DRIVER },
    { VIR_DRV_FEATURE_MIGRATION_V3, REMOTE_FEATURE_DRIVER },
    { VIR_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION, REMOTE_FEATURE_DRIVER },
    { VIR_DRV_FEATURE_FD_PASSING, REMOTE_FEATURE_NO },
    { VIR_DRV_FEATURE_TYPED_PARAM_STRING, REMOTE_FEATURE_YES },
    { VIR_DRV_FEATURE_PROGRAM_KEEPALIVE, REMOTE_FEATURE_YES },
    { VIR_DRV_FEATURE_XML_MIGRATABLE, REMOTE_FEATURE_DRIVER },
    { VIR_DRV_FEATURE_MIGRATION_OFFLINE, REMOTE_FEATURE_DRIVER },
    { VIR_DRV_FEATURE_MIGRATION_PARAMS, REMOTE_FEATURE_DRIVER },
    { VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK, REMOTE_FEATURE_YES },
    { VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK, REMOTE_FEATURE_YES },
    { VIR_DRV_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER, REMOTE_FEATURE_NO },
};

static bool
remoteFeatureSupported(qemuDriver *driver, int feature)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(remoteFeatures); i++) {
        if ((int)remoteFeatures[i].feature != feature)
            continue;
        switch (remoteFeatures[i].answer) {
        case REMOTE_FEATURE_NO:
            return false;
        case REMOTE_FEATURE_YES:
            return true;
        case REMOTE_FEATURE_DRIVER:
            return qemuDriverSupportsFeature(driver, feature);
        }
    }
    return false;
}

/* ---- connection ------------------------------------------------------ */

/* The URI a client may open: qemu:///system (also the default for a
 * NULL or empty name) or qemu:///session. */
static char *
remoteConnectCheckURI(const char *name)
{
    if (!name || !*name)
        return g_strdup("qemu:///system");
    if (g_str_equal(name, "qemu:///system") ||
        g_str_equal(name, "qemu:///session"))
        return g_strdup(name);
    virReportError(VIR_ERR_NO_CONNECT, "%s", name);
    return NULL;
}

int
remoteDispatchConnectOpen(virNetServerClient *client,
                          const virNetMessageHeader *header,
                          void *args, void *ret, void *opaque)
{
    remote_connect_open_args *a = args;
    remoteClient *priv = remoteClientGet(client);
    remoteServer *srv = opaque;
    g_autofree char *uri = remoteConnectCheckURI(a->name ? *a->name : NULL);

    if (!uri)
        return -1;
    g_mutex_lock(&priv->lock);
    if (priv->open) {
        g_mutex_unlock(&priv->lock);
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s", _("connection already open"));
        return -1;
    }
    priv->open = true;
    g_free(priv->uri);
    priv->uri = g_steal_pointer(&uri);
    if (a->flags & REMOTE_CONNECT_RO)
        priv->readonly = true;
    g_mutex_unlock(&priv->lock);
    /* no longer anonymous (max_anonymous_clients, open timeout) */
    virNetServerTrackCompletedOpen(srv->net, client);
    return 0;
}

int
remoteDispatchConnectClose(virNetServerClient *client,
                           const virNetMessageHeader *header,
                           void *args, void *ret, void *opaque)
{
    remoteClient *priv = remoteClientGet(client);

    /* the client closes the socket once it has our answer */
    g_mutex_lock(&priv->lock);
    priv->open = false;
    priv->closeCallback = false;
    g_mutex_unlock(&priv->lock);
    return 0;
}

int
remoteDispatchConnectSupportsFeature(virNetServerClient *client,
                                     const virNetMessageHeader *header,
                                     void *args, void *ret, void *opaque)
{
    remote_connect_supports_feature_args *a = args;
    remote_connect_supports_feature_ret *r = ret;
    remoteClient *priv = remoteClientGet(client);
    remoteServer *srv = opaque;
    bool open;

    /* asked before CONNECT_OPEN; the answer also starts our probes */
    if (a->feature == VIR_DRV_FEATURE_PROGRAM_KEEPALIVE) {
        virNetServerClientStartKeepAlive(client);
        r->supported = 1;
        return 0;
    }
    g_mutex_lock(&priv->lock);
    open = priv->open;
    g_mutex_unlock(&priv->lock);
    if (!open) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s", _("connection not open"));
        return -1;
    }
    r->supported = remoteFeatureSupported(srv->driver, a->feature);
    return 0;
}

char *
remoteClientGetURI(virNetServerClient *client)
{
    remoteClient *priv = remoteClientGet(client);
    char *uri;

    g_mutex_lock(&priv->lock);
    uri = g_strdup(priv->uri);
    g_mutex_unlock(&priv->lock);
    return uri;
}

int
remoteSetCloseCallback(virNetServerClient *client, bool registered)
{
    remoteClient *priv = remoteClientGet(client);

    g_mutex_lock(&priv->lock);
    priv->closeCallback = registered;
    g_mutex_unlock(&priv->lock);
    return 0;
}

/* ---- host ------------------------------------------------------------ */

int
remoteDispatchNodeGetSecurityModel(virNetServerClient *client,
                                   const virNetMessageHeader *header,
                                   void *args, void *ret, void *opaque)
{
    remote_node_get_security_model_ret *r = ret;

    /* libvirt's "none" security driver; strings travel with their NUL */
    r->model.model_val = g_strdup("none");
    r->model.model_len = strlen(r->model.model_val) + 1;
    r->doi.doi_val = g_strdup("0");
    r->doi.doi_len = strlen(r->doi.doi_val) + 1;
    return 0;
}

/* ---- domain lists ---------------------------------------------------- */

int
remoteDispatchConnectListAllDomains(virNetServerClient *client,
                                    const virNetMessageHeader *header,
                                    void *args, void *ret, void *opaque)
{
    remote_connect_list_all_domains_args *a = args;
    remote_connect_list_all_domains_ret *r = ret;
    remoteServer *srv = opaque;
    qemuDomainRef *refs = NULL;
    int n;
    int i;

    if ((n = qemuConnectListAllDomains(srv->driver, &refs, a->flags)) < 0)
        return -1;
    if (n > REMOTE_DOMAIN_LIST_MAX) {
        qemuDomainRefListFree(refs, n);
        virReportError(VIR_ERR_RPC, _("Too many domains '%1$d' for limit '%2$d'"),
                       n, REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    if (a->need_results) {
        r->domains.domains_val = g_new0(remote_nonnull_domain, MAX(n, 1));
        r->domains.domains_len = n;
        for (i = 0; i < n; i++)
            remoteMakeDomain(&r->domains.domains_val[i], &refs[i]);
    }
    r->ret = n;
    qemuDomainRefListFree(refs, n);
    return 0;
}

/* The array of a LIST_DOMAINS / LIST_DEFINED_DOMAINS reply: @max
 * elements of @size bytes (freed with the reply), or NULL if @max is
 * beyond REMOTE_DOMAIN_LIST_MAX. */
static void *
remoteListNew(int max, size_t size, const char *what)
{
    if (max < 0 || max > REMOTE_DOMAIN_LIST_MAX) {
        virReportError(VIR_ERR_RPC, _("%1$s > REMOTE_DOMAIN_LIST_MAX"), what);
        return NULL;
    }
    return g_malloc0_n(MAX(max, 1), size);
}

int
remoteDispatchConnectListDomains(virNetServerClient *client,
                                 const virNetMessageHeader *header,
                                 void *args, void *ret, void *opaque)
{
    remote_connect_list_domains_args *a = args;
    remote_connect_list_domains_ret *r = ret;
    remoteServer *srv = opaque;
    int n;

    if (!(r->ids.ids_val = remoteListNew(a->maxids, sizeof(int), "maxids")) ||
        (n = qemuConnectListDomains(srv->driver, r->ids.ids_val, a->maxids)) < 0)
        return -1;
    r->ids.ids_len = n;
    return 0;
}

int
remoteDispatchConnectListDefinedDomains(virNetServerClient *client,
                                        const virNetMessageHeader *header,
                                        void *args, void *ret, void *opaque)
{
    remote_connect_list_defined_domains_args *a = args;
    remote_connect_list_defined_domains_ret *r = ret;
    remoteServer *srv = opaque;
    int n;

    if (!(r->names.names_val = remoteListNew(a->maxnames, sizeof(char *), "maxnames")) ||
        (n = qemuConnectListDefinedDomains(srv->driver, r->names.names_val,
                                           a->maxnames)) < 0)
        return -1;
    r->names.names_len = n;
    return 0;
}
