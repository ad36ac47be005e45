/*
 * qemu_migration_params.h: libvirt migration flags and parameters, and
 * what they mean for QEMU (capabilities and migration parameters)
 *
 * Everything the client asks for is checked here, before any state
 * changes: unknown flags and parameters are refused with libvirt's
 * errors, flags virtmig does not implement yet are refused by name.
 */
#pragma once

#include "internal.h"
#include "qemu_monitor_types.h"
#include "virtypedparam.h"

/* libvirt's virDomainMigrateFlags */
typedef enum {
    VIR_MIGRATE_LIVE = (1 << 0),
    VIR_MIGRATE_PEER2PEER = (1 << 1),
    VIR_MIGRATE_TUNNELLED = (1 << 2),
    VIR_MIGRATE_PERSIST_DEST = (1 << 3),
    VIR_MIGRATE_UNDEFINE_SOURCE = (1 << 4),
    VIR_MIGRATE_PAUSED = (1 << 5),
    VIR_MIGRATE_NON_SHARED_DISK = (1 << 6),
    VIR_MIGRATE_NON_SHARED_INC = (1 << 7),
    VIR_MIGRATE_CHANGE_PROTECTION = (1 << 8),
    VIR_MIGRATE_UNSAFE = (1 << 9),
    VIR_MIGRATE_OFFLINE = (1 << 10),
    VIR_MIGRATE_COMPRESSED = (1 << 11),
    VIR_MIGRATE_ABORT_ON_ERROR = (1 << 12),
    VIR_MIGRATE_AUTO_CONVERGE = (1 << 13),
    VIR_MIGRATE_RDMA_PIN_ALL = (1 << 14),
    VIR_MIGRATE_POSTCOPY = (1 << 15),
    VIR_MIGRATE_TLS = (1 << 16),
    VIR_MIGRATE_PARALLEL = (1 << 17),
    VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES = (1 << 18),
    VIR_MIGRATE_POSTCOPY_RESUME = (1 << 19),
    VIR_MIGRATE_ZEROCOPY = (1 << 20),
} virDomainMigrateFlags;

/* Flags virtmig implements. */
#define QEMU_MIGRATION_FLAGS \
    (VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE | \
     VIR_MIGRATE_PAUSED | VIR_MIGRATE_CHANGE_PROTECTION | VIR_MIGRATE_UNSAFE | \
     VIR_MIGRATE_COMPRESSED | VIR_MIGRATE_ABORT_ON_ERROR | \
     VIR_MIGRATE_AUTO_CONVERGE | VIR_MIGRATE_POSTCOPY | VIR_MIGRATE_PARALLEL | \
     VIR_MIGRATE_ZEROCOPY | VIR_MIGRATE_POSTCOPY_RESUME | VIR_MIGRATE_OFFLINE | \
     VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_TLS | VIR_MIGRATE_NON_SHARED_DISK | \
     VIR_MIGRATE_NON_SHARED_INC | VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES)

#define VIR_MIGRATE_PARAM_URI "migrate_uri"
#define VIR_MIGRATE_PARAM_DEST_NAME "destination_name"
#define VIR_MIGRATE_PARAM_DEST_XML "destination_xml"
#define VIR_MIGRATE_PARAM_PERSIST_XML "persistent_xml"
#define VIR_MIGRATE_PARAM_BANDWIDTH "bandwidth"
#define VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY "bandwidth.postcopy"
#define VIR_MIGRATE_PARAM_LISTEN_ADDRESS "listen_address"
#define VIR_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL "auto_converge.initial"
#define VIR_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT "auto_converge.increment"
#define VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS "parallel.connections"
#define VIR_MIGRATE_PARAM_COMPRESSION "compression"
#define VIR_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE "compression.xbzrle.cache"
#define VIR_MIGRATE_PARAM_MIGRATE_DISKS "migrate_disks"
#define VIR_MIGRATE_PARAM_DISKS_PORT "disks_port"
#define VIR_MIGRATE_PARAM_DISKS_URI "disks_uri"

/* "unlimited" as libvirt sets it: QEMU's own default is 32 MiB/s */
#define QEMU_MIGRATION_BANDWIDTH_MAX_MIB (G_MAXINT64 / (1024 * 1024))

/* What a migration asks of QEMU, derived from flags + parameters. */
typedef struct _qemuMigrationParams qemuMigrationParams;
struct _qemuMigrationParams {
    unsigned long long capsSet;     /* capabilities to set ... */
    unsigned long long capsEnable;  /* ... and which of them to true */
    qemuMonitorMigrationParams *qemu; /* migrate-set-parameters */
};

void qemuMigrationParamsFree(qemuMigrationParams *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMigrationParams, qemuMigrationParamsFree);

/**
 * qemuMigrationParamsCheck:
 * Validates @flags and the typed parameters of a migration API call
 * (names, types, values, flag combinations).  Returns 0, or -1 with
 * libvirt's error: VIR_ERR_ARGUMENT_UNSUPPORTED "parameter 'X' not
 * supported", VIR_ERR_INVALID_ARG for bad values or unknown flags,
 * VIR_ERR_ARGUMENT_UNSUPPORTED naming a flag not implemented yet.
 */
int qemuMigrationParamsCheck(const virTypedParameter *params, size_t nparams,
                             unsigned int flags);

/**
 * qemuMigrationParamsFromFlags:
 * The capabilities and QEMU parameters for a migration with @flags and
 * @params.  @bandwidthMiB is the speed set earlier with
 * MigrateSetMaxSpeed (0: unlimited) used when @params has none.
 * @postcopyPreempt: the host's postcopy_preempt setting.
 */
qemuMigrationParams *qemuMigrationParamsFromFlags(const virTypedParameter *params,
                                                  size_t nparams,
                                                  unsigned int flags,
                                                  unsigned long long bandwidthMiB,
                                                  bool postcopyPreempt);

/* The capabilities the destination needs for @flags. */
qemuMigrationParams *qemuMigrationParamsForIncoming(const virTypedParameter *params,
                                                    size_t nparams,
                                                    unsigned int flags,
                                                    bool postcopyPreempt);

/**
 * qemuMigrationParseURI:
 * Parses "tcp:HOST[:PORT]" or "tcp://HOST[:PORT]" (HOST may be
 * "[v6addr]").  *port is 0 when absent.  Other transports are refused
 * (VIR_ERR_ARGUMENT_UNSUPPORTED).
 */
int qemuMigrationParseURI(const char *uri, char **host, unsigned int *port);

/* "tcp:HOST:PORT" with IPv6 addresses bracketed (caller frees). */
char *qemuMigrationFormatURI(const char *host, unsigned int port);
