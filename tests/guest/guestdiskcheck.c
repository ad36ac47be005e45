/*
 * guestdiskcheck.c: verifies the disk region the test guest rewrites
 */
#include <string.h>

#include "guestdiskcheck.h"
#include "guestpattern.h"

typedef struct _virGuestDiskModel virGuestDiskModel;
struct _virGuestDiskModel {
    guint32 high;       /* P: pass of sectors [0, position) */
    guint32 position;   /* k */
    bool unwritten;     /* P is the first pass: [k, N) never written */
    guint32 fit;        /* sectors that fit */
};

static bool
virGuestSectorIsZero(const guint8 *sector)
{
    guint i;

    for (i = 0; i < VIR_GUEST_SECTOR_SIZE; i++) {
        if (sector[i] != 0)
            return false;
    }
    return true;
}

static bool
virGuestSectorMatches(const guint8 *sector, guint32 index, guint32 pass,
                      guint word)
{
    return virGuestPageWord(sector, word) ==
           virGuestSectorWord(index, pass, word);
}

/* Do all words hold pass @pass or pass @other? */
static bool
virGuestSectorIsMix(const guint8 *sector, guint32 index, guint32 pass,
                    guint32 other)
{
    guint word;

    for (word = 0; word < VIR_GUEST_SECTOR_WORDS; word++) {
        if (!virGuestSectorMatches(sector, index, pass, word) &&
            !virGuestSectorMatches(sector, index, other, word))
            return false;
    }
    return true;
}

/* Words that differ from pass @pass; the first one in *@first. */
static guint32
virGuestSectorMismatches(const guint8 *sector, guint32 index, guint32 pass,
                         guint32 *first)
{
    guint32 n = 0;
    guint word;

    for (word = VIR_GUEST_SECTOR_WORDS; word > 0; word--) {
        if (!virGuestSectorMatches(sector, index, pass, word - 1)) {
            *first = word - 1;
            n++;
        }
    }
    return n;
}

void
virGuestSectorClassify(const guint8 *sector, guint32 index,
                       virGuestSectorInfo *info)
{
    guint32 header = virGuestPageWord(sector, 2);
    guint32 trailer = virGuestPageWord(sector, VIR_GUEST_SECTOR_WORDS - 1);
    guint32 other = virGuestPageWord(sector, 1);
    guint32 firstWrong = 0;
    guint32 firstOther = 0;
    guint32 nwrong;
    guint32 nother;

    memset(info, 0, sizeof(*info));
    info->pass = header;
    if (virGuestSectorIsZero(sector)) {
        info->state = VIR_GUEST_SECTOR_ZERO;
        return;
    }
    if (virGuestPageWord(sector, 0) != VIR_GUEST_SECTOR_MAGIC) {
        info->state = VIR_GUEST_SECTOR_BAD_MAGIC;
        info->value = virGuestPageWord(sector, 0);
        return;
    }
    /* the pass: header or trailer, whichever more words agree with */
    nwrong = virGuestSectorMismatches(sector, index, header, &firstWrong);
    if (nwrong > 0 && trailer != header) {
        nother = virGuestSectorMismatches(sector, index, trailer, &firstOther);
        if (nother < nwrong) {
            info->pass = trailer;
            nwrong = nother;
            firstWrong = firstOther;
        }
    }
    if (nwrong == 0) {
        info->state = VIR_GUEST_SECTOR_CLEAN;
        return;
    }
    if (other != index &&
        virGuestSectorMismatches(sector, other, header, &firstOther) == 0) {
        info->state = VIR_GUEST_SECTOR_BAD_INDEX;
        info->pass = header;
        info->word = 1;
        info->value = other;
        return;
    }
    info->state = VIR_GUEST_SECTOR_BAD_WORD;
    info->word = firstWrong;
    info->value = virGuestPageWord(sector, firstWrong);
    info->nwrong = nwrong;
    /* the header and trailer disagree and the body sides with both */
    info->other = info->pass == header ? trailer : header;
    info->mixed = nwrong >= 2 && info->other != info->pass &&
                  virGuestSectorIsMix(sector, index, info->pass, info->other);
}

static bool
virGuestSectorIsClean(const virGuestSectorInfo *info, guint32 pass)
{
    return info->state == VIR_GUEST_SECTOR_CLEAN && info->pass == pass;
}

static bool
virGuestDiskSectorFits(const virGuestSectorInfo *info, guint32 index,
                       const virGuestDiskModel *model)
{
    if (index < model->position)
        return virGuestSectorIsClean(info, model->high);
    if (model->unwritten)
        return info->state == VIR_GUEST_SECTOR_ZERO;
    return virGuestSectorIsClean(info, model->high - 1);
}

/* The pass most clean sectors hold; false if none is clean. */
static bool
virGuestDiskCommonPass(const virGuestSectorInfo *infos, guint32 n,
                       guint32 *pass)
{
    g_autoptr(GHashTable) counts = g_hash_table_new(g_direct_hash,
                                                    g_direct_equal);
    guint best = 0;
    guint32 i;

    for (i = 0; i < n; i++) {
        gpointer key = GUINT_TO_POINTER(infos[i].pass);
        guint count;

        if (infos[i].state != VIR_GUEST_SECTOR_CLEAN)
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

/* Best position for pass @high: the one most sectors fit (earliest). */
static void
virGuestDiskFitModel(const virGuestSectorInfo *infos, guint32 n,
                     guint32 high, guint32 firstPass,
                     virGuestDiskModel *model)
{
    g_autofree guint32 *lowFrom = g_new0(guint32, n + 1);
    guint32 highBefore = 0;
    guint32 k;

    model->high = high;
    model->unwritten = high == firstPass;
    model->position = 0;
    model->fit = 0;

    /* lowFrom[k]: sectors in [k, n) that fit after the position */
    for (k = n; k > 0; k--)
        lowFrom[k - 1] = lowFrom[k] +
                         virGuestDiskSectorFits(&infos[k - 1], k - 1, model);

    for (k = 0; k <= n; k++) {
        guint32 fit = highBefore + lowFrom[k];

        if (k == 0 || fit > model->fit) {
            model->fit = fit;
            model->position = k;
        }
        if (k < n)
            highBefore += virGuestSectorIsClean(&infos[k], high);
    }
    if (model->position == n)
        model->unwritten = false;
}

static char *
virGuestDiskDescribeWrongPass(const virGuestSectorInfo *info, guint32 index,
                              const virGuestDiskModel *model)
{
    guint32 expected = model->high;
    const char *why = "newer than its neighbours";

    if (index >= model->position && model->unwritten) {
        return g_strdup_printf("holds pass %u, expected never written (beyond the writer's position in the first pass)",
                               info->pass);
    }
    if (index >= model->position)
        expected = model->high - 1;
    if ((gint32)(info->pass - expected) < 0)
        why = "older than its neighbours: stale sector or lost write";
    if (info->pass == model->high - 1 && index < model->position)
        why = "older than its neighbours: stale sector or a second position";
    else if (info->pass == model->high && index >= model->position)
        why = "newer than its neighbours: a second position";
    return g_strdup_printf("holds pass %u, expected pass %u (%s)",
                           info->pass, expected, why);
}

static char *
virGuestDiskDescribe(const virGuestSectorInfo *info, guint32 index,
                     guint32 nsectors, const virGuestDiskModel *model)
{
    guint32 expected = 0;

    switch ((virGuestSectorState)info->state) {
    case VIR_GUEST_SECTOR_CLEAN:
        return virGuestDiskDescribeWrongPass(info, index, model);
    case VIR_GUEST_SECTOR_ZERO:
        return g_strdup("all zero (never written, or lost)");
    case VIR_GUEST_SECTOR_BAD_MAGIC:
        return g_strdup_printf("magic 0x%08x, expected 0x%08x (not a guest sector)",
                               info->value, VIR_GUEST_SECTOR_MAGIC);
    case VIR_GUEST_SECTOR_BAD_INDEX:
        if (info->value < nsectors)
            return g_strdup_printf("holds the data of sector %u, pass %u (misplaced sector)",
                                   info->value, info->pass);
        return g_strdup_printf("holds the data of sector %u, pass %u, outside the region",
                               info->value, info->pass);
    case VIR_GUEST_SECTOR_BAD_WORD:
        if (info->mixed)
            return g_strdup_printf("mixes passes %u and %u, %u of %u words at pass %u (torn or partly written sector)",
                                   info->pass, info->other, info->nwrong,
                                   VIR_GUEST_SECTOR_WORDS, info->other);
        expected = virGuestSectorWord(index, info->pass, info->word);
        return g_strdup_printf("word %u is 0x%08x, expected 0x%08x for pass %u (damaged sector: %u of %u words wrong)",
                               info->word, info->value, expected, info->pass,
                               info->nwrong, VIR_GUEST_SECTOR_WORDS);
    case VIR_GUEST_SECTOR_LAST:
        break;
    }
    return g_strdup("unknown sector state");
}

/* "passes P-1..P, position at sector K" and the like */
static char *
virGuestDiskDescribeState(const virGuestDiskModel *model, guint32 n)
{
    if (model->position == n)
        return g_strdup_printf("pass %u throughout", model->high);
    if (model->unwritten)
        return g_strdup_printf("pass %u up to sector %u, the rest never written",
                               model->high, model->position);
    return g_strdup_printf("passes %u..%u, position at sector %u",
                           model->high - 1, model->high, model->position);
}

static void
virGuestDiskAddBad(virGuestDiskCheckResult *res, guint32 index, guint32 lba,
                   const char *why, const char *context)
{
    guint64 at = (guint64)lba + index;

    if (res->nbad++ == 0) {
        res->firstBad = index;
        res->summary = g_strdup_printf("FAIL: sector %u at LBA %llu: %s; %s",
                                       index, (unsigned long long)at, why,
                                       context);
    }
    if (res->details->len < VIR_GUEST_DISK_CHECK_MAX_DETAILS) {
        g_ptr_array_add(res->details,
                        g_strdup_printf("sector %u at LBA %llu: %s", index,
                                        (unsigned long long)at, why));
    }
}

/* Sectors that do not fit @model, the first one in the summary. */
static void
virGuestDiskReportMisfits(virGuestDiskCheckResult *res,
                          const virGuestSectorInfo *infos, guint32 lba,
                          const virGuestDiskModel *model)
{
    g_autofree char *state = virGuestDiskDescribeState(model, res->sectors);
    g_autofree char *context = NULL;
    guint32 i;

    if (model->fit == 0)
        context = g_strdup("no sector holds a whole pass");
    else
        context = g_strdup_printf("%u of %u sectors do not fit %s",
                                  res->sectors - model->fit, res->sectors,
                                  state);
    for (i = 0; i < res->sectors; i++) {
        g_autofree char *why = NULL;

        if (virGuestDiskSectorFits(&infos[i], i, model))
            continue;
        why = virGuestDiskDescribe(&infos[i], i, res->sectors, model);
        virGuestDiskAddBad(res, i, lba, why, context);
    }
}

/* Sectors older than *@minPass in a consistent region. */
static void
virGuestDiskReportOld(virGuestDiskCheckResult *res, guint32 lba,
                      guint32 firstPass, guint32 minPass,
                      const virGuestDiskModel *model)
{
    g_autofree char *state = virGuestDiskDescribeState(model, res->sectors);
    g_autofree char *context = NULL;
    guint32 minSeq = minPass - firstPass;
    guint32 old = 0;
    guint32 i;

    for (i = 0; i < res->sectors; i++) {
        bool unwritten = i >= model->position && model->unwritten;
        guint32 pass = i < model->position ? model->high : model->high - 1;

        old += unwritten || pass - firstPass < minSeq;
    }
    if (old == 0)
        return;
    context = g_strdup_printf("%u of %u sectors are older than pass %u (%s)",
                              old, res->sectors, minPass, state);
    for (i = 0; i < res->sectors; i++) {
        bool unwritten = i >= model->position && model->unwritten;
        guint32 pass = i < model->position ? model->high : model->high - 1;
        g_autofree char *why = NULL;

        if (unwritten)
            why = g_strdup_printf("never written, expected pass %u or later (lost writes)",
                                  minPass);
        else if (pass - firstPass < minSeq)
            why = g_strdup_printf("holds pass %u, expected pass %u or later (lost writes)",
                                  pass, minPass);
        else
            continue;
        virGuestDiskAddBad(res, i, lba, why, context);
    }
}

void
virGuestDiskCheckResultClear(virGuestDiskCheckResult *res)
{
    g_clear_pointer(&res->summary, g_free);
    g_clear_pointer(&res->details, g_ptr_array_unref);
    memset(res, 0, sizeof(*res));
}

static bool
virGuestDiskCheckSize(const virGuestParams *params, guint64 len,
                      virGuestDiskCheckResult *res)
{
    guint64 end = ((guint64)params->diskLba + params->diskSectors) * 512;

    if (params->diskSectors == 0) {
        res->summary = g_strdup("FAIL: the image has no disk region (0 sectors)");
        return false;
    }
    if (len >= end)
        return true;
    res->summary = g_strdup_printf(
        "FAIL: image holds %llu bytes, the region (%u sectors at LBA %u) ends at byte %llu: truncated",
        (unsigned long long)len, params->diskSectors, params->diskLba,
        (unsigned long long)end);
    return false;
}

bool
virGuestDiskCheck(const virGuestParams *params, const guint8 *image,
                  guint64 len, const guint32 *minPass,
                  virGuestDiskCheckResult *res)
{
    g_autofree virGuestSectorInfo *infos = NULL;
    const guint8 *region;
    virGuestDiskModel model = { 0 };
    virGuestDiskModel other = { 0 };
    g_autofree char *state = NULL;
    guint32 n = params->diskSectors;
    guint32 common = 0;
    guint32 i;

    memset(res, 0, sizeof(*res));
    res->details = g_ptr_array_new_with_free_func(g_free);
    res->sectors = n;
    if (!virGuestDiskCheckSize(params, len, res))
        return false;

    region = image + (gsize)params->diskLba * 512;
    infos = g_new0(virGuestSectorInfo, n);
    for (i = 0; i < n; i++)
        virGuestSectorClassify(region + (gsize)i * VIR_GUEST_SECTOR_SIZE, i,
                               &infos[i]);

    if (!virGuestDiskCommonPass(infos, n, &common)) {
        for (i = 0; i < n && infos[i].state == VIR_GUEST_SECTOR_ZERO; i++)
            ;
        if (i == n) {
            res->nbad = n;
            res->summary = g_strdup_printf("FAIL: no sector written: all %u sectors at LBA %u are zero",
                                           n, params->diskLba);
            return false;
        }
        /* nothing fits: report every sector against its header's pass */
        model.high = infos[0].pass;
        model.position = n;
    } else {
        /* the most common pass is the one before or after the position */
        virGuestDiskFitModel(infos, n, common, params->firstPass, &model);
        virGuestDiskFitModel(infos, n, common + 1, params->firstPass, &other);
        if (other.fit > model.fit)
            model = other;
    }
    res->pass = model.high;
    res->position = model.position;
    res->unwritten = model.unwritten;

    virGuestDiskReportMisfits(res, infos, params->diskLba, &model);
    if (res->nbad == 0 && minPass)
        virGuestDiskReportOld(res, params->diskLba, params->firstPass,
                              *minPass, &model);
    res->ok = res->nbad == 0;
    if (res->ok) {
        state = virGuestDiskDescribeState(&model, n);
        res->summary = g_strdup_printf("ok: %u sectors at LBA %u, %s",
                                       n, params->diskLba, state);
    }
    return res->ok;
}
