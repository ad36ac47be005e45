/*
 * virhoststats.c: process, thread and network device figures from /proc
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "virhoststats.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_NONE

/* The largest /proc or /sys file read here. */
#define VIR_HOST_STATS_FILE_MAX (1024 * 1024)

static char *
virHostStatsRead(const char *path)
{
    char *data = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, NULL))
        return NULL;
    if (len > VIR_HOST_STATS_FILE_MAX) {
        g_free(data);
        return NULL;
    }
    return data;
}

static char *
virHostStatsTaskPath(pid_t pid, pid_t tid, const char *file)
{
    if (tid > 0)
        return g_strdup_printf("/proc/%lld/task/%lld/%s", (long long)pid,
                               (long long)tid, file);
    return g_strdup_printf("/proc/%lld/%s", (long long)pid, file);
}

int
virHostStatsParseProcStat(const char *text, long ticksPerSec, long pageKiB,
                          virProcStatInfo *info)
{
    g_auto(GStrv) fields = NULL;
    const char *afterComm;
    unsigned long long nsPerTick;

    /* the command name (field 2) may hold spaces and ')': the last ')'
     * ends it */
    if (!text || ticksPerSec <= 0 || !(afterComm = strrchr(text, ')')) ||
        afterComm[1] != ' ')
        return -1;
    fields = g_strsplit(afterComm + 2, " ", 0);
    /* fields[0] is field 3 (state) ... fields[36] field 39 (processor) */
    if (g_strv_length(fields) < 37)
        return -1;
    nsPerTick = 1000000000ULL / ticksPerSec;
    info->userNs = g_ascii_strtoull(fields[11], NULL, 10) * nsPerTick;
    info->sysNs = g_ascii_strtoull(fields[12], NULL, 10) * nsPerTick;
    info->rssKiB = g_ascii_strtoull(fields[21], NULL, 10) * pageKiB;
    info->processor = (int)g_ascii_strtoll(fields[36], NULL, 10);
    return 0;
}

int
virHostStatsGetProcStat(pid_t pid, pid_t tid, virProcStatInfo *info)
{
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;

    if (pid <= 0)
        return -1;
    path = virHostStatsTaskPath(pid, tid, "stat");
    text = virHostStatsRead(path);
    return virHostStatsParseProcStat(text, sysconf(_SC_CLK_TCK),
                                     sysconf(_SC_PAGESIZE) / 1024, info);
}

unsigned long long
virHostStatsParseSchedWait(const char *text)
{
    g_auto(GStrv) lines = text ? g_strsplit(text, "\n", 0) : NULL;
    size_t i;

    for (i = 0; lines && lines[i]; i++) {
        g_autofree char *key = NULL;
        const char *colon = strchr(lines[i], ':');
        double ms;

        if (!colon)
            continue;
        key = g_strstrip(g_strndup(lines[i], colon - lines[i]));
        if (!g_str_equal(key, "se.statistics.wait_sum") &&
            !g_str_equal(key, "se.wait_sum"))
            continue;
        ms = g_ascii_strtod(colon + 1, NULL);
        return ms > 0 ? (unsigned long long)(ms * 1000000.0) : 0;
    }
    return 0;
}

unsigned long long
virHostStatsGetSchedWait(pid_t pid, pid_t tid)
{
    g_autofree char *path = virHostStatsTaskPath(pid, tid, "sched");
    g_autofree char *text = virHostStatsRead(path);

    return virHostStatsParseSchedWait(text);
}

unsigned long long
virHostStatsParseSchedstatDelay(const char *text)
{
    g_autofree char *copy = g_strstrip(g_strdup(text ? text : ""));
    g_auto(GStrv) fields = g_strsplit(copy, " ", 0);
    unsigned long long delay = 0;

    /* "on-cpu-ns delay-ns timeslices" */
    if (g_strv_length(fields) >= 2)
        delay = g_ascii_strtoull(fields[1], NULL, 10);
    return delay;
}

unsigned long long
virHostStatsGetSchedstatDelay(pid_t pid, pid_t tid)
{
    g_autofree char *path = virHostStatsTaskPath(pid, tid, "schedstat");
    g_autofree char *text = virHostStatsRead(path);

    return virHostStatsParseSchedstatDelay(text);
}

int
virHostStatsParseNetDev(const char *text, const char *ifname, bool swapped,
                        virNetDevStats *stats)
{
    g_auto(GStrv) lines = text ? g_strsplit(text, "\n", 0) : NULL;
    size_t i;

    for (i = 0; ifname && lines && lines[i]; i++) {
        g_autofree char *name = NULL;
        const char *colon = strchr(lines[i], ':');
        long long v[16];
        int n;

        if (!colon)
            continue;
        name = g_strstrip(g_strndup(lines[i], colon - lines[i]));
        if (!g_str_equal(name, ifname))
            continue;
        /* rx: bytes packets errs drop fifo frame compressed multicast,
         * tx: bytes packets errs drop fifo colls carrier compressed */
        n = sscanf(colon + 1,
                   "%lld %lld %lld %lld %lld %lld %lld %lld "
                   "%lld %lld %lld %lld %lld %lld %lld %lld",
                   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
                   &v[8], &v[9], &v[10], &v[11], &v[12], &v[13], &v[14], &v[15]);
        if (n != 16)
            break;
        if (swapped) {
            stats->rx_bytes = v[8];
            stats->rx_packets = v[9];
            stats->rx_errs = v[10];
            stats->rx_drop = v[11];
            stats->tx_bytes = v[0];
            stats->tx_packets = v[1];
            stats->tx_errs = v[2];
            stats->tx_drop = v[3];
        } else {
            stats->rx_bytes = v[0];
            stats->rx_packets = v[1];
            stats->rx_errs = v[2];
            stats->rx_drop = v[3];
            stats->tx_bytes = v[8];
            stats->tx_packets = v[9];
            stats->tx_errs = v[10];
            stats->tx_drop = v[11];
        }
        return 0;
    }
    virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                   _("/proc/net/dev: Interface not found"));
    return -1;
}

int
virHostStatsGetNetDev(const char *ifname, bool swapped, virNetDevStats *stats)
{
    g_autofree char *text = virHostStatsRead("/proc/net/dev");

    return virHostStatsParseNetDev(text, ifname, swapped, stats);
}

int
virHostStatsParseCPUList(const char *text, unsigned char *map, size_t maplen)
{
    g_autofree char *copy = NULL;
    g_auto(GStrv) ranges = NULL;
    int count = 0;
    size_t i;

    if (!text)
        return -1;
    copy = g_strstrip(g_strdup(text));
    ranges = g_strsplit(copy, ",", 0);
    for (i = 0; ranges[i]; i++) {
        char *end = NULL;
        guint64 first = g_ascii_strtoull(ranges[i], &end, 10);
        guint64 last = first;
        guint64 cpu;

        if (end == ranges[i])
            return -1;
        if (*end == '-') {
            const char *start = end + 1;

            last = g_ascii_strtoull(start, &end, 10);
            if (end == start)
                return -1;
        }
        if (*end != '\0' || last < first || last >= G_MAXINT)
            return -1;
        for (cpu = first; cpu <= last; cpu++) {
            if (cpu / 8 < maplen)
                map[cpu / 8] |= 1 << (cpu % 8);
        }
        count = MAX(count, (int)last + 1);
    }
    return count;
}

int
virHostStatsGetCPUList(const char *which, unsigned char *map, size_t maplen)
{
    g_autofree char *path = g_strdup_printf("/sys/devices/system/cpu/%s", which);
    g_autofree char *text = virHostStatsRead(path);
    int ret = virHostStatsParseCPUList(text, map, maplen);

    if (ret < 0)
        virReportError(VIR_ERR_INTERNAL_ERROR, _("cannot parse '%1$s'"), path);
    return ret;
}
