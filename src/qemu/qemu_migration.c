/*
 * qemu_migration.c: migration protocol v3 entry points
 *
 * PLACEHOLDER while issue 6 is in progress: every entry point refuses
 * with VIR_ERR_NO_SUPPORT, and no migration connect feature is
 * advertised, so clients do not try to migrate.
 */
#include "qemu_conf.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

static int
qemuMigrationNotYet(const char *api)
{
    virReportError(VIR_ERR_NO_SUPPORT,
                   _("%1$s: migration is not implemented yet"), api);
    return -1;
}

char *
qemuDomainMigrateBegin3Params(qemuDriver *driver, const unsigned char *uuid,
                              const virTypedParameter *params, size_t nparams,
                              char **cookieout, size_t *cookieoutlen,
                              unsigned int flags, const qemuMigrationConn *conn)
{
    qemuMigrationNotYet(__func__);
    return NULL;
}

int
qemuDomainMigratePrepare3Params(qemuDriver *driver,
                                const virTypedParameter *params, size_t nparams,
                                const char *cookiein, size_t cookieinlen,
                                char **cookieout, size_t *cookieoutlen,
                                char **uriout, unsigned int flags,
                                const qemuMigrationConn *conn)
{
    return qemuMigrationNotYet(__func__);
}

int
qemuDomainMigratePerform3Params(qemuDriver *driver, const unsigned char *uuid,
                                const char *dconnuri,
                                const virTypedParameter *params, size_t nparams,
                                const char *cookiein, size_t cookieinlen,
                                char **cookieout, size_t *cookieoutlen,
                                unsigned int flags, const qemuMigrationConn *conn)
{
    return qemuMigrationNotYet(__func__);
}

int
qemuDomainMigrateFinish3Params(qemuDriver *driver,
                               const virTypedParameter *params, size_t nparams,
                               const char *cookiein, size_t cookieinlen,
                               char **cookieout, size_t *cookieoutlen,
                               unsigned int flags, int cancelled,
                               qemuDomainRef *ref, const qemuMigrationConn *conn)
{
    return qemuMigrationNotYet(__func__);
}

int
qemuDomainMigrateConfirm3Params(qemuDriver *driver, const unsigned char *uuid,
                                const virTypedParameter *params, size_t nparams,
                                const char *cookiein, size_t cookieinlen,
                                unsigned int flags, int cancelled,
                                const qemuMigrationConn *conn)
{
    return qemuMigrationNotYet(__func__);
}

int
qemuDomainAbortJob(qemuDriver *driver, const unsigned char *uuid,
                   unsigned int flags)
{
    return qemuMigrationNotYet(__func__);
}

int
qemuDomainMigrateSetMaxDowntime(qemuDriver *driver, const unsigned char *uuid,
                                unsigned long long downtimeMs,
                                unsigned int flags)
{
    return qemuMigrationNotYet(__func__);
}

int
qemuDomainMigrateGetMaxDowntime(qemuDriver *driver, const unsigned char *uuid,
                                unsigned long long *downtimeMs,
                                unsigned int flags)
{
    return qemuMigrationNotYet(__func__);
}

int
qemuDomainMigrateSetMaxSpeed(qemuDriver *driver, const unsigned char *uuid,
                             unsigned long bandwidthMiBs, unsigned int flags)
{
    return qemuMigrationNotYet(__func__);
}

int
qemuDomainMigrateGetMaxSpeed(qemuDriver *driver, const unsigned char *uuid,
                             unsigned long *bandwidthMiBs, unsigned int flags)
{
    return qemuMigrationNotYet(__func__);
}

int
qemuDomainMigrateSetCompressionCache(qemuDriver *driver,
                                     const unsigned char *uuid,
                                     unsigned long long cacheSize,
                                     unsigned int flags)
{
    return qemuMigrationNotYet(__func__);
}

int
qemuDomainMigrateGetCompressionCache(qemuDriver *driver,
                                     const unsigned char *uuid,
                                     unsigned long long *cacheSize,
                                     unsigned int flags)
{
    return qemuMigrationNotYet(__func__);
}

int
qemuDomainMigrateStartPostCopy(qemuDriver *driver, const unsigned char *uuid,
                               unsigned int flags)
{
    return qemuMigrationNotYet(__func__);
}

bool
qemuDriverSupportsFeature(qemuDriver *driver, int feature)
{
    return false;
}

void
qemuDriverClientClosed(qemuDriver *driver, guint64 clientID)
{
}
