/*
 * qemu_migration_src.c: the source side of a migration: Begin, Perform
 * and Confirm of libvirt's protocol v3
 *
 * Source phases: begin3 -> perform3 -> perform3_done -> confirm3 (or
 * confirm3_cancelled).  Until the destination confirmed the guest runs
 * there, the guest stays here: any failure resumes it here.
 */
#include <string.h>

#include "qemu_migration_priv.h"
#include "qemu_migration_storage.h"
#include "qemu_monitor_json.h"
#include "qemu_process.h"
#include "domain_conf.h"
#include "virfilesystem.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_migration_src");

/* libvirt's rule (qemuMigrationSrcIsSafe): a writable disk must be on
 * storage both hosts see, unless --unsafe.  A cluster file system
 * (GFS2, OCFS2, CephFS, GPFS) is always safe; another shared one (NFS,
 * CIFS, GlusterFS...) only without the host's page cache (cache 'none'
 * or 'directsync'), or the destination may read stale data; a local
 * file system or a block device is not shared. */
static int
qemuMigrationSrcDiskIsSafe(const virDomainDiskDef *disk)
{
    virFileSystemKind kind = VIR_FILE_SYSTEM_LOCAL;
    const char *fsName = NULL;

    if (disk->type == VIR_DOMAIN_DISK_TYPE_FILE &&
        virFileSystemOf(disk->src, &kind, &fsName) < 0)
        return -1;
    switch (kind) {
    case VIR_FILE_SYSTEM_CLUSTER:
        return 0;
    case VIR_FILE_SYSTEM_SHARED:
        if (disk->cache == VIR_DOMAIN_DISK_CACHE_NONE ||
            disk->cache == VIR_DOMAIN_DISK_CACHE_DIRECTSYNC)
            return 0;
        virReportError(VIR_ERR_MIGRATE_UNSAFE, "%s",
                       _("Migration may lead to data corruption if disks use cache other than none or directsync"));
        return -1;
    case VIR_FILE_SYSTEM_LOCAL:
        break;
    }
    virReportError(VIR_ERR_MIGRATE_UNSAFE, "%s",
                   _("Migration without shared storage is unsafe"));
    return -1;
}

int
qemuMigrationSrcIsSafe(const virDomainDef *def, const virTypedParameter *params,
                       size_t nparams, unsigned int flags)
{
    g_autoptr(GPtrArray) copied = NULL;
    size_t i;

    /* the disks to copy must exist even with --unsafe */
    if (!(copied = qemuMigrationStorageSelect(def, params, nparams, flags)))
        return -1;
    if (flags & VIR_MIGRATE_UNSAFE)
        return 0;
    for (i = 0; i < def->ndisks; i++) {
        const virDomainDiskDef *disk = def->disks[i];

        if (!disk->src || disk->readonly || disk->shareable ||
            g_ptr_array_find(copied, disk, NULL))
            continue;
        if (qemuMigrationSrcDiskIsSafe(disk) < 0)
            return -1;
    }
    return 0;
}

int
qemuMigrationSrcBeginCookie(qemuDriver *driver, virDomainObj *vm,
                            const virTypedParameter *params, size_t nparams,
                            unsigned int flags,
                            char **cookieout, size_t *cookieoutlen)
{
    g_autoptr(qemuMigrationCookie) cookie =
        qemuMigrationCookieNew(vm->def->name, vm->def->uuid, g_get_host_name(),
                               driver->hostUUID);
    g_autoptr(GPtrArray) disks = NULL;

    if (!(disks = qemuMigrationStorageSelect(vm->def, params, nparams, flags)) ||
        qemuMigrationStorageBeginCookie(vm, disks, cookie) < 0)
        return -1;

    cookie->flags |= QEMU_MIGRATION_COOKIE_CAPS;
    cookie->capsSupported = QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_RAM) |
                            QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_XBZRLE) |
                            QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_MULTIFD) |
                            QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_AUTO_CONVERGE);
    return qemuMigrationCookieFormat(cookie, QEMU_MIGRATION_COOKIE_CAPS |
                                     QEMU_MIGRATION_COOKIE_NBD,
                                     cookieout, cookieoutlen);
}

/* The XML the destination gets: the client's DEST_XML if given (same
 * domain), else our migratable live definition. */
char *
qemuMigrationSrcBeginXML(virDomainObj *vm, const virTypedParameter *params,
                         size_t nparams)
{
    const char *xmlin = NULL;
    g_autoptr(virDomainDef) def = NULL;

    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_XML,
                                &xmlin) <= 0)
        return virDomainDefFormat(vm->def, VIR_DOMAIN_DEF_FORMAT_MIGRATABLE |
                                           VIR_DOMAIN_DEF_FORMAT_SECURE);
    if (!(def = virDomainDefParseString(xmlin, VIR_DOMAIN_DEF_PARSE_INACTIVE)))
        return NULL;
    if (memcmp(def->uuid, vm->def->uuid, VIR_UUID_BUFLEN) != 0) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("target domain uuid does not match source"));
        return NULL;
    }
    return virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_SECURE);
}

char *
qemuDomainMigrateBegin3Params(qemuDriver *driver, const unsigned char *uuid,
                              const virTypedParameter *params, size_t nparams,
                              char **cookieout, size_t *cookieoutlen,
                              unsigned int flags, const qemuMigrationConn *conn)
{
    virDomainObj *vm;
    char *xml = NULL;

    if (qemuMigrationParamsCheck(params, nparams, flags) < 0 ||
        qemuMigrationTLSCheck(driver, flags, false) < 0)
        return NULL;
    if (!(vm = qemuMigrationDomObj(driver, uuid)))
        return NULL;
    if (flags & VIR_MIGRATE_OFFLINE) {
        if (virDomainObjIsActive(vm))
            virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                           _("domain is active: offline migration is for shut-off domains"));
        else
            xml = qemuMigrationSrcBeginOffline(driver, vm, cookieout, cookieoutlen);
        goto cleanup;
    }
    if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
        goto cleanup;
    }
    if (flags & VIR_MIGRATE_POSTCOPY_RESUME) {
        xml = qemuMigrationSrcBeginResume(driver, vm, flags, cookieout, cookieoutlen,
                                          conn);
        goto cleanup;
    }
    if (qemuMigrationSrcIsSafe(vm->def, params, nparams, flags) < 0)
        goto cleanup;
    if (qemuMigrationJobStart(driver, vm, VIR_ASYNC_JOB_MIGRATION_OUT, flags,
                              conn->clientID) < 0)
        goto cleanup;
    if (qemuMigrationJobSetPhase(driver, vm, QEMU_MIGRATION_PHASE_BEGIN3) < 0 ||
        !(xml = qemuMigrationSrcBeginXML(vm, params, nparams)) ||
        qemuMigrationSrcBeginCookie(driver, vm, params, nparams, flags,
                                    cookieout, cookieoutlen) < 0) {
        g_clear_pointer(&xml, g_free);
        qemuMigrationJobFinish(driver, vm);
        goto cleanup;
    }
    /* CHANGE_PROTECTION is what the job is: it lasts until Confirm */
    qemuMigrationJobContinue(driver, vm, qemuMigrationSrcCleanup);
 cleanup:
    virDomainObjEndAPI(&vm);
    return xml;
}

/* With a storage copy, QEMU stops before the switch-over: the mirrors
 * are completed there, then the migration goes on (or it ended
 * without getting there, which qemuMigrationWaitForCompletion tells). */
static int
qemuMigrationSrcStorageSwitchover(virDomainObj *vm)
{
    qemuMonitorMigrationStatus st;

    if (qemuMigrationStateWaitUntil(vm, QEMU_MIGRATION_STATES_FINAL |
                                    QEMU_MIGRATION_STATUS_BIT(QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER) |
                                    QEMU_MIGRATION_STATUS_BIT(QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED),
                                    qemuMigrationStateIsPeerLost, 0, &st) != QEMU_MIGRATION_WAIT_REACHED ||
        st != QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER)
        return 0;
    return qemuMigrationStorageSwitchover(vm);
}

/* The mirrors of the disks to copy into the destination's NBD server
 * (its host is the migration URI's, its port the Prepare cookie's). */
static int
qemuMigrationSrcStorageStart(virDomainObj *vm, const char *uri,
                             const virTypedParameter *params, size_t nparams,
                             unsigned int flags, const qemuMigrationCookie *cookie)
{
    g_autoptr(GPtrArray) disks = NULL;
    g_autofree char *host = NULL;
    unsigned long long speed = QEMU_DOMAIN_PRIVATE(vm)->migBandwidthMiB;
    unsigned int port = 0;
    const char *disksURI = NULL;

    if (!qemuMigrationStorageRequested(flags))
        return 0;
    /* the NBD server is at disks_uri, else on the migration URI's host */
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DISKS_URI,
                                &disksURI) <= 0)
        disksURI = NULL;
    if (!(disks = qemuMigrationStorageSelect(vm->def, params, nparams, flags)) ||
        qemuMigrationParseURI(disksURI ? disksURI : uri, &host, &port) < 0 ||
        virTypedParamsGetULLong(params, nparams, VIR_MIGRATE_PARAM_BANDWIDTH,
                                &speed) < 0)
        return -1;
    if (!disksURI || port == 0)
        port = cookie ? cookie->nbdPort : 0;
    return qemuMigrationStorageStartMirrors(vm, disks, host, port, speed, flags);
}

/* The work of qemuMigrationSrcRun, whose failure it cleans up. */
static int
qemuMigrationSrcRunQEMU(qemuDriver *driver, virDomainObj *vm, const char *uri,
                        const virTypedParameter *params, size_t nparams,
                        unsigned int flags, const qemuMigrationCookie *cookie)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_autoptr(qemuMigrationParams) mig = NULL;
    g_autofree char *host = NULL;
    unsigned int port;
    qemuMonitor *mon;
    bool postcopy = false;
    int rc;

    /* the destination's certificate must be valid for the host QEMU
     * connects to */
    if ((flags & VIR_MIGRATE_TLS) && qemuMigrationParseURI(uri, &host, &port) < 0)
        return -1;
    if (!(mig = qemuMigrationParamsFromFlags(params, nparams, flags,
                                             priv->migBandwidthMiB,
                                             driver->postcopyPreempt)))
        return -1;
    if (priv->migPostcopyBandwidthMiB &&
        !qemuMonitorMigrationParamsIsSet(mig->qemu,
                                         QEMU_MONITOR_MIGRATION_PARAM_MAX_POSTCOPY_BANDWIDTH) &&
        qemuMonitorMigrationParamsSetULL(mig->qemu,
                                         QEMU_MONITOR_MIGRATION_PARAM_MAX_POSTCOPY_BANDWIDTH,
                                         priv->migPostcopyBandwidthMiB * 1024 * 1024) < 0)
        return -1;
    if (qemuMigrationTLSSetup(vm, flags, false, host, mig) < 0 ||
        qemuMigrationApplyParams(vm, mig) < 0 ||
        qemuMigrationSrcStorageStart(vm, uri, params, nparams, flags, cookie) < 0)
        return -1;
    if (!(flags & VIR_MIGRATE_LIVE) && vm->state == VIR_DOMAIN_RUNNING &&
        qemuProcessStopCPUs(driver, vm, VIR_DOMAIN_PAUSED_MIGRATION) < 0)
        return -1;

    /* QEMU pauses the guest at the switch-over: report it as migration */
    priv->pausedReason = VIR_DOMAIN_PAUSED_MIGRATION;
    qemuMigrationStateReset(vm);
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_ASYNC_NESTED,
                              driver->jobWaitTimeoutMs) < 0)
        return -1;
    mon = qemuDomainObjEnterMonitor(vm);
    rc = mon ? qemuMonitorJSONMigrate(mon, uri, 0) : -1;
    qemuDomainObjExitMonitor(vm, mon);
    qemuDomainObjEndJob(vm, &priv->job);
    if (rc < 0)
        return -1;
    VIR_INFO("domain %s: migrating to %s", vm->def->name, uri);
    if (qemuMigrationStorageRequested(flags) &&
        qemuMigrationSrcStorageSwitchover(vm) < 0)
        return -1;
    /* in post-copy the guest runs on the destination as soon as QEMU
     * switched: Perform ends there and Confirm waits for the rest */
    if (qemuMigrationWaitForCompletion(driver, vm, &postcopy,
                                       flags & VIR_MIGRATE_POSTCOPY) < 0)
        return -1;
    if (priv->job.current)
        priv->job.current->sent = g_get_real_time() / 1000;
    return 0;
}

/* Starts QEMU's migration to @uri and waits for its end. */
int
qemuMigrationSrcRun(qemuDriver *driver, virDomainObj *vm, const char *uri,
                    const virTypedParameter *params, size_t nparams,
                    unsigned int flags, const qemuMigrationCookie *cookie)
{
    if (qemuMigrationSrcRunQEMU(driver, vm, uri, params, nparams, flags, cookie) < 0) {
        qemuMigrationStorageCancel(vm);
        return -1;
    }
    return 0;
}

int
qemuMigrationSrcPerformCookie(qemuDriver *driver, virDomainObj *vm,
                              unsigned int flags, const virTypedParameter *params,
                              size_t nparams, char **cookieout,
                              size_t *cookieoutlen)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_autoptr(qemuMigrationCookie) cookie =
        qemuMigrationCookieNew(vm->def->name, vm->def->uuid, g_get_host_name(),
                               driver->hostUUID);
    unsigned int parts = 0;
    const char *persistXML = NULL;

    if (flags & VIR_MIGRATE_PERSIST_DEST) {
        if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_PERSIST_XML,
                                    &persistXML) > 0)
            cookie->persistent = virDomainDefParseString(persistXML,
                                                         VIR_DOMAIN_DEF_PARSE_INACTIVE);
        else
            cookie->persistent = virDomainDefCopy(virDomainObjGetPersistentDef(vm),
                                                  false);
        if (!cookie->persistent)
            return -1;
        cookie->flags |= QEMU_MIGRATION_COOKIE_PERSISTENT;
        parts |= QEMU_MIGRATION_COOKIE_PERSISTENT;
    }
    if (priv->job.current) {
        cookie->jobData = qemuDomainJobDataCopy(priv->job.current);
        cookie->flags |= QEMU_MIGRATION_COOKIE_STATS;
        parts |= QEMU_MIGRATION_COOKIE_STATS;
    }
    return qemuMigrationCookieFormat(cookie, parts, cookieout, cookieoutlen);
}

int
qemuDomainMigratePerform3Params(qemuDriver *driver, const unsigned char *uuid,
                                const char *dconnuri,
                                const virTypedParameter *params, size_t nparams,
                                const char *cookiein, size_t cookieinlen,
                                char **cookieout, size_t *cookieoutlen,
                                unsigned int flags, const qemuMigrationConn *conn)
{
    g_autoptr(qemuMigrationCookie) cookie = NULL;
    const char *uri = NULL;
    virDomainObj *vm;
    int ret = -1;

    if (qemuMigrationParamsCheck(params, nparams, flags) < 0)
        return -1;
    if (flags & VIR_MIGRATE_PEER2PEER) {
        if (!(vm = qemuMigrationDomObj(driver, uuid)))
            return -1;
        ret = qemuMigrationSrcPerformP2P(driver, vm, dconnuri, params, nparams,
                                         flags, conn);
        goto cleanup;
    }
    if (flags & VIR_MIGRATE_OFFLINE) {
        if (!(vm = qemuMigrationDomObj(driver, uuid)))
            return -1;
        ret = qemuMigrationSrcPerformOffline(driver, vm, cookieout, cookieoutlen);
        goto cleanup;
    }
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_URI, &uri) <= 0) {
        virReportError(VIR_ERR_INVALID_ARG, "%s", _("migration URI is missing"));
        return -1;
    }
    if (!(vm = qemuMigrationDomObj(driver, uuid)))
        return -1;
    if (flags & VIR_MIGRATE_POSTCOPY_RESUME) {
        ret = qemuMigrationSrcPerformResume(driver, vm, uri, cookieout,
                                            cookieoutlen, conn);
        goto cleanup;
    }
    if (!qemuMigrationJobIsActive(vm, VIR_ASYNC_JOB_MIGRATION_OUT) ||
        qemuMigrationJobStartPhase(driver, vm, QEMU_MIGRATION_PHASE_PERFORM3,
                                   conn->clientID) < 0)
        goto cleanup;
    if (!(cookie = qemuMigrationCookieParse(cookiein, cookieinlen, driver->hostUUID,
                                            vm->def->name, vm->def->uuid,
                                            QEMU_MIGRATION_COOKIE_CAPS |
                                            QEMU_MIGRATION_COOKIE_NBD)) ||
        qemuMigrationSrcRun(driver, vm, uri, params, nparams, flags, cookie) < 0 ||
        qemuMigrationJobSetPhase(driver, vm, QEMU_MIGRATION_PHASE_PERFORM3_DONE) < 0 ||
        qemuMigrationSrcPerformCookie(driver, vm, flags, params, nparams,
                                      cookieout, cookieoutlen) < 0) {
        /* the guest keeps running here; Confirm(cancelled) ends the job */
        g_autoptr(virError) err = virSaveLastError();

        qemuMigrationSrcCancel(vm);
        virSetError(err);
        goto continuejob;
    }
    ret = 0;
 continuejob:
    qemuMigrationJobContinue(driver, vm, qemuMigrationSrcCleanup);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

/* libvirt's JOB_COMPLETED event: the statistics as a{sv}. */
static GVariant *
qemuMigrationJobCompletedParams(const qemuDomainJobData *data)
{
    g_autoptr(virTypedParamList) list = virTypedParamListNew();
    GVariantDict dict;
    size_t i;

    g_variant_dict_init(&dict, NULL);
    if (data && qemuDomainJobDataToParams(data, list) == 0) {
        for (i = 0; i < list->npar; i++) {
            const virTypedParameter *p = &list->par[i];

            switch ((virTypedParameterType)p->type) {
            case VIR_TYPED_PARAM_INT:
                g_variant_dict_insert(&dict, p->field, "i", p->value.i);
                break;
            case VIR_TYPED_PARAM_UINT:
                g_variant_dict_insert(&dict, p->field, "u", p->value.ui);
                break;
            case VIR_TYPED_PARAM_LLONG:
                g_variant_dict_insert(&dict, p->field, "x", (gint64)p->value.l);
                break;
            case VIR_TYPED_PARAM_ULLONG:
                g_variant_dict_insert(&dict, p->field, "t", (guint64)p->value.ul);
                break;
            case VIR_TYPED_PARAM_DOUBLE:
                g_variant_dict_insert(&dict, p->field, "d", p->value.d);
                break;
            case VIR_TYPED_PARAM_BOOLEAN:
                g_variant_dict_insert(&dict, p->field, "b", (gboolean)p->value.b);
                break;
            case VIR_TYPED_PARAM_STRING:
                g_variant_dict_insert(&dict, p->field, "s", p->value.s);
                break;
            case VIR_TYPED_PARAM_LAST:
                break;
            }
        }
    }
    return g_variant_dict_end(&dict);
}

/* The completed job's final statistics from the source QEMU.  QEMU
 * 7.2 announces "completed" before it has computed total-time and
 * downtime, so a query right after the event may miss them: ask again a
 * few times (bounded) until they are there.  After post-copy this is
 * also what replaces the figures taken at the switch-over. */
static void
qemuMigrationSrcFinalStats(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    int tries;

    for (tries = 0; tries < 20; tries++) {
        if (qemuMigrationUpdateJobStats(vm) < 0 || !priv->job.current)
            return;
        if (priv->job.current->stats.totalTimeSet &&
            priv->job.current->stats.status == QEMU_MONITOR_MIGRATION_STATUS_COMPLETED)
            return;
        virDomainObjUnlock(vm);
        g_usleep(5 * 1000);
        virDomainObjLock(vm);
    }
}

/* The guest runs on the destination: stop it here. */
void
qemuMigrationSrcConfirmSuccess(qemuDriver *driver, virDomainObj *vm,
                               unsigned int flags, qemuMigrationCookie *cookie)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_autoptr(qemuDomainJobData) completed = NULL;
    bool undefine = (flags & VIR_MIGRATE_UNDEFINE_SOURCE) && vm->persistent;

    qemuMigrationSrcFinalStats(vm);
    if (priv->job.current) {
        priv->job.current->status = QEMU_DOMAIN_JOB_STATUS_COMPLETED;
        if (cookie && cookie->jobData && cookie->jobData->stats.postcopyBlocktimeSet) {
            priv->job.current->stats.postcopyBlocktimeSet = true;
            priv->job.current->stats.postcopyBlocktime =
                cookie->jobData->stats.postcopyBlocktime;
        }
        if (cookie && cookie->jobData && cookie->jobData->received &&
            priv->job.current->sent) {
            priv->job.current->timeDeltaSet = true;
            priv->job.current->timeDelta = (long long)cookie->jobData->received -
                                           (long long)priv->job.current->sent;
        }
    }
    qemuMigrationSrcStopMigrated(driver, vm);
    qemuMigrationJobFinish(driver, vm);
    completed = qemuDomainJobDataCopy(priv->job.completed);
    if (undefine) {
        if (qemuDomainDeleteConfig(driver, vm->def->name) == 0)
            vm->persistent = false;
    }
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(driver, vm, VIR_DOMAIN_EVENT_STOPPED,
                            VIR_DOMAIN_EVENT_STOPPED_MIGRATED);
    qemuDriverEmitEvent(driver, vm, VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, 0, 0,
                        qemuMigrationJobCompletedParams(completed));
    if (undefine && !vm->persistent)
        qemuDriverEmitLifecycle(driver, vm, VIR_DOMAIN_EVENT_UNDEFINED,
                                VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
    virDomainObjLock(vm);
    if (!vm->persistent)
        virDomainObjListRemove(driver->domains, vm);
}

int
qemuDomainMigrateConfirm3Params(qemuDriver *driver, const unsigned char *uuid,
                                const virTypedParameter *params, size_t nparams,
                                const char *cookiein, size_t cookieinlen,
                                unsigned int flags, int cancelled,
                                const qemuMigrationConn *conn)
{
    g_autoptr(qemuMigrationCookie) cookie = NULL;
    qemuMigrationJobPhase phase;
    bool failedPostcopy;
    virDomainObj *vm;

    if (qemuMigrationParamsCheck(params, nparams, flags) < 0)
        return -1;
    if (!(vm = qemuMigrationDomObj(driver, uuid)))
        return -1;
    if (flags & VIR_MIGRATE_OFFLINE)
        return qemuMigrationSrcConfirmOffline(driver, &vm, flags, cancelled);
    if (flags & VIR_MIGRATE_POSTCOPY_RESUME) {
        int rc = qemuMigrationSrcConfirmResume(driver, vm, cancelled, conn);

        virDomainObjEndAPI(&vm);
        return rc;
    }
    if (!qemuMigrationJobIsActive(vm, VIR_ASYNC_JOB_MIGRATION_OUT)) {
        virDomainObjEndAPI(&vm);
        return -1;
    }
    /* after the switch to post-copy nothing can be undone here: a
     * failed post-copy keeps its phase (libvirt does the same) */
    failedPostcopy = qemuMigrationStateIsFailedPostcopy(vm) ||
                     (cancelled && qemuMigrationStateInPostcopy(vm));
    if (failedPostcopy)
        phase = QEMU_MIGRATION_PHASE_POSTCOPY_FAILED;
    else
        phase = cancelled ? QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED
                          : QEMU_MIGRATION_PHASE_CONFIRM3;
    if (qemuMigrationJobStartPhase(driver, vm, phase, conn->clientID) < 0) {
        virDomainObjEndAPI(&vm);
        return -1;
    }
    if (!failedPostcopy && !cancelled &&
        qemuMigrationStateGet(vm) != QEMU_MONITOR_MIGRATION_STATUS_COMPLETED &&
        qemuMigrationWaitForCompletion(driver, vm, NULL, false) < 0) {
        /* post-copy broke: the guest runs (or waits) on the destination
         * and this side holds the pages it lacks: keep both */
        qemuMigrationStatePostcopyFailed(driver, vm);
        qemuMigrationJobContinue(driver, vm, NULL);
        virDomainObjEndAPI(&vm);
        return -1;
    }
    if (failedPostcopy) {
        /* the client learnt of the failure from Finish; the job stays
         * for --postcopy-resume */
        qemuMigrationStatePostcopyFailed(driver, vm);
        qemuMigrationJobContinue(driver, vm, NULL);
    } else if (!cancelled) {
        /* statistics are a bonus: a bad cookie does not undo a migration */
        cookie = qemuMigrationCookieParse(cookiein, cookieinlen, driver->hostUUID,
                                          vm->def->name, vm->def->uuid,
                                          QEMU_MIGRATION_COOKIE_STATS);
        if (!cookie)
            VIR_WARN("ignoring the finish cookie: %s", virGetLastErrorMessage());
        qemuMigrationSrcConfirmSuccess(driver, vm, flags, cookie);
    } else {
        qemuMigrationSrcCancel(vm);
        qemuMigrationSrcRestoreState(driver, vm);
        if (QEMU_DOMAIN_PRIVATE(vm)->job.current)
            QEMU_DOMAIN_PRIVATE(vm)->job.current->status = QEMU_DOMAIN_JOB_STATUS_FAILED;
        qemuMigrationJobFinish(driver, vm);
    }
    virDomainObjEndAPI(&vm);
    return 0;
}
