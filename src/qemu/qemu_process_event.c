/*
 * qemu_process_event.c: the driver's worker queue
 */
#include "qemu_process_event.h"
#include "qemu_driver_control.h"
#include "qemu_process.h"
#include "qemu_migration_priv.h"
#include "qemu_migration_recovery.h"
#include "virprocess.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_process_event");

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
    /* a migration the status file recorded is recovered as soon as the
     * state is known (still before any API call is served) */
    if (rc > 0 && qemuMigrationRecover(driver, vm) < 0)
        rc = 0;
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
        qemuDomainObjAsyncJobRunCloseCallback(ev->vm,
                                              &QEMU_DOMAIN_PRIVATE(ev->vm)->job);
        break;
    case QEMU_PROCESS_EVENT_MIGRATION_STATUS:
        qemuMigrationStateApply(driver, ev->vm);
        break;
    case QEMU_PROCESS_EVENT_FAKE_REBOOT:
        qemuDomainFakeRebootFinish(driver, ev->vm);
        break;
    case QEMU_PROCESS_EVENT_REAP:
    case QEMU_PROCESS_EVENT_LAST:
        break;
    }
    virDomainObjEndAPI(&ev->vm);
    g_free(ev);
}
