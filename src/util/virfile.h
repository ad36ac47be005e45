/*
 * virfile.h: file helpers: atomic replace, bounded reads, paths, pidfiles
 */
#pragma once

#include <sys/types.h>
#include "internal.h"

/**
 * virFileWriteAtomic:
 * Writes @len bytes of @data to @path through a temporary file in the
 * same directory, fsync and rename, so readers see either the old or
 * the new content, never a partial one.  Returns 0 or -1 (reported).
 */
int virFileWriteAtomic(const char *path, const char *data, size_t len,
                       mode_t mode) G_GNUC_WARN_UNUSED_RESULT;

/**
 * virFileReadAll:
 * Reads the whole of @path (at most @maxlen bytes) into a NUL-terminated
 * buffer owned by the caller.  A regular file larger than @maxlen is
 * refused before anything is read; any other file (or one that grows)
 * is read no further than @maxlen + 1 bytes.  Errors are system errors
 * carrying the real errno (EFBIG for a file over @maxlen).  Returns the
 * length, or -1 (reported, *@buf NULL).
 */
gssize virFileReadAll(const char *path, size_t maxlen, char **buf)
    G_GNUC_WARN_UNUSED_RESULT;

/* mkdir -p with @mode for created directories; 0 or -1 (reported). */
int virFileMakePath(const char *path, mode_t mode) G_GNUC_WARN_UNUSED_RESULT;

bool virFileExists(const char *path);

/* Removes @path; a missing file is not an error. */
int virFileRemove(const char *path);

/**
 * virPidFileAcquire:
 * Creates/opens @path, takes an exclusive lock on it and writes @pid.
 * Fails with VIR_ERR_OPERATION_FAILED if another live process holds
 * it.  Returns the fd that keeps the lock (close it to release) or -1.
 */
int virPidFileAcquire(const char *path, pid_t pid);

/* Reads a pid from @path; 0 and *pid set, or -1 (not reported). */
int virPidFileRead(const char *path, pid_t *pid);

/* Sets close-on-exec / non-blocking on @fd. */
int virSetCloseExec(int fd);
int virSetNonBlock(int fd);
