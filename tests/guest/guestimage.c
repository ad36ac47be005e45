/*
 * guestimage.c: the test guest's disk image and its parameter block
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guestimage.h"
#include "guestpattern.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_TEST

#define VIR_GUEST_MIB (1024 * 1024)

static guint32
virGuestReadLE32(const guint8 *p)
{
    guint32 le;

    memcpy(&le, p, 4);
    return GUINT32_FROM_LE(le);
}

static void
virGuestWriteLE32(guint8 *p, guint32 val)
{
    guint32 le = GUINT32_TO_LE(val);

    memcpy(p, &le, 4);
}

int
virGuestParamsParse(const guint8 *image, gsize len, virGuestParams *params)
{
    const guint8 *blk = image + VIR_GUEST_PARAMS_OFFSET;

    if (len < 512) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("guest image holds %1$zu bytes, less than a sector"),
                       (size_t)len);
        return -1;
    }
    if (image[510] != 0x55 || image[511] != 0xaa) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("guest image has no boot sector signature"));
        return -1;
    }
    if (memcmp(blk, VIR_GUEST_PARAMS_MAGIC, 8) != 0) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("guest image has no '%1$s' parameter block"),
                       VIR_GUEST_PARAMS_MAGIC);
        return -1;
    }
    params->base = virGuestReadLE32(blk + 8);
    params->pages = virGuestReadLE32(blk + 12);
    params->rate = virGuestReadLE32(blk + 16);
    params->firstPass = virGuestReadLE32(blk + 20);
    params->flags = virGuestReadLE32(blk + 24);

    blk = image + VIR_GUEST_DISK_PARAMS_OFFSET;
    params->hasDisk = memcmp(blk, VIR_GUEST_DISK_PARAMS_MAGIC, 8) == 0;
    params->diskLba = 0;
    params->diskSectors = 0;
    params->diskRate = 0;
    if (params->hasDisk) {
        params->diskLba = virGuestReadLE32(blk + 8);
        params->diskSectors = virGuestReadLE32(blk + 12);
        params->diskRate = virGuestReadLE32(blk + 16);
    }
    return 0;
}

void
virGuestParamsFormat(const virGuestParams *params, guint8 *image)
{
    guint8 *blk = image + VIR_GUEST_PARAMS_OFFSET;

    memcpy(blk, VIR_GUEST_PARAMS_MAGIC, 8);
    virGuestWriteLE32(blk + 8, params->base);
    virGuestWriteLE32(blk + 12, params->pages);
    virGuestWriteLE32(blk + 16, params->rate);
    virGuestWriteLE32(blk + 20, params->firstPass);
    virGuestWriteLE32(blk + 24, params->flags);
    virGuestWriteLE32(blk + 28, 0);

    if (!params->hasDisk)
        return;
    blk = image + VIR_GUEST_DISK_PARAMS_OFFSET;
    memcpy(blk, VIR_GUEST_DISK_PARAMS_MAGIC, 8);
    virGuestWriteLE32(blk + 8, params->diskLba);
    virGuestWriteLE32(blk + 12, params->diskSectors);
    virGuestWriteLE32(blk + 16, params->diskRate);
    virGuestWriteLE32(blk + 20, 0);
}

guint64
virGuestParamsRangeEnd(const virGuestParams *params)
{
    return (guint64)params->base +
           (guint64)params->pages * VIR_GUEST_PAGE_SIZE;
}

guint64
virGuestParamsMemoryMiB(const virGuestParams *params)
{
    return (virGuestParamsRangeEnd(params) + VIR_GUEST_MIB - 1) /
           VIR_GUEST_MIB;
}

guint64
virGuestParamsImageSize(const virGuestParams *params)
{
    guint64 end = ((guint64)params->diskLba + params->diskSectors) * 512;

    if (params->diskSectors == 0)
        return VIR_GUEST_IMAGE_SIZE;
    return MAX(end, VIR_GUEST_IMAGE_SIZE);
}

static int
virGuestParamsValidateDisk(const virGuestParams *params)
{
    guint64 end = (guint64)params->diskLba + params->diskSectors;

    if (!params->hasDisk) {
        if (params->diskSectors == 0 && params->diskRate == 0)
            return 0;
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("the boot program has no disk writer (no 'VMGDISK1' parameter block)"));
        return -1;
    }
    if (params->diskSectors > VIR_GUEST_DISK_SECTORS_MAX) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("disk region of %1$u sectors is larger than %2$u sectors"),
                       params->diskSectors, VIR_GUEST_DISK_SECTORS_MAX);
        return -1;
    }
    if (params->diskSectors > 0 &&
        (params->diskLba < VIR_GUEST_DISK_LBA_MIN ||
         end > VIR_GUEST_DISK_LBA_END_MAX)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("disk region of %1$u sectors at LBA %2$u must start after the boot program (LBA %3$u) and end below LBA 2^28"),
                       params->diskSectors, params->diskLba,
                       VIR_GUEST_DISK_LBA_MIN);
        return -1;
    }
    if (params->diskRate != 0 &&
        (params->diskRate < VIR_GUEST_DISK_RATE_MIN ||
         params->diskSectors == 0)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("disk rate %1$u must be 0 (off) or at least %2$u sectors per second, with a disk region"),
                       params->diskRate, VIR_GUEST_DISK_RATE_MIN);
        return -1;
    }
    return 0;
}

int
virGuestParamsValidate(const virGuestParams *params)
{
    if (params->base % VIR_GUEST_PAGE_SIZE != 0 ||
        params->base < VIR_GUEST_BASE_MIN) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("range base 0x%1$x must be 4 KiB aligned and at least 1 MiB"),
                       params->base);
        return -1;
    }
    if (params->pages == 0 ||
        virGuestParamsRangeEnd(params) > VIR_GUEST_RANGE_END_MAX) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("range of %1$u pages at 0x%2$x must be non-empty and end below 3 GiB"),
                       params->pages, params->base);
        return -1;
    }
    if (params->rate != 0 && params->rate < VIR_GUEST_RATE_MIN) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("rate %1$u must be 0 (unthrottled) or at least %2$u pages per second"),
                       params->rate, VIR_GUEST_RATE_MIN);
        return -1;
    }
    if (params->flags & ~VIR_GUEST_FLAG_FILL) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("unknown guest flags 0x%1$x"), params->flags);
        return -1;
    }
    return virGuestParamsValidateDisk(params);
}

char *
virGuestParamsToString(const virGuestParams *params)
{
    g_autoptr(GString) str = g_string_new(NULL);

    g_string_printf(str, "base=%u pages=%u rate=%u first-pass=%u flags=%u memory-mib=%llu",
                    params->base, params->pages, params->rate,
                    params->firstPass, params->flags,
                    (unsigned long long)virGuestParamsMemoryMiB(params));
    if (params->diskSectors > 0 || params->diskRate > 0) {
        g_string_append_printf(str, " disk-lba=%u disk-sectors=%u disk-rate=%u image-size=%llu",
                               params->diskLba, params->diskSectors,
                               params->diskRate,
                               (unsigned long long)virGuestParamsImageSize(params));
    }
    return g_string_free(g_steal_pointer(&str), FALSE);
}

/* Reads the first @maxlen bytes of @path at most (the whole file if
 * shorter) into *buf.  Returns the length or -1 (reported). */
static gssize
virGuestImageReadPrefix(const char *path, gsize maxlen, guint8 **buf)
{
    g_autofree guint8 *data = g_malloc0(maxlen);
    gsize len = 0;
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        virReportSystemError(errno, _("cannot open '%1$s'"), path);
        return -1;
    }
    while (len < maxlen) {
        ssize_t n = read(fd, data + len, maxlen - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            virReportSystemError(errno, _("cannot read '%1$s'"), path);
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        len += n;
    }
    close(fd);
    *buf = g_steal_pointer(&data);
    return len;
}

guint8 *
virGuestImageLoad(const char *path, gsize *len, virGuestParams *params)
{
    g_autofree guint8 *data = NULL;
    gssize n;

    if ((n = virGuestImageReadPrefix(path, VIR_GUEST_IMAGE_SIZE, &data)) < 0)
        return NULL;
    if (virGuestParamsParse(data, n, params) < 0)
        return NULL;
    *len = n;
    return g_steal_pointer(&data);
}

/* Writes @len bytes of @data to a new file that is then grown
 * (sparse) to @size bytes and renamed to @path. */
static int
virGuestImageWriteAtomic(const char *path, const guint8 *data, gsize len,
                         guint64 size)
{
    g_autofree char *tmp = g_strdup_printf("%s.new-XXXXXX", path);
    gsize done = 0;
    int fd;

    if ((fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0644)) < 0) {
        virReportSystemError(errno, _("cannot create temporary file for '%1$s'"),
                             path);
        return -1;
    }
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto error;
        done += n;
    }
    if (ftruncate(fd, size) < 0 || fsync(fd) < 0)
        goto error;
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        virReportSystemError(errno, _("cannot replace '%1$s'"), path);
        unlink(tmp);
        return -1;
    }
    return 0;

 error:
    virReportSystemError(errno, _("cannot write '%1$s'"), tmp);
    close(fd);
    unlink(tmp);
    return -1;
}

int
virGuestImageWrite(const char *path, const guint8 *program, gsize len,
                   const virGuestParams *params)
{
    g_autofree guint8 *image = NULL;

    if (len < 512 || len > VIR_GUEST_IMAGE_SIZE) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("boot program of %1$zu bytes must hold 512 to %2$d bytes"),
                       (size_t)len, VIR_GUEST_IMAGE_SIZE);
        return -1;
    }
    image = g_malloc0(VIR_GUEST_IMAGE_SIZE);
    memcpy(image, program, len);
    virGuestParamsFormat(params, image);
    if (params->diskSectors > 0 &&
        (guint64)params->diskLba * 512 < VIR_GUEST_IMAGE_SIZE) {
        gsize start = (gsize)params->diskLba * 512;

        memset(image + start, 0, VIR_GUEST_IMAGE_SIZE - start);
    }
    return virGuestImageWriteAtomic(path, image, VIR_GUEST_IMAGE_SIZE,
                                    virGuestParamsImageSize(params));
}
