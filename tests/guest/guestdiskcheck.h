/*
 * guestdiskcheck.h: verifies the disk region the test guest rewrites
 *
 * The guest writes sectors 0..N-1 of its disk region in order, pass
 * after pass (disk passes start at the image's first_pass), one whole
 * sector per ATA command.  So the region holds pass P in sectors
 * [0, k) and pass P - 1 in sectors [k, N), k being the writer's
 * position (0 <= k <= N; k = N: the whole region at P).  During the
 * first pass (P = first_pass) sectors [k, N) have never been written
 * and are zero.  Pass numbers are 32-bit and wrap.
 *
 * A region that fits that model is consistent.  Anything else is
 * reported: a zero sector after the first pass, a sector at another
 * pass (stale or lost write, second position), another sector's data,
 * damaged words (the guest writes whole sectors, so a sector mixing
 * two passes is damaged too), a region nobody wrote at all.  Optionally every
 * sector must hold at least a given pass (the last "disk round N" the
 * guest reported before the image was copied or migrated).
 */
#pragma once

#include "internal.h"
#include "guestimage.h"

typedef enum {
    VIR_GUEST_SECTOR_CLEAN = 0,     /* the pattern of one pass */
    VIR_GUEST_SECTOR_ZERO,          /* never written, or lost */
    VIR_GUEST_SECTOR_BAD_MAGIC,     /* not a guest sector */
    VIR_GUEST_SECTOR_BAD_INDEX,     /* another sector's data */
    VIR_GUEST_SECTOR_BAD_WORD,      /* damaged words */

    VIR_GUEST_SECTOR_LAST
} virGuestSectorState;

typedef struct _virGuestSectorInfo virGuestSectorInfo;
struct _virGuestSectorInfo {
    virGuestSectorState state;
    guint32 pass;       /* CLEAN, BAD_INDEX: its pass; BAD_WORD: the
                         * pass most words hold (header or trailer) */
    guint32 word;       /* BAD_*: the first bad word */
    guint32 value;      /* BAD_*: the value found in @word */
    guint32 nwrong;     /* BAD_WORD: words that do not match @pass */
    bool mixed;         /* BAD_WORD: two or more words match @other
                         * instead, all others @pass */
    guint32 other;      /* BAD_WORD, mixed: the other pass */
};

/* Classifies the 512 bytes at @sector as sector @index of the region. */
void virGuestSectorClassify(const guint8 *sector, guint32 index,
                            virGuestSectorInfo *info);

#define VIR_GUEST_DISK_CHECK_MAX_DETAILS 16

typedef struct _virGuestDiskCheckResult virGuestDiskCheckResult;
struct _virGuestDiskCheckResult {
    bool ok;
    guint32 sectors;        /* sectors in the region */
    guint32 pass;           /* P: pass of sectors [0, position) */
    guint32 position;       /* k: first sector not at P; sectors: none */
    bool unwritten;         /* sectors [position, sectors) are zero */
    guint32 nbad;           /* sectors that do not fit */
    guint32 firstBad;       /* the first of them, if nbad > 0 */
    char *summary;          /* one line, "ok: ..." or "FAIL: ..." */
    GPtrArray *details;     /* first bad sectors, one line each */
};

void virGuestDiskCheckResultClear(virGuestDiskCheckResult *res);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virGuestDiskCheckResult,
                                 virGuestDiskCheckResultClear);

/**
 * virGuestDiskCheck:
 * Checks the disk region described by @params (diskLba, diskSectors,
 * firstPass) in @image, @len bytes of a raw disk image, and fills @res
 * (clear it with virGuestDiskCheckResultClear).  With @minPass
 * non-NULL every sector must also hold pass *@minPass or a later one.
 * An image too short for the region, or a region of no sectors, is a
 * failed check, not an error.  Returns res->ok.
 */
bool virGuestDiskCheck(const virGuestParams *params, const guint8 *image,
                       guint64 len, const guint32 *minPass,
                       virGuestDiskCheckResult *res);
