/*
 * migrate_timeline.c: the samples of one migration, in memory and as
 * JSON lines (one object per line, flushed per line so that a crash or
 * a kill leaves every sample taken so far readable).  The record
 * format is in docs/virtmig-migrate-timeline.md.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-c/json.h>

#include "migrate_sample.h"

#define TIMELINE_VERSION 1
/* A line longer than this is not one of ours. */
#define TIMELINE_MAX_LINE (64 * 1024)

struct _migrateTimeline {
    GArray *samples;              /* migrateSample, @text owned */
    char *domain;
    char *outcome;
    FILE *out;                    /* NULL: in memory only */
};

/* Index = migrateSampleKind; the "kind" field of a sample record. */
static const char *const timelineKindNames[MIGRATE_SAMPLE_LAST] = {
    "stats", "iteration", "postcopy", "paused", "resumed",
    "decision", "completed", "failed",
};

static int
timelineKindFromName(const char *name)
{
    for (int i = 0; i < MIGRATE_SAMPLE_LAST; i++) {
        if (strcmp(timelineKindNames[i], name) == 0)
            return i;
    }
    return -1;
}

static void
timelineSampleClear(void *data)
{
    migrateSample *s = data;

    g_free((char *)s->text);
}

static migrateTimeline *
timelineAlloc(const char *domain)
{
    migrateTimeline *tl = g_new0(migrateTimeline, 1);

    tl->samples = g_array_new(FALSE, TRUE, sizeof(migrateSample));
    g_array_set_clear_func(tl->samples, timelineSampleClear);
    tl->domain = g_strdup(domain ? domain : "");
    return tl;
}

/* Writes @obj as one line and flushes; consumes @obj. */
static int
timelineWriteLine(migrateTimeline *tl, json_object *obj)
{
    const char *str;
    int ret = 0;

    if (!tl->out) {
        json_object_put(obj);
        return 0;
    }
    str = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                         JSON_C_TO_STRING_NOSLASHESCAPE);
    if (fputs(str, tl->out) == EOF || fputc('\n', tl->out) == EOF ||
        fflush(tl->out) != 0)
        ret = -1;
    json_object_put(obj);
    return ret;
}

migrateTimeline *
migrateTimelineNew(const char *path, const char *domain)
{
    migrateTimeline *tl = timelineAlloc(domain);
    json_object *head;

    if (!path)
        return tl;
    if (!(tl->out = fopen(path, "w"))) {
        int saved = errno;

        migrateTimelineFree(tl);
        errno = saved;
        return NULL;
    }
    head = json_object_new_object();
    json_object_object_add(head, "virtmig_migrate_timeline",
                           json_object_new_int(TIMELINE_VERSION));
    json_object_object_add(head, "domain", json_object_new_string(tl->domain));
    if (timelineWriteLine(tl, head) < 0) {
        int saved = errno;

        migrateTimelineFree(tl);
        errno = saved;
        return NULL;
    }
    return tl;
}

void
migrateTimelineFree(migrateTimeline *tl)
{
    if (!tl)
        return;
    if (tl->out)
        fclose(tl->out);
    g_array_unref(tl->samples);
    g_free(tl->domain);
    g_free(tl->outcome);
    g_free(tl);
}

static void
timelineAddU64(json_object *obj, const char *key, uint64_t val)
{
    json_object_object_add(obj, key, json_object_new_uint64(val));
}

/* The statistics are written only when @valid, so that an event line
 * does not claim a memory state of 0. */
static json_object *
timelineSampleToJSON(const migrateSample *s)
{
    json_object *obj = json_object_new_object();

    json_object_object_add(obj, "t_ms", json_object_new_int64(s->timeMs));
    json_object_object_add(obj, "kind",
                           json_object_new_string(timelineKindNames[s->kind]));
    if (s->valid) {
        json_object_object_add(obj, "postcopy",
                               json_object_new_boolean(s->postcopy));
        timelineAddU64(obj, "iteration", s->iteration);
        timelineAddU64(obj, "mem_total", s->memTotal);
        timelineAddU64(obj, "mem_processed", s->memProcessed);
        timelineAddU64(obj, "mem_remaining", s->memRemaining);
        timelineAddU64(obj, "dirty_rate", s->dirtyRate);
        timelineAddU64(obj, "bps", s->bps);
        timelineAddU64(obj, "postcopy_requests", s->postcopyRequests);
        timelineAddU64(obj, "downtime_ms", s->downtimeMs);
    } else {
        /* an event carries at most its pass number and the phase */
        if (s->postcopy)
            json_object_object_add(obj, "postcopy", json_object_new_boolean(true));
        if (s->iteration)
            timelineAddU64(obj, "iteration", s->iteration);
    }
    if (s->text)
        json_object_object_add(obj, "text", json_object_new_string(s->text));
    return obj;
}

/* Appends a copy of @sample to memory only. */
static void
timelineAppend(migrateTimeline *tl, const migrateSample *sample)
{
    migrateSample copy = *sample;

    copy.text = g_strdup(sample->text);
    g_array_append_val(tl->samples, copy);
}

int
migrateTimelineAdd(migrateTimeline *tl, const migrateSample *sample)
{
    if ((unsigned int)sample->kind >= MIGRATE_SAMPLE_LAST) {
        errno = EINVAL;
        return -1;
    }
    timelineAppend(tl, sample);
    return timelineWriteLine(tl, timelineSampleToJSON(sample));
}

void
migrateTimelineSetOutcome(migrateTimeline *tl, const char *outcome)
{
    json_object *obj;

    g_free(tl->outcome);
    tl->outcome = g_strdup(outcome);
    if (!outcome)
        return;
    obj = json_object_new_object();
    json_object_object_add(obj, "outcome", json_object_new_string(outcome));
    /* best effort: the samples are what matters and are already out */
    (void)timelineWriteLine(tl, obj);
}

/* ---- reading ---- */

static uint64_t
timelineGetU64(json_object *obj, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(obj, key, &v))
        return 0;
    return json_object_get_uint64(v);
}

/* One sample record; -1 if it is not one. */
static int
timelineSampleFromJSON(json_object *obj, migrateSample *s)
{
    json_object *kind, *t, *v;
    int k;

    memset(s, 0, sizeof(*s));
    if (!json_object_object_get_ex(obj, "kind", &kind) ||
        !json_object_is_type(kind, json_type_string) ||
        !json_object_object_get_ex(obj, "t_ms", &t) ||
        !json_object_is_type(t, json_type_int) ||
        (k = timelineKindFromName(json_object_get_string(kind))) < 0)
        return -1;
    s->kind = k;
    s->timeMs = json_object_get_int64(t);
    s->valid = json_object_object_get_ex(obj, "mem_remaining", NULL);
    if (json_object_object_get_ex(obj, "postcopy", &v))
        s->postcopy = json_object_get_boolean(v);
    s->iteration = timelineGetU64(obj, "iteration");
    s->memTotal = timelineGetU64(obj, "mem_total");
    s->memProcessed = timelineGetU64(obj, "mem_processed");
    s->memRemaining = timelineGetU64(obj, "mem_remaining");
    s->dirtyRate = timelineGetU64(obj, "dirty_rate");
    s->bps = timelineGetU64(obj, "bps");
    s->postcopyRequests = timelineGetU64(obj, "postcopy_requests");
    s->downtimeMs = timelineGetU64(obj, "downtime_ms");
    if (json_object_object_get_ex(obj, "text", &v))
        s->text = json_object_get_string(v);  /* borrowed; copied on append */
    return 0;
}

/* Takes one line into @tl: the header, an outcome or a sample. */
static int
timelineReadRecord(migrateTimeline *tl, json_object *obj)
{
    json_object *v;
    migrateSample s;

    if (json_object_object_get_ex(obj, "virtmig_migrate_timeline", &v)) {
        if (json_object_get_int(v) != TIMELINE_VERSION)
            return -1;
        if (json_object_object_get_ex(obj, "domain", &v)) {
            g_free(tl->domain);
            tl->domain = g_strdup(json_object_get_string(v));
        }
        return 0;
    }
    if (json_object_object_get_ex(obj, "outcome", &v)) {
        g_free(tl->outcome);
        tl->outcome = g_strdup(json_object_get_string(v));
        return 0;
    }
    if (timelineSampleFromJSON(obj, &s) < 0)
        return -1;
    timelineAppend(tl, &s);
    return 0;
}

migrateTimeline *
migrateTimelineRead(const char *path)
{
    g_autofree char *data = NULL;
    g_auto(GStrv) lines = NULL;
    migrateTimeline *tl;
    gsize len;

    if (!g_file_get_contents(path, &data, &len, NULL))
        return NULL;
    tl = timelineAlloc(NULL);
    lines = g_strsplit(data, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        /* the last line without its newline: a writer killed mid-line */
        bool partial = lines[i + 1] == NULL;
        json_object *obj;
        int rc;

        if (lines[i][0] == '\0')
            continue;
        obj = strlen(lines[i]) <= TIMELINE_MAX_LINE ?
              json_tokener_parse(lines[i]) : NULL;
        if (!obj || !json_object_is_type(obj, json_type_object)) {
            json_object_put(obj);
            if (partial)
                break;
            goto error;
        }
        rc = timelineReadRecord(tl, obj);
        json_object_put(obj);
        if (rc < 0)
            goto error;
    }
    return tl;

 error:
    migrateTimelineFree(tl);
    errno = EINVAL;
    return NULL;
}

size_t
migrateTimelineCount(const migrateTimeline *tl)
{
    return tl->samples->len;
}

const migrateSample *
migrateTimelineGet(const migrateTimeline *tl, size_t i)
{
    if (i >= tl->samples->len)
        return NULL;
    return &g_array_index(tl->samples, migrateSample, i);
}

const char *
migrateTimelineDomain(const migrateTimeline *tl)
{
    return tl->domain;
}

const char *
migrateTimelineOutcome(const migrateTimeline *tl)
{
    return tl->outcome;
}
