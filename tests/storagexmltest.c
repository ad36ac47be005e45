/*
 * storagexmltest.c: storage pool and volume XML parse -> format
 *
 * For every storagexmldata/pool-NAME.xml and vol-NAME.xml:
 *  - with a .err file beside it, parsing must fail with exactly that
 *    "CODE: message";
 *  - otherwise the format of the parsed definition must equal
 *    NAME.out.xml and formatting must be a fixed point
 *    (format(parse(out)) == out).
 * The scaled size units are checked on their own.
 */
#include <string.h>

#include "testutils.h"
#include "virerror.h"
#include "storage_conf.h"

#define DATADIR "storagexmldata"

/* parse + format of a pool (@pool) or volume document; NULL on error */
static char *
testParseFormat(const char *xml, bool pool)
{
    if (pool) {
        g_autoptr(virStoragePoolDef) def = virStoragePoolDefParseString(xml);

        return def ? virStoragePoolDefFormat(def) : NULL;
    } else {
        g_autoptr(virStorageVolDef) def = virStorageVolDefParseString(xml);

        return def ? virStorageVolDefFormat(def) : NULL;
    }
}

static void
testStorageXMLFile(gconstpointer data)
{
    const char *name = data;
    bool pool = g_str_has_prefix(name, "pool-");
    g_autofree char *inpath = g_strdup_printf(DATADIR "/%s.xml", name);
    g_autofree char *errpath = g_strdup_printf(DATADIR "/%s.err", name);
    g_autofree char *outpath = g_strdup_printf(DATADIR "/%s.out.xml", name);
    g_autofree char *abserr = virTestSrcPath(errpath);
    g_autofree char *xml = virTestLoadFile(inpath);
    g_autofree char *out = NULL;
    g_autofree char *again = NULL;

    virResetLastError();
    out = testParseFormat(xml, pool);
    if (g_file_test(abserr, G_FILE_TEST_EXISTS)) {
        g_autofree char *actual = NULL;

        if (out)
            g_error("%s: parsing succeeded but an error was expected", name);
        actual = virTestFormatLastError();
        g_assert_true(virTestCompareToFile(actual, errpath));
        return;
    }
    if (!out)
        g_error("%s: %s", name, virGetLastErrorMessage());
    g_assert_true(virTestCompareToFile(out, outpath));
    again = testParseFormat(out, pool);
    g_assert_nonnull(again);
    g_assert_cmpstr(again, ==, out);
}

static void
testGeneratedUUID(void)
{
    const char *xml = "<pool type='dir'><name>p</name>"
                      "<target><path>/p</path></target></pool>";
    g_autoptr(virStoragePoolDef) a = virStoragePoolDefParseString(xml);
    g_autoptr(virStoragePoolDef) b = virStoragePoolDefParseString(xml);

    g_assert_nonnull(a);
    g_assert_nonnull(b);
    g_assert_true(memcmp(a->uuid, b->uuid, VIR_UUID_BUFLEN) != 0);
}

/* What the driver fills in from the image (key, path, sizes, stat's
 * timestamps, qcow2's compat level) in libvirt's order. */
static void
testVolumeDetails(void)
{
    g_autofree char *xml = virTestLoadFile(DATADIR "/vol-qcow2.xml");
    g_autoptr(virStorageVolDef) def = virStorageVolDefParseString(xml);
    g_autofree char *out = NULL;

    g_assert_nonnull(def);
    def->key = g_strdup("/images/disk.qcow2");
    def->path = g_strdup("/images/disk.qcow2");
    def->allocation = 200704;
    def->physical = 196624;
    def->hasTimestamps = true;
    def->atime = (struct timespec){ 1764700000, 5 };
    def->mtime = (struct timespec){ 1764700001, 123456789 };
    def->ctime = (struct timespec){ 1764700002, 0 };
    def->compat = g_strdup("1.1");
    out = virStorageVolDefFormat(def);
    g_assert_true(virTestCompareToFile(out, DATADIR "/details-qcow2.out"));
}

/* libvirt's scaled integers: K/KiB are 1024, KB is 1000 */
static void
testUnits(void)
{
    static const struct { const char *unit; unsigned long long bytes; } cases[] = {
        { NULL, 3 }, { "b", 3 }, { "bytes", 3 }, { "k", 3072 }, { "KiB", 3072 },
        { "KB", 3000 }, { "M", 3145728 }, { "MB", 3000000 }, { "GiB", 3221225472ULL },
        { "GB", 3000000000ULL }, { "T", 3298534883328ULL }, { "PB", 3000000000000000ULL },
    };
    unsigned long long bytes;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_cmpint(virStorageScaleSize(3, cases[i].unit, &bytes), ==, 0);
        g_assert_cmpuint(bytes, ==, cases[i].bytes);
    }
    g_assert_cmpint(virStorageScaleSize(3, "KiBB", &bytes), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virStorageScaleSize(16, "EiB", &bytes), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OVERFLOW);
}

int
main(int argc, char **argv)
{
    g_auto(GStrv) files = NULL;
    size_t n = 0;
    size_t i;

    g_test_init(&argc, &argv, NULL);
    files = virTestListFiles(DATADIR, ".xml");
    for (i = 0; files[i]; i++) {
        g_autofree char *testname = NULL;
        char *name;

        if (g_str_has_suffix(files[i], ".out.xml"))
            continue;
        name = g_strndup(files[i], strlen(files[i]) - 4);
        testname = g_strdup_printf("/storagexml/%s", name);
        g_test_add_data_func_full(testname, name, testStorageXMLFile, g_free);
        n++;
    }
    g_assert_cmpuint(n, >=, 15);
    g_test_add_func("/storagexml/generated-uuid", testGeneratedUUID);
    g_test_add_func("/storagexml/units", testUnits);
    g_test_add_func("/storagexml/volume-details", testVolumeDetails);
    return g_test_run();
}
