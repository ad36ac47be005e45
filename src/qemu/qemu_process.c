/*
 * qemu_process.c: starting, stopping and reconnecting QEMU processes
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/un.h>

#include "qemu_process.h"
#include "qemu_migration_storage.h"
#include "qemu_command.h"
#include "qemu_events.h"
#include "qemu_process_event.h"
#include "qemu_monitor_json.h"
#include "domain_conf.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"
#include "virprocess.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_process");

#define QEMU_PROCESS_MONITOR_TIMEOUT_MS 30000
#define QEMU_PROCESS_LOG_TAIL 4096
#define QEMU_PROCESS_KILL_GRACE_MS 3000

bool
qemuProcessIsAlive(virDomainObj *vm)
{
    return virProcessIsAlive(vm->pid, QEMU_DOMAIN_PRIVATE(vm)->procStart);
}

/* Libvirt checks local disk images before starting QEMU and reports a
 * missing one as "Cannot access storage file '...'"; do the same. */
static int
qemuProcessCheckDisks(const virDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        const char *path = def->disks[i]->src;

        if (!path || !*path)
            continue;   /* e.g. an empty cdrom */
        if (access(path, F_OK) < 0) {
            virReportSystemError(errno, _("Cannot access storage file '%1$s'"),
                                 path);
            return -1;
        }
    }
    return 0;
}

static int
qemuProcessOpenLog(qemuDriver *driver, virDomainObj *vm, char *const *argv,
                   off_t *startPos)
{
    g_autofree char *path = qemuDriverLogFile(driver, vm->def->name);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");
    g_autofree char *cmd = g_strjoinv(" ", (char **)argv);
    g_autofree char *header = g_strdup_printf("%s: starting up\n%s\n", stamp, cmd);
    int fd;

    if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
        virReportSystemError(errno, _("cannot open log file '%1$s'"), path);
        return -1;
    }
    *startPos = lseek(fd, 0, SEEK_END);
    if (write(fd, header, strlen(header)) < 0)
        VIR_WARN("cannot write to %s: %s", path, g_strerror(errno));
    *startPos += strlen(header);
    return fd;
}

/* What QEMU printed since @startPos, stripped; "" if nothing. */
static char *
qemuProcessReadLogTail(qemuDriver *driver, virDomainObj *vm, off_t startPos)
{
    g_autofree char *path = qemuDriverLogFile(driver, vm->def->name);
    g_autofree char *data = NULL;
    gsize len = 0;
    const char *tail;

    if (!g_file_get_contents(path, &data, &len, NULL) || (gsize)startPos >= len)
        return g_strdup("");
    tail = data + startPos;
    if (strlen(tail) > QEMU_PROCESS_LOG_TAIL)
        tail += strlen(tail) - QEMU_PROCESS_LOG_TAIL;
    return g_strstrip(g_strdup(tail));
}

static GStrv
qemuProcessBuildArgv(qemuDriver *driver, virDomainObj *vm, unsigned int flags)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuCommandParams params = {
        .monitorPath = priv->monitorPath,
        .kvmUsable = access("/dev/kvm", R_OK | W_OK) == 0,
        .incoming = !!(flags & QEMU_PROCESS_START_INCOMING),
        .emulator = driver->emulator,
    };

    return qemuBuildCommandLine(vm->def, &params);
}

/* Opens @vm's monitor.  The monitor holds a reference on @vm as its
 * callbacks' opaque, released by the destroy callback, so that a
 * callback racing with the domain's end never sees freed memory. */
static qemuMonitor *
qemuProcessOpenMonitor(qemuDriver *driver, virDomainObj *vm, int timeoutMs)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuMonitor *mon;

    virDomainObjRef(vm);
    mon = qemuMonitorOpen(priv->monitorPath, timeoutMs, driver->ctx,
                          qemuProcessMonitorCallbacks(), vm);
    if (!mon)
        virDomainObjUnref(vm);
    return mon;
}

/* Connects the monitor of a freshly started QEMU, giving up early if
 * the process exits. */
static qemuMonitor *
qemuProcessConnectMonitor(qemuDriver *driver, virDomainObj *vm,
                          unsigned long long procStart)
{
    gint64 deadline = g_get_monotonic_time() +
                      QEMU_PROCESS_MONITOR_TIMEOUT_MS * 1000LL;
    qemuMonitor *mon = NULL;

    while (!mon) {
        if (!virProcessIsAlive(vm->pid, procStart))
            return NULL;
        virResetLastError();
        mon = qemuProcessOpenMonitor(driver, vm, 200);
        if (!mon && g_get_monotonic_time() > deadline)
            return NULL;
    }
    return mon;
}

static void
qemuProcessReportStartError(qemuDriver *driver, virDomainObj *vm,
                            off_t logPos)
{
    g_autofree char *tail = qemuProcessReadLogTail(driver, vm, logPos);
    g_autoptr(virError) orig = virSaveLastError();

    if (*tail) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("process exited while connecting to monitor: %1$s"),
                       tail);
    } else if (orig) {
        virSetError(orig);
    } else {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("QEMU exited while connecting to monitor"));
    }
}

/* The VNC password of the definition (the argv only says password=on):
 * libvirt's qemuProcessInitPasswords. */
static int
qemuProcessInitPasswords(virDomainObj *vm)
{
    size_t i;

    for (i = 0; i < vm->def->ngraphics; i++) {
        const virDomainGraphicsDef *gr = vm->def->graphics[i];
        qemuMonitor *mon;
        int rc;

        if (gr->type != VIR_DOMAIN_GRAPHICS_TYPE_VNC || !gr->passwd)
            continue;
        mon = qemuDomainObjEnterMonitor(vm);
        rc = mon ? qemuMonitorJSONSetGraphicsPassword(mon, "vnc", gr->passwd,
                                                      gr->passwdExpires,
                                                      gr->passwdValidTo,
                                                      g_get_real_time() / G_USEC_PER_SEC) : -1;
        qemuDomainObjExitMonitor(vm, mon);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* What QEMU chose at start and the live XML shows, as libvirt's
 * qemuProcessRefreshRuntime does: the VNC port of an autoport display
 * and the terminal of every pty serial port (and so of the console
 * that mirrors serials[0]). */
static int
qemuProcessRefreshRuntime(virDomainObj *vm)
{
    virDomainDef *def = vm->def;
    g_autoptr(GHashTable) ptys = NULL;
    qemuMonitor *mon;
    int port = 0;
    int rc = 0;
    size_t i;

    mon = qemuDomainObjEnterMonitor(vm);
    if (!mon)
        rc = -1;
    if (rc == 0 && def->ngraphics > 0 && def->graphics[0]->autoport)
        rc = qemuMonitorJSONGetVNCPort(mon, &port);
    if (rc == 0 && !(ptys = qemuMonitorJSONGetPtyPaths(mon)))
        rc = -1;
    qemuDomainObjExitMonitor(vm, mon);
    if (rc < 0)
        return -1;
    if (port > 0)
        def->graphics[0]->port = port;
    for (i = 0; i < def->nserials; i++) {
        virDomainChrDef *chr = def->serials[i];
        g_autofree char *charid = g_strdup_printf("charserial%zu", i);
        const char *path = g_hash_table_lookup(ptys, charid);

        if (chr->type != VIR_DOMAIN_CHR_TYPE_PTY || !path)
            continue;
        g_free(chr->path);
        chr->path = g_strdup(path);
    }
    return 0;
}

/* Launches QEMU and connects to it.  @vm is unlocked meanwhile. */
static int
qemuProcessLaunch(qemuDriver *driver, virDomainObj *vm, unsigned int flags)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_auto(GStrv) argv = NULL;
    qemuMonitor *mon = NULL;
    unsigned long long procStart;
    off_t logPos = 0;
    pid_t pid = 0;
    int logfd;

    if (!(argv = qemuProcessBuildArgv(driver, vm, flags)))
        return -1;
    if ((logfd = qemuProcessOpenLog(driver, vm, argv, &logPos)) < 0)
        return -1;
    ignore_value(virFileRemove(priv->monitorPath));
    if (virProcessSpawnDetached(argv, logfd, &pid) < 0) {
        close(logfd);
        return -1;
    }
    close(logfd);
    procStart = virProcessGetStartTime(pid);
    vm->pid = pid;
    priv->procStart = procStart;
    VIR_INFO("domain %s: QEMU started with pid %lld", vm->def->name,
             (long long)pid);

    virDomainObjUnlock(vm);
    mon = qemuProcessConnectMonitor(driver, vm, procStart);
    virDomainObjLock(vm);
    if (!mon) {
        qemuProcessReportStartError(driver, vm, logPos);
        return -1;
    }
    priv->mon = mon;
    if (qemuProcessInitPasswords(vm) < 0)
        return -1;
    return qemuProcessRefreshRuntime(vm);
}

/* Sends 'cont' or 'stop'.  QEMU sends the RESUME / STOP event before
 * the reply, and its handler changes the state and emits the libvirt
 * event with the reason recorded here; cover a QEMU that did not. */
static int
qemuProcessSetCPUs(virDomainObj *vm, bool run, virDomainState state,
                   int reason)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuMonitor *mon;
    int rc;

    if (run)
        priv->runningReason = reason;
    else
        priv->pausedReason = reason;
    mon = qemuDomainObjEnterMonitor(vm);
    if (!mon)
        rc = -1;
    else if (run)
        rc = qemuMonitorJSONStartCPUs(mon);
    else
        rc = qemuMonitorJSONStopCPUs(mon);
    qemuDomainObjExitMonitor(vm, mon);
    if (rc < 0)
        return -1;
    if (vm->state != state)
        virDomainObjSetState(vm, state, reason);
    return 0;
}

int
qemuProcessStartCPUs(qemuDriver *driver, virDomainObj *vm,
                     virDomainRunningReason reason)
{
    return qemuProcessSetCPUs(vm, true, VIR_DOMAIN_RUNNING, reason);
}

int
qemuProcessStopCPUs(qemuDriver *driver, virDomainObj *vm,
                    virDomainPausedReason reason)
{
    return qemuProcessSetCPUs(vm, false, VIR_DOMAIN_PAUSED, reason);
}

/* libvirt truncates file chardevs at start unless append='on'; the
 * command line always appends, so truncate here. */
static int
qemuProcessPrepareChardevs(virDomainObj *vm)
{
    size_t i;

    for (i = 0; i < vm->def->nserials; i++) {
        virDomainChrDef *chr = vm->def->serials[i];

        if (chr->type != VIR_DOMAIN_CHR_TYPE_FILE || !chr->path ||
            chr->append == VIR_TRISTATE_SWITCH_ON)
            continue;
        if (truncate(chr->path, 0) < 0 && errno != ENOENT) {
            virReportSystemError(errno, _("cannot truncate '%1$s'"), chr->path);
            return -1;
        }
    }
    return 0;
}

static void
qemuProcessPrepare(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    g_free(priv->monitorPath);
    priv->monitorPath = qemuDriverMonitorPath(driver, vm->def->name);
    priv->beingDestroyed = false;
    priv->gotShutdown = false;
    priv->fakeReboot = false;
    priv->monitorGone = false;
    priv->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
    priv->taint = 0;
    priv->runningReason = VIR_DOMAIN_RUNNING_UNPAUSED;
    vm->id = virDomainObjListNextID(driver->domains);
    vm->def->id = vm->id;
    qemuAssignDeviceAliases(vm->def);
}

/* libvirt's layout for channel sockets the definition does not place:
 * <stateDir>/channel/target/domain-ID-NAME/TARGET, the name cut to 20
 * characters to keep the socket path short. */
static char *
qemuProcessChannelDir(qemuDriver *driver, virDomainObj *vm)
{
    g_autofree char *shortName = g_strndup(vm->def->name, 20);
    g_autofree char *dom = g_strdup_printf("domain-%d-%s", vm->id, shortName);

    return g_build_filename(driver->stateDir, "channel", "target", dom, NULL);
}

static int
qemuProcessPrepareChannels(qemuDriver *driver, virDomainObj *vm)
{
    g_autofree char *dir = NULL;
    size_t i;

    if (vm->def->nchannels == 0)
        return 0;
    dir = qemuProcessChannelDir(driver, vm);
    if (g_mkdir_with_parents(dir, 0750) < 0) {
        virReportSystemError(errno, _("cannot create directory '%1$s'"), dir);
        return -1;
    }
    for (i = 0; i < vm->def->nchannels; i++) {
        virDomainChrDef *chr = vm->def->channels[i];
        g_autofree char *path = NULL;

        if (chr->path)
            continue;
        path = g_build_filename(dir, chr->targetName, NULL);
        if (strlen(path) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("channel socket path '%1$s' is too long"), path);
            return -1;
        }
        chr->path = g_steal_pointer(&path);
    }
    return 0;
}

/* Removes the sockets qemuProcessPrepareChannels placed, and their
 * directory. */
static void
qemuProcessRemoveChannels(virDomainObj *vm)
{
    g_autofree char *dir = NULL;
    size_t i;

    for (i = 0; i < vm->def->nchannels; i++) {
        const virDomainChrDef *chr = vm->def->channels[i];

        if (!virDomainChrPathIsAuto(chr))
            continue;
        ignore_value(virFileRemove(chr->path));
        if (!dir)
            dir = g_path_get_dirname(chr->path);
    }
    if (dir)
        ignore_value(rmdir(dir));
}

int
qemuProcessStart(qemuDriver *driver, virDomainObj *vm, unsigned int flags)
{
    bool paused = (flags & (QEMU_PROCESS_START_PAUSED |
                            QEMU_PROCESS_START_INCOMING)) != 0;

    if (virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("domain is already running"));
        return -1;
    }
    if (qemuProcessCheckDisks(vm->def) < 0 ||
        qemuProcessPrepareChardevs(vm) < 0)
        return -1;
    if (vm->persistent && !vm->newDef &&
        !(vm->newDef = virDomainDefCopy(vm->def, false)))
        return -1;

    qemuProcessPrepare(driver, vm);
    virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_STARTING_UP);
    if (qemuProcessPrepareChannels(driver, vm) < 0 ||
        qemuProcessLaunch(driver, vm, flags) < 0)
        goto error;
    if (qemuDomainSaveStatus(driver, vm) < 0)
        goto error;
    if (!paused) {
        if (qemuProcessStartCPUs(driver, vm, VIR_DOMAIN_RUNNING_BOOTED) < 0)
            goto error;
    } else {
        virDomainObjSetState(vm, VIR_DOMAIN_PAUSED,
                             (flags & QEMU_PROCESS_START_INCOMING) ?
                             VIR_DOMAIN_PAUSED_MIGRATION : VIR_DOMAIN_PAUSED_USER);
    }
    qemuDomainSaveStatusOrWarn(driver, vm);
    return 0;

 error:
    {
        g_autoptr(virError) saved = virSaveLastError();

        qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_FAILED);
        virSetError(saved);
    }
    return -1;
}

static void
qemuProcessKill(qemuDriver *driver, virDomainObj *vm, unsigned int flags)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    pid_t pid = vm->pid;
    unsigned long long start = priv->procStart;

    if (pid <= 0)
        return;
    if ((flags & QEMU_PROCESS_STOP_NO_WAIT) &&
        virProcessIsAlive(pid, start) && kill(pid, SIGTERM) == 0) {
        qemuProcessQueueReap(driver, pid, start);
        return;
    }
    virDomainObjUnlock(vm);
    if (virProcessKillPainfully(pid, start, QEMU_PROCESS_KILL_GRACE_MS) < 0)
        VIR_WARN("%s", virGetLastErrorMessage());
    virDomainObjLock(vm);
}

void
qemuProcessStop(qemuDriver *driver, virDomainObj *vm,
                virDomainShutoffReason reason)
{
    qemuProcessStopFlags(driver, vm, reason, 0);
}

void
qemuProcessStopFlags(qemuDriver *driver, virDomainObj *vm,
                     virDomainShutoffReason reason, unsigned int flags)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    VIR_DEBUG("domain %s: stopping (reason %s)", vm->def->name,
              virDomainShutoffReasonTypeToString(reason));
    priv->beingDestroyed = true;
    qemuMonitorClose(g_steal_pointer(&priv->mon));
    qemuProcessKill(driver, vm, flags);

    if (priv->monitorPath)
        ignore_value(virFileRemove(priv->monitorPath));
    qemuProcessRemoveChannels(vm);
    /* images created for an incoming storage copy that did not finish */
    qemuMigrationStorageRemoveImages(vm);
    qemuDomainRemoveStatus(driver, vm);
    vm->pid = 0;
    vm->id = -1;
    vm->def->id = -1;
    priv->procStart = 0;
    priv->beingDestroyed = false;
    virDomainObjSetState(vm, VIR_DOMAIN_SHUTOFF, reason);
    if (vm->newDef) {
        virDomainDefFree(vm->def);
        vm->def = g_steal_pointer(&vm->newDef);
    }
    virDomainDefClearLiveData(vm->def);
}

/* Why QEMU in run state @status is paused, as libvirt tells it: a
 * migration's own states say migration. */
static virDomainPausedReason
qemuProcessPausedReason(qemuMonitorVMStatus status)
{
    if (status == QEMU_MONITOR_VM_STATUS_INMIGRATE ||
        status == QEMU_MONITOR_VM_STATUS_POSTMIGRATE ||
        status == QEMU_MONITOR_VM_STATUS_FINISH_MIGRATE)
        return VIR_DOMAIN_PAUSED_MIGRATION;
    return VIR_DOMAIN_PAUSED_UNKNOWN;
}

/* Brings the recorded state in line with what QEMU says after a
 * reconnect (a pause or resume may have happened meanwhile, e.g. a
 * migration that completed while no daemon watched). */
static int
qemuProcessRefreshState(virDomainObj *vm)
{
    qemuMonitorVMStatus status = QEMU_MONITOR_VM_STATUS_UNKNOWN;
    qemuMonitor *mon;
    bool running = false;
    int rc;

    mon = qemuDomainObjEnterMonitor(vm);
    rc = mon ? qemuMonitorJSONGetStatus(mon, &running, &status) : -1;
    qemuDomainObjExitMonitor(vm, mon);
    if (rc < 0)
        return -1;
    if (running && vm->state != VIR_DOMAIN_RUNNING)
        virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    else if (!running && vm->state == VIR_DOMAIN_RUNNING)
        virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, qemuProcessPausedReason(status));
    return 0;
}

int
qemuProcessReconnect(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    if (!qemuProcessIsAlive(vm)) {
        VIR_INFO("domain %s: QEMU (pid %lld) is gone", vm->def->name,
                 (long long)vm->pid);
        vm->pid = 0;
        qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_CRASHED);
        return 0;
    }
    virDomainObjUnlock(vm);
    priv->mon = qemuProcessOpenMonitor(driver, vm, QEMU_PROCESS_MONITOR_TIMEOUT_MS);
    virDomainObjLock(vm);
    if (!priv->mon || qemuProcessRefreshState(vm) < 0) {
        if (g_atomic_int_get(&driver->shuttingDown))
            return -1;   /* QEMU is fine: the next daemon reconnects */
        VIR_WARN("domain %s: cannot reconnect to QEMU: %s", vm->def->name,
                 virGetLastErrorMessage());
        /* a QEMU that is exiting closes the monitor: that is a crash */
        if (virProcessWaitExit(vm->pid, priv->procStart, 2000) == 0) {
            qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_CRASHED);
            return 0;
        }
        qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_FAILED);
        return -1;
    }
    virDomainObjListBumpID(driver->domains, vm->id);
    qemuDomainSaveStatusOrWarn(driver, vm);
    VIR_INFO("domain %s: reconnected to QEMU pid %lld", vm->def->name,
             (long long)vm->pid);
    return 1;
}
