/*
 * remote_dispatch_console.c: DOMAIN_OPEN_CONSOLE, a domain's serial
 * terminal over an RPC stream
 *
 * The driver opens the terminal and keeps one session per device; the
 * stream (virnetserverstream.c) carries the bytes.  A session ends when
 * its stream does (client finish/abort/disconnect, guest stopped: the
 * terminal's EOF), or when another open forces it out: the driver then
 * revokes it and its client gets libvirt's stream error.
 *
 * remoteConsole links the two: the driver holds one reference (until
 * the session ends), the stream another (its end callback's data).  Its
 * lock is a leaf, taken under the driver's console lock (revoke).
 */
#include "remote_dispatch.h"
#include "virnetserverstream.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.remote_dispatch_console");

typedef struct {
    gatomicrefcount refs;
    qemuDriver *driver;
    guint64 token;                /* the driver's session, constant once open */
    GMutex lock;
    virNetServerStream *st;       /* NULL until open and after the end */
    bool revoked;
} remoteConsole;

static remoteConsole *
remoteConsoleRef(remoteConsole *con)
{
    g_atomic_ref_count_inc(&con->refs);
    return con;
}

static void
remoteConsoleUnref(void *opaque)
{
    remoteConsole *con = opaque;

    if (!con || !g_atomic_ref_count_dec(&con->refs))
        return;
    virNetServerStreamUnref(con->st);
    g_mutex_clear(&con->lock);
    g_free(con);
}

/* Another session forced this one out (the opener's worker). */
static void
remoteConsoleRevoke(void *opaque)
{
    remoteConsole *con = opaque;
    virNetServerStream *st;

    g_mutex_lock(&con->lock);
    con->revoked = true;
    st = con->st ? virNetServerStreamRef(con->st) : NULL;
    g_mutex_unlock(&con->lock);
    if (st) {
        virNetServerStreamAbort(st, NULL);
        virNetServerStreamUnref(st);
    }
}

/* The stream is done with the terminal (main thread). */
static void
remoteConsoleEnded(virNetServerStream *st, void *opaque)
{
    remoteConsole *con = opaque;
    virNetServerStream *mine;

    g_mutex_lock(&con->lock);
    mine = g_steal_pointer(&con->st);
    g_mutex_unlock(&con->lock);
    virNetServerStreamUnref(mine);
    qemuDomainCloseConsole(con->driver, con->token);
}

int
remoteDispatchDomainOpenConsole(virNetServerClient *client,
                                const virNetMessageHeader *header,
                                void *args, void *ret, void *opaque)
{
    remote_domain_open_console_args *a = args;
    remoteServer *srv = opaque;
    remoteConsole *con = g_new0(remoteConsole, 1);
    virNetServerStream *st;
    bool revoked;
    int fd = -1;

    g_atomic_ref_count_init(&con->refs);
    g_mutex_init(&con->lock);
    con->driver = srv->driver;
    if (qemuDomainOpenConsole(srv->driver, remoteDomainUUID(&a->dom),
                              a->dev_name ? *a->dev_name : NULL, a->flags,
                              remoteConsoleRevoke, remoteConsoleRef(con),
                              remoteConsoleUnref, &fd, &con->token) < 0) {
        remoteConsoleUnref(con);
        remoteConsoleUnref(con);
        return -1;
    }
    st = virNetServerStreamOpen(client, header, fd,
                                VIR_NET_SERVER_STREAM_SEND | VIR_NET_SERVER_STREAM_RECV,
                                remoteConsoleEnded, remoteConsoleRef(con),
                                remoteConsoleUnref);
    if (!st) {
        qemuDomainCloseConsole(srv->driver, con->token);
        remoteConsoleUnref(con);
        return -1;
    }
    g_mutex_lock(&con->lock);
    con->st = virNetServerStreamRef(st);
    revoked = con->revoked;
    g_mutex_unlock(&con->lock);
    /* forced out before the stream existed */
    if (revoked)
        virNetServerStreamAbort(st, NULL);
    virNetServerStreamUnref(st);
    remoteConsoleUnref(con);
    return 0;
}
