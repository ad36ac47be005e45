/*
 * remote_dispatch.h: the remote program (libvirt's 0x20008086) on top of
 * the QEMU driver: per-client state, the procedure table, handlers
 *
 * Internal to src/rpc: remote_server.c builds the program from here;
 * remote_dispatch_connect.c, remote_dispatch_domain.c and remote_event.c
 * hold the handlers.
 */
#pragma once

#include "internal.h"
#include "qemu_driver.h"
#include "virnetserver.h"
#include "remote_protocol.h"

typedef struct _remoteServer remoteServer;
typedef struct _remoteEventQueue remoteEventQueue;
typedef struct _remoteNodeCache remoteNodeCache;

/* The façade's state, shared with the handlers (their @opaque). */
struct _remoteServer {
    qemuDriver *driver;
    GMainContext *ctx;
    virNetServer *net;
    virNetServerProgram *program;
    remoteEventQueue *events;
    remoteNodeCache *node;
    int listenerID;               /* the driver's event listener, or -1 */
    gint lastCallbackID;          /* atomic: event callback IDs */
    GThreadPool *releasedPool;    /* qemuDriverClientClosed calls */
};

/* A domain event registration of one client. */
typedef struct _remoteEventCallback remoteEventCallback;
struct _remoteEventCallback {
    int callbackID;               /* -1 for legacy registrations */
    int eventID;                  /* virDomainEventID */
    bool legacy;                  /* old-style: no callbackID on the wire */
    bool filtered;                /* only events of @uuid */
    unsigned char uuid[VIR_UUID_BUFLEN];
};

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
};

/* @srv is told when a client that took part in a migration is released
 * (remoteClientFree). */
remoteClient *remoteClientNew(remoteServer *srv, guint64 id, bool readonly);
void remoteClientFree(remoteClient *priv);
remoteClient *remoteClientGet(virNetServerClient *client);

/* The sorted procedure table of the remote program. */
const virNetServerProc *remoteDispatchGetProcs(size_t *nprocs);

/* Checks run before every call: connection opened, read-only access. */
int remoteDispatchCheck(virNetServerClient *client,
                        const virNetServerProc *proc, void *opaque);

/* ---- helpers shared by the handlers ---- */

/* Fills @dom (freed by xdr_free) from @ref. */
void remoteMakeDomain(remote_nonnull_domain *dom, const qemuDomainRef *ref);

/* The UUID of a domain argument. */
const unsigned char *remoteDomainUUID(const remote_nonnull_domain *dom);

/* ---- handlers (signature of virNetServerProcFunc) ---- */

#define REMOTE_DISPATCH_DECL(name) \
    int remoteDispatch ## name(virNetServerClient *client, \
                               const virNetMessageHeader *header, \
                               void *args, void *ret, void *opaque)

/* remote_dispatch_connect.c */
REMOTE_DISPATCH_DECL(ConnectOpen);
REMOTE_DISPATCH_DECL(ConnectClose);
REMOTE_DISPATCH_DECL(AuthList);
REMOTE_DISPATCH_DECL(ConnectSupportsFeature);
REMOTE_DISPATCH_DECL(ConnectGetType);
REMOTE_DISPATCH_DECL(ConnectGetVersion);
REMOTE_DISPATCH_DECL(ConnectGetLibVersion);
REMOTE_DISPATCH_DECL(ConnectGetHostname);
REMOTE_DISPATCH_DECL(ConnectGetURI);
REMOTE_DISPATCH_DECL(ConnectGetCapabilities);
REMOTE_DISPATCH_DECL(ConnectIsSecure);
REMOTE_DISPATCH_DECL(ConnectRegisterCloseCallback);
REMOTE_DISPATCH_DECL(ConnectUnregisterCloseCallback);
REMOTE_DISPATCH_DECL(NodeGetInfo);
REMOTE_DISPATCH_DECL(NodeGetFreeMemory);
REMOTE_DISPATCH_DECL(DomainMemoryPeek);
REMOTE_DISPATCH_DECL(NodeGetSecurityModel);
REMOTE_DISPATCH_DECL(ConnectListAllDomains);
REMOTE_DISPATCH_DECL(ConnectNumOfDomains);
REMOTE_DISPATCH_DECL(ConnectListDomains);
REMOTE_DISPATCH_DECL(ConnectNumOfDefinedDomains);
REMOTE_DISPATCH_DECL(ConnectListDefinedDomains);

/* remote_dispatch_domain.c */
REMOTE_DISPATCH_DECL(DomainLookupByID);
REMOTE_DISPATCH_DECL(DomainLookupByName);
REMOTE_DISPATCH_DECL(DomainLookupByUUID);
REMOTE_DISPATCH_DECL(DomainDefineXML);
REMOTE_DISPATCH_DECL(DomainDefineXMLFlags);
REMOTE_DISPATCH_DECL(DomainUndefine);
REMOTE_DISPATCH_DECL(DomainUndefineFlags);
REMOTE_DISPATCH_DECL(DomainCreate);
REMOTE_DISPATCH_DECL(DomainCreateWithFlags);
REMOTE_DISPATCH_DECL(DomainCreateXML);
REMOTE_DISPATCH_DECL(DomainDestroy);
REMOTE_DISPATCH_DECL(DomainDestroyFlags);
REMOTE_DISPATCH_DECL(DomainShutdown);
REMOTE_DISPATCH_DECL(DomainShutdownFlags);
REMOTE_DISPATCH_DECL(DomainSuspend);
REMOTE_DISPATCH_DECL(DomainResume);
REMOTE_DISPATCH_DECL(DomainGetXMLDesc);
REMOTE_DISPATCH_DECL(DomainGetInfo);
REMOTE_DISPATCH_DECL(DomainGetMaxMemory);
REMOTE_DISPATCH_DECL(DomainGetState);
REMOTE_DISPATCH_DECL(DomainGetOSType);
REMOTE_DISPATCH_DECL(DomainGetAutostart);
REMOTE_DISPATCH_DECL(DomainIsActive);
REMOTE_DISPATCH_DECL(DomainIsPersistent);
REMOTE_DISPATCH_DECL(DomainIsUpdated);
REMOTE_DISPATCH_DECL(DomainGetSecurityLabel);
REMOTE_DISPATCH_DECL(DomainHasManagedSaveImage);
REMOTE_DISPATCH_DECL(DomainGetMessages);
REMOTE_DISPATCH_DECL(DomainSnapshotNum);
REMOTE_DISPATCH_DECL(DomainGetJobInfo);
REMOTE_DISPATCH_DECL(DomainGetJobStats);

/* remote_dispatch_migration.c */
REMOTE_DISPATCH_DECL(DomainAbortJob);
REMOTE_DISPATCH_DECL(DomainAbortJobFlags);
REMOTE_DISPATCH_DECL(DomainMigrateSetMaxDowntime);
REMOTE_DISPATCH_DECL(DomainMigrateGetMaxDowntime);
REMOTE_DISPATCH_DECL(DomainMigrateSetMaxSpeed);
REMOTE_DISPATCH_DECL(DomainMigrateGetMaxSpeed);
REMOTE_DISPATCH_DECL(DomainMigrateSetCompressionCache);
REMOTE_DISPATCH_DECL(DomainMigrateGetCompressionCache);
REMOTE_DISPATCH_DECL(DomainMigrateStartPostCopy);
REMOTE_DISPATCH_DECL(DomainMigrateBegin3);
REMOTE_DISPATCH_DECL(DomainMigratePrepare3);
REMOTE_DISPATCH_DECL(DomainMigratePerform3);
REMOTE_DISPATCH_DECL(DomainMigrateFinish3);
REMOTE_DISPATCH_DECL(DomainMigrateConfirm3);
REMOTE_DISPATCH_DECL(DomainMigrateBegin3Params);
REMOTE_DISPATCH_DECL(DomainMigratePrepare3Params);
REMOTE_DISPATCH_DECL(DomainMigratePerform3Params);
REMOTE_DISPATCH_DECL(DomainMigrateFinish3Params);
REMOTE_DISPATCH_DECL(DomainMigrateConfirm3Params);

/* The pool calling qemuDriverClientClosed for released clients (one
 * thread, in order); free it after the clients are gone. */
GThreadPool *remoteMigrationReleasedPoolNew(remoteServer *srv);
/* Queues the notification that client @clientID is gone (any thread;
 * never blocks). */
void remoteMigrationClientReleased(remoteServer *srv, guint64 clientID);

/* remote_event.c */
REMOTE_DISPATCH_DECL(ConnectDomainEventRegister);
REMOTE_DISPATCH_DECL(ConnectDomainEventDeregister);
REMOTE_DISPATCH_DECL(ConnectDomainEventRegisterAny);
REMOTE_DISPATCH_DECL(ConnectDomainEventDeregisterAny);
REMOTE_DISPATCH_DECL(ConnectDomainEventCallbackRegisterAny);
REMOTE_DISPATCH_DECL(ConnectDomainEventCallbackDeregisterAny);
