/*
 * qemu_migration.c: what the source and destination sides of a
 * migration share, control APIs used while one runs, and the fate of
 * migrations whose client went away
 *
 * The protocol steps themselves live in qemu_migration_src.c (Begin,
 * Perform, Confirm) and qemu_migration_dst.c (Prepare, Finish).
 */
#include <string.h>

#include "qemu_migration_priv.h"
#include "qemu_migration_storage.h"
#include "qemu_process_event.h"
#include "qemu_process.h"
#include "qemu_monitor_json.h"
#include "virdrvfeature.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_migration");

bool
qemuDriverSupportsFeature(qemuDriver *driver, int feature)
{
    switch (feature) {
    case VIR_DRV_FEATURE_MIGRATION_P2P:
        return driver->peerOps != NULL;
    case VIR_DRV_FEATURE_MIGRATION_V3:
    case VIR_DRV_FEATURE_MIGRATION_PARAMS:
    case VIR_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION:
    case VIR_DRV_FEATURE_XML_MIGRATABLE:
    case VIR_DRV_FEATURE_MIGRATION_OFFLINE:
        return true;
    default:
        /* v1, v2 and direct migration: not served */
        return false;
    }
}

virDomainObj *
qemuMigrationDomObj(qemuDriver *driver, const unsigned char *uuid)
{
    return virDomainObjListFindByUUID(driver->domains, uuid);
}

qemuMonitor *
qemuMigrationEnterMonitor(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuDriver *driver = priv->driver;
    qemuMonitor *mon;

    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_ASYNC_NESTED,
                              driver->jobWaitTimeoutMs) < 0)
        return NULL;
    if (!(mon = qemuDomainObjEnterMonitor(vm))) {
        virDomainObjLock(vm);
        qemuDomainObjEndJob(vm, &priv->job);
    }
    return mon;
}

void
qemuMigrationExitMonitor(virDomainObj *vm, qemuMonitor *mon)
{
    qemuDomainObjExitMonitor(vm, mon);
    qemuDomainObjEndJob(vm, &QEMU_DOMAIN_PRIVATE(vm)->job);
}

/* What QEMU has now: the capabilities @p changes, all parameters. */
static qemuMigrationParams *
qemuMigrationParamsFetch(qemuMonitor *mon, const qemuMigrationParams *p)
{
    g_autoptr(qemuMonitorMigrationParams) cur = NULL;
    g_autoptr(qemuMigrationParams) orig = g_new0(qemuMigrationParams, 1);
    unsigned long long supported = 0;
    unsigned long long enabled = 0;

    if (qemuMonitorJSONGetMigrationCapabilities(mon, &supported, &enabled) < 0 ||
        qemuMonitorJSONGetMigrationParams(mon, &cur) < 0)
        return NULL;
    /* every parameter, as libvirt saves them: a change made during
     * the job (migrate-setmaxdowntime, ...) is undone too */
    orig->capsSet = p->capsSet & supported;
    orig->capsEnable = enabled & orig->capsSet;
    orig->qemu = g_steal_pointer(&cur);
    return g_steal_pointer(&orig);
}

int
qemuMigrationApplyParams(virDomainObj *vm, const qemuMigrationParams *p)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_autoptr(qemuMigrationParams) orig = NULL;
    qemuMonitor *mon = qemuMigrationEnterMonitor(vm);
    int rc = -1;

    if (!mon)
        return -1;
    /* libvirt's qemuMigrationParamsReset: whatever this job changes is
     * put back when it ends, so nothing leaks into the next migration */
    if (priv->migSaved || (orig = qemuMigrationParamsFetch(mon, p))) {
        rc = qemuMonitorJSONSetMigrationCapabilities(mon, p->capsSet, p->capsEnable);
        if (rc == 0)
            rc = qemuMonitorJSONSetMigrationParams(mon, p->qemu);
    }
    qemuMigrationExitMonitor(vm, mon);
    if (orig && !priv->migSaved)
        priv->migSaved = g_steal_pointer(&orig);
    return rc;
}

void
qemuMigrationParamsRestore(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_autoptr(qemuMigrationParams) orig = g_steal_pointer(&priv->migSaved);
    qemuMonitor *mon;
    int rc;

    if (!orig || !virDomainObjIsActive(vm) || !priv->mon || priv->monitorGone)
        return;
    if (!(mon = qemuMigrationEnterMonitor(vm))) {
        VIR_WARN("domain %s: migration parameters not reset: %s",
                 vm->def->name, virGetLastErrorMessage());
        return;
    }
    rc = qemuMonitorJSONSetMigrationCapabilities(mon, orig->capsSet, orig->capsEnable);
    if (rc == 0)
        rc = qemuMonitorJSONSetMigrationParams(mon, orig->qemu);
    qemuMigrationExitMonitor(vm, mon);
    if (rc < 0)
        VIR_WARN("domain %s: migration parameters not reset: %s",
                 vm->def->name, virGetLastErrorMessage());
    else
        VIR_DEBUG("domain %s: migration parameters reset", vm->def->name);
}

int
qemuMigrationUpdateJobStats(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_auto(qemuMonitorMigrationStats) stats = { 0 };
    g_autoptr(GPtrArray) mirrors = NULL;
    bool copying = qemuMigrationStorageCopying(vm);
    qemuMonitor *mon = qemuMigrationEnterMonitor(vm);
    int rc;

    if (!mon)
        return -1;
    rc = qemuMonitorJSONGetMigrationStats(mon, &stats);
    /* a storage copy's progress is its mirrors' */
    if (rc == 0 && copying && !(mirrors = qemuMonitorJSONGetJobs(mon)))
        virResetLastError();
    qemuMigrationExitMonitor(vm, mon);
    if (rc < 0 || !priv->job.current)
        return rc;
    qemuMigrationStorageFillStats(vm, mirrors, &stats);
    qemuMonitorMigrationStatsClear(&priv->job.current->stats);
    priv->job.current->stats = stats;
    memset(&stats, 0, sizeof(stats));
    return 0;
}

static const char *
qemuMigrationJobName(virDomainObj *vm)
{
    return virDomainAsyncJobTypeToString(QEMU_DOMAIN_PRIVATE(vm)->job.asyncJob);
}

/* The error for a migration QEMU reports as failed or cancelled. */
static void
qemuMigrationReportFailure(virDomainObj *vm, qemuMonitorMigrationStatus status)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuDomainJobData *cur = priv->job.current;
    const char *desc = cur ? cur->stats.errorDesc : NULL;

    if (status == QEMU_MONITOR_MIGRATION_STATUS_CANCELLED) {
        if (cur)
            cur->status = QEMU_DOMAIN_JOB_STATUS_CANCELED;
        virReportError(VIR_ERR_OPERATION_ABORTED,
                       _("job '%1$s' canceled by client"), qemuMigrationJobName(vm));
        return;
    }
    if (cur) {
        cur->status = QEMU_DOMAIN_JOB_STATUS_FAILED;
        g_free(cur->errmsg);
        cur->errmsg = g_strdup(desc);
    }
    if (desc)
        virReportError(VIR_ERR_OPERATION_FAILED, _("job '%1$s' failed: %2$s"),
                       qemuMigrationJobName(vm), desc);
    else
        virReportError(VIR_ERR_OPERATION_FAILED, _("job '%1$s' unexpectedly failed"),
                       qemuMigrationJobName(vm));
}

int
qemuMigrationWaitForCompletion(qemuDriver *driver, virDomainObj *vm,
                               bool *postcopyReached, bool stopAtPostcopy)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    bool outgoing = priv->job.asyncJob == VIR_ASYNC_JOB_MIGRATION_OUT;
    unsigned int until = QEMU_MIGRATION_STATES_FINAL |
        QEMU_MIGRATION_STATUS_BIT(QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED);
    qemuMonitorMigrationStatus st;

    if (stopAtPostcopy)
        until |= QEMU_MIGRATION_STATUS_BIT(QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE);
    /* the job reports "migrating" once QEMU sends data */
    if (priv->job.current && priv->job.current->status == QEMU_DOMAIN_JOB_STATUS_ACTIVE &&
        qemuMigrationStateWaitUntil(vm, until |
                                    QEMU_MIGRATION_STATUS_BIT(QEMU_MONITOR_MIGRATION_STATUS_ACTIVE),
                                    qemuMigrationStateIsPeerLost, 0, &st) == QEMU_MIGRATION_WAIT_REACHED &&
        st == QEMU_MONITOR_MIGRATION_STATUS_ACTIVE)
        priv->job.current->status = QEMU_DOMAIN_JOB_STATUS_MIGRATING;
    if (qemuMigrationStateWaitUntil(vm, until, qemuMigrationStateIsPeerLost,
                                    0, &st) == QEMU_MIGRATION_WAIT_QEMU_GONE) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("job '%1$s' failed: QEMU process exited"),
                       qemuMigrationJobName(vm));
        return -1;
    }
    /* P2P: the destination daemon is gone; unless QEMU got there first,
     * nobody can finish the migration (libvirt's message) */
    if (!(QEMU_MIGRATION_STATUS_BIT(st) & until)) {
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("Lost connection to destination host"));
        return -1;
    }
    if (postcopyReached && priv->mig.postcopySeen)
        *postcopyReached = true;
    if (st == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED) {
        if (priv->job.current)
            priv->job.current->status = QEMU_DOMAIN_JOB_STATUS_POSTCOPY_PAUSED;
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("job '%1$s' failed in post-copy phase"),
                       qemuMigrationJobName(vm));
        return -1;
    }
    if (outgoing)
        ignore_value(qemuMigrationUpdateJobStats(vm));
    if (st == QEMU_MONITOR_MIGRATION_STATUS_COMPLETED) {
        if (priv->job.current)
            priv->job.current->status = QEMU_DOMAIN_JOB_STATUS_HYPERVISOR_COMPLETED;
        return 0;
    }
    if (st == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE) {
        if (priv->job.current)
            priv->job.current->status = QEMU_DOMAIN_JOB_STATUS_POSTCOPY;
        return 0;
    }
    qemuMigrationReportFailure(vm, st);
    return -1;
}

void
qemuMigrationSrcCancel(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuMonitor *mon;

    /* after the switch to post-copy only a pause is possible */
    if (qemuMigrationStateInPostcopy(vm) || !priv->mon ||
        qemuMigrationStateGet(vm) == QEMU_MONITOR_MIGRATION_STATUS_NONE ||
        (QEMU_MIGRATION_STATUS_BIT(qemuMigrationStateGet(vm)) & QEMU_MIGRATION_STATES_FINAL))
        return;
    if (!(mon = qemuMigrationEnterMonitor(vm)))
        return;
    if (qemuMonitorJSONMigrateCancel(mon) < 0)
        VIR_WARN("cannot cancel migration of %s: %s", vm->def->name,
                 virGetLastErrorMessage());
    qemuMigrationExitMonitor(vm, mon);
}

void
qemuMigrationSrcRestoreState(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuMonitor *mon;
    bool running = false;
    int rc;

    /* never resume a guest that may already run on the destination */
    if (!virDomainObjIsActive(vm) || !priv->mon || qemuMigrationStateInPostcopy(vm))
        return;
    if (!(mon = qemuMigrationEnterMonitor(vm)))
        return;
    rc = qemuMonitorJSONGetStatus(mon, &running, NULL);
    qemuMigrationExitMonitor(vm, mon);
    /* QEMU restarts a guest it paused itself; one we paused for a
     * non-live migration, or one that finished migrating, we resume */
    if (rc < 0 || running || vm->state != VIR_DOMAIN_PAUSED ||
        (vm->reason != VIR_DOMAIN_PAUSED_MIGRATION &&
         vm->reason != VIR_DOMAIN_PAUSED_POSTCOPY))
        return;
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_ASYNC_NESTED,
                              driver->jobWaitTimeoutMs) < 0)
        return;
    if (qemuProcessStartCPUs(driver, vm, VIR_DOMAIN_RUNNING_MIGRATION_CANCELED) < 0)
        VIR_WARN("cannot resume %s after a failed migration: %s",
                 vm->def->name, virGetLastErrorMessage());
    qemuDomainObjEndJob(vm, &priv->job);
}

void
qemuMigrationSrcStopMigrated(qemuDriver *driver, virDomainObj *vm)
{
    qemuProcessStopFlags(driver, vm, VIR_DOMAIN_SHUTOFF_MIGRATED,
                         QEMU_PROCESS_STOP_NO_WAIT);
}

void
qemuMigrationDstCleanup(qemuDriver *driver, virDomainObj *vm)
{
    /* once in post-copy the destination holds the running guest */
    if (qemuMigrationStateInPostcopy(vm))
        return;
    if (virDomainObjIsActive(vm)) {
        qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_FAILED);
        virDomainObjUnlock(vm);
        qemuDriverEmitLifecycle(driver, vm, VIR_DOMAIN_EVENT_STOPPED,
                                VIR_DOMAIN_EVENT_STOPPED_FAILED);
        virDomainObjLock(vm);
    }
    /* images a storage copy created (QEMU no longer holds them; also
     * done by qemuProcessStop) */
    qemuMigrationStorageRemoveImages(vm);
}

void
qemuMigrationPostcopyDone(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    virDomainAsyncJob job = priv->job.asyncJob;
    bool outgoing = job == VIR_ASYNC_JOB_MIGRATION_OUT;

    if ((job != VIR_ASYNC_JOB_MIGRATION_OUT && job != VIR_ASYNC_JOB_MIGRATION_IN) ||
        !virDomainObjIsActive(vm) ||
        qemuMigrationStateGet(vm) != QEMU_MONITOR_MIGRATION_STATUS_COMPLETED)
        return;
    if (qemuDomainObjResumeAsyncJob(vm, &priv->job, job) < 0)
        return;
    VIR_INFO("domain %s: post-copy migration completed on its own", vm->def->name);
    if (priv->job.current)
        priv->job.current->status = QEMU_DOMAIN_JOB_STATUS_COMPLETED;
    if (outgoing) {
        qemuMigrationSrcStopMigrated(driver, vm);
    } else if (vm->state == VIR_DOMAIN_RUNNING) {
        virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED);
    }
    qemuMigrationJobFinish(driver, vm);
    virDomainObjUnlock(vm);
    if (outgoing)
        qemuDriverEmitLifecycle(driver, vm, VIR_DOMAIN_EVENT_STOPPED,
                                VIR_DOMAIN_EVENT_STOPPED_MIGRATED);
    else
        qemuDriverEmitLifecycle(driver, vm, VIR_DOMAIN_EVENT_RESUMED,
                                VIR_DOMAIN_EVENT_RESUMED_MIGRATED);
    virDomainObjLock(vm);
    if (outgoing && !vm->persistent)
        virDomainObjListRemove(driver->domains, vm);
}

/* ---- control while a migration runs ---- */

/* Takes @job on an active domain for a control call; NULL on error. */
static virDomainObj *
qemuMigrationControlBegin(qemuDriver *driver, const unsigned char *uuid,
                          virDomainJob job)
{
    virDomainObj *vm = qemuMigrationDomObj(driver, uuid);
    qemuDomainObjPrivate *priv;

    if (!vm)
        return NULL;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (qemuDomainObjBeginJob(vm, &priv->job, job, driver->jobWaitTimeoutMs) < 0) {
        virDomainObjEndAPI(&vm);
        return NULL;
    }
    if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
        qemuDomainObjEndJob(vm, &priv->job);
        virDomainObjEndAPI(&vm);
        return NULL;
    }
    return vm;
}

static void
qemuMigrationControlEnd(virDomainObj **vm)
{
    qemuDomainObjEndJob(*vm, &QEMU_DOMAIN_PRIVATE(*vm)->job);
    virDomainObjEndAPI(vm);
}

#define VIR_DOMAIN_ABORT_JOB_POSTCOPY (1 << 0)

int
qemuDomainAbortJob(qemuDriver *driver, const unsigned char *uuid,
                   unsigned int flags)
{
    virDomainObj *vm;
    qemuDomainObjPrivate *priv;
    qemuMonitor *mon;
    bool postcopy;
    int ret = -1;

    if (!virCheckFlags(flags, VIR_DOMAIN_ABORT_JOB_POSTCOPY))
        return -1;
    if (!(vm = qemuMigrationControlBegin(driver, uuid, VIR_JOB_ABORT)))
        return -1;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    postcopy = qemuMigrationStateGet(vm) == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE;
    if (priv->job.asyncJob != VIR_ASYNC_JOB_MIGRATION_OUT) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       priv->job.asyncJob == VIR_ASYNC_JOB_NONE ?
                       _("no job is active on the domain") :
                       _("cannot abort incoming migration; use virDomainDestroy instead"));
        goto endjob;
    }
    if (postcopy != !!(flags & VIR_DOMAIN_ABORT_JOB_POSTCOPY)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s", postcopy ?
                       _("cannot abort migration in post-copy mode") :
                       _("current job is not outgoing migration in post-copy mode"));
        goto endjob;
    }
    priv->job.abortJob = true;
    /* wakes a storage copy waiting for its mirrors */
    g_cond_broadcast(&vm->cond);
    mon = qemuDomainObjEnterMonitor(vm);
    if (mon)
        ret = postcopy ? qemuMonitorJSONMigratePause(mon)
                       : qemuMonitorJSONMigrateCancel(mon);
    qemuDomainObjExitMonitor(vm, mon);
 endjob:
    qemuMigrationControlEnd(&vm);
    return ret;
}

/* migrate-set-parameters with one value on an active domain. */
static int
qemuMigrationSetParam(qemuDriver *driver, const unsigned char *uuid,
                      qemuMonitorMigrationParam param, unsigned long long value)
{
    g_autoptr(qemuMonitorMigrationParams) qp = qemuMonitorMigrationParamsNew();
    virDomainObj *vm;
    qemuMonitor *mon;
    int ret = -1;

    if (qemuMonitorMigrationParamsSetULL(qp, param, value) < 0)
        return -1;
    if (!(vm = qemuMigrationControlBegin(driver, uuid, VIR_JOB_MIGRATION_OP)))
        return -1;
    mon = qemuDomainObjEnterMonitor(vm);
    if (mon)
        ret = qemuMonitorJSONSetMigrationParams(mon, qp);
    qemuDomainObjExitMonitor(vm, mon);
    qemuMigrationControlEnd(&vm);
    return ret;
}

/* One value of query-migrate-parameters on an active domain. */
static int
qemuMigrationGetParam(qemuDriver *driver, const unsigned char *uuid,
                      qemuMonitorMigrationParam param, unsigned long long *value)
{
    g_autoptr(qemuMonitorMigrationParams) qp = NULL;
    virDomainObj *vm;
    qemuMonitor *mon;
    int ret = -1;

    if (!(vm = qemuMigrationControlBegin(driver, uuid, VIR_JOB_QUERY)))
        return -1;
    mon = qemuDomainObjEnterMonitor(vm);
    if (mon)
        ret = qemuMonitorJSONGetMigrationParams(mon, &qp);
    qemuDomainObjExitMonitor(vm, mon);
    qemuMigrationControlEnd(&vm);
    if (ret == 0 && !qemuMonitorMigrationParamsGetULL(qp, param, value)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("QEMU did not report migration parameter '%1$s'"),
                       qemuMonitorMigrationParamTypeToString(param));
        ret = -1;
    }
    return ret;
}

int
qemuDomainMigrateSetMaxDowntime(qemuDriver *driver, const unsigned char *uuid,
                                unsigned long long downtimeMs, unsigned int flags)
{
    if (!virCheckFlags(flags, 0))
        return -1;
    return qemuMigrationSetParam(driver, uuid, QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT,
                                 downtimeMs);
}

int
qemuDomainMigrateGetMaxDowntime(qemuDriver *driver, const unsigned char *uuid,
                                unsigned long long *downtimeMs, unsigned int flags)
{
    if (!virCheckFlags(flags, 0))
        return -1;
    return qemuMigrationGetParam(driver, uuid, QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT,
                                 downtimeMs);
}

#define VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY (1 << 0)

int
qemuDomainMigrateSetMaxSpeed(qemuDriver *driver, const unsigned char *uuid,
                             unsigned long bandwidthMiBs, unsigned int flags)
{
    bool postcopy = flags & VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY;
    virDomainObj *vm;
    qemuDomainObjPrivate *priv;
    bool active;

    if (!virCheckFlags(flags, VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY))
        return -1;
    if (bandwidthMiBs > QEMU_MIGRATION_BANDWIDTH_MAX_MIB) {
        virReportError(VIR_ERR_OVERFLOW, _("bandwidth must be less than %1$llu"),
                       (unsigned long long)QEMU_MIGRATION_BANDWIDTH_MAX_MIB + 1);
        return -1;
    }
    /* remembered for the next migration, and applied now if QEMU runs */
    if (!(vm = qemuMigrationDomObj(driver, uuid)))
        return -1;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (postcopy)
        priv->migPostcopyBandwidthMiB = bandwidthMiBs;
    else
        priv->migBandwidthMiB = bandwidthMiBs;
    active = virDomainObjIsActive(vm);
    virDomainObjEndAPI(&vm);
    if (!active)
        return 0;
    return qemuMigrationSetParam(driver, uuid,
                                 postcopy ? QEMU_MONITOR_MIGRATION_PARAM_MAX_POSTCOPY_BANDWIDTH
                                          : QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH,
                                 bandwidthMiBs ? bandwidthMiBs * 1024ULL * 1024ULL
                                               : (unsigned long long)G_MAXINT64);
}

int
qemuDomainMigrateGetMaxSpeed(qemuDriver *driver, const unsigned char *uuid,
                             unsigned long *bandwidthMiBs, unsigned int flags)
{
    virDomainObj *vm;
    qemuDomainObjPrivate *priv;

    if (!virCheckFlags(flags, VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY))
        return -1;
    if (!(vm = qemuMigrationDomObj(driver, uuid)))
        return -1;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    *bandwidthMiBs = (flags & VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY) ?
                     priv->migPostcopyBandwidthMiB : priv->migBandwidthMiB;
    if (*bandwidthMiBs == 0)
        *bandwidthMiBs = QEMU_MIGRATION_BANDWIDTH_MAX_MIB;
    virDomainObjEndAPI(&vm);
    return 0;
}

int
qemuDomainMigrateSetCompressionCache(qemuDriver *driver, const unsigned char *uuid,
                                     unsigned long long cacheSize, unsigned int flags)
{
    if (!virCheckFlags(flags, 0))
        return -1;
    return qemuMigrationSetParam(driver, uuid,
                                 QEMU_MONITOR_MIGRATION_PARAM_XBZRLE_CACHE_SIZE,
                                 cacheSize);
}

int
qemuDomainMigrateGetCompressionCache(qemuDriver *driver, const unsigned char *uuid,
                                     unsigned long long *cacheSize, unsigned int flags)
{
    if (!virCheckFlags(flags, 0))
        return -1;
    return qemuMigrationGetParam(driver, uuid,
                                 QEMU_MONITOR_MIGRATION_PARAM_XBZRLE_CACHE_SIZE,
                                 cacheSize);
}

int
qemuDomainMigrateStartPostCopy(qemuDriver *driver, const unsigned char *uuid,
                               unsigned int flags)
{
    virDomainObj *vm;
    qemuDomainObjPrivate *priv;
    qemuMonitor *mon;
    int ret = -1;

    if (!virCheckFlags(flags, 0))
        return -1;
    if (!(vm = qemuMigrationControlBegin(driver, uuid, VIR_JOB_MIGRATION_OP)))
        return -1;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (priv->job.asyncJob != VIR_ASYNC_JOB_MIGRATION_OUT ||
        (priv->job.phase != QEMU_MIGRATION_PHASE_PERFORM3 &&
         priv->job.phase != QEMU_MIGRATION_PHASE_PERFORM2)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("post-copy can only be started while outgoing migration is in progress"));
        goto endjob;
    }
    if (!(priv->job.apiFlags & VIR_MIGRATE_POSTCOPY)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("switching to post-copy requires migration to be started with VIR_MIGRATE_POSTCOPY flag"));
        goto endjob;
    }
    /* QEMU stops the guest here (SUSPENDED_MIGRATED), then reports
     * postcopy-active (SUSPENDED_POSTCOPY, see qemu_events.c) */
    mon = qemuDomainObjEnterMonitor(vm);
    if (mon)
        ret = qemuMonitorJSONMigrateStartPostCopy(mon);
    qemuDomainObjExitMonitor(vm, mon);
 endjob:
    qemuMigrationControlEnd(&vm);
    return ret;
}

/* ---- clients that vanish between the calls of a migration ---- */

void
qemuDriverClientClosed(qemuDriver *driver, guint64 clientID)
{
    virDomainObj **objs;
    size_t i;

    /* a daemon going down closes every connection: that is no reason to
     * undo migrations (the next daemon recovers them from status files) */
    if (clientID == 0 || g_atomic_int_get(&driver->shuttingDown))
        return;
    objs = virDomainObjListSnapshot(driver->domains, NULL);
    for (i = 0; objs[i]; i++) {
        qemuDomainObjPrivate *priv;

        virDomainObjLock(objs[i]);
        priv = QEMU_DOMAIN_PRIVATE(objs[i]);
        if (priv && qemuDomainObjAsyncJobClientClosed(&priv->job, clientID)) {
            VIR_INFO("domain %s: the client driving its %s job is gone",
                     objs[i]->def->name, qemuMigrationJobName(objs[i]));
            /* a call still running queues it when it releases the job */
            if (qemuDomainObjAsyncJobIsAbandoned(&priv->job))
                qemuProcessQueueEvent(objs[i], QEMU_PROCESS_EVENT_CLIENT_GONE);
        }
        virDomainObjUnlock(objs[i]);
    }
    virDomainObjListFreeSnapshot(objs);
}

void
qemuMigrationDstAbandoned(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuDriver *driver = priv->driver;
    qemuMonitorMigrationStatus st;

    if (qemuDomainObjResumeAsyncJob(vm, &priv->job, VIR_ASYNC_JOB_MIGRATION_IN) < 0)
        return;
    VIR_WARN("domain %s: incoming migration nobody drives, in phase %s",
             vm->def->name, qemuMigrationJobPhaseTypeToString(priv->job.phase));
    st = qemuMigrationStateQuery(vm);
    switch (st) {
    case QEMU_MONITOR_MIGRATION_STATUS_NONE:
    case QEMU_MONITOR_MIGRATION_STATUS_SETUP:
    case QEMU_MONITOR_MIGRATION_STATUS_FAILED:
    case QEMU_MONITOR_MIGRATION_STATUS_CANCELLED:
    case QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN:
        /* nothing of the guest is here yet, or it never will be */
        qemuMigrationDstCleanup(driver, vm);
        qemuMigrationJobFinish(driver, vm);
        if (!vm->persistent && !virDomainObjIsActive(vm))
            virDomainObjListRemove(driver->domains, vm);
        return;
    case QEMU_MONITOR_MIGRATION_STATUS_COMPLETED:
        /* the whole guest is here, paused: the source is paused too and
         * nobody knows which one should run: leave it to the user */
        VIR_WARN("domain %s: incoming migration completed without Finish; left paused",
                 vm->def->name);
        qemuMigrationJobFinish(driver, vm);
        return;
    case QEMU_MONITOR_MIGRATION_STATUS_ACTIVE:
    case QEMU_MONITOR_MIGRATION_STATUS_CANCELLING:
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE:
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED:
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER:
    case QEMU_MONITOR_MIGRATION_STATUS_COLO:
    case QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER:
    case QEMU_MONITOR_MIGRATION_STATUS_DEVICE:
    case QEMU_MONITOR_MIGRATION_STATUS_WAIT_UNPLUG:
    case QEMU_MONITOR_MIGRATION_STATUS_LAST:
        break;
    }
    /* data is flowing (the source may already have switched to
     * post-copy): let the stream decide; its end comes back here (or to
     * qemuMigrationPostcopyDone) through qemuMigrationStateApply */
    VIR_WARN("domain %s: incoming migration abandoned while %s; waiting for its end",
             vm->def->name, qemuMonitorMigrationStatusTypeToString(st));
    qemuMigrationJobContinue(driver, vm, qemuMigrationDstAbandoned);
    qemuDomainObjAsyncJobAbandon(&priv->job);
}

void
qemuMigrationSrcCleanup(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuMigrationJobPhase phase = priv->job.phase;

    if (qemuDomainObjResumeAsyncJob(vm, &priv->job, VIR_ASYNC_JOB_MIGRATION_OUT) < 0)
        return;
    VIR_WARN("domain %s: abandoned outgoing migration in phase %s: cleaning up",
             vm->def->name, qemuMigrationJobPhaseTypeToString(phase));
    if (qemuMigrationStateInPostcopy(vm)) {
        /* the guest may already run on the destination: keep everything
         * for recovery; if QEMU completed meanwhile, the job is finished
         * (qemuMigrationStateApply, queued when the job is released) */
        qemuMigrationJobContinue(priv->driver, vm, NULL);
        return;
    }
    if (phase == QEMU_MIGRATION_PHASE_PERFORM3_DONE) {
        /* QEMU sent everything but we never learnt whether the
         * destination runs the guest: leave it paused (never run it in
         * two places) for the user to decide */
        VIR_WARN("domain %s: migration finished but its outcome on the destination is unknown; left paused",
                 vm->def->name);
    } else {
        qemuMigrationSrcCancel(vm);
        qemuMigrationSrcRestoreState(priv->driver, vm);
    }
    qemuMigrationJobFinish(priv->driver, vm);
}
