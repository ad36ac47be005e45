/*
 * guestpattern.c: the page pattern the test guest writes
 */
#include <string.h>

#include "guestpattern.h"

static const guint16 virGuestSparseWords[] = {
    0, 1, 2, 3, VIR_GUEST_PAGE_WORDS - 2, VIR_GUEST_PAGE_WORDS - 1,
};

guint
virGuestPatternCount(bool fill)
{
    if (fill)
        return VIR_GUEST_PAGE_WORDS;
    return G_N_ELEMENTS(virGuestSparseWords);
}

guint
virGuestPatternAt(bool fill, guint nth)
{
    if (fill)
        return nth;
    return virGuestSparseWords[nth];
}

static guint32
virGuestPatternCheck(guint32 index, guint32 pass)
{
    return (index * VIR_GUEST_CHECK_MUL_INDEX) ^
           (pass * VIR_GUEST_CHECK_MUL_PASS);
}

/* Word @word of a block of @nwords words (a page or a sector): magic,
 * index, pass, check, body, index, pass. */
static guint32
virGuestBlockWord(guint32 magic, guint nwords, guint32 index, guint32 pass,
                  guint word)
{
    if (word == 0)
        return magic;
    if (word == 1 || word == nwords - 2)
        return index;
    if (word == 2 || word == nwords - 1)
        return pass;
    if (word == 3)
        return virGuestPatternCheck(index, pass);
    return virGuestPatternCheck(index, pass) + word * VIR_GUEST_BODY_STEP;
}

guint32
virGuestPatternWord(guint32 index, guint32 pass, guint word)
{
    return virGuestBlockWord(VIR_GUEST_PAGE_MAGIC, VIR_GUEST_PAGE_WORDS,
                             index, pass, word);
}

guint32
virGuestSectorWord(guint32 index, guint32 pass, guint word)
{
    return virGuestBlockWord(VIR_GUEST_SECTOR_MAGIC, VIR_GUEST_SECTOR_WORDS,
                             index, pass, word);
}

void
virGuestSectorFill(guint8 *sector, guint32 index, guint32 pass)
{
    guint word;

    for (word = 0; word < VIR_GUEST_SECTOR_WORDS; word++) {
        guint32 le = GUINT32_TO_LE(virGuestSectorWord(index, pass, word));

        memcpy(sector + word * 4, &le, 4);
    }
}

void
virGuestPatternFillPage(guint8 *page, guint32 index, guint32 pass,
                        bool fill)
{
    guint n = virGuestPatternCount(fill);
    guint i;

    if (!fill)
        memset(page, 0, VIR_GUEST_PAGE_SIZE);
    for (i = 0; i < n; i++) {
        guint word = virGuestPatternAt(fill, i);
        guint32 le = GUINT32_TO_LE(virGuestPatternWord(index, pass, word));

        memcpy(page + word * 4, &le, 4);
    }
}

guint32
virGuestPageWord(const guint8 *page, guint word)
{
    guint32 le;

    memcpy(&le, page + word * 4, 4);
    return GUINT32_FROM_LE(le);
}
