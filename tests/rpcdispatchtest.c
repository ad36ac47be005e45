/*
 * rpcdispatchtest.c: the remote program's procedure table
 *
 * The table must be sorted (it is searched with bsearch) and agree with
 * the annotations of src/rpc/remote_protocol.x: procedure names and
 * numbers, "@priority: high" (runs on the priority workers) and
 * "@readonly: API" (refused on read-only connections naming API).  It
 * must also agree with libvirt 9.0's own table
 * (rpcdata/libvirt-9.0-procs.txt): the same priorities, and argument and
 * result structures of the same size (a cheap check of their layout).
 */
#include <stdio.h>
#include <string.h>

#include "testutils.h"
#include "remote_dispatch.h"

typedef struct {
    char *name;          /* without REMOTE_PROC_ */
    int number;
    bool high;
    char *readonlyApi;
} testProcAnnotation;

static void
testProcAnnotationFree(gpointer data)
{
    testProcAnnotation *a = data;

    g_free(a->name);
    g_free(a->readonlyApi);
    g_free(a);
}

/* The "@readonly: NAME" of @comment, or NULL. */
static char *
testReadonlyApi(const char *comment)
{
    const char *p = strstr(comment, "@readonly:");
    const char *end;

    if (!p)
        return NULL;
    p += strlen("@readonly:");
    while (*p == ' ')
        p++;
    end = p;
    while (g_ascii_isalnum(*end))
        end++;
    return g_strndup(p, end - p);
}

/* number -> annotation, from the enum of remote_protocol.x */
static GHashTable *
testParseProtocol(void)
{
    const char *srcdir = g_getenv("VIRTMIG_SOURCE_DIR");
    g_autofree char *path = g_build_filename(srcdir ? srcdir : "..", "src", "rpc",
                                             "remote_protocol.x", NULL);
    g_autofree char *text = virTestLoadFile(path);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GHashTable *procs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                              testProcAnnotationFree);
    const char *comment = "";
    size_t i;

    for (i = 0; lines[i]; i++) {
        g_autofree char *line = g_strstrip(g_strdup(lines[i]));
        testProcAnnotation *a;
        char name[128];
        int number;

        if (g_str_has_prefix(line, "/**")) {
            comment = lines[i];
            continue;
        }
        if (sscanf(line, "REMOTE_PROC_%127[A-Z0-9_] = %d", name, &number) != 2)
            continue;
        a = g_new0(testProcAnnotation, 1);
        a->name = g_strdup(name);
        a->number = number;
        a->high = strstr(comment, "@priority: high") != NULL;
        a->readonlyApi = testReadonlyApi(comment);
        g_hash_table_insert(procs, GINT_TO_POINTER(number), a);
        comment = "";
    }
    return procs;
}

static void
testTableSorted(void)
{
    size_t n;
    const virNetServerProc *procs = remoteDispatchGetProcs(&n);

    g_assert_cmpuint(n, >, 50);
    g_assert_true(virNetServerProcsSorted(procs, n));
}

static void
testTableMatchesProtocol(void)
{
    g_autoptr(GHashTable) annotations = testParseProtocol();
    size_t n;
    const virNetServerProc *procs = remoteDispatchGetProcs(&n);
    size_t i;

    g_assert_cmpuint(g_hash_table_size(annotations), >, n);
    for (i = 0; i < n; i++) {
        testProcAnnotation *a = g_hash_table_lookup(annotations,
                                                    GINT_TO_POINTER(procs[i].proc));

        if (!a)
            g_error("procedure %d (%s) is not in remote_protocol.x",
                    procs[i].proc, procs[i].name);
        g_assert_cmpstr(procs[i].name, ==, a->name);
        if (procs[i].highPriority != a->high)
            g_error("%s: priority differs from remote_protocol.x", a->name);
        g_assert_cmpstr(procs[i].readonlyApi, ==, a->readonlyApi);
        g_assert_nonnull(procs[i].func);
        g_assert_nonnull(procs[i].argsFilter);
        g_assert_nonnull(procs[i].retFilter);
    }
}

typedef struct {
    size_t argsLen;
    size_t retLen;
    bool high;
} testLibvirtProc;

/* number -> testLibvirtProc, from rpcdata/libvirt-9.0-procs.txt */
static GHashTable *
testParseLibvirtTable(void)
{
    g_autofree char *text = virTestLoadFile("rpcdata/libvirt-9.0-procs.txt");
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GHashTable *procs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                              g_free);
    size_t i;

    for (i = 0; lines[i]; i++) {
        testLibvirtProc *p;
        int number;
        size_t argsLen;
        size_t retLen;
        int high;

        if (lines[i][0] == '#' || lines[i][0] == '\0')
            continue;
        if (sscanf(lines[i], "%d %zu %zu %d", &number, &argsLen, &retLen, &high) != 4)
            g_error("libvirt-9.0-procs.txt line %zu: %s", i + 1, lines[i]);
        p = g_new0(testLibvirtProc, 1);
        p->argsLen = argsLen;
        p->retLen = retLen;
        p->high = high == 1;
        g_hash_table_insert(procs, GINT_TO_POINTER(number), p);
    }
    return procs;
}

static void
testTableMatchesLibvirt(void)
{
    g_autoptr(GHashTable) libvirt = testParseLibvirtTable();
    size_t n;
    const virNetServerProc *procs = remoteDispatchGetProcs(&n);
    size_t i;

    g_assert_cmpuint(g_hash_table_size(libvirt), ==, 443);
    for (i = 0; i < n; i++) {
        testLibvirtProc *p = g_hash_table_lookup(libvirt,
                                                 GINT_TO_POINTER(procs[i].proc));

        if (!p)
            g_error("%s: not a libvirt 9.0 procedure", procs[i].name);
        if (procs[i].highPriority != p->high)
            g_error("%s: priority differs from libvirt 9.0", procs[i].name);
        if (procs[i].argsLen != p->argsLen || procs[i].retLen != p->retLen)
            g_error("%s: structures of %zu / %zu bytes, libvirt's %zu / %zu",
                    procs[i].name, procs[i].argsLen, procs[i].retLen,
                    p->argsLen, p->retLen);
    }
}

static void
testReadonlyComplete(void)
{
    size_t n;
    const virNetServerProc *procs = remoteDispatchGetProcs(&n);
    size_t i;

    /* every procedure that changes a domain is refused read-only */
    for (i = 0; i < n; i++) {
        const char *name = procs[i].name;
        bool modifies = g_str_has_prefix(name, "DOMAIN_CREATE") ||
                        g_str_has_prefix(name, "DOMAIN_DEFINE") ||
                        g_str_has_prefix(name, "DOMAIN_UNDEFINE") ||
                        g_str_has_prefix(name, "DOMAIN_DESTROY") ||
                        g_str_has_prefix(name, "DOMAIN_SHUTDOWN") ||
                        g_str_equal(name, "DOMAIN_SUSPEND") ||
                        g_str_equal(name, "DOMAIN_RESUME") ||
                        g_str_has_prefix(name, "DOMAIN_ABORT_JOB") ||
                        /* guest memory is private: libvirt refuses it too */
                        g_str_equal(name, "DOMAIN_MEMORY_PEEK") ||
                        g_str_has_prefix(name, "DOMAIN_MIGRATE_");
        /* libvirt 9.0 lets read-only connections read these two */
        bool readable = g_str_equal(name, "DOMAIN_MIGRATE_GET_MAX_DOWNTIME") ||
                        g_str_equal(name, "DOMAIN_MIGRATE_GET_COMPRESSION_CACHE");

        modifies = modifies && !readable;

        if (modifies && !procs[i].readonlyApi)
            g_error("%s is allowed on read-only connections", name);
        if (!modifies && procs[i].readonlyApi)
            g_error("%s is refused on read-only connections", name);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/dispatch/sorted", testTableSorted);
    g_test_add_func("/rpc/dispatch/protocol", testTableMatchesProtocol);
    g_test_add_func("/rpc/dispatch/libvirt", testTableMatchesLibvirt);
    g_test_add_func("/rpc/dispatch/readonly", testReadonlyComplete);
    return g_test_run();
}
