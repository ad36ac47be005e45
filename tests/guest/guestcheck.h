/*
 * guestcheck.h: verifies a RAM dump of the test guest's range
 *
 * The guest rewrites pages 0..N-1 in order, pass after pass, so at any
 * instant pages [0, k) hold pass P+1, pages (k, N) hold pass P and page
 * k is either at pass P or caught mid-write (a prefix of its words at
 * P+1, the rest at P).  Pass numbers are 32-bit and wrap (P+1 may be
 * 0).  A dump is consistent when it fits that model with one boundary
 * k; a page that is zero, damaged, misplaced, or at a pass the model
 * does not allow (lost or stale page, second boundary) is reported.
 *
 * A dump taken while the guest ran is read concurrently with the
 * writer, so the boundary page may mix the two passes in any word
 * order (VIR_GUEST_CHECK_RUNNING); the model is otherwise the same,
 * which holds as long as the guest does not lap the reader (a pass
 * must take longer than the dump, i.e. a throttled guest).
 */
#pragma once

#include "internal.h"
#include "guestimage.h"

typedef enum {
    VIR_GUEST_CHECK_PAUSED = 0,     /* guest stopped while dumping */
    VIR_GUEST_CHECK_RUNNING,        /* guest ran while dumping */

    VIR_GUEST_CHECK_LAST
} virGuestCheckMode;

typedef enum {
    VIR_GUEST_PAGE_CLEAN = 0,       /* whole page at one pass */
    VIR_GUEST_PAGE_TORN,            /* caught mid-write: pass, pass - 1 */
    VIR_GUEST_PAGE_MIXED,           /* both passes, not in write order */
    VIR_GUEST_PAGE_ZERO,            /* never written, or lost */
    VIR_GUEST_PAGE_BAD_MAGIC,
    VIR_GUEST_PAGE_BAD_INDEX,       /* another page's data */
    VIR_GUEST_PAGE_BAD_CHECK,
    VIR_GUEST_PAGE_BAD_WORD,        /* partial corruption */

    VIR_GUEST_PAGE_LAST
} virGuestPageState;

typedef struct _virGuestPageInfo virGuestPageInfo;
struct _virGuestPageInfo {
    virGuestPageState state;
    guint32 pass;       /* CLEAN, TORN, MIXED: the (newer) pass;
                         * else the header's */
    guint32 word;       /* TORN, MIXED: words at the newer pass;
                         * BAD_*: the first bad word */
    guint32 value;      /* BAD_*: the value found in @word */
};

/* Classifies the 4 KiB at @page as page @index of the range. */
void virGuestPageClassify(const guint8 *page, guint32 index, bool fill,
                          virGuestCheckMode mode, virGuestPageInfo *info);

#define VIR_GUEST_CHECK_MAX_DETAILS 16

typedef struct _virGuestCheckResult virGuestCheckResult;
struct _virGuestCheckResult {
    bool ok;
    guint32 pages;          /* pages in the dump */
    guint32 passHigh;       /* pass of the pages before the boundary */
    guint32 boundary;       /* first page not wholly at passHigh; pages: none */
    guint32 boundaryWords;  /* torn boundary page: words at passHigh */
    guint32 pageWords;      /* words the pattern defines per page */
    guint32 nbad;           /* pages that do not fit the model */
    guint32 firstBad;       /* the first of them, if nbad > 0 */
    char *summary;          /* one line, "ok: ..." or "FAIL: ..." */
    GPtrArray *details;     /* first bad pages, one line each */
};

void virGuestCheckResultClear(virGuestCheckResult *res);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virGuestCheckResult, virGuestCheckResultClear);

/**
 * virGuestCheckDump:
 * Checks @len bytes of @data, a dump of the range described by @params
 * (base, pages, flags), and fills @res (clear it with
 * virGuestCheckResultClear).  A dump of the wrong size is a failed
 * check, not an error.  Returns res->ok.
 */
bool virGuestCheckDump(const virGuestParams *params, const guint8 *data,
                       gsize len, virGuestCheckMode mode,
                       virGuestCheckResult *res);
