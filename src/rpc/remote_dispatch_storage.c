/*
 * remote_dispatch_storage.c: the storage procedures written by hand
 * (the lists); the others are generated stubs calling the storage
 * driver (storage_driver.h)
 */
#include <string.h>

#include "remote_dispatch.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_RPC

/* The storage driver of @srv, or NULL with libvirt's "not supported"
 * for @api. */
static storageDriver *
remoteStorage(remoteServer *srv, const char *api)
{
    if (!srv->storage)
        remoteUnsupported(api);
    return srv->storage;
}

/* A name list reply from the NULL-terminated vector @names (taken) of
 * @n names; @n -1: the call failed (nothing to take). */
static int
remoteStorageNames(int n, char **names, char ***val, u_int *len)
{
    if (n < 0)
        return -1;
    *val = names;                 /* the vector's NULL is not sent */
    *len = n;
    return 0;
}

static int
remoteStorageCheckMax(int max, int limit, const char *what)
{
    if (max < 0 || max > limit) {
        virReportError(VIR_ERR_RPC, "%s", what);
        return -1;
    }
    return 0;
}

int
remoteDispatchConnectListStoragePools(virNetServerClient *client,
                                      const virNetMessageHeader *header,
                                      void *args, void *ret, void *opaque)
{
    remote_connect_list_storage_pools_args *a = args;
    remote_connect_list_storage_pools_ret *r = ret;
    storageDriver *storage = remoteStorage(opaque, "virConnectListStoragePools");
    char **names = NULL;
    int n;

    if (!storage ||
        remoteStorageCheckMax(a->maxnames, REMOTE_STORAGE_POOL_LIST_MAX,
                              _("maxnames > REMOTE_STORAGE_POOL_LIST_MAX")) < 0)
        return -1;
    n = storageConnectListPools(storage, true, a->maxnames, &names);
    return remoteStorageNames(n, names, &r->names.names_val, &r->names.names_len);
}

int
remoteDispatchConnectListDefinedStoragePools(virNetServerClient *client,
                                             const virNetMessageHeader *header,
                                             void *args, void *ret, void *opaque)
{
    remote_connect_list_defined_storage_pools_args *a = args;
    remote_connect_list_defined_storage_pools_ret *r = ret;
    storageDriver *storage = remoteStorage(opaque,
                                           "virConnectListDefinedStoragePools");
    char **names = NULL;
    int n;

    if (!storage ||
        remoteStorageCheckMax(a->maxnames, REMOTE_STORAGE_POOL_LIST_MAX,
                              _("maxnames > REMOTE_STORAGE_POOL_LIST_MAX")) < 0)
        return -1;
    n = storageConnectListPools(storage, false, a->maxnames, &names);
    return remoteStorageNames(n, names, &r->names.names_val, &r->names.names_len);
}

int
remoteDispatchStoragePoolListVolumes(virNetServerClient *client,
                                     const virNetMessageHeader *header,
                                     void *args, void *ret, void *opaque)
{
    remote_storage_pool_list_volumes_args *a = args;
    remote_storage_pool_list_volumes_ret *r = ret;
    storageDriver *storage = remoteStorage(opaque, "virStoragePoolListVolumes");
    char **names = NULL;
    int n;

    if (!storage ||
        remoteStorageCheckMax(a->maxnames, REMOTE_STORAGE_VOL_LIST_MAX,
                              _("maxnames > REMOTE_STORAGE_VOL_LIST_MAX")) < 0)
        return -1;
    n = storagePoolListVolumes(storage, (const unsigned char *)a->pool.uuid,
                               a->pool.name, a->maxnames, &names);
    return remoteStorageNames(n, names, &r->names.names_val, &r->names.names_len);
}

int
remoteDispatchConnectListAllStoragePools(virNetServerClient *client,
                                         const virNetMessageHeader *header,
                                         void *args, void *ret, void *opaque)
{
    remote_connect_list_all_storage_pools_args *a = args;
    remote_connect_list_all_storage_pools_ret *r = ret;
    storageDriver *storage = remoteStorage(opaque, "virConnectListAllStoragePools");
    storagePoolRef *refs = NULL;
    int n;
    int i;

    if (!storage ||
        (n = storageConnectListAllPools(storage, a->flags,
                                        a->need_results ? &refs : NULL)) < 0)
        return -1;
    if (n > REMOTE_STORAGE_POOL_LIST_MAX) {
        for (i = 0; refs && i < n; i++)
            storagePoolRefClear(&refs[i]);
        g_free(refs);
        virReportError(VIR_ERR_RPC, _("Too many storage pools '%1$d' for limit '%2$d'"),
                       n, REMOTE_STORAGE_POOL_LIST_MAX);
        return -1;
    }
    if (refs) {
        r->pools.pools_val = g_new0(remote_nonnull_storage_pool, MAX(n, 1));
        r->pools.pools_len = n;
        for (i = 0; i < n; i++)
            remoteMoveStoragePool(&r->pools.pools_val[i], &refs[i]);
        g_free(refs);
    }
    r->ret = n;
    return 0;
}

int
remoteDispatchStoragePoolListAllVolumes(virNetServerClient *client,
                                        const virNetMessageHeader *header,
                                        void *args, void *ret, void *opaque)
{
    remote_storage_pool_list_all_volumes_args *a = args;
    remote_storage_pool_list_all_volumes_ret *r = ret;
    storageDriver *storage = remoteStorage(opaque, "virStoragePoolListAllVolumes");
    storageVolRef *refs = NULL;
    int n;
    int i;

    if (!storage ||
        (n = storagePoolListAllVolumes(storage, (const unsigned char *)a->pool.uuid,
                                       a->pool.name, a->flags,
                                       a->need_results ? &refs : NULL)) < 0)
        return -1;
    if (n > REMOTE_STORAGE_VOL_LIST_MAX) {
        for (i = 0; refs && i < n; i++)
            storageVolRefClear(&refs[i]);
        g_free(refs);
        virReportError(VIR_ERR_RPC, _("Too many storage volumes '%1$d' for limit '%2$d'"),
                       n, REMOTE_STORAGE_VOL_LIST_MAX);
        return -1;
    }
    if (refs) {
        r->vols.vols_val = g_new0(remote_nonnull_storage_vol, MAX(n, 1));
        r->vols.vols_len = n;
        for (i = 0; i < n; i++)
            remoteMoveStorageVol(&r->vols.vols_val[i], &refs[i]);
        g_free(refs);
    }
    r->ret = n;
    return 0;
}
