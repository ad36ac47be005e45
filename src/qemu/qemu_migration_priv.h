/*
 * qemu_migration_priv.h: shared by the migration source, destination
 * and recovery code (not for other users)
 */
#pragma once

#include "qemu_driver.h"
#include "qemu_migration_job.h"
#include "qemu_migration_params.h"
#include "qemu_migration_cookie.h"

/* Looks the domain up by UUID (locked + referenced) or NULL. */
virDomainObj *qemuMigrationDomObj(qemuDriver *driver, const unsigned char *uuid);

/* Monitor access from the thread driving the async job: a nested job
 * keeps other sync jobs out while it talks to QEMU.  NULL (reported)
 * if QEMU is gone; then the domain is locked again and no job is held. */
qemuMonitor *qemuMigrationEnterMonitor(virDomainObj *vm);
void qemuMigrationExitMonitor(virDomainObj *vm, qemuMonitor *mon);

/* Applies capabilities and parameters to @vm's QEMU (job held); the
 * first call of a job saves what QEMU had before, for
 * qemuMigrationParamsRestore. */
int qemuMigrationApplyParams(virDomainObj *vm, const qemuMigrationParams *p);

/* Puts back the capabilities and parameters saved by the job's first
 * qemuMigrationApplyParams, if QEMU still runs (job held). */
void qemuMigrationParamsRestore(virDomainObj *vm);

/**
 * qemuMigrationWaitForCompletion:
 * Waits (vm locked, job held) until QEMU's migration reaches a final
 * state, refreshing the job statistics as it goes.  Returns 0 when it
 * completed, -1 with libvirt's error when it failed, was cancelled or
 * QEMU died (or, in post-copy, paused the migration: "failed in
 * post-copy phase").  @postcopyReached is set if QEMU went through
 * postcopy-active; with @stopAtPostcopy that already counts as done
 * (the guest can run on the destination).
 */
int qemuMigrationWaitForCompletion(qemuDriver *driver, virDomainObj *vm,
                                   bool *postcopyReached, bool stopAtPostcopy);

/* Fetches query-migrate into the job's current statistics. */
int qemuMigrationUpdateJobStats(virDomainObj *vm);

/* Best effort: cancel QEMU's outgoing migration if one runs. */
void qemuMigrationSrcCancel(virDomainObj *vm);

/* Puts the source guest back to running if the migration paused it. */
void qemuMigrationSrcRestoreState(qemuDriver *driver, virDomainObj *vm);

/* Stops a migrated-away source QEMU: the domain is shut off (migrated)
 * at once; the process exit is awaited by a worker. */
void qemuMigrationSrcStopMigrated(qemuDriver *driver, virDomainObj *vm);

/* Cleans up an incoming domain whose migration failed. */
void qemuMigrationDstCleanup(qemuDriver *driver, virDomainObj *vm);

/* QEMU completed a post-copy migration that no API call waits for (the
 * client or the daemon went away meanwhile): the destination reports
 * the guest migrated, the source stops; the job ends.  Called by
 * qemuMigrationStateApply on an unattended job or by recovery as its
 * driver. */
void qemuMigrationPostcopyDone(qemuDriver *driver, virDomainObj *vm);

/* The source's protocol steps, shared by the client-managed calls
 * (qemu_migration_src.c) and peer-to-peer (qemu_migration_p2p.c). */

/* libvirt's rule: writable local disks need shared storage or --unsafe. */
int qemuMigrationSrcIsSafe(const virDomainDef *def, const virTypedParameter *params,
                           size_t nparams, unsigned int flags);
/* Begin's XML for the destination (DEST_XML if given) and cookie. */
char *qemuMigrationSrcBeginXML(virDomainObj *vm, const virTypedParameter *params,
                               size_t nparams);
int qemuMigrationSrcBeginCookie(qemuDriver *driver, virDomainObj *vm,
                                const virTypedParameter *params, size_t nparams,
                                unsigned int flags,
                                char **cookieout, size_t *cookieoutlen);
/* Starts QEMU's migration to @uri and waits for its end (or, with
 * VIR_MIGRATE_POSTCOPY, for the switch to post-copy); copies the disks
 * first with a storage flag (@cookie: Prepare's, with the NBD port). */
int qemuMigrationSrcRun(qemuDriver *driver, virDomainObj *vm, const char *uri,
                        const virTypedParameter *params, size_t nparams,
                        unsigned int flags, const qemuMigrationCookie *cookie);
/* Perform's cookie: statistics, the persistent definition if asked. */
int qemuMigrationSrcPerformCookie(qemuDriver *driver, virDomainObj *vm,
                                  unsigned int flags,
                                  const virTypedParameter *params, size_t nparams,
                                  char **cookieout, size_t *cookieoutlen);
/* The guest runs on the destination: stop it here, end the job. */
void qemuMigrationSrcConfirmSuccess(qemuDriver *driver, virDomainObj *vm,
                                    unsigned int flags, qemuMigrationCookie *cookie);

/* Peer-to-peer (VIR_MIGRATE_PEER2PEER): the whole v3 sequence driven by
 * the source daemon over its own connection to @dconnuri.  @vm locked
 * and referenced by the caller. */
int qemuMigrationSrcPerformP2P(qemuDriver *driver, virDomainObj *vm,
                               const char *dconnuri,
                               const virTypedParameter *params, size_t nparams,
                               unsigned int flags, const qemuMigrationConn *conn);

/* Where the destination listens (URI host, LISTEN_ADDRESS, configured
 * address, the client's local address, the host name). */
int qemuMigrationDstHost(qemuDriver *driver, const virTypedParameter *params,
                         size_t nparams, const qemuMigrationConn *conn,
                         char **host, unsigned int *port);

/* migrate-incoming (or, with @recover, migrate-recover) on host:port,
 * a free port of the configured range when @port is 0; *uriout is what
 * the source connects to.  With a URI and LISTEN_ADDRESS in @params,
 * QEMU listens on LISTEN_ADDRESS (same port) instead of @host. */
int qemuMigrationDstListen(qemuDriver *driver, virDomainObj *vm,
                           const virTypedParameter *params, size_t nparams,
                           const char *host, unsigned int port, bool recover,
                           char **uriout);

/* Post-copy recovery (VIR_MIGRATE_POSTCOPY_RESUME): the same protocol
 * steps in the resume phases, on domains left in postcopy_failed. */
char *qemuMigrationSrcBeginResume(qemuDriver *driver, virDomainObj *vm,
                                  unsigned int flags,
                                  char **cookieout, size_t *cookieoutlen,
                                  const qemuMigrationConn *conn);
int qemuMigrationDstPrepareResume(qemuDriver *driver, unsigned int flags,
                                  const virTypedParameter *params, size_t nparams,
                                  const char *cookiein, size_t cookieinlen,
                                  char **cookieout, size_t *cookieoutlen,
                                  char **uriout, const qemuMigrationConn *conn);
int qemuMigrationSrcPerformResume(qemuDriver *driver, virDomainObj *vm,
                                  const char *uri, char **cookieout,
                                  size_t *cookieoutlen,
                                  const qemuMigrationConn *conn);
int qemuMigrationDstFinishResume(qemuDriver *driver, virDomainObj *vm,
                                 qemuDomainRef *ref, char **cookieout,
                                 size_t *cookieoutlen,
                                 const qemuMigrationConn *conn);
int qemuMigrationSrcConfirmResume(qemuDriver *driver, virDomainObj *vm,
                                  int cancelled, const qemuMigrationConn *conn);

/* The migration stream over TLS (VIR_MIGRATE_TLS, qemu_migration_tls.c). */

/* The id of the tls-creds-x509 object (libvirt's alias). */
#define QEMU_MIGRATION_TLS_ALIAS "objlibvirt_migrate_tls0"

/* Before anything starts, on the source (@listen false: Begin, P2P)
 * and the destination (@listen true: Prepare): migrate_tls_force
 * refuses a migration without VIR_MIGRATE_TLS (libvirt's error); with
 * it, the certificate files QEMU needs must be readable (the error names
 * the file). */
int qemuMigrationTLSCheck(qemuDriver *driver, unsigned int flags, bool listen);

/* With VIR_MIGRATE_TLS: adds the tls-creds-x509 object to @vm's QEMU
 * (job held) and sets tls-creds (and, on the source, tls-hostname to
 * @hostname) in @p; without it sets both to "". */
int qemuMigrationTLSSetup(virDomainObj *vm, unsigned int flags, bool listen,
                          const char *hostname, qemuMigrationParams *p);

/* The job ends (qemuMigrationJobFinish, after the parameters were
 * restored): deletes the object if the job used TLS; @resetParams also
 * sets tls-creds and tls-hostname to "" (no saved parameters). */
void qemuMigrationTLSCleanup(virDomainObj *vm, bool resetParams);

/* Post-copy recovery runs with the TLS setting of the migration it
 * resumes: a different VIR_MIGRATE_TLS is refused. */
int qemuMigrationTLSResumeCheck(virDomainObj *vm, unsigned int flags);

/* Offline migration (VIR_MIGRATE_OFFLINE, qemu_migration_offline.c). */
int qemuMigrationOfflineCheck(unsigned int flags);
char *qemuMigrationSrcBeginOffline(qemuDriver *driver, virDomainObj *vm,
                                   char **cookieout, size_t *cookieoutlen);
int qemuMigrationDstPrepareOffline(qemuDriver *driver,
                                   const virTypedParameter *params, size_t nparams,
                                   const qemuMigrationCookie *cookie,
                                   char **cookieout, size_t *cookieoutlen);
int qemuMigrationSrcPerformOffline(qemuDriver *driver, virDomainObj *vm,
                                   char **cookieout, size_t *cookieoutlen);
int qemuMigrationDstFinishOffline(qemuDriver *driver,
                                  const virTypedParameter *params, size_t nparams,
                                  qemuMigrationCookie *cookie, qemuDomainRef *ref);
/* Ends the caller's reference on *vm. */
int qemuMigrationSrcConfirmOffline(qemuDriver *driver, virDomainObj **vm,
                                   unsigned int flags, int cancelled);

/* Close callbacks (qemuDomainJobCloseCallback) of migration jobs whose
 * client vanished, also used by recovery after a daemon restart. */

/* Incoming: kill the QEMU only if no part of the guest can be there;
 * while data flows, wait for the stream's end (the job stays
 * unattended and comes back here through qemuMigrationStateApply). */
void qemuMigrationDstAbandoned(virDomainObj *vm);

/* Outgoing: cancel QEMU's migration and resume the guest, except after
 * perform3 (outcome unknown: left paused) and in post-copy (kept). */
void qemuMigrationSrcCleanup(virDomainObj *vm);
