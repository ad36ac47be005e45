/*
 * virtmigd_peer.c: qemuMigrationPeerOps over the RPC client
 */
#include "virtmigd_peer.h"
#include "virtmigd_config.h"
#include "remote_client.h"

struct _qemuMigrationPeer {
    remoteClient *rc;
    qemuMigrationPeerLostFunc lost;   /* set before the close callback */
    void *lostOpaque;
};

/* @opaque: the daemon's virtmigdPaths.  Over TLS the daemon shows its
 * client certificate, as libvirtd does for P2P. */
static qemuMigrationPeer *
virtmigdPeerOpen(const char *uri, void *opaque)
{
    const virtmigdPaths *paths = opaque;
    remoteClientConfig cfg = remoteClientDefaultConfig();
    qemuMigrationPeer *peer;
    remoteClient *rc;

    cfg.tls.caFile = paths->caFile;
    cfg.tls.crlFile = paths->crlFile;
    cfg.tls.certFile = paths->clientCertFile;
    cfg.tls.keyFile = paths->clientKeyFile;

    if (!(rc = remoteClientOpen(uri, &cfg)))
        return NULL;
    peer = g_new0(qemuMigrationPeer, 1);
    peer->rc = rc;
    return peer;
}

/* The connection's close callback (its I/O thread, no lock held). */
static void
virtmigdPeerClosed(virNetClient *client, const virError *reason, void *opaque)
{
    qemuMigrationPeer *peer = opaque;

    peer->lost(peer->lostOpaque);
}

static void
virtmigdPeerWatch(qemuMigrationPeer *peer, qemuMigrationPeerLostFunc lost,
                  void *opaque)
{
    virNetClient *net = remoteClientGetNet(peer->rc);

    /* stop the old watch first: the callback is taken under the
     * client's lock, so it cannot see half of the new one */
    virNetClientSetCloseCallback(net, NULL, NULL);
    peer->lost = lost;
    peer->lostOpaque = opaque;
    if (lost)
        virNetClientSetCloseCallback(net, virtmigdPeerClosed, peer);
}

static int
virtmigdPeerSupportsFeature(qemuMigrationPeer *peer, int feature, bool *supported)
{
    return remoteClientSupportsFeature(peer->rc, feature, supported);
}

static int
virtmigdPeerPrepare3(qemuMigrationPeer *peer,
                     const virTypedParameter *params, size_t nparams,
                     const char *cookiein, size_t cookieinlen,
                     char **cookieout, size_t *cookieoutlen,
                     char **uriout, unsigned int flags)
{
    return remoteClientMigratePrepare3Params(peer->rc, params, nparams,
                                             cookiein, cookieinlen, cookieout,
                                             cookieoutlen, uriout, flags);
}

static int
virtmigdPeerFinish3(qemuMigrationPeer *peer,
                    const virTypedParameter *params, size_t nparams,
                    const char *cookiein, size_t cookieinlen,
                    char **cookieout, size_t *cookieoutlen,
                    unsigned int flags, int cancelled)
{
    g_autofree char *name = NULL;
    unsigned char uuid[VIR_UUID_BUFLEN];

    return remoteClientMigrateFinish3Params(peer->rc, params, nparams,
                                            cookiein, cookieinlen, cookieout,
                                            cookieoutlen, flags, cancelled,
                                            &name, uuid);
}

/* Closes the connection; its I/O thread is joined, so no callback runs
 * after this returns. */
static void
virtmigdPeerClose(qemuMigrationPeer *peer)
{
    if (!peer)
        return;
    remoteClientClose(peer->rc);
    g_free(peer);
}

static const qemuMigrationPeerOps virtmigdPeerOpsImpl = {
    .open = virtmigdPeerOpen,
    .watch = virtmigdPeerWatch,
    .supportsFeature = virtmigdPeerSupportsFeature,
    .prepare3 = virtmigdPeerPrepare3,
    .finish3 = virtmigdPeerFinish3,
    .close = virtmigdPeerClose,
};

const qemuMigrationPeerOps *
virtmigdPeerOps(void)
{
    return &virtmigdPeerOpsImpl;
}
