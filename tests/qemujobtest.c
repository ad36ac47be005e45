/*
 * qemujobtest.c: domain jobs, async jobs and migration phases
 *
 * Real threads contend for one domain's jobs; timeouts are short (the
 * driver's job wait timeout is a parameter) so every "waits, then fails"
 * case takes a fraction of a second.  The phase cases go through a real
 * driver object so that the status file written at each phase can be
 * read back as a restarted daemon would.
 */
#include <string.h>

#include "testutils.h"
#include "qemu_conf.h"
#include "qemu_domain.h"
#include "qemu_migration_job.h"
#include "domain_conf.h"
#include "virerror.h"
#include "virthreadjob.h"
#include "viruuid.h"

#define SHORT_TIMEOUT_MS 200

typedef struct {
    char *root;
    qemuDriver *driver;
    virDomainObj *vm;
} jobCtx;

static const char minimalXML[] =
    "<domain type='qemu'><name>jobs</name>"
    "<uuid>5a1e0000-0000-4000-8000-0000000000b1</uuid>"
    "<memory unit='MiB'>16</memory><os><type>hvm</type></os></domain>";

static jobCtx *
jobSetup(void)
{
    jobCtx *ctx = g_new0(jobCtx, 1);
    qemuDriverConfig cfg = { 0 };
    g_autoptr(GError) err = NULL;
    virDomainDef *def;

    ctx->root = g_dir_make_tmp("qemujobtest-XXXXXX", &err);
    g_assert_no_error(err);
    cfg.domainConfigDir = ctx->root;
    cfg.stateDir = ctx->root;
    cfg.logDir = ctx->root;
    cfg.libDir = ctx->root;
    cfg.jobWaitTimeoutMs = SHORT_TIMEOUT_MS;
    ctx->driver = qemuDriverNew(&cfg);
    g_assert_nonnull(ctx->driver);
    def = virDomainDefParseString(minimalXML, 0);
    g_assert_nonnull(def);
    ctx->vm = virDomainObjNew(def);
    qemuDomainObjInitPrivate(ctx->driver, ctx->vm);
    return ctx;
}

static void
jobTeardown(jobCtx *ctx)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", ctx->root);

    virDomainObjUnref(ctx->vm);
    qemuDriverFree(ctx->driver);
    ignore_value(system(cmd));
    g_free(ctx->root);
    g_free(ctx);
}

/* Makes the domain look active so that phases are persisted. */
static void
jobMakeActive(jobCtx *ctx)
{
    QEMU_DOMAIN_PRIVATE(ctx->vm)->monitorPath = g_strdup("/nonexistent/mon");
    ctx->vm->id = 7;
    ctx->vm->def->id = 7;
    ctx->vm->pid = 4242;
    virDomainObjSetState(ctx->vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
}

typedef struct {
    jobCtx *ctx;
    virDomainJob job;
    const char *api;
    unsigned int timeoutMs;
    int rc;
    int code;
    char *msg;
} jobAttempt;

static gpointer
jobAttemptThread(gpointer opaque)
{
    jobAttempt *a = opaque;
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(a->ctx->vm);

    virThreadJobSet(a->api);
    virDomainObjLock(a->ctx->vm);
    a->rc = qemuDomainObjBeginJob(a->ctx->vm, &priv->job, a->job,
                                  a->timeoutMs ? a->timeoutMs : SHORT_TIMEOUT_MS);
    if (a->rc == 0) {
        qemuDomainObjEndJob(a->ctx->vm, &priv->job);
    } else {
        a->code = virGetLastErrorCode();
        a->msg = g_strdup(virGetLastErrorMessage());
    }
    virDomainObjUnlock(a->ctx->vm);
    return NULL;
}

/* Tries @job from another thread; returns its result. */
static int
jobTry(jobCtx *ctx, virDomainJob job, const char *api, char **msg)
{
    jobAttempt a = { .ctx = ctx, .job = job, .api = api };
    GThread *th = g_thread_new("attempt", jobAttemptThread, &a);

    g_thread_join(th);
    if (msg)
        *msg = g_steal_pointer(&a.msg);
    g_free(a.msg);
    return a.rc;
}

static void
testSyncJobTimeout(void)
{
    jobCtx *ctx = jobSetup();
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(ctx->vm);
    g_autofree char *msg = NULL;

    virThreadJobSet("remoteDispatchDomainSuspend");
    virDomainObjLock(ctx->vm);
    g_assert_cmpint(qemuDomainObjBeginJob(ctx->vm, &priv->job, VIR_JOB_SUSPEND,
                                          SHORT_TIMEOUT_MS), ==, 0);
    virDomainObjUnlock(ctx->vm);
    /* a second sync job waits, then fails naming the holder */
    g_assert_cmpint(jobTry(ctx, VIR_JOB_MODIFY, "remoteDispatchDomainUndefine",
                           &msg), ==, -1);
    g_assert_cmpstr(msg, ==, "Timed out during operation: cannot acquire "
                    "state change lock (held by monitor=remoteDispatchDomainSuspend)");
    g_clear_pointer(&msg, g_free);
    g_assert_cmpint(jobTry(ctx, VIR_JOB_QUERY, "remoteDispatchDomainGetJobInfo",
                           &msg), ==, -1);
    virDomainObjLock(ctx->vm);
    qemuDomainObjEndJob(ctx->vm, &priv->job);
    virDomainObjUnlock(ctx->vm);
    g_assert_cmpint(jobTry(ctx, VIR_JOB_MODIFY, "x", NULL), ==, 0);
    virThreadJobSet(NULL);
    jobTeardown(ctx);
}

/* An outgoing migration between API calls: what it lets through. */
static void
testAsyncMaskOut(void)
{
    jobCtx *ctx = jobSetup();
    g_autofree char *msg = NULL;

    virThreadJobSet("remoteDispatchDomainMigrateBegin3Params");
    virDomainObjLock(ctx->vm);
    g_assert_cmpint(qemuMigrationJobStart(ctx->driver, ctx->vm,
                                          VIR_ASYNC_JOB_MIGRATION_OUT, 0, 1), ==, 0);
    qemuMigrationJobContinue(ctx->driver, ctx->vm, NULL);
    virDomainObjUnlock(ctx->vm);
    virThreadJobSet(NULL);

    g_assert_cmpint(jobTry(ctx, VIR_JOB_QUERY, "q", NULL), ==, 0);
    g_assert_cmpint(jobTry(ctx, VIR_JOB_SUSPEND, "s", NULL), ==, 0);
    g_assert_cmpint(jobTry(ctx, VIR_JOB_MIGRATION_OP, "m", NULL), ==, 0);
    g_assert_cmpint(jobTry(ctx, VIR_JOB_ABORT, "a", NULL), ==, 0);
    g_assert_cmpint(jobTry(ctx, VIR_JOB_DESTROY, "d", NULL), ==, 0);
    g_assert_cmpint(jobTry(ctx, VIR_JOB_MODIFY, "remoteDispatchDomainUndefine",
                           &msg), ==, -1);
    g_assert_cmpstr(msg, ==, "Timed out during operation: cannot acquire state "
                    "change lock (held by monitor=remoteDispatchDomainMigrateBegin3Params)");
    /* nested jobs belong to the thread driving the async job only */
    g_assert_cmpint(jobTry(ctx, VIR_JOB_ASYNC_NESTED, "n", NULL), ==, -1);
    jobTeardown(ctx);
}

static void
testAsyncMaskIn(void)
{
    jobCtx *ctx = jobSetup();

    virDomainObjLock(ctx->vm);
    g_assert_cmpint(qemuMigrationJobStart(ctx->driver, ctx->vm,
                                          VIR_ASYNC_JOB_MIGRATION_IN, 0, 1), ==, 0);
    qemuMigrationJobContinue(ctx->driver, ctx->vm, NULL);
    virDomainObjUnlock(ctx->vm);
    g_assert_cmpint(jobTry(ctx, VIR_JOB_QUERY, "q", NULL), ==, 0);
    g_assert_cmpint(jobTry(ctx, VIR_JOB_DESTROY, "d", NULL), ==, 0);
    g_assert_cmpint(jobTry(ctx, VIR_JOB_SUSPEND, "s", NULL), ==, -1);
    g_assert_cmpint(jobTry(ctx, VIR_JOB_MIGRATION_OP, "m", NULL), ==, -1);
    g_assert_cmpint(jobTry(ctx, VIR_JOB_MODIFY, "x", NULL), ==, -1);
    jobTeardown(ctx);
}

/* A second async job waits for the first one. */
static void
testAsyncExclusive(void)
{
    jobCtx *ctx = jobSetup();
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(ctx->vm);

    virDomainObjLock(ctx->vm);
    g_assert_cmpint(qemuMigrationJobStart(ctx->driver, ctx->vm,
                                          VIR_ASYNC_JOB_MIGRATION_OUT, 0, 1), ==, 0);
    g_assert_cmpint(qemuDomainObjBeginAsyncJob(ctx->vm, &priv->job,
                                               VIR_ASYNC_JOB_MIGRATION_OUT,
                                               SHORT_TIMEOUT_MS), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_TIMEOUT);
    /* the driving thread may nest monitor jobs */
    g_assert_cmpint(qemuDomainObjBeginJob(ctx->vm, &priv->job,
                                          VIR_JOB_ASYNC_NESTED,
                                          SHORT_TIMEOUT_MS), ==, 0);
    qemuDomainObjEndJob(ctx->vm, &priv->job);
    qemuMigrationJobFinish(ctx->driver, ctx->vm);
    g_assert_cmpint(priv->job.asyncJob, ==, VIR_ASYNC_JOB_NONE);
    g_assert_nonnull(priv->job.completed);
    virDomainObjUnlock(ctx->vm);
    jobTeardown(ctx);
}

typedef struct {
    jobCtx *ctx;
    int rc;
    int code;
} takeoverAttempt;

static gpointer
jobTakeoverThread(gpointer opaque)
{
    takeoverAttempt *t = opaque;

    virDomainObjLock(t->ctx->vm);
    t->rc = qemuMigrationJobStartPhase(t->ctx->driver, t->ctx->vm,
                                       QEMU_MIGRATION_PHASE_PERFORM3, 2);
    t->code = virGetLastErrorCode();
    virDomainObjUnlock(t->ctx->vm);
    return NULL;
}

/* Another API call cannot take over a job that a thread drives now. */
static void
testWrongThread(void)
{
    jobCtx *ctx = jobSetup();
    takeoverAttempt t = { .ctx = ctx };
    GThread *th;

    virDomainObjLock(ctx->vm);
    g_assert_cmpint(qemuMigrationJobStart(ctx->driver, ctx->vm,
                                          VIR_ASYNC_JOB_MIGRATION_OUT, 0, 1), ==, 0);
    g_assert_cmpint(qemuMigrationJobSetPhase(ctx->driver, ctx->vm,
                                             QEMU_MIGRATION_PHASE_BEGIN3), ==, 0);
    virDomainObjUnlock(ctx->vm);
    th = g_thread_new("takeover", jobTakeoverThread, &t);
    g_thread_join(th);
    g_assert_cmpint(t.rc, ==, -1);
    g_assert_cmpint(t.code, ==, VIR_ERR_OPERATION_INVALID);

    /* once released, the next call takes over */
    virDomainObjLock(ctx->vm);
    qemuMigrationJobContinue(ctx->driver, ctx->vm, NULL);
    virDomainObjUnlock(ctx->vm);
    th = g_thread_new("takeover", jobTakeoverThread, &t);
    g_thread_join(th);
    g_assert_cmpint(t.rc, ==, 0);
    g_assert_cmpint(QEMU_DOMAIN_PRIVATE(ctx->vm)->job.closeConn, ==, 2);
    jobTeardown(ctx);
}

typedef struct {
    virDomainAsyncJob job;
    qemuMigrationJobPhase from;
    qemuMigrationJobPhase to;
    bool allowed;
} phaseCase;

static void
testPhaseRules(void)
{
    static const phaseCase cases[] = {
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_NONE, QEMU_MIGRATION_PHASE_BEGIN3, true },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_BEGIN3, QEMU_MIGRATION_PHASE_PERFORM3, true },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_PERFORM3, QEMU_MIGRATION_PHASE_PERFORM3_DONE, true },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_PERFORM3_DONE, QEMU_MIGRATION_PHASE_CONFIRM3, true },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_PERFORM3, QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED, true },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_PERFORM3, QEMU_MIGRATION_PHASE_BEGIN3, false },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_CONFIRM3, QEMU_MIGRATION_PHASE_PERFORM3, false },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_PERFORM3, QEMU_MIGRATION_PHASE_PERFORM3, false },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_BEGIN3, QEMU_MIGRATION_PHASE_PREPARE, false },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_PERFORM3, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED, true },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_CONFIRM3, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED, true },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED, QEMU_MIGRATION_PHASE_BEGIN_RESUME, true },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_PERFORM_RESUME, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED, true },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_CONFIRM_RESUME, QEMU_MIGRATION_PHASE_BEGIN_RESUME, true },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED, QEMU_MIGRATION_PHASE_CONFIRM3, false },
        { VIR_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED, QEMU_MIGRATION_PHASE_PREPARE_RESUME, false },
        { VIR_ASYNC_JOB_MIGRATION_IN, QEMU_MIGRATION_PHASE_NONE, QEMU_MIGRATION_PHASE_PREPARE, true },
        { VIR_ASYNC_JOB_MIGRATION_IN, QEMU_MIGRATION_PHASE_PREPARE, QEMU_MIGRATION_PHASE_FINISH3, true },
        { VIR_ASYNC_JOB_MIGRATION_IN, QEMU_MIGRATION_PHASE_FINISH3, QEMU_MIGRATION_PHASE_PREPARE, false },
        { VIR_ASYNC_JOB_MIGRATION_IN, QEMU_MIGRATION_PHASE_PREPARE, QEMU_MIGRATION_PHASE_PERFORM3, false },
        { VIR_ASYNC_JOB_MIGRATION_IN, QEMU_MIGRATION_PHASE_FINISH3, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED, true },
        { VIR_ASYNC_JOB_MIGRATION_IN, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED, QEMU_MIGRATION_PHASE_PREPARE_RESUME, true },
        { VIR_ASYNC_JOB_MIGRATION_IN, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED, QEMU_MIGRATION_PHASE_BEGIN_RESUME, false },
    };
    size_t i;

    /* a new phase must be added to qemuMigrationPhaseBelongsTo and here */
    G_STATIC_ASSERT(QEMU_MIGRATION_PHASE_LAST == 16);
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        bool ok = qemuMigrationJobPhaseAllowed(cases[i].job, cases[i].from,
                                               cases[i].to);

        if (ok != cases[i].allowed)
            g_error("case %zu: %s -> %s: got %d", i,
                    qemuMigrationJobPhaseTypeToString(cases[i].from),
                    qemuMigrationJobPhaseTypeToString(cases[i].to), ok);
        if (!ok)
            g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INTERNAL_ERROR);
    }
    g_assert_false(qemuMigrationJobPhaseAllowed(VIR_ASYNC_JOB_MIGRATION_OUT,
                                                QEMU_MIGRATION_PHASE_PERFORM3,
                                                QEMU_MIGRATION_PHASE_BEGIN3));
    g_assert_cmpstr(virGetLastErrorMessage(), ==, "internal error: migration "
                    "protocol going backwards perform3 => begin3");
}

/* Reads the phase attribute of the domain's status file. */
static char *
jobStatusPhase(jobCtx *ctx)
{
    g_autofree char *path = g_build_filename(ctx->root, "jobs.xml", NULL);
    g_autofree char *data = NULL;
    const char *p;

    if (!g_file_get_contents(path, &data, NULL, NULL) ||
        !(p = strstr(data, " phase='")))
        return g_strdup("");
    p += 8;
    return g_strndup(p, strcspn(p, "'"));
}

/* Every phase change is on disk before the call returns, and a status
 * file read back (a restarted daemon) has the same job and phase. */
static void
testPhasePersisted(void)
{
    static const qemuMigrationJobPhase seq[] = {
        QEMU_MIGRATION_PHASE_BEGIN3, QEMU_MIGRATION_PHASE_PERFORM3,
        QEMU_MIGRATION_PHASE_PERFORM3_DONE, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED,
        QEMU_MIGRATION_PHASE_BEGIN_RESUME, QEMU_MIGRATION_PHASE_PERFORM_RESUME,
        QEMU_MIGRATION_PHASE_CONFIRM_RESUME,
    };
    jobCtx *ctx = jobSetup();
    g_autofree char *path = g_build_filename(ctx->root, "jobs.xml", NULL);
    size_t i;

    jobMakeActive(ctx);
    virDomainObjLock(ctx->vm);
    g_assert_cmpint(qemuMigrationJobStart(ctx->driver, ctx->vm,
                                          VIR_ASYNC_JOB_MIGRATION_OUT, 0x8301, 1), ==, 0);
    for (i = 0; i < G_N_ELEMENTS(seq); i++) {
        g_autofree char *phase = NULL;
        g_autoptr(virDomainObj) loaded = NULL;
        qemuDomainObjPrivate *lpriv;

        g_assert_cmpint(qemuMigrationJobSetPhase(ctx->driver, ctx->vm, seq[i]), ==, 0);
        phase = jobStatusPhase(ctx);
        g_assert_cmpstr(phase, ==, qemuMigrationJobPhaseTypeToString(seq[i]));
        loaded = qemuDomainLoadStatus(ctx->driver, path);
        g_assert_nonnull(loaded);
        lpriv = QEMU_DOMAIN_PRIVATE(loaded);
        g_assert_cmpint(lpriv->job.asyncJob, ==, VIR_ASYNC_JOB_MIGRATION_OUT);
        g_assert_cmpint(lpriv->job.phase, ==, seq[i]);
        g_assert_cmpuint(lpriv->job.apiFlags, ==, 0x8301);
        g_assert_cmpint(loaded->state, ==, VIR_DOMAIN_RUNNING);
    }
    /* a refused change leaves the file alone */
    g_assert_cmpint(qemuMigrationJobSetPhase(ctx->driver, ctx->vm,
                                             QEMU_MIGRATION_PHASE_PREPARE), ==, -1);
    {
        g_autofree char *phase = jobStatusPhase(ctx);
        g_assert_cmpstr(phase, ==, "confirm_resume");
    }
    qemuMigrationJobFinish(ctx->driver, ctx->vm);
    {
        g_autofree char *phase = jobStatusPhase(ctx);
        g_assert_cmpstr(phase, ==, "");
    }
    virDomainObjUnlock(ctx->vm);
    jobTeardown(ctx);
}

typedef struct {
    jobCtx *ctx;
    gint *failures;
    gint *successes;
} hammerArg;

static gpointer
jobHammerThread(gpointer opaque)
{
    hammerArg *h = opaque;
    int i;

    /* queries wait for each other (one sync job at a time): give them a
     * timeout no loaded machine reaches, the point is that the async job
     * never blocks them */
    for (i = 0; i < 50; i++) {
        jobAttempt a = { .ctx = h->ctx, .job = VIR_JOB_QUERY,
                         .api = "remoteDispatchDomainGetJobInfo",
                         .timeoutMs = 10000 };

        jobAttemptThread(&a);
        g_free(a.msg);
        if (a.rc == 0)
            g_atomic_int_inc(h->successes);
        else
            g_atomic_int_inc(h->failures);
    }
    return NULL;
}

/* Many query callers during an async job all get through. */
static void
testQueriesDuringAsync(void)
{
    jobCtx *ctx = jobSetup();
    gint failures = 0, successes = 0;
    hammerArg h = { ctx, &failures, &successes };
    GThread *threads[8];
    size_t i;

    virDomainObjLock(ctx->vm);
    g_assert_cmpint(qemuMigrationJobStart(ctx->driver, ctx->vm,
                                          VIR_ASYNC_JOB_MIGRATION_OUT, 0, 1), ==, 0);
    qemuMigrationJobContinue(ctx->driver, ctx->vm, NULL);
    virDomainObjUnlock(ctx->vm);
    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        threads[i] = g_thread_new("hammer", jobHammerThread, &h);
    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        g_thread_join(threads[i]);
    g_assert_cmpint(failures, ==, 0);
    g_assert_cmpint(successes, ==, 8 * 50);
    jobTeardown(ctx);
}

static int closeCalls;

static void
jobCloseCb(virDomainObj *vm)
{
    closeCalls++;
    /* a close callback takes the job over like any later API call */
    g_assert_cmpint(qemuDomainObjResumeAsyncJob(vm, &QEMU_DOMAIN_PRIVATE(vm)->job,
                                                VIR_ASYNC_JOB_MIGRATION_OUT), ==, 0);
    qemuMigrationJobFinish(QEMU_DOMAIN_PRIVATE(vm)->driver, vm);
}

/* The close callback of a job whose client vanished runs once, only
 * when no thread drives the job, and never for another connection. */
static void
testCloseCallback(void)
{
    jobCtx *ctx = jobSetup();
    qemuDomainJobObj *job = &QEMU_DOMAIN_PRIVATE(ctx->vm)->job;

    closeCalls = 0;
    virDomainObjLock(ctx->vm);
    g_assert_cmpint(qemuMigrationJobStart(ctx->driver, ctx->vm,
                                          VIR_ASYNC_JOB_MIGRATION_OUT, 0, 7), ==, 0);
    g_assert_false(qemuDomainObjAsyncJobIsUnattended(job));
    /* another connection closing is not ours */
    g_assert_false(qemuDomainObjAsyncJobClientClosed(job, 8));
    /* ours closes while this thread still drives the job: nothing yet */
    g_assert_true(qemuDomainObjAsyncJobClientClosed(job, 7));
    g_assert_false(qemuDomainObjAsyncJobIsAbandoned(job));
    qemuDomainObjAsyncJobRunCloseCallback(ctx->vm, job);
    g_assert_cmpint(closeCalls, ==, 0);
    /* released: now it is abandoned, and the callback runs once */
    qemuDomainObjAsyncJobSetCloseCallback(job, jobCloseCb);
    qemuDomainObjReleaseAsyncJob(ctx->vm, job);
    g_assert_true(qemuDomainObjAsyncJobIsAbandoned(job));
    qemuDomainObjAsyncJobRunCloseCallback(ctx->vm, job);
    g_assert_cmpint(closeCalls, ==, 1);
    g_assert_cmpint(job->asyncJob, ==, VIR_ASYNC_JOB_NONE);
    qemuDomainObjAsyncJobRunCloseCallback(ctx->vm, job);
    g_assert_cmpint(closeCalls, ==, 1);

    /* a job taken over by a new client is not abandoned any more */
    g_assert_cmpint(qemuMigrationJobStart(ctx->driver, ctx->vm,
                                          VIR_ASYNC_JOB_MIGRATION_OUT, 0, 7), ==, 0);
    qemuMigrationJobContinue(ctx->driver, ctx->vm, jobCloseCb);
    g_assert_true(qemuDomainObjAsyncJobClientClosed(job, 7));
    g_assert_cmpint(qemuMigrationJobStartPhase(ctx->driver, ctx->vm,
                                               QEMU_MIGRATION_PHASE_PERFORM3, 9), ==, 0);
    qemuMigrationJobContinue(ctx->driver, ctx->vm, jobCloseCb);
    g_assert_false(qemuDomainObjAsyncJobIsAbandoned(job));
    qemuDomainObjAsyncJobRunCloseCallback(ctx->vm, job);
    g_assert_cmpint(closeCalls, ==, 1);
    g_assert_cmpint(qemuMigrationJobStartPhase(ctx->driver, ctx->vm,
                                               QEMU_MIGRATION_PHASE_PERFORM3_DONE, 9), ==, 0);
    qemuMigrationJobFinish(ctx->driver, ctx->vm);
    virDomainObjUnlock(ctx->vm);
    jobTeardown(ctx);
}

typedef struct {
    virDomainObj *vm;
    unsigned int states;
    gint64 deadline;
    qemuMigrationWaitResult result;
    qemuMonitorMigrationStatus seen;
} waitArg;

static gpointer
jobWaitThread(gpointer opaque)
{
    waitArg *w = opaque;

    virDomainObjLock(w->vm);
    w->result = qemuMigrationStateWaitUntil(w->vm, w->states, NULL, w->deadline,
                                            &w->seen);
    virDomainObjUnlock(w->vm);
    return NULL;
}

/* Records @status as the monitor thread does. */
static void
jobRecord(jobCtx *ctx, qemuMonitorMigrationStatus status)
{
    virDomainObjLock(ctx->vm);
    qemuMigrationStateRecord(ctx->vm, status);
    virDomainObjUnlock(ctx->vm);
}

/* The one wait primitive: woken by the recorder (not by a poll), only
 * for the states asked for; a deadline and a vanished QEMU end it. */
static void
testMigrationWait(void)
{
    jobCtx *ctx = jobSetup();
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(ctx->vm);
    waitArg w = { ctx->vm, QEMU_MIGRATION_STATES_FINAL, 0, -1, 0 };
    GThread *th;

    /* the wait only looks at whether a monitor is attached */
    priv->mon = (qemuMonitor *)ctx;
    th = g_thread_new("wait", jobWaitThread, &w);
    jobRecord(ctx, QEMU_MONITOR_MIGRATION_STATUS_ACTIVE);
    jobRecord(ctx, QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE);
    jobRecord(ctx, QEMU_MONITOR_MIGRATION_STATUS_COMPLETED);
    g_thread_join(th);
    g_assert_cmpint(w.result, ==, QEMU_MIGRATION_WAIT_REACHED);
    g_assert_cmpint(w.seen, ==, QEMU_MONITOR_MIGRATION_STATUS_COMPLETED);
    virDomainObjLock(ctx->vm);
    g_assert_true(qemuMigrationStateInPostcopy(ctx->vm));
    virDomainObjUnlock(ctx->vm);

    /* nothing comes: the deadline ends the wait */
    virDomainObjLock(ctx->vm);
    qemuMigrationStateReset(ctx->vm);
    g_assert_false(qemuMigrationStateInPostcopy(ctx->vm));
    virDomainObjUnlock(ctx->vm);
    w.deadline = g_get_monotonic_time() + 50 * 1000;
    th = g_thread_new("wait", jobWaitThread, &w);
    g_thread_join(th);
    g_assert_cmpint(w.result, ==, QEMU_MIGRATION_WAIT_TIMEOUT);
    g_assert_cmpint(w.seen, ==, QEMU_MONITOR_MIGRATION_STATUS_NONE);

    /* QEMU goes away while a migration streams */
    w.deadline = 0;
    th = g_thread_new("wait", jobWaitThread, &w);
    jobRecord(ctx, QEMU_MONITOR_MIGRATION_STATUS_ACTIVE);
    virDomainObjLock(ctx->vm);
    priv->monitorGone = true;
    g_cond_broadcast(&ctx->vm->cond);
    virDomainObjUnlock(ctx->vm);
    g_thread_join(th);
    g_assert_cmpint(w.result, ==, QEMU_MIGRATION_WAIT_QEMU_GONE);
    priv->mon = NULL;
    jobTeardown(ctx);
}

/* Finish with neither a cookie nor destination_name (a peer that sends
 * nothing) is refused, not a crash. */
static void
testFinishWithoutName(void)
{
    jobCtx *ctx = jobSetup();
    qemuMigrationConn conn = { 1, NULL };
    qemuDomainRef ref = { 0 };
    g_autofree char *cookieout = NULL;
    size_t cookieoutlen = 0;

    g_assert_cmpint(qemuDomainMigrateFinish3Params(ctx->driver, NULL, 0, NULL, 0,
                                                   &cookieout, &cookieoutlen,
                                                   0, 1, &ref, &conn), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    qemuDomainRefClear(&ref);
    jobTeardown(ctx);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/job/sync-timeout-names-holder", testSyncJobTimeout);
    g_test_add_func("/job/async-mask-out", testAsyncMaskOut);
    g_test_add_func("/job/async-mask-in", testAsyncMaskIn);
    g_test_add_func("/job/async-exclusive", testAsyncExclusive);
    g_test_add_func("/job/wrong-thread", testWrongThread);
    g_test_add_func("/job/phase-rules", testPhaseRules);
    g_test_add_func("/job/phase-persisted", testPhasePersisted);
    g_test_add_func("/job/queries-during-async", testQueriesDuringAsync);
    g_test_add_func("/job/close-callback", testCloseCallback);
    g_test_add_func("/job/migration-wait", testMigrationWait);
    g_test_add_func("/job/finish-without-name", testFinishWithoutName);
    return g_test_run();
}
