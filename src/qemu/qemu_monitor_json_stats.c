/*
 * qemu_monitor_json_stats.c: block and balloon statistics over QMP
 */
#include <string.h>

#include "qemu_monitor_json_stats.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

static bool
qemuMonitorJSONGetULL(json_object *obj, const char *key,
                      unsigned long long *val)
{
    json_object *v;

    if (!obj || !json_object_object_get_ex(obj, key, &v) ||
        (!json_object_is_type(v, json_type_int) &&
         !json_object_is_type(v, json_type_double)))
        return false;
    if (json_object_is_type(v, json_type_double)) {
        double d = json_object_get_double(v);

        if (d < 0)
            return false;
        *val = (unsigned long long)d;
        return true;
    }
    /* QEMU's uint64 beyond INT64_MAX (e.g. an unset -1) */
    *val = json_object_get_uint64(v);
    return true;
}

static int
qemuMonitorJSONParseOneBlockStats(json_object *dev, qemuBlockStats *st,
                                  int *nstats)
{
    json_object *stats = NULL;
    json_object *parent = NULL;
    json_object *pstats = NULL;
    static const struct {
        const char *name;
        size_t offset;
        bool mandatory;
    } fields[] = {
        { "rd_bytes", G_STRUCT_OFFSET(qemuBlockStats, rd_bytes), true },
        { "wr_bytes", G_STRUCT_OFFSET(qemuBlockStats, wr_bytes), true },
        { "rd_operations", G_STRUCT_OFFSET(qemuBlockStats, rd_req), true },
        { "wr_operations", G_STRUCT_OFFSET(qemuBlockStats, wr_req), true },
        { "rd_total_time_ns", G_STRUCT_OFFSET(qemuBlockStats, rd_total_times), false },
        { "wr_total_time_ns", G_STRUCT_OFFSET(qemuBlockStats, wr_total_times), false },
        { "flush_operations", G_STRUCT_OFFSET(qemuBlockStats, flush_req), false },
        { "flush_total_time_ns", G_STRUCT_OFFSET(qemuBlockStats, flush_total_times), false },
    };
    size_t i;

    if (!json_object_object_get_ex(dev, "stats", &stats) ||
        !json_object_is_type(stats, json_type_object)) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("blockstats stats entry was not in expected format"));
        return -1;
    }
    *nstats = 0;
    for (i = 0; i < G_N_ELEMENTS(fields); i++) {
        unsigned long long *val = &G_STRUCT_MEMBER(unsigned long long, st,
                                                   fields[i].offset);

        if (!fields[i].mandatory && !json_object_object_get_ex(stats, fields[i].name, NULL))
            continue;
        (*nstats)++;
        if (!qemuMonitorJSONGetULL(stats, fields[i].name, val)) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("cannot read %1$s statistic"), fields[i].name);
            return -1;
        }
    }
    /* the highest offset written is the storage (parent) node's */
    if (json_object_object_get_ex(dev, "parent", &parent) &&
        json_object_object_get_ex(parent, "stats", &pstats) &&
        qemuMonitorJSONGetULL(pstats, "wr_highest_offset", &st->wr_highest_offset))
        st->wrHighestValid = true;
    return 0;
}

GHashTable *
qemuMonitorJSONParseBlockStats(json_object *ret, int *nstats)
{
    g_autoptr(GHashTable) table = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                        g_free, g_free);
    size_t n;
    size_t i;

    *nstats = 0;
    if (!json_object_is_type(ret, json_type_array)) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("blockstats reply data was not an array"));
        return NULL;
    }
    n = json_object_array_length(ret);
    for (i = 0; i < n; i++) {
        json_object *dev = json_object_array_get_idx(ret, i);
        const char *node = qemuMonitorJSONGetString(dev, "node-name");
        const char *qdev = qemuMonitorJSONGetString(dev, "qdev");
        g_autofree qemuBlockStats *st = g_new0(qemuBlockStats, 1);
        int count = 0;

        if (!json_object_is_type(dev, json_type_object)) {
            virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                           _("blockstats device entry was not in expected format"));
            return NULL;
        }
        if (qemuMonitorJSONParseOneBlockStats(dev, st, &count) < 0)
            return NULL;
        *nstats = MAX(*nstats, count);
        /* by the frontend too: a drive with no medium has no node */
        if (qdev && *qdev)
            g_hash_table_replace(table, g_strdup(qdev), g_memdup2(st, sizeof(*st)));
        if (node)
            g_hash_table_replace(table, g_strdup(node), g_steal_pointer(&st));
    }
    return g_steal_pointer(&table);
}

int
qemuMonitorJSONParseBlockCapacity(json_object *ret, GHashTable *stats)
{
    size_t n;
    size_t i;

    if (!json_object_is_type(ret, json_type_array)) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("query-named-block-nodes reply data was not an array"));
        return -1;
    }
    n = json_object_array_length(ret);
    for (i = 0; i < n; i++) {
        json_object *node = json_object_array_get_idx(ret, i);
        const char *name = qemuMonitorJSONGetString(node, "node-name");
        json_object *image = NULL;
        qemuBlockStats *st;

        if (!name || !(st = g_hash_table_lookup(stats, name)) ||
            !json_object_object_get_ex(node, "image", &image) ||
            !qemuMonitorJSONGetULL(image, "virtual-size", &st->capacity))
            continue;
        /* no actual-size: the image is not thin provisioned */
        if (!qemuMonitorJSONGetULL(image, "actual-size", &st->physical))
            st->physical = st->capacity;
    }
    return 0;
}

GHashTable *
qemuMonitorJSONGetBlockStats(qemuMonitor *mon, bool capacity, int *nstats)
{
    g_autoptr(json_object) reply = NULL;
    g_autoptr(json_object) nreply = NULL;
    g_autoptr(GHashTable) table = NULL;
    json_object *ret;
    json_object *args;
    g_autoptr(json_object) cmd = NULL;

    if (!(ret = qemuMonitorJSONQuery(mon, "query-blockstats", json_type_array,
                                     &reply)) ||
        !(table = qemuMonitorJSONParseBlockStats(ret, nstats)))
        return NULL;
    if (!capacity)
        return g_steal_pointer(&table);
    args = json_object_new_object();
    json_object_object_add(args, "flat", json_object_new_boolean(1));
    cmd = qemuMonitorJSONMakeCommand("query-named-block-nodes", args);
    if (qemuMonitorJSONCommand(mon, cmd, &nreply) < 0 ||
        !(ret = qemuMonitorJSONGetReturn(cmd, nreply, json_type_array)) ||
        qemuMonitorJSONParseBlockCapacity(ret, table) < 0)
        return NULL;
    return g_steal_pointer(&table);
}

int
qemuMonitorJSONParseBalloonInfo(json_object *ret, unsigned long long *actualKiB)
{
    unsigned long long actual;

    if (!qemuMonitorJSONGetULL(ret, "actual", &actual)) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("info balloon reply was missing balloon data"));
        return -1;
    }
    *actualKiB = actual / 1024;
    return 0;
}

size_t
qemuMonitorJSONParseBalloonGuestStats(json_object *ret, qemuMemoryStat *stats,
                                      size_t got, size_t nr)
{
    static const struct {
        const char *name;
        int tag;
        unsigned int divisor;
    } map[] = {
        { "stat-swap-in", QEMU_MEMORY_STAT_SWAP_IN, 1024 },
        { "stat-swap-out", QEMU_MEMORY_STAT_SWAP_OUT, 1024 },
        { "stat-major-faults", QEMU_MEMORY_STAT_MAJOR_FAULT, 1 },
        { "stat-minor-faults", QEMU_MEMORY_STAT_MINOR_FAULT, 1 },
        { "stat-free-memory", QEMU_MEMORY_STAT_UNUSED, 1024 },
        { "stat-total-memory", QEMU_MEMORY_STAT_AVAILABLE, 1024 },
        { "stat-available-memory", QEMU_MEMORY_STAT_USABLE, 1024 },
        { NULL, QEMU_MEMORY_STAT_LAST_UPDATE, 1 },  /* the top-level member */
        { "stat-disk-caches", QEMU_MEMORY_STAT_DISK_CACHES, 1024 },
        { "stat-htlb-pgalloc", QEMU_MEMORY_STAT_HUGETLB_PGALLOC, 1 },
        { "stat-htlb-pgfail", QEMU_MEMORY_STAT_HUGETLB_PGFAIL, 1 },
    };
    json_object *data = NULL;
    unsigned long long val;
    size_t i;

    if (!json_object_object_get_ex(ret, "stats", &data))
        data = NULL;
    for (i = 0; i < G_N_ELEMENTS(map) && got < nr; i++) {
        json_object *v;

        if (!map[i].name) {
            if (qemuMonitorJSONGetULL(ret, "last-update", &val)) {
                stats[got].tag = map[i].tag;
                stats[got].val = val;
                got++;
            }
            continue;
        }
        /* a figure the guest never sent is -1 (as a uint64) */
        if (!json_object_object_get_ex(data, map[i].name, &v) ||
            (json_object_is_type(v, json_type_int) && json_object_get_int64(v) < 0) ||
            !qemuMonitorJSONGetULL(data, map[i].name, &val) ||
            val == G_MAXUINT64)
            continue;
        stats[got].tag = map[i].tag;
        stats[got].val = val / map[i].divisor;
        got++;
    }
    return got;
}

int
qemuMonitorJSONGetMemoryStats(qemuMonitor *mon, const char *balloonPath,
                              qemuMemoryStat *stats, size_t nr)
{
    g_autoptr(json_object) reply = NULL;
    g_autoptr(json_object) sreply = NULL;
    g_autoptr(json_object) cmd = NULL;
    unsigned long long actual;
    json_object *ret;
    json_object *args;
    size_t got = 0;

    if (!(ret = qemuMonitorJSONQuery(mon, "query-balloon", json_type_object,
                                     &reply)) ||
        qemuMonitorJSONParseBalloonInfo(ret, &actual) < 0)
        return -1;
    if (got < nr) {
        stats[got].tag = QEMU_MEMORY_STAT_ACTUAL_BALLOON;
        stats[got].val = actual;
        got++;
    }
    if (!balloonPath)
        return got;
    args = json_object_new_object();
    json_object_object_add(args, "path", json_object_new_string(balloonPath));
    json_object_object_add(args, "property", json_object_new_string("guest-stats"));
    cmd = qemuMonitorJSONMakeCommand("qom-get", args);
    if (qemuMonitorJSONCommand(mon, cmd, &sreply) < 0 ||
        !(ret = qemuMonitorJSONGetReturn(cmd, sreply, json_type_object)))
        return -1;
    return qemuMonitorJSONParseBalloonGuestStats(ret, stats, got, nr);
}

int
qemuMonitorJSONSetBalloon(qemuMonitor *mon, unsigned long long KiB)
{
    json_object *args = json_object_new_object();
    g_autoptr(json_object) cmd = NULL;
    g_autoptr(json_object) reply = NULL;

    json_object_object_add(args, "value", json_object_new_int64(KiB * 1024));
    cmd = qemuMonitorJSONMakeCommand("balloon", args);
    if (qemuMonitorSendCommand(mon, cmd, &reply) < 0)
        return -1;
    if (qemuMonitorJSONHasErrorClass(reply, "DeviceNotActive") ||
        qemuMonitorJSONHasErrorClass(reply, "KVMMissingCap"))
        return 0;
    if (qemuMonitorJSONCheckError(cmd, reply) < 0)
        return -1;
    return 1;
}
