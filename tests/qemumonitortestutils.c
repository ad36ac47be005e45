/*
 * qemumonitortestutils.c: a scripted fake QEMU for monitor tests
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qemumonitortestutils.h"
#include "testutils.h"
#include "virerror.h"

#define QEMU_MONITOR_TEST_CHUNK 65536

struct _qemuMonitorTest {
    GMutex lock;
    GCond cond;
    GHashTable *posts;          /* names posted by the test or the peer */
    GString *log;
    size_t nlog;
    bool destroyed;             /* the monitor's destroy callback ran */
    bool opened;                /* a monitor was opened */
    bool completed;
    bool result;                /* of qemuMonitorTestComplete() */

    json_object *transcript;
    char *path;                 /* listen mode: socket path */
    int peerfd;                 /* peer's end of the connection */
    int clientfd;               /* monitor's end, until opened */
    GThread *peer;
    char *failure;              /* first mismatch seen by the peer */

    /* peer thread only */
    GString *rx;
    GHashTable *ids;            /* label -> command id */
    char *lastId;
    bool closed;

    GMainContext *ctx;
    GMainLoop *loop;
    GThread *loopThread;
    qemuMonitor *mon;
};


/* ---- shared state ---- */

void
qemuMonitorTestPost(qemuMonitorTest *test, const char *name)
{
    g_mutex_lock(&test->lock);
    g_hash_table_add(test->posts, g_strdup(name));
    g_cond_broadcast(&test->cond);
    g_mutex_unlock(&test->lock);
}


/* Waits for @done(@test, @data) under the lock, with the harness
 * deadline. */
static bool
qemuMonitorTestWaitFor(qemuMonitorTest *test,
                       bool (*done)(qemuMonitorTest *test, const void *data),
                       const void *data)
{
    gint64 deadline = g_get_monotonic_time() +
                      QEMU_MONITOR_TEST_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    bool ok;

    g_mutex_lock(&test->lock);
    while (!(ok = done(test, data))) {
        if (!g_cond_wait_until(&test->cond, &test->lock, deadline)) {
            ok = done(test, data);
            break;
        }
    }
    g_mutex_unlock(&test->lock);
    return ok;
}


static bool
qemuMonitorTestIsPosted(qemuMonitorTest *test, const void *name)
{
    return g_hash_table_contains(test->posts, name);
}


bool
qemuMonitorTestWaitPost(qemuMonitorTest *test, const char *name)
{
    return qemuMonitorTestWaitFor(test, qemuMonitorTestIsPosted, name);
}


static bool
qemuMonitorTestHasLogLines(qemuMonitorTest *test, const void *n)
{
    return test->nlog >= *(const size_t *)n;
}


bool
qemuMonitorTestWaitLog(qemuMonitorTest *test, size_t n)
{
    return qemuMonitorTestWaitFor(test, qemuMonitorTestHasLogLines, &n);
}


char *
qemuMonitorTestGetLog(qemuMonitorTest *test)
{
    char *copy;

    g_mutex_lock(&test->lock);
    copy = g_strdup(test->log->str);
    g_mutex_unlock(&test->lock);
    return copy;
}


void
qemuMonitorTestLog(qemuMonitorTest *test, const char *fmt, ...)
{
    va_list args;

    g_mutex_lock(&test->lock);
    va_start(args, fmt);
    g_string_append_vprintf(test->log, fmt, args);
    va_end(args);
    g_string_append_c(test->log, '\n');
    test->nlog++;
    g_cond_broadcast(&test->cond);
    g_mutex_unlock(&test->lock);
}


/* ---- monitor callbacks: one log line each ---- */

/* Callbacks must run in the loop thread without the monitor lock. */
static void
qemuMonitorTestCheckCallback(qemuMonitorTest *test, qemuMonitor *mon)
{
    if (mon) {
        /* Takes the monitor lock: deadlocks if the caller holds it. */
        ignore_value(qemuMonitorIsEOF(mon));
    }
    if (test->loopThread && g_thread_self() != test->loopThread)
        qemuMonitorTestLog(test, "CALLBACK IN WRONG THREAD");
}


static void
qemuMonitorTestEOF(qemuMonitor *mon, void *opaque)
{
    qemuMonitorTestCheckCallback(opaque, mon);
    qemuMonitorTestLog(opaque, "EOF");
}


static void
qemuMonitorTestError(qemuMonitor *mon, void *opaque)
{
    qemuMonitorTestCheckCallback(opaque, mon);
    qemuMonitorTestLog(opaque, "ERROR");
}


static void
qemuMonitorTestStop(qemuMonitor *mon, void *opaque)
{
    qemuMonitorTestCheckCallback(opaque, mon);
    qemuMonitorTestLog(opaque, "STOP");
}


static void
qemuMonitorTestResume(qemuMonitor *mon, void *opaque)
{
    qemuMonitorTestCheckCallback(opaque, mon);
    qemuMonitorTestLog(opaque, "RESUME");
}


static void
qemuMonitorTestShutdown(qemuMonitor *mon, const qemuMonitorShutdownInfo *info,
                        void *opaque)
{
    const char *guest = "unknown";

    if (info->hasGuest)
        guest = info->guest ? "yes" : "no";
    qemuMonitorTestCheckCallback(opaque, mon);
    qemuMonitorTestLog(opaque, "SHUTDOWN guest=%s reason=%s", guest,
                       info->reason ? info->reason : "(none)");
}


static void
qemuMonitorTestReset(qemuMonitor *mon, void *opaque)
{
    qemuMonitorTestCheckCallback(opaque, mon);
    qemuMonitorTestLog(opaque, "RESET");
}


static void
qemuMonitorTestPowerdown(qemuMonitor *mon, void *opaque)
{
    qemuMonitorTestCheckCallback(opaque, mon);
    qemuMonitorTestLog(opaque, "POWERDOWN");
}


static void
qemuMonitorTestMigrationStatus(qemuMonitor *mon,
                               qemuMonitorMigrationStatus status,
                               void *opaque)
{
    qemuMonitorTestCheckCallback(opaque, mon);
    qemuMonitorTestLog(opaque, "MIGRATION status=%s",
                       qemuMonitorMigrationStatusTypeToString(status));
}


static void
qemuMonitorTestMigrationPass(qemuMonitor *mon, int pass, void *opaque)
{
    qemuMonitorTestCheckCallback(opaque, mon);
    qemuMonitorTestLog(opaque, "MIGRATION_PASS pass=%d", pass);
}


static void
qemuMonitorTestEvent(qemuMonitor *mon, const char *event, long long seconds,
                     unsigned int micros, json_object *data, void *opaque)
{
    qemuMonitorTestCheckCallback(opaque, mon);
    qemuMonitorTestLog(opaque, "EVENT %s time=%lld.%06u data=%s", event,
                       seconds, micros,
                       data ? json_object_to_json_string_ext(data,
                                  JSON_C_TO_STRING_PLAIN |
                                  JSON_C_TO_STRING_NOSLASHESCAPE) : "(none)");
}


static void
qemuMonitorTestDestroy(qemuMonitor *mon G_GNUC_UNUSED, void *opaque)
{
    qemuMonitorTest *test = opaque;

    g_mutex_lock(&test->lock);
    test->destroyed = true;
    g_mutex_unlock(&test->lock);
}


static const qemuMonitorCallbacks qemuMonitorTestCallbacks = {
    .eofNotify = qemuMonitorTestEOF,
    .errorNotify = qemuMonitorTestError,
    .domainStop = qemuMonitorTestStop,
    .domainResume = qemuMonitorTestResume,
    .domainShutdown = qemuMonitorTestShutdown,
    .domainReset = qemuMonitorTestReset,
    .domainPowerdown = qemuMonitorTestPowerdown,
    .domainMigrationStatus = qemuMonitorTestMigrationStatus,
    .domainMigrationPass = qemuMonitorTestMigrationPass,
    .domainEvent = qemuMonitorTestEvent,
    .destroy = qemuMonitorTestDestroy,
};


const qemuMonitorCallbacks *
qemuMonitorTestGetCallbacks(void)
{
    return &qemuMonitorTestCallbacks;
}


/* ---- the peer (fake QEMU) ---- */

static bool G_GNUC_PRINTF(2, 3)
qemuMonitorTestPeerFail(qemuMonitorTest *test, const char *fmt, ...)
{
    va_list args;

    g_mutex_lock(&test->lock);
    if (!test->failure) {
        va_start(args, fmt);
        test->failure = g_strdup_vprintf(fmt, args);
        va_end(args);
    }
    g_cond_broadcast(&test->cond);
    g_mutex_unlock(&test->lock);
    return false;
}


static bool
qemuMonitorTestPeerWrite(qemuMonitorTest *test, const char *data, size_t len)
{
    while (len > 0) {
        gssize done = send(test->peerfd, data, len, MSG_NOSIGNAL);

        if (done < 0 && errno == EINTR)
            continue;
        if (done < 0)
            return false;
        data += done;
        len -= done;
    }
    return true;
}


/* Moves whatever the socket has into test->rx.  Returns bytes read,
 * 0 on EOF, -1 if nothing arrived within @timeoutMs. */
static gssize
qemuMonitorTestPeerRecv(qemuMonitorTest *test, int timeoutMs)
{
    struct pollfd pfd = { .fd = test->peerfd, .events = POLLIN };
    char buf[QEMU_MONITOR_TEST_CHUNK];
    gssize got;

    if (poll(&pfd, 1, timeoutMs) <= 0)
        return -1;
    got = recv(test->peerfd, buf, sizeof(buf), 0);
    if (got <= 0)
        return 0;
    g_string_append_len(test->rx, buf, got);
    return got;
}


/* Reads one line.  Returns 1 (line set), 0 on EOF, -1 on timeout. */
static int
qemuMonitorTestPeerReadLine(qemuMonitorTest *test, char **line)
{
    for (;;) {
        char *nl = memchr(test->rx->str, '\n', test->rx->len);
        gssize got;

        if (nl) {
            size_t len = nl - test->rx->str;

            *line = g_strndup(test->rx->str, len);
            g_string_erase(test->rx, 0, len + 1);
            g_strchomp(*line);
            return 1;
        }
        if ((got = qemuMonitorTestPeerRecv(test,
                                           QEMU_MONITOR_TEST_TIMEOUT_MS)) < 0)
            return -1;
        if (got == 0)
            return 0;
    }
}


static bool
qemuMonitorTestPeerSend(qemuMonitorTest *test, json_object *obj)
{
    g_autofree char *text = NULL;

    text = g_strdup_printf("%s\r\n",
                           json_object_to_json_string_ext(obj,
                                                          JSON_C_TO_STRING_PLAIN));
    return qemuMonitorTestPeerWrite(test, text, strlen(text));
}


static bool
qemuMonitorTestSameMember(json_object *a, json_object *b, const char *key)
{
    json_object *va = NULL;
    json_object *vb = NULL;

    json_object_object_get_ex(a, key, &va);
    json_object_object_get_ex(b, key, &vb);
    return json_object_equal(va, vb);
}


static bool
qemuMonitorTestPeerExpect(qemuMonitorTest *test, json_object *step,
                          json_object *expected)
{
    g_autofree char *line = NULL;
    g_autoptr(json_object) cmd = NULL;
    json_object *label = NULL;
    json_object *id = NULL;

    if (qemuMonitorTestPeerReadLine(test, &line) != 1)
        return qemuMonitorTestPeerFail(test, "no command where %s was expected",
                                       json_object_to_json_string(expected));
    if (!(cmd = json_tokener_parse(line)) ||
        !qemuMonitorTestSameMember(cmd, expected, "execute") ||
        !qemuMonitorTestSameMember(cmd, expected, "arguments"))
        return qemuMonitorTestPeerFail(test, "expected %s, got %s",
                                       json_object_to_json_string(expected),
                                       line);
    if (!json_object_object_get_ex(cmd, "id", &id))
        return qemuMonitorTestPeerFail(test, "command without id: %s", line);

    g_free(test->lastId);
    test->lastId = g_strdup(json_object_get_string(id));
    if (json_object_object_get_ex(step, "label", &label))
        g_hash_table_insert(test->ids, g_strdup(json_object_get_string(label)),
                            g_strdup(test->lastId));
    return true;
}


static bool
qemuMonitorTestPeerReply(qemuMonitorTest *test, json_object *step,
                         json_object *reply)
{
    json_object *to = NULL;
    const char *id = test->lastId;
    gssize got;

    if (json_object_object_get_ex(step, "to", &to))
        id = g_hash_table_lookup(test->ids, json_object_get_string(to));
    if (!id)
        return qemuMonitorTestPeerFail(test, "no command to reply to");

    /* One command on the wire at a time: nothing may be pending now. */
    while ((got = qemuMonitorTestPeerRecv(test, 0)) > 0)
        ;
    if (test->rx->len > 0)
        return qemuMonitorTestPeerFail(test, "command sent before a reply: %s",
                                       test->rx->str);

    if (!json_object_object_get_ex(reply, "id", NULL))
        json_object_object_add(reply, "id", json_object_new_string(id));
    return qemuMonitorTestPeerSend(test, reply);
}


/* An unterminated reply of @size bytes.  The monitor gives up and the
 * write then fails: that is expected. */
static bool
qemuMonitorTestPeerOversized(qemuMonitorTest *test, size_t size)
{
    g_autofree char *chunk = g_malloc(QEMU_MONITOR_TEST_CHUNK);
    const char *head = "{\"return\": \"";
    size_t sent = strlen(head);

    memset(chunk, 'x', QEMU_MONITOR_TEST_CHUNK);
    if (!qemuMonitorTestPeerWrite(test, head, sent))
        return true;
    while (sent < size) {
        size_t len = MIN(size - sent, QEMU_MONITOR_TEST_CHUNK);

        if (!qemuMonitorTestPeerWrite(test, chunk, len))
            return true;
        sent += len;
    }
    return true;
}


static bool
qemuMonitorTestPeerStep(qemuMonitorTest *test, json_object *step)
{
    json_object *arg;

    if (json_object_object_get_ex(step, "send", &arg))
        return qemuMonitorTestPeerSend(test, arg);
    if (json_object_object_get_ex(step, "expect", &arg))
        return qemuMonitorTestPeerExpect(test, step, arg);
    if (json_object_object_get_ex(step, "reply", &arg))
        return qemuMonitorTestPeerReply(test, step, arg);
    if (json_object_object_get_ex(step, "raw", &arg))
        return qemuMonitorTestPeerWrite(test, json_object_get_string(arg),
                                        json_object_get_string_len(arg));
    if (json_object_object_get_ex(step, "oversized", &arg))
        return qemuMonitorTestPeerOversized(test, json_object_get_int64(arg));
    if (json_object_object_get_ex(step, "wait", &arg)) {
        if (!qemuMonitorTestWaitPost(test, json_object_get_string(arg)))
            return qemuMonitorTestPeerFail(test, "nobody posted '%s'",
                                           json_object_get_string(arg));
        return true;
    }
    if (json_object_object_get_ex(step, "notify", &arg)) {
        qemuMonitorTestPost(test, json_object_get_string(arg));
        return true;
    }
    if (json_object_object_get_ex(step, "close", NULL)) {
        test->closed = true;
        return true;
    }
    return qemuMonitorTestPeerFail(test, "unknown transcript step %s",
                                   json_object_to_json_string(step));
}


/* Listen mode: waits for "listen", binds and accepts one client. */
static bool
qemuMonitorTestPeerAccept(qemuMonitorTest *test)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int lfd;

    if (!qemuMonitorTestWaitPost(test, "listen"))
        return qemuMonitorTestPeerFail(test, "nobody posted 'listen'");
    g_strlcpy(addr.sun_path, test->path, sizeof(addr.sun_path));
    unlink(test->path);
    if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(lfd, 1) < 0 ||
        (test->peerfd = accept(lfd, NULL, NULL)) < 0) {
        if (lfd >= 0)
            close(lfd);
        return qemuMonitorTestPeerFail(test, "cannot listen on %s: %s",
                                       test->path, g_strerror(errno));
    }
    close(lfd);
    unlink(test->path);
    return true;
}


static gpointer
qemuMonitorTestPeerThread(gpointer opaque)
{
    qemuMonitorTest *test = opaque;
    size_t n = json_object_array_length(test->transcript);
    g_autofree char *line = NULL;
    size_t i;
    int rc;

    if (test->path && !qemuMonitorTestPeerAccept(test))
        return NULL;
    for (i = 0; i < n && !test->closed; i++) {
        if (!qemuMonitorTestPeerStep(test,
                                     json_object_array_get_idx(test->transcript, i)))
            break;
    }
    if (i == n && !test->closed) {
        /* The monitor must not send anything more, just close. */
        if ((rc = qemuMonitorTestPeerReadLine(test, &line)) == 1)
            qemuMonitorTestPeerFail(test, "unexpected command after the transcript: %s",
                                    line);
        else if (rc < 0)
            qemuMonitorTestPeerFail(test, "the monitor was not closed");
    } else if (i < n && !test->closed) {
        qemuMonitorTestPeerFail(test, "transcript stopped at step %zu", i);
    }
    shutdown(test->peerfd, SHUT_RDWR);
    return NULL;
}


/* ---- event loop ---- */

static gpointer
qemuMonitorTestLoopThread(gpointer opaque)
{
    qemuMonitorTest *test = opaque;

    g_main_loop_run(test->loop);
    return NULL;
}


typedef struct {
    qemuMonitorTest *test;
    GSourceFunc func;
    gpointer data;
    bool done;
} qemuMonitorTestCall;


static gboolean
qemuMonitorTestCallInLoop(gpointer opaque)
{
    qemuMonitorTestCall *call = opaque;

    call->func(call->data);
    g_mutex_lock(&call->test->lock);
    call->done = true;
    g_cond_broadcast(&call->test->cond);
    g_mutex_unlock(&call->test->lock);
    return G_SOURCE_REMOVE;
}


static bool
qemuMonitorTestCallDone(qemuMonitorTest *test G_GNUC_UNUSED, const void *data)
{
    return ((const qemuMonitorTestCall *)data)->done;
}


void
qemuMonitorTestRunInLoop(qemuMonitorTest *test, GSourceFunc func,
                         gpointer data)
{
    qemuMonitorTestCall call = { test, func, data, false };
    g_autoptr(GSource) source = g_idle_source_new();

    g_source_set_callback(source, qemuMonitorTestCallInLoop, &call, NULL);
    g_source_attach(source, test->ctx);
    g_assert_true(qemuMonitorTestWaitFor(test, qemuMonitorTestCallDone, &call));
}


/* ---- life cycle ---- */

qemuMonitorTest *
qemuMonitorTestNewRecorder(void)
{
    qemuMonitorTest *test = g_new0(qemuMonitorTest, 1);

    g_mutex_init(&test->lock);
    g_cond_init(&test->cond);
    test->posts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    test->ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    test->log = g_string_new(NULL);
    test->rx = g_string_new(NULL);
    test->peerfd = -1;
    test->clientfd = -1;
    return test;
}


static qemuMonitorTest *
qemuMonitorTestAlloc(const char *transcript)
{
    qemuMonitorTest *test = qemuMonitorTestNewRecorder();
    g_autofree char *text = virTestLoadFile(transcript);

    test->transcript = json_tokener_parse(text);
    if (!json_object_is_type(test->transcript, json_type_array))
        g_error("transcript %s is not a JSON array", transcript);

    test->ctx = g_main_context_new();
    test->loop = g_main_loop_new(test->ctx, FALSE);
    test->loopThread = g_thread_new("test-loop", qemuMonitorTestLoopThread,
                                    test);
    return test;
}


qemuMonitorTest *
qemuMonitorTestNewUnopened(const char *transcript)
{
    qemuMonitorTest *test = qemuMonitorTestAlloc(transcript);
    int fds[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
        g_error("socketpair: %s", g_strerror(errno));
    test->clientfd = fds[0];
    test->peerfd = fds[1];
    test->peer = g_thread_new("test-peer", qemuMonitorTestPeerThread, test);
    return test;
}


qemuMonitorTest *
qemuMonitorTestNew(const char *transcript)
{
    qemuMonitorTest *test = qemuMonitorTestNewUnopened(transcript);

    if (qemuMonitorTestOpenFD(test, QEMU_MONITOR_TEST_TIMEOUT_MS) < 0)
        g_error("cannot open the monitor: %s", virGetLastErrorMessage());
    return test;
}


qemuMonitorTest *
qemuMonitorTestNewListen(const char *transcript, const char *path)
{
    qemuMonitorTest *test = qemuMonitorTestAlloc(transcript);

    test->path = g_strdup(path);
    test->peer = g_thread_new("test-peer", qemuMonitorTestPeerThread, test);
    return test;
}


int
qemuMonitorTestOpenFD(qemuMonitorTest *test, int timeoutMs)
{
    int fd = test->clientfd;

    test->clientfd = -1;
    test->mon = qemuMonitorOpenFD(fd, timeoutMs, test->ctx,
                                  &qemuMonitorTestCallbacks, test);
    test->opened = test->mon != NULL;
    return test->mon ? 0 : -1;
}


int
qemuMonitorTestOpenPath(qemuMonitorTest *test, int timeoutMs)
{
    test->mon = qemuMonitorOpen(test->path, timeoutMs, test->ctx,
                                &qemuMonitorTestCallbacks, test);
    test->opened = test->mon != NULL;
    return test->mon ? 0 : -1;
}


qemuMonitor *
qemuMonitorTestGetMonitor(qemuMonitorTest *test)
{
    return test->mon;
}


GMainContext *
qemuMonitorTestGetContext(qemuMonitorTest *test)
{
    return test->ctx;
}


void
qemuMonitorTestCloseMonitor(qemuMonitorTest *test)
{
    qemuMonitorClose(g_steal_pointer(&test->mon));
}


static gboolean
qemuMonitorTestQuitLoop(gpointer opaque)
{
    g_main_loop_quit(opaque);
    return G_SOURCE_REMOVE;
}


/* The quit goes through the loop itself: a g_main_loop_quit() before
 * the thread got to g_main_loop_run() would be lost. */
static void
qemuMonitorTestStopLoop(qemuMonitorTest *test)
{
    g_autoptr(GSource) source = NULL;

    if (!test->loopThread)
        return;
    source = g_idle_source_new();
    g_source_set_callback(source, qemuMonitorTestQuitLoop, test->loop, NULL);
    g_source_attach(source, test->ctx);
    g_thread_join(g_steal_pointer(&test->loopThread));
}


bool
qemuMonitorTestComplete(qemuMonitorTest *test)
{
    bool ok = true;

    if (test->completed)
        return test->result;
    test->completed = true;
    qemuMonitorTestCloseMonitor(test);
    if (test->clientfd >= 0) {
        close(test->clientfd);
        test->clientfd = -1;
    }
    if (test->peer)
        g_thread_join(g_steal_pointer(&test->peer));
    qemuMonitorTestStopLoop(test);

    if (test->failure) {
        fprintf(stderr, "fake QEMU: %s\n", test->failure);
        ok = false;
    }
    if (test->opened && !test->destroyed) {
        fprintf(stderr, "the monitor was not freed (reference leak)\n");
        ok = false;
    }
    test->result = ok;
    return ok;
}


void
qemuMonitorTestFree(qemuMonitorTest *test)
{
    if (!test)
        return;
    ignore_value(qemuMonitorTestComplete(test));
    if (test->peerfd >= 0)
        close(test->peerfd);
    if (test->loop)
        g_main_loop_unref(test->loop);
    if (test->ctx)
        g_main_context_unref(test->ctx);
    json_object_put(test->transcript);
    g_hash_table_unref(test->posts);
    g_hash_table_unref(test->ids);
    g_string_free(test->log, TRUE);
    g_string_free(test->rx, TRUE);
    g_free(test->lastId);
    g_free(test->failure);
    g_free(test->path);
    g_cond_clear(&test->cond);
    g_mutex_clear(&test->lock);
    g_free(test);
}
