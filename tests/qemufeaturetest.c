/*
 * qemufeaturetest.c: libvirt's driver feature numbers and what the QEMU
 * driver answers to CONNECT_SUPPORTS_FEATURE for each
 */
#include "testutils.h"
#include "qemu_conf.h"
#include "virdrvfeature.h"

typedef struct {
    const char *name;
    int number;         /* libvirt's src/libvirt_internal.h */
    int ours;           /* virdrvfeature.h */
    bool driver;        /* what the QEMU driver answers */
} featureRow;

#define ROW(name, number, driver) \
    { #name, number, VIR_DRV_FEATURE_ ## name, driver }

static const featureRow features[] = {
    ROW(MIGRATION_V1, 1, false),
    ROW(REMOTE, 2, false),
    ROW(MIGRATION_V2, 3, false),
    ROW(MIGRATION_P2P, 4, true),            /* with peer connections */
    ROW(MIGRATION_DIRECT, 5, false),
    ROW(MIGRATION_V3, 6, true),
    ROW(MIGRATE_CHANGE_PROTECTION, 7, true),
    ROW(FD_PASSING, 8, false),
    ROW(TYPED_PARAM_STRING, 9, false),      /* the RPC layer's */
    ROW(PROGRAM_KEEPALIVE, 10, false),      /* the RPC layer's */
    ROW(XML_MIGRATABLE, 11, true),
    ROW(MIGRATION_OFFLINE, 12, true),
    ROW(MIGRATION_PARAMS, 13, true),
    ROW(REMOTE_EVENT_CALLBACK, 14, false),  /* the RPC layer's */
    ROW(REMOTE_CLOSE_CALLBACK, 15, false),  /* the RPC layer's */
    ROW(NETWORK_UPDATE_HAS_CORRECT_ORDER, 16, false),
};

static void
testNumbers(void)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(features); i++) {
        if (features[i].ours != features[i].number)
            g_error("VIR_DRV_FEATURE_%s is %d, libvirt's is %d",
                    features[i].name, features[i].ours, features[i].number);
    }
}

static void
testDriverAnswers(void)
{
    static const qemuMigrationPeerOps peerOps = { 0 };
    qemuDriver driver = { .peerOps = &peerOps };
    qemuDriver noPeers = { 0 };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(features); i++) {
        if (qemuDriverSupportsFeature(&driver, features[i].number) != features[i].driver)
            g_error("feature %d (%s): the driver answers %s", features[i].number,
                    features[i].name, features[i].driver ? "no" : "yes");
    }
    /* peer-to-peer only when the daemon gave the driver connections */
    g_assert_false(qemuDriverSupportsFeature(&noPeers, VIR_DRV_FEATURE_MIGRATION_P2P));
    /* numbers libvirt does not define */
    g_assert_false(qemuDriverSupportsFeature(&driver, 0));
    g_assert_false(qemuDriverSupportsFeature(&driver, 17));
    g_assert_false(qemuDriverSupportsFeature(&driver, -1));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/feature/numbers", testNumbers);
    g_test_add_func("/feature/driver-answers", testDriverAnswers);
    return g_test_run();
}
