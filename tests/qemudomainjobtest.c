/*
 * qemudomainjobtest.c: job statistics (qemuDomainJobData)
 *
 * Each case builds job data from a real QEMU 7.2 query-migrate reply
 * (qemudomainjobdata/query-migrate-*.json) plus the job fields of the
 * case table, renders qemuDomainJobDataToParams() as one
 * "name type value" line per parameter and compares it with
 * qemudomainjobdata/<case>.params.  The expected files hold what
 * libvirt 9.0 reports for the same data (names, types, units).
 */
#include <math.h>
#include <string.h>

#include "testutils.h"
#include "qemu_domainjob_data.h"
#include "qemu_monitor_json.h"
#include "virerror.h"

#define DATADIR "qemudomainjobdata/"

typedef struct _testJobCase testJobCase;
struct _testJobCase {
    const char *name;           /* expected file: DATADIR<name>.params */
    const char *reply;          /* DATADIR query-migrate-<reply>.json */
    qemuDomainJobStatus status;
    virDomainJobOperation operation;
    unsigned long long timeElapsed;
    bool timeDeltaSet;
    long long timeDelta;
    const char *errmsg;
};

static const testJobCase testJobCases[] = {
    { "completed-out", "completed", QEMU_DOMAIN_JOB_STATUS_COMPLETED,
      VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT, 11030, true, 5, NULL },
    { "completed-small-delta", "completed", QEMU_DOMAIN_JOB_STATUS_COMPLETED,
      VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT, 11030, true, 1, NULL },
    { "completed-negative-delta", "completed",
      QEMU_DOMAIN_JOB_STATUS_COMPLETED,
      VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT, 11030, true, -3, NULL },
    { "completed-in", "completed", QEMU_DOMAIN_JOB_STATUS_COMPLETED,
      VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN, 11024, false, 0, NULL },
    { "active", "active", QEMU_DOMAIN_JOB_STATUS_MIGRATING,
      VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT, 1502, false, 0, NULL },
    { "postcopy", "postcopy-active", QEMU_DOMAIN_JOB_STATUS_POSTCOPY,
      VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT, 1604, false, 0, NULL },
    { "everything", "everything", QEMU_DOMAIN_JOB_STATUS_POSTCOPY_PAUSED,
      VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT, 50231, false, 0, NULL },
    { "failed-qemu", "failed", QEMU_DOMAIN_JOB_STATUS_FAILED,
      VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT, 20, false, 0, NULL },
    { "failed-errmsg", "failed", QEMU_DOMAIN_JOB_STATUS_FAILED,
      VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT, 20, false, 0,
      "operation failed: job 'migration out' unexpectedly failed" },
    { "canceled", "none", QEMU_DOMAIN_JOB_STATUS_CANCELED,
      VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT, 7, false, 0,
      "operation aborted: migration out job: canceled by client" },
    { "none", "none", QEMU_DOMAIN_JOB_STATUS_NONE,
      VIR_DOMAIN_JOB_OPERATION_UNKNOWN, 0, false, 0, NULL },
};


/* Job data whose statistics come from a query-migrate reply file. */
static qemuDomainJobData *
testLoadJobData(const char *reply)
{
    g_autofree char *path = g_strdup_printf(DATADIR "query-migrate-%s.json",
                                            reply);
    g_autofree char *text = virTestLoadFile(path);
    g_autoptr(json_object) obj = json_tokener_parse(text);
    g_autoptr(qemuDomainJobData) data = qemuDomainJobDataNew();
    json_object *ret;

    if (!obj || !json_object_object_get_ex(obj, "return", &ret))
        g_error("%s is not a QMP reply", path);
    if (qemuMonitorJSONParseMigrationStats(ret, &data->stats) < 0)
        g_error("cannot parse %s: %s", path, virGetLastErrorMessage());
    return g_steal_pointer(&data);
}


static qemuDomainJobData *
testCaseJobData(const testJobCase *tc)
{
    qemuDomainJobData *data = testLoadJobData(tc->reply);

    data->status = tc->status;
    data->operation = tc->operation;
    data->timeElapsed = tc->timeElapsed;
    data->timeDeltaSet = tc->timeDeltaSet;
    data->timeDelta = tc->timeDelta;
    data->errmsg = g_strdup(tc->errmsg);
    return data;
}


/* The parameters of @data, one "name type value" line each. */
static char *
testRenderParams(const qemuDomainJobData *data)
{
    g_autoptr(virTypedParamList) params = virTypedParamListNew();
    GString *out = g_string_new(NULL);
    size_t i;

    g_assert_cmpint(qemuDomainJobDataToParams(data, params), ==, 0);
    for (i = 0; i < params->npar; i++)
        virTestFormatTypedParam(out, &params->par[i]);
    return g_string_free(out, FALSE);
}


static void
testJobParams(gconstpointer opaque)
{
    const testJobCase *tc = opaque;
    g_autoptr(qemuDomainJobData) data = testCaseJobData(tc);
    g_autofree char *actual = testRenderParams(data);
    g_autofree char *expected = g_strdup_printf(DATADIR "%s.params", tc->name);

    g_assert_true(virTestCompareToFile(actual, expected));
}


static void
testJobToType(void)
{
    static const struct {
        qemuDomainJobStatus status;
        const char *name;
        virDomainJobType type;
    } table[] = {
        { QEMU_DOMAIN_JOB_STATUS_NONE, "none", VIR_DOMAIN_JOB_NONE },
        { QEMU_DOMAIN_JOB_STATUS_ACTIVE, "active", VIR_DOMAIN_JOB_UNBOUNDED },
        { QEMU_DOMAIN_JOB_STATUS_MIGRATING, "migrating",
          VIR_DOMAIN_JOB_UNBOUNDED },
        { QEMU_DOMAIN_JOB_STATUS_POSTCOPY, "postcopy",
          VIR_DOMAIN_JOB_UNBOUNDED },
        { QEMU_DOMAIN_JOB_STATUS_POSTCOPY_PAUSED, "postcopy-paused",
          VIR_DOMAIN_JOB_UNBOUNDED },
        { QEMU_DOMAIN_JOB_STATUS_HYPERVISOR_COMPLETED, "hypervisor-completed",
          VIR_DOMAIN_JOB_UNBOUNDED },
        { QEMU_DOMAIN_JOB_STATUS_PAUSED, "paused", VIR_DOMAIN_JOB_UNBOUNDED },
        { QEMU_DOMAIN_JOB_STATUS_FAILED, "failed", VIR_DOMAIN_JOB_FAILED },
        { QEMU_DOMAIN_JOB_STATUS_CANCELED, "canceled",
          VIR_DOMAIN_JOB_CANCELLED },
        { QEMU_DOMAIN_JOB_STATUS_COMPLETED, "completed",
          VIR_DOMAIN_JOB_COMPLETED },
    };
    g_autoptr(qemuDomainJobData) data = qemuDomainJobDataNew();
    size_t i;

    G_STATIC_ASSERT(G_N_ELEMENTS(table) == QEMU_DOMAIN_JOB_STATUS_LAST);
    g_assert_cmpint(qemuDomainJobDataToType(NULL), ==, VIR_DOMAIN_JOB_NONE);
    for (i = 0; i < G_N_ELEMENTS(table); i++) {
        g_assert_cmpint(table[i].status, ==, i);
        data->status = table[i].status;
        g_assert_cmpint(qemuDomainJobDataToType(data), ==, table[i].type);
        g_assert_cmpstr(qemuDomainJobStatusTypeToString(table[i].status), ==,
                        table[i].name);
        g_assert_cmpint(qemuDomainJobStatusTypeFromString(table[i].name), ==,
                        table[i].status);
    }
    g_assert_null(qemuDomainJobStatusTypeToString(QEMU_DOMAIN_JOB_STATUS_LAST));
    g_assert_cmpint(qemuDomainJobStatusTypeFromString("cancelled"), <, 0);
}


static void
testJobCopy(void)
{
    g_autoptr(qemuDomainJobData) orig = testLoadJobData("everything");
    g_autoptr(qemuDomainJobData) copy = NULL;
    g_autofree char *origParams = NULL;
    g_autofree char *copyParams = NULL;
    size_t i;

    g_assert_null(qemuDomainJobDataCopy(NULL));
    orig->status = QEMU_DOMAIN_JOB_STATUS_FAILED;
    orig->operation = VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN;
    orig->started = 1700000000000ULL;
    orig->stopped = 1700000050231ULL;
    orig->timeDeltaSet = true;
    orig->timeDelta = 12;
    orig->errmsg = g_strdup("stream broken");
    orig->stats.errorDesc = g_strdup("Unable to write to socket");
    g_assert_cmpuint(orig->stats.npostcopyVcpuBlocktime, ==, 2);

    copy = qemuDomainJobDataCopy(orig);
    origParams = testRenderParams(orig);

    /* Deep: nothing shared. */
    g_assert_true(copy->errmsg != orig->errmsg);
    g_assert_true(copy->stats.errorDesc != orig->stats.errorDesc);
    g_assert_true(copy->stats.blockedReasons != orig->stats.blockedReasons);
    g_assert_true(copy->stats.postcopyVcpuBlocktime !=
                  orig->stats.postcopyVcpuBlocktime);
    g_clear_pointer(&orig, qemuDomainJobDataFree);

    g_assert_cmpint(copy->status, ==, QEMU_DOMAIN_JOB_STATUS_FAILED);
    g_assert_cmpuint(copy->started, ==, 1700000000000ULL);
    g_assert_cmpint(copy->timeDelta, ==, 12);
    g_assert_cmpstr(copy->errmsg, ==, "stream broken");
    g_assert_cmpstr(copy->stats.errorDesc, ==, "Unable to write to socket");
    g_assert_cmpuint(g_strv_length(copy->stats.blockedReasons), ==, 2);
    g_assert_cmpstr(copy->stats.blockedReasons[1], ==,
                    "'migrate-incoming' in progress");
    g_assert_cmpuint(copy->stats.npostcopyVcpuBlocktime, ==, 2);
    for (i = 0; i < 2; i++)
        g_assert_cmpuint(copy->stats.postcopyVcpuBlocktime[i], ==,
                         i == 0 ? 700 : 820);
    g_assert_true(copy->stats.xbzrleSet);
    g_assert_cmpuint(copy->stats.ram.total, ==, 4312399872ULL);

    copyParams = testRenderParams(copy);
    g_assert_cmpstr(copyParams, ==, origParams);
}


/* The value of ullong parameter @name in @data's parameters. */
static unsigned long long
testGetULLong(const qemuDomainJobData *data, const char *name)
{
    g_autoptr(virTypedParamList) params = virTypedParamListNew();
    unsigned long long value = 0;

    g_assert_cmpint(qemuDomainJobDataToParams(data, params), ==, 0);
    g_assert_cmpint(virTypedParamsGetULLong(params->par, params->npar, name,
                                            &value), ==, 1);
    return value;
}


static void
testJobElapsed(void)
{
    g_autoptr(qemuDomainJobData) data = testLoadJobData("active");
    unsigned long long now = g_get_real_time() / 1000;
    unsigned long long elapsed;

    /* A running job is measured now, whatever was stored. */
    data->status = QEMU_DOMAIN_JOB_STATUS_MIGRATING;
    data->started = now - 5000;
    data->timeElapsed = 1;
    elapsed = testGetULLong(data, "time_elapsed");
    g_assert_cmpuint(elapsed, >=, 5000);
    g_assert_cmpuint(elapsed, <, 5000 + 60000);

    /* A clock that went backwards gives 0, not a huge number. */
    data->started = now + 3600 * 1000;
    g_assert_cmpuint(testGetULLong(data, "time_elapsed"), ==, 0);

    /* A finished job keeps its recorded time... */
    data->status = QEMU_DOMAIN_JOB_STATUS_COMPLETED;
    data->started = 1000;
    data->stopped = 4000;
    data->timeElapsed = 2500;
    g_assert_cmpuint(testGetULLong(data, "time_elapsed"), ==, 2500);
    /* ...or, if none was recorded, the time until it stopped. */
    data->timeElapsed = 0;
    g_assert_cmpuint(testGetULLong(data, "time_elapsed"), ==, 3000);
}


static void
testJobBandwidth(void)
{
    static const double mbps[] = {
        0.9371350811938673, 1.189782178217822, 931.2, 8000.0, 0.000008,
    };
    unsigned long long bps;
    size_t i;

    /* libvirt: (unsigned long long)(mbps * (1000 * 1000 / 8)) */
    for (i = 0; i < G_N_ELEMENTS(mbps); i++)
        g_assert_cmpuint(qemuDomainJobDataMbpsToBps(mbps[i]), ==,
                         (unsigned long long)(mbps[i] * 125000));
    g_assert_cmpuint(qemuDomainJobDataMbpsToBps(0), ==, 0);
    g_assert_cmpuint(qemuDomainJobDataMbpsToBps(-1), ==, 0);
    g_assert_cmpuint(qemuDomainJobDataMbpsToBps(NAN), ==, 0);
    g_assert_cmpuint(qemuDomainJobDataMbpsToBps(1e300), ==, G_MAXUINT64);

    /* bytes/s -> Mbit/s -> bytes/s is exact (the migration cookie
     * carries bytes/s). */
    for (bps = 1; bps < 1000000000000000ULL; bps = bps * 3 + 7)
        g_assert_cmpuint(qemuDomainJobDataMbpsToBps(
                             qemuDomainJobDataBpsToMbps(bps)), ==, bps);
    for (bps = 117000000; bps < 117100000; bps++) {
        if (qemuDomainJobDataMbpsToBps(qemuDomainJobDataBpsToMbps(bps)) != bps)
            g_error("bandwidth %llu B/s does not survive a round trip", bps);
    }
}


int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);

    for (i = 0; i < G_N_ELEMENTS(testJobCases); i++) {
        g_autofree char *name = g_strdup_printf("/jobdata/params/%s",
                                                testJobCases[i].name);

        g_test_add_data_func(name, &testJobCases[i], testJobParams);
    }
    g_test_add_func("/jobdata/to-type", testJobToType);
    g_test_add_func("/jobdata/copy", testJobCopy);
    g_test_add_func("/jobdata/elapsed", testJobElapsed);
    g_test_add_func("/jobdata/bandwidth", testJobBandwidth);
    return g_test_run();
}
