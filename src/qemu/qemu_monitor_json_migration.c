/*
 * qemu_monitor_json_migration.c: QMP migration commands
 *
 * Names and types follow QEMU 7.2's qapi/migration.json.  Replies are
 * parsed with tables (member name -> struct offset), so adding a
 * statistic is one line.
 */
#include <stddef.h>
#include <string.h>

#include "qemu_monitor_json.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_monitor_json_migration");

VIR_ENUM_IMPL(qemuMonitorMigrationCap,
              QEMU_MONITOR_MIGRATION_CAP_LAST,
              "xbzrle",
              "rdma-pin-all",
              "auto-converge",
              "zero-blocks",
              "compress",
              "events",
              "postcopy-ram",
              "x-colo",
              "release-ram",
              "block",
              "return-path",
              "pause-before-switchover",
              "multifd",
              "dirty-bitmaps",
              "postcopy-blocktime",
              "late-block-activate",
              "x-ignore-shared",
              "validate-uuid",
              "background-snapshot",
              "zero-copy-send",
              "postcopy-preempt");

G_STATIC_ASSERT(QEMU_MONITOR_MIGRATION_CAP_LAST <= 64);

VIR_ENUM_IMPL(qemuMonitorMigrationParam,
              QEMU_MONITOR_MIGRATION_PARAM_LAST,
              "announce-initial",
              "announce-max",
              "announce-rounds",
              "announce-step",
              "compress-level",
              "compress-threads",
              "compress-wait-thread",
              "decompress-threads",
              "throttle-trigger-threshold",
              "cpu-throttle-initial",
              "cpu-throttle-increment",
              "cpu-throttle-tailslow",
              "tls-creds",
              "tls-hostname",
              "tls-authz",
              "max-bandwidth",
              "downtime-limit",
              "x-checkpoint-delay",
              "block-incremental",
              "multifd-channels",
              "xbzrle-cache-size",
              "max-postcopy-bandwidth",
              "max-cpu-throttle",
              "multifd-compression",
              "multifd-zlib-level",
              "multifd-zstd-level");


/* ---- query-migrate ---- */

typedef enum {
    QEMU_MONITOR_JSON_FIELD_ULL,
    QEMU_MONITOR_JSON_FIELD_DOUBLE,
} qemuMonitorJSONFieldType;

/* One numeric member of a reply object, stored at @offset of a struct;
 * @setOffset (if >= 0) is a bool set when the member is present. */
typedef struct _qemuMonitorJSONField qemuMonitorJSONField;
struct _qemuMonitorJSONField {
    const char *name;
    qemuMonitorJSONFieldType type;
    size_t offset;
    ssize_t setOffset;
    bool required;
};

#define FIELD(st, nm, tp, member, req) \
    { nm, QEMU_MONITOR_JSON_FIELD_ ## tp, offsetof(st, member), -1, req }
#define MEM_FIELD(nm, tp, member, req) \
    FIELD(qemuMonitorMigrationMemStats, nm, tp, member, req)
#define XBZRLE_FIELD(nm, tp, member) \
    FIELD(qemuMonitorMigrationXbzrleStats, nm, tp, member, false)
#define COMPRESS_FIELD(nm, tp, member) \
    FIELD(qemuMonitorMigrationCompressionStats, nm, tp, member, false)
#define TOP_FIELD(nm, member) \
    { nm, QEMU_MONITOR_JSON_FIELD_ULL, \
      offsetof(qemuMonitorMigrationStats, member), \
      offsetof(qemuMonitorMigrationStats, member ## Set), false }

static const qemuMonitorJSONField qemuMonitorJSONMemStatsFields[] = {
    MEM_FIELD("transferred", ULL, transferred, true),
    MEM_FIELD("remaining", ULL, remaining, true),
    MEM_FIELD("total", ULL, total, true),
    MEM_FIELD("duplicate", ULL, duplicate, false),
    MEM_FIELD("skipped", ULL, skipped, false),
    MEM_FIELD("normal", ULL, normal, false),
    MEM_FIELD("normal-bytes", ULL, normalBytes, false),
    MEM_FIELD("dirty-pages-rate", ULL, dirtyPagesRate, false),
    MEM_FIELD("mbps", DOUBLE, mbps, false),
    MEM_FIELD("dirty-sync-count", ULL, dirtySyncCount, false),
    MEM_FIELD("postcopy-requests", ULL, postcopyRequests, false),
    MEM_FIELD("page-size", ULL, pageSize, false),
    MEM_FIELD("multifd-bytes", ULL, multifdBytes, false),
    MEM_FIELD("pages-per-second", ULL, pagesPerSecond, false),
    MEM_FIELD("precopy-bytes", ULL, precopyBytes, false),
    MEM_FIELD("downtime-bytes", ULL, downtimeBytes, false),
    MEM_FIELD("postcopy-bytes", ULL, postcopyBytes, false),
    MEM_FIELD("dirty-sync-missed-zero-copy", ULL, dirtySyncMissedZeroCopy,
              false),
};

static const qemuMonitorJSONField qemuMonitorJSONXbzrleFields[] = {
    XBZRLE_FIELD("cache-size", ULL, cacheSize),
    XBZRLE_FIELD("bytes", ULL, bytes),
    XBZRLE_FIELD("pages", ULL, pages),
    XBZRLE_FIELD("cache-miss", ULL, cacheMiss),
    XBZRLE_FIELD("cache-miss-rate", DOUBLE, cacheMissRate),
    XBZRLE_FIELD("encoding-rate", DOUBLE, encodingRate),
    XBZRLE_FIELD("overflow", ULL, overflow),
};

static const qemuMonitorJSONField qemuMonitorJSONCompressionFields[] = {
    COMPRESS_FIELD("pages", ULL, pages),
    COMPRESS_FIELD("busy", ULL, busy),
    COMPRESS_FIELD("busy-rate", DOUBLE, busyRate),
    COMPRESS_FIELD("compressed-size", ULL, compressedSize),
    COMPRESS_FIELD("compression-rate", DOUBLE, compressionRate),
};

static const qemuMonitorJSONField qemuMonitorJSONVfioFields[] = {
    { "transferred", QEMU_MONITOR_JSON_FIELD_ULL, 0, -1, true },
};

static const qemuMonitorJSONField qemuMonitorJSONTopFields[] = {
    TOP_FIELD("total-time", totalTime),
    TOP_FIELD("expected-downtime", expectedDowntime),
    TOP_FIELD("downtime", downtime),
    TOP_FIELD("setup-time", setupTime),
    TOP_FIELD("cpu-throttle-percentage", cpuThrottlePercentage),
    TOP_FIELD("postcopy-blocktime", postcopyBlocktime),
};

/* An object member of MigrationInfo parsed with a field table. */
typedef struct _qemuMonitorJSONSection qemuMonitorJSONSection;
struct _qemuMonitorJSONSection {
    const char *name;
    size_t offset;
    size_t setOffset;
    const qemuMonitorJSONField *fields;
    size_t nfields;
};

#define SECTION(nm, member, setMember, table) \
    { nm, offsetof(qemuMonitorMigrationStats, member), \
      offsetof(qemuMonitorMigrationStats, setMember), \
      table, G_N_ELEMENTS(table) }

static const qemuMonitorJSONSection qemuMonitorJSONSections[] = {
    SECTION("ram", ram, ramSet, qemuMonitorJSONMemStatsFields),
    SECTION("disk", disk, diskSet, qemuMonitorJSONMemStatsFields),
    SECTION("vfio", vfioTransferred, vfioSet, qemuMonitorJSONVfioFields),
    SECTION("xbzrle-cache", xbzrle, xbzrleSet, qemuMonitorJSONXbzrleFields),
    SECTION("compression", compression, compressionSet,
            qemuMonitorJSONCompressionFields),
};


void
qemuMonitorMigrationStatsClear(qemuMonitorMigrationStats *stats)
{
    g_free(stats->errorDesc);
    g_strfreev(stats->blockedReasons);
    g_free(stats->postcopyVcpuBlocktime);
    memset(stats, 0, sizeof(*stats));
}


static void
qemuMonitorJSONReportMalformed(const char *section, const char *name)
{
    if (section)
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("malformed '%1$s' of '%2$s' in QEMU's query-migrate reply"),
                       name, section);
    else
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("malformed '%1$s' in QEMU's query-migrate reply"),
                       name);
}


/* Stores the number @val as @field of the struct at @out. */
static int
qemuMonitorJSONStoreField(json_object *val, const qemuMonitorJSONField *field,
                          const char *section, char *out)
{
    bool isInt = json_object_is_type(val, json_type_int);

    if (field->type == QEMU_MONITOR_JSON_FIELD_DOUBLE) {
        if (!isInt && !json_object_is_type(val, json_type_double)) {
            qemuMonitorJSONReportMalformed(section, field->name);
            return -1;
        }
        *(double *)(out + field->offset) = json_object_get_double(val);
    } else {
        if (!isInt || json_object_get_int64(val) < 0) {
            qemuMonitorJSONReportMalformed(section, field->name);
            return -1;
        }
        *(unsigned long long *)(out + field->offset) = json_object_get_uint64(val);
    }
    if (field->setOffset >= 0)
        *(bool *)(out + field->setOffset) = true;
    return 0;
}


static int
qemuMonitorJSONParseFields(json_object *obj, const qemuMonitorJSONField *fields,
                           size_t nfields, const char *section, char *out)
{
    size_t i;

    for (i = 0; i < nfields; i++) {
        json_object *val;

        if (!json_object_object_get_ex(obj, fields[i].name, &val)) {
            if (!fields[i].required)
                continue;
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("QEMU's query-migrate reply is missing '%1$s' of '%2$s'"),
                           fields[i].name, section);
            return -1;
        }
        if (qemuMonitorJSONStoreField(val, &fields[i], section, out) < 0)
            return -1;
    }
    return 0;
}


static int
qemuMonitorJSONParseSections(json_object *ret, qemuMonitorMigrationStats *stats)
{
    char *base = (char *)stats;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(qemuMonitorJSONSections); i++) {
        const qemuMonitorJSONSection *sect = &qemuMonitorJSONSections[i];
        json_object *obj;

        if (!json_object_object_get_ex(ret, sect->name, &obj))
            continue;
        if (!json_object_is_type(obj, json_type_object)) {
            qemuMonitorJSONReportMalformed(NULL, sect->name);
            return -1;
        }
        if (qemuMonitorJSONParseFields(obj, sect->fields, sect->nfields,
                                       sect->name, base + sect->offset) < 0)
            return -1;
        *(bool *)(base + sect->setOffset) = true;
    }
    return qemuMonitorJSONParseFields(ret, qemuMonitorJSONTopFields,
                                      G_N_ELEMENTS(qemuMonitorJSONTopFields),
                                      NULL, base);
}


static int
qemuMonitorJSONParseBlockedReasons(json_object *ret,
                                   qemuMonitorMigrationStats *stats)
{
    json_object *arr;
    size_t n;
    size_t i;

    if (!json_object_object_get_ex(ret, "blocked-reasons", &arr))
        return 0;
    if (!json_object_is_type(arr, json_type_array)) {
        qemuMonitorJSONReportMalformed(NULL, "blocked-reasons");
        return -1;
    }
    n = json_object_array_length(arr);
    stats->blockedReasons = g_new0(char *, n + 1);
    for (i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(arr, i);

        if (!json_object_is_type(item, json_type_string)) {
            qemuMonitorJSONReportMalformed(NULL, "blocked-reasons");
            return -1;
        }
        stats->blockedReasons[i] = g_strdup(json_object_get_string(item));
    }
    return 0;
}


static int
qemuMonitorJSONParseVcpuBlocktime(json_object *ret,
                                  qemuMonitorMigrationStats *stats)
{
    json_object *arr;
    size_t n;
    size_t i;

    if (!json_object_object_get_ex(ret, "postcopy-vcpu-blocktime", &arr))
        return 0;
    if (!json_object_is_type(arr, json_type_array)) {
        qemuMonitorJSONReportMalformed(NULL, "postcopy-vcpu-blocktime");
        return -1;
    }
    n = json_object_array_length(arr);
    stats->postcopyVcpuBlocktime = g_new0(unsigned long long, n);
    stats->npostcopyVcpuBlocktime = n;
    for (i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(arr, i);

        if (!json_object_is_type(item, json_type_int) ||
            json_object_get_int64(item) < 0) {
            qemuMonitorJSONReportMalformed(NULL, "postcopy-vcpu-blocktime");
            return -1;
        }
        stats->postcopyVcpuBlocktime[i] = json_object_get_uint64(item);
    }
    return 0;
}


int
qemuMonitorJSONParseMigrationStats(json_object *ret,
                                   qemuMonitorMigrationStats *stats)
{
    json_object *val;

    qemuMonitorMigrationStatsClear(stats);
    /* Before any migration QEMU returns {}. */
    stats->status = QEMU_MONITOR_MIGRATION_STATUS_NONE;
    if (json_object_object_get_ex(ret, "status", &val)) {
        if (!json_object_is_type(val, json_type_string)) {
            qemuMonitorJSONReportMalformed(NULL, "status");
            goto error;
        }
        stats->status = qemuMonitorMigrationStatusParse(json_object_get_string(val));
    }
    if (json_object_object_get_ex(ret, "error-desc", &val) &&
        json_object_is_type(val, json_type_string))
        stats->errorDesc = g_strdup(json_object_get_string(val));

    if (qemuMonitorJSONParseSections(ret, stats) < 0 ||
        qemuMonitorJSONParseBlockedReasons(ret, stats) < 0 ||
        qemuMonitorJSONParseVcpuBlocktime(ret, stats) < 0)
        goto error;
    return 0;

 error:
    qemuMonitorMigrationStatsClear(stats);
    return -1;
}


int
qemuMonitorJSONGetMigrationStats(qemuMonitor *mon,
                                 qemuMonitorMigrationStats *stats)
{
    g_autoptr(json_object) reply = NULL;
    json_object *ret;

    if (!(ret = qemuMonitorJSONQuery(mon, "query-migrate", json_type_object,
                                     &reply)))
        return -1;
    return qemuMonitorJSONParseMigrationStats(ret, stats);
}


/* ---- capabilities ---- */

json_object *
qemuMonitorJSONBuildMigrationCapabilities(unsigned long long caps,
                                          unsigned long long enable)
{
    json_object *list;
    size_t i;

    if (QEMU_MONITOR_MIGRATION_CAP_LAST < 64 &&
        caps >> QEMU_MONITOR_MIGRATION_CAP_LAST) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("unknown migration capabilities 0x%1$llx"),
                       caps >> QEMU_MONITOR_MIGRATION_CAP_LAST);
        return NULL;
    }
    list = json_object_new_array();
    for (i = 0; i < QEMU_MONITOR_MIGRATION_CAP_LAST; i++) {
        json_object *entry;

        if (!(caps & QEMU_MONITOR_MIGRATION_CAP_BIT(i)))
            continue;
        entry = json_object_new_object();
        json_object_object_add(entry, "capability",
            json_object_new_string(qemuMonitorMigrationCapTypeToString(i)));
        json_object_object_add(entry, "state",
            json_object_new_boolean(!!(enable & QEMU_MONITOR_MIGRATION_CAP_BIT(i))));
        json_object_array_add(list, entry);
    }
    return list;
}


int
qemuMonitorJSONSetMigrationCapabilities(qemuMonitor *mon,
                                        unsigned long long caps,
                                        unsigned long long enable)
{
    json_object *list = qemuMonitorJSONBuildMigrationCapabilities(caps, enable);
    json_object *args;

    if (!list)
        return -1;
    args = json_object_new_object();
    json_object_object_add(args, "capabilities", list);
    return qemuMonitorJSONSimpleCommand(mon, "migrate-set-capabilities", args);
}


int
qemuMonitorJSONParseMigrationCapabilities(json_object *ret,
                                          unsigned long long *supported,
                                          unsigned long long *enabled)
{
    size_t n = json_object_array_length(ret);
    size_t i;

    *supported = *enabled = 0;
    for (i = 0; i < n; i++) {
        json_object *entry = json_object_array_get_idx(ret, i);
        json_object *name;
        json_object *state;
        int cap;

        if (!json_object_object_get_ex(entry, "capability", &name) ||
            !json_object_is_type(name, json_type_string) ||
            !json_object_object_get_ex(entry, "state", &state) ||
            !json_object_is_type(state, json_type_boolean)) {
            virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                           _("malformed query-migrate-capabilities reply"));
            return -1;
        }
        cap = qemuMonitorMigrationCapTypeFromString(json_object_get_string(name));
        if (cap < 0) {
            VIR_DEBUG("ignoring unknown migration capability '%s'",
                      json_object_get_string(name));
            continue;
        }
        *supported |= QEMU_MONITOR_MIGRATION_CAP_BIT(cap);
        if (json_object_get_boolean(state))
            *enabled |= QEMU_MONITOR_MIGRATION_CAP_BIT(cap);
    }
    return 0;
}


int
qemuMonitorJSONGetMigrationCapabilities(qemuMonitor *mon,
                                        unsigned long long *supported,
                                        unsigned long long *enabled)
{
    g_autoptr(json_object) reply = NULL;
    json_object *ret;

    if (!(ret = qemuMonitorJSONQuery(mon, "query-migrate-capabilities",
                                     json_type_array, &reply)))
        return -1;
    return qemuMonitorJSONParseMigrationCapabilities(ret, supported, enabled);
}


/* ---- parameters ---- */

typedef struct _qemuMonitorMigrationParamValue qemuMonitorMigrationParamValue;
struct _qemuMonitorMigrationParamValue {
    bool set;
    unsigned long long num;
    bool boolean;
    char *str;
};

struct _qemuMonitorMigrationParams {
    qemuMonitorMigrationParamValue values[QEMU_MONITOR_MIGRATION_PARAM_LAST];
};

/* Every parameter not listed is a number. */
static const qemuMonitorMigrationParamType qemuMonitorMigrationParamTypes[] = {
    [QEMU_MONITOR_MIGRATION_PARAM_COMPRESS_WAIT_THREAD] =
        QEMU_MONITOR_MIGRATION_PARAM_TYPE_BOOL,
    [QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_TAILSLOW] =
        QEMU_MONITOR_MIGRATION_PARAM_TYPE_BOOL,
    [QEMU_MONITOR_MIGRATION_PARAM_TLS_CREDS] =
        QEMU_MONITOR_MIGRATION_PARAM_TYPE_STRING,
    [QEMU_MONITOR_MIGRATION_PARAM_TLS_HOSTNAME] =
        QEMU_MONITOR_MIGRATION_PARAM_TYPE_STRING,
    [QEMU_MONITOR_MIGRATION_PARAM_TLS_AUTHZ] =
        QEMU_MONITOR_MIGRATION_PARAM_TYPE_STRING,
    [QEMU_MONITOR_MIGRATION_PARAM_BLOCK_INCREMENTAL] =
        QEMU_MONITOR_MIGRATION_PARAM_TYPE_BOOL,
    [QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_COMPRESSION] =
        QEMU_MONITOR_MIGRATION_PARAM_TYPE_STRING,
    [QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_ZSTD_LEVEL] =
        QEMU_MONITOR_MIGRATION_PARAM_TYPE_ULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuMonitorMigrationParamTypes) ==
                QEMU_MONITOR_MIGRATION_PARAM_LAST);


qemuMonitorMigrationParamType
qemuMonitorMigrationParamGetType(qemuMonitorMigrationParam param)
{
    return qemuMonitorMigrationParamTypes[param];
}


qemuMonitorMigrationParams *
qemuMonitorMigrationParamsNew(void)
{
    return g_new0(qemuMonitorMigrationParams, 1);
}


void
qemuMonitorMigrationParamsFree(qemuMonitorMigrationParams *params)
{
    size_t i;

    if (!params)
        return;
    for (i = 0; i < QEMU_MONITOR_MIGRATION_PARAM_LAST; i++)
        g_free(params->values[i].str);
    g_free(params);
}


/* Returns the value slot of @param if it has @type, else NULL
 * (reported if @report). */
static qemuMonitorMigrationParamValue *
qemuMonitorMigrationParamsSlot(const qemuMonitorMigrationParams *params,
                               qemuMonitorMigrationParam param,
                               qemuMonitorMigrationParamType type,
                               bool report)
{
    if ((unsigned int)param >= QEMU_MONITOR_MIGRATION_PARAM_LAST) {
        if (report)
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("unknown migration parameter %1$d"), param);
        return NULL;
    }
    if (qemuMonitorMigrationParamTypes[param] != type) {
        if (report)
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("wrong type for migration parameter '%1$s'"),
                           qemuMonitorMigrationParamTypeToString(param));
        return NULL;
    }
    return (qemuMonitorMigrationParamValue *)&params->values[param];
}


int
qemuMonitorMigrationParamsSetULL(qemuMonitorMigrationParams *params,
                                 qemuMonitorMigrationParam param,
                                 unsigned long long value)
{
    qemuMonitorMigrationParamValue *slot;

    if (!(slot = qemuMonitorMigrationParamsSlot(params, param,
                                                QEMU_MONITOR_MIGRATION_PARAM_TYPE_ULL,
                                                true)))
        return -1;
    slot->num = value;
    slot->set = true;
    return 0;
}


int
qemuMonitorMigrationParamsSetBool(qemuMonitorMigrationParams *params,
                                  qemuMonitorMigrationParam param,
                                  bool value)
{
    qemuMonitorMigrationParamValue *slot;

    if (!(slot = qemuMonitorMigrationParamsSlot(params, param,
                                                QEMU_MONITOR_MIGRATION_PARAM_TYPE_BOOL,
                                                true)))
        return -1;
    slot->boolean = value;
    slot->set = true;
    return 0;
}


int
qemuMonitorMigrationParamsSetString(qemuMonitorMigrationParams *params,
                                    qemuMonitorMigrationParam param,
                                    const char *value)
{
    qemuMonitorMigrationParamValue *slot;

    if (!(slot = qemuMonitorMigrationParamsSlot(params, param,
                                                QEMU_MONITOR_MIGRATION_PARAM_TYPE_STRING,
                                                true)))
        return -1;
    g_free(slot->str);
    slot->str = g_strdup(value);
    slot->set = true;
    return 0;
}


bool
qemuMonitorMigrationParamsGetULL(const qemuMonitorMigrationParams *params,
                                 qemuMonitorMigrationParam param,
                                 unsigned long long *value)
{
    qemuMonitorMigrationParamValue *slot;

    slot = qemuMonitorMigrationParamsSlot(params, param,
                                          QEMU_MONITOR_MIGRATION_PARAM_TYPE_ULL,
                                          false);
    if (!slot || !slot->set)
        return false;
    *value = slot->num;
    return true;
}


bool
qemuMonitorMigrationParamsGetBool(const qemuMonitorMigrationParams *params,
                                  qemuMonitorMigrationParam param,
                                  bool *value)
{
    qemuMonitorMigrationParamValue *slot;

    slot = qemuMonitorMigrationParamsSlot(params, param,
                                          QEMU_MONITOR_MIGRATION_PARAM_TYPE_BOOL,
                                          false);
    if (!slot || !slot->set)
        return false;
    *value = slot->boolean;
    return true;
}


const char *
qemuMonitorMigrationParamsGetString(const qemuMonitorMigrationParams *params,
                                    qemuMonitorMigrationParam param)
{
    qemuMonitorMigrationParamValue *slot;

    slot = qemuMonitorMigrationParamsSlot(params, param,
                                          QEMU_MONITOR_MIGRATION_PARAM_TYPE_STRING,
                                          false);
    if (!slot || !slot->set)
        return NULL;
    return slot->str;
}


bool
qemuMonitorMigrationParamsIsSet(const qemuMonitorMigrationParams *params,
                                qemuMonitorMigrationParam param)
{
    return (unsigned int)param < QEMU_MONITOR_MIGRATION_PARAM_LAST &&
           params->values[param].set;
}


static json_object *
qemuMonitorMigrationParamToJSON(const qemuMonitorMigrationParamValue *value,
                                qemuMonitorMigrationParamType type)
{
    switch (type) {
    case QEMU_MONITOR_MIGRATION_PARAM_TYPE_ULL:
        return json_object_new_uint64(value->num);
    case QEMU_MONITOR_MIGRATION_PARAM_TYPE_BOOL:
        return json_object_new_boolean(value->boolean);
    case QEMU_MONITOR_MIGRATION_PARAM_TYPE_STRING:
        return json_object_new_string(value->str);
    }
    return NULL;
}


json_object *
qemuMonitorJSONBuildMigrationParams(const qemuMonitorMigrationParams *params)
{
    json_object *args = json_object_new_object();
    size_t i;

    for (i = 0; i < QEMU_MONITOR_MIGRATION_PARAM_LAST; i++) {
        if (!params->values[i].set)
            continue;
        json_object_object_add(args, qemuMonitorMigrationParamTypeToString(i),
            qemuMonitorMigrationParamToJSON(&params->values[i],
                                            qemuMonitorMigrationParamTypes[i]));
    }
    return args;
}


int
qemuMonitorJSONSetMigrationParams(qemuMonitor *mon,
                                  const qemuMonitorMigrationParams *params)
{
    return qemuMonitorJSONSimpleCommand(mon, "migrate-set-parameters",
                                        qemuMonitorJSONBuildMigrationParams(params));
}


/* Stores one member of query-migrate-parameters's return. */
static int
qemuMonitorJSONStoreParam(qemuMonitorMigrationParams *params,
                          qemuMonitorMigrationParam param, json_object *val)
{
    qemuMonitorMigrationParamValue *slot = &params->values[param];

    switch (qemuMonitorMigrationParamTypes[param]) {
    case QEMU_MONITOR_MIGRATION_PARAM_TYPE_ULL:
        if (!json_object_is_type(val, json_type_int) ||
            json_object_get_int64(val) < 0)
            goto malformed;
        slot->num = json_object_get_uint64(val);
        break;
    case QEMU_MONITOR_MIGRATION_PARAM_TYPE_BOOL:
        if (!json_object_is_type(val, json_type_boolean))
            goto malformed;
        slot->boolean = json_object_get_boolean(val);
        break;
    case QEMU_MONITOR_MIGRATION_PARAM_TYPE_STRING:
        if (!json_object_is_type(val, json_type_string))
            goto malformed;
        slot->str = g_strdup(json_object_get_string(val));
        break;
    }
    slot->set = true;
    return 0;

 malformed:
    virReportError(VIR_ERR_INTERNAL_ERROR,
                   _("malformed '%1$s' in QEMU's query-migrate-parameters reply"),
                   qemuMonitorMigrationParamTypeToString(param));
    return -1;
}


int
qemuMonitorJSONParseMigrationParams(json_object *ret,
                                    qemuMonitorMigrationParams **params)
{
    g_autoptr(qemuMonitorMigrationParams) result = qemuMonitorMigrationParamsNew();
    struct json_object_iter iter;

    json_object_object_foreachC(ret, iter) {
        int param = qemuMonitorMigrationParamTypeFromString(iter.key);

        if (param < 0) {
            VIR_DEBUG("ignoring migration parameter '%s'", iter.key);
            continue;
        }
        if (qemuMonitorJSONStoreParam(result, param, iter.val) < 0)
            return -1;
    }
    *params = g_steal_pointer(&result);
    return 0;
}


int
qemuMonitorJSONGetMigrationParams(qemuMonitor *mon,
                                  qemuMonitorMigrationParams **params)
{
    g_autoptr(json_object) reply = NULL;
    json_object *ret;

    if (!(ret = qemuMonitorJSONQuery(mon, "query-migrate-parameters",
                                     json_type_object, &reply)))
        return -1;
    return qemuMonitorJSONParseMigrationParams(ret, params);
}


/* ---- migrate and friends ---- */

json_object *
qemuMonitorJSONBuildMigrate(const char *uri, unsigned int flags)
{
    json_object *args;

    if (!virCheckFlags(flags, QEMU_MONITOR_MIGRATE_RESUME |
                              QEMU_MONITOR_MIGRATE_NON_SHARED_DISK |
                              QEMU_MONITOR_MIGRATE_NON_SHARED_INC))
        return NULL;

    args = json_object_new_object();
    json_object_object_add(args, "uri", json_object_new_string(uri));
    if (flags & QEMU_MONITOR_MIGRATE_NON_SHARED_DISK)
        json_object_object_add(args, "blk", json_object_new_boolean(true));
    if (flags & QEMU_MONITOR_MIGRATE_NON_SHARED_INC)
        json_object_object_add(args, "inc", json_object_new_boolean(true));
    if (flags & QEMU_MONITOR_MIGRATE_RESUME)
        json_object_object_add(args, "resume", json_object_new_boolean(true));
    return args;
}


int
qemuMonitorJSONMigrate(qemuMonitor *mon, const char *uri, unsigned int flags)
{
    json_object *args = qemuMonitorJSONBuildMigrate(uri, flags);

    if (!args)
        return -1;
    return qemuMonitorJSONSimpleCommand(mon, "migrate", args);
}


static int
qemuMonitorJSONUriCommand(qemuMonitor *mon, const char *name, const char *uri)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "uri", json_object_new_string(uri));
    return qemuMonitorJSONSimpleCommand(mon, name, args);
}


int
qemuMonitorJSONMigrateIncoming(qemuMonitor *mon, const char *uri)
{
    return qemuMonitorJSONUriCommand(mon, "migrate-incoming", uri);
}


int
qemuMonitorJSONMigrateRecover(qemuMonitor *mon, const char *uri)
{
    return qemuMonitorJSONUriCommand(mon, "migrate-recover", uri);
}


int
qemuMonitorJSONMigrateCancel(qemuMonitor *mon)
{
    return qemuMonitorJSONSimpleCommand(mon, "migrate_cancel", NULL);
}


int
qemuMonitorJSONMigrateStartPostCopy(qemuMonitor *mon)
{
    return qemuMonitorJSONSimpleCommand(mon, "migrate-start-postcopy", NULL);
}


int
qemuMonitorJSONMigratePause(qemuMonitor *mon)
{
    return qemuMonitorJSONSimpleCommand(mon, "migrate-pause", NULL);
}
