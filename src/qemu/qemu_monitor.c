/*
 * qemu_monitor.c: the QMP monitor transport
 *
 * Data flow:
 *   worker thread                      event-loop thread
 *   qemuMonitorSend()
 *     queue message, kick ------------> qemuMonitorKickCallback()
 *     wait on cond                        start next message, write
 *                                       qemuMonitorIOCallback()
 *                                         read, split lines, for each:
 *                                           event -> callbacks (unlocked)
 *     <---------------- broadcast ------  reply -> matching message
 *
 * Fields marked [loop] are only touched by the event-loop thread once
 * the monitor is attached (and by the opener before that); all other
 * mutable fields are protected by mon->lock.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "qemu_monitor.h"
#include "qemu_monitor_priv.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_monitor");

/* Bytes read per recv() and recv() calls per wake-up, so that a chatty
 * QEMU cannot starve the other sources of the loop. */
#define QEMU_MONITOR_READ_CHUNK 65536
#define QEMU_MONITOR_READS_PER_WAKEUP 16

/* Interval between attempts to connect to a socket QEMU has not
 * created yet. */
#define QEMU_MONITOR_CONNECT_RETRY_US (20 * 1000)

/* Longest piece of a bad message quoted in an error. */
#define QEMU_MONITOR_QUOTE_MAX 256

typedef struct _qemuMonitorMessage qemuMonitorMessage;
struct _qemuMonitorMessage {
    char *id;
    const char *name;     /* the command's "execute", for errors */
    char *text;           /* JSON text + "\r\n" */
    json_object *reply;   /* set by the loop thread */
    bool finished;        /* reply arrived or monitor failed */
    bool failed;          /* mon->lastError says why */
};

struct _qemuMonitor {
    gatomicrefcount refs;
    GMutex lock;
    GCond cond;                  /* broadcast when a message finishes */

    int fd;                      /* -1 once closed */
    GMainContext *ctx;
    GSource *watch;              /* fd source; NULL when not watching */
    gpointer watchTag;
    GSource *kick;               /* pending idle source, or NULL */

    const qemuMonitorCallbacks *cb;
    void *opaque;

    GByteArray *rx;              /* [loop] received bytes */
    size_t rxStart;              /* [loop] first unprocessed byte */
    size_t rxScanned;            /* [loop] bytes after rxStart without \n */
    char *tx;                    /* text being written, or NULL */
    size_t txOffset;

    GQueue queue;                /* qemuMonitorMessage *, not yet sent */
    qemuMonitorMessage *inflight;
    char *abandonedId;           /* sent command whose waiter gave up */
    unsigned long long nextSerial;
    int timeoutMs;

    virError *lastError;         /* why the monitor is unusable */
    bool failed;                 /* EOF, I/O or protocol error */
    bool eof;
    bool closed;                 /* qemuMonitorClose() was called */
    bool notified;               /* eof/errorNotify done (or suppressed) */

    unsigned int major;
    unsigned int minor;
    unsigned int micro;
    char *package;
};

static void qemuMonitorWakeWaitersLocked(qemuMonitor *mon);

/* Used when the caller wants no callbacks at all. */
static const qemuMonitorCallbacks qemuMonitorNoCallbacks = { 0 };


static qemuMonitor *
qemuMonitorNew(int fd, GMainContext *ctx, const qemuMonitorCallbacks *cb,
               void *opaque)
{
    qemuMonitor *mon = g_new0(qemuMonitor, 1);

    g_atomic_ref_count_init(&mon->refs);
    g_mutex_init(&mon->lock);
    g_cond_init(&mon->cond);
    mon->fd = fd;
    mon->ctx = g_main_context_ref(ctx);
    mon->cb = cb ? cb : &qemuMonitorNoCallbacks;
    mon->opaque = opaque;
    mon->rx = g_byte_array_new();
    g_queue_init(&mon->queue);
    mon->timeoutMs = QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    mon->package = g_strdup("");
    return mon;
}


qemuMonitor *
qemuMonitorRef(qemuMonitor *mon)
{
    g_atomic_ref_count_inc(&mon->refs);
    return mon;
}


void
qemuMonitorUnref(qemuMonitor *mon)
{
    if (!mon || !g_atomic_ref_count_dec(&mon->refs))
        return;

    VIR_DEBUG("mon=%p freed", mon);
    if (mon->cb->destroy)
        mon->cb->destroy(mon, mon->opaque);
    if (mon->fd >= 0)
        close(mon->fd);
    g_byte_array_unref(mon->rx);
    g_free(mon->tx);
    g_free(mon->abandonedId);
    g_free(mon->package);
    virErrorFree(mon->lastError);
    g_main_context_unref(mon->ctx);
    g_cond_clear(&mon->cond);
    g_mutex_clear(&mon->lock);
    g_free(mon);
}


/* ---- reading and splitting messages ---- */

static char *
qemuMonitorQuote(const char *text)
{
    if (strlen(text) <= QEMU_MONITOR_QUOTE_MAX)
        return g_strdup(text);
    return g_strdup_printf("%.*s...", QEMU_MONITOR_QUOTE_MAX, text);
}


static void
qemuMonitorReportTooLong(void)
{
    virReportSystemError(ERANGE,
                         _("No complete monitor response found in %1$d bytes"),
                         QEMU_MONITOR_MAX_MESSAGE);
}


/*
 * Takes the next complete line out of the receive buffer.  Returns 1
 * and sets @line (owned by the caller, without "\r\n"), 0 if no line
 * is complete yet, -1 if the peer exceeded the message size limit.
 */
static int
qemuMonitorNextLine(qemuMonitor *mon, char **line)
{
    const char *start = (const char *)mon->rx->data + mon->rxStart;
    size_t avail = mon->rx->len - mon->rxStart;
    const char *nl = NULL;
    size_t len;

    if (avail > mon->rxScanned)
        nl = memchr(start + mon->rxScanned, '\n', avail - mon->rxScanned);
    if (!nl) {
        mon->rxScanned = avail;
        if (avail > QEMU_MONITOR_MAX_MESSAGE) {
            qemuMonitorReportTooLong();
            return -1;
        }
        return 0;
    }

    len = nl - start;
    mon->rxStart += len + 1;
    mon->rxScanned = 0;
    if (len > QEMU_MONITOR_MAX_MESSAGE) {
        qemuMonitorReportTooLong();
        return -1;
    }
    if (len > 0 && start[len - 1] == '\r')
        len--;
    *line = g_strndup(start, len);
    return 1;
}


/* Drops the processed bytes from the front of the receive buffer. */
static void
qemuMonitorCompactRx(qemuMonitor *mon)
{
    if (mon->rxStart == 0)
        return;
    g_byte_array_remove_range(mon->rx, 0, mon->rxStart);
    mon->rxStart = 0;
}


/*
 * One recv() into the receive buffer.  Returns the number of bytes
 * read, 0 on end of file, -2 if nothing is available (EAGAIN), -1 on
 * error (reported; *eof set if the peer reset the connection).
 */
static gssize
qemuMonitorRecv(qemuMonitor *mon, bool *eof)
{
    guint oldlen = mon->rx->len;
    gssize got;

    g_byte_array_set_size(mon->rx, oldlen + QEMU_MONITOR_READ_CHUNK);
    do {
        got = recv(mon->fd, mon->rx->data + oldlen, QEMU_MONITOR_READ_CHUNK,
                   MSG_DONTWAIT);
    } while (got < 0 && errno == EINTR);
    g_byte_array_set_size(mon->rx, oldlen + MAX(got, 0));

    if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return -2;
        if (errno == ECONNRESET)
            *eof = true;
        virReportSystemError(errno, "%s", _("Unable to read from monitor"));
        return -1;
    }
    return got;
}


/* Parses one line into a JSON object.  Returns NULL (reported) if it
 * is not valid JSON or not an object. */
static json_object *
qemuMonitorParseLine(const char *line)
{
    json_tokener *tok = json_tokener_new();
    json_object *obj = json_tokener_parse_ex(tok, line, strlen(line));
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    g_autofree char *quoted = qemuMonitorQuote(line);

    json_tokener_free(tok);
    if (!obj || jerr != json_tokener_success ||
        line[end + strspn(line + end, " \t\r\n")] != '\0') {
        json_object_put(obj);
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("cannot parse json %1$s: %2$s"), quoted,
                       jerr == json_tokener_success ?
                       _("trailing data") : json_tokener_error_desc(jerr));
        return NULL;
    }
    if (!json_object_is_type(obj, json_type_object)) {
        json_object_put(obj);
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("Parsed JSON reply '%1$s' isn't an object"), quoted);
        return NULL;
    }
    return obj;
}


static const char *
qemuMonitorObjectGetString(json_object *obj, const char *key)
{
    json_object *val;

    if (!json_object_object_get_ex(obj, key, &val) ||
        !json_object_is_type(val, json_type_string))
        return NULL;
    return json_object_get_string(val);
}


/* ---- writing ---- */

static void
qemuMonitorUpdateWatchLocked(qemuMonitor *mon)
{
    GIOCondition cond = G_IO_IN | G_IO_HUP | G_IO_ERR;

    if (!mon->watch)
        return;
    if (mon->tx)
        cond |= G_IO_OUT;
    g_source_modify_unix_fd(mon->watch, mon->watchTag, cond);
}


/* Writes as much of mon->tx as the socket takes.  Returns 0 or -1
 * (reported; *eof set if the peer is gone). */
static int
qemuMonitorIOWrite(qemuMonitor *mon, bool *eof)
{
    while (mon->tx) {
        size_t len = strlen(mon->tx + mon->txOffset);
        gssize done = send(mon->fd, mon->tx + mon->txOffset, len,
                           MSG_DONTWAIT | MSG_NOSIGNAL);

        if (done < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            if (errno == EPIPE || errno == ECONNRESET)
                *eof = true;
            virReportSystemError(errno, "%s", _("Unable to write to monitor"));
            return -1;
        }
        mon->txOffset += done;
        if ((size_t)done == len) {
            g_clear_pointer(&mon->tx, g_free);
            mon->txOffset = 0;
        }
    }
    qemuMonitorUpdateWatchLocked(mon);
    return 0;
}


/* Puts the next queued command on the wire if the line is free. */
static int
qemuMonitorStartNextLocked(qemuMonitor *mon, bool *eof)
{
    qemuMonitorMessage *msg;

    if (mon->failed || mon->closed || mon->inflight || mon->abandonedId ||
        mon->tx)
        return 0;
    if (!(msg = g_queue_pop_head(&mon->queue)))
        return 0;

    VIR_DEBUG("mon=%p send id=%s cmd=%s", mon, msg->id, msg->name);
    mon->inflight = msg;
    mon->tx = g_strdup(msg->text);
    mon->txOffset = 0;
    return qemuMonitorIOWrite(mon, eof);
}


/* ---- failure handling ---- */

/*
 * Marks the monitor failed with the calling thread's last error (which
 * must be set), wakes every waiter and stops watching the socket.
 */
static void
qemuMonitorFailLocked(qemuMonitor *mon, bool eof)
{
    if (mon->failed)
        return;
    mon->failed = true;
    mon->eof = eof;
    if (!mon->lastError) {
        if (!virGetLastError())
            virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                           _("Error while processing monitor IO"));
        mon->lastError = virSaveLastError();
    }
    virResetLastError();
    VIR_DEBUG("mon=%p failed (eof=%d): %s", mon, eof,
              mon->lastError ? mon->lastError->message : "");

    qemuMonitorWakeWaitersLocked(mon);
    if (mon->watch) {
        g_source_destroy(mon->watch);
        g_clear_pointer(&mon->watch, g_source_unref);
    }
}


static void
qemuMonitorWakeWaitersLocked(qemuMonitor *mon)
{
    qemuMonitorMessage *msg;

    if (mon->inflight) {
        mon->inflight->finished = true;
        mon->inflight->failed = true;
        mon->inflight = NULL;
    }
    while ((msg = g_queue_pop_head(&mon->queue))) {
        msg->finished = true;
        msg->failed = true;
    }
    g_cond_broadcast(&mon->cond);
}


/* Calls eofNotify or errorNotify once, after a failure.  Called
 * without the lock. */
static void
qemuMonitorNotifyFailure(qemuMonitor *mon)
{
    void (*notify)(qemuMonitor *mon, void *opaque) = NULL;

    g_mutex_lock(&mon->lock);
    if (mon->failed && !mon->notified) {
        mon->notified = true;
        notify = mon->eof ? mon->cb->eofNotify : mon->cb->errorNotify;
    }
    g_mutex_unlock(&mon->lock);

    if (notify) {
        VIR_DEBUG("mon=%p calling %s", mon, mon->eof ? "eofNotify" : "errorNotify");
        notify(mon, mon->opaque);
    }
}


/* ---- processing received messages (event-loop thread) ---- */

static int
qemuMonitorProcessReply(qemuMonitor *mon, json_object *obj, const char *line,
                        bool *eof)
{
    const char *id = qemuMonitorObjectGetString(obj, "id");

    if (id && mon->inflight && g_str_equal(id, mon->inflight->id)) {
        mon->inflight->reply = json_object_get(obj);
        mon->inflight->finished = true;
        mon->inflight = NULL;
        g_cond_broadcast(&mon->cond);
    } else if (id && mon->abandonedId && g_str_equal(id, mon->abandonedId)) {
        VIR_DEBUG("mon=%p dropping late reply to abandoned command %s",
                  mon, id);
        g_clear_pointer(&mon->abandonedId, g_free);
    } else {
        g_autofree char *quoted = qemuMonitorQuote(line);

        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("Unexpected JSON reply '%1$s'"), quoted);
        return -1;
    }
    return qemuMonitorStartNextLocked(mon, eof);
}


/*
 * Handles one message.  Drops and retakes the lock around event
 * callbacks.  Returns 0 or -1 (reported).
 */
static int
qemuMonitorProcessLine(qemuMonitor *mon, const char *line, bool *eof)
{
    g_autoptr(json_object) obj = NULL;
    g_autofree char *quoted = NULL;

    if (!*line)
        return 0;
    VIR_DEBUG("mon=%p line=%s", mon, line);
    if (!(obj = qemuMonitorParseLine(line)))
        return -1;

    if (json_object_object_get_ex(obj, "event", NULL)) {
        g_mutex_unlock(&mon->lock);
        qemuMonitorEventDispatch(mon, mon->cb, mon->opaque, obj);
        g_mutex_lock(&mon->lock);
        return 0;
    }
    if (json_object_object_get_ex(obj, "return", NULL) ||
        json_object_object_get_ex(obj, "error", NULL))
        return qemuMonitorProcessReply(mon, obj, line, eof);
    if (json_object_object_get_ex(obj, "QMP", NULL)) {
        VIR_DEBUG("mon=%p ignoring repeated greeting", mon);
        return 0;
    }

    quoted = qemuMonitorQuote(line);
    virReportError(VIR_ERR_INTERNAL_ERROR,
                   _("Unknown JSON reply '%1$s'"), quoted);
    return -1;
}


/* Processes every complete line in the receive buffer.  Stops early if
 * the monitor is closed meanwhile.  Returns 0 or -1 (reported). */
static int
qemuMonitorProcessBuffer(qemuMonitor *mon, bool *eof)
{
    int rc;

    while (!mon->closed && !mon->failed) {
        g_autofree char *line = NULL;

        if ((rc = qemuMonitorNextLine(mon, &line)) < 0)
            return -1;
        if (rc == 0)
            break;
        if (qemuMonitorProcessLine(mon, line, eof) < 0)
            return -1;
    }
    qemuMonitorCompactRx(mon);
    return 0;
}


/* Reads what is available and processes it.  Returns 0 or -1 with an
 * error reported (also for end of file, with *eof set). */
static int
qemuMonitorIORead(qemuMonitor *mon, bool *eof)
{
    size_t i;

    for (i = 0; i < QEMU_MONITOR_READS_PER_WAKEUP; i++) {
        gssize got = qemuMonitorRecv(mon, eof);

        if (got == -2)
            return 0;
        if (got < 0)
            return -1;
        if (got == 0) {
            *eof = true;
            virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                           _("End of file from qemu monitor"));
            return -1;
        }
        if (qemuMonitorProcessBuffer(mon, eof) < 0)
            return -1;
        if (mon->closed || mon->failed)
            return 0;
    }
    return 0;
}


static gboolean
qemuMonitorIOCallback(qemuMonitor *mon, GIOCondition cond)
{
    bool eof = false;
    int rc = 0;

    qemuMonitorRef(mon);
    g_mutex_lock(&mon->lock);
    if (mon->closed || mon->failed) {
        g_mutex_unlock(&mon->lock);
        qemuMonitorUnref(mon);
        return G_SOURCE_REMOVE;
    }

    if (cond & G_IO_NVAL) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("Invalid file descriptor while waiting for monitor"));
        rc = -1;
    }
    if (rc == 0 && (cond & G_IO_OUT))
        rc = qemuMonitorIOWrite(mon, &eof);
    if (rc == 0 && (cond & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
        rc = qemuMonitorIORead(mon, &eof);
    if (rc < 0 && !mon->closed)
        qemuMonitorFailLocked(mon, eof);
    else if (rc < 0)
        virResetLastError();
    g_mutex_unlock(&mon->lock);

    qemuMonitorNotifyFailure(mon);
    qemuMonitorUnref(mon);
    return G_SOURCE_CONTINUE;
}


/* ---- the GSource watching the socket ---- */

typedef struct _qemuMonitorSource qemuMonitorSource;
struct _qemuMonitorSource {
    GSource parent;
    qemuMonitor *mon;   /* strong reference */
    gpointer tag;
};


static gboolean
qemuMonitorSourceDispatch(GSource *source, GSourceFunc callback G_GNUC_UNUSED,
                          gpointer data G_GNUC_UNUSED)
{
    qemuMonitorSource *src = (qemuMonitorSource *)source;

    return qemuMonitorIOCallback(src->mon,
                                 g_source_query_unix_fd(source, src->tag));
}


static void
qemuMonitorSourceFinalize(GSource *source)
{
    qemuMonitorUnref(((qemuMonitorSource *)source)->mon);
}


static GSourceFuncs qemuMonitorSourceFuncs = {
    .dispatch = qemuMonitorSourceDispatch,
    .finalize = qemuMonitorSourceFinalize,
};


static void
qemuMonitorKickLocked(qemuMonitor *mon);


/* Attaches the socket watch; the monitor is live from here on. */
static void
qemuMonitorAttach(qemuMonitor *mon)
{
    qemuMonitorSource *src;

    src = (qemuMonitorSource *)g_source_new(&qemuMonitorSourceFuncs,
                                            sizeof(qemuMonitorSource));
    src->mon = qemuMonitorRef(mon);
    src->tag = g_source_add_unix_fd(&src->parent, mon->fd,
                                    G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_name(&src->parent, "qemu-monitor");

    g_mutex_lock(&mon->lock);
    mon->watch = &src->parent;
    mon->watchTag = src->tag;
    g_source_attach(mon->watch, mon->ctx);
    /* The negotiation may have read events that followed the
     * capabilities reply: let the loop process them. */
    qemuMonitorKickLocked(mon);
    g_mutex_unlock(&mon->lock);
}


static gboolean
qemuMonitorKickCallback(gpointer opaque)
{
    qemuMonitor *mon = opaque;
    bool eof = false;

    g_mutex_lock(&mon->lock);
    g_clear_pointer(&mon->kick, g_source_unref);
    if (!mon->closed && !mon->failed &&
        (qemuMonitorProcessBuffer(mon, &eof) < 0 ||
         qemuMonitorStartNextLocked(mon, &eof) < 0)) {
        if (mon->closed)
            virResetLastError();
        else
            qemuMonitorFailLocked(mon, eof);
    }
    g_mutex_unlock(&mon->lock);

    qemuMonitorNotifyFailure(mon);
    return G_SOURCE_REMOVE;
}


/* Makes the event loop run qemuMonitorKickCallback() soon.  Safe from
 * any thread. */
static void
qemuMonitorKickLocked(qemuMonitor *mon)
{
    if (mon->kick || mon->closed)
        return;
    mon->kick = g_idle_source_new();
    g_source_set_priority(mon->kick, G_PRIORITY_DEFAULT);
    g_source_set_callback(mon->kick, qemuMonitorKickCallback,
                          qemuMonitorRef(mon),
                          (GDestroyNotify)qemuMonitorUnref);
    g_source_attach(mon->kick, mon->ctx);
}


/* ---- opening: connection and capabilities negotiation ---- */

static gint64
qemuMonitorDeadline(int timeoutMs)
{
    return g_get_monotonic_time() + (gint64)timeoutMs * G_TIME_SPAN_MILLISECOND;
}


static int
qemuMonitorConnectUnix(const char *path, gint64 deadline)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    if (strlen(path) >= sizeof(addr.sun_path)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("Monitor path %1$s too big for destination"), path);
        return -1;
    }
    memcpy(addr.sun_path, path, strlen(path));

    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int err;

        if (fd < 0) {
            virReportSystemError(errno, "%s", _("failed to create socket"));
            return -1;
        }
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
            return fd;
        err = errno;
        close(fd);

        /* ENOENT: QEMU has not created the socket yet; ECONNREFUSED:
         * a leftover socket QEMU has not replaced yet. */
        if (err != ENOENT && err != ECONNREFUSED && err != EINTR) {
            virReportSystemError(err, "%s",
                                 _("failed to connect to monitor socket"));
            return -1;
        }
        if (g_get_monotonic_time() >= deadline) {
            virReportSystemError(err, "%s", _("monitor socket did not show up"));
            return -1;
        }
        g_usleep(QEMU_MONITOR_CONNECT_RETRY_US);
    }
}


static void
qemuMonitorReportNegotiationTimeout(int timeoutMs)
{
    virReportError(VIR_ERR_OPERATION_TIMEOUT,
                   _("QEMU monitor did not complete the capabilities negotiation within %1$d ms"),
                   timeoutMs);
}


/* Waits until @fd is ready for @events or the deadline passes.
 * Returns 0, or -1 with an error reported. */
static int
qemuMonitorPollSync(int fd, short events, gint64 deadline, int timeoutMs)
{
    struct pollfd pfd = { .fd = fd, .events = events };

    for (;;) {
        gint64 left = deadline - g_get_monotonic_time();
        int rc;

        if (left <= 0) {
            qemuMonitorReportNegotiationTimeout(timeoutMs);
            return -1;
        }
        rc = poll(&pfd, 1, (int)((left + 999) / 1000));
        if (rc > 0)
            return 0;
        if (rc < 0 && errno != EINTR) {
            virReportSystemError(errno, "%s", _("Unable to poll monitor"));
            return -1;
        }
    }
}


/* Reads the next message during negotiation (before the monitor is
 * attached).  Returns the object or NULL (reported). */
static json_object *
qemuMonitorReadSync(qemuMonitor *mon, gint64 deadline, int timeoutMs)
{
    for (;;) {
        g_autofree char *line = NULL;
        bool eof = false;
        gssize got;
        int rc;

        if ((rc = qemuMonitorNextLine(mon, &line)) < 0)
            return NULL;
        if (rc == 1 && *line)
            return qemuMonitorParseLine(line);
        if (rc == 1)
            continue;

        qemuMonitorCompactRx(mon);
        if (qemuMonitorPollSync(mon->fd, POLLIN, deadline, timeoutMs) < 0)
            return NULL;
        if ((got = qemuMonitorRecv(mon, &eof)) == -1)
            return NULL;
        if (got == 0) {
            virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                           _("End of file from qemu monitor"));
            return NULL;
        }
    }
}


static int
qemuMonitorWriteSync(qemuMonitor *mon, const char *text, gint64 deadline,
                     int timeoutMs)
{
    bool eof = false;

    mon->tx = g_strdup(text);
    mon->txOffset = 0;
    while (mon->tx) {
        if (qemuMonitorIOWrite(mon, &eof) < 0)
            return -1;
        if (mon->tx &&
            qemuMonitorPollSync(mon->fd, POLLOUT, deadline, timeoutMs) < 0)
            return -1;
    }
    return 0;
}


static unsigned int
qemuMonitorGreetingNumber(json_object *version, const char *key)
{
    json_object *val;

    if (!json_object_object_get_ex(version, key, &val))
        return 0;
    return json_object_get_int(val);
}


/* Checks the {"QMP": {"version": ...}} greeting and keeps the version. */
static int
qemuMonitorParseGreeting(qemuMonitor *mon, json_object *greeting)
{
    json_object *qmp;
    json_object *version;
    json_object *qemu;
    const char *package;

    if (!json_object_object_get_ex(greeting, "QMP", &qmp) ||
        !json_object_is_type(qmp, json_type_object)) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("QEMU monitor did not send a QMP greeting"));
        return -1;
    }
    if (json_object_object_get_ex(qmp, "version", &version) &&
        json_object_object_get_ex(version, "qemu", &qemu)) {
        mon->major = qemuMonitorGreetingNumber(qemu, "major");
        mon->minor = qemuMonitorGreetingNumber(qemu, "minor");
        mon->micro = qemuMonitorGreetingNumber(qemu, "micro");
        if ((package = qemuMonitorObjectGetString(version, "package"))) {
            g_free(mon->package);
            mon->package = g_strdup(package);
        }
    }
    VIR_DEBUG("mon=%p QEMU %u.%u.%u (%s)", mon, mon->major, mon->minor,
              mon->micro, mon->package);
    return 0;
}


/* A fresh command "id": libvirt's form, which a passed-through command's
 * reply shows its client (qemu-monitor-command). */
static char *
qemuMonitorNextID(qemuMonitor *mon)
{
    return g_strdup_printf("libvirt-%llu", ++mon->nextSerial);
}


/* Sends qmp_capabilities and waits for its reply. */
static int
qemuMonitorNegotiate(qemuMonitor *mon, gint64 deadline, int timeoutMs)
{
    g_autofree char *id = qemuMonitorNextID(mon);
    g_autofree char *text = NULL;

    text = g_strdup_printf("{\"execute\":\"qmp_capabilities\",\"id\":\"%s\"}\r\n",
                           id);
    if (qemuMonitorWriteSync(mon, text, deadline, timeoutMs) < 0)
        return -1;

    for (;;) {
        g_autoptr(json_object) reply = NULL;
        json_object *error;

        if (!(reply = qemuMonitorReadSync(mon, deadline, timeoutMs)))
            return -1;
        if (json_object_object_get_ex(reply, "event", NULL)) {
            VIR_WARN("dropping event received before capabilities negotiation");
            continue;
        }
        if (g_strcmp0(qemuMonitorObjectGetString(reply, "id"), id) != 0) {
            virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                           _("unexpected reply to QEMU command 'qmp_capabilities'"));
            return -1;
        }
        if (json_object_object_get_ex(reply, "error", &error)) {
            const char *desc = qemuMonitorObjectGetString(error, "desc");

            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("unable to execute QEMU command '%1$s': %2$s"),
                           "qmp_capabilities",
                           desc ? desc : _("unknown QEMU command error"));
            return -1;
        }
        return 0;
    }
}


qemuMonitor *
qemuMonitorOpenFD(int fd, int timeoutMs, GMainContext *ctx,
                  const qemuMonitorCallbacks *cb, void *opaque)
{
    gint64 deadline = qemuMonitorDeadline(timeoutMs);
    g_autoptr(qemuMonitor) mon = NULL;
    g_autoptr(json_object) greeting = NULL;

    if (virSetCloseExec(fd) < 0 || virSetNonBlock(fd) < 0) {
        virReportSystemError(errno, "%s",
                             _("Unable to set monitor socket flags"));
        close(fd);
        return NULL;
    }
    /* Until the monitor is attached, failures must not reach the
     * caller's destroy callback: the caller still owns @opaque. */
    mon = qemuMonitorNew(fd, ctx, NULL, opaque);

    if (!(greeting = qemuMonitorReadSync(mon, deadline, timeoutMs)) ||
        qemuMonitorParseGreeting(mon, greeting) < 0 ||
        qemuMonitorNegotiate(mon, deadline, timeoutMs) < 0)
        return NULL;

    mon->cb = cb ? cb : &qemuMonitorNoCallbacks;
    qemuMonitorAttach(mon);
    VIR_DEBUG("mon=%p fd=%d ready", mon, fd);
    return g_steal_pointer(&mon);
}


qemuMonitor *
qemuMonitorOpen(const char *path, int timeoutMs, GMainContext *ctx,
                const qemuMonitorCallbacks *cb, void *opaque)
{
    gint64 start = g_get_monotonic_time();
    int left;
    int fd;

    VIR_DEBUG("path=%s timeout=%d", path, timeoutMs);
    if ((fd = qemuMonitorConnectUnix(path, qemuMonitorDeadline(timeoutMs))) < 0)
        return NULL;

    left = timeoutMs - (int)((g_get_monotonic_time() - start) / 1000);
    return qemuMonitorOpenFD(fd, MAX(left, 1), ctx, cb, opaque);
}


void
qemuMonitorClose(qemuMonitor *mon)
{
    virError *saved = NULL;

    if (!mon)
        return;

    VIR_DEBUG("mon=%p", mon);
    g_mutex_lock(&mon->lock);
    mon->closed = true;
    mon->notified = true;
    if (!mon->lastError &&
        (mon->inflight || !g_queue_is_empty(&mon->queue))) {
        virErrorPreserveLast(&saved);
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("QEMU monitor was closed"));
        mon->lastError = virSaveLastError();
        virErrorRestore(&saved);
    }
    qemuMonitorWakeWaitersLocked(mon);
    if (mon->watch) {
        g_source_destroy(mon->watch);
        g_clear_pointer(&mon->watch, g_source_unref);
    }
    if (mon->kick) {
        g_source_destroy(mon->kick);
        g_clear_pointer(&mon->kick, g_source_unref);
    }
    if (mon->fd >= 0) {
        close(mon->fd);
        mon->fd = -1;
    }
    g_mutex_unlock(&mon->lock);

    qemuMonitorUnref(mon);
}


/* ---- sending commands (worker threads) ---- */

/* A copy of @cmd with "id" set to @id, serialized for the wire. */
static char *
qemuMonitorFormatCommand(json_object *cmd, const char *id)
{
    g_autoptr(json_object) copy = json_object_new_object();
    struct json_object_iter iter;

    json_object_object_foreachC(cmd, iter) {
        if (!g_str_equal(iter.key, "id"))
            json_object_object_add(copy, iter.key, json_object_get(iter.val));
    }
    json_object_object_add(copy, "id", json_object_new_string(id));
    return g_strdup_printf("%s\r\n",
                           json_object_to_json_string_ext(copy,
                                                          JSON_C_TO_STRING_PLAIN |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE));
}


/* Gives up on @msg after its deadline passed.  A command already sent
 * keeps the line busy until its late reply arrives. */
static void
qemuMonitorAbandonLocked(qemuMonitor *mon, qemuMonitorMessage *msg,
                         int timeoutMs)
{
    if (mon->inflight == msg) {
        mon->inflight = NULL;
        mon->abandonedId = g_strdup(msg->id);
    } else {
        g_queue_remove(&mon->queue, msg);
    }
    VIR_WARN("mon=%p command %s (%s) timed out", mon, msg->id, msg->name);
    virReportError(VIR_ERR_OPERATION_TIMEOUT,
                   _("QEMU monitor did not reply to command '%1$s' within %2$d ms"),
                   msg->name, timeoutMs);
}


/* Waits until @msg finishes or its deadline passes.  Returns 0 or -1
 * (reported).  Called and returns with the lock held. */
static int
qemuMonitorWaitLocked(qemuMonitor *mon, qemuMonitorMessage *msg,
                      int timeoutMs)
{
    gint64 deadline = qemuMonitorDeadline(timeoutMs);

    while (!msg->finished) {
        if (timeoutMs < 0) {
            g_cond_wait(&mon->cond, &mon->lock);
        } else if (!g_cond_wait_until(&mon->cond, &mon->lock, deadline) &&
                   !msg->finished) {
            qemuMonitorAbandonLocked(mon, msg, timeoutMs);
            return -1;
        }
    }
    if (msg->failed) {
        virSetError(mon->lastError);
        return -1;
    }
    return 0;
}


static bool
qemuMonitorCanSendLocked(qemuMonitor *mon)
{
    if (mon->lastError) {
        virSetError(mon->lastError);
        return false;
    }
    if (mon->closed || mon->failed) {
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("QEMU monitor was closed"));
        return false;
    }
    return true;
}


int
qemuMonitorSend(qemuMonitor *mon, json_object *cmd, int timeoutMs,
                json_object **reply)
{
    qemuMonitorMessage msg = { 0 };
    g_autofree char *id = NULL;
    int ret = -1;

    *reply = NULL;
    if (!json_object_is_type(cmd, json_type_object)) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("QEMU monitor command must be a JSON object"));
        return -1;
    }
    if (g_main_context_is_owner(mon->ctx)) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("QEMU monitor commands cannot be sent from the event loop thread"));
        return -1;
    }
    msg.name = qemuMonitorObjectGetString(cmd, "execute");
    if (!msg.name)
        msg.name = "<unknown>";

    g_mutex_lock(&mon->lock);
    if (qemuMonitorCanSendLocked(mon)) {
        msg.id = id = qemuMonitorNextID(mon);
        msg.text = qemuMonitorFormatCommand(cmd, id);
        g_queue_push_tail(&mon->queue, &msg);
        qemuMonitorKickLocked(mon);
        ret = qemuMonitorWaitLocked(mon, &msg, timeoutMs);
    }
    g_mutex_unlock(&mon->lock);

    g_free(msg.text);
    if (ret == 0)
        *reply = g_steal_pointer(&msg.reply);
    g_clear_pointer(&msg.reply, json_object_put);
    return ret;
}


int
qemuMonitorSendCommand(qemuMonitor *mon, json_object *cmd,
                       json_object **reply)
{
    int timeoutMs;

    g_mutex_lock(&mon->lock);
    timeoutMs = mon->timeoutMs;
    g_mutex_unlock(&mon->lock);
    return qemuMonitorSend(mon, cmd, timeoutMs, reply);
}


void
qemuMonitorSetCommandTimeout(qemuMonitor *mon, int timeoutMs)
{
    g_mutex_lock(&mon->lock);
    mon->timeoutMs = timeoutMs;
    g_mutex_unlock(&mon->lock);
}


void
qemuMonitorGetVersion(qemuMonitor *mon, unsigned int *major,
                      unsigned int *minor, unsigned int *micro)
{
    *major = mon->major;
    *minor = mon->minor;
    *micro = mon->micro;
}


const char *
qemuMonitorGetPackage(qemuMonitor *mon)
{
    return mon->package;
}


bool
qemuMonitorIsEOF(qemuMonitor *mon)
{
    bool eof;

    g_mutex_lock(&mon->lock);
    eof = mon->eof;
    g_mutex_unlock(&mon->lock);
    return eof;
}
