/*
 * qemu_migration_dst.c: the destination side of a migration: Prepare
 * and Finish of libvirt's protocol v3
 *
 * Destination phases: prepare -> finish3.  Until Finish resumes it, the
 * incoming guest is paused; on any failure it is killed and nothing is
 * left behind.
 */
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "qemu_migration_priv.h"
#include "qemu_migration_storage.h"
#include "qemu_monitor_json.h"
#include "qemu_process.h"
#include "domain_conf.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_migration_dst");

/* Is @port free on @host?  (QEMU binds it a moment later; a lost race
 * shows up as a migrate-incoming error and the next port is tried.) */
static bool
qemuMigrationPortIsFree(const char *host, unsigned int port)
{
    struct sockaddr_storage ss = { 0 };
    socklen_t len;
    int fd, one = 1;
    bool ok;

    if (strchr(host, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
            return true;   /* a name: let QEMU resolve and bind */
        len = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
            return true;
        len = sizeof(*s4);
    }
    if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return true;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    ok = bind(fd, (struct sockaddr *)&ss, len) == 0;
    close(fd);
    return ok;
}

/* Where QEMU listens: the client's URI host, LISTEN_ADDRESS, the
 * configured migration address, or the address the client reached us
 * at, in that order. */
int
qemuMigrationDstHost(qemuDriver *driver, const virTypedParameter *params,
                     size_t nparams, const qemuMigrationConn *conn,
                     char **host, unsigned int *port)
{
    const char *uri = NULL;
    const char *listen = NULL;

    *port = 0;
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_URI, &uri) > 0)
        return qemuMigrationParseURI(uri, host, port);
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_LISTEN_ADDRESS,
                                &listen) > 0)
        *host = g_strdup(listen);
    else if (driver->migrationAddress)
        *host = g_strdup(driver->migrationAddress);
    else if (conn->localAddr)
        *host = g_strdup(conn->localAddr);
    else
        *host = g_strdup(g_get_host_name());
    return 0;
}

/* With both a migration URI and LISTEN_ADDRESS, QEMU listens on the
 * latter while the source connects to the URI's host (libvirt's
 * qemuMigrationDstPrepareDirect); NULL: it listens on the URI's host. */
static const char *
qemuMigrationDstListenOverride(const virTypedParameter *params, size_t nparams)
{
    const char *uri = NULL;
    const char *listen = NULL;

    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_URI, &uri) <= 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_LISTEN_ADDRESS,
                                &listen) <= 0 || !listen || !*listen)
        return NULL;
    return listen;
}

int
qemuMigrationDstListen(qemuDriver *driver, virDomainObj *vm,
                       const virTypedParameter *params, size_t nparams,
                       const char *host, unsigned int port, bool recover,
                       char **uriout)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    const char *listen = qemuMigrationDstListenOverride(params, nparams);
    unsigned int p = port ? port : driver->migrationPortMin;
    unsigned int last = port ? port : driver->migrationPortMax;

    if (!listen)
        listen = host;
    for (; p <= last; p++) {
        g_autofree char *uri = NULL;
        g_autofree char *listenuri = NULL;
        qemuMonitor *mon;
        int rc;

        if (!port && !qemuMigrationPortIsFree(listen, p))
            continue;
        uri = qemuMigrationFormatURI(host, p);
        listenuri = qemuMigrationFormatURI(listen, p);
        mon = qemuDomainObjEnterMonitor(vm);
        if (!mon)
            rc = -1;
        else if (recover)
            rc = qemuMonitorJSONMigrateRecover(mon, listenuri);
        else
            rc = qemuMonitorJSONMigrateIncoming(mon, listenuri);
        qemuDomainObjExitMonitor(vm, mon);
        if (rc == 0) {
            if (listen != host)
                VIR_INFO("domain %s: listening on %s for %s", vm->def->name,
                         listenuri, uri);
            *uriout = g_steal_pointer(&uri);
            return 0;
        }
        if (port || !priv->mon)
            return -1;
        VIR_DEBUG("port %u: %s, trying the next one", p, virGetLastErrorMessage());
    }
    virReportError(VIR_ERR_INTERNAL_ERROR,
                   _("Unable to find an unused port in range 'migration' (%1$u-%2$u)"),
                   driver->migrationPortMin, driver->migrationPortMax);
    return -1;
}

/* The incoming definition from DEST_XML, renamed by DEST_NAME. */
static virDomainDef *
qemuMigrationDstDef(qemuDriver *driver,
                    const virTypedParameter *params, size_t nparams,
                    const qemuMigrationCookie *cookie)
{
    const char *xml = NULL;
    const char *dname = NULL;
    virDomainDef *def;

    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_XML, &xml) <= 0) {
        virReportError(VIR_ERR_INVALID_ARG, "%s", _("no domain XML passed"));
        return NULL;
    }
    if (!(def = qemuDomainDefParseString(driver, xml, VIR_DOMAIN_DEF_PARSE_INACTIVE)))
        return NULL;
    if (memcmp(def->uuid, cookie->uuid, VIR_UUID_BUFLEN) != 0) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("the domain XML and the migration cookie describe different domains"));
        virDomainDefFree(def);
        return NULL;
    }
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_NAME,
                                &dname) > 0 && dname && *dname) {
        g_free(def->name);
        def->name = g_strdup(dname);
    }
    return def;
}

/* Adds the incoming domain to the list (a persistent one with the same
 * identity keeps its definition for later).  Locked + referenced. */
static virDomainObj *
qemuMigrationDstAddDomain(qemuDriver *driver, virDomainDef **def)
{
    virDomainDef *oldDef = NULL;
    virDomainObj *vm;

    if (!(vm = virDomainObjListAdd(driver->domains, def,
                                   VIR_DOMAIN_OBJ_LIST_ADD_LIVE |
                                   VIR_DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, &oldDef)))
        return NULL;
    if (!vm->privateData)
        qemuDomainObjInitPrivate(driver, vm);
    if (oldDef && vm->persistent)
        vm->newDef = oldDef;
    else
        virDomainDefFree(oldDef);
    return vm;
}

/* Cookies going back to the source carry the name the source knows
 * the domain by (the client may have renamed it with DEST_NAME). */
static int
qemuMigrationDstPrepareCookie(qemuDriver *driver, virDomainObj *vm,
                              const char *origname, unsigned int nbdPort,
                              char **cookieout, size_t *cookieoutlen)
{
    g_autoptr(qemuMigrationCookie) cookie =
        qemuMigrationCookieNew(origname, vm->def->uuid, g_get_host_name(),
                               driver->hostUUID);

    /* the port of our NBD server for a storage copy */
    if (nbdPort) {
        cookie->nbdPort = nbdPort;
        cookie->flags |= QEMU_MIGRATION_COOKIE_NBD;
    }
    return qemuMigrationCookieFormat(cookie, QEMU_MIGRATION_COOKIE_NBD,
                                     cookieout, cookieoutlen);
}

/* The NBD server's port: disks_port, else a free one of the migration
 * range other than the migration's own (@migPort). */
static int
qemuMigrationDstNBDPort(qemuDriver *driver, const virTypedParameter *params,
                        size_t nparams, const char *host, unsigned int migPort,
                        unsigned int *port)
{
    int val = 0;
    unsigned int p;

    if (virTypedParamsGetInt(params, nparams, VIR_MIGRATE_PARAM_DISKS_PORT, &val) > 0 &&
        val != 0) {
        if (val < 0 || val > 65535) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("invalid port number %1$d"), val);
            return -1;
        }
        *port = val;
        return 0;
    }
    for (p = driver->migrationPortMin; p <= driver->migrationPortMax; p++) {
        if (p != migPort && qemuMigrationPortIsFree(host, p)) {
            *port = p;
            return 0;
        }
    }
    virReportError(VIR_ERR_INTERNAL_ERROR,
                   _("Unable to find an unused port in range 'migration' (%1$u-%2$u)"),
                   driver->migrationPortMin, driver->migrationPortMax);
    return -1;
}

/* A storage copy: the NBD server where the source will write. */
static int
qemuMigrationDstStorageServer(qemuDriver *driver, virDomainObj *vm,
                              const virTypedParameter *params, size_t nparams,
                              const qemuMigrationCookie *cookie, const char *uri,
                              unsigned int *nbdPort)
{
    g_autofree char *host = NULL;
    const char *disksURI = NULL;
    unsigned int migPort = 0;
    unsigned int port = 0;

    *nbdPort = 0;
    if (cookie->nbdNDisks == 0)
        return 0;
    /* disks_uri: where the NBD server listens; else the migration's host */
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DISKS_URI,
                                &disksURI) > 0) {
        if (qemuMigrationParseURI(disksURI, &host, &port) < 0 ||
            (port == 0 &&
             qemuMigrationDstNBDPort(driver, params, nparams, host, 0, &port) < 0))
            return -1;
    } else if (qemuMigrationParseURI(uri, &host, &migPort) < 0 ||
               qemuMigrationDstNBDPort(driver, params, nparams, host, migPort,
                                       &port) < 0) {
        return -1;
    }
    return qemuMigrationStorageStartServer(vm, cookie, host, port, nbdPort);
}

/* Prepare's work once the job is held: QEMU, capabilities, listening. */
static int
qemuMigrationDstRun(qemuDriver *driver, virDomainObj *vm,
                    const virTypedParameter *params, size_t nparams,
                    unsigned int flags, const qemuMigrationConn *conn,
                    const qemuMigrationCookie *cookie,
                    char **uriout, unsigned int *nbdPort)
{
    g_autoptr(qemuMigrationParams) mig = NULL;
    g_autofree char *host = NULL;
    unsigned int port = 0;

    if (qemuMigrationDstHost(driver, params, nparams, conn, &host, &port) < 0 ||
        !(mig = qemuMigrationParamsForIncoming(params, nparams, flags,
                                               driver->postcopyPreempt)) ||
        qemuMigrationStoragePrepareImages(vm, cookie, flags) < 0)
        return -1;
    if (qemuProcessStart(driver, vm, QEMU_PROCESS_START_INCOMING) < 0)
        return -1;
    qemuMigrationStateReset(vm);
    if (qemuMigrationTLSSetup(vm, flags, true, NULL, mig) < 0 ||
        qemuMigrationApplyParams(vm, mig) < 0 ||
        qemuMigrationDstListen(driver, vm, params, nparams, host, port, false,
                               uriout) < 0 ||
        (qemuMigrationStorageRequested(flags) &&
         qemuMigrationDstStorageServer(driver, vm, params, nparams, cookie,
                                       *uriout, nbdPort) < 0))
        return -1;
    VIR_INFO("domain %s: waiting for incoming migration on %s",
             vm->def->name, *uriout);
    return 0;
}

int
qemuDomainMigratePrepare3Params(qemuDriver *driver,
                                const virTypedParameter *params, size_t nparams,
                                const char *cookiein, size_t cookieinlen,
                                char **cookieout, size_t *cookieoutlen,
                                char **uriout, unsigned int flags,
                                const qemuMigrationConn *conn)
{
    g_autoptr(qemuMigrationCookie) cookie = NULL;
    g_autoptr(virDomainDef) def = NULL;
    unsigned int nbdPort = 0;
    virDomainObj *vm;
    int ret = -1;

    if (qemuMigrationParamsCheck(params, nparams, flags) < 0 ||
        qemuMigrationTLSCheck(driver, flags, true) < 0)
        return -1;
    if (flags & VIR_MIGRATE_POSTCOPY_RESUME)
        return qemuMigrationDstPrepareResume(driver, flags, params, nparams, cookiein,
                                             cookieinlen, cookieout, cookieoutlen,
                                             uriout, conn);
    if (!(cookie = qemuMigrationCookieParse(cookiein, cookieinlen, driver->hostUUID,
                                            NULL, NULL, QEMU_MIGRATION_COOKIE_CAPS |
                                            QEMU_MIGRATION_COOKIE_LOCKSTATE |
                                            QEMU_MIGRATION_COOKIE_NBD)))
        return -1;
    if (flags & VIR_MIGRATE_OFFLINE) {
        g_autofree char *host = NULL;
        unsigned int port = 0;

        /* nothing will listen, but the client insists on a URI */
        if (qemuMigrationDstHost(driver, params, nparams, conn, &host, &port) < 0 ||
            qemuMigrationDstPrepareOffline(driver, params, nparams, cookie,
                                           cookieout, cookieoutlen) < 0)
            return -1;
        *uriout = g_strdup_printf("tcp:%s", host);
        return 0;
    }
    if (!(def = qemuMigrationDstDef(driver, params, nparams, cookie)) ||
        !(vm = qemuMigrationDstAddDomain(driver, &def)))
        return -1;
    if (qemuMigrationJobStart(driver, vm, VIR_ASYNC_JOB_MIGRATION_IN, flags,
                              conn->clientID) < 0)
        goto cleanup;
    if (qemuMigrationJobSetPhase(driver, vm, QEMU_MIGRATION_PHASE_PREPARE) < 0 ||
        qemuMigrationDstRun(driver, vm, params, nparams, flags, conn, cookie,
                            uriout, &nbdPort) < 0 ||
        qemuMigrationDstPrepareCookie(driver, vm, cookie->name, nbdPort, cookieout,
                                      cookieoutlen) < 0) {
        g_autoptr(virError) err = virSaveLastError();

        g_clear_pointer(uriout, g_free);
        qemuMigrationDstCleanup(driver, vm);
        qemuMigrationJobFinish(driver, vm);
        virSetError(err);
        goto cleanup;
    }
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(driver, vm, VIR_DOMAIN_EVENT_STARTED,
                            VIR_DOMAIN_EVENT_STARTED_MIGRATED);
    virDomainObjLock(vm);
    qemuMigrationJobContinue(driver, vm, qemuMigrationDstAbandoned);
    ret = 0;
 cleanup:
    if (ret < 0 && !vm->persistent && !virDomainObjIsActive(vm))
        virDomainObjListRemove(driver->domains, vm);
    virDomainObjEndAPI(&vm);
    return ret;
}

/* Waits for QEMU to finish receiving (postcopy: to be in postcopy). */
static int
qemuMigrationDstWait(virDomainObj *vm, bool *postcopy)
{
    gint64 deadline = g_get_monotonic_time() +
                      QEMU_MIGRATION_FINISH_TIMEOUT_S * G_USEC_PER_SEC;
    qemuMonitorMigrationStatus st;

    switch (qemuMigrationStateWaitUntil(vm, QEMU_MIGRATION_STATES_FINAL |
                                        QEMU_MIGRATION_STATUS_BIT(QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE),
                                        NULL, deadline, &st)) {
    case QEMU_MIGRATION_WAIT_REACHED:
        break;
    case QEMU_MIGRATION_WAIT_QEMU_GONE:
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("job 'migration in' failed: QEMU process exited"));
        return -1;
    case QEMU_MIGRATION_WAIT_TIMEOUT:
    default:
        virReportError(VIR_ERR_OPERATION_TIMEOUT, "%s",
                       _("incoming migration did not complete"));
        return -1;
    }
    if (st == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE)
        *postcopy = true;
    else if (st != QEMU_MONITOR_MIGRATION_STATUS_COMPLETED) {
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("job 'migration in' failed: incoming migration failed"));
        return -1;
    }
    return 0;
}

/* PERSIST_DEST: the persistent definition from the cookie or the live
 * one, saved as this host's config. */
static int
qemuMigrationDstPersist(qemuDriver *driver, virDomainObj *vm,
                        qemuMigrationCookie *cookie)
{
    g_autoptr(virDomainDef) def = NULL;
    bool existed = vm->persistent;

    if (cookie && cookie->persistent)
        def = g_steal_pointer(&cookie->persistent);
    else if (!(def = virDomainDefCopy(vm->def, false)))
        return -1;
    if (!g_str_equal(def->name, vm->def->name)) {
        g_free(def->name);
        def->name = g_strdup(vm->def->name);
    }
    if (qemuDomainSaveConfig(driver, def) < 0)
        return -1;
    virDomainDefFree(vm->newDef);
    vm->newDef = g_steal_pointer(&def);
    vm->persistent = true;
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(driver, vm, VIR_DOMAIN_EVENT_DEFINED,
                            existed ? VIR_DOMAIN_EVENT_DEFINED_UPDATED
                                    : VIR_DOMAIN_EVENT_DEFINED_ADDED);
    virDomainObjLock(vm);
    return 0;
}

/* In post-copy the guest already runs here (reported as post-copy)
 * while the rest of its memory arrives; like libvirt, Finish returns
 * once that is complete, so that a broken stream is an error for the
 * client ("job 'migration in' failed in post-copy phase"). */
static int
qemuMigrationDstWaitPostcopy(qemuDriver *driver, virDomainObj *vm)
{
    if (qemuMigrationWaitForCompletion(driver, vm, NULL, false) < 0)
        return -1;
    if (vm->state == VIR_DOMAIN_RUNNING) {
        virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED);
        virDomainObjUnlock(vm);
        qemuDriverEmitLifecycle(driver, vm, VIR_DOMAIN_EVENT_RESUMED,
                                VIR_DOMAIN_EVENT_RESUMED_MIGRATED);
        virDomainObjLock(vm);
    }
    return 0;
}

static int
qemuMigrationDstFinishRun(qemuDriver *driver, virDomainObj *vm,
                          unsigned int flags, qemuMigrationCookie *cookie)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    bool postcopy = false;
    int rc;

    if (qemuMigrationDstWait(vm, &postcopy) < 0)
        return -1;
    if (priv->job.current)
        priv->job.current->received = g_get_real_time() / 1000;
    /* the source completed its mirrors before the switch-over */
    qemuMigrationStorageStopServer(vm);
    qemuMigrationStorageKeepImages(vm);
    if ((flags & VIR_MIGRATE_PERSIST_DEST) &&
        qemuMigrationDstPersist(driver, vm, cookie) < 0)
        return -1;
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_ASYNC_NESTED,
                              driver->jobWaitTimeoutMs) < 0)
        return -1;
    if (flags & VIR_MIGRATE_PAUSED) {
        virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
        rc = 0;
    } else {
        rc = qemuProcessStartCPUs(driver, vm, postcopy ? VIR_DOMAIN_RUNNING_POSTCOPY
                                                       : VIR_DOMAIN_RUNNING_MIGRATED);
    }
    qemuDomainObjEndJob(vm, &priv->job);
    if (rc < 0)
        return -1;
    if (postcopy && qemuMigrationDstWaitPostcopy(driver, vm) < 0)
        return -1;
    /* the destination's view: post-copy blocktime is measured here */
    if (postcopy)
        ignore_value(qemuMigrationUpdateJobStats(vm));
    if (priv->job.current)
        priv->job.current->status = QEMU_DOMAIN_JOB_STATUS_COMPLETED;
    qemuDomainSaveStatusOrWarn(driver, vm);
    return 0;
}

static int
qemuMigrationDstFinishCookie(qemuDriver *driver, virDomainObj *vm,
                             const char *origname,
                             char **cookieout, size_t *cookieoutlen)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_autoptr(qemuMigrationCookie) cookie =
        qemuMigrationCookieNew(origname, vm->def->uuid, g_get_host_name(),
                               driver->hostUUID);

    if (priv->job.current) {
        cookie->jobData = qemuDomainJobDataCopy(priv->job.current);
        cookie->flags |= QEMU_MIGRATION_COOKIE_STATS;
    }
    return qemuMigrationCookieFormat(cookie, QEMU_MIGRATION_COOKIE_STATS,
                                     cookieout, cookieoutlen);
}

/* The name the incoming domain has here. */
static const char *
qemuMigrationDstName(const virTypedParameter *params, size_t nparams,
                     const qemuMigrationCookie *cookie)
{
    const char *dname = NULL;

    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_NAME,
                                &dname) > 0 && dname && *dname)
        return dname;
    return cookie->name;
}

int
qemuDomainMigrateFinish3Params(qemuDriver *driver,
                               const virTypedParameter *params, size_t nparams,
                               const char *cookiein, size_t cookieinlen,
                               char **cookieout, size_t *cookieoutlen,
                               unsigned int flags, int cancelled,
                               qemuDomainRef *ref, const qemuMigrationConn *conn)
{
    g_autoptr(qemuMigrationCookie) cookie = NULL;
    bool failedPostcopy;
    virDomainObj *vm;
    int ret = -1;

    if (qemuMigrationParamsCheck(params, nparams, flags) < 0)
        return -1;
    if (!(cookie = qemuMigrationCookieParse(cookiein, cookieinlen, driver->hostUUID,
                                            NULL, NULL,
                                            QEMU_MIGRATION_COOKIE_PERSISTENT |
                                            QEMU_MIGRATION_COOKIE_STATS)))
        return -1;
    if (flags & VIR_MIGRATE_OFFLINE) {
        if (cancelled) {
            virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                           _("migration was cancelled by the source"));
            return -1;
        }
        return qemuMigrationDstFinishOffline(driver, params, nparams, cookie, ref);
    }
    if (!qemuMigrationDstName(params, nparams, cookie)) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("migration cookie and parameters do not name the domain"));
        return -1;
    }
    if (!(vm = virDomainObjListFindByName(driver->domains,
                                          qemuMigrationDstName(params, nparams, cookie))))
        return -1;
    if (flags & VIR_MIGRATE_POSTCOPY_RESUME) {
        ret = cancelled ? -1 : qemuMigrationDstFinishResume(driver, vm, ref, cookieout,
                                                           cookieoutlen, conn);
        if (cancelled)
            virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                           _("post-copy recovery was cancelled by the source"));
        goto cleanup;
    }
    if (!qemuMigrationJobIsActive(vm, VIR_ASYNC_JOB_MIGRATION_IN))
        goto cleanup;
    /* the stream may have broken after the switch before Finish came */
    failedPostcopy = qemuMigrationStateIsFailedPostcopy(vm);
    if (qemuMigrationJobStartPhase(driver, vm,
                                   failedPostcopy ? QEMU_MIGRATION_PHASE_POSTCOPY_FAILED
                                                  : QEMU_MIGRATION_PHASE_FINISH3,
                                   conn->clientID) < 0)
        goto cleanup;
    if (cancelled) {
        /* libvirt's code for this: the client then reports Perform's
         * error (why the source gave up), not this one */
        virReportError(VIR_ERR_MIGRATE_FINISH_OK, "%s",
                       _("migration was cancelled by the source"));
    } else if (failedPostcopy) {
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("job 'migration in' failed in post-copy phase"));
    } else if (qemuMigrationDstFinishRun(driver, vm, flags, cookie) == 0 &&
               qemuMigrationDstFinishCookie(driver, vm, cookie->name, cookieout,
                                            cookieoutlen) == 0) {
        qemuDomainRefFill(ref, vm);
        ret = 0;
    }
    if (qemuMigrationStateInPostcopy(vm) &&
        qemuMigrationStateGet(vm) != QEMU_MONITOR_MIGRATION_STATUS_COMPLETED) {
        /* the guest runs here while the remaining pages arrive: the job
         * ends when QEMU completes (qemuMigrationPostcopyDone), or stays
         * for recovery if post-copy breaks */
        if (ret < 0)
            qemuMigrationStatePostcopyFailed(driver, vm);
        qemuMigrationJobContinue(driver, vm, NULL);
        goto cleanup;
    }
    if (ret < 0) {
        g_autoptr(virError) err = virSaveLastError();

        qemuMigrationDstCleanup(driver, vm);
        virSetError(err);
    }
    qemuMigrationJobFinish(driver, vm);
    if (ret < 0 && !vm->persistent)
        virDomainObjListRemove(driver->domains, vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

