/*
 * qemu_events.c: reacting to QEMU monitor events
 */
#include "qemu_events.h"
#include "qemu_migration_storage.h"
#include "qemu_migration_state.h"
#include "qemu_process_event.h"
#include "qemu_monitor.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_events");

static void
qemuProcessHandleEOF(qemuMonitor *mon, void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv;

    virDomainObjLock(vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (priv->mon == mon && !priv->beingDestroyed && !priv->monitorGone) {
        VIR_DEBUG("domain %s: monitor EOF", vm->def->name);
        priv->monitorGone = true;
        /* a thread waiting for a migration must notice */
        g_cond_broadcast(&vm->cond);
        qemuProcessQueueEvent(vm, QEMU_PROCESS_EVENT_MONITOR_EOF);
    }
    virDomainObjUnlock(vm);
}

static void
qemuProcessHandleStop(qemuMonitor *mon, void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv;
    int reason;
    int detail = VIR_DOMAIN_EVENT_SUSPENDED_PAUSED;

    virDomainObjLock(vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    /* QEMU stops after a poweroff it stays for: no pause of the guest */
    if (priv->mon != mon || vm->state != VIR_DOMAIN_RUNNING ||
        (priv->fakeReboot && priv->gotShutdown)) {
        virDomainObjUnlock(vm);
        return;
    }
    reason = priv->pausedReason;
    priv->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
    if (reason == VIR_DOMAIN_PAUSED_MIGRATION)
        detail = VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED;
    else if (reason == VIR_DOMAIN_PAUSED_POSTCOPY)
        detail = VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY;
    virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, reason);
    qemuDomainSaveStatusOrWarn(priv->driver, vm);
    /* the migration status is applied on a worker: a switch to
     * post-copy it sees before this event is out is reported after it */
    priv->mig.stopEmitting = true;
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(priv->driver, vm, VIR_DOMAIN_EVENT_SUSPENDED, detail);
    virDomainObjLock(vm);
    priv->mig.stopEmitting = false;
    if (priv->mon == mon)
        qemuMigrationStateGuestStopped(priv->driver, vm);
    virDomainObjUnlock(vm);
}

static void
qemuProcessHandleResume(qemuMonitor *mon, void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv;
    int reason;
    int detail = VIR_DOMAIN_EVENT_RESUMED_UNPAUSED;

    virDomainObjLock(vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (priv->mon != mon || vm->state == VIR_DOMAIN_RUNNING) {
        virDomainObjUnlock(vm);
        return;
    }
    reason = priv->runningReason;
    priv->runningReason = VIR_DOMAIN_RUNNING_UNPAUSED;
    if (reason == VIR_DOMAIN_RUNNING_MIGRATED)
        detail = VIR_DOMAIN_EVENT_RESUMED_MIGRATED;
    else if (reason == VIR_DOMAIN_RUNNING_POSTCOPY)
        detail = VIR_DOMAIN_EVENT_RESUMED_POSTCOPY;
    virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, reason);
    qemuDomainSaveStatusOrWarn(priv->driver, vm);
    virDomainObjUnlock(vm);
    /* A start from boot is reported as STARTED by the API, not RESUMED. */
    if (reason != VIR_DOMAIN_RUNNING_BOOTED)
        qemuDriverEmitLifecycle(priv->driver, vm, VIR_DOMAIN_EVENT_RESUMED, detail);
}

static void
qemuProcessHandleShutdown(qemuMonitor *mon, const qemuMonitorShutdownInfo *info,
                          void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv;
    int detail = VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED;

    virDomainObjLock(vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (priv->mon != mon) {
        virDomainObjUnlock(vm);
        return;
    }
    priv->gotShutdown = true;
    /* virDomainReboot's poweroff: QEMU paused instead of quitting and a
     * worker resets it; the state does not change (libvirt) */
    if (priv->fakeReboot) {
        qemuProcessQueueEvent(vm, QEMU_PROCESS_EVENT_FAKE_REBOOT);
        virDomainObjUnlock(vm);
        return;
    }
    if (info && info->hasGuest)
        detail = info->guest ? VIR_DOMAIN_EVENT_SHUTDOWN_GUEST
                             : VIR_DOMAIN_EVENT_SHUTDOWN_HOST;
    virDomainObjSetState(vm, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_USER);
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(priv->driver, vm, VIR_DOMAIN_EVENT_SHUTDOWN, detail);
}

/* QEMU's migration state changed: recorded for the threads waiting for
 * it; what it means for the domain is decided by a worker
 * (qemuMigrationStateApply). */
static void
qemuProcessHandleMigrationStatus(qemuMonitor *mon,
                                 qemuMonitorMigrationStatus status,
                                 void *opaque)
{
    virDomainObj *vm = opaque;

    virDomainObjLock(vm);
    if (QEMU_DOMAIN_PRIVATE(vm)->mon == mon)
        qemuMigrationStateRecord(vm, status);
    virDomainObjUnlock(vm);
}

/* A precopy pass ended: libvirt's MIGRATION_ITERATION event. */
static void
qemuProcessHandleMigrationPass(qemuMonitor *mon, int pass, void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv;
    bool emit = false;

    virDomainObjLock(vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (priv->mon == mon)
        emit = qemuMigrationStateRecordPass(vm, pass);
    virDomainObjUnlock(vm);
    if (emit) {
        GVariantDict dict;

        g_variant_dict_init(&dict, NULL);
        g_variant_dict_insert(&dict, "iteration", "i", pass);
        qemuDriverEmitEvent(priv->driver, vm, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
                            0, 0, g_variant_dict_end(&dict));
    }
}

/* A block job changed state: a storage copy's mirror. */
static void
qemuProcessHandleJobStatusChange(qemuMonitor *mon, const char *jobId,
                                 qemuMonitorJobStatus status, void *opaque)
{
    virDomainObj *vm = opaque;

    virDomainObjLock(vm);
    if (QEMU_DOMAIN_PRIVATE(vm)->mon == mon)
        qemuMigrationStorageRecordJob(vm, jobId, status);
    virDomainObjUnlock(vm);
}

/* Every event: libvirt-qemu's monitor event, for the clients that
 * registered for it. */
static void
qemuProcessHandleAnyEvent(qemuMonitor *mon, const char *event,
                          long long seconds, unsigned int micros,
                          json_object *data, void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv;
    GVariantDict dict;
    bool current;

    virDomainObjLock(vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    current = priv->mon == mon;
    virDomainObjUnlock(vm);
    if (!current)
        return;
    g_variant_dict_init(&dict, NULL);
    g_variant_dict_insert(&dict, "event", "s", event);
    g_variant_dict_insert(&dict, "seconds", "x", (gint64)seconds);
    g_variant_dict_insert(&dict, "micros", "u", (guint32)micros);
    if (data)
        g_variant_dict_insert(&dict, "details", "s",
                              json_object_to_json_string_ext(data,
                                  JSON_C_TO_STRING_PLAIN |
                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    qemuDriverEmitEvent(priv->driver, vm, QEMU_DOMAIN_EVENT_ID_MONITOR, 0, 0,
                        g_variant_dict_end(&dict));
}

/* The guest's balloon moved: the live <currentMemory> follows it, as
 * libvirt's cur_balloon (balloon.current, virsh dominfo). */
static void
qemuProcessHandleBalloonChange(qemuMonitor *mon, unsigned long long actual,
                               void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv;

    virDomainObjLock(vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (priv->mon == mon && virDomainObjIsActive(vm)) {
        VIR_DEBUG("domain %s: balloon at %llu KiB", vm->def->name, actual / 1024);
        vm->def->currentMemory = actual / 1024;
        qemuDomainSaveStatusOrWarn(priv->driver, vm);
    }
    virDomainObjUnlock(vm);
}

/* The monitor is gone: drop the domain reference it held. */
static void
qemuProcessHandleMonitorDestroy(qemuMonitor *mon, void *opaque)
{
    virDomainObjUnref(opaque);
}

static const qemuMonitorCallbacks qemuProcessCallbacks = {
    .destroy = qemuProcessHandleMonitorDestroy,
    .eofNotify = qemuProcessHandleEOF,
    .errorNotify = qemuProcessHandleEOF,
    .domainStop = qemuProcessHandleStop,
    .domainResume = qemuProcessHandleResume,
    .domainShutdown = qemuProcessHandleShutdown,
    .domainMigrationStatus = qemuProcessHandleMigrationStatus,
    .domainMigrationPass = qemuProcessHandleMigrationPass,
    .domainJobStatusChange = qemuProcessHandleJobStatusChange,
    .anyEvent = qemuProcessHandleAnyEvent,
    .domainBalloonChange = qemuProcessHandleBalloonChange,
};

const qemuMonitorCallbacks *
qemuProcessMonitorCallbacks(void)
{
    return &qemuProcessCallbacks;
}

