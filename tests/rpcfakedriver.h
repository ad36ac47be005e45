/*
 * rpcfakedriver.h: an in-memory stand-in for the QEMU driver
 *
 * Implements src/qemu/qemu_driver.h for the RPC tests: domains live in
 * memory, "starting" one only flips its state, and events are raised
 * like the real driver's (from the calling thread).  Domains whose name
 * starts with "slow" take RPC_FAKE_SLOW_MS to start, to keep workers
 * busy in concurrency tests.
 *
 * Migration (rpcfakemigration.c) moves a domain between two fake
 * drivers as the real protocol does, without QEMU: Begin marks the
 * source migrating, Prepare defines the incoming domain paused from
 * the destination XML, Perform hands the cookie on, Finish runs the
 * domain on the destination, Confirm shuts the source off.  Each
 * step's cookie is "STEP:" followed by the cookie it received (Begin:
 * "begin:NAME" and the bytes 0x00 0xff), so tests see the cookies
 * pass byte for byte.  Perform of a domain whose name starts with
 * "slow" waits (up to RPC_FAKE_MIGRATE_MS) for AbortJob, which fails
 * it, or StartPostCopy, which completes it.
 */
#pragma once

#include "qemu_driver.h"

#define RPC_FAKE_SLOW_MS 1500
#define RPC_FAKE_MIGRATE_MS 10000

/* What the last migration protocol call received. */
typedef struct {
    const char *api;              /* e.g. "qemuDomainMigrateBegin3Params" */
    virTypedParamList *params;
    GByteArray *cookie;           /* cookie in (empty for Begin) */
    char *dconnuri;
    unsigned int flags;
    int cancelled;
    guint64 clientID;
    char *localAddr;
} rpcFakeMigrationCall;

/* @capabilities: the XML CONNECT_GET_CAPABILITIES answers (copied). */
qemuDriver *rpcFakeDriverNew(const char *capabilities);

/* Raises @ev to every listener, as the driver would. */
void rpcFakeDriverEmit(qemuDriver *driver, const qemuDomainEvent *ev);

/* Number of registered event listeners. */
size_t rpcFakeDriverListenerCount(qemuDriver *driver);

/* A copy of what the last migration protocol call received (free with
 * rpcFakeMigrationCallClear). */
void rpcFakeDriverLastMigrationCall(qemuDriver *driver,
                                    rpcFakeMigrationCall *call);
void rpcFakeMigrationCallClear(rpcFakeMigrationCall *call);

/* Waits up to @timeoutMs for qemuDriverClientClosed(@clientID). */
bool rpcFakeDriverWaitClientClosed(qemuDriver *driver, guint64 clientID,
                                   int timeoutMs);

/* How many qemuDriverClientClosed calls there were. */
size_t rpcFakeDriverClosedClientCount(qemuDriver *driver);

/* Waits up to @timeoutMs until a slow Perform is blocked. */
bool rpcFakeDriverWaitSlowPerform(qemuDriver *driver, int timeoutMs);

/* Consoles (rpcfakeconsole.c): a running domain's "serial0" is one end
 * of a socket pair; the test plays the guest on the other.  "serial1"
 * is not a pty.  Takes the guest's end of @name's open session (closing
 * it is the guest stopping), or -1 if none is open or it was taken. */
int rpcFakeDriverConsoleTakePeer(qemuDriver *driver, const char *name);
/* @banner (NULL: none) is waiting in every console opened from now on,
 * as a guest's output written before the open. */
void rpcFakeDriverConsoleSetBanner(qemuDriver *driver, const char *banner);
/* Sessions open right now. */
size_t rpcFakeDriverConsoleCount(qemuDriver *driver);
