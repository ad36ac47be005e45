/*
 * rpctestclient.h: a minimal blocking RPC client for the server tests
 *
 * Speaks the wire protocol directly (src/rpc/virnetmessage.h and the
 * generated XDR code), so tests can send well-formed calls as well as
 * arbitrary bytes, and see exactly what the server answers.
 */
#pragma once

#include "internal.h"
#include "virnetmessage.h"
#include "remote_protocol.h"

#define RPC_TEST_TIMEOUT_MS 5000

typedef struct _rpcTestClient rpcTestClient;

rpcTestClient *rpcTestClientConnectUnix(const char *path);
rpcTestClient *rpcTestClientConnectTCP(const char *addr, unsigned int port);
void rpcTestClientFree(rpcTestClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rpcTestClient, rpcTestClientFree);

/* Transforms @in (at most the layer's chunk size when encoding) into
 * *@out (owned by @opaque, valid until its next call).  0 or -1. */
typedef int (*rpcTestClientCodecFunc)(void *opaque, const char *in, size_t inlen,
                                      const char **out, size_t *outlen);

/* From now on every byte sent goes through @encode in chunks of at most
 * @chunk bytes, every byte received through @decode: a security layer
 * such as SASL's, with @opaque (not owned) its session.  NULLs: none
 * any more (what was decoded and not read is dropped). */
void rpcTestClientSetLayer(rpcTestClient *client, rpcTestClientCodecFunc encode,
                           rpcTestClientCodecFunc decode, size_t chunk,
                           void *opaque);

/* Answer the server's keepalive PINGs while waiting (default: yes). */
void rpcTestClientSetAutoPong(rpcTestClient *client, bool autoPong);

/* Writes @len bytes as they are.  0, or -1 if the peer is gone. */
int rpcTestClientSendRaw(rpcTestClient *client, const void *data, size_t len);

/* Receives one packet: 1 (and *msg), 0 after @timeoutMs, -1 on EOF. */
int rpcTestClientRecv(rpcTestClient *client, int timeoutMs, virNetMessage **msg);

/* The program the following calls go to (@prog, version @vers); the
 * remote program until set. */
void rpcTestClientSetProgram(rpcTestClient *client, unsigned int prog,
                             unsigned int vers);

/* Sends a CALL (of the remote program unless set otherwise); returns
 * its serial, or 0. */
unsigned int rpcTestClientSendCall(rpcTestClient *client, int proc,
                                   xdrproc_t argsFilter, void *args);

/* Waits for the reply with @serial, queueing events and the replies to
 * other calls met meanwhile.  NULL on EOF or timeout. */
virNetMessage *rpcTestClientWaitReply(rpcTestClient *client, unsigned int serial,
                                      int timeoutMs);

/* Decodes @reply as rpcTestClientCall does: 0 (@ret filled), 1 (*@err
 * set) or -1. */
int rpcTestClientDecodeReply(virNetMessage *reply, xdrproc_t retFilter,
                             void *ret, virError **err);

/* A packet as hex: 16 bytes a line in groups of 4, with the offset (the
 * format of the tests' .hex files). */
char *rpcTestHexDump(GBytes *bytes);

/**
 * rpcTestClientCall:
 * Calls @proc and decodes the answer: 0 with @ret filled (free with
 * xdr_free), 1 with *@err set for an error reply, -1 on a transport
 * failure (EOF, timeout, undecodable reply).
 */
int rpcTestClientCall(rpcTestClient *client, int proc,
                      xdrproc_t argsFilter, void *args,
                      xdrproc_t retFilter, void *ret, virError **err);

/* Opens the connection like libvirt's client: AUTH_LIST,
 * SUPPORTS_FEATURE(PROGRAM_KEEPALIVE), CONNECT_OPEN(@uri, @flags). */
int rpcTestClientOpen(rpcTestClient *client, const char *uri, unsigned int flags);

/* The next event (MESSAGE of the remote program), waiting up to
 * @timeoutMs; NULL if none came. */
virNetMessage *rpcTestClientNextEvent(rpcTestClient *client, int timeoutMs);

/* Keepalive messages seen: PINGs and PONGs from the server. */
unsigned int rpcTestClientPingsSeen(rpcTestClient *client);
unsigned int rpcTestClientPongsSeen(rpcTestClient *client);
