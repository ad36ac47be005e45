/*
 * rpcfakeqemu.c: the fake driver's libvirt-qemu APIs (the QEMU program)
 *
 * A monitor command answers without QEMU: "info status" (HMP) prints
 * the state, any QMP command answers {"return":{},"id":"fake-1"}; both
 * taint the domain, which GetMessages reports as the real driver does.
 * There is never a guest agent.
 */
#include <string.h>

#include "rpcfakedriverpriv.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

/* The running domain @uuid, locked driver, or NULL (unlocked) with the
 * real driver's error. */
static fakeDomain *
fakeGetActive(qemuDriver *driver, const unsigned char *uuid)
{
    fakeDomain *dom = fakeGet(driver, uuid);

    if (dom && !fakeActive(dom)) {
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
        return NULL;
    }
    return dom;
}

int
qemuDomainQemuMonitorCommand(qemuDriver *driver, const unsigned char *uuid,
                             const char *cmd, char **result, unsigned int flags)
{
    fakeDomain *dom;

    if (!virCheckFlags(flags, QEMU_DOMAIN_MONITOR_COMMAND_HMP) ||
        !(dom = fakeGetActive(driver, uuid)))
        return -1;
    dom->tainted = true;
    if (!(flags & QEMU_DOMAIN_MONITOR_COMMAND_HMP))
        *result = g_strdup("{\"return\":{},\"id\":\"fake-1\"}");
    else if (g_str_equal(cmd, "info status"))
        *result = g_strdup_printf("VM status: %s\r\n",
                                  dom->state == VIR_DOMAIN_PAUSED ? "paused" : "running");
    else
        *result = g_strdup("");
    g_mutex_unlock(&driver->lock);
    return 0;
}

char *
qemuDomainQemuAgentCommand(qemuDriver *driver, const unsigned char *uuid,
                           const char *cmd, int timeout, unsigned int flags)
{
    if (!virCheckFlags(flags, 0) || !fakeGetActive(driver, uuid))
        return NULL;
    g_mutex_unlock(&driver->lock);
    virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                   _("QEMU guest agent is not configured"));
    return NULL;
}

int
qemuDomainGetMessages(qemuDriver *driver, const unsigned char *uuid,
                      char ***msgs, unsigned int flags)
{
    fakeDomain *dom = fakeGet(driver, uuid);
    GPtrArray *list;

    if (!dom)
        return -1;
    list = g_ptr_array_new();
    if (dom->tainted && fakeActive(dom))
        g_ptr_array_add(list, g_strdup("tainted: custom monitor control commands issued"));
    g_ptr_array_add(list, NULL);
    g_mutex_unlock(&driver->lock);
    *msgs = (char **)g_ptr_array_free(list, FALSE);
    return 0;
}
