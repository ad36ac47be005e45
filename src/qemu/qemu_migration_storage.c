/*
 * qemu_migration_storage.c: copying the guest's disks during a
 * migration (--copy-storage-all, --copy-storage-inc, --migrate-disks)
 *
 * libvirt's scheme, and its names, so that either side may be stock
 * libvirtd:
 *  - Begin: the source lists the disks it will copy with their virtual
 *    size in the cookie's <nbd> part;
 *  - Prepare: the destination creates missing target images (raw or
 *    qcow2 of that size, removed again if the migration fails), starts
 *    QEMU, its NBD server on the migration address and a writable
 *    export "drive-ALIAS" of each disk, and answers the port in <nbd>;
 *  - Perform: the source opens each export as an NBD client node
 *    ("migration-TARGET-storage") and mirrors its disk into it
 *    (job "drive-ALIAS"); when every mirror is ready the memory
 *    migration starts with pause-before-switchover; when QEMU waits in
 *    "pre-switchover" (the guest is stopped) the mirrors are completed
 *    (block-job-cancel of a ready mirror leaves a consistent copy) and
 *    the migration continues - in precopy and before a switch to
 *    post-copy alike;
 *  - Finish: the destination stops its NBD server before the guest runs.
 * A failure before the switch-over cancels the mirrors: the guest goes
 * on on the source with its disks untouched.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "qemu_migration_storage.h"
#include "qemu_migration_priv.h"
#include "qemu_monitor_json.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_migration_storage");

/* How long cancelled mirrors may take to conclude on a failure path. */
#define QEMU_MIGRATION_STORAGE_CANCEL_TIMEOUT_S 10

#define QEMU_MIGRATION_STORAGE_FLAGS \
    (VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC)

bool
qemuMigrationStorageRequested(unsigned int flags)
{
    return (flags & QEMU_MIGRATION_STORAGE_FLAGS) != 0;
}

void
qemuMigrationStorageClear(qemuMigrationStorage *st)
{
    g_clear_pointer(&st->jobs, g_hash_table_unref);
    g_clear_pointer(&st->disks, g_ptr_array_unref);
    g_clear_pointer(&st->created, g_ptr_array_unref);
    st->nbdServer = false;
    st->progressSet = false;
}

/* ------------------------------------------------------------------ */
/* names                                                                */

static char *
qemuMigrationStorageExportName(const virDomainDiskDef *disk)
{
    return g_strdup_printf("drive-%s", disk->info.alias);
}

static char *
qemuMigrationStorageFormatNode(const virDomainDiskDef *disk)
{
    return g_strdup_printf("libvirt-%u-format", disk->srcIndex);
}

static char *
qemuMigrationStorageNBDNode(const virDomainDiskDef *disk)
{
    return g_strdup_printf("migration-%s-storage", disk->dst);
}

/* ------------------------------------------------------------------ */
/* which disks                                                          */

int
qemuMigrationStorageCheckParams(const virTypedParameter *params, size_t nparams,
                                unsigned int flags)
{
    const char *val = NULL;

    /* libvirt encrypts the NBD connection too; virtmig cannot yet, and
     * must not send the disks in the clear when asked for TLS */
    if ((flags & VIR_MIGRATE_TLS) && qemuMigrationStorageRequested(flags)) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("copying storage over TLS (--tls with --copy-storage-*) is not supported by virtmig yet"));
        return -1;
    }
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_MIGRATE_DISKS,
                                &val) > 0 &&
        !qemuMigrationStorageRequested(flags)) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("Selecting disks to migrate requires copying storage (--copy-storage-all or --copy-storage-inc)"));
        return -1;
    }
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DISKS_URI,
                                &val) > 0) {
        g_autofree char *host = NULL;
        unsigned int port = 0;
        int dport = 0;

        /* libvirt also takes unix:// sockets; virtmig only TCP */
        if (qemuMigrationParseURI(val, &host, &port) < 0)
            return -1;
        if (virTypedParamsGetInt(params, nparams, VIR_MIGRATE_PARAM_DISKS_PORT,
                                 &dport) > 0 && dport) {
            virReportError(VIR_ERR_INVALID_ARG, "%s",
                           _("Both 'disks_uri' and 'disks_port' are specified"));
            return -1;
        }
    }
    return 0;
}

static bool
qemuMigrationStorageListed(const virTypedParameter *params, size_t nparams,
                           const char *target, bool *any)
{
    size_t i;

    *any = false;
    for (i = 0; i < nparams; i++) {
        if (!g_str_equal(params[i].field, VIR_MIGRATE_PARAM_MIGRATE_DISKS))
            continue;
        *any = true;
        if (g_str_equal(params[i].value.s, target))
            return true;
    }
    return false;
}

GPtrArray *
qemuMigrationStorageSelect(const virDomainDef *def,
                           const virTypedParameter *params, size_t nparams,
                           unsigned int flags)
{
    g_autoptr(GPtrArray) disks = g_ptr_array_new();
    size_t i;

    for (i = 0; i < nparams; i++) {
        if (g_str_equal(params[i].field, VIR_MIGRATE_PARAM_MIGRATE_DISKS) &&
            !virDomainDiskByTarget(def, params[i].value.s)) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("disk target %1$s not found"), params[i].value.s);
            return NULL;
        }
    }
    if (!qemuMigrationStorageRequested(flags))
        return g_steal_pointer(&disks);
    for (i = 0; i < def->ndisks; i++) {
        virDomainDiskDef *disk = def->disks[i];
        bool any;
        bool listed = qemuMigrationStorageListed(params, nparams, disk->dst, &any);

        /* libvirt: without a list, every writable disk with a source */
        if (any ? !listed : (!disk->src || disk->readonly || disk->shareable))
            continue;
        if (!disk->src) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("disk %1$s has no source to copy"), disk->dst);
            return NULL;
        }
        g_ptr_array_add(disks, disk);
    }
    return g_steal_pointer(&disks);
}

/* ------------------------------------------------------------------ */
/* Begin: the disks and their sizes                                     */

int
qemuMigrationStorageBeginCookie(virDomainObj *vm, GPtrArray *disks,
                                qemuMigrationCookie *cookie)
{
    g_autoptr(GHashTable) sizes = NULL;
    qemuMonitor *mon;
    size_t i;

    if (disks->len == 0)
        return 0;
    if (!(mon = qemuMigrationEnterMonitor(vm)))
        return -1;
    sizes = qemuMonitorJSONGetBlockNodeSizes(mon);
    qemuMigrationExitMonitor(vm, mon);
    if (!sizes)
        return -1;
    cookie->nbdDisks = g_new0(qemuMigrationCookieNBDDisk, disks->len);
    for (i = 0; i < disks->len; i++) {
        const virDomainDiskDef *disk = disks->pdata[i];
        g_autofree char *node = qemuMigrationStorageFormatNode(disk);
        gpointer size;

        if (!g_hash_table_lookup_extended(sizes, node, NULL, &size)) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("cannot find the size of disk %1$s"), disk->dst);
            return -1;
        }
        cookie->nbdDisks[i].target = g_strdup(disk->dst);
        cookie->nbdDisks[i].capacity = *(unsigned long long *)size;
        cookie->nbdNDisks++;
    }
    cookie->flags |= QEMU_MIGRATION_COOKIE_NBD;
    return 0;
}

/* ------------------------------------------------------------------ */
/* mirror jobs (source)                                                 */

void
qemuMigrationStorageRecordJob(virDomainObj *vm, const char *jobId,
                              qemuMonitorJobStatus status)
{
    qemuMigrationStorage *st = &QEMU_DOMAIN_PRIVATE(vm)->storage;

    if (!st->jobs || !g_hash_table_contains(st->jobs, jobId))
        return;
    VIR_DEBUG("domain %s: storage job %s: %s", vm->def->name, jobId,
              qemuMonitorJobStatusTypeToString(status));
    g_hash_table_insert(st->jobs, g_strdup(jobId), GINT_TO_POINTER(status));
    g_cond_broadcast(&vm->cond);
}

/* Over: the job can be dismissed (or is gone). */
static bool
qemuMigrationStorageJobEnded(qemuMonitorJobStatus status)
{
    return status == QEMU_MONITOR_JOB_STATUS_CONCLUDED ||
           status == QEMU_MONITOR_JOB_STATUS_NULL;
}

/* Will never become ready. */
static bool
qemuMigrationStorageJobFailing(qemuMonitorJobStatus status)
{
    return qemuMigrationStorageJobEnded(status) ||
           status == QEMU_MONITOR_JOB_STATUS_ABORTING;
}

/* Every mirror ready, or one of them gone wrong (or the peer lost, or
 * the client aborted the job). */
static bool
qemuMigrationStorageAllReady(virDomainObj *vm)
{
    qemuMigrationStorage *st = &QEMU_DOMAIN_PRIVATE(vm)->storage;
    GHashTableIter iter;
    gpointer val;

    if (qemuMigrationStateIsPeerLost(vm) || QEMU_DOMAIN_PRIVATE(vm)->job.abortJob)
        return true;
    g_hash_table_iter_init(&iter, st->jobs);
    while (g_hash_table_iter_next(&iter, NULL, &val)) {
        if (qemuMigrationStorageJobFailing(GPOINTER_TO_INT(val)))
            return true;
        if (GPOINTER_TO_INT(val) != QEMU_MONITOR_JOB_STATUS_READY)
            return false;
    }
    return true;
}

static bool
qemuMigrationStorageAllEnded(virDomainObj *vm)
{
    qemuMigrationStorage *st = &QEMU_DOMAIN_PRIVATE(vm)->storage;
    GHashTableIter iter;
    gpointer val;

    g_hash_table_iter_init(&iter, st->jobs);
    while (g_hash_table_iter_next(&iter, NULL, &val)) {
        if (!qemuMigrationStorageJobEnded(GPOINTER_TO_INT(val)))
            return false;
    }
    return true;
}

/* Blocks until @cond holds (vm locked; the lock is dropped while
 * waiting).  -1 if QEMU went away or @timeoutS passed. */
static int
qemuMigrationStorageWait(virDomainObj *vm, qemuMigrationWaitCond cond,
                         int timeoutS)
{
    gint64 deadline = timeoutS ? g_get_monotonic_time() + timeoutS * G_USEC_PER_SEC : 0;

    switch (qemuMigrationStateWaitUntil(vm, 0, cond, deadline, NULL)) {
    case QEMU_MIGRATION_WAIT_REACHED:
        return 0;
    case QEMU_MIGRATION_WAIT_QEMU_GONE:
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("job 'migration out' failed: QEMU process exited"));
        return -1;
    case QEMU_MIGRATION_WAIT_TIMEOUT:
    default:
        virReportError(VIR_ERR_OPERATION_TIMEOUT, "%s",
                       _("the storage copy did not end in time"));
        return -1;
    }
}

/* Sums the progress of our mirrors in @jobs; reports a failed one (or,
 * with @requireReady, one that is not ready). */
static int
qemuMigrationStorageSumJobs(qemuMigrationStorage *st, GPtrArray *jobs,
                            bool requireReady)
{
    unsigned long long total = 0, done = 0;
    size_t i;

    for (i = 0; i < jobs->len; i++) {
        const qemuMonitorJobInfo *job = jobs->pdata[i];

        if (!g_hash_table_contains(st->jobs, job->id))
            continue;
        if (job->error || (requireReady && job->status != QEMU_MONITOR_JOB_STATUS_READY)) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("migration of disk %1$s failed: %2$s"), job->id,
                           job->error ? job->error : _("the mirror stopped"));
            return -1;
        }
        total += job->progressTotal;
        done += job->progressCurrent;
    }
    st->progressSet = true;
    st->progressTotal = total;
    st->progressDone = MIN(done, total);
    st->progressTime = g_get_monotonic_time();
    return 0;
}

bool
qemuMigrationStorageCopying(virDomainObj *vm)
{
    return QEMU_DOMAIN_PRIVATE(vm)->storage.jobs != NULL;
}

void
qemuMigrationStorageFillStats(virDomainObj *vm, GPtrArray *mirrors,
                              qemuMonitorMigrationStats *stats)
{
    qemuMigrationStorage *st = &QEMU_DOMAIN_PRIVATE(vm)->storage;

    if (st->jobs && mirrors &&
        qemuMigrationStorageSumJobs(st, mirrors, false) < 0)
        virResetLastError();    /* statistics only */
    if (!st->progressSet)
        return;
    stats->diskSet = true;
    stats->disk.total = st->progressTotal;
    stats->disk.transferred = st->progressDone;
    stats->disk.remaining = st->progressTotal - st->progressDone;
    /* disk_bps: the average since the mirrors started (QEMU's unit for
     * query-migrate's mbps: 10^6 bits per second) */
    if (st->progressTime > st->startTime)
        stats->disk.mbps = st->progressDone * 8.0 /
                           (st->progressTime - st->startTime);
}

/* query-jobs: the mirrors' progress, and an error if one failed. */
static int
qemuMigrationStorageCheckJobs(virDomainObj *vm, bool requireReady)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_autoptr(GPtrArray) jobs = NULL;
    qemuMonitor *mon;

    if (!(mon = qemuMigrationEnterMonitor(vm)))
        return -1;
    jobs = qemuMonitorJSONGetJobs(mon);
    qemuMigrationExitMonitor(vm, mon);
    if (!jobs || qemuMigrationStorageSumJobs(&priv->storage, jobs, requireReady) < 0)
        return -1;
    if (priv->job.current)
        qemuMigrationStorageFillStats(vm, NULL, &priv->job.current->stats);
    return 0;
}

int
qemuMigrationStorageStartMirrors(virDomainObj *vm, GPtrArray *disks,
                                 const char *host, unsigned int port,
                                 unsigned long long speedMiB, unsigned int flags)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuMonitor *mon;
    size_t i;
    int rc = 0;

    if (disks->len == 0)
        return 0;
    if (port == 0) {
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("the destination did not start an NBD server for the storage copy"));
        return -1;
    }
    qemuMigrationStorageClear(&priv->storage);
    priv->storage.startTime = g_get_monotonic_time();
    priv->storage.jobs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    priv->storage.disks = g_ptr_array_ref(disks);
    for (i = 0; i < disks->len; i++) {
        const virDomainDiskDef *disk = disks->pdata[i];

        g_hash_table_insert(priv->storage.jobs, qemuMigrationStorageExportName(disk),
                            GINT_TO_POINTER(QEMU_MONITOR_JOB_STATUS_UNDEFINED));
    }
    if (!(mon = qemuMigrationEnterMonitor(vm)))
        return -1;
    for (i = 0; i < disks->len && rc == 0; i++) {
        const virDomainDiskDef *disk = disks->pdata[i];
        g_autofree char *exportName = qemuMigrationStorageExportName(disk);
        g_autofree char *nbdNode = qemuMigrationStorageNBDNode(disk);
        g_autofree char *formatNode = qemuMigrationStorageFormatNode(disk);

        VIR_INFO("domain %s: copying disk %s to %s:%u", vm->def->name,
                 disk->dst, host, port);
        rc = qemuMonitorJSONBlockdevAddNBD(mon, nbdNode, host, port, exportName, NULL);
        if (rc == 0)
            rc = qemuMonitorJSONBlockdevMirror(mon, exportName, formatNode, nbdNode,
                                               flags & VIR_MIGRATE_NON_SHARED_INC,
                                               flags & VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES,
                                               speedMiB * 1024 * 1024);
    }
    qemuMigrationExitMonitor(vm, mon);
    if (rc < 0 ||
        qemuMigrationStorageWait(vm, qemuMigrationStorageAllReady, 0) < 0)
        return -1;
    if (qemuMigrationStateIsPeerLost(vm)) {
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("Lost connection to destination host"));
        return -1;
    }
    if (priv->job.abortJob) {
        if (priv->job.current)
            priv->job.current->status = QEMU_DOMAIN_JOB_STATUS_CANCELED;
        virReportError(VIR_ERR_OPERATION_ABORTED,
                       _("job '%1$s' canceled by client"),
                       virDomainAsyncJobTypeToString(priv->job.asyncJob));
        return -1;
    }
    return qemuMigrationStorageCheckJobs(vm, true);
}

/* The keys of @table, copied (the monitor is used unlocked, while events
 * may update the table). */
static GPtrArray *
qemuMigrationStorageJobIds(GHashTable *table)
{
    GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init(&iter, table);
    while (g_hash_table_iter_next(&iter, &key, NULL))
        g_ptr_array_add(ids, g_strdup(key));
    return ids;
}

/* Ends every mirror: completes it (@abort false, the mirrors are ready
 * and the guest stopped) or aborts it; then dismisses the jobs and
 * deletes the NBD nodes.  Returns -1 if a completion failed. */
static int
qemuMigrationStorageEndMirrors(virDomainObj *vm, bool abort)
{
    qemuMigrationStorage *st = &QEMU_DOMAIN_PRIVATE(vm)->storage;
    g_autoptr(GPtrArray) ids = NULL;
    g_autoptr(GPtrArray) gone = g_ptr_array_new();
    qemuMonitor *mon;
    size_t i;
    int ret = 0;

    if (!st->jobs)
        return 0;
    ids = qemuMigrationStorageJobIds(st->jobs);
    if (!(mon = qemuMigrationEnterMonitor(vm)))
        return -1;
    for (i = 0; i < ids->len; i++) {
        if (qemuMonitorJSONBlockJobCancel(mon, ids->pdata[i], abort) < 0) {
            if (!abort)
                ret = -1;
            else
                virResetLastError();
            g_ptr_array_add(gone, ids->pdata[i]);
        }
    }
    qemuMigrationExitMonitor(vm, mon);
    /* never started, or already gone: nothing to wait for */
    for (i = 0; i < gone->len; i++)
        g_hash_table_insert(st->jobs, g_strdup(gone->pdata[i]),
                            GINT_TO_POINTER(QEMU_MONITOR_JOB_STATUS_NULL));
    if (qemuMigrationStorageWait(vm, qemuMigrationStorageAllEnded,
                                 QEMU_MIGRATION_STORAGE_CANCEL_TIMEOUT_S) < 0)
        ret = -1;
    if (ret == 0 && !abort && qemuMigrationStorageCheckJobs(vm, false) < 0)
        ret = -1;
    if (!(mon = qemuMigrationEnterMonitor(vm)))
        return -1;
    for (i = 0; i < ids->len; i++) {
        if (qemuMonitorJSONJobDismiss(mon, ids->pdata[i]) < 0)
            virResetLastError();
    }
    for (i = 0; st->disks && i < st->disks->len; i++) {
        g_autofree char *nbdNode = qemuMigrationStorageNBDNode(st->disks->pdata[i]);

        if (qemuMonitorJSONBlockdevDel(mon, nbdNode) < 0)
            virResetLastError();
    }
    qemuMigrationExitMonitor(vm, mon);
    g_clear_pointer(&st->jobs, g_hash_table_unref);
    g_clear_pointer(&st->disks, g_ptr_array_unref);
    return ret;
}

int
qemuMigrationStorageSwitchover(virDomainObj *vm)
{
    qemuMonitor *mon;
    int rc;

    VIR_DEBUG("domain %s: pre-switchover: completing the storage mirrors",
              vm->def->name);
    if (qemuMigrationStorageEndMirrors(vm, false) < 0)
        return -1;
    if (!(mon = qemuMigrationEnterMonitor(vm)))
        return -1;
    rc = qemuMonitorJSONMigrateContinue(mon, QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER);
    qemuMigrationExitMonitor(vm, mon);
    return rc;
}

void
qemuMigrationStorageCancel(virDomainObj *vm)
{
    g_autoptr(virError) err = virSaveLastError();

    if (QEMU_DOMAIN_PRIVATE(vm)->storage.jobs &&
        qemuMigrationStorageEndMirrors(vm, true) < 0)
        VIR_WARN("domain %s: storage mirrors not cleaned up: %s",
                 vm->def->name, virGetLastErrorMessage());
    virSetError(err);
}

/* ------------------------------------------------------------------ */
/* destination                                                          */

/* The image's virtual size: the top-level "virtual-size" of qemu-img's
 * JSON (raw and qcow2 alike). */
static int
qemuMigrationStorageImageSize(const char *path, unsigned long long *size)
{
    const char *argv[] = { "qemu-img", "info", "--output=json", "-U", path, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(json_object) info = NULL;
    json_object *val = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                      &out, &err, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL) ||
        !(info = json_tokener_parse(out)) ||
        !json_object_object_get_ex(info, "virtual-size", &val) ||
        !json_object_is_type(val, json_type_int)) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot read the size of '%1$s': %2$s"), path,
                       err ? g_strstrip(err) : "");
        return -1;
    }
    *size = json_object_get_uint64(val);
    return 0;
}

static int
qemuMigrationStorageCreateImage(const virDomainDiskDef *disk,
                                unsigned long long capacity)
{
    const char *format = disk->format == VIR_DOMAIN_DISK_FORMAT_QCOW2 ? "qcow2" : "raw";
    g_autofree char *size = g_strdup_printf("%llu", capacity);
    const char *argv[] = { "qemu-img", "create", "-q", "-f", format, disk->src, size, NULL };
    g_autofree char *err = NULL;
    int status = 0;

    VIR_INFO("creating %s image %s of %llu bytes for an incoming storage copy",
             format, disk->src, capacity);
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                      NULL, &err, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL)) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot create the storage copy's target '%1$s': %2$s"),
                       disk->src, err ? g_strstrip(err) : "");
        return -1;
    }
    return 0;
}

int
qemuMigrationStoragePrepareImages(virDomainObj *vm, const qemuMigrationCookie *cookie,
                                  unsigned int flags)
{
    qemuMigrationStorage *st = &QEMU_DOMAIN_PRIVATE(vm)->storage;
    size_t i;

    if (!qemuMigrationStorageRequested(flags))
        return 0;
    st->created = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; i < cookie->nbdNDisks; i++) {
        const qemuMigrationCookieNBDDisk *nd = &cookie->nbdDisks[i];
        const virDomainDiskDef *disk = virDomainDiskByTarget(vm->def, nd->target);
        unsigned long long size = 0;

        if (!disk || !disk->src || disk->type != VIR_DOMAIN_DISK_TYPE_FILE) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("the destination has no file-backed disk %1$s to copy into"),
                           nd->target);
            return -1;
        }
        if (!virFileExists(disk->src)) {
            if (flags & VIR_MIGRATE_NON_SHARED_INC) {
                virReportError(VIR_ERR_OPERATION_INVALID,
                               _("'%1$s' must exist on the destination for --copy-storage-inc (its backing chain is not copied)"),
                               disk->src);
                return -1;
            }
            if (qemuMigrationStorageCreateImage(disk, nd->capacity) < 0)
                return -1;
            g_ptr_array_add(st->created, g_strdup(disk->src));
            continue;
        }
        if (qemuMigrationStorageImageSize(disk->src, &size) < 0)
            return -1;
        if (size < nd->capacity) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("'%1$s' is smaller (%2$llu bytes) than the disk it receives (%3$llu bytes)"),
                           disk->src, size, nd->capacity);
            return -1;
        }
    }
    return 0;
}

int
qemuMigrationStorageStartServer(virDomainObj *vm, const qemuMigrationCookie *cookie,
                                const char *host, unsigned int port,
                                unsigned int *portOut)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuMonitor *mon;
    size_t i;
    int rc;

    *portOut = 0;
    if (cookie->nbdNDisks == 0)
        return 0;
    if (!(mon = qemuDomainObjEnterMonitor(vm)))
        return -1;
    rc = qemuMonitorJSONNBDServerStart(mon, host, port, NULL);
    for (i = 0; i < cookie->nbdNDisks && rc == 0; i++) {
        const virDomainDiskDef *disk = virDomainDiskByTarget(vm->def,
                                                             cookie->nbdDisks[i].target);
        g_autofree char *node = qemuMigrationStorageFormatNode(disk);
        g_autofree char *name = qemuMigrationStorageExportName(disk);

        rc = qemuMonitorJSONBlockExportAddNBD(mon, node, name, true);
    }
    qemuDomainObjExitMonitor(vm, mon);
    if (rc < 0)
        return -1;
    priv->storage.nbdServer = true;
    *portOut = port;
    VIR_INFO("domain %s: NBD server for the storage copy on %s:%u",
             vm->def->name, host, port);
    return 0;
}

void
qemuMigrationStorageStopServer(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuMonitor *mon;

    if (!priv->storage.nbdServer)
        return;
    priv->storage.nbdServer = false;
    if (!(mon = qemuDomainObjEnterMonitor(vm)))
        return;
    if (qemuMonitorJSONNBDServerStop(mon) < 0)
        VIR_WARN("domain %s: cannot stop the NBD server: %s", vm->def->name,
                 virGetLastErrorMessage());
    qemuDomainObjExitMonitor(vm, mon);
}

void
qemuMigrationStorageKeepImages(virDomainObj *vm)
{
    g_clear_pointer(&QEMU_DOMAIN_PRIVATE(vm)->storage.created, g_ptr_array_unref);
}

void
qemuMigrationStorageRemoveImages(virDomainObj *vm)
{
    qemuMigrationStorage *st = &QEMU_DOMAIN_PRIVATE(vm)->storage;
    size_t i;

    for (i = 0; st->created && i < st->created->len; i++) {
        VIR_INFO("removing %s, created for a failed storage copy",
                 (char *)st->created->pdata[i]);
        if (unlink(st->created->pdata[i]) < 0 && errno != ENOENT)
            VIR_WARN("cannot remove %s: %s", (char *)st->created->pdata[i],
                     g_strerror(errno));
    }
    g_clear_pointer(&st->created, g_ptr_array_unref);
}
