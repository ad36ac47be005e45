/*
 * virtmig-memcheck.c: checks a RAM dump of the test guest's range
 *
 *   virtmig-memcheck --image IMG [--running] [--verbose] DUMP
 *   virtmig-memcheck --base ADDR (--pages N | --size-mib N) [--no-fill]
 *                    [--running] [--verbose] DUMP
 *
 * DUMP is the range as QMP pmemsave writes it (val = base, size =
 * pages * 4096).  Prints one verdict line; exit status 0: consistent,
 * 1: inconsistent (the line names the first bad page), 2: usage or
 * I/O error.
 */
#include <stdio.h>

#include "guestcheck.h"
#include "guestpattern.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_TEST

enum {
    MEMCHECK_OK = 0,
    MEMCHECK_INCONSISTENT = 1,
    MEMCHECK_ERROR = 2,
};

typedef struct _virMemcheckOptions virMemcheckOptions;
struct _virMemcheckOptions {
    char *image;
    gint64 base;
    gint64 pages;
    gint64 sizeMiB;
    gboolean noFill;
    gboolean running;
    gboolean verbose;
    GStrv args;
};

static void
virMemcheckOptionsClear(virMemcheckOptions *opts)
{
    g_clear_pointer(&opts->image, g_free);
    g_clear_pointer(&opts->args, g_strfreev);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virMemcheckOptions, virMemcheckOptionsClear);

static int
virMemcheckParseArgs(int argc, char **argv, virMemcheckOptions *opts)
{
    GOptionEntry entries[] = {
        { "image", 'i', 0, G_OPTION_ARG_FILENAME, &opts->image,
          "take base, pages and flags from the guest image", "IMG" },
        { "base", 'b', 0, G_OPTION_ARG_INT64, &opts->base,
          "guest-physical base of the range", "ADDR" },
        { "pages", 'p', 0, G_OPTION_ARG_INT64, &opts->pages,
          "pages (4 KiB) in the range", "N" },
        { "size-mib", 's', 0, G_OPTION_ARG_INT64, &opts->sizeMiB,
          "size of the range in MiB", "N" },
        { "no-fill", 0, 0, G_OPTION_ARG_NONE, &opts->noFill,
          "the guest writes only header and trailer words", NULL },
        { "running", 'r', 0, G_OPTION_ARG_NONE, &opts->running,
          "the dump was taken while the guest ran", NULL },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opts->verbose,
          "list the first bad pages", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY,
          &opts->args, NULL, "DUMP" },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("DUMP");
    g_autoptr(GError) err = NULL;

    opts->base = -1;
    g_option_context_set_summary(ctx,
        "Checks a pmemsave dump of the virtmig test guest's memory range.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        g_printerr("virtmig-memcheck: %s\n", err->message);
        return -1;
    }
    if (!opts->args || g_strv_length(opts->args) != 1) {
        g_printerr("virtmig-memcheck: expected one DUMP file (see --help)\n");
        return -1;
    }
    return 0;
}

/* Range parameters from the image, or from --base/--pages/--size-mib. */
static int
virMemcheckGetParams(const virMemcheckOptions *opts, virGuestParams *params)
{
    g_autofree guint8 *image = NULL;
    gsize len = 0;

    if (opts->image) {
        if (!(image = virGuestImageLoad(opts->image, &len, params))) {
            g_printerr("virtmig-memcheck: %s\n", virGetLastErrorMessage());
            return -1;
        }
        return 0;
    }
    if (opts->base < 0 || (opts->pages <= 0) == (opts->sizeMiB <= 0)) {
        g_printerr("virtmig-memcheck: give --image, or --base and one of --pages, --size-mib\n");
        return -1;
    }
    params->base = opts->base;
    params->pages = opts->pages;
    if (opts->sizeMiB > 0)
        params->pages = opts->sizeMiB * (1024 * 1024 / VIR_GUEST_PAGE_SIZE);
    params->flags = opts->noFill ? 0 : VIR_GUEST_FLAG_FILL;
    params->firstPass = 1;
    if (opts->base > G_MAXUINT32 || opts->pages > G_MAXUINT32 ||
        opts->sizeMiB > 4096) {
        g_printerr("virtmig-memcheck: the range must end below 4 GiB\n");
        return -1;
    }
    if (virGuestParamsValidate(params) < 0) {
        g_printerr("virtmig-memcheck: %s\n", virGetLastErrorMessage());
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    g_auto(virMemcheckOptions) opts = { 0 };
    g_auto(virGuestCheckResult) res = { 0 };
    g_autoptr(GMappedFile) dump = NULL;
    g_autoptr(GError) err = NULL;
    virGuestParams params = { 0 };
    virGuestCheckMode mode = VIR_GUEST_CHECK_PAUSED;
    guint i;

    /* errors are printed once by the tool itself, not logged */
    ignore_value(virLogSetup(VIR_LOG_ERROR + 1, NULL, NULL));
    if (virMemcheckParseArgs(argc, argv, &opts) < 0 ||
        virMemcheckGetParams(&opts, &params) < 0)
        return MEMCHECK_ERROR;
    if (!(dump = g_mapped_file_new(opts.args[0], FALSE, &err))) {
        g_printerr("virtmig-memcheck: %s\n", err->message);
        return MEMCHECK_ERROR;
    }
    if (opts.running)
        mode = VIR_GUEST_CHECK_RUNNING;

    virGuestCheckDump(&params,
                      (const guint8 *)g_mapped_file_get_contents(dump),
                      g_mapped_file_get_length(dump), mode, &res);
    printf("%s\n", res.summary);
    if (opts.verbose) {
        for (i = 0; i < res.details->len; i++)
            printf("  %s\n", (const char *)g_ptr_array_index(res.details, i));
    }
    return res.ok ? MEMCHECK_OK : MEMCHECK_INCONSISTENT;
}
