/*
 * virnetmessage.h: RPC packet framing and XDR encoding / decoding
 *
 * Pure functions over byte buffers, no I/O: a packet is a 4-byte
 * big-endian length (counting itself), a virNetMessageHeader and an XDR
 * payload (see virnetprotocol.x).
 */
#pragma once

#include <rpc/rpc.h>

#include "internal.h"
#include "virerror.h"
#include "virnetprotocol.h"

/* The smallest valid packet: the length word and a header. */
#define VIR_NET_MESSAGE_MIN_LEN \
    (VIR_NET_MESSAGE_LEN_MAX + VIR_NET_MESSAGE_HEADER_MAX)

/* A complete packet received from a peer. */
typedef struct _virNetMessage virNetMessage;
struct _virNetMessage {
    virNetMessageHeader header;   /* valid after virNetMessageDecodeHeader */
    char *buffer;                 /* the whole packet, length word included */
    size_t length;                /* its size in bytes */
};

/* The XDR routine of an empty payload (tirpc's xdr_void takes no
 * arguments, so it cannot be cast to xdrproc_t cleanly). */
bool_t virNetMessageXdrVoid(XDR *xdrs, void *data);

/* Wraps @buffer (@length bytes, ownership taken) in a message. */
virNetMessage *virNetMessageNew(char *buffer, size_t length);
void virNetMessageFree(virNetMessage *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetMessage, virNetMessageFree);

/* The largest packet (length word included) for a message limit of
 * @maxMessage bytes of header and payload: libvirt's VIR_NET_MESSAGE_MAX
 * counts the same way. */
size_t virNetMessageMaxLength(size_t maxMessage);

/**
 * virNetMessageDecodeLength:
 * @buf: the first VIR_NET_MESSAGE_LEN_MAX bytes of a packet
 * @maxLength: the largest packet accepted
 * @length: set to the packet's total size
 *
 * Returns 0, or -1 with VIR_ERR_RPC if the length is below
 * VIR_NET_MESSAGE_MIN_LEN or above @maxLength.
 */
int virNetMessageDecodeLength(const char *buf, size_t maxLength,
                              size_t *length);

/* Decodes @msg->header from @msg->buffer.  0, or -1 (VIR_ERR_RPC). */
int virNetMessageDecodeHeader(virNetMessage *msg);

/* Decodes the payload into @data (zeroed by the caller; free it with
 * xdr_free(@filter, @data)).  0, or -1 (VIR_ERR_RPC). */
int virNetMessageDecodePayload(const virNetMessage *msg, xdrproc_t filter,
                               void *data);

/**
 * virNetMessageEncode:
 * @header: the header to send
 * @filter: XDR routine of the payload, or NULL for an empty payload
 * @data: the payload
 * @maxLength: the largest packet allowed
 *
 * Returns the complete packet, or NULL with VIR_ERR_RPC if it does not
 * fit in @maxLength bytes or cannot be encoded.
 */
GBytes *virNetMessageEncode(const virNetMessageHeader *header,
                            xdrproc_t filter, const void *data,
                            size_t maxLength);

/**
 * virNetMessageEncodeError:
 * @call: header of the call being answered
 * @err: the error to send, or NULL if the failed function set none
 *
 * Returns the REPLY/ERROR packet for @call carrying @err exactly as
 * libvirt's daemon encodes it (remote_error).
 */
GBytes *virNetMessageEncodeError(const virNetMessageHeader *call,
                                 const virError *err, size_t maxLength);

/* The same as a stream's error: a VIR_NET_STREAM packet of status
 * VIR_NET_ERROR for the stream of @stream's program, procedure and
 * serial (libvirt's virNetServerProgramSendStreamError). */
GBytes *virNetMessageEncodeStreamError(const virNetMessageHeader *stream,
                                       const virError *err, size_t maxLength);

/**
 * virNetMessageEncodeRaw:
 * A packet whose payload is @len bytes of @data as they are, not XDR:
 * stream data (VIR_NET_STREAM).  NULL with VIR_ERR_RPC if it would
 * exceed @maxLength.
 */
GBytes *virNetMessageEncodeRaw(const virNetMessageHeader *header,
                               const char *data, size_t len, size_t maxLength);

/* The raw payload of @msg (stream data) and its length. */
const char *virNetMessageRawPayload(const virNetMessage *msg, size_t *len);

/* Decodes the virNetMessageError payload of @msg into a new virError
 * (as a client does).  NULL with VIR_ERR_RPC if malformed. */
virError *virNetMessageDecodeError(const virNetMessage *msg);
