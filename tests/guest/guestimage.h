/*
 * guestimage.h: the test guest's disk image and its parameter block
 *
 * The image is a raw disk: the boot program (boot.s, four sectors)
 * padded with zeros to VIR_GUEST_IMAGE_SIZE, or further to the end of
 * the disk region when there is one.  The parameter block is
 * VIR_GUEST_PARAMS_SIZE bytes at offset VIR_GUEST_PARAMS_OFFSET of the
 * first sector, all fields little-endian:
 *
 *   +0   char[8]  "VMGUEST1"  magic and layout version
 *   +8   u32      base        guest-physical start of the range
 *   +12  u32      pages       4 KiB pages in the range
 *   +16  u32      rate        max pages written per second, 0: no limit
 *   +20  u32      first_pass  number of the first pass (memory and disk)
 *   +24  u32      flags       VIR_GUEST_FLAG_FILL
 *   +28  u32      reserved    0
 *
 * Programs with the disk writer follow it with the disk parameter
 * block, VIR_GUEST_DISK_PARAMS_SIZE bytes at VIR_GUEST_DISK_PARAMS_OFFSET
 * (older programs have code there, hence its own magic):
 *
 *   +0   char[8]  "VMGDISK1"  magic and layout version
 *   +8   u32      lba         first sector of the disk region (LBA28)
 *   +12  u32      sectors     sectors in the region, 0: none
 *   +16  u32      rate        max sectors written per second, 0: off
 *   +20  u32      reserved    0
 */
#pragma once

#include "internal.h"

#define VIR_GUEST_PARAMS_OFFSET 8
#define VIR_GUEST_PARAMS_SIZE 32
#define VIR_GUEST_PARAMS_MAGIC "VMGUEST1"
#define VIR_GUEST_DISK_PARAMS_OFFSET \
    (VIR_GUEST_PARAMS_OFFSET + VIR_GUEST_PARAMS_SIZE)
#define VIR_GUEST_DISK_PARAMS_SIZE 24
#define VIR_GUEST_DISK_PARAMS_MAGIC "VMGDISK1"
#define VIR_GUEST_PROGRAM_SIZE (4 * 512)
#define VIR_GUEST_IMAGE_SIZE (1024 * 1024)   /* without a disk region */

/* Limits checked by virGuestParamsValidate(). */
#define VIR_GUEST_BASE_MIN (1024 * 1024)
#define VIR_GUEST_RANGE_END_MAX 0xc0000000ull     /* 3 GiB: below PCI */
#define VIR_GUEST_RATE_MIN 16
#define VIR_GUEST_DISK_LBA_MIN (VIR_GUEST_PROGRAM_SIZE / 512)
#define VIR_GUEST_DISK_LBA_END_MAX (1u << 28)   /* LBA28 */
#define VIR_GUEST_DISK_SECTORS_MAX (1u << 22)   /* 2 GiB */
#define VIR_GUEST_DISK_RATE_MIN 16

/* What virtmig-guest-image uses unless told otherwise. */
#define VIR_GUEST_DISK_LBA_DEFAULT 2048         /* 1 MiB */
#define VIR_GUEST_DISK_RATE_DEFAULT 256         /* 128 KiB/s */

typedef struct _virGuestParams virGuestParams;
struct _virGuestParams {
    guint32 base;       /* bytes, multiple of 4 KiB */
    guint32 pages;
    guint32 rate;       /* pages per second, 0: unthrottled */
    guint32 firstPass;
    guint32 flags;      /* VIR_GUEST_FLAG_* */
    guint32 diskLba;    /* first sector of the disk region */
    guint32 diskSectors;
    guint32 diskRate;   /* sectors per second, 0: disk writer off */
    bool hasDisk;       /* the program has the disk parameter block */
};

/**
 * virGuestParamsParse:
 * Reads the parameter block of the image or boot program in @image
 * (@len bytes) into @params.  Fails with VIR_ERR_INVALID_ARG when the
 * data is too short, the boot signature or the magic is missing.
 * Without a disk parameter block (a program older than the disk
 * writer), params->hasDisk is false and the disk fields are 0.
 * Returns 0 or -1 (reported).
 */
int virGuestParamsParse(const guint8 *image, gsize len,
                        virGuestParams *params);

/* Writes @params into the parameter block of @image (at least one
 * sector, already holding the boot program), and into the disk
 * parameter block if params->hasDisk. */
void virGuestParamsFormat(const virGuestParams *params, guint8 *image);

/* Checks the ranges documented in README.md.  Returns 0 or -1
 * (VIR_ERR_INVALID_ARG, reported). */
int virGuestParamsValidate(const virGuestParams *params);

/* Bytes of guest RAM the range needs: base + pages * 4 KiB. */
guint64 virGuestParamsRangeEnd(const virGuestParams *params);

/* Smallest QEMU -m (MiB) that backs the whole range. */
guint64 virGuestParamsMemoryMiB(const virGuestParams *params);

/* Bytes of the image file: VIR_GUEST_IMAGE_SIZE, or up to the end of
 * the disk region if that is further. */
guint64 virGuestParamsImageSize(const virGuestParams *params);

/* Formats @params as "base=... pages=... rate=... first-pass=...
 * flags=... memory-mib=..." (one line, no newline), followed by
 * " disk-lba=... disk-sectors=... disk-rate=... image-size=..." when
 * there is a disk region. */
char *virGuestParamsToString(const virGuestParams *params);

/**
 * virGuestImageLoad:
 * Reads the image or boot program at @path (its first
 * VIR_GUEST_IMAGE_SIZE bytes at most: an image with a disk region is
 * larger), checks its parameter block and fills @params.  Returns the
 * data (owned by the caller), its length in *len, or NULL (reported).
 */
guint8 *virGuestImageLoad(const char *path, gsize *len,
                          virGuestParams *params);

/**
 * virGuestImageWrite:
 * Writes @program (@len bytes) with @params patched in to @path,
 * padded with zeros to virGuestParamsImageSize() (sparse beyond
 * VIR_GUEST_IMAGE_SIZE), atomically.  A disk region within @len is
 * zeroed: the new image starts with a fresh region.  @params must be
 * valid.  Returns 0 or -1 (reported).
 */
int virGuestImageWrite(const char *path, const guint8 *program, gsize len,
                       const virGuestParams *params);
