/*
 * guestchecktest.c: the memory checker on synthetic dumps
 *
 * Each case builds a dump of a small range the way the guest would
 * leave it (pages before the boundary at pass `high`, the rest at
 * high - 1, optionally a boundary page caught mid-write), applies one
 * kind of damage and compares the checker's verdict lines with
 * guest/guestcheckdata/<name>.out.
 */
#include <string.h>

#include "testutils.h"
#include "guestcheck.h"
#include "guestpattern.h"

#define TEST_BASE 0x200000
#define TEST_PAGES 64

typedef enum {
    TEST_DAMAGE_NONE = 0,
    TEST_DAMAGE_ZERO,           /* page `page` all zero */
    TEST_DAMAGE_OLDER,          /* page `page` one pass older than it should */
    TEST_DAMAGE_NEWER,          /* page `page` one pass newer than it should */
    TEST_DAMAGE_MISPLACED,      /* page `page` holds page + 1's data */
    TEST_DAMAGE_FLIP,           /* bit 0 of word `word` of page `page` */
    TEST_DAMAGE_GARBAGE,        /* page `page` filled with 0xa5 */
    TEST_DAMAGE_MIXED,          /* page `page`: words alternate passes */
    TEST_DAMAGE_TRUNCATE,       /* dump `word` bytes shorter */
    TEST_DAMAGE_ALL_ZERO,       /* the whole dump zero */
    TEST_DAMAGE_NO_FILL,        /* dump written without fill, checked with */
} testDamage;

typedef struct _testCase testCase;
struct _testCase {
    const char *name;
    guint32 high;               /* pass of pages [0, boundary) */
    guint32 boundary;           /* TEST_PAGES: no boundary */
    guint32 torn;               /* >0: boundary page has torn words at high */
    bool sparse;                /* guest without VIR_GUEST_FLAG_FILL */
    virGuestCheckMode mode;
    testDamage damage;
    guint32 page;
    guint32 word;
    bool ok;
};

static void
testWriteWord(guint8 *page, guint word, guint32 val)
{
    guint32 le = GUINT32_TO_LE(val);

    memcpy(page + word * 4, &le, 4);
}

/* Page @index caught after writing its first @nwords words of @pass. */
static void
testTornPage(guint8 *page, guint32 index, guint32 pass, guint nwords,
             bool fill)
{
    guint i;

    virGuestPatternFillPage(page, index, pass - 1, fill);
    for (i = 0; i < nwords; i++) {
        guint word = virGuestPatternAt(fill, i);

        testWriteWord(page, word, virGuestPatternWord(index, pass, word));
    }
}

static void
testMixedPage(guint8 *page, guint32 index, guint32 pass)
{
    guint word;

    virGuestPatternFillPage(page, index, pass - 1, true);
    for (word = 0; word < VIR_GUEST_PAGE_WORDS; word += 2)
        testWriteWord(page, word, virGuestPatternWord(index, pass, word));
}

static guint32
testPassOf(const testCase *tc, guint32 index)
{
    if (index < tc->boundary)
        return tc->high;
    return tc->high - 1;
}

static void
testDamagePage(const testCase *tc, guint8 *dump)
{
    guint8 *page = dump + (gsize)tc->page * VIR_GUEST_PAGE_SIZE;
    guint32 pass = testPassOf(tc, tc->page);

    switch (tc->damage) {
    case TEST_DAMAGE_ZERO:
        memset(page, 0, VIR_GUEST_PAGE_SIZE);
        break;
    case TEST_DAMAGE_OLDER:
        virGuestPatternFillPage(page, tc->page, pass - 1, !tc->sparse);
        break;
    case TEST_DAMAGE_NEWER:
        virGuestPatternFillPage(page, tc->page, pass + 1, !tc->sparse);
        break;
    case TEST_DAMAGE_MISPLACED:
        virGuestPatternFillPage(page, tc->page + 1,
                                testPassOf(tc, tc->page + 1), !tc->sparse);
        break;
    case TEST_DAMAGE_FLIP:
        page[tc->word * 4] ^= 1;
        break;
    case TEST_DAMAGE_GARBAGE:
        memset(page, 0xa5, VIR_GUEST_PAGE_SIZE);
        break;
    case TEST_DAMAGE_MIXED:
        testMixedPage(page, tc->page, tc->high);
        break;
    case TEST_DAMAGE_ALL_ZERO:
        memset(dump, 0, (gsize)TEST_PAGES * VIR_GUEST_PAGE_SIZE);
        break;
    case TEST_DAMAGE_NONE:
    case TEST_DAMAGE_TRUNCATE:
    case TEST_DAMAGE_NO_FILL:
        break;
    }
}

static guint8 *
testMakeDump(const testCase *tc)
{
    guint8 *dump = g_malloc0((gsize)TEST_PAGES * VIR_GUEST_PAGE_SIZE);
    bool fill = !tc->sparse && tc->damage != TEST_DAMAGE_NO_FILL;
    guint32 i;

    for (i = 0; i < TEST_PAGES; i++) {
        guint8 *page = dump + (gsize)i * VIR_GUEST_PAGE_SIZE;

        if (i == tc->boundary && tc->torn > 0)
            testTornPage(page, i, tc->high, tc->torn, fill);
        else
            virGuestPatternFillPage(page, i, testPassOf(tc, i), fill);
    }
    testDamagePage(tc, dump);
    return dump;
}

static char *
testFormatResult(const virGuestCheckResult *res)
{
    g_autoptr(GString) out = g_string_new(res->summary);
    guint i;

    g_string_append_c(out, '\n');
    for (i = 0; i < res->details->len; i++)
        g_string_append_printf(out, "  %s\n",
                               (char *)g_ptr_array_index(res->details, i));
    return g_string_free(g_steal_pointer(&out), FALSE);
}

static void
testCheck(gconstpointer opaque)
{
    const testCase *tc = opaque;
    g_autofree guint8 *dump = testMakeDump(tc);
    g_autofree char *actual = NULL;
    g_autofree char *golden = g_strdup_printf("guest/guestcheckdata/%s.out",
                                              tc->name);
    g_auto(virGuestCheckResult) res = { 0 };
    virGuestParams params = {
        .base = TEST_BASE,
        .pages = TEST_PAGES,
        .firstPass = 1,
        .flags = tc->sparse ? 0 : VIR_GUEST_FLAG_FILL,
    };
    gsize len = (gsize)TEST_PAGES * VIR_GUEST_PAGE_SIZE;

    if (tc->damage == TEST_DAMAGE_TRUNCATE)
        len -= tc->word;
    g_assert_cmpint(virGuestCheckDump(&params, dump, len, tc->mode, &res),
                    ==, tc->ok);
    g_assert_cmpint(res.ok, ==, tc->ok);
    actual = testFormatResult(&res);
    g_assert_true(virTestCompareToFile(actual, golden));
    if (!tc->ok && tc->damage != TEST_DAMAGE_TRUNCATE &&
        tc->damage != TEST_DAMAGE_ALL_ZERO && tc->damage != TEST_DAMAGE_NO_FILL)
        g_assert_cmpuint(res.firstBad, ==, tc->page);
}

/* Pages caught at every point of the header, and a damaged header. */
static void
testClassifyHeader(void)
{
    guint8 page[VIR_GUEST_PAGE_SIZE];
    virGuestPageInfo info;

    /* magic and index are the same in both passes: still clean */
    testTornPage(page, 7, 42, 2, true);
    virGuestPageClassify(page, 7, true, VIR_GUEST_CHECK_PAUSED, &info);
    g_assert_cmpint(info.state, ==, VIR_GUEST_PAGE_CLEAN);
    g_assert_cmpuint(info.pass, ==, 41);

    testTornPage(page, 7, 42, 3, true);
    virGuestPageClassify(page, 7, true, VIR_GUEST_CHECK_PAUSED, &info);
    g_assert_cmpint(info.state, ==, VIR_GUEST_PAGE_TORN);
    g_assert_cmpuint(info.pass, ==, 42);
    g_assert_cmpuint(info.word, ==, 3);

    testTornPage(page, 7, 42, 1023, true);
    virGuestPageClassify(page, 7, true, VIR_GUEST_CHECK_PAUSED, &info);
    g_assert_cmpint(info.state, ==, VIR_GUEST_PAGE_TORN);
    g_assert_cmpuint(info.word, ==, 1023);

    virGuestPatternFillPage(page, 7, 42, true);
    page[12] ^= 0x80;
    virGuestPageClassify(page, 7, true, VIR_GUEST_CHECK_PAUSED, &info);
    g_assert_cmpint(info.state, ==, VIR_GUEST_PAGE_BAD_CHECK);
    g_assert_cmpuint(info.word, ==, 3);

    /* a pass word that disagrees with the trailer */
    virGuestPatternFillPage(page, 7, 42, false);
    page[8] ^= 0x10;
    virGuestPageClassify(page, 7, false, VIR_GUEST_CHECK_PAUSED, &info);
    g_assert_cmpint(info.state, ==, VIR_GUEST_PAGE_BAD_CHECK);
}

static const testCase cases[] = {
    /* consistent dumps */
    { .name = "one-pass", .high = 7, .boundary = TEST_PAGES, .ok = true },
    { .name = "boundary", .high = 8, .boundary = 20, .ok = true },
    { .name = "boundary-torn", .high = 8, .boundary = 20, .torn = 300,
      .ok = true },
    { .name = "boundary-torn-header", .high = 8, .boundary = 20, .torn = 3,
      .ok = true },
    { .name = "boundary-first-page", .high = 8, .boundary = 0, .torn = 500,
      .ok = true },
    { .name = "boundary-last-page", .high = 8, .boundary = TEST_PAGES - 1,
      .ok = true },
    { .name = "wraparound", .high = 0, .boundary = 10, .torn = 17,
      .ok = true },
    { .name = "wraparound-max", .high = G_MAXUINT32, .boundary = 33,
      .ok = true },
    { .name = "sparse-torn", .high = 5, .boundary = 9, .torn = 4,
      .sparse = true, .ok = true },
    { .name = "running-mixed", .high = 8, .boundary = 20,
      .mode = VIR_GUEST_CHECK_RUNNING, .damage = TEST_DAMAGE_MIXED,
      .page = 20, .ok = true },
    /* inconsistent dumps */
    { .name = "zero-page", .high = 8, .boundary = 20,
      .damage = TEST_DAMAGE_ZERO, .page = 30 },
    { .name = "all-zero", .high = 8, .boundary = 20,
      .damage = TEST_DAMAGE_ALL_ZERO },
    { .name = "stale-before-boundary", .high = 8, .boundary = 20,
      .damage = TEST_DAMAGE_OLDER, .page = 5 },
    { .name = "stale-after-boundary", .high = 8, .boundary = 20,
      .damage = TEST_DAMAGE_OLDER, .page = 40 },
    { .name = "stale-first-page", .high = 8, .boundary = TEST_PAGES,
      .damage = TEST_DAMAGE_OLDER, .page = 0 },
    { .name = "two-boundaries", .high = 8, .boundary = 20,
      .damage = TEST_DAMAGE_NEWER, .page = 45 },
    { .name = "two-boundaries-wraparound", .high = 0, .boundary = 20,
      .damage = TEST_DAMAGE_NEWER, .page = 45 },
    { .name = "misplaced", .high = 8, .boundary = 20,
      .damage = TEST_DAMAGE_MISPLACED, .page = 12 },
    { .name = "flipped-bit", .high = 8, .boundary = 20,
      .damage = TEST_DAMAGE_FLIP, .page = 50, .word = 700 },
    { .name = "flipped-trailer", .high = 8, .boundary = 20,
      .sparse = true, .damage = TEST_DAMAGE_FLIP, .page = 51, .word = 1022 },
    { .name = "garbage", .high = 8, .boundary = 20,
      .damage = TEST_DAMAGE_GARBAGE, .page = 3 },
    { .name = "paused-mixed", .high = 8, .boundary = 20,
      .damage = TEST_DAMAGE_MIXED, .page = 20 },
    { .name = "torn-away-from-boundary", .high = 8, .boundary = 20,
      .damage = TEST_DAMAGE_MIXED, .page = 40,
      .mode = VIR_GUEST_CHECK_RUNNING },
    { .name = "truncated-page", .high = 8, .boundary = 20,
      .damage = TEST_DAMAGE_TRUNCATE, .word = VIR_GUEST_PAGE_SIZE },
    { .name = "truncated-bytes", .high = 8, .boundary = 20,
      .damage = TEST_DAMAGE_TRUNCATE, .word = 100 },
    { .name = "sparse-dump-checked-full", .high = 8, .boundary = 20,
      .damage = TEST_DAMAGE_NO_FILL },
};

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guestcheck/classify/header", testClassifyHeader);
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/guestcheck/dump/%s",
                                                cases[i].name);

        g_test_add_data_func(path, &cases[i], testCheck);
    }
    return g_test_run();
}
