/*
 * remote_server.h: libvirt's remote protocol server for virtmigd
 *
 * The stock libvirt client (virsh, libvirt.so, python3-libvirt) connects
 * to these listeners as to libvirtd: qemu+unix:///system?socket=PATH or
 * qemu+tcp://ADDR/system, each listener with its authentication (none
 * or SASL, remoteServerSetSASL).  Calls run on worker threads
 * against the QEMU driver; I/O runs in the GMainContext given here.
 */
#pragma once

#include <sys/types.h>

#include "internal.h"
#include "qemu_driver.h"
#include "storage_driver.h"
#include "virnettlscontext.h"
#include "virnetsasl.h"
#include "virnetserverclient.h"

typedef struct _remoteServer remoteServer;

typedef struct {
    unsigned int maxClients;      /* connections beyond are refused */
    unsigned int maxAnonymousClients; /* connections not opened yet
                                   * (CONNECT_OPEN); at the limit no more
                                   * are accepted until one opens or
                                   * leaves (libvirtd's
                                   * max_anonymous_clients); 0: no limit */
    unsigned int anonymousTimeout;/* seconds a connection may stay not
                                   * opened before it is dropped; 0: no
                                   * limit */
    unsigned int maxWorkers;      /* threads running calls */
    unsigned int prioWorkers;     /* extra threads for high-priority calls */
    unsigned int maxMessageSize;  /* bytes of header + payload of one
                                   * message, like libvirt's
                                   * VIR_NET_MESSAGE_MAX (32 MiB), which
                                   * is also the largest accepted */
    int keepaliveInterval;        /* seconds; <= 0 disables our probes */
    unsigned int keepaliveCount;  /* unanswered probes before dropping */
} remoteServerConfig;

/**
 * remoteServerNew:
 * Creates the server and registers it as an event listener of @driver.
 * Nothing listens until remoteServerAdd*.  @ctx NULL means the default
 * main context.  Returns NULL with an error reported on failure.
 */
remoteServer *remoteServerNew(qemuDriver *driver, const remoteServerConfig *cfg,
                              GMainContext *ctx);

/* Listens on a UNIX socket (a stale socket file is replaced); a
 * read-only socket refuses every modifying procedure.  Clients must
 * pass @auth (VIR_NET_SERVER_AUTH_SASL needs remoteServerSetSASL)
 * before anything but the authentication procedures.  0 or -1. */
int remoteServerAddUnixSocket(remoteServer *srv, const char *path, mode_t mode,
                              bool readonly, virNetServerAuth auth);

/* Listens on TCP @addr:@port.  0 or -1. */
int remoteServerAddTCP(remoteServer *srv, const char *addr, unsigned int port,
                       virNetServerAuth auth);

/* Listens on TCP @addr:@port with TLS (@tls: a server context). */
int remoteServerAddTLS(remoteServer *srv, const char *addr, unsigned int port,
                       virNetTLSContext *tls, virNetServerAuth auth);

/* The SASL server context of the listeners that ask for SASL (not
 * owned: it must outlive the server).  Without one, SASL clients are
 * refused. */
void remoteServerSetSASL(remoteServer *srv, virNetSASLContext *sasl);

/* The storage driver serving the storage procedures (not owned: it
 * must outlive the server); its pool events go to the clients.  Without
 * one they answer "this function is not supported".  Call before
 * listening. */
void remoteServerSetStorage(remoteServer *srv, storageDriver *storage);

/**
 * remoteServerFree:
 * Stops the listeners, drops the clients, waits for running calls and
 * frees the server.  Call it from the thread that runs the context,
 * after the main loop stopped and before the driver is freed.
 */
void remoteServerFree(remoteServer *srv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(remoteServer, remoteServerFree);
