/*
 * rpcreadonlytest.c: read-only access to every procedure of the table
 *
 * Read-only access is fail-closed: a read-only connection (the
 * read-only socket, or VIR_CONNECT_RO in CONNECT_OPEN) may call only
 * the procedures rpcdata/readonly-procs.txt allows; every other one is
 * refused as libvirt 9.0 refuses it (VIR_ERR_OPERATION_DENIED, domain
 * VIR_FROM_DOMAIN, "operation forbidden: read only access prevents
 * API").  Each procedure is called on a fresh connection with no
 * arguments: the access check comes before the arguments are decoded,
 * so an allowed procedure fails (if at all) for another reason.
 */
#include <stdio.h>

#include "testutils.h"
#include "rpctestserver.h"

/* number -> the API named when refused, or "" when allowed */
static GHashTable *
testLoadExpectations(void)
{
    g_autofree char *text = virTestLoadFile("rpcdata/readonly-procs.txt");
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GHashTable *expect = g_hash_table_new_full(g_direct_hash, g_direct_equal,
                                               NULL, g_free);
    size_t i;

    for (i = 0; lines[i]; i++) {
        char name[128];
        char verdict[16];
        char api[128] = "";
        int number;

        if (lines[i][0] == '#' || lines[i][0] == '\0')
            continue;
        if (sscanf(lines[i], "%d %127s %15s %127s", &number, name, verdict, api) < 3)
            g_error("readonly-procs.txt line %zu: %s", i + 1, lines[i]);
        g_hash_table_insert(expect, GINT_TO_POINTER(number), g_strdup(api));
    }
    return expect;
}

/* Calls @proc with no arguments on a new connection to @path (opened
 * with @flags); the error of the answer, or NULL if it succeeded. */
static virError *
testCallBare(const char *path, unsigned int flags, int proc)
{
    g_autoptr(rpcTestClient) client = rpcTestOpen(path, flags);
    unsigned int serial = rpcTestClientSendCall(client, proc, TEST_VOID, NULL);
    g_autoptr(virNetMessage) reply = rpcTestClientWaitReply(client, serial,
                                                            RPC_TEST_TIMEOUT_MS);

    if (!reply)
        g_error("procedure %d: no answer", proc);
    if (reply->header.status == VIR_NET_OK)
        return NULL;
    return virNetMessageDecodeError(reply);
}

/* A read-only connection: refused exactly when @api is not empty. */
static void
testCheckReadonly(const virNetServerProc *proc, const char *path,
                  unsigned int flags, const char *api)
{
    g_autoptr(virError) err = testCallBare(path, flags, proc->proc);
    bool denied = err && err->code == VIR_ERR_OPERATION_DENIED;
    g_autofree char *message = NULL;

    if (!*api) {
        if (denied)
            g_error("%s refused read-only: %s", proc->name, err->message);
        return;
    }
    if (!denied)
        g_error("%s allowed read-only (%s)", proc->name,
                err ? err->message : "it succeeded");
    message = g_strdup_printf("operation forbidden: read only access prevents %s", api);
    g_assert_cmpstr(err->message, ==, message);
    g_assert_cmpint(err->domain, ==, VIR_FROM_DOMAIN);
    g_assert_cmpint(err->level, ==, VIR_ERR_ERROR);
}

static void
testEveryProcedure(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    g_autoptr(GHashTable) expect = testLoadExpectations();
    size_t n;
    const virNetServerProc *procs = remoteDispatchGetProcs(&n);
    size_t denied = 0;
    size_t i;

    g_assert_cmpuint(g_hash_table_size(expect), ==, n);
    for (i = 0; i < n; i++) {
        const char *api = g_hash_table_lookup(expect, GINT_TO_POINTER(procs[i].proc));
        g_autoptr(virError) rwErr = NULL;

        if (!api)
            g_error("%s is not in readonly-procs.txt", procs[i].name);
        testCheckReadonly(&procs[i], ts->ro, 0, api);
        testCheckReadonly(&procs[i], ts->rw, TEST_CONNECT_RO, api);
        /* and the refusals are for read-only reasons only */
        rwErr = testCallBare(ts->rw, 0, procs[i].proc);
        if (rwErr && rwErr->code == VIR_ERR_OPERATION_DENIED)
            g_error("%s refused read-write: %s", procs[i].name, rwErr->message);
        denied += *api != '\0';
    }
    g_test_message("%zu procedures, %zu refused read-only", n, denied);
    g_assert_cmpuint(denied, >, 0);
    g_assert_cmpuint(denied, <, n);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/readonly/every-procedure", testEveryProcedure);
    return g_test_run();
}
