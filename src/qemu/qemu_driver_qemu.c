/*
 * qemu_driver_qemu.c: libvirt-qemu's APIs (the QEMU program): monitor
 * pass-through, the guest agent, domain messages
 */
#include <string.h>

#include "qemu_conf.h"
#include "qemu_domain.h"
#include "qemu_monitor_json.h"
#include "domain_conf.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_driver_qemu");

/* libvirt's virDomainMessageType */
#define VIR_DOMAIN_MESSAGE_DEPRECATION (1 << 0)
#define VIR_DOMAIN_MESSAGE_TAINTING (1 << 1)

/* The name of the guest agent's virtio channel (libvirt's
 * qemuFindAgentConfig) */
#define QEMU_AGENT_CHANNEL "org.qemu.guest_agent.0"

/* Runs the command with @vm locked and a query job held. */
static int
qemuDomainMonitorCommandJob(virDomainObj *vm, const char *cmd, char **result,
                            bool hmp)
{
    qemuMonitor *mon = qemuDomainObjEnterMonitor(vm);
    int ret = -1;

    if (mon && hmp)
        ret = qemuMonitorJSONHumanCommand(mon, cmd, result);
    else if (mon)
        ret = qemuMonitorJSONArbitraryCommand(mon, cmd, result);
    qemuDomainObjExitMonitor(vm, mon);
    return ret;
}

int
qemuDomainQemuMonitorCommand(qemuDriver *driver, const unsigned char *uuid,
                             const char *cmd, char **result, unsigned int flags)
{
    qemuDomainObjPrivate *priv;
    virDomainObj *vm;
    int ret = -1;

    if (!virCheckFlags(flags, QEMU_DOMAIN_MONITOR_COMMAND_HMP))
        return -1;
    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return -1;
    priv = QEMU_DOMAIN_PRIVATE(vm);
    /* a query job, as libvirt: it may run beside a migration, whose own
     * commands the monitor keeps in order with this one */
    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_QUERY,
                              driver->jobWaitTimeoutMs) < 0)
        goto cleanup;
    if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
    } else {
        qemuDomainObjTaint(driver, vm, QEMU_DOMAIN_TAINT_CUSTOM_MONITOR);
        ret = qemuDomainMonitorCommandJob(vm, cmd, result,
                                          flags & QEMU_DOMAIN_MONITOR_COMMAND_HMP);
    }
    qemuDomainObjEndJob(vm, &priv->job);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

static bool
qemuDomainHasAgentChannel(const virDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->nchannels; i++) {
        if (g_strcmp0(def->channels[i]->targetName, QEMU_AGENT_CHANNEL) == 0)
            return true;
    }
    return false;
}

char *
qemuDomainQemuAgentCommand(qemuDriver *driver, const unsigned char *uuid,
                           const char *cmd G_GNUC_UNUSED,
                           int timeout G_GNUC_UNUSED, unsigned int flags)
{
    virDomainObj *vm;

    if (!virCheckFlags(flags, 0))
        return NULL;
    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return NULL;
    /* libvirt's checks (qemuDomainAgentAvailable) in its order; no agent
     * is ever connected */
    if (!virDomainObjIsActive(vm) || vm->state != VIR_DOMAIN_RUNNING)
        virReportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
    else if (qemuDomainHasAgentChannel(vm->def))
        virReportError(VIR_ERR_AGENT_UNRESPONSIVE, "%s",
                       _("QEMU guest agent is not connected"));
    else
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("QEMU guest agent is not configured"));
    virDomainObjEndAPI(&vm);
    return NULL;
}

int
qemuDomainGetMessages(qemuDriver *driver, const unsigned char *uuid,
                      char ***msgs, unsigned int flags)
{
    virDomainObj *vm;

    if (!virCheckFlags(flags, VIR_DOMAIN_MESSAGE_DEPRECATION |
                              VIR_DOMAIN_MESSAGE_TAINTING))
        return -1;
    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid)))
        return -1;
    /* virtmig tracks no deprecation messages */
    if (flags && !(flags & VIR_DOMAIN_MESSAGE_TAINTING))
        *msgs = g_new0(char *, 1);
    else
        *msgs = qemuDomainTaintMessages(virDomainObjIsActive(vm) ?
                                        QEMU_DOMAIN_PRIVATE(vm)->taint : 0);
    virDomainObjEndAPI(&vm);
    return 0;
}
