/*
 * virnetserverclientpriv.h: the client connection's object, shared by
 * the files that implement it (virnetserverclient.c: I/O, keepalive,
 * TLS, closing; virnetserverclienthooks.c: hooks, filters, deferred
 * work).  Not for other users: they go through virnetserverclient.h.
 */
#pragma once

#include "virnetserverclient.h"
#include "virkeepalive.h"
#include "virnettransport.h"

/* A close hook or a filter. */
typedef struct {
    int id;
    GCallback func;
    void *opaque;
    GDestroyNotify freeFunc;
} virNetServerClientCallback;

typedef struct {
    GThread *thread;            /* the worker whose reply is awaited */
    virNetServerClientCloseFunc func;
    void *opaque;
    GDestroyNotify freeFunc;
} virNetServerClientDeferred;

struct _virNetServerClient {
    gatomicrefcount refs;
    guint64 id;
    GSocket *sock;              /* for watches and addresses */
    virNetTransport *transport; /* the byte stream over it: main thread */
    GMainContext *ctx;
    bool readonly;
    bool local;
    char *localHost;
    char *localAddr;
    char *remoteAddr;
    virNetServerClientLimits limits;
    virNetServerClientDispatchFunc dispatch;
    void *dispatchOpaque;
    void *privateData;
    GDestroyNotify privateFree;

    /* main thread */
    bool handshaking;           /* TLS handshake not done: no packets */
    GSource *handshakeSource;
    GSource *pendingSource;     /* reads what TLS has buffered */
    GSource *readSource;
    GSource *writeSource;
    GSource *kaSource;
    gint64 kaDeadline;
    GSource *openSource;
    char lenBuf[VIR_NET_MESSAGE_LEN_MAX];
    size_t lenHave;
    char *rxBuf;
    size_t rxLength;
    size_t rxHave;
    size_t rxAlloc;
    GBytes *txCurrent;
    size_t txOffset;
    bool started;

    /* lock */
    GMutex lock;
    GQueue txQueue;
    size_t txQueued;
    unsigned int nrequests;
    bool wantClose;
    bool closed;
    bool wakeScheduled;
    bool opened;
    virKeepAlive ka;
    GArray *hooks;              /* virNetServerClientCallback */
    GArray *filters;            /* virNetServerClientCallback */
    int lastCallbackId;
    GArray *afterReply;         /* virNetServerClientDeferred */
    /* the SASL layer waiting for the reply that completes the
     * authentication (virNetServerClientSetSASLSession) */
    virNetSASLSession *saslPending;
    GThread *saslPendingThread; /* the worker that will queue that reply */
    GBytes *saslAfter;          /* that reply, once queued */

    /* atomic (authentication, virNetServerClientSetAuth) */
    gint auth;                  /* virNetServerAuth of the listener */
    gint authenticated;         /* may call every procedure */
    gint saslLayer;             /* a SASL security layer was negotiated */
};

/* virnetserverclienthooks.c */
void virNetServerClientRunHooks(virNetServerClient *client);
bool virNetServerClientRunFilters(virNetServerClient *client, virNetMessage *msg);
void virNetServerClientClearFilters(virNetServerClient *client);
void virNetServerClientRunAfterReply(virNetServerClient *client);
void virNetServerClientFreeDeferred(GArray *deferred);
