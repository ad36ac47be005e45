/*
 * rpcnodetest.c: host facts reported by the remote program
 *
 * rpcnodedata/NAME.cpuinfo (with the shared rpcnodedata/meminfo) must
 * give the NODE_GET_INFO values in rpcnodedata/NAME.out.
 */
#include <string.h>

#include "testutils.h"
#include "virerror.h"
#include "remote_node.h"

typedef struct {
    const char *name;
    int nnodes;
    const char *arch;
} testNodeCase;

static void
testNodeInfo(gconstpointer data)
{
    const testNodeCase *tc = data;
    g_autofree char *path = g_strdup_printf("rpcnodedata/%s.cpuinfo", tc->name);
    g_autofree char *outpath = g_strdup_printf("rpcnodedata/%s.out", tc->name);
    g_autofree char *cpuinfo = virTestLoadFile(path);
    g_autofree char *meminfo = virTestLoadFile("rpcnodedata/meminfo");
    g_autofree char *actual = NULL;
    remoteNodeInfo info;

    g_assert_cmpint(remoteNodeParseInfo(cpuinfo, meminfo, tc->nnodes, tc->arch,
                                        &info), ==, 0);
    actual = g_strdup_printf("model=%s memory=%llu cpus=%d mhz=%d nodes=%d "
                             "sockets=%d cores=%d threads=%d\n",
                             info.model, info.memoryKiB, info.cpus, info.mhz,
                             info.nodes, info.sockets, info.cores, info.threads);
    g_assert_true(virTestCompareToFile(actual, outpath));
}

static void
testNodeInfoBroken(void)
{
    remoteNodeInfo info;

    g_assert_cmpint(remoteNodeParseInfo("", "MemTotal: 10 kB\n", 1, "x86_64",
                                        &info), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_cmpint(remoteNodeParseInfo("processor\t: 0\n", "", 1, "x86_64",
                                        &info), ==, -1);
}

static void
testNodeHost(void)
{
    remoteNodeInfo info;
    unsigned long long freeMem = 0;
    g_autofree char *host = remoteNodeGetHostname();

    /* the real host: only sanity, the values vary */
    g_assert_cmpint(remoteNodeGetInfo(&info), ==, 0);
    g_assert_cmpint(info.cpus, >=, 1);
    g_assert_cmpint(info.nodes * info.sockets * info.cores * info.threads, ==,
                    info.cpus);
    g_assert_cmpint(remoteNodeGetFreeMemory(&freeMem), ==, 0);
    g_assert_cmpuint(freeMem, >, 0);
    g_assert_cmpuint(freeMem, <=, info.memoryKiB * 1024);
    g_assert_nonnull(host);
    g_assert_cmpuint(strlen(host), >, 0);
}

static void
testQEMUVersion(void)
{
    g_autofree char *out = virTestLoadFile("rpcnodedata/qemu-versions.txt");
    unsigned long long v = 0;

    g_assert_cmpint(remoteNodeParseQEMUVersion(out, &v), ==, 0);
    g_assert_cmpuint(v, ==, 7002022);
    g_assert_cmpint(remoteNodeParseQEMUVersion("QEMU emulator version 8.1", &v), ==, 0);
    g_assert_cmpuint(v, ==, 8001000);
    g_assert_cmpint(remoteNodeParseQEMUVersion("qemu-kvm", &v), ==, -1);
    g_assert_cmpint(remoteNodeParseQEMUVersion(NULL, &v), ==, -1);
}

int
main(int argc, char **argv)
{
    static const testNodeCase cases[] = {
        { "epyc-2cpu", 1, "x86_64" },
        { "xeon-2s2c2t", 1, "x86_64" },
        { "arm-3cpu", 0, "aarch64" },
    };
    size_t i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/node/info/%s", cases[i].name);

        g_test_add_data_func(path, &cases[i], testNodeInfo);
    }
    g_test_add_func("/rpc/node/info-broken", testNodeInfoBroken);
    g_test_add_func("/rpc/node/host", testNodeHost);
    g_test_add_func("/rpc/node/qemu-version", testQEMUVersion);
    return g_test_run();
}
