/*
 * storage_driver.h: the storage driver: 'dir' pools and their file
 * volumes, libvirt's storage API as the RPC layer calls it
 *
 * The driver object is owned by the daemon (no globals).  Pools are
 * named on the wire by name + UUID (libvirt's virStoragePoolPtr); the
 * driver finds them by UUID (the name only goes into "not found"), and
 * volumes by their pool's name and their own name, as libvirt's storage
 * driver does.
 *
 * Paths: pool target and volume paths are host paths, taken as written,
 * also when the daemon runs with a private root (--root DIR): the root
 * relocates the daemon's own files (definitions, state), never paths
 * given in XML, like domain disk paths, so that a volume's path is what
 * a domain's <disk> names and a pool can be made for any image's
 * directory (virt-manager does so for an existing image).
 *
 * Functions return 0 (or a count / a new string) on success, -1 (or
 * NULL) with libvirt's error reported.
 */
#pragma once

#include "internal.h"

typedef struct _storageDriver storageDriver;

typedef struct {
    const char *configDir;        /* persistent definitions (NAME.xml) */
    const char *autostartDir;     /* autostart links to them */
    const char *stateDir;         /* definitions of active pools */
} storageDriverConfig;

/* Loads the definitions, the state of pools active when the daemon
 * stopped, and starts the autostart pools.  NULL on error. */
storageDriver *storageDriverNew(const storageDriverConfig *cfg);
void storageDriverFree(storageDriver *driver);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(storageDriver, storageDriverFree);

/* A pool or volume as the wire names it (owned strings). */
typedef struct {
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];
} storagePoolRef;

typedef struct {
    char *pool;
    char *name;
    char *key;
} storageVolRef;

void storagePoolRefClear(storagePoolRef *ref);
void storageVolRefClear(storageVolRef *ref);

/* ---- events ---- */

/* libvirt's virStoragePoolEventID / virStoragePoolEventLifecycleType */
enum {
    VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE = 0,
    VIR_STORAGE_POOL_EVENT_ID_REFRESH = 1,
    VIR_STORAGE_POOL_EVENT_ID_LAST
};

enum {
    VIR_STORAGE_POOL_EVENT_DEFINED = 0,
    VIR_STORAGE_POOL_EVENT_UNDEFINED = 1,
    VIR_STORAGE_POOL_EVENT_STARTED = 2,
    VIR_STORAGE_POOL_EVENT_STOPPED = 3,
    VIR_STORAGE_POOL_EVENT_CREATED = 4,
    VIR_STORAGE_POOL_EVENT_DELETED = 5,
};

typedef struct {
    int eventID;
    storagePoolRef pool;          /* borrowed for the callback */
    int event;                    /* LIFECYCLE only */
    int detail;                   /* always 0 (libvirt's) */
} storagePoolEvent;

/* Called with the driver's lock held: must only queue the event. */
typedef void (*storagePoolEventCallback)(const storagePoolEvent *ev,
                                         void *opaque);

/* Sets (or with NULL removes) the one event listener.  After removal
 * returns, the callback is not running and will not run. */
void storageDriverSetEventListener(storageDriver *driver,
                                   storagePoolEventCallback cb, void *opaque);

/* ---- connection-level ---- */

/* @active: running pools, else the defined inactive ones. */
int storageConnectNumOfPools(storageDriver *driver, bool active);
/* At most @maxnames names into *@names (a NULL-terminated vector). */
int storageConnectListPools(storageDriver *driver, bool active, int maxnames,
                            char ***names);
/* VIR_CONNECT_LIST_STORAGE_POOLS_* @flags; *@pools (may be NULL: count
 * only) gets an array of refs (storagePoolRefClear each, g_free). */
int storageConnectListAllPools(storageDriver *driver, unsigned int flags,
                               storagePoolRef **pools);

/* ---- pools ---- */

int storagePoolLookupByName(storageDriver *driver, const char *name,
                            storagePoolRef *ref);
int storagePoolLookupByUUID(storageDriver *driver, const unsigned char *uuid,
                            storagePoolRef *ref);
int storagePoolLookupByVolume(storageDriver *driver, const char *pool,
                              const char *vol, storagePoolRef *ref);
int storagePoolLookupByTargetPath(storageDriver *driver, const char *path,
                                  storagePoolRef *ref);
int storagePoolCreateXML(storageDriver *driver, const char *xml,
                         unsigned int flags, storagePoolRef *ref);
int storagePoolDefineXML(storageDriver *driver, const char *xml,
                         unsigned int flags, storagePoolRef *ref);
int storagePoolCreate(storageDriver *driver, const unsigned char *uuid,
                      const char *name, unsigned int flags);
int storagePoolBuild(storageDriver *driver, const unsigned char *uuid,
                     const char *name, unsigned int flags);
int storagePoolDestroy(storageDriver *driver, const unsigned char *uuid,
                       const char *name);
int storagePoolDelete(storageDriver *driver, const unsigned char *uuid,
                      const char *name, unsigned int flags);
int storagePoolUndefine(storageDriver *driver, const unsigned char *uuid,
                        const char *name);
int storagePoolRefresh(storageDriver *driver, const unsigned char *uuid,
                       const char *name, unsigned int flags);

typedef struct {
    unsigned char state;          /* virStoragePoolState */
    unsigned long long capacity;
    unsigned long long allocation;
    unsigned long long available;
} storagePoolInfo;

int storagePoolGetInfo(storageDriver *driver, const unsigned char *uuid,
                       const char *name, storagePoolInfo *info);
char *storagePoolGetXMLDesc(storageDriver *driver, const unsigned char *uuid,
                            const char *name, unsigned int flags);
int storagePoolGetAutostart(storageDriver *driver, const unsigned char *uuid,
                            const char *name, int *autostart);
int storagePoolSetAutostart(storageDriver *driver, const unsigned char *uuid,
                            const char *name, int autostart);
int storagePoolIsActive(storageDriver *driver, const unsigned char *uuid,
                        const char *name);
int storagePoolIsPersistent(storageDriver *driver, const unsigned char *uuid,
                            const char *name);
int storagePoolNumOfVolumes(storageDriver *driver, const unsigned char *uuid,
                            const char *name);
int storagePoolListVolumes(storageDriver *driver, const unsigned char *uuid,
                           const char *name, int maxnames, char ***names);
/* *@vols as storageConnectListAllPools; @flags must be 0. */
int storagePoolListAllVolumes(storageDriver *driver, const unsigned char *uuid,
                              const char *name, unsigned int flags,
                              storageVolRef **vols);

/* ---- volumes (storage_volume.c) ---- */

int storageVolLookupByName(storageDriver *driver, const unsigned char *pool,
                           const char *poolName, const char *name,
                           storageVolRef *ref);
int storageVolLookupByKey(storageDriver *driver, const char *key,
                          storageVolRef *ref);
int storageVolLookupByPath(storageDriver *driver, const char *path,
                           storageVolRef *ref);
int storageVolCreateXML(storageDriver *driver, const unsigned char *pool,
                        const char *poolName, const char *xml,
                        unsigned int flags, storageVolRef *ref);
/* A new volume with the data of volume @srcName of pool @srcPool. */
int storageVolCreateXMLFrom(storageDriver *driver, const unsigned char *pool,
                            const char *poolName, const char *xml,
                            const char *srcPool, const char *srcName,
                            unsigned int flags, storageVolRef *ref);
int storageVolDelete(storageDriver *driver, const char *pool, const char *name,
                     unsigned int flags);

typedef struct {
    char type;                    /* virStorageVolType */
    unsigned long long capacity;
    unsigned long long allocation;
} storageVolInfo;

/* VIR_STORAGE_VOL_GET_PHYSICAL in @flags: the file size as allocation. */
int storageVolGetInfo(storageDriver *driver, const char *pool, const char *name,
                      unsigned int flags, storageVolInfo *info);
char *storageVolGetXMLDesc(storageDriver *driver, const char *pool,
                           const char *name, unsigned int flags);
char *storageVolGetPath(storageDriver *driver, const char *pool,
                        const char *name);
