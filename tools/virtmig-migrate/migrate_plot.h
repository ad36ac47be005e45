/*
 * migrate_plot.h: the layout behind migratePlotWrite (migrate_sample.h),
 * exposed so that tests can check where the plot puts its lines and
 * which texts it draws.  Not used by the command itself.
 */
#pragma once

#include <glib.h>

#include "migrate_sample.h"

#define MIGRATE_PLOT_WIDTH 1000
#define MIGRATE_PLOT_HEIGHT 600

/* Line colours, 0xRRGGBB. */
#define MIGRATE_PLOT_COLOR_MEMORY   0x1f5fbf  /* blue */
#define MIGRATE_PLOT_COLOR_DIRTY    0xd62728  /* red */
#define MIGRATE_PLOT_COLOR_TRANSFER 0x2ca02c  /* green */
#define MIGRATE_PLOT_COLOR_REQUESTS 0x9467bd  /* purple */

typedef enum {
    MIGRATE_PLOT_TEXT_TITLE,
    MIGRATE_PLOT_TEXT_AXIS,       /* an axis label */
    MIGRATE_PLOT_TEXT_TICK,
    MIGRATE_PLOT_TEXT_MARK,       /* a phase mark's label */
    MIGRATE_PLOT_TEXT_LEGEND,
    MIGRATE_PLOT_TEXT_NOTE,
} migratePlotTextRole;

typedef struct {
    char *text;
    migratePlotTextRole role;
    double x, y;                  /* left end of the baseline, before rotation */
    double width;                 /* advance of the text */
    double size;                  /* font size, px */
    double angle;                 /* radians, around (x, y) */
    bool bold;
    uint32_t color;               /* 0xRRGGBB */
    double markX;                 /* MARK: x of the vertical mark */
} migratePlotText;

typedef struct {
    double left, top, right, bottom; /* the plot area, px */
    double timeMaxS;              /* x axis: 0 .. timeMaxS */
    double memUnit;               /* bytes per unit of the left axis */
    double memMax;                /* left axis top, in memUnit */
    double rateMax;               /* right axis top, MiB/s */
    uint64_t requestsMax;         /* post-copy requests at the end */
    GPtrArray *texts;             /* migratePlotText *, in drawing order */
} migratePlotLayout;

migratePlotLayout *migratePlotLayoutNew(const migrateTimeline *tl);
void migratePlotLayoutFree(migratePlotLayout *layout);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(migratePlotLayout, migratePlotLayoutFree)

/* Pixel coordinates of a time, a remaining memory size, a rate. */
double migratePlotX(const migratePlotLayout *layout, int64_t timeMs);
double migratePlotYMemory(const migratePlotLayout *layout, uint64_t bytes);
double migratePlotYRate(const migratePlotLayout *layout, uint64_t bytesPerS);
