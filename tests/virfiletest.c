/*
 * virfiletest.c: atomic replace, bounded reads, pidfile locking
 */
#include <unistd.h>
#include <sys/wait.h>

#include "testutils.h"
#include "virerror.h"
#include "virfile.h"

static char *
testTmpDir(void)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp("virfiletest-XXXXXX", &err);

    g_assert_no_error(err);
    return dir;
}

static void
testAtomicWrite(void)
{
    g_autofree char *dir = testTmpDir();
    g_autofree char *path = g_build_filename(dir, "a/b/state.xml", NULL);
    g_autofree char *parent = g_path_get_dirname(path);
    g_autofree char *data = NULL;
    g_autoptr(GDir) d = NULL;
    const char *name;
    size_t n = 0;

    g_assert_cmpint(virFileMakePath(parent, 0755), ==, 0);
    g_assert_cmpint(virFileWriteAtomic(path, "one", 3, 0600), ==, 0);
    g_assert_cmpint(virFileWriteAtomic(path, "second", 6, 0600), ==, 0);
    g_assert_cmpint(virFileReadAll(path, 100, &data), ==, 6);
    g_assert_cmpstr(data, ==, "second");
    g_clear_pointer(&data, g_free);
    /* too large for the limit */
    g_assert_cmpint(virFileReadAll(path, 3, &data), ==, -1);
    g_assert_null(data);
    /* no temporary file left behind */
    d = g_dir_open(parent, 0, NULL);
    while ((name = g_dir_read_name(d)))
        n++;
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpint(virFileRemove(path), ==, 0);
    g_assert_cmpint(virFileRemove(path), ==, 0);
    g_assert_false(virFileExists(path));
    /* writing into a missing directory fails with an error */
    g_assert_cmpint(virFileWriteAtomic("/nonexistent-dir/x", "x", 1, 0600), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_SYSTEM_ERROR);
}

static void
testPidFile(void)
{
    g_autofree char *dir = testTmpDir();
    g_autofree char *path = g_build_filename(dir, "d.pid", NULL);
    pid_t child, readpid = 0;
    int fd, status;

    fd = virPidFileAcquire(path, getpid());
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(virPidFileRead(path, &readpid), ==, 0);
    g_assert_cmpint(readpid, ==, getpid());

    /* reading the pid file must not drop the lock; another process is refused */
    child = fork();
    if (child == 0)
        _exit(virPidFileAcquire(path, getpid()) < 0 ? 0 : 1);
    g_assert_cmpint(waitpid(child, &status, 0), ==, child);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    close(fd);
    child = fork();
    if (child == 0)
        _exit(virPidFileAcquire(path, getpid()) >= 0 ? 0 : 1);
    g_assert_cmpint(waitpid(child, &status, 0), ==, child);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/file/atomic-write", testAtomicWrite);
    g_test_add_func("/file/pidfile", testPidFile);
    return g_test_run();
}
