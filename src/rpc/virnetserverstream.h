/*
 * virnetserverstream.h: a data stream of the RPC server (libvirt's
 * VIR_NET_STREAM messages) between a client and a file descriptor
 *
 * A procedure that opens a stream (DOMAIN_OPEN_CONSOLE, later volume
 * upload/download) binds it to its client, its program, procedure and
 * serial, and a source: a file descriptor (pty, pipe, socket, file).
 *
 * On the wire, as libvirt's daemon does: data from the source goes out
 * as VIR_NET_STREAM packets of status VIR_NET_CONTINUE; an empty one is
 * the end of the source (EOF); a failure is a VIR_NET_STREAM packet of
 * status VIR_NET_ERROR carrying the error, after which the stream is
 * gone.  From the client, VIR_NET_CONTINUE packets carry data for the
 * source (an empty one is a blocking reader's wake-up and is ignored),
 * VIR_NET_OK finishes the stream and VIR_NET_ERROR aborts it: both are
 * confirmed by an empty VIR_NET_STREAM packet of status VIR_NET_OK.
 *
 * Flow control, as libvirt: one data packet at a time is queued to the
 * client; the source is not read again until that packet has been
 * written to the socket, so a slow reader stops the source (the guest's
 * serial port) instead of growing the daemon.  Packets from the client
 * count as its requests until written to the source, so at most
 * max_client_requests of them wait.
 *
 * Threads: all I/O of the stream runs in the client's main-loop thread.
 * virNetServerStreamOpen runs in the procedure's worker;
 * virNetServerStreamAbort in any thread.  The stream's lock protects
 * only the state those threads hand to the main thread (see the .c).
 */
#pragma once

#include "internal.h"
#include "virnetserverclient.h"

typedef struct _virNetServerStream virNetServerStream;

typedef enum {
    VIR_NET_SERVER_STREAM_SEND = 1 << 0,  /* the source's data goes to the client */
    VIR_NET_SERVER_STREAM_RECV = 1 << 1,  /* the client's data goes to the source */
} virNetServerStreamFlags;

/* The most data in one packet: libvirt's VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX,
 * what its daemon reads from a stream's source at a time. */
#define VIR_NET_SERVER_STREAM_CHUNK (256 * 1024 - 24)

/* The source is done with: it reached its end or failed, or the stream
 * was finished, aborted or dropped with its client.  Runs once, in the
 * main-loop thread, with no lock of the stream held; must not block. */
typedef void (*virNetServerStreamEndFunc)(virNetServerStream *st, void *opaque);

/**
 * virNetServerStreamOpen:
 * @client: the client whose call opens the stream
 * @call: that call's header (program, version, procedure, serial)
 * @fd: the source (taken: closed by the stream, also on failure);
 *   made non-blocking
 * @flags: virNetServerStreamFlags
 * @end: told when the source is done with (may be NULL); @opaque is
 *   freed with @freeOpaque when the stream is freed (also on failure)
 *
 * Call it from the procedure, as its last step that can fail: packets
 * from the client for the stream are taken from now on, and the source
 * is read only once the procedure's reply is queued, so that the client
 * sees the reply first.  Returns a reference for the caller, or NULL
 * (error reported) if the client is already gone.
 */
virNetServerStream *virNetServerStreamOpen(virNetServerClient *client,
                                           const virNetMessageHeader *call,
                                           int fd, unsigned int flags,
                                           virNetServerStreamEndFunc end,
                                           void *opaque,
                                           GDestroyNotify freeOpaque);

virNetServerStream *virNetServerStreamRef(virNetServerStream *st);
void virNetServerStreamUnref(virNetServerStream *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetServerStream, virNetServerStreamUnref);

/**
 * virNetServerStreamAbort:
 * Ends the stream from the server's side (any thread): the client gets
 * a stream error carrying @err, or, if NULL, libvirt's "stream had I/O
 * failure"; the source is closed.  Nothing happens if the stream has
 * already ended.
 */
void virNetServerStreamAbort(virNetServerStream *st, const virError *err);
