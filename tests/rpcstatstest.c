/*
 * rpcstatstest.c: the statistics procedures on the wire, over the fake
 * driver (tests/rpcfakestats.c): records and their typed parameters,
 * the shape of libvirt's replies (cpumaps of maxinfo * maplen bytes,
 * nparams 0 asking the count) and the daemon's argument limits
 */
#include <string.h>

#include "testutils.h"
#include "rpctestserver.h"
#include "virerror.h"

/* The record's value of @field (ullong / uint / int), or -1. */
static long long
testParam(const remote_domain_stats_record *rec, const char *field)
{
    u_int i;

    for (i = 0; i < rec->params.params_len; i++) {
        const remote_typed_param *p = &rec->params.params_val[i];

        if (!g_str_equal(p->field, field))
            continue;
        switch (p->value.type) {
        case REMOTE_TYPED_PARAM_INT:
            return p->value.remote_typed_param_value_u.i;
        case REMOTE_TYPED_PARAM_UINT:
            return p->value.remote_typed_param_value_u.ui;
        case REMOTE_TYPED_PARAM_ULLONG:
            return p->value.remote_typed_param_value_u.ul;
        default:
            return -2;
        }
    }
    return -1;
}

static void
testAllDomainStats(rpcTestClient *client, remote_nonnull_domain *dom)
{
    remote_connect_get_all_domain_stats_args args = { { 0, NULL }, 0, 0 };
    remote_connect_get_all_domain_stats_ret ret = { { 0, NULL } };

    /* every domain, every group */
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS,
                  TEST_XDR(remote_connect_get_all_domain_stats_args), &args,
                  TEST_XDR(remote_connect_get_all_domain_stats_ret), &ret);
    g_assert_cmpuint(ret.retStats.retStats_len, ==, 2);
    g_assert_cmpstr(ret.retStats.retStats_val[0].dom.name, ==, "demo");
    g_assert_cmpint(testParam(&ret.retStats.retStats_val[0], "state.state"), ==,
                    VIR_DOMAIN_RUNNING);
    g_assert_cmpint(testParam(&ret.retStats.retStats_val[0], "balloon.maximum"), ==,
                    262144);
    g_assert_cmpint(testParam(&ret.retStats.retStats_val[1], "state.state"), ==,
                    VIR_DOMAIN_SHUTOFF);
    xdr_free(TEST_XDR(remote_connect_get_all_domain_stats_ret), (char *)&ret);

    /* the given domains, filtered (INACTIVE: the running demo is not) */
    args.doms.doms_len = 1;
    args.doms.doms_val = dom;
    args.stats = 1;           /* state */
    args.flags = 2;           /* INACTIVE */
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS,
                  TEST_XDR(remote_connect_get_all_domain_stats_args), &args,
                  TEST_XDR(remote_connect_get_all_domain_stats_ret), &ret);
    g_assert_cmpuint(ret.retStats.retStats_len, ==, 0);
    xdr_free(TEST_XDR(remote_connect_get_all_domain_stats_ret), (char *)&ret);
    args.flags = 1;           /* ACTIVE */
    rpcTestCallOK(client, REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS,
                  TEST_XDR(remote_connect_get_all_domain_stats_args), &args,
                  TEST_XDR(remote_connect_get_all_domain_stats_ret), &ret);
    g_assert_cmpuint(ret.retStats.retStats_len, ==, 1);
    g_assert_cmpuint(ret.retStats.retStats_val[0].params.params_len, ==, 2);
    xdr_free(TEST_XDR(remote_connect_get_all_domain_stats_ret), (char *)&ret);

    /* an unsupported group, enforced */
    args.stats = 1 << 9;
    args.flags = 1U << 31;
    rpcTestCallError(client, REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS,
                     TEST_XDR(remote_connect_get_all_domain_stats_args), &args,
                     VIR_ERR_OPERATION_UNSUPPORTED,
                     "Operation not supported: Stats types bits 0x200 are not supported by this daemon");
}

static void
testVcpus(rpcTestClient *client, remote_nonnull_domain *dom)
{
    remote_domain_get_vcpus_args args = { *dom, 4, 2 };
    remote_domain_get_vcpus_ret ret = { { 0, NULL }, { 0, NULL } };
    remote_domain_get_vcpu_pin_info_args pargs = { *dom, 3, 1, 0 };
    remote_domain_get_vcpu_pin_info_ret pret = { { 0, NULL }, 0 };

    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_GET_VCPUS,
                  TEST_XDR(remote_domain_get_vcpus_args), &args,
                  TEST_XDR(remote_domain_get_vcpus_ret), &ret);
    /* one vCPU, but maps for all maxinfo entries (libvirt's reply) */
    g_assert_cmpuint(ret.info.info_len, ==, 1);
    g_assert_cmpuint(ret.info.info_val[0].cpu_time, ==, 1000000000ULL);
    g_assert_cmpuint(ret.cpumaps.cpumaps_len, ==, 8);
    g_assert_cmpint(ret.cpumaps.cpumaps_val[0], ==, 1);
    xdr_free(TEST_XDR(remote_domain_get_vcpus_ret), (char *)&ret);

    args.maxinfo = REMOTE_VCPUINFO_MAX + 1;
    rpcTestCallError(client, REMOTE_PROC_DOMAIN_GET_VCPUS,
                     TEST_XDR(remote_domain_get_vcpus_args), &args,
                     VIR_ERR_RPC, "maxinfo > REMOTE_VCPUINFO_MAX");
    args.maxinfo = 16384;
    args.maplen = 1024;
    rpcTestCallError(client, REMOTE_PROC_DOMAIN_GET_VCPUS,
                     TEST_XDR(remote_domain_get_vcpus_args), &args,
                     VIR_ERR_RPC, "maxinfo * maplen > REMOTE_CPUMAPS_MAX");

    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_GET_VCPU_PIN_INFO,
                  TEST_XDR(remote_domain_get_vcpu_pin_info_args), &pargs,
                  TEST_XDR(remote_domain_get_vcpu_pin_info_ret), &pret);
    g_assert_cmpint(pret.num, ==, 1);
    g_assert_cmpuint(pret.cpumaps.cpumaps_len, ==, 3);
    g_assert_cmpint(pret.cpumaps.cpumaps_val[0], ==, 3);
    xdr_free(TEST_XDR(remote_domain_get_vcpu_pin_info_ret), (char *)&pret);
}

static void
testMemoryAndBlock(rpcTestClient *client, remote_nonnull_domain *dom)
{
    remote_domain_memory_stats_args margs = { *dom, 13, 0 };
    remote_domain_memory_stats_ret mret = { { 0, NULL } };
    remote_domain_block_stats_flags_args bargs = { *dom, (char *)"vda", 0, 0 };
    remote_domain_block_stats_flags_ret bret = { { 0, NULL }, 0 };

    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_MEMORY_STATS,
                  TEST_XDR(remote_domain_memory_stats_args), &margs,
                  TEST_XDR(remote_domain_memory_stats_ret), &mret);
    g_assert_cmpuint(mret.stats.stats_len, ==, 2);
    g_assert_cmpint(mret.stats.stats_val[0].tag, ==, 6);
    g_assert_cmpuint(mret.stats.stats_val[0].val, ==, 262144);
    xdr_free(TEST_XDR(remote_domain_memory_stats_ret), (char *)&mret);
    margs.maxStats = REMOTE_DOMAIN_MEMORY_STATS_MAX + 1;
    rpcTestCallError(client, REMOTE_PROC_DOMAIN_MEMORY_STATS,
                     TEST_XDR(remote_domain_memory_stats_args), &margs,
                     VIR_ERR_RPC, "maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX");

    /* nparams 0: the number of counters only */
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_BLOCK_STATS_FLAGS,
                  TEST_XDR(remote_domain_block_stats_flags_args), &bargs,
                  TEST_XDR(remote_domain_block_stats_flags_ret), &bret);
    g_assert_cmpint(bret.nparams, ==, 2);
    g_assert_cmpuint(bret.params.params_len, ==, 0);
    bargs.nparams = 2;
    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_BLOCK_STATS_FLAGS,
                  TEST_XDR(remote_domain_block_stats_flags_args), &bargs,
                  TEST_XDR(remote_domain_block_stats_flags_ret), &bret);
    g_assert_cmpuint(bret.params.params_len, ==, 2);
    g_assert_cmpstr(bret.params.params_val[0].field, ==, "wr_bytes");
    g_assert_cmpint(bret.params.params_val[0].value.type, ==, REMOTE_TYPED_PARAM_LLONG);
    xdr_free(TEST_XDR(remote_domain_block_stats_flags_ret), (char *)&bret);
    bargs.nparams = REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX + 1;
    rpcTestCallError(client, REMOTE_PROC_DOMAIN_BLOCK_STATS_FLAGS,
                     TEST_XDR(remote_domain_block_stats_flags_args), &bargs,
                     VIR_ERR_RPC, "nparams too large");
}

static void
testSnapshots(rpcTestClient *client, remote_nonnull_domain *dom)
{
    remote_domain_list_all_snapshots_args args = { *dom, 1, 0 };
    remote_domain_list_all_snapshots_ret ret = { { 0, NULL }, -1 };
    remote_domain_snapshot_lookup_by_name_args largs = { *dom, (char *)"s1", 0 };

    rpcTestCallOK(client, REMOTE_PROC_DOMAIN_LIST_ALL_SNAPSHOTS,
                  TEST_XDR(remote_domain_list_all_snapshots_args), &args,
                  TEST_XDR(remote_domain_list_all_snapshots_ret), &ret);
    g_assert_cmpint(ret.ret, ==, 0);
    g_assert_cmpuint(ret.snapshots.snapshots_len, ==, 0);
    rpcTestCallError(client, REMOTE_PROC_DOMAIN_SNAPSHOT_LOOKUP_BY_NAME,
                     TEST_XDR(remote_domain_snapshot_lookup_by_name_args), &largs,
                     VIR_ERR_NO_DOMAIN_SNAPSHOT,
                     "Domain snapshot not found: no domain snapshot with matching name 's1'");
}

static void
testStats(void)
{
    remoteServerConfig cfg = rpcTestServerConfig();
    g_autoptr(rpcTestServer) ts = rpcTestServerStart(&cfg);
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    g_autofree char *xml = virTestLoadFile("rpcdata/domain-demo.xml");
    g_autofree char *other = rpcTestDomainXML("other");
    remote_nonnull_domain dom = { 0 };
    remote_nonnull_domain otherdom = { 0 };

    rpcTestDefine(client, xml, &dom);
    rpcTestDefine(client, other, &otherdom);
    rpcTestDomainAction(client, REMOTE_PROC_DOMAIN_CREATE, &dom);
    testAllDomainStats(client, &dom);
    testVcpus(client, &dom);
    testMemoryAndBlock(client, &dom);
    testSnapshots(client, &dom);
    /* an inactive domain has no vCPU threads */
    {
        remote_domain_memory_stats_args margs = { otherdom, 4, 0 };

        rpcTestCallError(client, REMOTE_PROC_DOMAIN_MEMORY_STATS,
                         TEST_XDR(remote_domain_memory_stats_args), &margs,
                         VIR_ERR_OPERATION_INVALID,
                         "Requested operation is not valid: domain is not running");
    }
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&dom);
    xdr_free(TEST_XDR(remote_nonnull_domain), (char *)&otherdom);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/stats/procedures", testStats);
    return g_test_run();
}
