/*
 * remote_dispatch.c: per-client state, access checks and the helpers
 * of the remote program's handlers (the procedure table is generated:
 * remote_dispatch_gen.c)
 */
#include <string.h>

#include "remote_dispatch.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.remote_dispatch");

/* ---- per-client state ------------------------------------------------ */

remoteClient *
remoteClientNew(remoteServer *srv, guint64 id, bool readonly)
{
    remoteClient *priv = g_new0(remoteClient, 1);

    g_mutex_init(&priv->lock);
    priv->srv = srv;
    priv->id = id;
    priv->readonly = readonly;
    priv->callbacks = g_array_new(FALSE, FALSE, sizeof(remoteEventCallback));
    g_array_set_clear_func(priv->callbacks,
                           (GDestroyNotify)remoteEventCallbackClear);
    return priv;
}

void
remoteClientFree(remoteClient *priv)
{
    if (!priv)
        return;
    /* the last reference is gone: the connection is closed and none of
     * its calls runs any more (libvirt runs the driver's close callbacks
     * at the same point) */
    if (priv->migration)
        remoteMigrationClientReleased(priv->srv, priv->id);
    g_array_unref(priv->callbacks);
    virNetSASLSessionFree(priv->sasl);
    g_free(priv->saslUser);
    g_free(priv->uri);
    g_mutex_clear(&priv->lock);
    g_free(priv);
}

remoteClient *
remoteClientGet(virNetServerClient *client)
{
    return virNetServerClientGetPrivateData(client);
}

bool
remoteClientIsReadonly(virNetServerClient *client)
{
    remoteClient *priv = remoteClientGet(client);
    bool readonly;

    g_mutex_lock(&priv->lock);
    readonly = priv->readonly;
    g_mutex_unlock(&priv->lock);
    return readonly;
}

/* ---- helpers ----------------------------------------------------------- */

void
remoteMakeDomain(remote_nonnull_domain *dom, const qemuDomainRef *ref)
{
    dom->name = g_strdup(ref->name);
    memcpy(dom->uuid, ref->uuid, VIR_UUID_BUFLEN);
    dom->id = ref->id;
}

void
remoteMoveDomain(remote_nonnull_domain *dom, qemuDomainRef *ref)
{
    remoteMakeDomain(dom, ref);
    qemuDomainRefClear(ref);
}

const unsigned char *
remoteDomainUUID(const remote_nonnull_domain *dom)
{
    return (const unsigned char *)dom->uuid;
}

int
remoteCheckDomain(qemuDriver *driver, const unsigned char *uuid)
{
    qemuDomainRef ref = { 0 };

    if (qemuDomainLookupByUUID(driver, uuid, &ref) < 0)
        return -1;
    qemuDomainRefClear(&ref);
    return 0;
}

/* libvirt reports read-only refusals from its public API (domain
 * VIR_FROM_DOMAIN, e.g. virCheckReadOnlyGoto in libvirt-domain.c). */
static void
remoteReportDenied(const char *msg)
{
    virReportErrorFull(VIR_FROM_DOMAIN, VIR_ERR_OPERATION_DENIED,
                       __FILE__, __func__, __LINE__, "%s", msg);
}

int
remoteCheckSecureFlag(virNetServerClient *client, bool set, const char *api)
{
    if (set && remoteClientIsReadonly(client)) {
        g_autofree char *msg = g_strdup_printf(_("%1$s with secure flag"), api);

        remoteReportDenied(msg);
        return -1;
    }
    return 0;
}

/* ---- access checks --------------------------------------------------- */

int
remoteDispatchCheck(virNetServerClient *client, const virNetServerProc *proc,
                    void *opaque)
{
    remoteClient *priv = remoteClientGet(client);
    bool open;
    bool readonly;

    /* before anything else, as libvirt's dispatcher (needAuth); not
     * VIR_ERR_AUTH_FAILED, which old clients did not know */
    if (!proc->beforeAuth && !virNetServerClientIsAuthenticated(client)) {
        virReportError(VIR_ERR_RPC, "%s", _("authentication required"));
        return -1;
    }

    g_mutex_lock(&priv->lock);
    open = priv->open;
    readonly = priv->readonly;
    g_mutex_unlock(&priv->lock);

    if (!open && !proc->beforeOpen) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s", _("connection not open"));
        return -1;
    }
    /* fail-closed: only what the table marks read-only-safe */
    if (readonly && !proc->readonly) {
        g_autofree char *msg = g_strdup_printf(_("read only access prevents %1$s"),
                                               proc->api);

        remoteReportDenied(msg);
        return -1;
    }
    return 0;
}
