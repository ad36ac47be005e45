/*
 * qemu_driver_domain.c: domain lifecycle and query APIs of the driver
 *
 * Each API is a checklist: find the domain, check arguments and state,
 * take the job it needs, do the work (qemu_process.c), persist, emit
 * the event, end the job.
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "qemu_conf.h"
#include "qemu_domain.h"
#include "qemu_process.h"
#include "qemu_driver_control.h"
#include "qemu_monitor_json.h"
#include "domain_conf.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"
#include "virprocess.h"
#include "virtypedparam.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_driver_domain");

/* libvirt API flag values */
#define VIR_DOMAIN_DEFINE_VALIDATE (1 << 0)
#define VIR_DOMAIN_START_PAUSED (1 << 0)
#define VIR_DOMAIN_START_AUTODESTROY (1 << 1)
#define VIR_DOMAIN_START_BYPASS_CACHE (1 << 2)
#define VIR_DOMAIN_START_FORCE_BOOT (1 << 3)
#define VIR_DOMAIN_START_VALIDATE (1 << 4)
#define VIR_DOMAIN_DESTROY_GRACEFUL (1 << 0)
#define VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN (1 << 0)
#define VIR_DOMAIN_UNDEFINE_MANAGED_SAVE (1 << 0)
#define VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA (1 << 1)
#define VIR_DOMAIN_UNDEFINE_NVRAM (1 << 2)
#define VIR_DOMAIN_UNDEFINE_KEEP_NVRAM (1 << 3)
#define VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA (1 << 4)
#define VIR_DOMAIN_UNDEFINE_TPM (1 << 5)
#define VIR_DOMAIN_UNDEFINE_KEEP_TPM (1 << 6)
#define VIR_DOMAIN_JOB_STATS_COMPLETED (1 << 0)
#define VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED (1 << 1)

static virDomainObj *
qemuDomObjFromUUID(qemuDriver *driver, const unsigned char *uuid)
{
    return virDomainObjListFindByUUID(driver->domains, uuid);
}

static bool
qemuDomainCheckActive(virDomainObj *vm)
{
    if (virDomainObjIsActive(vm))
        return true;
    virReportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
    return false;
}

/* Drops the domain from the list if it is transient and shut off. */
static void
qemuDomainRemoveInactive(qemuDriver *driver, virDomainObj *vm)
{
    if (!vm->persistent && !virDomainObjIsActive(vm))
        virDomainObjListRemove(driver->domains, vm);
}

/* Emits an event with @vm unlocked (listeners may look domains up). */
static void
qemuDomainEmitUnlocked(qemuDriver *driver, virDomainObj *vm, int event,
                       int detail)
{
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(driver, vm, event, detail);
    virDomainObjLock(vm);
}

/* Puts the definition replaced by a failed define back. */
static void
qemuDomainDefineRollback(qemuDriver *driver, virDomainObj *vm,
                         virDomainDef **oldDef, bool wasPersistent)
{
    virDomainDef **slot = virDomainObjIsActive(vm) ? &vm->newDef : &vm->def;

    if (!*oldDef) {
        /* a brand new domain, or a transient running one */
        if (virDomainObjIsActive(vm))
            g_clear_pointer(&vm->newDef, virDomainDefFree);
        else
            virDomainObjListRemove(driver->domains, vm);
        return;
    }
    virDomainDefFree(*slot);
    *slot = g_steal_pointer(oldDef);
    vm->persistent = wasPersistent;
}

int
qemuDomainDefineXML(qemuDriver *driver, const char *xml, unsigned int flags,
                    qemuDomainRef *ref)
{
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virDomainDef) oldDef = NULL;
    virDomainObj *vm;
    bool wasPersistent;

    if (!virCheckFlags(flags, VIR_DOMAIN_DEFINE_VALIDATE))
        return -1;
    if (!(def = qemuDomainDefParseString(driver, xml, VIR_DOMAIN_DEF_PARSE_INACTIVE)))
        return -1;
    if (!(vm = virDomainObjListAdd(driver->domains, &def, 0, &oldDef)))
        return -1;
    if (!vm->privateData)
        qemuDomainObjInitPrivate(driver, vm);
    wasPersistent = vm->persistent;
    if (qemuDomainSaveConfig(driver, virDomainObjGetPersistentDef(vm)) < 0) {
        qemuDomainDefineRollback(driver, vm, &oldDef, wasPersistent);
        virDomainObjEndAPI(&vm);
        return -1;
    }
    vm->persistent = true;
    qemuDomainRefFill(ref, vm);
    qemuDomainEmitUnlocked(driver, vm, VIR_DOMAIN_EVENT_DEFINED,
                           wasPersistent ? VIR_DOMAIN_EVENT_DEFINED_UPDATED
                                         : VIR_DOMAIN_EVENT_DEFINED_ADDED);
    virDomainObjEndAPI(&vm);
    return 0;
}

int
qemuDomainUndefine(qemuDriver *driver, const unsigned char *uuid,
                   unsigned int flags)
{
    qemuDomainObjPrivate *priv;
    virDomainObj *vm;
    int ret = -1;

    if (!virCheckFlags(flags, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                              VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                              VIR_DOMAIN_UNDEFINE_NVRAM |
                              VIR_DOMAIN_UNDEFINE_KEEP_NVRAM |
                              VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA |
                              VIR_DOMAIN_UNDEFINE_TPM |
                              VIR_DOMAIN_UNDEFINE_KEEP_TPM))
        return -1;
    if (!(vm = qemuDomObjFromUUID(driver, uuid)))
        return -1;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_MODIFY,
                              driver->jobWaitTimeoutMs) < 0)
        goto cleanup;
    if (!vm->persistent) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("cannot undefine transient domain"));
        goto endjob;
    }
    if (qemuDomainDeleteConfig(driver, vm->def->name) < 0)
        goto endjob;
    qemuDomainAutostartRemove(driver, vm->def->name);
    vm->autostart = false;
    vm->persistent = false;
    g_clear_pointer(&vm->newDef, virDomainDefFree);
    if (virDomainObjIsActive(vm))
        qemuDomainSaveStatusOrWarn(driver, vm);
    ret = 0;
    qemuDomainEmitUnlocked(driver, vm, VIR_DOMAIN_EVENT_UNDEFINED,
                           VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
 endjob:
    qemuDomainObjEndJob(vm, &priv->job);
    if (ret == 0)
        qemuDomainRemoveInactive(driver, vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

/* Starts @vm (locked, job held) and emits STARTED. */
static int
qemuDomainStartLocked(qemuDriver *driver, virDomainObj *vm, unsigned int flags)
{
    unsigned int pflags = 0;

    if (flags & VIR_DOMAIN_START_PAUSED)
        pflags |= QEMU_PROCESS_START_PAUSED;
    if (qemuProcessStart(driver, vm, pflags) < 0)
        return -1;
    qemuDomainEmitUnlocked(driver, vm, VIR_DOMAIN_EVENT_STARTED,
                           VIR_DOMAIN_EVENT_STARTED_BOOTED);
    if (flags & VIR_DOMAIN_START_PAUSED)
        qemuDomainEmitUnlocked(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                               VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    return 0;
}

/* Start flags that are accepted: FORCE_BOOT and BYPASS_CACHE only
 * matter for managed-save images, which virtmig never has. */
#define QEMU_START_FLAGS (VIR_DOMAIN_START_PAUSED | \
                          VIR_DOMAIN_START_BYPASS_CACHE | \
                          VIR_DOMAIN_START_FORCE_BOOT | \
                          VIR_DOMAIN_START_VALIDATE)

int
qemuDomainCreate(qemuDriver *driver, const unsigned char *uuid,
                 unsigned int flags)
{
    qemuDomainObjPrivate *priv;
    virDomainObj *vm;
    int ret = -1;

    if (!virCheckFlags(flags, QEMU_START_FLAGS))
        return -1;
    if (!(vm = qemuDomObjFromUUID(driver, uuid)))
        return -1;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_MODIFY,
                              driver->jobWaitTimeoutMs) < 0)
        goto cleanup;
    if (virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("domain is already running"));
    } else {
        ret = qemuDomainStartLocked(driver, vm, flags);
    }
    qemuDomainObjEndJob(vm, &priv->job);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

int
qemuDomainCreateXML(qemuDriver *driver, const char *xml, unsigned int flags,
                    qemuDomainRef *ref)
{
    g_autoptr(virDomainDef) def = NULL;
    qemuDomainObjPrivate *priv;
    virDomainObj *vm;
    int ret = -1;

    if (!virCheckFlags(flags, QEMU_START_FLAGS))
        return -1;
    if (!(def = qemuDomainDefParseString(driver, xml, VIR_DOMAIN_DEF_PARSE_INACTIVE)))
        return -1;
    if (!(vm = virDomainObjListAdd(driver->domains, &def,
                                   VIR_DOMAIN_OBJ_LIST_ADD_CHECK_LIVE |
                                   VIR_DOMAIN_OBJ_LIST_ADD_LIVE, NULL)))
        return -1;
    if (!vm->privateData)
        qemuDomainObjInitPrivate(driver, vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_MODIFY,
                              driver->jobWaitTimeoutMs) == 0) {
        ret = qemuDomainStartLocked(driver, vm, flags);
        qemuDomainObjEndJob(vm, &priv->job);
    }
    if (ret == 0)
        qemuDomainRefFill(ref, vm);
    else
        qemuDomainRemoveInactive(driver, vm);
    virDomainObjEndAPI(&vm);
    return ret;
}

int
qemuDomainDestroy(qemuDriver *driver, const unsigned char *uuid,
                  unsigned int flags)
{
    qemuDomainObjPrivate *priv;
    virDomainObj *vm;
    int ret = -1;

    if (!virCheckFlags(flags, VIR_DOMAIN_DESTROY_GRACEFUL))
        return -1;
    if (!(vm = qemuDomObjFromUUID(driver, uuid)))
        return -1;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (!qemuDomainCheckActive(vm))
        goto cleanup;
    /* Destroy can always interrupt: make QEMU go away first so that a
     * job stuck talking to it (e.g. a migration) fails and lets us in. */
    priv->beingDestroyed = true;
    if (!(flags & VIR_DOMAIN_DESTROY_GRACEFUL) && vm->pid > 0)
        ignore_value(kill(vm->pid, SIGTERM));
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_DESTROY,
                              driver->jobWaitTimeoutMs) < 0) {
        priv->beingDestroyed = false;
        goto cleanup;
    }
    if (virDomainObjIsActive(vm)) {
        qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_DESTROYED);
        ret = 0;
        qemuDomainEmitUnlocked(driver, vm, VIR_DOMAIN_EVENT_STOPPED,
                               VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    } else {
        ignore_value(qemuDomainCheckActive(vm));
    }
    priv->beingDestroyed = false;
    qemuDomainObjEndJob(vm, &priv->job);
    qemuDomainRemoveInactive(driver, vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

typedef int (*qemuDomainJobFunc)(qemuDriver *driver, virDomainObj *vm);

/* Finds the domain, takes @job, checks it runs and calls @func with the
 * domain locked and the job held. */
static int
qemuDomainRunActiveJob(qemuDriver *driver, const unsigned char *uuid,
                       virDomainJob job, qemuDomainJobFunc func)
{
    qemuDomainObjPrivate *priv;
    virDomainObj *vm;
    int ret = -1;

    if (!(vm = qemuDomObjFromUUID(driver, uuid)))
        return -1;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (qemuDomainObjBeginJob(vm, &priv->job, job, driver->jobWaitTimeoutMs) < 0)
        goto cleanup;
    if (qemuDomainCheckActive(vm))
        ret = func(driver, vm);
    qemuDomainObjEndJob(vm, &priv->job);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainShutdownJob(qemuDriver *driver, virDomainObj *vm)
{
    qemuMonitor *mon;
    int ret;

    qemuDomainFakeRebootCancel(vm);
    mon = qemuDomainObjEnterMonitor(vm);
    ret = mon ? qemuMonitorJSONSystemPowerdown(mon) : -1;

    qemuDomainObjExitMonitor(vm, mon);
    return ret;
}

int
qemuDomainShutdown(qemuDriver *driver, const unsigned char *uuid,
                   unsigned int flags)
{
    if (!virCheckFlags(flags, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN))
        return -1;
    return qemuDomainRunActiveJob(driver, uuid, VIR_JOB_MODIFY,
                                  qemuDomainShutdownJob);
}

static int
qemuDomainSuspendJob(qemuDriver *driver, virDomainObj *vm)
{
    if (vm->state != VIR_DOMAIN_PAUSED &&
        qemuProcessStopCPUs(driver, vm, VIR_DOMAIN_PAUSED_USER) < 0)
        return -1;
    qemuDomainSaveStatusOrWarn(driver, vm);
    return 0;
}

int
qemuDomainSuspend(qemuDriver *driver, const unsigned char *uuid)
{
    return qemuDomainRunActiveJob(driver, uuid, VIR_JOB_SUSPEND,
                                  qemuDomainSuspendJob);
}

static int
qemuDomainResumeJob(qemuDriver *driver, virDomainObj *vm)
{
    if (vm->state != VIR_DOMAIN_RUNNING &&
        qemuProcessStartCPUs(driver, vm, VIR_DOMAIN_RUNNING_UNPAUSED) < 0)
        return -1;
    qemuDomainSaveStatusOrWarn(driver, vm);
    return 0;
}

int
qemuDomainResume(qemuDriver *driver, const unsigned char *uuid)
{
    return qemuDomainRunActiveJob(driver, uuid, VIR_JOB_MODIFY,
                                  qemuDomainResumeJob);
}

char *
qemuDomainGetXMLDesc(qemuDriver *driver, const unsigned char *uuid,
                     unsigned int flags)
{
    virDomainObj *vm;
    unsigned int fmt = virDomainDefFormatConvertXMLFlags(flags);
    const virDomainDef *def;
    char *ret;

    if (!virCheckFlags(flags, VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE |
                              VIR_DOMAIN_XML_UPDATE_CPU |
                              VIR_DOMAIN_XML_MIGRATABLE))
        return NULL;
    if (!(vm = qemuDomObjFromUUID(driver, uuid)))
        return NULL;
    def = vm->def;
    if (flags & VIR_DOMAIN_XML_INACTIVE)
        def = virDomainObjGetPersistentDef(vm);
    if (!virDomainObjIsActive(vm))
        fmt |= VIR_DOMAIN_DEF_FORMAT_INACTIVE;
    ret = virDomainDefFormat(def, fmt);
    virDomainObjEndAPI(&vm);
    return ret;
}

int
qemuDomainGetInfo(qemuDriver *driver, const unsigned char *uuid,
                  qemuDomainInfo *info)
{
    virDomainObj *vm;

    if (!(vm = qemuDomObjFromUUID(driver, uuid)))
        return -1;
    memset(info, 0, sizeof(*info));
    info->state = vm->state;
    info->maxMemKiB = vm->def->memory;
    info->memKiB = vm->def->currentMemory;
    info->nrVirtCpu = vm->def->vcpus;
    if (virDomainObjIsActive(vm))
        info->cpuTimeNs = virProcessGetCPUTime(vm->pid);
    virDomainObjEndAPI(&vm);
    return 0;
}

int
qemuDomainGetState(qemuDriver *driver, const unsigned char *uuid,
                   int *state, int *reason, unsigned int flags)
{
    virDomainObj *vm;

    if (!virCheckFlags(flags, 0))
        return -1;
    if (!(vm = qemuDomObjFromUUID(driver, uuid)))
        return -1;
    *state = virDomainObjGetState(vm, reason);
    virDomainObjEndAPI(&vm);
    return 0;
}

char *
qemuDomainGetOSType(qemuDriver *driver, const unsigned char *uuid)
{
    virDomainObj *vm;

    if (!(vm = qemuDomObjFromUUID(driver, uuid)))
        return NULL;
    virDomainObjEndAPI(&vm);
    return g_strdup("hvm");
}

int
qemuDomainIsActive(qemuDriver *driver, const unsigned char *uuid)
{
    virDomainObj *vm;
    int ret;

    if (!(vm = qemuDomObjFromUUID(driver, uuid)))
        return -1;
    ret = virDomainObjIsActive(vm);
    virDomainObjEndAPI(&vm);
    return ret;
}

int
qemuDomainIsPersistent(qemuDriver *driver, const unsigned char *uuid)
{
    virDomainObj *vm;
    int ret;

    if (!(vm = qemuDomObjFromUUID(driver, uuid)))
        return -1;
    ret = vm->persistent;
    virDomainObjEndAPI(&vm);
    return ret;
}

int
qemuDomainGetAutostart(qemuDriver *driver, const unsigned char *uuid,
                       int *autostart)
{
    virDomainObj *vm;

    if (!(vm = qemuDomObjFromUUID(driver, uuid)))
        return -1;
    *autostart = vm->autostart;
    virDomainObjEndAPI(&vm);
    return 0;
}

/* A copy of the job data a query reports: the running async job
 * (statistics refreshed from QEMU while it migrates) or, with
 * @completed, the last finished one (consumed unless @keep). */
static qemuDomainJobData *
qemuDomainJobDataForQuery(qemuDriver *driver, virDomainObj *vm,
                          bool completed, bool keep)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuDomainJobData *data;
    qemuMonitor *mon;

    if (completed) {
        data = qemuDomainJobDataCopy(priv->job.completed);
        if (!keep)
            g_clear_pointer(&priv->job.completed, qemuDomainJobDataFree);
        return data;
    }
    if (!priv->job.current || priv->job.asyncJob == VIR_ASYNC_JOB_NONE)
        return NULL;
    if (priv->job.current->status == QEMU_DOMAIN_JOB_STATUS_MIGRATING &&
        priv->job.asyncJob == VIR_ASYNC_JOB_MIGRATION_OUT &&
        qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_QUERY,
                              driver->jobWaitTimeoutMs) == 0) {
        g_auto(qemuMonitorMigrationStats) stats = { 0 };

        mon = qemuDomainObjEnterMonitor(vm);
        if (mon && qemuMonitorJSONGetMigrationStats(mon, &stats) == 0 &&
            priv->job.current) {
            qemuMonitorMigrationStatsClear(&priv->job.current->stats);
            priv->job.current->stats = stats;
            memset(&stats, 0, sizeof(stats));
        }
        qemuDomainObjExitMonitor(vm, mon);
        qemuDomainObjEndJob(vm, &priv->job);
        virResetLastError();
    }
    return qemuDomainJobDataCopy(priv->job.current);
}

int
qemuDomainGetJobInfo(qemuDriver *driver, const unsigned char *uuid,
                     qemuDomainJobInfo *info)
{
    g_autoptr(qemuDomainJobData) data = NULL;
    g_autoptr(virTypedParamList) list = virTypedParamListNew();
    virDomainObj *vm;
    size_t i;

    if (!(vm = qemuDomObjFromUUID(driver, uuid)))
        return -1;
    data = qemuDomainJobDataForQuery(driver, vm, false, true);
    virDomainObjEndAPI(&vm);
    memset(info, 0, sizeof(*info));
    info->type = qemuDomainJobDataToType(data);
    if (!data || qemuDomainJobDataToParams(data, list) < 0)
        return 0;
    for (i = 0; i < list->npar; i++) {
        const virTypedParameter *p = &list->par[i];
        static const struct {
            const char *name;
            size_t offset;
        } map[] = {
            { "time_elapsed", G_STRUCT_OFFSET(qemuDomainJobInfo, timeElapsed) },
            { "time_remaining", G_STRUCT_OFFSET(qemuDomainJobInfo, timeRemaining) },
            { "data_total", G_STRUCT_OFFSET(qemuDomainJobInfo, dataTotal) },
            { "data_processed", G_STRUCT_OFFSET(qemuDomainJobInfo, dataProcessed) },
            { "data_remaining", G_STRUCT_OFFSET(qemuDomainJobInfo, dataRemaining) },
            { "memory_total", G_STRUCT_OFFSET(qemuDomainJobInfo, memTotal) },
            { "memory_processed", G_STRUCT_OFFSET(qemuDomainJobInfo, memProcessed) },
            { "memory_remaining", G_STRUCT_OFFSET(qemuDomainJobInfo, memRemaining) },
            { "disk_total", G_STRUCT_OFFSET(qemuDomainJobInfo, fileTotal) },
            { "disk_processed", G_STRUCT_OFFSET(qemuDomainJobInfo, fileProcessed) },
            { "disk_remaining", G_STRUCT_OFFSET(qemuDomainJobInfo, fileRemaining) },
        };
        size_t j;

        if (p->type != VIR_TYPED_PARAM_ULLONG)
            continue;
        for (j = 0; j < G_N_ELEMENTS(map); j++) {
            if (g_str_equal(p->field, map[j].name))
                G_STRUCT_MEMBER(unsigned long long, info, map[j].offset) = p->value.ul;
        }
    }
    return 0;
}

int
qemuDomainGetJobStats(qemuDriver *driver, const unsigned char *uuid,
                      int *type, virTypedParamList **params,
                      unsigned int flags)
{
    g_autoptr(qemuDomainJobData) data = NULL;
    g_autoptr(virTypedParamList) list = virTypedParamListNew();
    virDomainObj *vm;

    if (!virCheckFlags(flags, VIR_DOMAIN_JOB_STATS_COMPLETED |
                              VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED))
        return -1;
    if (!(vm = qemuDomObjFromUUID(driver, uuid)))
        return -1;
    data = qemuDomainJobDataForQuery(driver, vm,
                                     flags & VIR_DOMAIN_JOB_STATS_COMPLETED,
                                     flags & VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED);
    virDomainObjEndAPI(&vm);
    *type = qemuDomainJobDataToType(data);
    if (data && qemuDomainJobDataToParams(data, list) < 0)
        return -1;
    *params = g_steal_pointer(&list);
    return 0;
}

#define VIR_MEMORY_VIRTUAL (1 << 0)
#define VIR_MEMORY_PHYSICAL (1 << 1)

int
qemuDomainMemoryPeek(qemuDriver *driver, const unsigned char *uuid,
                     unsigned long long offset, size_t size, void *buffer,
                     unsigned int flags)
{
    g_autofree char *tmp = NULL;
    g_autofree char *data = NULL;
    qemuDomainObjPrivate *priv;
    virDomainObj *vm;
    qemuMonitor *mon;
    gssize len;
    int rc = -1;
    int fd;

    if (!virCheckFlags(flags, VIR_MEMORY_VIRTUAL | VIR_MEMORY_PHYSICAL))
        return -1;
    if (flags != VIR_MEMORY_VIRTUAL && flags != VIR_MEMORY_PHYSICAL) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("flags parameter must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL"));
        return -1;
    }
    /* QEMU writes the range to a file we read back */
    tmp = g_build_filename(driver->stateDir, "qemu.mem.XXXXXX", NULL);
    if ((fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600)) < 0) {
        virReportSystemError(errno, _("cannot create temporary file '%1$s'"), tmp);
        return -1;
    }
    close(fd);
    if (!(vm = qemuDomObjFromUUID(driver, uuid)))
        goto cleanup;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_QUERY,
                              driver->jobWaitTimeoutMs) == 0) {
        if (qemuDomainCheckActive(vm)) {
            mon = qemuDomainObjEnterMonitor(vm);
            if (mon && flags == VIR_MEMORY_PHYSICAL)
                rc = qemuMonitorJSONSavePhysicalMemory(mon, offset, size, tmp);
            else if (mon)
                rc = qemuMonitorJSONSaveVirtualMemory(mon, offset, size, tmp);
            qemuDomainObjExitMonitor(vm, mon);
        }
        qemuDomainObjEndJob(vm, &priv->job);
    }
    virDomainObjEndAPI(&vm);
    if (rc < 0)
        goto cleanup;
    rc = -1;
    if ((len = virFileReadAll(tmp, size, &data)) < 0)
        goto cleanup;
    if ((size_t)len != size) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("QEMU saved %1$zd of %2$zu bytes of memory"), len, size);
        goto cleanup;
    }
    memcpy(buffer, data, size);
    rc = 0;
 cleanup:
    unlink(tmp);
    return rc;
}
