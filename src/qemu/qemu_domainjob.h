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

void qemuDomainObjEndAsyncJob(virDomainObj *vm, qemuDomainJobObj *jobObj);

/* Sets which sync jobs the async job lets through (plus DESTROY/QUERY/
 * ABORT which are always allowed... unless @mask says otherwise). */
void qemuDomainObjSetAsyncJobMask(qemuDomainJobObj *jobObj,
                                  unsigned long long mask);
