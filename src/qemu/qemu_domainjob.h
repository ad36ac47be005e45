/*
 * qemu_domainjob.h: domain jobs: one state-changing operation at a time
 *
 * A synchronous job serialises API calls on one domain: at most one is
 * active.  An asynchronous job (outgoing/incoming migration) owns the
 * domain across several API calls; while it is active only the sync
 * jobs in its mask are let through (plus nested jobs of the thread that
 * currently drives it).  Waiting is bounded by the driver's job wait
 * timeout; on timeout the caller gets VIR_ERR_OPERATION_TIMEOUT naming
 * the holder, as libvirt reports it.
 *
 * All functions here expect the domain object locked; waiting releases
 * the lock (condition variable) and re-acquires it.
 */
#pragma once

#include "internal.h"
#include "virdomainobj.h"
#include "qemu_monitor_types.h"
#include "virtypedparam.h"

typedef enum {
    VIR_JOB_NONE = 0,
    VIR_JOB_QUERY,          /* read-only queries that talk to QEMU */
    VIR_JOB_DESTROY,        /* destroy the domain */
    VIR_JOB_SUSPEND,        /* pause the guest */
    VIR_JOB_MODIFY,         /* any other state change */
    VIR_JOB_ABORT,          /* abort the current async job */
    VIR_JOB_MIGRATION_OP,   /* change migration settings mid-migration */
    VIR_JOB_ASYNC_NESTED,   /* monitor call from the async job's owner */
    VIR_JOB_LAST
} virDomainJob;

typedef enum {
    VIR_ASYNC_JOB_NONE = 0,
    VIR_ASYNC_JOB_MIGRATION_OUT,
    VIR_ASYNC_JOB_MIGRATION_IN,
    VIR_ASYNC_JOB_SAVE,
    VIR_ASYNC_JOB_DUMP,
    VIR_ASYNC_JOB_LAST
} virDomainAsyncJob;

VIR_ENUM_DECL(virDomainJob);
VIR_ENUM_DECL(virDomainAsyncJob);

#define VIR_JOB_MASK(job) ((job) == VIR_JOB_NONE ? 0 : 1ULL << ((job) - 1))
/* What any async job lets through by default. */
#define VIR_JOB_DEFAULT_MASK \
    (VIR_JOB_MASK(VIR_JOB_QUERY) | VIR_JOB_MASK(VIR_JOB_DESTROY) | \
     VIR_JOB_MASK(VIR_JOB_ABORT))

/* Where an async job is (for statistics and the job type reported). */
typedef enum {
    QEMU_DOMAIN_JOB_STATUS_NONE = 0,
    QEMU_DOMAIN_JOB_STATUS_ACTIVE,           /* started, QEMU not migrating yet */
    QEMU_DOMAIN_JOB_STATUS_MIGRATING,        /* precopy in QEMU */
    QEMU_DOMAIN_JOB_STATUS_POSTCOPY,         /* postcopy-active */
    QEMU_DOMAIN_JOB_STATUS_POSTCOPY_PAUSED,  /* stream broken after switch */
    QEMU_DOMAIN_JOB_STATUS_HYPERVISOR_COMPLETED, /* QEMU done, we are not */
    QEMU_DOMAIN_JOB_STATUS_PAUSED,           /* pre-switchover */
    QEMU_DOMAIN_JOB_STATUS_FAILED,
    QEMU_DOMAIN_JOB_STATUS_CANCELED,
    QEMU_DOMAIN_JOB_STATUS_COMPLETED,
    QEMU_DOMAIN_JOB_STATUS_LAST
} qemuDomainJobStatus;

VIR_ENUM_DECL(qemuDomainJobStatus);

/* libvirt's virDomainJobOperation values (VIR_DOMAIN_JOB_OPERATION). */
typedef enum {
    VIR_DOMAIN_JOB_OPERATION_UNKNOWN = 0,
    VIR_DOMAIN_JOB_OPERATION_START = 1,
    VIR_DOMAIN_JOB_OPERATION_SAVE = 2,
    VIR_DOMAIN_JOB_OPERATION_RESTORE = 3,
    VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN = 4,
    VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT = 5,
    VIR_DOMAIN_JOB_OPERATION_SNAPSHOT = 6,
    VIR_DOMAIN_JOB_OPERATION_SNAPSHOT_REVERT = 7,
    VIR_DOMAIN_JOB_OPERATION_DUMP = 8,
    VIR_DOMAIN_JOB_OPERATION_BACKUP = 9,
} virDomainJobOperation;

/* libvirt's virDomainJobType (reported by GetJobInfo/GetJobStats). */
typedef enum {
    VIR_DOMAIN_JOB_NONE = 0,
    VIR_DOMAIN_JOB_BOUNDED = 1,
    VIR_DOMAIN_JOB_UNBOUNDED = 2,
    VIR_DOMAIN_JOB_COMPLETED = 3,
    VIR_DOMAIN_JOB_FAILED = 4,
    VIR_DOMAIN_JOB_CANCELLED = 5,
} virDomainJobType;

/*
 * Progress and statistics of an async job (migration): what
 * GetJobInfo/GetJobStats report while it runs, what is kept as the
 * "completed" job afterwards, and what the destination sends back to
 * the source in the migration cookie.  Times in ms since the epoch.
 */
typedef struct _qemuDomainJobData qemuDomainJobData;
struct _qemuDomainJobData {
    qemuDomainJobStatus status;
    virDomainJobOperation operation;
    unsigned long long started;     /* when the job started */
    unsigned long long stopped;     /* when it ended (0: running) */
    unsigned long long sent;        /* source: when the stream ended */
    unsigned long long received;    /* destination: when it arrived */
    bool timeDeltaSet;              /* the clocks of the two hosts */
    long long timeDelta;            /* differ by this much (ms) */
    unsigned long long timeElapsed; /* ms */
    qemuMonitorMigrationStats stats;/* QEMU's view (query-migrate) */
    char *errmsg;                   /* why it failed */
};

qemuDomainJobData *qemuDomainJobDataNew(void);
qemuDomainJobData *qemuDomainJobDataCopy(const qemuDomainJobData *data);
void qemuDomainJobDataFree(qemuDomainJobData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuDomainJobData, qemuDomainJobDataFree);

/* The virDomainJobType a client sees for @data (NULL: none). */
virDomainJobType qemuDomainJobDataToType(const qemuDomainJobData *data);

/* libvirt's VIR_DOMAIN_JOB_* typed parameters ("time_elapsed",
 * "memory_processed", ...) describing @data. 0 or -1. */
int qemuDomainJobDataToParams(const qemuDomainJobData *data,
                              virTypedParamList *params);

/* libvirt's connection close callback: the async job's client vanished
 * between two calls of its protocol; the callback takes the job over
 * (qemuDomainObjResumeAsyncJob) and cleans up.  @vm locked. */
typedef void (*qemuDomainJobCloseCallback)(virDomainObj *vm);

/*
 * Who may change what (docs/jobs.md, docs/locking.md): every field is
 * protected by the domain lock and written only through the functions
 * below; the async job's phase only through qemuMigrationJobSetPhase
 * (qemu_migration_state.c).
 */
typedef struct _qemuDomainJobObj qemuDomainJobObj;
struct _qemuDomainJobObj {
    virDomainJob active;        /* the sync job, or NONE */
    GThread *owner;             /* thread holding it */
    char *ownerAPI;             /* API that took it */
    gint64 started;             /* monotonic µs */

    virDomainAsyncJob asyncJob; /* the async job, or NONE */
    GThread *asyncOwner;        /* thread driving it now; NULL between
                                 * API calls (after "continue") */
    char *asyncOwnerAPI;        /* API that drives / last drove it */
    gint64 asyncStarted;        /* monotonic µs */
    gint64 asyncStartedWall;    /* wall clock ms, for statistics */
    int phase;                  /* async-job specific phase */
    unsigned long long mask;    /* sync jobs allowed during it */
    bool abortJob;              /* abort requested by the user */
    guint64 closeConn;          /* RPC connection driving the async job
                                 * across calls; 0: none */
    qemuDomainJobCloseCallback closeCb; /* what to do if it closes
                                 * between calls (NULL: keep the job) */
    bool abandoned;             /* it closed: run closeCb once no thread
                                 * drives the job */
    unsigned int apiFlags;      /* flags of the API that started it */

    qemuDomainJobData *current;   /* progress of the async job */
    qemuDomainJobData *completed; /* the last finished async job */
};

void qemuDomainJobObjClear(qemuDomainJobObj *job);

/**
 * qemuDomainObjBeginJob:
 * Waits (up to @timeoutMs) until @job may run, then records it as
 * owned by the calling thread.  Returns 0, or -1 with
 * VIR_ERR_OPERATION_TIMEOUT ("cannot acquire state change lock (held by
 * monitor=API)").
 */
int qemuDomainObjBeginJob(virDomainObj *vm, qemuDomainJobObj *jobObj,
                          virDomainJob job, unsigned int timeoutMs)
    G_GNUC_WARN_UNUSED_RESULT;
/* Takes @job only if it may run at once (libvirt's "nowait" jobs, for
 * statistics that must not wait behind a migration's monitor calls):
 * 0, or -1 with no error reported. */
int qemuDomainObjBeginJobNowait(virDomainObj *vm, qemuDomainJobObj *jobObj,
                                virDomainJob job)
    G_GNUC_WARN_UNUSED_RESULT;
void qemuDomainObjEndJob(virDomainObj *vm, qemuDomainJobObj *jobObj);

/**
 * qemuDomainObjBeginAsyncJob:
 * Waits until no job at all is active, then starts @asyncJob owned by
 * the calling thread with the default mask.
 */
int qemuDomainObjBeginAsyncJob(virDomainObj *vm, qemuDomainJobObj *jobObj,
                               virDomainAsyncJob asyncJob,
                               unsigned int timeoutMs)
    G_GNUC_WARN_UNUSED_RESULT;

/* Releases the calling thread's hold of the async job, keeping the job
 * active for the next API call of the same operation. */
void qemuDomainObjReleaseAsyncJob(virDomainObj *vm, qemuDomainJobObj *jobObj);

/* Makes the calling thread the driver of the (already active) async
 * job again; fails with VIR_ERR_OPERATION_INVALID if @asyncJob is not
 * the active one or another thread drives it. */
int qemuDomainObjResumeAsyncJob(virDomainObj *vm, qemuDomainJobObj *jobObj,
                                virDomainAsyncJob asyncJob);

/* The only way an async job ends: clears it (its progress data too)
 * and wakes the waiters. */
void qemuDomainObjEndAsyncJob(virDomainObj *vm, qemuDomainJobObj *jobObj);

/* Is an async job active with no thread driving it (between the API
 * calls of its protocol, or left for recovery)? */
bool qemuDomainObjAsyncJobIsUnattended(const qemuDomainJobObj *jobObj);

/* The RPC connection that drives the async job from now on (0: none). */
void qemuDomainObjAsyncJobSetClient(qemuDomainJobObj *jobObj, guint64 clientID);

/* Is a connection driving the job across calls (0: none, e.g. a job
 * recovered after a restart or whose client closed)? */
bool qemuDomainObjAsyncJobHasClient(const qemuDomainJobObj *jobObj);

/* What to do if that connection closes before the next call. */
void qemuDomainObjAsyncJobSetCloseCallback(qemuDomainJobObj *jobObj,
                                           qemuDomainJobCloseCallback cb);

/* Connection @clientID closed.  Returns true if it drove this async
 * job, which is then abandoned: its close callback runs once no thread
 * drives it (qemuDomainObjAsyncJobRunCloseCallback). */
bool qemuDomainObjAsyncJobClientClosed(qemuDomainJobObj *jobObj, guint64 clientID);

/* Marks the job abandoned again: a close callback that must wait for
 * QEMU (data still flowing) defers itself to the migration's end. */
void qemuDomainObjAsyncJobAbandon(qemuDomainJobObj *jobObj);

/* Is the job abandoned and nobody drives it? */
bool qemuDomainObjAsyncJobIsAbandoned(const qemuDomainJobObj *jobObj);

/* Runs the close callback of an abandoned, unattended job (once). */
void qemuDomainObjAsyncJobRunCloseCallback(virDomainObj *vm,
                                           qemuDomainJobObj *jobObj);

/* Daemon start-up: the async job a status file recorded, restored with
 * no thread driving it (recovery takes it over). */
void qemuDomainObjRestoreAsyncJob(qemuDomainJobObj *jobObj,
                                  virDomainAsyncJob asyncJob, int phase,
                                  unsigned int apiFlags);

/* Daemon start-up: the MODIFY job of the thread reconnecting to QEMU,
 * taken even if a restored async job's mask would refuse it (nothing
 * else runs before start-up completes).  Ended with qemuDomainObjEndJob. */
void qemuDomainObjBeginStartupJob(virDomainObj *vm, qemuDomainJobObj *jobObj);

/* Sets which sync jobs the async job lets through (plus DESTROY/QUERY/
 * ABORT which are always allowed... unless @mask says otherwise). */
void qemuDomainObjSetAsyncJobMask(qemuDomainJobObj *jobObj,
                                  unsigned long long mask);
