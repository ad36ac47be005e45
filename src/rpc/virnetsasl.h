/*
 * virnetsasl.h: SASL authentication of RPC clients (Cyrus SASL)
 *
 * A server context (virNetSASLContext) initializes libsasl2 for the
 * process and holds the policy (sasl_allowed_username_list); a session
 * (virNetSASLSession) is one client's negotiation: mechanisms, then
 * start and steps until it completes or fails, then the identity and
 * the negotiated SSF.
 *
 * libsasl2 is process-global: its server side is initialized once by
 * virNetSASLContextNewServer (sasl_server_init, with the SASL
 * configuration read from the context's directory only) and finished
 * by virNetSASLContextFree (sasl_server_done).  Create one server
 * context per process, at start-up, and free it after every session.
 *
 * Threads: any; the context serializes every libsasl2 call (the
 * library's default mutexes do nothing, and authentication is rare).
 *
 * The SASL security layer: after a mechanism negotiated an SSF > 0
 * (DIGEST-MD5, GSSAPI), both ends wrap the whole stream with
 * virNetSASLSessionEncode/Decode (libvirt asks for one of SSF >= 56 on
 * plain TCP); the encoding side cuts the stream into chunks of at most
 * virNetSASLSessionGetMaxBufSize bytes.  A session doing this belongs
 * to one thread at a time (the connection's I/O thread).
 */
#pragma once

#include "internal.h"

typedef struct _virNetSASLContext virNetSASLContext;
typedef struct _virNetSASLSession virNetSASLSession;

/* What a start or step did. */
typedef enum {
    VIR_NET_SASL_COMPLETE,      /* authenticated */
    VIR_NET_SASL_CONTINUE,      /* send the data, expect a step */
} virNetSASLStatus;

/* The service name of SASL sessions (libvirt's: Kerberos principals
 * are libvirt/HOST, and the stock client asks for it). */
#define VIR_NET_SASL_SERVICE "libvirt"

/* The application name: the SASL configuration file is
 * CONFDIR/virtmigd.conf, saslpasswd2 -a virtmigd. */
#define VIR_NET_SASL_APPNAME "virtmigd"

/**
 * virNetSASLContextNewServer:
 * @confDir: the directory of virtmigd.conf, libsasl2's configuration
 *   (mech_list, sasldb_path...); the system's /etc/sasl2 is not read
 * @allowedUsers: glob patterns of the usernames allowed in (copied);
 *   NULL: anyone who authenticates, an empty list: nobody
 *
 * Initializes libsasl2's server side for the process.  NULL with
 * VIR_ERR_AUTH_FAILED reported if libsasl2 refuses.
 */
virNetSASLContext *virNetSASLContextNewServer(const char *confDir,
                                              const char *const *allowedUsers);
/* Finishes libsasl2 (sasl_server_done): no session may remain. */
void virNetSASLContextFree(virNetSASLContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetSASLContext, virNetSASLContextFree);

/* true if @identity matches sasl_allowed_username_list; false with the
 * refusal logged (libvirt's error reported: VIR_ERR_SYSTEM_ERROR
 * "Client's username is not on the list of allowed clients"). */
bool virNetSASLContextCheckIdentity(virNetSASLContext *ctx,
                                    const char *identity);

/**
 * virNetSASLSessionNewServer:
 * @localAddr, @remoteAddr: "IP;PORT" of a TCP connection (libsasl2's
 *   format), NULL for a UNIX socket
 *
 * A negotiation for one client.  NULL with VIR_ERR_AUTH_FAILED
 * reported on failure.
 */
virNetSASLSession *virNetSASLSessionNewServer(virNetSASLContext *ctx,
                                              const char *localAddr,
                                              const char *remoteAddr);
void virNetSASLSessionFree(virNetSASLSession *sess);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetSASLSession, virNetSASLSessionFree);

/* libsasl2's security properties: the SSF range (0, 0: no security
 * layer) and whether anonymous and plain-text mechanisms may be used.
 * 0, or -1 reported. */
int virNetSASLSessionSecProps(virNetSASLSession *sess, int minSSF, int maxSSF,
                              bool allowAnonymous);

/* The mechanisms the client may choose, comma separated ("SCRAM-SHA-256"),
 * or NULL reported. */
char *virNetSASLSessionListMechanisms(virNetSASLSession *sess);

/**
 * virNetSASLSessionServerStart / virNetSASLSessionServerStep:
 * @clientin: the client's data, NULL for none (which SASL tells apart
 *   from an empty string: the wire's "nil" flag)
 * @serverout: set to the data for the client (owned by the session,
 *   valid until its next call), possibly NULL
 *
 * Returns a virNetSASLStatus, or -1 with VIR_ERR_AUTH_FAILED reported
 * (wrong password, unknown user or mechanism...: the detail is logged).
 */
int virNetSASLSessionServerStart(virNetSASLSession *sess, const char *mech,
                                 const char *clientin, size_t clientinlen,
                                 const char **serverout, size_t *serveroutlen);
int virNetSASLSessionServerStep(virNetSASLSession *sess,
                                const char *clientin, size_t clientinlen,
                                const char **serverout, size_t *serveroutlen);

/* After completion: the authenticated username (a copy), or NULL
 * reported. */
char *virNetSASLSessionGetIdentity(virNetSASLSession *sess);
/* After completion: the negotiated SSF (0: no security layer), or -1
 * reported. */
int virNetSASLSessionGetKeySize(virNetSASLSession *sess);

/* After completion: the largest input virNetSASLSessionEncode takes at
 * once (SASL_MAXOUTBUF, what the peer can decode), or -1 reported. */
ssize_t virNetSASLSessionGetMaxBufSize(virNetSASLSession *sess);

/**
 * virNetSASLSessionEncode:
 * @input, @inputlen: at most virNetSASLSessionGetMaxBufSize bytes
 * @output, @outputlen: set to the encoded bytes for the wire, owned by
 *   the session and valid until its next encode
 *
 * Applies the security layer.  0, or -1 reported.
 */
int virNetSASLSessionEncode(virNetSASLSession *sess,
                            const char *input, size_t inputlen,
                            const char **output, size_t *outputlen);

/**
 * virNetSASLSessionDecode:
 * @input, @inputlen: bytes read from the wire, any amount (libsasl2
 *   keeps an incomplete frame until the rest comes)
 * @output, @outputlen: set to the decoded bytes (possibly none), owned
 *   by the session and valid until its next decode
 *
 * Removes the security layer.  0, or -1 reported (a corrupt or forged
 * frame).
 */
int virNetSASLSessionDecode(virNetSASLSession *sess,
                            const char *input, size_t inputlen,
                            const char **output, size_t *outputlen);
