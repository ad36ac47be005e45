/*
 * qemu_monitor_json_stats.h: the QMP queries behind libvirt's domain
 * statistics (block, balloon) and the balloon command
 *
 * Parsers take the "return" member of a reply (tested on recorded
 * replies); wrappers do the round trip.  Names are QEMU 7.2's
 * (qapi/block-core.json, qapi/machine.json, virtio-balloon's
 * "guest-stats" property).
 */
#pragma once

#include "qemu_monitor_json.h"

/* What query-blockstats says about one device, keyed by the node name
 * of its root (format) node; capacity and physical come from
 * query-named-block-nodes. */
typedef struct _qemuBlockStats qemuBlockStats;
struct _qemuBlockStats {
    unsigned long long rd_req;
    unsigned long long rd_bytes;
    unsigned long long wr_req;
    unsigned long long wr_bytes;
    unsigned long long flush_req;
    unsigned long long rd_total_times;   /* ns */
    unsigned long long wr_total_times;
    unsigned long long flush_total_times;
    bool wrHighestValid;
    unsigned long long wr_highest_offset; /* of the storage node */
    unsigned long long capacity;          /* 0: unknown */
    unsigned long long physical;
};

/* query-blockstats' return into a new table node-name -> qemuBlockStats
 * (each device also under its "qdev", the frontend's id or QOM path).
 * *@nstats: how many counters QEMU reports per device (libvirt's count
 * for virDomainBlockStatsFlags).  NULL with an error if malformed. */
GHashTable *qemuMonitorJSONParseBlockStats(json_object *ret, int *nstats);
/* Adds capacity (virtual-size) and physical (actual-size, else the
 * virtual size) of query-named-block-nodes' return to @stats, for the
 * nodes it holds.  0 or -1 (reported). */
int qemuMonitorJSONParseBlockCapacity(json_object *ret, GHashTable *stats);
/* Both queries; @capacity: also query-named-block-nodes. */
GHashTable *qemuMonitorJSONGetBlockStats(qemuMonitor *mon, bool capacity,
                                         int *nstats);

/* libvirt's virDomainMemoryStatTags */
typedef enum {
    QEMU_MEMORY_STAT_SWAP_IN = 0,
    QEMU_MEMORY_STAT_SWAP_OUT = 1,
    QEMU_MEMORY_STAT_MAJOR_FAULT = 2,
    QEMU_MEMORY_STAT_MINOR_FAULT = 3,
    QEMU_MEMORY_STAT_UNUSED = 4,
    QEMU_MEMORY_STAT_AVAILABLE = 5,
    QEMU_MEMORY_STAT_ACTUAL_BALLOON = 6,
    QEMU_MEMORY_STAT_RSS = 7,
    QEMU_MEMORY_STAT_USABLE = 8,
    QEMU_MEMORY_STAT_LAST_UPDATE = 9,
    QEMU_MEMORY_STAT_DISK_CACHES = 10,
    QEMU_MEMORY_STAT_HUGETLB_PGALLOC = 11,
    QEMU_MEMORY_STAT_HUGETLB_PGFAIL = 12,
    QEMU_MEMORY_STAT_NR = 13,
} qemuMemoryStatTag;

typedef struct _qemuMemoryStat qemuMemoryStat;
struct _qemuMemoryStat {
    int tag;                      /* qemuMemoryStatTag */
    unsigned long long val;       /* KiB for sizes */
};

/* query-balloon's return: the balloon size in KiB.  0 or -1. */
int qemuMonitorJSONParseBalloonInfo(json_object *ret,
                                    unsigned long long *actualKiB);
/* The "guest-stats" property of the balloon appended to @stats (which
 * has room for @nr), in libvirt's order; values the guest never
 * reported are left out.  Returns the new count. */
size_t qemuMonitorJSONParseBalloonGuestStats(json_object *ret,
                                             qemuMemoryStat *stats,
                                             size_t got, size_t nr);
/* The balloon's size and the guest's figures (@balloonPath: the QOM
 * path of the balloon device).  Returns the number of stats, or -1. */
int qemuMonitorJSONGetMemoryStats(qemuMonitor *mon, const char *balloonPath,
                                  qemuMemoryStat *stats, size_t nr);

/* balloon: 1 done, 0 no balloon is active (libvirt's soft failure), -1
 * error (reported). */
int qemuMonitorJSONSetBalloon(qemuMonitor *mon, unsigned long long KiB);
