/*
 * rpcdispatchtest.c: the remote program's procedure table
 *
 * The table is generated from src/rpc/remote_protocol.x
 * (gendispatch.py).  It must be sorted (it is searched with bsearch),
 * hold every procedure of the protocol's enum but the event messages,
 * agree with libvirt 9.0's own table (rpcdata/libvirt-9.0-procs.txt:
 * the same priorities, and argument and result structures of the same
 * size, a cheap check of their layout) and mark exactly the procedures
 * of rpcdata/readonly-procs.txt read-only-safe.
 */
#include <stdio.h>
#include <string.h>

#include "testutils.h"
#include "remote_dispatch.h"

static void
testTableSorted(void)
{
    size_t n;
    const virNetServerProc *procs = remoteDispatchGetProcs(&n);

    g_assert_cmpuint(n, >, 50);
    g_assert_true(virNetServerProcsSorted(procs, n));
}

static const virNetServerProc *
testFindProc(int number)
{
    size_t n;
    const virNetServerProc *procs = remoteDispatchGetProcs(&n);
    size_t i;

    for (i = 0; i < n; i++) {
        if (procs[i].proc == number)
            return &procs[i];
    }
    return NULL;
}

/* Every procedure of the enum of remote_protocol.x is in the table,
 * except the event messages ("event" comments). */
static void
testTableMatchesProtocol(void)
{
    const char *srcdir = g_getenv("VIRTMIG_SOURCE_DIR");
    g_autofree char *path = g_build_filename(srcdir ? srcdir : "..", "src", "rpc",
                                             "remote_protocol.x", NULL);
    g_autofree char *text = virTestLoadFile(path);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    bool event = false;
    size_t found = 0;
    size_t n;
    size_t i;

    remoteDispatchGetProcs(&n);
    for (i = 0; lines[i]; i++) {
        const virNetServerProc *proc;
        char name[128];
        int number;

        if (strstr(lines[i], "/** event */"))
            event = true;
        if (sscanf(lines[i], " REMOTE_PROC_%127[A-Z0-9_] = %d", name, &number) != 2)
            continue;
        proc = testFindProc(number);
        if (event) {
            if (proc)
                g_error("event message %s is in the table", name);
        } else {
            if (!proc)
                g_error("procedure %s (%d) is not in the table", name, number);
            g_assert_cmpstr(proc->name, ==, name);
            g_assert_nonnull(proc->func);
            g_assert_nonnull(proc->api);
            found++;
        }
        event = false;
    }
    g_assert_cmpuint(found, ==, n);
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

/* The table's read-only markings, as rpcdata/readonly-procs.txt words
 * them: "NUMBER NAME allow" or "NUMBER NAME deny API". */
static char *
testReadonlyLine(const virNetServerProc *proc)
{
    if (proc->readonly)
        return g_strdup_printf("%d %s allow", proc->proc, proc->name);
    return g_strdup_printf("%d %s deny %s", proc->proc, proc->name, proc->api);
}

static void
testReadonlyMarkings(void)
{
    g_autofree char *text = virTestLoadFile("rpcdata/readonly-procs.txt");
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    size_t n;
    const virNetServerProc *procs = remoteDispatchGetProcs(&n);
    size_t next = 0;
    size_t i;

    for (i = 0; lines[i]; i++) {
        g_autofree char *actual = NULL;

        if (lines[i][0] == '#' || lines[i][0] == '\0')
            continue;
        if (next == n)
            g_error("readonly-procs.txt lists more than the table: %s", lines[i]);
        actual = testReadonlyLine(&procs[next++]);
        g_assert_cmpstr(actual, ==, lines[i]);
    }
    g_assert_cmpuint(next, ==, n);
}

/* A guard on the data file itself: what changes a domain, or reads its
 * memory, is never allowed read-only (libvirt 9.0 lets read-only
 * connections read the two migration tunables below). */
static void
testReadonlyModifiersDenied(void)
{
    size_t n;
    const virNetServerProc *procs = remoteDispatchGetProcs(&n);
    size_t i;

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
                        g_str_equal(name, "DOMAIN_MEMORY_PEEK") ||
                        g_str_has_prefix(name, "DOMAIN_MIGRATE_");
        bool readable = g_str_equal(name, "DOMAIN_MIGRATE_GET_MAX_DOWNTIME") ||
                        g_str_equal(name, "DOMAIN_MIGRATE_GET_COMPRESSION_CACHE");

        if (modifies && !readable && procs[i].readonly)
            g_error("%s is allowed on read-only connections", name);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/dispatch/sorted", testTableSorted);
    g_test_add_func("/rpc/dispatch/protocol", testTableMatchesProtocol);
    g_test_add_func("/rpc/dispatch/libvirt", testTableMatchesLibvirt);
    g_test_add_func("/rpc/dispatch/readonly", testReadonlyMarkings);
    g_test_add_func("/rpc/dispatch/readonly-modifiers", testReadonlyModifiersDenied);
    return g_test_run();
}
