/*
 * virfilesystemtest.c: which file systems count as shared storage
 */
#include <glib/gstdio.h>

#include "testutils.h"
#include "virerror.h"
#include "virfilesystem.h"

static void
testClassify(void)
{
    static const struct {
        unsigned long long magic;
        const char *mountType;
        virFileSystemKind kind;
        const char *name;
    } cases[] = {
        { 0x6969, NULL, VIR_FILE_SYSTEM_SHARED, "nfs" },
        { 0xFF534D42, NULL, VIR_FILE_SYSTEM_SHARED, "cifs" },
        { 0xFE534D42, NULL, VIR_FILE_SYSTEM_SHARED, "smb2" },
        { 0x01161970, NULL, VIR_FILE_SYSTEM_CLUSTER, "gfs2" },
        { 0x7461636F, NULL, VIR_FILE_SYSTEM_CLUSTER, "ocfs2" },
        { 0x00C36400, NULL, VIR_FILE_SYSTEM_CLUSTER, "ceph" },
        { 0x65735546, "fuse.glusterfs", VIR_FILE_SYSTEM_SHARED, "fuse.glusterfs" },
        { 0x65735546, "fuse.sshfs", VIR_FILE_SYSTEM_LOCAL, NULL },
        { 0x65735546, NULL, VIR_FILE_SYSTEM_LOCAL, NULL },
        { 0xEF53, NULL, VIR_FILE_SYSTEM_LOCAL, NULL },          /* ext4 */
        { 0x01021994, NULL, VIR_FILE_SYSTEM_LOCAL, NULL },      /* tmpfs */
        { 0x58465342, "nfs", VIR_FILE_SYSTEM_LOCAL, NULL },     /* xfs: the
                                                                 * magic decides */
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *name = "unset";

        g_assert_cmpint(virFileSystemClassify(cases[i].magic, cases[i].mountType,
                                              &name), ==, cases[i].kind);
        g_assert_cmpstr(name, ==, cases[i].name);
    }
}

/* This machine's test directories are local; a file that does not
 * exist yet is judged by its directory; a path through a file fails. */
static void
testLocalPaths(void)
{
    g_autofree char *dir = g_dir_make_tmp("virfilesystemtest-XXXXXX", NULL);
    g_autofree char *missing = g_build_filename(dir, "not", "yet", "disk.img", NULL);
    virFileSystemKind kind = VIR_FILE_SYSTEM_SHARED;
    const char *name = "unset";

    g_assert_nonnull(dir);
    g_assert_cmpint(virFileSystemOf(dir, &kind, &name), ==, 0);
    g_assert_cmpint(kind, ==, VIR_FILE_SYSTEM_LOCAL);
    g_assert_null(name);
    kind = VIR_FILE_SYSTEM_SHARED;
    g_assert_cmpint(virFileSystemOf(missing, &kind, &name), ==, 0);
    g_assert_cmpint(kind, ==, VIR_FILE_SYSTEM_LOCAL);
    g_assert_cmpint(virFileSystemOf("/proc/self/status", &kind, &name), ==, 0);
    g_assert_cmpint(kind, ==, VIR_FILE_SYSTEM_LOCAL);
    g_assert_cmpint(virFileSystemOf("/proc/self/status/disk.img", &kind, &name), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_SYSTEM_ERROR);
    virResetLastError();
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/filesystem/classify", testClassify);
    g_test_add_func("/filesystem/local-paths", testLocalPaths);
    return g_test_run();
}
