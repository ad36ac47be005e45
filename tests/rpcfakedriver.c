/*
 * rpcfakedriver.c: an in-memory stand-in for the QEMU driver
 */
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "rpcfakedriverpriv.h"
#include "virerror.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

/* libvirt's VIR_CONNECT_LIST_DOMAINS_ACTIVE / _INACTIVE */
#define FAKE_LIST_ACTIVE (1 << 0)
#define FAKE_LIST_INACTIVE (1 << 1)
/* VIR_DOMAIN_JOB_STATS_COMPLETED */
#define FAKE_JOB_STATS_COMPLETED (1 << 0)

void
fakeDomainFree(fakeDomain *dom)
{
    g_free(dom->name);
    g_free(dom->xml);
    g_free(dom);
}

qemuDriver *
rpcFakeDriverNew(const char *capabilities)
{
    qemuDriver *driver = g_new0(qemuDriver, 1);

    g_mutex_init(&driver->lock);
    driver->domains = g_ptr_array_new_with_free_func((GDestroyNotify)fakeDomainFree);
    driver->listeners = g_array_new(FALSE, FALSE, sizeof(fakeListener));
    driver->capabilities = g_strdup(capabilities);
    rpcFakeMigrationInit(driver);
    rpcFakeConsoleInit(driver);
    return driver;
}

qemuDriver *
qemuDriverNew(const qemuDriverConfig *cfg)
{
    return rpcFakeDriverNew("<capabilities/>\n");
}

void
qemuDriverFree(qemuDriver *driver)
{
    if (!driver)
        return;
    g_ptr_array_unref(driver->domains);
    g_array_unref(driver->listeners);
    g_free(driver->capabilities);
    rpcFakeConsoleClear(driver);
    rpcFakeMigrationClear(driver);
    g_mutex_clear(&driver->lock);
    g_free(driver);
}

void
qemuDomainRefClear(qemuDomainRef *ref)
{
    g_clear_pointer(&ref->name, g_free);
}

void
qemuDomainRefListFree(qemuDomainRef *refs, size_t n)
{
    size_t i;

    for (i = 0; refs && i < n; i++)
        qemuDomainRefClear(&refs[i]);
    g_free(refs);
}

/* ---- events ---------------------------------------------------------- */

int
qemuDriverAddEventListener(qemuDriver *driver, qemuDomainEventCallback cb,
                           void *opaque)
{
    fakeListener l = { 0, cb, opaque };

    g_mutex_lock(&driver->lock);
    l.id = ++driver->lastListenerID;
    g_array_append_val(driver->listeners, l);
    g_mutex_unlock(&driver->lock);
    return l.id;
}

void
qemuDriverRemoveEventListener(qemuDriver *driver, int id)
{
    guint i;

    g_mutex_lock(&driver->lock);
    for (i = 0; i < driver->listeners->len; i++) {
        if (g_array_index(driver->listeners, fakeListener, i).id == id) {
            g_array_remove_index(driver->listeners, i);
            break;
        }
    }
    g_mutex_unlock(&driver->lock);
}

size_t
rpcFakeDriverListenerCount(qemuDriver *driver)
{
    size_t n;

    g_mutex_lock(&driver->lock);
    n = driver->listeners->len;
    g_mutex_unlock(&driver->lock);
    return n;
}

void
rpcFakeDriverEmit(qemuDriver *driver, const qemuDomainEvent *ev)
{
    g_autoptr(GArray) listeners = NULL;
    guint i;

    g_mutex_lock(&driver->lock);
    listeners = g_array_copy(driver->listeners);
    g_mutex_unlock(&driver->lock);
    for (i = 0; i < listeners->len; i++) {
        fakeListener *l = &g_array_index(listeners, fakeListener, i);

        l->cb(ev, l->opaque);
    }
}

/* Raises a lifecycle event for @dom (call without the lock). */
void
fakeLifecycle(qemuDriver *driver, const char *name, const unsigned char *uuid,
              int id, int event, int detail)
{
    qemuDomainEvent ev = {
        .eventID = VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        .dom = { .name = (char *)name, .id = id },
        .event = event,
        .detail = detail,
    };

    memcpy(ev.dom.uuid, uuid, VIR_UUID_BUFLEN);
    rpcFakeDriverEmit(driver, &ev);
}

/* ---- lookups (with the lock held) ------------------------------------ */

fakeDomain *
fakeFindByUUID(qemuDriver *driver, const unsigned char *uuid)
{
    guint i;

    for (i = 0; i < driver->domains->len; i++) {
        fakeDomain *dom = g_ptr_array_index(driver->domains, i);

        if (memcmp(dom->uuid, uuid, VIR_UUID_BUFLEN) == 0)
            return dom;
    }
    return NULL;
}

fakeDomain *
fakeFindByName(qemuDriver *driver, const char *name)
{
    guint i;

    for (i = 0; i < driver->domains->len; i++) {
        fakeDomain *dom = g_ptr_array_index(driver->domains, i);

        if (g_str_equal(dom->name, name))
            return dom;
    }
    return NULL;
}

/* The domain of @uuid, locked driver, or NULL (unlocked) with the real
 * driver's VIR_ERR_NO_DOMAIN. */
fakeDomain *
fakeGet(qemuDriver *driver, const unsigned char *uuid)
{
    fakeDomain *dom;
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    g_mutex_lock(&driver->lock);
    if ((dom = fakeFindByUUID(driver, uuid)))
        return dom;
    g_mutex_unlock(&driver->lock);
    virReportError(VIR_ERR_NO_DOMAIN, _("no domain with matching uuid '%1$s'"),
                   virUUIDFormat(uuid, uuidstr));
    return NULL;
}

void
fakeRef(const fakeDomain *dom, qemuDomainRef *ref)
{
    ref->name = g_strdup(dom->name);
    memcpy(ref->uuid, dom->uuid, VIR_UUID_BUFLEN);
    ref->id = dom->id;
}

bool
fakeActive(const fakeDomain *dom)
{
    return dom->state == VIR_DOMAIN_RUNNING || dom->state == VIR_DOMAIN_PAUSED;
}

int
qemuDomainLookupByUUID(qemuDriver *driver, const unsigned char *uuid,
                       qemuDomainRef *ref)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    fakeRef(dom, ref);
    g_mutex_unlock(&driver->lock);
    return 0;
}

int
qemuDomainLookupByName(qemuDriver *driver, const char *name, qemuDomainRef *ref)
{
    fakeDomain *dom;

    g_mutex_lock(&driver->lock);
    if (!(dom = fakeFindByName(driver, name))) {
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_NO_DOMAIN, _("no domain with matching name '%1$s'"),
                       name);
        return -1;
    }
    fakeRef(dom, ref);
    g_mutex_unlock(&driver->lock);
    return 0;
}

int
qemuDomainLookupByID(qemuDriver *driver, int id, qemuDomainRef *ref)
{
    guint i;

    g_mutex_lock(&driver->lock);
    for (i = 0; i < driver->domains->len; i++) {
        fakeDomain *dom = g_ptr_array_index(driver->domains, i);

        if (fakeActive(dom) && dom->id == id) {
            fakeRef(dom, ref);
            g_mutex_unlock(&driver->lock);
            return 0;
        }
    }
    g_mutex_unlock(&driver->lock);
    virReportError(VIR_ERR_NO_DOMAIN, _("no domain with matching id %1$d"), id);
    return -1;
}

/* ---- lists ----------------------------------------------------------- */

char *
qemuConnectGetCapabilities(qemuDriver *driver)
{
    return g_strdup(driver->capabilities);
}

static bool
fakeListMatch(const fakeDomain *dom, unsigned int flags)
{
    unsigned int which = flags & (FAKE_LIST_ACTIVE | FAKE_LIST_INACTIVE);

    if (which == 0 || which == (FAKE_LIST_ACTIVE | FAKE_LIST_INACTIVE))
        return true;
    return (which == FAKE_LIST_ACTIVE) == fakeActive(dom);
}

int
qemuConnectListAllDomains(qemuDriver *driver, qemuDomainRef **doms,
                          unsigned int flags)
{
    GArray *refs = g_array_new(FALSE, TRUE, sizeof(qemuDomainRef));
    guint i;
    int n;

    g_mutex_lock(&driver->lock);
    for (i = 0; i < driver->domains->len; i++) {
        fakeDomain *dom = g_ptr_array_index(driver->domains, i);
        qemuDomainRef ref = { 0 };

        if (!fakeListMatch(dom, flags))
            continue;
        fakeRef(dom, &ref);
        g_array_append_val(refs, ref);
    }
    g_mutex_unlock(&driver->lock);
    n = refs->len;
    *doms = (qemuDomainRef *)g_array_free(refs, FALSE);
    return n;
}

static int
fakeCount(qemuDriver *driver, bool active)
{
    guint i;
    int n = 0;

    g_mutex_lock(&driver->lock);
    for (i = 0; i < driver->domains->len; i++) {
        fakeDomain *dom = g_ptr_array_index(driver->domains, i);

        if (fakeActive(dom) == active)
            n++;
    }
    g_mutex_unlock(&driver->lock);
    return n;
}

int
qemuConnectNumOfDomains(qemuDriver *driver)
{
    return fakeCount(driver, true);
}

int
qemuConnectNumOfDefinedDomains(qemuDriver *driver)
{
    return fakeCount(driver, false);
}

int
qemuConnectListDomains(qemuDriver *driver, int *ids, int maxids)
{
    guint i;
    int n = 0;

    g_mutex_lock(&driver->lock);
    for (i = 0; i < driver->domains->len && n < maxids; i++) {
        fakeDomain *dom = g_ptr_array_index(driver->domains, i);

        if (fakeActive(dom))
            ids[n++] = dom->id;
    }
    g_mutex_unlock(&driver->lock);
    return n;
}

int
qemuConnectListDefinedDomains(qemuDriver *driver, char **names, int maxnames)
{
    guint i;
    int n = 0;

    g_mutex_lock(&driver->lock);
    for (i = 0; i < driver->domains->len && n < maxnames; i++) {
        fakeDomain *dom = g_ptr_array_index(driver->domains, i);

        if (!fakeActive(dom))
            names[n++] = g_strdup(dom->name);
    }
    g_mutex_unlock(&driver->lock);
    return n;
}

/* ---- definitions ----------------------------------------------------- */

static char *
fakeXPathString(xmlXPathContextPtr ctxt, const char *expr)
{
    xmlXPathObjectPtr obj = xmlXPathEvalExpression(BAD_CAST expr, ctxt);
    char *ret = NULL;

    if (obj && obj->type == XPATH_STRING && obj->stringval && *obj->stringval)
        ret = g_strdup((const char *)obj->stringval);
    xmlXPathFreeObject(obj);
    return ret;
}

/* Parses the few fields the fake needs from a domain XML. */
fakeDomain *
fakeParseXML(const char *xml)
{
    xmlDocPtr doc = xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING);
    xmlXPathContextPtr ctxt = doc ? xmlXPathNewContext(doc) : NULL;
    g_autofree char *uuid = NULL;
    g_autofree char *mem = NULL;
    g_autofree char *vcpus = NULL;
    fakeDomain *dom = NULL;

    if (!ctxt) {
        virReportError(VIR_ERR_XML_ERROR, "%s", _("(domain_definition):1: malformed XML"));
        goto cleanup;
    }
    dom = g_new0(fakeDomain, 1);
    dom->name = fakeXPathString(ctxt, "string(/domain/name)");
    uuid = fakeXPathString(ctxt, "string(/domain/uuid)");
    mem = fakeXPathString(ctxt, "string(/domain/memory)");
    vcpus = fakeXPathString(ctxt, "string(/domain/vcpu)");
    if (!dom->name) {
        virReportError(VIR_ERR_NO_NAME, "%s", _("missing domain name"));
        g_clear_pointer(&dom, fakeDomainFree);
        goto cleanup;
    }
    if ((!uuid || virUUIDParse(uuid, dom->uuid) < 0) &&
        virUUIDGenerate(dom->uuid) < 0) {
        g_clear_pointer(&dom, fakeDomainFree);
        goto cleanup;
    }
    dom->memKiB = mem ? g_ascii_strtoull(mem, NULL, 10) : 0;
    dom->vcpus = vcpus ? g_ascii_strtoull(vcpus, NULL, 10) : 1;
    dom->xml = g_strdup(xml);
    dom->id = -1;
    dom->state = VIR_DOMAIN_SHUTOFF;
    dom->reason = VIR_DOMAIN_SHUTOFF_UNKNOWN;

 cleanup:
    xmlXPathFreeContext(ctxt);
    xmlFreeDoc(doc);
    return dom;
}

/* Adds or updates @def; the stored domain, locked driver, or NULL. */
fakeDomain *
fakeAdd(qemuDriver *driver, fakeDomain *def, bool persistent, bool *updated)
{
    fakeDomain *dom;
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    g_mutex_lock(&driver->lock);
    if ((dom = fakeFindByName(driver, def->name)) &&
        memcmp(dom->uuid, def->uuid, VIR_UUID_BUFLEN) != 0) {
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("domain '%1$s' already exists with uuid %2$s"),
                       dom->name, virUUIDFormat(dom->uuid, uuidstr));
        fakeDomainFree(def);
        return NULL;
    }
    *updated = dom != NULL;
    if (!dom) {
        g_ptr_array_add(driver->domains, def);
        dom = def;
    } else {
        g_free(dom->xml);
        dom->xml = g_steal_pointer(&def->xml);
        dom->memKiB = def->memKiB;
        dom->vcpus = def->vcpus;
        fakeDomainFree(def);
    }
    dom->persistent = dom->persistent || persistent;
    return dom;
}

int
qemuDomainDefineXML(qemuDriver *driver, const char *xml, unsigned int flags,
                    qemuDomainRef *ref)
{
    fakeDomain *def = fakeParseXML(xml);
    fakeDomain *dom;
    bool updated = false;
    int detail = VIR_DOMAIN_EVENT_DEFINED_ADDED;

    if (!def || !(dom = fakeAdd(driver, def, true, &updated)))
        return -1;
    fakeRef(dom, ref);
    g_mutex_unlock(&driver->lock);
    if (updated)
        detail = VIR_DOMAIN_EVENT_DEFINED_UPDATED;
    fakeLifecycle(driver, ref->name, ref->uuid, ref->id, VIR_DOMAIN_EVENT_DEFINED,
                  detail);
    return 0;
}

int
qemuDomainUndefine(qemuDriver *driver, const unsigned char *uuid,
                   unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);
    g_autofree char *name = NULL;

    if (!dom)
        return -1;
    if (!dom->persistent) {
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("cannot undefine transient domain"));
        return -1;
    }
    name = g_strdup(dom->name);
    if (fakeActive(dom))
        dom->persistent = false;
    else
        g_ptr_array_remove(driver->domains, dom);
    g_mutex_unlock(&driver->lock);
    fakeLifecycle(driver, name, uuid, -1, VIR_DOMAIN_EVENT_UNDEFINED,
                  VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
    return 0;
}

/* ---- life cycle ------------------------------------------------------ */

/* Marks @dom running (locked driver); fills @ref. */
static void
fakeStart(qemuDriver *driver, fakeDomain *dom, qemuDomainRef *ref)
{
    dom->id = ++driver->lastDomainID;
    dom->state = VIR_DOMAIN_RUNNING;
    dom->reason = VIR_DOMAIN_RUNNING_BOOTED;
    fakeRef(dom, ref);
}

int
qemuDomainCreate(qemuDriver *driver, const unsigned char *uuid,
                 unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);
    qemuDomainRef ref = { 0 };
    bool slow;

    if (!dom)
        return -1;
    if (fakeActive(dom)) {
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("domain is already running"));
        return -1;
    }
    slow = g_str_has_prefix(dom->name, "slow");
    g_mutex_unlock(&driver->lock);
    if (slow)
        g_usleep(RPC_FAKE_SLOW_MS * 1000);

    if (!(dom = fakeGet(driver, uuid)))
        return -1;
    fakeStart(driver, dom, &ref);
    g_mutex_unlock(&driver->lock);
    fakeLifecycle(driver, ref.name, ref.uuid, ref.id, VIR_DOMAIN_EVENT_STARTED,
                  VIR_DOMAIN_EVENT_STARTED_BOOTED);
    qemuDomainRefClear(&ref);
    return 0;
}

int
qemuDomainCreateXML(qemuDriver *driver, const char *xml, unsigned int flags,
                    qemuDomainRef *ref)
{
    fakeDomain *def = fakeParseXML(xml);
    fakeDomain *dom;
    bool updated = false;

    if (!def || !(dom = fakeAdd(driver, def, false, &updated)))
        return -1;
    if (fakeActive(dom)) {
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("domain is already running"));
        return -1;
    }
    fakeStart(driver, dom, ref);
    g_mutex_unlock(&driver->lock);
    fakeLifecycle(driver, ref->name, ref->uuid, ref->id, VIR_DOMAIN_EVENT_STARTED,
                  VIR_DOMAIN_EVENT_STARTED_BOOTED);
    return 0;
}

/* Moves an active domain of @uuid to @state/@reason, raising @event/@detail. */
static int
fakeTransition(qemuDriver *driver, const unsigned char *uuid, int fromState,
               int state, int reason, int event, int detail)
{
    fakeDomain *dom = fakeGet(driver, uuid);
    qemuDomainRef ref = { 0 };

    if (!dom)
        return -1;
    if (!fakeActive(dom)) {
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
        return -1;
    }
    if (fromState >= 0 && dom->state != fromState) {
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("domain is not in the expected state"));
        return -1;
    }
    fakeRef(dom, &ref);
    dom->state = state;
    dom->reason = reason;
    if (state == VIR_DOMAIN_SHUTOFF) {
        dom->id = -1;
        if (!dom->persistent)
            g_ptr_array_remove(driver->domains, dom);
    }
    g_mutex_unlock(&driver->lock);
    fakeLifecycle(driver, ref.name, ref.uuid, ref.id, event, detail);
    qemuDomainRefClear(&ref);
    return 0;
}

int
qemuDomainDestroy(qemuDriver *driver, const unsigned char *uuid,
                  unsigned int flags)
{
    return fakeTransition(driver, uuid, -1, VIR_DOMAIN_SHUTOFF,
                          VIR_DOMAIN_SHUTOFF_DESTROYED, VIR_DOMAIN_EVENT_STOPPED,
                          VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
}

int
qemuDomainShutdown(qemuDriver *driver, const unsigned char *uuid,
                   unsigned int flags)
{
    return fakeTransition(driver, uuid, -1, VIR_DOMAIN_SHUTOFF,
                          VIR_DOMAIN_SHUTOFF_SHUTDOWN, VIR_DOMAIN_EVENT_STOPPED,
                          VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN);
}

int
qemuDomainSuspend(qemuDriver *driver, const unsigned char *uuid)
{
    return fakeTransition(driver, uuid, VIR_DOMAIN_RUNNING, VIR_DOMAIN_PAUSED,
                          VIR_DOMAIN_PAUSED_USER, VIR_DOMAIN_EVENT_SUSPENDED,
                          VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
}

int
qemuDomainResume(qemuDriver *driver, const unsigned char *uuid)
{
    return fakeTransition(driver, uuid, VIR_DOMAIN_PAUSED, VIR_DOMAIN_RUNNING,
                          VIR_DOMAIN_RUNNING_UNPAUSED, VIR_DOMAIN_EVENT_RESUMED,
                          VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
}

/* ---- queries --------------------------------------------------------- */

char *
qemuDomainGetXMLDesc(qemuDriver *driver, const unsigned char *uuid,
                     unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);
    char *xml;

    if (!dom)
        return NULL;
    xml = g_strdup(dom->xml);
    g_mutex_unlock(&driver->lock);
    return xml;
}

int
qemuDomainGetInfo(qemuDriver *driver, const unsigned char *uuid,
                  qemuDomainInfo *info)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    info->state = dom->state;
    info->maxMemKiB = dom->memKiB;
    info->memKiB = dom->memKiB;
    info->nrVirtCpu = dom->vcpus;
    info->cpuTimeNs = fakeActive(dom) ? 7200000000ULL : 0;
    g_mutex_unlock(&driver->lock);
    return 0;
}

int
qemuDomainGetState(qemuDriver *driver, const unsigned char *uuid, int *state,
                   int *reason, unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    *state = dom->state;
    *reason = dom->reason;
    g_mutex_unlock(&driver->lock);
    return 0;
}

char *
qemuDomainGetOSType(qemuDriver *driver, const unsigned char *uuid)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return NULL;
    g_mutex_unlock(&driver->lock);
    return g_strdup("hvm");
}

int
qemuDomainIsActive(qemuDriver *driver, const unsigned char *uuid)
{
    fakeDomain *dom = fakeGet(driver, uuid);
    int active;

    if (!dom)
        return -1;
    active = fakeActive(dom);
    g_mutex_unlock(&driver->lock);
    return active;
}

int
qemuDomainIsPersistent(qemuDriver *driver, const unsigned char *uuid)
{
    fakeDomain *dom = fakeGet(driver, uuid);
    int persistent;

    if (!dom)
        return -1;
    persistent = dom->persistent;
    g_mutex_unlock(&driver->lock);
    return persistent;
}

int
qemuDomainGetAutostart(qemuDriver *driver, const unsigned char *uuid,
                       int *autostart)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    *autostart = 0;
    g_mutex_unlock(&driver->lock);
    return 0;
}

/* The fake guest's memory: byte i of physical memory is (i & 0xff). */
int
qemuDomainMemoryPeek(qemuDriver *driver, const unsigned char *uuid,
                     unsigned long long offset, size_t size, void *buffer,
                     unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);
    unsigned char *out = buffer;
    size_t i;

    if (!dom)
        return -1;
    g_mutex_unlock(&driver->lock);
    for (i = 0; i < size; i++)
        out[i] = (offset + i) & 0xff;
    return 0;
}

/* ---- jobs ------------------------------------------------------------ */

int
qemuDomainGetJobInfo(qemuDriver *driver, const unsigned char *uuid,
                     qemuDomainJobInfo *info)
{
    fakeDomain *dom = fakeGet(driver, uuid);
    bool active;

    if (!dom)
        return -1;
    active = fakeActive(dom);
    g_mutex_unlock(&driver->lock);
    if (!active) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
        return -1;
    }
    memset(info, 0, sizeof(*info));
    return 0;
}

/* The statistics of a finished outgoing migration. */
static virTypedParamList *
fakeCompletedStats(void)
{
    virTypedParamList *params = virTypedParamListNew();

    virTypedParamListAddInt(params, "operation", 5);
    virTypedParamListAddULLong(params, "time_elapsed", 1484);
    virTypedParamListAddULLong(params, "downtime", 7);
    virTypedParamListAddULLong(params, "data_total", 268828672);
    virTypedParamListAddULLong(params, "data_processed", 208824449);
    virTypedParamListAddULLong(params, "data_remaining", 0);
    virTypedParamListAddULLong(params, "memory_total", 268828672);
    virTypedParamListAddULLong(params, "memory_processed", 208824449);
    virTypedParamListAddULLong(params, "memory_remaining", 0);
    virTypedParamListAddULLong(params, "memory_iteration", 3);
    return params;
}

int
qemuDomainGetJobStats(qemuDriver *driver, const unsigned char *uuid, int *type,
                      virTypedParamList **params, unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    g_mutex_unlock(&driver->lock);
    if (flags & FAKE_JOB_STATS_COMPLETED) {
        *type = 3;
        *params = fakeCompletedStats();
    } else {
        *type = 0;
        *params = virTypedParamListNew();
    }
    return 0;
}
