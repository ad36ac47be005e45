/*
 * qemumonitortestutils.h: a scripted fake QEMU for monitor tests
 *
 * A test owns three threads: its own (which sends commands, as the
 * daemon's workers do), an event-loop thread running the monitor's
 * GMainContext (as the daemon's main thread does), and a peer thread
 * that plays QEMU by replaying a transcript file.
 *
 * A transcript (a file in tests/qemumonitordata/) is a JSON array of steps,
 * executed in order by the peer:
 *   {"send": OBJ}                 write OBJ as one QMP line
 *   {"expect": CMD, "label": L}   read one command; its "execute" and
 *                                 "arguments" must equal CMD's ("id" is
 *                                 ignored); remember its id as L
 *   {"reply": OBJ, "to": L}       write OBJ with the id of command L
 *                                 (default: the last one); an OBJ with
 *                                 its own "id" is sent as is
 *   {"raw": TEXT}                 write TEXT verbatim
 *   {"oversized": N}              write an unterminated reply of N bytes
 *   {"wait": NAME}                block until the test posts NAME
 *   {"notify": NAME}              post NAME for the test
 *   {"close": true}               close the connection and stop
 * After the last step the peer expects the monitor to close the
 * connection; any further command is a failure.  Before a reply the
 * peer also checks that no other command arrived meanwhile (one
 * command on the wire at a time).
 *
 * Synchronisation: "wait"/"notify" and qemuMonitorTestPost() /
 * qemuMonitorTestWaitPost() share one set of posted names, guarded by
 * the test's mutex; waits have deadlines, never fixed sleeps.
 *
 * Every monitor callback appends one line to the test's log (e.g.
 * "STOP", "MIGRATION status=active", "EOF").  Each callback also checks
 * that it runs in the event-loop thread without the monitor lock held.
 */
#pragma once

#include "qemu_monitor.h"

typedef struct _qemuMonitorTest qemuMonitorTest;

/* Deadline for every wait in the harness. */
#define QEMU_MONITOR_TEST_TIMEOUT_MS 10000

/* Peer on a socketpair and the event loop; the monitor is opened on it
 * (the test fails if that does not work). */
qemuMonitorTest *qemuMonitorTestNew(const char *transcript);

/* Same, but the monitor is not opened: call qemuMonitorTestOpenFD(). */
qemuMonitorTest *qemuMonitorTestNewUnopened(const char *transcript);

/* The peer listens on @path, but only once the test posts "listen";
 * call qemuMonitorTestOpenPath() to connect. */
qemuMonitorTest *qemuMonitorTestNewListen(const char *transcript,
                                          const char *path);

/* Only the callback log: for feeding events to the dispatcher
 * directly (callbacks then run in the test thread). */
qemuMonitorTest *qemuMonitorTestNewRecorder(void);

/* Open the monitor; 0, or -1 with the error left in the thread. */
int qemuMonitorTestOpenFD(qemuMonitorTest *test, int timeoutMs);
int qemuMonitorTestOpenPath(qemuMonitorTest *test, int timeoutMs);

qemuMonitor *qemuMonitorTestGetMonitor(qemuMonitorTest *test);

/* Closes the monitor now (qemuMonitorClose); a thread still using it
 * must hold its own reference. */
void qemuMonitorTestCloseMonitor(qemuMonitorTest *test);
GMainContext *qemuMonitorTestGetContext(qemuMonitorTest *test);
const qemuMonitorCallbacks *qemuMonitorTestGetCallbacks(void);

void qemuMonitorTestPost(qemuMonitorTest *test, const char *name);
bool qemuMonitorTestWaitPost(qemuMonitorTest *test, const char *name);

/* Waits until the log has at least @n lines. */
bool qemuMonitorTestWaitLog(qemuMonitorTest *test, size_t n);
/* A copy of the log. */
char *qemuMonitorTestGetLog(qemuMonitorTest *test);

/* Appends a line to the log (callbacks use it; so may tests). */
void qemuMonitorTestLog(qemuMonitorTest *test, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/**
 * qemuMonitorTestComplete:
 * Closes the monitor (if open), waits for the peer and returns true if
 * it replayed the whole transcript without a mismatch (printing the
 * mismatch otherwise).
 */
bool qemuMonitorTestComplete(qemuMonitorTest *test);

void qemuMonitorTestFree(qemuMonitorTest *test);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitorTest, qemuMonitorTestFree);

/* Runs @func(@data) in the event-loop thread and waits for it. */
void qemuMonitorTestRunInLoop(qemuMonitorTest *test, GSourceFunc func,
                              gpointer data);
