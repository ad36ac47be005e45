/*
 * qemumonitortest.c: the QMP monitor against a scripted fake QEMU
 *
 * Session tests replay qemumonitordata/session-*.json with the fake
 * peer of qemumonitortestutils.c; commands are sent from the test
 * thread (or extra worker threads) while another thread runs the event
 * loop, as in the daemon.  Parser tests read real QEMU 7.2 replies from
 * qemumonitordata/ and compare a dump with the matching .out file.
 */
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "testutils.h"
#include "qemumonitortestutils.h"
#include "qemu_monitor_json.h"
#include "qemu_monitor_priv.h"
#include "virerror.h"

#define DATADIR "qemumonitordata/"

#define CAP(name) \
    QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_ ## name)

static void
testAssertError(int code, const char *message)
{
    g_assert_cmpint(virGetLastErrorCode(), ==, code);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, message);
    virResetLastError();
}


static void
testAssertLog(qemuMonitorTest *test, const char *relpath)
{
    g_autofree char *log = qemuMonitorTestGetLog(test);

    g_assert_true(virTestCompareToFile(log, relpath));
}


static json_object *
testLoadJSON(const char *relpath)
{
    g_autofree char *text = virTestLoadFile(relpath);
    json_object *obj = json_tokener_parse(text);

    if (!obj)
        g_error("%s is not valid JSON", relpath);
    return obj;
}


/* ---- tables and enums ---- */

static void
testEventTableSorted(void)
{
    size_t n = qemuMonitorEventHandlerCount();
    size_t i;

    g_assert_cmpuint(n, >, 1);
    for (i = 1; i < n; i++)
        g_assert_cmpint(strcmp(qemuMonitorEventHandlerName(i - 1),
                               qemuMonitorEventHandlerName(i)), <, 0);
    g_assert_null(qemuMonitorEventHandlerName(n));
}


static void
testMigrationStatusEnum(void)
{
    int i;

    /* QEMU 7.2's MigrationStatus has 14 values; ours adds "unknown". */
    G_STATIC_ASSERT(QEMU_MONITOR_MIGRATION_STATUS_LAST == 15);
    for (i = 0; i < QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN; i++)
        g_assert_cmpint(qemuMonitorMigrationStatusParse(
                            qemuMonitorMigrationStatusTypeToString(i)), ==, i);
    g_assert_cmpint(qemuMonitorMigrationStatusParse("postcopy-device"), ==,
                    QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN);
    g_assert_cmpint(qemuMonitorMigrationStatusParse(NULL), ==,
                    QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN);
    G_STATIC_ASSERT(QEMU_MONITOR_VM_STATUS_LAST == 17);
    G_STATIC_ASSERT(QEMU_MONITOR_MIGRATION_CAP_LAST == 21);
    G_STATIC_ASSERT(QEMU_MONITOR_MIGRATION_PARAM_LAST == 26);
}


/* Events fed straight to the dispatcher, malformed ones included. */
static void
testEventDecode(void)
{
    g_autoptr(qemuMonitorTest) rec = qemuMonitorTestNewRecorder();
    g_autoptr(json_object) events = testLoadJSON(DATADIR "events.json");
    size_t i;

    for (i = 0; i < json_object_array_length(events); i++)
        qemuMonitorEventDispatch(NULL, qemuMonitorTestGetCallbacks(), rec,
                                 json_object_array_get_idx(events, i));
    testAssertLog(rec, DATADIR "events.log");
}


static void
testRecordAnyEvent(qemuMonitor *mon G_GNUC_UNUSED, const char *event,
                   long long seconds, unsigned int micros, json_object *data,
                   void *opaque)
{
    g_string_append_printf(opaque, "%s time=%lld.%06u data=%s\n", event, seconds,
                           micros,
                           data ? json_object_to_json_string_ext(data,
                                      JSON_C_TO_STRING_PLAIN |
                                      JSON_C_TO_STRING_NOSLASHESCAPE) : "(none)");
}


/* Every named event reaches anyEvent (libvirt-qemu's monitor events),
 * those with a callback of their own too. */
static void
testEventAny(void)
{
    static const qemuMonitorCallbacks cb = { .anyEvent = testRecordAnyEvent };
    g_autoptr(GString) log = g_string_new(NULL);
    g_autoptr(json_object) events = testLoadJSON(DATADIR "events.json");
    size_t i;

    for (i = 0; i < json_object_array_length(events); i++)
        qemuMonitorEventDispatch(NULL, &cb, log, json_object_array_get_idx(events, i));
    g_assert_true(virTestCompareToFile(log->str, DATADIR "events-any.log"));
}


/* ---- sessions ---- */

static void
testSessionBasic(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-basic.json");
    qemuMonitor *mon = qemuMonitorTestGetMonitor(test);
    qemuMonitorVMStatus status = QEMU_MONITOR_VM_STATUS_UNKNOWN;
    unsigned int major, minor, micro;
    bool running = false;

    qemuMonitorGetVersion(mon, &major, &minor, &micro);
    g_assert_cmpuint(major, ==, 7);
    g_assert_cmpuint(minor, ==, 2);
    g_assert_cmpuint(micro, ==, 22);
    g_assert_cmpstr(qemuMonitorGetPackage(mon), ==,
                    "Debian 1:7.2+dfsg-7+deb12u18+b3");

    g_assert_cmpint(qemuMonitorJSONGetStatus(mon, &running, &status), ==, 0);
    g_assert_true(running);
    g_assert_cmpint(status, ==, QEMU_MONITOR_VM_STATUS_RUNNING);
    g_assert_cmpint(qemuMonitorJSONGetStatus(mon, &running, &status), ==, 0);
    g_assert_false(running);
    g_assert_cmpint(status, ==, QEMU_MONITOR_VM_STATUS_PRELAUNCH);
    g_assert_true(qemuMonitorTestComplete(test));
    testAssertLog(test, DATADIR "session-basic.log");
}


/* Events around a reply: those before it are dispatched before the
 * command returns; all are dispatched in order. */
static void
testSessionEvents(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-events.json");
    qemuMonitor *mon = qemuMonitorTestGetMonitor(test);
    g_autofree char *early = NULL;
    bool running = true;

    g_assert_cmpint(qemuMonitorJSONGetStatus(mon, &running, NULL), ==, 0);
    g_assert_false(running);
    /* The peer sends the later events only after "checked". */
    early = qemuMonitorTestGetLog(test);
    g_assert_cmpstr(early, ==, "STOP\nMIGRATION_PASS pass=1\n");
    qemuMonitorTestPost(test, "checked");

    g_assert_true(qemuMonitorTestWaitLog(test, 7));
    g_assert_cmpint(qemuMonitorJSONStartCPUs(mon), ==, 0);
    g_assert_true(qemuMonitorTestComplete(test));
    testAssertLog(test, DATADIR "session-events.log");
}


/* A reply that comes too late is dropped, not given to the next
 * command. */
static void
testSessionTimeout(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-timeout.json");
    qemuMonitor *mon = qemuMonitorTestGetMonitor(test);
    gint64 start = g_get_monotonic_time();
    bool running = false;

    qemuMonitorSetCommandTimeout(mon, 200);
    g_assert_cmpint(qemuMonitorJSONGetStatus(mon, &running, NULL), ==, -1);
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 200 * 1000);
    testAssertError(VIR_ERR_OPERATION_TIMEOUT,
                    "Timed out during operation: QEMU monitor did not reply "
                    "to command 'query-status' within 200 ms");

    qemuMonitorTestPost(test, "timed-out");
    qemuMonitorSetCommandTimeout(mon, QEMU_MONITOR_TEST_TIMEOUT_MS);
    g_assert_cmpint(qemuMonitorJSONGetStatus(mon, &running, NULL), ==, 0);
    g_assert_true(running);
    g_assert_true(qemuMonitorTestComplete(test));
    testAssertLog(test, DATADIR "session-timeout.log");
}


typedef struct {
    qemuMonitor *mon;      /* own reference */
    int rc;
    int code;
    char *message;
    bool running;
} testWorker;


static gpointer
testWorkerGetStatus(gpointer opaque)
{
    testWorker *worker = opaque;

    worker->rc = qemuMonitorJSONGetStatus(worker->mon, &worker->running, NULL);
    worker->code = virGetLastErrorCode();
    worker->message = g_strdup(virGetLastErrorMessage());
    qemuMonitorUnref(worker->mon);
    return NULL;
}


/* A queued command that times out never reaches QEMU. */
static void
testSessionQueuedTimeout(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-queued-timeout.json");
    qemuMonitor *mon = qemuMonitorTestGetMonitor(test);
    testWorker worker = { .mon = qemuMonitorRef(mon) };
    GThread *thread = g_thread_new("worker", testWorkerGetStatus, &worker);

    g_assert_true(qemuMonitorTestWaitPost(test, "status-sent"));
    qemuMonitorSetCommandTimeout(mon, 100);
    g_assert_cmpint(qemuMonitorJSONStopCPUs(mon), ==, -1);
    testAssertError(VIR_ERR_OPERATION_TIMEOUT,
                    "Timed out during operation: QEMU monitor did not reply "
                    "to command 'stop' within 100 ms");
    qemuMonitorSetCommandTimeout(mon, QEMU_MONITOR_TEST_TIMEOUT_MS);
    qemuMonitorTestPost(test, "stop-timed-out");
    g_thread_join(thread);
    g_assert_cmpint(worker.rc, ==, 0);
    g_assert_true(worker.running);
    g_free(worker.message);

    g_assert_cmpint(qemuMonitorJSONStartCPUs(mon), ==, 0);
    g_assert_true(qemuMonitorTestComplete(test));
}


/* Closing the monitor fails the command a worker waits for. */
static void
testSessionCloseWhileWaiting(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-close.json");
    testWorker worker = { .mon = qemuMonitorRef(qemuMonitorTestGetMonitor(test)) };
    GThread *thread = g_thread_new("worker", testWorkerGetStatus, &worker);

    g_assert_true(qemuMonitorTestWaitPost(test, "status-sent"));
    qemuMonitorTestCloseMonitor(test);
    g_thread_join(thread);
    g_assert_cmpint(worker.rc, ==, -1);
    g_assert_cmpint(worker.code, ==, VIR_ERR_OPERATION_FAILED);
    g_assert_cmpstr(worker.message, ==, "operation failed: QEMU monitor was closed");
    g_free(worker.message);
    g_assert_true(qemuMonitorTestComplete(test));
    /* A close by the owner is not an EOF: no notification. */
    testAssertLog(test, DATADIR "session-close.log");
}


/* QEMU dies in the middle of a reply. */
static void
testSessionEOF(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-eof.json");
    qemuMonitor *mon = qemuMonitorTestGetMonitor(test);
    bool running;

    g_assert_cmpint(qemuMonitorJSONGetStatus(mon, &running, NULL), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR,
                    "internal error: End of file from qemu monitor");
    g_assert_true(qemuMonitorTestWaitLog(test, 1));
    g_assert_true(qemuMonitorIsEOF(mon));

    /* Later commands fail at once with the same error. */
    g_assert_cmpint(qemuMonitorJSONStopCPUs(mon), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR,
                    "internal error: End of file from qemu monitor");
    g_assert_true(qemuMonitorTestComplete(test));
    testAssertLog(test, DATADIR "session-eof.log");
}


static void
testSessionQMPError(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-qmp-error.json");
    qemuMonitor *mon = qemuMonitorTestGetMonitor(test);

    g_assert_cmpint(qemuMonitorJSONMigrateRecover(mon, "tcp:127.0.0.1:1"), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR,
                    "internal error: unable to execute QEMU command "
                    "'migrate-recover': Migrate recover can only be run when "
                    "postcopy is paused.");
    g_assert_cmpint(qemuMonitorJSONSimpleCommand(mon, "no-such-command", NULL),
                    ==, -1);
    testAssertError(VIR_ERR_OPERATION_UNSUPPORTED,
                    "Operation not supported: unable to execute QEMU command "
                    "'no-such-command': The command no-such-command has not "
                    "been found");
    g_assert_cmpint(qemuMonitorJSONSystemReset(mon), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR,
                    "internal error: unable to execute QEMU command "
                    "'system_reset': unknown QEMU command error");
    /* The monitor is still fine. */
    g_assert_cmpint(qemuMonitorJSONStartCPUs(mon), ==, 0);
    g_assert_true(qemuMonitorTestComplete(test));
}


/* libvirt-qemu's pass-through: QEMU's reply as it came (errors too),
 * HMP output and errors as libvirt reports them. */
static void
testSessionPassthrough(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-passthrough.json");
    qemuMonitor *mon = qemuMonitorTestGetMonitor(test);
    g_autofree char *status = NULL;
    g_autofree char *error = NULL;
    g_autofree char *hmp = NULL;
    char *none = NULL;

    g_assert_cmpint(qemuMonitorJSONArbitraryCommand(mon, "{\"execute\":", &none), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_true(g_str_has_prefix(virGetLastErrorMessage(),
                                   "internal error: cannot parse json {\"execute\":: "));
    virResetLastError();
    g_assert_cmpint(qemuMonitorJSONArbitraryCommand(mon, "{} x", &none), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR,
                    "internal error: cannot parse json {} x: trailing garbage");
    g_assert_cmpint(qemuMonitorJSONArbitraryCommand(mon, "{\"execute\": \"query-status\"} \n",
                                                    &status), ==, 0);
    g_assert_true(g_str_has_prefix(status, "{\"return\":{\"status\":\"running\","
                                           "\"singlestep\":false,\"running\":true},"
                                           "\"id\":\""));
    g_assert_cmpint(qemuMonitorJSONArbitraryCommand(mon, "{\"execute\":\"no-such-command\"}",
                                                    &error), ==, 0);
    g_assert_true(g_str_has_prefix(error, "{\"error\":{\"class\":\"CommandNotFound\","));

    g_assert_cmpint(qemuMonitorJSONHumanCommand(mon, "info status", &hmp), ==, 0);
    g_assert_cmpstr(hmp, ==, "VM status: running\r\n");
    g_assert_cmpint(qemuMonitorJSONHumanCommand(mon, "no-such", &none), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR,
                    "internal error: unable to execute QEMU command "
                    "'human-monitor-command': unknown command: 'no-such'");
    g_assert_cmpint(qemuMonitorJSONHumanCommand(mon, "info old", &none), ==, -1);
    testAssertError(VIR_ERR_OPERATION_UNSUPPORTED,
                    "Operation not supported: Human monitor command is not "
                    "available to run info old");
    g_assert_cmpint(qemuMonitorJSONHumanCommand(mon, "info odd", &none), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR,
                    "internal error: human monitor command was missing return data");
    g_assert_null(none);
    g_assert_true(qemuMonitorTestComplete(test));
}


static void
testSessionOversized(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-oversized.json");
    g_auto(qemuMonitorMigrationStats) stats = { 0 };
    g_autofree char *expected = NULL;

    g_assert_cmpint(qemuMonitorJSONGetMigrationStats(qemuMonitorTestGetMonitor(test),
                                                     &stats), ==, -1);
    expected = g_strdup_printf("No complete monitor response found in %d bytes: %s",
                               QEMU_MONITOR_MAX_MESSAGE, g_strerror(ERANGE));
    testAssertError(VIR_ERR_SYSTEM_ERROR, expected);
    g_assert_true(qemuMonitorTestWaitLog(test, 1));
    g_assert_false(qemuMonitorIsEOF(qemuMonitorTestGetMonitor(test)));
    g_assert_true(qemuMonitorTestComplete(test));
    testAssertLog(test, DATADIR "session-oversized.log");
}


/* A reply nobody asked for is a protocol error. */
static void
testSessionBadId(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-bad-id.json");
    bool running;

    g_assert_cmpint(qemuMonitorJSONGetStatus(qemuMonitorTestGetMonitor(test),
                                             &running, NULL), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR,
                    "internal error: Unexpected JSON reply '{\"return\":{},\"id\":\"bogus\"}'");
    g_assert_true(qemuMonitorTestWaitLog(test, 1));
    g_assert_true(qemuMonitorTestComplete(test));
    testAssertLog(test, DATADIR "session-bad-id.log");
}


static void
testSessionGarbage(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-garbage.json");
    bool running;

    g_assert_cmpint(qemuMonitorJSONGetStatus(qemuMonitorTestGetMonitor(test),
                                             &running, NULL), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_true(g_str_has_prefix(virGetLastErrorMessage(),
                                   "internal error: cannot parse json {\"return\": nonsense}: "));
    virResetLastError();
    g_assert_true(qemuMonitorTestWaitLog(test, 1));
    g_assert_true(qemuMonitorTestComplete(test));
    testAssertLog(test, DATADIR "session-garbage.log");
}


typedef struct {
    qemuMonitor *mon;
    int rc;
    int code;
} testLoopCall;


static gboolean
testSendFromLoop(gpointer opaque)
{
    testLoopCall *call = opaque;
    bool running;

    call->rc = qemuMonitorJSONGetStatus(call->mon, &running, NULL);
    call->code = virGetLastErrorCode();
    virResetLastError();
    return G_SOURCE_REMOVE;
}


/* The event-loop thread must not block on its own monitor. */
static void
testSessionSendFromLoop(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-idle.json");
    testLoopCall call = { .mon = qemuMonitorTestGetMonitor(test) };

    qemuMonitorTestRunInLoop(test, testSendFromLoop, &call);
    g_assert_cmpint(call.rc, ==, -1);
    g_assert_cmpint(call.code, ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_true(qemuMonitorTestComplete(test));
}


#define TEST_WORKERS 8

/* Many threads at once: each gets its own reply, one command on the
 * wire at a time (the peer checks that). */
static void
testSessionConcurrent(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-concurrent.json");
    testWorker workers[TEST_WORKERS] = { 0 };
    GThread *threads[TEST_WORKERS];
    size_t i;

    for (i = 0; i < TEST_WORKERS; i++) {
        workers[i].mon = qemuMonitorRef(qemuMonitorTestGetMonitor(test));
        threads[i] = g_thread_new("worker", testWorkerGetStatus, &workers[i]);
    }
    for (i = 0; i < TEST_WORKERS; i++) {
        g_thread_join(threads[i]);
        g_assert_cmpint(workers[i].rc, ==, 0);
        g_assert_true(workers[i].running);
        g_free(workers[i].message);
    }
    g_assert_true(qemuMonitorTestComplete(test));
}


/* ---- opening ---- */

static void
testOpenBadGreeting(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNewUnopened(DATADIR "open-bad-greeting.json");

    g_assert_cmpint(qemuMonitorTestOpenFD(test, QEMU_MONITOR_TEST_TIMEOUT_MS), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR,
                    "internal error: QEMU monitor did not send a QMP greeting");
    g_assert_true(qemuMonitorTestComplete(test));
}


static void
testOpenCapsError(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNewUnopened(DATADIR "open-caps-error.json");

    g_assert_cmpint(qemuMonitorTestOpenFD(test, QEMU_MONITOR_TEST_TIMEOUT_MS), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR,
                    "internal error: unable to execute QEMU command "
                    "'qmp_capabilities': Capabilities negotiation is already "
                    "complete, command ignored");
    g_assert_true(qemuMonitorTestComplete(test));
}


/* QEMU never greets: the deadline applies to the negotiation. */
static void
testOpenSilent(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNewUnopened(DATADIR "open-silent.json");

    g_assert_cmpint(qemuMonitorTestOpenFD(test, 100), ==, -1);
    testAssertError(VIR_ERR_OPERATION_TIMEOUT,
                    "Timed out during operation: QEMU monitor did not "
                    "complete the capabilities negotiation within 100 ms");
    qemuMonitorTestPost(test, "done");
    g_assert_true(qemuMonitorTestComplete(test));
}


static char *
testSocketPath(const char *name)
{
    g_autofree char *dir = g_dir_make_tmp("qemumonitortest-XXXXXX", NULL);

    g_assert_nonnull(dir);
    return g_build_filename(dir, name, NULL);
}


static void
testRemoveSocketDir(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);

    unlink(path);
    g_assert_cmpint(rmdir(dir), ==, 0);
}


static void
testOpenMissingSocket(void)
{
    g_autofree char *path = testSocketPath("missing.sock");
    g_autoptr(GMainContext) ctx = g_main_context_new();
    gint64 start = g_get_monotonic_time();
    g_autofree char *expected = NULL;

    g_assert_null(qemuMonitorOpen(path, 150, ctx, NULL, NULL));
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 150 * 1000);
    expected = g_strdup_printf("monitor socket did not show up: %s",
                               g_strerror(ENOENT));
    testAssertError(VIR_ERR_SYSTEM_ERROR, expected);
    testRemoveSocketDir(path);
}


/* Leaves a bound but dead socket at @path, like a QEMU that died. */
static void
testMakeStaleSocket(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    close(fd);
}


typedef struct {
    qemuMonitorTest *test;
    int rc;
} testOpener;


static gpointer
testOpenerThread(gpointer opaque)
{
    testOpener *opener = opaque;

    opener->rc = qemuMonitorTestOpenPath(opener->test,
                                         QEMU_MONITOR_TEST_TIMEOUT_MS);
    return NULL;
}


/* The socket is stale (connection refused) when the monitor starts
 * connecting and only later replaced by a listening one. */
static void
testOpenLateSocket(void)
{
    g_autofree char *path = testSocketPath("late.sock");
    g_autoptr(qemuMonitorTest) test = NULL;
    testOpener opener = { 0 };
    GThread *thread;
    bool running = false;

    testMakeStaleSocket(path);
    test = qemuMonitorTestNewListen(DATADIR "session-basic.json", path);
    opener.test = test;
    thread = g_thread_new("opener", testOpenerThread, &opener);
    qemuMonitorTestPost(test, "listen");
    g_thread_join(thread);
    g_assert_cmpint(opener.rc, ==, 0);

    g_assert_cmpint(qemuMonitorJSONGetStatus(qemuMonitorTestGetMonitor(test),
                                             &running, NULL), ==, 0);
    g_assert_true(running);
    g_assert_cmpint(qemuMonitorJSONGetStatus(qemuMonitorTestGetMonitor(test),
                                             &running, NULL), ==, 0);
    g_assert_true(qemuMonitorTestComplete(test));
    testRemoveSocketDir(path);
}


/* ---- the migration command set ---- */

static void
testSessionMigrationSource(qemuMonitor *mon)
{
    g_autoptr(qemuMonitorMigrationParams) params = qemuMonitorMigrationParamsNew();
    g_auto(qemuMonitorMigrationStats) stats = { 0 };
    unsigned long long caps = CAP(EVENTS) | CAP(POSTCOPY_RAM) | CAP(XBZRLE);
    unsigned long long enable = CAP(EVENTS) | CAP(POSTCOPY_RAM);

    g_assert_cmpint(qemuMonitorJSONSetMigrationCapabilities(mon, caps, enable), ==, 0);
    g_assert_cmpint(qemuMonitorMigrationParamsSetULL(params,
                        QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH, 150000), ==, 0);
    g_assert_cmpint(qemuMonitorMigrationParamsSetULL(params,
                        QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT, 300), ==, 0);
    g_assert_cmpint(qemuMonitorMigrationParamsSetBool(params,
                        QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_TAILSLOW, true), ==, 0);
    g_assert_cmpint(qemuMonitorMigrationParamsSetString(params,
                        QEMU_MONITOR_MIGRATION_PARAM_TLS_CREDS, ""), ==, 0);
    g_assert_cmpint(qemuMonitorJSONSetMigrationParams(mon, params), ==, 0);
    g_assert_cmpint(qemuMonitorJSONMigrate(mon, "tcp:127.0.0.1:49152", 0), ==, 0);
    g_assert_cmpint(qemuMonitorJSONGetMigrationStats(mon, &stats), ==, 0);
    g_assert_cmpint(stats.status, ==, QEMU_MONITOR_MIGRATION_STATUS_ACTIVE);
    g_assert_cmpuint(stats.ram.remaining, ==, 240607232);
    g_assert_cmpint(qemuMonitorJSONMigrateStartPostCopy(mon), ==, 0);
    g_assert_cmpint(qemuMonitorJSONMigratePause(mon), ==, 0);
    g_assert_cmpint(qemuMonitorJSONMigrate(mon, "tcp:127.0.0.1:49153",
                                           QEMU_MONITOR_MIGRATE_RESUME), ==, 0);
    g_assert_cmpint(qemuMonitorJSONMigrateCancel(mon), ==, 0);
    g_assert_cmpint(qemuMonitorJSONMigrate(mon, "tcp:127.0.0.1:49154",
                                           QEMU_MONITOR_MIGRATE_NON_SHARED_DISK |
                                           QEMU_MONITOR_MIGRATE_NON_SHARED_INC), ==, 0);
}


static void
testSessionMigrationQueries(qemuMonitor *mon)
{
    g_autoptr(qemuMonitorMigrationParams) params = NULL;
    unsigned long long supported = 0;
    unsigned long long enabled = 0;
    unsigned long long value = 0;
    qemuMonitorCPUInfo *cpus = NULL;
    size_t ncpus = 0;

    g_assert_cmpint(qemuMonitorJSONGetMigrationCapabilities(mon, &supported,
                                                            &enabled), ==, 0);
    g_assert_cmpuint(supported, ==, (1ULL << QEMU_MONITOR_MIGRATION_CAP_LAST) - 1);
    g_assert_cmpuint(enabled, ==, CAP(EVENTS) | CAP(POSTCOPY_RAM));
    g_assert_cmpint(qemuMonitorJSONGetMigrationParams(mon, &params), ==, 0);
    g_assert_true(qemuMonitorMigrationParamsGetULL(params,
                      QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH, &value));
    g_assert_cmpuint(value, ==, 134217728);
    g_assert_cmpint(qemuMonitorJSONGetCPUInfoFast(mon, &cpus, &ncpus), ==, 0);
    g_assert_cmpuint(ncpus, ==, 2);
    g_assert_cmpint(cpus[1].cpuIndex, ==, 1);
    g_assert_cmpint(cpus[1].threadId, ==, 120944);
    g_assert_cmpstr(cpus[1].qomPath, ==, "/machine/unattached/device[1]");
    qemuMonitorCPUInfoFree(cpus, ncpus);
}


static void
testSessionMigrationDest(qemuMonitor *mon)
{
    g_assert_cmpint(qemuMonitorJSONMigrateIncoming(mon, "tcp:127.0.0.1:49152"), ==, 0);
    g_assert_cmpint(qemuMonitorJSONMigrateRecover(mon, "tcp:127.0.0.1:49153"), ==, 0);
    g_assert_cmpint(qemuMonitorJSONSavePhysicalMemory(mon, 0, 4096, "/tmp/pmem"), ==, 0);
    g_assert_cmpint(qemuMonitorJSONSaveVirtualMemory(mon, 4096, 512, "/tmp/vmem"), ==, 0);
    g_assert_cmpint(qemuMonitorJSONStopCPUs(mon), ==, 0);
    g_assert_cmpint(qemuMonitorJSONSystemPowerdown(mon), ==, 0);
    g_assert_cmpint(qemuMonitorJSONSystemReset(mon), ==, 0);
    g_assert_cmpint(qemuMonitorJSONQuit(mon), ==, 0);
}


/* Every command with the exact arguments QEMU 7.2 takes (the peer
 * compares them). */
static void
testSessionMigration(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-migration.json");
    qemuMonitor *mon = qemuMonitorTestGetMonitor(test);

    testSessionMigrationSource(mon);
    testSessionMigrationQueries(mon);
    testSessionMigrationDest(mon);
    /* Wait for the EOF after quit: closing first would suppress it. */
    g_assert_true(qemuMonitorTestWaitLog(test, 8));
    g_assert_true(qemuMonitorTestComplete(test));
    testAssertLog(test, DATADIR "session-migration.log");
}


/* A display password and its expiry, as libvirt sets them: "never"
 * without a validity, the UNIX time with one, "now" once it passed (or
 * is now) and for an empty password; nothing more after QEMU refused. */
static void
testSessionPasswords(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-passwords.json");
    qemuMonitor *mon = qemuMonitorTestGetMonitor(test);
    long long now = 1700000000;

    g_assert_cmpint(qemuMonitorJSONSetGraphicsPassword(mon, "vnc", "s3cret", false,
                                                       0, now), ==, 0);
    g_assert_cmpint(qemuMonitorJSONSetGraphicsPassword(mon, "vnc", "s3cret", true,
                                                       1893456000, now), ==, 0);
    g_assert_cmpint(qemuMonitorJSONSetGraphicsPassword(mon, "vnc", "s3cret", true,
                                                       now - 1, now), ==, 0);
    g_assert_cmpint(qemuMonitorJSONSetGraphicsPassword(mon, "vnc", "s3cret", true,
                                                       now, now), ==, 0);
    g_assert_cmpint(qemuMonitorJSONSetGraphicsPassword(mon, "vnc", "", false,
                                                       0, now), ==, 0);
    g_assert_cmpint(qemuMonitorJSONSetGraphicsPassword(mon, "vnc", "x", false,
                                                       0, now), ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "internal error: unable to execute QEMU command 'set_password': Could not set password");
    g_assert_true(qemuMonitorTestComplete(test));
}


/* migrate-set-parameters with tls-creds @creds and tls-hostname @host. */
static void
testSetTLSParams(qemuMonitor *mon, const char *creds, const char *host)
{
    g_autoptr(qemuMonitorMigrationParams) params = qemuMonitorMigrationParamsNew();

    g_assert_cmpint(qemuMonitorMigrationParamsSetString(params,
                        QEMU_MONITOR_MIGRATION_PARAM_TLS_CREDS, creds), ==, 0);
    g_assert_cmpint(qemuMonitorMigrationParamsSetString(params,
                        QEMU_MONITOR_MIGRATION_PARAM_TLS_HOSTNAME, host), ==, 0);
    g_assert_cmpint(qemuMonitorJSONSetMigrationParams(mon, params), ==, 0);
}


/* The migration stream over TLS, as libvirt sets it up: a stale
 * object removed first (its absence is no error for us), the
 * destination's server object, tls-creds and tls-hostname, both reset
 * to "" and the object deleted at the end; the source's client object
 * (QEMU refuses one whose certificates are missing). */
static void
testSessionTLS(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-tls.json");
    qemuMonitor *mon = qemuMonitorTestGetMonitor(test);
    const char *id = "objlibvirt_migrate_tls0";

    virResetLastError();
    g_assert_cmpint(qemuMonitorJSONDelObject(mon, id, false), ==, -1);
    g_assert_null(virGetLastError());
    g_assert_cmpint(qemuMonitorJSONAddTLSCredsX509(mon, id, "/srv/dst/etc/pki/qemu",
                                                   true, true), ==, 0);
    testSetTLSParams(mon, id, "");
    testSetTLSParams(mon, "", "");
    g_assert_cmpint(qemuMonitorJSONDelObject(mon, id, true), ==, 0);
    g_assert_cmpint(qemuMonitorJSONAddTLSCredsX509(mon, id, "/srv/src/etc/pki/qemu",
                                                   false, false), ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "internal error: unable to execute QEMU command 'object-add': Unable to access credentials /srv/src/etc/pki/qemu/ca-cert.pem: No such file or directory");
    virResetLastError();
    g_assert_cmpint(qemuMonitorJSONAddTLSCredsX509(mon, id, "/srv/src/etc/pki/qemu",
                                                   false, true), ==, 0);
    testSetTLSParams(mon, id, "127.0.0.3");
    g_assert_true(qemuMonitorTestComplete(test));
}


/* quit whose reply never comes because QEMU exits first. */
static void
testSessionQuitEOF(void)
{
    g_autoptr(qemuMonitorTest) test = qemuMonitorTestNew(DATADIR "session-quit-eof.json");

    g_assert_cmpint(qemuMonitorJSONQuit(qemuMonitorTestGetMonitor(test)), ==, 0);
    g_assert_null(virGetLastError());
    g_assert_true(qemuMonitorTestComplete(test));
}


/* ---- parsers and builders on data files ---- */

static void
testDumpMem(GString *out, const char *name, bool set,
            const qemuMonitorMigrationMemStats *m)
{
    if (!set) {
        g_string_append_printf(out, "%s: -\n", name);
        return;
    }
    g_string_append_printf(out,
        "%1$s.transferred: %2$llu\n%1$s.remaining: %3$llu\n%1$s.total: %4$llu\n"
        "%1$s.duplicate: %5$llu\n%1$s.skipped: %6$llu\n%1$s.normal: %7$llu\n"
        "%1$s.normal-bytes: %8$llu\n%1$s.dirty-pages-rate: %9$llu\n"
        "%1$s.mbps: %10$.6f\n%1$s.dirty-sync-count: %11$llu\n"
        "%1$s.postcopy-requests: %12$llu\n%1$s.page-size: %13$llu\n"
        "%1$s.multifd-bytes: %14$llu\n%1$s.pages-per-second: %15$llu\n"
        "%1$s.precopy-bytes: %16$llu\n%1$s.downtime-bytes: %17$llu\n"
        "%1$s.postcopy-bytes: %18$llu\n"
        "%1$s.dirty-sync-missed-zero-copy: %19$llu\n",
        name, m->transferred, m->remaining, m->total, m->duplicate,
        m->skipped, m->normal, m->normalBytes, m->dirtyPagesRate, m->mbps,
        m->dirtySyncCount, m->postcopyRequests, m->pageSize, m->multifdBytes,
        m->pagesPerSecond, m->precopyBytes, m->downtimeBytes,
        m->postcopyBytes, m->dirtySyncMissedZeroCopy);
}


static void
testDumpOptional(GString *out, const char *name, bool set,
                 unsigned long long value)
{
    if (set)
        g_string_append_printf(out, "%s: %llu\n", name, value);
    else
        g_string_append_printf(out, "%s: -\n", name);
}


static void
testDumpCaches(GString *out, const qemuMonitorMigrationStats *s)
{
    if (s->xbzrleSet)
        g_string_append_printf(out,
            "xbzrle: cache-size=%llu bytes=%llu pages=%llu cache-miss=%llu "
            "cache-miss-rate=%.6f encoding-rate=%.6f overflow=%llu\n",
            s->xbzrle.cacheSize, s->xbzrle.bytes, s->xbzrle.pages,
            s->xbzrle.cacheMiss, s->xbzrle.cacheMissRate,
            s->xbzrle.encodingRate, s->xbzrle.overflow);
    else
        g_string_append(out, "xbzrle: -\n");
    if (s->compressionSet)
        g_string_append_printf(out,
            "compression: pages=%llu busy=%llu busy-rate=%.6f "
            "compressed-size=%llu compression-rate=%.6f\n",
            s->compression.pages, s->compression.busy,
            s->compression.busyRate, s->compression.compressedSize,
            s->compression.compressionRate);
    else
        g_string_append(out, "compression: -\n");
}


static char *
testDumpMigrationStats(const qemuMonitorMigrationStats *s)
{
    GString *out = g_string_new(NULL);
    g_autofree char *reasons = NULL;
    size_t i;

    if (s->blockedReasons)
        reasons = g_strjoinv(", ", s->blockedReasons);
    g_string_append_printf(out, "status: %s\nerror-desc: %s\nblocked-reasons: %s\n",
                           qemuMonitorMigrationStatusTypeToString(s->status),
                           s->errorDesc ? s->errorDesc : "-",
                           reasons ? reasons : "-");
    testDumpOptional(out, "total-time", s->totalTimeSet, s->totalTime);
    testDumpOptional(out, "expected-downtime", s->expectedDowntimeSet,
                     s->expectedDowntime);
    testDumpOptional(out, "downtime", s->downtimeSet, s->downtime);
    testDumpOptional(out, "setup-time", s->setupTimeSet, s->setupTime);
    testDumpOptional(out, "cpu-throttle-percentage",
                     s->cpuThrottlePercentageSet, s->cpuThrottlePercentage);
    testDumpMem(out, "ram", s->ramSet, &s->ram);
    testDumpMem(out, "disk", s->diskSet, &s->disk);
    testDumpOptional(out, "vfio.transferred", s->vfioSet, s->vfioTransferred);
    testDumpCaches(out, s);
    testDumpOptional(out, "postcopy-blocktime", s->postcopyBlocktimeSet,
                     s->postcopyBlocktime);
    g_string_append(out, "postcopy-vcpu-blocktime:");
    for (i = 0; i < s->npostcopyVcpuBlocktime; i++)
        g_string_append_printf(out, " %llu", s->postcopyVcpuBlocktime[i]);
    g_string_append_c(out, '\n');
    return g_string_free(out, FALSE);
}


/* Each query-migrate-NAME.json is a whole reply; its "return" is
 * parsed and dumped into query-migrate-NAME.out (or the error). */
static void
testMigrationStats(gconstpointer data)
{
    const char *name = data;
    g_autofree char *in = g_strdup_printf(DATADIR "%s.json", name);
    g_autofree char *outpath = g_strdup_printf(DATADIR "%s.out", name);
    g_autoptr(json_object) reply = testLoadJSON(in);
    g_autoptr(json_object) cmd = qemuMonitorJSONMakeCommand("query-migrate", NULL);
    g_auto(qemuMonitorMigrationStats) stats = { 0 };
    g_autofree char *actual = NULL;
    json_object *ret = qemuMonitorJSONGetReturn(cmd, reply, json_type_object);

    if (!ret || qemuMonitorJSONParseMigrationStats(ret, &stats) < 0) {
        actual = g_strdup_printf("error %d: %s\n", virGetLastErrorCode(),
                                 virGetLastErrorMessage());
        virResetLastError();
    } else {
        actual = testDumpMigrationStats(&stats);
    }
    g_assert_true(virTestCompareToFile(actual, outpath));
}


static char *
testDumpMigrationParams(const qemuMonitorMigrationParams *params)
{
    GString *out = g_string_new(NULL);
    int i;

    for (i = 0; i < QEMU_MONITOR_MIGRATION_PARAM_LAST; i++) {
        const char *name = qemuMonitorMigrationParamTypeToString(i);
        unsigned long long num;
        bool b;

        if (qemuMonitorMigrationParamsGetULL(params, i, &num))
            g_string_append_printf(out, "%s = %llu\n", name, num);
        else if (qemuMonitorMigrationParamsGetBool(params, i, &b))
            g_string_append_printf(out, "%s = %s\n", name, b ? "true" : "false");
        else if (qemuMonitorMigrationParamsGetString(params, i))
            g_string_append_printf(out, "%s = '%s'\n", name,
                                   qemuMonitorMigrationParamsGetString(params, i));
        else
            g_string_append_printf(out, "%s unset\n", name);
    }
    return g_string_free(out, FALSE);
}


/* query-migrate-parameters of a real QEMU 7.2, parsed and dumped; the
 * parsed set built back into arguments must give the same object. */
static void
testMigrationParams(void)
{
    g_autoptr(json_object) reply = testLoadJSON(DATADIR "query-migrate-parameters.json");
    g_autoptr(qemuMonitorMigrationParams) params = NULL;
    g_autoptr(json_object) built = NULL;
    g_autofree char *dump = NULL;
    json_object *ret = NULL;

    g_assert_true(json_object_object_get_ex(reply, "return", &ret));
    g_assert_cmpint(qemuMonitorJSONParseMigrationParams(ret, &params), ==, 0);
    dump = testDumpMigrationParams(params);
    g_assert_true(virTestCompareToFile(dump, DATADIR "query-migrate-parameters.out"));

    built = qemuMonitorJSONBuildMigrationParams(params);
    g_assert_true(json_object_equal(built, ret));

    g_assert_cmpint(qemuMonitorMigrationParamsSetBool(params,
                        QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH, true), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR,
                    "internal error: wrong type for migration parameter 'max-bandwidth'");
    g_assert_false(qemuMonitorMigrationParamsGetBool(params,
                       QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH, &(bool){ false }));
}


/* Capabilities round trip and their argument list. */
static void
testMigrationCapabilities(void)
{
    g_autoptr(json_object) reply = testLoadJSON(DATADIR "query-migrate-capabilities.json");
    g_autoptr(json_object) list = NULL;
    unsigned long long supported = 0;
    unsigned long long enabled = 0;
    json_object *ret = NULL;

    g_assert_true(json_object_object_get_ex(reply, "return", &ret));
    g_assert_cmpint(qemuMonitorJSONParseMigrationCapabilities(ret, &supported,
                                                              &enabled), ==, 0);
    g_assert_cmpuint(supported, ==, (1ULL << QEMU_MONITOR_MIGRATION_CAP_LAST) - 1);
    g_assert_cmpuint(enabled, ==, 0);

    /* All known, all disabled: building it back gives QEMU's list. */
    list = qemuMonitorJSONBuildMigrationCapabilities(supported, enabled);
    g_assert_true(json_object_equal(list, ret));

    g_assert_null(qemuMonitorJSONBuildMigrationCapabilities(1ULL << 40, 0));
    testAssertError(VIR_ERR_INVALID_ARG,
                    "invalid argument: unknown migration capabilities 0x80000");
}


static void
testStatusParse(void)
{
    g_autoptr(json_object) good = testLoadJSON(DATADIR "query-status-unknown.json");
    qemuMonitorVMStatus status = QEMU_MONITOR_VM_STATUS_RUNNING;
    bool running = true;

    g_assert_cmpint(qemuMonitorJSONParseStatus(good, &running, &status), ==, 0);
    g_assert_false(running);
    g_assert_cmpint(status, ==, QEMU_MONITOR_VM_STATUS_UNKNOWN);
}


static void
testAddStatsTests(void)
{
    g_auto(GStrv) files = virTestListFiles(DATADIR, ".json");
    size_t i;
    size_t n = 0;

    for (i = 0; files[i]; i++) {
        g_autofree char *testname = NULL;
        char *name;

        if (!g_str_has_prefix(files[i], "query-migrate-") ||
            g_str_has_prefix(files[i], "query-migrate-parameters") ||
            g_str_has_prefix(files[i], "query-migrate-capabilities"))
            continue;
        name = g_strndup(files[i], strlen(files[i]) - 5);
        testname = g_strdup_printf("/monitor/migration-stats/%s", name);
        g_test_add_data_func_full(testname, name, testMigrationStats, g_free);
        n++;
    }
    g_assert_cmpuint(n, >=, 6);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/monitor/event-table-sorted", testEventTableSorted);
    g_test_add_func("/monitor/enums", testMigrationStatusEnum);
    g_test_add_func("/monitor/event-decode", testEventDecode);
    g_test_add_func("/monitor/event-any", testEventAny);
    g_test_add_func("/monitor/session/basic", testSessionBasic);
    g_test_add_func("/monitor/session/events", testSessionEvents);
    g_test_add_func("/monitor/session/timeout", testSessionTimeout);
    g_test_add_func("/monitor/session/queued-timeout", testSessionQueuedTimeout);
    g_test_add_func("/monitor/session/close-while-waiting",
                    testSessionCloseWhileWaiting);
    g_test_add_func("/monitor/session/eof", testSessionEOF);
    g_test_add_func("/monitor/session/qmp-error", testSessionQMPError);
    g_test_add_func("/monitor/session/passthrough", testSessionPassthrough);
    g_test_add_func("/monitor/session/oversized", testSessionOversized);
    g_test_add_func("/monitor/session/bad-id", testSessionBadId);
    g_test_add_func("/monitor/session/garbage", testSessionGarbage);
    g_test_add_func("/monitor/session/send-from-loop", testSessionSendFromLoop);
    g_test_add_func("/monitor/session/concurrent", testSessionConcurrent);
    g_test_add_func("/monitor/session/migration", testSessionMigration);
    g_test_add_func("/monitor/session/quit-eof", testSessionQuitEOF);
    g_test_add_func("/monitor/session/passwords", testSessionPasswords);
    g_test_add_func("/monitor/session/tls", testSessionTLS);
    g_test_add_func("/monitor/open/bad-greeting", testOpenBadGreeting);
    g_test_add_func("/monitor/open/caps-error", testOpenCapsError);
    g_test_add_func("/monitor/open/silent", testOpenSilent);
    g_test_add_func("/monitor/open/missing-socket", testOpenMissingSocket);
    g_test_add_func("/monitor/open/late-socket", testOpenLateSocket);
    g_test_add_func("/monitor/migration-params", testMigrationParams);
    g_test_add_func("/monitor/migration-capabilities", testMigrationCapabilities);
    g_test_add_func("/monitor/status-parse", testStatusParse);
    testAddStatsTests();
    return g_test_run();
}
