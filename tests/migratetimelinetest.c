/*
 * migratetimelinetest.c: virtmig-migrate's timeline file (written byte
 * for byte as the golden JSON lines, read back to the same samples) and
 * its plot (SVG and PNG: size, the texts drawn, the lines where the
 * data puts them, staggered phase labels, degenerate timelines).
 *
 * The rendered plots stay in the build directory
 * (tests/migratetimelinetest-*.png / .svg) to be looked at.
 */
#include <math.h>
#include <string.h>

#include <cairo.h>

#include "testutils.h"
#include "migrate_plot.h"

#define MiB (1024ULL * 1024ULL)

/* time ms, iteration, processed/remaining MiB (of TOTAL), dirty/transfer MiB/s,
 * post-copy requests; valid statistics unless an event */
#define ST(t, it, done, left, dirty, bps, req) \
    { MIGRATE_SAMPLE_STATS, t, true, req > 0, it, TOTAL * MiB, (done) * MiB, \
      (left) * MiB, (dirty) * MiB, (bps) * MiB, req, 0, NULL }
#define EV(t, kind, it, text) \
    { MIGRATE_SAMPLE_ ## kind, t, false, false, it, 0, 0, 0, 0, 0, 0, 0, text }

/* 4 GiB guest dirtying 700 MiB/s over a 512 MiB/s link: the policy
 * switches to post-copy in pass 3. */
#define TOTAL 4096ULL
static migrateSample postcopySamples[] = {
    ST(0, 1, 0, 4096, 0, 0, 0),
    ST(2000, 1, 1020, 3076, 650, 510, 0),
    ST(4000, 1, 2040, 2056, 700, 510, 0),
    ST(6000, 1, 3060, 1036, 710, 510, 0),
    EV(8000, ITERATION, 2, NULL),
    ST(8000, 2, 4100, 2800, 715, 512, 0),
    ST(10000, 2, 5120, 2400, 730, 512, 0),
    ST(12000, 2, 6140, 2100, 700, 510, 0),
    EV(13500, ITERATION, 3, NULL),
    ST(13500, 3, 6900, 2600, 715, 512, 0),
    EV(13600, DECISION, 0, "pass 3: 2600 MiB left after 3 passes, dirty "
       "715 MiB/s > 512 MiB/s link: switching to post-copy"),
    EV(13800, POSTCOPY, 0, NULL),
    ST(14000, 3, 7000, 2500, 0, 512, 12),
    ST(16000, 3, 8020, 1480, 0, 510, 140),
    ST(18000, 3, 9040, 460, 0, 510, 260),
    ST(19000, 3, 9500, 0, 0, 500, 300),
    EV(19100, COMPLETED, 0, NULL),
};

/* 1 GiB guest dirtying 20 MiB/s over 250 MiB/s: converges in precopy. */
#undef TOTAL
#define TOTAL 1024ULL
static migrateSample precopySamples[] = {
    ST(0, 1, 0, 1024, 0, 0, 0),
    ST(1000, 1, 250, 774, 18, 250, 0),
    ST(2000, 1, 500, 524, 20, 252, 0),
    ST(3000, 1, 750, 274, 21, 250, 0),
    ST(4000, 1, 1000, 24, 20, 250, 0),
    EV(4100, ITERATION, 2, NULL),
    ST(4100, 2, 1024, 82, 20, 252, 0),
    EV(4300, DECISION, 0, "pass 2: 82 MiB left, \"slow\" shrink: "
       "raising max downtime to 500 ms"),
    ST(4400, 2, 1100, 8, 19, 250, 0),
    EV(4450, ITERATION, 3, NULL),
    ST(4450, 3, 1110, 3, 19, 250, 0),
    EV(4470, PAUSED, 0, NULL),
    EV(4520, COMPLETED, 0, NULL),
};
#undef TOTAL
#define TOTAL 0ULL

typedef struct {
    const char *name;
    const char *domain;
    const char *outcome;
    const migrateSample *samples;
    size_t n;
} timelineCase;

static const timelineCase cases[] = {
    { "postcopy", "guest-pc", "completed in post-copy",
      postcopySamples, G_N_ELEMENTS(postcopySamples) },
    { "precopy", "guest/1", "completed in precopy",
      precopySamples, G_N_ELEMENTS(precopySamples) },
};

static char *
testOutPath(const char *name, const char *ext)
{
    const char *dir = g_getenv("VIRTMIG_BUILD_DIR");

    return g_strdup_printf("%s/tests/migratetimelinetest-%s.%s",
                           dir ? dir : ".", name, ext);
}

static migrateTimeline *
testBuild(const timelineCase *c, const char *path)
{
    migrateTimeline *tl = migrateTimelineNew(path, c->domain);

    g_assert_nonnull(tl);
    for (size_t i = 0; i < c->n; i++)
        g_assert_cmpint(migrateTimelineAdd(tl, &c->samples[i]), ==, 0);
    migrateTimelineSetOutcome(tl, c->outcome);
    return tl;
}

static void
testSamplesEqual(const migrateTimeline *tl, const timelineCase *c)
{
    g_assert_cmpuint(migrateTimelineCount(tl), ==, c->n);
    g_assert_cmpstr(migrateTimelineDomain(tl), ==, c->domain);
    g_assert_cmpstr(migrateTimelineOutcome(tl), ==, c->outcome);
    for (size_t i = 0; i < c->n; i++) {
        const migrateSample *a = migrateTimelineGet(tl, i);
        const migrateSample *e = &c->samples[i];

        g_assert_cmpint(a->kind, ==, e->kind);
        g_assert_cmpint(a->timeMs, ==, e->timeMs);
        g_assert_cmpint(a->valid, ==, e->valid);
        g_assert_cmpint(a->postcopy, ==, e->postcopy);
        g_assert_cmpuint(a->iteration, ==, e->iteration);
        g_assert_cmpuint(a->memTotal, ==, e->memTotal);
        g_assert_cmpuint(a->memProcessed, ==, e->memProcessed);
        g_assert_cmpuint(a->memRemaining, ==, e->memRemaining);
        g_assert_cmpuint(a->dirtyRate, ==, e->dirtyRate);
        g_assert_cmpuint(a->bps, ==, e->bps);
        g_assert_cmpuint(a->postcopyRequests, ==, e->postcopyRequests);
        g_assert_cmpuint(a->downtimeMs, ==, e->downtimeMs);
        g_assert_cmpstr(a->text, ==, e->text);
    }
    g_assert_null(migrateTimelineGet(tl, c->n));
}

/* Written from the table: the golden file byte for byte. */
static void
testWrite(const void *opaque)
{
    const timelineCase *c = opaque;
    g_autofree char *path = testOutPath(c->name, "jsonl");
    g_autofree char *golden = g_strdup_printf("migratetimelinedata/%s.jsonl", c->name);
    g_autofree char *data = NULL;
    migrateTimeline *tl = testBuild(c, path);

    /* flushed per line: complete before the timeline is closed */
    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    g_assert_true(virTestCompareToFile(data, golden));
    testSamplesEqual(tl, c);
    migrateTimelineFree(tl);
}

/* The golden file read back: the table. */
static void
testRead(const void *opaque)
{
    const timelineCase *c = opaque;
    g_autofree char *rel = g_strdup_printf("migratetimelinedata/%s.jsonl", c->name);
    g_autofree char *path = virTestSrcPath(rel);
    migrateTimeline *tl = migrateTimelineRead(path);

    g_assert_nonnull(tl);
    testSamplesEqual(tl, c);
    migrateTimelineFree(tl);
}

/* A line cut by a kill is dropped; garbage elsewhere is an error. */
static void
testReadDamaged(void)
{
    g_autofree char *golden = virTestLoadFile("migratetimelinedata/precopy.jsonl");
    g_autofree char *path = testOutPath("damaged", "jsonl");
    g_autofree char *cut = NULL;
    g_autofree char *bad = NULL;
    migrateTimeline *tl;

    cut = g_strndup(golden, strlen(golden) - 10);
    g_assert_true(g_file_set_contents(path, cut, -1, NULL));
    tl = migrateTimelineRead(path);
    g_assert_nonnull(tl);
    g_assert_cmpuint(migrateTimelineCount(tl), ==, G_N_ELEMENTS(precopySamples));
    g_assert_null(migrateTimelineOutcome(tl));
    migrateTimelineFree(tl);

    bad = g_strconcat("{\"t_ms\":1,\"kind\":\"nonsense\"}\n", golden, NULL);
    g_assert_true(g_file_set_contents(path, bad, -1, NULL));
    g_assert_null(migrateTimelineRead(path));
    g_assert_null(migrateTimelineRead("/nonexistent/timeline.jsonl"));
    g_assert_null(migrateTimelineNew("/nonexistent/timeline.jsonl", "x"));
}

/* ---- the plot ---- */

static const migratePlotText *
testFindText(const migratePlotLayout *l, migratePlotTextRole role, const char *text)
{
    for (size_t i = 0; i < l->texts->len; i++) {
        const migratePlotText *t = g_ptr_array_index(l->texts, i);

        if (t->role == role && strcmp(t->text, text) == 0)
            return t;
    }
    return NULL;
}

/* Whether a pixel within @radius of (@x, @y) has colour @rgb. */
static bool
testPixelNear(cairo_surface_t *png, double x, double y, int radius, uint32_t rgb)
{
    const unsigned char *data = cairo_image_surface_get_data(png);
    int stride = cairo_image_surface_get_stride(png);
    int w = cairo_image_surface_get_width(png);
    int h = cairo_image_surface_get_height(png);

    for (int py = (int)lround(y) - radius; py <= (int)lround(y) + radius; py++) {
        for (int px = (int)lround(x) - radius; px <= (int)lround(x) + radius; px++) {
            uint32_t v;
            int dr, dg, db;

            if (px < 0 || py < 0 || px >= w || py >= h)
                continue;
            v = *(const uint32_t *)(data + py * stride + px * 4);
            dr = (int)((v >> 16) & 0xff) - (int)((rgb >> 16) & 0xff);
            dg = (int)((v >> 8) & 0xff) - (int)((rgb >> 8) & 0xff);
            db = (int)(v & 0xff) - (int)(rgb & 0xff);
            if (abs(dr) + abs(dg) + abs(db) < 40)
                return true;
        }
    }
    return false;
}

/* Characters drawn: cairo's SVG draws each (spaces too, as empty
 * symbols) as one <use> of a glyph symbol. */
static size_t
testGlyphCount(const migratePlotLayout *l)
{
    size_t n = 0;

    for (size_t i = 0; i < l->texts->len; i++) {
        const migratePlotText *t = g_ptr_array_index(l->texts, i);

        n += g_utf8_strlen(t->text, -1);
    }
    return n;
}

static size_t
testCount(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* Mark labels in one row do not overlap. */
static void
testMarksStaggered(const migratePlotLayout *l)
{
    size_t marks = 0;

    for (size_t i = 0; i < l->texts->len; i++) {
        const migratePlotText *a = g_ptr_array_index(l->texts, i);

        if (a->role != MIGRATE_PLOT_TEXT_MARK)
            continue;
        marks++;
        g_assert_cmpfloat(a->x, >=, 0);
        g_assert_cmpfloat(a->x + a->width, <=, MIGRATE_PLOT_WIDTH);
        g_assert_cmpfloat(a->y, <, l->top);
        for (size_t j = i + 1; j < l->texts->len; j++) {
            const migratePlotText *b = g_ptr_array_index(l->texts, j);

            if (b->role != MIGRATE_PLOT_TEXT_MARK || b->y != a->y ||
                a->width == 0 || b->width == 0)
                continue;
            if (a->x + a->width > b->x && b->x + b->width > a->x)
                g_error("mark labels '%s' and '%s' overlap", a->text, b->text);
        }
    }
    g_assert_cmpuint(marks, >=, 4);
}

static void
testPlot(const void *opaque)
{
    const timelineCase *c = opaque;
    g_autofree char *svgPath = testOutPath(c->name, "svg");
    g_autofree char *pngPath = testOutPath(c->name, "png");
    g_autofree char *svg = NULL;
    g_autofree char *title = NULL;
    g_autofree char *svgTitle = NULL;
    g_autofree char *err = NULL;
    g_autoptr(migratePlotLayout) l = NULL;
    migrateTimeline *tl = testBuild(c, NULL);
    cairo_surface_t *png;
    const char *memUnit = strcmp(c->name, "postcopy") == 0 ? "GiB" : "MiB";
    g_autofree char *memLabel = g_strdup_printf("memory remaining (%s)", memUnit);
    const char *expected[][2] = {
        { "axis", "time (s)" }, { "axis", memLabel }, { "axis", "rate (MiB/s)" },
        { "legend", "memory remaining (left)" }, { "legend", "dirty rate (right)" },
        { "legend", "transfer rate (right)" },
        { "mark", "start" }, { "mark", "pass 2" }, { "mark", "pass 3" },
        { "mark", "completed" },
    };

    g_assert_cmpint(migratePlotWrite(tl, svgPath, &err), ==, 0);
    g_assert_cmpint(migratePlotWrite(tl, pngPath, &err), ==, 0);
    l = migratePlotLayoutNew(tl);

    /* the texts a reader needs */
    title = g_strdup_printf("Migration of %s: %s", c->domain, c->outcome);
    g_assert_nonnull(testFindText(l, MIGRATE_PLOT_TEXT_TITLE, title));
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
        migratePlotTextRole role =
            g_str_equal(expected[i][0], "axis") ? MIGRATE_PLOT_TEXT_AXIS :
            g_str_equal(expected[i][0], "legend") ? MIGRATE_PLOT_TEXT_LEGEND :
            MIGRATE_PLOT_TEXT_MARK;

        if (!testFindText(l, role, expected[i][1]))
            g_error("%s: no %s text '%s'", c->name, expected[i][0], expected[i][1]);
    }
    testMarksStaggered(l);

    /* SVG: every text drawn (one glyph per character), the title and
     * the words in <title>/<desc> */
    g_assert_true(g_file_get_contents(svgPath, &svg, NULL, NULL));
    g_assert_cmpuint(testCount(svg, "<use xlink:href=\"#glyph"), ==, testGlyphCount(l));
    svgTitle = g_markup_printf_escaped("<title>%s</title>", title);
    g_assert_nonnull(strstr(svg, svgTitle));
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++)
        g_assert_nonnull(strstr(svg, expected[i][1]));

    /* PNG: its size, and each series' colour where the data puts it */
    png = cairo_image_surface_create_from_png(pngPath);
    g_assert_cmpint(cairo_surface_status(png), ==, CAIRO_STATUS_SUCCESS);
    g_assert_cmpint(cairo_image_surface_get_width(png), ==, MIGRATE_PLOT_WIDTH);
    g_assert_cmpint(cairo_image_surface_get_height(png), ==, MIGRATE_PLOT_HEIGHT);
    for (size_t i = 0; i < c->n; i++) {
        const migrateSample *s = &c->samples[i];
        double x = migratePlotX(l, s->timeMs);
        double yMem = migratePlotYMemory(l, s->memRemaining);
        double yDirty = migratePlotYRate(l, s->dirtyRate);

        if (!s->valid)
            continue;
        g_assert_true(testPixelNear(png, x, yMem, 1, MIGRATE_PLOT_COLOR_MEMORY));
        /* the memory line is drawn over the rates */
        if (fabs(yDirty - yMem) > 4)
            g_assert_true(testPixelNear(png, x, yDirty, 1, MIGRATE_PLOT_COLOR_DIRTY));
        /* and nowhere else far up the column */
        g_assert_false(testPixelNear(png, x, l->top + 3, 1, MIGRATE_PLOT_COLOR_MEMORY) &&
                       fabs(yMem - l->top) > 30);
    }
    /* the axes reach the data: the highest value is within the top tick */
    g_assert_cmpfloat(migratePlotYMemory(l, c->samples[0].memRemaining), >=, l->top);
    cairo_surface_destroy(png);
    migrateTimelineFree(tl);
}

/* 100 passes in 4 s and a decision among them: labels never overlap,
 * the passes that do not fit stay marks without a label. */
static void
testPlotManyPasses(void)
{
    g_autofree char *path = testOutPath("manypasses", "png");
    g_autofree char *err = NULL;
    migrateTimeline *tl = migrateTimelineNew(NULL, "busy");
    g_autoptr(migratePlotLayout) l = NULL;
    size_t marks = 0, labelled = 0;

    for (unsigned int i = 1; i <= 100; i++) {
        migrateSample pass = EV(i * 40, ITERATION, i, NULL);
        migrateSample st = ST(i * 40, i, i * 10, 1000 - i * 10, 300, 200, 0);

        g_assert_cmpint(migrateTimelineAdd(tl, &pass), ==, 0);
        g_assert_cmpint(migrateTimelineAdd(tl, &st), ==, 0);
        if (i == 50) {
            migrateSample d = EV(i * 40, DECISION, 0, "x: aborting");

            g_assert_cmpint(migrateTimelineAdd(tl, &d), ==, 0);
        }
    }
    g_assert_cmpint(migratePlotWrite(tl, path, &err), ==, 0);
    l = migratePlotLayoutNew(tl);
    testMarksStaggered(l);
    for (size_t i = 0; i < l->texts->len; i++) {
        const migratePlotText *t = g_ptr_array_index(l->texts, i);

        if (t->role != MIGRATE_PLOT_TEXT_MARK)
            continue;
        marks++;
        labelled += t->text[0] != '\0';
    }
    g_assert_cmpuint(marks, ==, 102);
    g_assert_cmpuint(labelled, >=, 20);
    g_assert_cmpuint(labelled, <, 102);
    g_assert_nonnull(testFindText(l, MIGRATE_PLOT_TEXT_MARK, "aborting"));
    migrateTimelineFree(tl);
}

/* Empty, one sample, zero rates: a plot (with a note), no division by 0. */
static void
testPlotDegenerate(void)
{
    migrateSample one = ST(0, 1, 0, 0, 0, 0, 0);
    g_autofree char *path = testOutPath("empty", "png");
    g_autofree char *err = NULL;
    migrateTimeline *tl = migrateTimelineNew(NULL, "empty");
    g_autoptr(migratePlotLayout) l = NULL;

    g_assert_cmpint(migratePlotWrite(tl, path, &err), ==, 0);
    l = migratePlotLayoutNew(tl);
    g_assert_nonnull(testFindText(l, MIGRATE_PLOT_TEXT_NOTE, "no samples"));
    g_assert_nonnull(testFindText(l, MIGRATE_PLOT_TEXT_TITLE,
                                  "Migration of empty: outcome unknown"));
    g_clear_pointer(&l, migratePlotLayoutFree);

    g_assert_cmpint(migrateTimelineAdd(tl, &one), ==, 0);
    g_assert_cmpint(migratePlotWrite(tl, path, &err), ==, 0);
    l = migratePlotLayoutNew(tl);
    g_assert_true(isfinite(migratePlotYRate(l, 0)) && isfinite(migratePlotYMemory(l, 0)));
    g_assert_cmpfloat(l->timeMaxS, >, 0);
    g_assert_cmpfloat(l->rateMax, >, 0);
    g_assert_cmpfloat(l->memMax, >, 0);

    g_assert_cmpint(migratePlotWrite(tl, "plot.pdf", &err), ==, -1);
    g_assert_nonnull(strstr(err, ".svg or .png"));
    g_clear_pointer(&err, g_free);
    g_assert_cmpint(migratePlotWrite(tl, "/nonexistent/plot.png", &err), ==, -1);
    g_assert_nonnull(err);
    migrateTimelineFree(tl);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *w = g_strdup_printf("/timeline/write/%s", cases[i].name);
        g_autofree char *r = g_strdup_printf("/timeline/read/%s", cases[i].name);
        g_autofree char *p = g_strdup_printf("/plot/%s", cases[i].name);

        g_test_add_data_func(w, &cases[i], testWrite);
        g_test_add_data_func(r, &cases[i], testRead);
        g_test_add_data_func(p, &cases[i], testPlot);
    }
    g_test_add_func("/timeline/read/damaged", testReadDamaged);
    g_test_add_func("/plot/manypasses", testPlotManyPasses);
    g_test_add_func("/plot/degenerate", testPlotDegenerate);
    return g_test_run();
}
