/*
 * virnettlscontext.h: TLS (gnutls) for the RPC transport
 *
 * A context holds what every connection of one role shares: the x509
 * credentials (CA, optional CRL, our certificate and key), the priority
 * string and the peer policy (verify the peer's certificate; on a
 * server, the DNs allowed).  A session is one connection's TLS state on
 * a non-blocking socket: the handshake is stepped by the caller's event
 * loop, then records are read and written like recv(2)/send(2).
 *
 * libvirt's conventions, so that the stock client interoperates: the
 * server requests the client's certificate and checks it after the
 * handshake (chain, times, key usage and purpose, DN list); the client
 * checks the server's against the host name it connected to.  Contexts
 * are immutable once made and shared by reference; a session belongs
 * to one thread at a time (its connection's I/O thread).
 */
#pragma once

#include <sys/types.h>
#include <gio/gio.h>

#include "internal.h"

typedef struct _virNetTLSConfig virNetTLSConfig;
struct _virNetTLSConfig {
    const char *caFile;         /* CA certificate(s), PEM; required */
    const char *crlFile;        /* revocation list, PEM; NULL or missing:
                                 * none */
    const char *certFile;       /* our certificate, PEM */
    const char *keyFile;        /* its private key, PEM */
    const char *priority;       /* gnutls priority string; NULL: "NORMAL" */
    bool verifyPeer;            /* refuse a peer whose certificate fails
                                 * the checks (libvirt's requireValidCert) */
    const char *const *allowedDNs; /* server: glob patterns matched against
                                    * the client's DN; NULL: any */
};

typedef struct _virNetTLSContext virNetTLSContext;
typedef struct _virNetTLSSession virNetTLSSession;

/* Loads and checks the credentials (files readable, key matching the
 * certificate, certificate signed by the CA and fit for the role).
 * NULL with VIR_ERR_SYSTEM_ERROR / VIR_ERR_CONFIG_UNSUPPORTED naming the
 * file on failure. */
virNetTLSContext *virNetTLSContextNewServer(const virNetTLSConfig *cfg);
virNetTLSContext *virNetTLSContextNewClient(const virNetTLSConfig *cfg);

virNetTLSContext *virNetTLSContextRef(virNetTLSContext *ctx);
void virNetTLSContextUnref(virNetTLSContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetTLSContext, virNetTLSContextUnref);

/* A session on the connected, non-blocking socket @fd (not owned).  A
 * client session checks the server's certificate against @hostname. */
virNetTLSSession *virNetTLSSessionNew(virNetTLSContext *ctx, int fd,
                                      const char *hostname);
void virNetTLSSessionFree(virNetTLSSession *sess);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetTLSSession, virNetTLSSessionFree);

/**
 * virNetTLSSessionHandshake:
 * Advances the handshake as far as the socket allows; once it is
 * complete, checks the peer's certificate by the context's policy.
 * Returns 1 when done and accepted, 0 when it must be called again once
 * the socket is ready for *@want (G_IO_IN or G_IO_OUT), -1 on failure
 * (VIR_ERR_AUTH_FAILED reported, the connection must be dropped).
 */
int virNetTLSSessionHandshake(virNetTLSSession *sess, GIOCondition *want);

/* Record I/O after the handshake, like recv(2)/send(2): bytes moved,
 * 0 for the peer's orderly close (read), or -1 with errno EAGAIN (try
 * again when the socket is ready for virNetTLSSessionWants) or another
 * errno with an error reported. */
ssize_t virNetTLSSessionRead(virNetTLSSession *sess, char *buf, size_t len);
ssize_t virNetTLSSessionWrite(virNetTLSSession *sess, const char *buf,
                              size_t len);

/* What the last EAGAIN waited for: G_IO_IN or G_IO_OUT. */
GIOCondition virNetTLSSessionWants(virNetTLSSession *sess);

/* Decrypted bytes buffered in the session: they can be read without
 * the socket becoming readable, so an event loop must not wait for it
 * while this is non-zero. */
size_t virNetTLSSessionPending(virNetTLSSession *sess);

/* The peer's certificate DN in libvirt's (gnutls_x509_crt_get_dn)
 * form, once the handshake is done; NULL if the peer sent none. */
const char *virNetTLSSessionGetPeerDN(virNetTLSSession *sess);
