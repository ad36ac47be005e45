/*
 * qemumonitorqemutest.c: the monitor against a real QEMU
 *
 * Starts qemu-system-x86_64 -machine none -S with a QMP socket, drives
 * it with qemuMonitor from the test thread while another thread runs
 * the event loop, and checks that the replies parse.  Exits 77 (skip)
 * if qemu-system-x86_64 is not installed.  QEMU gets SIGKILL if the
 * test dies (PR_SET_PDEATHSIG), so it never outlives the test.
 */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutils.h"
#include "qemu_monitor_json.h"
#include "virerror.h"

#define TEST_TIMEOUT_MS 20000

typedef struct {
    GMutex lock;
    GCond cond;
    bool eof;
    bool shutdown;
    char *shutdownReason;
} testState;

static char *qemuBinary;
static char *tmpDir;


static void
testEOF(qemuMonitor *mon G_GNUC_UNUSED, void *opaque)
{
    testState *state = opaque;

    g_mutex_lock(&state->lock);
    state->eof = true;
    g_cond_broadcast(&state->cond);
    g_mutex_unlock(&state->lock);
}


static void
testShutdown(qemuMonitor *mon G_GNUC_UNUSED,
             const qemuMonitorShutdownInfo *info, void *opaque)
{
    testState *state = opaque;

    g_mutex_lock(&state->lock);
    state->shutdown = info->hasGuest && !info->guest;
    state->shutdownReason = g_strdup(info->reason);
    g_mutex_unlock(&state->lock);
}


static const qemuMonitorCallbacks testCallbacks = {
    .eofNotify = testEOF,
    .errorNotify = testEOF,
    .domainShutdown = testShutdown,
};


static void
testChildSetup(gpointer data G_GNUC_UNUSED)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}


static GPid
testStartQEMU(const char *sock)
{
    g_autofree char *qmp = g_strdup_printf("unix:%s,server=on,wait=off", sock);
    const char *argv[] = {
        qemuBinary, "-machine", "none", "-nodefaults", "-display", "none",
        "-qmp", qmp, "-S", NULL,
    };
    g_autoptr(GError) err = NULL;
    GPid pid = 0;

    if (!g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                       testChildSetup, NULL, &pid, &err))
        g_error("cannot start %s: %s", qemuBinary, err->message);
    return pid;
}


/* Waits (with a deadline) for QEMU to exit; kills it if it does not. */
static int
testReapQEMU(GPid pid)
{
    gint64 deadline = g_get_monotonic_time() +
                      TEST_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    int status = 0;

    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (g_get_monotonic_time() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        g_usleep(10 * 1000);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}


static gpointer
testLoopThread(gpointer opaque)
{
    g_main_loop_run(opaque);
    return NULL;
}


/* Quits from inside the loop, so that it cannot be lost. */
static gboolean
testQuitLoop(gpointer opaque)
{
    g_main_loop_quit(opaque);
    return G_SOURCE_REMOVE;
}


static void
testQueries(qemuMonitor *mon)
{
    g_auto(qemuMonitorMigrationStats) stats = { 0 };
    qemuMonitorVMStatus status = QEMU_MONITOR_VM_STATUS_UNKNOWN;
    unsigned long long supported = 0;
    unsigned long long enabled = 0;
    unsigned int major, minor, micro;
    qemuMonitorCPUInfo *cpus = NULL;
    size_t ncpus = 1;
    bool running = true;

    qemuMonitorGetVersion(mon, &major, &minor, &micro);
    g_assert_cmpuint(major, >=, 7);
    g_assert_cmpint(qemuMonitorJSONGetStatus(mon, &running, &status), ==, 0);
    g_assert_false(running);
    g_assert_cmpint(status, ==, QEMU_MONITOR_VM_STATUS_PRELAUNCH);

    g_assert_cmpint(qemuMonitorJSONGetMigrationStats(mon, &stats), ==, 0);
    g_assert_cmpint(stats.status, ==, QEMU_MONITOR_MIGRATION_STATUS_NONE);
    g_assert_false(stats.ramSet);

    g_assert_cmpint(qemuMonitorJSONGetMigrationCapabilities(mon, &supported,
                                                            &enabled), ==, 0);
    g_assert_true(supported &
                  QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_RAM));
    g_assert_cmpuint(enabled, ==, 0);

    g_assert_cmpint(qemuMonitorJSONGetCPUInfoFast(mon, &cpus, &ncpus), ==, 0);
    g_assert_cmpuint(ncpus, ==, 0);
    qemuMonitorCPUInfoFree(cpus, ncpus);
}


static void
testSetMigration(qemuMonitor *mon)
{
    g_autoptr(qemuMonitorMigrationParams) params = qemuMonitorMigrationParamsNew();
    g_autoptr(qemuMonitorMigrationParams) current = NULL;
    unsigned long long events = QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_EVENTS);
    unsigned long long supported = 0;
    unsigned long long enabled = 0;
    unsigned long long value = 0;

    g_assert_cmpint(qemuMonitorJSONSetMigrationCapabilities(mon, events, events), ==, 0);
    g_assert_cmpint(qemuMonitorJSONGetMigrationCapabilities(mon, &supported,
                                                            &enabled), ==, 0);
    g_assert_cmpuint(enabled, ==, events);

    g_assert_cmpint(qemuMonitorMigrationParamsSetULL(params,
                        QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH, 1000000), ==, 0);
    g_assert_cmpint(qemuMonitorMigrationParamsSetULL(params,
                        QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT, 500), ==, 0);
    g_assert_cmpint(qemuMonitorMigrationParamsSetULL(params,
                        QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_CHANNELS, 4), ==, 0);
    g_assert_cmpint(qemuMonitorMigrationParamsSetString(params,
                        QEMU_MONITOR_MIGRATION_PARAM_TLS_CREDS, ""), ==, 0);
    g_assert_cmpint(qemuMonitorJSONSetMigrationParams(mon, params), ==, 0);
    g_assert_cmpint(qemuMonitorJSONGetMigrationParams(mon, &current), ==, 0);
    g_assert_true(qemuMonitorMigrationParamsGetULL(current,
                      QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH, &value));
    g_assert_cmpuint(value, ==, 1000000);
    g_assert_true(qemuMonitorMigrationParamsGetULL(current,
                      QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT, &value));
    g_assert_cmpuint(value, ==, 500);
    g_assert_true(qemuMonitorMigrationParamsGetULL(current,
                      QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_CHANNELS, &value));
    g_assert_cmpuint(value, ==, 4);

    /* A real QMP error comes back as a libvirt error. */
    g_assert_cmpint(qemuMonitorJSONMigrateStartPostCopy(mon), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_true(g_str_has_prefix(virGetLastErrorMessage(),
                                   "internal error: unable to execute QEMU "
                                   "command 'migrate-start-postcopy': "));
    virResetLastError();
}


static bool
testWaitEOF(testState *state)
{
    gint64 deadline = g_get_monotonic_time() +
                      TEST_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    bool eof;

    g_mutex_lock(&state->lock);
    while (!state->eof &&
           g_cond_wait_until(&state->cond, &state->lock, deadline))
        ;
    eof = state->eof;
    g_mutex_unlock(&state->lock);
    return eof;
}


static void
testRealQEMU(void)
{
    g_autofree char *sock = g_build_filename(tmpDir, "qmp.sock", NULL);
    g_autoptr(GMainContext) ctx = g_main_context_new();
    g_autoptr(GMainLoop) loop = g_main_loop_new(ctx, FALSE);
    GThread *thread = g_thread_new("loop", testLoopThread, loop);
    testState state = { 0 };
    qemuMonitor *mon;
    GPid pid;

    g_mutex_init(&state.lock);
    g_cond_init(&state.cond);
    pid = testStartQEMU(sock);
    /* QEMU creates the socket a little later: Open retries. */
    mon = qemuMonitorOpen(sock, TEST_TIMEOUT_MS, ctx, &testCallbacks, &state);
    if (!mon)
        g_error("cannot open the monitor: %s", virGetLastErrorMessage());

    testQueries(mon);
    testSetMigration(mon);
    g_assert_cmpint(qemuMonitorJSONQuit(mon), ==, 0);
    g_assert_true(testWaitEOF(&state));
    g_assert_true(state.shutdown);
    g_assert_cmpstr(state.shutdownReason, ==, "host-qmp-quit");
    qemuMonitorClose(mon);
    g_assert_cmpint(testReapQEMU(pid), ==, 0);
    g_spawn_close_pid(pid);

    g_main_context_invoke(ctx, testQuitLoop, loop);
    g_thread_join(thread);
    g_free(state.shutdownReason);
    g_cond_clear(&state.cond);
    g_mutex_clear(&state.lock);
    unlink(sock);
}


int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (!(qemuBinary = g_find_program_in_path("qemu-system-x86_64"))) {
        g_printerr("qemu-system-x86_64 not found: skipping\n");
        return 77;
    }
    tmpDir = g_dir_make_tmp("qemumonitorqemutest-XXXXXX", NULL);
    g_assert_nonnull(tmpDir);

    g_test_add_func("/monitor/real-qemu", testRealQEMU);
    ret = g_test_run();

    rmdir(tmpDir);
    g_free(tmpDir);
    g_free(qemuBinary);
    return ret;
}
