/*
 * migratepolicytest.c: virtmig-migrate's post-copy policy, replayed.
 *
 * For every migratepolicydata/NAME.samples: the "config" line sets up
 * the policy, every other line is one sample fed in order; the actions
 * it returns (with their times and reasons) and the ETA at each new
 * pass must equal NAME.expected.  Whatever the case, an action is never
 * returned twice and nothing follows a switch to post-copy or an abort.
 *
 * Sample lines: "t=MS KIND [it=N] [total=SIZE] [remaining=SIZE]
 * [processed=SIZE] [dirty=SIZE] [bps=SIZE] [dt=MS] [pc=1]", KIND one of
 * stats, iteration, postcopy, paused, resumed, completed, failed; sizes
 * in bytes or with a K/M/G suffix (binary units), rates per second.
 * Statistics are valid for "stats" samples and for any sample that
 * carries remaining=.  The files are written by migratepolicydata/
 * simulate.py (a model of precopy passes), see there.
 */
#include <stdlib.h>
#include <string.h>

#include "testutils.h"
#include "migrate_sample.h"

#define DATADIR "migratepolicydata"

static uint64_t
parseSize(const char *name, const char *v)
{
    char *end = NULL;
    double d = g_ascii_strtod(v, &end);

    switch (*end) {
    case 'K': d *= 1024.0; break;
    case 'M': d *= 1024.0 * 1024.0; break;
    case 'G': d *= 1024.0 * 1024.0 * 1024.0; break;
    case '\0': break;
    default: g_error("%s: bad size '%s'", name, v);
    }
    return (uint64_t)d;
}

/* The index of @v in the NULL-terminated @names. */
static int
parseEnum(const char *name, const char *const *names, const char *v)
{
    for (int i = 0; names[i]; i++) {
        if (g_str_equal(names[i], v))
            return i;
    }
    g_error("%s: unknown value %s", name, v);
}

static void
parseConfig(const char *name, char **tok, migratePolicyConfig *cfg)
{
    static const char *modes[] = { "auto", "never", "now", "after-precopy", NULL };
    static const char *actions[] = { "abort", "postcopy", "pause", NULL };

    memset(cfg, 0, sizeof(*cfg));
    for (; *tok; tok++) {
        g_auto(GStrv) kv = g_strsplit(*tok, "=", 2);

        if (!kv[1])
            g_error("%s: bad config '%s'", name, *tok);
        if (g_str_equal(kv[0], "postcopy")) {
            cfg->postcopy = parseEnum(name, modes, kv[1]);
        } else if (g_str_equal(kv[0], "allowed")) {
            cfg->postcopyAllowed = g_str_equal(kv[1], "yes");
        } else if (g_str_equal(kv[0], "per-gib")) {
            cfg->completionTimeoutPerGiB = g_ascii_strtod(kv[1], NULL);
        } else if (g_str_equal(kv[0], "progress")) {
            cfg->progressTimeout = g_ascii_strtod(kv[1], NULL);
        } else if (g_str_equal(kv[0], "on-timeout")) {
            cfg->onTimeout = parseEnum(name, actions, kv[1]);
        } else if (g_str_equal(kv[0], "downtime")) {
            cfg->downtimeMs = parseSize(name, kv[1]);
        } else if (g_str_equal(kv[0], "downtime-max")) {
            cfg->downtimeMaxMs = parseSize(name, kv[1]);
        } else if (g_str_equal(kv[0], "steps")) {
            cfg->downtimeSteps = parseSize(name, kv[1]);
        } else {
            g_error("%s: unknown config key %s", name, kv[0]);
        }
    }
}

static void
parseSample(const char *name, char **tok, migrateSample *s)
{
    /* in migrateSampleKind's order */
    static const char *kinds[] = {
        "stats", "iteration", "postcopy", "paused", "resumed", "decision",
        "completed", "failed", NULL
    };
    G_STATIC_ASSERT(G_N_ELEMENTS(kinds) == MIGRATE_SAMPLE_LAST + 1);

    memset(s, 0, sizeof(*s));
    if (!tok[0] || !g_str_has_prefix(tok[0], "t=") || !tok[1])
        g_error("%s: a sample line starts with t=MS KIND", name);
    s->timeMs = g_ascii_strtoll(tok[0] + 2, NULL, 10);
    s->kind = parseEnum(name, kinds, tok[1]);
    s->valid = s->kind == MIGRATE_SAMPLE_STATS;
    for (tok += 2; *tok; tok++) {
        g_auto(GStrv) kv = g_strsplit(*tok, "=", 2);
        uint64_t v;

        if (!kv[1])
            g_error("%s: bad field '%s'", name, *tok);
        v = parseSize(name, kv[1]);
        if (g_str_equal(kv[0], "it"))
            s->iteration = v;
        else if (g_str_equal(kv[0], "total"))
            s->memTotal = v;
        else if (g_str_equal(kv[0], "processed"))
            s->memProcessed = v;
        else if (g_str_equal(kv[0], "remaining"))
            s->memRemaining = v, s->valid = true;
        else if (g_str_equal(kv[0], "dirty"))
            s->dirtyRate = v;
        else if (g_str_equal(kv[0], "bps"))
            s->bps = v;
        else if (g_str_equal(kv[0], "dt"))
            s->downtimeMs = v;
        else if (g_str_equal(kv[0], "pc"))
            s->postcopy = v != 0;
        else if (g_str_equal(kv[0], "req"))
            s->postcopyRequests = v;
        else
            g_error("%s: unknown field %s", name, kv[0]);
    }
}

static const char *
actionName(migrateActionType t)
{
    switch (t) {
    case MIGRATE_ACTION_POSTCOPY: return "POSTCOPY";
    case MIGRATE_ACTION_ABORT: return "ABORT";
    case MIGRATE_ACTION_PAUSE: return "PAUSE";
    case MIGRATE_ACTION_SET_DOWNTIME: return "SET_DOWNTIME";
    case MIGRATE_ACTION_NONE:
    default: return "NONE";
    }
}

static void
formatETA(GString *out, int64_t timeMs, uint64_t iteration, double eta)
{
    if (eta < 0)
        g_string_append_printf(out, "t=%" G_GINT64_FORMAT " it=%" G_GUINT64_FORMAT
                               " eta=not-converging\n", timeMs, iteration);
    else
        g_string_append_printf(out, "t=%" G_GINT64_FORMAT " it=%" G_GUINT64_FORMAT
                               " eta=%.1f\n", timeMs, iteration, eta);
}

/* Replays @name; returns the transcript. */
static char *
replay(const char *name)
{
    g_autofree char *path = g_strdup_printf(DATADIR "/%s.samples", name);
    g_autofree char *text = virTestLoadFile(path);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GString *out = g_string_new(NULL);
    migratePolicy *policy = NULL;
    bool over = false;
    uint64_t lastIteration = 0;

    for (char **l = lines; *l; l++) {
        g_auto(GStrv) tok = NULL;
        migrateSample s;
        migrateAction a;
        g_autofree char *key = NULL;

        g_strstrip(*l);
        if (!**l || **l == '#')
            continue;
        tok = g_strsplit_set(*l, " \t", -1);
        if (g_str_equal(tok[0], "config")) {
            migratePolicyConfig cfg;

            g_assert_null(policy);
            parseConfig(name, tok + 1, &cfg);
            policy = migratePolicyNew(&cfg);
            continue;
        }
        if (!policy)
            g_error("%s: the config line comes first", name);
        parseSample(name, tok, &s);
        a = migratePolicyFeed(policy, &s);
        if (s.valid && s.iteration > lastIteration) {
            lastIteration = s.iteration;
            formatETA(out, s.timeMs, s.iteration, migratePolicyETA(policy));
        }
        if (a.type == MIGRATE_ACTION_NONE)
            continue;
        if (over)
            g_error("%s: t=%" G_GINT64_FORMAT ": %s after the end", name,
                    s.timeMs, actionName(a.type));
        g_assert_cmpstr(a.reason, !=, "");
        key = g_strdup_printf("%s %" G_GUINT64_FORMAT, actionName(a.type), a.downtimeMs);
        if (!g_hash_table_add(seen, g_steal_pointer(&key)))
            g_error("%s: t=%" G_GINT64_FORMAT ": %s returned twice", name,
                    s.timeMs, actionName(a.type));
        over = a.type == MIGRATE_ACTION_POSTCOPY || a.type == MIGRATE_ACTION_ABORT;
        g_string_append_printf(out, "t=%" G_GINT64_FORMAT " %s", s.timeMs,
                               actionName(a.type));
        if (a.type == MIGRATE_ACTION_SET_DOWNTIME)
            g_string_append_printf(out, " %" G_GUINT64_FORMAT, a.downtimeMs);
        g_string_append_printf(out, ": %s\n", a.reason);
    }
    g_string_append_printf(out, "end eta=%.1f\n", migratePolicyETA(policy));
    migratePolicyFree(policy);
    return g_string_free(out, FALSE);
}

static void
testCase(gconstpointer data)
{
    const char *name = data;
    g_autofree char *actual = replay(name);
    g_autofree char *expected = g_strdup_printf(DATADIR "/%s.expected", name);

    g_assert_true(virTestCompareToFile(actual, expected));
}

/* No samples, no estimate. */
static void
testNoSamplesNoETA(void)
{
    migratePolicyConfig cfg = { .postcopy = MIGRATE_POSTCOPY_AUTO,
                                .postcopyAllowed = true };
    migratePolicy *p = migratePolicyNew(&cfg);

    g_assert_cmpfloat(migratePolicyETA(p), ==, -1);
    migratePolicyFree(p);
}

/* A link whose reported rate swings between 100 and 60 MiB/s every
 * sample, dirty 20 MiB/s: the raw estimate (remaining over link minus
 * dirty) doubles and halves each time; the ETA must not (the users'
 * "progress runs backwards"): it never rises by more than a quarter of
 * the gap to the most pessimistic estimate, and it ends lower than it
 * started, as the remaining memory does. */
static void
testETASmooth(void)
{
    migratePolicyConfig cfg = { .postcopy = MIGRATE_POSTCOPY_AUTO,
                                .postcopyAllowed = true, .downtimeMs = 300 };
    migratePolicy *p = migratePolicyNew(&cfg);
    const double mib = 1024.0 * 1024.0;
    double remaining = 1000 * mib;
    double first = -1, prev = -1;
    unsigned int rises = 0;

    for (int i = 0; i < 40; i++) {
        uint64_t bps = (i % 2 ? 60 : 100) * mib;
        migrateSample s = { .kind = MIGRATE_SAMPLE_STATS, .timeMs = i * 250,
                            .valid = true, .iteration = 3,
                            .memTotal = 2048 * mib, .memRemaining = remaining,
                            .dirtyRate = 20 * mib, .bps = bps };
        migrateAction a = migratePolicyFeed(p, &s);
        double eta = migratePolicyETA(p);
        double worst = remaining / (40 * mib);

        g_assert_cmpint(a.type, ==, MIGRATE_ACTION_NONE);
        g_assert_cmpfloat(eta, >=, 0);
        if (prev >= 0 && eta > prev) {
            rises++;
            g_assert_cmpfloat(eta - prev, <=, 0.25 * (worst - prev));
        }
        if (first < 0)
            first = eta;
        prev = eta;
        remaining -= (bps - 20 * mib) / 4;
    }
    g_assert_cmpuint(rises, >, 0);          /* the swings were there */
    g_assert_cmpfloat(prev, <, first);
    migratePolicyFree(p);
}

int
main(int argc, char **argv)
{
    g_auto(GStrv) names = NULL;

    g_test_init(&argc, &argv, NULL);
    names = virTestListFiles(DATADIR, ".samples");
    g_assert_cmpuint(g_strv_length(names), >=, 10);
    for (char **n = names; *n; n++) {
        g_autofree char *tpath = NULL;

        *strrchr(*n, '.') = '\0';
        tpath = g_strdup_printf("/migratepolicy/%s", *n);
        g_test_add_data_func(tpath, *n, testCase);
    }
    g_test_add_func("/migratepolicy/no-samples", testNoSamplesNoETA);
    g_test_add_func("/migratepolicy/eta-smooth", testETASmooth);
    return g_test_run();
}
