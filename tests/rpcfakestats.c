/*
 * rpcfakestats.c: the fake driver's statistics and simple control
 * (qemu_driver_stats.h): fixed, recognisable figures for the RPC tests
 */
#include <string.h>

#include "rpcfakedriverpriv.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

#define FAKE_STATS_STATE (1 << 0)
#define FAKE_STATS_BALLOON (1 << 2)
#define FAKE_STATS_VCPU (1 << 3)
#define FAKE_STATS_SUPPORTED 0x1ff
#define FAKE_STATS_ENFORCE (1U << 31)
#define FAKE_STATS_ALL_FLAGS (0xffU | (1U << 29) | (1U << 30) | FAKE_STATS_ENFORCE)
/* a vCPU's fake CPU time: 1 s per vCPU number + 1 */
#define FAKE_VCPU_TIME(n) (((unsigned long long)(n) + 1) * 1000000000ULL)

static int
fakeRunning(qemuDriver *driver, const unsigned char *uuid, fakeDomain **out)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    if (!fakeActive(dom)) {
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
        return -1;
    }
    *out = dom;
    return 0;
}

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

static virTypedParamList *
fakeStatsRecord(const fakeDomain *dom, unsigned int stats)
{
    virTypedParamList *params = virTypedParamListNew();

    if (stats & FAKE_STATS_STATE) {
        virTypedParamListAddInt(params, "state.state", dom->state);
        virTypedParamListAddInt(params, "state.reason", dom->reason);
    }
    if (stats & FAKE_STATS_BALLOON) {
        virTypedParamListAddULLong(params, "balloon.current", dom->memKiB);
        virTypedParamListAddULLong(params, "balloon.maximum", dom->memKiB);
    }
    if (stats & FAKE_STATS_VCPU) {
        virTypedParamListAddUInt(params, "vcpu.current", dom->vcpus);
        virTypedParamListAddUInt(params, "vcpu.maximum", dom->vcpus);
    }
    return params;
}

int
qemuConnectGetAllDomainStats(qemuDriver *driver,
                             const unsigned char (*uuids)[VIR_UUID_BUFLEN],
                             size_t nuuids, unsigned int stats,
                             unsigned int flags,
                             qemuDomainStatsRecord **recs, size_t *nrecs)
{
    GArray *out = g_array_new(FALSE, TRUE, sizeof(qemuDomainStatsRecord));
    unsigned int which = flags & 3;
    guint i;

    if (!virCheckFlags(flags, FAKE_STATS_ALL_FLAGS)) {
        g_array_free(out, TRUE);
        return -1;
    }
    if ((flags & FAKE_STATS_ENFORCE) && (stats & ~FAKE_STATS_SUPPORTED)) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("Stats types bits 0x%1$x are not supported by this daemon"),
                       stats & ~FAKE_STATS_SUPPORTED);
        g_array_free(out, TRUE);
        return -1;
    }
    if (stats == 0)
        stats = FAKE_STATS_SUPPORTED;
    g_mutex_lock(&driver->lock);
    for (i = 0; i < (uuids ? nuuids : driver->domains->len); i++) {
        fakeDomain *dom = uuids ? fakeFindByUUID(driver, uuids[i])
                                : g_ptr_array_index(driver->domains, i);
        qemuDomainStatsRecord rec = { 0 };

        if (!dom || (which == 1 && !fakeActive(dom)) ||
            (which == 2 && fakeActive(dom)))
            continue;
        fakeRef(dom, &rec.dom);
        rec.params = fakeStatsRecord(dom, stats);
        g_array_append_val(out, rec);
    }
    g_mutex_unlock(&driver->lock);
    *nrecs = out->len;
    *recs = (qemuDomainStatsRecord *)g_array_free(out, FALSE);
    return 0;
}

int
qemuDomainGetVcpus(qemuDriver *driver, const unsigned char *uuid,
                   qemuDomainVcpuInfo *info, int maxinfo,
                   unsigned char *cpumaps, int maplen)
{
    fakeDomain *dom;
    int n;

    if (fakeRunning(driver, uuid, &dom) < 0)
        return -1;
    for (n = 0; n < (int)dom->vcpus && n < maxinfo; n++) {
        info[n].number = n;
        info[n].state = 1;
        info[n].cpuTime = FAKE_VCPU_TIME(n);
        info[n].cpu = 0;
        if (cpumaps && maplen > 0)
            cpumaps[(size_t)n * maplen] = 1;   /* host CPU 0 */
    }
    g_mutex_unlock(&driver->lock);
    return n;
}

int
qemuDomainGetVcpuPinInfo(qemuDriver *driver, const unsigned char *uuid,
                         int ncpumaps, unsigned char *cpumaps, int maplen,
                         unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);
    int n;

    if (!dom)
        return -1;
    for (n = 0; n < (int)dom->vcpus && n < ncpumaps; n++) {
        if (maplen > 0)
            cpumaps[(size_t)n * maplen] = 3;   /* host CPUs 0 and 1 */
    }
    g_mutex_unlock(&driver->lock);
    return n;
}

int
qemuDomainGetEmulatorPinInfo(qemuDriver *driver, const unsigned char *uuid,
                             unsigned char *cpumap, int maplen,
                             unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    g_mutex_unlock(&driver->lock);
    if (maplen > 0)
        cpumap[0] = 3;
    return 1;
}

int
qemuDomainGetVcpusFlags(qemuDriver *driver, const unsigned char *uuid,
                        unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);
    int n;

    if (!dom)
        return -1;
    n = dom->vcpus;
    g_mutex_unlock(&driver->lock);
    return n;
}

int
qemuDomainMemoryStats(qemuDriver *driver, const unsigned char *uuid,
                      qemuDomainMemoryStatInfo *stats, unsigned int nr,
                      unsigned int flags)
{
    fakeDomain *dom;
    int n = 0;

    if (fakeRunning(driver, uuid, &dom) < 0)
        return -1;
    if (nr > 0) {
        stats[n].tag = 6;                /* actual */
        stats[n++].val = dom->memKiB;
    }
    if (nr > 1) {
        stats[n].tag = 7;                /* rss */
        stats[n++].val = dom->memKiB / 2;
    }
    g_mutex_unlock(&driver->lock);
    return n;
}

int
qemuDomainBlockStats(qemuDriver *driver, const unsigned char *uuid,
                     const char *path, qemuDomainBlockStatsInfo *stats)
{
    fakeDomain *dom;

    if (fakeRunning(driver, uuid, &dom) < 0)
        return -1;
    g_mutex_unlock(&driver->lock);
    stats->rd_req = 1;
    stats->rd_bytes = 512;
    stats->wr_req = 2;
    stats->wr_bytes = 1024;
    stats->errs = -1;
    return 0;
}

int
qemuDomainBlockStatsFlags(qemuDriver *driver, const unsigned char *uuid,
                          const char *path, virTypedParamList **params,
                          int *nparams, unsigned int flags)
{
    fakeDomain *dom;

    if (fakeRunning(driver, uuid, &dom) < 0)
        return -1;
    g_mutex_unlock(&driver->lock);
    if (*nparams == 0) {
        *nparams = 2;
        return 0;
    }
    *params = virTypedParamListNew();
    virTypedParamListAddLLong(*params, "wr_bytes", 1024);
    if (*nparams > 1)
        virTypedParamListAddLLong(*params, "wr_operations", 2);
    *nparams = (*params)->npar;
    return 0;
}

int
qemuDomainInterfaceStats(qemuDriver *driver, const unsigned char *uuid,
                         const char *device, qemuDomainInterfaceStatsInfo *stats)
{
    fakeDomain *dom;

    if (fakeRunning(driver, uuid, &dom) < 0)
        return -1;
    g_mutex_unlock(&driver->lock);
    virReportError(VIR_ERR_INVALID_ARG, _("'%1$s' is not a known interface"),
                   device);
    return -1;
}

int
qemuDomainSetMemoryFlags(qemuDriver *driver, const unsigned char *uuid,
                         unsigned long long memKiB, unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    dom->memKiB = memKiB;
    g_mutex_unlock(&driver->lock);
    return 0;
}

static int
fakeCheckRunning(qemuDriver *driver, const unsigned char *uuid)
{
    fakeDomain *dom;

    if (fakeRunning(driver, uuid, &dom) < 0)
        return -1;
    g_mutex_unlock(&driver->lock);
    return 0;
}

int
qemuDomainReboot(qemuDriver *driver, const unsigned char *uuid,
                 unsigned int flags)
{
    return fakeCheckRunning(driver, uuid);
}

int
qemuDomainReset(qemuDriver *driver, const unsigned char *uuid,
                unsigned int flags)
{
    return fakeCheckRunning(driver, uuid);
}

int
qemuDomainSetAutostart(qemuDriver *driver, const unsigned char *uuid,
                       int autostart)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    g_mutex_unlock(&driver->lock);
    return 0;
}

static int
fakeCheckDomain(qemuDriver *driver, const unsigned char *uuid)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (!dom)
        return -1;
    g_mutex_unlock(&driver->lock);
    return 0;
}

int
qemuDomainListAllSnapshots(qemuDriver *driver, const unsigned char *uuid,
                           unsigned int flags)
{
    return fakeCheckDomain(driver, uuid);
}

int
qemuDomainListAllCheckpoints(qemuDriver *driver, const unsigned char *uuid,
                             unsigned int flags)
{
    return fakeCheckDomain(driver, uuid);
}

int
qemuDomainHasCurrentSnapshot(qemuDriver *driver, const unsigned char *uuid,
                             unsigned int flags)
{
    return fakeCheckDomain(driver, uuid);
}

int
qemuDomainSnapshotLookupByName(qemuDriver *driver, const unsigned char *uuid,
                               const char *name, unsigned int flags)
{
    if (fakeCheckDomain(driver, uuid) < 0)
        return -1;
    virReportError(VIR_ERR_NO_DOMAIN_SNAPSHOT,
                   _("no domain snapshot with matching name '%1$s'"), name);
    return -1;
}

int
qemuDomainSnapshotCurrent(qemuDriver *driver, const unsigned char *uuid,
                          unsigned int flags)
{
    if (fakeCheckDomain(driver, uuid) < 0)
        return -1;
    virReportError(VIR_ERR_NO_DOMAIN_SNAPSHOT, "%s",
                   _("the domain does not have a current snapshot"));
    return -1;
}

int
qemuDomainCheckpointLookupByName(qemuDriver *driver, const unsigned char *uuid,
                                 const char *name, unsigned int flags)
{
    if (fakeCheckDomain(driver, uuid) < 0)
        return -1;
    virReportError(VIR_ERR_NO_DOMAIN_CHECKPOINT,
                   _("no domain checkpoint with matching name '%1$s'"), name);
    return -1;
}
