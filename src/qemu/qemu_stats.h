/*
 * qemu_stats.h: libvirt's domain statistics records (virsh domstats,
 * virConnectGetAllDomainStats) from figures gathered elsewhere
 *
 * The driver collects what QEMU (QMP), /proc and the image files say
 * into a qemuDomainStatsData; qemuDomainStatsFormat turns it into the
 * typed parameters of libvirt 9.0's QEMU driver, group by group, with
 * its field names, types and omissions.  Pure, so it is tested on
 * recorded replies.
 */
#pragma once

#include "internal.h"
#include "domain_conf.h"
#include "virtypedparam.h"
#include "virhoststats.h"
#include "qemu_monitor_json_stats.h"

/* libvirt's virDomainStatsTypes */
#define QEMU_DOMAIN_STATS_STATE (1 << 0)
#define QEMU_DOMAIN_STATS_CPU_TOTAL (1 << 1)
#define QEMU_DOMAIN_STATS_BALLOON (1 << 2)
#define QEMU_DOMAIN_STATS_VCPU (1 << 3)
#define QEMU_DOMAIN_STATS_INTERFACE (1 << 4)
#define QEMU_DOMAIN_STATS_BLOCK (1 << 5)
#define QEMU_DOMAIN_STATS_PERF (1 << 6)
#define QEMU_DOMAIN_STATS_IOTHREAD (1 << 7)
#define QEMU_DOMAIN_STATS_MEMORY (1 << 8)
#define QEMU_DOMAIN_STATS_DIRTYRATE (1 << 9)
#define QEMU_DOMAIN_STATS_VM (1 << 10)

/* The groups virtmig answers.  perf, iothread and memory are answered
 * empty, as libvirt does for a guest without perf events, IOThreads or
 * resctrl monitors; dirtyrate and vm are not supported. */
#define QEMU_DOMAIN_STATS_SUPPORTED \
    (QEMU_DOMAIN_STATS_STATE | QEMU_DOMAIN_STATS_CPU_TOTAL | \
     QEMU_DOMAIN_STATS_BALLOON | QEMU_DOMAIN_STATS_VCPU | \
     QEMU_DOMAIN_STATS_INTERFACE | QEMU_DOMAIN_STATS_BLOCK | \
     QEMU_DOMAIN_STATS_PERF | QEMU_DOMAIN_STATS_IOTHREAD | \
     QEMU_DOMAIN_STATS_MEMORY)
/* The groups that need QEMU's monitor (and so a job). */
#define QEMU_DOMAIN_STATS_NEED_MONITOR \
    (QEMU_DOMAIN_STATS_BALLOON | QEMU_DOMAIN_STATS_VCPU | \
     QEMU_DOMAIN_STATS_BLOCK)

/**
 * qemuDomainStatsCheckGroups:
 * 0 (all) becomes every supported group; unsupported groups are dropped,
 * or refused with VIR_ERR_OPERATION_UNSUPPORTED when @enforce (libvirt's
 * VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS).  0 or -1.
 */
int qemuDomainStatsCheckGroups(unsigned int *stats, bool enforce);

/* One vCPU thread. */
typedef struct _qemuVcpuStats qemuVcpuStats;
struct _qemuVcpuStats {
    unsigned int number;          /* vCPU index */
    int state;                    /* libvirt's virVcpuState (1 running) */
    unsigned long long timeNs;    /* CPU time of its thread */
    unsigned long long waitNs;    /* time waiting for a host CPU */
    unsigned long long delayNs;   /* run-queue delay (steal time) */
    int cpu;                      /* host CPU it last ran on */
};

/* An image file's sizes as libvirt reads an inactive domain's disks. */
typedef struct _qemuDiskSizes qemuDiskSizes;
struct _qemuDiskSizes {
    bool valid;
    unsigned long long allocation;  /* blocks in use */
    unsigned long long capacity;    /* guest-visible size */
    unsigned long long physical;    /* file size */
};

typedef struct _qemuDomainStatsData qemuDomainStatsData;
struct _qemuDomainStatsData {
    bool active;
    bool haveJob;                 /* the monitor was asked */
    int state;
    int reason;

    bool haveCpu;
    virProcStatInfo cpu;          /* the whole QEMU process */

    qemuMemoryStat mem[QEMU_MEMORY_STAT_NR];
    int nmem;                     /* -1: not asked / failed */

    qemuVcpuStats *vcpus;         /* online vCPUs with known threads */
    size_t nvcpus;

    virNetDevStats *nets;         /* per def->nets entry */
    bool *haveNet;

    GHashTable *block;            /* node-name / qdev -> qemuBlockStats */
    qemuDiskSizes *disks;         /* per def->disks entry (inactive) */
};

void qemuDomainStatsDataClear(qemuDomainStatsData *data);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(qemuDomainStatsData, qemuDomainStatsDataClear);

/* The sizes of an image file of @format (a virDomainDiskFormat): raw
 * files' capacity is their size, qcow2's the header's.  0 or -1. */
int qemuStatsImageSizes(const char *path, int format, qemuDiskSizes *sizes);

/* The stats of @disk of a running domain (@def live) in @block: the
 * device's entry (root node), or its frontend's for an empty drive. */
const qemuBlockStats *qemuStatsDiskLookup(GHashTable *block,
                                          const virDomainDiskDef *disk);

/**
 * qemuDomainStatsFormat:
 * Appends the records of @stats (groups) for a domain of definition
 * @def (live if active) to @params.  @backing: list backing chains
 * (virtmig knows no backing images: the top images only).  0 or -1.
 */
int qemuDomainStatsFormat(const virDomainDef *def,
                          const qemuDomainStatsData *data,
                          unsigned int stats, bool backing,
                          virTypedParamList *params);
