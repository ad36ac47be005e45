/*
 * migrate_sample.h: what virtmig-migrate knows of a running migration
 * (one sample of the source's job statistics, or one event), and the
 * interfaces of its parts:
 *
 *   migrate_policy.c    decides from the samples (pure: no I/O, no libvirt)
 *   migrate_timeline.c  writes / reads the samples as JSON lines (json-c)
 *   migrate_plot.c      draws a timeline as SVG or PNG (cairo)
 *   virtmig_migrate.c   the command: libvirt's public API, progress output
 *
 * Times are monotonic milliseconds since the command started the
 * migration.  Sizes in bytes, rates in bytes per second.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    MIGRATE_SAMPLE_STATS = 0,     /* a virDomainGetJobStats poll */
    MIGRATE_SAMPLE_ITERATION,     /* VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION */
    MIGRATE_SAMPLE_POSTCOPY,      /* the source reported the switch to post-copy
                                   * (lifecycle SUSPENDED_POSTCOPY) */
    MIGRATE_SAMPLE_PAUSED,        /* the guest was paused (lifecycle SUSPENDED) */
    MIGRATE_SAMPLE_RESUMED,       /* the guest runs again (lifecycle RESUMED) */
    MIGRATE_SAMPLE_DECISION,      /* the policy acted (reason in @text) */
    MIGRATE_SAMPLE_COMPLETED,     /* VIR_DOMAIN_EVENT_ID_JOB_COMPLETED */
    MIGRATE_SAMPLE_FAILED,        /* the migration call failed (error in @text) */
    MIGRATE_SAMPLE_LAST
} migrateSampleKind;

/* One sample.  Fields a sample does not carry are 0 (and @valid says
 * which statistics the job reported). */
typedef struct {
    migrateSampleKind kind;
    int64_t timeMs;
    bool valid;                   /* the statistics below are set */
    bool postcopy;                /* the job is in post-copy */
    uint64_t iteration;           /* memory_iteration (precopy pass) */
    uint64_t memTotal;            /* memory_total */
    uint64_t memProcessed;        /* memory_processed */
    uint64_t memRemaining;        /* memory_remaining */
    uint64_t dirtyRate;           /* memory_dirty_rate, pages/s * page size */
    uint64_t bps;                 /* memory_bps (transfer rate) */
    uint64_t postcopyRequests;    /* memory_postcopy_requests */
    uint64_t downtimeMs;          /* downtime (completed) or the limit in force */
    const char *text;             /* DECISION / FAILED: the reason (owned by
                                   * whoever made the sample) */
} migrateSample;

/* ---- policy (migrate_policy.c) ---- */

typedef enum {
    MIGRATE_POSTCOPY_AUTO = 0,    /* switch when precopy is predicted not to
                                   * converge (default when allowed) */
    MIGRATE_POSTCOPY_NEVER,
    MIGRATE_POSTCOPY_NOW,         /* switch at once */
    MIGRATE_POSTCOPY_AFTER_PRECOPY, /* after the first pass, as virsh's */
} migratePostcopyMode;

typedef enum {
    MIGRATE_TIMEOUT_ABORT = 0,
    MIGRATE_TIMEOUT_POSTCOPY,     /* post-copy if allowed, else pause */
    MIGRATE_TIMEOUT_PAUSE,
} migrateTimeoutAction;

typedef struct {
    migratePostcopyMode postcopy;
    bool postcopyAllowed;         /* the migration was started with
                                   * VIR_MIGRATE_POSTCOPY */
    double completionTimeoutPerGiB; /* s per GiB of guest memory, 0: none
                                   * (KubeVirt's completionTimeoutPerGiB) */
    double progressTimeout;       /* s without a decrease of the remaining
                                   * memory, 0: none (KubeVirt's) */
    migrateTimeoutAction onTimeout;
    uint64_t downtimeMs;          /* the downtime limit at the start */
    uint64_t downtimeMaxMs;       /* the cap the policy may raise it to (Nova's
                                   * live_migration_downtime), 0: never raise */
    unsigned int downtimeSteps;   /* Nova's ramp: steps from downtimeMs to
                                   * downtimeMaxMs, 0: adaptive raising */
} migratePolicyConfig;

typedef enum {
    MIGRATE_ACTION_NONE = 0,
    MIGRATE_ACTION_POSTCOPY,      /* virDomainMigrateStartPostCopy */
    MIGRATE_ACTION_ABORT,         /* virDomainAbortJob */
    MIGRATE_ACTION_PAUSE,         /* virDomainSuspend (precopy then ends) */
    MIGRATE_ACTION_SET_DOWNTIME,  /* virDomainMigrateSetMaxDowntime(@downtimeMs) */
} migrateActionType;

typedef struct {
    migrateActionType type;
    uint64_t downtimeMs;          /* SET_DOWNTIME */
    char reason[256];             /* printed with the decision, e.g. "pass 3:
                                   * 241 MiB left after 3 passes, dirty 1.4
                                   * GiB/s > 5 MiB/s link: switching to
                                   * post-copy" */
} migrateAction;

typedef struct _migratePolicy migratePolicy;

migratePolicy *migratePolicyNew(const migratePolicyConfig *cfg);
void migratePolicyFree(migratePolicy *policy);

/* Feeds one sample (any kind, in time order); returns the action to
 * take now (NONE most of the time).  Each action is returned once. */
migrateAction migratePolicyFeed(migratePolicy *policy, const migrateSample *sample);

/* The estimate for the progress line: seconds until precopy completes
 * (>= 0), or -1 when precopy is predicted not to converge. */
double migratePolicyETA(const migratePolicy *policy);

/* ---- timeline (migrate_timeline.c) ---- */

typedef struct _migrateTimeline migrateTimeline;

/* A timeline in memory; with @path, every sample is also appended to
 * that file as one JSON object per line (flushed per line).  NULL with
 * errno on failure to create the file. */
migrateTimeline *migrateTimelineNew(const char *path, const char *domain);
void migrateTimelineFree(migrateTimeline *tl);
/* Copies @sample (and its text). 0, or -1 on a write error. */
int migrateTimelineAdd(migrateTimeline *tl, const migrateSample *sample);
/* The outcome for the plot's title ("completed in post-copy", "aborted"...). */
void migrateTimelineSetOutcome(migrateTimeline *tl, const char *outcome);
/* Reads a file written by a timeline (for re-plotting); NULL on error. */
migrateTimeline *migrateTimelineRead(const char *path);
size_t migrateTimelineCount(const migrateTimeline *tl);
const migrateSample *migrateTimelineGet(const migrateTimeline *tl, size_t i);
const char *migrateTimelineDomain(const migrateTimeline *tl);
const char *migrateTimelineOutcome(const migrateTimeline *tl);

/* ---- plot (migrate_plot.c) ---- */

/* Draws @tl to @path: SVG if it ends in ".svg", PNG if ".png".
 * 0, or -1 with a message in *@error (caller frees). */
int migratePlotWrite(const migrateTimeline *tl, const char *path, char **error);
