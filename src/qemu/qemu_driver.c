/*
 * qemu_driver.c: the QEMU driver object: creation, events, listing,
 * lookups and host capabilities.  Domain lifecycle APIs are in
 * qemu_driver_domain.c.
 */
#include <string.h>
#include <unistd.h>

#include "qemu_conf.h"
#include "qemu_domain.h"
#include "qemu_events.h"
#include "qemu_process_event.h"
#include "qemu_monitor.h"
#include "qemu_process.h"
#include "qemu_capabilities.h"
#include "qemu_console.h"
#include "qemu_driver_control.h"
#include "domain_conf.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_driver");

/* libvirt's VIR_CONNECT_LIST_DOMAINS_* */
enum {
    LIST_ACTIVE = 1 << 0,
    LIST_INACTIVE = 1 << 1,
    LIST_PERSISTENT = 1 << 2,
    LIST_TRANSIENT = 1 << 3,
    LIST_RUNNING = 1 << 4,
    LIST_PAUSED = 1 << 5,
    LIST_SHUTOFF = 1 << 6,
    LIST_OTHER = 1 << 7,
    LIST_MANAGEDSAVE = 1 << 8,
    LIST_NO_MANAGEDSAVE = 1 << 9,
    LIST_AUTOSTART = 1 << 10,
    LIST_NO_AUTOSTART = 1 << 11,
    LIST_HAS_SNAPSHOT = 1 << 12,
    LIST_NO_SNAPSHOT = 1 << 13,
    LIST_HAS_CHECKPOINT = 1 << 14,
    LIST_NO_CHECKPOINT = 1 << 15,
    LIST_ALL_FLAGS = (1 << 16) - 1,
};

char *
qemuDriverConfigFile(qemuDriver *driver, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(driver->domainConfigDir, file, NULL);
}

char *
qemuDriverStatusFile(qemuDriver *driver, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(driver->stateDir, file, NULL);
}

char *
qemuDriverMonitorPath(qemuDriver *driver, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.monitor", name);

    return g_build_filename(driver->stateDir, file, NULL);
}

char *
qemuDriverLogFile(qemuDriver *driver, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.log", name);

    return g_build_filename(driver->logDir, file, NULL);
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

    if (!refs)
        return;
    for (i = 0; i < n; i++)
        qemuDomainRefClear(&refs[i]);
    g_free(refs);
}

void
qemuDomainRefFill(qemuDomainRef *ref, virDomainObj *vm)
{
    ref->name = g_strdup(vm->def->name);
    memcpy(ref->uuid, vm->def->uuid, VIR_UUID_BUFLEN);
    ref->id = vm->id;
}

/* ---- events ---- */

int
qemuDriverAddEventListener(qemuDriver *driver, qemuDomainEventCallback cb,
                           void *opaque)
{
    qemuEventListener l = { .cb = cb, .opaque = opaque };

    g_mutex_lock(&driver->eventLock);
    l.id = driver->nextListenerID++;
    g_array_append_val(driver->listeners, l);
    g_mutex_unlock(&driver->eventLock);
    return l.id;
}

void
qemuDriverRemoveEventListener(qemuDriver *driver, int id)
{
    guint i;

    g_mutex_lock(&driver->eventLock);
    for (i = 0; i < driver->listeners->len; i++) {
        if (g_array_index(driver->listeners, qemuEventListener, i).id == id) {
            g_array_remove_index(driver->listeners, i);
            break;
        }
    }
    /* A concurrent emission may still be calling it from its copy of the
     * list: wait, so the caller may free what the listener uses.
     * (Listeners never remove listeners, so this cannot self-deadlock.) */
    while (driver->emitting > 0)
        g_cond_wait(&driver->eventCond, &driver->eventLock);
    g_mutex_unlock(&driver->eventLock);
}

void
qemuDriverEmitEvent(qemuDriver *driver, virDomainObj *vm, int eventID,
                    int event, int detail, GVariant *params)
{
    qemuDomainEvent ev = { .eventID = eventID, .event = event,
                           .detail = detail };
    g_autoptr(GArray) copy = NULL;
    guint i;

    if (params)
        ev.params = g_variant_ref_sink(params);
    /* the definition may be replaced (a stopped domain gets its
     * persistent one back): read it under the lock */
    virDomainObjLock(vm);
    qemuDomainRefFill(&ev.dom, vm);
    virDomainObjUnlock(vm);
    /* call listeners outside the lock: they may (un)register */
    g_mutex_lock(&driver->eventLock);
    copy = g_array_copy(driver->listeners);
    driver->emitting++;
    g_mutex_unlock(&driver->eventLock);
    for (i = 0; i < copy->len; i++) {
        qemuEventListener *l = &g_array_index(copy, qemuEventListener, i);
        l->cb(&ev, l->opaque);
    }
    g_mutex_lock(&driver->eventLock);
    if (--driver->emitting == 0)
        g_cond_broadcast(&driver->eventCond);
    g_mutex_unlock(&driver->eventLock);
    qemuDomainRefClear(&ev.dom);
    if (ev.params)
        g_variant_unref(ev.params);
}

void
qemuDriverEmitLifecycle(qemuDriver *driver, virDomainObj *vm,
                        int event, int detail)
{
    qemuDriverEmitEvent(driver, vm, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                        event, detail, NULL);
}

/* ---- loading state at start-up ---- */

static void
qemuDriverLoadConfigs(qemuDriver *driver)
{
    g_autoptr(GDir) dir = g_dir_open(driver->domainConfigDir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(driver->domainConfigDir, name, NULL);
        g_autofree char *xml = NULL;
        g_autoptr(virDomainDef) def = NULL;
        virDomainObj *vm;

        if (!g_str_has_suffix(name, ".xml"))
            continue;
        if (virFileReadAll(path, 16 * 1024 * 1024, &xml) < 0 ||
            !(def = virDomainDefParseString(xml, VIR_DOMAIN_DEF_PARSE_INACTIVE)) ||
            !(vm = virDomainObjListAdd(driver->domains, &def, 0, NULL))) {
            VIR_ERROR("ignoring domain config %s: %s", path,
                      virGetLastErrorMessage());
            continue;
        }
        if (!vm->privateData)
            qemuDomainObjInitPrivate(driver, vm);
        vm->persistent = true;
        vm->autostart = qemuDomainAutostartLinkExists(driver, vm->def->name);
        virDomainObjSetState(vm, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN);
        virDomainObjEndAPI(&vm);
    }
}

/* Merges a domain found running at start-up into the list: a persistent
 * one keeps its config as newDef. */
static virDomainObj *
qemuDriverAdoptStatus(qemuDriver *driver, virDomainObj *status)
{
    qemuDomainObjPrivate *spriv = QEMU_DOMAIN_PRIVATE(status);
    virDomainDef *def = virDomainDefCopy(status->def, true);
    virDomainDef *oldDef = NULL;
    qemuDomainObjPrivate *priv;
    virDomainObj *vm;

    if (!def ||
        !(vm = virDomainObjListAdd(driver->domains, &def,
                                   VIR_DOMAIN_OBJ_LIST_ADD_LIVE, &oldDef))) {
        virDomainDefFree(def);
        return NULL;
    }
    if (!vm->privateData)
        qemuDomainObjInitPrivate(driver, vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (oldDef && vm->persistent)
        vm->newDef = oldDef;
    else
        virDomainDefFree(oldDef);
    vm->id = status->id;
    vm->def->id = status->id;
    vm->pid = status->pid;
    vm->state = status->state;
    vm->reason = status->reason;
    priv->procStart = spriv->procStart;
    priv->fakeReboot = spriv->fakeReboot;
    priv->monitorPath = g_strdup(spriv->monitorPath);
    priv->taint = spriv->taint;
    /* the async job the status recorded (recovery acts on it) */
    qemuDomainObjRestoreAsyncJob(&priv->job, spriv->job.asyncJob,
                                 spriv->job.phase, spriv->job.apiFlags);
    return vm;
}

/* Adopts every domain that has a status file and reconnects to its
 * QEMU (or cleans up after it) before the driver serves any API call,
 * so the first query already sees the true state.  The domain holds a
 * job meanwhile, as every state change does. */
static void
qemuDriverReconnectAll(qemuDriver *driver)
{
    g_autoptr(GDir) dir = g_dir_open(driver->stateDir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(driver->stateDir, name, NULL);
        g_autoptr(virDomainObj) status = NULL;
        qemuDomainObjPrivate *priv;
        qemuProcessEvent *ev;
        virDomainObj *vm;

        if (!g_str_has_suffix(name, ".xml"))
            continue;
        if (!(status = qemuDomainLoadStatus(driver, path)) ||
            !(vm = qemuDriverAdoptStatus(driver, status))) {
            VIR_ERROR("ignoring status file %s: %s", path,
                      virGetLastErrorMessage());
            ignore_value(virFileRemove(path));
            continue;
        }
        priv = QEMU_DOMAIN_PRIVATE(vm);
        qemuDomainObjBeginStartupJob(vm, &priv->job);
        ev = g_new0(qemuProcessEvent, 1);
        ev->type = QEMU_PROCESS_EVENT_RECONNECT;
        ev->vm = vm;   /* the reference the adoption returned */
        virDomainObjUnlock(vm);
        qemuProcessEventWorker(ev, driver);
    }
}

static gpointer
qemuDriverMonitorThread(gpointer opaque)
{
    qemuDriver *driver = opaque;

    /* not g_main_loop_run: a quit issued before it starts would be lost */
    g_main_context_push_thread_default(driver->ctx);
    while (!g_atomic_int_get(&driver->monQuit))
        g_main_context_iteration(driver->ctx, TRUE);
    g_main_context_pop_thread_default(driver->ctx);
    return NULL;
}

/* Closes every domain's monitor (QEMU keeps running), failing commands
 * still waiting, so that workers can finish at daemon exit. */
static void
qemuDriverCloseMonitors(qemuDriver *driver)
{
    virDomainObj **objs = virDomainObjListSnapshot(driver->domains, NULL);
    size_t i;

    for (i = 0; objs[i]; i++) {
        qemuDomainObjPrivate *priv;

        virDomainObjLock(objs[i]);
        priv = QEMU_DOMAIN_PRIVATE(objs[i]);
        if (priv)
            qemuMonitorClose(g_steal_pointer(&priv->mon));
        virDomainObjUnlock(objs[i]);
    }
    virDomainObjListFreeSnapshot(objs);
}

qemuDriver *
qemuDriverNew(const qemuDriverConfig *cfg)
{
    g_autoptr(qemuDriver) driver = g_new0(qemuDriver, 1);

    driver->domainConfigDir = g_strdup(cfg->domainConfigDir);
    driver->stateDir = g_strdup(cfg->stateDir);
    driver->logDir = g_strdup(cfg->logDir);
    driver->libDir = g_strdup(cfg->libDir);
    driver->emulator = g_strdup(cfg->emulator);
    memcpy(driver->hostUUID, cfg->hostUUID, VIR_UUID_BUFLEN);
    driver->migrationAddress = g_strdup(cfg->migrationAddress);
    driver->migrationPortMin = cfg->migrationPortMin;
    driver->migrationPortMax = cfg->migrationPortMax;
    driver->jobWaitTimeoutMs = cfg->jobWaitTimeoutMs;
    driver->postcopyPreempt = cfg->postcopyPreempt;
    driver->migrateTLSx509CertDir = g_strdup(cfg->migrateTLSx509CertDir);
    driver->migrateTLSx509Verify = cfg->migrateTLSx509Verify;
    driver->migrateTLSForce = cfg->migrateTLSForce;
    driver->peerOps = cfg->peerOps;
    driver->peerOpaque = cfg->peerOpaque;
    /* QEMU monitors get their own event thread so that their I/O never
     * depends on the daemon's main loop (which stops first at exit). */
    driver->ctx = g_main_context_new();
    driver->monThread = g_thread_new("qemu-monitor", qemuDriverMonitorThread,
                                     driver);
    driver->domains = virDomainObjListNew();
    g_mutex_init(&driver->eventLock);
    g_cond_init(&driver->eventCond);
    driver->listeners = g_array_new(FALSE, FALSE, sizeof(qemuEventListener));
    driver->nextListenerID = 1;
    driver->caps = qemuCapsNew(driver->emulator);
    g_mutex_init(&driver->consoleLock);
    driver->consoles = qemuConsoleListNew();
    driver->workers = g_thread_pool_new(qemuProcessEventWorker, driver, 2,
                                        FALSE, NULL);

    qemuDriverLoadConfigs(driver);
    qemuDriverReconnectAll(driver);
    qemuDriverAutostart(driver);
    return g_steal_pointer(&driver);
}

void
qemuDriverShutdownBegin(qemuDriver *driver)
{
    g_atomic_int_set(&driver->shuttingDown, 1);
}

void
qemuDriverFree(qemuDriver *driver)
{
    if (!driver)
        return;
    g_atomic_int_set(&driver->shuttingDown, 1);
    qemuDriverCloseMonitors(driver);
    /* finish deferred work first: it references domains */
    if (driver->workers)
        g_thread_pool_free(driver->workers, FALSE, TRUE);
    qemuDriverCloseMonitors(driver);
    g_atomic_int_set(&driver->monQuit, 1);
    g_main_context_wakeup(driver->ctx);
    g_thread_join(driver->monThread);
    virDomainObjListFree(driver->domains);
    g_array_unref(driver->listeners);
    g_cond_clear(&driver->eventCond);
    g_mutex_clear(&driver->eventLock);
    qemuCapsFree(driver->caps);
    g_ptr_array_unref(driver->consoles);
    g_mutex_clear(&driver->consoleLock);
    g_main_context_unref(driver->ctx);
    g_free(driver->domainConfigDir);
    g_free(driver->stateDir);
    g_free(driver->logDir);
    g_free(driver->libDir);
    g_free(driver->emulator);
    g_free(driver->migrationAddress);
    g_free(driver->migrateTLSx509CertDir);
    g_free(driver);
}

/* ---- listing and lookup ---- */

bool
qemuDomainMatchesFilter(virDomainObj *vm, unsigned int flags)
{
    bool active = virDomainObjIsActive(vm);
    int st = vm->state;

    if ((flags & (LIST_ACTIVE | LIST_INACTIVE)) &&
        !((flags & LIST_ACTIVE && active) || (flags & LIST_INACTIVE && !active)))
        return false;
    if ((flags & (LIST_PERSISTENT | LIST_TRANSIENT)) &&
        !((flags & LIST_PERSISTENT && vm->persistent) ||
          (flags & LIST_TRANSIENT && !vm->persistent)))
        return false;
    if ((flags & (LIST_RUNNING | LIST_PAUSED | LIST_SHUTOFF | LIST_OTHER)) &&
        !((flags & LIST_RUNNING && st == VIR_DOMAIN_RUNNING) ||
          (flags & LIST_PAUSED && st == VIR_DOMAIN_PAUSED) ||
          (flags & LIST_SHUTOFF && st == VIR_DOMAIN_SHUTOFF) ||
          (flags & LIST_OTHER && st != VIR_DOMAIN_RUNNING &&
           st != VIR_DOMAIN_PAUSED && st != VIR_DOMAIN_SHUTOFF)))
        return false;
    if ((flags & (LIST_AUTOSTART | LIST_NO_AUTOSTART)) &&
        !((flags & LIST_AUTOSTART && vm->autostart) ||
          (flags & LIST_NO_AUTOSTART && !vm->autostart)))
        return false;
    /* no managed save, snapshots or checkpoints exist */
    if (((flags & LIST_MANAGEDSAVE) && !(flags & LIST_NO_MANAGEDSAVE)) ||
        ((flags & LIST_HAS_SNAPSHOT) && !(flags & LIST_NO_SNAPSHOT)) ||
        ((flags & LIST_HAS_CHECKPOINT) && !(flags & LIST_NO_CHECKPOINT)))
        return false;
    return true;
}

int
qemuConnectListAllDomains(qemuDriver *driver, qemuDomainRef **doms,
                          unsigned int flags)
{
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(qemuDomainRef));
    virDomainObj **objs;
    size_t i;

    if (!virCheckFlags(flags, LIST_ALL_FLAGS))
        return -1;
    objs = virDomainObjListSnapshot(driver->domains, NULL);
    for (i = 0; objs[i]; i++) {
        virDomainObjLock(objs[i]);
        if (!objs[i]->removing && qemuDomainMatchesFilter(objs[i], flags)) {
            qemuDomainRef ref = { 0 };

            qemuDomainRefFill(&ref, objs[i]);
            g_array_append_val(out, ref);
        }
        virDomainObjUnlock(objs[i]);
    }
    virDomainObjListFreeSnapshot(objs);
    i = out->len;
    if (doms)
        *doms = (qemuDomainRef *)g_array_free(g_steal_pointer(&out), FALSE);
    else
        qemuDomainRefListFree((qemuDomainRef *)g_array_free(g_steal_pointer(&out),
                                                            FALSE), i);
    return i;
}

int
qemuConnectNumOfDomains(qemuDriver *driver)
{
    return qemuConnectListAllDomains(driver, NULL, LIST_ACTIVE);
}

int
qemuConnectNumOfDefinedDomains(qemuDriver *driver)
{
    return qemuConnectListAllDomains(driver, NULL, LIST_INACTIVE);
}

int
qemuConnectListDomains(qemuDriver *driver, int *ids, int maxids)
{
    qemuDomainRef *refs = NULL;
    int n = qemuConnectListAllDomains(driver, &refs, LIST_ACTIVE);
    int i;

    if (n < 0)
        return -1;
    for (i = 0; i < n && i < maxids; i++)
        ids[i] = refs[i].id;
    qemuDomainRefListFree(refs, n);
    return MIN(n, maxids);
}

int
qemuConnectListDefinedDomains(qemuDriver *driver, char **names, int maxnames)
{
    qemuDomainRef *refs = NULL;
    int n = qemuConnectListAllDomains(driver, &refs, LIST_INACTIVE);
    int i;

    if (n < 0)
        return -1;
    for (i = 0; i < n && i < maxnames; i++)
        names[i] = g_steal_pointer(&refs[i].name);
    qemuDomainRefListFree(refs, n);
    return MIN(n, maxnames);
}

static int
qemuDomainLookupFinish(virDomainObj *vm, qemuDomainRef *ref)
{
    if (!vm)
        return -1;
    qemuDomainRefFill(ref, vm);
    virDomainObjEndAPI(&vm);
    return 0;
}

int
qemuDomainLookupByName(qemuDriver *driver, const char *name, qemuDomainRef *ref)
{
    return qemuDomainLookupFinish(virDomainObjListFindByName(driver->domains,
                                                             name), ref);
}

int
qemuDomainLookupByUUID(qemuDriver *driver, const unsigned char *uuid,
                       qemuDomainRef *ref)
{
    return qemuDomainLookupFinish(virDomainObjListFindByUUID(driver->domains,
                                                             uuid), ref);
}

int
qemuDomainLookupByID(qemuDriver *driver, int id, qemuDomainRef *ref)
{
    return qemuDomainLookupFinish(virDomainObjListFindByID(driver->domains,
                                                           id), ref);
}

char *
qemuConnectGetCapabilities(qemuDriver *driver)
{
    return qemuCapsFormatXML(driver->caps, driver->hostUUID);
}
