/*
 * virtmigd.c: the virtmig daemon: command line, start-up and main loop
 */
#include <locale.h>
#include <stdio.h>
#include <unistd.h>
#include <glib-unix.h>

#include "virtmigd_peer.h"
#include "virtmigd_config.h"
#include "virtmigd_listen.h"
#include "qemu_driver.h"
#include "remote_server.h"
#include "storage_driver.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_NONE

VIR_LOG_INIT("daemon.virtmigd");

typedef struct {
    char *root;
    char *configFile;
    GStrv listenTcp;
    GStrv listenTls;
    gboolean verbose;
    gboolean version;
    gboolean dumpConfigKeys;
} virtmigdArgs;

/* Everything the running daemon owns; lives on main()'s stack. */
typedef struct {
    virtmigdPaths *paths;
    virtmigdConfig *config;
    GMainLoop *loop;
    qemuDriver *driver;
    storageDriver *storage;
    remoteServer *server;
    virNetSASLContext *sasl;      /* libsasl2, if a listener asks for SASL */
    int pidFd;
    unsigned char hostUUID[VIR_UUID_BUFLEN];
} virtmigdDaemon;

static gboolean
virtmigdHandleSignal(gpointer opaque)
{
    virtmigdDaemon *d = opaque;

    VIR_INFO("shutdown requested by signal");
    g_main_loop_quit(d->loop);
    return G_SOURCE_CONTINUE;
}

static int
virtmigdParseArgs(int *argc, char ***argv, virtmigdArgs *args)
{
    GOptionEntry entries[] = {
        { "root", 0, 0, G_OPTION_ARG_FILENAME, &args->root,
          N_("relocate every path the daemon uses under DIR"), "DIR" },
        { "config", 'f', 0, G_OPTION_ARG_FILENAME, &args->configFile,
          N_("configuration file (default ROOT/etc/virtmig/virtmigd.conf)"),
          "FILE" },
        { "listen-tcp", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->listenTcp,
          N_("listen for TCP clients on ADDR[:PORT] (repeatable)"),
          "ADDR[:PORT]" },
        { "listen-tls", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->listenTls,
          N_("listen for TLS clients on ADDR[:PORT] (port 16514 by default; repeatable)"),
          "ADDR[:PORT]" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &args->verbose,
          N_("log informational messages to stderr"), NULL },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &args->version,
          N_("print the version and exit"), NULL },
        { "dump-config-keys", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE,
          &args->dumpConfigKeys, "print every configuration key and exit",
          NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(GError) gerr = NULL;

    g_option_context_set_summary(ctx,
        _("virtmigd: a libvirt-compatible QEMU driver daemon for live migration"));
    g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, argc, argv, &gerr)) {
        fprintf(stderr, "virtmigd: %s\n", gerr->message);
        return -1;
    }
    if (*argc > 1) {
        fprintf(stderr, _("virtmigd: unexpected argument '%s'\n"), (*argv)[1]);
        return -1;
    }
    return 0;
}

/* Hidden --dump-config-keys: the key table, one per line, for the test
 * that checks virtmigd.conf(5) against it. */
static void
virtmigdDumpConfigKeys(void)
{
    const char *const *keys = virtmigdConfigKnownKeys();
    size_t i;

    for (i = 0; keys[i]; i++)
        printf("%s\n", keys[i]);
}

/* --listen-tcp / --listen-tls replace the config's list. */
static int
virtmigdOverrideListen(GStrv specs, unsigned int defport, GStrv *list)
{
    if (!specs || !specs[0])
        return 0;
    if (virtmigdCheckListenList((const char *const *)specs, defport) < 0)
        return -1;
    g_strfreev(*list);
    *list = g_strdupv(specs);
    return 0;
}

static int
virtmigdLoadConfig(virtmigdDaemon *d, const virtmigdArgs *args)
{
    const char *path = args->configFile ? args->configFile
                                        : d->paths->configFile;

    if (args->configFile || virFileExists(path)) {
        if (virtmigdConfigLoadFile(d->config, path) < 0)
            return -1;
    }
    if (virtmigdOverrideListen(args->listenTcp, VIRTMIGD_DEFAULT_TCP_PORT,
                               &d->config->listenTcp) < 0 ||
        virtmigdOverrideListen(args->listenTls, VIRTMIGD_DEFAULT_TLS_PORT,
                               &d->config->listenTls) < 0)
        return -1;
    if (args->verbose && d->config->logLevel > VIR_LOG_INFO)
        d->config->logLevel = VIR_LOG_INFO;
    return virLogSetup(d->config->logLevel, d->config->logFilters,
                       d->config->logOutputs);
}

/* The host UUID: from the config, else generated once and kept under
 * ROOT/var/lib so that each "host" root has its own stable identity. */
static int
virtmigdLoadHostUUID(virtmigdDaemon *d)
{
    g_autofree char *path = g_build_filename(d->paths->libDir, "host-uuid", NULL);
    g_autofree char *data = NULL;
    char str[VIR_UUID_STRING_BUFLEN];

    if (d->config->hostUUIDSet) {
        memcpy(d->hostUUID, d->config->hostUUID, VIR_UUID_BUFLEN);
        return 0;
    }
    if (virFileExists(path)) {
        if (virFileReadAll(path, 1024, &data) < 0)
            return -1;
        if (virUUIDParse(g_strstrip(data), d->hostUUID) == 0)
            return 0;
        VIR_WARN("ignoring malformed host UUID in %s", path);
    }
    if (virUUIDGenerate(d->hostUUID) < 0)
        return -1;
    virUUIDFormat(d->hostUUID, str);
    data = g_strdup_printf("%s\n", str);
    return virFileWriteAtomic(path, data, strlen(data), 0644);
}

/* Unlinks and unlocks the pid file: from here on another daemon may
 * take this root (libvirt's virPidFileReleasePath order). */
static void
virtmigdReleasePidFile(virtmigdDaemon *d)
{
    if (d->pidFd < 0)
        return;
    unlink(d->paths->pidFile);
    close(d->pidFd);
    d->pidFd = -1;
}

static void
virtmigdCleanup(virtmigdDaemon *d)
{
    /* clients first: their calls may still use the driver */
    if (d->driver)
        qemuDriverShutdownBegin(d->driver);
    g_clear_pointer(&d->server, remoteServerFree);
    g_clear_pointer(&d->sasl, virNetSASLContextFree);
    g_clear_pointer(&d->storage, storageDriverFree);
    g_clear_pointer(&d->driver, qemuDriverFree);
    /* Last: until now calls were draining, QEMU monitors were open (QEMU
     * serves one monitor client) and status files were written.  A
     * daemon started on this root before this point is refused. */
    virtmigdReleasePidFile(d);
    g_clear_pointer(&d->loop, g_main_loop_unref);
    g_clear_pointer(&d->config, virtmigdConfigFree);
    g_clear_pointer(&d->paths, virtmigdPathsFree);
}

static int
virtmigdStartDriver(virtmigdDaemon *d)
{
    qemuDriverConfig cfg = {
        .domainConfigDir = d->paths->domainConfigDir,
        .stateDir = d->paths->stateDir,
        .logDir = d->paths->logDir,
        .libDir = d->paths->libDir,
        .migrationAddress = d->config->migrationAddress,
        .migrationPortMin = d->config->migrationPortMin,
        .migrationPortMax = d->config->migrationPortMax,
        .jobWaitTimeoutMs = d->config->jobWaitTimeout * 1000,
        .postcopyPreempt = d->config->postcopyPreempt,
        .migrateTLSx509CertDir = d->config->migrateTLSx509CertDir ?
                                 d->config->migrateTLSx509CertDir :
                                 d->paths->migrateTLSDir,
        .migrateTLSx509Verify = d->config->migrateTLSx509Verify,
        .migrateTLSForce = d->config->migrateTLSForce,
        .peerOps = virtmigdPeerOps(),
        .peerOpaque = d->paths,
    };

    memcpy(cfg.hostUUID, d->hostUUID, VIR_UUID_BUFLEN);
    d->driver = qemuDriverNew(&cfg);
    return d->driver ? 0 : -1;
}

/* Its definitions and state live under the root; pool paths are host
 * paths (storage_driver.h). */
static int
virtmigdStartStorage(virtmigdDaemon *d)
{
    storageDriverConfig cfg = {
        .configDir = d->paths->storageConfigDir,
        .autostartDir = d->paths->storageAutostartDir,
        .stateDir = d->paths->storageStateDir,
    };

    d->storage = storageDriverNew(&cfg);
    return d->storage ? 0 : -1;
}

/* libsasl2 for the process (sasl_server_init is process-global: here,
 * once, before any client), only if a listener asks for SASL, as
 * libvirtd does.  Its configuration is ROOT/etc/sasl2/virtmigd.conf:
 * without it nobody could authenticate (or libsasl2 would fall back to
 * the system's /etc/sasldb2), so unlike libvirtd the daemon does not
 * start -- e.g. `--listen-tcp 0.0.0.0` on a fresh root, whose auth_tcp
 * is "sasl", is refused with a message saying what to set up. */
static int
virtmigdStartSASL(virtmigdDaemon *d)
{
    g_autofree char *conf = NULL;

    if (!virtmigdListenUsesSASL(d->config))
        return 0;
    conf = g_build_filename(d->paths->saslConfDir, VIR_NET_SASL_APPNAME ".conf",
                            NULL);
    if (!virFileExists(conf)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("a listener asks for SASL (auth_tcp, auth_tls or auth_unix_*) but its configuration %1$s does not exist, so nobody could authenticate: set SASL up (docs/security.md), use listen_tls, or listen on loopback only"),
                       conf);
        return -1;
    }
    if (!(d->sasl = virNetSASLContextNewServer(
              d->paths->saslConfDir,
              (const char *const *)d->config->saslAllowedUsernameList)))
        return -1;
    remoteServerSetSASL(d->server, d->sasl);
    return 0;
}

static int
virtmigdStartServer(virtmigdDaemon *d)
{
    const virtmigdConfig *c = d->config;
    remoteServerConfig rc = {
        .maxClients = c->maxClients,
        .maxAnonymousClients = c->maxAnonymousClients,
        .anonymousTimeout = c->anonymousClientTimeout,
        .maxWorkers = c->maxWorkers,
        .prioWorkers = c->prioWorkers,
        .maxMessageSize = c->maxMessageSize,
        .keepaliveInterval = c->keepaliveInterval,
        .keepaliveCount = c->keepaliveCount,
    };

    if (!(d->server = remoteServerNew(d->driver, &rc,
                                      g_main_loop_get_context(d->loop))) ||
        virtmigdStartSASL(d) < 0)
        return -1;
    remoteServerSetStorage(d->server, d->storage);
    return virtmigdListen(d->server, d->paths, c);
}

static int
virtmigdRun(virtmigdDaemon *d)
{
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    d->loop = g_main_loop_new(NULL, FALSE);
    if (virtmigdStartDriver(d) < 0 || virtmigdStartStorage(d) < 0 ||
        virtmigdStartServer(d) < 0)
        return -1;
    g_unix_signal_add(SIGTERM, virtmigdHandleSignal, d);
    g_unix_signal_add(SIGINT, virtmigdHandleSignal, d);

    VIR_INFO("virtmigd %s started on root %s, host UUID %s",
             PACKAGE_VERSION, d->paths->root,
             virUUIDFormat(d->hostUUID, uuidstr));
    g_main_loop_run(d->loop);
    VIR_INFO("virtmigd stopping");
    return 0;
}

int
main(int argc, char **argv)
{
    virtmigdArgs args = { 0 };
    virtmigdDaemon d = { .pidFd = -1 };
    int ret = EXIT_FAILURE;

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    textdomain(GETTEXT_PACKAGE);

    if (virtmigdParseArgs(&argc, &argv, &args) < 0)
        goto cleanup;
    if (args.version) {
        printf("virtmigd %s\n", PACKAGE_VERSION);
        ret = EXIT_SUCCESS;
        goto cleanup;
    }
    if (args.dumpConfigKeys) {
        virtmigdDumpConfigKeys();
        ret = EXIT_SUCCESS;
        goto cleanup;
    }

    d.paths = virtmigdPathsNew(args.root);
    d.config = virtmigdConfigNew();
    if (virtmigdLoadConfig(&d, &args) < 0 ||
        virtmigdPathsCreate(d.paths) < 0 ||
        (d.pidFd = virPidFileAcquire(d.paths->pidFile, getpid())) < 0 ||
        virtmigdLoadHostUUID(&d) < 0) {
        fprintf(stderr, "virtmigd: %s\n", virGetLastErrorMessage());
        goto cleanup;
    }
    if (virtmigdRun(&d) == 0)
        ret = EXIT_SUCCESS;
    else
        fprintf(stderr, "virtmigd: %s\n", virGetLastErrorMessage());

 cleanup:
    virtmigdCleanup(&d);
    g_free(args.root);
    g_free(args.configFile);
    g_strfreev(args.listenTcp);
    g_strfreev(args.listenTls);
    return ret;
}
