/*
 * guestdiskchecktest.c: the disk checker on synthetic images
 *
 * Each case builds a raw image with a disk region the way the guest
 * would leave it (sectors before the writer's position at pass `high`,
 * the rest at high - 1, or zero during the first pass), applies one
 * kind of damage and compares the checker's verdict lines with
 * guest/guestdiskcheckdata/<name>.out.
 */
#include <string.h>

#include "testutils.h"
#include "guestdiskcheck.h"
#include "guestpattern.h"

#define TEST_LBA 2048
#define TEST_SECTORS 64
#define TEST_IMAGE_SIZE ((gsize)(TEST_LBA + TEST_SECTORS) * 512)

typedef enum {
    TEST_DAMAGE_NONE = 0,
    TEST_DAMAGE_ZERO,           /* sector `sector` all zero */
    TEST_DAMAGE_ZERO_FROM,      /* sectors [sector, N) all zero */
    TEST_DAMAGE_OLDER,          /* sector `sector` one pass older */
    TEST_DAMAGE_NEWER,          /* sector `sector` one pass newer */
    TEST_DAMAGE_WRITTEN,        /* sector `sector` at `high` (unwritten part) */
    TEST_DAMAGE_MISPLACED,      /* sector `sector` holds sector + 1's data */
    TEST_DAMAGE_OUTSIDE,        /* sector `sector` holds sector N + 5's data */
    TEST_DAMAGE_FLIP,           /* bit 0 of word `word` of sector `sector` */
    TEST_DAMAGE_GARBAGE,        /* sector `sector` filled with 0xa5 */
    TEST_DAMAGE_PAGE,           /* sector `sector`: start of a memory page */
    TEST_DAMAGE_MIXED,          /* sector `sector`: second half one pass older */
    TEST_DAMAGE_TRUNCATE,       /* image `word` bytes shorter */
    TEST_DAMAGE_ALL_ZERO,       /* the whole region zero */
} testDamage;

typedef struct _testCase testCase;
struct _testCase {
    const char *name;
    guint32 first;              /* first pass of the image */
    guint32 high;               /* pass of sectors [0, position) */
    guint32 position;           /* TEST_SECTORS: the whole region at high */
    testDamage damage;
    guint32 sector;
    guint32 word;
    bool checkMin;              /* --min-pass minPass */
    guint32 minPass;
    bool ok;
};

static guint8 *
testSector(guint8 *image, guint32 index)
{
    return image + (gsize)(TEST_LBA + index) * 512;
}

/* Pass of sector @index before the damage; false: never written. */
static bool
testPassOf(const testCase *tc, guint32 index, guint32 *pass)
{
    if (index < tc->position) {
        *pass = tc->high;
        return true;
    }
    *pass = tc->high - 1;
    return tc->high != tc->first;
}

static void
testDamageSector(const testCase *tc, guint8 *image)
{
    guint8 *sector = testSector(image, tc->sector);
    guint8 page[VIR_GUEST_PAGE_SIZE];
    guint32 pass = 0;
    guint32 i;

    testPassOf(tc, tc->sector, &pass);
    switch (tc->damage) {
    case TEST_DAMAGE_ZERO:
        memset(sector, 0, 512);
        break;
    case TEST_DAMAGE_ZERO_FROM:
        for (i = tc->sector; i < TEST_SECTORS; i++)
            memset(testSector(image, i), 0, 512);
        break;
    case TEST_DAMAGE_OLDER:
        virGuestSectorFill(sector, tc->sector, pass - 1);
        break;
    case TEST_DAMAGE_NEWER:
        virGuestSectorFill(sector, tc->sector, pass + 1);
        break;
    case TEST_DAMAGE_WRITTEN:
        virGuestSectorFill(sector, tc->sector, tc->high);
        break;
    case TEST_DAMAGE_MISPLACED:
        testPassOf(tc, tc->sector + 1, &pass);
        virGuestSectorFill(sector, tc->sector + 1, pass);
        break;
    case TEST_DAMAGE_OUTSIDE:
        virGuestSectorFill(sector, TEST_SECTORS + 5, pass);
        break;
    case TEST_DAMAGE_FLIP:
        sector[tc->word * 4] ^= 1;
        break;
    case TEST_DAMAGE_GARBAGE:
        memset(sector, 0xa5, 512);
        break;
    case TEST_DAMAGE_PAGE:
        virGuestPatternFillPage(page, tc->sector, pass, true);
        memcpy(sector, page, 512);
        break;
    case TEST_DAMAGE_MIXED: {
        guint8 older[512];

        virGuestSectorFill(older, tc->sector, pass - 1);
        memcpy(sector + 256, older + 256, 256);
        break;
    }
    case TEST_DAMAGE_ALL_ZERO:
        memset(testSector(image, 0), 0, (gsize)TEST_SECTORS * 512);
        break;
    case TEST_DAMAGE_NONE:
    case TEST_DAMAGE_TRUNCATE:
        break;
    }
}

static guint8 *
testMakeImage(const testCase *tc)
{
    guint8 *image = g_malloc0(TEST_IMAGE_SIZE);
    guint32 i;

    for (i = 0; i < TEST_SECTORS; i++) {
        guint32 pass;

        if (testPassOf(tc, i, &pass))
            virGuestSectorFill(testSector(image, i), i, pass);
    }
    testDamageSector(tc, image);
    return image;
}

static char *
testFormatResult(const virGuestDiskCheckResult *res)
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
    g_autofree guint8 *image = testMakeImage(tc);
    g_autofree char *actual = NULL;
    g_autofree char *golden = g_strdup_printf("guest/guestdiskcheckdata/%s.out",
                                              tc->name);
    g_auto(virGuestDiskCheckResult) res = { 0 };
    virGuestParams params = {
        .base = 0x200000,
        .pages = 16,
        .firstPass = tc->first,
        .flags = VIR_GUEST_FLAG_FILL,
        .hasDisk = true,
        .diskLba = TEST_LBA,
        .diskSectors = TEST_SECTORS,
        .diskRate = 256,
    };
    guint64 len = TEST_IMAGE_SIZE;

    if (tc->damage == TEST_DAMAGE_TRUNCATE)
        len -= tc->word;
    g_assert_cmpint(virGuestDiskCheck(&params, image, len,
                                      tc->checkMin ? &tc->minPass : NULL,
                                      &res), ==, tc->ok);
    g_assert_cmpint(res.ok, ==, tc->ok);
    actual = testFormatResult(&res);
    g_assert_true(virTestCompareToFile(actual, golden));
    if (tc->ok) {
        g_assert_cmpuint(res.pass, ==, tc->high);
        g_assert_cmpuint(res.position, ==, tc->position);
        g_assert_cmpint(res.unwritten, ==,
                        tc->high == tc->first && tc->position < TEST_SECTORS);
        g_assert_cmpuint(res.nbad, ==, 0);
    } else if (tc->damage != TEST_DAMAGE_TRUNCATE &&
               tc->damage != TEST_DAMAGE_ALL_ZERO) {
        g_assert_cmpuint(res.firstBad, ==, tc->sector);
        g_assert_cmpuint(res.nbad, >, 0);
    }
}

/* Sector classification details the verdict lines do not show. */
static void
testClassify(void)
{
    guint8 sector[512];
    virGuestSectorInfo info;

    virGuestSectorFill(sector, 7, 42);
    virGuestSectorClassify(sector, 7, &info);
    g_assert_cmpint(info.state, ==, VIR_GUEST_SECTOR_CLEAN);
    g_assert_cmpuint(info.pass, ==, 42);

    /* the same data checked as another sector: misplaced */
    virGuestSectorClassify(sector, 8, &info);
    g_assert_cmpint(info.state, ==, VIR_GUEST_SECTOR_BAD_INDEX);
    g_assert_cmpuint(info.value, ==, 7);

    /* a damaged pass word: the trailer and the body tell the pass */
    sector[8] ^= 0x10;
    virGuestSectorClassify(sector, 7, &info);
    g_assert_cmpint(info.state, ==, VIR_GUEST_SECTOR_BAD_WORD);
    g_assert_cmpuint(info.pass, ==, 42);
    g_assert_cmpuint(info.word, ==, 2);
    g_assert_cmpuint(info.nwrong, ==, 1);
    g_assert_false(info.mixed);

    /* the last word: the header tells it */
    virGuestSectorFill(sector, 7, 42);
    sector[511] ^= 0x80;
    virGuestSectorClassify(sector, 7, &info);
    g_assert_cmpint(info.state, ==, VIR_GUEST_SECTOR_BAD_WORD);
    g_assert_cmpuint(info.pass, ==, 42);
    g_assert_cmpuint(info.word, ==, 127);

    /* header and a few body words at 41, the rest at 42 */
    virGuestSectorFill(sector, 7, 42);
    {
        guint8 older[512];

        virGuestSectorFill(older, 7, 41);
        memcpy(sector, older, 40);
    }
    virGuestSectorClassify(sector, 7, &info);
    g_assert_cmpint(info.state, ==, VIR_GUEST_SECTOR_BAD_WORD);
    g_assert_true(info.mixed);
    g_assert_cmpuint(info.pass, ==, 42);
    g_assert_cmpuint(info.other, ==, 41);
    g_assert_cmpuint(info.nwrong, ==, 8);

    /* the pattern words of a sector (spot checks against README.md) */
    g_assert_cmpuint(virGuestSectorWord(7, 42, 0), ==, 0x53474d56);
    g_assert_cmpuint(virGuestSectorWord(7, 42, 1), ==, 7);
    g_assert_cmpuint(virGuestSectorWord(7, 42, 2), ==, 42);
    g_assert_cmpuint(virGuestSectorWord(7, 42, 3), ==,
                     (7u * 0x9e3779b1u) ^ (42u * 0x85ebca77u));
    g_assert_cmpuint(virGuestSectorWord(7, 42, 4), ==,
                     virGuestSectorWord(7, 42, 3) + 4 * 0x01000193u);
    g_assert_cmpuint(virGuestSectorWord(7, 42, 125), ==,
                     virGuestSectorWord(7, 42, 3) + 125 * 0x01000193u);
    g_assert_cmpuint(virGuestSectorWord(7, 42, 126), ==, 7);
    g_assert_cmpuint(virGuestSectorWord(7, 42, 127), ==, 42);
    /* pages keep theirs: word 126 is body there */
    g_assert_cmpuint(virGuestPatternWord(7, 42, 126), ==,
                     virGuestPatternWord(7, 42, 3) + 126 * 0x01000193u);
}

static void
testNoRegion(void)
{
    g_auto(virGuestDiskCheckResult) res = { 0 };
    virGuestParams params = { .hasDisk = true, .diskLba = TEST_LBA };
    guint8 image[512] = { 0 };

    g_assert_false(virGuestDiskCheck(&params, image, sizeof(image), NULL,
                                     &res));
    g_assert_cmpstr(res.summary, ==,
                    "FAIL: the image has no disk region (0 sectors)");
}

static const testCase cases[] = {
    /* consistent regions */
    { .name = "one-pass", .first = 1, .high = 7, .position = TEST_SECTORS,
      .ok = true },
    { .name = "position", .first = 1, .high = 8, .position = 20, .ok = true },
    { .name = "position-first-sector", .first = 1, .high = 8, .position = 1,
      .ok = true },
    { .name = "position-last-sector", .first = 1, .high = 8,
      .position = TEST_SECTORS - 1, .ok = true },
    { .name = "first-pass-partial", .first = 1, .high = 1, .position = 20,
      .ok = true },
    { .name = "first-pass-one-sector", .first = 1, .high = 1, .position = 1,
      .ok = true },
    { .name = "first-pass-complete", .first = 1, .high = 1,
      .position = TEST_SECTORS, .ok = true },
    { .name = "second-pass", .first = 1, .high = 2, .position = 20,
      .ok = true },
    { .name = "wraparound", .first = 1, .high = 0, .position = 10,
      .ok = true },
    { .name = "first-pass-high", .first = 4294967294u, .high = 4294967294u,
      .position = 33, .ok = true },
    { .name = "min-pass-ok", .first = 1, .high = 8, .position = 20,
      .checkMin = true, .minPass = 7, .ok = true },
    { .name = "min-pass-wraparound", .first = 4294967290u, .high = 1,
      .position = 20, .checkMin = true, .minPass = 4294967295u, .ok = true },
    /* inconsistent regions */
    { .name = "zero-sector", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_ZERO, .sector = 30 },
    { .name = "zero-sector-second-pass", .first = 1, .high = 2,
      .position = 20, .damage = TEST_DAMAGE_ZERO, .sector = 40 },
    { .name = "zero-tail-second-pass", .first = 1, .high = 2,
      .position = 20, .damage = TEST_DAMAGE_ZERO_FROM, .sector = 30 },
    { .name = "zero-in-first-pass-prefix", .first = 1, .high = 1,
      .position = 20, .damage = TEST_DAMAGE_ZERO, .sector = 10 },
    { .name = "all-zero", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_ALL_ZERO },
    { .name = "stale-before-position", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_OLDER, .sector = 5 },
    { .name = "stale-after-position", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_OLDER, .sector = 40 },
    { .name = "stale-first-sector", .first = 1, .high = 8,
      .position = TEST_SECTORS, .damage = TEST_DAMAGE_OLDER, .sector = 0 },
    { .name = "two-positions", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_NEWER, .sector = 45 },
    { .name = "two-positions-wraparound", .first = 1, .high = 0,
      .position = 20, .damage = TEST_DAMAGE_NEWER, .sector = 45 },
    { .name = "written-beyond-first-pass", .first = 1, .high = 1,
      .position = 20, .damage = TEST_DAMAGE_WRITTEN, .sector = 40 },
    { .name = "misplaced", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_MISPLACED, .sector = 12 },
    { .name = "outside-region", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_OUTSIDE, .sector = 13 },
    { .name = "flipped-bit", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_FLIP, .sector = 50, .word = 70 },
    { .name = "flipped-pass-word", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_FLIP, .sector = 51, .word = 2 },
    { .name = "flipped-check-word", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_FLIP, .sector = 52, .word = 3 },
    { .name = "garbage", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_GARBAGE, .sector = 3 },
    { .name = "memory-page", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_PAGE, .sector = 4 },
    { .name = "mixed-passes", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_MIXED, .sector = 20 },
    { .name = "truncated-sector", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_TRUNCATE, .word = 512 },
    { .name = "truncated-bytes", .first = 1, .high = 8, .position = 20,
      .damage = TEST_DAMAGE_TRUNCATE, .word = 100 },
    { .name = "min-pass-position", .first = 1, .high = 8, .position = 20,
      .checkMin = true, .minPass = 8, .sector = 20 },
    { .name = "min-pass-all", .first = 1, .high = 8, .position = 20,
      .checkMin = true, .minPass = 9, .sector = 0 },
    { .name = "min-pass-unwritten", .first = 1, .high = 1, .position = 20,
      .checkMin = true, .minPass = 1, .sector = 20 },
    { .name = "min-pass-wraparound-old", .first = 4294967290u, .high = 1,
      .position = 20, .checkMin = true, .minPass = 1, .sector = 20 },
};

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guestdiskcheck/classify", testClassify);
    g_test_add_func("/guestdiskcheck/no-region", testNoRegion);
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/guestdiskcheck/image/%s",
                                                cases[i].name);

        g_test_add_data_func(path, &cases[i], testCheck);
    }
    return g_test_run();
}
