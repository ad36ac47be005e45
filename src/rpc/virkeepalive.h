/*
 * virkeepalive.h: the keepalive protocol's state machine
 *
 * libvirt's semantics: once started, every @interval seconds without
 * any packet from the peer we send a PING; any packet received (not only
 * a PONG) proves the peer alive and resets the count.  After @count
 * PINGs without an answer the peer is declared dead.  Time is passed in
 * (monotonic microseconds) so the logic is testable without sleeping.
 */
#pragma once

#include "internal.h"
#include "virnetprotocol.h"

typedef enum {
    VIR_KEEPALIVE_WAIT,        /* nothing to do before *next */
    VIR_KEEPALIVE_SEND_PING,   /* send a PING now, check again at *next */
    VIR_KEEPALIVE_DEAD,        /* the peer stopped answering: drop it */
} virKeepAliveAction;

typedef struct _virKeepAlive virKeepAlive;
struct _virKeepAlive {
    int interval;               /* seconds; <= 0 disables the probes */
    unsigned int count;         /* unanswered PINGs tolerated */
    unsigned int countToDeath;  /* PINGs left before giving up */
    gint64 lastPacket;          /* when the peer was last heard */
    gint64 intervalStart;       /* start of the current silent interval */
    bool started;
};

void virKeepAliveInit(virKeepAlive *ka, int interval, unsigned int count);

/* Starts the probes (the client asked for VIR_DRV_FEATURE_PROGRAM_KEEPALIVE).
 * Returns false if probes are disabled by configuration. */
bool virKeepAliveStart(virKeepAlive *ka, gint64 now);

/* Any packet from the peer. */
void virKeepAliveReceived(virKeepAlive *ka, gint64 now);

/* What to do at @now; *next is when to call again (if not DEAD). */
virKeepAliveAction virKeepAliveCheck(virKeepAlive *ka, gint64 now,
                                     gint64 *next);

/* Is @header a keepalive program message? */
bool virKeepAliveIsMessage(const virNetMessageHeader *header);

/* The PING or PONG packet. */
GBytes *virKeepAliveMessageNew(int proc);
