/*
 * virkeepalive.c: the keepalive protocol's state machine
 */
#include "virkeepalive.h"
#include "virkeepaliveprotocol.h"
#include "virnetmessage.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.keepalive");

void
virKeepAliveInit(virKeepAlive *ka, int interval, unsigned int count)
{
    ka->interval = interval;
    ka->count = count;
    ka->countToDeath = count;
    ka->lastPacket = 0;
    ka->intervalStart = 0;
    ka->started = false;
}

bool
virKeepAliveStart(virKeepAlive *ka, gint64 now)
{
    if (ka->interval <= 0)
        return false;
    if (!ka->started) {
        ka->started = true;
        ka->lastPacket = now;
        ka->intervalStart = now;
        ka->countToDeath = ka->count;
    }
    return true;
}

void
virKeepAliveReceived(virKeepAlive *ka, gint64 now)
{
    ka->lastPacket = now;
    ka->intervalStart = now;
    ka->countToDeath = ka->count;
}

virKeepAliveAction
virKeepAliveCheck(virKeepAlive *ka, gint64 now, gint64 *next)
{
    gint64 period = (gint64)ka->interval * G_USEC_PER_SEC;

    if (!ka->started || ka->interval <= 0) {
        *next = G_MAXINT64;
        return VIR_KEEPALIVE_WAIT;
    }
    if (now - ka->intervalStart < period) {
        *next = ka->intervalStart + period;
        return VIR_KEEPALIVE_WAIT;
    }
    ka->intervalStart = now;
    *next = now + period;
    if (ka->countToDeath == 0) {
        VIR_DEBUG("no answer after %u keepalive messages in %lld seconds",
                  ka->count, (long long)((now - ka->lastPacket) / G_USEC_PER_SEC));
        return VIR_KEEPALIVE_DEAD;
    }
    ka->countToDeath--;
    return VIR_KEEPALIVE_SEND_PING;
}

bool
virKeepAliveIsMessage(const virNetMessageHeader *header)
{
    return header->prog == KEEPALIVE_PROGRAM;
}

GBytes *
virKeepAliveMessageNew(int proc)
{
    virNetMessageHeader header = {
        .prog = KEEPALIVE_PROGRAM,
        .vers = KEEPALIVE_PROTOCOL_VERSION,
        .proc = proc,
        .type = VIR_NET_MESSAGE,
        .serial = 0,
        .status = VIR_NET_OK,
    };

    return virNetMessageEncode(&header, NULL, NULL, VIR_NET_MESSAGE_MIN_LEN);
}
