/*
 * virconftest.c: the daemon configuration file.
 *
 * Each virconfdata/NAME.conf is loaded over the defaults; the result (the
 * effective settings, or the error code and message) must equal
 * virconfdata/NAME.out.
 */
#include "testutils.h"
#include "virerror.h"
#include "viruuid.h"
#include "../src/daemon/virtmigd_config.h"

static const char *
testAuthName(virtmigdAuth auth)
{
    return auth == VIRTMIGD_AUTH_SASL ? "sasl" : "none";
}

/* The auth_* keys, when they differ from the defaults (older .out
 * files have none). */
static void
testConfigDumpAuth(GString *out, const virtmigdConfig *cfg)
{
    size_t i;

    if (cfg->authUnixRw == VIRTMIGD_AUTH_NONE &&
        cfg->authUnixRo == VIRTMIGD_AUTH_NONE && !cfg->authTcpSet &&
        cfg->authTls == VIRTMIGD_AUTH_NONE && !cfg->saslAllowedUsernameList)
        return;
    g_string_append_printf(out, "auth unix_rw/unix_ro/tls = %s/%s/%s\n",
                           testAuthName(cfg->authUnixRw),
                           testAuthName(cfg->authUnixRo),
                           testAuthName(cfg->authTls));
    g_string_append_printf(out, "auth_tcp = %s (loopback %s)\n",
                           testAuthName(virtmigdConfigTCPAuth(cfg, false)),
                           testAuthName(virtmigdConfigTCPAuth(cfg, true)));
    if (!cfg->saslAllowedUsernameList) {
        g_string_append(out, "sasl_allowed_username_list = (anyone)\n");
        return;
    }
    g_string_append(out, "sasl_allowed_username_list =");
    for (i = 0; cfg->saslAllowedUsernameList[i]; i++)
        g_string_append_printf(out, " '%s'", cfg->saslAllowedUsernameList[i]);
    g_string_append(out, "\n");
}

static char *
testConfigDump(const virtmigdConfig *cfg)
{
    GString *out = g_string_new(NULL);
    char uuid[VIR_UUID_STRING_BUFLEN];
    size_t i;

    for (i = 0; cfg->listenTcp[i]; i++)
        g_string_append_printf(out, "listen_tcp = %s\n", cfg->listenTcp[i]);
    if (cfg->hostUUIDSet)
        g_string_append_printf(out, "host_uuid = %s\n",
                               virUUIDFormat(cfg->hostUUID, uuid));
    g_string_append_printf(out, "migration_address = %s\n",
                           cfg->migrationAddress ? cfg->migrationAddress : "(auto)");
    g_string_append_printf(out, "migration_ports = %u-%u\n",
                           cfg->migrationPortMin, cfg->migrationPortMax);
    g_string_append_printf(out, "log_level = %d\n", cfg->logLevel);
    g_string_append_printf(out, "log_filters = %s\n",
                           cfg->logFilters ? cfg->logFilters : "");
    g_string_append_printf(out, "log_outputs = %s\n",
                           cfg->logOutputs ? cfg->logOutputs : "");
    g_string_append_printf(out, "job_wait_timeout = %u\n", cfg->jobWaitTimeout);
    g_string_append_printf(out, "keepalive = %d/%u\n",
                           cfg->keepaliveInterval, cfg->keepaliveCount);
    g_string_append_printf(out, "clients/workers/prio = %u/%u/%u\n",
                           cfg->maxClients, cfg->maxWorkers, cfg->prioWorkers);
    g_string_append_printf(out, "anonymous clients/timeout = %u/%u\n",
                           cfg->maxAnonymousClients, cfg->anonymousClientTimeout);
    g_string_append_printf(out, "max_message_size = %u\n", cfg->maxMessageSize);
    g_string_append_printf(out, "postcopy_preempt = %d\n", cfg->postcopyPreempt);
    g_string_append_printf(out, "migrate_tls = %s verify=%d force=%d\n",
                           cfg->migrateTLSx509CertDir ? cfg->migrateTLSx509CertDir
                                                      : "(ROOT/etc/pki/qemu)",
                           cfg->migrateTLSx509Verify, cfg->migrateTLSForce);
    testConfigDumpAuth(out, cfg);
    return g_string_free(out, FALSE);
}

static void
testConfigFile(gconstpointer data)
{
    const char *name = data;
    g_autofree char *in = g_strdup_printf("virconfdata/%s.conf", name);
    g_autofree char *outpath = g_strdup_printf("virconfdata/%s.out", name);
    g_autofree char *content = virTestLoadFile(in);
    g_autoptr(virtmigdConfig) cfg = virtmigdConfigNew();
    g_autofree char *actual = NULL;

    if (virtmigdConfigLoadString(cfg, content, name) < 0) {
        actual = g_strdup_printf("error %d: %s\n", virGetLastErrorCode(),
                                 virGetLastErrorMessage());
    } else {
        actual = testConfigDump(cfg);
    }
    g_assert_true(virTestCompareToFile(actual, outpath));
}

static void
testListenAddress(void)
{
    g_autofree char *addr = NULL;
    unsigned int port = 0;

    g_assert_cmpint(virtmigdParseListenAddress("127.0.0.2", &addr, &port), ==, 0);
    g_assert_cmpstr(addr, ==, "127.0.0.2");
    g_assert_cmpuint(port, ==, 16509);
    g_clear_pointer(&addr, g_free);
    g_assert_cmpint(virtmigdParseListenAddress("[::1]:1234", &addr, &port), ==, 0);
    g_assert_cmpstr(addr, ==, "::1");
    g_assert_cmpuint(port, ==, 1234);
    g_clear_pointer(&addr, g_free);
    g_assert_cmpint(virtmigdParseListenAddress("127.0.0.2:0", &addr, &port), ==, -1);
    g_assert_cmpint(virtmigdParseListenAddress("::1", &addr, &port), ==, -1);
    g_assert_cmpint(virtmigdParseListenAddress(":99", &addr, &port), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_CONF_SYNTAX);
}

static void
testPaths(void)
{
    g_autoptr(virtmigdPaths) p = virtmigdPathsNew("/tmp/hostA");

    g_assert_cmpstr(p->socketPath, ==, "/tmp/hostA/run/virtmigd-sock");
    g_assert_cmpstr(p->socketPathRO, ==, "/tmp/hostA/run/virtmigd-sock-ro");
    g_assert_cmpstr(p->configFile, ==, "/tmp/hostA/etc/virtmig/virtmigd.conf");
    g_assert_cmpstr(p->domainConfigDir, ==, "/tmp/hostA/etc/virtmig/qemu");
    g_assert_cmpstr(p->stateDir, ==, "/tmp/hostA/run/virtmig/qemu");
    g_assert_cmpstr(p->pidFile, ==, "/tmp/hostA/run/virtmigd.pid");
    g_assert_cmpstr(p->migrateTLSDir, ==, "/tmp/hostA/etc/pki/qemu");
    g_assert_cmpstr(p->saslConfDir, ==, "/tmp/hostA/etc/sasl2");
}

int
main(int argc, char **argv)
{
    g_auto(GStrv) files = NULL;
    size_t i;

    g_test_init(&argc, &argv, NULL);
    files = virTestListFiles("virconfdata", ".conf");
    g_assert_cmpuint(g_strv_length(files), >=, 8);
    for (i = 0; files[i]; i++) {
        g_autofree char *testname = NULL;
        char *name = g_strndup(files[i], strlen(files[i]) - 5);

        testname = g_strdup_printf("/config/%s", name);
        g_test_add_data_func_full(testname, name, testConfigFile, g_free);
    }
    g_test_add_func("/config/listen-address", testListenAddress);
    g_test_add_func("/config/paths", testPaths);
    return g_test_run();
}
