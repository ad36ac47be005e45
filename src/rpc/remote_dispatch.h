/*
 * remote_dispatch.h: the remote program (libvirt's 0x20008086) on top of
 * the QEMU driver: per-client state, access checks, the helpers of the
 * handlers
 *
 * Internal to src/rpc.  The procedure table and the simple handlers are
 * generated from remote_protocol.x (gendispatch.py ->
 * remote_dispatch_gen.[ch]); remote_dispatch_connect.c,
 * remote_dispatch_auth.c (AUTH_LIST, SASL), remote_dispatch_domain.c,
 * remote_dispatch_migration.c, remote_dispatch_storage.c and
 * remote_event.c hold the handlers
 * written by hand and the helpers the generated ones call.
 */
#pragma once

#include "internal.h"
#include "qemu_driver.h"
#include "storage_driver.h"
#include "virnetserver.h"
#include "virnetsasl.h"
#include "remote_protocol.h"
#include "remote_dispatch_gen.h"

typedef struct _remoteServer remoteServer;
typedef struct _remoteEventQueue remoteEventQueue;
typedef struct _remoteNodeCache remoteNodeCache;

/* The façade's state, shared with the handlers (their @opaque). */
struct _remoteServer {
    qemuDriver *driver;
    GMainContext *ctx;
    virNetServer *net;
    virNetServerProgram *program;
    virNetServerProgram *qemuProgram; /* libvirt's QEMU program */
    remoteEventQueue *events;
    remoteNodeCache *node;
    int listenerID;               /* the driver's event listener, or -1 */
    gint lastCallbackID;          /* atomic: event callback IDs */
    GThreadPool *releasedPool;    /* qemuDriverClientClosed calls */
    virNetSASLContext *sasl;      /* not owned; NULL: no SASL */
    storageDriver *storage;       /* not owned; NULL: the storage
                                   * procedures are "not supported" */
};

/* The event name filter of a QEMU monitor event registration
 * (remote_event.c). */
typedef struct _remoteQemuEventFilter remoteQemuEventFilter;

/* What an event registration is for.  Network, node device and secret
 * events are never raised: their registrations are accepted for the
 * clients that make them (virt-manager), as an empty libvirt host
 * would. */
typedef enum {
    REMOTE_EVENT_DOMAIN = 0,
    REMOTE_EVENT_STORAGE_POOL,
    REMOTE_EVENT_QEMU_MONITOR,    /* the QEMU program's monitor events
                                   * (eventID QEMU_DOMAIN_EVENT_ID_MONITOR) */
    REMOTE_EVENT_NETWORK,
    REMOTE_EVENT_NODE_DEVICE,
    REMOTE_EVENT_SECRET,
} remoteEventFamily;

/* libvirt 9.0's event ID counts of those types (virNetworkEventID ...) */
enum {
    VIR_NETWORK_EVENT_ID_LAST = 1,        /* LIFECYCLE */
    VIR_NODE_DEVICE_EVENT_ID_LAST = 2,    /* LIFECYCLE, UPDATE */
    VIR_SECRET_EVENT_ID_LAST = 2,         /* LIFECYCLE, VALUE_CHANGED */
};

/* An event registration of one client. */
typedef struct _remoteEventCallback remoteEventCallback;
struct _remoteEventCallback {
    remoteEventFamily family;
    int callbackID;               /* -1 for legacy registrations */
    int eventID;                  /* virDomainEventID, or the family's */
    bool legacy;                  /* old-style: no callbackID on the wire */
    bool filtered;                /* only events of @uuid (domain or
                                   * pool) */
    unsigned char uuid[VIR_UUID_BUFLEN];
    remoteQemuEventFilter *qemuFilter; /* owned; NULL: every event name */
};

/* Frees what a registration owns (the clear function of the array). */
void remoteEventCallbackClear(remoteEventCallback *cb);

/* The most event registrations one connection may hold (all kinds). */
#define REMOTE_EVENT_CALLBACKS_MAX 1024

/* The remote program's state of one client connection. */
typedef struct _remoteClient remoteClient;
struct _remoteClient {
    GMutex lock;
    bool open;                    /* CONNECT_OPEN succeeded */
    bool readonly;                /* read-only socket or VIR_CONNECT_RO */
    char *uri;                    /* what CONNECT_GET_URI answers */
    bool closeCallback;           /* REGISTER_CLOSE_CALLBACK seen */
    GArray *callbacks;            /* remoteEventCallback */
    bool migration;               /* took part in a migration: the driver
                                   * hears when the client is released */
    remoteServer *srv;            /* constant after creation */
    guint64 id;                   /* the client's ID (constant) */
    virNetSASLSession *sasl;      /* SASL negotiation under way */
    char *saslUser;               /* who authenticated with SASL */
};

/* @srv is told when a client that took part in a migration is released
 * (remoteClientFree). */
remoteClient *remoteClientNew(remoteServer *srv, guint64 id, bool readonly);
void remoteClientFree(remoteClient *priv);
remoteClient *remoteClientGet(virNetServerClient *client);
bool remoteClientIsReadonly(virNetServerClient *client);

/* Checks run before every call: client authenticated (libvirt's
 * "authentication required"), connection opened, read-only access
 * (only procedures marked read-only-safe pass on a read-only one). */
int remoteDispatchCheck(virNetServerClient *client,
                        const virNetServerProc *proc, void *opaque);

/* ---- helpers of the handlers (remote_dispatch.c) ---- */

/* Fills @dom (freed by xdr_free) from @ref. */
void remoteMakeDomain(remote_nonnull_domain *dom, const qemuDomainRef *ref);
/* The same, then clears @ref. */
void remoteMoveDomain(remote_nonnull_domain *dom, qemuDomainRef *ref);

/* The UUID of a domain argument. */
const unsigned char *remoteDomainUUID(const remote_nonnull_domain *dom);

/* The same for storage pools and volumes. */
void remoteMoveStoragePool(remote_nonnull_storage_pool *pool, storagePoolRef *ref);
void remoteMoveStorageVol(remote_nonnull_storage_vol *vol, storageVolRef *ref);

/* libvirt's VIR_ERR_NO_SUPPORT for public API @api, a server without
 * the driver behind it; returns -1. */
int remoteUnsupported(const char *api);

/* Fails with the driver's VIR_ERR_NO_DOMAIN if @uuid does not exist. */
int remoteCheckDomain(qemuDriver *driver, const unsigned char *uuid);

/* Refuses a flag a read-only connection may not pass (libvirt's
 * "operation forbidden: API with secure flag"); @set: the flag is set. */
int remoteCheckSecureFlag(virNetServerClient *client, bool set,
                          const char *api);

/* ---- connection (remote_dispatch_connect.c) ---- */

char *remoteClientGetURI(virNetServerClient *client);
int remoteSetCloseCallback(virNetServerClient *client, bool registered);

/* ---- migration (remote_dispatch_migration.c) ---- */

/* The flags of a v3 procedure with fixed arguments (a hyper on the
 * wire, 32 bits for the *3_PARAMS procedures). */
int remoteMigrationFixedFlags(uint64_t flags, const char *api,
                              unsigned int *out);
/* Appends a typed parameter for a fixed argument to @params
 * (*@n entries): a string unless NULL, a bandwidth unless 0.  The
 * values are borrowed. */
void remoteMigrationFixedParamString(remote_typed_param *params, u_int *n,
                                     const char *name, const char *value);
void remoteMigrationFixedParamULLong(remote_typed_param *params, u_int *n,
                                     const char *name, uint64_t value);

/* The pool calling qemuDriverClientClosed for released clients (one
 * thread, in order); free it after the clients are gone. */
GThreadPool *remoteMigrationReleasedPoolNew(remoteServer *srv);
/* Queues the notification that client @clientID is gone (any thread;
 * never blocks). */
void remoteMigrationClientReleased(remoteServer *srv, guint64 clientID);

/* ---- event registration (remote_event.c) ---- */

/* A legacy registration (no callback ID; one per event ID): 0 or -1. */
int remoteEventRegisterLegacy(virNetServerClient *client, int eventID);
/* CONNECT_DOMAIN_EVENT_REGISTER (lifecycle): 1 (registered) or -1. */
int remoteEventRegisterLifecycle(virNetServerClient *client);
/* A registration with a callback ID (returned, > 0), optionally for one
 * domain; -1 on error. */
int remoteEventRegisterCallback(virNetServerClient *client, remoteServer *srv,
                                int eventID, const remote_nonnull_domain *dom);
/* Removes the legacy registration of event ID @key, or the one with
 * callback ID @key: 0, or -1 if there is none. */
int remoteEventDeregister(virNetServerClient *client, bool legacy, int key);
/* QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_REGISTER: QEMU monitor events
 * (of @dom only, unless NULL) named @event (NULL: all) matched as
 * libvirt's VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_* @flags say;
 * the callback ID (> 0), or -1. */
int remoteEventRegisterQemu(virNetServerClient *client, remoteServer *srv,
                            const remote_nonnull_domain *dom, const char *event,
                            unsigned int flags);
/* ..._DEREGISTER: 0, or -1 if @callbackID is not such a registration. */
int remoteEventDeregisterQemu(virNetServerClient *client, int callbackID);
/* Storage pool events (all pools, or @pool's): the callback ID, or -1. */
int remoteEventRegisterStoragePool(virNetServerClient *client, remoteServer *srv,
                                   int eventID,
                                   const remote_nonnull_storage_pool *pool);
int remoteEventDeregisterStoragePool(virNetServerClient *client, int callbackID);
/* A registration for events of @family that are never raised (@eventID
 * below @lastID, libvirt's *_EVENT_ID_LAST): its callback ID, or -1. */
int remoteEventRegisterObject(virNetServerClient *client, remoteServer *srv,
                              remoteEventFamily family, int eventID, int lastID);
/* Removes such a registration: 0, or -1 if @callbackID has none. */
int remoteEventDeregisterObject(virNetServerClient *client,
                                remoteEventFamily family, int callbackID);
