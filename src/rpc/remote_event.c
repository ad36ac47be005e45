/*
 * remote_event.c: domain, QEMU monitor and storage pool event
 * registration and delivery
 *
 * The registration procedures are generated stubs calling the helpers
 * at the end of this file.  Both drivers' events go through one queue,
 * in the order they were raised.
 */
#include <regex.h>
#include <string.h>

#include "remote_event.h"
#include "qemu_protocol.h"
#include "remote_typedparam.h"
#include "virdomainstate.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.remote_event");

/* A queued event of either family. */
typedef struct {
    remoteEventFamily family;
    qemuDomainEvent *dom;         /* REMOTE_EVENT_DOMAIN */
    storagePoolEvent pool;        /* REMOTE_EVENT_STORAGE_POOL (owns the
                                   * name) */
} remoteQueuedEvent;

struct _remoteEventQueue {
    remoteServer *srv;
    GMutex lock;
    GQueue events;                /* remoteQueuedEvent */
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

static void
remoteQueuedEventFree(remoteQueuedEvent *qev)
{
    if (!qev)
        return;
    remoteEventFree(qev->dom);
    g_free(qev->pool.pool.name);
    g_free(qev);
}

/* ---- encoding -------------------------------------------------------- */

/* The MESSAGE packet of event @proc of program @prog; frees what @data
 * holds. */
static GBytes *
remoteEventProgramPacket(unsigned int prog, unsigned int vers, int proc,
                         xdrproc_t filter, void *data, size_t maxLength)
{
    virNetMessageHeader header = {
        .prog = prog,
        .vers = vers,
        .proc = proc,
        .type = VIR_NET_MESSAGE,
        .serial = 1,              /* what libvirt's daemon sends */
        .status = VIR_NET_OK,
    };
    GBytes *packet = virNetMessageEncode(&header, filter, data, maxLength);

    xdr_free(filter, data);
    return packet;
}

/* The MESSAGE packet of the remote program's event @proc. */
static GBytes *
remoteEventPacket(int proc, xdrproc_t filter, void *data, size_t maxLength)
{
    return remoteEventProgramPacket(REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                                    proc, filter, data, maxLength);
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
    remote_domain_event_callback_lifecycle_msg data = { .callbackID = cb->callbackID };

    remoteMakeDomain(&data.msg.dom, &ev->dom);
    data.msg.event = ev->event;
    data.msg.detail = ev->detail;
    /* the legacy form is the callback form without the callback ID */
    if (cb->legacy)
        return remoteEventPacket(REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE,
                                 (xdrproc_t)xdr_remote_domain_event_lifecycle_msg,
                                 &data.msg, maxLength);
    return remoteEventPacket(REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                             (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg,
                             &data, maxLength);
}

static GBytes *
remoteEventEncodeMigrationIteration(const qemuDomainEvent *ev,
                                    const remoteEventCallback *cb,
                                    size_t maxLength)
{
    remote_domain_event_callback_migration_iteration_msg data = {
        .callbackID = cb->callbackID };
    gint32 iteration = 0;

    if (!remoteEventParam(ev, "iteration", "i", &iteration))
        return NULL;
    data.iteration = iteration;
    remoteMakeDomain(&data.dom, &ev->dom);
    return remoteEventPacket(REMOTE_PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION,
                             (xdrproc_t)xdr_remote_domain_event_callback_migration_iteration_msg,
                             &data, maxLength);
}

static GBytes *
remoteEventEncodeJobCompleted(const qemuDomainEvent *ev,
                              const remoteEventCallback *cb, size_t maxLength)
{
    remote_domain_event_callback_job_completed_msg data = {
        .callbackID = cb->callbackID };
    g_autoptr(virTypedParamList) params = remoteTypedParamsFromVariant(ev->params);

    if (!params ||
        remoteSerializeTypedParams(params->par, params->npar,
                                   REMOTE_DOMAIN_JOB_STATS_MAX,
                                   &data.params.params_val,
                                   &data.params.params_len) < 0)
        return NULL;
    remoteMakeDomain(&data.dom, &ev->dom);
    return remoteEventPacket(REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED,
                             (xdrproc_t)xdr_remote_domain_event_callback_job_completed_msg,
                             &data, maxLength);
}

typedef GBytes *(*remoteEventEncoder)(const qemuDomainEvent *ev,
                                      const remoteEventCallback *cb,
                                      size_t maxLength);

/* Encoders by event ID, for the events the driver raises; the others
 * are not delivered. */
static const remoteEventEncoder remoteEventEncoders[VIR_DOMAIN_EVENT_ID_LAST] = {
    [VIR_DOMAIN_EVENT_ID_LIFECYCLE] = remoteEventEncodeLifecycle,
    [VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION] = remoteEventEncodeMigrationIteration,
    [VIR_DOMAIN_EVENT_ID_JOB_COMPLETED] = remoteEventEncodeJobCompleted,
};

/* QEMU_PROC_DOMAIN_MONITOR_EVENT of the QEMU program. */
static GBytes *
remoteEventEncodeQemuMonitor(const qemuDomainEvent *ev,
                             const remoteEventCallback *cb, size_t maxLength)
{
    qemu_domain_monitor_event_msg data = { .callbackID = cb->callbackID };
    const char *name = NULL;
    const char *details = NULL;
    gint64 seconds = -1;
    guint32 micros = 0;

    if (!remoteEventParam(ev, "event", "&s", &name) ||
        !remoteEventParam(ev, "seconds", "x", &seconds) ||
        !remoteEventParam(ev, "micros", "u", &micros))
        return NULL;
    /* absent when QEMU sent no data */
    g_variant_lookup(ev->params, "details", "&s", &details);
    remoteMakeDomain(&data.dom, &ev->dom);
    data.event = g_strdup(name);
    data.seconds = seconds;
    data.micros = micros;
    if (details) {
        data.details = g_new0(char *, 1);
        *data.details = g_strdup(details);
    }
    return remoteEventProgramPacket(QEMU_PROGRAM, QEMU_PROTOCOL_VERSION,
                                    QEMU_PROC_DOMAIN_MONITOR_EVENT,
                                    (xdrproc_t)xdr_qemu_domain_monitor_event_msg,
                                    &data, maxLength);
}

GBytes *
remoteEventEncode(const qemuDomainEvent *ev, const remoteEventCallback *cb,
                  size_t maxLength)
{
    if (ev->eventID == QEMU_DOMAIN_EVENT_ID_MONITOR)
        return remoteEventEncodeQemuMonitor(ev, cb, maxLength);
    if (ev->eventID < 0 || ev->eventID >= VIR_DOMAIN_EVENT_ID_LAST ||
        !remoteEventEncoders[ev->eventID]) {
        VIR_DEBUG("no encoder for event %d of domain %s", ev->eventID,
                  ev->dom.name);
        return NULL;
    }
    return remoteEventEncoders[ev->eventID](ev, cb, maxLength);
}

static GBytes *
remoteEventEncodeStoragePool(const storagePoolEvent *ev,
                             const remoteEventCallback *cb, size_t maxLength)
{
    if (ev->eventID == VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE) {
        remote_storage_pool_event_lifecycle_msg data = {
            .callbackID = cb->callbackID, .event = ev->event, .detail = ev->detail };

        data.pool.name = g_strdup(ev->pool.name);
        memcpy(data.pool.uuid, ev->pool.uuid, VIR_UUID_BUFLEN);
        return remoteEventPacket(REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE,
                                 (xdrproc_t)xdr_remote_storage_pool_event_lifecycle_msg,
                                 &data, maxLength);
    }
    if (ev->eventID == VIR_STORAGE_POOL_EVENT_ID_REFRESH) {
        remote_storage_pool_event_refresh_msg data = { .callbackID = cb->callbackID };

        data.pool.name = g_strdup(ev->pool.name);
        memcpy(data.pool.uuid, ev->pool.uuid, VIR_UUID_BUFLEN);
        return remoteEventPacket(REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH,
                                 (xdrproc_t)xdr_remote_storage_pool_event_refresh_msg,
                                 &data, maxLength);
    }
    return NULL;
}

/* ---- delivery (main thread) ------------------------------------------ */

/* ---- QEMU monitor event name filters ---------------------------------- */

/* libvirt's VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_* */
#define REMOTE_QEMU_EVENT_REGEX (1 << 0)
#define REMOTE_QEMU_EVENT_NOCASE (1 << 1)

struct _remoteQemuEventFilter {
    char *name;                   /* exact (or case-insensitive) name */
    bool nocase;
    bool isRegex;
    regex_t regex;                /* a POSIX basic regular expression */
};

static void
remoteQemuEventFilterFree(remoteQemuEventFilter *filter)
{
    if (!filter)
        return;
    if (filter->isRegex)
        regfree(&filter->regex);
    g_free(filter->name);
    g_free(filter);
}

/* Sets *@filter to the name filter of a registration for @event with
 * @flags, as libvirt compiles it (NULL for a NULL @event: every name).
 * 0, or -1 with an error (bad flags or regular expression). */
static int
remoteQemuEventFilterNew(const char *event, unsigned int flags,
                         remoteQemuEventFilter **filter)
{
    g_autofree remoteQemuEventFilter *f = NULL;
    int rc;

    *filter = NULL;
    if (!virCheckFlags(flags, REMOTE_QEMU_EVENT_REGEX | REMOTE_QEMU_EVENT_NOCASE))
        return -1;
    if (!event)
        return 0;
    f = g_new0(remoteQemuEventFilter, 1);
    f->nocase = flags & REMOTE_QEMU_EVENT_NOCASE;
    if (!(flags & REMOTE_QEMU_EVENT_REGEX)) {
        f->name = g_strdup(event);
        *filter = g_steal_pointer(&f);
        return 0;
    }
    rc = regcomp(&f->regex, event, REG_NOSUB | (f->nocase ? REG_ICASE : 0));
    if (rc != 0) {
        char msg[100];

        regerror(rc, &f->regex, msg, sizeof(msg));
        regfree(&f->regex);
        virReportError(VIR_ERR_INVALID_ARG, _("failed to compile regex '%1$s': %2$s"),
                       event, msg);
        return -1;
    }
    f->isRegex = true;
    *filter = g_steal_pointer(&f);
    return 0;
}

static bool
remoteQemuEventFilterMatches(const remoteQemuEventFilter *filter,
                             const char *name)
{
    if (!filter)
        return true;
    if (filter->isRegex)
        return regexec(&filter->regex, name, 0, NULL, 0) == 0;
    if (filter->nocase)
        return g_ascii_strcasecmp(filter->name, name) == 0;
    return g_str_equal(filter->name, name);
}

void
remoteEventCallbackClear(remoteEventCallback *cb)
{
    g_clear_pointer(&cb->qemuFilter, remoteQemuEventFilterFree);
}

static bool
remoteEventMatches(const remoteEventCallback *cb, const remoteQueuedEvent *qev)
{
    const unsigned char *uuid;
    const char *name = NULL;
    int eventID;

    if (cb->family != qev->family)
        return false;
    if (qev->family != REMOTE_EVENT_STORAGE_POOL) {
        eventID = qev->dom->eventID;
        uuid = qev->dom->dom.uuid;
    } else {
        eventID = qev->pool.eventID;
        uuid = qev->pool.pool.uuid;
    }
    if (cb->eventID != eventID)
        return false;
    if (cb->filtered && memcmp(cb->uuid, uuid, VIR_UUID_BUFLEN) != 0)
        return false;
    if (qev->family != REMOTE_EVENT_QEMU_MONITOR)
        return true;
    return qev->dom->params &&
           g_variant_lookup(qev->dom->params, "event", "&s", &name) &&
           remoteQemuEventFilterMatches(cb->qemuFilter, name);
}

typedef struct {
    const remoteQueuedEvent *ev;
    size_t maxLength;
} remoteEventDelivery;

static void
remoteEventDeliverToClient(virNetServerClient *client, void *opaque)
{
    const remoteEventDelivery *delivery = opaque;
    const remoteQueuedEvent *ev = delivery->ev;
    remoteClient *priv = remoteClientGet(client);
    g_autoptr(GArray) matches = g_array_new(FALSE, FALSE, sizeof(remoteEventCallback));
    guint i;

    if (!priv)
        return;
    g_mutex_lock(&priv->lock);
    for (i = 0; i < priv->callbacks->len; i++) {
        remoteEventCallback *cb = &g_array_index(priv->callbacks,
                                                 remoteEventCallback, i);

        /* the copy is only encoded: it does not own the filter */
        if (remoteEventMatches(cb, ev)) {
            remoteEventCallback copy = *cb;

            copy.qemuFilter = NULL;
            g_array_append_val(matches, copy);
        }
    }
    g_mutex_unlock(&priv->lock);

    for (i = 0; i < matches->len; i++) {
        const remoteEventCallback *cb = &g_array_index(matches, remoteEventCallback, i);
        g_autoptr(GBytes) packet = NULL;

        if (ev->family != REMOTE_EVENT_STORAGE_POOL)
            packet = remoteEventEncode(ev->dom, cb, delivery->maxLength);
        else
            packet = remoteEventEncodeStoragePool(&ev->pool, cb, delivery->maxLength);
        if (packet)
            virNetServerClientSendMessage(client, packet);
    }
}

static gboolean
remoteEventQueueFlush(gpointer opaque)
{
    remoteEventQueue *queue = opaque;
    GQueue events = G_QUEUE_INIT;
    remoteQueuedEvent *ev;

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

        virNetServerForEachClient(queue->srv->net, remoteEventDeliverToClient,
                                  &delivery);
        remoteQueuedEventFree(ev);
    }
    return G_SOURCE_REMOVE;
}

/* Queues @qev (taken) and wakes the main context. */
static void
remoteEventQueuePush(remoteEventQueue *queue, remoteQueuedEvent *qev)
{
    g_mutex_lock(&queue->lock);
    g_queue_push_tail(&queue->events, qev);
    if (!queue->flush) {
        queue->flush = g_idle_source_new();
        g_source_set_priority(queue->flush, G_PRIORITY_DEFAULT);
        g_source_set_callback(queue->flush, remoteEventQueueFlush, queue, NULL);
        g_source_attach(queue->flush, queue->srv->ctx);
    }
    g_mutex_unlock(&queue->lock);
}

void
remoteEventListener(const qemuDomainEvent *ev, void *opaque)
{
    remoteQueuedEvent *qev = g_new0(remoteQueuedEvent, 1);

    qev->family = ev->eventID == QEMU_DOMAIN_EVENT_ID_MONITOR ?
                  REMOTE_EVENT_QEMU_MONITOR : REMOTE_EVENT_DOMAIN;
    qev->dom = remoteEventCopy(ev);
    VIR_DEBUG("queueing event %d of domain %s", ev->eventID, ev->dom.name);
    remoteEventQueuePush(opaque, qev);
}

void
remoteEventStoragePoolListener(const storagePoolEvent *ev, void *opaque)
{
    remoteQueuedEvent *qev = g_new0(remoteQueuedEvent, 1);

    qev->family = REMOTE_EVENT_STORAGE_POOL;
    qev->pool = *ev;
    qev->pool.pool.name = g_strdup(ev->pool.name);
    VIR_DEBUG("queueing event %d of storage pool %s", ev->eventID, ev->pool.name);
    remoteEventQueuePush(opaque, qev);
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
    g_queue_clear_full(&queue->events, (GDestroyNotify)remoteQueuedEventFree);
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

/* Index of the registration of @priv of @family with @key (legacy
 * ones: the event ID, the others: the callback ID), or -1.  Call with
 * the lock. */
static int
remoteEventFind(remoteClient *priv, remoteEventFamily family, bool legacy,
                int key)
{
    guint i;

    for (i = 0; i < priv->callbacks->len; i++) {
        remoteEventCallback *cb = &g_array_index(priv->callbacks,
                                                 remoteEventCallback, i);

        if (cb->family == family && cb->legacy == legacy &&
            (legacy ? cb->eventID : cb->callbackID) == key)
            return i;
    }
    return -1;
}

/* Adds @cb, unless the connection holds REMOTE_EVENT_CALLBACKS_MAX
 * registrations already (each costs memory and work at every event),
 * or a legacy one for the same event ID. */
static int
remoteEventAdd(virNetServerClient *client, const remoteEventCallback *cb)
{
    remoteClient *priv = remoteClientGet(client);
    int rc = -1;

    g_mutex_lock(&priv->lock);
    if (priv->callbacks->len >= REMOTE_EVENT_CALLBACKS_MAX) {
        virReportError(VIR_ERR_RPC,
                       _("Too many domain event callbacks '%1$u' for limit '%2$d'"),
                       priv->callbacks->len + 1, REMOTE_EVENT_CALLBACKS_MAX);
    } else if (cb->legacy && remoteEventFind(priv, cb->family, true, cb->eventID) >= 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("domain event %1$d already registered"), cb->eventID);
    } else {
        g_array_append_val(priv->callbacks, *cb);
        rc = 0;
    }
    g_mutex_unlock(&priv->lock);
    return rc;
}

/* Removes the registration @key (see remoteEventFind); false if none. */
static bool
remoteEventRemove(virNetServerClient *client, remoteEventFamily family,
                  bool legacy, int key)
{
    remoteClient *priv = remoteClientGet(client);
    int idx;

    g_mutex_lock(&priv->lock);
    if ((idx = remoteEventFind(priv, family, legacy, key)) >= 0)
        g_array_remove_index(priv->callbacks, idx);
    g_mutex_unlock(&priv->lock);
    return idx >= 0;
}

int
remoteEventRegisterLegacy(virNetServerClient *client, int eventID)
{
    remoteEventCallback cb = { .callbackID = -1, .eventID = eventID, .legacy = true };

    /* libvirt serves the legacy form only for the IDs that had it */
    if (eventID < 0 || eventID > VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED) {
        virReportError(VIR_ERR_INTERNAL_ERROR, _("unsupported event ID %1$d"), eventID);
        return -1;
    }
    return remoteEventAdd(client, &cb);
}

int
remoteEventDeregister(virNetServerClient *client, bool legacy, int key)
{
    if (remoteEventRemove(client, REMOTE_EVENT_DOMAIN, legacy, key))
        return 0;
    if (legacy)
        virReportError(VIR_ERR_INTERNAL_ERROR, _("domain event %1$d not registered"),
                       key);
    else
        virReportError(VIR_ERR_RPC, _("domain event callback %1$d not registered"),
                       key);
    return -1;
}

int
remoteEventRegisterLifecycle(virNetServerClient *client)
{
    return remoteEventRegisterLegacy(client, VIR_DOMAIN_EVENT_ID_LIFECYCLE) < 0 ? -1 : 1;
}

int
remoteEventRegisterCallback(virNetServerClient *client, remoteServer *srv,
                            int eventID, const remote_nonnull_domain *dom)
{
    remoteEventCallback cb = { .eventID = eventID };

    if (eventID < 0 || eventID >= VIR_DOMAIN_EVENT_ID_LAST) {
        virReportError(VIR_ERR_INTERNAL_ERROR, _("unsupported event ID %1$d"),
                       eventID);
        return -1;
    }
    if (dom) {
        cb.filtered = true;
        memcpy(cb.uuid, dom->uuid, VIR_UUID_BUFLEN);
    }
    cb.callbackID = g_atomic_int_add(&srv->lastCallbackID, 1) + 1;
    if (remoteEventAdd(client, &cb) < 0)
        return -1;
    return cb.callbackID;
}


int
remoteEventRegisterQemu(virNetServerClient *client, remoteServer *srv,
                        const remote_nonnull_domain *dom, const char *event,
                        unsigned int flags)
{
    remoteEventCallback cb = { .family = REMOTE_EVENT_QEMU_MONITOR,
                               .eventID = QEMU_DOMAIN_EVENT_ID_MONITOR };

    if (remoteQemuEventFilterNew(event, flags, &cb.qemuFilter) < 0)
        return -1;
    if (dom) {
        cb.filtered = true;
        memcpy(cb.uuid, dom->uuid, VIR_UUID_BUFLEN);
    }
    cb.callbackID = g_atomic_int_add(&srv->lastCallbackID, 1) + 1;
    if (remoteEventAdd(client, &cb) < 0) {
        remoteEventCallbackClear(&cb);
        return -1;
    }
    return cb.callbackID;
}

int
remoteEventDeregisterQemu(virNetServerClient *client, int callbackID)
{
    if (remoteEventRemove(client, REMOTE_EVENT_QEMU_MONITOR, false, callbackID))
        return 0;
    virReportError(VIR_ERR_RPC, _("qemu monitor event callback %1$d not registered"),
                   callbackID);
    return -1;
}

/* libvirt's names of the object types in its daemon's messages */
static const char *
remoteEventFamilyName(remoteEventFamily family)
{
    switch (family) {
    case REMOTE_EVENT_DOMAIN:
    case REMOTE_EVENT_QEMU_MONITOR:
        return "domain";
    case REMOTE_EVENT_NETWORK:
        return "network";
    case REMOTE_EVENT_STORAGE_POOL:
        return "storage pool";
    case REMOTE_EVENT_NODE_DEVICE:
        return "node device";
    case REMOTE_EVENT_SECRET:
        return "secret";
    }
    return "";
}

/* A registration of @family for @eventID (below @lastID), of the object
 * @uuid only unless NULL: its callback ID, or -1. */
static int
remoteEventRegisterFamily(virNetServerClient *client, remoteServer *srv,
                          remoteEventFamily family, int eventID, int lastID,
                          const unsigned char *uuid)
{
    remoteEventCallback cb = { .family = family, .eventID = eventID };

    if (eventID < 0 || eventID >= lastID) {
        virReportError(VIR_ERR_INTERNAL_ERROR, _("unsupported %1$s event ID %2$d"),
                       remoteEventFamilyName(family), eventID);
        return -1;
    }
    if (uuid) {
        cb.filtered = true;
        memcpy(cb.uuid, uuid, VIR_UUID_BUFLEN);
    }
    cb.callbackID = g_atomic_int_add(&srv->lastCallbackID, 1) + 1;
    if (remoteEventAdd(client, &cb) < 0)
        return -1;
    return cb.callbackID;
}

int
remoteEventRegisterObject(virNetServerClient *client, remoteServer *srv,
                          remoteEventFamily family, int eventID, int lastID)
{
    return remoteEventRegisterFamily(client, srv, family, eventID, lastID, NULL);
}

int
remoteEventRegisterStoragePool(virNetServerClient *client, remoteServer *srv,
                               int eventID, const remote_nonnull_storage_pool *pool)
{
    return remoteEventRegisterFamily(client, srv, REMOTE_EVENT_STORAGE_POOL, eventID,
                                     VIR_STORAGE_POOL_EVENT_ID_LAST,
                                     pool ? (const unsigned char *)pool->uuid : NULL);
}

int
remoteEventDeregisterObject(virNetServerClient *client, remoteEventFamily family,
                            int callbackID)
{
    if (remoteEventRemove(client, family, false, callbackID))
        return 0;
    virReportError(VIR_ERR_RPC, _("%1$s event callback %2$d not registered"),
                   remoteEventFamilyName(family), callbackID);
    return -1;
}

int
remoteEventDeregisterStoragePool(virNetServerClient *client, int callbackID)
{
    return remoteEventDeregisterObject(client, REMOTE_EVENT_STORAGE_POOL, callbackID);
}
