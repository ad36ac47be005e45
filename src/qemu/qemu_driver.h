/*
 * qemu_driver.h: the QEMU driver's public API
 *
 * This is the interface the RPC layer (src/rpc/remote_dispatch*) calls.
 * Domains are named by UUID (the RPC layer's remote_nonnull_domain
 * carries name, uuid and id; libvirt's daemon looks domains up by UUID).
 * Every function returns -1 / NULL with a libvirt error reported in the
 * calling thread on failure.  Functions may block (QEMU monitor I/O,
 * process start/stop, job waits): call them from worker threads, never
 * from the main-loop thread.
 */
#pragma once

#include "internal.h"
#include "virdomainstate.h"
#include "virtypedparam.h"

typedef struct _qemuDriver qemuDriver;

/*
 * Peer-to-peer migration: the source daemon talks to the destination
 * daemon itself (libvirt's "dconn").  The daemon provides the
 * connection (src/rpc's client), so that the driver does not depend on
 * the RPC layer.  Every function returns 0 / non-NULL, or -1 / NULL
 * with the error set (the peer's own error when it answered one); all
 * may block on the network: call them without the domain lock.
 */
typedef struct _qemuMigrationPeer qemuMigrationPeer;

/* The connection to the peer broke (closed, keepalive gave up).  Runs
 * once, on another thread, with no lock held; must not block. */
typedef void (*qemuMigrationPeerLostFunc)(void *opaque);

typedef struct _qemuMigrationPeerOps qemuMigrationPeerOps;
struct _qemuMigrationPeerOps {
    /* @opaque: qemuDriverConfig.peerOpaque */
    qemuMigrationPeer *(*open)(const char *uri, void *opaque);
    /* Calls @lost when the connection breaks (at once if it already
     * has); NULL stops watching. */
    void (*watch)(qemuMigrationPeer *peer, qemuMigrationPeerLostFunc lost,
                  void *opaque);
    int (*supportsFeature)(qemuMigrationPeer *peer, int feature,
                           bool *supported);
    int (*prepare3)(qemuMigrationPeer *peer,
                    const virTypedParameter *params, size_t nparams,
                    const char *cookiein, size_t cookieinlen,
                    char **cookieout, size_t *cookieoutlen,
                    char **uriout, unsigned int flags);
    int (*finish3)(qemuMigrationPeer *peer,
                   const virTypedParameter *params, size_t nparams,
                   const char *cookiein, size_t cookieinlen,
                   char **cookieout, size_t *cookieoutlen,
                   unsigned int flags, int cancelled);
    void (*close)(qemuMigrationPeer *peer);
};

/* Directories and settings the daemon hands to the driver. */
typedef struct _qemuDriverConfig qemuDriverConfig;
struct _qemuDriverConfig {
    const char *domainConfigDir;  /* persistent definitions (NAME.xml) */
    const char *stateDir;         /* status files of running domains */
    const char *logDir;           /* QEMU logs (NAME.log) */
    const char *libDir;           /* private files (e.g. host UUID) */
    const char *emulator;         /* default QEMU binary, NULL: built-in */
    unsigned char hostUUID[VIR_UUID_BUFLEN];
    const char *migrationAddress; /* NULL: the address the client used */
    unsigned int migrationPortMin;
    unsigned int migrationPortMax;
    unsigned int jobWaitTimeoutMs;
    bool postcopyPreempt;         /* postcopy-preempt channel (both hosts) */
    const char *migrateTLSx509CertDir; /* x509 files of the migration stream */
    bool migrateTLSx509Verify;    /* incoming TLS: verify the source's cert */
    bool migrateTLSForce;         /* refuse migrations without VIR_MIGRATE_TLS */
    const qemuMigrationPeerOps *peerOps; /* P2P connections; NULL: no P2P */
    void *peerOpaque;             /* for peerOps->open; outlives the driver */
};

/* A reference to a domain as the RPC layer returns it. */
typedef struct _qemuDomainRef qemuDomainRef;
struct _qemuDomainRef {
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];
    int id;                       /* -1 when not running */
};
void qemuDomainRefClear(qemuDomainRef *ref);
void qemuDomainRefListFree(qemuDomainRef *refs, size_t n);

typedef struct _qemuDomainInfo qemuDomainInfo;
struct _qemuDomainInfo {
    int state;                    /* virDomainState */
    unsigned long long maxMemKiB;
    unsigned long long memKiB;
    unsigned int nrVirtCpu;
    unsigned long long cpuTimeNs;
};

/* A domain event to deliver to clients.  For VIR_DOMAIN_EVENT_ID_LIFECYCLE
 * @event/@detail hold the lifecycle type and detail; other IDs carry
 * their own payload in @params (a GVariant a{sv}, may be NULL). */
typedef struct _qemuDomainEvent qemuDomainEvent;
struct _qemuDomainEvent {
    int eventID;                  /* virDomainEventID */
    qemuDomainRef dom;
    int event;
    int detail;
    GVariant *params;
};

/* Called from the thread that raised the event with no driver or domain
 * lock held; it must not block (queue the event and return) and must
 * not add or remove listeners.  Once qemuDriverRemoveEventListener has
 * returned, the listener is no longer running nor called. */
typedef void (*qemuDomainEventCallback)(const qemuDomainEvent *ev,
                                        void *opaque);

/**
 * qemuDriverNew:
 * Creates the driver: loads persistent definitions, reconnects to QEMU
 * processes that survived a daemon restart (status files), and cleans
 * up after those that died.  QEMU monitors run on the driver's own
 * event thread, independent of the daemon's main loop.
 */
qemuDriver *qemuDriverNew(const qemuDriverConfig *cfg);

/* The daemon is going down: from now on closing connections does not
 * count as clients abandoning their migrations.  Call before stopping
 * the RPC server. */
void qemuDriverShutdownBegin(qemuDriver *driver);

/* Closes monitors (QEMU processes keep running) and frees the driver. */
void qemuDriverFree(qemuDriver *driver);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuDriver, qemuDriverFree);

int qemuDriverAddEventListener(qemuDriver *driver,
                               qemuDomainEventCallback cb, void *opaque);
void qemuDriverRemoveEventListener(qemuDriver *driver, int id);

/* Capabilities XML of this host (host UUID, CPU arch, guests). */
char *qemuConnectGetCapabilities(qemuDriver *driver);

/* CONNECT_GET_DOMAIN_CAPABILITIES: libvirt's domain capabilities XML
 * of the driver's emulator; every argument may be NULL (the default).
 * @flags must be 0. */
char *qemuConnectGetDomainCapabilities(qemuDriver *driver,
                                       const char *emulatorbin,
                                       const char *arch, const char *machine,
                                       const char *virttype,
                                       unsigned int flags);
/* CONNECT_GET_CPU_MODEL_NAMES: the number of CPU models of @arch, and
 * with @models a NULL-terminated list of them (caller frees); -1 on
 * error.  @flags must be 0. */
int qemuConnectGetCPUModelNames(qemuDriver *driver, const char *arch,
                                char ***models, unsigned int flags);

/* Lists domains matching libvirt's VIR_CONNECT_LIST_DOMAINS_* @flags. */
int qemuConnectListAllDomains(qemuDriver *driver, qemuDomainRef **doms,
                              unsigned int flags);
int qemuConnectNumOfDomains(qemuDriver *driver);   /* active */
int qemuConnectListDomains(qemuDriver *driver, int *ids, int maxids);
int qemuConnectNumOfDefinedDomains(qemuDriver *driver);
int qemuConnectListDefinedDomains(qemuDriver *driver, char **names,
                                  int maxnames);

int qemuDomainLookupByName(qemuDriver *driver, const char *name,
                           qemuDomainRef *ref);
int qemuDomainLookupByUUID(qemuDriver *driver, const unsigned char *uuid,
                           qemuDomainRef *ref);
int qemuDomainLookupByID(qemuDriver *driver, int id, qemuDomainRef *ref);

int qemuDomainDefineXML(qemuDriver *driver, const char *xml,
                        unsigned int flags, qemuDomainRef *ref);
int qemuDomainUndefine(qemuDriver *driver, const unsigned char *uuid,
                       unsigned int flags);
int qemuDomainCreate(qemuDriver *driver, const unsigned char *uuid,
                     unsigned int flags);
int qemuDomainCreateXML(qemuDriver *driver, const char *xml,
                        unsigned int flags, qemuDomainRef *ref);
int qemuDomainDestroy(qemuDriver *driver, const unsigned char *uuid,
                      unsigned int flags);
int qemuDomainShutdown(qemuDriver *driver, const unsigned char *uuid,
                       unsigned int flags);
int qemuDomainSuspend(qemuDriver *driver, const unsigned char *uuid);
int qemuDomainResume(qemuDriver *driver, const unsigned char *uuid);

char *qemuDomainGetXMLDesc(qemuDriver *driver, const unsigned char *uuid,
                           unsigned int flags);
int qemuDomainGetInfo(qemuDriver *driver, const unsigned char *uuid,
                      qemuDomainInfo *info);
int qemuDomainGetState(qemuDriver *driver, const unsigned char *uuid,
                       int *state, int *reason, unsigned int flags);
char *qemuDomainGetOSType(qemuDriver *driver, const unsigned char *uuid);
int qemuDomainIsActive(qemuDriver *driver, const unsigned char *uuid);
int qemuDomainIsPersistent(qemuDriver *driver, const unsigned char *uuid);
int qemuDomainGetAutostart(qemuDriver *driver, const unsigned char *uuid,
                           int *autostart);

/* libvirt's virDomainJobInfo (DOMAIN_GET_JOB_INFO): @type is a
 * virDomainJobType (0 none, 1 bounded, 2 unbounded, 3 completed,
 * 4 failed, 5 cancelled); times in ms, sizes in bytes. */
typedef struct _qemuDomainJobInfo qemuDomainJobInfo;
struct _qemuDomainJobInfo {
    int type;
    unsigned long long timeElapsed;
    unsigned long long timeRemaining;
    unsigned long long dataTotal;
    unsigned long long dataProcessed;
    unsigned long long dataRemaining;
    unsigned long long memTotal;
    unsigned long long memProcessed;
    unsigned long long memRemaining;
    unsigned long long fileTotal;
    unsigned long long fileProcessed;
    unsigned long long fileRemaining;
};

int qemuDomainGetJobInfo(qemuDriver *driver, const unsigned char *uuid,
                         qemuDomainJobInfo *info);

/* DOMAIN_GET_JOB_STATS: *type as above; *params is a new list of
 * libvirt's VIR_DOMAIN_JOB_* typed parameters (caller frees).
 * @flags: VIR_DOMAIN_JOB_STATS_COMPLETED (1), _KEEP_COMPLETED (2). */
int qemuDomainGetJobStats(qemuDriver *driver, const unsigned char *uuid,
                          int *type, virTypedParamList **params,
                          unsigned int flags);

/* ---- migration (protocol v3 with extensible parameters) ----
 *
 * The client (virsh, libvirt.so) drives Begin/Perform/Confirm on the
 * source and Prepare/Finish on the destination, carrying the opaque
 * cookies between them.  @conn identifies the RPC connection making the
 * call: an async job started by one call is tied to it, and
 * qemuDriverClientClosed cleans it up if the client vanishes between
 * calls.  Cookies are byte buffers (XML text, not NUL-terminated on
 * the wire); *cookieout is allocated by the driver.  Flags and
 * parameter names are libvirt's VIR_MIGRATE_* / VIR_MIGRATE_PARAM_*.
 */
typedef struct _qemuMigrationConn qemuMigrationConn;
struct _qemuMigrationConn {
    guint64 clientID;           /* identity of the RPC connection */
    const char *localAddr;      /* address the client reached us at
                                 * (Prepare's default migration address),
                                 * NULL for a UNIX socket */
};

/* Returns the domain XML for the destination; NULL on error. */
char *qemuDomainMigrateBegin3Params(qemuDriver *driver,
                                    const unsigned char *uuid,
                                    const virTypedParameter *params,
                                    size_t nparams,
                                    char **cookieout, size_t *cookieoutlen,
                                    unsigned int flags,
                                    const qemuMigrationConn *conn);

int qemuDomainMigratePrepare3Params(qemuDriver *driver,
                                    const virTypedParameter *params,
                                    size_t nparams,
                                    const char *cookiein, size_t cookieinlen,
                                    char **cookieout, size_t *cookieoutlen,
                                    char **uriout,
                                    unsigned int flags,
                                    const qemuMigrationConn *conn);

int qemuDomainMigratePerform3Params(qemuDriver *driver,
                                    const unsigned char *uuid,
                                    const char *dconnuri,
                                    const virTypedParameter *params,
                                    size_t nparams,
                                    const char *cookiein, size_t cookieinlen,
                                    char **cookieout, size_t *cookieoutlen,
                                    unsigned int flags,
                                    const qemuMigrationConn *conn);

/* On success fills @ref with the domain now running here; on failure
 * (or @cancelled) returns -1 and leaves nothing behind. */
int qemuDomainMigrateFinish3Params(qemuDriver *driver,
                                   const virTypedParameter *params,
                                   size_t nparams,
                                   const char *cookiein, size_t cookieinlen,
                                   char **cookieout, size_t *cookieoutlen,
                                   unsigned int flags, int cancelled,
                                   qemuDomainRef *ref,
                                   const qemuMigrationConn *conn);

int qemuDomainMigrateConfirm3Params(qemuDriver *driver,
                                    const unsigned char *uuid,
                                    const virTypedParameter *params,
                                    size_t nparams,
                                    const char *cookiein, size_t cookieinlen,
                                    unsigned int flags, int cancelled,
                                    const qemuMigrationConn *conn);

/* Control while a migration runs (or before it, for speed/downtime).
 * @flags as libvirt: VIR_DOMAIN_ABORT_JOB_POSTCOPY (2) for abort;
 * VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY (1) for the speed calls. */
int qemuDomainAbortJob(qemuDriver *driver, const unsigned char *uuid,
                       unsigned int flags);
int qemuDomainMigrateSetMaxDowntime(qemuDriver *driver,
                                    const unsigned char *uuid,
                                    unsigned long long downtimeMs,
                                    unsigned int flags);
int qemuDomainMigrateGetMaxDowntime(qemuDriver *driver,
                                    const unsigned char *uuid,
                                    unsigned long long *downtimeMs,
                                    unsigned int flags);
int qemuDomainMigrateSetMaxSpeed(qemuDriver *driver, const unsigned char *uuid,
                                 unsigned long bandwidthMiBs,
                                 unsigned int flags);
int qemuDomainMigrateGetMaxSpeed(qemuDriver *driver, const unsigned char *uuid,
                                 unsigned long *bandwidthMiBs,
                                 unsigned int flags);
int qemuDomainMigrateSetCompressionCache(qemuDriver *driver,
                                         const unsigned char *uuid,
                                         unsigned long long cacheSize,
                                         unsigned int flags);
int qemuDomainMigrateGetCompressionCache(qemuDriver *driver,
                                         const unsigned char *uuid,
                                         unsigned long long *cacheSize,
                                         unsigned int flags);
int qemuDomainMigrateStartPostCopy(qemuDriver *driver,
                                   const unsigned char *uuid,
                                   unsigned int flags);

/* Connect features (VIR_DRV_FEATURE_*) the driver implements; the RPC
 * layer answers CONNECT_SUPPORTS_FEATURE from it for driver features. */
bool qemuDriverSupportsFeature(qemuDriver *driver, int feature);

/* The RPC connection @clientID is gone: migration jobs it was driving
 * between calls are cleaned up as failed migrations. */
void qemuDriverClientClosed(qemuDriver *driver, guint64 clientID);

/* virDomainMemoryPeek: @size bytes of guest memory at @offset into
 * @buffer.  @flags: VIR_MEMORY_VIRTUAL (1) or VIR_MEMORY_PHYSICAL (2). */
int qemuDomainMemoryPeek(qemuDriver *driver, const unsigned char *uuid,
                         unsigned long long offset, size_t size, void *buffer,
                         unsigned int flags);

/* ---- libvirt-qemu's APIs (the QEMU program) ---- */

/* qemuDomainEvent.eventID of a QEMU monitor event (every event QEMU
 * sends, before virtmig reacts to it): @params holds "event" (s),
 * "seconds" (x, -1 if QEMU sent no timestamp), "micros" (u) and, when
 * the event has data, "details" (s: its JSON). */
#define QEMU_DOMAIN_EVENT_ID_MONITOR 1000

/* libvirt's VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP */
#define QEMU_DOMAIN_MONITOR_COMMAND_HMP (1 << 0)

/* virDomainQemuMonitorCommand: sends the QMP command @cmd (a JSON
 * object) and sets *@result to QEMU's reply as compact JSON (a QMP
 * error reply too); with QEMU_DOMAIN_MONITOR_COMMAND_HMP @cmd is a
 * human monitor command line and *@result what it printed.  Runs in a
 * query job (allowed during a migration; the monitor sends one command
 * at a time) and taints the domain ("custom-monitor"). */
int qemuDomainQemuMonitorCommand(qemuDriver *driver, const unsigned char *uuid,
                                 const char *cmd, char **result,
                                 unsigned int flags);

/* virDomainQemuAgentCommand: virtmig does not connect to guest agents
 * yet, so it fails as libvirt does without a connected agent (not
 * configured / not connected); NULL with the error. */
char *qemuDomainQemuAgentCommand(qemuDriver *driver, const unsigned char *uuid,
                                 const char *cmd, int timeout,
                                 unsigned int flags);

/* virDomainGetMessages: the taint messages of a running domain
 * ("tainted: ..."); @flags VIR_DOMAIN_MESSAGE_DEPRECATION (1) /
 * _TAINTING (2), 0 for both.  *@msgs a NULL-terminated list. */
int qemuDomainGetMessages(qemuDriver *driver, const unsigned char *uuid,
                          char ***msgs, unsigned int flags);

/* ---- consoles (qemu_console.c) ---- */

/* virDomainOpenConsole's flags */
#define VIR_DOMAIN_CONSOLE_FORCE (1 << 0)
#define VIR_DOMAIN_CONSOLE_SAFE (1 << 1)

/* The console session is taken over by another (FORCE): end it.  Runs
 * once, in the thread of the taking open, with no driver lock held;
 * must not block. */
typedef void (*qemuConsoleRevokeFunc)(void *opaque);

/**
 * qemuDomainOpenConsole:
 * Opens the terminal of a running domain's console or serial port
 * (@devname: its alias, NULL for the first console, else the first
 * serial port), as libvirt: only <serial type='pty'> devices; one
 * session per device, unless @flags has VIR_DOMAIN_CONSOLE_FORCE: the
 * session in place is then revoked.  On success *@fd is the terminal
 * (raw mode, non-blocking; the caller's) and *@token names the session
 * for qemuDomainCloseConsole; the driver holds @opaque (freed with
 * @freeOpaque when the session ends).  On failure @opaque stays the
 * caller's.
 */
int qemuDomainOpenConsole(qemuDriver *driver, const unsigned char *uuid,
                          const char *devname, unsigned int flags,
                          qemuConsoleRevokeFunc revoke, void *opaque,
                          GDestroyNotify freeOpaque, int *fd, guint64 *token);

/* The session @token is over (its reader left or the guest stopped): the
 * device may be opened again.  Never blocks (any thread). */
void qemuDomainCloseConsole(qemuDriver *driver, guint64 token);

#include "qemu_driver_stats.h"
