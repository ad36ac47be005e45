/*
 * virdrvfeature.h: libvirt's driver feature numbers (VIR_DRV_FEATURE_*)
 *
 * The numbers a client passes to CONNECT_SUPPORTS_FEATURE.  They are
 * part of libvirt's wire protocol (src/libvirt_internal.h, append-only),
 * so they are written out here, one place for the RPC layer and the
 * driver; tests/qemufeaturetest.c checks each against libvirt's value.
 */
#pragma once

typedef enum {
    VIR_DRV_FEATURE_MIGRATION_V1 = 1,                  /* Prepare/Perform/Finish */
    VIR_DRV_FEATURE_REMOTE = 2,                        /* the driver is remote */
    VIR_DRV_FEATURE_MIGRATION_V2 = 3,                  /* Prepare2/Perform/Finish2 */
    VIR_DRV_FEATURE_MIGRATION_P2P = 4,                 /* source drives the destination */
    VIR_DRV_FEATURE_MIGRATION_DIRECT = 5,              /* source only, no destination daemon */
    VIR_DRV_FEATURE_MIGRATION_V3 = 6,                  /* Begin3 ... Confirm3 */
    VIR_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION = 7,     /* the job spans Begin3 to Confirm3 */
    VIR_DRV_FEATURE_FD_PASSING = 8,
    VIR_DRV_FEATURE_TYPED_PARAM_STRING = 9,
    VIR_DRV_FEATURE_PROGRAM_KEEPALIVE = 10,
    VIR_DRV_FEATURE_XML_MIGRATABLE = 11,               /* VIR_DOMAIN_XML_MIGRATABLE */
    VIR_DRV_FEATURE_MIGRATION_OFFLINE = 12,
    VIR_DRV_FEATURE_MIGRATION_PARAMS = 13,             /* the *3Params calls */
    VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK = 14,
    VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK = 15,
    VIR_DRV_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER = 16,
} virDrvFeature;
