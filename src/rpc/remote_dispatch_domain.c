/*
 * remote_dispatch_domain.c: the domain procedures of the remote program
 * that are written by hand (the others are generated from
 * remote_protocol.x)
 *
 * Each handler unpacks its arguments, calls the QEMU driver (domains
 * are named by UUID, as libvirt's daemon does) and packs the result.
 * The driver reports its own errors.
 */
#include <string.h>

#include "remote_dispatch.h"
#include "remote_typedparam.h"
#include "virtypedparam.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.remote_dispatch_domain");

int
remoteDispatchDomainCreateWithFlags(virNetServerClient *client,
                                    const virNetMessageHeader *header,
                                    void *args, void *ret, void *opaque)
{
    remote_domain_create_with_flags_args *a = args;
    remote_domain_create_with_flags_ret *r = ret;
    remoteServer *srv = opaque;
    const unsigned char *uuid = remoteDomainUUID(&a->dom);
    qemuDomainRef ref = { 0 };

    /* the reply carries the domain with its new ID */
    if (qemuDomainCreate(srv->driver, uuid, a->flags) < 0 ||
        qemuDomainLookupByUUID(srv->driver, uuid, &ref) < 0)
        return -1;
    remoteMoveDomain(&r->dom, &ref);
    return 0;
}

/* ---- queries ----------------------------------------------------------- */

int
remoteDispatchDomainMemoryPeek(virNetServerClient *client,
                               const virNetMessageHeader *header,
                               void *args, void *ret, void *opaque)
{
    remote_domain_memory_peek_args *a = args;
    remote_domain_memory_peek_ret *r = ret;
    remoteServer *srv = opaque;
    g_autofree char *buf = NULL;

    if (a->size > REMOTE_DOMAIN_MEMORY_PEEK_BUFFER_MAX) {
        virReportError(VIR_ERR_RPC, "%s",
                       _("size > maximum buffer size"));
        return -1;
    }
    buf = g_malloc0(MAX(a->size, 1));
    if (qemuDomainMemoryPeek(srv->driver, remoteDomainUUID(&a->dom), a->offset,
                             a->size, buf, a->flags) < 0)
        return -1;
    /* xdr_free of the reply releases it with free() */
    r->buffer.buffer_val = malloc(MAX(a->size, 1));
    if (!r->buffer.buffer_val) {
        virReportOOMError();
        return -1;
    }
    memcpy(r->buffer.buffer_val, buf, a->size);
    r->buffer.buffer_len = a->size;
    return 0;
}

int
remoteDispatchDomainGetSecurityLabel(virNetServerClient *client,
                                     const virNetMessageHeader *header,
                                     void *args, void *ret, void *opaque)
{
    remote_domain_get_security_label_args *a = args;
    remote_domain_get_security_label_ret *r = ret;
    remoteServer *srv = opaque;

    if (remoteCheckDomain(srv->driver, remoteDomainUUID(&a->dom)) < 0)
        return -1;
    /* security model "none": an empty label, travelling with its NUL */
    r->label.label_val = g_strdup("");
    r->label.label_len = 1;
    r->enforcing = 0;
    return 0;
}

/* ---- jobs -------------------------------------------------------------- */

int
remoteDispatchDomainGetJobStats(virNetServerClient *client,
                                const virNetMessageHeader *header,
                                void *args, void *ret, void *opaque)
{
    remote_domain_get_job_stats_args *a = args;
    remote_domain_get_job_stats_ret *r = ret;
    remoteServer *srv = opaque;
    g_autoptr(virTypedParamList) params = NULL;
    int type = 0;

    if (qemuDomainGetJobStats(srv->driver, remoteDomainUUID(&a->dom), &type,
                              &params, a->flags) < 0)
        return -1;
    r->type = type;
    if (!params)
        return 0;
    return remoteSerializeTypedParams(params->par, params->npar,
                                      REMOTE_DOMAIN_JOB_STATS_MAX,
                                      &r->params.params_val,
                                      &r->params.params_len);
}

int
remoteDispatchDomainGetMessages(virNetServerClient *client,
                                const virNetMessageHeader *header,
                                void *args, void *ret, void *opaque)
{
    remote_domain_get_messages_args *a = args;
    remote_domain_get_messages_ret *r = ret;
    remoteServer *srv = opaque;
    g_auto(GStrv) msgs = NULL;
    guint n;

    if (qemuDomainGetMessages(srv->driver, remoteDomainUUID(&a->dom), &msgs,
                              a->flags) < 0)
        return -1;
    n = g_strv_length(msgs);
    if (n > REMOTE_DOMAIN_MESSAGES_MAX) {
        virReportError(VIR_ERR_RPC, _("Too many messages '%1$u' for limit '%2$d'"),
                       n, REMOTE_DOMAIN_MESSAGES_MAX);
        return -1;
    }
    r->msgs.msgs_len = n;
    r->msgs.msgs_val = (remote_nonnull_string *)g_steal_pointer(&msgs);
    return 0;
}
