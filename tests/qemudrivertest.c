/*
 * qemudrivertest.c: the QEMU driver against real QEMU and the test guest
 *
 * Each case creates a private root, a driver on it, and drives domains
 * through the driver API (the same calls the RPC layer makes): lifecycle,
 * events, errors from QEMU, a QEMU killed behind our back, and a driver
 * restart that must find its guests again.  Uses KVM when /dev/kvm is
 * usable, TCG otherwise.  Needs VIRTMIG_GUEST_IMAGE (set by meson).
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "testutils.h"
#include "qemu_driver.h"
#include "qemu_capabilities.h"
#include "qemu_monitor_json.h"
#include "virerror.h"
#include "virtypedparam.h"
#include "viruuid.h"

/* Deadlines, generous for TCG; tests poll and return as soon as ready. */
#define SERIAL_DEADLINE_S 90
#define EVENT_DEADLINE_S 30

typedef struct {
    char *root;
    char *image;
    qemuDriver *driver;
    GAsyncQueue *events;   /* of qemuDomainEvent copies (no params) */
    int listener;
} testCtx;

static void
testEventCopyFree(gpointer data)
{
    qemuDomainEvent *ev = data;

    qemuDomainRefClear(&ev->dom);
    g_free(ev);
}

static void
testEventCallback(const qemuDomainEvent *ev, void *opaque)
{
    testCtx *ctx = opaque;
    qemuDomainEvent *copy = g_new0(qemuDomainEvent, 1);

    copy->eventID = ev->eventID;
    copy->event = ev->event;
    copy->detail = ev->detail;
    copy->dom.name = g_strdup(ev->dom.name);
    memcpy(copy->dom.uuid, ev->dom.uuid, VIR_UUID_BUFLEN);
    copy->dom.id = ev->dom.id;
    g_async_queue_push(ctx->events, copy);
}

/* A driver ("host") whose directories live under @root. */
static qemuDriver *
testDriverNew(const char *root, const char *migrationAddress)
{
    qemuDriverConfig cfg = { 0 };
    g_autofree char *etc = g_build_filename(root, "etc", NULL);
    g_autofree char *run = g_build_filename(root, "run", NULL);
    g_autofree char *log = g_build_filename(root, "log", NULL);
    qemuDriver *driver;

    g_assert_cmpint(g_mkdir_with_parents(etc, 0755), ==, 0);
    g_assert_cmpint(g_mkdir_with_parents(run, 0755), ==, 0);
    g_assert_cmpint(g_mkdir_with_parents(log, 0755), ==, 0);
    cfg.domainConfigDir = etc;
    cfg.stateDir = run;
    cfg.logDir = log;
    cfg.libDir = root;
    cfg.jobWaitTimeoutMs = 5000;
    cfg.migrationPortMin = 49152;
    cfg.migrationPortMax = 49215;
    cfg.migrationAddress = migrationAddress;
    g_assert_cmpint(virUUIDGenerate(cfg.hostUUID), ==, 0);
    driver = qemuDriverNew(&cfg);
    g_assert_nonnull(driver);
    return driver;
}

static void
testDriverOpen(testCtx *ctx)
{
    ctx->driver = testDriverNew(ctx->root, NULL);
    ctx->listener = qemuDriverAddEventListener(ctx->driver, testEventCallback, ctx);
}

static void
testDriverClose(testCtx *ctx)
{
    qemuDriverRemoveEventListener(ctx->driver, ctx->listener);
    g_clear_pointer(&ctx->driver, qemuDriverFree);
}

static testCtx *
testSetup(void)
{
    testCtx *ctx = g_new0(testCtx, 1);
    g_autoptr(GError) err = NULL;

    ctx->image = g_strdup(g_getenv("VIRTMIG_GUEST_IMAGE"));
    g_assert_nonnull(ctx->image);
    ctx->root = g_dir_make_tmp("qemudrivertest-XXXXXX", &err);
    g_assert_no_error(err);
    ctx->events = g_async_queue_new_full(testEventCopyFree);
    testDriverOpen(ctx);
    return ctx;
}

static void
testTeardown(testCtx *ctx)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", ctx->root);
    qemuDomainRef *refs = NULL;
    int n, i;

    /* never leave a QEMU behind, whatever the test did */
    if (ctx->driver) {
        n = qemuConnectListAllDomains(ctx->driver, &refs, 1);
        for (i = 0; i < n; i++)
            ignore_value(qemuDomainDestroy(ctx->driver, refs[i].uuid, 0));
        qemuDomainRefListFree(refs, MAX(n, 0));
        testDriverClose(ctx);
    }
    ignore_value(system(cmd));
    g_async_queue_unref(ctx->events);
    g_free(ctx->root);
    g_free(ctx->image);
    g_free(ctx);
}

/* Loads a data file with @ROOT@, @IMAGE@, @SERIAL@, @VIRTTYPE@ replaced. */
static char *
testLoadXML(testCtx *ctx, const char *name)
{
    g_autofree char *rel = g_strdup_printf("qemudriverdata/%s", name);
    g_autofree char *xml = virTestLoadFile(rel);
    g_autofree char *serial = g_build_filename(ctx->root, "serial.log", NULL);
    const char *from[] = { "@ROOT@", "@IMAGE@", "@SERIAL@", "@VIRTTYPE@" };
    const char *to[] = { ctx->root, ctx->image, serial,
                         qemuCapsKVMUsable() ? "kvm" : "qemu" };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(from); i++) {
        g_auto(GStrv) parts = g_strsplit(xml, from[i], -1);

        g_free(xml);
        xml = g_strjoinv(to[i], parts);
    }
    return g_steal_pointer(&xml);
}

static void
testDefine(testCtx *ctx, const char *file, qemuDomainRef *ref)
{
    g_autofree char *xml = testLoadXML(ctx, file);

    if (qemuDomainDefineXML(ctx->driver, xml, 0, ref) < 0)
        g_error("define %s: %s", file, virGetLastErrorMessage());
}

/* Waits for a lifecycle event (type, detail) for @name, skipping others. */
static void
testWaitEvent(testCtx *ctx, const char *name, int event, int detail)
{
    gint64 deadline = g_get_monotonic_time() + EVENT_DEADLINE_S * G_USEC_PER_SEC;
    qemuDomainEvent *ev;

    while ((ev = g_async_queue_timeout_pop(ctx->events,
                                           MAX(1, deadline - g_get_monotonic_time())))) {
        bool match = ev->eventID == VIR_DOMAIN_EVENT_ID_LIFECYCLE &&
                     g_str_equal(ev->dom.name, name) &&
                     ev->event == event && ev->detail == detail;

        testEventCopyFree(ev);
        if (match)
            return;
    }
    g_error("no lifecycle event %d/%d for %s", event, detail, name);
}

static void
testAssertState(qemuDriver *driver, const unsigned char *uuid, int state, int reason)
{
    int st = -1, rs = -1;

    g_assert_cmpint(qemuDomainGetState(driver, uuid, &st, &rs, 0), ==, 0);
    g_assert_cmpint(st, ==, state);
    g_assert_cmpint(rs, ==, reason);
}

/* Number of "pass" lines the guest printed on its serial port so far. */
static int
testSerialPasses(testCtx *ctx)
{
    g_autofree char *path = g_build_filename(ctx->root, "serial.log", NULL);
    g_autofree char *data = NULL;
    int n = 0;
    const char *p;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        return 0;
    for (p = data; (p = strstr(p, "pass")); p += 4)
        n++;
    return n;
}

static void
testWaitPasses(testCtx *ctx, int atLeast)
{
    gint64 deadline = g_get_monotonic_time() + SERIAL_DEADLINE_S * G_USEC_PER_SEC;

    while (testSerialPasses(ctx) < atLeast) {
        if (g_get_monotonic_time() > deadline)
            g_error("guest printed %d passes, expected %d", testSerialPasses(ctx),
                    atLeast);
        g_usleep(100 * 1000);
    }
}

static void
testLifecycle(void)
{
    testCtx *ctx = testSetup();
    qemuDomainRef ref = { 0 }, ref2 = { 0 };
    qemuDomainInfo info;
    int passes;

    testDefine(ctx, "guest.xml", &ref);
    testWaitEvent(ctx, "guest", VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED);
    g_assert_cmpint(ref.id, ==, -1);
    testAssertState(ctx->driver, ref.uuid, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN);

    g_assert_cmpint(qemuDomainCreate(ctx->driver, ref.uuid, 0), ==, 0);
    testWaitEvent(ctx, "guest", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    testAssertState(ctx->driver, ref.uuid, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(qemuDomainLookupByName(ctx->driver, "guest", &ref2), ==, 0);
    g_assert_cmpint(ref2.id, >, 0);
    g_assert_cmpint(qemuDomainIsActive(ctx->driver, ref.uuid), ==, 1);
    testWaitPasses(ctx, 2);

    g_assert_cmpint(qemuDomainSuspend(ctx->driver, ref.uuid), ==, 0);
    testWaitEvent(ctx, "guest", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    testAssertState(ctx->driver, ref.uuid, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    g_assert_cmpint(qemuDomainResume(ctx->driver, ref.uuid), ==, 0);
    testWaitEvent(ctx, "guest", VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    testAssertState(ctx->driver, ref.uuid, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    passes = testSerialPasses(ctx);
    testWaitPasses(ctx, passes + 1);

    g_assert_cmpint(qemuDomainGetInfo(ctx->driver, ref.uuid, &info), ==, 0);
    g_assert_cmpint(info.state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpuint(info.maxMemKiB, ==, 128 * 1024);
    g_assert_cmpuint(info.nrVirtCpu, ==, 1);
    g_assert_cmpuint(info.cpuTimeNs, >, 0);

    g_assert_cmpint(qemuDomainDestroy(ctx->driver, ref.uuid, 0), ==, 0);
    testWaitEvent(ctx, "guest", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    testAssertState(ctx->driver, ref.uuid, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED);
    g_assert_cmpint(qemuDomainDestroy(ctx->driver, ref.uuid, 0), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_INVALID);

    g_assert_cmpint(qemuDomainUndefine(ctx->driver, ref.uuid, 0), ==, 0);
    g_assert_cmpint(qemuDomainLookupByName(ctx->driver, "guest", &ref2), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_DOMAIN);
    qemuDomainRefClear(&ref);
    qemuDomainRefClear(&ref2);
    testTeardown(ctx);
}

static void
testRealWorldXML(void)
{
    testCtx *ctx = testSetup();
    qemuDomainRef ref = { 0 };

    testDefine(ctx, "libvirt-dumpxml-example.xml", &ref);
    if (qemuDomainCreate(ctx->driver, ref.uuid, 0) < 0)
        g_error("start: %s", virGetLastErrorMessage());
    testAssertState(ctx->driver, ref.uuid, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    testWaitPasses(ctx, 1);
    g_assert_cmpint(qemuDomainDestroy(ctx->driver, ref.uuid, 0), ==, 0);
    qemuDomainRefClear(&ref);
    testTeardown(ctx);
}

static void
testMissingDisk(void)
{
    testCtx *ctx = testSetup();
    qemuDomainRef ref = { 0 };
    g_autofree char *expected = NULL;

    testDefine(ctx, "missing-disk.xml", &ref);
    g_assert_cmpint(qemuDomainCreate(ctx->driver, ref.uuid, 0), ==, -1);
    expected = g_strdup_printf("Cannot access storage file '%s/missing.img': "
                               "No such file or directory", ctx->root);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, expected);
    testAssertState(ctx->driver, ref.uuid, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN);
    qemuDomainRefClear(&ref);
    testTeardown(ctx);
}

static void
testQEMUError(void)
{
    testCtx *ctx = testSetup();
    qemuDomainRef ref = { 0 }, ref2 = { 0 };
    g_autofree char *img = g_build_filename(ctx->root, "not-a-qcow2.img", NULL);
    g_autofree char *dir = g_build_filename(ctx->root, "a-directory.img", NULL);
    g_autofree char *log = g_build_filename(ctx->root, "log", "badformat.log", NULL);
    g_autofree char *expected = NULL;

    /* QEMU's own message, naming the file */
    g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
    testDefine(ctx, "disk-is-directory.xml", &ref2);
    g_assert_cmpint(qemuDomainCreate(ctx->driver, ref2.uuid, 0), ==, -1);
    expected = g_strdup_printf("'file' driver requires '%s' to be a regular file", dir);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), expected));
    g_assert_true(g_str_has_prefix(virGetLastErrorMessage(), "internal error: "));

    g_assert_true(g_file_set_contents(img, "this is no qcow2 image", -1, NULL));
    testDefine(ctx, "bad-format.xml", &ref);
    g_assert_cmpint(qemuDomainCreate(ctx->driver, ref.uuid, 0), ==, -1);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "Image is not in qcow2 format"));
    g_assert_true(g_file_test(log, G_FILE_TEST_EXISTS));
    testAssertState(ctx->driver, ref.uuid, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED);
    g_assert_cmpint(qemuDomainIsActive(ctx->driver, ref.uuid), ==, 0);
    qemuDomainRefClear(&ref);
    qemuDomainRefClear(&ref2);
    testTeardown(ctx);
}

/* A VNC password with a validity: QEMU 7.2 must take the set_password
 * and expire_password the start sends (a refused one fails the start);
 * the status file keeps both for the next daemon.  What QEMU chose is in
 * the live XML as libvirt shows it: the VNC port, the pty of a serial
 * port; a channel's socket lives in the state directory while the
 * domain runs. */
static void
testVNCPassword(void)
{
    testCtx *ctx = testSetup();
    qemuDomainRef ref = { 0 };
    g_autofree char *path = g_build_filename(ctx->root, "run", "guest.xml", NULL);
    g_autofree char *sock = NULL;
    g_autofree char *status = NULL;
    const char *p;

    testDefine(ctx, "guest-vnc.xml", &ref);
    if (qemuDomainCreate(ctx->driver, ref.uuid, 0) < 0)
        g_error("start: %s", virGetLastErrorMessage());
    testAssertState(ctx->driver, ref.uuid, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    g_assert_true(g_file_get_contents(path, &status, NULL, NULL));
    g_assert_nonnull(strstr(status, "passwd='s3cret' passwdValidTo='2100-01-01T00:00:00'"));
    g_assert_nonnull((p = strstr(status, "<graphics type='vnc' port='")));
    g_assert_cmpint(g_ascii_strtoll(p + strlen("<graphics type='vnc' port='"), NULL, 10),
                    >=, 5900);
    g_assert_nonnull(strstr(status, "<source path='/dev/pts/"));
    g_assert_nonnull((p = strstr(status, "<source mode='bind' path='")));
    sock = g_strndup(p + strlen("<source mode='bind' path='"),
                     strcspn(p + strlen("<source mode='bind' path='"), "'"));
    g_assert_true(g_str_has_prefix(sock, ctx->root));
    g_assert_true(g_file_test(sock, G_FILE_TEST_EXISTS));
    g_assert_cmpint(qemuDomainDestroy(ctx->driver, ref.uuid, 0), ==, 0);
    g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));
    qemuDomainRefClear(&ref);
    testTeardown(ctx);
}

/* The pid of the domain's QEMU, from its status file. */
static pid_t
testQEMUPid(testCtx *ctx, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);
    g_autofree char *path = g_build_filename(ctx->root, "run", file, NULL);
    g_autofree char *data = NULL;
    const char *p;

    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    g_assert_nonnull((p = strstr(data, " pid='")));
    return g_ascii_strtoll(p + 6, NULL, 10);
}

static void
testCrash(void)
{
    testCtx *ctx = testSetup();
    qemuDomainRef ref = { 0 };

    testDefine(ctx, "guest.xml", &ref);
    g_assert_cmpint(qemuDomainCreate(ctx->driver, ref.uuid, 0), ==, 0);
    testWaitEvent(ctx, "guest", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    g_assert_cmpint(kill(testQEMUPid(ctx, "guest"), SIGKILL), ==, 0);
    testWaitEvent(ctx, "guest", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED);
    testAssertState(ctx->driver, ref.uuid, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED);
    /* still defined, and it starts again */
    g_assert_cmpint(qemuDomainCreate(ctx->driver, ref.uuid, 0), ==, 0);
    g_assert_cmpint(qemuDomainDestroy(ctx->driver, ref.uuid, 0), ==, 0);
    qemuDomainRefClear(&ref);
    testTeardown(ctx);
}

static void
testRestart(void)
{
    testCtx *ctx = testSetup();
    qemuDomainRef ref = { 0 };
    pid_t pid;
    int passes;

    testDefine(ctx, "guest.xml", &ref);
    g_assert_cmpint(qemuDomainCreate(ctx->driver, ref.uuid, 0), ==, 0);
    pid = testQEMUPid(ctx, "guest");
    testWaitPasses(ctx, 1);

    /* the "daemon" goes away; QEMU must keep running */
    testDriverClose(ctx);
    g_assert_cmpint(kill(pid, 0), ==, 0);
    testDriverOpen(ctx);
    testAssertState(ctx->driver, ref.uuid, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(testQEMUPid(ctx, "guest"), ==, pid);
    g_assert_cmpint(qemuDomainSuspend(ctx->driver, ref.uuid), ==, 0);
    testAssertState(ctx->driver, ref.uuid, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    g_assert_cmpint(qemuDomainResume(ctx->driver, ref.uuid), ==, 0);
    passes = testSerialPasses(ctx);
    testWaitPasses(ctx, passes + 1);

    /* QEMU dies while the "daemon" is down: reported shut off (crashed) */
    testDriverClose(ctx);
    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    testDriverOpen(ctx);
    testAssertState(ctx->driver, ref.uuid, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED);
    g_assert_cmpint(qemuDomainIsActive(ctx->driver, ref.uuid), ==, 0);
    qemuDomainRefClear(&ref);
    testTeardown(ctx);
}

static void
testTransient(void)
{
    testCtx *ctx = testSetup();
    g_autofree char *xml = testLoadXML(ctx, "guest.xml");
    qemuDomainRef ref = { 0 }, ref2 = { 0 };

    g_assert_cmpint(qemuDomainCreateXML(ctx->driver, xml, 0, &ref), ==, 0);
    g_assert_cmpint(qemuDomainIsPersistent(ctx->driver, ref.uuid), ==, 0);
    g_assert_cmpint(qemuDomainUndefine(ctx->driver, ref.uuid, 0), ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "Requested operation is not valid: cannot undefine transient domain");
    g_assert_cmpint(qemuDomainDestroy(ctx->driver, ref.uuid, 0), ==, 0);
    g_assert_cmpint(qemuDomainLookupByName(ctx->driver, "guest", &ref2), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_DOMAIN);
    qemuDomainRefClear(&ref);
    testTeardown(ctx);
}

/* Rewrites the domain's status file as a daemon that died in the middle
 * of a migration would have left it. */
static void
testFakeJobInStatus(testCtx *ctx, const char *name, const char *async,
                    const char *phase, const char *state, const char *reason)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);
    g_autofree char *path = g_build_filename(ctx->root, "run", file, NULL);
    g_autofree char *data = NULL;
    g_autofree char *job = g_strdup_printf("/>\n  <job async='%s' phase='%s' flags='0x201'/>",
                                           async, phase);
    g_autoptr(GRegex) st = g_regex_new("state='[a-z]*' reason='[a-z -]*'", 0, 0, NULL);
    g_autofree char *newstate = g_strdup_printf("state='%s' reason='%s'", state, reason);
    g_autofree char *tmp1 = NULL;
    g_autofree char *tmp2 = NULL;
    g_auto(GStrv) parts = NULL;

    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    tmp1 = g_regex_replace_literal(st, data, -1, 0, newstate, 0, NULL);
    parts = g_strsplit(tmp1, "/>", 2);   /* after the <monitor .../> line */
    g_assert_cmpuint(g_strv_length(parts), ==, 2);
    tmp2 = g_strconcat(parts[0], job, parts[1], NULL);
    g_assert_true(g_file_set_contents(path, tmp2, -1, NULL));
}

typedef struct {
    const char *async;
    const char *phase;
    bool pauseFirst;            /* the guest was paused by the migration */
    int state;                  /* expected after the restart */
    int reason;
    bool jobKept;               /* the async job survives (post-copy) */
} recoveryCase;

/* One row of the recovery table (docs/jobs.md): a daemon died during a
 * migration in @c->phase; the next one acts on it. */
static void
testRecovery(gconstpointer opaque)
{
    const recoveryCase *c = opaque;
    testCtx *ctx = testSetup();
    g_autofree char *xml = testLoadXML(ctx, "guest.xml");
    qemuDomainRef ref = { 0 }, ref2 = { 0 };
    int type = -1;
    g_autoptr(virTypedParamList) params = NULL;
    pid_t pid;
    bool incoming = g_str_equal(c->async, "migration in");

    if (incoming)
        g_assert_cmpint(qemuDomainCreateXML(ctx->driver, xml, 0, &ref), ==, 0);
    else
        testDefine(ctx, "guest.xml", &ref);
    if (!incoming)
        g_assert_cmpint(qemuDomainCreate(ctx->driver, ref.uuid, 0), ==, 0);
    pid = testQEMUPid(ctx, "guest");
    if (c->pauseFirst)
        g_assert_cmpint(qemuDomainSuspend(ctx->driver, ref.uuid), ==, 0);
    testDriverClose(ctx);
    testFakeJobInStatus(ctx, "guest", c->async, c->phase,
                        c->pauseFirst ? "paused" : "running",
                        c->pauseFirst ? "migration" : "booted");
    testDriverOpen(ctx);

    if (c->state == VIR_DOMAIN_NOSTATE) {
        /* gone: a transient incoming domain that was killed */
        g_assert_cmpint(qemuDomainLookupByName(ctx->driver, "guest", &ref2), ==, -1);
        g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_DOMAIN);
    } else {
        testAssertState(ctx->driver, ref.uuid, c->state, c->reason);
        g_assert_cmpint(qemuDomainGetJobStats(ctx->driver, ref.uuid, &type,
                                              &params, 0), ==, 0);
        g_assert_cmpint(type, ==, c->jobKept ? 2 : 0);
    }
    if (c->state != VIR_DOMAIN_RUNNING && c->state != VIR_DOMAIN_PAUSED) {
        gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

        /* QEMU is gone (or going) */
        while (kill(pid, 0) == 0 && g_get_monotonic_time() < deadline)
            g_usleep(20 * 1000);
    }
    qemuDomainRefClear(&ref);
    testTeardown(ctx);
}

/* A second driver ("host") in another root, for two-host cases. */
static qemuDriver *
testSecondDriver(testCtx *ctx, const char *name)
{
    g_autofree char *root = g_build_filename(ctx->root, name, NULL);

    return testDriverNew(root, "127.0.0.1");
}

#define TEST_MIGRATE_FLAGS (1 | 512)   /* LIVE | UNSAFE */

/* The domain's current job type (0: none, 2: unbounded). */
static int
testJobType(qemuDriver *driver, const unsigned char *uuid)
{
    g_autoptr(virTypedParamList) stats = NULL;
    int type = -1;

    g_assert_cmpint(qemuDomainGetJobStats(driver, uuid, &type, &stats, 0), ==, 0);
    return type;
}

static void
testWaitJobType(qemuDriver *driver, const unsigned char *uuid, int type)
{
    gint64 deadline = g_get_monotonic_time() + EVENT_DEADLINE_S * G_USEC_PER_SEC;

    while (testJobType(driver, uuid) != type) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(20 * 1000);
    }
}

/* Waits until @driver no longer knows domain @name. */
static void
testWaitDomainGone(qemuDriver *driver, const char *name)
{
    gint64 deadline = g_get_monotonic_time() + EVENT_DEADLINE_S * G_USEC_PER_SEC;
    qemuDomainRef ref = { 0 };

    while (qemuDomainLookupByName(driver, name, &ref) == 0) {
        qemuDomainRefClear(&ref);
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(20 * 1000);
    }
}

/* Begin3 on the source, Prepare3 on @dst, as a client would: the
 * source's job is at begin3, the destination's QEMU listens at the
 * returned URI (job at prepare). */
static char *
testBeginPrepare(testCtx *ctx, qemuDriver *dst, const unsigned char *uuid,
                 const qemuMigrationConn *conn)
{
    g_autoptr(virTypedParamList) params = virTypedParamListNew();
    g_autofree char *xml = NULL;
    g_autofree char *cookie = NULL;
    g_autofree char *cookie2 = NULL;
    char *uri = NULL;
    size_t cookielen = 0, cookie2len = 0;

    xml = qemuDomainMigrateBegin3Params(ctx->driver, uuid, NULL, 0, &cookie,
                                        &cookielen, TEST_MIGRATE_FLAGS, conn);
    if (!xml)
        g_error("begin: %s", virGetLastErrorMessage());
    g_assert_cmpint(virTypedParamListAddString(params, "destination_xml", xml), ==, 0);
    if (qemuDomainMigratePrepare3Params(dst, params->par, params->npar, cookie,
                                        cookielen, &cookie2, &cookie2len, &uri,
                                        TEST_MIGRATE_FLAGS, conn) < 0)
        g_error("prepare: %s", virGetLastErrorMessage());
    g_assert_true(g_str_has_prefix(uri, "tcp:127.0.0.1:"));
    return uri;
}

/* A client that disappears after Begin (source) and Prepare
 * (destination): its migration jobs are cleaned up as failed
 * migrations: the source guest keeps running, the destination QEMU and
 * its domain are gone. */
static void
testClientGone(void)
{
    testCtx *ctx = testSetup();
    qemuDriver *dst = testSecondDriver(ctx, "dsthost");
    qemuMigrationConn conn = { .clientID = 4242, .localAddr = "127.0.0.1" };
    g_autofree char *uri = NULL;
    qemuDomainRef ref = { 0 }, ref2 = { 0 };

    testDefine(ctx, "guest.xml", &ref);
    g_assert_cmpint(qemuDomainCreate(ctx->driver, ref.uuid, 0), ==, 0);
    uri = testBeginPrepare(ctx, dst, ref.uuid, &conn);
    g_assert_cmpint(qemuDomainLookupByName(dst, "guest", &ref2), ==, 0);
    g_assert_cmpint(qemuDomainIsActive(dst, ref2.uuid), ==, 1);
    qemuDomainRefClear(&ref2);

    /* the client's connections close */
    qemuDriverClientClosed(ctx->driver, conn.clientID);
    qemuDriverClientClosed(dst, conn.clientID);

    testWaitDomainGone(dst, "guest");
    testWaitJobType(ctx->driver, ref.uuid, 0);
    testAssertState(ctx->driver, ref.uuid, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    /* and the domain takes other jobs again */
    g_assert_cmpint(qemuDomainSuspend(ctx->driver, ref.uuid), ==, 0);
    g_assert_cmpint(qemuDomainDestroy(ctx->driver, ref.uuid, 0), ==, 0);
    qemuDriverFree(dst);
    qemuDomainRefClear(&ref);
    testTeardown(ctx);
}

/* ---- recovery with a QEMU that really migrates ---------------------- */

/* The monitor of a QEMU whose daemon is down, driven by the test (QEMU
 * serves one monitor client: the driver must be closed meanwhile). */
typedef struct {
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
    qemuMonitor *mon;
} testQMP;

static gpointer
testQMPLoop(gpointer opaque)
{
    g_main_loop_run(opaque);
    return NULL;
}

static gboolean
testQMPQuit(gpointer opaque)
{
    g_main_loop_quit(opaque);
    return G_SOURCE_REMOVE;
}

static void
testQMPOpen(testQMP *q, const char *root, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.monitor", name);
    g_autofree char *path = g_build_filename(root, "run", file, NULL);

    q->ctx = g_main_context_new();
    q->loop = g_main_loop_new(q->ctx, FALSE);
    q->thread = g_thread_new("test-qmp", testQMPLoop, q->loop);
    if (!(q->mon = qemuMonitorOpen(path, EVENT_DEADLINE_S * 1000, q->ctx,
                                   NULL, NULL)))
        g_error("QMP %s: %s", path, virGetLastErrorMessage());
}

static void
testQMPClose(testQMP *q)
{
    qemuMonitorClose(g_steal_pointer(&q->mon));
    g_main_context_invoke(q->ctx, testQMPQuit, q->loop);
    g_thread_join(q->thread);
    g_main_loop_unref(q->loop);
    g_main_context_unref(q->ctx);
}

#define TEST_SLOW_BPS (1ULL << 20)     /* far below the guest's dirty rate */
#define TEST_FAST_BPS (1ULL << 30)

static void
testQMPSetBandwidth(testQMP *q, unsigned long long bps)
{
    g_autoptr(qemuMonitorMigrationParams) params = qemuMonitorMigrationParamsNew();

    g_assert_cmpint(qemuMonitorMigrationParamsSetULL(params,
                        QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH, bps), ==, 0);
    g_assert_cmpint(qemuMonitorJSONSetMigrationParams(q->mon, params), ==, 0);
}

/* Waits until QEMU's migration is @want (ACTIVE: with data sent). */
static void
testQMPWaitMigration(testQMP *q, qemuMonitorMigrationStatus want)
{
    gint64 deadline = g_get_monotonic_time() + SERIAL_DEADLINE_S * G_USEC_PER_SEC;

    for (;;) {
        g_auto(qemuMonitorMigrationStats) stats = { 0 };

        g_assert_cmpint(qemuMonitorJSONGetMigrationStats(q->mon, &stats), ==, 0);
        if (stats.status == want &&
            (want != QEMU_MONITOR_MIGRATION_STATUS_ACTIVE ||
             (stats.ramSet && stats.ram.transferred > 0)))
            return;
        g_assert_cmpint(stats.status, !=, QEMU_MONITOR_MIGRATION_STATUS_FAILED);
        g_assert_cmpint(stats.status, !=, QEMU_MONITOR_MIGRATION_STATUS_CANCELLED);
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(50 * 1000);
    }
}

/* Replaces @from (once) in the status file of @name under @root. */
static void
testStatusReplace(const char *root, const char *name, const char *from,
                  const char *to)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);
    g_autofree char *path = g_build_filename(root, "run", file, NULL);
    g_autofree char *data = NULL;
    g_autofree char *out = NULL;
    g_auto(GStrv) parts = NULL;

    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    parts = g_strsplit(data, from, -1);
    g_assert_cmpuint(g_strv_length(parts), ==, 2);
    out = g_strjoinv(to, parts);
    g_assert_true(g_file_set_contents(path, out, -1, NULL));
}

/* Whether the status file of @name under @root records an async job. */
static bool
testStatusHasJob(const char *root, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);
    g_autofree char *path = g_build_filename(root, "run", file, NULL);
    g_autofree char *data = NULL;

    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    return strstr(data, "<job async=") != NULL;
}

static void
testWaitStatusJobGone(const char *root, const char *name)
{
    gint64 deadline = g_get_monotonic_time() + EVENT_DEADLINE_S * G_USEC_PER_SEC;

    while (testStatusHasJob(root, name)) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(20 * 1000);
    }
}

static void
testDriverDestroyAll(qemuDriver *driver)
{
    qemuDomainRef *refs = NULL;
    int n, i;

    n = qemuConnectListAllDomains(driver, &refs, 1);
    for (i = 0; i < n; i++)
        ignore_value(qemuDomainDestroy(driver, refs[i].uuid, 0));
    qemuDomainRefListFree(refs, MAX(n, 0));
}

typedef struct {
    bool incoming;      /* the daemon that restarts is the destination's */
    const char *phase;  /* what its status file records */
    bool complete;      /* QEMU's migration completes (else stays active) */
    bool live;          /* else the source guest was paused for it */
    int state;          /* expected after the restart */
    int reason;
} migratingCase;

/* Source side: the daemon died in Perform3 while QEMU migrated; QEMU
 * went on (and maybe completed) without it. */
static void
testRecoverMigratingOut(testCtx *ctx, qemuDriver *dst, const migratingCase *c,
                        const unsigned char *uuid)
{
    testStatusReplace(ctx->root, "guest", "phase='begin3'", "phase='perform3'");
    if (!c->live)
        testStatusReplace(ctx->root, "guest", "state='running' reason='booted'",
                          "state='paused' reason='migration'");
    testDriverOpen(ctx);
    testAssertState(ctx->driver, uuid, c->state, c->reason);
    g_assert_cmpint(testJobType(ctx->driver, uuid), ==, 0);
    /* cancelled: the destination QEMU saw the stream break and is gone */
    if (!c->complete)
        testWaitDomainGone(dst, "guest");
}

/* Destination side: the daemon died in @c->phase while data came in. */
static qemuDriver *
testRecoverMigratingIn(testCtx *ctx, qemuDriver *dst, testQMP *src,
                       const migratingCase *c, const char *dstRoot)
{
    qemuDomainRef ref = { 0 };
    int passes = testSerialPasses(ctx);

    qemuDriverFree(dst);
    if (g_str_equal(c->phase, "finish3"))
        testStatusReplace(dstRoot, "guest", "phase='prepare'", "phase='finish3'");
    dst = testDriverNew(dstRoot, "127.0.0.1");
    g_assert_cmpint(qemuDomainLookupByName(dst, "guest", &ref), ==, 0);
    testAssertState(dst, ref.uuid, c->state, c->reason);
    if (c->complete) {
        /* the guest runs on the destination now */
        g_assert_cmpint(testJobType(dst, ref.uuid), ==, 0);
        testWaitPasses(ctx, passes + 1);
    } else {
        /* data still flows: waited for (the job is kept), not killed;
         * once the rest came in, both sides are left paused for the user */
        g_assert_true(testStatusHasJob(dstRoot, "guest"));
        testQMPSetBandwidth(src, TEST_FAST_BPS);
        testQMPWaitMigration(src, QEMU_MONITOR_MIGRATION_STATUS_COMPLETED);
        testWaitStatusJobGone(dstRoot, "guest");
        testAssertState(dst, ref.uuid, VIR_DOMAIN_PAUSED, c->reason);
        g_assert_cmpint(qemuDomainIsActive(dst, ref.uuid), ==, 1);
    }
    qemuDomainRefClear(&ref);
    return dst;
}

/* One row of the recovery table whose outcome depends on QEMU's own
 * migration state: the migration is real (Begin3 and Prepare3 through
 * the drivers, QEMU's migrate from the test while the source daemon is
 * down), only the phase a dying daemon had reached is written into its
 * status file; then that daemon restarts. */
static void
testRecoveryMigrating(gconstpointer opaque)
{
    const migratingCase *c = opaque;
    testCtx *ctx = testSetup();
    g_autofree char *dstRoot = g_build_filename(ctx->root, "dsthost", NULL);
    qemuDriver *dst = testDriverNew(dstRoot, "127.0.0.1");
    qemuMigrationConn conn = { .clientID = 4343, .localAddr = "127.0.0.1" };
    g_autofree char *uri = NULL;
    qemuDomainRef ref = { 0 };
    testQMP qmp = { 0 };

    testDefine(ctx, "guest.xml", &ref);
    g_assert_cmpint(qemuDomainCreate(ctx->driver, ref.uuid, 0), ==, 0);
    testWaitPasses(ctx, 1);
    uri = testBeginPrepare(ctx, dst, ref.uuid, &conn);

    testDriverClose(ctx);
    testQMPOpen(&qmp, ctx->root, "guest");
    testQMPSetBandwidth(&qmp, c->complete ? TEST_FAST_BPS : TEST_SLOW_BPS);
    if (!c->live)
        g_assert_cmpint(qemuMonitorJSONStopCPUs(qmp.mon), ==, 0);
    g_assert_cmpint(qemuMonitorJSONMigrate(qmp.mon, uri, 0), ==, 0);
    testQMPWaitMigration(&qmp, c->complete ? QEMU_MONITOR_MIGRATION_STATUS_COMPLETED :
                                             QEMU_MONITOR_MIGRATION_STATUS_ACTIVE);
    if (c->incoming) {
        dst = testRecoverMigratingIn(ctx, dst, &qmp, c, dstRoot);
        testQMPClose(&qmp);
        testDriverOpen(ctx);
    } else {
        testQMPClose(&qmp);
        testRecoverMigratingOut(ctx, dst, c, ref.uuid);
    }
    testDriverDestroyAll(dst);
    qemuDriverFree(dst);
    qemuDomainRefClear(&ref);
    testTeardown(ctx);
}

static const migratingCase migratingCases[] = {
    /* out, QEMU still migrating: cancel it, resume the guest it paused */
    { false, "perform3", false, false, VIR_DOMAIN_RUNNING,
      VIR_DOMAIN_RUNNING_MIGRATION_CANCELED },
    { false, "perform3", false, true, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED },
    /* out, QEMU completed: the guest may run on the destination */
    { false, "perform3", true, true, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION },
    /* in, QEMU completed in Finish3: resume here */
    { true, "finish3", true, true, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED },
    /* in, data still flowing in Prepare: wait for it, never kill */
    { true, "prepare", false, true, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION },
};

static const recoveryCase recoveryCases[] = {
    { "migration out", "begin3", false, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED, false },
    { "migration out", "perform3", true, VIR_DOMAIN_RUNNING,
      VIR_DOMAIN_RUNNING_MIGRATION_CANCELED, false },
    { "migration out", "perform3_done", true, VIR_DOMAIN_PAUSED,
      VIR_DOMAIN_PAUSED_MIGRATION, false },
    { "migration out", "confirm3_cancelled", true, VIR_DOMAIN_RUNNING,
      VIR_DOMAIN_RUNNING_MIGRATION_CANCELED, false },
    { "migration out", "confirm3", true, VIR_DOMAIN_SHUTOFF,
      VIR_DOMAIN_SHUTOFF_MIGRATED, false },
    { "migration out", "postcopy_failed", true, VIR_DOMAIN_PAUSED,
      VIR_DOMAIN_PAUSED_POSTCOPY_FAILED, true },
    { "migration in", "prepare", true, VIR_DOMAIN_NOSTATE, 0, false },
    { "migration in", "finish3", true, VIR_DOMAIN_NOSTATE, 0, false },
};

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    if (access("/usr/bin/qemu-system-x86_64", X_OK) < 0 ||
        !g_getenv("VIRTMIG_GUEST_IMAGE")) {
        g_print("1..0 # SKIP qemu-system-x86_64 or the guest image is missing\n");
        return 77;
    }
    g_test_add_func("/driver/lifecycle", testLifecycle);
    g_test_add_func("/driver/real-world-xml", testRealWorldXML);
    g_test_add_func("/driver/missing-disk", testMissingDisk);
    g_test_add_func("/driver/qemu-error", testQEMUError);
    g_test_add_func("/driver/crash", testCrash);
    g_test_add_func("/driver/restart", testRestart);
    g_test_add_func("/driver/transient", testTransient);
    g_test_add_func("/driver/vnc-password", testVNCPassword);
    g_test_add_func("/driver/client-gone", testClientGone);
    for (i = 0; i < G_N_ELEMENTS(recoveryCases); i++) {
        g_autofree char *name = g_strdup_printf("/driver/recovery/%s/%s",
                                                recoveryCases[i].async[10] == 'o' ?
                                                "out" : "in",
                                                recoveryCases[i].phase);
        g_test_add_data_func(name, &recoveryCases[i], testRecovery);
    }
    for (i = 0; i < G_N_ELEMENTS(migratingCases); i++) {
        const migratingCase *c = &migratingCases[i];
        g_autofree char *name = g_strdup_printf("/driver/recovery/%s/%s/qemu-%s%s",
                                                c->incoming ? "in" : "out", c->phase,
                                                c->complete ? "completed" : "active",
                                                c->live ? "" : "-paused");

        g_test_add_data_func(name, c, testRecoveryMigrating);
    }
    return g_test_run();
}
