/*
 * rpcfakeserver.c: the remote server over the fake driver, for tests
 * driving the stock virsh and python3-libvirt (tests/rpcvirshtest.py)
 *
 *   rpcfakeserver --dir DIR [--listen-tcp ADDR:PORT] [--capabilities FILE]
 *
 * Listens on DIR/virtmigd-sock (read-write) and DIR/virtmigd-sock-ro
 * (read-only), prints "ready" on stdout once listening and serves until
 * SIGTERM / SIGINT.
 */
#include <stdio.h>
#include <glib-unix.h>

#include "testutils.h"
#include "virerror.h"
#include "remote_server.h"
#include "rpcfakedriver.h"

typedef struct {
    char *dir;
    char *tcp;
    char *capabilities;
} rpcFakeServerArgs;

static gboolean
rpcFakeServerQuit(gpointer opaque)
{
    g_main_loop_quit(opaque);
    return G_SOURCE_CONTINUE;
}

static int
rpcFakeServerParseArgs(int *argc, char ***argv, rpcFakeServerArgs *args)
{
    GOptionEntry entries[] = {
        { "dir", 0, 0, G_OPTION_ARG_FILENAME, &args->dir, "socket directory", "DIR" },
        { "listen-tcp", 0, 0, G_OPTION_ARG_STRING, &args->tcp, "TCP listener", "ADDR:PORT" },
        { "capabilities", 0, 0, G_OPTION_ARG_FILENAME, &args->capabilities,
          "capabilities XML file", "FILE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(GError) err = NULL;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, argc, argv, &err) || !args->dir) {
        fprintf(stderr, "rpcfakeserver: %s\n", err ? err->message : "--dir is required");
        return -1;
    }
    return 0;
}

static int
rpcFakeServerListen(remoteServer *srv, const rpcFakeServerArgs *args)
{
    g_autofree char *rw = g_build_filename(args->dir, "virtmigd-sock", NULL);
    g_autofree char *ro = g_build_filename(args->dir, "virtmigd-sock-ro", NULL);
    g_auto(GStrv) tcp = NULL;
    unsigned int port = 16509;

    if (remoteServerAddUnixSocket(srv, rw, 0600, false, VIR_NET_SERVER_AUTH_NONE) < 0 ||
        remoteServerAddUnixSocket(srv, ro, 0666, true, VIR_NET_SERVER_AUTH_NONE) < 0)
        return -1;
    if (!args->tcp)
        return 0;
    tcp = g_strsplit(args->tcp, ":", 2);
    if (tcp[1])
        port = g_ascii_strtoull(tcp[1], NULL, 10);
    return remoteServerAddTCP(srv, tcp[0], port, VIR_NET_SERVER_AUTH_NONE);
}

int
main(int argc, char **argv)
{
    rpcFakeServerArgs args = { 0 };
    remoteServerConfig cfg = {
        .maxClients = 5000, .maxAnonymousClients = 20, .anonymousTimeout = 30,
        .maxWorkers = 20, .prioWorkers = 5,
        .maxMessageSize = 32 * 1024 * 1024,
        .keepaliveInterval = 5, .keepaliveCount = 5,
    };
    g_autofree char *caps = NULL;
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    g_autoptr(qemuDriver) driver = NULL;
    remoteServer *srv;
    int ret = 1;

    if (rpcFakeServerParseArgs(&argc, &argv, &args) < 0)
        return 2;
    if (args.capabilities &&
        !g_file_get_contents(args.capabilities, &caps, NULL, NULL)) {
        fprintf(stderr, "rpcfakeserver: cannot read %s\n", args.capabilities);
        return 2;
    }
    driver = rpcFakeDriverNew(caps ? caps : "<capabilities/>\n");
    if (!(srv = remoteServerNew(driver, &cfg, g_main_context_default())) ||
        rpcFakeServerListen(srv, &args) < 0) {
        fprintf(stderr, "rpcfakeserver: %s\n", virGetLastErrorMessage());
        goto cleanup;
    }
    g_unix_signal_add(SIGTERM, rpcFakeServerQuit, loop);
    g_unix_signal_add(SIGINT, rpcFakeServerQuit, loop);
    printf("ready\n");
    fflush(stdout);
    g_main_loop_run(loop);
    ret = 0;

 cleanup:
    remoteServerFree(srv);
    g_free(args.dir);
    g_free(args.tcp);
    g_free(args.capabilities);
    return ret;
}
