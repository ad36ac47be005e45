/*
 * guestimage.h: the test guest's disk image and its parameter block
 *
 * The image is a raw disk: the boot program (boot.s, three sectors)
 * padded with zeros to VIR_GUEST_IMAGE_SIZE.  The parameter block is
 * VIR_GUEST_PARAMS_SIZE bytes at offset VIR_GUEST_PARAMS_OFFSET of the
 * first sector, all fields little-endian:
 *
 *   +0   char[8]  "VMGUEST1"  magic and layout version
 *   +8   u32      base        guest-physical start of the range
 *   +12  u32      pages       4 KiB pages in the range
 *   +16  u32      rate        max pages written per second, 0: no limit
 *   +20  u32      first_pass  number of the first pass
 *   +24  u32      flags       VIR_GUEST_FLAG_FILL
 *   +28  u32      reserved    0
 */
#pragma once

#include "internal.h"

#define VIR_GUEST_PARAMS_OFFSET 8
#define VIR_GUEST_PARAMS_SIZE 32
#define VIR_GUEST_PARAMS_MAGIC "VMGUEST1"
#define VIR_GUEST_PROGRAM_SIZE (3 * 512)
#define VIR_GUEST_IMAGE_SIZE (1024 * 1024)

/* Limits checked by virGuestParamsValidate(). */
#define VIR_GUEST_BASE_MIN (1024 * 1024)
#define VIR_GUEST_RANGE_END_MAX 0xc0000000ull     /* 3 GiB: below PCI */
#define VIR_GUEST_RATE_MIN 16

typedef struct _virGuestParams virGuestParams;
struct _virGuestParams {
    guint32 base;       /* bytes, multiple of 4 KiB */
    guint32 pages;
    guint32 rate;       /* pages per second, 0: unthrottled */
    guint32 firstPass;
    guint32 flags;      /* VIR_GUEST_FLAG_* */
};

/**
 * virGuestParamsParse:
 * Reads the parameter block of the image or boot program in @image
 * (@len bytes) into @params.  Fails with VIR_ERR_INVALID_ARG when the
 * data is too short, the boot signature or the magic is missing.
 * Returns 0 or -1 (reported).
 */
int virGuestParamsParse(const guint8 *image, gsize len,
                        virGuestParams *params);

/* Writes @params into the parameter block of @image (at least one
 * sector, already holding the boot program). */
void virGuestParamsFormat(const virGuestParams *params, guint8 *image);

/* Checks the ranges documented in README.md.  Returns 0 or -1
 * (VIR_ERR_INVALID_ARG, reported). */
int virGuestParamsValidate(const virGuestParams *params);

/* Bytes of guest RAM the range needs: base + pages * 4 KiB. */
guint64 virGuestParamsRangeEnd(const virGuestParams *params);

/* Smallest QEMU -m (MiB) that backs the whole range. */
guint64 virGuestParamsMemoryMiB(const virGuestParams *params);

/* Formats @params as "base=... pages=... rate=... first-pass=...
 * flags=... memory-mib=..." (one line, no newline). */
char *virGuestParamsToString(const virGuestParams *params);

/**
 * virGuestImageLoad:
 * Reads the image or boot program at @path (at most
 * VIR_GUEST_IMAGE_SIZE bytes), checks its parameter block and fills
 * @params.  Returns the data (owned by the caller), its length in
 * *len, or NULL (reported).
 */
guint8 *virGuestImageLoad(const char *path, gsize *len,
                          virGuestParams *params);

/**
 * virGuestImageWrite:
 * Writes @program (@len bytes) with @params patched in to @path,
 * padded with zeros to VIR_GUEST_IMAGE_SIZE, atomically.  @params must
 * be valid.  Returns 0 or -1 (reported).
 */
int virGuestImageWrite(const char *path, const guint8 *program, gsize len,
                       const virGuestParams *params);
