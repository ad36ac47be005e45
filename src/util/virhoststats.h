/*
 * virhoststats.h: what the host kernel tells about a process and its
 * network devices (/proc), as libvirt reads it without cgroups
 *
 * The parsers take the file's text so that they can be tested on
 * recorded files; the readers open the live ones.
 */
#pragma once

#include <sys/types.h>
#include "internal.h"

/* One task (process or thread) from /proc/PID[/task/TID]/stat. */
typedef struct _virProcStatInfo virProcStatInfo;
struct _virProcStatInfo {
    unsigned long long userNs;    /* utime */
    unsigned long long sysNs;     /* stime */
    int processor;                /* CPU it last ran on */
    unsigned long long rssKiB;    /* resident set (process only) */
};

/* Parses the text of a stat file.  0, or -1 if it is malformed. */
int virHostStatsParseProcStat(const char *text, long ticksPerSec,
                              long pageKiB, virProcStatInfo *info);
/* /proc/@pid/stat, or /proc/@pid/task/@tid/stat when @tid > 0.
 * 0, or -1 (errno-less: the task is gone). */
int virHostStatsGetProcStat(pid_t pid, pid_t tid, virProcStatInfo *info);

/* "se.statistics.wait_sum" (or "se.wait_sum") of a sched file, in ns
 * (the file says ms with decimals).  0 if absent. */
unsigned long long virHostStatsParseSchedWait(const char *text);
unsigned long long virHostStatsGetSchedWait(pid_t pid, pid_t tid);
/* The run-queue delay (second field) of a schedstat file, in ns. */
unsigned long long virHostStatsParseSchedstatDelay(const char *text);
unsigned long long virHostStatsGetSchedstatDelay(pid_t pid, pid_t tid);

/* Counters of a network device; -1 when unknown. */
typedef struct _virNetDevStats virNetDevStats;
struct _virNetDevStats {
    long long rx_bytes;
    long long rx_packets;
    long long rx_errs;
    long long rx_drop;
    long long tx_bytes;
    long long tx_packets;
    long long tx_errs;
    long long tx_drop;
};

/* The line of @ifname in /proc/net/dev's text.  @swapped: the device is
 * a tap whose receive side is the guest's transmit side (libvirt swaps
 * them for every tap that does not share the host's view).  0, or -1
 * with libvirt's "/proc/net/dev: Interface not found" reported. */
int virHostStatsParseNetDev(const char *text, const char *ifname,
                            bool swapped, virNetDevStats *stats);
int virHostStatsGetNetDev(const char *ifname, bool swapped,
                          virNetDevStats *stats);

/* A kernel CPU list ("0-3,6") as a bitmap of @maplen bytes (bit N of
 * byte N/8 for CPU N; CPUs past the map are dropped).  Returns the
 * highest CPU + 1, or -1 if the text is malformed. */
int virHostStatsParseCPUList(const char *text, unsigned char *map,
                             size_t maplen);
/* /sys/devices/system/cpu/@which ("online", "present") into @map.
 * Returns the highest CPU + 1, or -1 (reported). */
int virHostStatsGetCPUList(const char *which, unsigned char *map,
                           size_t maplen);
