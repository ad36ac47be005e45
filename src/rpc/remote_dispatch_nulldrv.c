/*
 * remote_dispatch_nulldrv.c: the drivers virtmigd does not have
 *
 * Networks, host interfaces, node devices, secrets and network filters
 * are answered as a libvirt host with none of them would: lists are
 * empty, lookups fail with libvirt's "not found" codes and messages,
 * and list flags are checked like libvirt's drivers do (the error
 * names the libvirt driver function, as clients see it from libvirtd).
 * Event registrations for these types live in remote_event.c.  Also
 * CONNECT_GET_CPU_MODEL_NAMES, which has a result list of its own.
 */
#include "remote_dispatch.h"
#include "viruuid.h"

/* libvirt 9.0's list filters (VIR_CONNECT_LIST_*) per object type */
#define REMOTE_NULL_NETWORKS_FILTERS 0x3f
#define REMOTE_NULL_INTERFACES_FILTERS 0x3
#define REMOTE_NULL_NODE_DEVICES_FILTERS 0xc03fffff
#define REMOTE_NULL_SECRETS_FILTERS 0xf

/* The refusal of a maxnames beyond the list limit (libvirt's generated
 * dispatcher's check). */
static int
remoteNullCheckMax(int max, int limit, const char *what)
{
    if (max <= limit)
        return 0;
    virReportErrorFull(VIR_FROM_REMOTE, VIR_ERR_RPC, __FILE__, __func__, __LINE__,
                       "%s", what);
    return -1;
}

#define REMOTE_NULL_NOT_FOUND(domain, code, ...) \
    (virReportErrorFull(domain, code, __FILE__, __func__, __LINE__, __VA_ARGS__), -1)

/* libvirt's "no network with matching uuid '...'" (@what: network,
 * secret, nwfilter). */
static int
remoteNullUUIDNotFound(int domain, int code, const char *what,
                       const unsigned char *uuid)
{
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    virUUIDFormat(uuid, uuidstr);
    virReportErrorFull(domain, code, __FILE__, __func__, __LINE__,
                       _("no %1$s with matching uuid '%2$s'"), what, uuidstr);
    return -1;
}

/* ---- networks ---- */

int
remoteDispatchConnectListNetworks(virNetServerClient *client,
                                  const virNetMessageHeader *header,
                                  void *args, void *ret, void *opaque)
{
    remote_connect_list_networks_args *a = args;

    return remoteNullCheckMax(a->maxnames, REMOTE_NETWORK_LIST_MAX,
                              _("maxnames > REMOTE_NETWORK_LIST_MAX"));
}

int
remoteDispatchConnectListDefinedNetworks(virNetServerClient *client,
                                         const virNetMessageHeader *header,
                                         void *args, void *ret, void *opaque)
{
    remote_connect_list_defined_networks_args *a = args;

    return remoteNullCheckMax(a->maxnames, REMOTE_NETWORK_LIST_MAX,
                              _("maxnames > REMOTE_NETWORK_LIST_MAX"));
}

int
remoteDispatchNetworkLookupByName(virNetServerClient *client,
                                  const virNetMessageHeader *header,
                                  void *args, void *ret, void *opaque)
{
    remote_network_lookup_by_name_args *a = args;

    return REMOTE_NULL_NOT_FOUND(VIR_FROM_NETWORK, VIR_ERR_NO_NETWORK,
                                 _("no network with matching name '%1$s'"),
                                 a->name);
}

int
remoteDispatchNetworkLookupByUUID(virNetServerClient *client,
                                  const virNetMessageHeader *header,
                                  void *args, void *ret, void *opaque)
{
    remote_network_lookup_by_uuid_args *a = args;

    return remoteNullUUIDNotFound(VIR_FROM_NETWORK, VIR_ERR_NO_NETWORK,
                                  "network",
                                  (const unsigned char *)a->uuid);
}

int
remoteDispatchConnectListAllNetworks(virNetServerClient *client,
                                     const virNetMessageHeader *header,
                                     void *args, void *ret, void *opaque)
{
    remote_connect_list_all_networks_args *a = args;

    return virCheckFlagsAs(VIR_FROM_NETWORK, a->flags, REMOTE_NULL_NETWORKS_FILTERS,
                           "networkConnectListAllNetworks") ? 0 : -1;
}

/* ---- host interfaces (libvirt's udev backend on Debian) ---- */

int
remoteDispatchConnectListInterfaces(virNetServerClient *client,
                                    const virNetMessageHeader *header,
                                    void *args, void *ret, void *opaque)
{
    remote_connect_list_interfaces_args *a = args;

    return remoteNullCheckMax(a->maxnames, REMOTE_INTERFACE_LIST_MAX,
                              _("maxnames > REMOTE_INTERFACE_LIST_MAX"));
}

int
remoteDispatchConnectListDefinedInterfaces(virNetServerClient *client,
                                           const virNetMessageHeader *header,
                                           void *args, void *ret, void *opaque)
{
    remote_connect_list_defined_interfaces_args *a = args;

    return remoteNullCheckMax(a->maxnames, REMOTE_INTERFACE_LIST_MAX,
                              _("maxnames > REMOTE_INTERFACE_LIST_MAX"));
}

int
remoteDispatchInterfaceLookupByName(virNetServerClient *client,
                                    const virNetMessageHeader *header,
                                    void *args, void *ret, void *opaque)
{
    remote_interface_lookup_by_name_args *a = args;

    return REMOTE_NULL_NOT_FOUND(VIR_FROM_INTERFACE, VIR_ERR_NO_INTERFACE,
                                 _("couldn't find interface named '%1$s'"),
                                 a->name);
}

int
remoteDispatchInterfaceLookupByMacString(virNetServerClient *client,
                                         const virNetMessageHeader *header,
                                         void *args, void *ret, void *opaque)
{
    remote_interface_lookup_by_mac_string_args *a = args;

    return REMOTE_NULL_NOT_FOUND(VIR_FROM_INTERFACE, VIR_ERR_NO_INTERFACE,
                                 _("couldn't find interface with MAC address '%1$s'"),
                                 a->mac);
}

int
remoteDispatchConnectListAllInterfaces(virNetServerClient *client,
                                       const virNetMessageHeader *header,
                                       void *args, void *ret, void *opaque)
{
    remote_connect_list_all_interfaces_args *a = args;

    return virCheckFlagsAs(VIR_FROM_INTERFACE, a->flags,
                           REMOTE_NULL_INTERFACES_FILTERS,
                           "udevConnectListAllInterfaces") ? 0 : -1;
}

/* ---- node devices ---- */

int
remoteDispatchNodeNumOfDevices(virNetServerClient *client,
                               const virNetMessageHeader *header,
                               void *args, void *ret, void *opaque)
{
    remote_node_num_of_devices_args *a = args;

    return virCheckFlagsAs(VIR_FROM_NODEDEV, a->flags, 0, "nodeNumOfDevices") ? 0 : -1;
}

int
remoteDispatchNodeListDevices(virNetServerClient *client,
                              const virNetMessageHeader *header,
                              void *args, void *ret, void *opaque)
{
    remote_node_list_devices_args *a = args;

    if (remoteNullCheckMax(a->maxnames, REMOTE_NODE_DEVICE_LIST_MAX,
                           _("maxnames > REMOTE_NODE_DEVICE_LIST_MAX")) < 0)
        return -1;
    return virCheckFlagsAs(VIR_FROM_NODEDEV, a->flags, 0, "nodeListDevices") ? 0 : -1;
}

int
remoteDispatchNodeDeviceLookupByName(virNetServerClient *client,
                                     const virNetMessageHeader *header,
                                     void *args, void *ret, void *opaque)
{
    remote_node_device_lookup_by_name_args *a = args;

    return REMOTE_NULL_NOT_FOUND(VIR_FROM_NODEDEV, VIR_ERR_NO_NODE_DEVICE,
                                 _("no node device with matching name '%1$s'"),
                                 a->name);
}

int
remoteDispatchConnectListAllNodeDevices(virNetServerClient *client,
                                        const virNetMessageHeader *header,
                                        void *args, void *ret, void *opaque)
{
    remote_connect_list_all_node_devices_args *a = args;

    return virCheckFlagsAs(VIR_FROM_NODEDEV, a->flags,
                           REMOTE_NULL_NODE_DEVICES_FILTERS,
                           "nodeConnectListAllNodeDevices") ? 0 : -1;
}

/* ---- secrets ---- */

int
remoteDispatchConnectListSecrets(virNetServerClient *client,
                                 const virNetMessageHeader *header,
                                 void *args, void *ret, void *opaque)
{
    remote_connect_list_secrets_args *a = args;

    return remoteNullCheckMax(a->maxuuids, REMOTE_SECRET_LIST_MAX,
                              _("maxuuids > REMOTE_SECRET_LIST_MAX"));
}

int
remoteDispatchSecretLookupByUUID(virNetServerClient *client,
                                 const virNetMessageHeader *header,
                                 void *args, void *ret, void *opaque)
{
    remote_secret_lookup_by_uuid_args *a = args;

    return remoteNullUUIDNotFound(VIR_FROM_SECRET, VIR_ERR_NO_SECRET,
                                  "secret",
                                  (const unsigned char *)a->uuid);
}

int
remoteDispatchSecretLookupByUsage(virNetServerClient *client,
                                  const virNetMessageHeader *header,
                                  void *args, void *ret, void *opaque)
{
    remote_secret_lookup_by_usage_args *a = args;

    return REMOTE_NULL_NOT_FOUND(VIR_FROM_SECRET, VIR_ERR_NO_SECRET,
                                 _("no secret with matching usage '%1$s'"),
                                 a->usageID);
}

int
remoteDispatchConnectListAllSecrets(virNetServerClient *client,
                                    const virNetMessageHeader *header,
                                    void *args, void *ret, void *opaque)
{
    remote_connect_list_all_secrets_args *a = args;

    return virCheckFlagsAs(VIR_FROM_SECRET, a->flags, REMOTE_NULL_SECRETS_FILTERS,
                           "secretConnectListAllSecrets") ? 0 : -1;
}

/* ---- network filters ---- */

int
remoteDispatchNwfilterLookupByName(virNetServerClient *client,
                                   const virNetMessageHeader *header,
                                   void *args, void *ret, void *opaque)
{
    remote_nwfilter_lookup_by_name_args *a = args;

    return REMOTE_NULL_NOT_FOUND(VIR_FROM_NWFILTER, VIR_ERR_NO_NWFILTER,
                                 _("no nwfilter with matching name '%1$s'"),
                                 a->name);
}

int
remoteDispatchNwfilterLookupByUUID(virNetServerClient *client,
                                   const virNetMessageHeader *header,
                                   void *args, void *ret, void *opaque)
{
    remote_nwfilter_lookup_by_uuid_args *a = args;

    return remoteNullUUIDNotFound(VIR_FROM_NWFILTER, VIR_ERR_NO_NWFILTER,
                                  "nwfilter",
                                  (const unsigned char *)a->uuid);
}

int
remoteDispatchConnectListNwfilters(virNetServerClient *client,
                                   const virNetMessageHeader *header,
                                   void *args, void *ret, void *opaque)
{
    remote_connect_list_nwfilters_args *a = args;

    return remoteNullCheckMax(a->maxnames, REMOTE_NWFILTER_LIST_MAX,
                              _("maxnames > REMOTE_NWFILTER_LIST_MAX"));
}

int
remoteDispatchConnectListAllNwfilters(virNetServerClient *client,
                                      const virNetMessageHeader *header,
                                      void *args, void *ret, void *opaque)
{
    remote_connect_list_all_nwfilters_args *a = args;

    return virCheckFlagsAs(VIR_FROM_NWFILTER, a->flags, 0,
                           "nwfilterConnectListAllNWFilters") ? 0 : -1;
}

/* ---- CPU model names ---- */

int
remoteDispatchConnectGetCPUModelNames(virNetServerClient *client,
                                      const virNetMessageHeader *header,
                                      void *args, void *ret, void *opaque)
{
    remote_connect_get_cpu_model_names_args *a = args;
    remote_connect_get_cpu_model_names_ret *r = ret;
    remoteServer *srv = opaque;
    g_auto(GStrv) models = NULL;
    int n;

    if ((n = qemuConnectGetCPUModelNames(srv->driver, a->arch,
                                         a->need_results ? &models : NULL,
                                         a->flags)) < 0)
        return -1;
    if (n > REMOTE_CONNECT_CPU_MODELS_MAX) {
        virReportErrorFull(VIR_FROM_REMOTE, VIR_ERR_INTERNAL_ERROR, __FILE__,
                           __func__, __LINE__,
                           _("Too many CPU models '%1$d' for limit '%2$d'"),
                           n, REMOTE_CONNECT_CPU_MODELS_MAX);
        return -1;
    }
    if (models && n > 0) {
        r->models.models_len = n;
        r->models.models_val = g_steal_pointer(&models);
    }
    r->ret = n;
    return 0;
}
