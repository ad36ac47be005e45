/*
 * migrateprogresslinetest.c: virtmig-migrate's output on a terminal as
 * the terminal shows it.  A scripted migration (tty mode, a fixed
 * width) is written to memory and played on a minimal terminal (\r,
 * \n, ESC[K, automatic wrap at the last column); the screen after each
 * sample is compared with tests/migrateprogresslinedata/WIDTH.screen.
 * Also checked on every screen: no line wrapped by the terminal (the
 * redraw could not erase it), nothing left of a longer previous line.
 */
#include <stdio.h>
#include <string.h>

#include "testutils.h"
#include "migrate_progress.h"

#define MiB (1024ULL * 1024ULL)

/* time ms, pass, total/remaining MiB, dirty/transfer MiB/s, requests */
#define ST(t, it, total, left, dirty, bps, pc, req) \
    { MIGRATE_SAMPLE_STATS, t, true, pc, it, (total) * MiB, 0, (left) * MiB, \
      (dirty) * MiB, (bps) * MiB, req, 300, NULL }
#define EV(t, kind, it, text) \
    { MIGRATE_SAMPLE_ ## kind, t, false, false, it, 0, 0, 0, 0, 0, 0, 0, text }

typedef struct {
    migrateSample s;
    double eta;
} step;

/* A 16 GiB guest dirtying faster than its link: wide figures. */
static const step script[] = {
    { ST(200, 1, 16384, 16384, 0, 0, false, 0), 0 },
    { ST(400, 1, 16384, 15800, 0, 1130, false, 0), 14.2 },
    { ST(600, 1, 16384, 15100, 0, 1150, false, 0), 13.1 },
    { EV(14000, ITERATION, 2, NULL), 0 },
    { ST(14200, 2, 16384, 9300, 1210, 1148, false, 0), -1 },
    { ST(14400, 12, 16384, 9100, 1210, 1148, false, 0), -1 },
    { EV(14500, DECISION, 12, "pass 12: 8.9 GiB left after 12 passes, not less than "
         "the 8.7 GiB after pass 11 (dirty 1.2 GiB/s, link 1.1 GiB/s): switching to "
         "post-copy"), 0 },
    { EV(14600, PAUSED, 12, NULL), 0 },
    { EV(14600, POSTCOPY, 12, NULL), 0 },
    { ST(14800, 12, 16384, 8900, 1210, 1150, true, 17), 0 },
    { ST(15000, 12, 16384, 8700, 1210, 1150, true, 1234567), 0 },
    { ST(15200, 12, 16384, 300, 0, 1150, true, 1234600), 0 },
    { EV(22000, COMPLETED, 12, NULL), 0 },
};

/* The terminal: rows of text, the cursor; @wrapped counts the
 * automatic wraps at the right margin. */
typedef struct {
    GPtrArray *rows;            /* of GString */
    unsigned int width;
    size_t row, col;
    unsigned int wrapped;
} term;

static GString *
termRow(term *t, size_t i)
{
    while (t->rows->len <= i)
        g_ptr_array_add(t->rows, g_string_new(NULL));
    return g_ptr_array_index(t->rows, i);
}

static void
termPlay(term *t, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        GString *r = termRow(t, t->row);

        if (data[i] == '\r') {
            t->col = 0;
        } else if (data[i] == '\n') {           /* the tty's onlcr */
            t->row++;
            t->col = 0;
        } else if (data[i] == '\033' && i + 2 < len && data[i + 1] == '[' &&
                   data[i + 2] == 'K') {
            g_string_truncate(r, MIN(r->len, t->col));
            i += 2;
        } else {
            if (t->col == t->width) {
                t->wrapped++;
                t->row++;
                t->col = 0;
                r = termRow(t, t->row);
            }
            while (r->len < t->col)
                g_string_append_c(r, ' ');
            if (r->len == t->col)
                g_string_append_c(r, data[i]);
            else
                r->str[t->col] = data[i];
            t->col++;
        }
    }
}

static void
termDump(term *t, GString *out)
{
    for (size_t i = 0; i < t->rows->len; i++) {
        GString *r = g_ptr_array_index(t->rows, i);

        g_string_append_printf(out, "%s|%s\n", r->str, i == t->row ? " <" : "");
    }
}

static void
testScreen(gconstpointer data)
{
    unsigned int width = GPOINTER_TO_UINT(data);
    g_autofree char *golden = g_strdup_printf("migrateprogresslinedata/%u.screen", width);
    g_autoptr(GString) out = g_string_new(NULL);
    char *buf = NULL;
    size_t len = 0, played = 0;
    FILE *f = open_memstream(&buf, &len);
    migrateProgress *p = migrateProgressNew(MIGRATE_OUTPUT_NORMAL, f, true);
    term t = { .rows = g_ptr_array_new(), .width = width };

    migrateProgressSetWidth(p, width);
    for (size_t i = 0; i < G_N_ELEMENTS(script); i++) {
        migrateProgressSample(p, &script[i].s, script[i].eta, NULL);
        fflush(f);
        termPlay(&t, buf + played, len - played);
        played = len;
        g_string_append_printf(out, "--- %" G_GINT64_FORMAT " ms\n", script[i].s.timeMs);
        termDump(&t, out);
        for (size_t j = 0; j < t.rows->len; j++)
            g_assert_cmpuint(((GString *)g_ptr_array_index(t.rows, j))->len, <, width);
    }
    migrateProgressOutcome(p, "completed in post-copy", 0, NULL);
    migrateProgressFree(p);
    fclose(f);
    termPlay(&t, buf + played, len - played);
    g_string_append(out, "--- outcome\n");
    termDump(&t, out);

    /* never a line the terminal had to wrap */
    g_assert_cmpuint(t.wrapped, ==, 0);
    g_assert_true(virTestCompareToFile(out->str, golden));
    for (size_t j = 0; j < t.rows->len; j++)
        g_string_free(g_ptr_array_index(t.rows, j), TRUE);
    g_ptr_array_free(t.rows, TRUE);
    free(buf);
}

int
main(int argc, char **argv)
{
    static const unsigned int widths[] = { 120, 80, 40 };

    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(widths); i++) {
        g_autofree char *name = g_strdup_printf("/progress/screen/%u", widths[i]);

        g_test_add_data_func(name, GUINT_TO_POINTER(widths[i]), testScreen);
    }
    return g_test_run();
}
