/*
 * qemu_driver_stats.c: domain statistics and vCPU information
 *
 * Figures come from where libvirt 9.0's QEMU driver takes them when it
 * has no cgroups: QMP for what only QEMU knows (block counters,
 * balloon, vCPU threads: asked once per QEMU process), /proc for CPU
 * times and tap counters, the image files of inactive domains.  QMP
 * needs a QUERY job, which a migration lets through; with NOWAIT a
 * busy job leaves those figures out instead of waiting.
 */

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu_conf.h"
#include "qemu_domain.h"
#include "qemu_monitor_json.h"
#include "qemu_monitor_json_stats.h"
#include "qemu_stats.h"
#include "domain_conf.h"
#include "virerror.h"
#include "virhoststats.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_driver_stats");

/* libvirt's VIR_CONNECT_GET_ALL_DOMAINS_STATS_* */
#define QEMU_STATS_LIST_FILTERS 0xff
#define QEMU_STATS_NOWAIT (1U << 29)
#define QEMU_STATS_BACKING (1U << 30)
#define QEMU_STATS_ENFORCE_STATS (1U << 31)

/* libvirt's virDomainVcpuFlags */
#define QEMU_VCPU_MAXIMUM (1 << 2)
#define QEMU_VCPU_GUEST (1 << 3)

#define QEMU_VCPU_RUNNING 1       /* virVcpuState */
#define QEMU_BALLOON_QOM_PATH "/machine/peripheral/balloon0"

void
qemuDomainStatsRecordListFree(qemuDomainStatsRecord *recs, size_t n)
{
    size_t i;

    for (i = 0; recs && i < n; i++) {
        qemuDomainRefClear(&recs[i].dom);
        virTypedParamListFree(recs[i].params);
    }
    g_free(recs);
}

static bool
qemuStatsCheckActive(virDomainObj *vm)
{
    if (virDomainObjIsActive(vm))
        return true;
    virReportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
    return false;
}

/* The QOM path of @def's virtio balloon, or NULL without one. */
static const char *
qemuStatsBalloonPath(const virDomainDef *def)
{
    if (def->memballoon &&
        def->memballoon->model == VIR_DOMAIN_MEMBALLOON_MODEL_VIRTIO)
        return QEMU_BALLOON_QOM_PATH;
    return NULL;
}

/* ---- vCPU threads ---- */

static bool
qemuStatsVcpuThreadsValid(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    return priv->vcpuThreads && priv->vcpuThreadsPid == vm->pid &&
           priv->vcpuThreadsStart == priv->procStart;
}

/* Records query-cpus-fast's answer for the current QEMU process. */
static void
qemuStatsVcpuThreadsStore(virDomainObj *vm, qemuMonitorCPUInfo *cpus,
                          size_t ncpus)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    size_t i;

    g_free(priv->vcpuThreads);
    priv->vcpuThreads = g_new0(qemuDomainVcpuThread, MAX(ncpus, 1));
    priv->nvcpuThreads = ncpus;
    for (i = 0; i < ncpus; i++) {
        priv->vcpuThreads[i].index = cpus[i].cpuIndex;
        priv->vcpuThreads[i].tid = cpus[i].threadId;
    }
    priv->vcpuThreadsPid = vm->pid;
    priv->vcpuThreadsStart = priv->procStart;
}

/* With a job held and @vm locked: makes sure the vCPU threads are
 * known.  0, or -1 (reported). */
static int
qemuStatsVcpuThreadsRefresh(virDomainObj *vm)
{
    qemuMonitorCPUInfo *cpus = NULL;
    size_t ncpus = 0;
    qemuMonitor *mon;
    int rc = -1;

    if (qemuStatsVcpuThreadsValid(vm))
        return 0;
    if ((mon = qemuDomainObjEnterMonitor(vm)))
        rc = qemuMonitorJSONGetCPUInfoFast(mon, &cpus, &ncpus);
    qemuDomainObjExitMonitor(vm, mon);
    if (rc == 0 && virDomainObjIsActive(vm))
        qemuStatsVcpuThreadsStore(vm, cpus, ncpus);
    qemuMonitorCPUInfoFree(cpus, ncpus);
    return rc;
}

/* ---- collecting one domain's figures ---- */

/* QEMU's part, with a QUERY job held and @vm locked and active: one
 * monitor entry for every query the groups need. */
static void
qemuStatsFromMonitor(virDomainObj *vm, unsigned int stats,
                     qemuDomainStatsData *data)
{
    const char *balloon = qemuStatsBalloonPath(vm->def);
    bool wantThreads = (stats & QEMU_DOMAIN_STATS_VCPU) &&
                       !qemuStatsVcpuThreadsValid(vm);
    qemuMonitorCPUInfo *cpus = NULL;
    size_t ncpus = 0;
    int nstats = 0;
    int rc = -1;
    qemuMonitor *mon;

    if ((mon = qemuDomainObjEnterMonitor(vm))) {
        if ((stats & QEMU_DOMAIN_STATS_BALLOON)) {
            data->nmem = 0;
            if (balloon &&
                (data->nmem = qemuMonitorJSONGetMemoryStats(mon, balloon, data->mem,
                                                            QEMU_MEMORY_STAT_NR)) < 0)
                data->nmem = -1;
        }
        if (wantThreads)
            rc = qemuMonitorJSONGetCPUInfoFast(mon, &cpus, &ncpus);
        if (stats & QEMU_DOMAIN_STATS_BLOCK)
            data->block = qemuMonitorJSONGetBlockStats(mon, true, &nstats);
    }
    qemuDomainObjExitMonitor(vm, mon);
    if (rc == 0 && virDomainObjIsActive(vm))
        qemuStatsVcpuThreadsStore(vm, cpus, ncpus);
    qemuMonitorCPUInfoFree(cpus, ncpus);
    /* a query that failed only leaves its figures out, as libvirt */
    virResetLastError();
}

/* The host's part of a running domain (@vm locked). */
static void
qemuStatsFromHost(virDomainObj *vm, unsigned int stats,
                  qemuDomainStatsData *data)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    const virDomainDef *def = vm->def;
    virProcStatInfo proc;
    size_t i;

    if ((stats & QEMU_DOMAIN_STATS_CPU_TOTAL) &&
        virHostStatsGetProcStat(vm->pid, 0, &data->cpu) == 0)
        data->haveCpu = true;
    /* the balloon's figures end with QEMU's resident set */
    if ((stats & QEMU_DOMAIN_STATS_BALLOON) && data->nmem >= 0 &&
        data->nmem < QEMU_MEMORY_STAT_NR &&
        virHostStatsGetProcStat(vm->pid, 0, &proc) == 0) {
        data->mem[data->nmem].tag = QEMU_MEMORY_STAT_RSS;
        data->mem[data->nmem].val = proc.rssKiB;
        data->nmem++;
    }
    if ((stats & QEMU_DOMAIN_STATS_VCPU) && qemuStatsVcpuThreadsValid(vm)) {
        data->vcpus = g_new0(qemuVcpuStats, MAX(priv->nvcpuThreads, 1));
        for (i = 0; i < priv->nvcpuThreads; i++) {
            qemuVcpuStats *v = &data->vcpus[data->nvcpus];
            pid_t tid = priv->vcpuThreads[i].tid;

            if (virHostStatsGetProcStat(vm->pid, tid, &proc) < 0)
                continue;
            v->number = priv->vcpuThreads[i].index;
            v->state = QEMU_VCPU_RUNNING;
            v->timeNs = proc.userNs + proc.sysNs;
            v->cpu = proc.processor;
            v->waitNs = virHostStatsGetSchedWait(vm->pid, tid);
            v->delayNs = virHostStatsGetSchedstatDelay(vm->pid, tid);
            data->nvcpus++;
        }
    }
    if ((stats & QEMU_DOMAIN_STATS_INTERFACE) && def->nnets) {
        data->nets = g_new0(virNetDevStats, def->nnets);
        data->haveNet = g_new0(bool, def->nnets);
        for (i = 0; i < def->nnets; i++) {
            /* a tap of <interface type='ethernet'> shares the host's
             * view: its counters are not swapped */
            if (def->nets[i]->ifname &&
                virHostStatsGetNetDev(def->nets[i]->ifname, false,
                                      &data->nets[i]) == 0)
                data->haveNet[i] = true;
        }
        virResetLastError();
    }
}

/* An inactive domain's disks: what the image files say. */
static void
qemuStatsFromImages(const virDomainDef *def, qemuDomainStatsData *data)
{
    size_t i;

    data->disks = g_new0(qemuDiskSizes, MAX(def->ndisks, 1));
    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->src)
            ignore_value(qemuStatsImageSizes(def->disks[i]->src,
                                             def->disks[i]->format,
                                             &data->disks[i]));
    }
}

/* The record of @vm (locked); NULL on error. */
static virTypedParamList *
qemuStatsCollect(qemuDriver *driver, virDomainObj *vm, unsigned int stats,
                 unsigned int flags)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_auto(qemuDomainStatsData) data = { .nmem = -1 };
    g_autoptr(virTypedParamList) params = virTypedParamListNew();

    if (virDomainObjIsActive(vm) && (stats & QEMU_DOMAIN_STATS_NEED_MONITOR)) {
        int rc;

        if (flags & QEMU_STATS_NOWAIT)
            rc = qemuDomainObjBeginJobNowait(vm, &priv->job, VIR_JOB_QUERY);
        else
            rc = qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_QUERY,
                                       driver->jobWaitTimeoutMs);
        if (rc == 0) {
            if (virDomainObjIsActive(vm)) {
                data.haveJob = true;
                qemuStatsFromMonitor(vm, stats, &data);
            }
            qemuDomainObjEndJob(vm, &priv->job);
        }
        /* a busy domain still gets the figures that need no QEMU */
        virResetLastError();
    }
    data.active = virDomainObjIsActive(vm);
    data.state = virDomainObjGetState(vm, &data.reason);
    if (data.active) {
        qemuStatsFromHost(vm, stats, &data);
    } else {
        /* libvirt 9.0 reads the times of pid 0 for an inactive domain,
         * which gives its daemon's own: so does virtmigd */
        if ((stats & QEMU_DOMAIN_STATS_CPU_TOTAL) &&
            virHostStatsGetProcStat(getpid(), 0, &data.cpu) == 0)
            data.haveCpu = true;
        if (stats & QEMU_DOMAIN_STATS_BLOCK)
            qemuStatsFromImages(vm->def, &data);
    }
    if (qemuDomainStatsFormat(vm->def, &data, stats,
                              !!(flags & QEMU_STATS_BACKING), params) < 0)
        return NULL;
    return g_steal_pointer(&params);
}

/* The domains asked for: every one, or those of @uuids that exist;
 * each referenced (not locked).  NULL-terminated. */
static GPtrArray *
qemuStatsDomains(qemuDriver *driver, const unsigned char (*uuids)[VIR_UUID_BUFLEN],
                 size_t nuuids)
{
    GPtrArray *objs = g_ptr_array_new_with_free_func((GDestroyNotify)virDomainObjUnref);
    size_t i;

    if (!uuids) {
        virDomainObj **all = virDomainObjListSnapshot(driver->domains, NULL);

        for (i = 0; all[i]; i++)
            g_ptr_array_add(objs, virDomainObjRef(all[i]));
        virDomainObjListFreeSnapshot(all);
        return objs;
    }
    for (i = 0; i < nuuids; i++) {
        virDomainObj *vm = virDomainObjListFindByUUID(driver->domains, uuids[i]);

        if (!vm) {
            /* libvirt skips domains that vanished */
            virResetLastError();
            continue;
        }
        g_ptr_array_add(objs, virDomainObjRef(vm));
        virDomainObjEndAPI(&vm);
    }
    return objs;
}

int
qemuConnectGetAllDomainStats(qemuDriver *driver,
                             const unsigned char (*uuids)[VIR_UUID_BUFLEN],
                             size_t nuuids, unsigned int stats,
                             unsigned int flags,
                             qemuDomainStatsRecord **recs, size_t *nrecs)
{
    g_autoptr(GPtrArray) objs = NULL;
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(qemuDomainStatsRecord));
    unsigned int filter = flags & QEMU_STATS_LIST_FILTERS;
    size_t i;

    if (!virCheckFlags(flags, QEMU_STATS_LIST_FILTERS | QEMU_STATS_NOWAIT |
                              QEMU_STATS_BACKING | QEMU_STATS_ENFORCE_STATS))
        return -1;
    if (qemuDomainStatsCheckGroups(&stats, !!(flags & QEMU_STATS_ENFORCE_STATS)) < 0)
        return -1;
    objs = qemuStatsDomains(driver, uuids, nuuids);
    for (i = 0; i < objs->len; i++) {
        virDomainObj *vm = g_ptr_array_index(objs, i);
        qemuDomainStatsRecord rec = { 0 };

        virDomainObjLock(vm);
        if (vm->removing || !qemuDomainMatchesFilter(vm, filter)) {
            virDomainObjUnlock(vm);
            continue;
        }
        rec.params = qemuStatsCollect(driver, vm, stats, flags);
        qemuDomainRefFill(&rec.dom, vm);
        virDomainObjUnlock(vm);
        if (!rec.params) {
            qemuDomainRefClear(&rec.dom);
            qemuDomainStatsRecordListFree((qemuDomainStatsRecord *)out->data,
                                          out->len);
            g_array_set_size(out, 0);
            return -1;
        }
        g_array_append_val(out, rec);
    }
    *nrecs = out->len;
    *recs = (qemuDomainStatsRecord *)g_array_free(g_steal_pointer(&out), FALSE);
    return 0;
}

/* ---- vCPUs ---- */

/* @vm locked and active: the vCPU threads, asked for under a QUERY job
 * if not known yet.  0, or -1 (reported). */
static int
qemuStatsNeedVcpuThreads(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    int ret = -1;

    if (qemuStatsVcpuThreadsValid(vm))
        return 0;
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_QUERY,
                              driver->jobWaitTimeoutMs) < 0)
        return -1;
    if (qemuStatsCheckActive(vm))
        ret = qemuStatsVcpuThreadsRefresh(vm);
    qemuDomainObjEndJob(vm, &priv->job);
    if (ret < 0 || !qemuStatsVcpuThreadsValid(vm)) {
        virResetLastError();
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("cpu affinity is not supported"));
        return -1;
    }
    return 0;
}

/* The affinity of thread @tid as a bitmap of @maplen bytes in @map. */
static void
qemuStatsAffinityToMap(pid_t tid, unsigned char *map, int maplen)
{
    cpu_set_t set;
    int cpu;

    CPU_ZERO(&set);
    if (sched_getaffinity(tid, sizeof(set), &set) < 0)
        return;
    for (cpu = 0; cpu < CPU_SETSIZE && cpu / 8 < maplen; cpu++) {
        if (CPU_ISSET(cpu, &set))
            map[cpu / 8] |= 1 << (cpu % 8);
    }
}

int
qemuDomainGetVcpus(qemuDriver *driver, const unsigned char *uuid,
                   qemuDomainVcpuInfo *info, int maxinfo,
                   unsigned char *cpumaps, int maplen)
{
    qemuDomainObjPrivate *priv;
    virDomainObj *vm;
    int n = 0;
    size_t i;

    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return -1;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("cannot retrieve vcpu information for inactive domain"));
        n = -1;
        goto cleanup;
    }
    if (qemuStatsNeedVcpuThreads(driver, vm) < 0) {
        n = -1;
        goto cleanup;
    }
    for (i = 0; i < priv->nvcpuThreads && n < maxinfo; i++) {
        pid_t tid = priv->vcpuThreads[i].tid;
        virProcStatInfo proc = { 0 };

        if (virHostStatsGetProcStat(vm->pid, tid, &proc) < 0) {
            virReportSystemError(errno, "%s",
                                 _("cannot get vCPU placement & pCPU time"));
            n = -1;
            goto cleanup;
        }
        info[n].number = priv->vcpuThreads[i].index;
        info[n].state = QEMU_VCPU_RUNNING;
        info[n].cpuTime = proc.userNs + proc.sysNs;
        info[n].cpu = proc.processor;
        if (cpumaps && maplen > 0)
            qemuStatsAffinityToMap(tid, cpumaps + (size_t)n * maplen, maplen);
        n++;
    }
 cleanup:
    virDomainObjEndAPI(&vm);
    return n;
}

/* Every host CPU of @which ("present", "online") set in @map. */
static int
qemuStatsHostCPUMap(const char *which, unsigned char *map, int maplen)
{
    return virHostStatsGetCPUList(which, map, maplen) < 0 ? -1 : 0;
}

int
qemuDomainGetVcpuPinInfo(qemuDriver *driver, const unsigned char *uuid,
                         int ncpumaps, unsigned char *cpumaps, int maplen,
                         unsigned int flags)
{
    g_autofree unsigned char *all = g_new0(unsigned char, MAX(maplen, 1));
    virDomainDef *def;
    virDomainObj *vm;
    int ret = -1;
    int i;

    if (!virCheckFlags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG))
        return -1;
    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return -1;
    if (!(def = virDomainObjGetOneDef(vm, flags, NULL)))
        goto cleanup;
    /* virtmig pins nothing: every vCPU may run on every host CPU */
    if (qemuStatsHostCPUMap("present", all, maplen) < 0)
        goto cleanup;
    for (i = 0; i < (int)def->vcpus && i < ncpumaps; i++)
        memcpy(cpumaps + (size_t)i * maplen, all, maplen);
    ret = i;
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

int
qemuDomainGetEmulatorPinInfo(qemuDriver *driver, const unsigned char *uuid,
                             unsigned char *cpumap, int maplen,
                             unsigned int flags)
{
    virDomainObj *vm;
    int ret = -1;

    if (!virCheckFlags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG))
        return -1;
    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return -1;
    if (virDomainObjGetOneDef(vm, flags, NULL) &&
        qemuStatsHostCPUMap("online", cpumap, maplen) == 0)
        ret = 1;
    virDomainObjEndAPI(&vm);
    return ret;
}

int
qemuDomainGetVcpusFlags(qemuDriver *driver, const unsigned char *uuid,
                        unsigned int flags)
{
    virDomainDef *def;
    virDomainObj *vm;
    int ret = -1;

    if (!virCheckFlags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                              QEMU_VCPU_MAXIMUM | QEMU_VCPU_GUEST))
        return -1;
    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return -1;
    if (!(def = virDomainObjGetOneDef(vm, flags, NULL)))
        goto cleanup;
    if (flags & QEMU_VCPU_GUEST) {
        if (flags & VIR_DOMAIN_AFFECT_CONFIG)
            virReportError(VIR_ERR_INVALID_ARG, "%s",
                           _("vCPU count provided by the guest agent can only be requested for live domains"));
        else
            virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                           _("QEMU guest agent is not configured"));
        goto cleanup;
    }
    ret = (flags & QEMU_VCPU_MAXIMUM) ? def->vcpus : def->vcpusCurrent;
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

/* ---- memory, block and interface statistics ---- */

int
qemuDomainMemoryStats(qemuDriver *driver, const unsigned char *uuid,
                      qemuDomainMemoryStatInfo *stats, unsigned int nr,
                      unsigned int flags)
{
    qemuMemoryStat mem[QEMU_MEMORY_STAT_NR];
    qemuDomainObjPrivate *priv;
    virProcStatInfo proc;
    const char *balloon;
    virDomainObj *vm;
    qemuMonitor *mon;
    int n = -1;
    int i;

    if (!virCheckFlags(flags, 0))
        return -1;
    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return -1;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_QUERY,
                              driver->jobWaitTimeoutMs) < 0)
        goto cleanup;
    if (!qemuStatsCheckActive(vm))
        goto endjob;
    n = 0;
    if ((balloon = qemuStatsBalloonPath(vm->def))) {
        if ((mon = qemuDomainObjEnterMonitor(vm)))
            n = qemuMonitorJSONGetMemoryStats(mon, balloon, mem, MIN(nr, QEMU_MEMORY_STAT_NR));
        else
            n = -1;
        qemuDomainObjExitMonitor(vm, mon);
    }
    if (n < 0 || (unsigned int)n >= nr)
        goto endjob;
    if (virDomainObjIsActive(vm) && virHostStatsGetProcStat(vm->pid, 0, &proc) == 0) {
        mem[n].tag = QEMU_MEMORY_STAT_RSS;
        mem[n].val = proc.rssKiB;
        n++;
    } else {
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("cannot get RSS for domain"));
    }
    for (i = 0; i < n; i++) {
        stats[i].tag = mem[i].tag;
        stats[i].val = mem[i].val;
    }
 endjob:
    qemuDomainObjEndJob(vm, &priv->job);
 cleanup:
    virDomainObjEndAPI(&vm);
    return n;
}

/* The disk of a target name ("vda") or source path. */
static virDomainDiskDef *
qemuStatsDiskByName(virDomainDef *def, const char *name)
{
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        if (g_str_equal(def->disks[i]->dst, name) ||
            (def->disks[i]->src && g_str_equal(def->disks[i]->src, name)))
            return def->disks[i];
    }
    return NULL;
}

/* The counters of disk @path ("" sums every disk) of the running @vm,
 * under a QUERY job.  *@nstats: how many counters QEMU keeps. */
static int
qemuStatsBlockGather(qemuDriver *driver, virDomainObj *vm, const char *path,
                     qemuBlockStats *out, int *nstats)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_autoptr(GHashTable) table = NULL;
    virDomainDiskDef *disk = NULL;
    qemuMonitor *mon;
    int ret = -1;
    size_t i;

    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_QUERY,
                              driver->jobWaitTimeoutMs) < 0)
        return -1;
    if (!qemuStatsCheckActive(vm))
        goto endjob;
    if (*path && !(disk = qemuStatsDiskByName(vm->def, path))) {
        virReportError(VIR_ERR_INVALID_ARG, _("invalid path: %1$s"), path);
        goto endjob;
    }
    if ((mon = qemuDomainObjEnterMonitor(vm)))
        table = qemuMonitorJSONGetBlockStats(mon, false, nstats);
    qemuDomainObjExitMonitor(vm, mon);
    if (!table)
        goto endjob;
    memset(out, 0, sizeof(*out));
    if (disk) {
        const qemuBlockStats *st = qemuStatsDiskLookup(table, disk);

        if (!st) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("cannot find statistics for device '%1$s'"),
                           disk->info.alias ? disk->info.alias : disk->dst);
            goto endjob;
        }
        *out = *st;
    } else {
        for (i = 0; i < vm->def->ndisks; i++) {
            const qemuBlockStats *st = qemuStatsDiskLookup(table, vm->def->disks[i]);

            if (!st)
                continue;
            out->rd_req += st->rd_req;
            out->rd_bytes += st->rd_bytes;
            out->wr_req += st->wr_req;
            out->wr_bytes += st->wr_bytes;
            out->flush_req += st->flush_req;
            out->rd_total_times += st->rd_total_times;
            out->wr_total_times += st->wr_total_times;
            out->flush_total_times += st->flush_total_times;
        }
    }
    ret = 0;
 endjob:
    qemuDomainObjEndJob(vm, &priv->job);
    return ret;
}

int
qemuDomainBlockStats(qemuDriver *driver, const unsigned char *uuid,
                     const char *path, qemuDomainBlockStatsInfo *stats)
{
    qemuBlockStats st;
    virDomainObj *vm;
    int nstats = 0;
    int ret = -1;

    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return -1;
    if (qemuStatsBlockGather(driver, vm, path, &st, &nstats) == 0) {
        stats->rd_req = st.rd_req;
        stats->rd_bytes = st.rd_bytes;
        stats->wr_req = st.wr_req;
        stats->wr_bytes = st.wr_bytes;
        stats->errs = -1;   /* QEMU does not count errors */
        ret = 0;
    }
    virDomainObjEndAPI(&vm);
    return ret;
}

/* libvirt's VIR_TYPED_PARAM_STRING_OKAY: no strings here, accepted */
#define QEMU_TYPED_PARAM_STRING_OKAY (1 << 2)

int
qemuDomainBlockStatsFlags(qemuDriver *driver, const unsigned char *uuid,
                          const char *path, virTypedParamList **params,
                          int *nparams, unsigned int flags)
{
    g_autoptr(virTypedParamList) list = NULL;
    qemuBlockStats st;
    virDomainObj *vm;
    int nstats = 0;
    int ret = -1;
    size_t i;

    if (!virCheckFlags(flags, QEMU_TYPED_PARAM_STRING_OKAY))
        return -1;
    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return -1;
    if (qemuStatsBlockGather(driver, vm, path, &st, &nstats) < 0)
        goto cleanup;
    ret = 0;
    /* the number of counters only */
    if (*nparams == 0) {
        *nparams = nstats;
        goto cleanup;
    }
    list = virTypedParamListNew();
    {
        const struct {
            const char *name;
            unsigned long long v;
        } fields[] = {
            { "wr_bytes", st.wr_bytes },
            { "wr_operations", st.wr_req },
            { "rd_bytes", st.rd_bytes },
            { "rd_operations", st.rd_req },
            { "flush_operations", st.flush_req },
            { "wr_total_times", st.wr_total_times },
            { "rd_total_times", st.rd_total_times },
            { "flush_total_times", st.flush_total_times },
        };

        for (i = 0; i < G_N_ELEMENTS(fields) && (int)i < *nparams; i++)
            ignore_value(virTypedParamListAddLLong(list, fields[i].name,
                                                   (long long)fields[i].v));
    }
    *nparams = list->npar;
    *params = g_steal_pointer(&list);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

/* Is @s a MAC address ("52:54:00:12:34:56")?  Fills @mac. */
static bool
qemuStatsParseMAC(const char *s, unsigned char mac[VIR_MAC_BUFLEN])
{
    unsigned int b[VIR_MAC_BUFLEN];
    char end;
    size_t i;

    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
               &b[4], &b[5], &end) != VIR_MAC_BUFLEN)
        return false;
    for (i = 0; i < VIR_MAC_BUFLEN; i++)
        mac[i] = b[i];
    return true;
}

int
qemuDomainInterfaceStats(qemuDriver *driver, const unsigned char *uuid,
                         const char *device, qemuDomainInterfaceStatsInfo *stats)
{
    unsigned char mac[VIR_MAC_BUFLEN];
    bool isMac = qemuStatsParseMAC(device, mac);
    virDomainNetDef *net = NULL;
    virNetDevStats st;
    virDomainObj *vm;
    int ret = -1;
    size_t i;

    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return -1;
    if (!qemuStatsCheckActive(vm))
        goto cleanup;
    for (i = 0; i < vm->def->nnets && !net; i++) {
        virDomainNetDef *n = vm->def->nets[i];

        if (isMac ? memcmp(n->mac, mac, VIR_MAC_BUFLEN) == 0
                  : g_strcmp0(n->ifname, device) == 0)
            net = n;
    }
    if (!net) {
        virReportError(VIR_ERR_INVALID_ARG, _("'%1$s' is not a known interface"),
                       device);
        goto cleanup;
    }
    if (!net->ifname) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("Interface name not provided"));
        goto cleanup;
    }
    if (virHostStatsGetNetDev(net->ifname, false, &st) < 0)
        goto cleanup;
    stats->rx_bytes = st.rx_bytes;
    stats->rx_packets = st.rx_packets;
    stats->rx_errs = st.rx_errs;
    stats->rx_drop = st.rx_drop;
    stats->tx_bytes = st.tx_bytes;
    stats->tx_packets = st.tx_packets;
    stats->tx_errs = st.tx_errs;
    stats->tx_drop = st.tx_drop;
    ret = 0;
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}
