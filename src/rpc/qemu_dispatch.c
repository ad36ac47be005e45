/*
 * qemu_dispatch.c: the handlers of the QEMU program written by hand
 */
#include "qemu_dispatch.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_RPC

int
qemuDispatchUnsupported(const char *api)
{
    /* libvirt reports it from its public API (libvirt-qemu.c) */
    virReportErrorFull(VIR_FROM_NONE, VIR_ERR_NO_SUPPORT, __FILE__, __func__,
                       __LINE__, "%s", api);
    return -1;
}

int
qemuDispatchDomainAgentCommand(virNetServerClient *client,
                               const virNetMessageHeader *header,
                               void *args, void *ret, void *opaque)
{
    qemu_domain_agent_command_args *a = args;
    qemu_domain_agent_command_ret *r = ret;
    remoteServer *srv = opaque;
    char *result = qemuDomainQemuAgentCommand(srv->driver,
                                              remoteDomainUUID(&a->dom),
                                              a->cmd, a->timeout, a->flags);

    if (!result)
        return -1;
    r->result = g_new0(char *, 1);
    *r->result = result;
    return 0;
}
