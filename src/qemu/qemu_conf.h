/*
 * qemu_conf.h: the QEMU driver object (internal to src/qemu)
 *
 * The driver object owns all of the driver's mutable state; there are
 * no globals.  Fields set at creation are read-only afterwards; the
 * mutable ones say which lock protects them.
 */
#pragma once

#include "internal.h"
#include "qemu_driver.h"
#include "virdomainobj.h"
#include "qemu_capabilities.h"

typedef struct _qemuEventListener qemuEventListener;
struct _qemuEventListener {
    int id;
    qemuDomainEventCallback cb;
    void *opaque;
};

struct _qemuDriver {
    /* read-only after qemuDriverNew */
    char *domainConfigDir;
    char *stateDir;
    char *logDir;
    char *libDir;
    char *emulator;
    unsigned char hostUUID[VIR_UUID_BUFLEN];
    char *migrationAddress;
    unsigned int migrationPortMin;
    unsigned int migrationPortMax;
    unsigned int jobWaitTimeoutMs;
    bool postcopyPreempt;        /* enable QEMU's postcopy-preempt */
    char *migrateTLSx509CertDir; /* migrate_tls_x509_cert_dir, or NULL */
    bool migrateTLSx509Verify;   /* migrate_tls_x509_verify */
    bool migrateTLSForce;        /* migrate_tls_force */
    const qemuMigrationPeerOps *peerOps; /* P2P connections, or NULL */
    void *peerOpaque;
    GMainContext *ctx;           /* runs monitor I/O and callbacks ... */
    GThread *monThread;          /* ... in this thread */
    gint monQuit;                /* atomic: the monitor thread must end */
    qemuCaps *caps;              /* has its own lock */

    virDomainObjList *domains;   /* has its own lock */

    GMutex eventLock;            /* protects the three fields below */
    GArray *listeners;           /* of qemuEventListener */
    int nextListenerID;
    unsigned int emitting;       /* listener calls in progress */
    GCond eventCond;             /* signalled when emitting drops */

    GMutex consoleLock;          /* a leaf lock: protects the two below */
    GPtrArray *consoles;         /* open console sessions (qemu_console.c) */
    guint64 lastConsoleToken;

    GThreadPool *workers;        /* deferred work from monitor events */
    gint shuttingDown;           /* atomic: daemon exit in progress, so
                                  * monitor failures are not QEMU's fault */
};

/* Path helpers: caller frees. */
char *qemuDriverConfigFile(qemuDriver *driver, const char *name);
char *qemuDriverStatusFile(qemuDriver *driver, const char *name);
char *qemuDriverMonitorPath(qemuDriver *driver, const char *name);
char *qemuDriverLogFile(qemuDriver *driver, const char *name);

/* Fills @ref with @vm's name, UUID and id (@vm locked). */
void qemuDomainRefFill(qemuDomainRef *ref, virDomainObj *vm);

/* Sends a lifecycle event for @vm to every listener.  @vm must NOT be
 * locked by the caller (its identity is read under the lock, listeners
 * are called without it). */
void qemuDriverEmitLifecycle(qemuDriver *driver, virDomainObj *vm,
                             int event, int detail);
/* Sends any event; takes ownership of @params (floating ok). */
void qemuDriverEmitEvent(qemuDriver *driver, virDomainObj *vm, int eventID,
                         int event, int detail, GVariant *params);

/* Does @vm (locked) pass libvirt's VIR_CONNECT_LIST_DOMAINS_* @flags? */
bool qemuDomainMatchesFilter(virDomainObj *vm, unsigned int flags);
