/*
 * qemuxmlargvtest.c: domain XML -> QEMU command line
 *
 * Golden files: every qemuxmlargvdata/NAME.xml is parsed and turned into
 * an argv with fixed parameters (optionally changed by NAME.params, a
 * key file with a [params] group: kvm, incoming, monitor, emulator,
 * vnc-listen).  The argv, one argument per line, must equal NAME.args;
 * or, if NAME.err exists, building must fail with that "CODE: message".
 *
 * Live: the live-*.tmpl definitions (with @DIR@ for a scratch directory)
 * are started under the real qemu-system-x86_64 (KVM if usable, else
 * TCG) and checked over QMP, so the flags are real; then QEMU is told to
 * quit.  Skipped if the emulator is not installed.
 */
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include <json.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "testutils.h"
#include "virerror.h"
#include "domain_conf.h"
#include "qemu_command.h"

#define DATADIR "qemuxmlargvdata"
#define LIVE_DEADLINE_US (60 * G_USEC_PER_SEC)

/* ------------------------------------------------------------------ */
/* golden files                                                         */

typedef struct {
    char *monitor;
    char *emulator;
    char *vncListen;
    qemuCommandParams params;
} testParams;

static void
testParamsClear(testParams *tp)
{
    g_free(tp->monitor);
    g_free(tp->emulator);
    g_free(tp->vncListen);
}

static void
testParamsLoad(const char *name, testParams *tp)
{
    g_autofree char *rel = g_strdup_printf(DATADIR "/%s.params", name);
    g_autofree char *path = virTestSrcPath(rel);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) err = NULL;

    tp->monitor = g_strdup_printf("/run/virtmig/qemu/domain-%s/monitor.sock", name);
    tp->params.kvmUsable = true;
    if (g_file_test(path, G_FILE_TEST_EXISTS)) {
        if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err))
            g_error("%s: %s", path, err->message);
        if (g_key_file_has_key(kf, "params", "kvm", NULL))
            tp->params.kvmUsable = g_key_file_get_boolean(kf, "params", "kvm", NULL);
        tp->params.incoming = g_key_file_get_boolean(kf, "params", "incoming", NULL);
        if (g_key_file_has_key(kf, "params", "monitor", NULL)) {
            g_free(tp->monitor);
            tp->monitor = g_key_file_get_string(kf, "params", "monitor", NULL);
        }
        tp->emulator = g_key_file_get_string(kf, "params", "emulator", NULL);
        tp->vncListen = g_key_file_get_string(kf, "params", "vnc-listen", NULL);
    }
    tp->params.monitorPath = tp->monitor;
    tp->params.emulator = tp->emulator;
    tp->params.vncListen = tp->vncListen;
}

static char *
testArgvToString(GStrv argv)
{
    g_autofree char *joined = g_strjoinv("\n", argv);

    return g_strdup_printf("%s\n", joined);
}

static void
testGolden(gconstpointer data)
{
    const char *name = data;
    g_autofree char *inpath = g_strdup_printf(DATADIR "/%s.xml", name);
    g_autofree char *errrel = g_strdup_printf(DATADIR "/%s.err", name);
    g_autofree char *argsrel = g_strdup_printf(DATADIR "/%s.args", name);
    g_autofree char *errpath = virTestSrcPath(errrel);
    g_autofree char *xml = virTestLoadFile(inpath);
    g_autoptr(virDomainDef) def = NULL;
    g_auto(GStrv) argv = NULL;
    g_autofree char *actual = NULL;
    testParams tp = { 0 };

    testParamsLoad(name, &tp);
    if (!(def = virDomainDefParseString(xml, VIR_DOMAIN_DEF_PARSE_INACTIVE)))
        g_error("%s: %s", name, virGetLastErrorMessage());
    virResetLastError();
    argv = qemuBuildCommandLine(def, &tp.params);
    if (g_file_test(errpath, G_FILE_TEST_EXISTS)) {
        g_assert_null(argv);
        actual = g_strdup_printf("%d: %s\n", virGetLastErrorCode(),
                                 virGetLastErrorMessage());
        g_assert_true(virTestCompareToFile(actual, errrel));
    } else {
        if (!argv)
            g_error("%s: %s", name, virGetLastErrorMessage());
        actual = testArgvToString(argv);
        g_assert_true(virTestCompareToFile(actual, argsrel));
    }
    testParamsClear(&tp);
}

/* A name or a path cannot add options: commas are doubled, and the
 * argument count does not depend on the values. */
static void
testEscaping(void)
{
    g_autofree char *esc = qemuBuildEscapeOptValue("a,b,,c");
    g_autofree char *none = qemuBuildEscapeOptValue("plain");

    g_assert_cmpstr(esc, ==, "a,,b,,,,c");
    g_assert_cmpstr(none, ==, "plain");
}

/* Aliases follow the ids the command line gives the devices. */
static void
testAliases(void)
{
    g_autofree char *xml = virTestLoadFile(DATADIR "/q35-sata-scsi.xml");
    g_autoptr(virDomainDef) def = virDomainDefParseString(xml, 0);

    g_assert_nonnull(def);
    qemuAssignDeviceAliases(def);
    g_assert_cmpstr(def->disks[0]->info.alias, ==, "sata0-0-0");
    g_assert_cmpuint(def->disks[0]->srcIndex, ==, 1);
    /* the default SCSI model is lsilogic, as in libvirt: no target in the alias */
    g_assert_cmpstr(def->disks[2]->info.alias, ==, "scsi0-0-2");
    g_assert_cmpstr(def->disks[3]->info.alias, ==, "virtio-disk0");
    g_assert_cmpstr(def->nets[0]->info.alias, ==, "net0");
    g_assert_cmpstr(def->serials[0]->info.alias, ==, "serial0");
    g_assert_cmpstr(def->consoles[0]->info.alias, ==, "serial0");
}

/* ------------------------------------------------------------------ */
/* live: start the argv under QEMU and talk QMP to it                   */

typedef struct {
    GSocketConnection *conn;
    GDataInputStream *in;
    GOutputStream *out;
} testQMP;

static void
testQMPClose(testQMP *qmp)
{
    g_clear_object(&qmp->in);
    g_clear_object(&qmp->conn);
}

/* Next non-event message, parsed; caller puts it. */
static json_object *
testQMPRead(testQMP *qmp)
{
    for (;;) {
        g_autoptr(GError) err = NULL;
        g_autofree char *line = g_data_input_stream_read_line_utf8(qmp->in, NULL,
                                                                    NULL, &err);
        json_object *obj;

        if (!line)
            g_error("QMP read failed: %s", err ? err->message : "EOF");
        if (!(obj = json_tokener_parse(line)))
            g_error("QMP sent invalid JSON: %s", line);
        if (!json_object_object_get_ex(obj, "event", NULL))
            return obj;
        json_object_put(obj);
    }
}

/* Runs @cmd with @args (taken over; NULL: none) and returns its
 * "return" value (caller puts); aborts on an error reply. */
static json_object *
testQMPCommandArgs(testQMP *qmp, const char *cmd, json_object *args)
{
    g_autoptr(GError) err = NULL;
    json_object *req = json_object_new_object();
    g_autofree char *msg = NULL;
    json_object *reply;
    json_object *ret = NULL;

    json_object_object_add(req, "execute", json_object_new_string(cmd));
    if (args)
        json_object_object_add(req, "arguments", args);
    msg = g_strdup_printf("%s\r\n", json_object_to_json_string(req));
    json_object_put(req);
    if (!g_output_stream_write_all(qmp->out, msg, strlen(msg), NULL, NULL, &err))
        g_error("QMP write failed: %s", err->message);
    reply = testQMPRead(qmp);
    if (!json_object_object_get_ex(reply, "return", &ret))
        g_error("QMP %s failed: %s", cmd, json_object_to_json_string(reply));
    json_object_get(ret);
    json_object_put(reply);
    return ret;
}

static json_object *
testQMPCommand(testQMP *qmp, const char *cmd)
{
    return testQMPCommandArgs(qmp, cmd, NULL);
}

static bool
testQMPConnect(testQMP *qmp, const char *path)
{
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
    json_object *greeting;

    g_socket_client_set_timeout(client, 30);
    if (!(qmp->conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr),
                                              NULL, NULL)))
        return false;
    qmp->in = g_data_input_stream_new(
        g_io_stream_get_input_stream(G_IO_STREAM(qmp->conn)));
    g_data_input_stream_set_newline_type(qmp->in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
    qmp->out = g_io_stream_get_output_stream(G_IO_STREAM(qmp->conn));
    greeting = testQMPRead(qmp);
    g_assert_true(json_object_object_get_ex(greeting, "QMP", NULL));
    json_object_put(greeting);
    json_object_put(testQMPCommand(qmp, "qmp_capabilities"));
    return true;
}

static bool
testProcessExited(GPid pid, int *status)
{
    return waitpid(pid, status, WNOHANG) == pid;
}

/* Polls (with a deadline, never a fixed sleep) until QEMU's monitor
 * accepts a connection or QEMU exits. */
static bool
testWaitForMonitor(GPid pid, const char *path, testQMP *qmp, int *status)
{
    gint64 deadline = g_get_monotonic_time() + LIVE_DEADLINE_US;

    while (g_get_monotonic_time() < deadline) {
        if (testProcessExited(pid, status))
            return false;
        if (g_file_test(path, G_FILE_TEST_EXISTS) && testQMPConnect(qmp, path))
            return true;
        g_usleep(20 * 1000);
    }
    return false;
}

static int
testWaitExit(GPid pid)
{
    gint64 deadline = g_get_monotonic_time() + LIVE_DEADLINE_US;
    int status = 0;

    while (!testProcessExited(pid, &status)) {
        if (g_get_monotonic_time() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        g_usleep(20 * 1000);
    }
    return status;
}

/* In the child: QEMU dies with the test, even if an assertion aborts
 * the test before it could tell QEMU to quit. */
static void
testChildSetup(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static GPid
testSpawn(GStrv argv, const char *logpath)
{
    g_autoptr(GError) err = NULL;
    int logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    GPid pid = 0;

    g_assert_cmpint(logfd, >=, 0);
    if (!g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)argv, NULL,
                                          G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH |
                                          G_SPAWN_STDIN_FROM_DEV_NULL,
                                          testChildSetup, NULL, -1, logfd, logfd,
                                          NULL, NULL, 0, &pid, NULL, NULL,
                                          NULL, &err))
        g_error("cannot start %s: %s", argv[0], err->message);
    close(logfd);
    return pid;
}

static void
testMakeImage(const char *dir, const char *name, const char *format)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) err = NULL;
    const char *argv[] = { "qemu-img", "create", "-q", "-f", format, path,
                           "16M", NULL };
    int status;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
                      G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                      &status, &err) || !g_spawn_check_wait_status(status, &err))
        g_error("qemu-img create %s: %s", path, err->message);
}

/* The definition of @tmpl with @dir substituted; TCG if KVM is not
 * usable here. */
static virDomainDef *
testLoadLiveDef(const char *tmpl, const char *dir, bool kvm)
{
    g_autofree char *rel = g_strdup_printf(DATADIR "/%s", tmpl);
    g_autofree char *text = virTestLoadFile(rel);
    g_autoptr(GString) xml = g_string_new(text);
    virDomainDef *def;

    g_string_replace(xml, "@DIR@", dir, 0);
    if (!(def = virDomainDefParseString(xml->str, VIR_DOMAIN_DEF_PARSE_INACTIVE)))
        g_error("%s: %s", tmpl, virGetLastErrorMessage());
    if (!kvm)
        def->virtType = VIR_DOMAIN_VIRT_QEMU;
    return def;
}

/* The image file names QEMU has open, from query-block. */
static GHashTable *
testLiveImages(json_object *blocks)
{
    GHashTable *files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    size_t i;

    for (i = 0; i < json_object_array_length(blocks); i++) {
        json_object *blk = json_object_array_get_idx(blocks, i);
        json_object *inserted = NULL;
        json_object *image = NULL;
        json_object *file = NULL;

        if (!json_object_object_get_ex(blk, "inserted", &inserted))
            continue;
        g_assert_true(json_object_object_get_ex(inserted, "image", &image));
        g_assert_true(json_object_object_get_ex(image, "filename", &file));
        g_hash_table_add(files, g_strdup(json_object_get_string(file)));
    }
    return files;
}

/* Every "-device ...,id=X" of @argv is a device QEMU has: listed under
 * /machine/peripheral as "X" (a companion without id has none). */
static void
testLiveCheckDevices(testQMP *qmp, GStrv argv)
{
    json_object *args = json_object_new_object();
    json_object *list;
    g_autoptr(GHashTable) have = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                       g_free, NULL);
    size_t ndev = 0;
    size_t i;

    json_object_object_add(args, "path", json_object_new_string("/machine/peripheral"));
    list = testQMPCommandArgs(qmp, "qom-list", args);
    for (i = 0; i < json_object_array_length(list); i++) {
        json_object *prop = json_object_array_get_idx(list, i);
        json_object *pname = NULL;

        if (json_object_object_get_ex(prop, "name", &pname))
            g_hash_table_add(have, g_strdup(json_object_get_string(pname)));
    }
    for (i = 0; argv[i] && argv[i + 1]; i++) {
        g_auto(GStrv) opts = NULL;
        size_t j;

        if (!g_str_equal(argv[i], "-device"))
            continue;
        opts = g_strsplit(argv[i + 1], ",", -1);
        for (j = 1; opts[j]; j++) {
            if (!g_str_has_prefix(opts[j], "id="))
                continue;
            ndev++;
            if (!g_hash_table_contains(have, opts[j] + 3))
                g_error("QEMU has no device '%s' (%s)", opts[j] + 3, opts[0]);
        }
    }
    g_test_message("%zu devices checked", ndev);
    json_object_put(list);
}

/* What QEMU reports must be what the definition asked for. */
static void
testLiveCheck(testQMP *qmp, const virDomainDef *def, bool incoming,
              GStrv argv)
{
    json_object *name = testQMPCommand(qmp, "query-name");
    json_object *status = testQMPCommand(qmp, "query-status");
    json_object *blocks = testQMPCommand(qmp, "query-block");
    g_autoptr(GHashTable) files = testLiveImages(blocks);
    json_object *val = NULL;
    size_t nmedia = 0;
    size_t i;

    g_assert_true(json_object_object_get_ex(name, "name", &val));
    g_assert_cmpstr(json_object_get_string(val), ==, def->name);
    g_assert_true(json_object_object_get_ex(status, "status", &val));
    g_assert_cmpstr(json_object_get_string(val), ==,
                    incoming ? "inmigrate" : "prelaunch");
    for (i = 0; i < def->ndisks; i++) {
        if (!def->disks[i]->src)
            continue;
        nmedia++;
        if (!g_hash_table_contains(files, def->disks[i]->src))
            g_error("QEMU does not have %s open", def->disks[i]->src);
    }
    g_assert_cmpuint(nmedia, >, 0);
    g_assert_cmpuint(g_hash_table_size(files), ==, nmedia);
    testLiveCheckDevices(qmp, argv);
    json_object_put(name);
    json_object_put(status);
    json_object_put(blocks);
}

static void
testRemoveTree(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *ent;

    while (d && (ent = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, ent, NULL);

        if (g_file_test(path, G_FILE_TEST_IS_DIR))
            testRemoveTree(path);
        else
            g_unlink(path);
    }
    g_rmdir(dir);
}

static void
testLive(gconstpointer data)
{
    const char *tmpl = data;
    g_autofree char *emulator = g_find_program_in_path(QEMU_COMMAND_DEFAULT_EMULATOR);
    bool kvm = access("/dev/kvm", R_OK | W_OK) == 0;
    bool incoming = g_str_has_suffix(tmpl, "-incoming.tmpl");
    g_autofree char *dir = NULL;
    g_autofree char *monitor = NULL;
    g_autofree char *log = NULL;
    g_autoptr(virDomainDef) def = NULL;
    g_auto(GStrv) argv = NULL;
    g_autofree char *cmdline = NULL;
    qemuCommandParams params = { .kvmUsable = kvm, .incoming = incoming };
    g_autofree char *channels = NULL;
    testQMP qmp = { 0 };
    int status = 0;
    GPid pid;

    if (!emulator) {
        g_test_skip("qemu-system-x86_64 is not installed");
        return;
    }
    dir = g_dir_make_tmp("qemuxmlargv-XXXXXX", NULL);
    g_assert_nonnull(dir);
    monitor = g_build_filename(dir, "monitor.sock", NULL);
    log = g_build_filename(dir, "qemu.log", NULL);
    params.monitorPath = monitor;
    channels = g_build_filename(dir, "channel", NULL);
    g_assert_cmpint(g_mkdir(channels, 0700), ==, 0);
    params.channelDir = channels;
    testMakeImage(dir, "disk0.qcow2", "qcow2");
    testMakeImage(dir, "disk,1.img", "raw");
    def = testLoadLiveDef(tmpl, dir, kvm);
    argv = qemuBuildCommandLine(def, &params);
    g_assert_nonnull(argv);
    cmdline = g_strjoinv(" ", argv);
    g_test_message("starting: %s", cmdline);
    pid = testSpawn(argv, log);
    if (!testWaitForMonitor(pid, monitor, &qmp, &status)) {
        g_autofree char *out = NULL;

        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        g_file_get_contents(log, &out, NULL, NULL);
        g_error("QEMU did not come up (status %d): %s", status, out);
    }
    testLiveCheck(&qmp, def, incoming, argv);
    json_object_put(testQMPCommand(&qmp, "quit"));
    testQMPClose(&qmp);
    g_assert_cmpint(testWaitExit(pid), ==, 0);
    testRemoveTree(dir);
}

/* ------------------------------------------------------------------ */

static void
testAddGolden(size_t *nargs, size_t *nerr)
{
    g_auto(GStrv) files = virTestListFiles(DATADIR, ".xml");
    size_t i;

    for (i = 0; files[i]; i++) {
        char *name = g_strndup(files[i], strlen(files[i]) - 4);
        g_autofree char *errrel = g_strdup_printf(DATADIR "/%s.err", name);
        g_autofree char *errpath = virTestSrcPath(errrel);
        g_autofree char *testname = g_strdup_printf("/qemuxmlargv/%s", name);

        if (g_file_test(errpath, G_FILE_TEST_EXISTS))
            (*nerr)++;
        else
            (*nargs)++;
        g_test_add_data_func_full(testname, name, testGolden, g_free);
    }
}

int
main(int argc, char **argv)
{
    g_auto(GStrv) live = NULL;
    size_t nargs = 0;
    size_t nerr = 0;
    size_t i;

    g_test_init(&argc, &argv, NULL);
    testAddGolden(&nargs, &nerr);
    g_assert_cmpuint(nargs, >=, 12);
    g_assert_cmpuint(nerr, >=, 1);
    g_test_add_func("/qemuxmlargv/escaping", testEscaping);
    g_test_add_func("/qemuxmlargv/aliases", testAliases);
    live = virTestListFiles(DATADIR, ".tmpl");
    g_assert_cmpuint(g_strv_length(live), >=, 2);
    for (i = 0; live[i]; i++) {
        g_autofree char *testname = g_strdup_printf("/qemuxmlargv/live/%s", live[i]);

        g_test_add_data_func(testname, live[i], testLive);
    }
    return g_test_run();
}
