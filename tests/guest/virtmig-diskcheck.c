/*
 * virtmig-diskcheck.c: checks the disk region of a test guest image
 *
 *   virtmig-diskcheck --image IMG [--min-pass N] [--verbose]
 *
 * IMG is the guest's raw disk image (a copy taken while QEMU was
 * stopped, or after it quit, or the destination's disk after a
 * migration); the region (disk-lba, disk-sectors) and the first pass
 * come from its own parameter blocks.  Prints one verdict line; exit
 * status 0: consistent, 1: inconsistent (the line names the first bad
 * sector), 2: usage or I/O error, or an image without a disk region.
 */
#include <stdio.h>

#include "guestdiskcheck.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_TEST

enum {
    DISKCHECK_OK = 0,
    DISKCHECK_INCONSISTENT = 1,
    DISKCHECK_ERROR = 2,
};

typedef struct _virDiskcheckOptions virDiskcheckOptions;
struct _virDiskcheckOptions {
    char *image;
    gint64 minPass;
    gboolean verbose;
    GStrv args;
};

static void
virDiskcheckOptionsClear(virDiskcheckOptions *opts)
{
    g_clear_pointer(&opts->image, g_free);
    g_clear_pointer(&opts->args, g_strfreev);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virDiskcheckOptions,
                                 virDiskcheckOptionsClear);

static int
virDiskcheckParseArgs(int argc, char **argv, virDiskcheckOptions *opts)
{
    GOptionEntry entries[] = {
        { "image", 'i', 0, G_OPTION_ARG_FILENAME, &opts->image,
          "the guest's raw disk image (parameters and region)", "IMG" },
        { "min-pass", 'm', 0, G_OPTION_ARG_INT64, &opts->minPass,
          "every sector must hold this pass or a later one (the last "
          "'disk round N' the guest printed)", "N" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opts->verbose,
          "list the first bad sectors", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY,
          &opts->args, NULL, NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(GError) err = NULL;

    opts->minPass = -1;
    g_option_context_set_summary(ctx,
        "Checks the disk region the virtmig test guest rewrites.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        g_printerr("virtmig-diskcheck: %s\n", err->message);
        return -1;
    }
    if (!opts->image || opts->args || opts->minPass > G_MAXUINT32 ||
        opts->minPass < -1) {
        g_printerr("virtmig-diskcheck: bad usage (see --help)\n");
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    g_auto(virDiskcheckOptions) opts = { 0 };
    g_auto(virGuestDiskCheckResult) res = { 0 };
    g_autoptr(GMappedFile) image = NULL;
    g_autoptr(GError) err = NULL;
    virGuestParams params = { 0 };
    const guint8 *data;
    gsize len;
    guint32 minPass = 0;
    guint i;

    /* errors are printed once by the tool itself, not logged */
    ignore_value(virLogSetup(VIR_LOG_ERROR + 1, NULL, NULL));
    if (virDiskcheckParseArgs(argc, argv, &opts) < 0)
        return DISKCHECK_ERROR;
    if (!(image = g_mapped_file_new(opts.image, FALSE, &err))) {
        g_printerr("virtmig-diskcheck: %s\n", err->message);
        return DISKCHECK_ERROR;
    }
    data = (const guint8 *)g_mapped_file_get_contents(image);
    len = g_mapped_file_get_length(image);
    if (virGuestParamsParse(data, len, &params) < 0) {
        g_printerr("virtmig-diskcheck: %s\n", virGetLastErrorMessage());
        return DISKCHECK_ERROR;
    }
    if (params.diskSectors == 0) {
        g_printerr("virtmig-diskcheck: '%s' has no disk region (made without --disk-sectors)\n",
                   opts.image);
        return DISKCHECK_ERROR;
    }
    if (virGuestParamsValidate(&params) < 0) {
        g_printerr("virtmig-diskcheck: %s\n", virGetLastErrorMessage());
        return DISKCHECK_ERROR;
    }
    if (opts.minPass >= 0)
        minPass = opts.minPass;

    virGuestDiskCheck(&params, data, len, opts.minPass >= 0 ? &minPass : NULL,
                      &res);
    printf("%s\n", res.summary);
    if (opts.verbose) {
        for (i = 0; i < res.details->len; i++)
            printf("  %s\n", (const char *)g_ptr_array_index(res.details, i));
    }
    return res.ok ? DISKCHECK_OK : DISKCHECK_INCONSISTENT;
}
