/*
 * qemu_domain_taint.c: marking a running domain tainted, as libvirt does
 *
 * A taint records that something outside virtmig's control touched the
 * domain (e.g. a monitor command passed through).  It lasts until the
 * domain stops: the first taint of each kind writes a line to the
 * domain's log file and the daemon's log, it is kept in the status file
 * and DOMAIN_GET_MESSAGES reports it ("tainted: ...").
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "qemu_domain.h"
#include "virerror.h"
#include "virlog.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_domain_taint");

/* libvirt's virDomainTaint and virDomainTaintMessage strings, for the
 * kinds virtmig raises */
static const struct {
    qemuDomainTaint taint;
    const char *name;
    const char *message;
} qemuDomainTaints[] = {
    { QEMU_DOMAIN_TAINT_CUSTOM_MONITOR, "custom-monitor",
      N_("custom monitor control commands issued") },
    { QEMU_DOMAIN_TAINT_CUSTOM_GA_COMMAND, "custom-ga-command",
      N_("custom guest agent control commands issued") },
};

static const char *
qemuDomainTaintName(qemuDomainTaint taint)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(qemuDomainTaints); i++) {
        if (qemuDomainTaints[i].taint == taint)
            return qemuDomainTaints[i].name;
    }
    return "unknown";
}

/* "2026-12-03 18:20:00.123+0000" (libvirt's virTimeStringNow) */
static char *
qemuDomainTaintTimestamp(void)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");

    return g_strdup_printf("%s.%03d+0000", stamp,
                           g_date_time_get_microsecond(now) / 1000);
}

static void
qemuDomainTaintLog(qemuDriver *driver, virDomainObj *vm, const char *name)
{
    g_autofree char *path = qemuDriverLogFile(driver, vm->def->name);
    g_autofree char *stamp = qemuDomainTaintTimestamp();
    g_autofree char *line = g_strdup_printf("%s: Domain id=%d is tainted: %s\n",
                                            stamp, vm->def->id, name);
    int fd;

    if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0 ||
        write(fd, line, strlen(line)) < 0)
        VIR_WARN("cannot write to %s: %s", path, g_strerror(errno));
    if (fd >= 0)
        close(fd);
}

void
qemuDomainObjTaint(qemuDriver *driver, virDomainObj *vm, qemuDomainTaint taint)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    char uuid[VIR_UUID_STRING_BUFLEN];
    const char *name = qemuDomainTaintName(taint);

    if (priv->taint & (1U << taint))
        return;
    priv->taint |= 1U << taint;
    VIR_WARN("Domain id=%d name='%s' uuid=%s is tainted: %s", vm->def->id,
             vm->def->name, virUUIDFormat(vm->def->uuid, uuid), name);
    qemuDomainTaintLog(driver, vm, name);
    if (virDomainObjIsActive(vm))
        qemuDomainSaveStatusOrWarn(driver, vm);
}

void
qemuDomainTaintFormat(unsigned int taint, GString *buf)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(qemuDomainTaints); i++) {
        if (taint & (1U << qemuDomainTaints[i].taint))
            g_string_append_printf(buf, "  <taint flag='%s'/>\n",
                                   qemuDomainTaints[i].name);
    }
}

unsigned int
qemuDomainTaintParse(const char *name)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(qemuDomainTaints); i++) {
        if (g_strcmp0(qemuDomainTaints[i].name, name) == 0)
            return 1U << qemuDomainTaints[i].taint;
    }
    VIR_WARN("ignoring unknown taint '%s' in a status file", NULLSTR(name));
    return 0;
}

char **
qemuDomainTaintMessages(unsigned int taint)
{
    GPtrArray *msgs = g_ptr_array_new();
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(qemuDomainTaints); i++) {
        if (taint & (1U << qemuDomainTaints[i].taint))
            g_ptr_array_add(msgs, g_strdup_printf(_("tainted: %1$s"),
                                                  _(qemuDomainTaints[i].message)));
    }
    g_ptr_array_add(msgs, NULL);
    return (char **)g_ptr_array_free(msgs, FALSE);
}
