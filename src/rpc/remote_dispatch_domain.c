/*
 * remote_dispatch_domain.c: domain procedures of the remote program
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

/* VIR_DOMAIN_XML_SECURE of virDomainGetXMLDesc */
#define REMOTE_DOMAIN_XML_SECURE (1 << 0)

/* Packs a looked-up domain into @dom; @rc is the driver's return. */
static int
remoteReturnDomain(int rc, qemuDomainRef *ref, remote_nonnull_domain *dom)
{
    if (rc < 0)
        return -1;
    remoteMakeDomain(dom, ref);
    qemuDomainRefClear(ref);
    return 0;
}

/* Fails with the driver's VIR_ERR_NO_DOMAIN if @dom does not exist. */
static int
remoteCheckDomain(remoteServer *srv, const remote_nonnull_domain *dom)
{
    qemuDomainRef ref = { 0 };

    if (qemuDomainLookupByUUID(srv->driver, remoteDomainUUID(dom), &ref) < 0)
        return -1;
    qemuDomainRefClear(&ref);
    return 0;
}

/* ---- lookups ----------------------------------------------------------- */

int
remoteDispatchDomainLookupByID(virNetServerClient *client,
                               const virNetMessageHeader *header,
                               void *args, void *ret, void *opaque)
{
    remote_domain_lookup_by_id_args *a = args;
    remote_domain_lookup_by_id_ret *r = ret;
    remoteServer *srv = opaque;
    qemuDomainRef ref = { 0 };

    return remoteReturnDomain(qemuDomainLookupByID(srv->driver, a->id, &ref),
                              &ref, &r->dom);
}

int
remoteDispatchDomainLookupByName(virNetServerClient *client,
                                 const virNetMessageHeader *header,
                                 void *args, void *ret, void *opaque)
{
    remote_domain_lookup_by_name_args *a = args;
    remote_domain_lookup_by_name_ret *r = ret;
    remoteServer *srv = opaque;
    qemuDomainRef ref = { 0 };

    return remoteReturnDomain(qemuDomainLookupByName(srv->driver, a->name, &ref),
                              &ref, &r->dom);
}

int
remoteDispatchDomainLookupByUUID(virNetServerClient *client,
                                 const virNetMessageHeader *header,
                                 void *args, void *ret, void *opaque)
{
    remote_domain_lookup_by_uuid_args *a = args;
    remote_domain_lookup_by_uuid_ret *r = ret;
    remoteServer *srv = opaque;
    qemuDomainRef ref = { 0 };

    return remoteReturnDomain(qemuDomainLookupByUUID(srv->driver,
                                                     (const unsigned char *)a->uuid,
                                                     &ref),
                              &ref, &r->dom);
}

/* ---- definition -------------------------------------------------------- */

int
remoteDispatchDomainDefineXML(virNetServerClient *client,
                              const virNetMessageHeader *header,
                              void *args, void *ret, void *opaque)
{
    remote_domain_define_xml_args *a = args;
    remote_domain_define_xml_ret *r = ret;
    remoteServer *srv = opaque;
    qemuDomainRef ref = { 0 };

    return remoteReturnDomain(qemuDomainDefineXML(srv->driver, a->xml, 0, &ref),
                              &ref, &r->dom);
}

int
remoteDispatchDomainDefineXMLFlags(virNetServerClient *client,
                                   const virNetMessageHeader *header,
                                   void *args, void *ret, void *opaque)
{
    remote_domain_define_xml_flags_args *a = args;
    remote_domain_define_xml_flags_ret *r = ret;
    remoteServer *srv = opaque;
    qemuDomainRef ref = { 0 };

    return remoteReturnDomain(qemuDomainDefineXML(srv->driver, a->xml,
                                                  a->flags, &ref),
                              &ref, &r->dom);
}

int
remoteDispatchDomainUndefine(virNetServerClient *client,
                             const virNetMessageHeader *header,
                             void *args, void *ret, void *opaque)
{
    remote_domain_undefine_args *a = args;
    remoteServer *srv = opaque;

    return qemuDomainUndefine(srv->driver, remoteDomainUUID(&a->dom), 0);
}

int
remoteDispatchDomainUndefineFlags(virNetServerClient *client,
                                  const virNetMessageHeader *header,
                                  void *args, void *ret, void *opaque)
{
    remote_domain_undefine_flags_args *a = args;
    remoteServer *srv = opaque;

    return qemuDomainUndefine(srv->driver, remoteDomainUUID(&a->dom), a->flags);
}

/* ---- life cycle -------------------------------------------------------- */

int
remoteDispatchDomainCreate(virNetServerClient *client,
                           const virNetMessageHeader *header,
                           void *args, void *ret, void *opaque)
{
    remote_domain_create_args *a = args;
    remoteServer *srv = opaque;

    return qemuDomainCreate(srv->driver, remoteDomainUUID(&a->dom), 0);
}

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

    if (qemuDomainCreate(srv->driver, uuid, a->flags) < 0)
        return -1;
    /* the reply carries the domain with its new ID */
    return remoteReturnDomain(qemuDomainLookupByUUID(srv->driver, uuid, &ref),
                              &ref, &r->dom);
}

int
remoteDispatchDomainCreateXML(virNetServerClient *client,
                              const virNetMessageHeader *header,
                              void *args, void *ret, void *opaque)
{
    remote_domain_create_xml_args *a = args;
    remote_domain_create_xml_ret *r = ret;
    remoteServer *srv = opaque;
    qemuDomainRef ref = { 0 };

    return remoteReturnDomain(qemuDomainCreateXML(srv->driver, a->xml_desc,
                                                  a->flags, &ref),
                              &ref, &r->dom);
}

int
remoteDispatchDomainDestroy(virNetServerClient *client,
                            const virNetMessageHeader *header,
                            void *args, void *ret, void *opaque)
{
    remote_domain_destroy_args *a = args;
    remoteServer *srv = opaque;

    return qemuDomainDestroy(srv->driver, remoteDomainUUID(&a->dom), 0);
}

int
remoteDispatchDomainDestroyFlags(virNetServerClient *client,
                                 const virNetMessageHeader *header,
                                 void *args, void *ret, void *opaque)
{
    remote_domain_destroy_flags_args *a = args;
    remoteServer *srv = opaque;

    return qemuDomainDestroy(srv->driver, remoteDomainUUID(&a->dom), a->flags);
}

int
remoteDispatchDomainShutdown(virNetServerClient *client,
                             const virNetMessageHeader *header,
                             void *args, void *ret, void *opaque)
{
    remote_domain_shutdown_args *a = args;
    remoteServer *srv = opaque;

    return qemuDomainShutdown(srv->driver, remoteDomainUUID(&a->dom), 0);
}

int
remoteDispatchDomainShutdownFlags(virNetServerClient *client,
                                  const virNetMessageHeader *header,
                                  void *args, void *ret, void *opaque)
{
    remote_domain_shutdown_flags_args *a = args;
    remoteServer *srv = opaque;

    return qemuDomainShutdown(srv->driver, remoteDomainUUID(&a->dom), a->flags);
}

int
remoteDispatchDomainSuspend(virNetServerClient *client,
                            const virNetMessageHeader *header,
                            void *args, void *ret, void *opaque)
{
    remote_domain_suspend_args *a = args;
    remoteServer *srv = opaque;

    return qemuDomainSuspend(srv->driver, remoteDomainUUID(&a->dom));
}

int
remoteDispatchDomainResume(virNetServerClient *client,
                           const virNetMessageHeader *header,
                           void *args, void *ret, void *opaque)
{
    remote_domain_resume_args *a = args;
    remoteServer *srv = opaque;

    return qemuDomainResume(srv->driver, remoteDomainUUID(&a->dom));
}

/* ---- queries ----------------------------------------------------------- */

int
remoteDispatchDomainGetXMLDesc(virNetServerClient *client,
                               const virNetMessageHeader *header,
                               void *args, void *ret, void *opaque)
{
    remote_domain_get_xml_desc_args *a = args;
    remote_domain_get_xml_desc_ret *r = ret;
    remoteServer *srv = opaque;
    remoteClient *priv = remoteClientGet(client);
    bool readonly;

    g_mutex_lock(&priv->lock);
    readonly = priv->readonly;
    g_mutex_unlock(&priv->lock);
    if (readonly && (a->flags & REMOTE_DOMAIN_XML_SECURE)) {
        virReportErrorFull(VIR_FROM_DOMAIN, VIR_ERR_OPERATION_DENIED,
                           __FILE__, __func__, __LINE__, "%s",
                           _("virDomainGetXMLDesc with secure flag"));
        return -1;
    }
    r->xml = qemuDomainGetXMLDesc(srv->driver, remoteDomainUUID(&a->dom), a->flags);
    return r->xml ? 0 : -1;
}

int
remoteDispatchDomainGetInfo(virNetServerClient *client,
                            const virNetMessageHeader *header,
                            void *args, void *ret, void *opaque)
{
    remote_domain_get_info_args *a = args;
    remote_domain_get_info_ret *r = ret;
    remoteServer *srv = opaque;
    qemuDomainInfo info = { 0 };

    if (qemuDomainGetInfo(srv->driver, remoteDomainUUID(&a->dom), &info) < 0)
        return -1;
    r->state = info.state;
    r->maxMem = info.maxMemKiB;
    r->memory = info.memKiB;
    r->nrVirtCpu = info.nrVirtCpu;
    r->cpuTime = info.cpuTimeNs;
    return 0;
}

int
remoteDispatchDomainGetMaxMemory(virNetServerClient *client,
                                 const virNetMessageHeader *header,
                                 void *args, void *ret, void *opaque)
{
    remote_domain_get_max_memory_args *a = args;
    remote_domain_get_max_memory_ret *r = ret;
    remoteServer *srv = opaque;
    qemuDomainInfo info = { 0 };

    if (qemuDomainGetInfo(srv->driver, remoteDomainUUID(&a->dom), &info) < 0)
        return -1;
    r->memory = info.maxMemKiB;
    return 0;
}

int
remoteDispatchDomainGetState(virNetServerClient *client,
                             const virNetMessageHeader *header,
                             void *args, void *ret, void *opaque)
{
    remote_domain_get_state_args *a = args;
    remote_domain_get_state_ret *r = ret;
    remoteServer *srv = opaque;

    return qemuDomainGetState(srv->driver, remoteDomainUUID(&a->dom),
                              &r->state, &r->reason, a->flags);
}

int
remoteDispatchDomainGetOSType(virNetServerClient *client,
                              const virNetMessageHeader *header,
                              void *args, void *ret, void *opaque)
{
    remote_domain_get_os_type_args *a = args;
    remote_domain_get_os_type_ret *r = ret;
    remoteServer *srv = opaque;

    r->type = qemuDomainGetOSType(srv->driver, remoteDomainUUID(&a->dom));
    return r->type ? 0 : -1;
}

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
remoteDispatchDomainGetAutostart(virNetServerClient *client,
                                 const virNetMessageHeader *header,
                                 void *args, void *ret, void *opaque)
{
    remote_domain_get_autostart_args *a = args;
    remote_domain_get_autostart_ret *r = ret;
    remoteServer *srv = opaque;

    return qemuDomainGetAutostart(srv->driver, remoteDomainUUID(&a->dom),
                                  &r->autostart);
}

int
remoteDispatchDomainIsActive(virNetServerClient *client,
                             const virNetMessageHeader *header,
                             void *args, void *ret, void *opaque)
{
    remote_domain_is_active_args *a = args;
    remote_domain_is_active_ret *r = ret;
    remoteServer *srv = opaque;

    r->active = qemuDomainIsActive(srv->driver, remoteDomainUUID(&a->dom));
    return r->active < 0 ? -1 : 0;
}

int
remoteDispatchDomainIsPersistent(virNetServerClient *client,
                                 const virNetMessageHeader *header,
                                 void *args, void *ret, void *opaque)
{
    remote_domain_is_persistent_args *a = args;
    remote_domain_is_persistent_ret *r = ret;
    remoteServer *srv = opaque;

    r->persistent = qemuDomainIsPersistent(srv->driver, remoteDomainUUID(&a->dom));
    return r->persistent < 0 ? -1 : 0;
}

int
remoteDispatchDomainIsUpdated(virNetServerClient *client,
                              const virNetMessageHeader *header,
                              void *args, void *ret, void *opaque)
{
    remote_domain_is_updated_args *a = args;
    remote_domain_is_updated_ret *r = ret;

    /* virtmigd applies definitions at once: never a pending update */
    r->updated = 0;
    return remoteCheckDomain(opaque, &a->dom);
}

int
remoteDispatchDomainGetSecurityLabel(virNetServerClient *client,
                                     const virNetMessageHeader *header,
                                     void *args, void *ret, void *opaque)
{
    remote_domain_get_security_label_args *a = args;
    remote_domain_get_security_label_ret *r = ret;

    if (remoteCheckDomain(opaque, &a->dom) < 0)
        return -1;
    /* security model "none": an empty label, travelling with its NUL */
    r->label.label_val = g_strdup("");
    r->label.label_len = 1;
    r->enforcing = 0;
    return 0;
}

int
remoteDispatchDomainHasManagedSaveImage(virNetServerClient *client,
                                        const virNetMessageHeader *header,
                                        void *args, void *ret, void *opaque)
{
    remote_domain_has_managed_save_image_args *a = args;
    remote_domain_has_managed_save_image_ret *r = ret;

    /* virtmigd has no managed save */
    r->result = 0;
    return remoteCheckDomain(opaque, &a->dom);
}

int
remoteDispatchDomainGetMessages(virNetServerClient *client,
                                const virNetMessageHeader *header,
                                void *args, void *ret, void *opaque)
{
    remote_domain_get_messages_args *a = args;

    /* no taint or deprecation messages are tracked: an empty list */
    return remoteCheckDomain(opaque, &a->dom);
}

int
remoteDispatchDomainSnapshotNum(virNetServerClient *client,
                                const virNetMessageHeader *header,
                                void *args, void *ret, void *opaque)
{
    remote_domain_snapshot_num_args *a = args;
    remote_domain_snapshot_num_ret *r = ret;

    /* virtmigd has no snapshots (virsh undefine asks) */
    r->num = 0;
    return remoteCheckDomain(opaque, &a->dom);
}

/* ---- jobs -------------------------------------------------------------- */

int
remoteDispatchDomainGetJobInfo(virNetServerClient *client,
                               const virNetMessageHeader *header,
                               void *args, void *ret, void *opaque)
{
    remote_domain_get_job_info_args *a = args;
    remote_domain_get_job_info_ret *r = ret;
    remoteServer *srv = opaque;
    qemuDomainJobInfo info = { 0 };

    if (qemuDomainGetJobInfo(srv->driver, remoteDomainUUID(&a->dom), &info) < 0)
        return -1;
    r->type = info.type;
    r->timeElapsed = info.timeElapsed;
    r->timeRemaining = info.timeRemaining;
    r->dataTotal = info.dataTotal;
    r->dataProcessed = info.dataProcessed;
    r->dataRemaining = info.dataRemaining;
    r->memTotal = info.memTotal;
    r->memProcessed = info.memProcessed;
    r->memRemaining = info.memRemaining;
    r->fileTotal = info.fileTotal;
    r->fileProcessed = info.fileProcessed;
    r->fileRemaining = info.fileRemaining;
    return 0;
}

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
