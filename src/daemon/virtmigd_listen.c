/*
 * virtmigd_listen.c: the daemon's listeners, as its config asks for them
 *
 * UNIX sockets with libvirtd's permissions and group, TCP only where it
 * is not an open door (loopback, or SASL), TLS with libvirt's PKI
 * layout.
 */
#include <errno.h>
#include <grp.h>
#include <unistd.h>

#include "virtmigd_listen.h"
#include "virnettlscontext.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_CONF

VIR_LOG_INIT("daemon.virtmigd_listen");

static int
virtmigdSetSocketGroup(const char *path, const char *group)
{
    struct group *gr;

    if (!group)
        return 0;
    errno = 0;
    if (!(gr = getgrnam(group))) {
        virReportSystemError(errno ? errno : ENOENT,
                             _("Failed to look up group '%1$s' (unix_sock_group)"),
                             group);
        return -1;
    }
    if (chown(path, -1, gr->gr_gid) < 0) {
        virReportSystemError(errno, _("Failed to change group of '%1$s' to '%2$s'"),
                             path, group);
        return -1;
    }
    return 0;
}

/* The config's auth_* as the RPC server knows it. */
static virNetServerAuth
virtmigdNetAuth(virtmigdAuth auth)
{
    switch (auth) {
    case VIRTMIGD_AUTH_SASL:
        return VIR_NET_SERVER_AUTH_SASL;
    case VIRTMIGD_AUTH_NONE:
        break;
    }
    return VIR_NET_SERVER_AUTH_NONE;
}

static int
virtmigdListenUnix(remoteServer *srv, const virtmigdPaths *paths,
                   const virtmigdConfig *cfg)
{
    g_autofree char *rw = NULL;
    g_autofree char *ro = NULL;

    if (cfg->unixSockDir) {
        if (virFileMakePath(cfg->unixSockDir, 0755) < 0)
            return -1;
        rw = g_build_filename(cfg->unixSockDir, "virtmigd-sock", NULL);
        ro = g_build_filename(cfg->unixSockDir, "virtmigd-sock-ro", NULL);
    } else {
        rw = g_strdup(paths->socketPath);
        ro = g_strdup(paths->socketPathRO);
    }
    if (remoteServerAddUnixSocket(srv, rw, cfg->unixSockRwPerms, false,
                                  virtmigdNetAuth(cfg->authUnixRw)) < 0 ||
        virtmigdSetSocketGroup(rw, cfg->unixSockGroup) < 0 ||
        remoteServerAddUnixSocket(srv, ro, cfg->unixSockRoPerms, true,
                                  virtmigdNetAuth(cfg->authUnixRo)) < 0 ||
        virtmigdSetSocketGroup(ro, cfg->unixSockGroup) < 0)
        return -1;
    return 0;
}

bool
virtmigdAddressIsLoopback(const char *addr)
{
    g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(addr);

    return inet && g_inet_address_get_is_loopback(inet);
}

/* Plain TCP without authentication serves the whole API to anyone, in
 * clear: only on loopback, unless the admin wrote that they want it.
 * With SASL (libvirt's default auth_tcp) clients authenticate and
 * their stream is encrypted by the SASL security layer (SSF >= 56). */
static int
virtmigdCheckPlainTCP(const virtmigdConfig *cfg, const char *addr,
                      virtmigdAuth auth, const char *spec)
{
    if (auth == VIRTMIGD_AUTH_SASL || virtmigdAddressIsLoopback(addr) ||
        cfg->insecureTcpAllowed)
        return 0;
    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("refusing to listen on '%1$s': plain TCP beyond loopback with auth_tcp = \"none\" serves the whole API without authentication nor encryption; use auth_tcp = \"sasl\" or listen_tls, or set insecure_tcp_allowed = 1 if this network is trusted"),
                   spec);
    return -1;
}

static int
virtmigdListenTCP(remoteServer *srv, const virtmigdConfig *cfg)
{
    size_t i;

    for (i = 0; cfg->listenTcp[i]; i++) {
        g_autofree char *addr = NULL;
        unsigned int port;
        virtmigdAuth auth;

        if (virtmigdParseListenAddress(cfg->listenTcp[i], &addr, &port) < 0)
            return -1;
        /* loopback keeps "none" unless auth_tcp is set */
        auth = virtmigdConfigTCPAuth(cfg, virtmigdAddressIsLoopback(addr));
        if (virtmigdCheckPlainTCP(cfg, addr, auth, cfg->listenTcp[i]) < 0 ||
            remoteServerAddTCP(srv, addr, port, virtmigdNetAuth(auth)) < 0)
            return -1;
    }
    return 0;
}

static virNetTLSContext *
virtmigdServerTLSContext(const virtmigdPaths *paths, const virtmigdConfig *cfg)
{
    virNetTLSConfig tls = {
        .caFile = cfg->caFile ? cfg->caFile : paths->caFile,
        .crlFile = cfg->crlFile ? cfg->crlFile : paths->crlFile,
        .certFile = cfg->certFile ? cfg->certFile : paths->certFile,
        .keyFile = cfg->keyFile ? cfg->keyFile : paths->keyFile,
        .priority = cfg->tlsPriority,
        .verifyPeer = !cfg->tlsNoVerifyCertificate,
        .allowedDNs = (const char *const *)cfg->tlsAllowedDNList,
    };

    return virNetTLSContextNewServer(&tls);
}

static int
virtmigdListenTLS(remoteServer *srv, const virtmigdPaths *paths,
                  const virtmigdConfig *cfg)
{
    g_autoptr(virNetTLSContext) ctx = NULL;
    size_t i;

    if (!cfg->listenTls[0])
        return 0;
    if (!(ctx = virtmigdServerTLSContext(paths, cfg)))
        return -1;
    for (i = 0; cfg->listenTls[i]; i++) {
        g_autofree char *addr = NULL;
        unsigned int port;

        if (virtmigdParseListenAddressPort(cfg->listenTls[i],
                                           VIRTMIGD_DEFAULT_TLS_PORT,
                                           &addr, &port) < 0 ||
            remoteServerAddTLS(srv, addr, port, ctx,
                               virtmigdNetAuth(cfg->authTls)) < 0)
            return -1;
    }
    return 0;
}

bool
virtmigdListenUsesSASL(const virtmigdConfig *cfg)
{
    size_t i;

    if (cfg->authUnixRw == VIRTMIGD_AUTH_SASL ||
        cfg->authUnixRo == VIRTMIGD_AUTH_SASL ||
        (cfg->listenTls[0] && cfg->authTls == VIRTMIGD_AUTH_SASL))
        return true;
    for (i = 0; cfg->listenTcp[i]; i++) {
        g_autofree char *addr = NULL;
        unsigned int port;

        if (virtmigdParseListenAddress(cfg->listenTcp[i], &addr, &port) == 0 &&
            virtmigdConfigTCPAuth(cfg, virtmigdAddressIsLoopback(addr)) ==
            VIRTMIGD_AUTH_SASL)
            return true;
    }
    virResetLastError();
    return false;
}

int
virtmigdListen(remoteServer *srv, const virtmigdPaths *paths,
               const virtmigdConfig *cfg)
{
    if (virtmigdListenUnix(srv, paths, cfg) < 0 ||
        virtmigdListenTCP(srv, cfg) < 0 ||
        virtmigdListenTLS(srv, paths, cfg) < 0)
        return -1;
    return 0;
}
