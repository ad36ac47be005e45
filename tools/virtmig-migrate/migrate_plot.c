/*
 * migrate_plot.c: draws a migration timeline with cairo (SVG or PNG from
 * the same drawing code).  The layout (axes, texts, where each label
 * goes) is computed first and then drawn, so that tests can check it.
 *
 * Left axis: memory remaining; right axis: dirty and transfer rate;
 * vertical marks for the phases and decisions, labelled in up to
 * PLOT_MARK_ROWS staggered rows above the plot area.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <cairo.h>
#include <cairo-svg.h>
#include <glib.h>
#include <glib/gi18n.h>

#include "migrate_plot.h"

#define PLOT_FONT "DejaVu Sans"
#define PLOT_MARK_ROWS 4
#define PLOT_MARK_ROW_H 15.0
#define PLOT_MARK_TOP 50.0        /* baseline of the first label row */
#define PLOT_LEGEND_ROW_H 20.0
#define PLOT_MIB (1024.0 * 1024.0)
#define PLOT_GIB (1024.0 * PLOT_MIB)
#define PLOT_MARK_COLOR 0x666666
#define PLOT_GRID_COLOR 0xe4e4e4
#define PLOT_TEXT_COLOR 0x202020

/* ---- scales ---- */

/* A step of 1, 2 or 5 times a power of ten giving at most @ticks ticks. */
static double
plotNiceStep(double range, int ticks)
{
    double raw = range / ticks;
    double mag, norm;

    if (!(raw > 0))
        return 1;
    mag = pow(10, floor(log10(raw)));
    norm = raw / mag;
    if (norm <= 1)
        return mag;
    if (norm <= 2)
        return 2 * mag;
    if (norm <= 5)
        return 5 * mag;
    return 10 * mag;
}

/* @max rounded up to a whole step (at least one step). */
static double
plotNiceMax(double max, int ticks)
{
    double step = plotNiceStep(max, ticks);
    double top = ceil(max / step - 1e-9) * step;

    return top > 0 ? top : step;
}

double
migratePlotX(const migratePlotLayout *l, int64_t timeMs)
{
    return l->left + (l->right - l->left) * (timeMs / 1000.0) / l->timeMaxS;
}

double
migratePlotYMemory(const migratePlotLayout *l, uint64_t bytes)
{
    return l->bottom - (l->bottom - l->top) * (bytes / l->memUnit) / l->memMax;
}

double
migratePlotYRate(const migratePlotLayout *l, uint64_t bytesPerS)
{
    return l->bottom - (l->bottom - l->top) * (bytesPerS / PLOT_MIB) / l->rateMax;
}

/* ---- texts ---- */

static void
plotTextFree(void *data)
{
    migratePlotText *t = data;

    g_free(t->text);
    g_free(t);
}

static void
plotSetFont(cairo_t *cr, double size, bool bold)
{
    cairo_select_font_face(cr, PLOT_FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/* Adds @text with its left end at @x, or centred on / ending at @x for
 * @align 0.5 / 1.  @cr measures.  Returns the text for adjustments. */
static migratePlotText *
plotAddText(migratePlotLayout *l, cairo_t *cr, migratePlotTextRole role,
            const char *text, double x, double y, double align,
            double size, bool bold, uint32_t color)
{
    migratePlotText *t = g_new0(migratePlotText, 1);
    cairo_text_extents_t ext;

    plotSetFont(cr, size, bold);
    cairo_text_extents(cr, text, &ext);
    t->text = g_strdup(text);
    t->role = role;
    t->width = ext.x_advance;
    t->x = x - align * ext.x_advance;
    t->y = y;
    t->size = size;
    t->bold = bold;
    t->color = color;
    g_ptr_array_add(l->texts, t);
    return t;
}

/* A tick label: "%g" of the value, which keeps 0.5 and 250 short. */
static char *
plotTickLabel(double v)
{
    return g_strdup_printf("%g", fabs(v) < 1e-9 ? 0 : v);
}

/* ---- the data's extent ---- */

static void
plotScan(migratePlotLayout *l, const migrateTimeline *tl)
{
    double memBytes = 0, rate = 0;
    int64_t tMax = 0;

    for (size_t i = 0; i < migrateTimelineCount(tl); i++) {
        const migrateSample *s = migrateTimelineGet(tl, i);

        tMax = MAX(tMax, s->timeMs);
        if (!s->valid)
            continue;
        memBytes = MAX(memBytes, (double)MAX(s->memTotal, s->memRemaining));
        rate = MAX(rate, (double)MAX(s->dirtyRate, s->bps));
        l->requestsMax = MAX(l->requestsMax, s->postcopyRequests);
    }
    l->timeMaxS = plotNiceMax(MAX(tMax / 1000.0, 1.0), 10);
    /* GiB from 2 GiB up: "1.5 GiB" reads worse than "1536 MiB" */
    l->memUnit = memBytes >= 2 * PLOT_GIB ? PLOT_GIB : PLOT_MIB;
    /* 5% headroom: a line at its maximum does not run along the frame */
    l->memMax = plotNiceMax(MAX(memBytes * 1.05 / l->memUnit, 1.0), 6);
    l->rateMax = plotNiceMax(rate > 0 ? rate * 1.05 / PLOT_MIB : 1.0, 6);
}

/* ---- phase marks ---- */

typedef struct {
    int64_t timeMs;
    char *label;
    uint32_t color;
} plotMark;

/* The last clause of a decision's reason ("...: switching to post-copy"),
 * shortened: the full reason is in the timeline file. */
static char *
plotDecisionLabel(const char *text)
{
    const char *p = text ? g_strrstr(text, ": ") : NULL;
    const char *clause = p ? p + 2 : (text ? text : _("decision"));

    if (g_utf8_strlen(clause, -1) > 24) {
        g_autofree char *head = g_utf8_substring(clause, 0, 23);

        return g_strconcat(head, "…", NULL);
    }
    return g_strdup(clause);
}

static char *
plotMarkLabel(const migrateSample *s, uint32_t *color)
{
    *color = PLOT_MARK_COLOR;
    switch (s->kind) {
    case MIGRATE_SAMPLE_ITERATION:
        return g_strdup_printf(_("pass %" PRIu64), s->iteration);
    case MIGRATE_SAMPLE_POSTCOPY:
        *color = MIGRATE_PLOT_COLOR_REQUESTS;
        return g_strdup(_("post-copy"));
    case MIGRATE_SAMPLE_PAUSED:
        return g_strdup(_("paused"));
    case MIGRATE_SAMPLE_RESUMED:
        return g_strdup(_("resumed"));
    case MIGRATE_SAMPLE_DECISION:
        *color = 0xb06000;
        return plotDecisionLabel(s->text);
    case MIGRATE_SAMPLE_COMPLETED:
        *color = 0x1a7a1a;
        return g_strdup(_("completed"));
    case MIGRATE_SAMPLE_FAILED:
        *color = MIGRATE_PLOT_COLOR_DIRTY;
        return g_strdup(_("failed"));
    case MIGRATE_SAMPLE_STATS:
    case MIGRATE_SAMPLE_LAST:
        break;
    }
    return NULL;
}

/* The first row where @t does not overlap the row's last label, or -1. */
static int
plotMarkRow(const double *rowEnd, const migratePlotText *t)
{
    for (int r = 0; r < PLOT_MARK_ROWS; r++) {
        if (rowEnd[r] + 6 <= t->x)
            return r;
    }
    return -1;
}

static int
plotMarkRowEarliest(const double *rowEnd)
{
    int row = 0;

    for (int r = 1; r < PLOT_MARK_ROWS; r++) {
        if (rowEnd[r] < rowEnd[row])
            row = r;
    }
    return row;
}

/* Labels in the first row where they do not overlap the previous label
 * of that row; when none is free, a pass goes unlabelled and any other
 * mark takes the row whose last label ends first. */
static void
plotLayoutMarks(migratePlotLayout *l, cairo_t *cr, const migrateTimeline *tl)
{
    double rowEnd[PLOT_MARK_ROWS];
    size_t n = migrateTimelineCount(tl);

    for (int r = 0; r < PLOT_MARK_ROWS; r++)
        rowEnd[r] = -1e9;
    for (size_t i = 0; i <= n; i++) {
        /* i == 0: the start; then the samples */
        const migrateSample *s = i ? migrateTimelineGet(tl, i - 1) : NULL;
        g_autofree char *label = NULL;
        uint32_t color = PLOT_MARK_COLOR;
        migratePlotText *t;
        double x;
        int row;

        label = s ? plotMarkLabel(s, &color) : g_strdup(_("start"));
        if (!label)
            continue;
        x = migratePlotX(l, s ? s->timeMs : 0);
        t = plotAddText(l, cr, MIGRATE_PLOT_TEXT_MARK, label, x,
                        PLOT_MARK_TOP, 0.5, 11, false, color);
        t->markX = x;
        t->x = CLAMP(t->x, 4, MIGRATE_PLOT_WIDTH - 4 - t->width);
        row = plotMarkRow(rowEnd, t);
        if (row < 0 && s && s->kind == MIGRATE_SAMPLE_ITERATION) {
            /* many short passes: the marks alone, unlabelled */
            t->text[0] = '\0';
            t->width = 0;
            t->x = x;
            row = PLOT_MARK_ROWS - 1;
        } else if (row < 0) {
            row = plotMarkRowEarliest(rowEnd);
        }
        t->y = PLOT_MARK_TOP + row * PLOT_MARK_ROW_H;
        rowEnd[row] = MAX(rowEnd[row], t->x + t->width);
    }
}

/* ---- axes, title, legend ---- */

static void
plotLayoutAxes(migratePlotLayout *l, cairo_t *cr)
{
    double step;

    step = plotNiceStep(l->timeMaxS, 10);
    for (double v = 0; v <= l->timeMaxS + step / 2; v += step) {
        g_autofree char *s = plotTickLabel(v);

        plotAddText(l, cr, MIGRATE_PLOT_TEXT_TICK, s,
                    migratePlotX(l, llround(v * 1000)), l->bottom + 17, 0.5,
                    11, false, PLOT_TEXT_COLOR);
    }
    step = plotNiceStep(l->memMax, 6);
    for (double v = 0; v <= l->memMax + step / 2; v += step) {
        g_autofree char *s = plotTickLabel(v);

        plotAddText(l, cr, MIGRATE_PLOT_TEXT_TICK, s, l->left - 6,
                    migratePlotYMemory(l, v * l->memUnit) + 4, 1,
                    11, false, MIGRATE_PLOT_COLOR_MEMORY);
    }
    step = plotNiceStep(l->rateMax, 6);
    for (double v = 0; v <= l->rateMax + step / 2; v += step) {
        g_autofree char *s = plotTickLabel(v);

        plotAddText(l, cr, MIGRATE_PLOT_TEXT_TICK, s, l->right + 6,
                    migratePlotYRate(l, v * PLOT_MIB) + 4, 0,
                    11, false, PLOT_TEXT_COLOR);
    }
}

static void
plotLayoutLabels(migratePlotLayout *l, cairo_t *cr, const migrateTimeline *tl)
{
    const char *outcome = migrateTimelineOutcome(tl);
    g_autofree char *title = NULL;
    g_autofree char *memLabel = NULL;
    double mid = (l->top + l->bottom) / 2;
    migratePlotText *t;

    title = g_strdup_printf(_("Migration of %s: %s"), migrateTimelineDomain(tl),
                            outcome ? outcome : _("outcome unknown"));
    plotAddText(l, cr, MIGRATE_PLOT_TEXT_TITLE, title, MIGRATE_PLOT_WIDTH / 2.0,
                26, 0.5, 18, true, PLOT_TEXT_COLOR);
    plotAddText(l, cr, MIGRATE_PLOT_TEXT_AXIS, _("time (s)"),
                (l->left + l->right) / 2, l->bottom + 36, 0.5, 13, false,
                PLOT_TEXT_COLOR);
    memLabel = g_strdup_printf(_("memory remaining (%s)"),
                               l->memUnit == PLOT_GIB ? "GiB" : "MiB");
    /* rotated texts: centred along the axis, reading upwards on the left */
    t = plotAddText(l, cr, MIGRATE_PLOT_TEXT_AXIS, memLabel, 24, mid, 0, 13,
                    false, MIGRATE_PLOT_COLOR_MEMORY);
    t->angle = -G_PI / 2;
    t->y = mid + t->width / 2;
    t = plotAddText(l, cr, MIGRATE_PLOT_TEXT_AXIS, _("rate (MiB/s)"),
                    MIGRATE_PLOT_WIDTH - 24, mid, 0, 13, false, PLOT_TEXT_COLOR);
    t->angle = G_PI / 2;
    t->y = mid - t->width / 2;
}

/* The legend entries; the swatch is drawn left of each text. */
static void
plotLayoutLegend(migratePlotLayout *l, cairo_t *cr)
{
    g_autofree char *requests = NULL;
    const char *entries[4];
    size_t n = 0, first;
    double x = 0, y = l->bottom + 62;

    entries[n++] = _("memory remaining (left)");
    entries[n++] = _("dirty rate (right)");
    entries[n++] = _("transfer rate (right)");
    if (l->requestsMax > 0) {
        requests = g_strdup_printf(_("post-copy requests (0 to %" PRIu64
                                     ", own scale)"), l->requestsMax);
        entries[n++] = requests;
    }
    first = l->texts->len;
    for (size_t i = 0; i < n; i++) {
        migratePlotText *t = plotAddText(l, cr, MIGRATE_PLOT_TEXT_LEGEND,
                                         entries[i], 0, y, 0, 12, false,
                                         PLOT_TEXT_COLOR);

        /* a 26 px swatch and a gap before each entry */
        t->x = x + 32;
        x = t->x + t->width + 20;
    }
    /* centre the row */
    for (size_t i = first; i < l->texts->len; i++) {
        migratePlotText *t = g_ptr_array_index(l->texts, i);

        t->x += (MIGRATE_PLOT_WIDTH - (x - 20)) / 2;
    }
}

migratePlotLayout *
migratePlotLayoutNew(const migrateTimeline *tl)
{
    migratePlotLayout *l = g_new0(migratePlotLayout, 1);
    cairo_surface_t *scratch = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *cr = cairo_create(scratch);

    l->texts = g_ptr_array_new_with_free_func(plotTextFree);
    l->left = 80;
    l->right = MIGRATE_PLOT_WIDTH - 80;
    l->top = PLOT_MARK_TOP + PLOT_MARK_ROWS * PLOT_MARK_ROW_H;
    l->bottom = MIGRATE_PLOT_HEIGHT - 85;
    plotScan(l, tl);
    plotLayoutLabels(l, cr, tl);
    plotLayoutAxes(l, cr);
    plotLayoutMarks(l, cr, tl);
    plotLayoutLegend(l, cr);
    if (migrateTimelineCount(tl) == 0)
        plotAddText(l, cr, MIGRATE_PLOT_TEXT_NOTE, _("no samples"),
                    (l->left + l->right) / 2, (l->top + l->bottom) / 2, 0.5,
                    14, false, PLOT_MARK_COLOR);
    cairo_destroy(cr);
    cairo_surface_destroy(scratch);
    return l;
}

void
migratePlotLayoutFree(migratePlotLayout *l)
{
    if (!l)
        return;
    g_ptr_array_unref(l->texts);
    g_free(l);
}

/* ---- drawing ---- */

static void
plotColor(cairo_t *cr, uint32_t rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0,
                         ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

static void
plotDrawTexts(cairo_t *cr, const migratePlotLayout *l)
{
    for (size_t i = 0; i < l->texts->len; i++) {
        const migratePlotText *t = g_ptr_array_index(l->texts, i);

        cairo_save(cr);
        if (t->role == MIGRATE_PLOT_TEXT_MARK && t->width > 0) {
            /* over the dashed lines of the marks of the rows above */
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_rectangle(cr, t->x - 2, t->y - t->size, t->width + 4, t->size + 3);
            cairo_fill(cr);
        }
        plotSetFont(cr, t->size, t->bold);
        plotColor(cr, t->color);
        cairo_move_to(cr, t->x, t->y);
        cairo_rotate(cr, t->angle);
        cairo_show_text(cr, t->text);
        cairo_restore(cr);
    }
}

static void
plotDrawFrame(cairo_t *cr, const migratePlotLayout *l)
{
    double step = plotNiceStep(l->memMax, 6);

    cairo_set_line_width(cr, 1);
    plotColor(cr, PLOT_GRID_COLOR);
    for (double v = step; v <= l->memMax + step / 2; v += step) {
        double y = round(migratePlotYMemory(l, v * l->memUnit)) + 0.5;

        cairo_move_to(cr, l->left, y);
        cairo_line_to(cr, l->right, y);
    }
    cairo_stroke(cr);
    plotColor(cr, PLOT_TEXT_COLOR);
    cairo_rectangle(cr, l->left + 0.5, l->top + 0.5, l->right - l->left,
                    l->bottom - l->top);
    cairo_stroke(cr);
}

/* Post-copy (from the switch to the end) lightly shaded. */
static void
plotDrawPostcopy(cairo_t *cr, const migratePlotLayout *l, const migrateTimeline *tl)
{
    size_t n = migrateTimelineCount(tl);

    for (size_t i = 0; i < n; i++) {
        const migrateSample *s = migrateTimelineGet(tl, i);
        double x0, x1;

        if (s->kind != MIGRATE_SAMPLE_POSTCOPY)
            continue;
        x0 = migratePlotX(l, s->timeMs);
        x1 = migratePlotX(l, migrateTimelineGet(tl, n - 1)->timeMs);
        cairo_set_source_rgba(cr, 0.58, 0.40, 0.74, 0.08);
        cairo_rectangle(cr, x0, l->top, x1 - x0, l->bottom - l->top);
        cairo_fill(cr);
        return;
    }
}

static void
plotDrawMarks(cairo_t *cr, const migratePlotLayout *l)
{
    static const double dash[] = { 4, 3 };

    cairo_save(cr);
    cairo_set_line_width(cr, 1);
    cairo_set_dash(cr, dash, 2, 0);
    for (size_t i = 0; i < l->texts->len; i++) {
        const migratePlotText *t = g_ptr_array_index(l->texts, i);
        double x;

        if (t->role != MIGRATE_PLOT_TEXT_MARK)
            continue;
        x = round(t->markX) + 0.5;
        plotColor(cr, t->color);
        /* from under the label (centred unless clamped at an edge) */
        cairo_move_to(cr, CLAMP(x, t->x, t->x + t->width), t->y + 4);
        cairo_line_to(cr, x, l->top);
        cairo_line_to(cr, x, l->bottom);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

typedef uint64_t (*plotValueFunc)(const migrateSample *s);
typedef double (*plotYFunc)(const migratePlotLayout *l, uint64_t v);

typedef struct {
    plotValueFunc value;
    plotYFunc yOf;
    uint32_t color;
    double width;
    bool step;                    /* a counter: flat until the next sample */
} plotSeries;

static uint64_t plotRemaining(const migrateSample *s) { return s->memRemaining; }
static uint64_t plotDirty(const migrateSample *s) { return s->dirtyRate; }
static uint64_t plotBps(const migrateSample *s) { return s->bps; }
static uint64_t plotRequests(const migrateSample *s) { return s->postcopyRequests; }

/* The post-copy requests on their own scale (0 .. requestsMax). */
static double
plotYRequests(const migratePlotLayout *l, uint64_t n)
{
    return l->bottom - 0.95 * (l->bottom - l->top) * (double)n / MAX(l->requestsMax, 1);
}

/* Samples further apart than this (10x the sampling period) leave a
 * gap: the source's daemon did not answer job statistics meanwhile
 * (stock libvirtd stalls them for seconds in post-copy).  A solid line
 * across it would invent data; it is drawn dotted and thin instead. */
#define PLOT_GAP_MS 1000

/* A dotted thin segment over a gap in the samples, and a dot on the
 * samples at both ends (one may have no solid line of its own). */
static void
plotDrawGap(cairo_t *cr, const plotSeries *series, double x0, double y0,
            double x1, double y1)
{
    static const double dots[] = { 1, 4 };

    cairo_stroke(cr);
    cairo_save(cr);
    cairo_set_line_width(cr, 1);
    cairo_set_dash(cr, dots, 2, 0);
    cairo_move_to(cr, x0, y0);
    if (series->step)
        cairo_line_to(cr, x1, y0);
    cairo_line_to(cr, x1, y1);
    cairo_stroke(cr);
    cairo_arc(cr, x0, y0, series->width, 0, 2 * G_PI);
    cairo_fill(cr);
    cairo_arc(cr, x1, y1, series->width, 0, 2 * G_PI);
    cairo_fill(cr);
    cairo_restore(cr);
    cairo_move_to(cr, x1, y1);
}

/* One series through the valid samples; a single sample is a dot. */
static void
plotDrawSeries(cairo_t *cr, const migratePlotLayout *l, const migrateTimeline *tl,
               const plotSeries *series)
{
    static const double dash[] = { 6, 3 };
    bool started = false;
    double prevX = 0, prevY = 0;
    int64_t prevMs = 0;

    cairo_save(cr);
    cairo_rectangle(cr, l->left, l->top - 2, l->right - l->left, l->bottom - l->top + 4);
    cairo_clip(cr);
    cairo_set_line_width(cr, series->width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    if (series->step)
        cairo_set_dash(cr, dash, 2, 0);
    plotColor(cr, series->color);
    for (size_t i = 0; i < migrateTimelineCount(tl); i++) {
        const migrateSample *s = migrateTimelineGet(tl, i);
        double x, y;

        if (!s->valid)
            continue;
        x = migratePlotX(l, s->timeMs);
        y = series->yOf(l, series->value(s));
        if (!started) {
            cairo_move_to(cr, x, y);
        } else if (s->timeMs - prevMs > PLOT_GAP_MS) {
            plotDrawGap(cr, series, prevX, prevY, x, y);
        } else {
            if (series->step)
                cairo_line_to(cr, x, prevY);
            cairo_line_to(cr, x, y);
        }
        prevX = x;
        prevY = y;
        prevMs = s->timeMs;
        started = true;
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* The swatch left of each legend text: the series' line style. */
static void
plotDrawLegendSwatches(cairo_t *cr, const migratePlotLayout *l)
{
    static const uint32_t colors[] = {
        MIGRATE_PLOT_COLOR_MEMORY, MIGRATE_PLOT_COLOR_DIRTY,
        MIGRATE_PLOT_COLOR_TRANSFER, MIGRATE_PLOT_COLOR_REQUESTS,
    };
    size_t k = 0;

    cairo_save(cr);
    for (size_t i = 0; i < l->texts->len && k < G_N_ELEMENTS(colors); i++) {
        const migratePlotText *t = g_ptr_array_index(l->texts, i);

        if (t->role != MIGRATE_PLOT_TEXT_LEGEND)
            continue;
        cairo_set_line_width(cr, k == 0 ? 2.5 : 2);
        plotColor(cr, colors[k++]);
        cairo_move_to(cr, t->x - 30, t->y - 4);
        cairo_line_to(cr, t->x - 4, t->y - 4);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

static void
plotDraw(cairo_t *cr, const migratePlotLayout *l, const migrateTimeline *tl)
{
    static const plotSeries series[] = {
        { plotRequests, plotYRequests, MIGRATE_PLOT_COLOR_REQUESTS, 1.5, true },
        { plotBps, migratePlotYRate, MIGRATE_PLOT_COLOR_TRANSFER, 2, false },
        { plotDirty, migratePlotYRate, MIGRATE_PLOT_COLOR_DIRTY, 2, false },
        { plotRemaining, migratePlotYMemory, MIGRATE_PLOT_COLOR_MEMORY, 2.5, false },
    };

    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    plotDrawPostcopy(cr, l, tl);
    plotDrawFrame(cr, l);
    plotDrawMarks(cr, l);
    /* bottom to top: the memory line over the rates */
    for (size_t i = 0; i < G_N_ELEMENTS(series); i++) {
        if (series[i].value != plotRequests || l->requestsMax > 0)
            plotDrawSeries(cr, l, tl, &series[i]);
    }
    plotDrawLegendSwatches(cr, l);
    plotDrawTexts(cr, l);
}

/* cairo draws text as glyph outlines in SVG: a <title> and <desc> keep
 * the plot's words searchable and readable by screen readers. */
static int
plotSVGAddTitle(const char *path, const migratePlotLayout *l, char **error)
{
    g_autofree char *data = NULL;
    g_autoptr(GString) out = NULL;
    g_autoptr(GError) err = NULL;
    const char *svg, *end;

    if (!g_file_get_contents(path, &data, NULL, &err) ||
        !(svg = strstr(data, "<svg")) || !(end = strchr(svg, '>'))) {
        *error = g_strdup_printf(_("cannot read back %s: %s"), path,
                                 err ? err->message : _("not an SVG file"));
        return -1;
    }
    out = g_string_new_len(data, end + 1 - data);
    for (size_t i = 0; i < l->texts->len; i++) {
        const migratePlotText *t = g_ptr_array_index(l->texts, i);
        g_autofree char *esc = NULL;

        if (t->role == MIGRATE_PLOT_TEXT_TICK)
            continue;
        esc = g_markup_escape_text(t->text, -1);
        if (t->role == MIGRATE_PLOT_TEXT_TITLE)
            g_string_append_printf(out, "\n<title>%s</title>\n<desc>", esc);
        else
            g_string_append_printf(out, "%s\n", esc);
    }
    g_string_append(out, "</desc>");
    g_string_append(out, end + 1);
    if (!g_file_set_contents(path, out->str, out->len, &err)) {
        *error = g_strdup(err->message);
        return -1;
    }
    return 0;
}

int
migratePlotWrite(const migrateTimeline *tl, const char *path, char **error)
{
    g_autoptr(migratePlotLayout) l = NULL;
    cairo_surface_t *surface;
    cairo_status_t status;
    bool svg = g_str_has_suffix(path, ".svg");
    cairo_t *cr;

    *error = NULL;
    if (!svg && !g_str_has_suffix(path, ".png")) {
        *error = g_strdup_printf(_("%s: the plot file must end in .svg or .png"),
                                 path);
        return -1;
    }
    l = migratePlotLayoutNew(tl);
    if (svg)
        surface = cairo_svg_surface_create(path, MIGRATE_PLOT_WIDTH,
                                           MIGRATE_PLOT_HEIGHT);
    else
        surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, MIGRATE_PLOT_WIDTH,
                                             MIGRATE_PLOT_HEIGHT);
    cr = cairo_create(surface);
    plotDraw(cr, l, tl);
    status = cairo_status(cr);
    cairo_destroy(cr);
    if (status == CAIRO_STATUS_SUCCESS && !svg)
        status = cairo_surface_write_to_png(surface, path);
    cairo_surface_finish(surface);
    if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        *error = g_strdup_printf(_("cannot write the plot %s: %s"), path,
                                 cairo_status_to_string(status));
        return -1;
    }
    if (svg)
        return plotSVGAddTitle(path, l, error);
    return 0;
}
