/*
 * qemuxmlargvlibvirttest.c: virtmig's devices against stock libvirt 9.0's
 *
 * Golden data from libvirt itself (issue 13): every
 * qemuxmlargvdata-libvirt/NAME.xml is a definition as libvirt 9.0 printed
 * it (virsh dumpxml --inactive of NAME.in.xml) and NAME.devices the
 * devices of the QEMU 7.2 command line libvirt built for it (virsh
 * domxml-to-native qemu-argv), both written by tests/qemuxmlargv-libvirt.py.
 * Each NAME.xml is parsed, turned into an argv with fixed parameters (as
 * qemuxmlargvtest.c: KVM usable, a fixed monitor path) and reduced to the
 * same canonical form, which must equal NAME.devices:
 *
 *   machine TYPE                 the type of -machine
 *   DRIVER KEY=VALUE ...         one line per -device, lines sorted
 *                                (strcmp), keys sorted
 *
 * keeping only the keys of testKeys (what places a device and what the
 * migration stream or the guest sees of it), values normalised (addr as
 * 0xSLOT.0xFUNCTION, numbers in decimal, booleans on/off, mac in lower
 * case; '\\', ' ', tab, newline written \\\\, \\x20, \\x09, \\x0a).
 * The script's KEYS, NUMERIC and BOOLEAN are the same sets.
 *
 * Expected failures: the names listed in qemuxmlargvdata-libvirt/
 * EXPECTED-FAIL (one per line, '#' starts a comment), or in the
 * environment variable VIRTMIG_XMLARGV_LIBVIRT_XFAIL (names separated
 * by spaces or commas; set, even empty, it replaces the file) still show
 * their difference but are reported incomplete (TAP "# TODO") instead of
 * failed.  One that passes fails as an "unexpected pass": take it off
 * the list.
 */
#include <string.h>

#include "testutils.h"
#include "virerror.h"
#include "domain_conf.h"
#include "qemu_command.h"
#include "qemu_capabilities.h"

#define DATADIR "qemuxmlargvdata-libvirt"
#define XFAIL_FILE DATADIR "/EXPECTED-FAIL"
#define XFAIL_ENV "VIRTMIG_XMLARGV_LIBVIRT_XFAIL"

static const char *const testKeys[] = {
    "id", "bus", "addr", "multifunction",
    "chassis", "port",
    "masterbus", "firstport",
    "nr", "name",
    "unit", "channel", "scsi-id", "lun",
    "mac", "bootindex", "index",
    "vgamem_mb", "vram_size", "ram_size", "vram64_size_mb", "max_outputs",
    "deflate-on-oom", "free-page-reporting", "cad",
    NULL
};
static const char *const testNumericKeys[] = {
    "chassis", "port", "nr", "unit", "channel", "scsi-id", "lun", "index",
    "bootindex", "firstport", "vgamem_mb", "vram_size", "ram_size",
    "vram64_size_mb", "max_outputs", NULL
};
static const char *const testBooleanKeys[] = {
    "multifunction", "deflate-on-oom", "free-page-reporting", NULL
};

static GHashTable *testXFail;

/* ------------------------------------------------------------------ */
/* canonical device lines                                               */

/* QEMU's key=value option string: ',' separates, ",," is a comma. */
static GPtrArray *
testSplitOpts(const char *spec)
{
    GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);
    const char *p;

    for (p = spec; *p; p++) {
        if (*p == ',') {
            if (p[1] == ',') {
                g_string_append_c(cur, ',');
                p++;
                continue;
            }
            g_ptr_array_add(parts, g_string_free(cur, FALSE));
            cur = g_string_new(NULL);
        } else {
            g_string_append_c(cur, *p);
        }
    }
    g_ptr_array_add(parts, g_string_free(cur, FALSE));
    return parts;
}

static bool
testIsHex(const char *s)
{
    return *s && strspn(s, "0123456789abcdefABCDEF") == strlen(s);
}

static bool
testIsDecimal(const char *s)
{
    return *s && strspn(s, "0123456789") == strlen(s);
}

/* "S" or "S.F", each optionally 0x-prefixed, hex -> "0xS.0xF". */
static char *
testCanonAddr(const char *val)
{
    g_auto(GStrv) parts = g_strsplit(val, ".", 3);
    guint64 num[2] = { 0, 0 };
    size_t n = g_strv_length(parts);
    size_t i;

    if (n < 1 || n > 2)
        return g_strdup(val);
    for (i = 0; i < n; i++) {
        const char *s = parts[i];

        if (g_str_has_prefix(s, "0x") || g_str_has_prefix(s, "0X"))
            s += 2;
        if (!testIsHex(s) || strlen(s) > 8)
            return g_strdup(val);
        num[i] = g_ascii_strtoull(s, NULL, 16);
    }
    return g_strdup_printf("0x%" G_GINT64_MODIFIER "x.0x%" G_GINT64_MODIFIER "x",
                           num[0], num[1]);
}

static char *
testCanonValue(const char *key, const char *val)
{
    if (g_str_equal(key, "addr"))
        return testCanonAddr(val);
    if (g_strv_contains(testNumericKeys, key)) {
        if ((g_str_has_prefix(val, "0x") || g_str_has_prefix(val, "0X")) &&
            testIsHex(val + 2) && strlen(val + 2) <= 15)
            return g_strdup_printf("%" G_GUINT64_FORMAT,
                                   g_ascii_strtoull(val + 2, NULL, 16));
        if (testIsDecimal(val) && strlen(val) <= 18)
            return g_strdup_printf("%" G_GUINT64_FORMAT,
                                   g_ascii_strtoull(val, NULL, 10));
        return g_strdup(val);
    }
    if (g_strv_contains(testBooleanKeys, key)) {
        const char *const on[] = { "on", "true", "yes", "y", NULL };
        const char *const off[] = { "off", "false", "no", "n", NULL };
        g_autofree char *lower = g_ascii_strdown(val, -1);

        if (g_strv_contains(on, lower))
            return g_strdup("on");
        if (g_strv_contains(off, lower))
            return g_strdup("off");
        return g_strdup(val);
    }
    if (g_str_equal(key, "mac"))
        return g_ascii_strdown(val, -1);
    return g_strdup(val);
}

static void
testAppendEscaped(GString *out, const char *val)
{
    const char *p;

    for (p = val; *p; p++) {
        switch (*p) {
        case '\\': g_string_append(out, "\\\\"); break;
        case ' ': g_string_append(out, "\\x20"); break;
        case '\t': g_string_append(out, "\\x09"); break;
        case '\n': g_string_append(out, "\\x0a"); break;
        default: g_string_append_c(out, *p);
        }
    }
}

static gint
testStrcmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "key=value" strings by key. */
static gint
testPropCmp(gconstpointer a, gconstpointer b)
{
    const char *pa = *(char *const *)a;
    const char *pb = *(char *const *)b;
    size_t la = strcspn(pa, "=");
    size_t lb = strcspn(pb, "=");
    int cmp = strncmp(pa, pb, MIN(la, lb));

    if (cmp)
        return cmp;
    return la < lb ? -1 : la > lb;
}

/* The canonical line of one "-device driver,key=value,..." argument. */
static char *
testDeviceLine(const char *spec)
{
    g_autoptr(GPtrArray) parts = testSplitOpts(spec);
    g_autoptr(GPtrArray) props = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *driver = NULL;
    GString *line = g_string_new(NULL);
    size_t i;

    for (i = 0; i < parts->len; i++) {
        const char *part = parts->pdata[i];
        const char *eq = strchr(part, '=');
        g_autofree char *key = NULL;
        g_autofree char *val = NULL;

        if (i == 0 && !eq) {
            driver = g_strdup(part);
            continue;
        }
        if (!eq)
            continue;           /* a bare flag: none of the kept keys */
        key = g_strndup(part, eq - part);
        if (g_str_equal(key, "driver") && !driver) {
            driver = g_strdup(eq + 1);
            continue;
        }
        if (!g_strv_contains(testKeys, key))
            continue;
        val = testCanonValue(key, eq + 1);
        {
            GString *prop = g_string_new(key);

            g_string_append_c(prop, '=');
            testAppendEscaped(prop, val);
            g_ptr_array_add(props, g_string_free(prop, FALSE));
        }
    }
    g_ptr_array_sort(props, testPropCmp);
    testAppendEscaped(line, driver ? driver : "(none)");
    for (i = 0; i < props->len; i++) {
        g_string_append_c(line, ' ');
        g_string_append(line, props->pdata[i]);
    }
    return g_string_free(line, FALSE);
}

static char *
testMachineLine(const char *spec)
{
    g_autoptr(GPtrArray) parts = testSplitOpts(spec);
    const char *type = parts->pdata[0];

    if (g_str_has_prefix(type, "type="))
        type += 5;
    return g_strdup_printf("machine %s", type);
}

/* "machine TYPE" then the sorted device and platform lines. */
static GPtrArray *
testReduceArgv(GStrv argv)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func(g_free);
    char *machine = NULL;
    size_t i;

    for (i = 0; argv[i] && argv[i + 1]; i++) {
        if (g_str_equal(argv[i], "-machine")) {
            g_free(machine);
            machine = testMachineLine(argv[i + 1]);
        } else if (g_str_equal(argv[i], "-device")) {
            g_ptr_array_add(devices, testDeviceLine(argv[i + 1]));
        } else if (g_str_equal(argv[i], "-global") || g_str_equal(argv[i], "-rtc")) {
            /* platform settings the guest sees: timers, S3/S4 */
            GString *line = g_string_new(argv[i] + 1);

            g_string_append_c(line, ' ');
            testAppendEscaped(line, argv[i + 1]);
            g_ptr_array_add(devices, g_string_free(line, FALSE));
        } else if (g_str_equal(argv[i], "-no-hpet")) {
            g_ptr_array_add(devices, g_strdup("no-hpet"));
        }
    }
    g_ptr_array_add(lines, machine ? machine : g_strdup("machine (none)"));
    g_ptr_array_sort(devices, testStrcmp);
    for (i = 0; i < devices->len; i++)
        g_ptr_array_add(lines, g_strdup(devices->pdata[i]));
    return lines;
}

static GPtrArray *
testLoadLines(const char *relpath)
{
    g_autofree char *text = virTestLoadFile(relpath);
    g_auto(GStrv) split = g_strsplit(text, "\n", -1);
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    size_t i;

    for (i = 0; split[i]; i++) {
        if (*split[i])
            g_ptr_array_add(lines, g_strdup(split[i]));
    }
    return lines;
}

static void
testFlushHunk(GString *out, GPtrArray *minus, GPtrArray *plus)
{
    size_t i;

    for (i = 0; i < minus->len; i++)
        g_string_append_printf(out, "-%s\n", (char *)minus->pdata[i]);
    for (i = 0; i < plus->len; i++)
        g_string_append_printf(out, "+%s\n", (char *)plus->pdata[i]);
    g_ptr_array_set_size(minus, 0);
    g_ptr_array_set_size(plus, 0);
}

/* A unified-diff-like listing of two sorted device lists (after their
 * machine lines): ' ' both, '-' only libvirt's, '+' only virtmig's;
 * each run of differences lists libvirt's lines first. */
static char *
testDiff(const char *name, GPtrArray *exp, GPtrArray *act)
{
    GString *out = g_string_new(NULL);
    g_autoptr(GPtrArray) minus = g_ptr_array_new();
    g_autoptr(GPtrArray) plus = g_ptr_array_new();
    size_t e = 1, a = 1;

    g_string_append_printf(out, "--- %s/%s.devices (libvirt 9.0)\n+++ virtmig\n",
                           DATADIR, name);
    if (g_str_equal(exp->pdata[0], act->pdata[0])) {
        g_string_append_printf(out, " %s\n", (char *)exp->pdata[0]);
    } else {
        g_string_append_printf(out, "-%s\n+%s\n", (char *)exp->pdata[0],
                               (char *)act->pdata[0]);
    }
    while (e < exp->len || a < act->len) {
        int cmp;

        if (e == exp->len)
            cmp = 1;
        else if (a == act->len)
            cmp = -1;
        else
            cmp = strcmp(exp->pdata[e], act->pdata[a]);
        if (cmp == 0) {
            testFlushHunk(out, minus, plus);
            g_string_append_printf(out, " %s\n", (char *)exp->pdata[e++]);
            a++;
        } else if (cmp < 0) {
            g_ptr_array_add(minus, exp->pdata[e++]);
        } else {
            g_ptr_array_add(plus, act->pdata[a++]);
        }
    }
    testFlushHunk(out, minus, plus);
    return g_string_free(out, FALSE);
}

static bool
testLinesEqual(GPtrArray *a, GPtrArray *b)
{
    size_t i;

    if (a->len != b->len)
        return false;
    for (i = 0; i < a->len; i++) {
        if (!g_str_equal(a->pdata[i], b->pdata[i]))
            return false;
    }
    return true;
}

/* Two cases per guest: "NAME" parses the XML libvirt printed (every
 * address fixed by libvirt), "defined-here/NAME" the input libvirt was
 * given, so that virtmig's own defaults and address assignment are
 * what is compared. */
#define TEST_DEFINED_HERE "defined-here/"

static qemuCaps *testCaps;

/* NULL if virtmig's devices equal libvirt's, else why not. */
static char *
testCompare(const char *testname)
{
    bool here = g_str_has_prefix(testname, TEST_DEFINED_HERE);
    const char *name = here ? testname + strlen(TEST_DEFINED_HERE) : testname;
    g_autofree char *inrel = g_strdup_printf(DATADIR "/%s%s", name,
                                             here ? ".in.xml" : ".xml");
    g_autofree char *devrel = g_strdup_printf(DATADIR "/%s.devices", name);
    g_autofree char *monitor = g_strdup_printf("/run/virtmig/qemu/domain-%s/monitor.sock",
                                               name);
    g_autofree char *xml = virTestLoadFile(inrel);
    g_autoptr(virDomainDef) def = NULL;
    g_auto(GStrv) argv = NULL;
    g_autoptr(GPtrArray) expected = testLoadLines(devrel);
    g_autoptr(GPtrArray) actual = NULL;
    qemuCommandParams params = {
        .monitorPath = monitor,
        .kvmUsable = true,
        .channelDir = "/run/virtmig/qemu/channel/target/domain-1-test",
    };

    g_assert_cmpuint(expected->len, >=, 1);
    virResetLastError();
    if (!(def = virDomainDefParseString(xml, VIR_DOMAIN_DEF_PARSE_INACTIVE)))
        return g_strdup_printf("parse error: %d: %s", virGetLastErrorCode(),
                               virGetLastErrorMessage());
    if (here) {
        /* the driver's step: the machine alias as this host's QEMU
         * resolves it (qemuDomainDefParseString) */
        g_autofree char *machine = qemuCapsGetCanonicalMachine(testCaps,
                                                               def->os.machine);

        if (!machine && virGetLastErrorCode() != VIR_ERR_OK)
            return g_strdup_printf("cannot resolve machine '%s': %s",
                                   NULLSTR(def->os.machine),
                                   virGetLastErrorMessage());
        if (machine) {
            g_free(def->os.machine);
            def->os.machine = g_steal_pointer(&machine);
        }
    }
    if (!(argv = qemuBuildCommandLine(def, &params)))
        return g_strdup_printf("command line error: %d: %s", virGetLastErrorCode(),
                               virGetLastErrorMessage());
    actual = testReduceArgv(argv);
    if (testLinesEqual(expected, actual))
        return NULL;
    return testDiff(name, expected, actual);
}

static void
testCase(gconstpointer data)
{
    const char *name = data;
    g_autofree char *why = testCompare(name);
    bool xfail = g_hash_table_contains(testXFail, name);

    if (!why) {
        if (xfail) {
            g_printerr("%s: unexpected pass: take it off %s\n", name, XFAIL_FILE);
            g_test_fail();
        }
        return;
    }
    g_printerr("%s: %s%s", name, why, g_str_has_suffix(why, "\n") ? "" : "\n");
    if (xfail) {
        g_test_incomplete("expected failure (" XFAIL_FILE ")");
        return;
    }
    g_test_fail();
}

/* The reduction itself, on the forms virtmig writes. */
static void
testReduce(void)
{
    const char *argv[] = {
        "qemu-system-x86_64", "-machine", "pc-q35-7.2,accel=kvm,usb=off",
        "-device", "virtio-serial-pci,id=virtio-serial0,bus=pci.0,addr=0x5,multifunction=on",
        "-device", "pcie-root-port,port=0x10,chassis=1,id=pci.1,bus=pcie.0,addr=0x2.0x1",
        "-device", "virtserialport,bus=virtio-serial0.0,nr=01,chardev=c0,id=channel0,"
                   "name=a,,b c",
        "-device", "driver=VGA,id=video0,vgamem_mb=16,bus=pci.0,addr=02.0",
        "-device", "virtio-balloon-pci,deflate-on-oom=true,id=balloon0,MAC=x",
        NULL
    };
    g_autoptr(GPtrArray) lines = testReduceArgv((GStrv)argv);
    const char *expected[] = {
        "machine pc-q35-7.2",
        "VGA addr=0x2.0x0 bus=pci.0 id=video0 vgamem_mb=16",
        "pcie-root-port addr=0x2.0x1 bus=pcie.0 chassis=1 id=pci.1 port=16",
        "virtio-balloon-pci deflate-on-oom=on id=balloon0",
        "virtio-serial-pci addr=0x5.0x0 bus=pci.0 id=virtio-serial0 multifunction=on",
        "virtserialport bus=virtio-serial0.0 id=channel0 name=a,b\\x20c nr=1",
    };
    size_t i;

    g_assert_cmpuint(lines->len, ==, G_N_ELEMENTS(expected));
    for (i = 0; i < lines->len; i++)
        g_assert_cmpstr(lines->pdata[i], ==, expected[i]);
}

/* ------------------------------------------------------------------ */

static void
testLoadXFail(GStrv names)
{
    const char *env = g_getenv(XFAIL_ENV);
    g_autofree char *path = virTestSrcPath(XFAIL_FILE);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    testXFail = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (env) {
        g_auto(GStrv) words = g_strsplit_set(env, " ,\t\n", -1);

        for (i = 0; words[i]; i++) {
            if (*words[i])
                g_hash_table_add(testXFail, g_strdup(words[i]));
        }
    } else if (g_file_test(path, G_FILE_TEST_EXISTS)) {
        text = virTestLoadFile(XFAIL_FILE);
        lines = g_strsplit(text, "\n", -1);
        for (i = 0; lines[i]; i++) {
            char *hash = strchr(lines[i], '#');

            if (hash)
                *hash = '\0';
            g_strstrip(lines[i]);
            if (*lines[i])
                g_hash_table_add(testXFail, g_strdup(lines[i]));
        }
    }
    /* a name that is no case is a mistake in the list */
    {
        GHashTableIter iter;
        gpointer key;

        g_hash_table_iter_init(&iter, testXFail);
        while (g_hash_table_iter_next(&iter, &key, NULL)) {
            if (!g_strv_contains((const char *const *)names, key))
                g_error("%s lists '%s', which is not a case", env ? XFAIL_ENV : XFAIL_FILE,
                        (char *)key);
        }
    }
}

int
main(int argc, char **argv)
{
    g_auto(GStrv) files = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autofree char **args = g_new0(char *, argc + 2);
    int nargs = 0;
    size_t i;
    int ret;

    /* every case runs and shows its difference, even after a failure */
    args[nargs++] = argv[0];
    args[nargs++] = (char *)"--keep-going";
    for (i = 1; i < (size_t)argc; i++)
        args[nargs++] = argv[i];
    argv = args;
    g_test_init(&nargs, &argv, NULL);
    files = virTestListFiles(DATADIR, ".xml");
    for (i = 0; files[i]; i++) {
        if (g_str_has_suffix(files[i], ".in.xml"))
            continue;
        g_ptr_array_add(names, g_strndup(files[i], strlen(files[i]) - 4));
        g_ptr_array_add(names, g_strdup_printf(TEST_DEFINED_HERE "%.*s",
                                               (int)strlen(files[i]) - 4, files[i]));
    }
    g_assert_cmpuint(names->len, >=, 2 * 12);
    g_ptr_array_add(names, NULL);
    testLoadXFail((GStrv)names->pdata);
    for (i = 0; names->pdata[i]; i++) {
        g_autofree char *testname = g_strdup_printf("/qemuxmlargvlibvirt/%s",
                                                    (char *)names->pdata[i]);

        g_test_add_data_func(testname, names->pdata[i], testCase);
    }
    g_test_add_func("/qemuxmlargvlibvirt/reduce", testReduce);
    testCaps = qemuCapsNew(NULL);
    ret = g_test_run();
    qemuCapsFree(testCaps);
    g_hash_table_unref(testXFail);
    return ret;
}
