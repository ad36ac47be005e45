/*
 * virdomainobj.c: a domain's runtime object and the list of domains
 */
#include <string.h>

#include "virdomainobj.h"
#include "virerror.h"
#include "virlog.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

VIR_LOG_INIT("conf.virdomainobj");

struct _virDomainObjList {
    GMutex lock;
    GHashTable *byUUID;   /* uuid string -> virDomainObj (one ref) */
    GHashTable *byName;   /* name -> virDomainObj (no extra ref) */
    int nextID;
};

virDomainObj *
virDomainObjNew(virDomainDef *def)
{
    virDomainObj *vm = g_new0(virDomainObj, 1);

    g_mutex_init(&vm->lock);
    g_cond_init(&vm->cond);
    vm->refs = 1;
    vm->def = def;
    vm->id = -1;
    vm->state = VIR_DOMAIN_SHUTOFF;
    vm->reason = VIR_DOMAIN_SHUTOFF_UNKNOWN;
    return vm;
}

virDomainObj *
virDomainObjRef(virDomainObj *vm)
{
    g_atomic_int_inc(&vm->refs);
    return vm;
}

void
virDomainObjUnref(virDomainObj *vm)
{
    if (!vm || !g_atomic_int_dec_and_test(&vm->refs))
        return;
    if (vm->privateDataFree)
        vm->privateDataFree(vm->privateData);
    virDomainDefFree(vm->def);
    virDomainDefFree(vm->newDef);
    g_cond_clear(&vm->cond);
    g_mutex_clear(&vm->lock);
    g_free(vm);
}

void
virDomainObjLock(virDomainObj *vm)
{
    g_mutex_lock(&vm->lock);
}

void
virDomainObjUnlock(virDomainObj *vm)
{
    g_mutex_unlock(&vm->lock);
}

void
virDomainObjEndAPI(virDomainObj **vm)
{
    if (!*vm)
        return;
    virDomainObjUnlock(*vm);
    g_clear_pointer(vm, virDomainObjUnref);
}

void
virDomainObjSetState(virDomainObj *vm, virDomainState state, int reason)
{
    VIR_DEBUG("domain %s: %s (%s) -> %s (%s)", vm->def->name,
              virDomainStateTypeToString(vm->state),
              virDomainStateReasonToString(vm->state, vm->reason),
              virDomainStateTypeToString(state),
              virDomainStateReasonToString(state, reason));
    vm->state = state;
    vm->reason = reason;
}

virDomainState
virDomainObjGetState(const virDomainObj *vm, int *reason)
{
    if (reason)
        *reason = vm->reason;
    return vm->state;
}

virDomainDef *
virDomainObjGetPersistentDef(virDomainObj *vm)
{
    return vm->newDef ? vm->newDef : vm->def;
}

int
virDomainObjUpdateModificationImpact(virDomainObj *vm, unsigned int *flags)
{
    bool active = virDomainObjIsActive(vm);

    if ((*flags & (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG)) == 0)
        *flags |= active ? VIR_DOMAIN_AFFECT_LIVE : VIR_DOMAIN_AFFECT_CONFIG;
    if (!active && (*flags & VIR_DOMAIN_AFFECT_LIVE)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("domain is not running"));
        return -1;
    }
    if (!vm->persistent && (*flags & VIR_DOMAIN_AFFECT_CONFIG)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("transient domains do not have any persistent config"));
        return -1;
    }
    return 0;
}

int
virDomainObjGetDefs(virDomainObj *vm, unsigned int flags, virDomainDef **live,
                    virDomainDef **persistent)
{
    *live = NULL;
    *persistent = NULL;
    if (virDomainObjUpdateModificationImpact(vm, &flags) < 0)
        return -1;
    if (flags & VIR_DOMAIN_AFFECT_LIVE)
        *live = vm->def;
    if (flags & VIR_DOMAIN_AFFECT_CONFIG)
        *persistent = virDomainObjGetPersistentDef(vm);
    return 0;
}

virDomainDef *
virDomainObjGetOneDef(virDomainObj *vm, unsigned int flags, bool *live)
{
    if ((flags & VIR_DOMAIN_AFFECT_LIVE) && (flags & VIR_DOMAIN_AFFECT_CONFIG)) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive"));
        return NULL;
    }
    if (virDomainObjUpdateModificationImpact(vm, &flags) < 0)
        return NULL;
    if (live)
        *live = flags & VIR_DOMAIN_AFFECT_LIVE;
    if (flags & VIR_DOMAIN_AFFECT_CONFIG)
        return virDomainObjGetPersistentDef(vm);
    return vm->def;
}


static void
virDomainObjListUnrefValue(gpointer data)
{
    virDomainObjUnref(data);
}

virDomainObjList *
virDomainObjListNew(void)
{
    virDomainObjList *list = g_new0(virDomainObjList, 1);

    g_mutex_init(&list->lock);
    list->byUUID = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         virDomainObjListUnrefValue);
    list->byName = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    list->nextID = 1;
    return list;
}

void
virDomainObjListFree(virDomainObjList *list)
{
    if (!list)
        return;
    g_hash_table_unref(list->byName);
    g_hash_table_unref(list->byUUID);
    g_mutex_clear(&list->lock);
    g_free(list);
}

/* Takes a reference, locks the object, drops the list lock.  Returns
 * NULL (reported) for objects being removed. */
static virDomainObj *
virDomainObjListLockResult(virDomainObjList *list, virDomainObj *vm,
                           const char *what)
{
    if (vm)
        virDomainObjRef(vm);
    g_mutex_unlock(&list->lock);
    if (vm) {
        virDomainObjLock(vm);
        if (!vm->removing)
            return vm;
        virDomainObjEndAPI(&vm);
    }
    virReportError(VIR_ERR_NO_DOMAIN, "%s", what);
    return NULL;
}

virDomainObj *
virDomainObjListFindByUUID(virDomainObjList *list, const unsigned char *uuid)
{
    char str[VIR_UUID_STRING_BUFLEN];
    g_autofree char *what = NULL;

    virUUIDFormat(uuid, str);
    what = g_strdup_printf(_("no domain with matching uuid '%1$s'"), str);
    g_mutex_lock(&list->lock);
    return virDomainObjListLockResult(list, g_hash_table_lookup(list->byUUID, str),
                                      what);
}

virDomainObj *
virDomainObjListFindByName(virDomainObjList *list, const char *name)
{
    g_autofree char *what = g_strdup_printf(_("no domain with matching name '%1$s'"),
                                            name);

    g_mutex_lock(&list->lock);
    return virDomainObjListLockResult(list, g_hash_table_lookup(list->byName, name),
                                      what);
}

virDomainObj *
virDomainObjListFindByID(virDomainObjList *list, int id)
{
    g_autofree char *what = g_strdup_printf(_("no domain with matching id %1$d"), id);
    GHashTableIter iter;
    gpointer value;
    virDomainObj *found = NULL;

    g_mutex_lock(&list->lock);
    g_hash_table_iter_init(&iter, list->byUUID);
    while (!found && g_hash_table_iter_next(&iter, NULL, &value)) {
        virDomainObj *vm = value;

        /* the id only changes under the list lock's protection of the
         * object lock order, so read it locked */
        virDomainObjLock(vm);
        if (vm->id == id && id != -1)
            found = vm;
        virDomainObjUnlock(vm);
    }
    return virDomainObjListLockResult(list, found, what);
}

static int
virDomainObjListCheckClash(virDomainObjList *list, const virDomainDef *def,
                           virDomainObj **existing)
{
    char uuidstr[VIR_UUID_STRING_BUFLEN];
    virDomainObj *byUUID, *byName;

    virUUIDFormat(def->uuid, uuidstr);
    byUUID = g_hash_table_lookup(list->byUUID, uuidstr);
    byName = g_hash_table_lookup(list->byName, def->name);
    *existing = byUUID;
    if (byUUID && !g_str_equal(byUUID->def->name, def->name)) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("domain '%1$s' is already defined with uuid %2$s"),
                       byUUID->def->name, uuidstr);
        return -1;
    }
    if (!byUUID && byName) {
        char other[VIR_UUID_STRING_BUFLEN];

        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("domain '%1$s' already exists with uuid %2$s"),
                       def->name, virUUIDFormat(byName->def->uuid, other));
        return -1;
    }
    return 0;
}

static void
virDomainObjReplaceDef(virDomainObj *vm, virDomainDef **def,
                       unsigned int flags, virDomainDef **oldDef)
{
    virDomainDef **slot;

    if (flags & VIR_DOMAIN_OBJ_LIST_ADD_LIVE)
        slot = &vm->def;
    else if (virDomainObjIsActive(vm))
        slot = &vm->newDef;
    else
        slot = &vm->def;
    if (oldDef)
        *oldDef = *slot;
    else
        virDomainDefFree(*slot);
    *slot = g_steal_pointer(def);
}

virDomainObj *
virDomainObjListAdd(virDomainObjList *list, virDomainDef **def,
                    unsigned int flags, virDomainDef **oldDef)
{
    char uuidstr[VIR_UUID_STRING_BUFLEN];
    virDomainObj *vm = NULL;

    if (oldDef)
        *oldDef = NULL;
    g_mutex_lock(&list->lock);
    if (virDomainObjListCheckClash(list, *def, &vm) < 0)
        goto error;
    if (vm) {
        virDomainObjLock(vm);
        if ((flags & VIR_DOMAIN_OBJ_LIST_ADD_CHECK_LIVE) &&
            virDomainObjIsActive(vm)) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("domain '%1$s' is already active"), vm->def->name);
            virDomainObjUnlock(vm);
            goto error;
        }
        virDomainObjReplaceDef(vm, def, flags, oldDef);
        virDomainObjRef(vm);
        g_mutex_unlock(&list->lock);
        return vm;
    }
    vm = virDomainObjNew(g_steal_pointer(def));
    virUUIDFormat(vm->def->uuid, uuidstr);
    g_hash_table_insert(list->byUUID, g_strdup(uuidstr), vm);
    g_hash_table_insert(list->byName, g_strdup(vm->def->name), vm);
    virDomainObjRef(vm);
    virDomainObjLock(vm);
    g_mutex_unlock(&list->lock);
    return vm;

 error:
    g_mutex_unlock(&list->lock);
    return NULL;
}

void
virDomainObjListRemove(virDomainObjList *list, virDomainObj *vm)
{
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    /* respect the lock order: list before object */
    vm->removing = true;
    virDomainObjRef(vm);
    virDomainObjUnlock(vm);
    g_mutex_lock(&list->lock);
    virDomainObjLock(vm);
    virUUIDFormat(vm->def->uuid, uuidstr);
    if (g_hash_table_lookup(list->byUUID, uuidstr) == vm) {
        g_hash_table_remove(list->byName, vm->def->name);
        g_hash_table_remove(list->byUUID, uuidstr);
    }
    g_mutex_unlock(&list->lock);
    virDomainObjUnref(vm);
}

virDomainObj **
virDomainObjListSnapshot(virDomainObjList *list, size_t *n)
{
    GHashTableIter iter;
    gpointer value;
    GPtrArray *arr = g_ptr_array_new();

    g_mutex_lock(&list->lock);
    g_hash_table_iter_init(&iter, list->byUUID);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(arr, virDomainObjRef(value));
    g_mutex_unlock(&list->lock);
    if (n)
        *n = arr->len;
    g_ptr_array_add(arr, NULL);
    return (virDomainObj **)g_ptr_array_free(arr, FALSE);
}

void
virDomainObjListFreeSnapshot(virDomainObj **objs)
{
    size_t i;

    if (!objs)
        return;
    for (i = 0; objs[i]; i++)
        virDomainObjUnref(objs[i]);
    g_free(objs);
}

int
virDomainObjListNextID(virDomainObjList *list)
{
    int id;

    g_mutex_lock(&list->lock);
    id = list->nextID++;
    g_mutex_unlock(&list->lock);
    return id;
}

void
virDomainObjListBumpID(virDomainObjList *list, int id)
{
    g_mutex_lock(&list->lock);
    if (id >= list->nextID)
        list->nextID = id + 1;
    g_mutex_unlock(&list->lock);
}
