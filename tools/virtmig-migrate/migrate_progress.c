/*
 * migrate_progress.c: the progress output of virtmig-migrate (see
 * migrate_progress.h).
 */
#include <glib.h>
#include <glib/gi18n.h>
#include <json-c/json.h>

#include "migrate_progress.h"

struct _migrateProgress {
    migrateOutputMode mode;
    FILE *out;
    bool tty;
    bool lineDrawn;         /* a progress line waits for its redraw */
    bool started;           /* the first statistics were shown */
    bool paused;            /* the source guest is paused (completing) */
};

static const char *const sampleNames[MIGRATE_SAMPLE_LAST] = {
    [MIGRATE_SAMPLE_STATS] = "stats",
    [MIGRATE_SAMPLE_ITERATION] = "iteration",
    [MIGRATE_SAMPLE_POSTCOPY] = "postcopy",
    [MIGRATE_SAMPLE_PAUSED] = "paused",
    [MIGRATE_SAMPLE_RESUMED] = "resumed",
    [MIGRATE_SAMPLE_DECISION] = "decision",
    [MIGRATE_SAMPLE_COMPLETED] = "completed",
    [MIGRATE_SAMPLE_FAILED] = "failed",
};

migrateProgress *
migrateProgressNew(migrateOutputMode mode, FILE *out, bool tty)
{
    migrateProgress *p = g_new0(migrateProgress, 1);

    p->mode = mode;
    p->out = out;
    p->tty = tty;
    return p;
}

void
migrateProgressFree(migrateProgress *p)
{
    if (!p)
        return;
    if (p->lineDrawn)
        fputc('\n', p->out);
    g_free(p);
}

char *
migrateFormatBytes(double bytes)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    size_t i = 0;

    while (bytes >= 1024 && i + 1 < G_N_ELEMENTS(units)) {
        bytes /= 1024;
        i++;
    }
    return g_strdup_printf(i ? "%.1f %s" : "%.0f %s", bytes, units[i]);
}

static const char *
phaseName(const migrateProgress *p, const migrateSample *s)
{
    if (s->postcopy)
        return _("post-copy");
    if (p->paused)
        return _("completing");
    return _("precopy");
}

/* "precopy pass 2  45%  120.0 MiB/256.0 MiB  40.0 MiB/s  dirty 1.2 GiB/s
 *  ETA 3 s" */
static char *
statsLine(const migrateProgress *p, const migrateSample *s, double eta)
{
    g_autofree char *done = migrateFormatBytes(s->memTotal - MIN(s->memRemaining, s->memTotal));
    g_autofree char *total = migrateFormatBytes(s->memTotal);
    g_autofree char *rate = migrateFormatBytes(s->bps);
    g_autofree char *dirty = migrateFormatBytes(s->dirtyRate);
    double pct = s->memTotal ? 100.0 * (s->memTotal - MIN(s->memRemaining, s->memTotal)) /
                               s->memTotal : 0;
    GString *line = g_string_new(NULL);

    g_string_append_printf(line, "%s", phaseName(p, s));
    if (!s->postcopy)
        g_string_append_printf(line, _(" pass %" G_GUINT64_FORMAT), s->iteration);
    g_string_append_printf(line, "  %3.0f%%  %s/%s  %s/s  ", pct, done, total, rate);
    g_string_append_printf(line, _("dirty %s/s"), dirty);
    if (s->postcopy)
        g_string_append_printf(line, _("  requests %" G_GUINT64_FORMAT), s->postcopyRequests);
    else if (eta < 0)
        g_string_append(line, _("  not converging"));
    else
        g_string_append_printf(line, _("  ETA %.0f s"), eta);
    return g_string_free(line, FALSE);
}

/* The plain line of an event, NULL for the samples that have none. */
static char *
eventLine(const migrateProgress *p, const migrateSample *s, double eta)
{
    double t = s->timeMs / 1000.0;

    switch (s->kind) {
    case MIGRATE_SAMPLE_STATS:
        if (p->tty || p->started || !s->valid || !s->memTotal)
            return NULL;
        {
            g_autofree char *total = migrateFormatBytes(s->memTotal);
            return g_strdup_printf(_("%6.1f s  started: %s of guest memory"), t, total);
        }
    case MIGRATE_SAMPLE_ITERATION:
        if (p->tty)
            return NULL;
        if (!s->valid || !s->memTotal)
            return g_strdup_printf(_("%6.1f s  pass %" G_GUINT64_FORMAT), t, s->iteration);
        {
            g_autofree char *line = statsLine(p, s, eta);
            return g_strdup_printf("%6.1f s  %s", t, line);
        }
    case MIGRATE_SAMPLE_POSTCOPY:
        return g_strdup_printf(_("%6.1f s  switched to post-copy"), t);
    case MIGRATE_SAMPLE_PAUSED:
        return g_strdup_printf(_("%6.1f s  guest paused on the source"), t);
    case MIGRATE_SAMPLE_RESUMED:
        return g_strdup_printf(_("%6.1f s  guest running on the source"), t);
    case MIGRATE_SAMPLE_DECISION:
        return g_strdup_printf(_("%6.1f s  decision: %s"), t, s->text ? s->text : "");
    case MIGRATE_SAMPLE_COMPLETED: {
        g_autofree char *sent = migrateFormatBytes(s->memProcessed);
        return g_strdup_printf(_("%6.1f s  completed: %s sent, downtime %" G_GUINT64_FORMAT
                                 " ms, %" G_GUINT64_FORMAT " post-copy requests"),
                               t, sent, s->downtimeMs, s->postcopyRequests);
    }
    case MIGRATE_SAMPLE_FAILED:
        return g_strdup_printf(_("%6.1f s  failed: %s"), t, s->text ? s->text : "");
    case MIGRATE_SAMPLE_LAST:
        break;
    }
    return NULL;
}

static void
jsonSample(migrateProgress *p, const migrateSample *s, double eta, const char *action)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "event", json_object_new_string(sampleNames[s->kind]));
    json_object_object_add(o, "time_ms", json_object_new_int64(s->timeMs));
    json_object_object_add(o, "postcopy", json_object_new_boolean(s->postcopy));
    if (s->valid) {
        json_object_object_add(o, "iteration", json_object_new_uint64(s->iteration));
        json_object_object_add(o, "memory_total", json_object_new_uint64(s->memTotal));
        json_object_object_add(o, "memory_processed", json_object_new_uint64(s->memProcessed));
        json_object_object_add(o, "memory_remaining", json_object_new_uint64(s->memRemaining));
        json_object_object_add(o, "dirty_rate", json_object_new_uint64(s->dirtyRate));
        json_object_object_add(o, "bps", json_object_new_uint64(s->bps));
        json_object_object_add(o, "postcopy_requests",
                               json_object_new_uint64(s->postcopyRequests));
        json_object_object_add(o, "downtime_ms", json_object_new_uint64(s->downtimeMs));
        if (s->kind == MIGRATE_SAMPLE_STATS || s->kind == MIGRATE_SAMPLE_ITERATION)
            json_object_object_add(o, "eta_s", eta < 0 ? NULL : json_object_new_double(eta));
    } else if (s->kind == MIGRATE_SAMPLE_ITERATION) {
        json_object_object_add(o, "iteration", json_object_new_uint64(s->iteration));
    }
    if (action)
        json_object_object_add(o, "action", json_object_new_string(action));
    if (s->text)
        json_object_object_add(o, "text", json_object_new_string(s->text));
    fprintf(p->out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    fflush(p->out);
    json_object_put(o);
}

static void
clearLine(migrateProgress *p)
{
    if (p->lineDrawn) {
        fputs("\r\033[K", p->out);
        p->lineDrawn = false;
    }
}

void
migrateProgressSample(migrateProgress *p, const migrateSample *s,
                      double eta, const char *action)
{
    g_autofree char *line = NULL;

    if (s->kind == MIGRATE_SAMPLE_PAUSED)
        p->paused = true;
    else if (s->kind == MIGRATE_SAMPLE_RESUMED)
        p->paused = false;

    if (p->mode == MIGRATE_OUTPUT_QUIET)
        return;
    if (p->mode == MIGRATE_OUTPUT_JSON) {
        jsonSample(p, s, eta, action);
        return;
    }

    line = eventLine(p, s, eta);
    if (s->kind == MIGRATE_SAMPLE_STATS && s->valid && s->memTotal)
        p->started = true;
    if (line) {
        clearLine(p);
        fprintf(p->out, "%s\n", line);
    }
    if (p->tty && s->valid && s->memTotal && s->kind != MIGRATE_SAMPLE_COMPLETED) {
        g_autofree char *bar = statsLine(p, s, eta);

        clearLine(p);
        fputs(bar, p->out);
        p->lineDrawn = true;
    }
    fflush(p->out);
}

void
migrateProgressOutcome(migrateProgress *p, const char *outcome,
                       int code, const char *resume)
{
    if (p->mode == MIGRATE_OUTPUT_JSON) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "event", json_object_new_string("outcome"));
        json_object_object_add(o, "outcome", json_object_new_string(outcome));
        json_object_object_add(o, "exit", json_object_new_int(code));
        if (resume)
            json_object_object_add(o, "resume", json_object_new_string(resume));
        fprintf(p->out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    } else {
        clearLine(p);
        /* the outcome of a failure and how to resume count as errors:
         * shown even with --quiet */
        if (p->mode != MIGRATE_OUTPUT_QUIET || code != 0)
            fprintf(code ? stderr : p->out, _("Migration %s\n"), outcome);
        if (resume)
            fprintf(stderr, _("To resume the post-copy migration:\n  %s\n"), resume);
    }
    fflush(p->out);
}
