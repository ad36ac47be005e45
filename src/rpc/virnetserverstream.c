/*
 * virnetserverstream.c: a data stream of the RPC server
 *
 * Threads: the fields under "main thread" are touched only by the
 * thread running the client's context; those under "lock" by anyone
 * holding st->lock.  Other threads (the procedure's worker at start,
 * whoever aborts, whoever drops the last reference on a packet in
 * flight) change the locked state and wake the main thread
 * (virNetServerStreamKick), which does the I/O.  Lock order: the
 * stream's lock is a leaf (the client's lock is never taken under it).
 *
 * References: the caller of Open, the client's filter and close hook,
 * every scheduled wake-up, every source watch and the data packet in
 * flight each hold one.
 */
#include <errno.h>
#include <unistd.h>
#include <glib-unix.h>

#include "virnetserverstream.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STREAMS

VIR_LOG_INIT("rpc.netserverstream");

struct _virNetServerStream {
    gatomicrefcount refs;
    virNetServerClient *client;
    GMainContext *ctx;
    virNetMessageHeader header;   /* program, procedure, serial */
    unsigned int flags;
    size_t maxLength;
    virNetServerStreamEndFunc end;
    void *opaque;
    GDestroyNotify freeOpaque;

    /* main thread */
    int fd;                       /* -1 once the source is done with */
    GSource *inSource;            /* the source is readable */
    GSource *outSource;           /* the source is writable */
    GQueue rx;                    /* virNetMessage from the client */
    size_t rxOffset;              /* bytes of the head already written */
    bool eof;                     /* the source ended (EOF sent) */
    bool closed;                  /* no more I/O; filter removed */
    bool ended;                   /* @end has run */
    int filterId;
    int hookId;

    /* lock */
    GMutex lock;
    bool started;                 /* the procedure's reply is queued */
    bool txBusy;                  /* a data packet is not written yet */
    bool kickScheduled;
    bool abortPending;
    virError *abortErr;           /* NULL: the default error */
};

static void virNetServerStreamKick(virNetServerStream *st);

virNetServerStream *
virNetServerStreamRef(virNetServerStream *st)
{
    g_atomic_ref_count_inc(&st->refs);
    return st;
}

void
virNetServerStreamUnref(virNetServerStream *st)
{
    if (!st || !g_atomic_ref_count_dec(&st->refs))
        return;
    /* the last reference: no source nor filter can remain */
    if (st->fd >= 0)
        close(st->fd);
    g_queue_clear_full(&st->rx, (GDestroyNotify)virNetMessageFree);
    if (st->freeOpaque)
        st->freeOpaque(st->opaque);
    virErrorFree(st->abortErr);
    virNetServerClientUnref(st->client);
    g_main_context_unref(st->ctx);
    g_mutex_clear(&st->lock);
    g_free(st);
}

/* ---- the end ---------------------------------------------------------- */

static void
virNetServerStreamDropSource(GSource **source)
{
    if (!*source)
        return;
    g_source_destroy(*source);
    g_clear_pointer(source, g_source_unref);
}

/* The source is done with: close it, tell the owner (main thread). */
static void
virNetServerStreamEndSource(virNetServerStream *st)
{
    virNetServerStreamDropSource(&st->inSource);
    virNetServerStreamDropSource(&st->outSource);
    if (st->fd >= 0) {
        close(st->fd);
        st->fd = -1;
    }
    if (st->ended)
        return;
    st->ended = true;
    if (st->end)
        st->end(st, st->opaque);
}

/* Stops all I/O of the stream; later packets of the client for it are
 * not ours any more (main thread). */
static void
virNetServerStreamClose(virNetServerStream *st)
{
    g_autoptr(virNetServerStream) ref = virNetServerStreamRef(st);
    virNetMessage *msg;

    if (st->closed)
        return;
    st->closed = true;
    VIR_DEBUG("stream proc=%d serial=%u: closed", st->header.proc,
              st->header.serial);
    virNetServerStreamEndSource(st);
    /* what the client sent and we did not handle still counts */
    while ((msg = g_queue_pop_head(&st->rx))) {
        virNetMessageFree(msg);
        virNetServerClientRequestDone(st->client);
    }
    if (st->filterId > 0)
        virNetServerClientRemoveFilter(st->client, st->filterId);
    st->filterId = 0;
    if (st->hookId > 0)
        virNetServerClientRemoveCloseHook(st->client, st->hookId);
    st->hookId = 0;
}

/* ---- sending ----------------------------------------------------------- */

typedef struct {
    virNetServerStream *st;
    GBytes *packet;
} virNetServerStreamInFlight;

/* A data packet has been written to the client's socket (or dropped with
 * the client): the source may be read again.  Any thread. */
static void
virNetServerStreamPacketDone(gpointer opaque)
{
    virNetServerStreamInFlight *fl = opaque;
    virNetServerStream *st = fl->st;

    g_mutex_lock(&st->lock);
    st->txBusy = false;
    g_mutex_unlock(&st->lock);
    virNetServerStreamKick(st);
    g_bytes_unref(fl->packet);
    virNetServerStreamUnref(st);
    g_free(fl);
}

/* Queues @packet to the client; @flow: the source waits until it has
 * been written.  0, or -1 if the client is gone. */
static int
virNetServerStreamSend(virNetServerStream *st, GBytes *packet, bool flow)
{
    g_autoptr(GBytes) tracked = NULL;
    virNetServerStreamInFlight *fl;
    gsize len;
    const void *data;

    if (!flow)
        return virNetServerClientSendMessage(st->client, packet);
    fl = g_new0(virNetServerStreamInFlight, 1);
    fl->st = virNetServerStreamRef(st);
    fl->packet = g_bytes_ref(packet);
    data = g_bytes_get_data(packet, &len);
    g_mutex_lock(&st->lock);
    st->txBusy = true;
    g_mutex_unlock(&st->lock);
    tracked = g_bytes_new_with_free_func(data, len, virNetServerStreamPacketDone, fl);
    return virNetServerClientSendMessage(st->client, tracked);
}

/* A VIR_NET_STREAM packet of @status with @len bytes of @data. */
static int
virNetServerStreamSendRaw(virNetServerStream *st, int status,
                          const char *data, size_t len)
{
    virNetMessageHeader header = st->header;
    g_autoptr(GBytes) packet = NULL;

    header.status = status;
    if (!(packet = virNetMessageEncodeRaw(&header, data, len, st->maxLength)))
        return -1;
    return virNetServerStreamSend(st, packet, status == VIR_NET_CONTINUE);
}

/* Sends @err (or the thread's last error) as the stream's error and
 * closes the stream, as libvirt does on a failed source. */
static void
virNetServerStreamFail(virNetServerStream *st, const virError *err)
{
    g_autoptr(virError) last = err ? NULL : virSaveLastError();
    g_autoptr(GBytes) packet = NULL;

    if (!err)
        err = last;   /* may be NULL: the encoder says none was set */
    VIR_DEBUG("stream proc=%d serial=%u: %s", st->header.proc,
              st->header.serial, err ? NULLSTR(err->message) : "no error");
    packet = virNetMessageEncodeStreamError(&st->header, err, st->maxLength);
    if (packet)
        virNetServerClientSendMessage(st->client, packet);
    virResetLastError();
    virNetServerStreamClose(st);
}

/* ---- the source -> the client ------------------------------------------ */

static gboolean
virNetServerStreamOnReadable(gint fd, GIOCondition cond, gpointer opaque)
{
    virNetServerStream *st = opaque;
    g_autofree char *buf = g_malloc(VIR_NET_SERVER_STREAM_CHUNK);
    gssize n = read(fd, buf, VIR_NET_SERVER_STREAM_CHUNK);
    int err = n < 0 ? errno : 0;

    if (err == EAGAIN || err == EINTR)
        return G_SOURCE_CONTINUE;
    /* the source is read again once this packet is written */
    g_clear_pointer(&st->inSource, g_source_unref);
    if (n < 0 && err != EIO) {
        virReportSystemError(err, "%s", _("cannot read from the stream's source"));
        virNetServerStreamFail(st, NULL);
        return G_SOURCE_REMOVE;
    }
    if (n > 0) {
        if (virNetServerStreamSendRaw(st, VIR_NET_CONTINUE, buf, n) < 0)
            virNetServerStreamClose(st);
        return G_SOURCE_REMOVE;
    }
    /* end of file; EIO is how a terminal says its other end is gone
     * (the guest stopped): the client sees an empty data packet, and
     * the stream stays until it finishes or aborts */
    VIR_DEBUG("stream proc=%d serial=%u: end of the source",
              st->header.proc, st->header.serial);
    st->eof = true;
    if (virNetServerStreamSendRaw(st, VIR_NET_CONTINUE, "", 0) < 0) {
        virNetServerStreamClose(st);
        return G_SOURCE_REMOVE;
    }
    virNetServerStreamEndSource(st);
    return G_SOURCE_REMOVE;
}

/* ---- the client -> the source ------------------------------------------ */

static void virNetServerStreamProcessRx(virNetServerStream *st);

static gboolean
virNetServerStreamOnWritable(gint fd, GIOCondition cond, gpointer opaque)
{
    virNetServerStream *st = opaque;

    g_clear_pointer(&st->outSource, g_source_unref);
    virNetServerStreamProcessRx(st);
    return G_SOURCE_REMOVE;
}

static GSource *
virNetServerStreamWatch(virNetServerStream *st, GIOCondition cond,
                        GUnixFDSourceFunc func)
{
    GSource *source = g_unix_fd_source_new(st->fd, cond);

    g_source_set_callback(source, (GSourceFunc)(void (*)(void))func,
                          virNetServerStreamRef(st),
                          (GDestroyNotify)virNetServerStreamUnref);
    g_source_attach(source, st->ctx);
    return source;
}

/* Writes the head packet's data: 1 done, 0 would block, -1 failed. */
static int
virNetServerStreamWriteData(virNetServerStream *st, virNetMessage *msg)
{
    size_t len;
    const char *data = virNetMessageRawPayload(msg, &len);

    /* nothing to write to: a source that only sends, or one that ended
     * (a console whose guest stopped); libvirt's blocking readers send
     * empty packets */
    if (st->fd < 0 || !(st->flags & VIR_NET_SERVER_STREAM_RECV))
        return 1;
    while (st->rxOffset < len) {
        gssize n = write(st->fd, data + st->rxOffset, len - st->rxOffset);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            if (!st->outSource)
                st->outSource = virNetServerStreamWatch(st, G_IO_OUT,
                                                        virNetServerStreamOnWritable);
            return 0;
        }
        if (n < 0) {
            virReportSystemError(errno, "%s", _("cannot write to the stream's source"));
            return -1;
        }
        st->rxOffset += n;
    }
    return 1;
}

/* The client finished (VIR_NET_OK) or aborted (VIR_NET_ERROR) the
 * stream: both are confirmed with an empty VIR_NET_OK packet, as
 * libvirt's daemon does; any other status is refused. */
static void
virNetServerStreamHandleClose(virNetServerStream *st, virNetMessage *msg)
{
    if (msg->header.status != VIR_NET_OK && msg->header.status != VIR_NET_ERROR) {
        g_autoptr(virError) err = NULL;
        g_autoptr(GBytes) packet = NULL;

        virReportError(VIR_ERR_RPC, _("stream aborted with unexpected status %1$d"),
                       msg->header.status);
        err = virSaveLastError();
        virResetLastError();
        if ((packet = virNetMessageEncodeError(&msg->header, err, st->maxLength)))
            virNetServerClientSendMessage(st->client, packet);
    } else {
        VIR_DEBUG("stream proc=%d serial=%u: %s by the client", st->header.proc,
                  st->header.serial,
                  msg->header.status == VIR_NET_OK ? "finished" : "aborted");
        virNetServerStreamEndSource(st);
        virNetServerStreamSendRaw(st, VIR_NET_OK, NULL, 0);
    }
    virNetServerStreamClose(st);
}

/* Handles the client's packets in order (main thread). */
static void
virNetServerStreamProcessRx(virNetServerStream *st)
{
    g_autoptr(virNetServerStream) ref = virNetServerStreamRef(st);
    virNetMessage *msg;

    while (!st->closed && (msg = g_queue_peek_head(&st->rx))) {
        int rc;

        if (msg->header.type != VIR_NET_STREAM) {
            /* holes only on sparse streams, which these are not: libvirt
             * drops the client */
            VIR_WARN("client %" G_GUINT64_FORMAT ": unexpected stream hole",
                     virNetServerClientGetID(st->client));
            virNetServerStreamClose(st);
            virNetServerClientClose(st->client);
            return;
        }
        if (msg->header.status != VIR_NET_CONTINUE) {
            g_queue_pop_head(&st->rx);
            virNetServerStreamHandleClose(st, msg);
            virNetMessageFree(msg);
            virNetServerClientRequestDone(st->client);
            return;
        }
        if ((rc = virNetServerStreamWriteData(st, msg)) == 0)
            return;
        if (rc < 0) {
            virNetServerStreamFail(st, NULL);
            return;
        }
        g_queue_pop_head(&st->rx);
        st->rxOffset = 0;
        virNetMessageFree(msg);
        virNetServerClientRequestDone(st->client);
    }
}

/* The client's packets for this stream (main thread). */
static bool
virNetServerStreamFilter(virNetServerClient *client, virNetMessage *msg,
                         void *opaque)
{
    virNetServerStream *st = opaque;
    const virNetMessageHeader *h = &msg->header;
    bool started;

    if ((h->type != VIR_NET_STREAM && h->type != VIR_NET_STREAM_HOLE) ||
        h->prog != st->header.prog || h->vers != st->header.vers ||
        h->proc != st->header.proc || h->serial != st->header.serial ||
        st->closed)
        return false;
    g_queue_push_tail(&st->rx, msg);
    g_mutex_lock(&st->lock);
    started = st->started;
    g_mutex_unlock(&st->lock);
    if (started)
        virNetServerStreamProcessRx(st);
    return true;
}

/* ---- state changes from other threads ----------------------------------- */

static void
virNetServerStreamApplyAbort(virNetServerStream *st)
{
    g_autoptr(virError) err = NULL;

    g_mutex_lock(&st->lock);
    err = g_steal_pointer(&st->abortErr);
    g_mutex_unlock(&st->lock);
    if (!err) {
        virReportError(VIR_ERR_RPC, "%s", _("stream had I/O failure"));
        err = virSaveLastError();
        virResetLastError();
    }
    virNetServerStreamFail(st, err);
}

/* Brings the sources in line with the state (main thread). */
static gboolean
virNetServerStreamOnKick(gpointer opaque)
{
    virNetServerStream *st = opaque;
    bool started, busy, abort;

    g_mutex_lock(&st->lock);
    st->kickScheduled = false;
    started = st->started;
    busy = st->txBusy;
    abort = st->abortPending;
    g_mutex_unlock(&st->lock);

    if (st->closed || !started)
        return G_SOURCE_REMOVE;
    if (abort) {
        virNetServerStreamApplyAbort(st);
        return G_SOURCE_REMOVE;
    }
    if ((st->flags & VIR_NET_SERVER_STREAM_SEND) && st->fd >= 0 &&
        !st->eof && !busy && !st->inSource) {
        st->inSource = virNetServerStreamWatch(st, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                               virNetServerStreamOnReadable);
    }
    if (!st->outSource)
        virNetServerStreamProcessRx(st);
    return G_SOURCE_REMOVE;
}

/* Asks the main thread to look at the stream again (any thread). */
static void
virNetServerStreamKick(virNetServerStream *st)
{
    GSource *source;

    g_mutex_lock(&st->lock);
    if (st->kickScheduled) {
        g_mutex_unlock(&st->lock);
        return;
    }
    st->kickScheduled = true;
    g_mutex_unlock(&st->lock);
    source = g_idle_source_new();
    g_source_set_priority(source, G_PRIORITY_DEFAULT);
    g_source_set_callback(source, virNetServerStreamOnKick,
                          virNetServerStreamRef(st),
                          (GDestroyNotify)virNetServerStreamUnref);
    g_source_attach(source, st->ctx);
    g_source_unref(source);
}

void
virNetServerStreamAbort(virNetServerStream *st, const virError *err)
{
    g_mutex_lock(&st->lock);
    if (!st->abortPending) {
        st->abortPending = true;
        st->abortErr = err ? virErrorCopy(err) : NULL;
    }
    g_mutex_unlock(&st->lock);
    virNetServerStreamKick(st);
}

/* ---- opening ------------------------------------------------------------- */

/* The procedure's reply is queued: start reading the source (its worker). */
static void
virNetServerStreamStart(virNetServerClient *client, void *opaque)
{
    virNetServerStream *st = opaque;

    g_mutex_lock(&st->lock);
    st->started = true;
    g_mutex_unlock(&st->lock);
    virNetServerStreamKick(st);
}

/* The client went away (main thread): the source closes quietly. */
static void
virNetServerStreamClientClosed(virNetServerClient *client, void *opaque)
{
    virNetServerStream *st = opaque;

    st->hookId = 0;
    virNetServerStreamClose(st);
}

virNetServerStream *
virNetServerStreamOpen(virNetServerClient *client,
                       const virNetMessageHeader *call, int fd,
                       unsigned int flags, virNetServerStreamEndFunc end,
                       void *opaque, GDestroyNotify freeOpaque)
{
    virNetServerStream *st = g_new0(virNetServerStream, 1);

    g_atomic_ref_count_init(&st->refs);
    g_mutex_init(&st->lock);
    g_queue_init(&st->rx);
    st->client = virNetServerClientRef(client);
    st->ctx = g_main_context_ref(virNetServerClientGetContext(client));
    st->header = *call;
    st->header.type = VIR_NET_STREAM;
    st->header.status = VIR_NET_CONTINUE;
    st->flags = flags;
    st->maxLength = virNetServerClientGetMaxLength(client);
    st->fd = fd;
    st->end = end;
    st->opaque = opaque;
    st->freeOpaque = freeOpaque;

    if (!g_unix_set_fd_nonblocking(fd, TRUE, NULL)) {
        virReportSystemError(errno, "%s", _("cannot make the stream's source non-blocking"));
        goto error;
    }
    st->filterId = virNetServerClientAddFilter(client, virNetServerStreamFilter,
                                               virNetServerStreamRef(st),
                                               (GDestroyNotify)virNetServerStreamUnref);
    if (st->filterId < 0) {
        virNetServerStreamUnref(st);
        goto gone;
    }
    st->hookId = virNetServerClientAddCloseHook(client, virNetServerStreamClientClosed,
                                                virNetServerStreamRef(st),
                                                (GDestroyNotify)virNetServerStreamUnref);
    if (st->hookId < 0) {
        /* the filter goes with the client's teardown */
        st->filterId = 0;
        virNetServerStreamUnref(st);
        goto gone;
    }
    virNetServerClientAfterReply(client, virNetServerStreamStart,
                                 virNetServerStreamRef(st),
                                 (GDestroyNotify)virNetServerStreamUnref);
    VIR_DEBUG("client %" G_GUINT64_FORMAT ": stream proc=%d serial=%u opened",
              virNetServerClientGetID(client), call->proc, call->serial);
    return st;

 gone:
    virReportError(VIR_ERR_RPC, "%s", _("client has closed its connection"));
 error:
    st->closed = true;
    st->ended = true;
    virNetServerStreamUnref(st);
    return NULL;
}
