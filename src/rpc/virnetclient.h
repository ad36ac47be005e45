/*
 * virnetclient.h: the client side of libvirt's RPC protocol
 *
 * One connection to a remote daemon (unix socket or TCP), framed and
 * encoded by virnetmessage.c like the server.  A dedicated I/O thread
 * with its own GMainContext owns the stream: it reads every packet,
 * hands replies to the callers waiting for them, drops events, answers
 * the peer's keepalive PINGs and sends our own.  Callers (worker
 * threads) block in virNetClientCall until their reply, an error, their
 * timeout, or the death of the connection.
 *
 * The transport is a non-blocking socket, with a TLS session over it
 * when the config has a TLS context (the handshake and libvirtd's
 * confirmation byte happen in the connecting thread, before the I/O
 * thread starts).
 */
#pragma once

#include "internal.h"
#include "virerror.h"
#include "virnetmessage.h"
#include "virnettlscontext.h"

typedef struct _virNetClient virNetClient;

typedef struct {
    size_t maxMessage;          /* header + payload, as the server's limit */
    unsigned int connectTimeout;  /* seconds, 0: the OS default; also
                                   * bounds the TLS handshake */
    virNetTLSContext *tls;      /* TCP only: a client context (not
                                 * owned); NULL: plain */
} virNetClientConfig;

/* 32 MiB messages (libvirt's VIR_NET_MESSAGE_MAX), 10 s to connect. */
virNetClientConfig virNetClientDefaultConfig(void);

/* Connects to the unix socket @path.  NULL with VIR_ERR_SYSTEM_ERROR
 * naming the socket if it cannot. */
virNetClient *virNetClientNewUnix(const char *path,
                                  const virNetClientConfig *cfg);

/* Connects to @host:@port.  NULL with VIR_ERR_SYSTEM_ERROR naming the
 * address if it cannot. */
virNetClient *virNetClientNewTCP(const char *host, unsigned int port,
                                 const virNetClientConfig *cfg);

/* Closes the connection (failing the calls still waiting), stops the
 * I/O thread and frees.  Must not race with calls on other threads. */
void virNetClientFree(virNetClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetClient, virNetClientFree);

/* How the connection is named in errors: "unix:PATH" or "HOST:PORT". */
const char *virNetClientName(const virNetClient *client);

/**
 * virNetClientKeepAliveStart:
 * Sends a PING after @interval seconds without any packet from the
 * peer, and declares it dead (closing the connection) after @count
 * unanswered PINGs.  @interval <= 0 disables it.  The peer's own PINGs
 * are answered whether or not this is called.
 */
void virNetClientKeepAliveStart(virNetClient *client, int interval,
                                unsigned int count);

/* false once the peer closed, the connection broke or keepalive gave up. */
bool virNetClientIsOpen(virNetClient *client);

/**
 * virNetClientCloseFunc:
 * Called once, on the connection's I/O thread, when it closes for any
 * reason but virNetClientFree (@reason says why).  It must not block
 * nor free @client; it may queue work (e.g. cancel a migration).
 */
typedef void (*virNetClientCloseFunc)(virNetClient *client,
                                      const virError *reason, void *opaque);

/* Sets the close callback (NULL: none).  If the connection is already
 * closed, @func is called soon all the same. */
void virNetClientSetCloseCallback(virNetClient *client,
                                  virNetClientCloseFunc func, void *opaque);

/* Why the connection closed (a copy for the caller), or NULL if open. */
virError *virNetClientGetCloseError(virNetClient *client);

/**
 * virNetClientCall:
 * @prog, @vers, @proc: the procedure to call
 * @argsFilter, @args: its arguments (NULL filter: none)
 * @retFilter, @ret: its result, zeroed by the caller (free it with
 *   xdr_free); NULL filter: none expected
 * @timeoutMs: how long to wait for the reply; <= 0: no limit
 *
 * Returns 0 with @ret filled, or -1 with the error set: the peer's
 * error (its code, domain and message), VIR_ERR_OPERATION_TIMEOUT, or
 * VIR_ERR_RPC naming the connection if it closed or broke (also for a
 * reply over the size limit).  Thread-safe: concurrent calls are
 * matched to their replies by serial.
 */
int virNetClientCall(virNetClient *client, int prog, int vers, int proc,
                     xdrproc_t argsFilter, void *args,
                     xdrproc_t retFilter, void *ret, int timeoutMs);
