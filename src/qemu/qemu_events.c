/*
 * qemu_events.c: reacting to QEMU monitor events
 */
#include "qemu_events.h"
#include "qemu_process.h"
#include "qemu_migration_priv.h"
#include "virprocess.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_events");

void
qemuProcessQueueReap(qemuDriver *driver, pid_t pid, unsigned long long startTime)
{
    qemuProcessEvent *ev = g_new0(qemuProcessEvent, 1);

    ev->type = QEMU_PROCESS_EVENT_REAP;
    ev->pid = pid;
    ev->startTime = startTime;
    g_thread_pool_push(driver->workers, ev, NULL);
}

void
qemuProcessQueueEvent(virDomainObj *vm, qemuProcessEventType type)
{
    qemuDriver *driver = QEMU_DOMAIN_PRIVATE(vm)->driver;
    qemuProcessEvent *ev = g_new0(qemuProcessEvent, 1);

    ev->type = type;
    ev->vm = virDomainObjRef(vm);
    g_thread_pool_push(driver->workers, ev, NULL);
}

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
    if (priv->mon != mon || vm->state != VIR_DOMAIN_RUNNING) {
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
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(priv->driver, vm, VIR_DOMAIN_EVENT_SUSPENDED, detail);
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
    if (info && info->hasGuest)
        detail = info->guest ? VIR_DOMAIN_EVENT_SHUTDOWN_GUEST
                             : VIR_DOMAIN_EVENT_SHUTDOWN_HOST;
    virDomainObjSetState(vm, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_USER);
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(priv->driver, vm, VIR_DOMAIN_EVENT_SHUTDOWN, detail);
}

/* QEMU's migration state changed: record it for the thread driving the
 * migration (it waits on vm->cond) and keep the job status current. */
static void
qemuProcessHandleMigrationStatus(qemuMonitor *mon,
                                 qemuMonitorMigrationStatus status,
                                 void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv;

    virDomainObjLock(vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (priv->mon == mon) {
        VIR_DEBUG("domain %s: migration status %s", vm->def->name,
                  qemuMonitorMigrationStatusTypeToString(status));
        priv->migStatus = status;
        g_cond_broadcast(&vm->cond);
    }
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
    if (priv->mon == mon && priv->job.asyncJob == VIR_ASYNC_JOB_MIGRATION_OUT) {
        priv->migPass = pass;
        g_cond_broadcast(&vm->cond);
        emit = true;
    }
    virDomainObjUnlock(vm);
    if (emit) {
        GVariantDict dict;

        g_variant_dict_init(&dict, NULL);
        g_variant_dict_insert(&dict, "iteration", "i", pass);
        qemuDriverEmitEvent(priv->driver, vm, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
                            0, 0, g_variant_dict_end(&dict));
    }
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
};

const qemuMonitorCallbacks *
qemuProcessMonitorCallbacks(void)
{
    return &qemuProcessCallbacks;
}

/* QEMU exited on its own (guest shutdown, crash, external kill). */
static void
qemuProcessHandleMonitorEOF(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    virDomainShutoffReason reason;
    int detail;

    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_DESTROY,
                              driver->jobWaitTimeoutMs) < 0) {
        VIR_WARN("domain %s: %s", vm->def->name, virGetLastErrorMessage());
        return;
    }
    if (!virDomainObjIsActive(vm) || priv->beingDestroyed) {
        qemuDomainObjEndJob(vm, &priv->job);
        return;
    }
    reason = priv->gotShutdown ? VIR_DOMAIN_SHUTOFF_SHUTDOWN
                               : VIR_DOMAIN_SHUTOFF_CRASHED;
    detail = priv->gotShutdown ? VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN
                               : VIR_DOMAIN_EVENT_STOPPED_CRASHED;
    VIR_INFO("domain %s: QEMU exited (%s)", vm->def->name,
             virDomainShutoffReasonTypeToString(reason));
    qemuProcessStop(driver, vm, reason);
    qemuDomainObjEndJob(vm, &priv->job);
    if (!vm->persistent)
        virDomainObjListRemove(driver->domains, vm);
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(driver, vm, VIR_DOMAIN_EVENT_STOPPED, detail);
    virDomainObjLock(vm);
}

static void
qemuProcessHandleReconnect(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    bool persistent = vm->persistent;
    int rc = qemuProcessReconnect(driver, vm);

    qemuDomainObjEndJob(vm, &priv->job);
    if (rc <= 0 && !persistent)
        virDomainObjListRemove(driver->domains, vm);
}

void
qemuProcessEventWorker(gpointer data, gpointer user_data)
{
    qemuProcessEvent *ev = data;
    qemuDriver *driver = user_data;

    if (ev->type == QEMU_PROCESS_EVENT_REAP) {
        if (virProcessKillPainfully(ev->pid, ev->startTime, 3000) < 0)
            VIR_WARN("%s", virGetLastErrorMessage());
        g_free(ev);
        return;
    }
    virDomainObjLock(ev->vm);
    switch (ev->type) {
    case QEMU_PROCESS_EVENT_MONITOR_EOF:
        qemuProcessHandleMonitorEOF(driver, ev->vm);
        break;
    case QEMU_PROCESS_EVENT_RECONNECT:
        qemuProcessHandleReconnect(driver, ev->vm);
        break;
    case QEMU_PROCESS_EVENT_CLIENT_GONE:
        qemuMigrationClientGone(driver, ev->vm);
        break;
    case QEMU_PROCESS_EVENT_REAP:
    case QEMU_PROCESS_EVENT_LAST:
        break;
    }
    virDomainObjEndAPI(&ev->vm);
    g_free(ev);
}
