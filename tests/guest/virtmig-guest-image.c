/*
 * virtmig-guest-image.c: makes a test guest image with chosen parameters
 *
 *   virtmig-guest-image [--input IMG] [--base ADDR] [--size-mib N |
 *       --pages N] [--rate PAGES_PER_S | --rate-mib MIB_PER_S]
 *       [--first-pass N] [--fill | --no-fill]
 *       [--disk-sectors N | --disk-size-mib N] [--disk-lba LBA]
 *       [--disk-rate SECTORS_PER_S] (-o OUT | --show)
 *
 * Reads the boot program or an image (default: the image meson built),
 * changes the parameters given, checks them and writes a raw disk
 * image: 1 MiB, or up to the end of the disk region if there is one
 * (by default at LBA 2048, i.e. after the first MiB).  A disk region
 * given without a disk rate is written at VIR_GUEST_DISK_RATE_DEFAULT
 * sectors per second; --disk-rate 0 turns the disk writer off.  --show
 * prints the resulting parameters as one line of key=value pairs
 * (memory-mib is the smallest QEMU -m that backs the range).  Exit
 * status 0 on success, 1 on error.
 */
#include <stdio.h>
#include <string.h>

#include "guestimage.h"
#include "guestpattern.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_TEST

#ifndef VIRTMIG_GUEST_DEFAULT_IMAGE
# define VIRTMIG_GUEST_DEFAULT_IMAGE "virtmig-guest.img"
#endif

typedef struct _virGuestImageOptions virGuestImageOptions;
struct _virGuestImageOptions {
    char *input;
    char *output;
    char *base;
    char *pages;
    char *sizeMiB;
    char *rate;
    char *rateMiB;
    char *firstPass;
    char *diskLba;
    char *diskSectors;
    char *diskSizeMiB;
    char *diskRate;
    gboolean fill;
    gboolean noFill;
    gboolean show;
};

static void
virGuestImageOptionsClear(virGuestImageOptions *opts)
{
    g_clear_pointer(&opts->input, g_free);
    g_clear_pointer(&opts->output, g_free);
    g_clear_pointer(&opts->base, g_free);
    g_clear_pointer(&opts->pages, g_free);
    g_clear_pointer(&opts->sizeMiB, g_free);
    g_clear_pointer(&opts->rate, g_free);
    g_clear_pointer(&opts->rateMiB, g_free);
    g_clear_pointer(&opts->firstPass, g_free);
    g_clear_pointer(&opts->diskLba, g_free);
    g_clear_pointer(&opts->diskSectors, g_free);
    g_clear_pointer(&opts->diskSizeMiB, g_free);
    g_clear_pointer(&opts->diskRate, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virGuestImageOptions,
                                 virGuestImageOptionsClear);

/*
 * Parses a decimal or 0x-prefixed hexadecimal number with an optional
 * K, M or G (binary) suffix into @val.  Returns 0 or -1 (reported).
 */
static int
virGuestImageParseNumber(const char *name, const char *str, guint32 *val)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *digits = g_strdup(str);
    size_t len = strlen(digits);
    guint64 scale = 1;
    guint base = 10;
    const char *start = digits;
    guint64 num = 0;

    if (len > 0) {
        switch (g_ascii_tolower(digits[len - 1])) {
        case 'k':
            scale = 1024;
            break;
        case 'm':
            scale = 1024 * 1024;
            break;
        case 'g':
            scale = 1024 * 1024 * 1024;
            break;
        default:
            break;
        }
    }
    if (scale > 1)
        digits[len - 1] = '\0';
    if (g_str_has_prefix(digits, "0x") || g_str_has_prefix(digits, "0X")) {
        base = 16;
        start += 2;
    }
    if (!g_ascii_string_to_unsigned(start, base, 0, G_MAXUINT32, &num, &err) ||
        num * scale > G_MAXUINT32) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("--%1$s: '%2$s' is not a 32-bit number"), name, str);
        return -1;
    }
    *val = num * scale;
    return 0;
}

static int
virGuestImageParseArgs(int argc, char **argv, virGuestImageOptions *opts)
{
    GOptionEntry entries[] = {
        { "input", 'i', 0, G_OPTION_ARG_FILENAME, &opts->input,
          "boot program or image to start from (default: the built image)",
          "IMG" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opts->output,
          "image to write", "OUT" },
        { "base", 'b', 0, G_OPTION_ARG_STRING, &opts->base,
          "guest-physical base of the range (e.g. 0x200000, 2M)", "ADDR" },
        { "pages", 'p', 0, G_OPTION_ARG_STRING, &opts->pages,
          "pages (4 KiB) in the range", "N" },
        { "size-mib", 's', 0, G_OPTION_ARG_STRING, &opts->sizeMiB,
          "size of the range in MiB", "N" },
        { "rate", 'r', 0, G_OPTION_ARG_STRING, &opts->rate,
          "max pages written per second, 0: unthrottled", "N" },
        { "rate-mib", 0, 0, G_OPTION_ARG_STRING, &opts->rateMiB,
          "max MiB written per second, 0: unthrottled", "N" },
        { "first-pass", 0, 0, G_OPTION_ARG_STRING, &opts->firstPass,
          "number of the first pass", "N" },
        { "fill", 0, 0, G_OPTION_ARG_NONE, &opts->fill,
          "write whole pages", NULL },
        { "no-fill", 0, 0, G_OPTION_ARG_NONE, &opts->noFill,
          "write only the header and trailer words of each page", NULL },
        { "disk-sectors", 0, 0, G_OPTION_ARG_STRING, &opts->diskSectors,
          "sectors (512 bytes) in the disk region the guest rewrites, 0: none",
          "N" },
        { "disk-size-mib", 0, 0, G_OPTION_ARG_STRING, &opts->diskSizeMiB,
          "size of the disk region in MiB", "N" },
        { "disk-lba", 0, 0, G_OPTION_ARG_STRING, &opts->diskLba,
          "first sector of the disk region (default 2048, after the first MiB)",
          "LBA" },
        { "disk-rate", 0, 0, G_OPTION_ARG_STRING, &opts->diskRate,
          "max sectors written per second, 0: disk writer off (default 256 with a region)",
          "N" },
        { "show", 0, 0, G_OPTION_ARG_NONE, &opts->show,
          "print the resulting parameters", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(GError) err = NULL;

    g_option_context_set_summary(ctx,
        "Writes a virtmig test guest image with the given parameters.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        g_printerr("virtmig-guest-image: %s\n", err->message);
        return -1;
    }
    if (argc > 1 || (!opts->output && !opts->show) ||
        (opts->pages && opts->sizeMiB) || (opts->rate && opts->rateMiB) ||
        (opts->fill && opts->noFill) ||
        (opts->diskSectors && opts->diskSizeMiB)) {
        g_printerr("virtmig-guest-image: bad usage (see --help)\n");
        return -1;
    }
    return 0;
}

static int
virGuestImageApplyDiskOptions(const virGuestImageOptions *opts,
                              virGuestParams *params)
{
    bool region = opts->diskSectors || opts->diskSizeMiB;
    guint32 num;

    if (!region && !opts->diskLba && !opts->diskRate)
        return 0;
    if (!params->hasDisk) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("the input's boot program has no disk writer (no 'VMGDISK1' parameter block)"));
        return -1;
    }
    if (opts->diskSectors &&
        virGuestImageParseNumber("disk-sectors", opts->diskSectors,
                                 &params->diskSectors) < 0)
        return -1;
    if (opts->diskSizeMiB) {
        if (virGuestImageParseNumber("disk-size-mib", opts->diskSizeMiB,
                                     &num) < 0)
            return -1;
        params->diskSectors = MIN(num, 1024 * 1024) * (1024 * 1024 / 512);
    }
    if (opts->diskLba &&
        virGuestImageParseNumber("disk-lba", opts->diskLba,
                                 &params->diskLba) < 0)
        return -1;
    if (opts->diskRate &&
        virGuestImageParseNumber("disk-rate", opts->diskRate,
                                 &params->diskRate) < 0)
        return -1;
    if (region && !opts->diskRate) {
        /* a region turns the writer on, no region turns it off */
        if (params->diskSectors == 0)
            params->diskRate = 0;
        else if (params->diskRate == 0)
            params->diskRate = VIR_GUEST_DISK_RATE_DEFAULT;
    }
    return 0;
}

static int
virGuestImageApplyOptions(const virGuestImageOptions *opts,
                          virGuestParams *params)
{
    guint32 num;

    if (opts->base &&
        virGuestImageParseNumber("base", opts->base, &params->base) < 0)
        return -1;
    if (opts->pages &&
        virGuestImageParseNumber("pages", opts->pages, &params->pages) < 0)
        return -1;
    if (opts->sizeMiB) {
        if (virGuestImageParseNumber("size-mib", opts->sizeMiB, &num) < 0)
            return -1;
        params->pages = MIN(num, 4096) * (1024 * 1024 / VIR_GUEST_PAGE_SIZE);
    }
    if (opts->rate &&
        virGuestImageParseNumber("rate", opts->rate, &params->rate) < 0)
        return -1;
    if (opts->rateMiB) {
        if (virGuestImageParseNumber("rate-mib", opts->rateMiB, &num) < 0)
            return -1;
        params->rate = MIN(num, 1024 * 1024) *
                       (1024 * 1024 / VIR_GUEST_PAGE_SIZE);
    }
    if (opts->firstPass &&
        virGuestImageParseNumber("first-pass", opts->firstPass,
                                 &params->firstPass) < 0)
        return -1;
    if (opts->fill)
        params->flags |= VIR_GUEST_FLAG_FILL;
    if (opts->noFill)
        params->flags &= ~VIR_GUEST_FLAG_FILL;
    if (virGuestImageApplyDiskOptions(opts, params) < 0)
        return -1;
    return virGuestParamsValidate(params);
}

int
main(int argc, char **argv)
{
    g_auto(virGuestImageOptions) opts = { 0 };
    g_autofree guint8 *program = NULL;
    g_autofree char *desc = NULL;
    virGuestParams params = { 0 };
    const char *input;
    gsize len = 0;

    /* errors are printed once by the tool itself, not logged */
    ignore_value(virLogSetup(VIR_LOG_ERROR + 1, NULL, NULL));
    if (virGuestImageParseArgs(argc, argv, &opts) < 0)
        return 1;
    input = opts.input ? opts.input : VIRTMIG_GUEST_DEFAULT_IMAGE;
    if (!(program = virGuestImageLoad(input, &len, &params)) ||
        virGuestImageApplyOptions(&opts, &params) < 0 ||
        (opts.output &&
         virGuestImageWrite(opts.output, program, len, &params) < 0)) {
        g_printerr("virtmig-guest-image: %s\n", virGetLastErrorMessage());
        return 1;
    }
    if (opts.show) {
        desc = virGuestParamsToString(&params);
        printf("%s\n", desc);
    }
    return 0;
}
