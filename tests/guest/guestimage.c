/*
 * guestimage.c: the test guest's disk image and its parameter block
 */
#include <string.h>

#include "guestimage.h"
#include "guestpattern.h"
#include "virerror.h"
#include "virfile.h"

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
    return 0;
}

char *
virGuestParamsToString(const virGuestParams *params)
{
    return g_strdup_printf("base=%u pages=%u rate=%u first-pass=%u flags=%u memory-mib=%llu",
                           params->base, params->pages, params->rate,
                           params->firstPass, params->flags,
                           (unsigned long long)virGuestParamsMemoryMiB(params));
}

guint8 *
virGuestImageLoad(const char *path, gsize *len, virGuestParams *params)
{
    g_autofree char *data = NULL;
    gssize n;

    if ((n = virFileReadAll(path, VIR_GUEST_IMAGE_SIZE, &data)) < 0)
        return NULL;
    if (virGuestParamsParse((const guint8 *)data, n, params) < 0)
        return NULL;
    *len = n;
    return (guint8 *)g_steal_pointer(&data);
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
    return virFileWriteAtomic(path, (const char *)image,
                              VIR_GUEST_IMAGE_SIZE, 0644);
}
