/*
 * qemu_domainjob_data.c: statistics of an async job (migration)
 *
 * What virDomainGetJobInfo/GetJobStats report, with libvirt's typed
 * parameter names, types and units (libvirt 9.0's
 * qemuDomainMigrationJobDataToParams and the QEMU reply mapping of
 * qemuMonitorJSONGetMigrationStatsReply):
 *  - memory_* come from query-migrate's "ram", disk_* from "disk",
 *    data_* are their sums;
 *  - memory_bps/disk_bps are QEMU's "mbps" (Mbit/s, M = 10^6) in
 *    bytes/s, only when non-zero;
 *  - memory_constant/normal/normal_bytes only when QEMU sent "ram";
 *  - downtime is QEMU's "downtime" once completed, else its
 *    "expected-downtime";
 *  - *_net values subtract the clock difference of the two hosts and
 *    only exist when it is known, non-negative and smaller.
 */
#include <float.h>

#include "qemu_domainjob_data.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_domainjob_data");

VIR_ENUM_IMPL(qemuDomainJobStatus, QEMU_DOMAIN_JOB_STATUS_LAST,
              "none",
              "active",
              "migrating",
              "postcopy",
              "postcopy-paused",
              "hypervisor-completed",
              "paused",
              "failed",
              "canceled",
              "completed");

/* Bytes per second in one Mbit/s. */
#define QEMU_DOMAIN_JOB_BPS_PER_MBPS (1000.0 * 1000.0 / 8.0)


qemuDomainJobData *
qemuDomainJobDataNew(void)
{
    return g_new0(qemuDomainJobData, 1);
}


qemuDomainJobData *
qemuDomainJobDataCopy(const qemuDomainJobData *data)
{
    qemuDomainJobData *copy;
    const qemuMonitorMigrationStats *stats;

    if (!data)
        return NULL;

    stats = &data->stats;
    copy = g_new0(qemuDomainJobData, 1);
    *copy = *data;
    copy->errmsg = g_strdup(data->errmsg);
    copy->stats.errorDesc = g_strdup(stats->errorDesc);
    copy->stats.blockedReasons = g_strdupv(stats->blockedReasons);
    copy->stats.postcopyVcpuBlocktime = NULL;
    if (stats->postcopyVcpuBlocktime && stats->npostcopyVcpuBlocktime > 0) {
        copy->stats.postcopyVcpuBlocktime =
            g_memdup2(stats->postcopyVcpuBlocktime,
                      stats->npostcopyVcpuBlocktime *
                      sizeof(stats->postcopyVcpuBlocktime[0]));
    } else {
        copy->stats.npostcopyVcpuBlocktime = 0;
    }
    return copy;
}


void
qemuDomainJobDataFree(qemuDomainJobData *data)
{
    if (!data)
        return;
    qemuMonitorMigrationStatsClear(&data->stats);
    g_free(data->errmsg);
    g_free(data);
}


/* libvirt's virDomainJobStatusToType. */
static virDomainJobType
qemuDomainJobStatusToType(qemuDomainJobStatus status)
{
    switch (status) {
    case QEMU_DOMAIN_JOB_STATUS_NONE:
        return VIR_DOMAIN_JOB_NONE;
    case QEMU_DOMAIN_JOB_STATUS_ACTIVE:
    case QEMU_DOMAIN_JOB_STATUS_MIGRATING:
    case QEMU_DOMAIN_JOB_STATUS_POSTCOPY:
    case QEMU_DOMAIN_JOB_STATUS_POSTCOPY_PAUSED:
    case QEMU_DOMAIN_JOB_STATUS_HYPERVISOR_COMPLETED:
    case QEMU_DOMAIN_JOB_STATUS_PAUSED:
        return VIR_DOMAIN_JOB_UNBOUNDED;
    case QEMU_DOMAIN_JOB_STATUS_COMPLETED:
        return VIR_DOMAIN_JOB_COMPLETED;
    case QEMU_DOMAIN_JOB_STATUS_FAILED:
        return VIR_DOMAIN_JOB_FAILED;
    case QEMU_DOMAIN_JOB_STATUS_CANCELED:
        return VIR_DOMAIN_JOB_CANCELLED;
    case QEMU_DOMAIN_JOB_STATUS_LAST:
        break;
    }
    return VIR_DOMAIN_JOB_NONE;
}


/* Whether a job in @status is still going on (time keeps running). */
static bool
qemuDomainJobStatusIsRunning(qemuDomainJobStatus status)
{
    return qemuDomainJobStatusToType(status) == VIR_DOMAIN_JOB_UNBOUNDED;
}


virDomainJobType
qemuDomainJobDataToType(const qemuDomainJobData *data)
{
    if (!data)
        return VIR_DOMAIN_JOB_NONE;
    return qemuDomainJobStatusToType(data->status);
}


unsigned long long
qemuDomainJobDataMbpsToBps(double mbps)
{
    double bps;

    if (!(mbps > 0))
        return 0;
    bps = mbps * QEMU_DOMAIN_JOB_BPS_PER_MBPS;
    if (bps >= 18446744073709551615.0)
        return G_MAXUINT64;
    /* Truncate like libvirt, but do not let the rounding error of a
     * bytes/s -> Mbit/s -> bytes/s round trip (a few ulps below the
     * integer) lose one byte. */
    return (unsigned long long)(bps * (1.0 + 4 * DBL_EPSILON));
}


double
qemuDomainJobDataBpsToMbps(unsigned long long bps)
{
    return (double)bps / QEMU_DOMAIN_JOB_BPS_PER_MBPS;
}


/* ms since the job started: running jobs are measured now (libvirt's
 * qemuDomainJobDataUpdateTime), finished ones keep what was recorded
 * when they ended (falling back to stopped - started). */
static unsigned long long
qemuDomainJobDataElapsed(const qemuDomainJobData *data)
{
    unsigned long long now;

    if (!qemuDomainJobStatusIsRunning(data->status) || data->started == 0) {
        if (data->timeElapsed == 0 && data->started > 0 &&
            data->stopped > data->started)
            return data->stopped - data->started;
        return data->timeElapsed;
    }

    now = g_get_real_time() / 1000;
    if (now < data->started) {
        VIR_WARN("Async job starts in the future");
        return 0;
    }
    return now - data->started;
}


/* Adds @name = @value - delta when the host clock delta is known,
 * non-negative and smaller than @value (libvirt compares the unsigned
 * value with the signed delta, so a negative delta never counts). */
static int
qemuDomainJobDataAddNet(const qemuDomainJobData *data,
                        virTypedParamList *params,
                        const char *name,
                        unsigned long long value)
{
    if (!data->timeDeltaSet || data->timeDelta < 0 ||
        value <= (unsigned long long)data->timeDelta)
        return 0;
    return virTypedParamListAddULLong(params, name,
                                      value - (unsigned long long)data->timeDelta);
}


static int
qemuDomainJobDataAddTimes(const qemuDomainJobData *data,
                          virTypedParamList *params)
{
    const qemuMonitorMigrationStats *stats = &data->stats;
    unsigned long long elapsed = qemuDomainJobDataElapsed(data);
    bool downtimeSet = stats->downtimeSet || stats->expectedDowntimeSet;
    unsigned long long downtime = stats->expectedDowntime;

    if (stats->downtimeSet)
        downtime = stats->downtime;

    if (virTypedParamListAddInt(params, "operation", data->operation) < 0 ||
        virTypedParamListAddULLong(params, "time_elapsed", elapsed) < 0 ||
        qemuDomainJobDataAddNet(data, params, "time_elapsed_net",
                                elapsed) < 0)
        return -1;

    if (downtimeSet &&
        (virTypedParamListAddULLong(params, "downtime", downtime) < 0 ||
         qemuDomainJobDataAddNet(data, params, "downtime_net", downtime) < 0))
        return -1;

    if (stats->setupTimeSet &&
        virTypedParamListAddULLong(params, "setup_time", stats->setupTime) < 0)
        return -1;
    return 0;
}


static int
qemuDomainJobDataAddMemory(const qemuMonitorMigrationStats *stats,
                           virTypedParamList *params)
{
    const qemuMonitorMigrationMemStats *ram = &stats->ram;
    const qemuMonitorMigrationMemStats *disk = &stats->disk;
    unsigned long long bps = qemuDomainJobDataMbpsToBps(ram->mbps);

    if (virTypedParamListAddULLong(params, "data_total",
                                   ram->total + disk->total) < 0 ||
        virTypedParamListAddULLong(params, "data_processed",
                                   ram->transferred + disk->transferred) < 0 ||
        virTypedParamListAddULLong(params, "data_remaining",
                                   ram->remaining + disk->remaining) < 0 ||
        virTypedParamListAddULLong(params, "memory_total", ram->total) < 0 ||
        virTypedParamListAddULLong(params, "memory_processed",
                                   ram->transferred) < 0 ||
        virTypedParamListAddULLong(params, "memory_remaining",
                                   ram->remaining) < 0)
        return -1;

    if (bps > 0 &&
        virTypedParamListAddULLong(params, "memory_bps", bps) < 0)
        return -1;

    if (stats->ramSet &&
        (virTypedParamListAddULLong(params, "memory_constant",
                                    ram->duplicate) < 0 ||
         virTypedParamListAddULLong(params, "memory_normal", ram->normal) < 0 ||
         virTypedParamListAddULLong(params, "memory_normal_bytes",
                                    ram->normalBytes) < 0))
        return -1;

    if (virTypedParamListAddULLong(params, "memory_dirty_rate",
                                   ram->dirtyPagesRate) < 0 ||
        virTypedParamListAddULLong(params, "memory_iteration",
                                   ram->dirtySyncCount) < 0 ||
        virTypedParamListAddULLong(params, "memory_postcopy_requests",
                                   ram->postcopyRequests) < 0)
        return -1;

    if (ram->pageSize > 0 &&
        virTypedParamListAddULLong(params, "memory_page_size",
                                   ram->pageSize) < 0)
        return -1;
    /* virtmig extension (libvirt 9.0 has no such parameter): the total
     * time vCPUs waited for pages faulted in post-copy, in ms */
    if (stats->postcopyBlocktimeSet &&
        virTypedParamListAddULLong(params, "memory_postcopy_blocktime",
                                   stats->postcopyBlocktime) < 0)
        return -1;
    return 0;
}


static int
qemuDomainJobDataAddDisk(const qemuMonitorMigrationStats *stats,
                         virTypedParamList *params)
{
    const qemuMonitorMigrationMemStats *disk = &stats->disk;
    unsigned long long bps = qemuDomainJobDataMbpsToBps(disk->mbps);

    if (virTypedParamListAddULLong(params, "disk_total", disk->total) < 0 ||
        virTypedParamListAddULLong(params, "disk_processed",
                                   disk->transferred) < 0 ||
        virTypedParamListAddULLong(params, "disk_remaining",
                                   disk->remaining) < 0)
        return -1;

    if (bps > 0 &&
        virTypedParamListAddULLong(params, "disk_bps", bps) < 0)
        return -1;
    return 0;
}


static int
qemuDomainJobDataAddCompression(const qemuMonitorMigrationStats *stats,
                                virTypedParamList *params)
{
    const qemuMonitorMigrationXbzrleStats *xbzrle = &stats->xbzrle;

    if (!stats->xbzrleSet)
        return 0;

    if (virTypedParamListAddULLong(params, "compression_cache",
                                   xbzrle->cacheSize) < 0 ||
        virTypedParamListAddULLong(params, "compression_bytes",
                                   xbzrle->bytes) < 0 ||
        virTypedParamListAddULLong(params, "compression_pages",
                                   xbzrle->pages) < 0 ||
        virTypedParamListAddULLong(params, "compression_cache_misses",
                                   xbzrle->cacheMiss) < 0 ||
        virTypedParamListAddULLong(params, "compression_overflow",
                                   xbzrle->overflow) < 0)
        return -1;
    return 0;
}


/* Why a finished job did not complete: our message, else QEMU's. */
static const char *
qemuDomainJobDataErrorMessage(const qemuDomainJobData *data)
{
    if (data->status != QEMU_DOMAIN_JOB_STATUS_FAILED &&
        data->status != QEMU_DOMAIN_JOB_STATUS_CANCELED)
        return NULL;
    if (data->errmsg)
        return data->errmsg;
    return data->stats.errorDesc;
}


int
qemuDomainJobDataToParams(const qemuDomainJobData *data,
                          virTypedParamList *params)
{
    const qemuMonitorMigrationStats *stats;
    const char *errmsg;
    int throttle;

    if (!data || data->status == QEMU_DOMAIN_JOB_STATUS_NONE)
        return 0;

    stats = &data->stats;
    if (qemuDomainJobDataAddTimes(data, params) < 0 ||
        qemuDomainJobDataAddMemory(stats, params) < 0 ||
        qemuDomainJobDataAddDisk(stats, params) < 0 ||
        qemuDomainJobDataAddCompression(stats, params) < 0)
        return -1;

    throttle = (int)MIN(stats->cpuThrottlePercentage, (unsigned long long)G_MAXINT);
    if (throttle != 0 &&
        virTypedParamListAddInt(params, "auto_converge_throttle", throttle) < 0)
        return -1;

    if ((errmsg = qemuDomainJobDataErrorMessage(data)) &&
        virTypedParamListAddString(params, "errmsg", errmsg) < 0)
        return -1;
    return 0;
}
