/*
 * rpcfakemigration.c: the fake driver's migration (see rpcfakedriver.h)
 */
#include <string.h>

#include "rpcfakedriverpriv.h"
#include "virdrvfeature.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

/* libvirt's VIR_MIGRATE_PARAM_* and flags the fake looks at */
#define FAKE_PARAM_URI "migrate_uri"
#define FAKE_PARAM_DEST_NAME "destination_name"
#define FAKE_PARAM_DEST_XML "destination_xml"
#define FAKE_MAX_SPEED_POSTCOPY (1 << 0)
#define FAKE_ABORT_JOB_POSTCOPY (1 << 1)
#define FAKE_MIGRATION_PORT 49152

void
rpcFakeMigrationInit(qemuDriver *driver)
{
    g_cond_init(&driver->cond);
    driver->closedClients = g_array_new(FALSE, FALSE, sizeof(guint64));
}

void
rpcFakeMigrationCallClear(rpcFakeMigrationCall *call)
{
    g_clear_pointer(&call->params, virTypedParamListFree);
    g_clear_pointer(&call->cookie, g_byte_array_unref);
    g_clear_pointer(&call->dconnuri, g_free);
    g_clear_pointer(&call->localAddr, g_free);
}

void
rpcFakeMigrationClear(qemuDriver *driver)
{
    rpcFakeMigrationCallClear(&driver->last);
    g_array_unref(driver->closedClients);
    g_cond_clear(&driver->cond);
}

static virTypedParamList *
fakeCopyParams(const virTypedParameter *params, size_t nparams)
{
    virTypedParamList *copy = virTypedParamListNew();
    size_t i;

    for (i = 0; i < nparams; i++) {
        const virTypedParameter *p = &params[i];

        switch ((virTypedParameterType)p->type) {
        case VIR_TYPED_PARAM_INT:
            virTypedParamListAddInt(copy, p->field, p->value.i);
            break;
        case VIR_TYPED_PARAM_UINT:
            virTypedParamListAddUInt(copy, p->field, p->value.ui);
            break;
        case VIR_TYPED_PARAM_LLONG:
            virTypedParamListAddLLong(copy, p->field, p->value.l);
            break;
        case VIR_TYPED_PARAM_ULLONG:
            virTypedParamListAddULLong(copy, p->field, p->value.ul);
            break;
        case VIR_TYPED_PARAM_DOUBLE:
            virTypedParamListAddDouble(copy, p->field, p->value.d);
            break;
        case VIR_TYPED_PARAM_BOOLEAN:
            virTypedParamListAddBoolean(copy, p->field, p->value.b);
            break;
        case VIR_TYPED_PARAM_STRING:
            virTypedParamListAddString(copy, p->field, p->value.s);
            break;
        case VIR_TYPED_PARAM_LAST:
            break;
        }
    }
    return copy;
}

/* Records a protocol call (takes the driver lock). */
static void
fakeRecord(qemuDriver *driver, const char *api, const virTypedParameter *params,
           size_t nparams, const char *cookie, size_t cookielen,
           unsigned int flags, int cancelled, const qemuMigrationConn *conn)
{
    rpcFakeMigrationCall *last = &driver->last;

    g_mutex_lock(&driver->lock);
    rpcFakeMigrationCallClear(last);
    last->api = api;
    last->params = fakeCopyParams(params, nparams);
    last->cookie = g_byte_array_new();
    if (cookielen)
        g_byte_array_append(last->cookie, (const guint8 *)cookie, cookielen);
    last->flags = flags;
    last->cancelled = cancelled;
    last->clientID = conn->clientID;
    last->localAddr = g_strdup(conn->localAddr);
    g_mutex_unlock(&driver->lock);
}

void
rpcFakeDriverLastMigrationCall(qemuDriver *driver, rpcFakeMigrationCall *call)
{
    rpcFakeMigrationCall *last = &driver->last;

    g_mutex_lock(&driver->lock);
    *call = *last;
    call->params = last->params ? fakeCopyParams(last->params->par,
                                                 last->params->npar) : NULL;
    call->cookie = last->cookie ? g_byte_array_ref(last->cookie) : NULL;
    call->dconnuri = g_strdup(last->dconnuri);
    call->localAddr = g_strdup(last->localAddr);
    g_mutex_unlock(&driver->lock);
}

/* "@step:" followed by @cookie: each step hands on what it received. */
static void
fakeCookie(const char *step, const char *cookie, size_t cookielen,
           char **out, size_t *outlen)
{
    size_t prefix = strlen(step);

    *outlen = prefix + 1 + cookielen;
    *out = g_malloc(*outlen);
    memcpy(*out, step, prefix);
    (*out)[prefix] = ':';
    if (cookielen)
        memcpy(*out + prefix + 1, cookie, cookielen);
}

/* The string parameter @name, or NULL. */
static const char *
fakeParam(const virTypedParameter *params, size_t nparams, const char *name)
{
    const char *value = NULL;

    if (virTypedParamsGetString(params, nparams, name, &value) <= 0)
        return NULL;
    return value;
}

/* ---- source: Begin, Perform, Confirm ------------------------------------ */

/* The domain of @uuid migrating out, locked driver, or NULL. */
static fakeDomain *
fakeGetMigratingOut(qemuDriver *driver, const unsigned char *uuid)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (dom && !dom->migratingOut) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%1$s' is not processing outgoing migration"),
                       dom->name);
        g_mutex_unlock(&driver->lock);
        return NULL;
    }
    return dom;
}

char *
qemuDomainMigrateBegin3Params(qemuDriver *driver, const unsigned char *uuid,
                              const virTypedParameter *params, size_t nparams,
                              char **cookieout, size_t *cookieoutlen,
                              unsigned int flags, const qemuMigrationConn *conn)
{
    fakeDomain *dom;
    g_autofree char *name = NULL;
    char *xml;
    static const char tail[] = { '\0', '\xff' };

    fakeRecord(driver, __func__, params, nparams, NULL, 0, flags, 0, conn);
    if (!(dom = fakeGet(driver, uuid)))
        return NULL;
    if (!fakeActive(dom)) {
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("domain is not running"));
        return NULL;
    }
    if (dom->migratingOut) {
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("another migration job is already running for domain"));
        return NULL;
    }
    dom->migratingOut = true;
    dom->abortRequested = false;
    dom->postcopyRequested = false;
    xml = g_strdup(dom->xml);
    name = g_strdup(dom->name);
    g_mutex_unlock(&driver->lock);
    fakeCookie("begin", name, strlen(name), cookieout, cookieoutlen);
    *cookieout = g_realloc(*cookieout, *cookieoutlen + sizeof(tail));
    memcpy(*cookieout + *cookieoutlen, tail, sizeof(tail));
    *cookieoutlen += sizeof(tail);
    return xml;
}

/* A slow Perform: waits for AbortJob (fails), StartPostCopy or the
 * deadline (completes).  Locked driver; 0 or -1. */
static int
fakePerformWait(qemuDriver *driver, const unsigned char *uuid)
{
    gint64 deadline = g_get_monotonic_time() + RPC_FAKE_MIGRATE_MS * 1000;
    fakeDomain *dom;
    int ret = 0;

    driver->slowPerforms++;
    g_cond_broadcast(&driver->cond);
    while ((dom = fakeFindByUUID(driver, uuid)) &&
           !dom->abortRequested && !dom->postcopyRequested) {
        if (!g_cond_wait_until(&driver->cond, &driver->lock, deadline))
            break;
    }
    driver->slowPerforms--;
    if (dom && dom->abortRequested) {
        /* a failed Perform ends the job: the client sends no Confirm */
        dom->migratingOut = false;
        virReportError(VIR_ERR_OPERATION_ABORTED, "%s",
                       _("migration out job: canceled by client"));
        ret = -1;
    }
    return ret;
}

int
qemuDomainMigratePerform3Params(qemuDriver *driver, const unsigned char *uuid,
                                const char *dconnuri,
                                const virTypedParameter *params, size_t nparams,
                                const char *cookiein, size_t cookieinlen,
                                char **cookieout, size_t *cookieoutlen,
                                unsigned int flags, const qemuMigrationConn *conn)
{
    fakeDomain *dom;
    int ret = 0;

    fakeRecord(driver, __func__, params, nparams, cookiein, cookieinlen, flags,
               0, conn);
    g_mutex_lock(&driver->lock);
    driver->last.dconnuri = g_strdup(dconnuri);
    g_mutex_unlock(&driver->lock);
    if (!(dom = fakeGetMigratingOut(driver, uuid)))
        return -1;
    if (g_str_has_prefix(dom->name, "slow"))
        ret = fakePerformWait(driver, uuid);
    g_mutex_unlock(&driver->lock);
    if (ret < 0)
        return -1;
    fakeCookie("perform", cookiein, cookieinlen, cookieout, cookieoutlen);
    return 0;
}

int
qemuDomainMigrateConfirm3Params(qemuDriver *driver, const unsigned char *uuid,
                                const virTypedParameter *params, size_t nparams,
                                const char *cookiein, size_t cookieinlen,
                                unsigned int flags, int cancelled,
                                const qemuMigrationConn *conn)
{
    fakeDomain *dom;
    qemuDomainRef ref = { 0 };

    fakeRecord(driver, __func__, params, nparams, cookiein, cookieinlen, flags,
               cancelled, conn);
    if (!(dom = fakeGetMigratingOut(driver, uuid)))
        return -1;
    dom->migratingOut = false;
    if (cancelled) {
        /* the guest goes on running here */
        g_mutex_unlock(&driver->lock);
        return 0;
    }
    fakeRef(dom, &ref);
    dom->state = VIR_DOMAIN_SHUTOFF;
    dom->reason = VIR_DOMAIN_SHUTOFF_MIGRATED;
    dom->id = -1;
    if (!dom->persistent)
        g_ptr_array_remove(driver->domains, dom);
    g_mutex_unlock(&driver->lock);
    fakeLifecycle(driver, ref.name, ref.uuid, ref.id, VIR_DOMAIN_EVENT_STOPPED,
                  VIR_DOMAIN_EVENT_STOPPED_MIGRATED);
    qemuDomainRefClear(&ref);
    return 0;
}

/* ---- destination: Prepare, Finish --------------------------------------- */

static char *
fakeIncomingURI(const virTypedParameter *params, size_t nparams,
                const qemuMigrationConn *conn)
{
    const char *uri = fakeParam(params, nparams, FAKE_PARAM_URI);

    if (uri)
        return g_strdup_printf("%s:%d", uri, FAKE_MIGRATION_PORT);
    return g_strdup_printf("tcp:%s:%d", conn->localAddr ? conn->localAddr : "localhost",
                           FAKE_MIGRATION_PORT);
}

int
qemuDomainMigratePrepare3Params(qemuDriver *driver,
                                const virTypedParameter *params, size_t nparams,
                                const char *cookiein, size_t cookieinlen,
                                char **cookieout, size_t *cookieoutlen,
                                char **uriout, unsigned int flags,
                                const qemuMigrationConn *conn)
{
    const char *xml = fakeParam(params, nparams, FAKE_PARAM_DEST_XML);
    fakeDomain *def;
    fakeDomain *dom;
    bool updated = false;

    fakeRecord(driver, __func__, params, nparams, cookiein, cookieinlen, flags,
               0, conn);
    if (!xml) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("no domain XML passed for the incoming migration"));
        return -1;
    }
    if (!(def = fakeParseXML(xml)) || !(dom = fakeAdd(driver, def, false, &updated)))
        return -1;
    if (fakeActive(dom)) {
        g_autofree char *name = g_strdup(dom->name);

        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, _("domain '%1$s' is already active"),
                       name);
        return -1;
    }
    dom->id = ++driver->lastDomainID;
    dom->state = VIR_DOMAIN_PAUSED;
    dom->reason = VIR_DOMAIN_PAUSED_MIGRATION;
    dom->migratingIn = true;
    g_mutex_unlock(&driver->lock);
    fakeCookie("prepare", cookiein, cookieinlen, cookieout, cookieoutlen);
    *uriout = fakeIncomingURI(params, nparams, conn);
    return 0;
}

int
qemuDomainMigrateFinish3Params(qemuDriver *driver,
                               const virTypedParameter *params, size_t nparams,
                               const char *cookiein, size_t cookieinlen,
                               char **cookieout, size_t *cookieoutlen,
                               unsigned int flags, int cancelled,
                               qemuDomainRef *ref, const qemuMigrationConn *conn)
{
    const char *name = fakeParam(params, nparams, FAKE_PARAM_DEST_NAME);
    fakeDomain *dom;

    fakeRecord(driver, __func__, params, nparams, cookiein, cookieinlen, flags,
               cancelled, conn);
    g_mutex_lock(&driver->lock);
    if (!name || !(dom = fakeFindByName(driver, name)) || !dom->migratingIn) {
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_NO_DOMAIN, _("no domain with matching name '%1$s'"),
                       NULLSTR(name));
        return -1;
    }
    dom->migratingIn = false;
    if (cancelled) {
        dom->state = VIR_DOMAIN_SHUTOFF;
        dom->reason = VIR_DOMAIN_SHUTOFF_MIGRATED;
        dom->id = -1;
        if (!dom->persistent)
            g_ptr_array_remove(driver->domains, dom);
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("migration of domain '%1$s' was cancelled"), name);
        return -1;
    }
    dom->state = VIR_DOMAIN_RUNNING;
    dom->reason = VIR_DOMAIN_RUNNING_MIGRATED;
    fakeRef(dom, ref);
    g_mutex_unlock(&driver->lock);
    fakeCookie("finish", cookiein, cookieinlen, cookieout, cookieoutlen);
    return 0;
}

/* ---- control -------------------------------------------------------------- */

int
qemuDomainAbortJob(qemuDriver *driver, const unsigned char *uuid,
                   unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    if (!dom->migratingOut || (flags & FAKE_ABORT_JOB_POSTCOPY)) {
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("no job is active on the domain"));
        return -1;
    }
    dom->abortRequested = true;
    g_cond_broadcast(&driver->cond);
    g_mutex_unlock(&driver->lock);
    return 0;
}

int
qemuDomainMigrateStartPostCopy(qemuDriver *driver, const unsigned char *uuid,
                               unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    if (!dom->migratingOut) {
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("post-copy can only be started while outgoing migration is in progress"));
        return -1;
    }
    dom->postcopyRequested = true;
    g_cond_broadcast(&driver->cond);
    g_mutex_unlock(&driver->lock);
    return 0;
}

int
qemuDomainMigrateSetMaxDowntime(qemuDriver *driver, const unsigned char *uuid,
                                unsigned long long downtimeMs,
                                unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    dom->downtimeMs = downtimeMs;
    g_mutex_unlock(&driver->lock);
    return 0;
}

int
qemuDomainMigrateGetMaxDowntime(qemuDriver *driver, const unsigned char *uuid,
                                unsigned long long *downtimeMs,
                                unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    *downtimeMs = dom->downtimeMs;
    g_mutex_unlock(&driver->lock);
    return 0;
}

int
qemuDomainMigrateSetMaxSpeed(qemuDriver *driver, const unsigned char *uuid,
                             unsigned long bandwidthMiBs, unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    if (flags & FAKE_MAX_SPEED_POSTCOPY)
        dom->bandwidthPostcopyMiBs = bandwidthMiBs;
    else
        dom->bandwidthMiBs = bandwidthMiBs;
    g_mutex_unlock(&driver->lock);
    return 0;
}

int
qemuDomainMigrateGetMaxSpeed(qemuDriver *driver, const unsigned char *uuid,
                             unsigned long *bandwidthMiBs, unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    if (flags & FAKE_MAX_SPEED_POSTCOPY)
        *bandwidthMiBs = dom->bandwidthPostcopyMiBs;
    else
        *bandwidthMiBs = dom->bandwidthMiBs;
    g_mutex_unlock(&driver->lock);
    return 0;
}

int
qemuDomainMigrateSetCompressionCache(qemuDriver *driver,
                                     const unsigned char *uuid,
                                     unsigned long long cacheSize,
                                     unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    dom->cacheSize = cacheSize;
    g_mutex_unlock(&driver->lock);
    return 0;
}

int
qemuDomainMigrateGetCompressionCache(qemuDriver *driver,
                                     const unsigned char *uuid,
                                     unsigned long long *cacheSize,
                                     unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    *cacheSize = dom->cacheSize;
    g_mutex_unlock(&driver->lock);
    return 0;
}

/* ---- connection ---------------------------------------------------------- */

bool
qemuDriverSupportsFeature(qemuDriver *driver, int feature)
{
    /* libvirt 9.0's QEMU driver: V2, P2P, V3, CHANGE_PROTECTION,
     * XML_MIGRATABLE, OFFLINE, PARAMS (not V1, not DIRECT) */
    switch (feature) {
    case VIR_DRV_FEATURE_MIGRATION_V2:
    case VIR_DRV_FEATURE_MIGRATION_P2P:
    case VIR_DRV_FEATURE_MIGRATION_V3:
    case VIR_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION:
    case VIR_DRV_FEATURE_XML_MIGRATABLE:
    case VIR_DRV_FEATURE_MIGRATION_OFFLINE:
    case VIR_DRV_FEATURE_MIGRATION_PARAMS:
        return true;
    default:
        return false;
    }
}

void
qemuDriverClientClosed(qemuDriver *driver, guint64 clientID)
{
    g_mutex_lock(&driver->lock);
    g_array_append_val(driver->closedClients, clientID);
    g_cond_broadcast(&driver->cond);
    g_mutex_unlock(&driver->lock);
}

static bool
fakeClientClosed(qemuDriver *driver, guint64 clientID)
{
    guint i;

    for (i = 0; i < driver->closedClients->len; i++) {
        if (g_array_index(driver->closedClients, guint64, i) == clientID)
            return true;
    }
    return false;
}

bool
rpcFakeDriverWaitClientClosed(qemuDriver *driver, guint64 clientID,
                              int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;
    bool closed;

    g_mutex_lock(&driver->lock);
    while (!(closed = fakeClientClosed(driver, clientID)) &&
           g_cond_wait_until(&driver->cond, &driver->lock, deadline))
        ;
    g_mutex_unlock(&driver->lock);
    return closed;
}

size_t
rpcFakeDriverClosedClientCount(qemuDriver *driver)
{
    size_t n;

    g_mutex_lock(&driver->lock);
    n = driver->closedClients->len;
    g_mutex_unlock(&driver->lock);
    return n;
}

bool
rpcFakeDriverWaitSlowPerform(qemuDriver *driver, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;
    bool blocked;

    g_mutex_lock(&driver->lock);
    while (!(blocked = driver->slowPerforms > 0) &&
           g_cond_wait_until(&driver->cond, &driver->lock, deadline))
        ;
    g_mutex_unlock(&driver->lock);
    return blocked;
}
