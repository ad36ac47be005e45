/*
 * virnetserver.h: the RPC server: listeners, clients, workers
 *
 * Listens on UNIX and TCP sockets in the given GMainContext, accepts
 * clients up to a limit, routes each incoming call to its program and
 * runs it on a worker thread: procedures marked high priority on a small
 * dedicated pool, so that queries and aborts are answered while the
 * normal workers are busy with long calls (domain start, migration).
 */
#pragma once

#include <sys/types.h>
#include <gio/gio.h>

#include "internal.h"
#include "virnetserverclient.h"
#include "virnetserverprogram.h"

typedef struct _virNetServerConfig virNetServerConfig;
struct _virNetServerConfig {
    unsigned int maxClients;       /* more connections are refused */
    unsigned int maxAnonymousClients; /* clients not opened yet; at the
                                    * limit, no connection is accepted
                                    * (they wait in the listen backlog)
                                    * until one opens or leaves; 0: none */
    unsigned int anonymousTimeout; /* seconds before a client that has not
                                    * opened is dropped; 0: never */
    unsigned int maxWorkers;       /* threads for calls */
    unsigned int prioWorkers;      /* extra threads for high-priority calls */
    unsigned int maxMessageSize;   /* header + payload limit (bytes) */
    unsigned int maxClientRequests;/* calls in flight per client */
    int keepaliveInterval;         /* seconds; <= 0: no probes */
    unsigned int keepaliveCount;
};

typedef struct _virNetServer virNetServer;

/* Called in the main-loop thread for every accepted client before it
 * starts reading (set private data, close hooks). */
typedef void (*virNetServerClientInitFunc)(virNetServer *srv,
                                           virNetServerClient *client,
                                           void *opaque);

typedef void (*virNetServerClientIterFunc)(virNetServerClient *client,
                                           void *opaque);

virNetServer *virNetServerNew(const virNetServerConfig *cfg,
                              GMainContext *ctx);

/**
 * virNetServerFree:
 * Stops the listeners (removing UNIX socket files), closes every client,
 * lets running calls finish (iterating @ctx meanwhile, so that calls
 * waiting on main-loop I/O complete; queued calls are dropped) and frees
 * the server.  Call it from the thread that runs @ctx, with the loop
 * no longer running.
 */
void virNetServerFree(virNetServer *srv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetServer, virNetServerFree);

/* Adds a program (not owned: it must outlive the server). */
void virNetServerAddProgram(virNetServer *srv, virNetServerProgram *prog);

void virNetServerSetClientInit(virNetServer *srv,
                               virNetServerClientInitFunc func,
                               void *opaque);

/* Listens on a UNIX socket at @path (replacing a stale one) with
 * permissions @mode; its clients must pass @auth before they may call
 * anything but the authentication procedures (as with every listener).
 * 0, or -1 with an error reported. */
int virNetServerAddUnixListener(virNetServer *srv, const char *path,
                                mode_t mode, bool readonly,
                                virNetServerAuth auth);

/* Listens on TCP @addr:@port (@port 0: any free port, stored in
 * *@boundPort if not NULL).  0, or -1 with an error reported. */
int virNetServerAddTCPListener(virNetServer *srv, const char *addr,
                               unsigned int port, virNetServerAuth auth,
                               unsigned int *boundPort);

/* The same with TLS (@tls: a server context, referenced): every client
 * starts with the handshake and the certificate checks. */
int virNetServerAddTLSListener(virNetServer *srv, const char *addr,
                               unsigned int port, virNetTLSContext *tls,
                               virNetServerAuth auth, unsigned int *boundPort);

/* @client opened the connection (its program's CONNECT_OPEN
 * succeeded): it no longer counts as anonymous (any thread). */
void virNetServerTrackCompletedOpen(virNetServer *srv,
                                    virNetServerClient *client);

/* Calls @func for each connected client (with a reference held; may
 * run in any thread). */
void virNetServerForEachClient(virNetServer *srv,
                               virNetServerClientIterFunc func,
                               void *opaque);

size_t virNetServerGetClientCount(virNetServer *srv);
size_t virNetServerGetMaxLength(virNetServer *srv);
