/*
 * virtmigd_config.h: the daemon's configuration file and path layout
 */
#pragma once

#include "internal.h"

#define VIRTMIGD_DEFAULT_TCP_PORT 16509
#define VIRTMIGD_DEFAULT_TLS_PORT 16514
#define VIRTMIGD_DEFAULT_MIGRATION_PORT_MIN 49152
#define VIRTMIGD_DEFAULT_MIGRATION_PORT_MAX 49215

/* auth_unix_rw / auth_unix_ro / auth_tcp / auth_tls (libvirtd's keys;
 * the numbers of libvirt's remote_auth_type) */
typedef enum {
    VIRTMIGD_AUTH_NONE = 0,
    VIRTMIGD_AUTH_SASL = 1,
} virtmigdAuth;

/*
 * Every path the daemon uses, derived from one root directory so that
 * several daemons (a "source host" and a "destination host") can run
 * side by side on one machine.
 */
typedef struct _virtmigdPaths virtmigdPaths;
struct _virtmigdPaths {
    char *root;           /* "/" by default, or --root */
    char *configFile;     /* ROOT/etc/virtmig/virtmigd.conf */
    char *domainConfigDir;/* ROOT/etc/virtmig/qemu: persistent definitions */
    char *runDir;         /* ROOT/run */
    char *stateDir;       /* ROOT/run/virtmig/qemu: status of running domains */
    char *libDir;         /* ROOT/var/lib/virtmig: host UUID etc. */
    char *logDir;         /* ROOT/var/log/virtmig/qemu: per-domain QEMU logs */
    char *socketPath;     /* ROOT/run/virtmigd-sock */
    char *socketPathRO;   /* ROOT/run/virtmigd-sock-ro */
    char *pidFile;        /* ROOT/run/virtmigd.pid */
    /* libvirt's PKI layout under ROOT (the config may override the
     * server's files) */
    char *caFile;         /* ROOT/etc/pki/CA/cacert.pem */
    char *crlFile;        /* ROOT/etc/pki/CA/cacrl.pem, used if present */
    char *certFile;       /* ROOT/etc/pki/libvirt/servercert.pem */
    char *keyFile;        /* ROOT/etc/pki/libvirt/private/serverkey.pem */
    char *clientCertFile; /* ROOT/etc/pki/libvirt/clientcert.pem: P2P */
    char *clientKeyFile;  /* ROOT/etc/pki/libvirt/private/clientkey.pem */
    char *migrateTLSDir;  /* ROOT/etc/pki/qemu: default migration x509 dir */
    char *saslConfDir;    /* ROOT/etc/sasl2: libsasl2's virtmigd.conf */
    /* the storage driver's (libvirt's /etc/libvirt/storage layout) */
    char *storageConfigDir;   /* ROOT/etc/virtmig/storage: pool definitions */
    char *storageAutostartDir;/* ROOT/etc/virtmig/storage/autostart: links */
    char *storageStateDir;    /* ROOT/run/virtmig/storage: active pools */
};

virtmigdPaths *virtmigdPathsNew(const char *root);
void virtmigdPathsFree(virtmigdPaths *paths);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virtmigdPaths, virtmigdPathsFree);

/* Creates every directory of @paths. 0 or -1 (reported). */
int virtmigdPathsCreate(const virtmigdPaths *paths);

typedef struct _virtmigdConfig virtmigdConfig;
struct _virtmigdConfig {
    GStrv listenTcp;              /* "ADDR[:PORT]" entries; empty: none */
    GStrv listenTls;              /* the same for TLS (port 16514) */
    bool insecureTcpAllowed;      /* plain TCP beyond loopback (the admin
                                   * says so in words) */
    char *caFile;                 /* NULL: the paths' defaults */
    char *certFile;
    char *keyFile;
    char *crlFile;
    bool tlsNoVerifyCertificate;  /* accept clients whose certificate
                                   * fails the checks */
    GStrv tlsAllowedDNList;       /* glob patterns; NULL: any DN */
    char *tlsPriority;            /* NULL: gnutls' "NORMAL" */
    char *unixSockDir;            /* NULL: ROOT/run */
    char *unixSockGroup;          /* NULL: the daemon's group */
    unsigned int unixSockRwPerms; /* 0700 */
    unsigned int unixSockRoPerms; /* 0777 */
    bool hostUUIDSet;
    unsigned char hostUUID[VIR_UUID_BUFLEN];
    char *migrationAddress;       /* NULL: the address the client used */
    unsigned int migrationPortMin;
    unsigned int migrationPortMax;
    int logLevel;                 /* virLogPriority */
    char *logFilters;
    char *logOutputs;
    unsigned int jobWaitTimeout;  /* seconds a job waits for the lock */
    int keepaliveInterval;        /* seconds; <= 0 disables probes */
    unsigned int keepaliveCount;
    unsigned int maxClients;
    unsigned int maxAnonymousClients; /* not opened yet; 0: no limit */
    unsigned int anonymousClientTimeout; /* seconds; 0: no limit */
    unsigned int maxWorkers;
    unsigned int prioWorkers;
    unsigned int maxMessageSize;  /* bytes; RPC payload limit */
    bool postcopyPreempt;         /* QEMU's postcopy-preempt channel */
    char *migrateTLSx509CertDir;  /* NULL: ROOT/etc/pki/qemu */
    bool migrateTLSx509Verify;    /* incoming TLS checks client certs */
    bool migrateTLSForce;         /* refuse migrations without TLS */
    virtmigdAuth authUnixRw;      /* none */
    virtmigdAuth authUnixRo;      /* none */
    virtmigdAuth authTcp;         /* sasl, but see authTcpSet */
    bool authTcpSet;              /* auth_tcp given: else loopback TCP
                                   * listeners keep none */
    virtmigdAuth authTls;         /* none */
    GStrv saslAllowedUsernameList;/* glob patterns; NULL: anyone */
};

/* The authentication of a plain TCP listener on @addr: auth_tcp if
 * set, else sasl (libvirtd's default) except on loopback (none). */
virtmigdAuth virtmigdConfigTCPAuth(const virtmigdConfig *cfg, bool loopback);

virtmigdConfig *virtmigdConfigNew(void);
void virtmigdConfigFree(virtmigdConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virtmigdConfig, virtmigdConfigFree);

/* Applies the settings in @content over @cfg.  Unknown keys, wrong
 * types and invalid values are errors (VIR_ERR_CONF_SYNTAX).
 * @filename is used in messages.  Returns 0 or -1. */
int virtmigdConfigLoadString(virtmigdConfig *cfg, const char *content,
                             const char *filename);
int virtmigdConfigLoadFile(virtmigdConfig *cfg, const char *path);

/* Every key the file may hold, NULL-terminated (virtmigd
 * --dump-config-keys: the test keeping virtmigd.conf(5) complete). */
const char *const *virtmigdConfigKnownKeys(void);

/* Splits "ADDR[:PORT]" / "[V6ADDR]:PORT"; *port defaults to 16509. */
int virtmigdParseListenAddress(const char *spec, char **addr,
                               unsigned int *port);
/* The same with another default port (16514 for TLS). */
int virtmigdParseListenAddressPort(const char *spec, unsigned int defport,
                                   char **addr, unsigned int *port);
/* Every entry of @list parses (0), or -1 reported. */
int virtmigdCheckListenList(const char *const *list, unsigned int defport);
