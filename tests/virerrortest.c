/*
 * virerrortest.c: error numbers, libvirt message prefixes, preservation
 */
#include "testutils.h"
#include "virerror.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

static void
testErrorPrefix(void)
{
    virResetLastError();
    g_assert_null(virGetLastError());
    virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "unknown element <%s>", "hostdev");
    g_assert_cmpint(virGetLastErrorCode(), ==, 67);
    g_assert_cmpint(virGetLastError()->domain, ==, 10);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "unsupported configuration: unknown element <hostdev>");

    virReportError(VIR_ERR_OPERATION_TIMEOUT, "%s",
                   "cannot acquire state change lock");
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "Timed out during operation: cannot acquire state change lock");
    virReportError(VIR_ERR_OPERATION_DENIED, "%s",
                   "read only access prevents virDomainDestroy");
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "operation forbidden: read only access prevents virDomainDestroy");
    virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "parameter '%s' not supported", "x");
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "argument unsupported: parameter 'x' not supported");
    virResetLastError();
    g_assert_cmpint(virGetLastErrorCode(), ==, 0);
}

static void
testErrorNumbers(void)
{
    /* These travel over the wire: pin a few against libvirt's values. */
    g_assert_cmpint(VIR_ERR_NO_SUPPORT, ==, 3);
    g_assert_cmpint(VIR_ERR_NO_DOMAIN, ==, 42);
    g_assert_cmpint(VIR_ERR_OPERATION_INVALID, ==, 55);
    g_assert_cmpint(VIR_ERR_MIGRATE_UNSAFE, ==, 81);
    g_assert_cmpint(VIR_ERR_MULTIPLE_DOMAINS, ==, 110);
    g_assert_cmpint(VIR_FROM_DOMAIN, ==, 20);
    g_assert_cmpint(VIR_FROM_RPC, ==, 7);
}

static void
testErrorSystem(void)
{
    virReportSystemError(ENOENT, "Cannot access storage file '%s'", "/x.img");
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_SYSTEM_ERROR);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "Cannot access storage file '/x.img': No such file or directory");
}

static void
testErrorPreserve(void)
{
    g_autoptr(virError) saved = NULL;

    virReportError(VIR_ERR_OPERATION_FAILED, "%s", "first");
    virErrorPreserveLast(&saved);
    virReportError(VIR_ERR_INTERNAL_ERROR, "%s", "cleanup noise");
    virErrorRestore(&saved);
    g_assert_null(saved);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, "operation failed: first");
}

static gpointer
testErrorThreadFunc(gpointer data)
{
    g_assert_null(virGetLastError());
    virReportError(VIR_ERR_NO_DOMAIN, "%s", "other thread");
    return GINT_TO_POINTER(virGetLastErrorCode());
}

static void
testErrorPerThread(void)
{
    GThread *th;

    virReportError(VIR_ERR_INVALID_ARG, "%s", "main thread");
    th = g_thread_new("err", testErrorThreadFunc, NULL);
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(th)), ==, VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
}

static void
testUUID(void)
{
    unsigned char uuid[VIR_UUID_BUFLEN], uuid2[VIR_UUID_BUFLEN];
    char str[VIR_UUID_STRING_BUFLEN];

    g_assert_cmpint(virUUIDParse("5a1e0000-0000-4000-8000-00000000d1d1", uuid), ==, 0);
    g_assert_cmpstr(virUUIDFormat(uuid, str), ==,
                    "5a1e0000-0000-4000-8000-00000000d1d1");
    g_assert_cmpint(virUUIDParse(" 5a1e000000004000800000000000d1d1 ", uuid2), ==, 0);
    g_assert_cmpmem(uuid, 16, uuid2, 16);
    g_assert_cmpint(virUUIDParse("5a1e0000-0000-4000-8000-00000000d1d", uuid), ==, -1);
    g_assert_cmpint(virUUIDParse("5a1e0000-0000-4000-8000-00000000d1d1x", uuid), ==, -1);
    g_assert_cmpint(virUUIDParse("zz1e0000-0000-4000-8000-00000000d1d1", uuid), ==, -1);
    g_assert_cmpint(virUUIDGenerate(uuid), ==, 0);
    g_assert_cmpint(virUUIDGenerate(uuid2), ==, 0);
    g_assert_false(memcmp(uuid, uuid2, 16) == 0);
    g_assert_cmpint(uuid[6] >> 4, ==, 4);
    g_assert_false(virUUIDIsNull(uuid));
    memset(uuid, 0, 16);
    g_assert_true(virUUIDIsNull(uuid));
}

/* UUIDs come from the kernel's CSPRNG, not GLib's seedable PRNG: the
 * same GLib seed twice must not give the same UUID twice. */
static void
testUUIDRandomSource(void)
{
    unsigned char uuid[VIR_UUID_BUFLEN], uuid2[VIR_UUID_BUFLEN];
    size_t i;

    g_random_set_seed(4242);
    g_assert_cmpint(virUUIDGenerate(uuid), ==, 0);
    g_random_set_seed(4242);
    g_assert_cmpint(virUUIDGenerate(uuid2), ==, 0);
    g_assert_false(memcmp(uuid, uuid2, VIR_UUID_BUFLEN) == 0);
    /* version 4, RFC 4122 variant, every time */
    for (i = 0; i < 64; i++) {
        g_assert_cmpint(virUUIDGenerate(uuid), ==, 0);
        g_assert_cmpint(uuid[6] >> 4, ==, 4);
        g_assert_cmpint(uuid[8] >> 6, ==, 2);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/error/prefix", testErrorPrefix);
    g_test_add_func("/error/numbers", testErrorNumbers);
    g_test_add_func("/error/system", testErrorSystem);
    g_test_add_func("/error/preserve", testErrorPreserve);
    g_test_add_func("/error/per-thread", testErrorPerThread);
    g_test_add_func("/uuid/parse-format", testUUID);
    g_test_add_func("/uuid/random-source", testUUIDRandomSource);
    return g_test_run();
}
