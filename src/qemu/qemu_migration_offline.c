/*
 * qemu_migration_offline.c: offline migration (VIR_MIGRATE_OFFLINE) of
 * a shut-off persistent domain: only its definition moves
 *
 *   source Begin    the inactive definition and a cookie
 *   dest   Prepare  checks the definition; no QEMU, no URI
 *   source Perform  nothing to transfer; the cookie carries the
 *                   persistent definition
 *   dest   Finish   defines the domain (PERSIST_DEST is required)
 *   source Confirm  UNDEFINE_SOURCE removes it here
 *
 * The domains keep no async job across the calls: nothing runs that a
 * vanished client could leave behind.
 */
#include <string.h>

#include "qemu_migration_priv.h"
#include "qemu_monitor_json.h"
#include "domain_conf.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_migration_offline");

int
qemuMigrationOfflineCheck(unsigned int flags)
{
    if (!(flags & VIR_MIGRATE_OFFLINE))
        return 0;
    if (!(flags & VIR_MIGRATE_PERSIST_DEST)) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("offline migration requires VIR_MIGRATE_PERSIST_DEST"));
        return -1;
    }
    if (flags & (VIR_MIGRATE_LIVE | VIR_MIGRATE_POSTCOPY)) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("live offline migration is not supported"));
        return -1;
    }
    return 0;
}

static int
qemuMigrationOfflineCookie(qemuDriver *driver, const virDomainDef *def,
                           const char *name, bool withDef,
                           char **cookieout, size_t *cookieoutlen)
{
    g_autoptr(qemuMigrationCookie) cookie =
        qemuMigrationCookieNew(name, def->uuid, g_get_host_name(), driver->hostUUID);

    if (withDef) {
        if (!(cookie->persistent = virDomainDefCopy(def, false)))
            return -1;
        cookie->flags |= QEMU_MIGRATION_COOKIE_PERSISTENT;
    }
    return qemuMigrationCookieFormat(cookie, withDef ? QEMU_MIGRATION_COOKIE_PERSISTENT : 0,
                                     cookieout, cookieoutlen);
}

char *
qemuMigrationSrcBeginOffline(qemuDriver *driver, virDomainObj *vm,
                             char **cookieout, size_t *cookieoutlen)
{
    virDomainDef *def = virDomainObjGetPersistentDef(vm);

    if (!vm->persistent) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("cannot migrate a transient domain offline"));
        return NULL;
    }
    if (qemuMigrationOfflineCookie(driver, def, def->name, false,
                                   cookieout, cookieoutlen) < 0)
        return NULL;
    return virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_INACTIVE |
                                   VIR_DOMAIN_DEF_FORMAT_SECURE);
}

int
qemuMigrationDstPrepareOffline(qemuDriver *driver, const virTypedParameter *params,
                               size_t nparams, const qemuMigrationCookie *cookie,
                               char **cookieout, size_t *cookieoutlen)
{
    const char *xml = NULL;
    g_autoptr(virDomainDef) def = NULL;

    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_XML, &xml) <= 0) {
        virReportError(VIR_ERR_INVALID_ARG, "%s", _("no domain XML passed"));
        return -1;
    }
    if (!(def = qemuDomainDefParseString(driver, xml, VIR_DOMAIN_DEF_PARSE_INACTIVE)))
        return -1;
    return qemuMigrationOfflineCookie(driver, def, cookie->name, false,
                                      cookieout, cookieoutlen);
}

int
qemuMigrationSrcPerformOffline(qemuDriver *driver, virDomainObj *vm,
                               char **cookieout, size_t *cookieoutlen)
{
    virDomainDef *def = virDomainObjGetPersistentDef(vm);

    return qemuMigrationOfflineCookie(driver, def, def->name, true,
                                      cookieout, cookieoutlen);
}

int
qemuMigrationDstFinishOffline(qemuDriver *driver, const virTypedParameter *params,
                              size_t nparams, qemuMigrationCookie *cookie,
                              qemuDomainRef *ref)
{
    g_autoptr(virDomainDef) def = NULL;
    g_autofree char *xml = NULL;
    const char *dname = NULL;
    const char *destxml = NULL;

    /* the client skips Perform for offline migrations: the definition
     * comes with the parameters (as for Prepare), else in the cookie */
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_XML,
                                &destxml) > 0)
        def = qemuDomainDefParseString(driver, destxml, VIR_DOMAIN_DEF_PARSE_INACTIVE);
    else if (cookie->persistent)
        def = g_steal_pointer(&cookie->persistent);
    else
        virReportError(VIR_ERR_INVALID_ARG, "%s", _("no domain XML passed"));
    if (!def)
        return -1;
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_NAME,
                                &dname) > 0 && dname && *dname) {
        g_free(def->name);
        def->name = g_strdup(dname);
    }
    if (!(xml = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_INACTIVE |
                                        VIR_DOMAIN_DEF_FORMAT_SECURE)))
        return -1;
    return qemuDomainDefineXML(driver, xml, 0, ref);
}

int
qemuMigrationSrcConfirmOffline(qemuDriver *driver, virDomainObj **vm,
                               unsigned int flags, int cancelled)
{
    unsigned char uuid[VIR_UUID_BUFLEN];

    if (cancelled || !(flags & VIR_MIGRATE_UNDEFINE_SOURCE))
        return 0;
    memcpy(uuid, (*vm)->def->uuid, VIR_UUID_BUFLEN);
    virDomainObjEndAPI(vm);
    return qemuDomainUndefine(driver, uuid, 0);
}
