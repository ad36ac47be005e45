/*
 * virfiletest.c: atomic replace, bounded reads, pidfile locking
 */
#include <fcntl.h>
#include <string.h>
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

/* virFileReadAll fails with VIR_ERR_SYSTEM_ERROR and @errnoText. */
static void
testReadFails(const char *path, size_t maxlen, const char *errnoText)
{
    g_autofree char *data = NULL;

    virResetLastError();
    g_assert_cmpint(virFileReadAll(path, maxlen, &data), ==, -1);
    g_assert_null(data);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_SYSTEM_ERROR);
    g_assert_true(g_str_has_suffix(virGetLastErrorMessage(), errnoText));
    g_assert_nonnull(strstr(virGetLastErrorMessage(), path));
}

/* Each failure carries its real errno, not a blanket EIO. */
static void
testReadErrno(void)
{
    g_autofree char *dir = testTmpDir();
    g_autofree char *file = g_build_filename(dir, "file", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing", NULL);
    g_autofree char *notdir = g_build_filename(file, "x", NULL);
    g_autofree char *loop = g_build_filename(dir, "loop", NULL);

    g_assert_true(g_file_set_contents(file, "x", 1, NULL));
    g_assert_cmpint(symlink(loop, loop), ==, 0);
    testReadFails(missing, 100, g_strerror(ENOENT));
    testReadFails(notdir, 100, g_strerror(ENOTDIR));
    testReadFails(loop, 100, g_strerror(ELOOP));
    testReadFails(dir, 100, g_strerror(EISDIR));
}

/* The limit is checked before (regular files) or while (anything else)
 * reading, never after reading it all. */
static void
testReadLimit(void)
{
    g_autofree char *dir = testTmpDir();
    g_autofree char *sparse = g_build_filename(dir, "sparse", NULL);
    g_autofree char *exact = g_build_filename(dir, "exact", NULL);
    g_autofree char *data = NULL;
    int fd;

    /* 64 GiB, all a hole: reading it first would exhaust memory */
    fd = open(sparse, O_CREAT | O_WRONLY, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 64LL << 30), ==, 0);
    close(fd);
    testReadFails(sparse, 1024, g_strerror(EFBIG));
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "larger than 1024 bytes"));

    /* a device never ends: the read stops one byte past the limit */
    testReadFails("/dev/zero", 4096, g_strerror(EFBIG));

    /* exactly at the limit is fine; empty too */
    g_assert_true(g_file_set_contents(exact, "0123456789", 10, NULL));
    g_assert_cmpint(virFileReadAll(exact, 10, &data), ==, 10);
    g_assert_cmpstr(data, ==, "0123456789");
    g_clear_pointer(&data, g_free);
    testReadFails(exact, 9, g_strerror(EFBIG));
    g_assert_cmpint(virFileReadAll("/dev/null", 10, &data), ==, 0);
    g_assert_cmpstr(data, ==, "");
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
    g_test_add_func("/file/read-errno", testReadErrno);
    g_test_add_func("/file/read-limit", testReadLimit);
    g_test_add_func("/file/pidfile", testPidFile);
    return g_test_run();
}
