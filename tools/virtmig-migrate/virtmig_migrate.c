/*
 * virtmig_migrate.c: virtmig-migrate, a live migration command on
 * libvirt.so's public API (it works against virtmigd and libvirtd
 * alike).  It starts the migration on a worker thread, samples the
 * source's job statistics every 200 ms and receives its events (on the
 * default event loop's thread), feeds each sample to the policy and
 * carries out what it decides, shows the progress and records the
 * timeline.  See migrate_sample.h for the parts.
 *
 * Threads: the event loop thread and the worker only queue messages
 * (GAsyncQueue); the main thread alone touches the policy, the timeline
 * and the output.
 *
 * Exit codes: 0 completed (precopy or post-copy), 1 failed (the guest
 * still runs on the source), 2 usage error, 3 aborted by the policy,
 * the timeout or the user (the guest runs on the source), 4 post-copy
 * failed (recoverable: the command to resume it is printed), 5
 * completed after the guest was paused by the timeout action (its stall
 * was longer than the downtime limit).
 */
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gi18n.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "migrate_progress.h"
#include "migrate_sample.h"

enum {
    EXIT_COMPLETED = 0,
    EXIT_FAILED = 1,
    EXIT_USAGE = 2,
    EXIT_ABORTED = 3,
    EXIT_POSTCOPY_FAILED = 4,
    EXIT_COMPLETED_PAUSED = 5,
};

#define POLL_INTERVAL_MS 200
#define COMPLETED_WAIT_MS 2000      /* for JOB_COMPLETED after the call returned */
#define DEFAULT_DOWNTIME_MS 300     /* QEMU's default downtime-limit */

/* The command line. */
typedef struct {
    char *srcURI;
    gboolean p2p;
    gboolean unsafe;
    gboolean tls;
    gint bandwidth;
    char *postcopy;
    gboolean autoConverge;
    gdouble completionTimeoutPerGiB;
    gdouble progressTimeout;
    char *onTimeout;
    gint64 downtimeMax;
    gint downtimeSteps;
    char *timelinePath;
    char *plotPath;
    gboolean quiet;
    gboolean json;
    char *migrateURI;
    char **args;                    /* DOMAIN DEST_URI */
    const char *domain;
    const char *destURI;
    migratePostcopyMode postcopyMode;
    migrateTimeoutAction timeoutAction;
} migrateOptions;

/* What the event loop thread and the worker tell the main thread. */
typedef enum {
    MSG_EVENT,                      /* @sample (timestamped when handled) */
    MSG_DONE,                       /* the migration call returned */
} migrateMsgType;

typedef struct {
    migrateMsgType type;
    migrateSample sample;
    int rc;                         /* DONE */
    char *error;                    /* DONE, rc < 0 */
} migrateMsg;

typedef struct {
    migrateOptions *opts;
    virConnectPtr src;
    virConnectPtr dst;              /* NULL with --p2p */
    virDomainPtr dom;
    virTypedParameterPtr params;    /* the migration's */
    int nparams;
    unsigned int flags;
    GAsyncQueue *queue;             /* of migrateMsg */
    gint quit;                      /* the event loop thread stops */
    int callbacks[3];
    int timer;
    gint64 start;                   /* monotonic µs */

    /* main thread only */
    migratePolicy *policy;
    migrateTimeline *timeline;
    migrateProgress *progress;
    uint64_t downtimeMs;            /* the limit in force */
    bool postcopy;                  /* the source reported the switch */
    bool switched;                  /* we asked for the switch */
    bool aborted;
    bool paused;
    bool completed;                 /* JOB_COMPLETED seen */
    char *abortReason;
} migrateCmd;

/* Set by SIGINT/SIGTERM: the only state a signal handler may touch. */
static volatile sig_atomic_t interrupted;

static void
onSignal(int sig G_GNUC_UNUSED)
{
    interrupted = 1;
}

static void
msgFree(gpointer data)
{
    migrateMsg *m = data;

    g_free((char *)m->sample.text);
    g_free(m->error);
    g_free(m);
}

static void
pushEvent(migrateCmd *cmd, const migrateSample *s)
{
    migrateMsg *m = g_new0(migrateMsg, 1);

    m->type = MSG_EVENT;
    m->sample = *s;
    m->sample.text = g_strdup(s->text);
    g_async_queue_push(cmd->queue, m);
}

static const char *
lastError(void)
{
    const char *msg = virGetLastErrorMessage();

    return msg ? msg : _("unknown error");
}

/* libvirt's default handler prints every error; we report our own. */
static void
quietErrors(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}

/* ---- options ---- */

static void
optionsClear(migrateOptions *o)
{
    g_free(o->srcURI);
    g_free(o->postcopy);
    g_free(o->onTimeout);
    g_free(o->timelinePath);
    g_free(o->plotPath);
    g_free(o->migrateURI);
    g_strfreev(o->args);
}

static bool
parsePostcopy(const char *s, migratePostcopyMode *mode)
{
    static const struct { const char *name; migratePostcopyMode mode; } names[] = {
        { "auto", MIGRATE_POSTCOPY_AUTO },
        { "never", MIGRATE_POSTCOPY_NEVER },
        { "now", MIGRATE_POSTCOPY_NOW },
        { "after-precopy", MIGRATE_POSTCOPY_AFTER_PRECOPY },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (g_str_equal(s, names[i].name)) {
            *mode = names[i].mode;
            return true;
        }
    }
    return false;
}

static bool
parseTimeoutAction(const char *s, migrateTimeoutAction *action)
{
    if (g_str_equal(s, "abort"))
        *action = MIGRATE_TIMEOUT_ABORT;
    else if (g_str_equal(s, "postcopy"))
        *action = MIGRATE_TIMEOUT_POSTCOPY;
    else if (g_str_equal(s, "pause"))
        *action = MIGRATE_TIMEOUT_PAUSE;
    else
        return false;
    return true;
}

/* The checks GOption does not do; a message in *@error. */
static bool
optionsCheck(migrateOptions *o, char **error)
{
    if (!o->args || g_strv_length(o->args) != 2) {
        *error = g_strdup(_("expected the arguments DOMAIN DEST_URI"));
        return false;
    }
    o->domain = o->args[0];
    o->destURI = o->args[1];
    if (o->postcopy && !parsePostcopy(o->postcopy, &o->postcopyMode)) {
        *error = g_strdup_printf(_("--postcopy: '%s' is not auto, never, now or after-precopy"),
                                 o->postcopy);
        return false;
    }
    if (o->onTimeout && !parseTimeoutAction(o->onTimeout, &o->timeoutAction)) {
        *error = g_strdup_printf(_("--on-timeout: '%s' is not abort, postcopy or pause"),
                                 o->onTimeout);
        return false;
    }
    if (o->bandwidth < 0 || o->completionTimeoutPerGiB < 0 || o->progressTimeout < 0 ||
        o->downtimeMax < 0 || o->downtimeSteps < 0) {
        *error = g_strdup(_("--bandwidth, the timeouts, --downtime-max and --downtime-steps "
                            "cannot be negative"));
        return false;
    }
    if (o->quiet && o->json) {
        *error = g_strdup(_("--quiet and --json exclude each other"));
        return false;
    }
    if (o->plotPath && !g_str_has_suffix(o->plotPath, ".svg") &&
        !g_str_has_suffix(o->plotPath, ".png")) {
        *error = g_strdup(_("--plot: the file name must end in .svg or .png"));
        return false;
    }
    if (!o->srcURI) {
        const char *env = g_getenv("LIBVIRT_DEFAULT_URI");

        o->srcURI = g_strdup(env && *env ? env : "qemu:///system");
    }
    return true;
}

static int
optionsParse(migrateOptions *o, int argc, char **argv)
{
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &o->srcURI,
          N_("the source's URI (default: LIBVIRT_DEFAULT_URI or qemu:///system)"), "URI" },
        { "p2p", 0, 0, G_OPTION_ARG_NONE, &o->p2p,
          N_("peer-to-peer: the source's daemon connects to DEST_URI"), NULL },
        { "unsafe", 0, 0, G_OPTION_ARG_NONE, &o->unsafe,
          N_("migrate even if it may be unsafe (disk cache modes)"), NULL },
        { "tls", 0, 0, G_OPTION_ARG_NONE, &o->tls,
          N_("migrate the guest's data over TLS"), NULL },
        { "bandwidth", 0, 0, G_OPTION_ARG_INT, &o->bandwidth,
          N_("the bandwidth cap in MiB/s"), "MIB/S" },
        { "postcopy", 0, 0, G_OPTION_ARG_STRING, &o->postcopy,
          N_("auto (default: when precopy will not converge), never, now, after-precopy"),
          "MODE" },
        { "auto-converge", 0, 0, G_OPTION_ARG_NONE, &o->autoConverge,
          N_("let the source throttle the guest's vCPUs"), NULL },
        { "completion-timeout-per-gib", 0, 0, G_OPTION_ARG_DOUBLE,
          &o->completionTimeoutPerGiB,
          N_("time budget in seconds per GiB of guest memory (0: none)"), "S" },
        { "progress-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o->progressTimeout,
          N_("seconds without progress before the timeout action (0: none)"), "S" },
        { "on-timeout", 0, 0, G_OPTION_ARG_STRING, &o->onTimeout,
          N_("abort (default), postcopy (pause if not allowed), pause"), "ACTION" },
        { "downtime-max", 0, 0, G_OPTION_ARG_INT64, &o->downtimeMax,
          N_("the downtime limit may be raised up to MS (0: never)"), "MS" },
        { "downtime-steps", 0, 0, G_OPTION_ARG_INT, &o->downtimeSteps,
          N_("raise it in N linear steps (0: adaptively)"), "N" },
        { "timeline", 0, 0, G_OPTION_ARG_FILENAME, &o->timelinePath,
          N_("write every sample to FILE as JSON lines"), "FILE.jsonl" },
        { "plot", 0, 0, G_OPTION_ARG_FILENAME, &o->plotPath,
          N_("draw the timeline to FILE at the end"), "FILE.svg|FILE.png" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet,
          N_("print errors only"), NULL },
        { "json", 0, 0, G_OPTION_ARG_NONE, &o->json,
          N_("one JSON object per sample, event and decision on stdout"), NULL },
        { "migrateuri", 0, 0, G_OPTION_ARG_STRING, &o->migrateURI,
          N_("the URI the guest's data goes to (e.g. tcp://host:port)"), "URI" },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->args, NULL,
          NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(N_("DOMAIN DEST_URI"));
    g_autoptr(GError) err = NULL;
    g_autofree char *msg = NULL;

    g_option_context_set_summary(ctx, _("Live-migrates DOMAIN to DEST_URI and decides when "
                                        "to switch to post-copy from what the migration "
                                        "does."));
    g_option_context_set_description(ctx, _(
        "Exit status:\n"
        "  0  completed (in precopy or post-copy)\n"
        "  1  failed; the guest still runs on the source\n"
        "  2  usage error\n"
        "  3  aborted (policy, timeout or interrupt); the guest runs on the source\n"
        "  4  post-copy failed; recoverable, the command to resume it is printed\n"
        "  5  completed after the timeout action paused the guest\n"));
    g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "%s: %s\n", g_get_prgname(), err->message);
        fprintf(stderr, _("Try '%s --help'.\n"), g_get_prgname());
        return -1;
    }
    if (!optionsCheck(o, &msg)) {
        fprintf(stderr, "%s: %s\n", g_get_prgname(), msg);
        fprintf(stderr, _("Try '%s --help'.\n"), g_get_prgname());
        return -1;
    }
    return 0;
}

/* ---- events (on the event loop thread) ---- */

/* Job statistics as a sample (@s->kind and @s->timeMs are the caller's). */
static void
statsToSample(virTypedParameterPtr params, int n, migrateSample *s)
{
    unsigned long long pages = 0, pageSize = 4096;

    s->valid = virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_MEMORY_TOTAL,
                                       (unsigned long long *)&s->memTotal) == 1;
    virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_MEMORY_PROCESSED,
                            (unsigned long long *)&s->memProcessed);
    virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_MEMORY_REMAINING,
                            (unsigned long long *)&s->memRemaining);
    virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_MEMORY_BPS,
                            (unsigned long long *)&s->bps);
    virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_MEMORY_ITERATION,
                            (unsigned long long *)&s->iteration);
    virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_MEMORY_POSTCOPY_REQS,
                            (unsigned long long *)&s->postcopyRequests);
    virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE, &pages);
    virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE, &pageSize);
    s->dirtyRate = pages * pageSize;
}

static int
onIteration(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
            int iteration, void *opaque)
{
    migrateSample s = { .kind = MIGRATE_SAMPLE_ITERATION, .iteration = iteration };

    pushEvent(opaque, &s);
    return 0;
}

static int
onJobCompleted(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
               virTypedParameterPtr params, int nparams, void *opaque)
{
    migrateSample s = { .kind = MIGRATE_SAMPLE_COMPLETED };
    unsigned long long downtime = 0;

    statsToSample(params, nparams, &s);
    virTypedParamsGetULLong(params, nparams, VIR_DOMAIN_JOB_DOWNTIME, &downtime);
    s.downtimeMs = downtime;
    pushEvent(opaque, &s);
    return 0;
}

static int
onLifecycle(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
            int event, int detail, void *opaque)
{
    migrateSample s = { 0 };

    if (event == VIR_DOMAIN_EVENT_SUSPENDED && detail == VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY)
        s.kind = MIGRATE_SAMPLE_POSTCOPY;
    else if (event == VIR_DOMAIN_EVENT_SUSPENDED)
        s.kind = MIGRATE_SAMPLE_PAUSED;
    else if (event == VIR_DOMAIN_EVENT_RESUMED)
        s.kind = MIGRATE_SAMPLE_RESUMED;
    else
        return 0;
    pushEvent(opaque, &s);
    return 0;
}

/* Keeps the loop iterating so it sees @quit. */
static void
onTimer(int timer G_GNUC_UNUSED, void *opaque G_GNUC_UNUSED)
{
}

static gpointer
eventLoop(gpointer opaque)
{
    migrateCmd *cmd = opaque;

    while (!g_atomic_int_get(&cmd->quit)) {
        if (virEventRunDefaultImpl() < 0)
            break;
    }
    return NULL;
}

static int
registerEvents(migrateCmd *cmd)
{
    static const struct { int id; virConnectDomainEventGenericCallback cb; } events[] = {
        { VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION, VIR_DOMAIN_EVENT_CALLBACK(onIteration) },
        { VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, VIR_DOMAIN_EVENT_CALLBACK(onJobCompleted) },
        { VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(onLifecycle) },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(events); i++) {
        cmd->callbacks[i] = virConnectDomainEventRegisterAny(cmd->src, cmd->dom,
                                                             events[i].id, events[i].cb,
                                                             cmd, NULL);
        if (cmd->callbacks[i] < 0)
            return -1;
    }
    return 0;
}

/* ---- the migration (on the worker thread) ---- */

static gpointer
migrateWorker(gpointer opaque)
{
    migrateCmd *cmd = opaque;
    migrateMsg *m = g_new0(migrateMsg, 1);

    m->type = MSG_DONE;
    if (cmd->opts->p2p) {
        m->rc = virDomainMigrateToURI3(cmd->dom, cmd->opts->destURI, cmd->params,
                                       cmd->nparams, cmd->flags);
    } else {
        virDomainPtr ddom = virDomainMigrate3(cmd->dom, cmd->dst, cmd->params,
                                              cmd->nparams, cmd->flags);

        m->rc = ddom ? 0 : -1;
        if (ddom)
            virDomainFree(ddom);
    }
    if (m->rc < 0)
        m->error = g_strdup(lastError());
    g_async_queue_push(cmd->queue, m);
    return NULL;
}

static int
migrationSetup(migrateCmd *cmd)
{
    migrateOptions *o = cmd->opts;
    int maxparams = 0;
    unsigned long long downtime = 0;

    cmd->flags = VIR_MIGRATE_LIVE;
    if (o->p2p)
        cmd->flags |= VIR_MIGRATE_PEER2PEER;
    if (o->postcopyMode != MIGRATE_POSTCOPY_NEVER)
        cmd->flags |= VIR_MIGRATE_POSTCOPY;
    if (o->autoConverge)
        cmd->flags |= VIR_MIGRATE_AUTO_CONVERGE;
    if (o->tls)
        cmd->flags |= VIR_MIGRATE_TLS;
    if (o->unsafe)
        cmd->flags |= VIR_MIGRATE_UNSAFE;
    if (o->bandwidth > 0 &&
        virTypedParamsAddULLong(&cmd->params, &cmd->nparams, &maxparams,
                                VIR_MIGRATE_PARAM_BANDWIDTH, o->bandwidth) < 0)
        return -1;
    if (o->migrateURI &&
        virTypedParamsAddString(&cmd->params, &cmd->nparams, &maxparams,
                                VIR_MIGRATE_PARAM_URI, o->migrateURI) < 0)
        return -1;

    /* the limit in force, where the policy's raising starts */
    cmd->downtimeMs = DEFAULT_DOWNTIME_MS;
    if (virDomainMigrateGetMaxDowntime(cmd->dom, &downtime, 0) == 0 && downtime > 0)
        cmd->downtimeMs = downtime;
    return 0;
}

/* ---- samples, decisions (main thread) ---- */

static int64_t
elapsedMs(const migrateCmd *cmd)
{
    return (g_get_monotonic_time() - cmd->start) / 1000;
}

static const char *
actionName(migrateActionType type)
{
    switch (type) {
    case MIGRATE_ACTION_POSTCOPY:
        return "postcopy";
    case MIGRATE_ACTION_ABORT:
        return "abort";
    case MIGRATE_ACTION_PAUSE:
        return "pause";
    case MIGRATE_ACTION_SET_DOWNTIME:
        return "set-downtime";
    case MIGRATE_ACTION_NONE:
        break;
    }
    return "none";
}

static void
record(migrateCmd *cmd, const migrateSample *s, const char *action)
{
    if (cmd->timeline && migrateTimelineAdd(cmd->timeline, s) < 0) {
        fprintf(stderr, _("warning: cannot write the timeline: %s\n"), g_strerror(errno));
        g_clear_pointer(&cmd->timeline, migrateTimelineFree);
    }
    migrateProgressSample(cmd->progress, s, migratePolicyETA(cmd->policy), action);
}

/* Carries out @act; a DECISION sample records it with its reason (and
 * the error if libvirt refused). */
static void
carryOut(migrateCmd *cmd, const migrateAction *act)
{
    migrateSample d = { .kind = MIGRATE_SAMPLE_DECISION, .timeMs = elapsedMs(cmd),
                        .postcopy = cmd->postcopy, .downtimeMs = cmd->downtimeMs };
    g_autofree char *text = NULL;
    int rc = 0;

    switch (act->type) {
    case MIGRATE_ACTION_POSTCOPY:
        rc = virDomainMigrateStartPostCopy(cmd->dom, 0);
        if (rc == 0)
            cmd->switched = true;
        break;
    case MIGRATE_ACTION_ABORT:
        rc = virDomainAbortJob(cmd->dom);
        if (rc == 0) {
            cmd->aborted = true;
            g_free(cmd->abortReason);
            cmd->abortReason = g_strdup(act->reason);
        }
        break;
    case MIGRATE_ACTION_PAUSE:
        rc = virDomainSuspend(cmd->dom);
        if (rc == 0)
            cmd->paused = true;
        break;
    case MIGRATE_ACTION_SET_DOWNTIME:
        rc = virDomainMigrateSetMaxDowntime(cmd->dom, act->downtimeMs, 0);
        if (rc == 0)
            cmd->downtimeMs = d.downtimeMs = act->downtimeMs;
        break;
    case MIGRATE_ACTION_NONE:
        return;
    }
    if (rc < 0)
        text = g_strdup_printf(_("%s (refused: %s)"), act->reason, lastError());
    else
        text = g_strdup(act->reason);
    d.text = text;
    record(cmd, &d, actionName(act->type));
}

static void
handleSample(migrateCmd *cmd, migrateSample *s)
{
    migrateAction act;

    if (s->kind == MIGRATE_SAMPLE_POSTCOPY)
        cmd->postcopy = true;
    else if (s->kind == MIGRATE_SAMPLE_COMPLETED)
        cmd->completed = true;
    s->postcopy = cmd->postcopy;
    if (s->kind != MIGRATE_SAMPLE_COMPLETED && s->valid)
        s->downtimeMs = cmd->downtimeMs;

    act = migratePolicyFeed(cmd->policy, s);
    record(cmd, s, NULL);
    carryOut(cmd, &act);
}

/* The job statistics now; false when there is no job to sample. */
static bool
pollStats(migrateCmd *cmd, migrateSample *s)
{
    virTypedParameterPtr params = NULL;
    int nparams = 0, type = VIR_DOMAIN_JOB_NONE;

    if (virDomainGetJobStats(cmd->dom, &type, &params, &nparams, 0) < 0)
        return false;
    if (type == VIR_DOMAIN_JOB_UNBOUNDED || type == VIR_DOMAIN_JOB_BOUNDED)
        statsToSample(params, nparams, s);
    virTypedParamsFree(params, nparams);
    return s->valid;
}

static void
handleEvent(migrateCmd *cmd, migrateSample *s)
{
    /* a pass boundary carries the figures at that moment: what the
     * policy predicts from */
    if (s->kind == MIGRATE_SAMPLE_ITERATION) {
        uint64_t iteration = s->iteration;

        if (!cmd->completed && pollStats(cmd, s))
            s->iteration = iteration;
    }
    /* stamped when the figures are known (a poll may block) */
    s->timeMs = elapsedMs(cmd);
    handleSample(cmd, s);
}

static void
handleInterrupt(migrateCmd *cmd)
{
    migrateAction act = { .type = MIGRATE_ACTION_ABORT };

    if (cmd->postcopy || cmd->switched) {
        fprintf(stderr, _("interrupted: post-copy cannot be aborted, "
                          "waiting for it to complete\n"));
        return;
    }
    g_strlcpy(act.reason, _("interrupted by the user: aborting"), sizeof(act.reason));
    carryOut(cmd, &act);
}

/* Samples, handles events and decisions until the migration call
 * returns; that message is returned. */
static migrateMsg *
monitor(migrateCmd *cmd)
{
    gint64 nextPoll = g_get_monotonic_time();
    bool interruptSeen = false;

    for (;;) {
        gint64 now = g_get_monotonic_time();
        migrateMsg *m = g_async_queue_timeout_pop(cmd->queue, MAX(nextPoll - now, 0));

        if (m && m->type == MSG_DONE)
            return m;
        if (m) {
            handleEvent(cmd, &m->sample);
            msgFree(m);
        }
        if (interrupted && !interruptSeen) {
            interruptSeen = true;
            handleInterrupt(cmd);
        }
        if (g_get_monotonic_time() >= nextPoll) {
            migrateSample s = { .kind = MIGRATE_SAMPLE_STATS };

            if (pollStats(cmd, &s)) {
                s.timeMs = elapsedMs(cmd);
                handleSample(cmd, &s);
            }
            /* from now: a poll that blocked is not made up for in a burst */
            nextPoll = g_get_monotonic_time() + POLL_INTERVAL_MS * 1000;
        }
    }
}

/* After the call returned: the events still on their way (the
 * completion's statistics in particular). */
static void
drainEvents(migrateCmd *cmd, bool waitCompleted)
{
    gint64 end = g_get_monotonic_time() + COMPLETED_WAIT_MS * 1000;
    migrateMsg *m;

    for (;;) {
        gint64 left = waitCompleted && !cmd->completed ? end - g_get_monotonic_time() : 0;

        m = g_async_queue_timeout_pop(cmd->queue, MAX(left, 0));
        if (!m)
            break;
        if (m->type == MSG_EVENT)
            handleEvent(cmd, &m->sample);
        msgFree(m);
    }
}

/* ---- the outcome ---- */

static char *
resumeCommand(const migrateCmd *cmd)
{
    const migrateOptions *o = cmd->opts;
    g_autofree char *src = g_shell_quote(o->srcURI);
    g_autofree char *domain = g_shell_quote(o->domain);
    g_autofree char *dest = g_shell_quote(o->destURI);
    GString *s = g_string_new(NULL);

    g_string_append_printf(s, "virsh -c %s migrate --live --postcopy --postcopy-resume", src);
    if (o->p2p)
        g_string_append(s, " --p2p");
    if (o->tls)
        g_string_append(s, " --tls");
    if (o->unsafe)
        g_string_append(s, " --unsafe");
    if (o->migrateURI) {
        g_autofree char *uri = g_shell_quote(o->migrateURI);

        g_string_append_printf(s, " --migrateuri %s", uri);
    }
    g_string_append_printf(s, " %s %s", domain, dest);
    return g_string_free(s, FALSE);
}

/* The guest paused by the timeout action runs again: on the
 * destination after success (client-managed: we hold its connection),
 * on the source after a failure. */
static void
resumePaused(migrateCmd *cmd, bool success)
{
    virDomainPtr d = NULL;
    int state = 0, reason = 0;

    if (!cmd->paused)
        return;
    if (success && !cmd->dst) {
        fprintf(stderr, _("note: the guest may be paused on the destination "
                          "(virsh -c DEST_URI resume %s)\n"), cmd->opts->domain);
        return;
    }
    if (success) {
        d = virDomainLookupByName(cmd->dst, cmd->opts->domain);
    } else {
        d = cmd->dom;
        virDomainRef(d);
    }
    if (!d)
        return;
    if (virDomainGetState(d, &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED &&
        virDomainResume(d) < 0)
        fprintf(stderr, _("warning: cannot resume the guest: %s\n"), lastError());
    virDomainFree(d);
}

static int
outcome(migrateCmd *cmd, migrateMsg *done)
{
    g_autofree char *text = NULL;
    g_autofree char *resume = NULL;
    int code;

    if (done->rc == 0) {
        resumePaused(cmd, true);
        if (cmd->paused) {
            code = EXIT_COMPLETED_PAUSED;
            text = g_strdup(_("completed after pausing the guest"));
        } else {
            code = EXIT_COMPLETED;
            text = g_strdup(cmd->postcopy || cmd->switched ? _("completed in post-copy")
                                                           : _("completed in precopy"));
        }
    } else {
        migrateSample f = { .kind = MIGRATE_SAMPLE_FAILED, .timeMs = elapsedMs(cmd),
                            .postcopy = cmd->postcopy, .text = done->error };

        handleSample(cmd, &f);
        if (cmd->postcopy || cmd->switched) {
            code = EXIT_POSTCOPY_FAILED;
            text = g_strdup_printf(_("post-copy failed: %s"), done->error);
            resume = resumeCommand(cmd);
        } else if (cmd->aborted || interrupted) {
            resumePaused(cmd, false);
            code = EXIT_ABORTED;
            text = g_strdup_printf(_("aborted: %s"),
                                   cmd->abortReason ? cmd->abortReason : done->error);
        } else {
            resumePaused(cmd, false);
            code = EXIT_FAILED;
            text = g_strdup_printf(_("failed: %s"), done->error);
        }
    }
    if (cmd->timeline)
        migrateTimelineSetOutcome(cmd->timeline, text);
    migrateProgressOutcome(cmd->progress, text, code, resume);
    return code;
}

static void
writePlot(migrateCmd *cmd)
{
    g_autofree char *error = NULL;

    if (!cmd->opts->plotPath || !cmd->timeline)
        return;
    if (migratePlotWrite(cmd->timeline, cmd->opts->plotPath, &error) < 0)
        fprintf(stderr, _("warning: cannot draw %s: %s\n"), cmd->opts->plotPath,
                error ? error : _("unknown error"));
}

/* ---- setup and teardown ---- */

static virDomainPtr
lookupDomain(virConnectPtr conn, const char *name)
{
    virDomainPtr dom = virDomainLookupByName(conn, name);

    /* virsh's order: a name, else a UUID (keeping the name's error) */
    if (!dom && strlen(name) == VIR_UUID_STRING_BUFLEN - 1)
        dom = virDomainLookupByUUIDString(conn, name);
    return dom;
}

static int
openAll(migrateCmd *cmd)
{
    migrateOptions *o = cmd->opts;

    if (!(cmd->src = virConnectOpenAuth(o->srcURI, virConnectAuthPtrDefault, 0))) {
        fprintf(stderr, _("error: cannot connect to %s: %s\n"), o->srcURI, lastError());
        return -1;
    }
    if (!o->p2p &&
        !(cmd->dst = virConnectOpenAuth(o->destURI, virConnectAuthPtrDefault, 0))) {
        fprintf(stderr, _("error: cannot connect to %s: %s\n"), o->destURI, lastError());
        return -1;
    }
    /* a dead peer is noticed by the keepalive (needs the event loop) */
    virConnectSetKeepAlive(cmd->src, 5, 6);
    if (cmd->dst)
        virConnectSetKeepAlive(cmd->dst, 5, 6);
    if (!(cmd->dom = lookupDomain(cmd->src, o->domain))) {
        fprintf(stderr, _("error: no domain '%s': %s\n"), o->domain, lastError());
        return -1;
    }
    if (virDomainIsActive(cmd->dom) != 1) {
        fprintf(stderr, _("error: domain '%s' is not running\n"), o->domain);
        return -1;
    }
    return 0;
}

static void
closeAll(migrateCmd *cmd)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cmd->callbacks); i++) {
        if (cmd->callbacks[i] >= 0)
            virConnectDomainEventDeregisterAny(cmd->src, cmd->callbacks[i]);
    }
    if (cmd->dom)
        virDomainFree(cmd->dom);
    if (cmd->dst)
        virConnectClose(cmd->dst);
    if (cmd->src)
        virConnectClose(cmd->src);
    virTypedParamsFree(cmd->params, cmd->nparams);
}

static migratePolicy *
policyNew(const migrateCmd *cmd)
{
    const migrateOptions *o = cmd->opts;
    migratePolicyConfig cfg = {
        .postcopy = o->postcopyMode,
        .postcopyAllowed = (cmd->flags & VIR_MIGRATE_POSTCOPY) != 0,
        .completionTimeoutPerGiB = o->completionTimeoutPerGiB,
        .progressTimeout = o->progressTimeout,
        .onTimeout = o->timeoutAction,
        .downtimeMs = cmd->downtimeMs,
        .downtimeMaxMs = o->downtimeMax,
        .downtimeSteps = o->downtimeSteps,
    };

    return migratePolicyNew(&cfg);
}

static void
signalsSetup(void)
{
    struct sigaction sa = { .sa_handler = onSignal };

    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Everything after the options: the exit code. */
static int
run(migrateCmd *cmd)
{
    migrateOptions *o = cmd->opts;
    GThread *loop = NULL;
    GThread *worker;
    migrateMsg *done;
    int code = EXIT_FAILED;

    for (size_t i = 0; i < G_N_ELEMENTS(cmd->callbacks); i++)
        cmd->callbacks[i] = -1;
    cmd->timer = -1;
    cmd->queue = g_async_queue_new_full(msgFree);
    if (virEventRegisterDefaultImpl() < 0 ||
        (cmd->timer = virEventAddTimeout(100, onTimer, NULL, NULL)) < 0) {
        fprintf(stderr, _("error: no event loop: %s\n"), lastError());
        goto cleanup;
    }
    loop = g_thread_new("events", eventLoop, cmd);
    if (openAll(cmd) < 0 || migrationSetup(cmd) < 0)
        goto cleanup;
    if (registerEvents(cmd) < 0) {
        fprintf(stderr, _("error: cannot register for the domain's events: %s\n"),
                lastError());
        goto cleanup;
    }
    if (o->timelinePath || o->plotPath) {
        if (!(cmd->timeline = migrateTimelineNew(o->timelinePath, o->domain))) {
            fprintf(stderr, _("error: cannot create %s: %s\n"),
                    o->timelinePath ? o->timelinePath : "timeline", g_strerror(errno));
            goto cleanup;
        }
    }
    cmd->policy = policyNew(cmd);
    cmd->progress = migrateProgressNew(o->quiet ? MIGRATE_OUTPUT_QUIET :
                                       o->json ? MIGRATE_OUTPUT_JSON : MIGRATE_OUTPUT_NORMAL,
                                       stdout, isatty(STDOUT_FILENO) && !o->json);
    signalsSetup();

    cmd->start = g_get_monotonic_time();
    worker = g_thread_new("migrate", migrateWorker, cmd);
    done = monitor(cmd);
    g_thread_join(worker);
    drainEvents(cmd, done->rc == 0);
    code = outcome(cmd, done);
    msgFree(done);
    writePlot(cmd);

 cleanup:
    g_clear_pointer(&cmd->progress, migrateProgressFree);
    closeAll(cmd);
    if (loop) {
        g_atomic_int_set(&cmd->quit, 1);
        g_thread_join(loop);
    }
    if (cmd->timer >= 0)
        virEventRemoveTimeout(cmd->timer);
    g_clear_pointer(&cmd->policy, migratePolicyFree);
    g_clear_pointer(&cmd->timeline, migrateTimelineFree);
    g_clear_pointer(&cmd->queue, g_async_queue_unref);
    g_free(cmd->abortReason);
    return code;
}

int
main(int argc, char **argv)
{
    migrateOptions opts = { 0 };
    migrateCmd cmd = { .opts = &opts };
    int code;

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);
    g_set_prgname("virtmig-migrate");

    if (optionsParse(&opts, argc, argv) < 0) {
        optionsClear(&opts);
        return EXIT_USAGE;
    }
    virSetErrorFunc(NULL, quietErrors);
    code = run(&cmd);
    optionsClear(&opts);
    return code;
}
