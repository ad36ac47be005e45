/*
 * qemu_events.c: reacting to QEMU monitor events
 */
#include "qemu_events.h"
#include "qemu_process.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_events");

static void
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

    virDomainObjLock(ev->vm);
    switch (ev->type) {
    case QEMU_PROCESS_EVENT_MONITOR_EOF:
        qemuProcessHandleMonitorEOF(driver, ev->vm);
        break;
    case QEMU_PROCESS_EVENT_RECONNECT:
        qemuProcessHandleReconnect(driver, ev->vm);
        break;
    case QEMU_PROCESS_EVENT_LAST:
        break;
    }
    virDomainObjEndAPI(&ev->vm);
    g_free(ev);
}
