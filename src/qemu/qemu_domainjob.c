/*
 * qemu_domainjob.c: domain jobs
 */
#include "qemu_domainjob.h"
#include "virerror.h"
#include "virlog.h"
#include "virthreadjob.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_domainjob");

VIR_ENUM_IMPL(virDomainJob, VIR_JOB_LAST,
              "none", "query", "destroy", "suspend", "modify", "abort",
              "migration operation", "async nested");

VIR_ENUM_IMPL(virDomainAsyncJob, VIR_ASYNC_JOB_LAST,
              "none", "migration out", "migration in", "save", "dump");

void
qemuDomainJobObjClear(qemuDomainJobObj *job)
{
    g_clear_pointer(&job->ownerAPI, g_free);
    g_clear_pointer(&job->asyncOwnerAPI, g_free);
    job->active = VIR_JOB_NONE;
    job->owner = NULL;
    job->asyncJob = VIR_ASYNC_JOB_NONE;
    job->asyncOwner = NULL;
    job->phase = 0;
    job->mask = 0;
    job->abortJob = false;
    job->closeConn = 0;
    job->closeCb = NULL;
    job->abandoned = false;
    job->apiFlags = 0;
    g_clear_pointer(&job->current, qemuDomainJobDataFree);
    g_clear_pointer(&job->completed, qemuDomainJobDataFree);
}

/* May @job start now?  Nested jobs of the async owner bypass the mask. */
static bool
qemuDomainJobAllowed(const qemuDomainJobObj *jobObj, virDomainJob job)
{
    if (jobObj->active != VIR_JOB_NONE)
        return false;
    if (jobObj->asyncJob == VIR_ASYNC_JOB_NONE)
        return job != VIR_JOB_ASYNC_NESTED;
    if (job == VIR_JOB_ASYNC_NESTED)
        return jobObj->asyncOwner == g_thread_self();
    return (jobObj->mask & VIR_JOB_MASK(job)) != 0;
}

static void
qemuDomainJobReportTimeout(const qemuDomainJobObj *jobObj)
{
    const char *blocker = jobObj->ownerAPI;

    if (!blocker && jobObj->asyncJob != VIR_ASYNC_JOB_NONE)
        blocker = jobObj->asyncOwnerAPI;
    if (blocker) {
        virReportError(VIR_ERR_OPERATION_TIMEOUT,
                       _("cannot acquire state change lock (held by monitor=%1$s)"),
                       blocker);
    } else {
        virReportError(VIR_ERR_OPERATION_TIMEOUT, "%s",
                       _("cannot acquire state change lock"));
    }
}

/* Waits on the domain's condition until @ready or the deadline. */
static int
qemuDomainJobWait(virDomainObj *vm, const qemuDomainJobObj *jobObj,
                  bool (*ready)(const qemuDomainJobObj *, virDomainJob),
                  virDomainJob job, unsigned int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;

    while (!ready(jobObj, job)) {
        if (!g_cond_wait_until(&vm->cond, &vm->lock, deadline) &&
            !ready(jobObj, job)) {
            qemuDomainJobReportTimeout(jobObj);
            return -1;
        }
    }
    return 0;
}

/* Records @job as held by the calling thread. */
static void
qemuDomainJobTake(virDomainObj *vm, qemuDomainJobObj *jobObj, virDomainJob job)
{
    jobObj->active = job;
    jobObj->owner = g_thread_self();
    g_free(jobObj->ownerAPI);
    jobObj->ownerAPI = g_strdup(virThreadJobGet());
    jobObj->started = g_get_monotonic_time();
    VIR_DEBUG("domain %s: started job %s", vm->def->name,
              virDomainJobTypeToString(job));
}

int
qemuDomainObjBeginJob(virDomainObj *vm, qemuDomainJobObj *jobObj,
                      virDomainJob job, unsigned int timeoutMs)
{
    VIR_DEBUG("domain %s: waiting for job %s (active %s, async %s)",
              vm->def->name, virDomainJobTypeToString(job),
              virDomainJobTypeToString(jobObj->active),
              virDomainAsyncJobTypeToString(jobObj->asyncJob));
    if (qemuDomainJobWait(vm, jobObj, qemuDomainJobAllowed, job, timeoutMs) < 0)
        return -1;
    qemuDomainJobTake(vm, jobObj, job);
    return 0;
}

int
qemuDomainObjBeginJobNowait(virDomainObj *vm, qemuDomainJobObj *jobObj,
                            virDomainJob job)
{
    if (!qemuDomainJobAllowed(jobObj, job))
        return -1;
    qemuDomainJobTake(vm, jobObj, job);
    return 0;
}

void
qemuDomainObjEndJob(virDomainObj *vm, qemuDomainJobObj *jobObj)
{
    VIR_DEBUG("domain %s: ending job %s", vm->def->name,
              virDomainJobTypeToString(jobObj->active));
    jobObj->active = VIR_JOB_NONE;
    jobObj->owner = NULL;
    g_clear_pointer(&jobObj->ownerAPI, g_free);
    g_cond_broadcast(&vm->cond);
}

static bool
qemuDomainJobIdle(const qemuDomainJobObj *jobObj, virDomainJob job)
{
    return jobObj->active == VIR_JOB_NONE &&
           jobObj->asyncJob == VIR_ASYNC_JOB_NONE;
}

int
qemuDomainObjBeginAsyncJob(virDomainObj *vm, qemuDomainJobObj *jobObj,
                           virDomainAsyncJob asyncJob, unsigned int timeoutMs)
{
    if (qemuDomainJobWait(vm, jobObj, qemuDomainJobIdle, VIR_JOB_NONE,
                          timeoutMs) < 0)
        return -1;
    jobObj->asyncJob = asyncJob;
    jobObj->asyncOwner = g_thread_self();
    g_free(jobObj->asyncOwnerAPI);
    jobObj->asyncOwnerAPI = g_strdup(virThreadJobGet());
    jobObj->asyncStarted = g_get_monotonic_time();
    jobObj->asyncStartedWall = g_get_real_time() / 1000;
    jobObj->phase = 0;
    jobObj->mask = VIR_JOB_DEFAULT_MASK;
    jobObj->abortJob = false;
    jobObj->closeConn = 0;
    jobObj->closeCb = NULL;
    jobObj->abandoned = false;
    VIR_DEBUG("domain %s: started async job %s", vm->def->name,
              virDomainAsyncJobTypeToString(asyncJob));
    return 0;
}

void
qemuDomainObjReleaseAsyncJob(virDomainObj *vm, qemuDomainJobObj *jobObj)
{
    VIR_DEBUG("domain %s: releasing async job %s", vm->def->name,
              virDomainAsyncJobTypeToString(jobObj->asyncJob));
    jobObj->asyncOwner = NULL;
    g_cond_broadcast(&vm->cond);
}

int
qemuDomainObjResumeAsyncJob(virDomainObj *vm, qemuDomainJobObj *jobObj,
                            virDomainAsyncJob asyncJob)
{
    if (jobObj->asyncJob != asyncJob) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%1$s' has no %2$s job"), vm->def->name,
                       virDomainAsyncJobTypeToString(asyncJob));
        return -1;
    }
    if (jobObj->asyncOwner && jobObj->asyncOwner != g_thread_self()) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("%1$s job of domain '%2$s' is being driven by another API call (%3$s)"),
                       virDomainAsyncJobTypeToString(asyncJob), vm->def->name,
                       NULLSTR(jobObj->asyncOwnerAPI));
        return -1;
    }
    jobObj->asyncOwner = g_thread_self();
    g_free(jobObj->asyncOwnerAPI);
    jobObj->asyncOwnerAPI = g_strdup(virThreadJobGet());
    return 0;
}

void
qemuDomainObjEndAsyncJob(virDomainObj *vm, qemuDomainJobObj *jobObj)
{
    VIR_DEBUG("domain %s: ending async job %s", vm->def->name,
              virDomainAsyncJobTypeToString(jobObj->asyncJob));
    jobObj->asyncJob = VIR_ASYNC_JOB_NONE;
    jobObj->asyncOwner = NULL;
    g_clear_pointer(&jobObj->asyncOwnerAPI, g_free);
    jobObj->phase = 0;
    jobObj->mask = 0;
    jobObj->abortJob = false;
    jobObj->closeConn = 0;
    jobObj->closeCb = NULL;
    jobObj->abandoned = false;
    jobObj->apiFlags = 0;
    g_clear_pointer(&jobObj->current, qemuDomainJobDataFree);
    g_cond_broadcast(&vm->cond);
}

void
qemuDomainObjSetAsyncJobMask(qemuDomainJobObj *jobObj, unsigned long long mask)
{
    jobObj->mask = mask;
}

bool
qemuDomainObjAsyncJobIsUnattended(const qemuDomainJobObj *jobObj)
{
    return jobObj->asyncJob != VIR_ASYNC_JOB_NONE && !jobObj->asyncOwner;
}

void
qemuDomainObjAsyncJobSetClient(qemuDomainJobObj *jobObj, guint64 clientID)
{
    /* a client driving the job again: it is not abandoned any more */
    jobObj->closeConn = clientID;
    jobObj->abandoned = false;
}

bool
qemuDomainObjAsyncJobHasClient(const qemuDomainJobObj *jobObj)
{
    return jobObj->closeConn != 0;
}

void
qemuDomainObjAsyncJobSetCloseCallback(qemuDomainJobObj *jobObj,
                                      qemuDomainJobCloseCallback cb)
{
    jobObj->closeCb = cb;
}

bool
qemuDomainObjAsyncJobClientClosed(qemuDomainJobObj *jobObj, guint64 clientID)
{
    if (clientID == 0 || jobObj->asyncJob == VIR_ASYNC_JOB_NONE ||
        jobObj->closeConn != clientID)
        return false;
    jobObj->closeConn = 0;
    jobObj->abandoned = true;
    return true;
}

void
qemuDomainObjAsyncJobAbandon(qemuDomainJobObj *jobObj)
{
    jobObj->abandoned = true;
}

bool
qemuDomainObjAsyncJobIsAbandoned(const qemuDomainJobObj *jobObj)
{
    return jobObj->abandoned && qemuDomainObjAsyncJobIsUnattended(jobObj);
}

void
qemuDomainObjAsyncJobRunCloseCallback(virDomainObj *vm, qemuDomainJobObj *jobObj)
{
    qemuDomainJobCloseCallback cb = jobObj->closeCb;

    if (!qemuDomainObjAsyncJobIsAbandoned(jobObj))
        return;
    jobObj->abandoned = false;
    if (!cb) {
        VIR_DEBUG("domain %s: %s job kept after its client left",
                  vm->def->name, virDomainAsyncJobTypeToString(jobObj->asyncJob));
        return;
    }
    cb(vm);
}

void
qemuDomainObjRestoreAsyncJob(qemuDomainJobObj *jobObj, virDomainAsyncJob asyncJob,
                             int phase, unsigned int apiFlags)
{
    jobObj->asyncJob = asyncJob;
    jobObj->asyncOwner = NULL;
    jobObj->phase = phase;
    jobObj->apiFlags = apiFlags;
    jobObj->mask = asyncJob == VIR_ASYNC_JOB_NONE ? 0 : VIR_JOB_DEFAULT_MASK;
}

void
qemuDomainObjBeginStartupJob(virDomainObj *vm, qemuDomainJobObj *jobObj)
{
    VIR_DEBUG("domain %s: start-up job", vm->def->name);
    jobObj->active = VIR_JOB_MODIFY;
    jobObj->owner = g_thread_self();
    g_free(jobObj->ownerAPI);
    jobObj->ownerAPI = g_strdup("qemuProcessReconnect");
    jobObj->started = g_get_monotonic_time();
}
