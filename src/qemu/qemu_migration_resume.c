/*
 * qemu_migration_resume.c: recovering a broken post-copy migration
 * (VIR_MIGRATE_POSTCOPY_RESUME, `virsh migrate --postcopy --postcopy-resume`)
 *
 * After the stream broke in post-copy, both sides keep their QEMU in
 * postcopy-paused and their job in the postcopy_failed phase.  Recovery
 * re-runs the protocol in the resume phases on those same jobs:
 *
 *   source Begin     begin_resume    XML + cookie
 *   dest   Prepare   prepare_resume  migrate-recover tcp:ADDR:PORT
 *   source Perform   perform_resume  migrate resume=true, until QEMU is
 *                                    back in postcopy-active
 *   dest   Finish    finish_resume   guest running (post-copy) until QEMU
 *                                    completes, then running (migrated)
 *   source Confirm   confirm_resume  wait for completion, stop the source
 *
 * Any failure on the way goes back to postcopy_failed: still nothing is
 * resumed or destroyed, recovery can be tried again.
 */
#include <string.h>

#include "qemu_migration_priv.h"
#include "qemu_monitor_json.h"
#include "qemu_process.h"
#include "domain_conf.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_migration_resume");

/* The domain must be waiting for post-copy recovery in @job. */
static int
qemuMigrationResumeCheck(virDomainObj *vm, virDomainAsyncJob job)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    if (priv->job.asyncJob != job ||
        priv->job.phase < QEMU_MIGRATION_PHASE_POSTCOPY_FAILED) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("resuming failed post-copy migration requires post-copy migration to be paused"));
        return -1;
    }
    return 0;
}

/* A resume step failed: back to postcopy_failed, job kept. */
static void
qemuMigrationResumeFailed(qemuDriver *driver, virDomainObj *vm)
{
    g_autoptr(virError) err = virSaveLastError();

    qemuMigrationStatePostcopyFailed(driver, vm);
    qemuMigrationJobContinue(driver, vm, NULL);
    virSetError(err);
}

char *
qemuMigrationSrcBeginResume(qemuDriver *driver, virDomainObj *vm,
                            unsigned int flags,
                            char **cookieout, size_t *cookieoutlen,
                            const qemuMigrationConn *conn)
{
    g_autoptr(qemuMigrationCookie) cookie = NULL;
    char *xml = NULL;

    if (qemuMigrationResumeCheck(vm, VIR_ASYNC_JOB_MIGRATION_OUT) < 0 ||
        qemuMigrationTLSResumeCheck(vm, flags) < 0 ||
        qemuMigrationJobStartPhase(driver, vm, QEMU_MIGRATION_PHASE_BEGIN_RESUME,
                                   conn->clientID) < 0)
        return NULL;
    cookie = qemuMigrationCookieNew(vm->def->name, vm->def->uuid,
                                    g_get_host_name(), driver->hostUUID);
    if (!(xml = virDomainDefFormat(vm->def, VIR_DOMAIN_DEF_FORMAT_MIGRATABLE |
                                            VIR_DOMAIN_DEF_FORMAT_SECURE)) ||
        qemuMigrationCookieFormat(cookie, 0, cookieout, cookieoutlen) < 0) {
        g_clear_pointer(&xml, g_free);
        qemuMigrationResumeFailed(driver, vm);
        return NULL;
    }
    qemuMigrationJobContinue(driver, vm, NULL);
    return xml;
}

int
qemuMigrationDstPrepareResume(qemuDriver *driver, unsigned int flags,
                              const virTypedParameter *params, size_t nparams,
                              const char *cookiein, size_t cookieinlen,
                              char **cookieout, size_t *cookieoutlen,
                              char **uriout, const qemuMigrationConn *conn)
{
    g_autoptr(qemuMigrationCookie) cookie = NULL;
    g_autoptr(qemuMigrationCookie) outcookie = NULL;
    g_autofree char *host = NULL;
    const char *dname = NULL;
    unsigned int port = 0;
    virDomainObj *vm;
    int ret = -1;

    if (!(cookie = qemuMigrationCookieParse(cookiein, cookieinlen, driver->hostUUID,
                                            NULL, NULL, QEMU_MIGRATION_COOKIE_CAPS)))
        return -1;
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_NAME,
                                &dname) <= 0 || !dname || !*dname)
        dname = cookie->name;
    if (!(vm = virDomainObjListFindByName(driver->domains, dname)))
        return -1;
    if (qemuMigrationResumeCheck(vm, VIR_ASYNC_JOB_MIGRATION_IN) < 0 ||
        qemuMigrationTLSResumeCheck(vm, flags) < 0 ||
        qemuMigrationJobStartPhase(driver, vm, QEMU_MIGRATION_PHASE_PREPARE_RESUME,
                                   conn->clientID) < 0)
        goto cleanup;
    outcookie = qemuMigrationCookieNew(cookie->name, vm->def->uuid,
                                       g_get_host_name(), driver->hostUUID);
    if (qemuMigrationDstHost(driver, params, nparams, conn, &host, &port) < 0 ||
        qemuMigrationDstListen(driver, vm, params, nparams, host, port, true,
                               uriout) < 0 ||
        qemuMigrationCookieFormat(outcookie, 0, cookieout, cookieoutlen) < 0) {
        g_clear_pointer(uriout, g_free);
        qemuMigrationResumeFailed(driver, vm);
        goto cleanup;
    }
    VIR_INFO("domain %s: waiting for post-copy recovery on %s", vm->def->name,
             *uriout);
    qemuMigrationJobContinue(driver, vm, NULL);
    ret = 0;
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

/* Recovery failed again: QEMU went back to postcopy-paused, which
 * qemuMigrationStateApply turned into the postcopy_failed phase. */
static bool
qemuMigrationResumeFailedAgain(virDomainObj *vm)
{
    return qemuMigrationJobGetPhase(vm) == QEMU_MIGRATION_PHASE_POSTCOPY_FAILED;
}

/* Waits until QEMU is back in postcopy-active (or done). */
static int
qemuMigrationResumeWait(virDomainObj *vm)
{
    gint64 deadline = g_get_monotonic_time() +
                      QEMU_MIGRATION_RESUME_TIMEOUT_S * G_USEC_PER_SEC;
    qemuMonitorMigrationStatus st;

    switch (qemuMigrationStateWaitUntil(vm,
                                        QEMU_MIGRATION_STATES_FINAL |
                                        QEMU_MIGRATION_STATUS_BIT(QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE),
                                        qemuMigrationResumeFailedAgain, deadline, &st)) {
    case QEMU_MIGRATION_WAIT_REACHED:
        break;
    case QEMU_MIGRATION_WAIT_QEMU_GONE:
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("post-copy recovery failed: QEMU process exited"));
        return -1;
    case QEMU_MIGRATION_WAIT_TIMEOUT:
    default:
        virReportError(VIR_ERR_OPERATION_TIMEOUT, "%s",
                       _("post-copy recovery did not resume in time"));
        return -1;
    }
    if (st != QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE &&
        st != QEMU_MONITOR_MIGRATION_STATUS_COMPLETED) {
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("post-copy recovery failed"));
        return -1;
    }
    return 0;
}

int
qemuMigrationSrcPerformResume(qemuDriver *driver, virDomainObj *vm,
                              const char *uri, char **cookieout,
                              size_t *cookieoutlen, const qemuMigrationConn *conn)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_autoptr(qemuMigrationCookie) cookie = NULL;
    qemuMonitor *mon;
    int rc;

    if (qemuMigrationResumeCheck(vm, VIR_ASYNC_JOB_MIGRATION_OUT) < 0 ||
        qemuMigrationJobStartPhase(driver, vm, QEMU_MIGRATION_PHASE_PERFORM_RESUME,
                                   conn->clientID) < 0)
        return -1;
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_ASYNC_NESTED,
                              driver->jobWaitTimeoutMs) < 0) {
        qemuMigrationResumeFailed(driver, vm);
        return -1;
    }
    mon = qemuDomainObjEnterMonitor(vm);
    rc = mon ? qemuMonitorJSONMigrate(mon, uri, QEMU_MONITOR_MIGRATE_RESUME) : -1;
    qemuDomainObjExitMonitor(vm, mon);
    qemuDomainObjEndJob(vm, &priv->job);
    cookie = qemuMigrationCookieNew(vm->def->name, vm->def->uuid,
                                    g_get_host_name(), driver->hostUUID);
    if (rc < 0 || qemuMigrationResumeWait(vm) < 0 ||
        qemuMigrationCookieFormat(cookie, 0, cookieout, cookieoutlen) < 0) {
        qemuMigrationResumeFailed(driver, vm);
        return -1;
    }
    VIR_INFO("domain %s: post-copy migration resumed", vm->def->name);
    if (vm->state == VIR_DOMAIN_PAUSED)
        virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY);
    qemuMigrationJobContinue(driver, vm, NULL);
    return 0;
}

int
qemuMigrationDstFinishResume(qemuDriver *driver, virDomainObj *vm,
                             qemuDomainRef *ref, char **cookieout,
                             size_t *cookieoutlen, const qemuMigrationConn *conn)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_autoptr(qemuMigrationCookie) cookie = NULL;

    if (qemuMigrationResumeCheck(vm, VIR_ASYNC_JOB_MIGRATION_IN) < 0 ||
        qemuMigrationJobStartPhase(driver, vm, QEMU_MIGRATION_PHASE_FINISH_RESUME,
                                   conn->clientID) < 0)
        return -1;
    cookie = qemuMigrationCookieNew(vm->def->name, vm->def->uuid,
                                    g_get_host_name(), driver->hostUUID);
    if (qemuMigrationResumeWait(vm) < 0 ||
        qemuMigrationCookieFormat(cookie, 0, cookieout, cookieoutlen) < 0) {
        qemuMigrationResumeFailed(driver, vm);
        return -1;
    }
    if (vm->state == VIR_DOMAIN_RUNNING)
        virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_POSTCOPY);
    if (priv->job.current)
        priv->job.current->status = QEMU_DOMAIN_JOB_STATUS_POSTCOPY;
    /* as for a first attempt, Finish returns once everything arrived */
    if (qemuMigrationWaitForCompletion(driver, vm, NULL, false) < 0) {
        qemuMigrationResumeFailed(driver, vm);
        return -1;
    }
    if (priv->job.current)
        priv->job.current->status = QEMU_DOMAIN_JOB_STATUS_COMPLETED;
    if (vm->state == VIR_DOMAIN_RUNNING)
        virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED);
    qemuDomainRefFill(ref, vm);
    qemuMigrationJobFinish(driver, vm);
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(driver, vm, VIR_DOMAIN_EVENT_RESUMED,
                            VIR_DOMAIN_EVENT_RESUMED_MIGRATED);
    virDomainObjLock(vm);
    return 0;
}

int
qemuMigrationSrcConfirmResume(qemuDriver *driver, virDomainObj *vm,
                              int cancelled, const qemuMigrationConn *conn)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    if (qemuMigrationResumeCheck(vm, VIR_ASYNC_JOB_MIGRATION_OUT) < 0 ||
        qemuMigrationJobStartPhase(driver, vm, QEMU_MIGRATION_PHASE_CONFIRM_RESUME,
                                   conn->clientID) < 0)
        return -1;
    if (cancelled ||
        (qemuMigrationStateGet(vm) != QEMU_MONITOR_MIGRATION_STATUS_COMPLETED &&
         qemuMigrationWaitForCompletion(driver, vm, NULL, false) < 0)) {
        if (cancelled)
            virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                           _("post-copy recovery was cancelled"));
        qemuMigrationResumeFailed(driver, vm);
        return -1;
    }
    if (priv->job.current)
        priv->job.current->status = QEMU_DOMAIN_JOB_STATUS_COMPLETED;
    qemuMigrationSrcStopMigrated(driver, vm);
    qemuMigrationJobFinish(driver, vm);
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(driver, vm, VIR_DOMAIN_EVENT_STOPPED,
                            VIR_DOMAIN_EVENT_STOPPED_MIGRATED);
    virDomainObjLock(vm);
    if (!vm->persistent)
        virDomainObjListRemove(driver->domains, vm);
    return 0;
}
