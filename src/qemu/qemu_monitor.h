/*
 * qemu_monitor.h: the QMP monitor transport
 *
 * A qemuMonitor is one connection to a QEMU process's QMP socket.  The
 * socket is read and written asynchronously by the event loop that
 * runs the GMainContext given at open time (the daemon's main loop);
 * commands are sent from worker threads, which block until the reply
 * arrives, the deadline passes or the monitor fails.  Building
 * commands and parsing replies is qemu_monitor_json.h's job.
 *
 * Threading and locking:
 *  - Each monitor has one mutex.  It is a leaf lock: none of virtmig's
 *    locks is taken while holding it (only GLib's internal context lock,
 *    to attach or destroy sources), so it may be taken with the domain
 *    lock held.  Callers should nevertheless release the domain lock
 *    around qemuMonitorSend(), which may block for the whole timeout.
 *  - qemuMonitorSend() must not be called from the thread that runs
 *    the monitor's GMainContext (it would wait for itself); it fails
 *    with VIR_ERR_INTERNAL_ERROR if it is.
 *  - Callbacks (events, EOF, errors) run in the event-loop thread with
 *    the monitor lock released, so they may take the domain lock and
 *    call qemuMonitorClose(), but they must not call qemuMonitorSend().
 *  - Events received before a command's reply are dispatched before
 *    that command's qemuMonitorSend() returns.
 *  - One command is on the wire at a time; others queue in order.
 *
 * Ownership: qemuMonitorOpen*() return a monitor holding one reference
 * for the caller.  qemuMonitorClose() shuts the connection down and
 * drops that reference.  Other holders (e.g. a worker that uses the
 * monitor while not holding the domain lock) take their own with
 * qemuMonitorRef() and release it with qemuMonitorUnref().
 */
#pragma once

#include <json.h>

#include "internal.h"
#include "qemu_monitor_types.h"

/* json-c objects are refcounted: g_autoptr(json_object) drops one
 * reference. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put);


/* Hard limit on one message from QEMU (reply or event).  A peer that
 * sends more without a line end is treated as broken. */
#define QEMU_MONITOR_MAX_MESSAGE (10 * 1024 * 1024)

/* Default time a command waits for its reply. */
#define QEMU_MONITOR_DEFAULT_TIMEOUT_MS 30000


/* What a SHUTDOWN event says.  @reason is NULL when QEMU did not send
 * one; the strings are only valid during the callback. */
typedef struct _qemuMonitorShutdownInfo qemuMonitorShutdownInfo;
struct _qemuMonitorShutdownInfo {
    bool hasGuest;        /* QEMU sent the "guest" member */
    bool guest;           /* shutdown initiated by the guest */
    const char *reason;   /* QEMU's ShutdownCause, e.g. "host-qmp-quit" */
};

/*
 * Event and state notifications.  Any member may be NULL.  All run in
 * the event-loop thread without the monitor lock (see above); @opaque
 * is the pointer given to qemuMonitorOpen().  The struct must outlive
 * the monitor (typically it is a static const).
 */
struct _qemuMonitorCallbacks {
    /* QEMU closed the connection (it exited or crashed).  Called at
     * most once; after it every command fails. */
    void (*eofNotify)(qemuMonitor *mon, void *opaque);
    /* The connection broke for another reason (protocol error,
     * oversized message, I/O error).  Called at most once, and never
     * together with eofNotify. */
    void (*errorNotify)(qemuMonitor *mon, void *opaque);

    void (*domainStop)(qemuMonitor *mon, void *opaque);
    void (*domainResume)(qemuMonitor *mon, void *opaque);
    void (*domainShutdown)(qemuMonitor *mon,
                           const qemuMonitorShutdownInfo *info,
                           void *opaque);
    void (*domainReset)(qemuMonitor *mon, void *opaque);
    void (*domainPowerdown)(qemuMonitor *mon, void *opaque);
    void (*domainMigrationStatus)(qemuMonitor *mon,
                                  qemuMonitorMigrationStatus status,
                                  void *opaque);
    void (*domainMigrationPass)(qemuMonitor *mon, int pass, void *opaque);
    /* BALLOON_CHANGE: the guest's balloon reached @actual bytes. */
    void (*domainBalloonChange)(qemuMonitor *mon, unsigned long long actual,
                                void *opaque);
    /* JOB_STATUS_CHANGE: a block job (e.g. a storage mirror) changed
     * state. */
    void (*domainJobStatusChange)(qemuMonitor *mon, const char *jobId,
                                  qemuMonitorJobStatus status, void *opaque);

    /* Every event, called before its own callback (libvirt's monitor
     * events for libvirt-qemu clients, which see them all): its name,
     * timestamp (@seconds -1 if QEMU sent none) and "data" member (NULL
     * if absent; borrowed). */
    void (*anyEvent)(qemuMonitor *mon, const char *event,
                     long long seconds, unsigned int micros,
                     json_object *data, void *opaque);

    /* Every event that has no dedicated callback above: its name,
     * timestamp and "data" member (NULL if absent; borrowed). */
    void (*domainEvent)(qemuMonitor *mon, const char *event,
                        long long seconds, unsigned int micros,
                        json_object *data, void *opaque);

    /* The last reference to the monitor is gone: release @opaque.  May
     * run in any thread.  A callback racing with qemuMonitorClose() in
     * the event-loop thread can still run after Close returns, so
     * @opaque must stay valid until this is called. */
    void (*destroy)(qemuMonitor *mon, void *opaque);
};

/**
 * qemuMonitorOpen:
 * @path: QEMU's QMP unix socket
 * @timeoutMs: deadline (> 0) for the socket to appear, the connection
 *             and the capabilities negotiation together
 * @ctx: the context whose loop will do the monitor's I/O
 * @cb: callbacks (must outlive the monitor)
 * @opaque: passed to every callback
 *
 * Connects to @path, retrying while the socket does not exist yet or
 * refuses connections (QEMU still starting), reads QEMU's greeting and
 * negotiates capabilities.  The negotiation is done synchronously in
 * the calling thread, so this may be called from any thread; the
 * monitor is attached to @ctx only once it is usable.
 *
 * Returns the monitor (one reference, owned by the caller) or NULL
 * with an error reported.
 */
qemuMonitor *qemuMonitorOpen(const char *path, int timeoutMs,
                             GMainContext *ctx,
                             const qemuMonitorCallbacks *cb,
                             void *opaque);

/**
 * qemuMonitorOpenFD:
 * Like qemuMonitorOpen() on an already connected stream socket @fd.
 * The monitor owns @fd from the call on: it is closed on failure too.
 */
qemuMonitor *qemuMonitorOpenFD(int fd, int timeoutMs,
                               GMainContext *ctx,
                               const qemuMonitorCallbacks *cb,
                               void *opaque);

/**
 * qemuMonitorClose:
 * Stops watching the socket, closes it, fails every waiting command
 * with VIR_ERR_OPERATION_FAILED "QEMU monitor was closed" and drops
 * the caller's reference.  It suppresses every notification not yet
 * started, but one the event-loop thread is already dispatching may
 * still run, even after Close returns (see the destroy callback): so
 * callbacks check that the monitor is still the one in use.  NULL-safe.
 * Callable from any thread, including from a callback.
 */
void qemuMonitorClose(qemuMonitor *mon);

qemuMonitor *qemuMonitorRef(qemuMonitor *mon);
void qemuMonitorUnref(qemuMonitor *mon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitor, qemuMonitorUnref);

/**
 * qemuMonitorSend:
 * @mon: the monitor
 * @cmd: the command object ({"execute": ..., "arguments": ...}); not
 *       modified, the reference stays the caller's
 * @timeoutMs: how long to wait for the reply; < 0 waits forever
 * @reply: set to the reply object ({"return": ...} or {"error": ...}),
 *         owned by the caller
 *
 * Queues @cmd with a fresh "id", wakes the event loop and waits for
 * the matching reply.  Must not be called from the event-loop thread.
 *
 * On timeout the command is abandoned (VIR_ERR_OPERATION_TIMEOUT) but
 * the monitor stays usable: if the command was already sent, its late
 * reply is recognised by its id and dropped, and the next command is
 * only sent after it (QMP is serial).  After EOF or an I/O or protocol
 * error every pending and later command fails with that error.
 *
 * Returns 0 when a reply arrived (a QMP error reply too: checking it
 * is the caller's job) or -1 with an error reported.
 */
int qemuMonitorSend(qemuMonitor *mon, json_object *cmd, int timeoutMs,
                    json_object **reply) G_GNUC_WARN_UNUSED_RESULT;

/* Like qemuMonitorSend() with the monitor's command timeout. */
int qemuMonitorSendCommand(qemuMonitor *mon, json_object *cmd,
                           json_object **reply) G_GNUC_WARN_UNUSED_RESULT;

/* The timeout qemuMonitorSendCommand() uses (default
 * QEMU_MONITOR_DEFAULT_TIMEOUT_MS; < 0 waits forever). */
void qemuMonitorSetCommandTimeout(qemuMonitor *mon, int timeoutMs);

/* QEMU's version as announced in its greeting, and the package string
 * (borrowed, valid while @mon lives; "" if QEMU sent none). */
void qemuMonitorGetVersion(qemuMonitor *mon, unsigned int *major,
                           unsigned int *minor, unsigned int *micro);
const char *qemuMonitorGetPackage(qemuMonitor *mon);

/* True once QEMU closed the connection (eofNotify was or is about to
 * be called). */
bool qemuMonitorIsEOF(qemuMonitor *mon);
