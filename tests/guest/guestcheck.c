/*
 * guestcheck.c: verifies a RAM dump of the test guest's range
 */
#include <string.h>

#include "guestcheck.h"
#include "guestpattern.h"

typedef struct _virGuestCheckModel virGuestCheckModel;
struct _virGuestCheckModel {
    guint32 high;       /* pass before the boundary */
    guint32 boundary;   /* first page not wholly at @high */
    guint32 fit;        /* pages that fit */
};

static bool
virGuestPageMatches(const guint8 *page, guint32 index, guint32 pass,
                    guint word)
{
    return virGuestPageWord(page, word) ==
           virGuestPatternWord(index, pass, word);
}

static bool
virGuestPageIsZero(const guint8 *page)
{
    guint i;

    for (i = 0; i < VIR_GUEST_PAGE_SIZE; i++) {
        if (page[i] != 0)
            return false;
    }
    return true;
}

/* First word (in write order) that differs from pass @pass, or -1. */
static int
virGuestPageFirstMismatch(const guint8 *page, guint32 index, guint32 pass,
                          bool fill)
{
    guint n = virGuestPatternCount(fill);
    guint i;

    for (i = 0; i < n; i++) {
        if (!virGuestPageMatches(page, index, pass, virGuestPatternAt(fill, i)))
            return virGuestPatternAt(fill, i);
    }
    return -1;
}

typedef enum {
    VIR_GUEST_TEAR_NONE = 0,    /* not a mix of the two passes */
    VIR_GUEST_TEAR_PREFIX,      /* new words, then old, in write order */
    VIR_GUEST_TEAR_MIXED,       /* both passes, in any order */
} virGuestTear;

/*
 * Is the page a mix of pass @newer - 1 and @newer?  Each word must be
 * at either pass, and at least one at each.  Sets info->word to the
 * number of words at @newer.
 */
static virGuestTear
virGuestPageTear(const guint8 *page, guint32 index, bool fill,
                 guint32 newer, virGuestPageInfo *info)
{
    guint n = virGuestPatternCount(fill);
    guint nprefix = 0, nonlynew = 0, nonlyold = 0;
    guint i;

    for (i = 0; i < n; i++) {
        guint word = virGuestPatternAt(fill, i);
        bool isnew = virGuestPageMatches(page, index, newer, word);
        bool isold = virGuestPageMatches(page, index, newer - 1, word);

        if (!isnew && !isold)
            return VIR_GUEST_TEAR_NONE;
        if (isnew && nprefix == i)
            nprefix++;
        if (isnew && !isold)
            nonlynew++;
        if (isold && !isnew)
            nonlyold++;
    }
    if (nonlynew == 0 || nonlyold == 0)
        return VIR_GUEST_TEAR_NONE;
    info->word = n - nonlyold;
    /* prefix: no word only at @newer after the first word at @newer - 1 */
    for (i = nprefix; i < n; i++) {
        guint word = virGuestPatternAt(fill, i);

        if (!virGuestPageMatches(page, index, newer - 1, word))
            return VIR_GUEST_TEAR_MIXED;
    }
    info->word = nprefix;
    return VIR_GUEST_TEAR_PREFIX;
}

/* Torn (or mixed) page at @newer?  A dump of a running guest may
 * mix the words in any order: count that as torn too. */
static bool
virGuestPageClassifyTorn(const guint8 *page, guint32 index, bool fill,
                         virGuestCheckMode mode, guint32 newer,
                         virGuestPageInfo *info)
{
    switch (virGuestPageTear(page, index, fill, newer, info)) {
    case VIR_GUEST_TEAR_NONE:
        return false;
    case VIR_GUEST_TEAR_PREFIX:
        info->state = VIR_GUEST_PAGE_TORN;
        break;
    case VIR_GUEST_TEAR_MIXED:
        info->state = VIR_GUEST_PAGE_MIXED;
        if (mode == VIR_GUEST_CHECK_RUNNING)
            info->state = VIR_GUEST_PAGE_TORN;
        break;
    }
    info->pass = newer;
    return true;
}

static void
virGuestPageDiagnose(const guint8 *page, guint32 index, bool fill,
                     virGuestPageInfo *info)
{
    int word;

    if (virGuestPageWord(page, 0) != VIR_GUEST_PAGE_MAGIC) {
        info->state = VIR_GUEST_PAGE_BAD_MAGIC;
        info->word = 0;
    } else if (virGuestPageWord(page, 1) != index) {
        info->state = VIR_GUEST_PAGE_BAD_INDEX;
        info->word = 1;
    } else if (!virGuestPageMatches(page, index, info->pass, 3)) {
        info->state = VIR_GUEST_PAGE_BAD_CHECK;
        info->word = 3;
    } else {
        word = virGuestPageFirstMismatch(page, index, info->pass, fill);
        info->state = VIR_GUEST_PAGE_BAD_WORD;
        info->word = MAX(word, 0);
    }
    info->value = virGuestPageWord(page, info->word);
}

void
virGuestPageClassify(const guint8 *page, guint32 index, bool fill,
                     virGuestCheckMode mode, virGuestPageInfo *info)
{
    guint32 pass = virGuestPageWord(page, 2);

    memset(info, 0, sizeof(*info));
    info->pass = pass;
    if (virGuestPageIsZero(page)) {
        info->state = VIR_GUEST_PAGE_ZERO;
        return;
    }
    if (virGuestPageFirstMismatch(page, index, pass, fill) < 0) {
        info->state = VIR_GUEST_PAGE_CLEAN;
        return;
    }
    /* the header holds the newer pass unless the write stopped in it */
    if (virGuestPageClassifyTorn(page, index, fill, mode, pass, info) ||
        virGuestPageClassifyTorn(page, index, fill, mode, pass + 1, info))
        return;
    virGuestPageDiagnose(page, index, fill, info);
}

static bool
virGuestPageIsClean(const virGuestPageInfo *info, guint32 pass)
{
    return info->state == VIR_GUEST_PAGE_CLEAN && info->pass == pass;
}

/* Can page info sit at the boundary of a model with pass @high? */
static bool
virGuestPageFitsBoundary(const virGuestPageInfo *info, guint32 high)
{
    if (info->state == VIR_GUEST_PAGE_TORN)
        return info->pass == high;
    return virGuestPageIsClean(info, high - 1);
}

/* The pass most clean pages hold; false if no page is clean. */
static bool
virGuestCheckCommonPass(const virGuestPageInfo *infos, guint32 n,
                        guint32 *pass)
{
    g_autoptr(GHashTable) counts = g_hash_table_new(g_direct_hash,
                                                    g_direct_equal);
    guint best = 0;
    guint32 i;

    for (i = 0; i < n; i++) {
        gpointer key = GUINT_TO_POINTER(infos[i].pass);
        guint count;

        if (infos[i].state != VIR_GUEST_PAGE_CLEAN)
            continue;
        count = GPOINTER_TO_UINT(g_hash_table_lookup(counts, key)) + 1;
        g_hash_table_insert(counts, key, GUINT_TO_POINTER(count));
        if (count > best) {
            best = count;
            *pass = infos[i].pass;
        }
    }
    return best > 0;
}

/* Best boundary for pass @high: the one most pages fit (earliest). */
static void
virGuestCheckFitModel(const virGuestPageInfo *infos, guint32 n,
                      guint32 high, virGuestCheckModel *model)
{
    g_autofree guint32 *lowFrom = g_new0(guint32, n + 2);
    guint32 highBefore = 0;
    guint32 k;

    /* lowFrom[k]: pages in [k, n) clean at high - 1 */
    for (k = n; k > 0; k--)
        lowFrom[k - 1] = lowFrom[k] +
                         virGuestPageIsClean(&infos[k - 1], high - 1);

    model->high = high;
    model->boundary = n;
    model->fit = 0;
    for (k = 0; k <= n; k++) {
        guint32 fit = highBefore;

        if (k < n)
            fit += virGuestPageFitsBoundary(&infos[k], high) + lowFrom[k + 1];
        if (fit > model->fit) {
            model->fit = fit;
            model->boundary = k;
        }
        if (k < n)
            highBefore += virGuestPageIsClean(&infos[k], high);
    }
}

static bool
virGuestCheckPageFits(const virGuestPageInfo *info, guint32 index,
                      const virGuestCheckModel *model)
{
    if (index < model->boundary)
        return virGuestPageIsClean(info, model->high);
    if (index == model->boundary)
        return virGuestPageFitsBoundary(info, model->high);
    return virGuestPageIsClean(info, model->high - 1);
}

static char *
virGuestCheckDescribeWrongPass(const virGuestPageInfo *info, guint32 index,
                               const virGuestCheckModel *model)
{
    guint32 expected = model->high;
    const char *why = "newer than its neighbours";

    if (index >= model->boundary)
        expected = model->high - 1;
    if (info->state == VIR_GUEST_PAGE_TORN) {
        return g_strdup_printf(
            "caught mid-write from pass %u to %u away from the boundary, expected pass %u",
            info->pass - 1, info->pass, expected);
    }
    if ((gint32)(info->pass - expected) < 0)
        why = "older than its neighbours: stale or lost update";
    if (info->pass == model->high - 1 && index < model->boundary)
        why = "older than its neighbours: stale page or a second boundary";
    else if (info->pass == model->high && index > model->boundary)
        why = "newer than its neighbours: a second boundary";
    return g_strdup_printf("holds pass %u, expected pass %u (%s)",
                           info->pass, expected, why);
}

static char *
virGuestCheckDescribe(const virGuestPageInfo *info, guint32 index,
                      guint32 npages, const virGuestCheckModel *model)
{
    guint32 expected = 0;

    switch ((virGuestPageState)info->state) {
    case VIR_GUEST_PAGE_CLEAN:
    case VIR_GUEST_PAGE_TORN:
        return virGuestCheckDescribeWrongPass(info, index, model);
    case VIR_GUEST_PAGE_MIXED:
        return g_strdup_printf("mixes passes %u and %u out of write order (partly updated page)",
                               info->pass - 1, info->pass);
    case VIR_GUEST_PAGE_ZERO:
        return g_strdup("all zero (never written, or lost)");
    case VIR_GUEST_PAGE_BAD_MAGIC:
        return g_strdup_printf("magic 0x%08x, expected 0x%08x (not a guest page)",
                               info->value, VIR_GUEST_PAGE_MAGIC);
    case VIR_GUEST_PAGE_BAD_INDEX:
        if (info->value < npages)
            return g_strdup_printf("holds the data of page %u (misplaced page)",
                                   info->value);
        return g_strdup_printf("index word 0x%08x, expected %u",
                               info->value, index);
    case VIR_GUEST_PAGE_BAD_CHECK:
    case VIR_GUEST_PAGE_BAD_WORD:
        expected = virGuestPatternWord(index, info->pass, info->word);
        return g_strdup_printf("word %u is 0x%08x, expected 0x%08x for pass %u (damaged page)",
                               info->word, info->value, expected, info->pass);
    case VIR_GUEST_PAGE_LAST:
        break;
    }
    return g_strdup("unknown page state");
}

static void
virGuestCheckSummarizeOk(virGuestCheckResult *res, guint64 base,
                         const virGuestCheckModel *model)
{
    g_autofree char *torn = NULL;

    if (model->boundary == res->pages) {
        res->summary = g_strdup_printf("ok: %u pages at 0x%llx, pass %u throughout",
                                       res->pages, (unsigned long long)base,
                                       model->high);
        return;
    }
    if (res->boundaryWords > 0)
        torn = g_strdup_printf(" (torn: %u of %u words at pass %u)",
                               res->boundaryWords, res->pageWords,
                               model->high);
    res->summary = g_strdup_printf("ok: %u pages at 0x%llx, passes %u..%u, boundary at page %u%s",
                                   res->pages, (unsigned long long)base,
                                   model->high - 1, model->high,
                                   model->boundary, torn ? torn : "");
}

/* "passes P..Q with the boundary at page K", or why there is no model */
static char *
virGuestCheckDescribeModel(const virGuestCheckResult *res,
                           const virGuestCheckModel *model)
{
    if (model->fit == 0)
        return g_strdup("no page holds a whole pass");
    if (model->boundary == res->pages)
        return g_strdup_printf("%u of %u pages do not fit pass %u throughout",
                               res->nbad, res->pages, model->high);
    return g_strdup_printf("%u of %u pages do not fit passes %u..%u with the boundary at page %u",
                           res->nbad, res->pages, model->high - 1,
                           model->high, model->boundary);
}

static void
virGuestCheckReport(virGuestCheckResult *res, const virGuestPageInfo *infos,
                    guint64 base, const virGuestCheckModel *model)
{
    g_autofree char *context = NULL;
    guint32 i;

    res->passHigh = model->high;
    res->boundary = model->boundary;
    if (model->boundary < res->pages &&
        infos[model->boundary].state == VIR_GUEST_PAGE_TORN)
        res->boundaryWords = infos[model->boundary].word;
    res->nbad = res->pages - model->fit;
    res->ok = res->nbad == 0;
    if (res->ok) {
        virGuestCheckSummarizeOk(res, base, model);
        return;
    }
    context = virGuestCheckDescribeModel(res, model);
    for (i = 0; i < res->pages; i++) {
        guint64 addr = base + (guint64)i * VIR_GUEST_PAGE_SIZE;
        g_autofree char *why = NULL;

        if (virGuestCheckPageFits(&infos[i], i, model))
            continue;
        why = virGuestCheckDescribe(&infos[i], i, res->pages, model);
        if (res->details->len == 0) {
            res->firstBad = i;
            res->summary = g_strdup_printf("FAIL: page %u at 0x%llx: %s; %s",
                                           i, (unsigned long long)addr, why,
                                           context);
        }
        g_ptr_array_add(res->details,
                        g_strdup_printf("page %u at 0x%llx: %s", i,
                                        (unsigned long long)addr, why));
        if (res->details->len == VIR_GUEST_CHECK_MAX_DETAILS)
            break;
    }
}

void
virGuestCheckResultClear(virGuestCheckResult *res)
{
    g_clear_pointer(&res->summary, g_free);
    g_clear_pointer(&res->details, g_ptr_array_unref);
    memset(res, 0, sizeof(*res));
}

static bool
virGuestCheckSize(const virGuestParams *params, gsize len,
                  virGuestCheckResult *res)
{
    guint64 want = (guint64)params->pages * VIR_GUEST_PAGE_SIZE;

    if (len == want && params->pages > 0)
        return true;
    res->summary = g_strdup_printf(
        "FAIL: dump holds %llu bytes, expected %llu (%u pages at 0x%x)%s",
        (unsigned long long)len, (unsigned long long)want, params->pages,
        params->base, len < want ? ": truncated" : "");
    return false;
}

bool
virGuestCheckDump(const virGuestParams *params, const guint8 *data,
                  gsize len, virGuestCheckMode mode,
                  virGuestCheckResult *res)
{
    bool fill = params->flags & VIR_GUEST_FLAG_FILL;
    g_autofree virGuestPageInfo *infos = NULL;
    virGuestCheckModel model = { 0 };
    virGuestCheckModel other = { 0 };
    guint32 common = 0;
    guint32 i;

    memset(res, 0, sizeof(*res));
    res->details = g_ptr_array_new_with_free_func(g_free);
    res->pages = params->pages;
    res->pageWords = virGuestPatternCount(fill);
    if (!virGuestCheckSize(params, len, res))
        return false;

    infos = g_new0(virGuestPageInfo, params->pages);
    for (i = 0; i < params->pages; i++)
        virGuestPageClassify(data + (gsize)i * VIR_GUEST_PAGE_SIZE, i, fill,
                             mode, &infos[i]);

    /* the most common pass is the one before or after the boundary */
    if (virGuestCheckCommonPass(infos, params->pages, &common)) {
        virGuestCheckFitModel(infos, params->pages, common, &model);
        virGuestCheckFitModel(infos, params->pages, common + 1, &other);
        if (other.fit > model.fit)
            model = other;
    } else {
        /* nothing fits: report every page against its header's pass */
        model.high = infos[0].pass;
        model.boundary = params->pages;
    }
    virGuestCheckReport(res, infos, params->base, &model);
    return res->ok;
}
