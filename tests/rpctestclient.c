/*
 * rpctestclient.c: a minimal blocking RPC client for the server tests
 */
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <gio/gio.h>

#include "rpctestclient.h"
#include "virkeepalive.h"
#include "virkeepaliveprotocol.h"

struct _rpcTestClient {
    GSocket *sock;
    unsigned int serial;
    bool autoPong;
    unsigned int pings;
    unsigned int pongs;
    GQueue events;        /* virNetMessage of type MESSAGE */
    GQueue replies;       /* replies to calls nobody waits for yet */
    /* a security layer (rpcTestClientSetLayer), or NULL */
    rpcTestClientCodecFunc encode;
    rpcTestClientCodecFunc decode;
    size_t chunk;
    void *layer;
    GByteArray *decoded;  /* received, decoded, not read yet */
    unsigned int prog;    /* the program calls go to */
    unsigned int vers;
};

static rpcTestClient *
rpcTestClientConnect(GSocketAddress *addr)
{
    g_autoptr(GSocket) sock = NULL;
    rpcTestClient *client;

    if (!(sock = g_socket_new(g_socket_address_get_family(addr),
                              G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                              NULL)))
        return NULL;
    if (!g_socket_connect(sock, addr, NULL, NULL))
        return NULL;
    client = g_new0(rpcTestClient, 1);
    client->sock = g_steal_pointer(&sock);
    client->autoPong = true;
    client->prog = REMOTE_PROGRAM;
    client->vers = REMOTE_PROTOCOL_VERSION;
    g_queue_init(&client->events);
    g_queue_init(&client->replies);
    return client;
}

rpcTestClient *
rpcTestClientConnectUnix(const char *path)
{
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);

    return rpcTestClientConnect(addr);
}

rpcTestClient *
rpcTestClientConnectTCP(const char *addr, unsigned int port)
{
    g_autoptr(GSocketAddress) saddr = g_inet_socket_address_new_from_string(addr, port);

    return rpcTestClientConnect(saddr);
}

void
rpcTestClientFree(rpcTestClient *client)
{
    if (!client)
        return;
    g_queue_clear_full(&client->events, (GDestroyNotify)virNetMessageFree);
    g_queue_clear_full(&client->replies, (GDestroyNotify)virNetMessageFree);
    if (client->decoded)
        g_byte_array_unref(client->decoded);
    g_socket_close(client->sock, NULL);
    g_object_unref(client->sock);
    g_free(client);
}

void
rpcTestClientSetProgram(rpcTestClient *client, unsigned int prog,
                        unsigned int vers)
{
    client->prog = prog;
    client->vers = vers;
}

void
rpcTestClientSetAutoPong(rpcTestClient *client, bool autoPong)
{
    client->autoPong = autoPong;
}

unsigned int
rpcTestClientPingsSeen(rpcTestClient *client)
{
    return client->pings;
}

unsigned int
rpcTestClientPongsSeen(rpcTestClient *client)
{
    return client->pongs;
}

void
rpcTestClientSetLayer(rpcTestClient *client, rpcTestClientCodecFunc encode,
                      rpcTestClientCodecFunc decode, size_t chunk, void *opaque)
{
    client->encode = encode;
    client->decode = decode;
    client->chunk = chunk;
    client->layer = opaque;
    if (client->decoded)
        g_byte_array_unref(client->decoded);
    client->decoded = decode ? g_byte_array_new() : NULL;
}

/* Writes all of @data to the socket. */
static int
rpcTestClientSendWire(rpcTestClient *client, const char *data, size_t len)
{
    size_t done = 0;

    while (done < len) {
        gssize n = g_socket_send(client->sock, data + done, len - done, NULL, NULL);

        if (n <= 0)
            return -1;
        done += n;
    }
    return 0;
}

int
rpcTestClientSendRaw(rpcTestClient *client, const void *data, size_t len)
{
    size_t done = 0;

    if (!client->encode)
        return rpcTestClientSendWire(client, data, len);
    while (done < len) {
        size_t n = MIN(len - done, client->chunk);
        const char *out = NULL;
        size_t outlen = 0;

        if (client->encode(client->layer, (const char *)data + done, n,
                           &out, &outlen) < 0 ||
            rpcTestClientSendWire(client, out, outlen) < 0)
            return -1;
        done += n;
    }
    return 0;
}

/* Reads what the socket has, at most @len bytes, before @deadline: the
 * count, 0 timeout, -1 EOF. */
static gssize
rpcTestClientReadWire(rpcTestClient *client, char *buf, size_t len,
                      gint64 deadline)
{
    struct pollfd pfd = { g_socket_get_fd(client->sock), POLLIN, 0 };
    gint64 left = (deadline - g_get_monotonic_time()) / 1000;
    gssize n;

    if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
        return 0;
    if ((n = read(pfd.fd, buf, len)) <= 0)
        return -1;
    return n;
}

/* Reads at most @len bytes through the layer: as rpcTestClientReadWire. */
static gssize
rpcTestClientReadLayer(rpcTestClient *client, char *buf, size_t len,
                       gint64 deadline)
{
    while (client->decoded->len == 0) {
        char wire[65536];
        const char *out = NULL;
        size_t outlen = 0;
        gssize n = rpcTestClientReadWire(client, wire, sizeof(wire), deadline);

        if (n <= 0)
            return n;
        if (client->decode(client->layer, wire, n, &out, &outlen) < 0)
            return -1;
        g_byte_array_append(client->decoded, (const guint8 *)out, outlen);
    }
    len = MIN(len, client->decoded->len);
    memcpy(buf, client->decoded->data, len);
    g_byte_array_remove_range(client->decoded, 0, len);
    return len;
}

/* Reads exactly @len bytes before @deadline: 1, 0 timeout, -1 EOF. */
static int
rpcTestClientReadFull(rpcTestClient *client, char *buf, size_t len,
                      gint64 deadline)
{
    size_t done = 0;

    while (done < len) {
        gssize n = client->decode
            ? rpcTestClientReadLayer(client, buf + done, len - done, deadline)
            : rpcTestClientReadWire(client, buf + done, len - done, deadline);

        if (n <= 0)
            return n;
        done += n;
    }
    return 1;
}

/* One raw packet, whatever it is. */
static int
rpcTestClientRecvAny(rpcTestClient *client, gint64 deadline, virNetMessage **msg)
{
    char lenbuf[4];
    g_autofree char *buf = NULL;
    size_t len;
    int rc;

    if ((rc = rpcTestClientReadFull(client, lenbuf, 4, deadline)) <= 0)
        return rc;
    if (virNetMessageDecodeLength(lenbuf, VIR_NET_MESSAGE_MAX + 4, &len) < 0)
        return -1;
    buf = g_malloc(len);
    memcpy(buf, lenbuf, 4);
    if ((rc = rpcTestClientReadFull(client, buf + 4, len - 4, deadline)) <= 0)
        return rc < 0 ? -1 : 0;
    *msg = virNetMessageNew(g_steal_pointer(&buf), len);
    return virNetMessageDecodeHeader(*msg) < 0 ? -1 : 1;
}

/* Handles keepalive packets; true if @msg was one (and is consumed). */
static bool
rpcTestClientKeepAlive(rpcTestClient *client, virNetMessage *msg)
{
    g_autoptr(GBytes) pong = NULL;

    if (!virKeepAliveIsMessage(&msg->header))
        return false;
    if (msg->header.proc == KEEPALIVE_PROC_PONG)
        client->pongs++;
    if (msg->header.proc == KEEPALIVE_PROC_PING) {
        client->pings++;
        if (client->autoPong && (pong = virKeepAliveMessageNew(KEEPALIVE_PROC_PONG)))
            rpcTestClientSendRaw(client, g_bytes_get_data(pong, NULL),
                                 g_bytes_get_size(pong));
    }
    virNetMessageFree(msg);
    return true;
}

int
rpcTestClientRecv(rpcTestClient *client, int timeoutMs, virNetMessage **msg)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;

    for (;;) {
        virNetMessage *packet = NULL;
        int rc = rpcTestClientRecvAny(client, deadline, &packet);

        if (rc <= 0)
            return rc;
        if (!rpcTestClientKeepAlive(client, packet)) {
            *msg = packet;
            return 1;
        }
    }
}

unsigned int
rpcTestClientSendCall(rpcTestClient *client, int proc, xdrproc_t argsFilter,
                      void *args)
{
    virNetMessageHeader header = {
        .prog = client->prog,
        .vers = client->vers,
        .proc = proc,
        .type = VIR_NET_CALL,
        .serial = ++client->serial,
        .status = VIR_NET_OK,
    };
    g_autoptr(GBytes) packet = virNetMessageEncode(&header, argsFilter, args,
                                                   VIR_NET_MESSAGE_MAX + 4);

    if (!packet ||
        rpcTestClientSendRaw(client, g_bytes_get_data(packet, NULL),
                             g_bytes_get_size(packet)) < 0)
        return 0;
    return header.serial;
}

static gint
rpcTestClientReplyCompare(gconstpointer msg, gconstpointer serial)
{
    return ((const virNetMessage *)msg)->header.serial != *(const unsigned int *)serial;
}

virNetMessage *
rpcTestClientWaitReply(rpcTestClient *client, unsigned int serial, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;
    GList *queued = g_queue_find_custom(&client->replies, &serial,
                                        rpcTestClientReplyCompare);

    if (queued) {
        virNetMessage *msg = queued->data;

        g_queue_delete_link(&client->replies, queued);
        return msg;
    }
    for (;;) {
        virNetMessage *msg = NULL;
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;

        if (left <= 0 || rpcTestClientRecv(client, (int)left, &msg) <= 0)
            return NULL;
        if (msg->header.type == VIR_NET_MESSAGE) {
            g_queue_push_tail(&client->events, msg);
            continue;
        }
        if (msg->header.type == VIR_NET_REPLY && msg->header.serial == serial)
            return msg;
        if (msg->header.type == VIR_NET_REPLY)
            g_queue_push_tail(&client->replies, msg);
        else
            virNetMessageFree(msg);
    }
}

int
rpcTestClientDecodeReply(virNetMessage *reply, xdrproc_t retFilter, void *ret,
                         virError **err)
{
    if (reply->header.status == VIR_NET_ERROR) {
        if (!err || !(*err = virNetMessageDecodeError(reply)))
            return -1;
        return 1;
    }
    return virNetMessageDecodePayload(reply, retFilter, ret) < 0 ? -1 : 0;
}

char *
rpcTestHexDump(GBytes *bytes)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(bytes, &len);
    GString *out = g_string_new(NULL);
    gsize i;

    for (i = 0; i < len; i++) {
        if (i % 16 == 0)
            g_string_append_printf(out, "%06zx ", i);
        g_string_append_printf(out, "%s%02x", i % 4 == 0 ? " " : "", data[i]);
        if (i % 16 == 15 || i == len - 1)
            g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}

int
rpcTestClientCall(rpcTestClient *client, int proc, xdrproc_t argsFilter,
                  void *args, xdrproc_t retFilter, void *ret, virError **err)
{
    unsigned int serial = rpcTestClientSendCall(client, proc, argsFilter, args);
    g_autoptr(virNetMessage) reply = NULL;

    if (!serial || !(reply = rpcTestClientWaitReply(client, serial,
                                                    RPC_TEST_TIMEOUT_MS)))
        return -1;
    return rpcTestClientDecodeReply(reply, retFilter, ret, err);
}

int
rpcTestClientOpen(rpcTestClient *client, const char *uri, unsigned int flags)
{
    remote_auth_list_ret auth = { 0 };
    remote_connect_supports_feature_args feature = { 10 };
    remote_connect_supports_feature_ret supported = { 0 };
    char *name = (char *)uri;
    remote_connect_open_args open = { uri ? &name : NULL, flags };
    int rc;

    if (rpcTestClientCall(client, REMOTE_PROC_AUTH_LIST,
                          (xdrproc_t)virNetMessageXdrVoid, NULL,
                          (xdrproc_t)xdr_remote_auth_list_ret, &auth, NULL) != 0)
        return -1;
    xdr_free((xdrproc_t)xdr_remote_auth_list_ret, (char *)&auth);
    if (rpcTestClientCall(client, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                          (xdrproc_t)xdr_remote_connect_supports_feature_args, &feature,
                          (xdrproc_t)xdr_remote_connect_supports_feature_ret, &supported,
                          NULL) != 0)
        return -1;
    rc = rpcTestClientCall(client, REMOTE_PROC_CONNECT_OPEN,
                           (xdrproc_t)xdr_remote_connect_open_args, &open,
                           (xdrproc_t)virNetMessageXdrVoid, NULL, NULL);
    return rc == 0 ? 0 : -1;
}

virNetMessage *
rpcTestClientNextEvent(rpcTestClient *client, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;

    while (g_queue_is_empty(&client->events)) {
        virNetMessage *msg = NULL;
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;

        if (left <= 0 || rpcTestClientRecv(client, (int)left, &msg) <= 0)
            return NULL;
        if (msg->header.type == VIR_NET_MESSAGE)
            g_queue_push_tail(&client->events, msg);
        else
            virNetMessageFree(msg);
    }
    return g_queue_pop_head(&client->events);
}
