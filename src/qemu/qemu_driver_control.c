/*
 * qemu_driver_control.c: simple control APIs: memory size, reboot,
 * reset, autostart; the (empty) snapshot and checkpoint lists
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "qemu_driver_control.h"
#include "qemu_domain.h"
#include "qemu_monitor_json.h"
#include "qemu_monitor_json_stats.h"
#include "qemu_process.h"
#include "domain_conf.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_driver_control");

/* libvirt's flag values */
#define QEMU_MEM_MAXIMUM (1 << 2)
#define QEMU_REBOOT_ACPI_POWER_BTN (1 << 0)
#define QEMU_REBOOT_GUEST_AGENT (1 << 1)
#define QEMU_SNAPSHOT_LIST_ALL ((1 << 11) - 1)
#define QEMU_CHECKPOINT_LIST_ALL ((1 << 4) - 1)

static bool
qemuControlCheckActive(virDomainObj *vm)
{
    if (virDomainObjIsActive(vm))
        return true;
    virReportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
    return false;
}

/* ---- memory ---- */

/* Sets the balloon of the running @vm (job held). */
static int
qemuControlSetBalloon(virDomainObj *vm, unsigned long long memKiB)
{
    qemuMonitor *mon;
    int rc = -1;

    if (!vm->def->memballoon ||
        vm->def->memballoon->model != VIR_DOMAIN_MEMBALLOON_MODEL_VIRTIO) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("Unable to change memory of active domain without the balloon device"));
        return -1;
    }
    if ((mon = qemuDomainObjEnterMonitor(vm)))
        rc = qemuMonitorJSONSetBalloon(mon, memKiB);
    qemuDomainObjExitMonitor(vm, mon);
    if (rc == 0) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("Unable to change memory of active domain without the balloon device and guest OS balloon driver"));
        return -1;
    }
    return rc < 0 ? -1 : 0;
}

/* The work of SetMemoryFlags with the job held: libvirt's checks in
 * its order. */
static int
qemuControlSetMemory(qemuDriver *driver, virDomainObj *vm,
                     unsigned long long memKiB, unsigned int flags)
{
    virDomainDef *def;
    virDomainDef *persistentDef;
    unsigned long long oldmax = 0;

    if (virDomainObjGetDefs(vm, flags, &def, &persistentDef) < 0)
        return -1;
    if (flags & QEMU_MEM_MAXIMUM) {
        if (def) {
            virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                           _("cannot resize the maximum memory on an active domain"));
            return -1;
        }
        persistentDef->memory = memKiB;
        if (persistentDef->currentMemory > memKiB)
            persistentDef->currentMemory = memKiB;
        return qemuDomainSaveConfig(driver, persistentDef);
    }
    if (def)
        oldmax = def->memory;
    if (persistentDef && (!oldmax || oldmax > persistentDef->memory))
        oldmax = persistentDef->memory;
    if (memKiB > oldmax) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("cannot set memory higher than max memory"));
        return -1;
    }
    /* the live size follows QEMU's BALLOON_CHANGE events */
    if (def && qemuControlSetBalloon(vm, memKiB) < 0)
        return -1;
    if (persistentDef) {
        persistentDef->currentMemory = memKiB;
        return qemuDomainSaveConfig(driver, persistentDef);
    }
    return 0;
}

int
qemuDomainSetMemoryFlags(qemuDriver *driver, const unsigned char *uuid,
                         unsigned long long memKiB, unsigned int flags)
{
    qemuDomainObjPrivate *priv;
    virDomainObj *vm;
    int ret = -1;

    if (!virCheckFlags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                              QEMU_MEM_MAXIMUM))
        return -1;
    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return -1;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_MODIFY,
                              driver->jobWaitTimeoutMs) == 0) {
        ret = qemuControlSetMemory(driver, vm, memKiB, flags);
        qemuDomainObjEndJob(vm, &priv->job);
    }
    virDomainObjEndAPI(&vm);
    return ret;
}

/* ---- reboot and reset ---- */

/* QEMU's action on a guest poweroff: paused while a fake reboot is
 * pending, else what the command line said (-no-shutdown or not). */
static int
qemuControlSetShutdownAction(virDomainObj *vm, bool pause)
{
    json_object *args = json_object_new_object();
    bool stay = pause ||
                vm->def->onPoweroff != VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY;
    qemuMonitor *mon;
    int rc = -1;

    json_object_object_add(args, "shutdown",
                           json_object_new_string(stay ? "pause" : "poweroff"));
    if ((mon = qemuDomainObjEnterMonitor(vm)))
        rc = qemuMonitorJSONSimpleCommand(mon, "set-action", args);
    else
        json_object_put(args);
    qemuDomainObjExitMonitor(vm, mon);
    return rc;
}

int
qemuDomainReboot(qemuDriver *driver, const unsigned char *uuid,
                 unsigned int flags)
{
    qemuDomainObjPrivate *priv;
    virDomainObj *vm;
    qemuMonitor *mon;
    int ret = -1;

    if (!virCheckFlags(flags, QEMU_REBOOT_ACPI_POWER_BTN | QEMU_REBOOT_GUEST_AGENT))
        return -1;
    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return -1;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    /* no guest agent channel: the agent alone cannot be used, with the
     * power button as well it falls back to ACPI */
    if ((flags & QEMU_REBOOT_GUEST_AGENT) && !(flags & QEMU_REBOOT_ACPI_POWER_BTN)) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("QEMU guest agent is not configured"));
        goto cleanup;
    }
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_MODIFY,
                              driver->jobWaitTimeoutMs) < 0)
        goto cleanup;
    if (!qemuControlCheckActive(vm))
        goto endjob;
    /* QEMU must stay when the guest powers off, to be reset */
    if (qemuControlSetShutdownAction(vm, true) < 0)
        goto endjob;
    priv->fakeReboot = true;
    if ((mon = qemuDomainObjEnterMonitor(vm)))
        ret = qemuMonitorJSONSystemPowerdown(mon);
    qemuDomainObjExitMonitor(vm, mon);
    if (ret < 0) {
        priv->fakeReboot = false;
        if (virDomainObjIsActive(vm))
            ignore_value(qemuControlSetShutdownAction(vm, false));
    }
    /* a restarted daemon still turns the poweroff into a reset */
    if (virDomainObjIsActive(vm))
        qemuDomainSaveStatusOrWarn(driver, vm);
 endjob:
    qemuDomainObjEndJob(vm, &priv->job);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

void
qemuDomainFakeRebootCancel(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    if (!priv->fakeReboot)
        return;
    priv->fakeReboot = false;
    if (qemuControlSetShutdownAction(vm, false) < 0)
        VIR_WARN("domain %s: %s", vm->def->name, virGetLastErrorMessage());
    qemuDomainSaveStatusOrWarn(priv->driver, vm);
}

void
qemuDomainFakeRebootFinish(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuMonitor *mon;
    int rc = -1;

    VIR_DEBUG("domain %s: fake reboot", vm->def->name);
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_MODIFY,
                              driver->jobWaitTimeoutMs) < 0) {
        VIR_WARN("domain %s: fake reboot: %s", vm->def->name,
                 virGetLastErrorMessage());
        priv->fakeReboot = false;
        return;
    }
    if (!virDomainObjIsActive(vm) || !priv->fakeReboot)
        goto endjob;
    if ((mon = qemuDomainObjEnterMonitor(vm)))
        rc = qemuMonitorJSONSystemReset(mon);
    qemuDomainObjExitMonitor(vm, mon);
    if (rc == 0)
        rc = qemuControlSetShutdownAction(vm, false);
    priv->fakeReboot = false;
    priv->gotShutdown = false;
    if (rc == 0 && virDomainObjIsActive(vm))
        rc = qemuProcessStartCPUs(driver, vm, VIR_DOMAIN_RUNNING_BOOTED);
    if (rc < 0) {
        /* a guest that cannot come back is stopped, as libvirt kills it */
        VIR_WARN("domain %s: fake reboot failed: %s", vm->def->name,
                 virGetLastErrorMessage());
        if (vm->pid > 0)
            ignore_value(kill(vm->pid, SIGTERM));
        goto endjob;
    }
    virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    /* the RESUME of this cont is not an event; later ones are */
    priv->runningReason = VIR_DOMAIN_RUNNING_UNPAUSED;
    qemuDomainSaveStatusOrWarn(driver, vm);
 endjob:
    qemuDomainObjEndJob(vm, &priv->job);
}

int
qemuDomainReset(qemuDriver *driver, const unsigned char *uuid,
                unsigned int flags)
{
    qemuDomainObjPrivate *priv;
    virDomainObj *vm;
    qemuMonitor *mon;
    int ret = -1;

    if (!virCheckFlags(flags, 0))
        return -1;
    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return -1;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_MODIFY,
                              driver->jobWaitTimeoutMs) < 0)
        goto cleanup;
    if (qemuControlCheckActive(vm)) {
        if ((mon = qemuDomainObjEnterMonitor(vm)))
            ret = qemuMonitorJSONSystemReset(mon);
        qemuDomainObjExitMonitor(vm, mon);
        if (ret == 0 && vm->state == VIR_DOMAIN_CRASHED)
            virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_CRASHED);
    }
    qemuDomainObjEndJob(vm, &priv->job);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

/* ---- autostart ---- */

static char *
qemuAutostartDir(qemuDriver *driver)
{
    return g_build_filename(driver->domainConfigDir, "autostart", NULL);
}

static char *
qemuAutostartLink(qemuDriver *driver, const char *name)
{
    g_autofree char *dir = qemuAutostartDir(driver);
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(dir, file, NULL);
}

bool
qemuDomainAutostartLinkExists(qemuDriver *driver, const char *name)
{
    g_autofree char *link = qemuAutostartLink(driver, name);
    g_autofree char *config = qemuDriverConfigFile(driver, name);
    g_autofree char *target = g_file_read_link(link, NULL);

    return target && g_str_equal(target, config);
}

void
qemuDomainAutostartRemove(qemuDriver *driver, const char *name)
{
    g_autofree char *link = qemuAutostartLink(driver, name);

    if (unlink(link) < 0 && errno != ENOENT && errno != ENOTDIR)
        VIR_WARN("Failed to delete autostart link '%s': %s", link,
                 g_strerror(errno));
}

int
qemuDomainSetAutostart(qemuDriver *driver, const unsigned char *uuid,
                       int autostart)
{
    g_autofree char *dir = qemuAutostartDir(driver);
    g_autofree char *link = NULL;
    g_autofree char *config = NULL;
    virDomainObj *vm;
    int ret = -1;

    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return -1;
    if (!vm->persistent) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("cannot set autostart for transient domain"));
        goto cleanup;
    }
    autostart = autostart != 0;
    if (vm->autostart == autostart) {
        ret = 0;
        goto cleanup;
    }
    link = qemuAutostartLink(driver, vm->def->name);
    config = qemuDriverConfigFile(driver, vm->def->name);
    if (autostart) {
        if (g_mkdir_with_parents(dir, 0777) < 0) {
            virReportSystemError(errno, _("cannot create autostart directory %1$s"),
                                 dir);
            goto cleanup;
        }
        if (symlink(config, link) < 0) {
            virReportSystemError(errno, _("Failed to create symlink '%1$s' to '%2$s'"),
                                 link, config);
            goto cleanup;
        }
    } else if (unlink(link) < 0 && errno != ENOENT && errno != ENOTDIR) {
        virReportSystemError(errno, _("Failed to delete symlink '%1$s'"), link);
        goto cleanup;
    }
    vm->autostart = autostart;
    ret = 0;
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

/* Has autostart already run since the host booted?  Records that it
 * runs now.  (libvirtd keeps such a marker in /run, which a reboot
 * empties; virtmig's state directory survives reboots, so the marker
 * holds the kernel's boot id.) */
static bool
qemuAutostartAlreadyDone(qemuDriver *driver)
{
    g_autofree char *marker = g_build_filename(driver->stateDir, "autostarted", NULL);
    g_autofree char *bootID = NULL;
    g_autofree char *seen = NULL;

    if (!g_file_get_contents("/proc/sys/kernel/random/boot_id", &bootID, NULL, NULL))
        bootID = g_strdup("unknown\n");
    if (g_file_get_contents(marker, &seen, NULL, NULL) && g_str_equal(seen, bootID))
        return true;
    if (!g_file_set_contents(marker, bootID, -1, NULL))
        VIR_WARN("cannot write autostart marker '%s'", marker);
    return false;
}

void
qemuDriverAutostart(qemuDriver *driver)
{
    qemuDomainRef *refs = NULL;
    int n;
    int i;

    if (qemuAutostartAlreadyDone(driver)) {
        VIR_DEBUG("autostart already done since the host booted");
        return;
    }
    /* inactive persistent domains marked for autostart */
    n = qemuConnectListAllDomains(driver, &refs, (1 << 1) | (1 << 10));
    for (i = 0; i < n; i++) {
        if (qemuDomainCreate(driver, refs[i].uuid, 0) < 0)
            VIR_ERROR("Failed to autostart VM '%s': %s", refs[i].name,
                      virGetLastErrorMessage());
    }
    qemuDomainRefListFree(refs, MAX(n, 0));
}

/* ---- snapshots and checkpoints: none ---- */

static int
qemuControlListNone(qemuDriver *driver, const unsigned char *uuid)
{
    virDomainObj *vm = virDomainObjListFindByUUID(driver->domains, uuid);

    if (!vm)
        return -1;
    virDomainObjEndAPI(&vm);
    return 0;
}

int
qemuDomainListAllSnapshots(qemuDriver *driver, const unsigned char *uuid,
                           unsigned int flags)
{
    if (!virCheckFlags(flags, QEMU_SNAPSHOT_LIST_ALL))
        return -1;
    return qemuControlListNone(driver, uuid);
}

int
qemuDomainListAllCheckpoints(qemuDriver *driver, const unsigned char *uuid,
                             unsigned int flags)
{
    if (!virCheckFlags(flags, QEMU_CHECKPOINT_LIST_ALL))
        return -1;
    return qemuControlListNone(driver, uuid);
}

int
qemuDomainHasCurrentSnapshot(qemuDriver *driver, const unsigned char *uuid,
                             unsigned int flags)
{
    if (!virCheckFlags(flags, 0))
        return -1;
    return qemuControlListNone(driver, uuid);
}

int
qemuDomainSnapshotLookupByName(qemuDriver *driver, const unsigned char *uuid,
                               const char *name, unsigned int flags)
{
    if (!virCheckFlags(flags, 0) || qemuControlListNone(driver, uuid) < 0)
        return -1;
    virReportError(VIR_ERR_NO_DOMAIN_SNAPSHOT,
                   _("no domain snapshot with matching name '%1$s'"), name);
    return -1;
}

int
qemuDomainSnapshotCurrent(qemuDriver *driver, const unsigned char *uuid,
                          unsigned int flags)
{
    if (!virCheckFlags(flags, 0) || qemuControlListNone(driver, uuid) < 0)
        return -1;
    virReportError(VIR_ERR_NO_DOMAIN_SNAPSHOT, "%s",
                   _("the domain does not have a current snapshot"));
    return -1;
}

int
qemuDomainCheckpointLookupByName(qemuDriver *driver, const unsigned char *uuid,
                                 const char *name, unsigned int flags)
{
    if (!virCheckFlags(flags, 0) || qemuControlListNone(driver, uuid) < 0)
        return -1;
    virReportError(VIR_ERR_NO_DOMAIN_CHECKPOINT,
                   _("no domain checkpoint with matching name '%1$s'"), name);
    return -1;
}
