/*
 * virlog.c: structured logging with levels and per-module filters
 */
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "virlog.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_LOGGING

typedef struct {
    char *match;
    virLogPriority priority;
} virLogFilter;

/* Process-wide log configuration: written by virLogSetup under the lock
 * at start-up, read by every thread. */
typedef struct {
    GMutex lock;
    virLogPriority level;
    virLogFilter *filters;
    size_t nfilters;
    int fd;
} virLogConfig;

static virLogConfig virLogCfg = { .level = VIR_LOG_WARN, .fd = STDERR_FILENO };

static const char *const virLogPriorityNames[] = {
    "", "debug", "info", "warning", "error",
};

int
virLogParseLevel(const char *str)
{
    size_t i;

    if (!str)
        return -1;
    for (i = VIR_LOG_DEBUG; i <= VIR_LOG_ERROR; i++) {
        if (g_ascii_strcasecmp(str, virLogPriorityNames[i]) == 0)
            return i;
    }
    if (strlen(str) == 1 && str[0] >= '1' && str[0] <= '4')
        return str[0] - '0';
    return -1;
}

static void
virLogClearFilters(void)
{
    size_t i;

    for (i = 0; i < virLogCfg.nfilters; i++)
        g_free(virLogCfg.filters[i].match);
    g_clear_pointer(&virLogCfg.filters, g_free);
    virLogCfg.nfilters = 0;
}

void
virLogReset(void)
{
    g_mutex_lock(&virLogCfg.lock);
    virLogClearFilters();
    if (virLogCfg.fd != STDERR_FILENO)
        close(virLogCfg.fd);
    virLogCfg.fd = STDERR_FILENO;
    virLogCfg.level = VIR_LOG_WARN;
    g_mutex_unlock(&virLogCfg.lock);
}

static int
virLogParseFilters(const char *filters, virLogFilter **out, size_t *nout)
{
    g_auto(GStrv) tokens = g_strsplit_set(filters, " \t", -1);
    g_autoptr(GArray) arr = g_array_new(FALSE, TRUE, sizeof(virLogFilter));
    size_t i;

    for (i = 0; tokens[i]; i++) {
        virLogFilter f;
        char *colon;
        int prio;

        if (!*tokens[i])
            continue;
        colon = strchr(tokens[i], ':');
        if (!colon || colon == tokens[i] || !colon[1])
            goto error;
        *colon = '\0';
        if ((prio = virLogParseLevel(tokens[i])) < 0)
            goto error;
        f.priority = prio;
        f.match = g_strdup(colon + 1);
        g_array_append_val(arr, f);
        continue;
    error:
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid log filter '%1$s'"), tokens[i]);
        for (i = 0; i < arr->len; i++)
            g_free(g_array_index(arr, virLogFilter, i).match);
        return -1;
    }
    *nout = arr->len;
    *out = (virLogFilter *)g_array_free(g_steal_pointer(&arr), FALSE);
    return 0;
}

static int
virLogOpenOutput(const char *output)
{
    int fd;

    if (!output || g_str_equal(output, "stderr"))
        return STDERR_FILENO;
    if (!g_str_has_prefix(output, "file:") || !output[5]) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid log output '%1$s'"), output);
        return -1;
    }
    fd = open(output + 5, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        virReportSystemError(errno, _("cannot open log file '%1$s'"),
                             output + 5);
        return -1;
    }
    return fd;
}

int
virLogSetup(virLogPriority level, const char *filters, const char *output)
{
    virLogFilter *newFilters = NULL;
    size_t nnew = 0;
    int fd;

    if (filters && virLogParseFilters(filters, &newFilters, &nnew) < 0)
        return -1;
    if ((fd = virLogOpenOutput(output)) < 0) {
        while (nnew > 0)
            g_free(newFilters[--nnew].match);
        g_free(newFilters);
        return -1;
    }

    g_mutex_lock(&virLogCfg.lock);
    virLogClearFilters();
    virLogCfg.filters = newFilters;
    virLogCfg.nfilters = nnew;
    if (virLogCfg.fd != STDERR_FILENO)
        close(virLogCfg.fd);
    virLogCfg.fd = fd;
    virLogCfg.level = level;
    g_mutex_unlock(&virLogCfg.lock);
    return 0;
}

static bool
virLogWouldLogLocked(const virLogSource *source, virLogPriority priority)
{
    size_t i;

    if (source) {
        for (i = 0; i < virLogCfg.nfilters; i++) {
            if (strstr(source->name, virLogCfg.filters[i].match))
                return priority >= virLogCfg.filters[i].priority;
        }
    }
    return priority >= virLogCfg.level;
}

bool
virLogWouldLog(const virLogSource *source, virLogPriority priority)
{
    bool ret;

    g_mutex_lock(&virLogCfg.lock);
    ret = virLogWouldLogLocked(source, priority);
    g_mutex_unlock(&virLogCfg.lock);
    return ret;
}

void
virLogMessage(const virLogSource *source, virLogPriority priority,
              const char *file, size_t line, const char *func,
              const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    g_autofree char *full = NULL;
    g_autoptr(GDateTime) now = NULL;
    g_autofree char *stamp = NULL;
    int save_errno = errno;
    va_list args;

    g_mutex_lock(&virLogCfg.lock);
    if (!virLogWouldLogLocked(source, priority)) {
        g_mutex_unlock(&virLogCfg.lock);
        errno = save_errno;
        return;
    }

    va_start(args, fmt);
    msg = g_strdup_vprintf(fmt, args);
    va_end(args);

    now = g_date_time_new_now_utc();
    stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");
    full = g_strdup_printf("%s.%03d+0000: %d: %s : %s:%zu : %s%s%s\n",
                           stamp, g_date_time_get_microsecond(now) / 1000,
                           (int)getpid(), virLogPriorityNames[priority],
                           func, line,
                           source ? source->name : "",
                           source ? ": " : "", msg);
    ignore_value(write(virLogCfg.fd, full, strlen(full)));
    g_mutex_unlock(&virLogCfg.lock);
    (void)file;
    errno = save_errno;
}
