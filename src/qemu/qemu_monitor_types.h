/*
 * qemu_monitor_types.h: what the driver knows of QEMU's monitor without
 * json-c: the monitor handle, QEMU's migration status, statistics,
 * capabilities and parameters
 *
 * Driver headers (jobs, domains, migration) include this one; only the
 * code that builds or parses QMP includes qemu_monitor.h and
 * qemu_monitor_json.h, which bring json-c.
 */
#pragma once

#include "internal.h"

typedef struct _qemuMonitor qemuMonitor;
typedef struct _qemuMonitorCallbacks qemuMonitorCallbacks;

/* QEMU's MigrationStatus (qapi/migration.json, QEMU 7.2), plus
 * UNKNOWN for values a newer QEMU may add. */
typedef enum {
    QEMU_MONITOR_MIGRATION_STATUS_NONE,
    QEMU_MONITOR_MIGRATION_STATUS_SETUP,
    QEMU_MONITOR_MIGRATION_STATUS_CANCELLING,
    QEMU_MONITOR_MIGRATION_STATUS_CANCELLED,
    QEMU_MONITOR_MIGRATION_STATUS_ACTIVE,
    QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE,
    QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED,
    QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER,
    QEMU_MONITOR_MIGRATION_STATUS_COMPLETED,
    QEMU_MONITOR_MIGRATION_STATUS_FAILED,
    QEMU_MONITOR_MIGRATION_STATUS_COLO,
    QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER,
    QEMU_MONITOR_MIGRATION_STATUS_DEVICE,
    QEMU_MONITOR_MIGRATION_STATUS_WAIT_UNPLUG,
    QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN,

    QEMU_MONITOR_MIGRATION_STATUS_LAST
} qemuMonitorMigrationStatus;

VIR_ENUM_DECL(qemuMonitorMigrationStatus);

/* QEMU's JobStatus (qapi/job.json, QEMU 7.2), plus UNKNOWN. */
typedef enum {
    QEMU_MONITOR_JOB_STATUS_UNDEFINED,
    QEMU_MONITOR_JOB_STATUS_CREATED,
    QEMU_MONITOR_JOB_STATUS_RUNNING,
    QEMU_MONITOR_JOB_STATUS_PAUSED,
    QEMU_MONITOR_JOB_STATUS_READY,
    QEMU_MONITOR_JOB_STATUS_STANDBY,
    QEMU_MONITOR_JOB_STATUS_WAITING,
    QEMU_MONITOR_JOB_STATUS_PENDING,
    QEMU_MONITOR_JOB_STATUS_ABORTING,
    QEMU_MONITOR_JOB_STATUS_CONCLUDED,
    QEMU_MONITOR_JOB_STATUS_NULL,
    QEMU_MONITOR_JOB_STATUS_UNKNOWN,

    QEMU_MONITOR_JOB_STATUS_LAST
} qemuMonitorJobStatus;
VIR_ENUM_DECL(qemuMonitorJobStatus);

/* One entry of query-jobs. */
typedef struct _qemuMonitorJobInfo qemuMonitorJobInfo;
struct _qemuMonitorJobInfo {
    char *id;
    char *type;                         /* "mirror", ... */
    qemuMonitorJobStatus status;
    unsigned long long progressCurrent; /* bytes for block jobs */
    unsigned long long progressTotal;
    char *error;                        /* set when the job failed */
};

void qemuMonitorJobInfoFree(qemuMonitorJobInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitorJobInfo, qemuMonitorJobInfoFree);

/* Maps QEMU's string to the enum; unknown or missing values give
 * QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN and a warning in the log. */
qemuMonitorMigrationStatus qemuMonitorMigrationStatusParse(const char *str);

/* A JobStatus string; UNKNOWN (logged) for anything else. */
qemuMonitorJobStatus qemuMonitorJobStatusParse(const char *str);

/* MigrationStats (the "ram" and "disk" members of query-migrate). */
typedef struct _qemuMonitorMigrationMemStats qemuMonitorMigrationMemStats;
struct _qemuMonitorMigrationMemStats {
    unsigned long long transferred;
    unsigned long long remaining;
    unsigned long long total;
    unsigned long long duplicate;
    unsigned long long skipped;
    unsigned long long normal;
    unsigned long long normalBytes;
    unsigned long long dirtyPagesRate;
    double mbps;
    unsigned long long dirtySyncCount;
    unsigned long long postcopyRequests;
    unsigned long long pageSize;
    unsigned long long multifdBytes;
    unsigned long long pagesPerSecond;
    unsigned long long precopyBytes;
    unsigned long long downtimeBytes;
    unsigned long long postcopyBytes;
    unsigned long long dirtySyncMissedZeroCopy;
};

typedef struct _qemuMonitorMigrationXbzrleStats qemuMonitorMigrationXbzrleStats;
struct _qemuMonitorMigrationXbzrleStats {
    unsigned long long cacheSize;
    unsigned long long bytes;
    unsigned long long pages;
    unsigned long long cacheMiss;
    double cacheMissRate;
    double encodingRate;
    unsigned long long overflow;
};

typedef struct _qemuMonitorMigrationCompressionStats
    qemuMonitorMigrationCompressionStats;
struct _qemuMonitorMigrationCompressionStats {
    unsigned long long pages;
    unsigned long long busy;
    double busyRate;
    unsigned long long compressedSize;
    double compressionRate;
};

/* query-migrate's MigrationInfo.  Each *Set flag says whether QEMU sent
 * the member (most are only present in some states). */
typedef struct _qemuMonitorMigrationStats qemuMonitorMigrationStats;
struct _qemuMonitorMigrationStats {
    qemuMonitorMigrationStatus status;  /* NONE if QEMU sent no status */
    char *errorDesc;                    /* "error-desc", or NULL */
    GStrv blockedReasons;               /* "blocked-reasons", or NULL */

    bool totalTimeSet;
    unsigned long long totalTime;       /* ms */
    bool expectedDowntimeSet;
    unsigned long long expectedDowntime;
    bool downtimeSet;
    unsigned long long downtime;
    bool setupTimeSet;
    unsigned long long setupTime;
    bool cpuThrottlePercentageSet;
    unsigned long long cpuThrottlePercentage;

    bool ramSet;
    qemuMonitorMigrationMemStats ram;
    bool diskSet;
    qemuMonitorMigrationMemStats disk;
    bool vfioSet;
    unsigned long long vfioTransferred;
    bool xbzrleSet;
    qemuMonitorMigrationXbzrleStats xbzrle;
    bool compressionSet;
    qemuMonitorMigrationCompressionStats compression;

    bool postcopyBlocktimeSet;
    unsigned long long postcopyBlocktime;        /* ms */
    unsigned long long *postcopyVcpuBlocktime;   /* ms per vCPU */
    size_t npostcopyVcpuBlocktime;
};

/* Frees the members (not @stats itself) and zeroes it. */
void qemuMonitorMigrationStatsClear(qemuMonitorMigrationStats *stats);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(qemuMonitorMigrationStats,
                                 qemuMonitorMigrationStatsClear);

/* MigrationCapability (QEMU 7.2). */
typedef enum {
    QEMU_MONITOR_MIGRATION_CAP_XBZRLE,
    QEMU_MONITOR_MIGRATION_CAP_RDMA_PIN_ALL,
    QEMU_MONITOR_MIGRATION_CAP_AUTO_CONVERGE,
    QEMU_MONITOR_MIGRATION_CAP_ZERO_BLOCKS,
    QEMU_MONITOR_MIGRATION_CAP_COMPRESS,
    QEMU_MONITOR_MIGRATION_CAP_EVENTS,
    QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_RAM,
    QEMU_MONITOR_MIGRATION_CAP_X_COLO,
    QEMU_MONITOR_MIGRATION_CAP_RELEASE_RAM,
    QEMU_MONITOR_MIGRATION_CAP_BLOCK,
    QEMU_MONITOR_MIGRATION_CAP_RETURN_PATH,
    QEMU_MONITOR_MIGRATION_CAP_PAUSE_BEFORE_SWITCHOVER,
    QEMU_MONITOR_MIGRATION_CAP_MULTIFD,
    QEMU_MONITOR_MIGRATION_CAP_DIRTY_BITMAPS,
    QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_BLOCKTIME,
    QEMU_MONITOR_MIGRATION_CAP_LATE_BLOCK_ACTIVATE,
    QEMU_MONITOR_MIGRATION_CAP_X_IGNORE_SHARED,
    QEMU_MONITOR_MIGRATION_CAP_VALIDATE_UUID,
    QEMU_MONITOR_MIGRATION_CAP_BACKGROUND_SNAPSHOT,
    QEMU_MONITOR_MIGRATION_CAP_ZERO_COPY_SEND,
    QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_PREEMPT,

    QEMU_MONITOR_MIGRATION_CAP_LAST
} qemuMonitorMigrationCap;

VIR_ENUM_DECL(qemuMonitorMigrationCap);

/* Capability sets are bit masks of (1ULL << qemuMonitorMigrationCap). */
#define QEMU_MONITOR_MIGRATION_CAP_BIT(cap) (1ULL << (cap))

/* MigrationParameters (QEMU 7.2) except block-bitmap-mapping. */
typedef enum {
    QEMU_MONITOR_MIGRATION_PARAM_ANNOUNCE_INITIAL,
    QEMU_MONITOR_MIGRATION_PARAM_ANNOUNCE_MAX,
    QEMU_MONITOR_MIGRATION_PARAM_ANNOUNCE_ROUNDS,
    QEMU_MONITOR_MIGRATION_PARAM_ANNOUNCE_STEP,
    QEMU_MONITOR_MIGRATION_PARAM_COMPRESS_LEVEL,
    QEMU_MONITOR_MIGRATION_PARAM_COMPRESS_THREADS,
    QEMU_MONITOR_MIGRATION_PARAM_COMPRESS_WAIT_THREAD,
    QEMU_MONITOR_MIGRATION_PARAM_DECOMPRESS_THREADS,
    QEMU_MONITOR_MIGRATION_PARAM_THROTTLE_TRIGGER_THRESHOLD,
    QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_INITIAL,
    QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_INCREMENT,
    QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_TAILSLOW,
    QEMU_MONITOR_MIGRATION_PARAM_TLS_CREDS,
    QEMU_MONITOR_MIGRATION_PARAM_TLS_HOSTNAME,
    QEMU_MONITOR_MIGRATION_PARAM_TLS_AUTHZ,
    QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH,
    QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT,
    QEMU_MONITOR_MIGRATION_PARAM_X_CHECKPOINT_DELAY,
    QEMU_MONITOR_MIGRATION_PARAM_BLOCK_INCREMENTAL,
    QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_CHANNELS,
    QEMU_MONITOR_MIGRATION_PARAM_XBZRLE_CACHE_SIZE,
    QEMU_MONITOR_MIGRATION_PARAM_MAX_POSTCOPY_BANDWIDTH,
    QEMU_MONITOR_MIGRATION_PARAM_MAX_CPU_THROTTLE,
    QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_COMPRESSION,
    QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_ZLIB_LEVEL,
    QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_ZSTD_LEVEL,

    QEMU_MONITOR_MIGRATION_PARAM_LAST
} qemuMonitorMigrationParam;

VIR_ENUM_DECL(qemuMonitorMigrationParam);

typedef enum {
    QEMU_MONITOR_MIGRATION_PARAM_TYPE_ULL,
    QEMU_MONITOR_MIGRATION_PARAM_TYPE_BOOL,
    QEMU_MONITOR_MIGRATION_PARAM_TYPE_STRING,
} qemuMonitorMigrationParamType;

qemuMonitorMigrationParamType
qemuMonitorMigrationParamGetType(qemuMonitorMigrationParam param);

/* A set of migration parameters; only those set are sent. */
typedef struct _qemuMonitorMigrationParams qemuMonitorMigrationParams;

qemuMonitorMigrationParams *qemuMonitorMigrationParamsNew(void);
void qemuMonitorMigrationParamsFree(qemuMonitorMigrationParams *params);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitorMigrationParams,
                              qemuMonitorMigrationParamsFree);

/* Setters fail with VIR_ERR_INTERNAL_ERROR if @param is not of that
 * type.  Getters return false if @param is unset or of another type;
 * the string is borrowed. */
int qemuMonitorMigrationParamsSetULL(qemuMonitorMigrationParams *params,
                                     qemuMonitorMigrationParam param,
                                     unsigned long long value);
int qemuMonitorMigrationParamsSetBool(qemuMonitorMigrationParams *params,
                                      qemuMonitorMigrationParam param,
                                      bool value);
int qemuMonitorMigrationParamsSetString(qemuMonitorMigrationParams *params,
                                        qemuMonitorMigrationParam param,
                                        const char *value);
bool qemuMonitorMigrationParamsGetULL(const qemuMonitorMigrationParams *params,
                                      qemuMonitorMigrationParam param,
                                      unsigned long long *value);
bool qemuMonitorMigrationParamsGetBool(const qemuMonitorMigrationParams *params,
                                       qemuMonitorMigrationParam param,
                                       bool *value);
const char *
qemuMonitorMigrationParamsGetString(const qemuMonitorMigrationParams *params,
                                    qemuMonitorMigrationParam param);
bool qemuMonitorMigrationParamsIsSet(const qemuMonitorMigrationParams *params,
                                     qemuMonitorMigrationParam param);

