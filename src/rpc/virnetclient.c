/*
 * virnetclient.c: the client side of libvirt's RPC protocol
 *
 * Threads: the "rpc-client" thread runs client->ctx and is the only one
 * touching the stream and the GSources.  Callers only queue packets and
 * wait on client->cond; everything shared lives under client->lock, a
 * leaf lock (docs/locking.md).
 */
#include <errno.h>
#include <string.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

#include "virnetclient.h"
#include "virnettransport.h"
#include "virkeepalive.h"
#include "virkeepaliveprotocol.h"
#include "virlog.h"
#include "virsocket.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.netclient");

/* Reads per readable wakeup of the I/O thread. */
#define VIR_NET_CLIENT_READ_BURST 64

/* A call waiting for its reply (on the caller's stack). */
typedef struct {
    unsigned int serial;
    virNetMessage *reply;       /* set by the I/O thread */
} virNetClientPending;

struct _virNetClient {
    char *name;
    size_t maxLength;           /* largest packet, length word included */
    GSocketConnection *conn;
    GSocket *sock;              /* conn's, non-blocking: for watches */
    virNetTransport *transport; /* the byte stream over it (TLS or not) */
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;

    GMutex lock;
    GCond cond;
    /* under lock */
    bool closed;
    virError *closeError;
    unsigned int serial;
    GSList *pending;            /* virNetClientPending */
    GQueue outq;                /* GBytes, packets to send */
    size_t outOffset;           /* bytes of the head already sent */
    virKeepAlive ka;
    virNetClientCloseFunc closeFunc;
    void *closeOpaque;

    /* I/O thread only */
    GSource *inSource;
    GSource *outSource;
    GSource *kaSource;
    char lenbuf[VIR_NET_MESSAGE_LEN_MAX];
    char *rxbuf;                /* the packet being received */
    size_t rxlen;               /* bytes received of it */
    size_t rxwant;              /* its length, 0 until the length word is in */
};

virNetClientConfig
virNetClientDefaultConfig(void)
{
    virNetClientConfig cfg = {
        .maxMessage = VIR_NET_MESSAGE_MAX,
        .connectTimeout = 10,
    };

    return cfg;
}

const char *
virNetClientName(const virNetClient *client)
{
    return client->name;
}

static void
virNetClientSourceClear(GSource **source)
{
    if (!*source)
        return;
    g_source_destroy(*source);
    g_source_unref(*source);
    *source = NULL;
}

/* Calls the close callback, once, without the lock. */
static gboolean
virNetClientIONotifyClose(gpointer opaque)
{
    virNetClient *client = opaque;
    virNetClientCloseFunc func;
    void *funcOpaque;
    g_autoptr(virError) reason = NULL;

    g_mutex_lock(&client->lock);
    func = g_steal_pointer(&client->closeFunc);
    funcOpaque = client->closeOpaque;
    if (client->closeError)
        reason = virErrorCopy(client->closeError);
    g_mutex_unlock(&client->lock);
    if (func)
        func(client, reason, funcOpaque);
    return G_SOURCE_REMOVE;
}

/* Runs @func(@client) on the I/O thread as soon as it is free. */
static void
virNetClientRunSoon(virNetClient *client, GSourceFunc func)
{
    GSource *source = g_idle_source_new();

    g_source_set_callback(source, func, client, NULL);
    g_source_attach(source, client->ctx);
    g_source_unref(source);
}

/* Marks the connection closed with the thread's last error as the
 * reason, and wakes every waiting caller.  Lock held. */
static void
virNetClientCloseLocked(virNetClient *client)
{
    if (client->closed)
        return;
    client->closed = true;
    client->closeError = virSaveLastError();
    virResetLastError();
    VIR_DEBUG("connection to %s closed: %s", client->name,
              client->closeError ? client->closeError->message : "");
    virNetClientSourceClear(&client->inSource);
    virNetClientSourceClear(&client->outSource);
    virNetClientSourceClear(&client->kaSource);
    g_cond_broadcast(&client->cond);
    virNetClientRunSoon(client, virNetClientIONotifyClose);
}

/* ---- I/O thread: output ------------------------------------------------- */

static gboolean virNetClientIOWritable(GSocket *sock, GIOCondition cond,
                                       gpointer opaque);

/* Moves bytes through the transport's layers: the count, or -1 with
 * errno EAGAIN (would block) or with the connection marked broken
 * (lock held). */
static gssize
virNetClientIOTransfer(virNetClient *client, char *buf, size_t len, bool out)
{
    gssize n = out ? virNetTransportWrite(client->transport, buf, len)
                   : virNetTransportRead(client->transport, buf, len);

    if (n < 0 && errno != EAGAIN) {
        g_autofree char *why = g_strdup(virGetLastErrorMessage());

        virResetLastError();
        virReportError(VIR_ERR_RPC, _("connection to %1$s broken: %2$s"),
                       client->name, why);
        virNetClientCloseLocked(client);
        errno = EIO;
    }
    return n;
}

static GSource *
virNetClientIOWatch(virNetClient *client, GIOCondition cond,
                    GSocketSourceFunc func)
{
    return virSocketWatch(client->sock, cond, func, client, client->ctx);
}

/* Writes what the socket takes; watches for writability if more is
 * left.  Lock held. */
static void
virNetClientIOFlushLocked(virNetClient *client)
{
    while (!client->closed && !g_queue_is_empty(&client->outq)) {
        GBytes *head = g_queue_peek_head(&client->outq);
        gsize len;
        const char *data = g_bytes_get_data(head, &len);
        gssize n = virNetClientIOTransfer(client, (char *)data + client->outOffset,
                                          len - client->outOffset, true);

        if (n < 0 && errno == EAGAIN) {
            if (!client->outSource)
                client->outSource = virNetClientIOWatch(client, G_IO_OUT,
                                                        virNetClientIOWritable);
            return;
        }
        if (n < 0)
            return;
        client->outOffset += n;
        if (client->outOffset == len) {
            g_bytes_unref(g_queue_pop_head(&client->outq));
            client->outOffset = 0;
        }
    }
    virNetClientSourceClear(&client->outSource);
}

static gboolean
virNetClientIOWritable(GSocket *sock G_GNUC_UNUSED, GIOCondition cond G_GNUC_UNUSED,
                       gpointer opaque)
{
    virNetClient *client = opaque;

    g_mutex_lock(&client->lock);
    /* the flush removes this source once the queue is empty */
    virNetClientIOFlushLocked(client);
    g_mutex_unlock(&client->lock);
    return G_SOURCE_CONTINUE;
}

/* ---- I/O thread: keepalive ---------------------------------------------- */

static void virNetClientKeepAliveArmLocked(virNetClient *client, gint64 next);

static gboolean
virNetClientKeepAliveTimer(gpointer opaque)
{
    virNetClient *client = opaque;
    gint64 next = 0;

    g_mutex_lock(&client->lock);
    virNetClientSourceClear(&client->kaSource);
    switch (virKeepAliveCheck(&client->ka, g_get_monotonic_time(), &next)) {
    case VIR_KEEPALIVE_SEND_PING:
        g_queue_push_tail(&client->outq, virKeepAliveMessageNew(KEEPALIVE_PROC_PING));
        virNetClientIOFlushLocked(client);
        G_GNUC_FALLTHROUGH;
    case VIR_KEEPALIVE_WAIT:
        virNetClientKeepAliveArmLocked(client, next);
        break;
    case VIR_KEEPALIVE_DEAD:
        virReportError(VIR_ERR_RPC,
                       _("connection to %1$s closed: no answer to %2$u keepalive messages in %3$d seconds"),
                       client->name, client->ka.count,
                       (int)(client->ka.interval * (client->ka.count + 1)));
        virNetClientCloseLocked(client);
        break;
    }
    g_mutex_unlock(&client->lock);
    return G_SOURCE_REMOVE;
}

/* (Re)schedules the keepalive check at @next (monotonic us).  Lock held. */
static void
virNetClientKeepAliveArmLocked(virNetClient *client, gint64 next)
{
    gint64 delay;

    virNetClientSourceClear(&client->kaSource);
    if (client->closed || next == G_MAXINT64)
        return;
    delay = MAX(next - g_get_monotonic_time(), 0) / 1000;
    client->kaSource = g_timeout_source_new((guint)MIN(delay, G_MAXUINT));
    g_source_set_callback(client->kaSource, virNetClientKeepAliveTimer,
                          client, NULL);
    g_source_attach(client->kaSource, client->ctx);
}

/* ---- I/O thread: input -------------------------------------------------- */

/* One complete packet from the peer (ownership taken).  Lock held. */
static void
virNetClientIODispatchLocked(virNetClient *client, virNetMessage *msg)
{
    GSList *l;

    if (virNetMessageDecodeHeader(msg) < 0) {
        virNetMessageFree(msg);
        virNetClientCloseLocked(client);
        return;
    }
    virKeepAliveReceived(&client->ka, g_get_monotonic_time());
    if (virKeepAliveIsMessage(&msg->header)) {
        if (msg->header.proc == KEEPALIVE_PROC_PING) {
            g_queue_push_tail(&client->outq,
                              virKeepAliveMessageNew(KEEPALIVE_PROC_PONG));
            virNetClientIOFlushLocked(client);
        }
        virNetMessageFree(msg);
        return;
    }
    if (msg->header.type == VIR_NET_REPLY) {
        for (l = client->pending; l; l = l->next) {
            virNetClientPending *call = l->data;

            if (call->serial == msg->header.serial && !call->reply) {
                call->reply = msg;
                g_cond_broadcast(&client->cond);
                return;
            }
        }
    }
    /* events (we registered for none), replies nobody waits for anymore */
    VIR_DEBUG("dropping packet type %d proc %d serial %u from %s",
              msg->header.type, msg->header.proc, msg->header.serial,
              client->name);
    virNetMessageFree(msg);
}

/* The length word is in: checks it and allocates the packet.  Lock held. */
static int
virNetClientIOStartPacketLocked(virNetClient *client)
{
    guint32 be;
    guint32 len;

    memcpy(&be, client->lenbuf, sizeof(be));
    len = GUINT32_FROM_BE(be);
    if (len > client->maxLength) {
        virReportError(VIR_ERR_RPC,
                       _("packet of %1$u bytes received from %2$s is larger than the limit of %3$zu bytes"),
                       len, client->name, client->maxLength);
        return -1;
    }
    if (len < VIR_NET_MESSAGE_MIN_LEN) {
        virReportError(VIR_ERR_RPC,
                       _("packet of %1$u bytes received from %2$s is too small"),
                       len, client->name);
        return -1;
    }
    client->rxwant = len;
    client->rxbuf = g_malloc(len);
    memcpy(client->rxbuf, client->lenbuf, sizeof(client->lenbuf));
    return 0;
}

/* Reads what is available: 1 if more may come, 0 would block, -1 closed. */
static int
virNetClientIOReadLocked(virNetClient *client)
{
    char *buf = client->rxwant ? client->rxbuf : client->lenbuf;
    size_t want = client->rxwant ? client->rxwant : sizeof(client->lenbuf);
    gssize n = virNetClientIOTransfer(client, buf + client->rxlen,
                                      want - client->rxlen, false);

    if (n < 0)
        return errno == EAGAIN ? 0 : -1;
    if (n == 0) {
        virReportError(VIR_ERR_RPC, _("connection to %1$s closed by the peer"),
                       client->name);
        virNetClientCloseLocked(client);
        return -1;
    }
    client->rxlen += n;
    if (client->rxlen < want)
        return 1;
    if (!client->rxwant) {
        if (virNetClientIOStartPacketLocked(client) < 0) {
            virNetClientCloseLocked(client);
            return -1;
        }
        return 1;
    }
    virNetClientIODispatchLocked(client,
                                 virNetMessageNew(g_steal_pointer(&client->rxbuf),
                                                  client->rxwant));
    client->rxlen = 0;
    client->rxwant = 0;
    return client->closed ? -1 : 1;
}

static gboolean virNetClientIOReadPending(gpointer opaque);

static gboolean
virNetClientIOReadable(GSocket *sock G_GNUC_UNUSED, GIOCondition cond G_GNUC_UNUSED,
                       gpointer opaque)
{
    virNetClient *client = opaque;
    size_t reads = 0;
    int rc = 1;

    g_mutex_lock(&client->lock);
    /* bounded, so that a flooding peer cannot starve the keepalive
     * timer or keep callers off the lock; the source fires again */
    while (reads++ < VIR_NET_CLIENT_READ_BURST &&
           (rc = virNetClientIOReadLocked(client)) > 0)
        ;
    /* what TLS already decrypted does not make the socket readable */
    if (rc > 0 && virNetTransportHasPending(client->transport))
        virNetClientRunSoon(client, virNetClientIOReadPending);
    g_mutex_unlock(&client->lock);
    /* a closed client has already destroyed this source */
    return G_SOURCE_CONTINUE;
}

static gboolean
virNetClientIOReadPending(gpointer opaque)
{
    virNetClient *client = opaque;
    bool open;

    g_mutex_lock(&client->lock);
    open = !client->closed;
    g_mutex_unlock(&client->lock);
    if (open)
        virNetClientIOReadable(client->sock, G_IO_IN, client);
    return G_SOURCE_REMOVE;
}

/* Runs on the I/O thread when a caller queued output or started
 * keepalive. */
static gboolean
virNetClientIOWake(gpointer opaque)
{
    virNetClient *client = opaque;

    g_mutex_lock(&client->lock);
    virNetClientIOFlushLocked(client);
    if (client->ka.started && !client->kaSource && !client->closed)
        virNetClientKeepAliveArmLocked(client, g_get_monotonic_time());
    g_mutex_unlock(&client->lock);
    return G_SOURCE_REMOVE;
}

static gpointer
virNetClientIOThread(gpointer opaque)
{
    virNetClient *client = opaque;

    g_main_context_push_thread_default(client->ctx);
    g_main_loop_run(client->loop);
    g_main_context_pop_thread_default(client->ctx);
    return NULL;
}

/* ---- connection --------------------------------------------------------- */

/* Waits until @sock is ready for @cond or @deadline (monotonic us,
 * G_MAXINT64: none) passes; false (reported) on timeout. */
static bool
virNetClientWaitSocket(GSocket *sock, GIOCondition cond, gint64 deadline,
                       const char *name)
{
    gint64 left = deadline == G_MAXINT64 ? -1
                                         : MAX(deadline - g_get_monotonic_time(), 0);
    g_autoptr(GError) err = NULL;

    if (g_socket_condition_timed_wait(sock, cond, left, NULL, &err))
        return true;
    virReportError(VIR_ERR_SYSTEM_ERROR,
                   _("TLS handshake with '%1$s' failed: %2$s"), name,
                   err->message);
    return false;
}

/* The TLS handshake, then libvirtd's confirmation byte: the server sends
 * 1 once it accepted our certificate and closes the connection
 * otherwise.  Blocking (the caller's thread), bounded by the connect
 * timeout.  0 or -1 (reported). */
static virNetTLSSession *
virNetClientTLSHandshake(virNetClient *client, virNetTLSContext *ctx,
                         const char *hostname, unsigned int timeout)
{
    gint64 deadline = timeout ? g_get_monotonic_time() + timeout * G_USEC_PER_SEC
                              : G_MAXINT64;
    g_autoptr(virNetTLSSession) tls = NULL;
    GIOCondition want = G_IO_IN;
    char confirm = 0;
    ssize_t n;
    int rc;

    if (!(tls = virNetTLSSessionNew(ctx, g_socket_get_fd(client->sock), hostname)))
        return NULL;
    while ((rc = virNetTLSSessionHandshake(tls, &want)) == 0) {
        if (!virNetClientWaitSocket(client->sock, want, deadline, client->name))
            return NULL;
    }
    if (rc < 0)
        return NULL;
    while ((n = virNetTLSSessionRead(tls, &confirm, 1)) < 0 && errno == EAGAIN) {
        if (!virNetClientWaitSocket(client->sock, G_IO_IN, deadline, client->name))
            return NULL;
    }
    if (n != 1 || confirm != 1) {
        virResetLastError();
        virReportError(VIR_ERR_RPC,
                       _("server %1$s refused the TLS connection (our certificate?)"),
                       client->name);
        return NULL;
    }
    return g_steal_pointer(&tls);
}

static virNetClient *
virNetClientNew(GSocketConnectable *addr, const char *name,
                const char *hostname, const virNetClientConfig *cfg)
{
    g_autoptr(GSocketClient) sc = g_socket_client_new();
    g_autoptr(GSocketConnection) conn = NULL;
    g_autoptr(GError) err = NULL;
    virNetTLSSession *tls = NULL;
    virNetClient *client;

    g_socket_client_set_timeout(sc, cfg->connectTimeout);
    if (!(conn = g_socket_client_connect(sc, addr, NULL, &err))) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       _("unable to connect to server at '%1$s': %2$s"),
                       name, err->message);
        return NULL;
    }

    client = g_new0(virNetClient, 1);
    client->name = g_strdup(name);
    client->maxLength = virNetMessageMaxLength(cfg->maxMessage);
    client->conn = g_steal_pointer(&conn);
    client->sock = g_socket_connection_get_socket(client->conn);
    /* the connect timeout must not turn into an I/O timeout */
    g_socket_set_timeout(client->sock, 0);
    g_socket_set_blocking(client->sock, FALSE);
    if (cfg->tls &&
        !(tls = virNetClientTLSHandshake(client, cfg->tls, hostname,
                                         cfg->connectTimeout))) {
        g_object_unref(client->conn);
        g_free(client->name);
        g_free(client);
        return NULL;
    }
    client->transport = virNetTransportNew(client->sock, tls, name);
    g_mutex_init(&client->lock);
    g_cond_init(&client->cond);
    g_queue_init(&client->outq);
    virKeepAliveInit(&client->ka, 0, 0);
    client->ctx = g_main_context_new();
    client->loop = g_main_loop_new(client->ctx, FALSE);
    client->inSource = virNetClientIOWatch(client, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                           virNetClientIOReadable);
    client->thread = g_thread_new("rpc-client", virNetClientIOThread, client);
    VIR_DEBUG("connected to %s%s", name, tls ? " (TLS)" : "");
    return client;
}

virNetClient *
virNetClientNewUnix(const char *path, const virNetClientConfig *cfg)
{
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
    g_autofree char *name = g_strdup_printf("unix:%s", path);

    return virNetClientNew(G_SOCKET_CONNECTABLE(addr), name, NULL, cfg);
}

virNetClient *
virNetClientNewTCP(const char *host, unsigned int port,
                   const virNetClientConfig *cfg)
{
    g_autoptr(GSocketConnectable) addr = NULL;
    g_autofree char *name = NULL;

    if (port == 0 || port > 65535) {
        virReportError(VIR_ERR_INVALID_ARG, _("invalid port %1$u"), port);
        return NULL;
    }
    addr = g_network_address_new(host, (guint16)port);
    name = strchr(host, ':') ? g_strdup_printf("[%s]:%u", host, port)
                             : g_strdup_printf("%s:%u", host, port);
    return virNetClientNew(addr, name, host, cfg);
}

void
virNetClientFree(virNetClient *client)
{
    if (!client)
        return;
    g_main_loop_quit(client->loop);
    g_thread_join(client->thread);
    g_mutex_lock(&client->lock);
    virNetClientSourceClear(&client->inSource);
    virNetClientSourceClear(&client->outSource);
    virNetClientSourceClear(&client->kaSource);
    g_mutex_unlock(&client->lock);
    virNetTransportFree(client->transport);
    g_io_stream_close(G_IO_STREAM(client->conn), NULL, NULL);
    g_object_unref(client->conn);
    g_queue_clear_full(&client->outq, (GDestroyNotify)g_bytes_unref);
    g_slist_free(client->pending);
    virErrorFree(client->closeError);
    g_free(client->rxbuf);
    g_main_loop_unref(client->loop);
    g_main_context_unref(client->ctx);
    g_mutex_clear(&client->lock);
    g_cond_clear(&client->cond);
    g_free(client->name);
    g_free(client);
}

void
virNetClientKeepAliveStart(virNetClient *client, int interval,
                           unsigned int count)
{
    g_mutex_lock(&client->lock);
    virKeepAliveInit(&client->ka, interval, count);
    virKeepAliveStart(&client->ka, g_get_monotonic_time());
    g_mutex_unlock(&client->lock);
    virNetClientRunSoon(client, virNetClientIOWake);
}

void
virNetClientSetCloseCallback(virNetClient *client, virNetClientCloseFunc func,
                             void *opaque)
{
    g_mutex_lock(&client->lock);
    client->closeFunc = func;
    client->closeOpaque = opaque;
    if (client->closed && func)
        virNetClientRunSoon(client, virNetClientIONotifyClose);
    g_mutex_unlock(&client->lock);
}

bool
virNetClientIsOpen(virNetClient *client)
{
    bool open;

    g_mutex_lock(&client->lock);
    open = !client->closed;
    g_mutex_unlock(&client->lock);
    return open;
}

virError *
virNetClientGetCloseError(virNetClient *client)
{
    virError *err = NULL;

    g_mutex_lock(&client->lock);
    if (client->closed)
        err = client->closeError ? virErrorCopy(client->closeError) : g_new0(virError, 1);
    g_mutex_unlock(&client->lock);
    return err;
}

/* ---- calls -------------------------------------------------------------- */

/* Sets the error a call on a closed connection fails with.  Lock held. */
static void
virNetClientReportClosedLocked(virNetClient *client)
{
    if (client->closeError)
        virSetError(client->closeError);
    else
        virReportError(VIR_ERR_RPC, _("connection to %1$s is closed"),
                       client->name);
}

/* Queues @packet (ownership taken) and waits for the reply to @serial.
 * The reply, or NULL with the error set. */
static virNetMessage *
virNetClientSendAndWait(virNetClient *client, unsigned int serial,
                        GBytes *packet, int proc, int timeoutMs)
{
    virNetClientPending call = { serial, NULL };
    gint64 deadline = timeoutMs > 0 ?
        g_get_monotonic_time() + (gint64)timeoutMs * 1000 : G_MAXINT64;

    g_mutex_lock(&client->lock);
    if (client->closed) {
        virNetClientReportClosedLocked(client);
        g_mutex_unlock(&client->lock);
        g_bytes_unref(packet);
        return NULL;
    }
    client->pending = g_slist_prepend(client->pending, &call);
    g_queue_push_tail(&client->outq, packet);
    virNetClientRunSoon(client, virNetClientIOWake);
    while (!call.reply && !client->closed) {
        if (deadline == G_MAXINT64)
            g_cond_wait(&client->cond, &client->lock);
        else if (!g_cond_wait_until(&client->cond, &client->lock, deadline))
            break;
    }
    client->pending = g_slist_remove(client->pending, &call);
    if (!call.reply && client->closed)
        virNetClientReportClosedLocked(client);
    else if (!call.reply)
        virReportError(VIR_ERR_OPERATION_TIMEOUT,
                       _("no reply to procedure %1$d from %2$s in %3$d ms"),
                       proc, client->name, timeoutMs);
    g_mutex_unlock(&client->lock);
    return call.reply;
}

/* Decodes @reply into @ret, or installs the peer's error. */
static int
virNetClientDecodeReply(virNetClient *client, const virNetMessage *reply,
                        xdrproc_t retFilter, void *ret)
{
    g_autoptr(virError) err = NULL;

    switch (reply->header.status) {
    case VIR_NET_OK:
        return virNetMessageDecodePayload(reply,
                                          retFilter ? retFilter :
                                          (xdrproc_t)virNetMessageXdrVoid, ret);
    case VIR_NET_ERROR:
        if (!(err = virNetMessageDecodeError(reply)))
            return -1;
        virSetError(err);
        return -1;
    case VIR_NET_CONTINUE:
    default:
        virReportError(VIR_ERR_RPC,
                       _("unexpected reply status %1$d from %2$s"),
                       reply->header.status, client->name);
        return -1;
    }
}

int
virNetClientCall(virNetClient *client, int prog, int vers, int proc,
                 xdrproc_t argsFilter, void *args,
                 xdrproc_t retFilter, void *ret, int timeoutMs)
{
    virNetMessageHeader header = {
        .prog = prog, .vers = vers, .proc = proc,
        .type = VIR_NET_CALL, .status = VIR_NET_OK,
    };
    g_autoptr(virNetMessage) reply = NULL;
    GBytes *packet;

    g_mutex_lock(&client->lock);
    header.serial = ++client->serial;
    g_mutex_unlock(&client->lock);
    if (!(packet = virNetMessageEncode(&header, argsFilter, args,
                                       client->maxLength)))
        return -1;
    if (!(reply = virNetClientSendAndWait(client, header.serial, packet, proc,
                                          timeoutMs)))
        return -1;
    if (reply->header.prog != (unsigned int)prog ||
        reply->header.proc != proc) {
        virReportError(VIR_ERR_RPC,
                       _("reply from %1$s to serial %2$u is for program %3$u procedure %4$d"),
                       client->name, header.serial, reply->header.prog,
                       reply->header.proc);
        return -1;
    }
    return virNetClientDecodeReply(client, reply, retFilter, ret);
}
