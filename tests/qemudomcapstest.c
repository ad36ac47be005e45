/*
 * qemudomcapstest.c: domain capabilities from a QEMU probe
 *
 * The probe's QMP replies are a fixture (qemudomcapsdata/tcg-7.2.qmp:
 * QEMU 7.2 under TCG answering query-machines, query-cpu-definitions
 * and the full expansion of qemu64, Westmere and pentium3); the
 * document built from them is compared with qemudomcapsdata/NAME.xml.
 */
#include "testutils.h"
#include "qemu_domcaps.h"
#include "virerror.h"

#define DATADIR "qemudomcapsdata/"
#define EMULATOR "/usr/bin/qemu-system-x86_64"

static qemuCapsAccel *
testLoadAccel(void)
{
    g_autofree char *qmp = virTestLoadFile(DATADIR "tcg-7.2.qmp");
    qemuCapsAccel *accel = qemuCapsAccelNew();

    qemuCapsAccelParse(accel, qmp);
    return accel;
}

static void
testDomCaps(const char *machine, virDomainVirtType virtType, const char *file)
{
    g_autoptr(qemuCapsAccel) accel = testLoadAccel();
    g_autoptr(virDomainCaps) caps = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *path = g_strdup_printf(DATADIR "%s", file);

    caps = qemuDomCapsBuild(accel, EMULATOR, "x86_64", machine, virtType);
    g_assert_nonnull(caps);
    xml = virDomainCapsFormat(caps);
    g_assert_true(virTestCompareToFile(xml, path));
}

/* QEMU's default machine (pc, i440fx) under TCG: no host-passthrough */
static void
testDefaultTCG(void)
{
    testDomCaps(NULL, VIR_DOMAIN_VIRT_QEMU, "tcg-default.xml");
}

/* an alias resolves to the versioned machine, with its own vCPU limit */
static void
testQ35KVM(void)
{
    testDomCaps("q35", VIR_DOMAIN_VIRT_KVM, "kvm-q35.xml");
}

static void
testParse(void)
{
    g_autoptr(qemuCapsAccel) accel = testLoadAccel();
    guint i;
    bool sawNone = false;
    bool sawVersioned = false;

    g_assert_cmpuint(accel->machines->len, >, 10);
    for (i = 0; i < accel->machines->len; i++)
        sawNone |= g_str_equal(g_array_index(accel->machines,
                                             qemuCapsMachineInfo, i).name, "none");
    for (i = 0; i < accel->cpuModels->len; i++) {
        const char *name = g_array_index(accel->cpuModels,
                                         qemuCapsCPUModelInfo, i).name;

        sawVersioned |= g_str_has_suffix(name, "-v1") || g_str_equal(name, "max") ||
            g_str_equal(name, "host") || g_str_equal(name, "base");
    }
    g_assert_false(sawNone);
    g_assert_false(sawVersioned);
    /* of the expanded usable models, Westmere enables the most features */
    g_assert_cmpstr(qemuCapsAccelHostModel(accel), ==, "Westmere");
}

static void
testUnknownMachine(void)
{
    g_autoptr(qemuCapsAccel) accel = testLoadAccel();
    virDomainCaps *caps;

    caps = qemuDomCapsBuild(accel, EMULATOR, "x86_64", "none", VIR_DOMAIN_VIRT_KVM);
    g_assert_null(caps);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "invalid argument: the machine 'none' is not supported by emulator '"
                    EMULATOR "'");
    virResetLastError();
}

static void
testKnownNames(void)
{
    g_assert_true(virDomainCapsArchIsKnown("x86_64"));
    g_assert_true(virDomainCapsArchIsKnown("aarch64"));
    g_assert_false(virDomainCapsArchIsKnown("none"));
    g_assert_false(virDomainCapsArchIsKnown("foo"));
    g_assert_true(virDomainCapsArchHasCPUDriver("s390x"));
    g_assert_false(virDomainCapsArchHasCPUDriver("mips"));
    g_assert_true(virDomainCapsVirtTypeIsKnown("xen"));
    g_assert_false(virDomainCapsVirtTypeIsKnown("foo"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/domcaps/parse", testParse);
    g_test_add_func("/domcaps/default-tcg", testDefaultTCG);
    g_test_add_func("/domcaps/q35-kvm", testQ35KVM);
    g_test_add_func("/domcaps/unknown-machine", testUnknownMachine);
    g_test_add_func("/domcaps/known-names", testKnownNames);
    return g_test_run();
}
