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

gssize
virFileReadAll(const char *path, size_t maxlen, char **buf)
{
    g_autofree char *data = NULL;
    g_autoptr(GError) gerr = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, &gerr)) {
        virReportSystemError(gerr->code == G_FILE_ERROR_NOENT ? ENOENT : EIO,
                             _("cannot read '%1$s'"), path);
        return -1;
    }
    if (len > maxlen) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("file '%1$s' is larger than %2$zu bytes"),
                       path, maxlen);
        return -1;
    }
    *buf = g_steal_pointer(&data);
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

int
virPidFileAcquire(const char *path, pid_t pid)
{
    struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    g_autofree char *text = g_strdup_printf("%lld\n", (long long)pid);
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
