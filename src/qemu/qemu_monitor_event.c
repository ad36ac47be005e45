/*
 * qemu_monitor_event.c: decoding QMP events into monitor callbacks
 *
 * Every event goes to the anyEvent callback first.  Events are looked
 * up in a table sorted by name (bsearch); events without an entry go to
 * the generic domainEvent callback.  Unknown
 * values inside known events are logged and mapped to safe values:
 * QEMU keeps adding states.
 */
#include <stdlib.h>
#include <string.h>

#include "qemu_monitor.h"
#include "qemu_monitor_priv.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_monitor_event");

VIR_ENUM_IMPL(qemuMonitorMigrationStatus,
              QEMU_MONITOR_MIGRATION_STATUS_LAST,
              "none",
              "setup",
              "cancelling",
              "cancelled",
              "active",
              "postcopy-active",
              "postcopy-paused",
              "postcopy-recover",
              "completed",
              "failed",
              "colo",
              "pre-switchover",
              "device",
              "wait-unplug",
              "unknown");


VIR_ENUM_IMPL(qemuMonitorJobStatus,
              QEMU_MONITOR_JOB_STATUS_LAST,
              "undefined", "created", "running", "paused", "ready", "standby",
              "waiting", "pending", "aborting", "concluded", "null", "unknown");


qemuMonitorJobStatus
qemuMonitorJobStatusParse(const char *str)
{
    int status = qemuMonitorJobStatusTypeFromString(str);

    if (status < 0 || status == QEMU_MONITOR_JOB_STATUS_UNKNOWN) {
        VIR_WARN("unknown QEMU job status '%s'", str ? str : "(missing)");
        return QEMU_MONITOR_JOB_STATUS_UNKNOWN;
    }
    return status;
}


qemuMonitorMigrationStatus
qemuMonitorMigrationStatusParse(const char *str)
{
    int status = qemuMonitorMigrationStatusTypeFromString(str);

    if (status < 0 || status == QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN) {
        VIR_WARN("unknown QEMU migration status '%s'", str ? str : "(missing)");
        return QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN;
    }
    return status;
}


typedef void (*qemuMonitorEventHandlerFunc)(qemuMonitor *mon,
                                            const qemuMonitorCallbacks *cb,
                                            void *opaque,
                                            json_object *data);

typedef struct _qemuMonitorEventHandler qemuMonitorEventHandler;
struct _qemuMonitorEventHandler {
    const char *name;
    qemuMonitorEventHandlerFunc handler;
};


static json_object *
qemuMonitorEventMember(json_object *data, const char *key, json_type type)
{
    json_object *val;

    if (!data || !json_object_object_get_ex(data, key, &val) ||
        !json_object_is_type(val, type))
        return NULL;
    return val;
}


static void
qemuMonitorEventHandleStop(qemuMonitor *mon, const qemuMonitorCallbacks *cb,
                           void *opaque, json_object *data G_GNUC_UNUSED)
{
    if (cb->domainStop)
        cb->domainStop(mon, opaque);
}


static void
qemuMonitorEventHandleResume(qemuMonitor *mon, const qemuMonitorCallbacks *cb,
                             void *opaque, json_object *data G_GNUC_UNUSED)
{
    if (cb->domainResume)
        cb->domainResume(mon, opaque);
}


static void
qemuMonitorEventHandleReset(qemuMonitor *mon, const qemuMonitorCallbacks *cb,
                            void *opaque, json_object *data G_GNUC_UNUSED)
{
    if (cb->domainReset)
        cb->domainReset(mon, opaque);
}


static void
qemuMonitorEventHandlePowerdown(qemuMonitor *mon,
                                const qemuMonitorCallbacks *cb,
                                void *opaque, json_object *data G_GNUC_UNUSED)
{
    if (cb->domainPowerdown)
        cb->domainPowerdown(mon, opaque);
}


static void
qemuMonitorEventHandleShutdown(qemuMonitor *mon,
                               const qemuMonitorCallbacks *cb,
                               void *opaque, json_object *data)
{
    qemuMonitorShutdownInfo info = { 0 };
    json_object *guest = qemuMonitorEventMember(data, "guest",
                                                json_type_boolean);
    json_object *reason = qemuMonitorEventMember(data, "reason",
                                                 json_type_string);

    if (guest) {
        info.hasGuest = true;
        info.guest = json_object_get_boolean(guest);
    }
    if (reason)
        info.reason = json_object_get_string(reason);
    if (cb->domainShutdown)
        cb->domainShutdown(mon, &info, opaque);
}


static void
qemuMonitorEventHandleMigration(qemuMonitor *mon,
                                const qemuMonitorCallbacks *cb,
                                void *opaque, json_object *data)
{
    json_object *status = qemuMonitorEventMember(data, "status",
                                                 json_type_string);
    qemuMonitorMigrationStatus value;

    if (!status) {
        VIR_WARN("missing status in MIGRATION event");
        return;
    }
    value = qemuMonitorMigrationStatusParse(json_object_get_string(status));
    if (cb->domainMigrationStatus)
        cb->domainMigrationStatus(mon, value, opaque);
}


static void
qemuMonitorEventHandleMigrationPass(qemuMonitor *mon,
                                    const qemuMonitorCallbacks *cb,
                                    void *opaque, json_object *data)
{
    json_object *pass = qemuMonitorEventMember(data, "pass", json_type_int);

    if (!pass) {
        VIR_WARN("missing pass in MIGRATION_PASS event");
        return;
    }
    if (cb->domainMigrationPass)
        cb->domainMigrationPass(mon, json_object_get_int(pass), opaque);
}


static void
qemuMonitorEventHandleJobStatusChange(qemuMonitor *mon,
                                      const qemuMonitorCallbacks *cb,
                                      void *opaque, json_object *data)
{
    json_object *id = qemuMonitorEventMember(data, "id", json_type_string);
    json_object *status = qemuMonitorEventMember(data, "status", json_type_string);

    if (!id || !status) {
        VIR_WARN("missing id or status in JOB_STATUS_CHANGE event");
        return;
    }
    if (cb->domainJobStatusChange)
        cb->domainJobStatusChange(mon, json_object_get_string(id),
                                  qemuMonitorJobStatusParse(json_object_get_string(status)),
                                  opaque);
}


static void
qemuMonitorEventHandleBalloonChange(qemuMonitor *mon,
                                    const qemuMonitorCallbacks *cb,
                                    void *opaque, json_object *data)
{
    json_object *actual = qemuMonitorEventMember(data, "actual", json_type_int);

    if (!actual) {
        VIR_WARN("BALLOON_CHANGE event without 'actual'");
        return;
    }
    if (cb->domainBalloonChange)
        cb->domainBalloonChange(mon, json_object_get_uint64(actual), opaque);
}


/* Sorted by name (strcmp): looked up with bsearch. */
static const qemuMonitorEventHandler qemuMonitorEventHandlers[] = {
    { "BALLOON_CHANGE", qemuMonitorEventHandleBalloonChange },
    { "JOB_STATUS_CHANGE", qemuMonitorEventHandleJobStatusChange },
    { "MIGRATION", qemuMonitorEventHandleMigration },
    { "MIGRATION_PASS", qemuMonitorEventHandleMigrationPass },
    { "POWERDOWN", qemuMonitorEventHandlePowerdown },
    { "RESET", qemuMonitorEventHandleReset },
    { "RESUME", qemuMonitorEventHandleResume },
    { "SHUTDOWN", qemuMonitorEventHandleShutdown },
    { "STOP", qemuMonitorEventHandleStop },
};


size_t
qemuMonitorEventHandlerCount(void)
{
    return G_N_ELEMENTS(qemuMonitorEventHandlers);
}


const char *
qemuMonitorEventHandlerName(size_t idx)
{
    if (idx >= G_N_ELEMENTS(qemuMonitorEventHandlers))
        return NULL;
    return qemuMonitorEventHandlers[idx].name;
}


static int
qemuMonitorEventCompare(const void *key, const void *elem)
{
    const qemuMonitorEventHandler *handler = elem;

    return strcmp(key, handler->name);
}


static void
qemuMonitorEventTimestamp(json_object *event, long long *seconds,
                          unsigned int *micros)
{
    json_object *stamp = qemuMonitorEventMember(event, "timestamp",
                                                json_type_object);
    json_object *val;

    *seconds = -1;
    *micros = 0;
    if ((val = qemuMonitorEventMember(stamp, "seconds", json_type_int)))
        *seconds = json_object_get_int64(val);
    if ((val = qemuMonitorEventMember(stamp, "microseconds", json_type_int)))
        *micros = json_object_get_int(val);
}


void
qemuMonitorEventDispatch(qemuMonitor *mon, const qemuMonitorCallbacks *cb,
                         void *opaque, json_object *event)
{
    json_object *name = qemuMonitorEventMember(event, "event",
                                               json_type_string);
    json_object *data = qemuMonitorEventMember(event, "data",
                                               json_type_object);
    const qemuMonitorEventHandler *handler;
    const char *type;
    long long seconds;
    unsigned int micros;

    if (!name) {
        VIR_WARN("dropping QMP event without a name");
        return;
    }
    type = json_object_get_string(name);
    handler = bsearch(type, qemuMonitorEventHandlers,
                      G_N_ELEMENTS(qemuMonitorEventHandlers),
                      sizeof(qemuMonitorEventHandlers[0]),
                      qemuMonitorEventCompare);
    VIR_DEBUG("mon=%p event=%s handled=%d", mon, type, handler != NULL);
    qemuMonitorEventTimestamp(event, &seconds, &micros);
    if (cb->anyEvent)
        cb->anyEvent(mon, type, seconds, micros, data, opaque);
    if (handler) {
        handler->handler(mon, cb, opaque, data);
        return;
    }
    if (cb->domainEvent)
        cb->domainEvent(mon, type, seconds, micros, data, opaque);
}
