/*
 * virdomainobj.h: a domain's runtime object and the list of domains
 *
 * Locking (see docs/locking.md):
 *   list lock  ->  domain object lock  ->  (QEMU monitor lock: leaf)
 * The list lock is held only while looking up / inserting / removing;
 * lookups return the object referenced AND locked, the list unlocked.
 * A domain's lock is never held across blocking I/O: long operations
 * hold the domain's job instead (src/qemu/qemu_domainjob.h) and drop the
 * lock around monitor calls.
 */
#pragma once

#include <sys/types.h>

#include "internal.h"
#include "domain_conf.h"
#include "virdomainstate.h"

typedef struct _virDomainObj virDomainObj;
struct _virDomainObj {
    GMutex lock;
    GCond cond;                 /* job waiters (see qemu_domainjob.c) */
    gint refs;

    virDomainDef *def;          /* live definition while active, else the
                                 * persistent one */
    virDomainDef *newDef;       /* persistent definition waiting for the
                                 * next start (only while active) */
    int id;                     /* -1 when inactive */
    pid_t pid;                  /* QEMU's pid, 0 when inactive */
    bool persistent;
    bool autostart;
    bool removing;              /* being removed from the list */
    virDomainState state;
    int reason;

    void *privateData;          /* driver data, freed with the object */
    GDestroyNotify privateDataFree;
};

/* A new object owning @def, with one reference, unlocked. */
virDomainObj *virDomainObjNew(virDomainDef *def);
virDomainObj *virDomainObjRef(virDomainObj *vm);
void virDomainObjUnref(virDomainObj *vm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainObj, virDomainObjUnref);

void virDomainObjLock(virDomainObj *vm);
void virDomainObjUnlock(virDomainObj *vm);
/* Unlocks and drops the reference a lookup returned; NULL-safe. */
void virDomainObjEndAPI(virDomainObj **vm);

static inline bool
virDomainObjIsActive(const virDomainObj *vm)
{
    return vm->id != -1;
}

void virDomainObjSetState(virDomainObj *vm, virDomainState state, int reason);
virDomainState virDomainObjGetState(const virDomainObj *vm, int *reason);

/* The definition to save on disk: newDef if pending, else def. */
virDomainDef *virDomainObjGetPersistentDef(virDomainObj *vm);

/* libvirt's virDomainModificationImpact */
#define VIR_DOMAIN_AFFECT_CURRENT 0
#define VIR_DOMAIN_AFFECT_LIVE (1 << 0)
#define VIR_DOMAIN_AFFECT_CONFIG (1 << 1)

/* Resolves AFFECT_CURRENT in *@flags (live if @vm runs, else config)
 * and refuses LIVE on an inactive domain, CONFIG on a transient one
 * (libvirt's errors).  0 or -1. */
int virDomainObjUpdateModificationImpact(virDomainObj *vm, unsigned int *flags);
/* The definitions @flags select: *@live (the running one) and/or
 * *@persistent (the saved one), NULL when not selected.  0 or -1. */
int virDomainObjGetDefs(virDomainObj *vm, unsigned int flags,
                        virDomainDef **live, virDomainDef **persistent);
/* Exactly one of them (LIVE and CONFIG together are refused); *@live
 * (may be NULL) tells which.  NULL on error. */
virDomainDef *virDomainObjGetOneDef(virDomainObj *vm, unsigned int flags,
                                    bool *live);


typedef struct _virDomainObjList virDomainObjList;

virDomainObjList *virDomainObjListNew(void);
void virDomainObjListFree(virDomainObjList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainObjList, virDomainObjListFree);

/* Lookups: the object referenced and locked, or NULL with
 * VIR_ERR_NO_DOMAIN reported. */
virDomainObj *virDomainObjListFindByUUID(virDomainObjList *list,
                                         const unsigned char *uuid);
virDomainObj *virDomainObjListFindByName(virDomainObjList *list,
                                         const char *name);
virDomainObj *virDomainObjListFindByID(virDomainObjList *list, int id);

typedef enum {
    VIR_DOMAIN_OBJ_LIST_ADD_LIVE = (1 << 0),       /* @def is a live def */
    VIR_DOMAIN_OBJ_LIST_ADD_CHECK_LIVE = (1 << 1), /* refuse if running */
} virDomainObjListAddFlags;

/**
 * virDomainObjListAdd:
 * Adds @def (taking ownership: *def is set to NULL) or, when a domain
 * with the same UUID and name exists, replaces its definition (the
 * persistent one, or newDef if it runs; the replaced definition is
 * returned in *oldDef when non-NULL).  A name or UUID clash with another
 * domain is an error (VIR_ERR_OPERATION_FAILED, libvirt's wording).
 * Returns the object referenced and locked, or NULL.
 */
virDomainObj *virDomainObjListAdd(virDomainObjList *list, virDomainDef **def,
                                  unsigned int flags, virDomainDef **oldDef);

/* Removes @vm (locked by the caller, stays locked) from the list. */
void virDomainObjListRemove(virDomainObjList *list, virDomainObj *vm);

/* Snapshot of all objects, each referenced (not locked); NULL-terminated
 * array.  Free with virDomainObjListFreeSnapshot. */
virDomainObj **virDomainObjListSnapshot(virDomainObjList *list, size_t *n);
void virDomainObjListFreeSnapshot(virDomainObj **objs);

/* The next domain id to hand out (monotonic per driver). */
int virDomainObjListNextID(virDomainObjList *list);
/* Make sure future ids are above @id (after reconnecting). */
void virDomainObjListBumpID(virDomainObjList *list, int id);
