/*
 * migrate_policy.c: when to give up on precopy (see migrate_sample.h and
 * docs/migration.md, "virtmig-migrate's post-copy policy").
 *
 * Pure: no I/O, no libvirt, no clock of its own.  Everything it knows
 * comes from the samples fed in time order; the decisions are a function
 * of those samples and the configuration, so the tests replay recorded
 * or simulated migrations and compare the actions.
 *
 * Pass boundaries: QEMU's memory_iteration counts dirty-bitmap syncs; it
 * is 1 during the first (bulk) pass and N+1 once N passes are done.  The
 * first valid statistics with a higher iteration than seen so far give
 * the memory left at that boundary (what the next pass must send).
 */
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gi18n.h>

#include "migrate_sample.h"

#define GIB (1024.0 * 1024.0 * 1024.0)
/* QEMU's default downtime limit, when neither the config nor the
 * statistics give one */
#define DEFAULT_DOWNTIME_MS 300
/* a pass that shrinks the remaining memory by less than this (per pass,
 * averaged over 2 passes) makes no useful progress */
#define MIN_SHRINK 0.15
/* more passes than this still needed (extrapolated): not converging */
#define MAX_MORE_PASSES 5
/* auto mode's stall window: the remaining memory not falling within a
 * pass for this long switches to post-copy */
#define AUTO_STALL_MS 10000
/* a rising ETA moves this fraction of the way per sample */
#define ETA_RISE 0.25
/* the downtime asked for: what the last pass needs plus this margin */
#define DOWNTIME_MARGIN 1.1
#define PASS_HISTORY 8

struct _migratePolicy {
    migratePolicyConfig cfg;
    bool started;
    int64_t startMs;
    bool finished;            /* completed, failed, in post-copy or aborted */
    bool postcopyAsked;
    bool paused;
    bool timeoutDone;         /* the completion budget's action was taken */
    uint64_t memTotal;

    /* passes: the remaining memory at each boundary (ring) */
    uint64_t iteration;       /* highest seen (events or stats) */
    uint64_t passIteration;   /* highest recorded with statistics */
    uint64_t passRemaining[PASS_HISTORY];
    unsigned int nPasses;     /* boundaries recorded */

    /* rates (see updateRates) */
    double bpsSum;
    unsigned int rateCount;
    uint64_t bps, dirty;      /* the estimate in use */
    uint64_t remaining;
    bool postcopyPhase;

    /* progress: lowest remaining so far and since when */
    uint64_t lowest;
    int64_t lowestMs;
    bool haveLowest;
    /* the same within the current pass (auto mode's stall detector) */
    uint64_t passLowest;
    int64_t passLowestMs;
    uint64_t passLowestIteration;

    uint64_t downtimeMs;      /* the limit in force */
    unsigned int rampStep;    /* Nova's ramp steps taken */
    bool notConverging;       /* the last pass boundary's prediction */

    double eta;               /* smoothed, -1: none */
    int64_t etaMs;
};

/* "241 MiB", "1.4 GiB": one decimal below 10 units. */
static void
fmtSize(char *buf, size_t len, double bytes)
{
    static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    size_t u = 0;

    while (bytes >= 1024.0 && u < G_N_ELEMENTS(units) - 1) {
        bytes /= 1024.0;
        u++;
    }
    if (u > 0 && bytes < 9.95 && fabs(bytes - round(bytes)) >= 0.05)
        g_snprintf(buf, len, "%.1f %s", bytes, units[u]);
    else
        g_snprintf(buf, len, "%.0f %s", bytes, units[u]);
}

migratePolicy *
migratePolicyNew(const migratePolicyConfig *cfg)
{
    migratePolicy *p = g_new0(migratePolicy, 1);

    p->cfg = *cfg;
    p->downtimeMs = cfg->downtimeMs;
    p->eta = -1;
    return p;
}

void
migratePolicyFree(migratePolicy *policy)
{
    g_free(policy);
}

static bool
postcopyPossible(const migratePolicy *p)
{
    return p->cfg.postcopyAllowed && p->cfg.postcopy != MIGRATE_POSTCOPY_NEVER;
}

static uint64_t
downtimeLimit(const migratePolicy *p)
{
    return p->downtimeMs ? p->downtimeMs : DEFAULT_DOWNTIME_MS;
}

/* Bytes the link carries within the downtime limit: precopy completes
 * when what is left fits in it. */
static double
downtimeBytes(const migratePolicy *p)
{
    return (double)p->bps * downtimeLimit(p) / 1000.0;
}

static double
elapsedS(const migratePolicy *p, int64_t nowMs)
{
    return (nowMs - p->startMs) / 1000.0;
}

static migrateAction
makeAction(migrateActionType type, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static migrateAction
makeAction(migrateActionType type, const char *fmt, ...)
{
    migrateAction a = { .type = type };
    va_list ap;

    va_start(ap, fmt);
    g_vsnprintf(a.reason, sizeof(a.reason), fmt, ap);
    va_end(ap);
    return a;
}

static migrateAction
actPostcopy(migratePolicy *p, migrateAction a)
{
    p->postcopyAsked = true;
    p->finished = true;
    return a;
}

/* The link: the mean of the pass's samples.  The dirty rate: QEMU
 * measures it over each pass (at each bitmap sync), so the latest is the
 * last pass's. */
static void
updateRates(migratePolicy *p, const migrateSample *s)
{
    p->dirty = p->paused ? 0 : s->dirtyRate;   /* a paused guest dirties nothing */
    if (s->bps == 0)
        return;
    p->bpsSum += s->bps;
    p->rateCount++;
    p->bps = p->bpsSum / p->rateCount;
}

/* The remaining memory rises at each pass boundary and falls during the
 * pass: the lowest so far (KubeVirt's measure) is reached again only
 * near the end of a pass; within a pass it falls whenever data moves. */
static void
updateLowest(migratePolicy *p, const migrateSample *s)
{
    if (!p->haveLowest || s->memRemaining < p->lowest) {
        p->lowest = s->memRemaining;
        p->lowestMs = s->timeMs;
    }
    if (!p->haveLowest || s->iteration != p->passLowestIteration ||
        s->memRemaining < p->passLowest) {
        p->passLowest = s->memRemaining;
        p->passLowestMs = s->timeMs;
        p->passLowestIteration = s->iteration;
    }
    p->haveLowest = true;
}

/* The ETA from the effective progress (link minus dirtying) against what
 * is left beyond the downtime budget; it may fall as fast as it likes
 * but rises over a few samples, so a noisy sample or the jump of the
 * remaining memory at a pass boundary does not throw it back. */
static void
updateETA(migratePolicy *p, int64_t nowMs)
{
    double raw;

    if (p->postcopyPhase) {
        raw = p->bps ? (double)p->remaining / p->bps : -1;
    } else if (p->notConverging || p->bps <= p->dirty) {
        p->eta = -1;
        return;
    } else {
        double left = (double)p->remaining - downtimeBytes(p);
        raw = left > 0 ? left / (double)(p->bps - p->dirty) : 0;
    }
    if (raw < 0) {
        p->eta = -1;
        return;
    }
    if (p->eta >= 0) {
        double dt = (nowMs - p->etaMs) / 1000.0;
        double base = MAX(p->eta - dt, 0);

        /* falls at once, rises by a fraction of the gap per sample */
        if (raw > base)
            raw = base + ETA_RISE * (raw - base);
    }
    p->eta = raw;
    p->etaMs = nowMs;
}

double
migratePolicyETA(const migratePolicy *policy)
{
    return policy->eta;
}

/* The prediction at a pass boundary; with a reason when precopy will not
 * converge.  @n: passes done, @rem: memory left now. */
static bool
predictNotConverging(migratePolicy *p, unsigned int n, uint64_t rem,
                     char *why, size_t len)
{
    char size[32], left[64], dirty[32], link[32], target[32];
    double budget = downtimeBytes(p);
    double ratio = p->bps ? (double)p->dirty / p->bps : INFINITY;
    double observed = 0;

    fmtSize(size, sizeof(size), rem);
    g_snprintf(left, sizeof(left),
               ngettext("%s left after %u pass", "%s left after %u passes", n),
               size, n);
    fmtSize(dirty, sizeof(dirty), p->dirty);
    fmtSize(link, sizeof(link), p->bps);
    fmtSize(target, sizeof(target), budget);

    if (p->bps == 0 || p->paused)
        return false;                       /* a paused guest dirties nothing */
    if (rem <= budget)
        return false;                       /* it completes now */
    if (p->dirty >= p->bps) {
        g_snprintf(why, len,
                   _("pass %u: %s, dirty %s/s >= %s/s link"),
                   n, left, dirty, link);
        return true;
    }
    /* the first boundary follows the bulk pass: it has no comparable
     * predecessor */
    if (p->nPasses >= 2) {
        uint64_t prev = p->passRemaining[(p->nPasses - 2) % PASS_HISTORY];

        if (prev && rem >= prev) {
            char before[32];

            fmtSize(before, sizeof(before), prev);
            g_snprintf(why, len,
                       _("pass %u: %s, not less than the %s after pass %u "
                         "(dirty %s/s, link %s/s)"),
                       n, left, before, n - 1, dirty, link);
            return true;
        }
        if (prev)
            observed = (double)rem / prev;
    }
    /* the shrink over the last 2 passes */
    if (p->nPasses >= 3) {
        uint64_t before = p->passRemaining[(p->nPasses - 3) % PASS_HISTORY];
        double perPass = before ? sqrt((double)rem / before) : 0;

        if (perPass > 1.0 - MIN_SHRINK) {
            g_snprintf(why, len,
                       _("pass %u: %s, down only %.0f%% in 2 passes "
                         "(dirty %s/s, link %s/s)"),
                       n, left, before > rem ? 100.0 * (before - rem) / before : 0.0,
                       dirty, link);
            return true;
        }
    }
    ratio = MAX(ratio, observed);
    if (ratio * rem <= budget)
        return false;                       /* the next pass completes */
    if (ratio >= 1.0 || log(budget / rem) / log(ratio) > MAX_MORE_PASSES) {
        g_snprintf(why, len,
                   _("pass %u: %s, dirty %s/s vs %s/s link: more than %d "
                     "further passes to get below %s (%llu ms downtime)"),
                   n, left, dirty, link, MAX_MORE_PASSES, target,
                   (unsigned long long)downtimeLimit(p));
        return true;
    }
    return false;
}

/* Post-copy not possible: raise the downtime limit to what the last pass
 * needs (its memory at the current rate), within the cap. */
static migrateAction
raiseDowntime(migratePolicy *p, unsigned int n, uint64_t rem)
{
    migrateAction none = { 0 };
    char left[32], link[32];
    uint64_t need, to;

    if (!p->cfg.downtimeMaxMs || p->cfg.downtimeSteps || !p->bps)
        return none;
    need = (uint64_t)ceil((double)rem * 1000.0 / p->bps * DOWNTIME_MARGIN);
    to = MIN(need, p->cfg.downtimeMaxMs);
    if (to <= downtimeLimit(p))
        return none;
    fmtSize(left, sizeof(left), rem);
    fmtSize(link, sizeof(link), p->bps);
    migrateAction a = makeAction(MIGRATE_ACTION_SET_DOWNTIME,
        _("pass %u: %s left at %s/s needs %llu ms of downtime: raising the "
          "limit from %llu to %llu ms%s"),
        n, left, link, (unsigned long long)need,
        (unsigned long long)downtimeLimit(p), (unsigned long long)to,
        to < need ? _(" (the cap)") : "");
    a.downtimeMs = to;
    p->downtimeMs = to;
    return a;
}

static migrateAction
passBoundary(migratePolicy *p, const migrateSample *s)
{
    migrateAction none = { 0 };
    unsigned int n = s->iteration - 1;      /* passes done */
    char why[200];

    p->passRemaining[p->nPasses % PASS_HISTORY] = s->memRemaining;
    p->nPasses++;
    p->passIteration = s->iteration;

    p->notConverging = predictNotConverging(p, n, s->memRemaining, why, sizeof(why));
    /* the rates of the next pass are its own */
    p->bpsSum = 0;
    p->rateCount = 0;
    if (!p->notConverging)
        return none;
    if (p->cfg.postcopy == MIGRATE_POSTCOPY_AUTO && p->cfg.postcopyAllowed)
        return actPostcopy(p, makeAction(MIGRATE_ACTION_POSTCOPY,
                                         _("%s: switching to post-copy"), why));
    if (!postcopyPossible(p))
        return raiseDowntime(p, n, s->memRemaining);
    return none;
}

/* Nova's ramp: step i of N raises the limit linearly from the start to
 * the cap, at i/(N+1) of the completion budget (the last interval runs at
 * the cap before the budget's own action). */
static migrateAction
downtimeRamp(migratePolicy *p, int64_t nowMs)
{
    migrateAction none = { 0 };
    unsigned int steps = p->cfg.downtimeSteps;
    double budget = p->cfg.completionTimeoutPerGiB * p->memTotal / GIB;
    unsigned int due;
    uint64_t from = p->cfg.downtimeMs ? p->cfg.downtimeMs : DEFAULT_DOWNTIME_MS;
    uint64_t to;

    if (!steps || !p->cfg.downtimeMaxMs || budget <= 0 || p->rampStep >= steps)
        return none;
    due = MIN((unsigned int)(elapsedS(p, nowMs) * (steps + 1) / budget), steps);
    if (due <= p->rampStep)
        return none;
    p->rampStep = due;
    to = from + (p->cfg.downtimeMaxMs > from ? (p->cfg.downtimeMaxMs - from) : 0) * due / steps;
    if (to <= downtimeLimit(p))
        return none;
    migrateAction a = makeAction(MIGRATE_ACTION_SET_DOWNTIME,
        _("downtime step %u of %u at %.0f s: raising the limit from %llu to %llu ms"),
        due, steps, elapsedS(p, nowMs), (unsigned long long)downtimeLimit(p),
        (unsigned long long)to);
    a.downtimeMs = to;
    p->downtimeMs = to;
    return a;
}

/* KubeVirt's acceptable completion time: completionTimeoutPerGiB per GiB
 * of guest memory. */
static migrateAction
completionTimeout(migratePolicy *p, int64_t nowMs)
{
    migrateAction none = { 0 };
    double budget = p->cfg.completionTimeoutPerGiB * p->memTotal / GIB;
    char mem[32], head[160];

    if (p->timeoutDone || budget <= 0 || elapsedS(p, nowMs) <= budget)
        return none;
    p->timeoutDone = true;
    fmtSize(mem, sizeof(mem), p->memTotal);
    g_snprintf(head, sizeof(head),
               _("%.0f s elapsed, more than the %.0f s allowed for %s (%g s per GiB)"),
               elapsedS(p, nowMs), budget, mem, p->cfg.completionTimeoutPerGiB);
    switch (p->cfg.onTimeout) {
    case MIGRATE_TIMEOUT_POSTCOPY:
        if (postcopyPossible(p))
            return actPostcopy(p, makeAction(MIGRATE_ACTION_POSTCOPY,
                                             _("%s: switching to post-copy"), head));
        G_GNUC_FALLTHROUGH;
    case MIGRATE_TIMEOUT_PAUSE:
        if (p->paused)
            return none;
        p->paused = true;
        return makeAction(MIGRATE_ACTION_PAUSE,
                          _("%s: pausing the guest so precopy completes"), head);
    case MIGRATE_TIMEOUT_ABORT:
    default:
        p->finished = true;
        return makeAction(MIGRATE_ACTION_ABORT, _("%s: aborting"), head);
    }
}

/* KubeVirt's progressTimeout: no new low of the remaining memory for
 * that long aborts.  Auto mode switches to post-copy much sooner when the
 * remaining memory stops falling within a pass (10 s, or the progress
 * timeout if shorter), while the link still reports a rate. */
static migrateAction
stalled(migratePolicy *p, int64_t nowMs)
{
    migrateAction none = { 0 };
    char low[32];

    if (!p->haveLowest)
        return none;
    if (p->cfg.postcopy == MIGRATE_POSTCOPY_AUTO && p->cfg.postcopyAllowed &&
        p->bps > 0) {
        int64_t window = AUTO_STALL_MS;
        int64_t since = nowMs - p->passLowestMs;

        if (p->cfg.progressTimeout > 0)
            window = MIN(window, (int64_t)(p->cfg.progressTimeout * 1000));
        if (since >= window) {
            fmtSize(low, sizeof(low), p->passLowest);
            return actPostcopy(p, makeAction(MIGRATE_ACTION_POSTCOPY,
                _("in pass %u, stuck at %s left for %.0f s: switching to post-copy"),
                (unsigned int)MAX(p->passLowestIteration, 1), low, since / 1000.0));
        }
    }
    if (p->cfg.progressTimeout > 0 &&
        nowMs - p->lowestMs >= p->cfg.progressTimeout * 1000) {
        fmtSize(low, sizeof(low), p->lowest);
        p->finished = true;
        return makeAction(MIGRATE_ACTION_ABORT,
            _("no decrease of the remaining memory below %s for %.0f s: aborting"),
            low, (nowMs - p->lowestMs) / 1000.0);
    }
    return none;
}

static bool
endsPolicy(const migrateSample *s)
{
    return s->kind == MIGRATE_SAMPLE_POSTCOPY || s->kind == MIGRATE_SAMPLE_COMPLETED ||
           s->kind == MIGRATE_SAMPLE_FAILED || (s->valid && s->postcopy);
}

migrateAction
migratePolicyFeed(migratePolicy *p, const migrateSample *s)
{
    migrateAction none = { 0 };
    migrateAction a;

    if (!p->started) {
        p->started = true;
        p->startMs = s->timeMs;
    }
    if (s->kind == MIGRATE_SAMPLE_PAUSED)
        p->paused = true;
    else if (s->kind == MIGRATE_SAMPLE_RESUMED)
        p->paused = false;
    if (s->iteration > p->iteration)
        p->iteration = s->iteration;
    if (s->valid) {
        if (s->memTotal)
            p->memTotal = s->memTotal;
        if (s->downtimeMs && !p->cfg.downtimeMs && !p->downtimeMs)
            p->downtimeMs = s->downtimeMs;
        p->remaining = s->memRemaining;
        updateRates(p, s);
        updateLowest(p, s);
    }
    if (endsPolicy(s)) {
        p->postcopyPhase = s->kind == MIGRATE_SAMPLE_POSTCOPY || s->postcopy;
        p->finished = true;
        if (s->kind == MIGRATE_SAMPLE_COMPLETED)
            p->eta = 0;
        else if (s->kind == MIGRATE_SAMPLE_FAILED)
            p->eta = -1;
        else
            updateETA(p, s->timeMs);
        return none;
    }
    if (p->finished) {
        if (p->postcopyAsked && s->valid)
            updateETA(p, s->timeMs);
        return none;
    }

    if (p->cfg.postcopy == MIGRATE_POSTCOPY_NOW && p->cfg.postcopyAllowed) {
        return actPostcopy(p, makeAction(MIGRATE_ACTION_POSTCOPY,
            _("switching to post-copy at once (--postcopy now)")));
    }

    if (p->cfg.postcopy == MIGRATE_POSTCOPY_AFTER_PRECOPY && p->cfg.postcopyAllowed &&
        p->iteration >= 2) {
        char left[32];

        if (!s->valid)      /* the event: what is left comes with the stats */
            return actPostcopy(p, makeAction(MIGRATE_ACTION_POSTCOPY,
                _("pass 1 done: switching to post-copy (after precopy)")));
        fmtSize(left, sizeof(left), s->memRemaining);
        return actPostcopy(p, makeAction(MIGRATE_ACTION_POSTCOPY,
            _("pass 1 done, %s left: switching to post-copy (after precopy)"), left));
    }

    a = none;
    if (s->valid && s->iteration >= 2 && s->iteration > p->passIteration)
        a = passBoundary(p, s);
    if (s->valid)
        updateETA(p, s->timeMs);
    if (a.type != MIGRATE_ACTION_NONE)
        return a;
    a = downtimeRamp(p, s->timeMs);
    if (a.type != MIGRATE_ACTION_NONE)
        return a;
    a = completionTimeout(p, s->timeMs);
    if (a.type != MIGRATE_ACTION_NONE)
        return a;
    return stalled(p, s->timeMs);
}
