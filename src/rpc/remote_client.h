/*
 * remote_client.h: typed calls of the remote program, for a daemon
 * talking to another daemon (peer-to-peer migration)
 *
 * Opens the connection the way libvirt's remote driver does (AUTH_LIST,
 * CONNECT_SUPPORTS_FEATURE(PROGRAM_KEEPALIVE), CONNECT_OPEN with the
 * URI's path, then keepalive) and wraps the procedures P2P needs.
 * Every function returns 0 or -1 with the error set (the peer's own
 * error when it answered one).
 */
#pragma once

#include "internal.h"
#include "virtypedparam.h"
#include "virnetclient.h"

#define REMOTE_CLIENT_DEFAULT_TCP_PORT 16509
#define REMOTE_CLIENT_DEFAULT_TLS_PORT 16514
/* libvirt's system socket, used by qemu+unix:// without ?socket= */
#define REMOTE_CLIENT_DEFAULT_SOCKET "/run/libvirt/libvirt-sock"

/* Where a libvirt URI points. */
typedef struct {
    char *host;             /* TCP; NULL for a unix socket */
    unsigned int port;
    bool tls;               /* qemu+tls:// */
    char *pkipath;          /* ?pkipath=DIR: the TLS files there */
    char *socket;           /* unix socket path; NULL for TCP */
    char *name;             /* what CONNECT_OPEN receives: "qemu:///system" */
} remoteClientTarget;

/**
 * remoteClientParseURI:
 * Accepts qemu+tcp://HOST[:PORT]/PATH (port 16509 by default),
 * qemu+tls://HOST[:PORT]/PATH[?pkipath=DIR] (16514) and
 * qemu+unix:///PATH[?socket=SOCKET].  Other schemes fail with
 * VIR_ERR_ARGUMENT_UNSUPPORTED naming the scheme, a malformed URI with
 * VIR_ERR_INVALID_ARG.  Clear @target with remoteClientTargetClear.
 */
int remoteClientParseURI(const char *uri, remoteClientTarget *target);
void remoteClientTargetClear(remoteClientTarget *target);

typedef struct {
    virNetClientConfig net;
    int keepaliveInterval;          /* seconds; <= 0: no probes of ours */
    unsigned int keepaliveCount;
    int callTimeoutMs;              /* per call; <= 0: none (keepalive
                                     * notices a dead peer) */
    virNetTLSConfig tls;            /* qemu+tls:// without ?pkipath=: our
                                     * CA, client certificate and key (the
                                     * peer is always verified) */
} remoteClientConfig;

/* libvirt's qemu.conf defaults for this connection: keepalive 5 s x 5;
 * no call timeout (Prepare may start QEMU). */
remoteClientConfig remoteClientDefaultConfig(void);

typedef struct _remoteClient remoteClient;

/* Connects to @uri and opens it.  NULL with the error set. */
remoteClient *remoteClientOpen(const char *uri, const remoteClientConfig *cfg);

/* Sends CONNECT_CLOSE (if the connection is still up) and frees. */
int remoteClientClose(remoteClient *rc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(remoteClient, remoteClientClose);

/* The underlying connection (state, close reason). */
virNetClient *remoteClientGetNet(remoteClient *rc);

int remoteClientSupportsFeature(remoteClient *rc, int feature, bool *supported);

/* DOMAIN_MIGRATE_PREPARE3_PARAMS: *@cookieout (may be NULL when empty)
 * and *@uriout (NULL if the destination chose none) are the caller's. */
int remoteClientMigratePrepare3Params(remoteClient *rc,
                                      const virTypedParameter *params,
                                      size_t nparams,
                                      const char *cookiein, size_t cookieinlen,
                                      char **cookieout, size_t *cookieoutlen,
                                      char **uriout, unsigned int flags);

/* DOMAIN_MIGRATE_FINISH3_PARAMS: the domain now running on the
 * destination (*@name is the caller's, @uuid VIR_UUID_BUFLEN bytes). */
int remoteClientMigrateFinish3Params(remoteClient *rc,
                                     const virTypedParameter *params,
                                     size_t nparams,
                                     const char *cookiein, size_t cookieinlen,
                                     char **cookieout, size_t *cookieoutlen,
                                     unsigned int flags, int cancelled,
                                     char **name, unsigned char *uuid);
