/*
 * virtmigd_config.c: the daemon's configuration file and path layout
 */
#include <string.h>

#include "virtmigd_config.h"
#include "virconf.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_CONF

virtmigdPaths *
virtmigdPathsNew(const char *root)
{
    virtmigdPaths *p = g_new0(virtmigdPaths, 1);

    p->root = g_strdup(root && *root ? root : "/");
    p->configFile = g_build_filename(p->root, "etc/virtmig/virtmigd.conf", NULL);
    p->domainConfigDir = g_build_filename(p->root, "etc/virtmig/qemu", NULL);
    p->runDir = g_build_filename(p->root, "run", NULL);
    p->stateDir = g_build_filename(p->root, "run/virtmig/qemu", NULL);
    p->libDir = g_build_filename(p->root, "var/lib/virtmig", NULL);
    p->logDir = g_build_filename(p->root, "var/log/virtmig/qemu", NULL);
    p->socketPath = g_build_filename(p->runDir, "virtmigd-sock", NULL);
    p->socketPathRO = g_build_filename(p->runDir, "virtmigd-sock-ro", NULL);
    p->pidFile = g_build_filename(p->runDir, "virtmigd.pid", NULL);
    p->caFile = g_build_filename(p->root, "etc/pki/CA/cacert.pem", NULL);
    p->crlFile = g_build_filename(p->root, "etc/pki/CA/cacrl.pem", NULL);
    p->certFile = g_build_filename(p->root, "etc/pki/libvirt/servercert.pem", NULL);
    p->keyFile = g_build_filename(p->root, "etc/pki/libvirt/private/serverkey.pem",
                                  NULL);
    p->clientCertFile = g_build_filename(p->root, "etc/pki/libvirt/clientcert.pem",
                                         NULL);
    p->clientKeyFile = g_build_filename(p->root,
                                        "etc/pki/libvirt/private/clientkey.pem",
                                        NULL);
    p->migrateTLSDir = g_build_filename(p->root, "etc/pki/qemu", NULL);
    p->saslConfDir = g_build_filename(p->root, "etc/sasl2", NULL);
    p->storageConfigDir = g_build_filename(p->root, "etc/virtmig/storage", NULL);
    p->storageAutostartDir = g_build_filename(p->storageConfigDir, "autostart", NULL);
    p->storageStateDir = g_build_filename(p->root, "run/virtmig/storage", NULL);
    return p;
}

void
virtmigdPathsFree(virtmigdPaths *p)
{
    if (!p)
        return;
    g_free(p->root);
    g_free(p->configFile);
    g_free(p->domainConfigDir);
    g_free(p->runDir);
    g_free(p->stateDir);
    g_free(p->libDir);
    g_free(p->logDir);
    g_free(p->socketPath);
    g_free(p->socketPathRO);
    g_free(p->pidFile);
    g_free(p->caFile);
    g_free(p->crlFile);
    g_free(p->certFile);
    g_free(p->keyFile);
    g_free(p->clientCertFile);
    g_free(p->clientKeyFile);
    g_free(p->migrateTLSDir);
    g_free(p->saslConfDir);
    g_free(p->storageConfigDir);
    g_free(p->storageAutostartDir);
    g_free(p->storageStateDir);
    g_free(p);
}

int
virtmigdPathsCreate(const virtmigdPaths *p)
{
    const char *dirs[] = { p->domainConfigDir, p->runDir, p->stateDir,
                           p->libDir, p->logDir };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(dirs); i++) {
        if (virFileMakePath(dirs[i], 0755) < 0)
            return -1;
    }
    return 0;
}

virtmigdConfig *
virtmigdConfigNew(void)
{
    virtmigdConfig *cfg = g_new0(virtmigdConfig, 1);

    cfg->listenTcp = g_new0(char *, 1);
    cfg->listenTls = g_new0(char *, 1);
    cfg->unixSockRwPerms = 0700;
    cfg->unixSockRoPerms = 0777;
    cfg->migrationPortMin = VIRTMIGD_DEFAULT_MIGRATION_PORT_MIN;
    cfg->migrationPortMax = VIRTMIGD_DEFAULT_MIGRATION_PORT_MAX;
    cfg->logLevel = VIR_LOG_WARN;
    cfg->jobWaitTimeout = 30;
    cfg->keepaliveInterval = 5;
    cfg->keepaliveCount = 5;
    cfg->maxClients = 5000;
    cfg->maxAnonymousClients = 20;
    cfg->anonymousClientTimeout = 30;
    cfg->maxWorkers = 20;
    cfg->prioWorkers = 5;
    cfg->maxMessageSize = 32 * 1024 * 1024;
    cfg->migrateTLSx509Verify = true;
    cfg->authUnixRw = VIRTMIGD_AUTH_NONE;
    cfg->authUnixRo = VIRTMIGD_AUTH_NONE;
    cfg->authTcp = VIRTMIGD_AUTH_SASL;
    cfg->authTls = VIRTMIGD_AUTH_NONE;
    return cfg;
}

void
virtmigdConfigFree(virtmigdConfig *cfg)
{
    if (!cfg)
        return;
    g_strfreev(cfg->listenTcp);
    g_strfreev(cfg->listenTls);
    g_free(cfg->caFile);
    g_free(cfg->certFile);
    g_free(cfg->keyFile);
    g_free(cfg->crlFile);
    g_strfreev(cfg->tlsAllowedDNList);
    g_free(cfg->tlsPriority);
    g_free(cfg->unixSockDir);
    g_free(cfg->unixSockGroup);
    g_free(cfg->migrationAddress);
    g_free(cfg->logFilters);
    g_free(cfg->logOutputs);
    g_free(cfg->migrateTLSx509CertDir);
    g_strfreev(cfg->saslAllowedUsernameList);
    g_free(cfg);
}

int
virtmigdParseListenAddress(const char *spec, char **addr, unsigned int *port)
{
    return virtmigdParseListenAddressPort(spec, VIRTMIGD_DEFAULT_TCP_PORT,
                                          addr, port);
}

int
virtmigdParseListenAddressPort(const char *spec, unsigned int defport,
                               char **addr, unsigned int *port)
{
    const char *portstr = NULL;
    g_autofree char *host = NULL;
    guint64 val;

    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');

        if (!end || (end[1] && end[1] != ':'))
            goto error;
        host = g_strndup(spec + 1, end - spec - 1);
        portstr = end[1] ? end + 2 : NULL;
    } else {
        const char *colon = strrchr(spec, ':');

        if (colon && strchr(spec, ':') != colon)
            goto error;  /* bare IPv6 needs brackets */
        host = colon ? g_strndup(spec, colon - spec) : g_strdup(spec);
        portstr = colon ? colon + 1 : NULL;
    }
    if (!*host)
        goto error;
    *port = defport;
    if (portstr) {
        if (!g_ascii_string_to_unsigned(portstr, 10, 1, 65535, &val, NULL))
            goto error;
        *port = val;
    }
    *addr = g_steal_pointer(&host);
    return 0;

 error:
    virReportError(VIR_ERR_CONF_SYNTAX,
                   _("invalid listen address '%1$s' (expected ADDR[:PORT])"),
                   spec);
    return -1;
}

static const char *const virtmigdConfigKeys[] = {
    "listen_tcp", "host_uuid", "migration_address", "migration_port_min",
    "migration_port_max", "log_level", "log_filters", "log_outputs",
    "job_wait_timeout", "keepalive_interval", "keepalive_count",
    "max_clients", "max_anonymous_clients", "anonymous_client_timeout",
    "max_workers", "prio_workers", "max_message_size", "postcopy_preempt",
    "listen_tls", "insecure_tcp_allowed", "ca_file", "cert_file", "key_file",
    "crl_file", "tls_no_verify_certificate", "tls_allowed_dn_list",
    "tls_priority", "unix_sock_dir", "unix_sock_group", "unix_sock_rw_perms",
    "unix_sock_ro_perms",
    "migrate_tls_x509_cert_dir", "migrate_tls_x509_verify", "migrate_tls_force",
    "auth_unix_rw", "auth_unix_ro", "auth_tcp",
    "auth_tls", "sasl_allowed_username_list",
    NULL,
};

const char *const *
virtmigdConfigKnownKeys(void)
{
    return virtmigdConfigKeys;
}

static int
virtmigdConfigCheckKeys(virConf *conf, const char *filename)
{
    const char *const *keys = virConfKeys(conf);
    size_t i;

    for (i = 0; keys[i]; i++) {
        if (!g_strv_contains(virtmigdConfigKeys, keys[i])) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("%1$s: unknown setting '%2$s'"), filename, keys[i]);
            return -1;
        }
    }
    return 0;
}

int
virtmigdCheckListenList(const char *const *list, unsigned int defport)
{
    size_t i;

    for (i = 0; list[i]; i++) {
        g_autofree char *addr = NULL;
        unsigned int port;

        if (virtmigdParseListenAddressPort(list[i], defport, &addr, &port) < 0)
            return -1;
    }
    return 0;
}

/* listen_tcp / listen_tls: a list of ADDR[:PORT], checked here. */
static int
virtmigdConfigLoadListenKey(virConf *conf, const char *key,
                            unsigned int defport, GStrv *out)
{
    g_auto(GStrv) list = NULL;
    int rc = virConfGetValueStringList(conf, key, &list);

    if (rc <= 0)
        return rc;
    if (virtmigdCheckListenList((const char *const *)list, defport) < 0)
        return -1;
    g_strfreev(*out);
    *out = g_steal_pointer(&list);
    return 0;
}

static int
virtmigdConfigLoadListen(virtmigdConfig *cfg, virConf *conf)
{
    if (virtmigdConfigLoadListenKey(conf, "listen_tcp", VIRTMIGD_DEFAULT_TCP_PORT,
                                    &cfg->listenTcp) < 0 ||
        virtmigdConfigLoadListenKey(conf, "listen_tls", VIRTMIGD_DEFAULT_TLS_PORT,
                                    &cfg->listenTls) < 0 ||
        virConfGetValueBool(conf, "insecure_tcp_allowed",
                            &cfg->insecureTcpAllowed) < 0)
        return -1;
    return 0;
}

static int
virtmigdConfigLoadTLS(virtmigdConfig *cfg, virConf *conf)
{
    if (virConfGetValueString(conf, "ca_file", &cfg->caFile) < 0 ||
        virConfGetValueString(conf, "cert_file", &cfg->certFile) < 0 ||
        virConfGetValueString(conf, "key_file", &cfg->keyFile) < 0 ||
        virConfGetValueString(conf, "crl_file", &cfg->crlFile) < 0 ||
        virConfGetValueBool(conf, "tls_no_verify_certificate",
                            &cfg->tlsNoVerifyCertificate) < 0 ||
        virConfGetValueStringList(conf, "tls_allowed_dn_list",
                                  &cfg->tlsAllowedDNList) < 0 ||
        virConfGetValueString(conf, "tls_priority", &cfg->tlsPriority) < 0)
        return -1;
    return 0;
}

/* unix_sock_*_perms are octal strings, as in libvirtd.conf. */
static int
virtmigdConfigLoadPerms(virConf *conf, const char *key, const char *filename,
                        unsigned int *perms)
{
    g_autofree char *str = NULL;
    guint64 val;
    int rc = virConfGetValueString(conf, key, &str);

    if (rc <= 0)
        return rc;
    if (!g_ascii_string_to_unsigned(str, 8, 0, 0777, &val, NULL)) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("%1$s: %2$s must be an octal mode like \"0770\", not '%3$s'"),
                       filename, key, str);
        return -1;
    }
    *perms = val;
    return 0;
}

static int
virtmigdConfigLoadSockets(virtmigdConfig *cfg, virConf *conf,
                          const char *filename)
{
    if (virConfGetValueString(conf, "unix_sock_dir", &cfg->unixSockDir) < 0 ||
        virConfGetValueString(conf, "unix_sock_group", &cfg->unixSockGroup) < 0 ||
        virtmigdConfigLoadPerms(conf, "unix_sock_rw_perms", filename,
                                &cfg->unixSockRwPerms) < 0 ||
        virtmigdConfigLoadPerms(conf, "unix_sock_ro_perms", filename,
                                &cfg->unixSockRoPerms) < 0)
        return -1;
    return 0;
}

/* auth_*: "none" or "sasl" (libvirtd's "polkit" is not implemented).
 * 1 if the key is set, 0 if not, -1 on error. */
static int
virtmigdConfigLoadAuthKey(virConf *conf, const char *key, const char *filename,
                          virtmigdAuth *auth)
{
    g_autofree char *str = NULL;
    int rc = virConfGetValueString(conf, key, &str);

    if (rc <= 0)
        return rc;
    if (g_str_equal(str, "none")) {
        *auth = VIRTMIGD_AUTH_NONE;
    } else if (g_str_equal(str, "sasl")) {
        *auth = VIRTMIGD_AUTH_SASL;
    } else {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("%1$s: %2$s must be \"none\" or \"sasl\", not '%3$s'"),
                       filename, key, str);
        return -1;
    }
    return 1;
}

static int
virtmigdConfigLoadAuth(virtmigdConfig *cfg, virConf *conf, const char *filename)
{
    int tcp;

    if (virtmigdConfigLoadAuthKey(conf, "auth_unix_rw", filename,
                                  &cfg->authUnixRw) < 0 ||
        virtmigdConfigLoadAuthKey(conf, "auth_unix_ro", filename,
                                  &cfg->authUnixRo) < 0 ||
        (tcp = virtmigdConfigLoadAuthKey(conf, "auth_tcp", filename,
                                         &cfg->authTcp)) < 0 ||
        virtmigdConfigLoadAuthKey(conf, "auth_tls", filename, &cfg->authTls) < 0 ||
        virConfGetValueStringList(conf, "sasl_allowed_username_list",
                                  &cfg->saslAllowedUsernameList) < 0)
        return -1;
    if (tcp > 0)
        cfg->authTcpSet = true;
    return 0;
}

virtmigdAuth
virtmigdConfigTCPAuth(const virtmigdConfig *cfg, bool loopback)
{
    if (!cfg->authTcpSet && loopback)
        return VIRTMIGD_AUTH_NONE;
    return cfg->authTcp;
}

static int
virtmigdConfigLoadHostUUID(virtmigdConfig *cfg, virConf *conf,
                           const char *filename)
{
    g_autofree char *str = NULL;
    int rc = virConfGetValueString(conf, "host_uuid", &str);

    if (rc <= 0)
        return rc;
    if (virUUIDParse(str, cfg->hostUUID) < 0 || virUUIDIsNull(cfg->hostUUID)) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("%1$s: invalid host_uuid '%2$s'"), filename, str);
        return -1;
    }
    cfg->hostUUIDSet = true;
    return 0;
}

static int
virtmigdConfigLoadLog(virtmigdConfig *cfg, virConf *conf, const char *filename)
{
    g_autofree char *level = NULL;

    if (virConfGetType(conf, "log_level") == VIR_CONF_STRING) {
        if (virConfGetValueString(conf, "log_level", &level) < 0)
            return -1;
    } else if (virConfGetValueInt(conf, "log_level", &cfg->logLevel) < 0) {
        return -1;
    }
    if (level && (cfg->logLevel = virLogParseLevel(level)) < 0) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("%1$s: invalid log_level '%2$s'"), filename, level);
        return -1;
    }
    if (cfg->logLevel < VIR_LOG_DEBUG || cfg->logLevel > VIR_LOG_ERROR) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("%1$s: log_level must be between 1 and 4"), filename);
        return -1;
    }
    if (virConfGetValueString(conf, "log_filters", &cfg->logFilters) < 0 ||
        virConfGetValueString(conf, "log_outputs", &cfg->logOutputs) < 0)
        return -1;
    return 0;
}

/* qemu.conf's keys for the migration stream over TLS */
static int
virtmigdConfigLoadMigrateTLS(virtmigdConfig *cfg, virConf *conf)
{
    if (virConfGetValueString(conf, "migrate_tls_x509_cert_dir",
                              &cfg->migrateTLSx509CertDir) < 0 ||
        virConfGetValueBool(conf, "migrate_tls_x509_verify",
                            &cfg->migrateTLSx509Verify) < 0 ||
        virConfGetValueBool(conf, "migrate_tls_force", &cfg->migrateTLSForce) < 0)
        return -1;
    return 0;
}

static int
virtmigdConfigLoadNumbers(virtmigdConfig *cfg, virConf *conf,
                          const char *filename)
{
    if (virConfGetValueUInt(conf, "migration_port_min", &cfg->migrationPortMin) < 0 ||
        virConfGetValueUInt(conf, "migration_port_max", &cfg->migrationPortMax) < 0 ||
        virConfGetValueUInt(conf, "job_wait_timeout", &cfg->jobWaitTimeout) < 0 ||
        virConfGetValueInt(conf, "keepalive_interval", &cfg->keepaliveInterval) < 0 ||
        virConfGetValueUInt(conf, "keepalive_count", &cfg->keepaliveCount) < 0 ||
        virConfGetValueUInt(conf, "max_clients", &cfg->maxClients) < 0 ||
        virConfGetValueUInt(conf, "max_anonymous_clients", &cfg->maxAnonymousClients) < 0 ||
        virConfGetValueUInt(conf, "anonymous_client_timeout",
                            &cfg->anonymousClientTimeout) < 0 ||
        virConfGetValueUInt(conf, "max_workers", &cfg->maxWorkers) < 0 ||
        virConfGetValueUInt(conf, "prio_workers", &cfg->prioWorkers) < 0 ||
        virConfGetValueUInt(conf, "max_message_size", &cfg->maxMessageSize) < 0 ||
        virConfGetValueBool(conf, "postcopy_preempt", &cfg->postcopyPreempt) < 0)
        return -1;

    if (cfg->migrationPortMin == 0 || cfg->migrationPortMax > 65535 ||
        cfg->migrationPortMin > cfg->migrationPortMax) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("%1$s: invalid migration port range %2$u-%3$u"),
                       filename, cfg->migrationPortMin, cfg->migrationPortMax);
        return -1;
    }
    if (cfg->maxWorkers == 0 || cfg->maxClients == 0) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("%1$s: max_workers and max_clients must be positive"),
                       filename);
        return -1;
    }
    return 0;
}

int
virtmigdConfigLoadString(virtmigdConfig *cfg, const char *content,
                         const char *filename)
{
    g_autoptr(virConf) conf = NULL;

    virResetLastError();
    if (!(conf = virConfReadString(content, filename)))
        return -1;
    if (virtmigdConfigCheckKeys(conf, filename) < 0 ||
        virtmigdConfigLoadListen(cfg, conf) < 0 ||
        virtmigdConfigLoadTLS(cfg, conf) < 0 ||
        virtmigdConfigLoadSockets(cfg, conf, filename) < 0 ||
        virtmigdConfigLoadAuth(cfg, conf, filename) < 0 ||
        virtmigdConfigLoadHostUUID(cfg, conf, filename) < 0 ||
        virConfGetValueString(conf, "migration_address",
                              &cfg->migrationAddress) < 0 ||
        virtmigdConfigLoadLog(cfg, conf, filename) < 0 ||
        virtmigdConfigLoadNumbers(cfg, conf, filename) < 0 ||
        virtmigdConfigLoadMigrateTLS(cfg, conf) < 0)
        return -1;
    return 0;
}

int
virtmigdConfigLoadFile(virtmigdConfig *cfg, const char *path)
{
    g_autofree char *data = NULL;

    if (virFileReadAll(path, 1024 * 1024, &data) < 0)
        return -1;
    return virtmigdConfigLoadString(cfg, data, path);
}
