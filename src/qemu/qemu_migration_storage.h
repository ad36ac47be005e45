/*
 * qemu_migration_storage.h: copying the guest's disks during a
 * migration over NBD (see qemu_migration_storage.c for the sequence)
 */
#pragma once

#include "qemu_conf.h"
#include "qemu_monitor_types.h"
#include "qemu_migration_cookie.h"
#include "virdomainobj.h"
#include "virtypedparam.h"

/* Per-domain state of a storage copy (in qemuDomainObjPrivate). */
typedef struct _qemuMigrationStorage qemuMigrationStorage;
struct _qemuMigrationStorage {
    GHashTable *jobs;           /* source: mirror job id -> its last
                                 * qemuMonitorJobStatus (GINT_TO_POINTER) */
    GPtrArray *disks;           /* source: the disks copied (borrowed) */
    GPtrArray *created;         /* destination: images created for the
                                 * copy, removed if it fails */
    bool nbdServer;             /* destination: our NBD server runs */
    bool progressSet;           /* source: the mirrors' last progress */
    unsigned long long progressTotal;   /* bytes */
    unsigned long long progressDone;
    gint64 progressTime;        /* when it was seen (monotonic us) */
    gint64 startTime;           /* when the mirrors started */
};

/* Frees what @st holds (not the files). */
void qemuMigrationStorageClear(qemuMigrationStorage *st);

/* --copy-storage-all or --copy-storage-inc. */
bool qemuMigrationStorageRequested(unsigned int flags);

/* migrate_disks only with a storage copy; disks_uri a tcp:// URI, not
 * together with disks_port. */
int qemuMigrationStorageCheckParams(const virTypedParameter *params,
                                    size_t nparams, unsigned int flags);

/* The disks to copy (borrowed from @def): those named by migrate_disks,
 * else every writable disk with a source; none without a storage flag.
 * NULL with an error for an unknown target. */
GPtrArray *qemuMigrationStorageSelect(const virDomainDef *def,
                                      const virTypedParameter *params,
                                      size_t nparams, unsigned int flags);

/* Source, Begin: the <nbd> part listing @disks with their virtual size. */
int qemuMigrationStorageBeginCookie(virDomainObj *vm, GPtrArray *disks,
                                    qemuMigrationCookie *cookie);

/* Source, Perform (async job held): mirrors of @disks into the
 * destination's exports on HOST:PORT, waiting until all are ready;
 * each mirror copies at @speedMiB MiB/s at most (0: unlimited), as
 * libvirt applies the migration bandwidth to its mirrors. */
int qemuMigrationStorageStartMirrors(virDomainObj *vm, GPtrArray *disks,
                                     const char *host, unsigned int port,
                                     unsigned long long speedMiB,
                                     unsigned int flags);

/* Source, QEMU in "pre-switchover": completes the mirrors, then lets
 * the migration continue. */
int qemuMigrationStorageSwitchover(virDomainObj *vm);

/* Source, failure: aborts the mirrors, removes the NBD nodes; keeps
 * the error that is being reported. */
void qemuMigrationStorageCancel(virDomainObj *vm);

/* Source: are mirrors running? */
bool qemuMigrationStorageCopying(virDomainObj *vm);

/* Source (vm locked): the mirrors' progress from @mirrors (query-jobs,
 * may be NULL: the last progress seen) as the "disk" statistics of
 * @stats, which query-migrate leaves empty for NBD copies (libvirt's
 * disk_total, disk_processed, disk_remaining). */
void qemuMigrationStorageFillStats(virDomainObj *vm, GPtrArray *mirrors,
                                   qemuMonitorMigrationStats *stats);

/* Monitor event: a job changed state (vm locked). */
void qemuMigrationStorageRecordJob(virDomainObj *vm, const char *jobId,
                                   qemuMonitorJobStatus status);

/* Destination, Prepare before QEMU starts: missing images are created
 * with the source's size (raw or qcow2 as the disk says), existing ones
 * must be large enough. */
int qemuMigrationStoragePrepareImages(virDomainObj *vm,
                                      const qemuMigrationCookie *cookie,
                                      unsigned int flags);

/* Destination, Prepare after QEMU started: the NBD server on HOST:PORT
 * and an export per disk of @cookie; *@portOut is PORT (0 if nothing to
 * copy). */
int qemuMigrationStorageStartServer(virDomainObj *vm,
                                    const qemuMigrationCookie *cookie,
                                    const char *host, unsigned int port,
                                    unsigned int *portOut);

/* Destination: stops the NBD server if it runs. */
void qemuMigrationStorageStopServer(virDomainObj *vm);

/* Destination: the migration succeeded, the created images stay. */
void qemuMigrationStorageKeepImages(virDomainObj *vm);

/* Destination: the migration failed, the created images go. */
void qemuMigrationStorageRemoveImages(virDomainObj *vm);
