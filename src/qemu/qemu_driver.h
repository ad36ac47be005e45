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

/* Closes monitors (QEMU processes keep running) and frees the driver. */
void qemuDriverFree(qemuDriver *driver);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuDriver, qemuDriverFree);

int qemuDriverAddEventListener(qemuDriver *driver,
                               qemuDomainEventCallback cb, void *opaque);
void qemuDriverRemoveEventListener(qemuDriver *driver, int id);

/* Capabilities XML of this host (host UUID, CPU arch, guests). */
char *qemuConnectGetCapabilities(qemuDriver *driver);

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
