/*
 * virlog.h: structured logging with levels and per-module filters
 *
 * Levels and the filter syntax follow libvirt ("1:qemu 3:rpc", where a
 * filter matches a module whose name contains the text).  Output goes to
 * stderr or to a file.  The log configuration is process-wide: it is set
 * once at start-up (virLogSetup) and only read afterwards.
 */
#pragma once

#include "internal.h"

typedef enum {
    VIR_LOG_DEBUG = 1,
    VIR_LOG_INFO,
    VIR_LOG_WARN,
    VIR_LOG_ERROR,
} virLogPriority;

typedef struct _virLogSource virLogSource;
struct _virLogSource {
    const char *name;
};

#define VIR_LOG_INIT(n) \
    static G_GNUC_UNUSED const virLogSource virLogSelf = { .name = n }

void virLogMessage(const virLogSource *source, virLogPriority priority,
                   const char *file, size_t line, const char *func,
                   const char *fmt, ...) G_GNUC_PRINTF(6, 7);

#define VIR_LOG_AT(prio, ...) \
    virLogMessage(&virLogSelf, prio, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define VIR_DEBUG(...) VIR_LOG_AT(VIR_LOG_DEBUG, __VA_ARGS__)
#define VIR_INFO(...) VIR_LOG_AT(VIR_LOG_INFO, __VA_ARGS__)
#define VIR_WARN(...) VIR_LOG_AT(VIR_LOG_WARN, __VA_ARGS__)
#define VIR_ERROR(...) VIR_LOG_AT(VIR_LOG_ERROR, __VA_ARGS__)

/**
 * virLogSetup:
 * @level: default minimum priority
 * @filters: libvirt-style filter list ("1:qemu 3:rpc"), or NULL
 * @output: "stderr" or "file:PATH", or NULL for stderr
 *
 * Returns 0 on success, -1 with an error reported on bad syntax or an
 * output file that cannot be opened.
 */
int virLogSetup(virLogPriority level, const char *filters, const char *output);

/* Parses "debug"/"info"/"warning"/"error" or "1".."4"; -1 if invalid. */
int virLogParseLevel(const char *str);

/* Would a message of @priority from @source be written? */
bool virLogWouldLog(const virLogSource *source, virLogPriority priority);

void virLogReset(void);
