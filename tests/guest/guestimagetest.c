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
    g_assert_true(memcmp(&params, &testDefaults, sizeof(params)) == 0);

    /* the documented byte layout, little-endian at offset 8 */
    virGuestParamsFormat(&changed, program);
    g_assert_true(memcmp(program + VIR_GUEST_PARAMS_OFFSET, block,
                         sizeof(block)) == 0);
    g_assert_cmpuint(program[VIR_GUEST_PARAMS_OFFSET - 1], ==,
                     (guint8)((VIR_GUEST_PARAMS_OFFSET - 1) * 7));
    g_assert_cmpuint(program[after], ==, (guint8)(after * 7));
    g_assert_cmpint(virGuestParamsParse(program, sizeof(program), &params),
                    ==, 0);
    g_assert_true(memcmp(&params, &changed, sizeof(params)) == 0);
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
    g_assert_true(memcmp(&loaded, &params, sizeof(loaded)) == 0);

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

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guestimage/params/round-trip", testParamsRoundTrip);
    g_test_add_func("/guestimage/params/parse-errors", testParamsParseErrors);
    g_test_add_func("/guestimage/params/validate", testParamsValidate);
    g_test_add_func("/guestimage/params/to-string", testParamsToString);
    g_test_add_func("/guestimage/image/write-load", testImageWriteLoad);
    return g_test_run();
}
