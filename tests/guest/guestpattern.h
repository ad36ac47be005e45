/*
 * guestpattern.h: the page pattern the test guest writes (boot.s)
 *
 * Page i of the range, written in pass p, holds 1024 little-endian
 * 32-bit words w[0..1023]:
 *
 *   w[0]          VIR_GUEST_PAGE_MAGIC
 *   w[1]          i
 *   w[2]          p
 *   w[3]          check = i * VIR_GUEST_CHECK_MUL_INDEX
 *                         ^ p * VIR_GUEST_CHECK_MUL_PASS   (mod 2^32)
 *   w[4..1021]    check + k * VIR_GUEST_BODY_STEP for word k
 *                 (only with VIR_GUEST_FLAG_FILL; else left alone)
 *   w[1022]       i
 *   w[1023]       p
 *
 * The guest stores the words in ascending order, one aligned 32-bit
 * store each, so a page caught in the middle of a write holds pass p
 * in a prefix of its words and pass p - 1 in the rest.
 *
 * Disk sectors follow the same scheme, scaled to 512 bytes: sector i
 * of the disk region (0-based, relative to its first LBA), written in
 * disk pass p, holds 128 words
 *
 *   w[0]          VIR_GUEST_SECTOR_MAGIC
 *   w[1]          i
 *   w[2]          p
 *   w[3]          check (as above)
 *   w[4..125]     check + k * VIR_GUEST_BODY_STEP for word k (always)
 *   w[126]        i
 *   w[127]        p
 *
 * The guest writes a whole sector with one ATA command, so a sector
 * on the disk holds one pass, never a mix.
 */
#pragma once

#include "internal.h"

#define VIR_GUEST_PAGE_SIZE 4096
#define VIR_GUEST_PAGE_WORDS (VIR_GUEST_PAGE_SIZE / 4)
#define VIR_GUEST_PAGE_MAGIC 0x50474d56u    /* "VMGP" */
#define VIR_GUEST_CHECK_MUL_INDEX 0x9e3779b1u
#define VIR_GUEST_CHECK_MUL_PASS 0x85ebca77u
#define VIR_GUEST_BODY_STEP 0x01000193u
#define VIR_GUEST_BODY_FIRST 4
#define VIR_GUEST_BODY_LAST 1021

#define VIR_GUEST_SECTOR_SIZE 512
#define VIR_GUEST_SECTOR_WORDS (VIR_GUEST_SECTOR_SIZE / 4)
#define VIR_GUEST_SECTOR_MAGIC 0x53474d56u  /* "VMGS" */

/* Parameter flag: the guest fills the whole page, not only the
 * header (w[0..3]) and trailer (w[1022..1023]). */
#define VIR_GUEST_FLAG_FILL 0x1u

/* The words the pattern defines, in the order the guest writes them:
 * all 1024 with @fill, else the 6 header and trailer words.
 * virGuestPatternCount() gives their number, virGuestPatternAt() the
 * word index of the @nth one. */
guint virGuestPatternCount(bool fill);
guint virGuestPatternAt(bool fill, guint nth);

/* Expected value of word @word of page @index in pass @pass. */
guint32 virGuestPatternWord(guint32 index, guint32 pass, guint word);

/* Writes the full pattern of page @index, pass @pass to @page (4 KiB,
 * little-endian); words outside the pattern are zeroed when !@fill. */
void virGuestPatternFillPage(guint8 *page, guint32 index, guint32 pass,
                             bool fill);

/* Reads little-endian word @word of @page (or of a sector). */
guint32 virGuestPageWord(const guint8 *page, guint word);

/* Expected value of word @word (< VIR_GUEST_SECTOR_WORDS) of sector
 * @index of the disk region in disk pass @pass. */
guint32 virGuestSectorWord(guint32 index, guint32 pass, guint word);

/* Writes the pattern of sector @index, pass @pass to @sector (512
 * bytes, little-endian). */
void virGuestSectorFill(guint8 *sector, guint32 index, guint32 pass);
