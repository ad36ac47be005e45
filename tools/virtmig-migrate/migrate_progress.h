/*
 * migrate_progress.h: what virtmig-migrate shows while it migrates: one
 * redrawn line on a terminal, a plain line per pass or event otherwise,
 * one JSON object per sample with --json, nothing with --quiet.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "migrate_sample.h"

typedef enum {
    MIGRATE_OUTPUT_NORMAL = 0,
    MIGRATE_OUTPUT_QUIET,
    MIGRATE_OUTPUT_JSON,
} migrateOutputMode;

typedef struct _migrateProgress migrateProgress;

/* @tty: @out is a terminal (the line is redrawn in place); it is then
 * made fully buffered: call before anything is written to @out. */
migrateProgress *migrateProgressNew(migrateOutputMode mode, FILE *out, bool tty);
void migrateProgressFree(migrateProgress *p);

/* Shows one sample; @eta is migratePolicyETA() after it was fed (-1: not
 * converging); @action names the action of a DECISION sample (JSON). */
void migrateProgressSample(migrateProgress *p, const migrateSample *s,
                           double eta, const char *action);

/* The end: @outcome as in the timeline, the exit code, and (post-copy
 * failed) the command that resumes it. */
void migrateProgressOutcome(migrateProgress *p, const char *outcome,
                            int code, const char *resume);

/* The terminal's width in columns, instead of asking it (tests); 0:
 * ask it at each redraw. */
void migrateProgressSetWidth(migrateProgress *p, unsigned int columns);

/* "241.0 MiB", "1.4 GiB" (caller frees). */
char *migrateFormatBytes(double bytes);
