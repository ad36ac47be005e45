/*
 * qemu_monitor_json.h: QMP commands, built and parsed with json-c
 *
 * Two layers:
 *  - pure functions that build a command or parse the "return" member
 *    of a reply; they do no I/O and are tested on strings;
 *  - wrappers qemuMonitorJSON<Verb>(mon, ...) that make the command,
 *    send it with qemuMonitorSendCommand(), check the reply for a QMP
 *    error and parse it.  They block the calling thread (never the
 *    event-loop thread) and report errors once.
 *
 * QMP errors become libvirt errors like libvirt reports them:
 * "unable to execute QEMU command 'NAME': DESC" with
 * VIR_ERR_INTERNAL_ERROR, except class CommandNotFound which gives
 * VIR_ERR_OPERATION_UNSUPPORTED (same message).
 *
 * Command names and arguments follow QEMU 7.2's qapi/misc.json,
 * qapi/run-state.json, qapi/machine.json and qapi/migration.json.
 */
#pragma once

#include "qemu_monitor.h"

/* ---- generic helpers (qemu_monitor_json.c) ---- */

/* {"execute": @name, "arguments": @args}; @args (may be NULL) is
 * consumed.  Never fails. */
json_object *qemuMonitorJSONMakeCommand(const char *name, json_object *args);

/* Sends command @name without arguments and returns the "return"
 * member of @type (borrowed from *@reply, which the caller owns), or
 * NULL with an error reported. */
json_object *qemuMonitorJSONQuery(qemuMonitor *mon, const char *name,
                                  json_type type, json_object **reply);

/* The string member @key of @obj (borrowed), NULL if absent or not a
 * string. */
const char *qemuMonitorJSONGetString(json_object *obj, const char *key);

/* Returns 0 if @reply has a "return" member, else -1 with the QMP
 * error (or a generic one) reported for command @cmd. */
int qemuMonitorJSONCheckError(json_object *cmd, json_object *reply);

/* The "return" member of @reply if it is of @type (borrowed), or NULL
 * with an error reported. */
json_object *qemuMonitorJSONGetReturn(json_object *cmd, json_object *reply,
                                      json_type type);

/* Whether @reply is a QMP error of class @klass (e.g. "GenericError"). */
bool qemuMonitorJSONHasErrorClass(json_object *reply, const char *klass);

/**
 * qemuMonitorJSONCommand:
 * Sends @cmd (borrowed) and checks the reply for a QMP error.  On
 * success *reply (if @reply is not NULL) gets the reply, owned by the
 * caller.  Returns 0 or -1 (reported).
 */
int qemuMonitorJSONCommand(qemuMonitor *mon, json_object *cmd,
                           json_object **reply) G_GNUC_WARN_UNUSED_RESULT;

/* Make, send and check command @name whose return value is not needed;
 * @args (may be NULL) is consumed.  Returns 0 or -1 (reported). */
int qemuMonitorJSONSimpleCommand(qemuMonitor *mon, const char *name,
                                 json_object *args);

/* ---- pass-through (libvirt-qemu's virDomainQemuMonitorCommand) ---- */

/* Sends the QMP command @cmdstr (JSON text of an object) as it is and
 * sets *@reply to QEMU's whole reply as compact JSON, a QMP error reply
 * too (the caller's to read, as libvirt returns it).  -1 (reported)
 * only if @cmdstr is no JSON or the monitor failed. */
int qemuMonitorJSONArbitraryCommand(qemuMonitor *mon, const char *cmdstr,
                                    char **reply);

/* Runs the human monitor command line @cmdline (human-monitor-command)
 * and sets *@output to what it printed.  A QMP error is reported as
 * libvirt reports it. */
int qemuMonitorJSONHumanCommand(qemuMonitor *mon, const char *cmdline,
                                char **output);

/* ---- VM state (qemu_monitor_json.c) ---- */

/* QEMU's RunState (qapi/run-state.json, QEMU 7.2), plus UNKNOWN. */
typedef enum {
    QEMU_MONITOR_VM_STATUS_DEBUG,
    QEMU_MONITOR_VM_STATUS_INMIGRATE,
    QEMU_MONITOR_VM_STATUS_INTERNAL_ERROR,
    QEMU_MONITOR_VM_STATUS_IO_ERROR,
    QEMU_MONITOR_VM_STATUS_PAUSED,
    QEMU_MONITOR_VM_STATUS_POSTMIGRATE,
    QEMU_MONITOR_VM_STATUS_PRELAUNCH,
    QEMU_MONITOR_VM_STATUS_FINISH_MIGRATE,
    QEMU_MONITOR_VM_STATUS_RESTORE_VM,
    QEMU_MONITOR_VM_STATUS_RUNNING,
    QEMU_MONITOR_VM_STATUS_SAVE_VM,
    QEMU_MONITOR_VM_STATUS_SHUTDOWN,
    QEMU_MONITOR_VM_STATUS_SUSPENDED,
    QEMU_MONITOR_VM_STATUS_WATCHDOG,
    QEMU_MONITOR_VM_STATUS_GUEST_PANICKED,
    QEMU_MONITOR_VM_STATUS_COLO,
    QEMU_MONITOR_VM_STATUS_UNKNOWN,

    QEMU_MONITOR_VM_STATUS_LAST
} qemuMonitorVMStatus;

VIR_ENUM_DECL(qemuMonitorVMStatus);

/* Parses query-status's return; an unknown status string gives
 * QEMU_MONITOR_VM_STATUS_UNKNOWN (logged).  @status may be NULL.
 * 0 or -1 (reported). */
int qemuMonitorJSONParseStatus(json_object *ret, bool *running,
                               qemuMonitorVMStatus *status);
int qemuMonitorJSONGetStatus(qemuMonitor *mon, bool *running,
                             qemuMonitorVMStatus *status);

int qemuMonitorJSONStartCPUs(qemuMonitor *mon);        /* cont */
int qemuMonitorJSONStopCPUs(qemuMonitor *mon);         /* stop */
int qemuMonitorJSONSystemPowerdown(qemuMonitor *mon);  /* system_powerdown */
int qemuMonitorJSONSystemReset(qemuMonitor *mon);      /* system_reset */

/**
 * qemuMonitorJSONGetVNCPort:
 * query-vnc: the TCP port QEMU's VNC server listens on, in *@port
 * (0 when VNC is off).  Returns 0 or -1 with an error reported.
 */
int qemuMonitorJSONGetVNCPort(qemuMonitor *mon, int *port);

/**
 * qemuMonitorJSONGetPtyPaths:
 * query-chardev: the terminal of every "pty" character device, as a
 * new table of chardev id ("charserial0") -> path ("/dev/pts/3").
 * Returns the table or NULL with an error reported.
 */
GHashTable *qemuMonitorJSONGetPtyPaths(qemuMonitor *mon);

/**
 * qemuMonitorJSONSetGraphicsPassword:
 * Sets the password of the display of @protocol ("vnc") and when it
 * expires, as libvirt's qemuDomainChangeGraphicsPasswords does:
 * set_password (connected clients kept), then expire_password with
 * "now" for an empty password or a validity @validTo (UNIX time) not
 * after @now, @validTo if @expires, else "never".
 */
int qemuMonitorJSONSetGraphicsPassword(qemuMonitor *mon, const char *protocol,
                                       const char *password, bool expires,
                                       long long validTo, long long now);

/* quit: success also if QEMU closed the monitor before replying. */
int qemuMonitorJSONQuit(qemuMonitor *mon);

/* pmemsave / memsave: @length bytes of guest memory at @offset
 * (physical / virtual of the current CPU) into @path on the host. */
int qemuMonitorJSONSavePhysicalMemory(qemuMonitor *mon,
                                      unsigned long long offset,
                                      unsigned long long length,
                                      const char *path);
int qemuMonitorJSONSaveVirtualMemory(qemuMonitor *mon,
                                     unsigned long long offset,
                                     unsigned long long length,
                                     const char *path);

/**
 * qemuMonitorJSONAddTLSCredsX509:
 * object-add of a tls-creds-x509 object @id reading its certificates
 * from @dir, as libvirt's qemuBuildTLSx509BackendProps builds it:
 * "endpoint" "server" (@listen) or "client", "verify-peer" @verifyPeer.
 */
int qemuMonitorJSONAddTLSCredsX509(qemuMonitor *mon, const char *id,
                                   const char *dir, bool listen,
                                   bool verifyPeer);

/* object-del of the object @id.  Without @reportError a QMP error (no
 * such object) is only logged at debug level, as libvirt's
 * qemuMonitorDelObject(report_error=false) does. */
int qemuMonitorJSONDelObject(qemuMonitor *mon, const char *id,
                             bool reportError);

typedef struct _qemuMonitorCPUInfo qemuMonitorCPUInfo;
struct _qemuMonitorCPUInfo {
    int cpuIndex;
    int threadId;       /* host thread id of the vCPU */
    char *qomPath;
};

/* query-cpus-fast.  *cpus is an array of *ncpus entries, freed with
 * qemuMonitorCPUInfoFree().  0 or -1 (reported). */
int qemuMonitorJSONParseCPUInfoFast(json_object *ret,
                                    qemuMonitorCPUInfo **cpus,
                                    size_t *ncpus);
int qemuMonitorJSONGetCPUInfoFast(qemuMonitor *mon,
                                  qemuMonitorCPUInfo **cpus,
                                  size_t *ncpus);
void qemuMonitorCPUInfoFree(qemuMonitorCPUInfo *cpus, size_t ncpus);

/* ---- migration (qemu_monitor_json_migration.c) ---- */


/* Parses query-migrate's return into @stats (cleared first).
 * 0 or -1 (reported). */
int qemuMonitorJSONParseMigrationStats(json_object *ret,
                                       qemuMonitorMigrationStats *stats);
int qemuMonitorJSONGetMigrationStats(qemuMonitor *mon,
                                     qemuMonitorMigrationStats *stats);


/* The "capabilities" argument of migrate-set-capabilities: one entry
 * per bit of @caps, enabled if the bit is also in @enable.  NULL with
 * VIR_ERR_INVALID_ARG if @caps has unknown bits. */
json_object *qemuMonitorJSONBuildMigrationCapabilities(unsigned long long caps,
                                                       unsigned long long enable);
int qemuMonitorJSONSetMigrationCapabilities(qemuMonitor *mon,
                                            unsigned long long caps,
                                            unsigned long long enable);

/* query-migrate-capabilities: the capabilities QEMU knows and those
 * enabled.  Names this enum lacks are logged and ignored. */
int qemuMonitorJSONParseMigrationCapabilities(json_object *ret,
                                              unsigned long long *supported,
                                              unsigned long long *enabled);
int qemuMonitorJSONGetMigrationCapabilities(qemuMonitor *mon,
                                            unsigned long long *supported,
                                            unsigned long long *enabled);


/* The arguments of migrate-set-parameters (never fails). */
json_object *
qemuMonitorJSONBuildMigrationParams(const qemuMonitorMigrationParams *params);
int qemuMonitorJSONSetMigrationParams(qemuMonitor *mon,
                                      const qemuMonitorMigrationParams *params);

/* query-migrate-parameters; unknown members are logged and ignored.
 * *params is owned by the caller.  0 or -1 (reported). */
int qemuMonitorJSONParseMigrationParams(json_object *ret,
                                        qemuMonitorMigrationParams **params);
int qemuMonitorJSONGetMigrationParams(qemuMonitor *mon,
                                      qemuMonitorMigrationParams **params);

typedef enum {
    QEMU_MONITOR_MIGRATE_RESUME = 1 << 0,           /* "resume": postcopy recovery */
    QEMU_MONITOR_MIGRATE_NON_SHARED_DISK = 1 << 1,  /* "blk" */
    QEMU_MONITOR_MIGRATE_NON_SHARED_INC = 1 << 2,   /* "inc" */
} qemuMonitorMigrateFlags;

/* The arguments of migrate; NULL with VIR_ERR_INVALID_ARG on unknown
 * @flags. */
json_object *qemuMonitorJSONBuildMigrate(const char *uri, unsigned int flags);
int qemuMonitorJSONMigrate(qemuMonitor *mon, const char *uri,
                           unsigned int flags);
int qemuMonitorJSONMigrateIncoming(qemuMonitor *mon, const char *uri);
int qemuMonitorJSONMigrateCancel(qemuMonitor *mon);        /* migrate_cancel */
int qemuMonitorJSONMigrateStartPostCopy(qemuMonitor *mon);
int qemuMonitorJSONMigrateRecover(qemuMonitor *mon, const char *uri);
int qemuMonitorJSONMigratePause(qemuMonitor *mon);

/* ---- block jobs and the NBD server (qemu_monitor_json_block.c) ---- */

/* nbd-server-start on HOST:PORT (TCP), optionally with TLS. */
int qemuMonitorJSONNBDServerStart(qemuMonitor *mon, const char *host,
                                  unsigned int port, const char *tlsCreds);
int qemuMonitorJSONNBDServerStop(qemuMonitor *mon);

/* block-export-add of @nodeName as NBD export @name (also the export's
 * id). */
int qemuMonitorJSONBlockExportAddNBD(qemuMonitor *mon, const char *nodeName,
                                     const char *name, bool writable);

/* blockdev-add of an NBD client node for export @exportName on
 * HOST:PORT. */
int qemuMonitorJSONBlockdevAddNBD(qemuMonitor *mon, const char *nodeName,
                                  const char *host, unsigned int port,
                                  const char *exportName, const char *tlsCreds);
int qemuMonitorJSONBlockdevDel(qemuMonitor *mon, const char *nodeName);

/* blockdev-mirror job @jobId of node @device into node @target: the
 * whole chain (sync full) or its top image (@top); @syncWrites makes
 * guest writes wait for the target (copy-mode write-blocking); @speed
 * in bytes/s, 0 = unlimited.  The job is not dismissed automatically. */
int qemuMonitorJSONBlockdevMirror(qemuMonitor *mon, const char *jobId,
                                  const char *device, const char *target,
                                  bool top, bool syncWrites,
                                  unsigned long long speed);

/* block-job-cancel: a mirror in "ready" state completes without
 * pivoting (the target holds a consistent copy); @force aborts. */
int qemuMonitorJSONBlockJobCancel(qemuMonitor *mon, const char *jobId, bool force);
int qemuMonitorJSONJobDismiss(qemuMonitor *mon, const char *jobId);

/* query-named-block-nodes: node name -> virtual size in bytes
 * (unsigned long long *), a new table, or NULL with an error. */
GHashTable *qemuMonitorJSONGetBlockNodeSizes(qemuMonitor *mon);

/* query-jobs: an array of qemuMonitorJobInfo (caller frees), or NULL. */
GPtrArray *qemuMonitorJSONGetJobs(qemuMonitor *mon);

/* migrate-continue from @state (pre-switchover). */
int qemuMonitorJSONMigrateContinue(qemuMonitor *mon,
                                   qemuMonitorMigrationStatus state);
