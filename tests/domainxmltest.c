/*
 * domainxmltest.c: domain XML parse -> validate -> format
 *
 * For every domainxmldata/NAME.xml:
 *  - with NAME.err: parsing must fail with exactly that "CODE: message";
 *  - otherwise the live format of the parsed definition must equal
 *    NAME.out.xml, formatting must be a fixed point (format(parse(out))
 *    == out), the inactive format must carry no live-only data, and if
 *    NAME.inactive.xml exists the inactive format must equal it.
 * A few more cases check generated values, flags and unit scaling.
 */
#include <string.h>

#include "testutils.h"
#include "virerror.h"
#include "viruuid.h"
#include "domain_conf.h"

#define DATADIR "domainxmldata"

static void
testParseInvalid(const char *name, const char *xml)
{
    g_autofree char *errpath = g_strdup_printf(DATADIR "/%s.err", name);
    g_autoptr(virDomainDef) def = NULL;
    g_autofree char *actual = NULL;

    virResetLastError();
    def = virDomainDefParseString(xml, VIR_DOMAIN_DEF_PARSE_INACTIVE);
    if (def)
        g_error("%s: parsing succeeded but an error was expected", name);
    actual = virTestFormatLastError();
    g_assert_true(virTestCompareToFile(actual, errpath));
}

static char *
testParseFormat(const char *xml, unsigned int parseFlags,
                unsigned int formatFlags)
{
    g_autoptr(virDomainDef) def = virDomainDefParseString(xml, parseFlags);
    char *out;

    if (!def)
        g_error("parse failed: %s", virGetLastErrorMessage());
    if (!(out = virDomainDefFormat(def, formatFlags)))
        g_error("format failed: %s", virGetLastErrorMessage());
    return out;
}

/* The inactive XML must have no id, <alias>, source index or pty path,
 * whether the live data is dropped when formatting or when parsing. */
static void
testInactiveHasNoLiveData(const char *xml)
{
    g_autofree char *a = testParseFormat(xml, 0, VIR_DOMAIN_DEF_FORMAT_INACTIVE);
    g_autofree char *b = testParseFormat(xml, VIR_DOMAIN_DEF_PARSE_INACTIVE, 0);

    g_assert_false(g_regex_match_simple("<domain [^>]*id=", a, 0, 0));
    g_assert_null(strstr(a, "<alias"));
    g_assert_false(g_regex_match_simple("<source [^>]*index=", a, 0, 0));
    g_assert_null(strstr(a, "/dev/pts/"));
    g_assert_cmpstr(a, ==, b);
}

static void
testParseValid(const char *name, const char *xml)
{
    g_autofree char *outpath = g_strdup_printf(DATADIR "/%s.out.xml", name);
    g_autofree char *inactpath = g_strdup_printf(DATADIR "/%s.inactive.xml", name);
    g_autofree char *abs = virTestSrcPath(inactpath);
    g_autofree char *live = NULL;
    g_autofree char *again = NULL;

    live = testParseFormat(xml, 0, VIR_DOMAIN_DEF_FORMAT_SECURE);
    g_assert_true(virTestCompareToFile(live, outpath));
    again = testParseFormat(live, 0, VIR_DOMAIN_DEF_FORMAT_SECURE);
    g_assert_cmpstr(again, ==, live);
    testInactiveHasNoLiveData(xml);
    if (g_file_test(abs, G_FILE_TEST_EXISTS)) {
        g_autofree char *inactive =
            testParseFormat(xml, 0, VIR_DOMAIN_DEF_FORMAT_INACTIVE);

        g_assert_true(virTestCompareToFile(inactive, inactpath));
    }
}

static void
testDomainXMLFile(gconstpointer data)
{
    const char *name = data;
    g_autofree char *inpath = g_strdup_printf(DATADIR "/%s.xml", name);
    g_autofree char *errpath = g_strdup_printf(DATADIR "/%s.err", name);
    g_autofree char *abserr = virTestSrcPath(errpath);
    g_autofree char *xml = virTestLoadFile(inpath);

    if (g_file_test(abserr, G_FILE_TEST_EXISTS))
        testParseInvalid(name, xml);
    else
        testParseValid(name, xml);
}

static virDomainDef *
testLoadDef(const char *file, unsigned int flags)
{
    g_autofree char *path = g_strdup_printf(DATADIR "/%s", file);
    g_autofree char *xml = virTestLoadFile(path);
    virDomainDef *def = virDomainDefParseString(xml, flags);

    if (!def)
        g_error("%s: %s", file, virGetLastErrorMessage());
    return def;
}

/* No <uuid> and no <mac>: both are generated, and differ per parse. */
static void
testGenerated(void)
{
    g_autoptr(virDomainDef) a = testLoadDef("generate-ids.tmpl", 0);
    g_autoptr(virDomainDef) b = testLoadDef("generate-ids.tmpl", 0);
    char mac[VIR_MAC_STRING_BUFLEN];

    g_assert_false(virUUIDIsNull(a->uuid));
    g_assert_true(memcmp(a->uuid, b->uuid, VIR_UUID_BUFLEN) != 0);
    g_assert_cmpuint(a->nnets, ==, 1);
    virMacAddrFormat(a->nets[0]->mac, mac);
    g_assert_true(g_str_has_prefix(mac, "52:54:00:"));
    g_assert_cmpint(a->id, ==, -1);
}

/* Copy keeps everything, including live data when asked to. */
static void
testCopy(void)
{
    g_autoptr(virDomainDef) def = testLoadDef("live-status.xml", 0);
    g_autoptr(virDomainDef) live = virDomainDefCopy(def, true);
    g_autoptr(virDomainDef) inactive = virDomainDefCopy(def, false);
    unsigned int secure = VIR_DOMAIN_DEF_FORMAT_SECURE;
    g_autofree char *x1 = virDomainDefFormat(def, secure);
    g_autofree char *x2 = virDomainDefFormat(live, secure);

    g_assert_nonnull(live);
    g_assert_nonnull(inactive);
    g_assert_cmpstr(x1, ==, x2);
    g_assert_cmpint(live->id, ==, def->id);
    g_assert_cmpint(inactive->id, ==, -1);
    g_assert_null(inactive->disks[0]->info.alias);
    g_assert_cmpstr(live->disks[0]->info.alias, ==, def->disks[0]->info.alias);
}

/* After the domain stops, its live data goes: the live format is then
 * the inactive one. */
static void
testClearLiveData(void)
{
    g_autoptr(virDomainDef) def = testLoadDef("live-status.xml", 0);
    g_autofree char *inactive = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_INACTIVE);
    g_autofree char *cleared = NULL;

    virDomainDefClearLiveData(def);
    cleared = virDomainDefFormat(def, 0);
    g_assert_cmpstr(cleared, ==, inactive);
}

/* SECURE shows the VNC password; MIGRATABLE hides host-local data. */
static void
testFormatFlags(void)
{
    g_autoptr(virDomainDef) def = testLoadDef("live-status.xml", 0);
    g_autofree char *plain = virDomainDefFormat(def, 0);
    g_autofree char *secure = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_SECURE);
    g_autofree char *migr = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_MIGRATABLE);

    g_assert_null(strstr(plain, "passwd="));
    g_assert_nonnull(strstr(secure, "passwd='s3cret'"));
    g_assert_nonnull(strstr(plain, "port='5903'"));
    g_assert_nonnull(strstr(migr, "port='-1'"));
    g_assert_null(strstr(migr, "/dev/pts/"));
    g_assert_false(g_regex_match_simple("<source [^>]*index=", migr, 0, 0));
    g_assert_true(g_regex_match_simple("<source [^>]*index='2'", plain, 0, 0));
    g_assert_nonnull(strstr(migr, "<alias name='virtio-disk0'/>"));
    g_assert_cmpuint(virDomainDefFormatConvertXMLFlags(VIR_DOMAIN_XML_SECURE |
                                                       VIR_DOMAIN_XML_INACTIVE |
                                                       VIR_DOMAIN_XML_MIGRATABLE),
                     ==, VIR_DOMAIN_DEF_FORMAT_SECURE |
                     VIR_DOMAIN_DEF_FORMAT_INACTIVE |
                     VIR_DOMAIN_DEF_FORMAT_MIGRATABLE);
}

/* libvirt's scaling: KB=1000, k/K/KiB=1024, b=1; stored rounded up in
 * KiB.  units.tmpl has @VALUE@ and @UNIT@ placeholders. */
static void
testUnits(void)
{
    static const struct {
        const char *value;
        const char *unit;
        unsigned long long kib;
    } cases[] = {
        { "1048576", "b", 1024 },
        { "1048577", "bytes", 1025 },
        { "1024", "KB", 1000 },
        { "1000", "k", 1000 },
        { "1000", "KiB", 1000 },
        { "512", "MB", 500000 },
        { "512", "M", 524288 },
        { "512", "MiB", 524288 },
        { "2", "GB", 1953125 },
        { "2", "G", 2097152 },
        { "2", "GiB", 2097152 },
        { "1", "TB", 976562500 },
        { "1", "T", 1073741824 },
        { "1", "TiB", 1073741824 },
        { "1", "gib", 1048576 },
    };
    g_autofree char *tmpl = virTestLoadFile(DATADIR "/units.tmpl");
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GString) xml = g_string_new(tmpl);
        g_autoptr(virDomainDef) def = NULL;

        g_string_replace(xml, "@VALUE@", cases[i].value, 0);
        g_string_replace(xml, "@UNIT@", cases[i].unit, 0);
        if (!(def = virDomainDefParseString(xml->str, 0)))
            g_error("%s%s: %s", cases[i].value, cases[i].unit,
                    virGetLastErrorMessage());
        g_assert_cmpuint(def->memory, ==, cases[i].kib);
        g_assert_cmpuint(def->currentMemory, ==, cases[i].kib);
    }
}

static void
testHelpers(void)
{
    unsigned char mac[VIR_MAC_BUFLEN];

    g_assert_cmpint(virDomainDiskGetIndex("vda"), ==, 0);
    g_assert_cmpint(virDomainDiskGetIndex("hdc"), ==, 2);
    g_assert_cmpint(virDomainDiskGetIndex("sdz"), ==, 25);
    g_assert_cmpint(virDomainDiskGetIndex("sdaa"), ==, 26);
    g_assert_cmpint(virDomainDiskGetIndex("vd"), ==, -1);
    g_assert_cmpint(virDomainDiskGetIndex("vd1"), ==, -1);
    g_assert_cmpint(virDomainDiskGetIndex("nvme0"), ==, -1);
    g_assert_cmpint(virMacAddrParse("52:54:00:AB:cd:09", mac), ==, 0);
    g_assert_cmpint(mac[3], ==, 0xab);
    g_assert_cmpint(virMacAddrParse("52:54:00:ab:cd", mac), ==, -1);
    g_assert_cmpint(virMacAddrParse("52:54:00:ab:cd:09:", mac), ==, -1);
    g_assert_null(virDomainDefParseString("<domain/>", 1 << 7));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
}

int
main(int argc, char **argv)
{
    g_auto(GStrv) files = NULL;
    size_t nvalid = 0;
    size_t ninvalid = 0;
    size_t i;

    g_test_init(&argc, &argv, NULL);
    files = virTestListFiles(DATADIR, ".xml");
    for (i = 0; files[i]; i++) {
        g_autofree char *testname = NULL;
        g_autofree char *errrel = NULL;
        g_autofree char *errpath = NULL;
        char *name;

        if (g_str_has_suffix(files[i], ".out.xml") ||
            g_str_has_suffix(files[i], ".inactive.xml"))
            continue;
        name = g_strndup(files[i], strlen(files[i]) - 4);
        errrel = g_strdup_printf(DATADIR "/%s.err", name);
        errpath = virTestSrcPath(errrel);
        if (g_file_test(errpath, G_FILE_TEST_EXISTS))
            ninvalid++;
        else
            nvalid++;
        testname = g_strdup_printf("/domainxml/%s", name);
        g_test_add_data_func_full(testname, name, testDomainXMLFile, g_free);
    }
    g_assert_cmpuint(nvalid, >=, 15);
    g_assert_cmpuint(ninvalid, >=, 8);
    g_test_add_func("/domainxml/generated-ids", testGenerated);
    g_test_add_func("/domainxml/copy", testCopy);
    g_test_add_func("/domainxml/format-flags", testFormatFlags);
    g_test_add_func("/domainxml/clear-live-data", testClearLiveData);
    g_test_add_func("/domainxml/units", testUnits);
    g_test_add_func("/domainxml/helpers", testHelpers);
    return g_test_run();
}
