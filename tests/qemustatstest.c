/*
 * qemustatstest.c: domain statistics from recorded figures
 *
 * The QMP replies of qemustatsdata/ were recorded from QEMU 7.2 running
 * the devices virtmig gives a guest (ide-hd and virtio-blk on
 * libvirt-N-format nodes, an empty ide-cd, virtio-balloon); the block
 * counters were then set to distinct values so that every field can be
 * told apart.  The /proc files come from a running QEMU (the sched file
 * with the wait_sum line a kernel with schedstats adds).  The expected
 * *.stats files hold what libvirt 9.0's QEMU driver reports for the
 * same figures: one "name type value" line per typed parameter.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "testutils.h"
#include "qemu_stats.h"
#include "qemu_monitor_json_stats.h"
#include "virerror.h"

#define DATADIR "qemustatsdata/"

static json_object *
testLoadReturn(const char *file, json_object **obj)
{
    g_autofree char *path = g_strdup_printf(DATADIR "%s", file);
    g_autofree char *text = virTestLoadFile(path);
    json_object *ret;

    *obj = json_tokener_parse(text);
    if (!*obj || !json_object_object_get_ex(*obj, "return", &ret))
        g_error("%s is not a QMP reply", path);
    return ret;
}

static virDomainDef *
testLoadDef(void)
{
    g_autofree char *xml = virTestLoadFile(DATADIR "domain-live.xml");
    virDomainDef *def = virDomainDefParseString(xml, 0);

    if (!def)
        g_error("domain-live.xml: %s", virGetLastErrorMessage());
    return def;
}

static GHashTable *
testLoadBlockStats(int *nstats)
{
    g_autoptr(json_object) obj = NULL;
    g_autoptr(json_object) nobj = NULL;
    json_object *ret = testLoadReturn("query-blockstats.json", &obj);
    GHashTable *table = qemuMonitorJSONParseBlockStats(ret, nstats);

    g_assert_nonnull(table);
    ret = testLoadReturn("query-named-block-nodes.json", &nobj);
    g_assert_cmpint(qemuMonitorJSONParseBlockCapacity(ret, table), ==, 0);
    return table;
}

/* The balloon part as the driver gathers it: size, guest figures, rss */
static int
testLoadMemory(const char *guestStats, qemuMemoryStat *mem, unsigned long long rss)
{
    g_autoptr(json_object) bobj = NULL;
    g_autoptr(json_object) gobj = NULL;
    unsigned long long actual = 0;
    size_t n = 0;

    g_assert_cmpint(qemuMonitorJSONParseBalloonInfo(testLoadReturn("query-balloon.json", &bobj),
                                                    &actual), ==, 0);
    mem[n].tag = QEMU_MEMORY_STAT_ACTUAL_BALLOON;
    mem[n++].val = actual;
    n = qemuMonitorJSONParseBalloonGuestStats(testLoadReturn(guestStats, &gobj),
                                              mem, n, QEMU_MEMORY_STAT_NR);
    mem[n].tag = QEMU_MEMORY_STAT_RSS;
    mem[n++].val = rss;
    return n;
}

static void
testLoadProc(virProcStatInfo *info)
{
    g_autofree char *text = virTestLoadFile(DATADIR "proc-stat.txt");

    g_assert_cmpint(virHostStatsParseProcStat(text, 100, 4, info), ==, 0);
}

static char *
testRender(const virDomainDef *def, const qemuDomainStatsData *data,
           unsigned int stats)
{
    g_autoptr(virTypedParamList) params = virTypedParamListNew();
    GString *out = g_string_new(NULL);
    size_t i;

    g_assert_cmpint(qemuDomainStatsFormat(def, data, stats, false, params), ==, 0);
    for (i = 0; i < params->npar; i++)
        virTestFormatTypedParam(out, &params->par[i]);
    return g_string_free(out, FALSE);
}

/* A running domain with every figure: all groups. */
static void
testFormatLive(void)
{
    g_autoptr(virDomainDef) def = testLoadDef();
    g_auto(qemuDomainStatsData) data = { .active = true, .haveJob = true,
                                         .state = 1, .reason = 1 };
    g_autofree char *netdev = virTestLoadFile(DATADIR "net-dev.txt");
    g_autofree char *sched = virTestLoadFile(DATADIR "sched.txt");
    g_autofree char *schedstat = virTestLoadFile(DATADIR "schedstat.txt");
    g_autofree char *out = NULL;
    int nstats = 0;
    size_t i;

    testLoadProc(&data.cpu);
    data.haveCpu = true;
    data.nmem = testLoadMemory("guest-stats.json", data.mem, data.cpu.rssKiB);
    data.vcpus = g_new0(qemuVcpuStats, 2);
    data.nvcpus = 2;
    for (i = 0; i < 2; i++) {
        data.vcpus[i].number = i;
        data.vcpus[i].state = 1;
        data.vcpus[i].timeNs = (i + 1) * 1000000000ULL;
        data.vcpus[i].waitNs = virHostStatsParseSchedWait(sched);
        data.vcpus[i].delayNs = virHostStatsParseSchedstatDelay(schedstat);
    }
    data.nets = g_new0(virNetDevStats, def->nnets);
    data.haveNet = g_new0(bool, def->nnets);
    g_assert_cmpint(virHostStatsParseNetDev(netdev, "vnet0", false, &data.nets[1]), ==, 0);
    data.haveNet[1] = true;
    data.block = testLoadBlockStats(&nstats);
    g_assert_cmpint(nstats, ==, 8);
    out = testRender(def, &data, QEMU_DOMAIN_STATS_SUPPORTED);
    g_assert_true(virTestCompareToFile(out, DATADIR "live.stats"));
}

/* NOWAIT on a busy domain: no QEMU figures, the host's still there. */
static void
testFormatLiveNoJob(void)
{
    g_autoptr(virDomainDef) def = testLoadDef();
    g_auto(qemuDomainStatsData) data = { .active = true, .state = 3,
                                         .reason = 2, .nmem = -1 };
    g_autofree char *out = NULL;

    testLoadProc(&data.cpu);
    data.haveCpu = true;
    out = testRender(def, &data, QEMU_DOMAIN_STATS_SUPPORTED);
    g_assert_true(virTestCompareToFile(out, DATADIR "live-nojob.stats"));
}

/* A shut-off domain: sizes from its image files. */
static void
testFormatInactive(void)
{
    g_autoptr(virDomainDef) def = testLoadDef();
    g_auto(qemuDomainStatsData) data = { .state = 5, .reason = 0, .nmem = -1 };
    g_autofree char *out = NULL;

    data.disks = g_new0(qemuDiskSizes, def->ndisks);
    data.disks[0] = (qemuDiskSizes) { true, 1048576, 1048576, 1048576 };
    data.disks[1] = (qemuDiskSizes) { true, 200704, 67108864, 197120 };
    out = testRender(def, &data, QEMU_DOMAIN_STATS_SUPPORTED);
    g_assert_true(virTestCompareToFile(out, DATADIR "inactive.stats"));
    /* only the groups asked for, in libvirt's order */
    g_free(out);
    out = testRender(def, &data, QEMU_DOMAIN_STATS_VCPU | QEMU_DOMAIN_STATS_STATE);
    g_assert_cmpstr(out, ==,
                    "state.state int 5\n"
                    "state.reason int 0\n"
                    "vcpu.current uint 2\n"
                    "vcpu.maximum uint 4\n");
}

static void
testGroups(void)
{
    unsigned int stats = 0;

    g_assert_cmpint(qemuDomainStatsCheckGroups(&stats, true), ==, 0);
    g_assert_cmphex(stats, ==, QEMU_DOMAIN_STATS_SUPPORTED);
    /* dirtyrate and vm: dropped, or refused when enforced */
    stats = QEMU_DOMAIN_STATS_DIRTYRATE | QEMU_DOMAIN_STATS_STATE;
    g_assert_cmpint(qemuDomainStatsCheckGroups(&stats, false), ==, 0);
    g_assert_cmphex(stats, ==, QEMU_DOMAIN_STATS_STATE);
    stats = QEMU_DOMAIN_STATS_DIRTYRATE | QEMU_DOMAIN_STATS_VM | QEMU_DOMAIN_STATS_STATE;
    g_assert_cmpint(qemuDomainStatsCheckGroups(&stats, true), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_UNSUPPORTED);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "Operation not supported: Stats types bits 0x600 are not supported by this daemon");
    virResetLastError();
    /* the groups libvirt answers empty here are accepted when enforced */
    stats = QEMU_DOMAIN_STATS_PERF | QEMU_DOMAIN_STATS_IOTHREAD | QEMU_DOMAIN_STATS_MEMORY;
    g_assert_cmpint(qemuDomainStatsCheckGroups(&stats, true), ==, 0);
}

static void
testBlockStats(void)
{
    g_autoptr(GHashTable) table = NULL;
    const qemuBlockStats *st;
    int nstats = 0;

    table = testLoadBlockStats(&nstats);
    /* by node name and by the frontend's id or QOM path */
    st = g_hash_table_lookup(table, "libvirt-2-format");
    g_assert_nonnull(st);
    g_assert_true(st == g_hash_table_lookup(table, "libvirt-2-format"));
    g_assert_cmpuint(st->wr_bytes, ==, 65536);
    g_assert_cmpuint(st->capacity, ==, 67108864);
    g_assert_cmpuint(st->physical, ==, 200704);
    g_assert_true(st->wrHighestValid);
    g_assert_cmpuint(st->wr_highest_offset, ==, 65536);
    st = g_hash_table_lookup(table, "/machine/peripheral/virtio-disk1/virtio-backend");
    g_assert_nonnull(st);
    g_assert_cmpuint(st->flush_req, ==, 5);
    /* the empty cdrom: a frontend with zero counters and no node */
    st = g_hash_table_lookup(table, "ide0-1-0");
    g_assert_nonnull(st);
    g_assert_cmpuint(st->rd_req, ==, 0);
    g_assert_false(st->wrHighestValid);
}

static void
testBlockStatsMalformed(void)
{
    g_autoptr(json_object) ret = json_tokener_parse("[{\"device\": \"\", \"stats\": {\"rd_bytes\": 1}}]");
    int nstats = 0;

    g_assert_null(qemuMonitorJSONParseBlockStats(ret, &nstats));
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "internal error: cannot read wr_bytes statistic");
    virResetLastError();
}

/* A guest without the balloon driver: the update time only. */
static void
testMemoryNone(void)
{
    qemuMemoryStat mem[QEMU_MEMORY_STAT_NR];
    int n = testLoadMemory("guest-stats-none.json", mem, 4096);

    g_assert_cmpint(n, ==, 3);
    g_assert_cmpint(mem[0].tag, ==, QEMU_MEMORY_STAT_ACTUAL_BALLOON);
    g_assert_cmpuint(mem[0].val, ==, 65536);
    g_assert_cmpint(mem[1].tag, ==, QEMU_MEMORY_STAT_LAST_UPDATE);
    g_assert_cmpuint(mem[1].val, ==, 0);
    g_assert_cmpint(mem[2].tag, ==, QEMU_MEMORY_STAT_RSS);
}

static void
testProcFiles(void)
{
    g_autofree char *netdev = virTestLoadFile(DATADIR "net-dev.txt");
    g_autofree char *sched = virTestLoadFile(DATADIR "sched.txt");
    g_autofree char *schedstat = virTestLoadFile(DATADIR "schedstat.txt");
    virProcStatInfo info = { 0 };
    virNetDevStats st;
    unsigned char map[2] = { 0 };

    testLoadProc(&info);
    /* utime 6165 and stime 377 ticks of 10 ms; rss 13776 pages of 4 KiB */
    g_assert_cmpuint(info.userNs, ==, 61650000000ULL);
    g_assert_cmpuint(info.sysNs, ==, 3770000000ULL);
    g_assert_cmpuint(info.rssKiB, ==, 55104);
    g_assert_cmpint(info.processor, ==, 1);
    g_assert_cmpint(virHostStatsParseProcStat("1 (x) S 1", 100, 4, &info), ==, -1);

    g_assert_cmpuint(virHostStatsParseSchedWait(sched), ==, 12345678);
    g_assert_cmpuint(virHostStatsParseSchedWait("se.vruntime : 1.0\n"), ==, 0);
    g_assert_cmpuint(virHostStatsParseSchedstatDelay(schedstat), ==, 91489435);

    /* a tap not sharing the host's view has its sides swapped */
    g_assert_cmpint(virHostStatsParseNetDev(netdev, "vnet0", true, &st), ==, 0);
    g_assert_cmpint(st.rx_bytes, ==, 654321);
    g_assert_cmpint(st.tx_drop, ==, 2);
    g_assert_cmpint(virHostStatsParseNetDev(netdev, "vnet9", false, &st), ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "internal error: /proc/net/dev: Interface not found");
    virResetLastError();

    g_assert_cmpint(virHostStatsParseCPUList("0-3,9\n", map, sizeof(map)), ==, 10);
    g_assert_cmphex(map[0], ==, 0x0f);
    g_assert_cmphex(map[1], ==, 0x02);
    g_assert_cmpint(virHostStatsParseCPUList("3-1", map, sizeof(map)), ==, -1);
    g_assert_cmpint(virHostStatsParseCPUList("x", map, sizeof(map)), ==, -1);
}

/* Image sizes of an inactive domain's disks: raw and qcow2 files. */
static void
testImageSizes(void)
{
    g_autofree char *dir = g_dir_make_tmp("qemustatstest-XXXXXX", NULL);
    g_autofree char *raw = g_build_filename(dir, "raw.img", NULL);
    g_autofree char *qcow2 = g_build_filename(dir, "disk.qcow2", NULL);
    /* magic, version 3, then the size (64 MiB) at offset 24 */
    static const unsigned char hdr[32] = {
        'Q', 'F', 'I', 0xfb, 0, 0, 0, 3,
        [24] = 0, 0, 0, 0, 0x04, 0, 0, 0,
    };
    qemuDiskSizes sz;
    int fd;

    g_assert_nonnull(dir);
    g_assert_true(g_file_set_contents(raw, "", 0, NULL));
    g_assert_cmpint(truncate(raw, 1048576), ==, 0);
    g_assert_cmpint(qemuStatsImageSizes(raw, VIR_DOMAIN_DISK_FORMAT_RAW, &sz), ==, 0);
    g_assert_true(sz.valid);
    g_assert_cmpuint(sz.capacity, ==, 1048576);
    g_assert_cmpuint(sz.physical, ==, 1048576);
    g_assert_cmpuint(sz.allocation, ==, 0);   /* sparse */

    g_assert_cmpint((fd = open(qcow2, O_WRONLY | O_CREAT, 0600)), >=, 0);
    g_assert_cmpint(write(fd, hdr, sizeof(hdr)), ==, sizeof(hdr));
    close(fd);
    g_assert_cmpint(qemuStatsImageSizes(qcow2, VIR_DOMAIN_DISK_FORMAT_QCOW2, &sz), ==, 0);
    g_assert_cmpuint(sz.capacity, ==, 67108864);
    g_assert_cmpuint(sz.physical, ==, 32);
    /* a raw file is not a qcow2 one */
    g_assert_cmpint(qemuStatsImageSizes(raw, VIR_DOMAIN_DISK_FORMAT_QCOW2, &sz), ==, -1);
    g_assert_false(sz.valid);
    g_assert_cmpint(qemuStatsImageSizes(NULL, 0, &sz), ==, -1);

    g_unlink(raw);
    g_unlink(qcow2);
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu/stats/groups", testGroups);
    g_test_add_func("/qemu/stats/blockstats", testBlockStats);
    g_test_add_func("/qemu/stats/blockstats-malformed", testBlockStatsMalformed);
    g_test_add_func("/qemu/stats/memory-none", testMemoryNone);
    g_test_add_func("/qemu/stats/proc", testProcFiles);
    g_test_add_func("/qemu/stats/image-sizes", testImageSizes);
    g_test_add_func("/qemu/stats/format-live", testFormatLive);
    g_test_add_func("/qemu/stats/format-live-nojob", testFormatLiveNoJob);
    g_test_add_func("/qemu/stats/format-inactive", testFormatInactive);
    return g_test_run();
}
