/*
 * guestimagetest.c: the test guest's parameter block and image files
 */
#include <string.h>
#include <glib/gstdio.h>

#include "testutils.h"
#include "guestimage.h"
#include "guestpattern.h"
#include "virerror.h"

static const virGuestParams testDefaults = {
    .base = 0x200000,
    .pages = 4096,
    .rate = 4096,
    .firstPass = 1,
    .flags = VIR_GUEST_FLAG_FILL,
};

static void
testAssertParamsEqual(const virGuestParams *a, const virGuestParams *b)
{
    g_assert_cmpuint(a->base, ==, b->base);
    g_assert_cmpuint(a->pages, ==, b->pages);
    g_assert_cmpuint(a->rate, ==, b->rate);
    g_assert_cmpuint(a->firstPass, ==, b->firstPass);
    g_assert_cmpuint(a->flags, ==, b->flags);
    g_assert_cmpint(a->hasDisk, ==, b->hasDisk);
    g_assert_cmpuint(a->diskLba, ==, b->diskLba);
    g_assert_cmpuint(a->diskSectors, ==, b->diskSectors);
    g_assert_cmpuint(a->diskRate, ==, b->diskRate);
}

/* A fake boot program: signature, block, recognisable code bytes. */
static void
testMakeProgram(guint8 *program, gsize len)
{
    gsize i;

    for (i = 0; i < len; i++)
        program[i] = i * 7;
    program[510] = 0x55;
    program[511] = 0xaa;
    virGuestParamsFormat(&testDefaults, program);
}

static void
testParamsRoundTrip(void)
{
    const gsize after = VIR_GUEST_PARAMS_OFFSET + VIR_GUEST_PARAMS_SIZE;
    guint8 program[VIR_GUEST_PROGRAM_SIZE];
    virGuestParams params = { 0 };
    virGuestParams changed = {
        .base = 0x10000000, .pages = 16384, .rate = 0,
        .firstPass = G_MAXUINT32, .flags = 0,
    };
    static const guint8 block[VIR_GUEST_PARAMS_SIZE] = {
        'V', 'M', 'G', 'U', 'E', 'S', 'T', '1',
        0x00, 0x00, 0x00, 0x10,  0x00, 0x40, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00,  0xff, 0xff, 0xff, 0xff,
        0x00, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
    };

    testMakeProgram(program, sizeof(program));
    g_assert_cmpint(virGuestParamsParse(program, sizeof(program), &params),
                    ==, 0);
    testAssertParamsEqual(&params, &testDefaults);

    /* the documented byte layout, little-endian at offset 8 */
    virGuestParamsFormat(&changed, program);
    g_assert_true(memcmp(program + VIR_GUEST_PARAMS_OFFSET, block,
                         sizeof(block)) == 0);
    g_assert_cmpuint(program[VIR_GUEST_PARAMS_OFFSET - 1], ==,
                     (guint8)((VIR_GUEST_PARAMS_OFFSET - 1) * 7));
    g_assert_cmpuint(program[after], ==, (guint8)(after * 7));
    g_assert_cmpint(virGuestParamsParse(program, sizeof(program), &params),
                    ==, 0);
    testAssertParamsEqual(&params, &changed);
}

static void
testParamsParseErrors(void)
{
    guint8 program[VIR_GUEST_PROGRAM_SIZE];
    virGuestParams params = { 0 };

    testMakeProgram(program, sizeof(program));
    g_assert_cmpint(virGuestParamsParse(program, 511, &params), ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "invalid argument: guest image holds 511 bytes, less than a sector");

    program[511] = 0;
    g_assert_cmpint(virGuestParamsParse(program, sizeof(program), &params),
                    ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "invalid argument: guest image has no boot sector signature");

    testMakeProgram(program, sizeof(program));
    program[VIR_GUEST_PARAMS_OFFSET + 7] = '2';
    g_assert_cmpint(virGuestParamsParse(program, sizeof(program), &params),
                    ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "invalid argument: guest image has no 'VMGUEST1' parameter block");
}

static void
testParamsValidate(void)
{
    virGuestParams p = testDefaults;

    g_assert_cmpint(virGuestParamsValidate(&p), ==, 0);
    g_assert_cmpuint(virGuestParamsRangeEnd(&p), ==, 18 * 1024 * 1024);
    g_assert_cmpuint(virGuestParamsMemoryMiB(&p), ==, 18);
    p.pages = 1;
    g_assert_cmpuint(virGuestParamsMemoryMiB(&p), ==, 3);

    p = testDefaults;
    p.base = 0x201000;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, 0);
    p.base = 0x200800;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    p.base = 0xff000;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, -1);

    p = testDefaults;
    p.pages = 0;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, -1);
    p.pages = (0xc0000000u - p.base) / VIR_GUEST_PAGE_SIZE;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, 0);
    p.pages++;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "invalid argument: range of 785921 pages at 0x200000 must be non-empty and end below 3 GiB");

    p = testDefaults;
    p.rate = 0;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, 0);
    p.rate = VIR_GUEST_RATE_MIN - 1;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, -1);
    p.rate = VIR_GUEST_RATE_MIN;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, 0);

    p = testDefaults;
    p.flags = 0x2;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, -1);
}

static void
testParamsToString(void)
{
    g_autofree char *str = virGuestParamsToString(&testDefaults);

    g_assert_cmpstr(str, ==,
                    "base=2097152 pages=4096 rate=4096 first-pass=1 flags=1 memory-mib=18");
}

static void
testImageWriteLoad(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("guestimagetest-XXXXXX", &err);
    g_autofree char *path = g_build_filename(dir, "guest.img", NULL);
    g_autofree guint8 *image = NULL;
    guint8 program[VIR_GUEST_PROGRAM_SIZE];
    guint8 expected[VIR_GUEST_PROGRAM_SIZE];
    virGuestParams params = testDefaults;
    virGuestParams loaded = { 0 };
    gsize len = 0;
    gsize i;

    g_assert_no_error(err);
    testMakeProgram(program, sizeof(program));
    params.pages = 256;
    params.flags = 0;
    g_assert_cmpint(virGuestImageWrite(path, program, sizeof(program),
                                       &params), ==, 0);
    image = virGuestImageLoad(path, &len, &loaded);
    g_assert_nonnull(image);
    g_assert_cmpuint(len, ==, VIR_GUEST_IMAGE_SIZE);
    testAssertParamsEqual(&loaded, &params);

    /* program kept apart from the block, zero padding after it */
    memcpy(expected, program, sizeof(expected));
    virGuestParamsFormat(&params, expected);
    g_assert_true(memcmp(image, expected, sizeof(expected)) == 0);
    for (i = sizeof(program); i < len; i++)
        g_assert_cmpuint(image[i], ==, 0);

    /* an image is also valid input */
    g_clear_pointer(&image, g_free);
    g_assert_cmpint(virGuestImageWrite(path, program, sizeof(program) - 512,
                                       &testDefaults), ==, 0);
    image = virGuestImageLoad(path, &len, &loaded);
    g_assert_nonnull(image);
    g_assert_cmpuint(loaded.pages, ==, 4096);

    g_assert_cmpint(virGuestImageWrite(path, program, 100, &params), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    g_assert_null(virGuestImageLoad("/nonexistent/guest.img", &len, &loaded));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_SYSTEM_ERROR);

    g_assert_cmpint(g_unlink(path), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static const virGuestParams testDiskParams = {
    .base = 0x200000,
    .pages = 4096,
    .rate = 4096,
    .firstPass = 1,
    .flags = VIR_GUEST_FLAG_FILL,
    .hasDisk = true,
    .diskLba = 2048,
    .diskSectors = 1024,
    .diskRate = 512,
};

static void
testDiskParamsRoundTrip(void)
{
    const gsize after = VIR_GUEST_DISK_PARAMS_OFFSET + VIR_GUEST_DISK_PARAMS_SIZE;
    guint8 program[VIR_GUEST_PROGRAM_SIZE];
    virGuestParams params = { 0 };
    static const guint8 block[VIR_GUEST_DISK_PARAMS_SIZE] = {
        'V', 'M', 'G', 'D', 'I', 'S', 'K', '1',
        0x00, 0x08, 0x00, 0x00,  0x00, 0x04, 0x00, 0x00,
        0x00, 0x02, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
    };

    /* without the disk block (a program older than the disk writer):
     * no disk, and formatting leaves the code after the block alone */
    testMakeProgram(program, sizeof(program));
    g_assert_cmpint(virGuestParamsParse(program, sizeof(program), &params),
                    ==, 0);
    g_assert_false(params.hasDisk);
    g_assert_cmpuint(params.diskLba, ==, 0);
    g_assert_cmpuint(params.diskSectors, ==, 0);
    g_assert_cmpuint(params.diskRate, ==, 0);

    /* the documented byte layout at offset 40, after the first block */
    g_assert_cmpuint(VIR_GUEST_DISK_PARAMS_OFFSET, ==, 40);
    virGuestParamsFormat(&testDiskParams, program);
    g_assert_true(memcmp(program + VIR_GUEST_DISK_PARAMS_OFFSET, block,
                         sizeof(block)) == 0);
    g_assert_true(memcmp(program + VIR_GUEST_PARAMS_OFFSET, "VMGUEST1", 8) == 0);
    g_assert_cmpuint(program[after], ==, (guint8)(after * 7));
    g_assert_cmpint(virGuestParamsParse(program, sizeof(program), &params),
                    ==, 0);
    testAssertParamsEqual(&params, &testDiskParams);

    /* a boot program without the disk block cannot take a region */
    testMakeProgram(program, sizeof(program));
    g_assert_cmpint(virGuestParamsParse(program, sizeof(program), &params),
                    ==, 0);
    params.diskSectors = 8;
    g_assert_cmpint(virGuestParamsValidate(&params), ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "invalid argument: the boot program has no disk writer (no 'VMGDISK1' parameter block)");
}

static void
testDiskParamsValidate(void)
{
    virGuestParams p = testDiskParams;

    g_assert_cmpint(virGuestParamsValidate(&p), ==, 0);
    g_assert_cmpuint(virGuestParamsImageSize(&p), ==, 3072 * 512);

    /* off: no region, or a region and rate 0 */
    p.diskSectors = 0;
    p.diskRate = 0;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, 0);
    g_assert_cmpuint(virGuestParamsImageSize(&p), ==, VIR_GUEST_IMAGE_SIZE);
    p.diskSectors = 16;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, 0);

    /* a rate needs a region, and is at least 16 */
    p = testDiskParams;
    p.diskSectors = 0;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, -1);
    p = testDiskParams;
    p.diskRate = VIR_GUEST_DISK_RATE_MIN - 1;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "invalid argument: disk rate 15 must be 0 (off) or at least 16 sectors per second, with a disk region");
    p.diskRate = VIR_GUEST_DISK_RATE_MIN;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, 0);

    /* the region: after the program, below LBA 2^28, at most 2 GiB */
    p = testDiskParams;
    p.diskLba = VIR_GUEST_PROGRAM_SIZE / 512;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, 0);
    g_assert_cmpuint(virGuestParamsImageSize(&p), ==, VIR_GUEST_IMAGE_SIZE);
    p.diskLba--;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "invalid argument: disk region of 1024 sectors at LBA 3 must start after the boot program (LBA 4) and end below LBA 2^28");
    p.diskLba = (1u << 28) - p.diskSectors;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, 0);
    p.diskLba++;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, -1);
    p = testDiskParams;
    p.diskSectors = VIR_GUEST_DISK_SECTORS_MAX;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, 0);
    g_assert_cmpuint(virGuestParamsImageSize(&p), ==,
                     (2048ull + VIR_GUEST_DISK_SECTORS_MAX) * 512);
    p.diskSectors++;
    g_assert_cmpint(virGuestParamsValidate(&p), ==, -1);
}

static void
testDiskParamsToString(void)
{
    g_autofree char *str = virGuestParamsToString(&testDiskParams);
    virGuestParams off = testDiskParams;
    g_autofree char *offStr = NULL;

    g_assert_cmpstr(str, ==,
                    "base=2097152 pages=4096 rate=4096 first-pass=1 flags=1 memory-mib=18 disk-lba=2048 disk-sectors=1024 disk-rate=512 image-size=1572864");
    /* without a region: as before the disk writer */
    off.diskSectors = 0;
    off.diskRate = 0;
    offStr = virGuestParamsToString(&off);
    g_assert_cmpstr(offStr, ==,
                    "base=2097152 pages=4096 rate=4096 first-pass=1 flags=1 memory-mib=18");
}

static void
testDiskImageWriteLoad(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("guestimagetest-XXXXXX", &err);
    g_autofree char *path = g_build_filename(dir, "disk.img", NULL);
    g_autofree guint8 *image = NULL;
    g_autofree guint8 *used = g_malloc0(VIR_GUEST_IMAGE_SIZE);
    guint8 program[VIR_GUEST_PROGRAM_SIZE];
    virGuestParams params = testDiskParams;
    virGuestParams loaded = { 0 };
    GStatBuf sb;
    gsize len = 0;
    gsize i;

    g_assert_no_error(err);
    testMakeProgram(program, sizeof(program));
    virGuestParamsFormat(&params, program);

    /* grown to the end of the region */
    g_assert_cmpint(virGuestImageWrite(path, program, sizeof(program),
                                       &params), ==, 0);
    g_assert_cmpint(g_stat(path, &sb), ==, 0);
    g_assert_cmpuint(sb.st_size, ==, (2048 + 1024) * 512);

    /* a grown image is valid input: its first MiB is read */
    image = virGuestImageLoad(path, &len, &loaded);
    g_assert_nonnull(image);
    g_assert_cmpuint(len, ==, VIR_GUEST_IMAGE_SIZE);
    testAssertParamsEqual(&loaded, &params);
    g_clear_pointer(&image, g_free);

    /* a region inside the first MiB of a used image starts out zero */
    memcpy(used, program, sizeof(program));
    memset(used + sizeof(program), 0x5a, VIR_GUEST_IMAGE_SIZE - sizeof(program));
    params.diskLba = 100;
    params.diskSectors = 50;
    g_assert_cmpint(virGuestImageWrite(path, used, VIR_GUEST_IMAGE_SIZE,
                                       &params), ==, 0);
    g_assert_cmpint(g_stat(path, &sb), ==, 0);
    g_assert_cmpuint(sb.st_size, ==, VIR_GUEST_IMAGE_SIZE);
    image = virGuestImageLoad(path, &len, &loaded);
    g_assert_nonnull(image);
    testAssertParamsEqual(&loaded, &params);
    g_assert_cmpuint(image[100 * 512 - 1], ==, 0x5a);
    for (i = 100 * 512; i < len; i++)
        g_assert_cmpuint(image[i], ==, 0);

    g_assert_cmpint(g_unlink(path), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guestimage/params/round-trip", testParamsRoundTrip);
    g_test_add_func("/guestimage/params/parse-errors", testParamsParseErrors);
    g_test_add_func("/guestimage/params/validate", testParamsValidate);
    g_test_add_func("/guestimage/params/to-string", testParamsToString);
    g_test_add_func("/guestimage/image/write-load", testImageWriteLoad);
    g_test_add_func("/guestimage/disk/round-trip", testDiskParamsRoundTrip);
    g_test_add_func("/guestimage/disk/validate", testDiskParamsValidate);
    g_test_add_func("/guestimage/disk/to-string", testDiskParamsToString);
    g_test_add_func("/guestimage/disk/write-load", testDiskImageWriteLoad);
    return g_test_run();
}
