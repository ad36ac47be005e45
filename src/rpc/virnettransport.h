/*
 * virnettransport.h: the byte stream under one RPC connection
 *
 * A non-blocking socket, with the layers libvirt's protocol puts over
 * it: a TLS session (TLS listeners, qemu+tls://) and, after a SASL
 * mechanism with a security layer on plain TCP, SASL's encoding.  The
 * server's clients and the RPC client both move their bytes through
 * here, so every layer works the same on both ends.
 *
 * Threads: one at a time (the connection's I/O thread).  The TLS
 * handshake is its owner's business (virNetTLSSessionHandshake on the
 * session, which must be done before the first read or write).
 */
#pragma once

#include <sys/types.h>
#include <gio/gio.h>

#include "internal.h"
#include "virnettlscontext.h"
#include "virnetsasl.h"

typedef struct _virNetTransport virNetTransport;

/* Takes a reference on @sock (made non-blocking, TCP_NODELAY on TCP)
 * and ownership of @tls (NULL: none).  @name says which connection in
 * the logs ("client 5", "unix:/run/sock"). */
virNetTransport *virNetTransportNew(GSocket *sock, virNetTLSSession *tls,
                                    const char *name);
void virNetTransportFree(virNetTransport *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetTransport, virNetTransportFree);

GSocket *virNetTransportGetSocket(virNetTransport *t);
/* The TLS session, NULL without TLS. */
virNetTLSSession *virNetTransportGetTLS(virNetTransport *t);

/**
 * virNetTransportRead / virNetTransportWrite:
 * Like recv(2)/send(2) through every layer: the bytes moved (0 from
 * Read: the peer closed), or -1 with errno EAGAIN (wait until the
 * socket is ready; a Write must then be offered the same bytes again)
 * or EIO with an error reported (VIR_ERR_RPC "Cannot read data: ...").
 */
gssize virNetTransportRead(virNetTransport *t, char *buf, size_t len);
gssize virNetTransportWrite(virNetTransport *t, const char *buf, size_t len);

/* Bytes received and decoded but not read yet: they do not make the
 * socket readable, so an event loop must not wait for it while this is
 * true. */
bool virNetTransportHasPending(virNetTransport *t);

/* From now on every byte goes through @sess's security layer (libvirt
 * starts it right after the reply that completed the authentication).
 * Takes @sess.  0, or -1 reported (the connection must close). */
int virNetTransportStartSASL(virNetTransport *t, virNetSASLSession *sess);
bool virNetTransportHasSASL(virNetTransport *t);
