/*
 * qemu_stats.c: libvirt's domain statistics records
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "qemu_stats.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

int
qemuDomainStatsCheckGroups(unsigned int *stats, bool enforce)
{
    unsigned int unsupported = *stats & ~QEMU_DOMAIN_STATS_SUPPORTED;

    if (*stats == 0) {
        *stats = QEMU_DOMAIN_STATS_SUPPORTED;
        return 0;
    }
    if (unsupported && enforce) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("Stats types bits 0x%1$x are not supported by this daemon"),
                       unsupported);
        return -1;
    }
    *stats &= QEMU_DOMAIN_STATS_SUPPORTED;
    return 0;
}

void
qemuDomainStatsDataClear(qemuDomainStatsData *data)
{
    g_clear_pointer(&data->vcpus, g_free);
    g_clear_pointer(&data->nets, g_free);
    g_clear_pointer(&data->haveNet, g_free);
    g_clear_pointer(&data->block, g_hash_table_unref);
    g_clear_pointer(&data->disks, g_free);
}

/* ---- image sizes (inactive domains) ---- */

/* qcow2's virtual size: a big-endian uint64 at offset 24 after the
 * "QFI\xfb" magic. */
static int
qemuStatsQcow2Size(int fd, unsigned long long *size)
{
    unsigned char hdr[32];
    size_t i;

    if (pread(fd, hdr, sizeof(hdr), 0) != sizeof(hdr) ||
        memcmp(hdr, "QFI\xfb", 4) != 0)
        return -1;
    *size = 0;
    for (i = 24; i < 32; i++)
        *size = (*size << 8) | hdr[i];
    return 0;
}

int
qemuStatsImageSizes(const char *path, int format, qemuDiskSizes *sizes)
{
    struct stat sb;
    int fd;
    int ret = 0;

    memset(sizes, 0, sizeof(*sizes));
    if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
        return -1;
    if (fstat(fd, &sb) < 0) {
        close(fd);
        return -1;
    }
    if (S_ISREG(sb.st_mode)) {
        sizes->allocation = (unsigned long long)sb.st_blocks * 512;
        sizes->capacity = sb.st_size;
        sizes->physical = sb.st_size;
    } else {
        off_t end = lseek(fd, 0, SEEK_END);

        /* a block device: its size is all of it */
        sizes->physical = end > 0 ? end : 0;
        sizes->capacity = sizes->physical;
        sizes->allocation = sizes->physical;
    }
    if (format == VIR_DOMAIN_DISK_FORMAT_QCOW2 &&
        qemuStatsQcow2Size(fd, &sizes->capacity) < 0)
        ret = -1;
    close(fd);
    sizes->valid = ret == 0;
    return ret;
}

const qemuBlockStats *
qemuStatsDiskLookup(GHashTable *block, const virDomainDiskDef *disk)
{
    g_autofree char *node = NULL;
    g_autofree char *qdev = NULL;
    const qemuBlockStats *st;

    if (!block)
        return NULL;
    if (disk->srcIndex) {
        node = g_strdup_printf("libvirt-%u-format", disk->srcIndex);
        if ((st = g_hash_table_lookup(block, node)))
            return st;
    }
    if (!disk->info.alias)
        return NULL;
    if ((st = g_hash_table_lookup(block, disk->info.alias)))
        return st;
    /* virtio-blk's frontend is the device inside the PCI proxy */
    qdev = g_strdup_printf("/machine/peripheral/%s/virtio-backend",
                           disk->info.alias);
    return g_hash_table_lookup(block, qdev);
}

/* ---- records ---- */

/* A record name from a format (freed by the adders below). */
static char *
qemuStatsName(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static char *
qemuStatsName(const char *fmt, ...)
{
    va_list ap;
    char *name;

    va_start(ap, fmt);
    name = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return name;
}

static int
qemuStatsAddULL(virTypedParamList *params, unsigned long long v, char *name)
{
    int ret = virTypedParamListAddULLong(params, name, v);

    g_free(name);
    return ret;
}

static int
qemuStatsAddUInt(virTypedParamList *params, unsigned int v, char *name)
{
    int ret = virTypedParamListAddUInt(params, name, v);

    g_free(name);
    return ret;
}

static int
qemuStatsAddString(virTypedParamList *params, const char *v, char *name)
{
    int ret = virTypedParamListAddString(params, name, v);

    g_free(name);
    return ret;
}

static int
qemuStatsFormatState(const qemuDomainStatsData *data, virTypedParamList *params)
{
    if (virTypedParamListAddInt(params, "state.state", data->state) < 0 ||
        virTypedParamListAddInt(params, "state.reason", data->reason) < 0)
        return -1;
    return 0;
}

/* libvirt without cgroups: the QEMU process's times from /proc */
static int
qemuStatsFormatCpu(const qemuDomainStatsData *data, virTypedParamList *params)
{
    if (!data->haveCpu)
        return 0;
    if (virTypedParamListAddULLong(params, "cpu.time",
                                   data->cpu.userNs + data->cpu.sysNs) < 0 ||
        virTypedParamListAddULLong(params, "cpu.user", data->cpu.userNs) < 0 ||
        virTypedParamListAddULLong(params, "cpu.system", data->cpu.sysNs) < 0)
        return -1;
    /* a running domain's resctrl cache monitors: virtmig sets up none */
    if (data->active &&
        virTypedParamListAddUInt(params, "cpu.cache.monitor.count", 0) < 0)
        return -1;
    return 0;
}

static int
qemuStatsFormatBalloon(const virDomainDef *def, const qemuDomainStatsData *data,
                       virTypedParamList *params)
{
    static const char *const names[QEMU_MEMORY_STAT_NR] = {
        [QEMU_MEMORY_STAT_SWAP_IN] = "swap_in",
        [QEMU_MEMORY_STAT_SWAP_OUT] = "swap_out",
        [QEMU_MEMORY_STAT_MAJOR_FAULT] = "major_fault",
        [QEMU_MEMORY_STAT_MINOR_FAULT] = "minor_fault",
        [QEMU_MEMORY_STAT_UNUSED] = "unused",
        [QEMU_MEMORY_STAT_AVAILABLE] = "available",
        [QEMU_MEMORY_STAT_RSS] = "rss",
        [QEMU_MEMORY_STAT_USABLE] = "usable",
        [QEMU_MEMORY_STAT_LAST_UPDATE] = "last-update",
        [QEMU_MEMORY_STAT_DISK_CACHES] = "disk_caches",
        [QEMU_MEMORY_STAT_HUGETLB_PGALLOC] = "hugetlb_pgalloc",
        [QEMU_MEMORY_STAT_HUGETLB_PGFAIL] = "hugetlb_pgfail",
    };
    bool balloon = def->memballoon &&
                   def->memballoon->model == VIR_DOMAIN_MEMBALLOON_MODEL_VIRTIO;
    int i;

    if (virTypedParamListAddULLong(params, "balloon.current",
                                   balloon ? def->currentMemory : def->memory) < 0 ||
        virTypedParamListAddULLong(params, "balloon.maximum", def->memory) < 0)
        return -1;
    /* the balloon's own size is balloon.current already */
    for (i = 0; i < data->nmem; i++) {
        const char *name = data->mem[i].tag >= 0 &&
                           data->mem[i].tag < QEMU_MEMORY_STAT_NR ?
                           names[data->mem[i].tag] : NULL;

        if (name &&
            qemuStatsAddULL(params, data->mem[i].val, qemuStatsName("balloon.%s", name)) < 0)
            return -1;
    }
    return 0;
}

static int
qemuStatsFormatVcpu(const virDomainDef *def, const qemuDomainStatsData *data,
                    virTypedParamList *params)
{
    size_t i;

    if (virTypedParamListAddUInt(params, "vcpu.current", def->vcpusCurrent) < 0 ||
        virTypedParamListAddUInt(params, "vcpu.maximum", def->vcpus) < 0)
        return -1;
    for (i = 0; data->active && i < data->nvcpus; i++) {
        const qemuVcpuStats *v = &data->vcpus[i];
        g_autofree char *state = g_strdup_printf("vcpu.%u.state", v->number);

        if (virTypedParamListAddInt(params, state, v->state) < 0 ||
            qemuStatsAddULL(params, v->timeNs, qemuStatsName("vcpu.%u.time", v->number)) < 0 ||
            qemuStatsAddULL(params, v->waitNs, qemuStatsName("vcpu.%u.wait", v->number)) < 0 ||
            qemuStatsAddULL(params, v->delayNs, qemuStatsName("vcpu.%u.delay", v->number)) < 0)
            return -1;
    }
    return 0;
}

static int
qemuStatsFormatInterface(const virDomainDef *def,
                         const qemuDomainStatsData *data,
                         virTypedParamList *params)
{
    size_t i;

    if (!data->active)
        return 0;
    if (virTypedParamListAddUInt(params, "net.count", def->nnets) < 0)
        return -1;
    for (i = 0; i < def->nnets; i++) {
        const struct {
            const char *name;
            long long v;
        } *f, fields[8] = {
            { "rx.bytes", data->nets ? data->nets[i].rx_bytes : -1 },
            { "rx.pkts", data->nets ? data->nets[i].rx_packets : -1 },
            { "rx.errs", data->nets ? data->nets[i].rx_errs : -1 },
            { "rx.drop", data->nets ? data->nets[i].rx_drop : -1 },
            { "tx.bytes", data->nets ? data->nets[i].tx_bytes : -1 },
            { "tx.pkts", data->nets ? data->nets[i].tx_packets : -1 },
            { "tx.errs", data->nets ? data->nets[i].tx_errs : -1 },
            { "tx.drop", data->nets ? data->nets[i].tx_drop : -1 },
        };

        /* a device without a host interface (user networking) has
         * no name and no counters, but is counted */
        if (!def->nets[i]->ifname)
            continue;
        if (qemuStatsAddString(params, def->nets[i]->ifname, qemuStatsName("net.%zu.name", i)) < 0)
            return -1;
        if (!data->haveNet || !data->haveNet[i])
            continue;
        for (f = fields; f < fields + G_N_ELEMENTS(fields); f++) {
            if (f->v >= 0 &&
                qemuStatsAddULL(params, f->v, qemuStatsName("net.%zu.%s", i, f->name)) < 0)
                return -1;
        }
    }
    return 0;
}

static int
qemuStatsFormatBlockFrontend(const qemuBlockStats *st, size_t idx,
                             virTypedParamList *params)
{
    const struct {
        const char *name;
        unsigned long long v;
    } fields[] = {
        { "rd.reqs", st->rd_req },
        { "rd.bytes", st->rd_bytes },
        { "rd.times", st->rd_total_times },
        { "wr.reqs", st->wr_req },
        { "wr.bytes", st->wr_bytes },
        { "wr.times", st->wr_total_times },
        { "fl.reqs", st->flush_req },
        { "fl.times", st->flush_total_times },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(fields); i++) {
        if (qemuStatsAddULL(params, fields[i].v, qemuStatsName("block.%zu.%s", idx,
                            fields[i].name)) < 0)
            return -1;
    }
    return 0;
}

/* allocation (when @withAlloc), capacity and physical (when known) */
static int
qemuStatsAddSizes(virTypedParamList *params, size_t idx, bool withAlloc,
                  unsigned long long allocation, unsigned long long capacity,
                  unsigned long long physical)
{
    if ((withAlloc &&
         qemuStatsAddULL(params, allocation, qemuStatsName("block.%zu.allocation", idx)) < 0) ||
        (capacity &&
         qemuStatsAddULL(params, capacity, qemuStatsName("block.%zu.capacity", idx)) < 0) ||
        (physical &&
         qemuStatsAddULL(params, physical, qemuStatsName("block.%zu.physical", idx)) < 0))
        return -1;
    return 0;
}

static int
qemuStatsFormatBlockSizes(const virDomainDiskDef *disk,
                          const qemuDomainStatsData *data, size_t i,
                          const qemuBlockStats *st, size_t idx,
                          virTypedParamList *params)
{
    if (!disk->src)
        return 0;
    if (!data->active) {
        const qemuDiskSizes *sz = data->disks ? &data->disks[i] : NULL;

        /* an inactive domain: what the image file says, values that
         * are 0 left out */
        if (!sz || !sz->valid)
            return 0;
        return qemuStatsAddSizes(params, idx, sz->allocation != 0,
                                 sz->allocation, sz->capacity, sz->physical);
    }
    /* QEMU did not answer: nothing is guessed */
    if (!st)
        return 0;
    return qemuStatsAddSizes(params, idx, st->wrHighestValid,
                             st->wr_highest_offset, st->capacity, st->physical);
}

static int
qemuStatsFormatBlock(const virDomainDef *def, const qemuDomainStatsData *data,
                     bool backing, virTypedParamList *params)
{
    size_t i;

    (void)backing;  /* no backing chains are known: one record per disk */
    if (virTypedParamListAddUInt(params, "block.count", def->ndisks) < 0)
        return -1;
    for (i = 0; i < def->ndisks; i++) {
        const virDomainDiskDef *disk = def->disks[i];
        const qemuBlockStats *st = data->active ?
                                   qemuStatsDiskLookup(data->block, disk) : NULL;

        if (qemuStatsAddString(params, disk->dst, qemuStatsName("block.%zu.name", i)) < 0 ||
            (disk->src &&
             qemuStatsAddString(params, disk->src, qemuStatsName("block.%zu.path", i)) < 0) ||
            (data->active && disk->srcIndex &&
             qemuStatsAddUInt(params, disk->srcIndex, qemuStatsName("block.%zu.backingIndex", i)) < 0))
            return -1;
        if (st && qemuStatsFormatBlockFrontend(st, i, params) < 0)
            return -1;
        if (qemuStatsFormatBlockSizes(disk, data, i, st, i, params) < 0)
            return -1;
    }
    return 0;
}

int
qemuDomainStatsFormat(const virDomainDef *def, const qemuDomainStatsData *data,
                      unsigned int stats, bool backing,
                      virTypedParamList *params)
{
    if ((stats & QEMU_DOMAIN_STATS_STATE) &&
        qemuStatsFormatState(data, params) < 0)
        return -1;
    if ((stats & QEMU_DOMAIN_STATS_CPU_TOTAL) &&
        qemuStatsFormatCpu(data, params) < 0)
        return -1;
    if ((stats & QEMU_DOMAIN_STATS_BALLOON) &&
        qemuStatsFormatBalloon(def, data, params) < 0)
        return -1;
    if ((stats & QEMU_DOMAIN_STATS_VCPU) &&
        qemuStatsFormatVcpu(def, data, params) < 0)
        return -1;
    if ((stats & QEMU_DOMAIN_STATS_INTERFACE) &&
        qemuStatsFormatInterface(def, data, params) < 0)
        return -1;
    if ((stats & QEMU_DOMAIN_STATS_BLOCK) &&
        qemuStatsFormatBlock(def, data, backing, params) < 0)
        return -1;
    /* perf, iothread, memory: nothing to report (see the header) */
    return 0;
}
