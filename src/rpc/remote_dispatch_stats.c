/*
 * remote_dispatch_stats.c: the monitoring procedures of the remote
 * program written by hand (all-domain statistics, vCPU information and
 * pinning, memory and block statistics, the snapshot name list)
 *
 * Argument limits and the shape of the replies are libvirt 9.0's
 * daemon's (remote_daemon_dispatch.c): e.g. the cpumaps travel as
 * maxinfo * maplen bytes whatever the count.
 */
#include <string.h>

#include "remote_dispatch.h"
#include "remote_typedparam.h"
#include "virhoststats.h"
#include "virtypedparam.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_RPC

/* The product of two non-negative ints if it is at most @max. */
static bool
remoteStatsMapsFit(int count, int maplen, size_t max)
{
    return count >= 0 && maplen >= 0 &&
           (guint64)count * (guint64)maplen <= max;
}

int
remoteDispatchDomainGetVcpus(virNetServerClient *client,
                             const virNetMessageHeader *header,
                             void *args, void *ret, void *opaque)
{
    remote_domain_get_vcpus_args *a = args;
    remote_domain_get_vcpus_ret *r = ret;
    remoteServer *srv = opaque;
    g_autofree qemuDomainVcpuInfo *info = NULL;
    g_autofree unsigned char *cpumaps = NULL;
    int n;
    int i;

    if (a->maxinfo > REMOTE_VCPUINFO_MAX) {
        virReportError(VIR_ERR_RPC, "%s", _("maxinfo > REMOTE_VCPUINFO_MAX"));
        return -1;
    }
    if (!remoteStatsMapsFit(a->maxinfo, a->maplen, REMOTE_CPUMAPS_MAX)) {
        virReportError(VIR_ERR_RPC, "%s", _("maxinfo * maplen > REMOTE_CPUMAPS_MAX"));
        return -1;
    }
    info = g_new0(qemuDomainVcpuInfo, MAX(a->maxinfo, 1));
    if (a->maplen > 0)
        cpumaps = g_new0(unsigned char, MAX((size_t)a->maxinfo * a->maplen, 1));
    if ((n = qemuDomainGetVcpus(srv->driver, remoteDomainUUID(&a->dom), info,
                                a->maxinfo, cpumaps, a->maplen)) < 0)
        return -1;
    r->info.info_val = g_new0(remote_vcpu_info, MAX(n, 1));
    r->info.info_len = n;
    for (i = 0; i < n; i++) {
        r->info.info_val[i].number = info[i].number;
        r->info.info_val[i].state = info[i].state;
        r->info.info_val[i].cpu_time = info[i].cpuTime;
        r->info.info_val[i].cpu = info[i].cpu;
    }
    r->cpumaps.cpumaps_len = a->maplen > 0 ? a->maxinfo * a->maplen : 0;
    r->cpumaps.cpumaps_val = (char *)g_steal_pointer(&cpumaps);
    return 0;
}

int
remoteDispatchDomainMemoryStats(virNetServerClient *client,
                                const virNetMessageHeader *header,
                                void *args, void *ret, void *opaque)
{
    remote_domain_memory_stats_args *a = args;
    remote_domain_memory_stats_ret *r = ret;
    remoteServer *srv = opaque;
    g_autofree qemuDomainMemoryStatInfo *stats = NULL;
    int n;
    int i;

    if (a->maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX) {
        virReportError(VIR_ERR_RPC, "%s",
                       _("maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX"));
        return -1;
    }
    stats = g_new0(qemuDomainMemoryStatInfo, MAX(a->maxStats, 1));
    if ((n = qemuDomainMemoryStats(srv->driver, remoteDomainUUID(&a->dom), stats,
                                   a->maxStats, a->flags)) < 0)
        return -1;
    r->stats.stats_val = g_new0(remote_domain_memory_stat, MAX(n, 1));
    r->stats.stats_len = n;
    for (i = 0; i < n; i++) {
        r->stats.stats_val[i].tag = stats[i].tag;
        r->stats.stats_val[i].val = stats[i].val;
    }
    return 0;
}

int
remoteDispatchDomainSnapshotListNames(virNetServerClient *client,
                                      const virNetMessageHeader *header,
                                      void *args, void *ret, void *opaque)
{
    remote_domain_snapshot_list_names_args *a = args;
    remoteServer *srv = opaque;

    if (a->maxnames > REMOTE_DOMAIN_SNAPSHOT_LIST_MAX) {
        virReportError(VIR_ERR_RPC, "%s",
                       _("maxnames > REMOTE_DOMAIN_SNAPSHOT_LIST_MAX"));
        return -1;
    }
    /* no snapshots: an empty list */
    return qemuDomainListAllSnapshots(srv->driver, remoteDomainUUID(&a->dom),
                                      a->flags);
}

int
remoteDispatchDomainGetVcpuPinInfo(virNetServerClient *client,
                                   const virNetMessageHeader *header,
                                   void *args, void *ret, void *opaque)
{
    remote_domain_get_vcpu_pin_info_args *a = args;
    remote_domain_get_vcpu_pin_info_ret *r = ret;
    remoteServer *srv = opaque;
    g_autofree unsigned char *cpumaps = NULL;
    int num;

    if (a->ncpumaps > REMOTE_VCPUINFO_MAX) {
        virReportError(VIR_ERR_RPC, "%s", _("ncpumaps > REMOTE_VCPUINFO_MAX"));
        return -1;
    }
    if (!remoteStatsMapsFit(a->ncpumaps, a->maplen, REMOTE_CPUMAPS_MAX)) {
        virReportError(VIR_ERR_RPC, "%s", _("maxinfo * maplen > REMOTE_CPUMAPS_MAX"));
        return -1;
    }
    cpumaps = g_new0(unsigned char, MAX((size_t)a->ncpumaps * a->maplen, 1));
    if ((num = qemuDomainGetVcpuPinInfo(srv->driver, remoteDomainUUID(&a->dom),
                                        a->ncpumaps, cpumaps, a->maplen,
                                        a->flags)) < 0)
        return -1;
    r->num = num;
    r->cpumaps.cpumaps_len = a->ncpumaps * a->maplen;
    r->cpumaps.cpumaps_val = (char *)g_steal_pointer(&cpumaps);
    return 0;
}

int
remoteDispatchDomainBlockStatsFlags(virNetServerClient *client,
                                    const virNetMessageHeader *header,
                                    void *args, void *ret, void *opaque)
{
    remote_domain_block_stats_flags_args *a = args;
    remote_domain_block_stats_flags_ret *r = ret;
    remoteServer *srv = opaque;
    g_autoptr(virTypedParamList) params = NULL;
    int nparams = a->nparams;

    if (a->nparams > REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX) {
        virReportError(VIR_ERR_RPC, "%s", _("nparams too large"));
        return -1;
    }
    if (qemuDomainBlockStatsFlags(srv->driver, remoteDomainUUID(&a->dom), a->path,
                                  &params, &nparams, a->flags) < 0)
        return -1;
    /* asked for the number of counters only */
    if (a->nparams == 0) {
        r->nparams = nparams;
        return 0;
    }
    return remoteSerializeTypedParams(params->par, params->npar,
                                      REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX,
                                      &r->params.params_val,
                                      &r->params.params_len);
}

int
remoteDispatchDomainGetEmulatorPinInfo(virNetServerClient *client,
                                       const virNetMessageHeader *header,
                                       void *args, void *ret, void *opaque)
{
    remote_domain_get_emulator_pin_info_args *a = args;
    remote_domain_get_emulator_pin_info_ret *r = ret;
    remoteServer *srv = opaque;
    g_autofree unsigned char *cpumap = NULL;
    int rc;

    if (!remoteStatsMapsFit(1, a->maplen, REMOTE_CPUMAPS_MAX)) {
        virReportError(VIR_ERR_RPC, "%s", _("maplen > REMOTE_CPUMAPS_MAX"));
        return -1;
    }
    cpumap = g_new0(unsigned char, MAX(a->maplen, 1));
    if ((rc = qemuDomainGetEmulatorPinInfo(srv->driver, remoteDomainUUID(&a->dom),
                                           cpumap, a->maplen, a->flags)) < 0)
        return -1;
    r->ret = rc;
    r->cpumaps.cpumaps_len = a->maplen;
    r->cpumaps.cpumaps_val = (char *)g_steal_pointer(&cpumap);
    return 0;
}

int
remoteDispatchConnectGetAllDomainStats(virNetServerClient *client,
                                       const virNetMessageHeader *header,
                                       void *args, void *ret, void *opaque)
{
    remote_connect_get_all_domain_stats_args *a = args;
    remote_connect_get_all_domain_stats_ret *r = ret;
    remoteServer *srv = opaque;
    g_autofree unsigned char *uuids = NULL;
    qemuDomainStatsRecord *recs = NULL;
    size_t nrecs = 0;
    int rc = -1;
    size_t i;

    if (a->doms.doms_len) {
        uuids = g_new0(unsigned char, (size_t)a->doms.doms_len * VIR_UUID_BUFLEN);
        for (i = 0; i < a->doms.doms_len; i++)
            memcpy(uuids + i * VIR_UUID_BUFLEN, a->doms.doms_val[i].uuid,
                   VIR_UUID_BUFLEN);
    }
    if (qemuConnectGetAllDomainStats(srv->driver,
                                     (const unsigned char (*)[VIR_UUID_BUFLEN])uuids,
                                     a->doms.doms_len, a->stats, a->flags,
                                     &recs, &nrecs) < 0)
        return -1;
    if (nrecs > REMOTE_DOMAIN_LIST_MAX) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("Number of domain stats records is %1$zu, which exceeds max limit: %2$d"),
                       nrecs, REMOTE_DOMAIN_LIST_MAX);
        goto cleanup;
    }
    r->retStats.retStats_val = g_new0(remote_domain_stats_record, MAX(nrecs, 1));
    r->retStats.retStats_len = nrecs;
    for (i = 0; i < nrecs; i++) {
        remote_domain_stats_record *dst = &r->retStats.retStats_val[i];

        remoteMakeDomain(&dst->dom, &recs[i].dom);
        if (remoteSerializeTypedParams(recs[i].params->par, recs[i].params->npar,
                                       REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX,
                                       &dst->params.params_val,
                                       &dst->params.params_len) < 0)
            goto cleanup;
    }
    rc = 0;
 cleanup:
    qemuDomainStatsRecordListFree(recs, nrecs);
    return rc;
}

int
remoteDispatchNodeGetCPUMap(virNetServerClient *client,
                            const virNetMessageHeader *header,
                            void *args, void *ret, void *opaque)
{
    remote_node_get_cpu_map_args *a = args;
    remote_node_get_cpu_map_ret *r = ret;
    g_autofree unsigned char *map = g_new0(unsigned char, REMOTE_CPUMAP_MAX);
    unsigned int online = 0;
    int ncpus;
    int i;

    if (!virCheckFlags(a->flags, 0))
        return -1;
    /* libvirt: the online CPUs, as many bits as the highest one + 1 */
    if ((ncpus = virHostStatsGetCPUList("online", map, REMOTE_CPUMAP_MAX)) < 0)
        return -1;
    for (i = 0; i < ncpus && i / 8 < REMOTE_CPUMAP_MAX; i++)
        online += (map[i / 8] >> (i % 8)) & 1;
    if (a->need_map) {
        r->cpumap.cpumap_len = (ncpus + 7) / 8;
        r->cpumap.cpumap_val = (char *)g_steal_pointer(&map);
    }
    r->online = a->need_online ? online : 0;
    r->ret = ncpus;
    return 0;
}
