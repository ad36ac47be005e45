/*
 * remote_dispatch.c: the remote program's procedure table, access
 * checks and per-client state
 */
#include <string.h>

#include "remote_dispatch.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.remote_dispatch");

/* ---- per-client state ------------------------------------------------ */

remoteClient *
remoteClientNew(remoteServer *srv, guint64 id, bool readonly)
{
    remoteClient *priv = g_new0(remoteClient, 1);

    g_mutex_init(&priv->lock);
    priv->srv = srv;
    priv->id = id;
    priv->readonly = readonly;
    priv->callbacks = g_array_new(FALSE, FALSE, sizeof(remoteEventCallback));
    return priv;
}

void
remoteClientFree(remoteClient *priv)
{
    if (!priv)
        return;
    /* the last reference is gone: the connection is closed and none of
     * its calls runs any more (libvirt runs the driver's close callbacks
     * at the same point) */
    if (priv->migration)
        remoteMigrationClientReleased(priv->srv, priv->id);
    g_array_unref(priv->callbacks);
    g_free(priv->uri);
    g_mutex_clear(&priv->lock);
    g_free(priv);
}

remoteClient *
remoteClientGet(virNetServerClient *client)
{
    return virNetServerClientGetPrivateData(client);
}

/* ---- helpers ----------------------------------------------------------- */

void
remoteMakeDomain(remote_nonnull_domain *dom, const qemuDomainRef *ref)
{
    dom->name = g_strdup(ref->name);
    memcpy(dom->uuid, ref->uuid, VIR_UUID_BUFLEN);
    dom->id = ref->id;
}

const unsigned char *
remoteDomainUUID(const remote_nonnull_domain *dom)
{
    return (const unsigned char *)dom->uuid;
}

/* ---- access checks --------------------------------------------------- */

/* Procedures a client may call before CONNECT_OPEN. */
static bool
remoteProcAllowedBeforeOpen(int proc)
{
    switch (proc) {
    case REMOTE_PROC_AUTH_LIST:
    case REMOTE_PROC_CONNECT_OPEN:
    case REMOTE_PROC_CONNECT_CLOSE:
    case REMOTE_PROC_CONNECT_SUPPORTS_FEATURE:  /* checks itself */
        return true;
    default:
        return false;
    }
}

int
remoteDispatchCheck(virNetServerClient *client, const virNetServerProc *proc,
                    void *opaque)
{
    remoteClient *priv = remoteClientGet(client);
    bool open;
    bool readonly;

    if (remoteProcAllowedBeforeOpen(proc->proc))
        return 0;
    g_mutex_lock(&priv->lock);
    open = priv->open;
    readonly = priv->readonly;
    g_mutex_unlock(&priv->lock);

    if (!open) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s", _("connection not open"));
        return -1;
    }
    if (readonly && proc->readonlyApi) {
        /* libvirt's virCheckReadOnlyGoto in libvirt-domain.c */
        virReportErrorFull(VIR_FROM_DOMAIN, VIR_ERR_OPERATION_DENIED,
                           __FILE__, __func__, __LINE__,
                           _("read only access prevents %1$s"),
                           proc->readonlyApi);
        return -1;
    }
    return 0;
}

/* ---- the procedure table ---------------------------------------------- */

#define REMOTE_XDR(type) (xdrproc_t)xdr_ ## type, sizeof(type)
#define REMOTE_NONE (xdrproc_t)virNetMessageXdrVoid, 0
#define REMOTE_HIGH true
#define REMOTE_LOW false

#define REMOTE_PROC(num, func, args, ret, prio, roapi) \
    { REMOTE_PROC_ ## num, #num, "remoteDispatch" #func, remoteDispatch ## func, \
      args, ret, prio, roapi }

/* Sorted by procedure number (checked by tests/rpcdispatchtest.c, which
 * also checks priorities and read-only markings against
 * remote_protocol.x). */
static const virNetServerProc remoteProcs[] = {
    REMOTE_PROC(CONNECT_OPEN, ConnectOpen,
                REMOTE_XDR(remote_connect_open_args), REMOTE_NONE,
                REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_CLOSE, ConnectClose,
                REMOTE_NONE, REMOTE_NONE, REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_GET_TYPE, ConnectGetType,
                REMOTE_NONE, REMOTE_XDR(remote_connect_get_type_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_GET_VERSION, ConnectGetVersion,
                REMOTE_NONE, REMOTE_XDR(remote_connect_get_version_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(NODE_GET_INFO, NodeGetInfo,
                REMOTE_NONE, REMOTE_XDR(remote_node_get_info_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_GET_CAPABILITIES, ConnectGetCapabilities,
                REMOTE_NONE, REMOTE_XDR(remote_connect_get_capabilities_ret),
                REMOTE_LOW, NULL),
    REMOTE_PROC(DOMAIN_CREATE, DomainCreate,
                REMOTE_XDR(remote_domain_create_args), REMOTE_NONE,
                REMOTE_LOW, "virDomainCreate"),
    REMOTE_PROC(DOMAIN_CREATE_XML, DomainCreateXML,
                REMOTE_XDR(remote_domain_create_xml_args),
                REMOTE_XDR(remote_domain_create_xml_ret),
                REMOTE_LOW, "virDomainCreateXML"),
    REMOTE_PROC(DOMAIN_DEFINE_XML, DomainDefineXML,
                REMOTE_XDR(remote_domain_define_xml_args),
                REMOTE_XDR(remote_domain_define_xml_ret),
                REMOTE_HIGH, "virDomainDefineXML"),
    REMOTE_PROC(DOMAIN_DESTROY, DomainDestroy,
                REMOTE_XDR(remote_domain_destroy_args), REMOTE_NONE,
                REMOTE_HIGH, "virDomainDestroy"),
    REMOTE_PROC(DOMAIN_GET_XML_DESC, DomainGetXMLDesc,
                REMOTE_XDR(remote_domain_get_xml_desc_args),
                REMOTE_XDR(remote_domain_get_xml_desc_ret),
                REMOTE_LOW, NULL),
    REMOTE_PROC(DOMAIN_GET_AUTOSTART, DomainGetAutostart,
                REMOTE_XDR(remote_domain_get_autostart_args),
                REMOTE_XDR(remote_domain_get_autostart_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_GET_INFO, DomainGetInfo,
                REMOTE_XDR(remote_domain_get_info_args),
                REMOTE_XDR(remote_domain_get_info_ret),
                REMOTE_LOW, NULL),
    REMOTE_PROC(DOMAIN_GET_MAX_MEMORY, DomainGetMaxMemory,
                REMOTE_XDR(remote_domain_get_max_memory_args),
                REMOTE_XDR(remote_domain_get_max_memory_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_GET_OS_TYPE, DomainGetOSType,
                REMOTE_XDR(remote_domain_get_os_type_args),
                REMOTE_XDR(remote_domain_get_os_type_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_LIST_DEFINED_DOMAINS, ConnectListDefinedDomains,
                REMOTE_XDR(remote_connect_list_defined_domains_args),
                REMOTE_XDR(remote_connect_list_defined_domains_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_LOOKUP_BY_ID, DomainLookupByID,
                REMOTE_XDR(remote_domain_lookup_by_id_args),
                REMOTE_XDR(remote_domain_lookup_by_id_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_LOOKUP_BY_NAME, DomainLookupByName,
                REMOTE_XDR(remote_domain_lookup_by_name_args),
                REMOTE_XDR(remote_domain_lookup_by_name_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_LOOKUP_BY_UUID, DomainLookupByUUID,
                REMOTE_XDR(remote_domain_lookup_by_uuid_args),
                REMOTE_XDR(remote_domain_lookup_by_uuid_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_NUM_OF_DEFINED_DOMAINS, ConnectNumOfDefinedDomains,
                REMOTE_NONE, REMOTE_XDR(remote_connect_num_of_defined_domains_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_RESUME, DomainResume,
                REMOTE_XDR(remote_domain_resume_args), REMOTE_NONE,
                REMOTE_LOW, "virDomainResume"),
    REMOTE_PROC(DOMAIN_SHUTDOWN, DomainShutdown,
                REMOTE_XDR(remote_domain_shutdown_args), REMOTE_NONE,
                REMOTE_LOW, "virDomainShutdown"),
    REMOTE_PROC(DOMAIN_SUSPEND, DomainSuspend,
                REMOTE_XDR(remote_domain_suspend_args), REMOTE_NONE,
                REMOTE_LOW, "virDomainSuspend"),
    REMOTE_PROC(DOMAIN_UNDEFINE, DomainUndefine,
                REMOTE_XDR(remote_domain_undefine_args), REMOTE_NONE,
                REMOTE_HIGH, "virDomainUndefine"),
    REMOTE_PROC(CONNECT_LIST_DOMAINS, ConnectListDomains,
                REMOTE_XDR(remote_connect_list_domains_args),
                REMOTE_XDR(remote_connect_list_domains_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_NUM_OF_DOMAINS, ConnectNumOfDomains,
                REMOTE_NONE, REMOTE_XDR(remote_connect_num_of_domains_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_GET_HOSTNAME, ConnectGetHostname,
                REMOTE_NONE, REMOTE_XDR(remote_connect_get_hostname_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_SUPPORTS_FEATURE, ConnectSupportsFeature,
                REMOTE_XDR(remote_connect_supports_feature_args),
                REMOTE_XDR(remote_connect_supports_feature_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(AUTH_LIST, AuthList,
                REMOTE_NONE, REMOTE_XDR(remote_auth_list_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(NODE_GET_FREE_MEMORY, NodeGetFreeMemory,
                REMOTE_NONE, REMOTE_XDR(remote_node_get_free_memory_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_MEMORY_PEEK, DomainMemoryPeek,
                REMOTE_XDR(remote_domain_memory_peek_args),
                REMOTE_XDR(remote_domain_memory_peek_ret),
                REMOTE_LOW, "virDomainMemoryPeek"),
    REMOTE_PROC(CONNECT_DOMAIN_EVENT_REGISTER, ConnectDomainEventRegister,
                REMOTE_NONE, REMOTE_XDR(remote_connect_domain_event_register_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_DOMAIN_EVENT_DEREGISTER, ConnectDomainEventDeregister,
                REMOTE_NONE, REMOTE_XDR(remote_connect_domain_event_deregister_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_GET_URI, ConnectGetURI,
                REMOTE_NONE, REMOTE_XDR(remote_connect_get_uri_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_GET_SECURITY_LABEL, DomainGetSecurityLabel,
                REMOTE_XDR(remote_domain_get_security_label_args),
                REMOTE_XDR(remote_domain_get_security_label_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(NODE_GET_SECURITY_MODEL, NodeGetSecurityModel,
                REMOTE_NONE, REMOTE_XDR(remote_node_get_security_model_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_IS_SECURE, ConnectIsSecure,
                REMOTE_NONE, REMOTE_XDR(remote_connect_is_secure_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_IS_ACTIVE, DomainIsActive,
                REMOTE_XDR(remote_domain_is_active_args),
                REMOTE_XDR(remote_domain_is_active_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_IS_PERSISTENT, DomainIsPersistent,
                REMOTE_XDR(remote_domain_is_persistent_args),
                REMOTE_XDR(remote_domain_is_persistent_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_GET_LIB_VERSION, ConnectGetLibVersion,
                REMOTE_NONE, REMOTE_XDR(remote_connect_get_lib_version_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_GET_JOB_INFO, DomainGetJobInfo,
                REMOTE_XDR(remote_domain_get_job_info_args),
                REMOTE_XDR(remote_domain_get_job_info_ret),
                REMOTE_LOW, NULL),
    REMOTE_PROC(DOMAIN_ABORT_JOB, DomainAbortJob,
                REMOTE_XDR(remote_domain_abort_job_args), REMOTE_NONE,
                REMOTE_LOW, "virDomainAbortJob"),
    REMOTE_PROC(DOMAIN_MIGRATE_SET_MAX_DOWNTIME, DomainMigrateSetMaxDowntime,
                REMOTE_XDR(remote_domain_migrate_set_max_downtime_args), REMOTE_NONE,
                REMOTE_LOW, "virDomainMigrateSetMaxDowntime"),
    REMOTE_PROC(CONNECT_DOMAIN_EVENT_REGISTER_ANY, ConnectDomainEventRegisterAny,
                REMOTE_XDR(remote_connect_domain_event_register_any_args),
                REMOTE_NONE, REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, ConnectDomainEventDeregisterAny,
                REMOTE_XDR(remote_connect_domain_event_deregister_any_args),
                REMOTE_NONE, REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_HAS_MANAGED_SAVE_IMAGE, DomainHasManagedSaveImage,
                REMOTE_XDR(remote_domain_has_managed_save_image_args),
                REMOTE_XDR(remote_domain_has_managed_save_image_ret),
                REMOTE_LOW, NULL),
    REMOTE_PROC(DOMAIN_SNAPSHOT_NUM, DomainSnapshotNum,
                REMOTE_XDR(remote_domain_snapshot_num_args),
                REMOTE_XDR(remote_domain_snapshot_num_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_CREATE_WITH_FLAGS, DomainCreateWithFlags,
                REMOTE_XDR(remote_domain_create_with_flags_args),
                REMOTE_XDR(remote_domain_create_with_flags_ret),
                REMOTE_LOW, "virDomainCreateWithFlags"),
    REMOTE_PROC(DOMAIN_IS_UPDATED, DomainIsUpdated,
                REMOTE_XDR(remote_domain_is_updated_args),
                REMOTE_XDR(remote_domain_is_updated_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_MIGRATE_SET_MAX_SPEED, DomainMigrateSetMaxSpeed,
                REMOTE_XDR(remote_domain_migrate_set_max_speed_args), REMOTE_NONE,
                REMOTE_LOW, "virDomainMigrateSetMaxSpeed"),
    REMOTE_PROC(DOMAIN_GET_STATE, DomainGetState,
                REMOTE_XDR(remote_domain_get_state_args),
                REMOTE_XDR(remote_domain_get_state_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_MIGRATE_BEGIN3, DomainMigrateBegin3,
                REMOTE_XDR(remote_domain_migrate_begin3_args),
                REMOTE_XDR(remote_domain_migrate_begin3_ret),
                REMOTE_LOW, "virDomainMigrateBegin3"),
    REMOTE_PROC(DOMAIN_MIGRATE_PREPARE3, DomainMigratePrepare3,
                REMOTE_XDR(remote_domain_migrate_prepare3_args),
                REMOTE_XDR(remote_domain_migrate_prepare3_ret),
                REMOTE_LOW, "virDomainMigratePrepare3"),
    REMOTE_PROC(DOMAIN_MIGRATE_PERFORM3, DomainMigratePerform3,
                REMOTE_XDR(remote_domain_migrate_perform3_args),
                REMOTE_XDR(remote_domain_migrate_perform3_ret),
                REMOTE_LOW, "virDomainMigratePerform3"),
    REMOTE_PROC(DOMAIN_MIGRATE_FINISH3, DomainMigrateFinish3,
                REMOTE_XDR(remote_domain_migrate_finish3_args),
                REMOTE_XDR(remote_domain_migrate_finish3_ret),
                REMOTE_LOW, "virDomainMigrateFinish3"),
    REMOTE_PROC(DOMAIN_MIGRATE_CONFIRM3, DomainMigrateConfirm3,
                REMOTE_XDR(remote_domain_migrate_confirm3_args), REMOTE_NONE,
                REMOTE_LOW, "virDomainMigrateConfirm3"),
    REMOTE_PROC(DOMAIN_UNDEFINE_FLAGS, DomainUndefineFlags,
                REMOTE_XDR(remote_domain_undefine_flags_args), REMOTE_NONE,
                REMOTE_HIGH, "virDomainUndefineFlags"),
    REMOTE_PROC(DOMAIN_DESTROY_FLAGS, DomainDestroyFlags,
                REMOTE_XDR(remote_domain_destroy_flags_args), REMOTE_NONE,
                REMOTE_HIGH, "virDomainDestroyFlags"),
    REMOTE_PROC(DOMAIN_MIGRATE_GET_MAX_SPEED, DomainMigrateGetMaxSpeed,
                REMOTE_XDR(remote_domain_migrate_get_max_speed_args),
                REMOTE_XDR(remote_domain_migrate_get_max_speed_ret),
                REMOTE_LOW, "virDomainMigrateGetMaxSpeed"),
    REMOTE_PROC(DOMAIN_SHUTDOWN_FLAGS, DomainShutdownFlags,
                REMOTE_XDR(remote_domain_shutdown_flags_args), REMOTE_NONE,
                REMOTE_LOW, "virDomainShutdownFlags"),
    REMOTE_PROC(CONNECT_LIST_ALL_DOMAINS, ConnectListAllDomains,
                REMOTE_XDR(remote_connect_list_all_domains_args),
                REMOTE_XDR(remote_connect_list_all_domains_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_GET_JOB_STATS, DomainGetJobStats,
                REMOTE_XDR(remote_domain_get_job_stats_args),
                REMOTE_XDR(remote_domain_get_job_stats_ret),
                REMOTE_LOW, NULL),
    REMOTE_PROC(DOMAIN_MIGRATE_GET_COMPRESSION_CACHE,
                DomainMigrateGetCompressionCache,
                REMOTE_XDR(remote_domain_migrate_get_compression_cache_args),
                REMOTE_XDR(remote_domain_migrate_get_compression_cache_ret),
                REMOTE_LOW, NULL),
    REMOTE_PROC(DOMAIN_MIGRATE_SET_COMPRESSION_CACHE,
                DomainMigrateSetCompressionCache,
                REMOTE_XDR(remote_domain_migrate_set_compression_cache_args),
                REMOTE_NONE, REMOTE_LOW, "virDomainMigrateSetCompressionCache"),
    REMOTE_PROC(DOMAIN_MIGRATE_BEGIN3_PARAMS, DomainMigrateBegin3Params,
                REMOTE_XDR(remote_domain_migrate_begin3_params_args),
                REMOTE_XDR(remote_domain_migrate_begin3_params_ret),
                REMOTE_LOW, "virDomainMigrateBegin3Params"),
    REMOTE_PROC(DOMAIN_MIGRATE_PREPARE3_PARAMS, DomainMigratePrepare3Params,
                REMOTE_XDR(remote_domain_migrate_prepare3_params_args),
                REMOTE_XDR(remote_domain_migrate_prepare3_params_ret),
                REMOTE_LOW, "virDomainMigratePrepare3Params"),
    REMOTE_PROC(DOMAIN_MIGRATE_PERFORM3_PARAMS, DomainMigratePerform3Params,
                REMOTE_XDR(remote_domain_migrate_perform3_params_args),
                REMOTE_XDR(remote_domain_migrate_perform3_params_ret),
                REMOTE_LOW, "virDomainMigratePerform3Params"),
    REMOTE_PROC(DOMAIN_MIGRATE_FINISH3_PARAMS, DomainMigrateFinish3Params,
                REMOTE_XDR(remote_domain_migrate_finish3_params_args),
                REMOTE_XDR(remote_domain_migrate_finish3_params_ret),
                REMOTE_LOW, "virDomainMigrateFinish3Params"),
    REMOTE_PROC(DOMAIN_MIGRATE_CONFIRM3_PARAMS, DomainMigrateConfirm3Params,
                REMOTE_XDR(remote_domain_migrate_confirm3_params_args), REMOTE_NONE,
                REMOTE_LOW, "virDomainMigrateConfirm3Params"),
    REMOTE_PROC(CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                ConnectDomainEventCallbackRegisterAny,
                REMOTE_XDR(remote_connect_domain_event_callback_register_any_args),
                REMOTE_XDR(remote_connect_domain_event_callback_register_any_ret),
                REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                ConnectDomainEventCallbackDeregisterAny,
                REMOTE_XDR(remote_connect_domain_event_callback_deregister_any_args),
                REMOTE_NONE, REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_DEFINE_XML_FLAGS, DomainDefineXMLFlags,
                REMOTE_XDR(remote_domain_define_xml_flags_args),
                REMOTE_XDR(remote_domain_define_xml_flags_ret),
                REMOTE_HIGH, "virDomainDefineXMLFlags"),
    REMOTE_PROC(CONNECT_REGISTER_CLOSE_CALLBACK, ConnectRegisterCloseCallback,
                REMOTE_NONE, REMOTE_NONE, REMOTE_HIGH, NULL),
    REMOTE_PROC(CONNECT_UNREGISTER_CLOSE_CALLBACK, ConnectUnregisterCloseCallback,
                REMOTE_NONE, REMOTE_NONE, REMOTE_HIGH, NULL),
    REMOTE_PROC(DOMAIN_MIGRATE_START_POST_COPY, DomainMigrateStartPostCopy,
                REMOTE_XDR(remote_domain_migrate_start_post_copy_args), REMOTE_NONE,
                REMOTE_LOW, "virDomainMigrateStartPostCopy"),
    REMOTE_PROC(DOMAIN_MIGRATE_GET_MAX_DOWNTIME, DomainMigrateGetMaxDowntime,
                REMOTE_XDR(remote_domain_migrate_get_max_downtime_args),
                REMOTE_XDR(remote_domain_migrate_get_max_downtime_ret),
                REMOTE_LOW, NULL),
    REMOTE_PROC(DOMAIN_GET_MESSAGES, DomainGetMessages,
                REMOTE_XDR(remote_domain_get_messages_args),
                REMOTE_XDR(remote_domain_get_messages_ret),
                REMOTE_LOW, NULL),
    REMOTE_PROC(DOMAIN_ABORT_JOB_FLAGS, DomainAbortJobFlags,
                REMOTE_XDR(remote_domain_abort_job_flags_args), REMOTE_NONE,
                REMOTE_LOW, "virDomainAbortJobFlags"),
};

const virNetServerProc *
remoteDispatchGetProcs(size_t *nprocs)
{
    *nprocs = G_N_ELEMENTS(remoteProcs);
    return remoteProcs;
}
