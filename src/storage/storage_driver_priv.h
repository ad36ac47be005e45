/*
 * storage_driver_priv.h: the storage driver object (internal to
 * src/storage)
 *
 * One mutex (driver->lock) protects the pool list and everything the
 * pools hold; it is held for whole operations, including the short
 * qemu-img runs of volume creation and probing (docs/locking.md).
 */
#pragma once

#include "storage_driver.h"
#include "storage_conf.h"

/* libvirt's virStoragePoolState */
enum {
    VIR_STORAGE_POOL_INACTIVE = 0,
    VIR_STORAGE_POOL_BUILDING = 1,
    VIR_STORAGE_POOL_RUNNING = 2,
};

typedef struct _storagePoolObj storagePoolObj;
struct _storagePoolObj {
    virStoragePoolDef *def;       /* current definition */
    virStoragePoolDef *newDef;    /* persistent definition redefined while
                                   * active: applies at the next start */
    bool active;
    bool persistent;
    bool autostart;
    GPtrArray *vols;              /* virStorageVolDef, while active */
};

struct _storageDriver {
    /* read-only after storageDriverNew */
    char *configDir;
    char *autostartDir;
    char *stateDir;

    GMutex lock;                  /* protects pools (and their objects) */
    GPtrArray *pools;             /* storagePoolObj */

    GMutex eventLock;             /* taken after lock; protects the two
                                   * fields below */
    storagePoolEventCallback eventCb;
    void *eventOpaque;
};

/* @path with runs of '/' collapsed and no trailing '/' (libvirt's
 * virFileSanitizePath: relative paths stay relative).  Caller frees. */
char *storageSanitizePath(const char *path);

/* The pool named @name, or NULL with VIR_ERR_NO_STORAGE_POOL.  Lock held. */
storagePoolObj *storagePoolObjFindByName(storageDriver *driver, const char *name);
/* The same by UUID; @name (may be NULL) is the name the caller knows
 * the pool by, for the error. */
storagePoolObj *storagePoolObjFindByUUID(storageDriver *driver,
                                         const unsigned char *uuid,
                                         const char *name);
/* Fails with "storage pool '%s' is not active" unless @obj is active. */
int storagePoolObjCheckActive(storagePoolObj *obj);

/* What an operation on one pool asks of its state. */
typedef enum {
    STORAGE_POOL_NEED_ANY,
    STORAGE_POOL_NEED_ACTIVE,     /* else "storage pool 'x' is not active" */
    STORAGE_POOL_NEED_STARTABLE,  /* inactive, else "... is already active" */
    STORAGE_POOL_NEED_STOPPED,    /* inactive, else "... is still active" */
} storagePoolNeed;

typedef int (*storagePoolOp)(storageDriver *driver, storagePoolObj *obj,
                             void *opaque);

/* Runs @op on the pool of @uuid with the driver's lock held, if the
 * pool exists and is in the state @need asks: @op's result, or -1 with
 * libvirt's error. */
int storagePoolRun(storageDriver *driver, const unsigned char *uuid,
                   const char *name, storagePoolNeed need, storagePoolOp op,
                   void *opaque);

/* Emits an event for @obj (lock held). */
void storageDriverEmit(storageDriver *driver, storagePoolObj *obj, int eventID,
                       int event);

void storagePoolRefFill(storagePoolRef *ref, const storagePoolObj *obj);

/* ---- storage_volume.c ---- */

/* Rescans the pool's directory: one volume per regular file, details
 * from qemu-img.  0 or -1. */
int storagePoolObjScanVolumes(storageDriver *driver, storagePoolObj *obj);
