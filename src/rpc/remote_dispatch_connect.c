/*
 * remote_dispatch_connect.c: connection, host and domain list procedures
 * of the remote program
 */
#include <string.h>

#include "remote_dispatch.h"
#include "remote_node.h"
#include "virdrvfeature.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.remote_dispatch_connect");

/* The libvirt version we answer to CONNECT_GET_LIB_VERSION: the client
 * adapts to the daemon's version, and libvirt 9.0.0 is the daemon whose
 * protocol and behaviour virtmigd reproduces (docs/compat.md). */
#define REMOTE_LIB_VERSION 9000000ULL

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
remoteDispatchAuthList(virNetServerClient *client,
                       const virNetMessageHeader *header,
                       void *args, void *ret, void *opaque)
{
    remote_auth_list_ret *r = ret;

    r->types.types_len = 1;
    r->types.types_val = g_new0(remote_auth_type, 1);
    r->types.types_val[0] = REMOTE_AUTH_NONE;
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

int
remoteDispatchConnectGetType(virNetServerClient *client,
                             const virNetMessageHeader *header,
                             void *args, void *ret, void *opaque)
{
    remote_connect_get_type_ret *r = ret;

    r->type = g_strdup("QEMU");
    return 0;
}

int
remoteDispatchConnectGetVersion(virNetServerClient *client,
                                const virNetMessageHeader *header,
                                void *args, void *ret, void *opaque)
{
    remote_connect_get_version_ret *r = ret;
    remoteServer *srv = opaque;
    unsigned long long version;

    if (remoteNodeGetQEMUVersion(srv->node, &version) < 0)
        return -1;
    r->hv_ver = version;
    return 0;
}

int
remoteDispatchConnectGetLibVersion(virNetServerClient *client,
                                   const virNetMessageHeader *header,
                                   void *args, void *ret, void *opaque)
{
    remote_connect_get_lib_version_ret *r = ret;

    r->lib_ver = REMOTE_LIB_VERSION;
    return 0;
}

int
remoteDispatchConnectGetHostname(virNetServerClient *client,
                                 const virNetMessageHeader *header,
                                 void *args, void *ret, void *opaque)
{
    remote_connect_get_hostname_ret *r = ret;

    return (r->hostname = remoteNodeGetHostname()) ? 0 : -1;
}

int
remoteDispatchConnectGetURI(virNetServerClient *client,
                            const virNetMessageHeader *header,
                            void *args, void *ret, void *opaque)
{
    remote_connect_get_uri_ret *r = ret;
    remoteClient *priv = remoteClientGet(client);

    g_mutex_lock(&priv->lock);
    r->uri = g_strdup(priv->uri);
    g_mutex_unlock(&priv->lock);
    return 0;
}

int
remoteDispatchConnectGetCapabilities(virNetServerClient *client,
                                     const virNetMessageHeader *header,
                                     void *args, void *ret, void *opaque)
{
    remote_connect_get_capabilities_ret *r = ret;
    remoteServer *srv = opaque;

    return (r->capabilities = qemuConnectGetCapabilities(srv->driver)) ? 0 : -1;
}

int
remoteDispatchConnectIsSecure(virNetServerClient *client,
                              const virNetMessageHeader *header,
                              void *args, void *ret, void *opaque)
{
    remote_connect_is_secure_ret *r = ret;

    /* no TLS here: only a local socket is secure (libvirt's rule) */
    r->secure = virNetServerClientIsLocal(client);
    return 0;
}

static void
remoteSetCloseCallback(virNetServerClient *client, bool registered)
{
    remoteClient *priv = remoteClientGet(client);

    g_mutex_lock(&priv->lock);
    priv->closeCallback = registered;
    g_mutex_unlock(&priv->lock);
}

int
remoteDispatchConnectRegisterCloseCallback(virNetServerClient *client,
                                           const virNetMessageHeader *header,
                                           void *args, void *ret, void *opaque)
{
    remoteSetCloseCallback(client, true);
    return 0;
}

int
remoteDispatchConnectUnregisterCloseCallback(virNetServerClient *client,
                                             const virNetMessageHeader *header,
                                             void *args, void *ret, void *opaque)
{
    remoteSetCloseCallback(client, false);
    return 0;
}

/* ---- host ------------------------------------------------------------ */

int
remoteDispatchNodeGetInfo(virNetServerClient *client,
                          const virNetMessageHeader *header,
                          void *args, void *ret, void *opaque)
{
    remote_node_get_info_ret *r = ret;
    remoteNodeInfo info;

    if (remoteNodeGetInfo(&info) < 0)
        return -1;
    G_STATIC_ASSERT(sizeof(r->model) == sizeof(info.model));
    memcpy(r->model, info.model, sizeof(r->model));
    r->memory = info.memoryKiB;
    r->cpus = info.cpus;
    r->mhz = info.mhz;
    r->nodes = info.nodes;
    r->sockets = info.sockets;
    r->cores = info.cores;
    r->threads = info.threads;
    return 0;
}

int
remoteDispatchNodeGetFreeMemory(virNetServerClient *client,
                                const virNetMessageHeader *header,
                                void *args, void *ret, void *opaque)
{
    remote_node_get_free_memory_ret *r = ret;
    unsigned long long bytes;

    if (remoteNodeGetFreeMemory(&bytes) < 0)
        return -1;
    r->freeMem = bytes;
    return 0;
}

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

int
remoteDispatchConnectNumOfDomains(virNetServerClient *client,
                                  const virNetMessageHeader *header,
                                  void *args, void *ret, void *opaque)
{
    remote_connect_num_of_domains_ret *r = ret;
    remoteServer *srv = opaque;

    return (r->num = qemuConnectNumOfDomains(srv->driver)) < 0 ? -1 : 0;
}

int
remoteDispatchConnectNumOfDefinedDomains(virNetServerClient *client,
                                         const virNetMessageHeader *header,
                                         void *args, void *ret, void *opaque)
{
    remote_connect_num_of_defined_domains_ret *r = ret;
    remoteServer *srv = opaque;

    return (r->num = qemuConnectNumOfDefinedDomains(srv->driver)) < 0 ? -1 : 0;
}

static bool
remoteCheckListMax(int max, const char *what)
{
    if (max < 0 || max > REMOTE_DOMAIN_LIST_MAX) {
        virReportError(VIR_ERR_RPC, _("%1$s > REMOTE_DOMAIN_LIST_MAX"), what);
        return false;
    }
    return true;
}

int
remoteDispatchConnectListDomains(virNetServerClient *client,
                                 const virNetMessageHeader *header,
                                 void *args, void *ret, void *opaque)
{
    remote_connect_list_domains_args *a = args;
    remote_connect_list_domains_ret *r = ret;
    remoteServer *srv = opaque;
    g_autofree int *ids = NULL;
    int n;

    if (!remoteCheckListMax(a->maxids, "maxids"))
        return -1;
    ids = g_new0(int, MAX(a->maxids, 1));
    if ((n = qemuConnectListDomains(srv->driver, ids, a->maxids)) < 0)
        return -1;
    r->ids.ids_val = g_steal_pointer(&ids);
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
    char **names;
    int n;

    if (!remoteCheckListMax(a->maxnames, "maxnames"))
        return -1;
    names = g_new0(char *, MAX(a->maxnames, 1));
    if ((n = qemuConnectListDefinedDomains(srv->driver, names, a->maxnames)) < 0) {
        g_free(names);
        return -1;
    }
    r->names.names_val = names;
    r->names.names_len = n;
    return 0;
}
