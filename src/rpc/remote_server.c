/*
 * remote_server.c: the façade tying the RPC server, the remote program
 * and the QEMU driver together
 */
#include "remote_server.h"
#include "remote_dispatch.h"
#include "qemu_dispatch.h"
#include "remote_event.h"
#include "remote_node.h"
#include "virnetserver.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.remote_server");

/* libvirtd's max_client_requests */
#define REMOTE_SERVER_MAX_CLIENT_REQUESTS 5

/* Sets up the remote program's state of a new client (main thread). */
static void
remoteServerClientInit(virNetServer *net, virNetServerClient *client,
                       void *opaque)
{
    remoteClient *priv = remoteClientNew(opaque, virNetServerClientGetID(client),
                                         virNetServerClientIsReadonly(client));

    virNetServerClientSetPrivateData(client, priv,
                                     (GDestroyNotify)remoteClientFree);
    virNetServerClientAddCloseHook(client, remoteEventClientClosed, opaque, NULL);
}

static bool
remoteServerConfigValid(const remoteServerConfig *cfg)
{
    if (cfg->maxClients == 0 || cfg->maxWorkers == 0) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("the RPC server needs at least one client and one worker"));
        return false;
    }
    if (cfg->maxMessageSize < VIR_NET_MESSAGE_INITIAL ||
        cfg->maxMessageSize > VIR_NET_MESSAGE_MAX) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("RPC message size limit %1$u outside %2$u..%3$u"),
                       cfg->maxMessageSize, (unsigned int)VIR_NET_MESSAGE_INITIAL,
                       (unsigned int)VIR_NET_MESSAGE_MAX);
        return false;
    }
    return true;
}

remoteServer *
remoteServerNew(qemuDriver *driver, const remoteServerConfig *cfg,
                GMainContext *ctx)
{
    virNetServerConfig netcfg = {
        .maxClients = cfg->maxClients,
        .maxAnonymousClients = cfg->maxAnonymousClients,
        .anonymousTimeout = cfg->anonymousTimeout,
        .maxWorkers = cfg->maxWorkers,
        .prioWorkers = cfg->prioWorkers,
        .maxMessageSize = cfg->maxMessageSize,
        .maxClientRequests = REMOTE_SERVER_MAX_CLIENT_REQUESTS,
        .keepaliveInterval = cfg->keepaliveInterval,
        .keepaliveCount = cfg->keepaliveCount,
    };
    remoteServer *srv;
    const virNetServerProc *procs;
    size_t nprocs;

    if (!remoteServerConfigValid(cfg))
        return NULL;
    if (!ctx)
        ctx = g_main_context_default();
    srv = g_new0(remoteServer, 1);
    srv->listenerID = -1;
    srv->driver = driver;
    srv->ctx = g_main_context_ref(ctx);
    srv->node = remoteNodeCacheNew();
    srv->events = remoteEventQueueNew(srv);
    srv->releasedPool = remoteMigrationReleasedPoolNew(srv);
    srv->net = virNetServerNew(&netcfg, ctx);
    procs = remoteDispatchGetProcs(&nprocs);
    srv->program = virNetServerProgramNew(REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                                          procs, nprocs, remoteDispatchCheck, srv);
    virNetServerAddProgram(srv->net, srv->program);
    /* the same clients and checks: only the procedure table differs */
    procs = qemuDispatchGetProcs(&nprocs);
    srv->qemuProgram = virNetServerProgramNew(QEMU_PROGRAM, QEMU_PROTOCOL_VERSION,
                                              procs, nprocs, remoteDispatchCheck,
                                              srv);
    virNetServerAddProgram(srv->net, srv->qemuProgram);
    virNetServerSetClientInit(srv->net, remoteServerClientInit, srv);

    if ((srv->listenerID = qemuDriverAddEventListener(driver, remoteEventListener,
                                                       srv->events)) < 0) {
        remoteServerFree(srv);
        return NULL;
    }
    return srv;
}

int
remoteServerAddUnixSocket(remoteServer *srv, const char *path, mode_t mode,
                          bool readonly, virNetServerAuth auth)
{
    return virNetServerAddUnixListener(srv->net, path, mode, readonly, auth);
}

int
remoteServerAddTCP(remoteServer *srv, const char *addr, unsigned int port,
                   virNetServerAuth auth)
{
    return virNetServerAddTCPListener(srv->net, addr, port, auth, NULL);
}

int
remoteServerAddTLS(remoteServer *srv, const char *addr, unsigned int port,
                   virNetTLSContext *tls, virNetServerAuth auth)
{
    return virNetServerAddTLSListener(srv->net, addr, port, tls, auth, NULL);
}

void
remoteServerSetSASL(remoteServer *srv, virNetSASLContext *sasl)
{
    srv->sasl = sasl;
}

void
remoteServerFree(remoteServer *srv)
{
    if (!srv)
        return;
    /* no more events: the driver guarantees no callback runs after
     * this; undelivered ones are dropped with the queue */
    if (srv->listenerID >= 0)
        qemuDriverRemoveEventListener(srv->driver, srv->listenerID);
    g_clear_pointer(&srv->events, remoteEventQueueFree);
    g_clear_pointer(&srv->net, virNetServerFree);
    /* every client is released now: deliver the last notifications */
    if (srv->releasedPool)
        g_thread_pool_free(srv->releasedPool, FALSE, TRUE);
    g_clear_pointer(&srv->program, virNetServerProgramFree);
    g_clear_pointer(&srv->qemuProgram, virNetServerProgramFree);
    g_clear_pointer(&srv->node, remoteNodeCacheFree);
    g_main_context_unref(srv->ctx);
    g_free(srv);
}
