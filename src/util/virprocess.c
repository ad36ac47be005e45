/*
 * virprocess.c: detached child processes (QEMU) and their end
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "virprocess.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_NONE

VIR_LOG_INIT("util.virprocess");

/* Async-signal-safe write of a whole buffer (used between fork and exec). */
static void
virProcessWriteAll(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= n;
    }
}

static void
virProcessCloseFrom(int lowfd, int keep)
{
    /* close_range would be simpler; stay compatible with older kernels */
    long maxfd = sysconf(_SC_OPEN_MAX);
    int fd;

    if (maxfd < 0 || maxfd > 65536)
        maxfd = 65536;
    for (fd = lowfd; fd < maxfd; fd++) {
        if (fd != keep)
            close(fd);
    }
}

/*
 * Runs in the intermediate child: everything here must be
 * async-signal-safe (the daemon is multi-threaded).  Reports the
 * grandchild's pid, then exec's errno (if any), on @reportfd.
 */
static void G_GNUC_NORETURN
virProcessIntermediate(const char *prog, char *const *argv, int outfd,
                       int nullfd, int reportfd)
{
    pid_t pid;

    if (setsid() < 0)
        _exit(1);
    pid = fork();
    if (pid < 0)
        _exit(1);
    if (pid > 0) {
        virProcessWriteAll(reportfd, &pid, sizeof(pid));
        _exit(0);
    }
    if (dup2(nullfd, STDIN_FILENO) < 0 ||
        dup2(outfd, STDOUT_FILENO) < 0 ||
        dup2(outfd, STDERR_FILENO) < 0)
        _exit(1);
    virProcessCloseFrom(3, reportfd);
    execv(prog, argv);
    {
        int err = errno;
        virProcessWriteAll(reportfd, &err, sizeof(err));
    }
    _exit(127);
}

static int
virProcessReadReport(int fd, pid_t *pid, int *execErr)
{
    ssize_t n;

    *execErr = 0;
    do {
        n = read(fd, pid, sizeof(*pid));
    } while (n < 0 && errno == EINTR);
    if (n != sizeof(*pid))
        return -1;
    do {
        n = read(fd, execErr, sizeof(*execErr));
    } while (n < 0 && errno == EINTR);
    /* EOF without data: exec succeeded (the pipe is close-on-exec) */
    if (n != sizeof(*execErr))
        *execErr = 0;
    return 0;
}

int
virProcessSpawnDetached(char *const *argv, int outfd, pid_t *pid)
{
    int pipefd[2] = { -1, -1 };
    int nullfd = -1;
    int execErr = 0;
    int status;
    pid_t child;
    int ret = -1;
    g_autofree char *prog = g_find_program_in_path(argv[0]);

    if (!prog) {
        virReportSystemError(ENOENT, _("cannot find program '%1$s'"), argv[0]);
        return -1;
    }
    if ((nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 ||
        pipe2(pipefd, O_CLOEXEC) < 0) {
        virReportSystemError(errno, "%s", _("cannot prepare to start a process"));
        goto cleanup;
    }
    if ((child = fork()) < 0) {
        virReportSystemError(errno, "%s", _("cannot fork"));
        goto cleanup;
    }
    if (child == 0)
        virProcessIntermediate(prog, argv, outfd, nullfd, pipefd[1]);

    close(pipefd[1]);
    pipefd[1] = -1;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    if (virProcessReadReport(pipefd[0], pid, &execErr) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("cannot start '%1$s': fork failed"), argv[0]);
        goto cleanup;
    }
    if (execErr != 0) {
        virReportSystemError(execErr, _("cannot execute '%1$s'"), argv[0]);
        goto cleanup;
    }
    ret = 0;

 cleanup:
    if (nullfd >= 0)
        close(nullfd);
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    return ret;
}

/* Reads fields of /proc/PID/stat after the command name; NULL if gone. */
static GStrv
virProcessStatFields(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%lld/stat", (long long)pid);
    g_autofree char *data = NULL;
    const char *afterComm;
    GStrv fields;

    if (pid <= 0 || !g_file_get_contents(path, &data, NULL, NULL))
        return NULL;
    /* the command name (field 2) may contain spaces: skip past its ')' */
    if (!(afterComm = strrchr(data, ')')) || afterComm[1] != ' ')
        return NULL;
    fields = g_strsplit(afterComm + 2, " ", 0);
    /* fields[0] is field 3 (state) ... fields[19] is field 22 (starttime) */
    if (g_strv_length(fields) < 20) {
        g_strfreev(fields);
        return NULL;
    }
    return fields;
}

unsigned long long
virProcessGetStartTime(pid_t pid)
{
    g_auto(GStrv) fields = virProcessStatFields(pid);

    return fields ? g_ascii_strtoull(fields[19], NULL, 10) : 0;
}

bool
virProcessIsAlive(pid_t pid, unsigned long long startTime)
{
    g_auto(GStrv) fields = virProcessStatFields(pid);

    if (!fields)
        return false;
    if (fields[0][0] == 'Z' || fields[0][0] == 'X')
        return false;
    return startTime == 0 || g_ascii_strtoull(fields[19], NULL, 10) == startTime;
}

unsigned long long
virProcessGetCPUTime(pid_t pid)
{
    g_auto(GStrv) fields = virProcessStatFields(pid);
    long ticks = sysconf(_SC_CLK_TCK);
    unsigned long long utime, stime;

    if (!fields || ticks <= 0)
        return 0;
    /* utime is field 14, stime field 15 */
    utime = g_ascii_strtoull(fields[11], NULL, 10);
    stime = g_ascii_strtoull(fields[12], NULL, 10);
    return (utime + stime) * (1000000000ULL / ticks);
}

int
virProcessWaitExit(pid_t pid, unsigned long long startTime, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;
    int pidfd = syscall(SYS_pidfd_open, pid, 0);

    if (pidfd >= 0 && !virProcessIsAlive(pid, startTime)) {
        close(pidfd);
        return 0;
    }
    while (virProcessIsAlive(pid, startTime)) {
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;
        struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

        if (left <= 0) {
            if (pidfd >= 0)
                close(pidfd);
            return -1;
        }
        if (pidfd >= 0) {
            /* readable once the process has exited */
            ignore_value(poll(&pfd, 1, MIN(left, 100)));
        } else {
            g_usleep(10 * 1000);
        }
    }
    if (pidfd >= 0)
        close(pidfd);
    return 0;
}

int
virProcessKillPainfully(pid_t pid, unsigned long long startTime, int graceMs)
{
    if (!virProcessIsAlive(pid, startTime))
        return 0;
    VIR_DEBUG("terminating pid %lld", (long long)pid);
    if (kill(pid, SIGTERM) < 0 && errno != ESRCH) {
        virReportSystemError(errno, _("cannot kill process %1$lld"),
                             (long long)pid);
        return -1;
    }
    if (virProcessWaitExit(pid, startTime, graceMs) == 0)
        return 0;
    VIR_WARN("process %lld ignored SIGTERM, sending SIGKILL", (long long)pid);
    if (kill(pid, SIGKILL) < 0 && errno != ESRCH) {
        virReportSystemError(errno, _("cannot kill process %1$lld"),
                             (long long)pid);
        return -1;
    }
    if (virProcessWaitExit(pid, startTime, 10000) == 0)
        return 0;
    virReportError(VIR_ERR_OPERATION_FAILED,
                   _("process %1$lld did not exit after SIGKILL"), (long long)pid);
    return -1;
}
