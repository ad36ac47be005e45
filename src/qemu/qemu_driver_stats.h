/*
 * qemu_driver_stats.h: the driver's monitoring and simple control API
 * (virsh domstats, dommemstat, domblkstat, domifstat, vcpuinfo, setmem,
 * reboot, reset, autostart; the empty snapshot and checkpoint lists)
 *
 * Part of the driver API the RPC layer calls (included by
 * qemu_driver.h); same conventions: domains by UUID, -1 with a libvirt
 * error reported on failure, flags and values as libvirt's.
 */
#pragma once

/* ---- statistics (qemu_driver_stats.c) ---- */

/* One domain's record of CONNECT_GET_ALL_DOMAIN_STATS. */
typedef struct _qemuDomainStatsRecord qemuDomainStatsRecord;
struct _qemuDomainStatsRecord {
    qemuDomainRef dom;
    virTypedParamList *params;
};
void qemuDomainStatsRecordListFree(qemuDomainStatsRecord *recs, size_t n);

/**
 * qemuConnectGetAllDomainStats:
 * virConnectGetAllDomainStats (@uuids NULL) and virDomainListGetStats
 * (@nuuids domains; unknown ones are skipped): the @stats groups
 * (virDomainStatsTypes, 0: all) of every domain passing the list
 * filters of @flags (VIR_CONNECT_GET_ALL_DOMAINS_STATS_*: ACTIVE ...
 * OTHER, NOWAIT, BACKING, ENFORCE_STATS).  Figures QEMU must give are
 * left out for a domain whose job is busy (at once with NOWAIT, after
 * the job wait timeout without).
 */
int qemuConnectGetAllDomainStats(qemuDriver *driver,
                                 const unsigned char (*uuids)[VIR_UUID_BUFLEN],
                                 size_t nuuids, unsigned int stats,
                                 unsigned int flags,
                                 qemuDomainStatsRecord **recs, size_t *nrecs);

/* virVcpuInfo */
typedef struct _qemuDomainVcpuInfo qemuDomainVcpuInfo;
struct _qemuDomainVcpuInfo {
    unsigned int number;
    int state;
    unsigned long long cpuTime;
    int cpu;
};

/* virDomainGetVcpus: up to @maxinfo online vCPUs into @info and, when
 * @maplen > 0, their threads' affinity into @cpumaps (@maxinfo maps of
 * @maplen bytes).  Returns the count. */
int qemuDomainGetVcpus(qemuDriver *driver, const unsigned char *uuid,
                       qemuDomainVcpuInfo *info, int maxinfo,
                       unsigned char *cpumaps, int maplen);
/* virDomainGetVcpuPinInfo: the configured pinning (all host CPUs when
 * none) of up to @ncpumaps vCPUs.  Returns the count. */
int qemuDomainGetVcpuPinInfo(qemuDriver *driver, const unsigned char *uuid,
                             int ncpumaps, unsigned char *cpumaps, int maplen,
                             unsigned int flags);
/* virDomainGetEmulatorPinInfo: returns 1. */
int qemuDomainGetEmulatorPinInfo(qemuDriver *driver, const unsigned char *uuid,
                                 unsigned char *cpumap, int maplen,
                                 unsigned int flags);
/* virDomainGetVcpusFlags; virDomainGetMaxVcpus is
 * (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_VCPU_MAXIMUM). */
int qemuDomainGetVcpusFlags(qemuDriver *driver, const unsigned char *uuid,
                            unsigned int flags);

/* virDomainMemoryStat */
typedef struct _qemuDomainMemoryStatInfo qemuDomainMemoryStatInfo;
struct _qemuDomainMemoryStatInfo {
    int tag;
    unsigned long long val;
};
/* virDomainMemoryStats: returns the number of stats (<= @nr). */
int qemuDomainMemoryStats(qemuDriver *driver, const unsigned char *uuid,
                          qemuDomainMemoryStatInfo *stats, unsigned int nr,
                          unsigned int flags);

/* virDomainBlockStats (errs is -1: QEMU does not count errors). */
typedef struct _qemuDomainBlockStatsInfo qemuDomainBlockStatsInfo;
struct _qemuDomainBlockStatsInfo {
    long long rd_req;
    long long rd_bytes;
    long long wr_req;
    long long wr_bytes;
    long long errs;
};
/* @path: a disk's target or source; "" sums every disk. */
int qemuDomainBlockStats(qemuDriver *driver, const unsigned char *uuid,
                         const char *path, qemuDomainBlockStatsInfo *stats);
/* virDomainBlockStatsFlags: with *@nparams 0 only the number of
 * counters is returned in it; else up to *@nparams of them (LLONG) in
 * *@params (new list), *@nparams updated. */
int qemuDomainBlockStatsFlags(qemuDriver *driver, const unsigned char *uuid,
                              const char *path, virTypedParamList **params,
                              int *nparams, unsigned int flags);

/* virDomainInterfaceStats of @device (target name or MAC address). */
typedef struct _qemuDomainInterfaceStatsInfo qemuDomainInterfaceStatsInfo;
struct _qemuDomainInterfaceStatsInfo {
    long long rx_bytes;
    long long rx_packets;
    long long rx_errs;
    long long rx_drop;
    long long tx_bytes;
    long long tx_packets;
    long long tx_errs;
    long long tx_drop;
};
int qemuDomainInterfaceStats(qemuDriver *driver, const unsigned char *uuid,
                             const char *device,
                             qemuDomainInterfaceStatsInfo *stats);

/* ---- control (qemu_driver_control.c) ---- */

/* virDomainSetMemoryFlags (KiB); SetMemory is VIR_DOMAIN_AFFECT_LIVE,
 * SetMaxMemory VIR_DOMAIN_MEM_MAXIMUM. */
int qemuDomainSetMemoryFlags(qemuDriver *driver, const unsigned char *uuid,
                             unsigned long long memKiB, unsigned int flags);
/* virDomainReboot: the ACPI power button, the guest's poweroff turned
 * into a reset (no guest agent: VIR_DOMAIN_REBOOT_GUEST_AGENT alone
 * fails as libvirt's without one). */
int qemuDomainReboot(qemuDriver *driver, const unsigned char *uuid,
                     unsigned int flags);
int qemuDomainReset(qemuDriver *driver, const unsigned char *uuid,
                    unsigned int flags);
/* virDomainSetAutostart: a link ROOT/.../autostart/NAME.xml to the
 * persistent definition, as libvirt. */
int qemuDomainSetAutostart(qemuDriver *driver, const unsigned char *uuid,
                           int autostart);
/* virDomainListAllSnapshots / virDomainListAllCheckpoints: virtmig
 * keeps none; 0 after checking the domain and flags. */
int qemuDomainListAllSnapshots(qemuDriver *driver, const unsigned char *uuid,
                               unsigned int flags);
int qemuDomainListAllCheckpoints(qemuDriver *driver, const unsigned char *uuid,
                                 unsigned int flags);
/* virDomainHasCurrentSnapshot: 0. */
int qemuDomainHasCurrentSnapshot(qemuDriver *driver, const unsigned char *uuid,
                                 unsigned int flags);
/* The lookups always fail: VIR_ERR_NO_DOMAIN_SNAPSHOT / _CHECKPOINT
 * with libvirt's messages (after the domain and flags checks). */
int qemuDomainSnapshotLookupByName(qemuDriver *driver, const unsigned char *uuid,
                                   const char *name, unsigned int flags);
int qemuDomainSnapshotCurrent(qemuDriver *driver, const unsigned char *uuid,
                              unsigned int flags);
int qemuDomainCheckpointLookupByName(qemuDriver *driver,
                                     const unsigned char *uuid,
                                     const char *name, unsigned int flags);
