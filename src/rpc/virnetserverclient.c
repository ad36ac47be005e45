/*
 * virnetserverclient.c: one client connection of the RPC server
 *
 * Threads: the fields under "main thread" are touched only by the
 * thread running client->ctx; those under "lock" by anyone holding
 * client->lock.  Other threads never touch the socket: they queue
 * output and wake the main context (virNetServerClientWake), which
 * then creates or removes the socket sources.
 *
 * Layers: bytes go through the connection's virNetTransport (the SASL
 * security layer if one was negotiated, over the TLS session or the
 * socket).  Data the socket's readiness does not show (decrypted TLS
 * records, decoded SASL frames) is read by
 * virNetServerClientReadPendingSoon.
 */
#include <errno.h>
#include <string.h>

#include "virnetserverclientpriv.h"
#include "virnettlscontext.h"
#include "virkeepaliveprotocol.h"
#include "virlog.h"
#include "virsocket.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.netserverclient");

/* Packets handled per readable wakeup, so that one busy client cannot
 * starve the others. */
#define VIR_NET_SERVER_CLIENT_READ_BURST 16

/* Initial receive buffer; it grows with the data actually received, so
 * a peer announcing a huge packet does not get it allocated up front. */
#define VIR_NET_SERVER_CLIENT_RX_CHUNK 65536

static void virNetServerClientUpdateSources(virNetServerClient *client);
static void virNetServerClientDoClose(virNetServerClient *client);
static void virNetServerClientDropSource(GSource **source);

static char *
virNetServerClientFormatAddr(GSocketAddress *addr, char **host)
{
    g_autofree char *ip = NULL;
    GInetAddress *inet;

    if (!addr)
        return g_strdup("unknown");
    if (!G_IS_INET_SOCKET_ADDRESS(addr))
        return g_strdup("unix");
    inet = g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(addr));
    ip = g_inet_address_to_string(inet);
    if (host)
        *host = g_strdup(ip);
    return g_strdup_printf("%s:%u", ip,
                           g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(addr)));
}

static void
virNetServerClientInitAddrs(virNetServerClient *client)
{
    g_autoptr(GSocketAddress) local = g_socket_get_local_address(client->sock, NULL);
    g_autoptr(GSocketAddress) remote = g_socket_get_remote_address(client->sock, NULL);

    client->local = g_socket_get_family(client->sock) == G_SOCKET_FAMILY_UNIX;
    client->localAddr = virNetServerClientFormatAddr(local, &client->localHost);
    client->remoteAddr = virNetServerClientFormatAddr(remote, NULL);
}

virNetServerClient *
virNetServerClientNew(guint64 id, GSocket *sock, GMainContext *ctx,
                      bool readonly, virNetTLSContext *tls,
                      const virNetServerClientLimits *limits,
                      virNetServerClientDispatchFunc dispatch, void *opaque)
{
    virNetServerClient *client;
    virNetTLSSession *sess = NULL;
    g_autofree char *name = g_strdup_printf("client %" G_GUINT64_FORMAT, id);

    if (tls && !(sess = virNetTLSSessionNew(tls, g_socket_get_fd(sock), NULL)))
        return NULL;
    client = g_new0(virNetServerClient, 1);
    client->transport = virNetTransportNew(sock, sess, name);
    client->handshaking = sess != NULL;

    g_atomic_ref_count_init(&client->refs);
    g_mutex_init(&client->lock);
    g_queue_init(&client->txQueue);
    client->id = id;
    client->sock = g_object_ref(sock);
    client->ctx = g_main_context_ref(ctx);
    client->readonly = readonly;
    client->limits = *limits;
    client->dispatch = dispatch;
    client->dispatchOpaque = opaque;
    client->hooks = g_array_new(FALSE, FALSE, sizeof(virNetServerClientCallback));
    client->filters = g_array_new(FALSE, FALSE, sizeof(virNetServerClientCallback));
    client->afterReply = g_array_new(FALSE, FALSE,
                                     sizeof(virNetServerClientDeferred));
    client->auth = VIR_NET_SERVER_AUTH_NONE;
    client->authenticated = TRUE;
    virKeepAliveInit(&client->ka, limits->keepaliveInterval,
                     limits->keepaliveCount);
    virNetServerClientInitAddrs(client);
    VIR_DEBUG("client %" G_GUINT64_FORMAT " from %s to %s%s%s", id,
              client->remoteAddr, client->localAddr,
              readonly ? " (read-only)" : "", sess ? " (TLS)" : "");
    return client;
}

virNetServerClient *
virNetServerClientRef(virNetServerClient *client)
{
    g_atomic_ref_count_inc(&client->refs);
    return client;
}

void
virNetServerClientUnref(virNetServerClient *client)
{
    if (!client || !g_atomic_ref_count_dec(&client->refs))
        return;
    if (client->privateFree)
        client->privateFree(client->privateData);
    g_queue_clear_full(&client->txQueue, (GDestroyNotify)g_bytes_unref);
    g_clear_pointer(&client->txCurrent, g_bytes_unref);
    g_array_unref(client->hooks);
    virNetServerClientClearFilters(client);
    g_array_unref(client->filters);
    virNetServerClientFreeDeferred(client->afterReply);
    g_free(client->rxBuf);
    virNetSASLSessionFree(client->saslPending);
    g_clear_pointer(&client->saslAfter, g_bytes_unref);
    virNetTransportFree(client->transport);
    g_object_unref(client->sock);
    g_main_context_unref(client->ctx);
    g_free(client->localHost);
    g_free(client->localAddr);
    g_free(client->remoteAddr);
    g_mutex_clear(&client->lock);
    g_free(client);
}

guint64
virNetServerClientGetID(virNetServerClient *client)
{
    return client->id;
}

bool
virNetServerClientIsReadonly(virNetServerClient *client)
{
    return client->readonly;
}

bool
virNetServerClientIsLocal(virNetServerClient *client)
{
    return client->local;
}

bool
virNetServerClientIsTLS(virNetServerClient *client)
{
    return virNetTransportGetTLS(client->transport) != NULL;
}

bool
virNetServerClientIsSecure(virNetServerClient *client)
{
    return client->local || virNetServerClientIsTLS(client) ||
           g_atomic_int_get(&client->saslLayer);
}

const char *
virNetServerClientGetTLSPeerDN(virNetServerClient *client)
{
    virNetTLSSession *tls = virNetTransportGetTLS(client->transport);

    return tls ? virNetTLSSessionGetPeerDN(tls) : NULL;
}

const char *
virNetServerClientGetLocalHost(virNetServerClient *client)
{
    return client->localHost;
}

const char *
virNetServerClientGetLocalAddr(virNetServerClient *client)
{
    return client->localAddr;
}

const char *
virNetServerClientGetRemoteAddr(virNetServerClient *client)
{
    return client->remoteAddr;
}

void
virNetServerClientSetPrivateData(virNetServerClient *client, void *priv,
                                 GDestroyNotify freeFunc)
{
    client->privateData = priv;
    client->privateFree = freeFunc;
}

void *
virNetServerClientGetPrivateData(virNetServerClient *client)
{
    return client->privateData;
}

bool
virNetServerClientIsClosed(virNetServerClient *client)
{
    bool closed;

    g_mutex_lock(&client->lock);
    closed = client->closed || client->wantClose;
    g_mutex_unlock(&client->lock);
    return closed;
}

/* ---- waking the main thread ---------------------------------------- */

static gboolean
virNetServerClientOnWake(gpointer opaque)
{
    virNetServerClient *client = opaque;
    bool wantClose;

    g_mutex_lock(&client->lock);
    client->wakeScheduled = false;
    wantClose = client->wantClose;
    g_mutex_unlock(&client->lock);

    if (wantClose)
        virNetServerClientDoClose(client);
    else
        virNetServerClientUpdateSources(client);
    return G_SOURCE_REMOVE;
}

/* Asks the main thread to re-evaluate the sources.  Call with the lock. */
static void
virNetServerClientWakeLocked(virNetServerClient *client)
{
    GSource *source;

    if (client->wakeScheduled || client->closed)
        return;
    client->wakeScheduled = true;
    source = g_idle_source_new();
    g_source_set_priority(source, G_PRIORITY_DEFAULT);
    g_source_set_callback(source, virNetServerClientOnWake,
                          virNetServerClientRef(client),
                          (GDestroyNotify)virNetServerClientUnref);
    g_source_attach(source, client->ctx);
    g_source_unref(source);
}

/* Applies a state change now if we are the main thread, else later. */
static void
virNetServerClientKick(virNetServerClient *client)
{
    if (g_main_context_is_owner(client->ctx)) {
        virNetServerClientOnWake(virNetServerClientRef(client));
        virNetServerClientUnref(client);
        return;
    }
    g_mutex_lock(&client->lock);
    virNetServerClientWakeLocked(client);
    g_mutex_unlock(&client->lock);
}

/* ---- output ---------------------------------------------------------- */

int
virNetServerClientSendMessage(virNetServerClient *client, GBytes *packet)
{
    size_t len = g_bytes_get_size(packet);
    size_t queued;
    bool overflow = false;

    g_mutex_lock(&client->lock);
    if (client->closed || client->wantClose) {
        g_mutex_unlock(&client->lock);
        return -1;
    }
    queued = client->txQueued;
    if (queued + len > client->limits.maxQueued) {
        overflow = true;
    } else {
        g_queue_push_tail(&client->txQueue, g_bytes_ref(packet));
        client->txQueued += len;
        /* the reply completing the authentication: the last bytes in clear */
        if (client->saslPending && !client->saslAfter &&
            client->saslPendingThread == g_thread_self())
            client->saslAfter = g_bytes_ref(packet);
    }
    g_mutex_unlock(&client->lock);

    if (overflow) {
        VIR_WARN("client %" G_GUINT64_FORMAT " does not read (%zu bytes queued): dropping it",
                 client->id, queued);
        virNetServerClientClose(client);
        return -1;
    }
    virNetServerClientKick(client);
    return 0;
}

/* Takes the next packet to write, or returns false if none. */
static bool
virNetServerClientNextOutput(virNetServerClient *client)
{
    if (client->txCurrent)
        return true;
    g_mutex_lock(&client->lock);
    client->txCurrent = g_queue_pop_head(&client->txQueue);
    g_mutex_unlock(&client->lock);
    client->txOffset = 0;
    return client->txCurrent != NULL;
}

/* Turns the SASL security layer on (main thread).  0, or -1 (close). */
static int
virNetServerClientStartSASL(virNetServerClient *client, virNetSASLSession *sess)
{
    if (virNetTransportStartSASL(client->transport, sess) < 0) {
        VIR_WARN("client %" G_GUINT64_FORMAT ": cannot start the SASL security layer: %s",
                 client->id, virGetLastErrorMessage());
        virResetLastError();
        return -1;
    }
    return 0;
}

/* The current packet is written.  0, or -1 if the client must close. */
static int
virNetServerClientOutputDone(virNetServerClient *client)
{
    size_t len = g_bytes_get_size(client->txCurrent);
    virNetSASLSession *sasl = NULL;

    g_mutex_lock(&client->lock);
    client->txQueued -= len;
    if (client->saslAfter == client->txCurrent && client->saslAfter) {
        /* the client has all it needs to start its layer: so do we */
        sasl = g_steal_pointer(&client->saslPending);
        g_clear_pointer(&client->saslAfter, g_bytes_unref);
    }
    g_mutex_unlock(&client->lock);
    g_clear_pointer(&client->txCurrent, g_bytes_unref);
    if (sasl)
        return virNetServerClientStartSASL(client, sasl);
    return 0;
}

/* Moves the stream's bytes through the transport's layers (@out:
 * send, else receive): the count (0: end of file), or -1 with errno
 * EAGAIN (would block) or EIO (broken: the reason is logged). */
static gssize
virNetServerClientTransfer(virNetServerClient *client, char *buf, size_t len,
                           bool out)
{
    gssize n = out ? virNetTransportWrite(client->transport, buf, len)
                   : virNetTransportRead(client->transport, buf, len);

    if (n < 0 && errno != EAGAIN) {
        VIR_DEBUG("client %" G_GUINT64_FORMAT ": %s", client->id,
                  virGetLastErrorMessage());
        virResetLastError();
        errno = EIO;
    }
    return n;
}

static gboolean
virNetServerClientOnWritable(GSocket *sock, GIOCondition cond, gpointer opaque)
{
    virNetServerClient *client = opaque;

    while (virNetServerClientNextOutput(client)) {
        gsize len;
        const char *data = g_bytes_get_data(client->txCurrent, &len);
        gssize n = virNetServerClientTransfer(client,
                                              (char *)data + client->txOffset,
                                              len - client->txOffset, true);

        if (n < 0 && errno == EAGAIN)
            return G_SOURCE_CONTINUE;
        if (n < 0) {
            virNetServerClientDoClose(client);
            return G_SOURCE_REMOVE;
        }
        client->txOffset += n;
        if (client->txOffset == len &&
            virNetServerClientOutputDone(client) < 0) {
            virNetServerClientDoClose(client);
            return G_SOURCE_REMOVE;
        }
    }
    g_clear_pointer(&client->writeSource, g_source_unref);
    return G_SOURCE_REMOVE;
}

/* ---- input ----------------------------------------------------------- */

/* Receives into @buf; 1 data, 0 would block, -1 EOF or error. */
static int
virNetServerClientRecv(virNetServerClient *client, char *buf, size_t len,
                       size_t *got)
{
    gssize n = virNetServerClientTransfer(client, buf, len, false);

    if (n < 0)
        return errno == EAGAIN ? 0 : -1;
    if (n == 0) {
        VIR_DEBUG("client %" G_GUINT64_FORMAT ": end of file", client->id);
        return -1;
    }
    *got = n;
    return 1;
}

/* Reads the length word and sets up the packet buffer. */
static int
virNetServerClientReadLength(virNetServerClient *client)
{
    size_t got = 0;
    int rc = virNetServerClientRecv(client, client->lenBuf + client->lenHave,
                                    sizeof(client->lenBuf) - client->lenHave,
                                    &got);

    if (rc <= 0)
        return rc;
    client->lenHave += got;
    if (client->lenHave < sizeof(client->lenBuf))
        return 0;
    if (virNetMessageDecodeLength(client->lenBuf, client->limits.maxLength,
                                  &client->rxLength) < 0) {
        VIR_WARN("client %" G_GUINT64_FORMAT ": %s", client->id,
                 virGetLastErrorMessage());
        return -1;
    }
    client->rxAlloc = MIN(client->rxLength, VIR_NET_SERVER_CLIENT_RX_CHUNK);
    client->rxBuf = g_malloc(client->rxAlloc);
    memcpy(client->rxBuf, client->lenBuf, sizeof(client->lenBuf));
    client->rxHave = sizeof(client->lenBuf);
    return 1;
}

/* Reads the rest of the packet: 1 complete, 0 would block, -1 error. */
static int
virNetServerClientReadBody(virNetServerClient *client)
{
    while (client->rxHave < client->rxLength) {
        size_t got = 0;
        int rc;

        if (client->rxHave == client->rxAlloc) {
            client->rxAlloc = MIN(client->rxAlloc * 2, client->rxLength);
            client->rxBuf = g_realloc(client->rxBuf, client->rxAlloc);
        }
        rc = virNetServerClientRecv(client, client->rxBuf + client->rxHave,
                                    client->rxAlloc - client->rxHave, &got);
        if (rc <= 0)
            return rc;
        client->rxHave += got;
    }
    return 1;
}

/* 1 and *msg set: a packet; 0: would block; -1: close the client. */
static int
virNetServerClientReadPacket(virNetServerClient *client, virNetMessage **msg)
{
    g_autoptr(virNetMessage) packet = NULL;
    int rc;

    if (!client->rxBuf) {
        if ((rc = virNetServerClientReadLength(client)) <= 0)
            return rc;
    }
    if ((rc = virNetServerClientReadBody(client)) <= 0)
        return rc;

    packet = virNetMessageNew(g_steal_pointer(&client->rxBuf), client->rxLength);
    client->lenHave = client->rxHave = client->rxLength = client->rxAlloc = 0;
    if (virNetMessageDecodeHeader(packet) < 0) {
        VIR_WARN("client %" G_GUINT64_FORMAT ": %s", client->id,
                 virGetLastErrorMessage());
        return -1;
    }
    *msg = g_steal_pointer(&packet);
    return 1;
}

/* Answers a PING; PONGs and anything else of the program are dropped. */
static void
virNetServerClientHandleKeepAlive(virNetServerClient *client,
                                  const virNetMessageHeader *header)
{
    g_autoptr(GBytes) pong = NULL;

    if (header->vers != KEEPALIVE_PROTOCOL_VERSION ||
        header->type != VIR_NET_MESSAGE ||
        header->proc != KEEPALIVE_PROC_PING) {
        if (header->proc != KEEPALIVE_PROC_PONG)
            VIR_DEBUG("client %" G_GUINT64_FORMAT ": ignoring keepalive vers=%u type=%d proc=%d",
                      client->id, header->vers, header->type, header->proc);
        return;
    }
    if ((pong = virKeepAliveMessageNew(KEEPALIVE_PROC_PONG)))
        virNetServerClientSendMessage(client, pong);
}

static void
virNetServerClientHandlePacket(virNetServerClient *client, virNetMessage *msg)
{
    g_mutex_lock(&client->lock);
    virKeepAliveReceived(&client->ka, g_get_monotonic_time());
    g_mutex_unlock(&client->lock);

    if (virKeepAliveIsMessage(&msg->header)) {
        virNetServerClientHandleKeepAlive(client, &msg->header);
        virNetMessageFree(msg);
        return;
    }
    if (msg->header.type != VIR_NET_CALL &&
        msg->header.type != VIR_NET_CALL_WITH_FDS) {
        /* counted before the filter runs: it may be done with the
         * packet (virNetServerClientRequestDone) before it returns */
        g_mutex_lock(&client->lock);
        client->nrequests++;
        g_mutex_unlock(&client->lock);
        if (virNetServerClientRunFilters(client, msg))
            return;
        g_mutex_lock(&client->lock);
        client->nrequests--;
        g_mutex_unlock(&client->lock);
    }
    if (client->dispatch(client, msg, client->dispatchOpaque)) {
        g_mutex_lock(&client->lock);
        client->nrequests++;
        g_mutex_unlock(&client->lock);
    }
}

static bool
virNetServerClientWantsInput(virNetServerClient *client)
{
    bool wants;

    g_mutex_lock(&client->lock);
    wants = !client->closed && !client->wantClose &&
            client->nrequests < client->limits.maxRequests;
    g_mutex_unlock(&client->lock);
    return wants;
}

static void virNetServerClientReadPendingSoon(virNetServerClient *client);

static gboolean
virNetServerClientOnReadable(GSocket *sock, GIOCondition cond, gpointer opaque)
{
    virNetServerClient *client = opaque;
    /* dispatching may close the client and drop the server's reference */
    g_autoptr(virNetServerClient) ref G_GNUC_UNUSED = virNetServerClientRef(client);
    size_t i;

    for (i = 0; i < VIR_NET_SERVER_CLIENT_READ_BURST; i++) {
        virNetMessage *msg = NULL;
        int rc;

        if (!virNetServerClientWantsInput(client))
            break;
        if ((rc = virNetServerClientReadPacket(client, &msg)) < 0) {
            virNetServerClientDoClose(client);
            return G_SOURCE_REMOVE;
        }
        if (rc == 0)
            return G_SOURCE_CONTINUE;
        virNetServerClientHandlePacket(client, msg);
    }
    if (virNetServerClientWantsInput(client)) {
        virNetServerClientReadPendingSoon(client);
        return G_SOURCE_CONTINUE;
    }
    /* paused until a request completes (or closed).  Destroyed, not just
     * released: called from virNetServerClientOnPending, our return
     * value removes nothing, and the source would fire for a freed
     * client. */
    virNetServerClientDropSource(&client->readSource);
    return G_SOURCE_REMOVE;
}

static gboolean
virNetServerClientOnPending(gpointer opaque)
{
    virNetServerClient *client = opaque;

    g_clear_pointer(&client->pendingSource, g_source_unref);
    if (client->readSource)
        virNetServerClientOnReadable(client->sock, G_IO_IN, client);
    return G_SOURCE_REMOVE;
}

/* Data TLS has already decrypted, or SASL decoded, does not make the
 * socket readable: read it from an idle callback instead (main
 * thread). */
static void
virNetServerClientReadPendingSoon(virNetServerClient *client)
{
    if (client->pendingSource || !client->readSource ||
        !virNetTransportHasPending(client->transport))
        return;
    client->pendingSource = g_idle_source_new();
    g_source_set_callback(client->pendingSource, virNetServerClientOnPending,
                          client, NULL);
    g_source_attach(client->pendingSource, client->ctx);
}

void
virNetServerClientRequestDone(virNetServerClient *client)
{
    bool resume;
    bool noReply = false;

    virNetServerClientRunAfterReply(client);
    g_mutex_lock(&client->lock);
    resume = client->nrequests == client->limits.maxRequests;
    client->nrequests--;
    if (resume)
        virNetServerClientWakeLocked(client);
    if (client->saslPending && !client->saslAfter &&
        client->saslPendingThread == g_thread_self()) {
        /* the authentication's reply was not sent: the two ends would
         * disagree on the layer */
        g_clear_pointer(&client->saslPending, virNetSASLSessionFree);
        noReply = true;
    }
    g_mutex_unlock(&client->lock);
    if (noReply) {
        VIR_WARN("client %" G_GUINT64_FORMAT ": no reply completed the SASL authentication: dropping it",
                 client->id);
        virNetServerClientClose(client);
    }
}

/* ---- keepalive ------------------------------------------------------- */

static void virNetServerClientArmKeepAlive(virNetServerClient *client,
                                           gint64 deadline);

static gboolean
virNetServerClientOnKeepAlive(gpointer opaque)
{
    virNetServerClient *client = opaque;
    g_autoptr(GBytes) ping = NULL;
    gint64 now = g_get_monotonic_time();
    virKeepAliveAction action;
    gint64 next = G_MAXINT64;

    g_clear_pointer(&client->kaSource, g_source_unref);
    g_mutex_lock(&client->lock);
    /* While we do not read (too many calls in flight) the client's
     * packets cannot reach us: do not count that silence against it. */
    if (client->nrequests >= client->limits.maxRequests)
        virKeepAliveReceived(&client->ka, now);
    action = virKeepAliveCheck(&client->ka, now, &next);
    g_mutex_unlock(&client->lock);

    switch (action) {
    case VIR_KEEPALIVE_DEAD:
        VIR_WARN("client %" G_GUINT64_FORMAT " (%s) missed %u keepalive probes: dropping it",
                 client->id, client->remoteAddr, client->limits.keepaliveCount);
        virNetServerClientDoClose(client);
        return G_SOURCE_REMOVE;
    case VIR_KEEPALIVE_SEND_PING:
        if ((ping = virKeepAliveMessageNew(KEEPALIVE_PROC_PING)))
            virNetServerClientSendMessage(client, ping);
        break;
    case VIR_KEEPALIVE_WAIT:
        break;
    }
    virNetServerClientArmKeepAlive(client, next);
    return G_SOURCE_REMOVE;
}

/* (Re)arms the keepalive timer for @deadline (main thread). */
static void
virNetServerClientArmKeepAlive(virNetServerClient *client, gint64 deadline)
{
    gint64 now = g_get_monotonic_time();
    guint ms;

    if (deadline == G_MAXINT64 || client->closed)
        return;
    if (client->kaSource && client->kaDeadline == deadline)
        return;
    if (client->kaSource) {
        g_source_destroy(client->kaSource);
        g_clear_pointer(&client->kaSource, g_source_unref);
    }
    ms = deadline > now ? (guint)((deadline - now + 999) / 1000) : 0;
    client->kaDeadline = deadline;
    client->kaSource = g_timeout_source_new(ms);
    g_source_set_callback(client->kaSource, virNetServerClientOnKeepAlive,
                          client, NULL);
    g_source_attach(client->kaSource, client->ctx);
}

void
virNetServerClientStartKeepAlive(virNetServerClient *client)
{
    bool started;

    g_mutex_lock(&client->lock);
    started = virKeepAliveStart(&client->ka, g_get_monotonic_time());
    g_mutex_unlock(&client->lock);
    if (started)
        virNetServerClientKick(client);
}

/* ---- opening ---------------------------------------------------------- */

void
virNetServerClientSetOpened(virNetServerClient *client)
{
    g_mutex_lock(&client->lock);
    client->opened = true;
    g_mutex_unlock(&client->lock);
}

/* A client that does not open the connection in time is dropped, so
 * that silent connections cannot hold anonymous slots forever. */
static gboolean
virNetServerClientOnOpenTimeout(gpointer opaque)
{
    virNetServerClient *client = opaque;

    bool opened;

    g_clear_pointer(&client->openSource, g_source_unref);
    g_mutex_lock(&client->lock);
    opened = client->opened;
    g_mutex_unlock(&client->lock);
    if (opened)
        return G_SOURCE_REMOVE;
    VIR_WARN("client %" G_GUINT64_FORMAT " (%s) did not open the connection within %u seconds: dropping it",
             client->id, client->remoteAddr, client->limits.openTimeout);
    virNetServerClientDoClose(client);
    return G_SOURCE_REMOVE;
}

/* ---- TLS handshake ----------------------------------------------------- */

static gboolean virNetServerClientOnHandshake(GSocket *sock, GIOCondition cond,
                                              gpointer opaque);

static void
virNetServerClientWatchHandshake(virNetServerClient *client, GIOCondition want)
{
    client->handshakeSource = virSocketWatch(client->sock,
                                             want | G_IO_HUP | G_IO_ERR,
                                             virNetServerClientOnHandshake,
                                             client, client->ctx);
}

/* One step of the handshake, whenever the socket is ready for it: it
 * never blocks the main loop.  Done, the client's certificate passed
 * libvirt's checks; like libvirtd we then send one byte, 1, that the
 * stock client waits for before its first call.  A client that stalls
 * here is dropped by the open timeout like any anonymous one. */
static gboolean
virNetServerClientOnHandshake(GSocket *sock, GIOCondition cond, gpointer opaque)
{
    virNetServerClient *client = opaque;
    static const char confirm = '\1';
    g_autoptr(GBytes) byte = NULL;
    GIOCondition want = G_IO_IN;
    virNetTLSSession *tls = virNetTransportGetTLS(client->transport);
    int rc = virNetTLSSessionHandshake(tls, &want);

    g_clear_pointer(&client->handshakeSource, g_source_unref);
    if (rc < 0) {
        VIR_WARN("client %" G_GUINT64_FORMAT " (%s): %s", client->id,
                 client->remoteAddr, virGetLastErrorMessage());
        virResetLastError();
        virNetServerClientDoClose(client);
        return G_SOURCE_REMOVE;
    }
    if (rc == 0) {
        virNetServerClientWatchHandshake(client, want);
        return G_SOURCE_REMOVE;
    }
    VIR_DEBUG("client %" G_GUINT64_FORMAT ": TLS handshake done (%s)",
              client->id, NULLSTR(virNetTLSSessionGetPeerDN(tls)));
    client->handshaking = false;
    byte = g_bytes_new_static(&confirm, 1);
    if (virNetServerClientSendMessage(client, byte) == 0)
        virNetServerClientUpdateSources(client);
    return G_SOURCE_REMOVE;
}

/* ---- sources --------------------------------------------------------- */

static GSource *
virNetServerClientAddWatch(virNetServerClient *client, GIOCondition cond,
                           GSocketSourceFunc func)
{
    return virSocketWatch(client->sock, cond, func, client, client->ctx);
}

/* Creates or removes the socket sources and the keepalive timer to
 * match the current state (main thread). */
static void
virNetServerClientUpdateSources(virNetServerClient *client)
{
    bool haveOutput;
    gint64 next = G_MAXINT64;

    if (!client->started || client->handshaking)
        return;
    g_mutex_lock(&client->lock);
    if (client->closed) {
        g_mutex_unlock(&client->lock);
        return;
    }
    haveOutput = client->txCurrent || !g_queue_is_empty(&client->txQueue);
    if (client->ka.started) {
        next = client->ka.intervalStart +
               (gint64)client->ka.interval * G_USEC_PER_SEC;
    }
    g_mutex_unlock(&client->lock);

    if (haveOutput && !client->writeSource) {
        client->writeSource = virNetServerClientAddWatch(client, G_IO_OUT,
                                                         virNetServerClientOnWritable);
    }
    if (!client->readSource && virNetServerClientWantsInput(client)) {
        client->readSource = virNetServerClientAddWatch(client,
                                                        G_IO_IN | G_IO_HUP | G_IO_ERR,
                                                        virNetServerClientOnReadable);
        virNetServerClientReadPendingSoon(client);
    }
    if (!client->kaSource)
        virNetServerClientArmKeepAlive(client, next);
}

void
virNetServerClientStart(virNetServerClient *client)
{
    client->started = true;
    if (client->limits.openTimeout > 0) {
        guint ms = MIN(client->limits.openTimeout, G_MAXUINT / 1000) * 1000;

        client->openSource = g_timeout_source_new(ms);
        g_source_set_callback(client->openSource, virNetServerClientOnOpenTimeout,
                              client, NULL);
        g_source_attach(client->openSource, client->ctx);
    }
    if (client->handshaking)
        virNetServerClientWatchHandshake(client, G_IO_IN);
    else
        virNetServerClientUpdateSources(client);
}

/* ---- closing --------------------------------------------------------- */

static void
virNetServerClientDropSource(GSource **source)
{
    if (!*source)
        return;
    g_source_destroy(*source);
    g_clear_pointer(source, g_source_unref);
}

/* Tears the connection down (main thread). */
static void
virNetServerClientDoClose(virNetServerClient *client)
{
    g_autoptr(virNetServerClient) ref G_GNUC_UNUSED = virNetServerClientRef(client);

    g_mutex_lock(&client->lock);
    if (client->closed) {
        g_mutex_unlock(&client->lock);
        return;
    }
    client->closed = true;
    client->wantClose = true;
    g_queue_clear_full(&client->txQueue, (GDestroyNotify)g_bytes_unref);
    client->txQueued = 0;
    g_mutex_unlock(&client->lock);

    VIR_DEBUG("closing client %" G_GUINT64_FORMAT " (%s)", client->id,
              client->remoteAddr);
    virNetServerClientDropSource(&client->readSource);
    virNetServerClientDropSource(&client->writeSource);
    virNetServerClientDropSource(&client->kaSource);
    virNetServerClientDropSource(&client->openSource);
    virNetServerClientDropSource(&client->handshakeSource);
    virNetServerClientDropSource(&client->pendingSource);
    g_clear_pointer(&client->txCurrent, g_bytes_unref);
    g_socket_close(client->sock, NULL);
    virNetServerClientRunHooks(client);
    virNetServerClientClearFilters(client);
}

void
virNetServerClientClose(virNetServerClient *client)
{
    g_mutex_lock(&client->lock);
    if (client->wantClose || client->closed) {
        g_mutex_unlock(&client->lock);
        return;
    }
    client->wantClose = true;
    g_mutex_unlock(&client->lock);
    virNetServerClientKick(client);
}

GMainContext *
virNetServerClientGetContext(virNetServerClient *client)
{
    return client->ctx;
}

size_t
virNetServerClientGetMaxLength(virNetServerClient *client)
{
    return client->limits.maxLength;
}

/* ---- authentication ----------------------------------------------------- */

void
virNetServerClientSetAuth(virNetServerClient *client, virNetServerAuth auth)
{
    g_atomic_int_set(&client->auth, auth);
    g_atomic_int_set(&client->authenticated, auth == VIR_NET_SERVER_AUTH_NONE);
}

virNetServerAuth
virNetServerClientGetAuth(virNetServerClient *client)
{
    return g_atomic_int_get(&client->auth);
}

bool
virNetServerClientIsAuthenticated(virNetServerClient *client)
{
    return g_atomic_int_get(&client->authenticated);
}

void
virNetServerClientSetSASLSession(virNetServerClient *client,
                                 virNetSASLSession *sess)
{
    g_mutex_lock(&client->lock);
    if (client->saslPending) {
        /* a second completion before the first reply: cannot happen
         * while AUTH_SASL_INIT refuses authenticated clients */
        g_mutex_unlock(&client->lock);
        VIR_WARN("client %" G_GUINT64_FORMAT ": SASL security layer already pending: dropping it",
                 client->id);
        virNetSASLSessionFree(sess);
        virNetServerClientClose(client);
        return;
    }
    client->saslPending = sess;
    client->saslPendingThread = g_thread_self();
    g_mutex_unlock(&client->lock);
    /* as libvirt's: secure from now on, for the calls that will come
     * through the layer */
    g_atomic_int_set(&client->saslLayer, TRUE);
}

void
virNetServerClientSetAuthenticated(virNetServerClient *client)
{
    VIR_DEBUG("client %" G_GUINT64_FORMAT ": authenticated", client->id);
    g_atomic_int_set(&client->authenticated, TRUE);
}
