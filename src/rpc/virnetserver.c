/*
 * virnetserver.c: the RPC server: listeners, clients, workers
 *
 * Threads: accepting and routing happen in the main-loop thread (the
 * one running srv->ctx); calls run in the worker pools; srv->lock
 * protects the client table and the job counter.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "virnetserver.h"
#include "virerror.h"
#include "virlog.h"
#include "virsocket.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.netserver");

typedef struct {
    virNetServer *srv;
    GSocket *sock;
    GSource *source;
    char *unixPath;       /* removed when the listener goes */
    bool readonly;
    virNetTLSContext *tls;  /* NULL: plain */
    virNetServerAuth auth;  /* what its clients must pass */
} virNetServerListener;

struct _virNetServer {
    GMainContext *ctx;
    virNetServerConfig cfg;
    virNetServerClientLimits limits;
    GPtrArray *listeners;         /* virNetServerListener */
    GPtrArray *programs;          /* virNetServerProgram, not owned */
    GThreadPool *workers;
    GThreadPool *prioWorkers;     /* NULL: everything on workers */
    virNetServerClientInitFunc clientInit;
    void *clientInitOpaque;
    bool quit;                    /* set by Free: drop queued calls */
    bool accepting;               /* main thread: listeners watched */

    GMutex lock;
    GHashTable *clients;          /* id -> virNetServerClient (ref) */
    guint64 lastClientID;
    GHashTable *anonymous;        /* IDs of the clients that have not
                                   * opened (not owned: keys of @clients) */
    unsigned int jobs;            /* queued + running calls */
};

typedef struct {
    virNetServer *srv;
    virNetServerClient *client;
    virNetServerProgram *prog;
    const virNetServerProc *proc;
    virNetMessage *msg;
} virNetServerJob;

static void
virNetServerJobFree(virNetServerJob *job)
{
    virNetServerClientUnref(job->client);
    virNetMessageFree(job->msg);
    g_free(job);
}

/* ---- workers --------------------------------------------------------- */

static void
virNetServerJobDone(virNetServer *srv)
{
    g_mutex_lock(&srv->lock);
    if (--srv->jobs == 0 && srv->quit)
        g_main_context_wakeup(srv->ctx);
    g_mutex_unlock(&srv->lock);
}

static void
virNetServerWorker(gpointer data, gpointer opaque)
{
    virNetServerJob *job = data;
    virNetServer *srv = opaque;

    if (!srv->quit && !virNetServerClientIsClosed(job->client)) {
        g_autoptr(GBytes) packet = virNetServerProgramRun(job->prog, job->client,
                                                          job->msg, job->proc,
                                                          srv->limits.maxLength);

        if (packet)
            virNetServerClientSendMessage(job->client, packet);
    }
    virNetServerClientRequestDone(job->client);
    virNetServerJobFree(job);
    virNetServerJobDone(srv);
}

static void
virNetServerQueueJob(virNetServer *srv, virNetServerJob *job)
{
    GThreadPool *pool = srv->workers;
    g_autoptr(GError) err = NULL;

    if (job->proc->highPriority && srv->prioWorkers)
        pool = srv->prioWorkers;
    g_mutex_lock(&srv->lock);
    srv->jobs++;
    g_mutex_unlock(&srv->lock);
    if (!g_thread_pool_push(pool, job, &err)) {
        /* GLib only fails if it cannot create a first thread */
        VIR_ERROR("cannot queue call %s: %s", job->proc->name, err->message);
        virNetServerClientClose(job->client);
        virNetServerClientRequestDone(job->client);
        virNetServerJobFree(job);
        virNetServerJobDone(srv);
    }
}

/* ---- routing (main thread) ------------------------------------------- */

static virNetServerProgram *
virNetServerFindProgram(virNetServer *srv, const virNetMessageHeader *header)
{
    guint i;

    for (i = 0; i < srv->programs->len; i++) {
        virNetServerProgram *prog = g_ptr_array_index(srv->programs, i);

        if (virNetServerProgramGetID(prog) == header->prog &&
            virNetServerProgramGetVersion(prog) == header->vers)
            return prog;
    }
    return NULL;
}

static void
virNetServerSendError(virNetServer *srv, virNetServerClient *client,
                      const virNetMessageHeader *header)
{
    g_autoptr(GBytes) packet = virNetServerProgramErrorReply(header,
                                                             srv->limits.maxLength);

    VIR_DEBUG("client %" G_GUINT64_FORMAT ": refusing prog=%#x vers=%u proc=%d serial=%u: %s",
              virNetServerClientGetID(client), header->prog, header->vers,
              header->proc, header->serial, virGetLastErrorMessage());
    if (packet)
        virNetServerClientSendMessage(client, packet);
}

/* Finds the procedure for a CALL, or reports why it cannot run. */
static const virNetServerProc *
virNetServerCheckCall(virNetServerProgram *prog, const virNetMessageHeader *header)
{
    const virNetServerProc *proc;

    if (header->type == VIR_NET_CALL_WITH_FDS) {
        virReportError(VIR_ERR_RPC, "%s",
                       _("file descriptor passing is not supported"));
        return NULL;
    }
    if (header->status != VIR_NET_OK) {
        virReportError(VIR_ERR_RPC, _("Unexpected message status %1$u"),
                       header->status);
        return NULL;
    }
    if (!(proc = virNetServerProgramLookup(prog, header->proc))) {
        virReportError(VIR_ERR_NO_SUPPORT, _("remote procedure %1$d"),
                       header->proc);
        return NULL;
    }
    return proc;
}

/* The client's dispatch function: takes @msg. */
static bool
virNetServerDispatch(virNetServerClient *client, virNetMessage *msg,
                     void *opaque)
{
    g_autoptr(virNetMessage) owned = msg;
    virNetServer *srv = opaque;
    const virNetMessageHeader *header = &msg->header;
    bool isCall = header->type == VIR_NET_CALL ||
                  header->type == VIR_NET_CALL_WITH_FDS;
    virNetServerProgram *prog = virNetServerFindProgram(srv, header);
    const virNetServerProc *proc;
    virNetServerJob *job;

    if (!isCall) {
        /* nobody waits for an answer to these: log and drop */
        VIR_DEBUG("client %" G_GUINT64_FORMAT ": dropping message prog=%#x vers=%u type=%d proc=%d",
                  virNetServerClientGetID(client), header->prog,
                  header->vers, header->type, header->proc);
        return false;
    }
    virResetLastError();
    if (!prog) {
        virReportError(VIR_ERR_RPC, _("Cannot find program %1$d version %2$d"),
                       header->prog, header->vers);
        virNetServerSendError(srv, client, header);
        return false;
    }
    if (!(proc = virNetServerCheckCall(prog, header))) {
        virNetServerSendError(srv, client, header);
        return false;
    }
    job = g_new0(virNetServerJob, 1);
    job->srv = srv;
    job->client = virNetServerClientRef(client);
    job->prog = prog;
    job->proc = proc;
    job->msg = g_steal_pointer(&owned);
    virNetServerQueueJob(srv, job);
    return true;
}

/* ---- clients --------------------------------------------------------- */

static void virNetServerUpdateListeners(virNetServer *srv);

static void
virNetServerClientClosed(virNetServerClient *client, void *opaque)
{
    virNetServer *srv = opaque;
    guint64 id = virNetServerClientGetID(client);

    g_mutex_lock(&srv->lock);
    g_hash_table_remove(srv->anonymous, &id);
    g_hash_table_remove(srv->clients, &id);
    g_mutex_unlock(&srv->lock);
    virNetServerUpdateListeners(srv);
}

static gboolean
virNetServerUpdateListenersIdle(gpointer opaque)
{
    virNetServerUpdateListeners(opaque);
    return G_SOURCE_REMOVE;
}

void
virNetServerTrackCompletedOpen(virNetServer *srv, virNetServerClient *client)
{
    guint64 id = virNetServerClientGetID(client);
    bool removed;

    virNetServerClientSetOpened(client);
    g_mutex_lock(&srv->lock);
    removed = g_hash_table_remove(srv->anonymous, &id);
    g_mutex_unlock(&srv->lock);
    if (!removed)
        return;
    /* the listeners belong to the main thread */
    g_main_context_invoke(srv->ctx, virNetServerUpdateListenersIdle, srv);
}

static bool
virNetServerHasRoom(virNetServer *srv)
{
    bool room;

    g_mutex_lock(&srv->lock);
    room = g_hash_table_size(srv->clients) < srv->cfg.maxClients;
    g_mutex_unlock(&srv->lock);
    return room;
}

/* False when max_anonymous_clients have not opened yet: libvirtd then
 * stops accepting until one of them opens or leaves. */
static bool
virNetServerHasAnonymousRoom(virNetServer *srv)
{
    bool room;

    g_mutex_lock(&srv->lock);
    room = srv->cfg.maxAnonymousClients == 0 ||
           g_hash_table_size(srv->anonymous) < srv->cfg.maxAnonymousClients;
    g_mutex_unlock(&srv->lock);
    return room;
}

static void
virNetServerAddClient(virNetServerListener *listener, GSocket *sock)
{
    virNetServer *srv = listener->srv;
    virNetServerClient *client;
    guint64 *key = g_new0(guint64, 1);

    g_mutex_lock(&srv->lock);
    *key = ++srv->lastClientID;
    g_mutex_unlock(&srv->lock);

    client = virNetServerClientNew(*key, sock, srv->ctx, listener->readonly,
                                   listener->tls, &srv->limits,
                                   virNetServerDispatch, srv);
    if (!client) {
        VIR_WARN("dropping a connection: %s", virGetLastErrorMessage());
        virResetLastError();
        g_socket_close(sock, NULL);
        g_free(key);
        return;
    }
    virNetServerClientSetAuth(client, listener->auth);
    virNetServerClientAddCloseHook(client, virNetServerClientClosed, srv, NULL);
    if (srv->clientInit)
        srv->clientInit(srv, client, srv->clientInitOpaque);

    g_mutex_lock(&srv->lock);
    g_hash_table_insert(srv->clients, key, client);
    g_hash_table_add(srv->anonymous, key);
    g_mutex_unlock(&srv->lock);
    virNetServerClientStart(client);
}

static gboolean
virNetServerOnAccept(GSocket *sock, GIOCondition cond, gpointer opaque)
{
    virNetServerListener *listener = opaque;

    for (;;) {
        g_autoptr(GError) err = NULL;
        g_autoptr(GSocket) csock = NULL;

        if (!virNetServerHasAnonymousRoom(listener->srv)) {
            virNetServerUpdateListeners(listener->srv);
            return G_SOURCE_REMOVE;
        }
        csock = g_socket_accept(sock, NULL, &err);

        if (!csock) {
            if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
                VIR_WARN("accept failed: %s", err->message);
            break;
        }
        if (!virNetServerHasRoom(listener->srv)) {
            VIR_WARN("Too many active clients (%u), dropping connection",
                     listener->srv->cfg.maxClients);
            g_socket_close(csock, NULL);
            continue;
        }
        virNetServerAddClient(listener, csock);
    }
    return G_SOURCE_CONTINUE;
}

void
virNetServerForEachClient(virNetServer *srv, virNetServerClientIterFunc func,
                          void *opaque)
{
    g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func(
        (GDestroyNotify)virNetServerClientUnref);
    GHashTableIter iter;
    gpointer value;
    guint i;

    g_mutex_lock(&srv->lock);
    g_hash_table_iter_init(&iter, srv->clients);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(clients, virNetServerClientRef(value));
    g_mutex_unlock(&srv->lock);

    for (i = 0; i < clients->len; i++)
        func(g_ptr_array_index(clients, i), opaque);
}

size_t
virNetServerGetClientCount(virNetServer *srv)
{
    size_t n;

    g_mutex_lock(&srv->lock);
    n = g_hash_table_size(srv->clients);
    g_mutex_unlock(&srv->lock);
    return n;
}

size_t
virNetServerGetMaxLength(virNetServer *srv)
{
    return srv->limits.maxLength;
}

/* ---- listeners ------------------------------------------------------- */

static void
virNetServerListenerFree(virNetServerListener *listener)
{
    if (listener->source) {
        g_source_destroy(listener->source);
        g_source_unref(listener->source);
    }
    g_socket_close(listener->sock, NULL);
    g_object_unref(listener->sock);
    virNetTLSContextUnref(listener->tls);
    if (listener->unixPath)
        unlink(listener->unixPath);
    g_free(listener->unixPath);
    g_free(listener);
}

/* Starts or stops accepting on @listener (main thread). */
static void
virNetServerListenerWatch(virNetServerListener *listener, bool accept)
{
    if (accept && !listener->source) {
        listener->source = virSocketWatch(listener->sock, G_IO_IN,
                                          virNetServerOnAccept, listener,
                                          listener->srv->ctx);
    } else if (!accept && listener->source) {
        g_source_destroy(listener->source);
        g_clear_pointer(&listener->source, g_source_unref);
    }
}

/* Suspends accepting while too many clients are anonymous, resumes it
 * when there is room again (main thread). */
static void
virNetServerUpdateListeners(virNetServer *srv)
{
    bool accept = !srv->quit && virNetServerHasAnonymousRoom(srv);
    guint i;

    if (accept == srv->accepting)
        return;
    if (accept)
        VIR_INFO("resuming accepting clients");
    else
        VIR_WARN("Too many anonymous clients (%u): not accepting new connections until one opens or leaves",
                 srv->cfg.maxAnonymousClients);
    srv->accepting = accept;
    for (i = 0; i < srv->listeners->len; i++)
        virNetServerListenerWatch(g_ptr_array_index(srv->listeners, i), accept);
}

/* Binds @sock to @addr and starts accepting on it. */
static int
virNetServerListen(virNetServer *srv, GSocket *sock, GSocketAddress *addr,
                   const char *what, const char *unixPath, mode_t mode,
                   bool readonly, virNetTLSContext *tls, virNetServerAuth auth)
{
    virNetServerListener *listener;
    g_autoptr(GError) err = NULL;

    if (!g_socket_bind(sock, addr, TRUE, &err)) {
        virReportError(VIR_ERR_SYSTEM_ERROR, _("Unable to bind to %1$s: %2$s"),
                       what, err->message);
        return -1;
    }
    if (unixPath && chmod(unixPath, mode) < 0) {
        virReportSystemError(errno, _("Failed to change permissions of '%1$s'"),
                             unixPath);
        unlink(unixPath);
        return -1;
    }
    g_socket_set_listen_backlog(sock, 128);
    if (!g_socket_listen(sock, &err)) {
        virReportError(VIR_ERR_SYSTEM_ERROR, _("Unable to listen on %1$s: %2$s"),
                       what, err->message);
        if (unixPath)
            unlink(unixPath);
        return -1;
    }
    g_socket_set_blocking(sock, FALSE);
    listener = g_new0(virNetServerListener, 1);
    listener->srv = srv;
    listener->sock = g_object_ref(sock);
    listener->unixPath = g_strdup(unixPath);
    listener->readonly = readonly;
    listener->tls = tls ? virNetTLSContextRef(tls) : NULL;
    listener->auth = auth;
    g_ptr_array_add(srv->listeners, listener);
    virNetServerListenerWatch(listener, srv->accepting);
    VIR_INFO("listening on %s%s%s%s", what, readonly ? " (read-only)" : "",
             tls ? " (TLS)" : "", auth == VIR_NET_SERVER_AUTH_SASL ? " (SASL)" : "");
    return 0;
}

int
virNetServerAddUnixListener(virNetServer *srv, const char *path, mode_t mode,
                            bool readonly, virNetServerAuth auth)
{
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
    g_autoptr(GSocket) sock = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *what = g_strdup_printf("UNIX socket '%s'", path);
    struct stat sb;

    if (lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode))
        unlink(path);
    if (!(sock = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                              G_SOCKET_PROTOCOL_DEFAULT, &err))) {
        virReportError(VIR_ERR_SYSTEM_ERROR, _("Failed to create socket: %1$s"),
                       err->message);
        return -1;
    }
    return virNetServerListen(srv, sock, addr, what, path, mode, readonly, NULL,
                              auth);
}

static int
virNetServerAddInetListener(virNetServer *srv, const char *addr,
                            unsigned int port, virNetTLSContext *tls,
                            virNetServerAuth auth, unsigned int *boundPort)
{
    g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(addr);
    g_autoptr(GSocketAddress) saddr = NULL;
    g_autoptr(GSocketAddress) local = NULL;
    g_autoptr(GSocket) sock = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *what = NULL;

    if (!inet || port > 65535) {
        virReportError(VIR_ERR_INVALID_ARG, _("invalid listen address '%1$s:%2$u'"),
                       addr, port);
        return -1;
    }
    what = g_strdup_printf("%s:%u", addr, port);
    saddr = g_inet_socket_address_new(inet, port);
    if (!(sock = g_socket_new(g_inet_address_get_family(inet),
                              G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                              &err))) {
        virReportError(VIR_ERR_SYSTEM_ERROR, _("Failed to create socket: %1$s"),
                       err->message);
        return -1;
    }
    if (virNetServerListen(srv, sock, saddr, what, NULL, 0, false, tls, auth) < 0)
        return -1;
    if (boundPort && (local = g_socket_get_local_address(sock, NULL)))
        *boundPort = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
    return 0;
}

int
virNetServerAddTCPListener(virNetServer *srv, const char *addr,
                           unsigned int port, virNetServerAuth auth,
                           unsigned int *boundPort)
{
    return virNetServerAddInetListener(srv, addr, port, NULL, auth, boundPort);
}

int
virNetServerAddTLSListener(virNetServer *srv, const char *addr,
                           unsigned int port, virNetTLSContext *tls,
                           virNetServerAuth auth, unsigned int *boundPort)
{
    return virNetServerAddInetListener(srv, addr, port, tls, auth, boundPort);
}

/* ---- life cycle ------------------------------------------------------ */

virNetServer *
virNetServerNew(const virNetServerConfig *cfg, GMainContext *ctx)
{
    virNetServer *srv = g_new0(virNetServer, 1);

    g_mutex_init(&srv->lock);
    srv->ctx = g_main_context_ref(ctx);
    srv->cfg = *cfg;
    srv->limits.maxLength = virNetMessageMaxLength(cfg->maxMessageSize);
    srv->limits.maxRequests = MAX(cfg->maxClientRequests, 1);
    srv->limits.maxQueued = 2 * srv->limits.maxLength + 1024 * 1024;
    srv->limits.keepaliveInterval = cfg->keepaliveInterval;
    srv->limits.keepaliveCount = cfg->keepaliveCount;
    srv->limits.openTimeout = cfg->anonymousTimeout;
    srv->accepting = true;
    srv->listeners = g_ptr_array_new_with_free_func(
        (GDestroyNotify)virNetServerListenerFree);
    srv->programs = g_ptr_array_new();
    srv->clients = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                         (GDestroyNotify)virNetServerClientUnref);
    srv->anonymous = g_hash_table_new(g_int64_hash, g_int64_equal);
    srv->workers = g_thread_pool_new(virNetServerWorker, srv,
                                     MAX(cfg->maxWorkers, 1), FALSE, NULL);
    if (cfg->prioWorkers > 0) {
        srv->prioWorkers = g_thread_pool_new(virNetServerWorker, srv,
                                             cfg->prioWorkers, FALSE, NULL);
    }
    return srv;
}

void
virNetServerAddProgram(virNetServer *srv, virNetServerProgram *prog)
{
    g_ptr_array_add(srv->programs, prog);
}

void
virNetServerSetClientInit(virNetServer *srv, virNetServerClientInitFunc func,
                          void *opaque)
{
    srv->clientInit = func;
    srv->clientInitOpaque = opaque;
}

static void
virNetServerCloseClient(virNetServerClient *client, void *opaque)
{
    virNetServerClientClose(client);
}

/* Waits for running calls, keeping the main context alive for them. */
static void
virNetServerDrain(virNetServer *srv)
{
    for (;;) {
        unsigned int jobs;

        g_mutex_lock(&srv->lock);
        jobs = srv->jobs;
        g_mutex_unlock(&srv->lock);
        if (jobs == 0)
            break;
        g_main_context_iteration(srv->ctx, TRUE);
    }
    while (g_main_context_iteration(srv->ctx, FALSE))
        ;
}

void
virNetServerFree(virNetServer *srv)
{
    bool acquired;

    if (!srv)
        return;
    acquired = g_main_context_acquire(srv->ctx);
    srv->quit = true;
    g_ptr_array_set_size(srv->listeners, 0);
    virNetServerForEachClient(srv, virNetServerCloseClient, NULL);
    virNetServerDrain(srv);
    g_thread_pool_free(srv->workers, FALSE, TRUE);
    if (srv->prioWorkers)
        g_thread_pool_free(srv->prioWorkers, FALSE, TRUE);
    virNetServerDrain(srv);
    if (acquired)
        g_main_context_release(srv->ctx);

    g_ptr_array_unref(srv->listeners);
    g_ptr_array_unref(srv->programs);
    g_hash_table_unref(srv->anonymous);
    g_hash_table_unref(srv->clients);
    g_main_context_unref(srv->ctx);
    g_mutex_clear(&srv->lock);
    g_free(srv);
}
