/*
 * qemu_domain.h: the QEMU driver's per-domain data, status and config
 * files, and entering/leaving the monitor
 */
#pragma once

#include "internal.h"
#include "qemu_conf.h"
#include "qemu_domainjob.h"
#include "qemu_monitor_types.h"
#include "qemu_migration_storage.h"

/* A vCPU's host thread (query-cpus-fast). */
typedef struct _qemuDomainVcpuThread qemuDomainVcpuThread;
struct _qemuDomainVcpuThread {
    unsigned int index;          /* vCPU number */
    pid_t tid;
};

typedef struct _qemuDomainObjPrivate qemuDomainObjPrivate;
struct _qemuDomainObjPrivate {
    qemuDriver *driver;          /* not owned */
    qemuMonitor *mon;            /* NULL when inactive */
    char *monitorPath;
    unsigned long long procStart;/* QEMU's start time (/proc/PID/stat),
                                  * tells a reused pid from our QEMU */
    qemuDomainJobObj job;
    bool beingDestroyed;         /* we are stopping it: EOF is expected */
    bool gotShutdown;            /* guest powered off: EOF is a shutdown */
    bool monitorGone;            /* EOF already handled */
    int pausedReason;            /* reason the next STOP event reports */
    int runningReason;           /* reason the next RESUME event reports */

    /* QEMU's view of the current migration, written only by
     * qemu_migration_state.c: the monitor thread records it, threads
     * waiting for it are woken through vm->cond */
    struct {
        int status;              /* qemuMonitorMigrationStatus */
        int pass;                /* last precopy pass */
        bool postcopySeen;       /* postcopy-active recorded since reset */
        bool switchReported;     /* the source's switch to post-copy was
                                  * reported (state + event) */
        bool switchPending;      /* ... to be reported at the guest's STOP */
        bool stopEmitting;       /* the STOP handler set the paused state
                                  * and has not emitted its event yet: a
                                  * switch seen meanwhile waits for it */
        bool peerLost;           /* P2P: the destination daemon is gone */
    } mig;
    /* QEMU's migration capabilities and parameters as they were before
     * this job changed them; restored when the job ends */
    struct _qemuMigrationParams *migSaved;
    /* the disks a migration copies (qemu_migration_storage.c) */
    qemuMigrationStorage storage;
    unsigned int taint;          /* 1 << qemuDomainTaint; cleared at start */
    /* the vCPU threads of QEMU process @vcpuThreadsPid/@vcpuThreadsStart,
     * asked once per process (qemu_driver_stats.c) */
    qemuDomainVcpuThread *vcpuThreads;
    size_t nvcpuThreads;
    pid_t vcpuThreadsPid;
    unsigned long long vcpuThreadsStart;
    /* virDomainReboot's ACPI request is pending: the guest's poweroff
     * becomes a reset (libvirt's "fake reboot", qemu_driver_control.c) */
    bool fakeReboot;
    unsigned long long migBandwidthMiB;  /* MigrateSetMaxSpeed; 0: unlimited */
    unsigned long long migPostcopyBandwidthMiB;
};

/* libvirt's virDomainTaintFlags values (their bit numbers), for the
 * kinds virtmig raises (qemu_domain_taint.c). */
typedef enum {
    QEMU_DOMAIN_TAINT_CUSTOM_MONITOR = 1,
    QEMU_DOMAIN_TAINT_CUSTOM_GA_COMMAND = 10,
} qemuDomainTaint;

#define QEMU_DOMAIN_PRIVATE(vm) ((qemuDomainObjPrivate *)(vm)->privateData)

/* Attaches fresh private data to @vm. */
void qemuDomainObjInitPrivate(qemuDriver *driver, virDomainObj *vm);

/**
 * qemuDomainSaveStatus:
 * Writes @vm's status file (live definition, pid, monitor, state, job)
 * atomically.  @vm must be locked and active.  Returns 0 or -1.
 */
int qemuDomainSaveStatus(qemuDriver *driver, virDomainObj *vm);
/* Like qemuDomainSaveStatus but only logs a failure (for paths where
 * the state change already happened and cannot be undone). */
void qemuDomainSaveStatusOrWarn(qemuDriver *driver, virDomainObj *vm);
void qemuDomainRemoveStatus(qemuDriver *driver, virDomainObj *vm);

/**
 * qemuDomainLoadStatus:
 * Parses a status file into a new (unlisted, unlocked) domain object with
 * def, id, pid, state, reason and private data filled in.
 */
virDomainObj *qemuDomainLoadStatus(qemuDriver *driver, const char *path);

/* Persistent definition files. */
int qemuDomainSaveConfig(qemuDriver *driver, const virDomainDef *def);

/**
 * qemuDomainDefParseString:
 * virDomainDefParseString for a definition coming from a client or a
 * migration source, plus what needs the QEMU binary: a machine type
 * alias ("pc", "q35", or none) becomes the versioned type it stands for
 * on this host, as libvirt does, so that the guest keeps its machine
 * when it moves.  Returns a new definition or NULL with an error.
 */
virDomainDef *qemuDomainDefParseString(qemuDriver *driver, const char *xml,
                                       unsigned int flags);
int qemuDomainDeleteConfig(qemuDriver *driver, const char *name);

/**
 * qemuDomainObjEnterMonitor:
 * With a job held and @vm locked: takes a reference on the monitor and
 * unlocks @vm so that the monitor call does not block other readers.
 * Returns the monitor, or NULL (reported) if QEMU is gone; in both cases
 * call qemuDomainObjExitMonitor afterwards to re-lock @vm.
 */
qemuMonitor *qemuDomainObjEnterMonitor(virDomainObj *vm);
void qemuDomainObjExitMonitor(virDomainObj *vm, qemuMonitor *mon);

/* ---- taint (qemu_domain_taint.c) ---- */

/* Marks @vm (locked, running) tainted: the first time for @taint, a line
 * "TIME: Domain id=ID is tainted: NAME" in its log file and the daemon
 * log, and the status file saved. */
void qemuDomainObjTaint(qemuDriver *driver, virDomainObj *vm,
                        qemuDomainTaint taint);
/* The status file's <taint flag='NAME'/> elements for @taint. */
void qemuDomainTaintFormat(unsigned int taint, GString *buf);
/* The bit of the taint named @name (0 if unknown: logged). */
unsigned int qemuDomainTaintParse(const char *name);
/* libvirt's messages for @taint ("tainted: ..."), a NULL-terminated
 * list (g_strfreev). */
char **qemuDomainTaintMessages(unsigned int taint);
