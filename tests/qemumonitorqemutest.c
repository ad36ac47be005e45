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
#include <gio/gio.h>

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
    qemuMonitorJobStatus mirrorStatus;  /* last JOB_STATUS_CHANGE of "mirror0" */
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


static void
testJobStatus(qemuMonitor *mon G_GNUC_UNUSED, const char *jobId,
              qemuMonitorJobStatus status, void *opaque)
{
    testState *state = opaque;

    if (!g_str_equal(jobId, "mirror0"))
        return;
    g_mutex_lock(&state->lock);
    state->mirrorStatus = status;
    g_cond_broadcast(&state->cond);
    g_mutex_unlock(&state->lock);
}


static const qemuMonitorCallbacks testCallbacks = {
    .eofNotify = testEOF,
    .errorNotify = testEOF,
    .domainShutdown = testShutdown,
    .domainJobStatusChange = testJobStatus,
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


/* blockdev-add of a raw image @path as node @name. */
static void
testAddRawNode(qemuMonitor *mon, const char *name, const char *path)
{
    json_object *file = json_object_new_object();
    json_object *args = json_object_new_object();

    json_object_object_add(file, "driver", json_object_new_string("file"));
    json_object_object_add(file, "filename", json_object_new_string(path));
    json_object_object_add(args, "driver", json_object_new_string("raw"));
    json_object_object_add(args, "node-name", json_object_new_string(name));
    json_object_object_add(args, "file", file);
    if (qemuMonitorJSONSimpleCommand(mon, "blockdev-add", args) < 0)
        g_error("blockdev-add %s: %s", path, virGetLastErrorMessage());
}


static bool
testWaitMirror(testState *state, qemuMonitorJobStatus want)
{
    gint64 deadline = g_get_monotonic_time() +
                      TEST_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    bool reached;

    g_mutex_lock(&state->lock);
    while (state->mirrorStatus != want &&
           g_cond_wait_until(&state->cond, &state->lock, deadline))
        ;
    reached = state->mirrorStatus == want;
    g_mutex_unlock(&state->lock);
    return reached;
}


static unsigned int
testFreePort(void)
{
    g_autoptr(GSocketListener) listener = g_socket_listener_new();
    guint16 port = g_socket_listener_add_any_inet_port(listener, NULL, NULL);

    g_assert_cmpuint(port, >, 0);
    g_socket_listener_close(listener);
    return port;
}


/* Storage migration's tools between two QEMUs: image "src" of @mon is
 * mirrored into image "dst" of @dstMon through @dstMon's NBD server, as
 * a source mirrors into a destination's export (one QEMU cannot be its
 * own NBD client: the connection would wait for its own main loop);
 * the mirror reaches "ready", block-job-cancel completes it, and "dst"
 * then holds "src"'s data. */
static void
testNBDMirror(qemuMonitor *mon, testState *state, qemuMonitor *dstMon)
{
    g_autofree char *srcPath = g_build_filename(tmpDir, "src.img", NULL);
    g_autofree char *dstPath = g_build_filename(tmpDir, "dst.img", NULL);
    g_autofree char *data = g_malloc(1024 * 1024);
    g_autofree char *copy = NULL;
    g_autoptr(GPtrArray) jobs = NULL;
    unsigned int port = testFreePort();
    const qemuMonitorJobInfo *job;
    gsize len = 0;
    size_t i;

    for (i = 0; i < 1024 * 1024; i++)
        data[i] = (char)(i * 7 + i / 4096);
    g_assert_true(g_file_set_contents(srcPath, data, 1024 * 1024, NULL));
    g_assert_true(g_file_set_contents(dstPath, "", 0, NULL));
    g_assert_cmpint(truncate(dstPath, 1024 * 1024), ==, 0);
    testAddRawNode(mon, "src", srcPath);
    testAddRawNode(dstMon, "dst", dstPath);

    g_assert_cmpint(qemuMonitorJSONNBDServerStart(dstMon, "127.0.0.1", port, NULL), ==, 0);
    g_assert_cmpint(qemuMonitorJSONBlockExportAddNBD(dstMon, "dst", "drive-test", true), ==, 0);
    g_assert_cmpint(qemuMonitorJSONBlockdevAddNBD(mon, "mig-nbd", "127.0.0.1", port,
                                                  "drive-test", NULL), ==, 0);
    g_assert_cmpint(qemuMonitorJSONBlockdevMirror(mon, "mirror0", "src", "mig-nbd",
                                                  false, false, 64 << 20), ==, 0);
    g_assert_true(testWaitMirror(state, QEMU_MONITOR_JOB_STATUS_READY));
    g_assert_nonnull((jobs = qemuMonitorJSONGetJobs(mon)));
    g_assert_cmpuint(jobs->len, ==, 1);
    job = jobs->pdata[0];
    g_assert_cmpstr(job->id, ==, "mirror0");
    g_assert_cmpstr(job->type, ==, "mirror");
    g_assert_cmpint(job->status, ==, QEMU_MONITOR_JOB_STATUS_READY);
    g_assert_cmpuint(job->progressTotal, ==, 1024 * 1024);
    g_assert_cmpuint(job->progressCurrent, ==, job->progressTotal);
    g_assert_null(job->error);

    /* not migrating: there is nothing to continue */
    g_assert_cmpint(qemuMonitorJSONMigrateContinue(mon, QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER),
                    ==, -1);
    virResetLastError();

    g_assert_cmpint(qemuMonitorJSONBlockJobCancel(mon, "mirror0", false), ==, 0);
    g_assert_true(testWaitMirror(state, QEMU_MONITOR_JOB_STATUS_CONCLUDED));
    g_assert_cmpint(qemuMonitorJSONJobDismiss(mon, "mirror0"), ==, 0);
    g_assert_cmpint(qemuMonitorJSONBlockdevDel(mon, "mig-nbd"), ==, 0);
    g_assert_cmpint(qemuMonitorJSONNBDServerStop(dstMon), ==, 0);
    g_ptr_array_unref(g_steal_pointer(&jobs));
    g_assert_nonnull((jobs = qemuMonitorJSONGetJobs(mon)));
    g_assert_cmpuint(jobs->len, ==, 0);

    g_assert_true(g_file_get_contents(dstPath, &copy, &len, NULL));
    g_assert_cmpuint(len, ==, 1024 * 1024);
    g_assert_true(memcmp(copy, data, len) == 0);
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


/* A QEMU with its monitor; @state gets its events. */
typedef struct {
    char *sock;
    GPid pid;
    qemuMonitor *mon;
    testState state;
} testQEMU;


static void
testQEMUStart(testQEMU *q, const char *name, GMainContext *ctx)
{
    q->sock = g_build_filename(tmpDir, name, NULL);
    g_mutex_init(&q->state.lock);
    g_cond_init(&q->state.cond);
    q->pid = testStartQEMU(q->sock);
    /* QEMU creates the socket a little later: Open retries. */
    q->mon = qemuMonitorOpen(q->sock, TEST_TIMEOUT_MS, ctx, &testCallbacks, &q->state);
    if (!q->mon)
        g_error("cannot open the monitor: %s", virGetLastErrorMessage());
}


/* "quit": QEMU says why it shuts down, closes the monitor, exits 0. */
static void
testQEMUQuit(testQEMU *q)
{
    g_assert_cmpint(qemuMonitorJSONQuit(q->mon), ==, 0);
    g_assert_true(testWaitEOF(&q->state));
    g_assert_true(q->state.shutdown);
    g_assert_cmpstr(q->state.shutdownReason, ==, "host-qmp-quit");
    qemuMonitorClose(q->mon);
    g_assert_cmpint(testReapQEMU(q->pid), ==, 0);
    g_spawn_close_pid(q->pid);
    g_free(q->state.shutdownReason);
    g_cond_clear(&q->state.cond);
    g_mutex_clear(&q->state.lock);
    unlink(q->sock);
    g_free(q->sock);
}


static void
testRealQEMU(void)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    g_autoptr(GMainLoop) loop = g_main_loop_new(ctx, FALSE);
    GThread *thread = g_thread_new("loop", testLoopThread, loop);
    testQEMU src = { 0 };
    testQEMU dst = { 0 };

    testQEMUStart(&src, "qmp.sock", ctx);
    testQEMUStart(&dst, "qmp-dst.sock", ctx);
    testQueries(src.mon);
    testSetMigration(src.mon);
    testNBDMirror(src.mon, &src.state, dst.mon);
    testQEMUQuit(&src);
    testQEMUQuit(&dst);

    g_main_context_invoke(ctx, testQuitLoop, loop);
    g_thread_join(thread);
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
