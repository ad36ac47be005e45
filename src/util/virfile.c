/*
 * virfile.c: file helpers
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "virfile.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_NONE

static int
virFileWriteFd(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= n;
    }
    return 0;
}

int
virFileWriteAtomic(const char *path, const char *data, size_t len,
                   mode_t mode)
{
    g_autofree char *tmp = g_strdup_printf("%s.new-XXXXXX", path);
    int fd;

    if ((fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, mode)) < 0) {
        virReportSystemError(errno, _("cannot create temporary file for '%1$s'"),
                             path);
        return -1;
    }
    if (virFileWriteFd(fd, data, len) < 0 || fsync(fd) < 0) {
        virReportSystemError(errno, _("cannot write '%1$s'"), tmp);
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        virReportSystemError(errno, _("cannot replace '%1$s'"), path);
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void
virFileReportTooLarge(const char *path, size_t maxlen)
{
    virReportSystemError(EFBIG, _("file '%1$s' is larger than %2$zu bytes"),
                         path, maxlen);
}

/* Reads @fd to its end, but never more than @maxlen + 1 bytes (one more
 * than allowed tells a file that is too large, e.g. one that grew or a
 * device).  @sizeHint is the expected size.  Returns the length, or -1
 * with errno set (EFBIG: over @maxlen). */
static gssize
virFileReadLimFD(int fd, size_t maxlen, size_t sizeHint, char **buf)
{
    size_t alloc = MIN(MAX(sizeHint, 1023), maxlen) + 1;
    g_autofree char *data = g_malloc(alloc + 1);
    size_t len = 0;

    for (;;) {
        ssize_t n;

        if (len == alloc) {
            if (alloc > maxlen) {
                errno = EFBIG;
                return -1;
            }
            alloc = MIN(alloc * 2, maxlen + 1);
            data = g_realloc(data, alloc + 1);
        }
        n = read(fd, data + len, alloc - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        len += n;
    }
    data[len] = '\0';
    *buf = g_steal_pointer(&data);
    return len;
}

gssize
virFileReadAll(const char *path, size_t maxlen, char **buf)
{
    struct stat sb;
    gssize len;
    int fd;

    *buf = NULL;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        virReportSystemError(errno, _("cannot open '%1$s'"), path);
        return -1;
    }
    if (fstat(fd, &sb) < 0) {
        virReportSystemError(errno, _("cannot stat '%1$s'"), path);
        close(fd);
        return -1;
    }
    /* refused before reading anything */
    if (S_ISREG(sb.st_mode) && (unsigned long long)sb.st_size > maxlen) {
        virFileReportTooLarge(path, maxlen);
        close(fd);
        return -1;
    }
    len = virFileReadLimFD(fd, maxlen, S_ISREG(sb.st_mode) ? sb.st_size : 0, buf);
    if (len < 0) {
        if (errno == EFBIG)
            virFileReportTooLarge(path, maxlen);
        else
            virReportSystemError(errno, _("cannot read '%1$s'"), path);
    }
    close(fd);
    return len;
}

int
virFileMakePath(const char *path, mode_t mode)
{
    if (g_mkdir_with_parents(path, mode) < 0) {
        virReportSystemError(errno, _("cannot create directory '%1$s'"), path);
        return -1;
    }
    return 0;
}

bool
virFileExists(const char *path)
{
    return access(path, F_OK) == 0;
}

int
virFileRemove(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT) {
        virReportSystemError(errno, _("cannot remove '%1$s'"), path);
        return -1;
    }
    return 0;
}

/* True if @fd is still the file at @path: a daemon releasing the pid
 * file unlinks it before unlocking, so a lock won on an fd opened
 * before that unlink is a lock on a file nobody else will see. */
static bool
virPidFileIsCurrent(int fd, const char *path)
{
    struct stat fsb, psb;

    return fstat(fd, &fsb) == 0 && stat(path, &psb) == 0 &&
           fsb.st_dev == psb.st_dev && fsb.st_ino == psb.st_ino;
}

/* Opens and locks @path: the fd, -2 to try again (the file was
 * replaced meanwhile), or -1 (reported). */
static int
virPidFileLock(const char *path)
{
    struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    int fd;

    if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
        virReportSystemError(errno, _("cannot open pid file '%1$s'"), path);
        return -1;
    }
    /* An open-file-description lock: unlike a classic fcntl lock it is not
     * dropped when some other fd of this process on the same file closes. */
    if (fcntl(fd, F_OFD_SETLK, &lk) < 0) {
        pid_t other = 0;

        ignore_value(virPidFileRead(path, &other));
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("another daemon (pid %1$lld) is already running with pid file '%2$s'"),
                       (long long)other, path);
        close(fd);
        return -1;
    }
    if (!virPidFileIsCurrent(fd, path)) {
        close(fd);
        return -2;
    }
    return fd;
}

int
virPidFileAcquire(const char *path, pid_t pid)
{
    g_autofree char *text = g_strdup_printf("%lld\n", (long long)pid);
    int fd;

    while ((fd = virPidFileLock(path)) == -2)
        ;
    if (fd < 0)
        return -1;
    if (ftruncate(fd, 0) < 0 || virFileWriteFd(fd, text, strlen(text)) < 0) {
        virReportSystemError(errno, _("cannot write pid file '%1$s'"), path);
        close(fd);
        return -1;
    }
    return fd;
}

int
virPidFileRead(const char *path, pid_t *pid)
{
    g_autofree char *data = NULL;
    gint64 val;
    char *end = NULL;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        return -1;
    val = g_ascii_strtoll(data, &end, 10);
    if (end == data || val <= 0 || (*end && *end != '\n'))
        return -1;
    *pid = val;
    return 0;
}

int
virSetCloseExec(int fd)
{
    int flags = fcntl(fd, F_GETFD);

    if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

int
virSetNonBlock(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return -1;
    return 0;
}
