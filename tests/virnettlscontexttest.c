/*
 * virnettlscontexttest.c: the TLS credentials a daemon or a client
 * starts with (virnettlscontext.c), with the certificates of
 * tests/rpcdata/pki (tools/virtmig-certs.sh): what is accepted, and the
 * start-up refusals that name the problem instead of failing every
 * connection later.  Handshakes and peer checks are in rpcclienttest
 * and the end-to-end TLS tests.
 */
#include <string.h>

#include "testutils.h"
#include "virerror.h"
#include "virnettlscontext.h"

typedef struct {
    const char *name;
    bool server;
    const char *ca;
    const char *cert;
    const char *key;
    const char *priority;
    const char *error;          /* NULL: the context is made */
} testTLSCase;

static const testTLSCase testCases[] = {
    { "server", true, "server/cacert.pem", "server/servercert.pem",
      "server/serverkey.pem", NULL, NULL },
    { "client", false, "client/cacert.pem", "client/clientcert.pem",
      "client/clientkey.pem", NULL, NULL },
    { "priority", true, "server/cacert.pem", "server/servercert.pem",
      "server/serverkey.pem", "SECURE256:-VERS-TLS1.2", NULL },
    { "key-mismatch", true, "server/cacert.pem", "server/servercert.pem",
      "client/clientkey.pem", NULL, "Unable to set x509 key and certificate" },
    { "other-ca", false, "server/cacert.pem", "eve/clientcert.pem",
      "eve/clientkey.pem", NULL, "is not signed by the CA" },
    { "client-cert-as-server", true, "server/cacert.pem", "client/clientcert.pem",
      "client/clientkey.pem", NULL, "is not allowed for a TLS server" },
    { "server-cert-as-client", false, "server/cacert.pem", "server/servercert.pem",
      "server/serverkey.pem", NULL, "is not allowed for a TLS client" },
    { "ca-as-cert", true, "server/cacert.pem", "server/cacert.pem",
      "server/serverkey.pem", NULL, "is a CA certificate" },
    { "missing", true, "server/cacert.pem", "server/nonexistent.pem",
      "server/serverkey.pem", NULL, "Cannot access TLS file" },
    { "bad-priority", true, "server/cacert.pem", "server/servercert.pem",
      "server/serverkey.pem", "NORMAL:+NO-SUCH-THING", "Invalid TLS priority string" },
};

static char *
testPKIPath(const char *rel)
{
    g_autofree char *path = g_strdup_printf("rpcdata/pki/%s", rel);

    return virTestSrcPath(path);
}

static void
testContext(gconstpointer opaque)
{
    const testTLSCase *tc = opaque;
    g_autofree char *ca = testPKIPath(tc->ca);
    g_autofree char *cert = testPKIPath(tc->cert);
    g_autofree char *key = testPKIPath(tc->key);
    virNetTLSConfig cfg = {
        .caFile = ca, .certFile = cert, .keyFile = key,
        .priority = tc->priority, .verifyPeer = true,
    };
    g_autoptr(virNetTLSContext) ctx = tc->server ? virNetTLSContextNewServer(&cfg)
                                                 : virNetTLSContextNewClient(&cfg);

    if (!tc->error) {
        if (!ctx)
            g_error("%s: %s", tc->name, virGetLastErrorMessage());
        return;
    }
    g_assert_null(ctx);
    if (!strstr(virGetLastErrorMessage(), tc->error))
        g_error("%s: expected '%s', got '%s'", tc->name, tc->error,
                virGetLastErrorMessage());
    virResetLastError();
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < G_N_ELEMENTS(testCases); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/tls/context/%s",
                                                testCases[i].name);

        g_test_add_data_func(path, &testCases[i], testContext);
    }
    return g_test_run();
}
