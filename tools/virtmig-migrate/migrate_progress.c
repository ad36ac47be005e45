/*
 * migrate_progress.c: the progress output of virtmig-migrate (see
 * migrate_progress.h).
 */
#include <string.h>
#include <inttypes.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gi18n.h>
#include <json-c/json.h>

#include "migrate_progress.h"

struct _migrateProgress {
    migrateOutputMode mode;
    FILE *out;
    bool tty;
    unsigned int width;     /* columns; 0: the terminal's */
    bool lineDrawn;         /* a progress line waits for its redraw */
    char *lastBar;          /* the progress line last drawn */
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
    /* a frame leaves in one write at its fflush (line buffering would
     * write its event lines first and the progress line after) */
    if (tty)
        setvbuf(out, NULL, _IOFBF, BUFSIZ);
    return p;
}

void
migrateProgressFree(migrateProgress *p)
{
    if (!p)
        return;
    if (p->lineDrawn)
        fputc('\n', p->out);
    g_free(p->lastBar);
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

/* "28.9 MiB/64.1 MiB" or, in @compact form, "28.9/64.1 MiB" when
 * both have the same unit. */
static char *
doneTotal(const migrateSample *s, bool compact)
{
    g_autofree char *done = migrateFormatBytes(s->memTotal - MIN(s->memRemaining,
                                                                 s->memTotal));
    g_autofree char *total = migrateFormatBytes(s->memTotal);
    const char *unit = strchr(total, ' ');

    if (compact && unit && g_str_has_suffix(done, unit))
        return g_strdup_printf("%.*s/%s", (int)(strlen(done) - strlen(unit)), done, total);
    return g_strdup_printf("%s/%s", done, total);
}

/* "ETA 42 s", "ETA 12 min" */
static char *
etaText(double eta)
{
    if (eta < 600)
        return g_strdup_printf(_("ETA %.0f s"), eta);
    return g_strdup_printf(_("ETA %.0f min"), eta / 60);
}

/* "precopy pass 2  45%  28.9 MiB/64.1 MiB  20.0 MiB/s  dirty 1.2 GiB/s
 *  ETA 3 s"; @compact: single spaces between the fields and
 * "28.9/64.1 MiB", for a narrow terminal. */
static char *
statsLine(const migrateProgress *p, const migrateSample *s, double eta, bool compact)
{
    const char *sep = compact ? " " : "  ";
    g_autofree char *doneTot = doneTotal(s, compact);
    g_autofree char *rate = migrateFormatBytes(s->bps);
    g_autofree char *dirty = migrateFormatBytes(s->dirtyRate);
    double pct = s->memTotal ? 100.0 * (s->memTotal - MIN(s->memRemaining, s->memTotal)) /
                               s->memTotal : 0;
    GString *line = g_string_new(NULL);

    g_string_append_printf(line, "%s", phaseName(p, s));
    if (!s->postcopy)
        g_string_append_printf(line, _(" pass %" PRIu64), s->iteration);
    g_string_append_printf(line, "%s%3.0f%%%s%s%s%s/s%s", sep, pct, sep, doneTot,
                           sep, rate, sep);
    g_string_append_printf(line, _("dirty %s/s"), dirty);
    g_string_append(line, sep);
    if (s->postcopy) {
        g_string_append_printf(line, _("requests %" PRIu64), s->postcopyRequests);
    } else if (eta < 0) {
        g_string_append(line, _("not converging"));
    } else {
        g_autofree char *etaStr = etaText(eta);

        g_string_append(line, etaStr);
    }
    return g_string_free(line, FALSE);
}

static unsigned int
termWidth(const migrateProgress *p)
{
    struct winsize ws;

    if (p->width)
        return p->width;
    /* asked at every redraw: the terminal may have been resized */
    if (ioctl(fileno(p->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* The redrawn line, narrower than the terminal: a line that wraps
 * cannot be redrawn ("\r" returns to its last screen line only), and
 * one filling the last column leaves the cursor pending at the margin.
 * Compacted first, cut at the end if still too wide. */
static char *
progressLine(const migrateProgress *p, const migrateSample *s, double eta)
{
    unsigned int width = termWidth(p);
    char *line = statsLine(p, s, eta, false);

    if (g_utf8_strlen(line, -1) < width)
        return line;
    g_free(line);
    line = statsLine(p, s, eta, true);
    if (g_utf8_strlen(line, -1) >= width)
        *g_utf8_offset_to_pointer(line, width > 1 ? width - 1 : 0) = '\0';
    return line;
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
            return g_strdup_printf(_("%6.1f s  pass %" PRIu64), t, s->iteration);
        {
            g_autofree char *line = statsLine(p, s, eta, false);
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
        return g_strdup_printf(_("%6.1f s  completed: %s sent, downtime %" PRIu64
                                 " ms, %" PRIu64 " post-copy requests"),
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

#define EVENT_INDENT 10        /* "%6.1f s  ": continuations start below the text */

/* Whether a line may break at the space @sp: not between a number and
 * its unit ("9.1 MiB/s", "300 ms"). */
static bool
breakable(const char *line, const char *sp)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "ms", "s" };
    size_t len = strcspn(sp + 1, " /,.:;)");

    if (sp == line || !g_ascii_isdigit(sp[-1]))
        return true;
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
        if (strlen(units[i]) == len && strncmp(sp + 1, units[i], len) == 0)
            return false;
    }
    return true;
}

/* @line broken at spaces into screen lines narrower than @width, each
 * ended by an erase to its end ("\033[K": it is written over the
 * progress line), the continuations indented as the text after the
 * time.  A terminal wrapping it would cut words anywhere. */
static char *
wrapEventLine(const char *line, unsigned int width)
{
    GString *out = g_string_new(NULL);
    const char *p = line;
    long avail = (long)width - 1;

    while (width > EVENT_INDENT + 20 && g_utf8_strlen(p, -1) > avail) {
        const char *cut = g_utf8_offset_to_pointer(p, avail);
        const char *sp = cut;

        while (sp > p && (*sp != ' ' || !breakable(p, sp)))
            sp--;
        if (sp == p)
            sp = cut;            /* one long word: cut it */
        g_string_append_len(out, p, sp - p);
        g_string_append_printf(out, "\033[K\n%*s", EVENT_INDENT, "");
        p = sp;
        while (*p == ' ')
            p++;
        avail = (long)width - 1 - EVENT_INDENT;
    }
    g_string_append_printf(out, "%s\033[K\n", p);
    return g_string_free(out, FALSE);
}

/* Ends the progress line, erasing it (the next output starts at its
 * first column). */
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
    g_autoptr(GString) frame = NULL;

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
    if (!p->tty) {
        if (line)
            fprintf(p->out, "%s\n", line);
        fflush(p->out);
        return;
    }

    /* On a terminal each line is written over the progress line and
     * what is left of that is erased after it (erasing first would
     * show an empty line until the new one is written: flicker); the
     * frame goes out in one piece. */
    frame = g_string_new(NULL);
    if (line) {
        g_autofree char *wrapped = wrapEventLine(line, termWidth(p));

        g_string_append_printf(frame, "\r%s", wrapped);
    }
    if (s->kind == MIGRATE_SAMPLE_COMPLETED || s->kind == MIGRATE_SAMPLE_FAILED)
        g_clear_pointer(&p->lastBar, g_free);
    else if (s->valid && s->memTotal) {
        g_free(p->lastBar);
        p->lastBar = progressLine(p, s, eta);
    }
    /* an event line pushed the progress line down: it stays in view */
    if (p->lastBar && ((s->valid && s->memTotal) || line)) {
        g_string_append_printf(frame, "\r%s\033[K", p->lastBar);
        p->lineDrawn = true;
    } else if (line) {
        p->lineDrawn = false;
    }
    fputs(frame->str, p->out);
    fflush(p->out);
}

void
migrateProgressSetWidth(migrateProgress *p, unsigned int columns)
{
    p->width = columns;
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
