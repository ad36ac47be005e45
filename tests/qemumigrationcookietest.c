/*
 * qemumigrationcookietest.c: the migration cookie
 *
 * Round trips: a cookie built here is formatted and compared with
 * qemumigrationcookiedata/<case>.xml, parsed back as the peer would,
 * and formatted again (as its sender) byte for byte.  Error cases parse
 * qemumigrationcookiedata/err-*.xml (or bytes made here) and compare
 * "CODE: message" with the matching .err file.  Statistics come from a
 * real QEMU 7.2 query-migrate reply.
 */
#include <string.h>

#include "testutils.h"
#include "qemu_migration_cookie.h"
#include "qemu_monitor_json.h"
#include "qemu_domainjob_data.h"
#include "virerror.h"
#include "viruuid.h"

#define DATADIR "qemumigrationcookiedata/"

#define DOM_NAME "mig-guest"
#define DOM_UUID "5a1e0000-0000-4000-8000-00000000d1d1"
#define SRC_HOST "src.example.org"
#define SRC_UUID "11111111-2222-4333-8444-555555555555"
#define DST_HOST "dst.example.org"
#define DST_UUID "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"

#define CAP(name) \
    QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_ ## name)


static void
testUUID(const char *str, unsigned char *uuid)
{
    if (virUUIDParse(str, uuid) < 0)
        g_error("bad test UUID %s", str);
}


/* Parsing @data/@len on the destination must fail as @errfile says. */
static void
testParseFails(const char *data, size_t len, unsigned int flags,
               const char *errfile)
{
    unsigned char dst[VIR_UUID_BUFLEN];
    unsigned char dom[VIR_UUID_BUFLEN];
    g_autoptr(qemuMigrationCookie) cookie = NULL;
    g_autofree char *actual = NULL;
    g_autofree char *path = g_strdup_printf(DATADIR "%s", errfile);

    testUUID(DST_UUID, dst);
    testUUID(DOM_UUID, dom);
    virResetLastError();
    cookie = qemuMigrationCookieParse(data, len, dst, DOM_NAME, dom, flags);
    if (cookie)
        g_error("%s: parsing succeeded but an error was expected", errfile);
    actual = virTestFormatLastError();
    g_assert_true(virTestCompareToFile(actual, path));
    virResetLastError();
}


/* ---- cookies as each step makes them ---- */

static qemuMigrationCookie *
testCookieNew(bool source)
{
    unsigned char dom[VIR_UUID_BUFLEN];
    unsigned char host[VIR_UUID_BUFLEN];

    testUUID(DOM_UUID, dom);
    testUUID(source ? SRC_UUID : DST_UUID, host);
    return qemuMigrationCookieNew(DOM_NAME, dom, source ? SRC_HOST : DST_HOST,
                                  host);
}


/* Statistics of the completed migration of qemumigrationcookiedata/. */
static qemuDomainJobData *
testJobData(void)
{
    g_autofree char *text = virTestLoadFile(DATADIR "query-migrate-completed.json");
    g_autoptr(json_object) obj = json_tokener_parse(text);
    g_autoptr(qemuDomainJobData) data = qemuDomainJobDataNew();
    json_object *ret;

    if (!obj || !json_object_object_get_ex(obj, "return", &ret) ||
        qemuMonitorJSONParseMigrationStats(ret, &data->stats) < 0)
        g_error("cannot load the query-migrate reply");
    data->status = QEMU_DOMAIN_JOB_STATUS_HYPERVISOR_COMPLETED;
    data->operation = VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT;
    data->started = 1700000000000ULL;
    data->stopped = 1700000011020ULL;
    data->sent = 1700000011026ULL;
    data->timeElapsed = 11026;
    return g_steal_pointer(&data);
}


static virDomainDef *
testDomainDef(void)
{
    g_autofree char *xml = virTestLoadFile(DATADIR "domain.xml");
    virDomainDef *def = virDomainDefParseString(xml, VIR_DOMAIN_DEF_PARSE_INACTIVE);

    if (!def)
        g_error("cannot parse domain.xml: %s", virGetLastErrorMessage());
    return def;
}


/* Begin (source -> destination): lock state and capabilities. */
static qemuMigrationCookie *
testBuildBegin(void)
{
    qemuMigrationCookie *cookie = testCookieNew(true);

    cookie->flags = QEMU_MIGRATION_COOKIE_LOCKSTATE | QEMU_MIGRATION_COOKIE_CAPS;
    cookie->lockDriver = g_strdup("sanlock");
    cookie->lockState = g_strdup("mig-guest:__LIBVIRT__DISKS__:/var/lib/sanlock/l & <x>'y'");
    cookie->capsSupported = CAP(XBZRLE) | CAP(AUTO_CONVERGE) |
                            CAP(POSTCOPY_RAM) | CAP(RETURN_PATH) |
                            CAP(PAUSE_BEFORE_SWITCHOVER) | CAP(MULTIFD);
    cookie->capsAutomatic = CAP(PAUSE_BEFORE_SWITCHOVER);
    return cookie;
}


/* Begin with the "nop" lock manager: the mandatory feature only. */
static qemuMigrationCookie *
testBuildBeginNoLock(void)
{
    qemuMigrationCookie *cookie = testCookieNew(true);

    cookie->flags = QEMU_MIGRATION_COOKIE_LOCKSTATE | QEMU_MIGRATION_COOKIE_CAPS;
    return cookie;
}


/* Prepare (destination -> source): capabilities. */
static qemuMigrationCookie *
testBuildPrepare(void)
{
    qemuMigrationCookie *cookie = testCookieNew(false);

    cookie->flags = QEMU_MIGRATION_COOKIE_CAPS;
    cookie->capsSupported = CAP(XBZRLE) | CAP(POSTCOPY_RAM) |
                            CAP(RETURN_PATH) | CAP(LATE_BLOCK_ACTIVATE) |
                            CAP(POSTCOPY_PREEMPT);
    cookie->capsAutomatic = CAP(LATE_BLOCK_ACTIVATE);
    return cookie;
}


/* Perform (source -> destination): persistent definition and the
 * source's statistics. */
static qemuMigrationCookie *
testBuildPerform(void)
{
    qemuMigrationCookie *cookie = testCookieNew(true);

    cookie->flags = QEMU_MIGRATION_COOKIE_PERSISTENT | QEMU_MIGRATION_COOKIE_STATS;
    cookie->persistent = testDomainDef();
    cookie->jobData = testJobData();
    return cookie;
}


/* Finish (destination -> source): the completed job's statistics. */
static qemuMigrationCookie *
testBuildFinish(void)
{
    qemuMigrationCookie *cookie = testCookieNew(false);
    qemuDomainJobData *data = testJobData();

    data->status = QEMU_DOMAIN_JOB_STATUS_COMPLETED;
    data->timeDeltaSet = true;
    data->timeDelta = -4;
    data->timeElapsed = 11031;
    data->stats.downtime = 7;
    cookie->flags = QEMU_MIGRATION_COOKIE_STATS;
    cookie->jobData = data;
    return cookie;
}


/* Every part at once, with xbzrle statistics and auto-converge. */
static qemuMigrationCookie *
testBuildAll(void)
{
    qemuMigrationCookie *cookie = testBuildBegin();
    qemuDomainJobData *data = testJobData();

    data->timeDeltaSet = true;
    data->timeDelta = 5;
    data->stats.xbzrleSet = true;
    data->stats.xbzrle.cacheSize = 67108864;
    data->stats.xbzrle.bytes = 1048576;
    data->stats.xbzrle.pages = 512;
    data->stats.xbzrle.cacheMiss = 128;
    data->stats.xbzrle.overflow = 2;
    data->stats.cpuThrottlePercentage = 20;
    data->stats.disk.total = 1073741824;
    data->stats.disk.transferred = 1073741824;
    data->stats.disk.mbps = 512.5;
    cookie->flags = QEMU_MIGRATION_COOKIE_ALL;
    cookie->persistent = testDomainDef();
    cookie->jobData = data;
    cookie->nbdPort = 49153;
    cookie->nbdNDisks = 2;
    cookie->nbdDisks = g_new0(qemuMigrationCookieNBDDisk, 2);
    cookie->nbdDisks[0].target = g_strdup("vda");
    cookie->nbdDisks[0].capacity = 10737418240ULL;
    cookie->nbdDisks[1].target = g_strdup("sd<b>");
    cookie->nbdDisks[1].capacity = 1;
    return cookie;
}


typedef struct _testRoundTrip testRoundTrip;
struct _testRoundTrip {
    const char *name;
    qemuMigrationCookie *(*build)(void);
    bool fromSource;
    unsigned int flags;     /* parts formatted (and expected back) */
};

static const testRoundTrip testRoundTrips[] = {
    { "begin", testBuildBegin, true,
      QEMU_MIGRATION_COOKIE_LOCKSTATE | QEMU_MIGRATION_COOKIE_CAPS },
    { "begin-nolock", testBuildBeginNoLock, true,
      QEMU_MIGRATION_COOKIE_LOCKSTATE | QEMU_MIGRATION_COOKIE_CAPS },
    { "prepare", testBuildPrepare, false, QEMU_MIGRATION_COOKIE_CAPS },
    { "perform", testBuildPerform, true,
      QEMU_MIGRATION_COOKIE_PERSISTENT | QEMU_MIGRATION_COOKIE_STATS },
    { "finish", testBuildFinish, false, QEMU_MIGRATION_COOKIE_STATS },
    { "all", testBuildAll, true, QEMU_MIGRATION_COOKIE_ALL },
};


/* Parses @xml as the receiver of a cookie from @fromSource's host. */
static qemuMigrationCookie *
testParseAsPeer(const char *xml, size_t len, bool fromSource,
                unsigned int flags)
{
    unsigned char local[VIR_UUID_BUFLEN];
    unsigned char dom[VIR_UUID_BUFLEN];
    qemuMigrationCookie *cookie;

    testUUID(fromSource ? DST_UUID : SRC_UUID, local);
    testUUID(DOM_UUID, dom);
    if (!(cookie = qemuMigrationCookieParse(xml, len, local, DOM_NAME, dom,
                                            flags)))
        g_error("parse failed: %s", virGetLastErrorMessage());
    return cookie;
}


/* What the parsed @cookie says about its sender and domain. */
static void
testCheckIdentity(const qemuMigrationCookie *cookie, bool fromSource)
{
    unsigned char sender[VIR_UUID_BUFLEN];
    unsigned char dom[VIR_UUID_BUFLEN];

    testUUID(fromSource ? SRC_UUID : DST_UUID, sender);
    testUUID(DOM_UUID, dom);
    g_assert_cmpstr(cookie->name, ==, DOM_NAME);
    g_assert_cmpmem(cookie->uuid, VIR_UUID_BUFLEN, dom, VIR_UUID_BUFLEN);
    g_assert_cmpstr(cookie->remoteHostname, ==,
                    fromSource ? SRC_HOST : DST_HOST);
    g_assert_cmpmem(cookie->remoteHostUUID, VIR_UUID_BUFLEN, sender,
                    VIR_UUID_BUFLEN);
    g_assert_null(cookie->localHostname);
}


/* The parsed parts hold the values of the original ones. */
static void
testCheckParts(const qemuMigrationCookie *orig, const qemuMigrationCookie *parsed)
{
    if (parsed->flags & QEMU_MIGRATION_COOKIE_PERSISTENT) {
        g_assert_cmpstr(parsed->persistent->name, ==, orig->persistent->name);
        g_assert_cmpstr(parsed->persistent->description, ==,
                        orig->persistent->description);
    }
    if (parsed->flags & QEMU_MIGRATION_COOKIE_STATS) {
        const qemuDomainJobData *a = orig->jobData;
        const qemuDomainJobData *b = parsed->jobData;

        g_assert_cmpint(b->status, ==, QEMU_DOMAIN_JOB_STATUS_COMPLETED);
        g_assert_cmpuint(b->sent, ==, a->sent);
        g_assert_cmpint(b->timeDeltaSet, ==, a->timeDeltaSet);
        g_assert_cmpint(b->timeDelta, ==, a->timeDelta);
        g_assert_cmpuint(b->stats.ram.total, ==, a->stats.ram.total);
        g_assert_cmpuint(qemuDomainJobDataMbpsToBps(b->stats.ram.mbps), ==,
                         qemuDomainJobDataMbpsToBps(a->stats.ram.mbps));
        g_assert_cmpuint(b->stats.downtime, ==, a->stats.downtime);
    }
    if (parsed->flags & QEMU_MIGRATION_COOKIE_LOCKSTATE) {
        g_assert_cmpstr(parsed->lockDriver, ==, orig->lockDriver);
        g_assert_cmpstr(parsed->lockState, ==, orig->lockState);
    }
    if (parsed->flags & QEMU_MIGRATION_COOKIE_NBD) {
        size_t i;

        g_assert_cmpuint(parsed->nbdPort, ==, orig->nbdPort);
        g_assert_cmpuint(parsed->nbdNDisks, ==, orig->nbdNDisks);
        for (i = 0; i < parsed->nbdNDisks; i++) {
            g_assert_cmpstr(parsed->nbdDisks[i].target, ==, orig->nbdDisks[i].target);
            g_assert_cmpuint(parsed->nbdDisks[i].capacity, ==, orig->nbdDisks[i].capacity);
        }
    }
    g_assert_cmphex(parsed->capsSupported, ==, orig->capsSupported);
    g_assert_cmphex(parsed->capsAutomatic, ==, orig->capsAutomatic);
}


static void
testRoundTripRun(gconstpointer opaque)
{
    const testRoundTrip *tc = opaque;
    g_autoptr(qemuMigrationCookie) orig = tc->build();
    g_autoptr(qemuMigrationCookie) parsed = NULL;
    g_autofree char *golden = g_strdup_printf(DATADIR "%s.xml", tc->name);
    g_autofree char *xml = NULL;
    g_autofree char *again = NULL;
    size_t len = 0;
    size_t againLen = 0;

    g_assert_cmpint(qemuMigrationCookieFormat(orig, QEMU_MIGRATION_COOKIE_ALL,
                                              &xml, &len), ==, 0);
    g_assert_cmpuint(len, ==, strlen(xml) + 1);
    g_assert_true(virTestCompareToFile(xml, golden));

    parsed = testParseAsPeer(xml, len, tc->fromSource, QEMU_MIGRATION_COOKIE_ALL);
    g_assert_cmphex(parsed->flags, ==, tc->flags);
    testCheckIdentity(parsed, tc->fromSource);
    testCheckParts(orig, parsed);

    /* Formatted again by its sender, it is the same document. */
    parsed->localHostname = g_strdup(parsed->remoteHostname);
    memcpy(parsed->localHostUUID, parsed->remoteHostUUID, VIR_UUID_BUFLEN);
    g_assert_cmpint(qemuMigrationCookieFormat(parsed, QEMU_MIGRATION_COOKIE_ALL,
                                              &again, &againLen), ==, 0);
    g_assert_cmpstr(again, ==, xml);
    g_assert_cmpuint(againLen, ==, len);
}


/* ---- parsing details ---- */

/* With or without the NUL, the same cookie; nothing past @len read. */
static void
testParseLength(void)
{
    g_autofree char *xml = virTestLoadFile(DATADIR "begin.xml");
    size_t len = strlen(xml);
    g_autofree char *padded = g_strdup_printf("%s<garbage", xml);
    g_autoptr(qemuMigrationCookie) withNul = NULL;
    g_autoptr(qemuMigrationCookie) withoutNul = NULL;
    g_autoptr(qemuMigrationCookie) bounded = NULL;

    withNul = testParseAsPeer(xml, len + 1, true, QEMU_MIGRATION_COOKIE_ALL);
    withoutNul = testParseAsPeer(xml, len, true, QEMU_MIGRATION_COOKIE_ALL);
    bounded = testParseAsPeer(padded, len, true, QEMU_MIGRATION_COOKIE_ALL);
    g_assert_cmphex(withNul->flags, ==, withoutNul->flags);
    g_assert_cmphex(bounded->flags, ==, withNul->flags);
    g_assert_cmpstr(withoutNul->lockState, ==, withNul->lockState);
    g_assert_cmphex(bounded->capsSupported, ==, withNul->capsSupported);
}


static void
testParseEmpty(void)
{
    unsigned char local[VIR_UUID_BUFLEN];
    unsigned char dom[VIR_UUID_BUFLEN];
    static const char nul[1] = { '\0' };
    const char *datas[] = { NULL, nul, "<qemu-migration>" };
    const size_t lens[] = { 0, 1, 0 };
    size_t i;

    testUUID(DST_UUID, local);
    testUUID(DOM_UUID, dom);
    for (i = 0; i < G_N_ELEMENTS(datas); i++) {
        g_autoptr(qemuMigrationCookie) cookie = NULL;

        cookie = qemuMigrationCookieParse(datas[i], lens[i], local, DOM_NAME,
                                          dom, QEMU_MIGRATION_COOKIE_ALL);
        g_assert_nonnull(cookie);
        g_assert_cmphex(cookie->flags, ==, 0);
        g_assert_cmpstr(cookie->name, ==, DOM_NAME);
        g_assert_cmpmem(cookie->uuid, VIR_UUID_BUFLEN, dom, VIR_UUID_BUFLEN);
        g_assert_null(cookie->remoteHostname);
        g_assert_null(cookie->jobData);
    }
}


/* Parts outside @flags are left out, unless mandatory. */
static void
testParseFilter(void)
{
    g_autofree char *xml = virTestLoadFile(DATADIR "all.xml");
    g_autofree char *finish = virTestLoadFile(DATADIR "finish.xml");
    g_autoptr(qemuMigrationCookie) mandatoryOnly = NULL;
    g_autoptr(qemuMigrationCookie) noStats = NULL;

    mandatoryOnly = testParseAsPeer(xml, strlen(xml) + 1, true,
                                    QEMU_MIGRATION_COOKIE_LOCKSTATE |
                                    QEMU_MIGRATION_COOKIE_PERSISTENT);
    g_assert_cmphex(mandatoryOnly->flags, ==,
                    QEMU_MIGRATION_COOKIE_LOCKSTATE |
                    QEMU_MIGRATION_COOKIE_PERSISTENT);
    g_assert_null(mandatoryOnly->jobData);
    g_assert_cmphex(mandatoryOnly->capsSupported, ==, 0);
    g_assert_nonnull(mandatoryOnly->persistent);

    noStats = testParseAsPeer(finish, strlen(finish) + 1, false,
                              QEMU_MIGRATION_COOKIE_CAPS);
    g_assert_cmphex(noStats->flags, ==, 0);
    g_assert_null(noStats->jobData);

    testParseFails(xml, strlen(xml) + 1, QEMU_MIGRATION_COOKIE_STATS |
                   QEMU_MIGRATION_COOKIE_CAPS, "err-feature-not-accepted.err");
}


/* libvirt's parts we do not implement are skipped. */
static void
testParseLibvirtParts(void)
{
    g_autofree char *xml = virTestLoadFile(DATADIR "libvirt-parts.xml");
    g_autoptr(qemuMigrationCookie) cookie = NULL;
    g_autofree char *out = NULL;
    size_t len;

    cookie = testParseAsPeer(xml, strlen(xml) + 1, true, QEMU_MIGRATION_COOKIE_ALL);
    g_assert_cmphex(cookie->flags, ==,
                    QEMU_MIGRATION_COOKIE_CAPS | QEMU_MIGRATION_COOKIE_STATS |
                    QEMU_MIGRATION_COOKIE_NBD);
    g_assert_cmpuint(cookie->nbdPort, ==, 49153);
    g_assert_cmpuint(cookie->nbdNDisks, ==, 1);
    g_assert_cmpstr(cookie->nbdDisks[0].target, ==, "vda");
    g_assert_cmpuint(cookie->nbdDisks[0].capacity, ==, 10737418240ULL);
    testCheckIdentity(cookie, true);
    cookie->localHostname = g_strdup(cookie->remoteHostname);
    memcpy(cookie->localHostUUID, cookie->remoteHostUUID, VIR_UUID_BUFLEN);
    g_assert_cmpint(qemuMigrationCookieFormat(cookie, QEMU_MIGRATION_COOKIE_ALL,
                                              &out, &len), ==, 0);
    g_assert_true(virTestCompareToFile(out, DATADIR "libvirt-parts.out.xml"));
}


/* A part left out of @flags at format time is not written. */
static void
testFormatFilter(void)
{
    g_autoptr(qemuMigrationCookie) cookie = testBuildAll();
    g_autofree char *xml = NULL;
    size_t len;

    g_assert_cmpint(qemuMigrationCookieFormat(cookie, QEMU_MIGRATION_COOKIE_CAPS,
                                              &xml, &len), ==, 0);
    g_assert_true(virTestCompareToFile(xml, DATADIR "all-caps-only.xml"));

    /* Lock state without a driver cannot be sent. */
    g_clear_pointer(&cookie->lockDriver, g_free);
    g_clear_pointer(&xml, g_free);
    g_assert_cmpint(qemuMigrationCookieFormat(cookie, QEMU_MIGRATION_COOKIE_ALL,
                                              &xml, &len), ==, -1);
    g_assert_null(xml);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INTERNAL_ERROR);
    virResetLastError();
}


/* ---- errors ---- */

typedef struct _testErrorCase testErrorCase;
struct _testErrorCase {
    const char *name;       /* DATADIR<name>.xml -> DATADIR<name>.err */
    unsigned int flags;
};

static const testErrorCase testErrorCases[] = {
    { "err-same-host", QEMU_MIGRATION_COOKIE_ALL },
    { "err-wrong-name", QEMU_MIGRATION_COOKIE_ALL },
    { "err-wrong-uuid", QEMU_MIGRATION_COOKIE_ALL },
    { "err-bad-uuid", QEMU_MIGRATION_COOKIE_ALL },
    { "err-nbd-no-target", QEMU_MIGRATION_COOKIE_ALL },
    { "err-nbd-bad-capacity", QEMU_MIGRATION_COOKIE_ALL },
    { "err-nbd-bad-port", QEMU_MIGRATION_COOKIE_ALL },
    { "err-missing-name", QEMU_MIGRATION_COOKIE_ALL },
    { "err-missing-uuid", QEMU_MIGRATION_COOKIE_ALL },
    { "err-missing-hostname", QEMU_MIGRATION_COOKIE_ALL },
    { "err-missing-hostuuid", QEMU_MIGRATION_COOKIE_ALL },
    { "err-bad-hostuuid", QEMU_MIGRATION_COOKIE_ALL },
    { "err-malformed", QEMU_MIGRATION_COOKIE_ALL },
    { "err-wrong-root", QEMU_MIGRATION_COOKIE_ALL },
    { "err-unknown-feature", QEMU_MIGRATION_COOKIE_ALL },
    { "err-unsupported-feature", QEMU_MIGRATION_COOKIE_ALL },
    { "err-feature-no-name", QEMU_MIGRATION_COOKIE_ALL },
    { "err-lockstate-no-driver", QEMU_MIGRATION_COOKIE_ALL },
    { "err-two-domains", QEMU_MIGRATION_COOKIE_ALL },
    { "err-bad-domain", QEMU_MIGRATION_COOKIE_ALL },
    { "err-bad-stat", QEMU_MIGRATION_COOKIE_ALL },
    { "err-negative-stat", QEMU_MIGRATION_COOKIE_ALL },
    { "err-bad-delta", QEMU_MIGRATION_COOKIE_ALL },
    { "err-bad-cap-auto", QEMU_MIGRATION_COOKIE_ALL },
    { "err-cap-no-name", QEMU_MIGRATION_COOKIE_ALL },
};


static void
testErrorRun(gconstpointer opaque)
{
    const testErrorCase *tc = opaque;
    g_autofree char *path = g_strdup_printf(DATADIR "%s.xml", tc->name);
    g_autofree char *errfile = g_strdup_printf("%s.err", tc->name);
    g_autofree char *xml = virTestLoadFile(path);

    testParseFails(xml, strlen(xml) + 1, tc->flags, errfile);
}


static void
testErrorTruncated(void)
{
    g_autofree char *xml = virTestLoadFile(DATADIR "begin.xml");

    testParseFails(xml, strlen(xml) / 2, QEMU_MIGRATION_COOKIE_ALL,
                   "err-truncated.err");
}


static void
testErrorOversized(void)
{
    size_t len = QEMU_MIGRATION_COOKIE_MAX_SIZE + 1;
    g_autofree char *big = g_malloc(len);

    memset(big, ' ', len);
    big[len - 1] = '\0';
    testParseFails(big, len, QEMU_MIGRATION_COOKIE_ALL, "err-oversized.err");
}


static void
testErrorEmbeddedNul(void)
{
    g_autofree char *xml = virTestLoadFile(DATADIR "begin.xml");
    size_t len = strlen(xml) + 1;

    xml[len / 2] = '\0';
    testParseFails(xml, len, QEMU_MIGRATION_COOKIE_ALL, "err-nul.err");
}


static void
testErrorNoHostUUID(void)
{
    g_autofree char *xml = virTestLoadFile(DATADIR "begin.xml");

    virResetLastError();
    g_assert_null(qemuMigrationCookieParse(xml, strlen(xml), NULL, NULL, NULL,
                                           QEMU_MIGRATION_COOKIE_ALL));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    virResetLastError();
}


int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);

    for (i = 0; i < G_N_ELEMENTS(testRoundTrips); i++) {
        g_autofree char *name = g_strdup_printf("/cookie/round-trip/%s",
                                                testRoundTrips[i].name);

        g_test_add_data_func(name, &testRoundTrips[i], testRoundTripRun);
    }
    g_test_add_func("/cookie/parse/length", testParseLength);
    g_test_add_func("/cookie/parse/empty", testParseEmpty);
    g_test_add_func("/cookie/parse/filter", testParseFilter);
    g_test_add_func("/cookie/parse/libvirt-parts", testParseLibvirtParts);
    g_test_add_func("/cookie/format/filter", testFormatFilter);
    for (i = 0; i < G_N_ELEMENTS(testErrorCases); i++) {
        g_autofree char *name = g_strdup_printf("/cookie/error/%s",
                                                testErrorCases[i].name);

        g_test_add_data_func(name, &testErrorCases[i], testErrorRun);
    }
    g_test_add_func("/cookie/error/truncated", testErrorTruncated);
    g_test_add_func("/cookie/error/oversized", testErrorOversized);
    g_test_add_func("/cookie/error/embedded-nul", testErrorEmbeddedNul);
    g_test_add_func("/cookie/error/no-host-uuid", testErrorNoHostUUID);
    return g_test_run();
}
