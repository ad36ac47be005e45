/*
 * qemu_migration_params.c: libvirt migration flags and parameters
 */
#include <string.h>

#include "qemu_migration_params.h"
#include "qemu_migration_priv.h"
#include "qemu_migration_storage.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_migration_params");

#define CAP(c) QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_ ## c)

void
qemuMigrationParamsFree(qemuMigrationParams *p)
{
    if (!p)
        return;
    qemuMonitorMigrationParamsFree(p->qemu);
    g_free(p);
}

/* Flags that exist in libvirt but that virtmig refuses by name. */
static const struct {
    unsigned int flag;
    const char *name;
} qemuMigrationUnsupportedFlags[] = {
    { VIR_MIGRATE_TUNNELLED, "VIR_MIGRATE_TUNNELLED" },
    { VIR_MIGRATE_RDMA_PIN_ALL, "VIR_MIGRATE_RDMA_PIN_ALL" },
};

static int
qemuMigrationCheckFlags(unsigned int flags)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(qemuMigrationUnsupportedFlags); i++) {
        if (flags & qemuMigrationUnsupportedFlags[i].flag) {
            virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED,
                           _("migration flag %1$s is not supported by virtmig yet"),
                           qemuMigrationUnsupportedFlags[i].name);
            return -1;
        }
    }
    if (!virCheckFlags(flags, QEMU_MIGRATION_FLAGS))
        return -1;
    if ((flags & VIR_MIGRATE_POSTCOPY) &&
        (!(flags & VIR_MIGRATE_LIVE) || (flags & VIR_MIGRATE_PAUSED))) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("post-copy migration is not supported with non-live or paused migration"));
        return -1;
    }
    if (qemuMigrationOfflineCheck(flags) < 0)
        return -1;
    if ((flags & VIR_MIGRATE_POSTCOPY_RESUME) && !(flags & VIR_MIGRATE_POSTCOPY)) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("resuming failed post-copy migration requires post-copy to be enabled"));
        return -1;
    }
    if ((flags & VIR_MIGRATE_ZEROCOPY) && !(flags & VIR_MIGRATE_PARALLEL)) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("zero-copy is only available for parallel migration"));
        return -1;
    }
    return 0;
}

int
qemuMigrationParamsCheck(const virTypedParameter *params, size_t nparams,
                         unsigned int flags)
{
    const char *compression = NULL;
    size_t i;

    if (qemuMigrationCheckFlags(flags) < 0)
        return -1;
    if (virTypedParamsValidate(params, nparams,
                               VIR_MIGRATE_PARAM_URI, VIR_TYPED_PARAM_STRING,
                               VIR_MIGRATE_PARAM_DEST_NAME, VIR_TYPED_PARAM_STRING,
                               VIR_MIGRATE_PARAM_DEST_XML, VIR_TYPED_PARAM_STRING,
                               VIR_MIGRATE_PARAM_PERSIST_XML, VIR_TYPED_PARAM_STRING,
                               VIR_MIGRATE_PARAM_BANDWIDTH, VIR_TYPED_PARAM_ULLONG,
                               VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY, VIR_TYPED_PARAM_ULLONG,
                               VIR_MIGRATE_PARAM_LISTEN_ADDRESS, VIR_TYPED_PARAM_STRING,
                               VIR_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL, VIR_TYPED_PARAM_INT,
                               VIR_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT, VIR_TYPED_PARAM_INT,
                               VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS, VIR_TYPED_PARAM_INT,
                               VIR_MIGRATE_PARAM_COMPRESSION, VIR_TYPED_PARAM_STRING,
                               VIR_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE, VIR_TYPED_PARAM_ULLONG,
                               VIR_MIGRATE_PARAM_MIGRATE_DISKS, VIR_TYPED_PARAM_STRING,
                               VIR_MIGRATE_PARAM_DISKS_PORT, VIR_TYPED_PARAM_INT,
                               VIR_MIGRATE_PARAM_DISKS_URI, VIR_TYPED_PARAM_STRING,
                               NULL) < 0 ||
        qemuMigrationStorageCheckParams(params, nparams, flags) < 0)
        return -1;
    for (i = 0; i < nparams; i++) {
        if (g_str_equal(params[i].field, VIR_MIGRATE_PARAM_COMPRESSION))
            compression = params[i].value.s;
    }
    if (compression && !g_str_equal(compression, "xbzrle")) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED,
                       _("Unsupported compression method '%1$s'"), compression);
        return -1;
    }
    if (compression && !(flags & VIR_MIGRATE_COMPRESSED)) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("Turn compression on to tune it"));
        return -1;
    }
    return 0;
}

static int
qemuMigrationParamsSetInt(qemuMonitorMigrationParams *qp,
                          const virTypedParameter *params, size_t nparams,
                          const char *name, qemuMonitorMigrationParam param,
                          int min, int max)
{
    int val;
    int rc = virTypedParamsGetInt(params, nparams, name, &val);

    if (rc <= 0)
        return rc;
    if (val < min || val > max) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("parameter '%1$s' must be between %2$d and %3$d"),
                       name, min, max);
        return -1;
    }
    return qemuMonitorMigrationParamsSetULL(qp, param, val);
}

qemuMigrationParams *
qemuMigrationParamsFromFlags(const virTypedParameter *params, size_t nparams,
                             unsigned int flags, unsigned long long bandwidthMiB,
                             bool postcopyPreempt)
{
    g_autoptr(qemuMigrationParams) p = g_new0(qemuMigrationParams, 1);
    unsigned long long bw = bandwidthMiB;
    unsigned long long val;

    p->qemu = qemuMonitorMigrationParamsNew();
    p->capsSet = CAP(EVENTS) | CAP(POSTCOPY_RAM) | CAP(XBZRLE) |
                 CAP(AUTO_CONVERGE) | CAP(MULTIFD) | CAP(ZERO_COPY_SEND) |
                 CAP(POSTCOPY_PREEMPT) | CAP(PAUSE_BEFORE_SWITCHOVER);
    p->capsEnable = CAP(EVENTS);
    /* the storage mirrors are completed while QEMU waits before the
     * switch-over (qemu_migration_storage.c) */
    if (qemuMigrationStorageRequested(flags))
        p->capsEnable |= CAP(PAUSE_BEFORE_SWITCHOVER);
    if (flags & VIR_MIGRATE_POSTCOPY)
        p->capsEnable |= CAP(POSTCOPY_RAM);
    /* a second channel so that faulted pages do not queue behind the
     * background stream; both hosts must enable it (config) */
    if ((flags & VIR_MIGRATE_POSTCOPY) && postcopyPreempt)
        p->capsEnable |= CAP(POSTCOPY_PREEMPT);
    if (flags & VIR_MIGRATE_COMPRESSED)
        p->capsEnable |= CAP(XBZRLE);
    if (flags & VIR_MIGRATE_AUTO_CONVERGE)
        p->capsEnable |= CAP(AUTO_CONVERGE);
    if (flags & VIR_MIGRATE_PARALLEL)
        p->capsEnable |= CAP(MULTIFD);
    if (flags & VIR_MIGRATE_ZEROCOPY)
        p->capsEnable |= CAP(ZERO_COPY_SEND);

    if (virTypedParamsGetULLong(params, nparams, VIR_MIGRATE_PARAM_BANDWIDTH, &val) > 0)
        bw = val;
    if (bw == 0 || bw > QEMU_MIGRATION_BANDWIDTH_MAX_MIB)
        bw = QEMU_MIGRATION_BANDWIDTH_MAX_MIB;
    if (qemuMonitorMigrationParamsSetULL(p->qemu, QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH,
                                         bw * 1024 * 1024) < 0)
        return NULL;
    if (virTypedParamsGetULLong(params, nparams, VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY,
                                &val) > 0 &&
        qemuMonitorMigrationParamsSetULL(p->qemu,
                                         QEMU_MONITOR_MIGRATION_PARAM_MAX_POSTCOPY_BANDWIDTH,
                                         val * 1024 * 1024) < 0)
        return NULL;
    if (virTypedParamsGetULLong(params, nparams, VIR_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE,
                                &val) > 0 &&
        qemuMonitorMigrationParamsSetULL(p->qemu,
                                         QEMU_MONITOR_MIGRATION_PARAM_XBZRLE_CACHE_SIZE,
                                         val) < 0)
        return NULL;
    if (qemuMigrationParamsSetInt(p->qemu, params, nparams,
                                  VIR_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL,
                                  QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_INITIAL,
                                  1, 99) < 0 ||
        qemuMigrationParamsSetInt(p->qemu, params, nparams,
                                  VIR_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT,
                                  QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_INCREMENT,
                                  1, 99) < 0 ||
        qemuMigrationParamsSetInt(p->qemu, params, nparams,
                                  VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS,
                                  QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_CHANNELS,
                                  1, 255) < 0)
        return NULL;
    return g_steal_pointer(&p);
}

qemuMigrationParams *
qemuMigrationParamsForIncoming(const virTypedParameter *params, size_t nparams,
                               unsigned int flags, bool postcopyPreempt)
{
    g_autoptr(qemuMigrationParams) p = g_new0(qemuMigrationParams, 1);

    p->qemu = qemuMonitorMigrationParamsNew();
    p->capsSet = CAP(EVENTS) | CAP(POSTCOPY_RAM) | CAP(XBZRLE) | CAP(MULTIFD) |
                 CAP(POSTCOPY_BLOCKTIME) | CAP(POSTCOPY_PREEMPT) |
                 CAP(LATE_BLOCK_ACTIVATE);
    /* as libvirt's destination: the disks are activated by "cont", not
     * when the stream ends, so that a guest kept paused (--paused, or
     * until Finish decides) never holds its images on both hosts */
    p->capsEnable = CAP(EVENTS) | CAP(LATE_BLOCK_ACTIVATE);
    /* the destination measures how long vCPUs wait for faulted pages */
    if (flags & VIR_MIGRATE_POSTCOPY)
        p->capsEnable |= CAP(POSTCOPY_RAM) | CAP(POSTCOPY_BLOCKTIME);
    if ((flags & VIR_MIGRATE_POSTCOPY) && postcopyPreempt)
        p->capsEnable |= CAP(POSTCOPY_PREEMPT);
    if (flags & VIR_MIGRATE_COMPRESSED)
        p->capsEnable |= CAP(XBZRLE);
    if (flags & VIR_MIGRATE_PARALLEL)
        p->capsEnable |= CAP(MULTIFD);
    if (qemuMigrationParamsSetInt(p->qemu, params, nparams,
                                  VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS,
                                  QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_CHANNELS,
                                  1, 255) < 0)
        return NULL;
    return g_steal_pointer(&p);
}

int
qemuMigrationParseURI(const char *uri, char **host, unsigned int *port)
{
    const char *rest;
    const char *portstr = NULL;
    guint64 val;

    if (g_str_has_prefix(uri, "tcp://"))
        rest = uri + 6;
    else if (g_str_has_prefix(uri, "tcp:"))
        rest = uri + 4;
    else
        goto unsupported;
    if (rest[0] == '[') {
        const char *end = strchr(rest, ']');

        if (!end || (end[1] && end[1] != ':'))
            goto invalid;
        *host = g_strndup(rest + 1, end - rest - 1);
        portstr = end[1] ? end + 2 : NULL;
    } else {
        const char *colon = strrchr(rest, ':');

        *host = colon ? g_strndup(rest, colon - rest) : g_strdup(rest);
        portstr = colon ? colon + 1 : NULL;
    }
    *port = 0;
    if (!**host)
        goto invalid;
    if (portstr && (!g_ascii_string_to_unsigned(portstr, 10, 1, 65535, &val, NULL)))
        goto invalid;
    if (portstr)
        *port = val;
    return 0;

 unsupported:
    virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED,
                   _("unsupported scheme in migration URI %1$s"), uri);
    return -1;
 invalid:
    g_clear_pointer(host, g_free);
    virReportError(VIR_ERR_INVALID_ARG, _("unable to parse URI %1$s"), uri);
    return -1;
}

char *
qemuMigrationFormatURI(const char *host, unsigned int port)
{
    if (strchr(host, ':'))
        return g_strdup_printf("tcp:[%s]:%u", host, port);
    return g_strdup_printf("tcp:%s:%u", host, port);
}
