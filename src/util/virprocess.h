/*
 * virprocess.h: detached child processes (QEMU) and their end
 */
#pragma once

#include <sys/types.h>
#include "internal.h"

/**
 * virProcessSpawnDetached:
 * @argv: program and arguments (argv[0] is the path to execute)
 * @outfd: where the program's stdout and stderr go (e.g. a log file)
 * @pid: set to the program's pid
 *
 * Starts @argv in a new session, double-forked so that it is not our
 * child: it outlives the daemon and is reaped by init.  stdin is
 * /dev/null, every other fd is closed.  Returns 0 once exec succeeded,
 * or -1 with an error reported (including exec's own errno).
 */
int virProcessSpawnDetached(char *const *argv, int outfd, pid_t *pid);

/* Start time of @pid (field 22 of /proc/PID/stat), 0 if it is gone. */
unsigned long long virProcessGetStartTime(pid_t pid);

/* True if @pid exists, is not a zombie and (when @startTime is not 0)
 * started at @startTime, i.e. it is still the same process. */
bool virProcessIsAlive(pid_t pid, unsigned long long startTime);

/**
 * virProcessWaitExit:
 * Waits up to @timeoutMs for @pid to exit (pidfd: works for processes
 * that are not our children).  Returns 0 if it exited, -1 on timeout.
 */
int virProcessWaitExit(pid_t pid, unsigned long long startTime, int timeoutMs);

/**
 * virProcessKillPainfully:
 * SIGTERM, wait up to @graceMs, then SIGKILL and wait again.  Returns 0
 * once the process is gone, -1 (reported) if it survived SIGKILL.
 */
int virProcessKillPainfully(pid_t pid, unsigned long long startTime,
                            int graceMs);

/* Total CPU time (user + system) of @pid in nanoseconds, 0 if unknown. */
unsigned long long virProcessGetCPUTime(pid_t pid);
