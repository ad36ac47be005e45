/*
 * remote_event.c: domain event registration and delivery
 */
#include <string.h>

#include "remote_event.h"
#include "remote_typedparam.h"
#include "virdomainstate.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.remote_event");

struct _remoteEventQueue {
    remoteServer *srv;
    GMutex lock;
    GQueue events;                /* qemuDomainEvent copies */
    GSource *flush;               /* pending flush in the main context */
};

/* ---- event copies ---------------------------------------------------- */

static qemuDomainEvent *
remoteEventCopy(const qemuDomainEvent *ev)
{
    qemuDomainEvent *copy = g_new0(qemuDomainEvent, 1);

    copy->eventID = ev->eventID;
    copy->dom.name = g_strdup(ev->dom.name);
    memcpy(copy->dom.uuid, ev->dom.uuid, VIR_UUID_BUFLEN);
    copy->dom.id = ev->dom.id;
    copy->event = ev->event;
    copy->detail = ev->detail;
    /* the caller keeps its own reference (floating or not) */
    if (ev->params)
        copy->params = g_variant_ref(ev->params);
    return copy;
}

static void
remoteEventFree(qemuDomainEvent *ev)
{
    if (!ev)
        return;
    g_free(ev->dom.name);
    if (ev->params)
        g_variant_unref(ev->params);
    g_free(ev);
}

/* ---- encoding -------------------------------------------------------- */

static GBytes *
remoteEventPacket(int proc, xdrproc_t filter, void *data, size_t maxLength)
{
    virNetMessageHeader header = {
        .prog = REMOTE_PROGRAM,
        .vers = REMOTE_PROTOCOL_VERSION,
        .proc = proc,
        .type = VIR_NET_MESSAGE,
        .serial = 1,              /* what libvirt's daemon sends */
        .status = VIR_NET_OK,
    };

    return virNetMessageEncode(&header, filter, data, maxLength);
}

/* Picks the legacy or the callback form of an event. */
static GBytes *
remoteEventPacketFor(const remoteEventCallback *cb,
                     int legacyProc, xdrproc_t legacyFilter, void *legacyData,
                     int cbProc, xdrproc_t cbFilter, void *cbData,
                     size_t maxLength)
{
    if (cb->legacy)
        return remoteEventPacket(legacyProc, legacyFilter, legacyData, maxLength);
    return remoteEventPacket(cbProc, cbFilter, cbData, maxLength);
}

/* Looks up @key of type @fmt in the payload; logs if missing. */
static bool
remoteEventParam(const qemuDomainEvent *ev, const char *key, const char *fmt,
                 void *value)
{
    if (ev->params && g_variant_is_of_type(ev->params, G_VARIANT_TYPE_VARDICT) &&
        g_variant_lookup(ev->params, key, fmt, value))
        return true;
    VIR_WARN("event %d of domain %s lacks parameter '%s' (%s)",
             ev->eventID, ev->dom.name, key, fmt);
    return false;
}

static GBytes *
remoteEventEncodeLifecycle(const qemuDomainEvent *ev,
                           const remoteEventCallback *cb, size_t maxLength)
{
    remote_domain_event_callback_lifecycle_msg data = { 0 };
    GBytes *packet;

    data.callbackID = cb->callbackID;
    remoteMakeDomain(&data.msg.dom, &ev->dom);
    data.msg.event = ev->event;
    data.msg.detail = ev->detail;
    packet = remoteEventPacketFor(cb,
        REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE,
        (xdrproc_t)xdr_remote_domain_event_lifecycle_msg, &data.msg,
        REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
        (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, &data,
        maxLength);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, (char *)&data);
    return packet;
}

static GBytes *
remoteEventEncodeReboot(const qemuDomainEvent *ev,
                        const remoteEventCallback *cb, size_t maxLength)
{
    remote_domain_event_callback_reboot_msg data = { 0 };
    GBytes *packet;

    data.callbackID = cb->callbackID;
    remoteMakeDomain(&data.msg.dom, &ev->dom);
    packet = remoteEventPacketFor(cb,
        REMOTE_PROC_DOMAIN_EVENT_REBOOT,
        (xdrproc_t)xdr_remote_domain_event_reboot_msg, &data.msg,
        REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
        (xdrproc_t)xdr_remote_domain_event_callback_reboot_msg, &data,
        maxLength);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_reboot_msg, (char *)&data);
    return packet;
}

static GBytes *
remoteEventEncodeRTCChange(const qemuDomainEvent *ev,
                           const remoteEventCallback *cb, size_t maxLength)
{
    remote_domain_event_callback_rtc_change_msg data = { 0 };
    gint64 offset = 0;
    GBytes *packet;

    if (!remoteEventParam(ev, "offset", "x", &offset))
        return NULL;
    data.callbackID = cb->callbackID;
    remoteMakeDomain(&data.msg.dom, &ev->dom);
    data.msg.offset = offset;
    packet = remoteEventPacketFor(cb,
        REMOTE_PROC_DOMAIN_EVENT_RTC_CHANGE,
        (xdrproc_t)xdr_remote_domain_event_rtc_change_msg, &data.msg,
        REMOTE_PROC_DOMAIN_EVENT_CALLBACK_RTC_CHANGE,
        (xdrproc_t)xdr_remote_domain_event_callback_rtc_change_msg, &data,
        maxLength);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_rtc_change_msg, (char *)&data);
    return packet;
}

static GBytes *
remoteEventEncodeWatchdog(const qemuDomainEvent *ev,
                          const remoteEventCallback *cb, size_t maxLength)
{
    remote_domain_event_callback_watchdog_msg data = { 0 };
    gint32 action = 0;
    GBytes *packet;

    if (!remoteEventParam(ev, "action", "i", &action))
        return NULL;
    data.callbackID = cb->callbackID;
    remoteMakeDomain(&data.msg.dom, &ev->dom);
    data.msg.action = action;
    packet = remoteEventPacketFor(cb,
        REMOTE_PROC_DOMAIN_EVENT_WATCHDOG,
        (xdrproc_t)xdr_remote_domain_event_watchdog_msg, &data.msg,
        REMOTE_PROC_DOMAIN_EVENT_CALLBACK_WATCHDOG,
        (xdrproc_t)xdr_remote_domain_event_callback_watchdog_msg, &data,
        maxLength);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_watchdog_msg, (char *)&data);
    return packet;
}

static GBytes *
remoteEventEncodeControlError(const qemuDomainEvent *ev,
                              const remoteEventCallback *cb, size_t maxLength)
{
    remote_domain_event_callback_control_error_msg data = { 0 };
    GBytes *packet;

    data.callbackID = cb->callbackID;
    remoteMakeDomain(&data.msg.dom, &ev->dom);
    packet = remoteEventPacketFor(cb,
        REMOTE_PROC_DOMAIN_EVENT_CONTROL_ERROR,
        (xdrproc_t)xdr_remote_domain_event_control_error_msg, &data.msg,
        REMOTE_PROC_DOMAIN_EVENT_CALLBACK_CONTROL_ERROR,
        (xdrproc_t)xdr_remote_domain_event_callback_control_error_msg, &data,
        maxLength);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_control_error_msg, (char *)&data);
    return packet;
}

static GBytes *
remoteEventEncodeBalloonChange(const qemuDomainEvent *ev,
                               const remoteEventCallback *cb, size_t maxLength)
{
    remote_domain_event_callback_balloon_change_msg data = { 0 };
    guint64 actual = 0;
    GBytes *packet;

    if (!remoteEventParam(ev, "actual", "t", &actual))
        return NULL;
    data.callbackID = cb->callbackID;
    remoteMakeDomain(&data.msg.dom, &ev->dom);
    data.msg.actual = actual;
    packet = remoteEventPacketFor(cb,
        REMOTE_PROC_DOMAIN_EVENT_BALLOON_CHANGE,
        (xdrproc_t)xdr_remote_domain_event_balloon_change_msg, &data.msg,
        REMOTE_PROC_DOMAIN_EVENT_CALLBACK_BALLOON_CHANGE,
        (xdrproc_t)xdr_remote_domain_event_callback_balloon_change_msg, &data,
        maxLength);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_balloon_change_msg, (char *)&data);
    return packet;
}

static GBytes *
remoteEventEncodeDeviceRemoved(const qemuDomainEvent *ev,
                               const remoteEventCallback *cb, size_t maxLength)
{
    remote_domain_event_callback_device_removed_msg data = { 0 };
    const char *alias = NULL;
    GBytes *packet;

    if (!remoteEventParam(ev, "devAlias", "&s", &alias))
        return NULL;
    data.callbackID = cb->callbackID;
    remoteMakeDomain(&data.msg.dom, &ev->dom);
    data.msg.devAlias = g_strdup(alias);
    packet = remoteEventPacketFor(cb,
        REMOTE_PROC_DOMAIN_EVENT_DEVICE_REMOVED,
        (xdrproc_t)xdr_remote_domain_event_device_removed_msg, &data.msg,
        REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED,
        (xdrproc_t)xdr_remote_domain_event_callback_device_removed_msg, &data,
        maxLength);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_device_removed_msg, (char *)&data);
    return packet;
}

static GBytes *
remoteEventEncodeDeviceAdded(const qemuDomainEvent *ev,
                             const remoteEventCallback *cb, size_t maxLength)
{
    remote_domain_event_callback_device_added_msg data = { 0 };
    const char *alias = NULL;
    GBytes *packet;

    if (!remoteEventParam(ev, "devAlias", "&s", &alias))
        return NULL;
    data.callbackID = cb->callbackID;
    remoteMakeDomain(&data.dom, &ev->dom);
    data.devAlias = g_strdup(alias);
    packet = remoteEventPacket(REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_ADDED,
                               (xdrproc_t)xdr_remote_domain_event_callback_device_added_msg,
                               &data, maxLength);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_device_added_msg, (char *)&data);
    return packet;
}

static GBytes *
remoteEventEncodeMigrationIteration(const qemuDomainEvent *ev,
                                    const remoteEventCallback *cb,
                                    size_t maxLength)
{
    remote_domain_event_callback_migration_iteration_msg data = { 0 };
    gint32 iteration = 0;
    GBytes *packet;

    if (!remoteEventParam(ev, "iteration", "i", &iteration))
        return NULL;
    data.callbackID = cb->callbackID;
    remoteMakeDomain(&data.dom, &ev->dom);
    data.iteration = iteration;
    packet = remoteEventPacket(REMOTE_PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION,
                               (xdrproc_t)xdr_remote_domain_event_callback_migration_iteration_msg,
                               &data, maxLength);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_migration_iteration_msg,
             (char *)&data);
    return packet;
}

static GBytes *
remoteEventEncodeJobCompleted(const qemuDomainEvent *ev,
                              const remoteEventCallback *cb, size_t maxLength)
{
    remote_domain_event_callback_job_completed_msg data = { 0 };
    g_autoptr(virTypedParamList) params = remoteTypedParamsFromVariant(ev->params);
    GBytes *packet = NULL;

    data.callbackID = cb->callbackID;
    remoteMakeDomain(&data.dom, &ev->dom);
    if (params &&
        remoteSerializeTypedParams(params->par, params->npar,
                                   REMOTE_DOMAIN_JOB_STATS_MAX,
                                   &data.params.params_val,
                                   &data.params.params_len) == 0) {
        packet = remoteEventPacket(REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED,
                                   (xdrproc_t)xdr_remote_domain_event_callback_job_completed_msg,
                                   &data, maxLength);
    }
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_job_completed_msg,
             (char *)&data);
    return packet;
}

typedef GBytes *(*remoteEventEncoder)(const qemuDomainEvent *ev,
                                      const remoteEventCallback *cb,
                                      size_t maxLength);

/* Encoders by event ID; NULL: not delivered. */
static const remoteEventEncoder remoteEventEncoders[VIR_DOMAIN_EVENT_ID_LAST] = {
    [VIR_DOMAIN_EVENT_ID_LIFECYCLE] = remoteEventEncodeLifecycle,
    [VIR_DOMAIN_EVENT_ID_REBOOT] = remoteEventEncodeReboot,
    [VIR_DOMAIN_EVENT_ID_RTC_CHANGE] = remoteEventEncodeRTCChange,
    [VIR_DOMAIN_EVENT_ID_WATCHDOG] = remoteEventEncodeWatchdog,
    [VIR_DOMAIN_EVENT_ID_CONTROL_ERROR] = remoteEventEncodeControlError,
    [VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE] = remoteEventEncodeBalloonChange,
    [VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED] = remoteEventEncodeDeviceRemoved,
    [VIR_DOMAIN_EVENT_ID_DEVICE_ADDED] = remoteEventEncodeDeviceAdded,
    [VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION] = remoteEventEncodeMigrationIteration,
    [VIR_DOMAIN_EVENT_ID_JOB_COMPLETED] = remoteEventEncodeJobCompleted,
};

GBytes *
remoteEventEncode(const qemuDomainEvent *ev, const remoteEventCallback *cb,
                  size_t maxLength)
{
    if (ev->eventID < 0 || ev->eventID >= VIR_DOMAIN_EVENT_ID_LAST ||
        !remoteEventEncoders[ev->eventID]) {
        VIR_DEBUG("no encoder for event %d of domain %s", ev->eventID,
                  ev->dom.name);
        return NULL;
    }
    return remoteEventEncoders[ev->eventID](ev, cb, maxLength);
}

/* ---- delivery (main thread) ------------------------------------------ */

static bool
remoteEventMatches(const remoteEventCallback *cb, const qemuDomainEvent *ev)
{
    if (cb->eventID != ev->eventID)
        return false;
    return !cb->filtered || memcmp(cb->uuid, ev->dom.uuid, VIR_UUID_BUFLEN) == 0;
}

typedef struct {
    const qemuDomainEvent *ev;
    size_t maxLength;
} remoteEventDelivery;

static void
remoteEventDeliverToClient(virNetServerClient *client, void *opaque)
{
    const remoteEventDelivery *delivery = opaque;
    const qemuDomainEvent *ev = delivery->ev;
    remoteClient *priv = remoteClientGet(client);
    g_autoptr(GArray) matches = g_array_new(FALSE, FALSE, sizeof(remoteEventCallback));
    guint i;

    if (!priv)
        return;
    g_mutex_lock(&priv->lock);
    for (i = 0; i < priv->callbacks->len; i++) {
        remoteEventCallback *cb = &g_array_index(priv->callbacks,
                                                 remoteEventCallback, i);

        if (remoteEventMatches(cb, ev))
            g_array_append_val(matches, *cb);
    }
    g_mutex_unlock(&priv->lock);

    for (i = 0; i < matches->len; i++) {
        g_autoptr(GBytes) packet = NULL;

        packet = remoteEventEncode(ev, &g_array_index(matches, remoteEventCallback, i),
                                   delivery->maxLength);
        if (packet)
            virNetServerClientSendMessage(client, packet);
    }
}

static gboolean
remoteEventQueueFlush(gpointer opaque)
{
    remoteEventQueue *queue = opaque;
    GQueue events = G_QUEUE_INIT;
    qemuDomainEvent *ev;

    g_mutex_lock(&queue->lock);
    events = queue->events;
    g_queue_init(&queue->events);
    g_clear_pointer(&queue->flush, g_source_unref);
    g_mutex_unlock(&queue->lock);

    while ((ev = g_queue_pop_head(&events))) {
        remoteEventDelivery delivery = {
            .ev = ev,
            .maxLength = virNetServerGetMaxLength(queue->srv->net),
        };

        VIR_DEBUG("delivering event %d of domain %s", ev->eventID, ev->dom.name);
        virNetServerForEachClient(queue->srv->net, remoteEventDeliverToClient,
                                  &delivery);
        remoteEventFree(ev);
    }
    return G_SOURCE_REMOVE;
}

void
remoteEventListener(const qemuDomainEvent *ev, void *opaque)
{
    remoteEventQueue *queue = opaque;

    g_mutex_lock(&queue->lock);
    g_queue_push_tail(&queue->events, remoteEventCopy(ev));
    if (!queue->flush) {
        queue->flush = g_idle_source_new();
        g_source_set_priority(queue->flush, G_PRIORITY_DEFAULT);
        g_source_set_callback(queue->flush, remoteEventQueueFlush, queue, NULL);
        g_source_attach(queue->flush, queue->srv->ctx);
    }
    g_mutex_unlock(&queue->lock);
}

remoteEventQueue *
remoteEventQueueNew(remoteServer *srv)
{
    remoteEventQueue *queue = g_new0(remoteEventQueue, 1);

    queue->srv = srv;
    g_mutex_init(&queue->lock);
    g_queue_init(&queue->events);
    return queue;
}

void
remoteEventQueueFree(remoteEventQueue *queue)
{
    if (!queue)
        return;
    if (queue->flush) {
        g_source_destroy(queue->flush);
        g_source_unref(queue->flush);
    }
    g_queue_clear_full(&queue->events, (GDestroyNotify)remoteEventFree);
    g_mutex_clear(&queue->lock);
    g_free(queue);
}

void
remoteEventClientClosed(virNetServerClient *client, void *opaque)
{
    remoteClient *priv = remoteClientGet(client);

    g_mutex_lock(&priv->lock);
    g_array_set_size(priv->callbacks, 0);
    g_mutex_unlock(&priv->lock);
}

/* ---- registration ---------------------------------------------------- */

/* Index of a legacy registration of @eventID, or -1. */
static int
remoteEventFindLegacy(remoteClient *priv, int eventID)
{
    guint i;

    for (i = 0; i < priv->callbacks->len; i++) {
        remoteEventCallback *cb = &g_array_index(priv->callbacks,
                                                 remoteEventCallback, i);

        if (cb->legacy && cb->eventID == eventID)
            return i;
    }
    return -1;
}

static int
remoteEventRegisterLegacy(virNetServerClient *client, int eventID)
{
    remoteClient *priv = remoteClientGet(client);
    remoteEventCallback cb = { .callbackID = -1, .eventID = eventID, .legacy = true };

    /* libvirt serves the legacy form only for the IDs that had it */
    if (eventID < 0 || eventID > VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED) {
        virReportError(VIR_ERR_INTERNAL_ERROR, _("unsupported event ID %1$d"), eventID);
        return -1;
    }
    g_mutex_lock(&priv->lock);
    if (remoteEventFindLegacy(priv, eventID) >= 0) {
        g_mutex_unlock(&priv->lock);
        virReportError(VIR_ERR_INTERNAL_ERROR, _("domain event %1$d already registered"),
                       eventID);
        return -1;
    }
    g_array_append_val(priv->callbacks, cb);
    g_mutex_unlock(&priv->lock);
    return 0;
}

static int
remoteEventDeregisterLegacy(virNetServerClient *client, int eventID)
{
    remoteClient *priv = remoteClientGet(client);
    int idx;

    g_mutex_lock(&priv->lock);
    if ((idx = remoteEventFindLegacy(priv, eventID)) < 0) {
        g_mutex_unlock(&priv->lock);
        virReportError(VIR_ERR_INTERNAL_ERROR, _("domain event %1$d not registered"),
                       eventID);
        return -1;
    }
    g_array_remove_index(priv->callbacks, idx);
    g_mutex_unlock(&priv->lock);
    return 0;
}

int
remoteDispatchConnectDomainEventRegister(virNetServerClient *client,
                                         const virNetMessageHeader *header,
                                         void *args, void *ret, void *opaque)
{
    remote_connect_domain_event_register_ret *r = ret;

    if (remoteEventRegisterLegacy(client, VIR_DOMAIN_EVENT_ID_LIFECYCLE) < 0)
        return -1;
    r->cb_registered = 1;
    return 0;
}

int
remoteDispatchConnectDomainEventDeregister(virNetServerClient *client,
                                           const virNetMessageHeader *header,
                                           void *args, void *ret, void *opaque)
{
    remote_connect_domain_event_deregister_ret *r = ret;

    if (remoteEventDeregisterLegacy(client, VIR_DOMAIN_EVENT_ID_LIFECYCLE) < 0)
        return -1;
    r->cb_registered = 0;
    return 0;
}

int
remoteDispatchConnectDomainEventRegisterAny(virNetServerClient *client,
                                            const virNetMessageHeader *header,
                                            void *args, void *ret, void *opaque)
{
    remote_connect_domain_event_register_any_args *a = args;

    return remoteEventRegisterLegacy(client, a->eventID);
}

int
remoteDispatchConnectDomainEventDeregisterAny(virNetServerClient *client,
                                              const virNetMessageHeader *header,
                                              void *args, void *ret, void *opaque)
{
    remote_connect_domain_event_deregister_any_args *a = args;

    return remoteEventDeregisterLegacy(client, a->eventID);
}

int
remoteDispatchConnectDomainEventCallbackRegisterAny(virNetServerClient *client,
                                                    const virNetMessageHeader *header,
                                                    void *args, void *ret,
                                                    void *opaque)
{
    remote_connect_domain_event_callback_register_any_args *a = args;
    remote_connect_domain_event_callback_register_any_ret *r = ret;
    remoteServer *srv = opaque;
    remoteClient *priv = remoteClientGet(client);
    remoteEventCallback cb = { .eventID = a->eventID };

    if (a->eventID < 0 || a->eventID >= VIR_DOMAIN_EVENT_ID_LAST) {
        virReportError(VIR_ERR_INTERNAL_ERROR, _("unsupported event ID %1$d"),
                       a->eventID);
        return -1;
    }
    if (a->dom) {
        cb.filtered = true;
        memcpy(cb.uuid, a->dom->uuid, VIR_UUID_BUFLEN);
    }
    cb.callbackID = g_atomic_int_add(&srv->lastCallbackID, 1) + 1;
    g_mutex_lock(&priv->lock);
    g_array_append_val(priv->callbacks, cb);
    g_mutex_unlock(&priv->lock);
    r->callbackID = cb.callbackID;
    return 0;
}

int
remoteDispatchConnectDomainEventCallbackDeregisterAny(virNetServerClient *client,
                                                      const virNetMessageHeader *header,
                                                      void *args, void *ret,
                                                      void *opaque)
{
    remote_connect_domain_event_callback_deregister_any_args *a = args;
    remoteClient *priv = remoteClientGet(client);
    guint i;

    g_mutex_lock(&priv->lock);
    for (i = 0; i < priv->callbacks->len; i++) {
        remoteEventCallback *cb = &g_array_index(priv->callbacks,
                                                 remoteEventCallback, i);

        if (!cb->legacy && cb->callbackID == a->callbackID) {
            g_array_remove_index(priv->callbacks, i);
            g_mutex_unlock(&priv->lock);
            return 0;
        }
    }
    g_mutex_unlock(&priv->lock);
    virReportError(VIR_ERR_RPC, _("domain event callback %1$d not registered"),
                   a->callbackID);
    return -1;
}
