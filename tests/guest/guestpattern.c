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

guint32
virGuestPatternWord(guint32 index, guint32 pass, guint word)
{
    switch (word) {
    case 0:
        return VIR_GUEST_PAGE_MAGIC;
    case 1:
    case VIR_GUEST_PAGE_WORDS - 2:
        return index;
    case 2:
    case VIR_GUEST_PAGE_WORDS - 1:
        return pass;
    case 3:
        return virGuestPatternCheck(index, pass);
    default:
        return virGuestPatternCheck(index, pass) + word * VIR_GUEST_BODY_STEP;
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
