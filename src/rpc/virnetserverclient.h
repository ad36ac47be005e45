/*
 * virnetserverclient.h: one client connection of the RPC server
 *
 * Owns the socket and does all its I/O in the main-loop thread (the
 * GMainContext given at creation): reads packets (framing and limits),
 * answers keepalive PINGs, runs the server's keepalive probes, and
 * writes queued packets.  Complete non-keepalive packets are handed to
 * the dispatch function, those that are not calls (stream data) first
 * to the filters streams register.  Replies and events may be queued from any
 * thread (virNetServerClientSendMessage): the queue is locked and the
 * main context woken.
 *
 * Lifetime: reference counted.  Closing (from any thread) stops I/O,
 * drops unsent output and runs the close hooks in the main-loop thread;
 * the object lives on while workers hold references.
 */
#pragma once

#include <gio/gio.h>

#include "internal.h"
#include "virnetmessage.h"
#include "virnettlscontext.h"
#include "virnetsasl.h"

typedef struct _virNetServerClient virNetServerClient;

/* The authentication a listener asks of its clients before they may
 * call anything but the authentication procedures (the numbers of
 * libvirt's remote_auth_type). */
typedef enum {
    VIR_NET_SERVER_AUTH_NONE = 0,
    VIR_NET_SERVER_AUTH_SASL = 1,
} virNetServerAuth;

/* Called in the main-loop thread with each complete packet that is not
 * a keepalive message; takes @msg.  Returns true if it started a
 * request, which the client counts until virNetServerClientRequestDone. */
typedef bool (*virNetServerClientDispatchFunc)(virNetServerClient *client,
                                               virNetMessage *msg,
                                               void *opaque);

/* A close hook: runs once, in the main-loop thread, when the client
 * goes away.  It must not block (queue long work elsewhere). */
typedef void (*virNetServerClientCloseFunc)(virNetServerClient *client,
                                            void *opaque);

typedef struct _virNetServerClientLimits virNetServerClientLimits;
struct _virNetServerClientLimits {
    size_t maxLength;           /* largest packet accepted or sent */
    unsigned int maxRequests;   /* calls in flight before we stop reading */
    size_t maxQueued;           /* unsent output before the client is dropped */
    int keepaliveInterval;      /* seconds; <= 0: no probes */
    unsigned int keepaliveCount;
    unsigned int openTimeout;   /* seconds an anonymous client may stay
                                 * (see virNetServerClientSetOpened); 0:
                                 * no limit */
};

/**
 * virNetServerClientNew:
 * @id: identifier unique within the server
 * @sock: the connected socket (a reference is taken; made non-blocking)
 * @ctx: the main-loop context doing the I/O
 * @readonly: connected through a read-only listener
 * @tls: the listener's TLS context, NULL for a plain connection: the
 *   client then starts with the TLS handshake (main loop, non-blocking)
 *   and reads no packet before it succeeded
 *
 * The client does nothing until virNetServerClientStart.  NULL (error
 * reported) if the TLS session cannot be set up.
 */
virNetServerClient *virNetServerClientNew(guint64 id, GSocket *sock,
                                          GMainContext *ctx, bool readonly,
                                          virNetTLSContext *tls,
                                          const virNetServerClientLimits *limits,
                                          virNetServerClientDispatchFunc dispatch,
                                          void *opaque);

virNetServerClient *virNetServerClientRef(virNetServerClient *client);
void virNetServerClientUnref(virNetServerClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetServerClient, virNetServerClientUnref);

/* Starts reading (main-loop thread). */
void virNetServerClientStart(virNetServerClient *client);

/* Closes the connection (any thread; the teardown runs in the main-loop
 * thread).  Idempotent. */
void virNetServerClientClose(virNetServerClient *client);
bool virNetServerClientIsClosed(virNetServerClient *client);

/* Queues a complete packet (any thread).  Takes a reference on @packet.
 * Dropped silently if the client is closed; closes the client if its
 * unsent output would exceed the limit.  Returns 0 or -1 (dropped). */
int virNetServerClientSendMessage(virNetServerClient *client, GBytes *packet);

/* A request started by the dispatch function has been answered. */
void virNetServerClientRequestDone(virNetServerClient *client);

/* The program opened the connection (libvirt's authentication): the
 * client is no longer dropped for staying anonymous longer than
 * limits.openTimeout (any thread). */
void virNetServerClientSetOpened(virNetServerClient *client);

/* Starts the server's keepalive probes (any thread). */
void virNetServerClientStartKeepAlive(virNetServerClient *client);

/* Identity: constant for the client's life. */
guint64 virNetServerClientGetID(virNetServerClient *client);
bool virNetServerClientIsReadonly(virNetServerClient *client);
bool virNetServerClientIsLocal(virNetServerClient *client);
/* Connected over TLS (the handshake is done before any call runs). */
bool virNetServerClientIsTLS(virNetServerClient *client);
/* A UNIX socket, TLS or a SASL security layer: libvirt's "secure"
 * connection. */
bool virNetServerClientIsSecure(virNetServerClient *client);
/* The DN of the client's certificate (TLS), or NULL. */
const char *virNetServerClientGetTLSPeerDN(virNetServerClient *client);
/* The address the client connected to, without port ("127.0.0.2",
 * "::1"), or NULL for a UNIX socket.  Migration's Prepare uses it. */
const char *virNetServerClientGetLocalHost(virNetServerClient *client);
/* "ADDR:PORT" of both ends (TCP) or "unix" / the socket path. */
const char *virNetServerClientGetLocalAddr(virNetServerClient *client);
const char *virNetServerClientGetRemoteAddr(virNetServerClient *client);

/* One private pointer for the program layer (set once, before Start);
 * @freeFunc runs when the last reference goes. */
void virNetServerClientSetPrivateData(virNetServerClient *client, void *priv,
                                      GDestroyNotify freeFunc);
void *virNetServerClientGetPrivateData(virNetServerClient *client);

/**
 * virNetServerClientAddCloseHook:
 * Registers @func to run when the client closes (hooks run newest
 * first); @freeFunc(@opaque) runs after it, or on removal.
 * Returns a positive hook id, or -1 if the client is already closed
 * (then nothing is registered and @opaque is not freed).
 */
int virNetServerClientAddCloseHook(virNetServerClient *client,
                                   virNetServerClientCloseFunc func,
                                   void *opaque, GDestroyNotify freeFunc);
void virNetServerClientRemoveCloseHook(virNetServerClient *client, int id);

/* ---- stream packets ---- */

/* Offered, in the main-loop thread, each packet that is neither a call
 * nor a keepalive message (VIR_NET_STREAM from the client).  Returns
 * true if it took @msg: the packet then counts as a request until the
 * filter's owner calls virNetServerClientRequestDone (libvirt bounds a
 * stream's unprocessed packets by max_client_requests the same way). */
typedef bool (*virNetServerClientFilterFunc)(virNetServerClient *client,
                                             virNetMessage *msg,
                                             void *opaque);

/**
 * virNetServerClientAddFilter:
 * Registers @func (any thread); @freeFunc(@opaque) runs on removal or
 * when the client is freed.  Returns a positive id, or -1 if the
 * client is closed (nothing registered, @opaque not freed).
 */
int virNetServerClientAddFilter(virNetServerClient *client,
                                virNetServerClientFilterFunc func,
                                void *opaque, GDestroyNotify freeFunc);
/* Removes filter @id: main-loop thread only (so that a filter is never
 * removed while it runs). */
void virNetServerClientRemoveFilter(virNetServerClient *client, int id);

/**
 * virNetServerClientAfterReply:
 * Runs @func(@client, @opaque) once the calling worker has queued the
 * reply of the call it is running (from virNetServerClientRequestDone,
 * in that worker, no lock held), so that what @func starts (a stream's
 * data) reaches the client after that reply; then @freeFunc(@opaque)
 * (also if the client is freed first).  Call it from a procedure.
 */
void virNetServerClientAfterReply(virNetServerClient *client,
                                  virNetServerClientCloseFunc func,
                                  void *opaque, GDestroyNotify freeFunc);

/* The main-loop context of the client's I/O. */
GMainContext *virNetServerClientGetContext(virNetServerClient *client);

/* The largest packet the client may be sent. */
size_t virNetServerClientGetMaxLength(virNetServerClient *client);

/* ---- authentication (any thread) ---- */

/* The listener's authentication (before virNetServerClientStart).  A
 * client of VIR_NET_SERVER_AUTH_NONE (the default) is authenticated from
 * the start; any other is not until virNetServerClientSetAuthenticated. */
void virNetServerClientSetAuth(virNetServerClient *client, virNetServerAuth auth);
virNetServerAuth virNetServerClientGetAuth(virNetServerClient *client);
bool virNetServerClientIsAuthenticated(virNetServerClient *client);
void virNetServerClientSetAuthenticated(virNetServerClient *client);

/**
 * virNetServerClientSetSASLSession:
 * @sess: a completed SASL negotiation with SSF > 0 (taken)
 *
 * Wraps the stream in @sess's security layer, as libvirt does, from the
 * right byte on: call it from the procedure that completes the
 * authentication (a worker thread), just before it returns.  The reply
 * that worker queues next (the completing AUTH_SASL_START/STEP) still
 * goes out in clear; every byte written after it is encoded, every byte
 * read after it decoded.  The client sends nothing before it has that
 * reply, so nothing it sent before is read through the layer.  If the
 * worker queues no reply, the client is closed.
 */
void virNetServerClientSetSASLSession(virNetServerClient *client,
                                      virNetSASLSession *sess);
