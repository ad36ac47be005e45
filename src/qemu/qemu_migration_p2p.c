/*
 * qemu_migration_p2p.c: peer-to-peer migration (VIR_MIGRATE_PEER2PEER)
 *
 * The client makes one call on the source (Perform3Params with the
 * destination's URI); the source daemon opens its own connection to
 * the destination daemon and runs libvirt's v3 sequence itself, one
 * thread driving the migration-out job from start to end
 * (libvirt's qemuMigrationSrcPerformPeer2Peer3):
 *
 *   Begin (local)       begin3          XML + cookie
 *   Prepare3 (remote)                   the destination starts QEMU
 *   Perform (local)     perform3        QEMU streams; the connection to
 *                                       the destination is watched
 *   Finish3 (remote)    perform3_done   cancelled=1 if Perform failed
 *   Confirm (local)     confirm3 / confirm3_cancelled
 *
 * The connection itself is the daemon's (qemuMigrationPeerOps), so this
 * file does not depend on the RPC layer.  Remote calls are made without
 * the domain lock; the job keeps everything else out meanwhile.
 */
#include "qemu_migration_priv.h"
#include "virdrvfeature.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_migration_p2p");

/* Flags not supported together with VIR_MIGRATE_PEER2PEER yet. */
#define QEMU_MIGRATION_P2P_UNSUPPORTED VIR_MIGRATE_OFFLINE

/* Everything one P2P migration carries from step to step. */
typedef struct {
    qemuDriver *driver;
    virDomainObj *vm;
    const qemuMigrationPeerOps *ops;
    qemuMigrationPeer *peer;
    virTypedParamList *dparams;     /* what the destination gets */
    unsigned int flags;
    char *cookie;                   /* the last cookie received */
    size_t cookielen;
    char *uri;                      /* where QEMU streams to */
} qemuMigrationP2P;

static void
qemuMigrationP2PClear(qemuMigrationP2P *p2p)
{
    if (p2p->peer) {
        p2p->ops->watch(p2p->peer, NULL, NULL);
        p2p->ops->close(p2p->peer);
    }
    g_clear_pointer(&p2p->dparams, virTypedParamListFree);
    g_clear_pointer(&p2p->cookie, g_free);
    g_clear_pointer(&p2p->uri, g_free);
}

/* Connection watch: runs on the connection's thread, no lock held. */
static void
qemuMigrationP2PLost(void *opaque)
{
    virDomainObj *vm = opaque;

    virDomainObjLock(vm);
    qemuMigrationStatePeerLost(vm);
    virDomainObjUnlock(vm);
}

/* The parameters for the destination: the client's, plus the domain
 * XML Begin produced and the name the domain will have there (libvirt
 * sends them as destination_xml and destination_name: Finish finds the
 * domain by that name even when the cookie is empty). */
static virTypedParamList *
qemuMigrationP2PDestParams(virDomainObj *vm, const virTypedParameter *params,
                           size_t nparams, const char *xml)
{
    g_autoptr(virTypedParamList) list = virTypedParamListNew();
    const char *dname = NULL;
    size_t i;

    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_NAME,
                                &dname) <= 0 || !dname || !*dname)
        dname = vm->def->name;
    for (i = 0; i < nparams; i++) {
        if (g_str_equal(params[i].field, VIR_MIGRATE_PARAM_DEST_XML) ||
            g_str_equal(params[i].field, VIR_MIGRATE_PARAM_DEST_NAME))
            continue;
        if (virTypedParamListAddCopy(list, &params[i]) < 0)
            return NULL;
    }
    if (virTypedParamListAddString(list, VIR_MIGRATE_PARAM_DEST_XML, xml) < 0 ||
        virTypedParamListAddString(list, VIR_MIGRATE_PARAM_DEST_NAME, dname) < 0)
        return NULL;
    return g_steal_pointer(&list);
}

/* Opens the connection and checks the destination speaks v3 with
 * parameters (as libvirt checks before anything starts). */
static int
qemuMigrationP2PConnect(qemuMigrationP2P *p2p, const char *dconnuri)
{
    bool v3 = false;
    bool params = false;

    if (!(p2p->peer = p2p->ops->open(dconnuri, p2p->driver->peerOpaque)))
        return -1;
    if (p2p->ops->supportsFeature(p2p->peer, VIR_DRV_FEATURE_MIGRATION_V3, &v3) < 0 ||
        p2p->ops->supportsFeature(p2p->peer, VIR_DRV_FEATURE_MIGRATION_PARAMS,
                                  &params) < 0)
        return -1;
    if (!v3 || !params) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("Destination libvirt does not support migration protocol 3 with parameters"));
        return -1;
    }
    return 0;
}

/* Begin, locally: the job starts here (the guest is untouched). */
static int
qemuMigrationP2PBegin(qemuMigrationP2P *p2p, const virTypedParameter *params,
                      size_t nparams, const qemuMigrationConn *conn)
{
    g_autofree char *xml = NULL;

    if (qemuMigrationJobStart(p2p->driver, p2p->vm, VIR_ASYNC_JOB_MIGRATION_OUT,
                              p2p->flags, conn->clientID) < 0)
        return -1;
    if (qemuMigrationJobSetPhase(p2p->driver, p2p->vm, QEMU_MIGRATION_PHASE_BEGIN3) < 0 ||
        !(xml = qemuMigrationSrcBeginXML(p2p->vm, params, nparams)) ||
        qemuMigrationSrcBeginCookie(p2p->driver, p2p->vm, params, nparams,
                                    p2p->flags, &p2p->cookie, &p2p->cookielen) < 0 ||
        !(p2p->dparams = qemuMigrationP2PDestParams(p2p->vm, params, nparams, xml)))
        return -1;
    return 0;
}

/* Connect and Prepare3 on the destination (domain unlocked). */
static int
qemuMigrationP2PPrepare(qemuMigrationP2P *p2p, const char *dconnuri)
{
    g_autofree char *cookieout = NULL;
    size_t cookieoutlen = 0;
    int rc;

    virDomainObjUnlock(p2p->vm);
    rc = qemuMigrationP2PConnect(p2p, dconnuri);
    if (rc == 0)
        rc = p2p->ops->prepare3(p2p->peer, p2p->dparams->par, p2p->dparams->npar,
                                p2p->cookie, p2p->cookielen,
                                &cookieout, &cookieoutlen, &p2p->uri, p2p->flags);
    virDomainObjLock(p2p->vm);
    if (rc < 0)
        return -1;
    if (!p2p->uri) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("domainMigratePrepare3 did not set uri"));
        return -1;
    }
    g_free(p2p->cookie);
    p2p->cookie = g_steal_pointer(&cookieout);
    p2p->cookielen = cookieoutlen;
    /* from here on a broken connection stops the migration */
    qemuMigrationStatePeerWatch(p2p->vm);
    p2p->ops->watch(p2p->peer, qemuMigrationP2PLost, p2p->vm);
    return 0;
}

/* Perform, locally; on failure QEMU's migration is cancelled (nothing
 * to cancel once in post-copy). */
static int
qemuMigrationP2PPerform(qemuMigrationP2P *p2p, const virTypedParameter *params,
                        size_t nparams)
{
    g_autoptr(qemuMigrationCookie) cookie = NULL;
    g_autofree char *cookieout = NULL;
    size_t cookieoutlen = 0;

    if (qemuMigrationJobSetPhase(p2p->driver, p2p->vm, QEMU_MIGRATION_PHASE_PERFORM3) < 0 ||
        !(cookie = qemuMigrationCookieParse(p2p->cookie, p2p->cookielen,
                                            p2p->driver->hostUUID, p2p->vm->def->name,
                                            p2p->vm->def->uuid, QEMU_MIGRATION_COOKIE_CAPS |
                                            QEMU_MIGRATION_COOKIE_NBD)) ||
        qemuMigrationSrcRun(p2p->driver, p2p->vm, p2p->uri, params, nparams,
                            p2p->flags, cookie) < 0 ||
        qemuMigrationJobSetPhase(p2p->driver, p2p->vm,
                                 QEMU_MIGRATION_PHASE_PERFORM3_DONE) < 0 ||
        qemuMigrationSrcPerformCookie(p2p->driver, p2p->vm, p2p->flags, params,
                                      nparams, &cookieout, &cookieoutlen) < 0) {
        g_autoptr(virError) err = virSaveLastError();

        qemuMigrationSrcCancel(p2p->vm);
        virSetError(err);
        return -1;
    }
    g_free(p2p->cookie);
    p2p->cookie = g_steal_pointer(&cookieout);
    p2p->cookielen = cookieoutlen;
    return 0;
}

/* Finish3 on the destination (domain unlocked); always called once
 * Prepare succeeded, with @cancelled when Perform failed, so that the
 * destination cleans up. */
static int
qemuMigrationP2PFinish(qemuMigrationP2P *p2p, bool cancelled)
{
    g_autofree char *cookieout = NULL;
    size_t cookieoutlen = 0;
    int rc;

    virDomainObjUnlock(p2p->vm);
    rc = p2p->ops->finish3(p2p->peer, p2p->dparams->par, p2p->dparams->npar,
                           cancelled ? NULL : p2p->cookie,
                           cancelled ? 0 : p2p->cookielen,
                           &cookieout, &cookieoutlen, p2p->flags, cancelled);
    virDomainObjLock(p2p->vm);
    g_free(p2p->cookie);
    p2p->cookie = g_steal_pointer(&cookieout);
    p2p->cookielen = cookieoutlen;
    return rc;
}

/* Confirm, locally.  Returns 0 only if the guest runs on the
 * destination and this side was stopped. */
static int
qemuMigrationP2PConfirm(qemuMigrationP2P *p2p, bool success)
{
    qemuDriver *driver = p2p->driver;
    virDomainObj *vm = p2p->vm;
    g_autoptr(qemuMigrationCookie) cookie = NULL;

    if (success && qemuMigrationJobSetPhase(driver, vm, QEMU_MIGRATION_PHASE_CONFIRM3) == 0 &&
        (qemuMigrationStateGet(vm) == QEMU_MONITOR_MIGRATION_STATUS_COMPLETED ||
         qemuMigrationWaitForCompletion(driver, vm, NULL, false) == 0)) {
        cookie = qemuMigrationCookieParse(p2p->cookie, p2p->cookielen, driver->hostUUID,
                                          vm->def->name, vm->def->uuid,
                                          QEMU_MIGRATION_COOKIE_STATS);
        if (!cookie)
            VIR_WARN("ignoring the finish cookie: %s", virGetLastErrorMessage());
        qemuMigrationSrcConfirmSuccess(driver, vm, p2p->flags, cookie);
        return 0;
    }
    if (qemuMigrationStateInPostcopy(vm)) {
        /* the guest may already run on the destination: keep both sides
         * for --postcopy-resume */
        qemuMigrationStatePostcopyFailed(driver, vm);
        qemuMigrationJobContinue(driver, vm, NULL);
        return -1;
    }
    ignore_value(qemuMigrationJobSetPhase(driver, vm,
                                          QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED));
    qemuMigrationSrcRestoreState(driver, vm);
    if (QEMU_DOMAIN_PRIVATE(vm)->job.current)
        QEMU_DOMAIN_PRIVATE(vm)->job.current->status = QEMU_DOMAIN_JOB_STATUS_FAILED;
    qemuMigrationJobFinish(driver, vm);
    return -1;
}

/* Refuses what P2P cannot do yet, before anything starts. */
static int
qemuMigrationP2PCheck(qemuDriver *driver, virDomainObj *vm, const char *dconnuri,
                      const virTypedParameter *params, size_t nparams,
                      unsigned int flags)
{
    if (!driver->peerOps) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("peer-to-peer migration is not available in this daemon"));
        return -1;
    }
    if (!dconnuri || !*dconnuri) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("peer-to-peer migration needs the destination's URI"));
        return -1;
    }
    if (flags & QEMU_MIGRATION_P2P_UNSUPPORTED) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("offline peer-to-peer migration is not supported by virtmig yet"));
        return -1;
    }
    if (qemuMigrationTLSCheck(driver, flags, false) < 0)
        return -1;
    if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
        return -1;
    }
    return qemuMigrationSrcIsSafe(vm->def, params, nparams, flags);
}

/* Post-copy recovery (VIR_MIGRATE_POSTCOPY_RESUME) driven from here:
 * the resume phases of qemu_migration_resume.c with the destination's
 * steps in between.  Any failure goes back to postcopy_failed, with
 * nothing resumed or destroyed. */
static int
qemuMigrationP2PResume(qemuMigrationP2P *p2p, const char *dconnuri,
                       const virTypedParameter *params, size_t nparams,
                       const qemuMigrationConn *conn)
{
    g_autoptr(virError) err = NULL;
    g_autofree char *xml = NULL;
    int perform;
    int finish;
    int ret;

    if (!(xml = qemuMigrationSrcBeginResume(p2p->driver, p2p->vm, p2p->flags,
                                            &p2p->cookie, &p2p->cookielen, conn)))
        return -1;
    if (!(p2p->dparams = qemuMigrationP2PDestParams(p2p->vm, params, nparams, xml)) ||
        qemuMigrationP2PPrepare(p2p, dconnuri) < 0) {
        err = virSaveLastError();
        ignore_value(qemuMigrationSrcConfirmResume(p2p->driver, p2p->vm, 1, conn));
        virSetError(err);
        return -1;
    }
    g_clear_pointer(&p2p->cookie, g_free);
    perform = qemuMigrationSrcPerformResume(p2p->driver, p2p->vm, p2p->uri,
                                            &p2p->cookie, &p2p->cookielen, conn);
    if (perform < 0)
        err = virSaveLastError();
    finish = qemuMigrationP2PFinish(p2p, perform < 0);
    if (finish < 0 && !err)
        err = virSaveLastError();
    ret = qemuMigrationSrcConfirmResume(p2p->driver, p2p->vm,
                                        perform < 0 || finish < 0, conn);
    if (err) {
        virSetError(err);
        return -1;
    }
    return ret;
}

int
qemuMigrationSrcPerformP2P(qemuDriver *driver, virDomainObj *vm,
                           const char *dconnuri,
                           const virTypedParameter *params, size_t nparams,
                           unsigned int flags, const qemuMigrationConn *conn)
{
    qemuMigrationP2P p2p = { driver, vm, driver->peerOps, NULL, NULL, flags,
                             NULL, 0, NULL };
    g_autoptr(virError) err = NULL;
    int perform;
    int finish;
    int ret;

    if (qemuMigrationP2PCheck(driver, vm, dconnuri, params, nparams, flags) < 0)
        return -1;
    VIR_INFO("domain %s: peer-to-peer migration to %s", vm->def->name, dconnuri);
    if (flags & VIR_MIGRATE_POSTCOPY_RESUME) {
        ret = qemuMigrationP2PResume(&p2p, dconnuri, params, nparams, conn);
        if (ret < 0)
            err = virSaveLastError();
        goto cleanup;
    }
    if (qemuMigrationP2PBegin(&p2p, params, nparams, conn) < 0 ||
        qemuMigrationP2PPrepare(&p2p, dconnuri) < 0) {
        /* nothing started: the guest was never touched */
        err = virSaveLastError();
        if (QEMU_DOMAIN_PRIVATE(vm)->job.asyncJob == VIR_ASYNC_JOB_MIGRATION_OUT)
            qemuMigrationJobFinish(driver, vm);
        ret = -1;
        goto cleanup;
    }
    perform = qemuMigrationP2PPerform(&p2p, params, nparams);
    if (perform < 0)
        err = virSaveLastError();
    finish = qemuMigrationP2PFinish(&p2p, perform < 0);
    if (finish < 0 && !err)
        err = virSaveLastError();
    ret = qemuMigrationP2PConfirm(&p2p, perform == 0 && finish == 0);
    if (ret < 0 && !err)
        err = virSaveLastError();

 cleanup:
    /* the connection's thread may call back into @vm: close unlocked */
    virDomainObjUnlock(vm);
    qemuMigrationP2PClear(&p2p);
    virDomainObjLock(vm);
    if (err)
        virSetError(err);
    return ret;
}
