/*
 * qemu_migration_tls.c: the migration stream over TLS (VIR_MIGRATE_TLS,
 * `virsh migrate --tls`), as libvirt's qemuMigrationParamsEnableTLS /
 * DisableTLS / ResetTLS do it
 *
 * With the flag, each QEMU gets a tls-creds-x509 object reading the
 * host's migrate_tls_x509_cert_dir ("endpoint": "server" with
 * "verify-peer" = migrate_tls_x509_verify on the destination, "client"
 * with "verify-peer" true on the source) and the migration parameter
 * "tls-creds" naming it; the source also sets "tls-hostname", the name
 * the destination's certificate must carry.  Without the flag both are
 * set to "" so that nothing of an earlier TLS migration is used.  The
 * parameters go back to what QEMU had when the job ends (the saved
 * parameters, qemuMigrationParamsRestore) and the object is deleted;
 * a post-copy migration that failed keeps both for --postcopy-resume.
 */
#include <unistd.h>
#include <errno.h>

#include "qemu_migration_priv.h"
#include "qemu_monitor_json.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_migration_tls");

/* Files QEMU's tls-creds-x509 cannot do without (crypto/tlscredsx509.c):
 * a client needs the CA only (its own certificate is optional, unless
 * the server verifies clients), a server its certificate and key. */
static const char *const qemuMigrationTLSClientFiles[] = { "ca-cert.pem", NULL };
static const char *const qemuMigrationTLSServerFiles[] = {
    "ca-cert.pem", "server-cert.pem", "server-key.pem", NULL,
};

static int
qemuMigrationTLSCheckFiles(const char *dir, bool listen)
{
    const char *const *files = listen ? qemuMigrationTLSServerFiles
                                      : qemuMigrationTLSClientFiles;
    size_t i;

    for (i = 0; files[i]; i++) {
        g_autofree char *path = g_build_filename(dir, files[i], NULL);

        if (access(path, R_OK) < 0) {
            virReportSystemError(errno,
                                 _("Unable to access migration TLS credentials %1$s"),
                                 path);
            return -1;
        }
    }
    return 0;
}

int
qemuMigrationTLSCheck(qemuDriver *driver, unsigned int flags, bool listen)
{
    if (driver->migrateTLSForce && !(flags & VIR_MIGRATE_TLS)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("this libvirtd instance allows migration only with VIR_MIGRATE_TLS flag"));
        return -1;
    }
    if (!(flags & VIR_MIGRATE_TLS) || (flags & VIR_MIGRATE_OFFLINE))
        return 0;
    if (!driver->migrateTLSx509CertDir) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("host migration TLS directory not configured"));
        return -1;
    }
    return qemuMigrationTLSCheckFiles(driver->migrateTLSx509CertDir, listen);
}

static int
qemuMigrationTLSSetParams(qemuMigrationParams *p, const char *creds,
                          const char *hostname)
{
    if (qemuMonitorMigrationParamsSetString(p->qemu, QEMU_MONITOR_MIGRATION_PARAM_TLS_CREDS,
                                            creds) < 0 ||
        qemuMonitorMigrationParamsSetString(p->qemu, QEMU_MONITOR_MIGRATION_PARAM_TLS_HOSTNAME,
                                            hostname) < 0)
        return -1;
    return 0;
}

/* Adds the object, replacing one a job that did not end cleanly (a
 * daemon restart) may have left. */
static int
qemuMigrationTLSAddObject(virDomainObj *vm, bool listen)
{
    qemuDriver *driver = QEMU_DOMAIN_PRIVATE(vm)->driver;
    qemuMonitor *mon = qemuMigrationEnterMonitor(vm);
    int rc;

    if (!mon)
        return -1;
    ignore_value(qemuMonitorJSONDelObject(mon, QEMU_MIGRATION_TLS_ALIAS, false));
    rc = qemuMonitorJSONAddTLSCredsX509(mon, QEMU_MIGRATION_TLS_ALIAS,
                                        driver->migrateTLSx509CertDir, listen,
                                        listen ? driver->migrateTLSx509Verify : true);
    qemuMigrationExitMonitor(vm, mon);
    return rc;
}

int
qemuMigrationTLSSetup(virDomainObj *vm, unsigned int flags, bool listen,
                      const char *hostname, qemuMigrationParams *p)
{
    if (!(flags & VIR_MIGRATE_TLS))
        return qemuMigrationTLSSetParams(p, "", "");
    if (qemuMigrationTLSAddObject(vm, listen) < 0)
        return -1;
    if (listen || !hostname)
        hostname = "";
    VIR_DEBUG("domain %s: migration over TLS (%s, hostname '%s')", vm->def->name,
              listen ? "server" : "client", hostname);
    return qemuMigrationTLSSetParams(p, QEMU_MIGRATION_TLS_ALIAS, hostname);
}

void
qemuMigrationTLSCleanup(virDomainObj *vm, bool resetParams)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_autoptr(qemuMigrationParams) off = g_new0(qemuMigrationParams, 1);
    qemuMonitor *mon;
    int rc;

    if (!(priv->job.apiFlags & VIR_MIGRATE_TLS) || (priv->job.apiFlags & VIR_MIGRATE_OFFLINE) ||
        !virDomainObjIsActive(vm) || !priv->mon || priv->monitorGone)
        return;
    off->qemu = qemuMonitorMigrationParamsNew();
    if (qemuMigrationTLSSetParams(off, "", "") < 0)
        return;
    if (!(mon = qemuMigrationEnterMonitor(vm))) {
        VIR_WARN("domain %s: migration TLS object not removed: %s",
                 vm->def->name, virGetLastErrorMessage());
        return;
    }
    /* the saved parameters were lost (daemon restart): at least no
     * stale credentials stay configured */
    if (resetParams && qemuMonitorJSONSetMigrationParams(mon, off->qemu) < 0)
        VIR_WARN("domain %s: migration TLS parameters not reset: %s",
                 vm->def->name, virGetLastErrorMessage());
    rc = qemuMonitorJSONDelObject(mon, QEMU_MIGRATION_TLS_ALIAS, false);
    qemuMigrationExitMonitor(vm, mon);
    VIR_DEBUG("domain %s: migration TLS object %s", vm->def->name,
              rc == 0 ? "removed" : "not removed (absent?)");
}

int
qemuMigrationTLSResumeCheck(virDomainObj *vm, unsigned int flags)
{
    /* the resumed stream uses the objects and parameters the job set up
     * (they are kept while post-copy waits for recovery) */
    if ((flags ^ QEMU_DOMAIN_PRIVATE(vm)->job.apiFlags) & VIR_MIGRATE_TLS) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       (flags & VIR_MIGRATE_TLS) ?
                       _("cannot resume a post-copy migration started without VIR_MIGRATE_TLS with TLS") :
                       _("a post-copy migration started with VIR_MIGRATE_TLS must be resumed with it"));
        return -1;
    }
    return 0;
}
