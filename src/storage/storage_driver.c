/*
 * storage_driver.c: the storage driver object, its pools (define,
 * build, start, stop, delete, undefine, autostart) and their
 * persistence (definitions, autostart links, state of active pools)
 */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "storage_driver_priv.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_driver");

/* the largest definition file read back */
#define STORAGE_DEF_MAX (1024 * 1024)
/* libvirt's default mode of a pool directory it builds */
#define STORAGE_POOL_DIR_MODE 0711

/* libvirt's VIR_CONNECT_LIST_STORAGE_POOLS_* */
#define LIST_INACTIVE (1U << 0)
#define LIST_ACTIVE (1U << 1)
#define LIST_PERSISTENT (1U << 2)
#define LIST_TRANSIENT (1U << 3)
#define LIST_AUTOSTART (1U << 4)
#define LIST_NO_AUTOSTART (1U << 5)
#define LIST_TYPE_DIR (1U << 6)
#define LIST_TYPES (((1U << 20) - 1) & ~((1U << 6) - 1))

/* VIR_STORAGE_POOL_CREATE_WITH_BUILD* and VIR_STORAGE_POOL_BUILD_* */
#define CREATE_WITH_BUILD (1U << 0)
#define CREATE_WITH_BUILD_OVERWRITE (1U << 1)
#define CREATE_WITH_BUILD_NO_OVERWRITE (1U << 2)
#define BUILD_NO_OVERWRITE (1U << 2)
#define BUILD_OVERWRITE (1U << 3)
#define DEFINE_VALIDATE (1U << 0)
#define XML_INACTIVE (1U << 0)

/* ---- refs --------------------------------------------------------------- */

void
storagePoolRefClear(storagePoolRef *ref)
{
    g_clear_pointer(&ref->name, g_free);
}

void
storageVolRefClear(storageVolRef *ref)
{
    g_clear_pointer(&ref->pool, g_free);
    g_clear_pointer(&ref->name, g_free);
    g_clear_pointer(&ref->key, g_free);
}

void
storagePoolRefFill(storagePoolRef *ref, const storagePoolObj *obj)
{
    ref->name = g_strdup(obj->def->name);
    memcpy(ref->uuid, obj->def->uuid, VIR_UUID_BUFLEN);
}

/* ---- objects ------------------------------------------------------------ */

static storagePoolObj *
storagePoolObjNew(virStoragePoolDef *def)
{
    storagePoolObj *obj = g_new0(storagePoolObj, 1);

    obj->def = def;
    obj->vols = g_ptr_array_new_with_free_func((GDestroyNotify)virStorageVolDefFree);
    return obj;
}

static void
storagePoolObjFree(storagePoolObj *obj)
{
    if (!obj)
        return;
    virStoragePoolDefFree(obj->def);
    virStoragePoolDefFree(obj->newDef);
    g_ptr_array_unref(obj->vols);
    g_free(obj);
}

static storagePoolObj *
storagePoolObjGetByName(storageDriver *driver, const char *name)
{
    guint i;

    for (i = 0; i < driver->pools->len; i++) {
        storagePoolObj *obj = g_ptr_array_index(driver->pools, i);

        if (g_str_equal(obj->def->name, name))
            return obj;
    }
    return NULL;
}

static storagePoolObj *
storagePoolObjGetByUUID(storageDriver *driver, const unsigned char *uuid)
{
    guint i;

    for (i = 0; i < driver->pools->len; i++) {
        storagePoolObj *obj = g_ptr_array_index(driver->pools, i);

        if (memcmp(obj->def->uuid, uuid, VIR_UUID_BUFLEN) == 0)
            return obj;
    }
    return NULL;
}

storagePoolObj *
storagePoolObjFindByName(storageDriver *driver, const char *name)
{
    storagePoolObj *obj = storagePoolObjGetByName(driver, name);

    if (!obj)
        virReportError(VIR_ERR_NO_STORAGE_POOL,
                       _("no storage pool with matching name '%1$s'"), name);
    return obj;
}

storagePoolObj *
storagePoolObjFindByUUID(storageDriver *driver, const unsigned char *uuid,
                         const char *name)
{
    storagePoolObj *obj = storagePoolObjGetByUUID(driver, uuid);
    char str[VIR_UUID_STRING_BUFLEN];

    if (obj)
        return obj;
    virUUIDFormat(uuid, str);
    if (name)
        virReportError(VIR_ERR_NO_STORAGE_POOL,
                       _("no storage pool with matching uuid '%1$s' (%2$s)"), str, name);
    else
        virReportError(VIR_ERR_NO_STORAGE_POOL,
                       _("no storage pool with matching uuid '%1$s'"), str);
    return NULL;
}

int
storagePoolObjCheckActive(storagePoolObj *obj)
{
    if (obj->active)
        return 0;
    virReportError(VIR_ERR_OPERATION_INVALID,
                   _("storage pool '%1$s' is not active"), obj->def->name);
    return -1;
}

static int
storagePoolObjCheckInactive(storagePoolObj *obj, bool still)
{
    if (!obj->active)
        return 0;
    if (still)
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("storage pool '%1$s' is still active"), obj->def->name);
    else
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("storage pool '%1$s' is already active"), obj->def->name);
    return -1;
}

/* Drops @obj from the list, which frees it. */
static void
storagePoolObjRemove(storageDriver *driver, storagePoolObj *obj)
{
    g_ptr_array_remove(driver->pools, obj);
}

/* ---- events ------------------------------------------------------------- */

void
storageDriverSetEventListener(storageDriver *driver, storagePoolEventCallback cb,
                              void *opaque)
{
    g_mutex_lock(&driver->eventLock);
    driver->eventCb = cb;
    driver->eventOpaque = opaque;
    g_mutex_unlock(&driver->eventLock);
}

void
storageDriverEmit(storageDriver *driver, storagePoolObj *obj, int eventID,
                  int event)
{
    storagePoolEvent ev = { .eventID = eventID, .event = event };

    ev.pool.name = obj->def->name;
    memcpy(ev.pool.uuid, obj->def->uuid, VIR_UUID_BUFLEN);
    g_mutex_lock(&driver->eventLock);
    if (driver->eventCb)
        driver->eventCb(&ev, driver->eventOpaque);
    g_mutex_unlock(&driver->eventLock);
}

/* ---- paths and files ------------------------------------------------------ */

char *
storageSanitizePath(const char *path)
{
    GString *clean = g_string_sized_new(strlen(path));
    const char *p;

    for (p = path; *p; p++) {
        if (*p == '/' && clean->len && clean->str[clean->len - 1] == '/')
            continue;
        g_string_append_c(clean, *p);
    }
    if (clean->len > 1 && clean->str[clean->len - 1] == '/')
        g_string_truncate(clean, clean->len - 1);
    return g_string_free(clean, FALSE);
}

static char *
storageDriverFile(const char *dir, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(dir, file, NULL);
}

static int
storageDriverWriteDef(const char *dir, const virStoragePoolDef *def)
{
    g_autofree char *path = storageDriverFile(dir, def->name);
    g_autofree char *xml = virStoragePoolDefFormat(def);

    return virFileWriteAtomic(path, xml, strlen(xml), 0600);
}

static virStoragePoolDef *
storageDriverReadDef(const char *path)
{
    g_autofree char *xml = NULL;

    if (virFileReadAll(path, STORAGE_DEF_MAX, &xml) < 0)
        return NULL;
    return virStoragePoolDefParseString(xml);
}

static int
storageDriverSetAutostartLink(storageDriver *driver, const char *name, bool on)
{
    g_autofree char *link = storageDriverFile(driver->autostartDir, name);
    g_autofree char *target = storageDriverFile(driver->configDir, name);

    if (virFileRemove(link) < 0)
        return -1;
    if (on && symlink(target, link) < 0) {
        virReportSystemError(errno, _("Failed to create symlink '%1$s' to '%2$s'"),
                             link, target);
        return -1;
    }
    return 0;
}

/* The target directory's sizes and ownership into the live definition
 * (sizes 0 when it cannot be read), as libvirt's refresh does. */
static void
storagePoolObjUpdateSizes(storageDriver *driver, storagePoolObj *obj)
{
    const char *dir = obj->def->targetPath;
    struct statvfs sb;
    struct stat st;

    if (stat(dir, &st) == 0) {
        obj->def->perms.mode = st.st_mode & 0777;
        obj->def->perms.uid = st.st_uid;
        obj->def->perms.gid = st.st_gid;
    }

    obj->def->capacity = obj->def->allocation = obj->def->available = 0;
    if (statvfs(dir, &sb) < 0)
        return;
    obj->def->capacity = (unsigned long long)sb.f_frsize * sb.f_blocks;
    obj->def->available = (unsigned long long)sb.f_frsize * sb.f_bavail;
    obj->def->allocation = (unsigned long long)sb.f_frsize * (sb.f_blocks - sb.f_bfree);
}

/* ---- start / stop --------------------------------------------------------- */

static int
storagePoolObjBuildDir(storageDriver *driver, storagePoolObj *obj,
                       unsigned int flags)
{
    const virStoragePerms *perms = &obj->def->perms;
    const char *dir = obj->def->targetPath;
    mode_t mode = perms->mode >= 0 ? perms->mode : STORAGE_POOL_DIR_MODE;

    if ((flags & BUILD_NO_OVERWRITE) && (flags & BUILD_OVERWRITE)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("Overwrite and no overwrite flags are mutually exclusive"));
        return -1;
    }
    if (virFileMakePath(dir, mode) < 0)
        return -1;
    if (chmod(dir, mode) < 0) {
        virReportSystemError(errno, _("cannot set mode of '%1$s' to %2$04o"),
                             dir, (unsigned int)mode);
        return -1;
    }
    if ((perms->uid >= 0 || perms->gid >= 0) &&
        chown(dir, perms->uid, perms->gid) < 0) {
        virReportSystemError(errno, _("cannot chown '%1$s' to (%2$lld, %3$lld)"),
                             dir, perms->uid, perms->gid);
        return -1;
    }
    return 0;
}

/* Rescans the volumes of active @obj. */
static int
storagePoolObjRefresh(storageDriver *driver, storagePoolObj *obj)
{
    if (storagePoolObjScanVolumes(driver, obj) < 0)
        return -1;
    storagePoolObjUpdateSizes(driver, obj);
    return 0;
}

/* Starts @obj with its current definition (an inactive pool has no
 * pending one: stopping applies it). */
static int
storagePoolObjStart(storageDriver *driver, storagePoolObj *obj)
{
    if (storagePoolObjRefresh(driver, obj) < 0)
        return -1;
    if (storageDriverWriteDef(driver->stateDir, obj->def) < 0) {
        g_ptr_array_set_size(obj->vols, 0);
        return -1;
    }
    obj->active = true;
    return 0;
}

static void
storagePoolObjStop(storageDriver *driver, storagePoolObj *obj)
{
    g_autofree char *state = storageDriverFile(driver->stateDir, obj->def->name);

    if (virFileRemove(state) < 0)
        VIR_WARN("pool %s: %s", obj->def->name, virGetLastErrorMessage());
    g_ptr_array_set_size(obj->vols, 0);
    obj->active = false;
    obj->def->capacity = obj->def->allocation = obj->def->available = 0;
    if (obj->newDef) {
        virStoragePoolDefFree(obj->def);
        obj->def = g_steal_pointer(&obj->newDef);
    }
}

/* ---- loading ---------------------------------------------------------------- */

static gint
storageStringCompare(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names NAME of DIR/NAME.xml, sorted. */
static GPtrArray *
storageDriverListDefs(const char *dir)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *entry;

    while (d && (entry = g_dir_read_name(d))) {
        if (g_str_has_suffix(entry, ".xml") && entry[0] != '.')
            g_ptr_array_add(names, g_strndup(entry, strlen(entry) - 4));
    }
    g_ptr_array_sort(names, storageStringCompare);
    return names;
}

static void
storageDriverLoadConfigs(storageDriver *driver)
{
    g_autoptr(GPtrArray) names = storageDriverListDefs(driver->configDir);
    guint i;

    for (i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *path = storageDriverFile(driver->configDir, name);
        g_autofree char *link = storageDriverFile(driver->autostartDir, name);
        virStoragePoolDef *def = storageDriverReadDef(path);
        storagePoolObj *obj;

        if (!def || !g_str_equal(def->name, name) ||
            def->type != VIR_STORAGE_POOL_DIR ||
            storagePoolObjGetByUUID(driver, def->uuid)) {
            VIR_WARN("ignoring storage pool definition %s: %s", path,
                     def ? _("name, type or UUID does not fit") :
                     virGetLastErrorMessage());
            virStoragePoolDefFree(def);
            continue;
        }
        obj = storagePoolObjNew(def);
        obj->persistent = true;
        obj->autostart = virFileExists(link);
        g_ptr_array_add(driver->pools, obj);
    }
}

/* Pools that were active when the daemon stopped stay active, as with
 * libvirtd (their state file names them). */
static void
storageDriverLoadState(storageDriver *driver)
{
    g_autoptr(GPtrArray) names = storageDriverListDefs(driver->stateDir);
    guint i;

    for (i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *path = storageDriverFile(driver->stateDir, name);
        g_autoptr(virStoragePoolDef) def = storageDriverReadDef(path);
        storagePoolObj *obj = storagePoolObjGetByName(driver, name);

        if (!def || !g_str_equal(def->name, name) ||
            def->type != VIR_STORAGE_POOL_DIR ||
            (obj && memcmp(obj->def->uuid, def->uuid, VIR_UUID_BUFLEN) != 0)) {
            VIR_WARN("ignoring storage pool state %s", path);
            ignore_value(virFileRemove(path));
            continue;
        }
        if (!obj) {
            obj = storagePoolObjNew(g_steal_pointer(&def));
            g_ptr_array_add(driver->pools, obj);
        } else {
            obj->newDef = obj->def;
            obj->def = g_steal_pointer(&def);
        }
        if (storagePoolObjRefresh(driver, obj) < 0) {
            VIR_WARN("storage pool %s is inactive: %s", name, virGetLastErrorMessage());
            storagePoolObjStop(driver, obj);
            if (!obj->persistent)
                storagePoolObjRemove(driver, obj);
            continue;
        }
        obj->active = true;
    }
}

static void
storageDriverAutostart(storageDriver *driver)
{
    guint i;

    for (i = 0; i < driver->pools->len; i++) {
        storagePoolObj *obj = g_ptr_array_index(driver->pools, i);

        if (!obj->autostart || obj->active)
            continue;
        if (storagePoolObjStart(driver, obj) < 0) {
            VIR_WARN("failed to autostart storage pool '%s': %s", obj->def->name,
                     virGetLastErrorMessage());
            continue;
        }
        VIR_INFO("autostarted storage pool %s", obj->def->name);
    }
}

storageDriver *
storageDriverNew(const storageDriverConfig *cfg)
{
    g_autoptr(storageDriver) driver = g_new0(storageDriver, 1);

    driver->configDir = g_strdup(cfg->configDir);
    driver->autostartDir = g_strdup(cfg->autostartDir);
    driver->stateDir = g_strdup(cfg->stateDir);
    g_mutex_init(&driver->lock);
    g_mutex_init(&driver->eventLock);
    driver->pools = g_ptr_array_new_with_free_func((GDestroyNotify)storagePoolObjFree);

    if (virFileMakePath(driver->configDir, 0700) < 0 ||
        virFileMakePath(driver->autostartDir, 0700) < 0 ||
        virFileMakePath(driver->stateDir, 0700) < 0)
        return NULL;
    g_mutex_lock(&driver->lock);
    storageDriverLoadConfigs(driver);
    storageDriverLoadState(driver);
    storageDriverAutostart(driver);
    g_mutex_unlock(&driver->lock);
    return g_steal_pointer(&driver);
}

void
storageDriverFree(storageDriver *driver)
{
    if (!driver)
        return;
    g_ptr_array_unref(driver->pools);
    g_mutex_clear(&driver->lock);
    g_mutex_clear(&driver->eventLock);
    g_free(driver->configDir);
    g_free(driver->autostartDir);
    g_free(driver->stateDir);
    g_free(driver);
}

/* ---- listing ------------------------------------------------------------------ */

int
storageConnectNumOfPools(storageDriver *driver, bool active)
{
    int n = 0;
    guint i;

    g_mutex_lock(&driver->lock);
    for (i = 0; i < driver->pools->len; i++) {
        storagePoolObj *obj = g_ptr_array_index(driver->pools, i);

        if (obj->active == active)
            n++;
    }
    g_mutex_unlock(&driver->lock);
    return n;
}

int
storageConnectListPools(storageDriver *driver, bool active, int maxnames,
                        char ***names)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
    int n;
    guint i;

    g_mutex_lock(&driver->lock);
    for (i = 0; i < driver->pools->len && (int)list->len < maxnames; i++) {
        storagePoolObj *obj = g_ptr_array_index(driver->pools, i);

        if (obj->active == active)
            g_ptr_array_add(list, g_strdup(obj->def->name));
    }
    g_mutex_unlock(&driver->lock);
    n = list->len;
    g_ptr_array_add(list, NULL);
    *names = (char **)g_ptr_array_steal(list, NULL);
    return n;
}

static bool
storagePoolObjMatches(const storagePoolObj *obj, unsigned int flags)
{
    if ((flags & (LIST_ACTIVE | LIST_INACTIVE)) &&
        !((flags & LIST_ACTIVE && obj->active) ||
          (flags & LIST_INACTIVE && !obj->active)))
        return false;
    if ((flags & (LIST_PERSISTENT | LIST_TRANSIENT)) &&
        !((flags & LIST_PERSISTENT && obj->persistent) ||
          (flags & LIST_TRANSIENT && !obj->persistent)))
        return false;
    if ((flags & (LIST_AUTOSTART | LIST_NO_AUTOSTART)) &&
        !((flags & LIST_AUTOSTART && obj->autostart) ||
          (flags & LIST_NO_AUTOSTART && !obj->autostart)))
        return false;
    /* every pool is a dir pool */
    if ((flags & LIST_TYPES) && !(flags & LIST_TYPE_DIR))
        return false;
    return true;
}

int
storageConnectListAllPools(storageDriver *driver, unsigned int flags,
                           storagePoolRef **pools)
{
    g_autoptr(GArray) list = g_array_new(FALSE, TRUE, sizeof(storagePoolRef));
    int n;
    guint i;

    if (!virCheckFlags(flags, LIST_TYPES | LIST_INACTIVE | LIST_ACTIVE |
                       LIST_PERSISTENT | LIST_TRANSIENT | LIST_AUTOSTART |
                       LIST_NO_AUTOSTART))
        return -1;
    g_mutex_lock(&driver->lock);
    for (i = 0; i < driver->pools->len; i++) {
        storagePoolObj *obj = g_ptr_array_index(driver->pools, i);
        storagePoolRef ref = { 0 };

        if (!storagePoolObjMatches(obj, flags))
            continue;
        if (pools)
            storagePoolRefFill(&ref, obj);
        g_array_append_val(list, ref);
    }
    g_mutex_unlock(&driver->lock);
    n = list->len;
    if (pools)
        *pools = (storagePoolRef *)g_array_free(g_steal_pointer(&list), FALSE);
    return n;
}

/* ---- lookups ----------------------------------------------------------------- */

int
storagePoolLookupByName(storageDriver *driver, const char *name,
                        storagePoolRef *ref)
{
    storagePoolObj *obj;
    int ret = -1;

    g_mutex_lock(&driver->lock);
    if ((obj = storagePoolObjFindByName(driver, name))) {
        storagePoolRefFill(ref, obj);
        ret = 0;
    }
    g_mutex_unlock(&driver->lock);
    return ret;
}

static int
storagePoolDoFillRef(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    storagePoolRefFill(opaque, obj);
    return 0;
}

int
storagePoolLookupByUUID(storageDriver *driver, const unsigned char *uuid,
                        storagePoolRef *ref)
{
    return storagePoolRun(driver, uuid, NULL, STORAGE_POOL_NEED_ANY,
                          storagePoolDoFillRef, ref);
}

int
storagePoolLookupByVolume(storageDriver *driver, const char *pool,
                          const char *vol, storagePoolRef *ref)
{
    /* libvirt looks at the volume's pool name only */
    return storagePoolLookupByName(driver, pool, ref);
}

int
storagePoolLookupByTargetPath(storageDriver *driver, const char *path,
                              storagePoolRef *ref)
{
    g_autofree char *clean = storageSanitizePath(path);
    int ret = -1;
    guint i;

    g_mutex_lock(&driver->lock);
    for (i = 0; i < driver->pools->len; i++) {
        storagePoolObj *obj = g_ptr_array_index(driver->pools, i);

        if (obj->active && g_str_equal(obj->def->targetPath, clean)) {
            storagePoolRefFill(ref, obj);
            ret = 0;
            break;
        }
    }
    g_mutex_unlock(&driver->lock);
    if (ret < 0)
        virReportError(VIR_ERR_NO_STORAGE_POOL,
                       _("no storage pool with matching target path '%1$s'"), path);
    return ret;
}

/* ---- define / create -------------------------------------------------------- */

static virStoragePoolDef *
storagePoolParse(const char *xml)
{
    g_autoptr(virStoragePoolDef) def = virStoragePoolDefParseString(xml);

    if (!def)
        return NULL;
    if (def->type != VIR_STORAGE_POOL_DIR) {
        virReportError(VIR_ERR_INTERNAL_ERROR, _("missing backend for pool type %1$d (%2$s)"),
                       def->type, virStoragePoolTypeToString(def->type));
        return NULL;
    }
    return g_steal_pointer(&def);
}

/* libvirt's duplicate checks: the pool @def may replace (returned in
 * *@existing, or NULL for a new one); -1 if it conflicts. */
static int
storagePoolCheckDuplicate(storageDriver *driver, const virStoragePoolDef *def,
                          bool checkActive, storagePoolObj **existing)
{
    storagePoolObj *obj = storagePoolObjGetByUUID(driver, def->uuid);
    char uuid[VIR_UUID_STRING_BUFLEN];
    guint i;

    *existing = NULL;
    if (obj) {
        if (!g_str_equal(obj->def->name, def->name)) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("pool '%1$s' is already defined with uuid %2$s"),
                           obj->def->name, virUUIDFormat(obj->def->uuid, uuid));
            return -1;
        }
        if (checkActive && obj->active) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("pool is already active as '%1$s'"), obj->def->name);
            return -1;
        }
        *existing = obj;
    } else if ((obj = storagePoolObjGetByName(driver, def->name))) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("pool '%1$s' already exists with uuid %2$s"),
                       def->name, virUUIDFormat(obj->def->uuid, uuid));
        return -1;
    }
    for (i = 0; i < driver->pools->len; i++) {
        obj = g_ptr_array_index(driver->pools, i);
        if (obj != *existing && g_str_equal(obj->def->targetPath, def->targetPath)) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("Storage source conflict with pool: '%1$s'"),
                           obj->def->name);
            return -1;
        }
    }
    return 0;
}

int
storagePoolDefineXML(storageDriver *driver, const char *xml, unsigned int flags,
                     storagePoolRef *ref)
{
    g_autoptr(virStoragePoolDef) def = NULL;
    storagePoolObj *obj = NULL;
    int ret = -1;

    if (!virCheckFlags(flags, DEFINE_VALIDATE) || !(def = storagePoolParse(xml)))
        return -1;
    g_mutex_lock(&driver->lock);
    if (storagePoolCheckDuplicate(driver, def, false, &obj) < 0 ||
        storageDriverWriteDef(driver->configDir, def) < 0)
        goto cleanup;
    if (!obj) {
        obj = storagePoolObjNew(g_steal_pointer(&def));
        g_ptr_array_add(driver->pools, obj);
    } else if (obj->active) {
        virStoragePoolDefFree(obj->newDef);
        obj->newDef = g_steal_pointer(&def);
    } else {
        virStoragePoolDefFree(obj->def);
        obj->def = g_steal_pointer(&def);
    }
    obj->persistent = true;
    storageDriverEmit(driver, obj, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                      VIR_STORAGE_POOL_EVENT_DEFINED);
    storagePoolRefFill(ref, obj);
    ret = 0;
 cleanup:
    g_mutex_unlock(&driver->lock);
    return ret;
}

static int
storageCheckCreateFlags(unsigned int flags)
{
    if (!virCheckFlags(flags, CREATE_WITH_BUILD | CREATE_WITH_BUILD_OVERWRITE |
                       CREATE_WITH_BUILD_NO_OVERWRITE))
        return -1;
    if ((flags & CREATE_WITH_BUILD_OVERWRITE) &&
        (flags & CREATE_WITH_BUILD_NO_OVERWRITE)) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("flags 'overwrite' and 'no-overwrite' are mutually exclusive"));
        return -1;
    }
    return 0;
}

/* CREATE_WITH_BUILD* as BUILD_* flags */
static unsigned int
storageBuildFlags(unsigned int flags)
{
    return (flags & CREATE_WITH_BUILD_OVERWRITE ? BUILD_OVERWRITE : 0) |
           (flags & CREATE_WITH_BUILD_NO_OVERWRITE ? BUILD_NO_OVERWRITE : 0);
}

int
storagePoolCreateXML(storageDriver *driver, const char *xml, unsigned int flags,
                     storagePoolRef *ref)
{
    g_autoptr(virStoragePoolDef) def = NULL;
    storagePoolObj *obj = NULL;
    bool added = false;
    int ret = -1;

    if (storageCheckCreateFlags(flags) < 0 || !(def = storagePoolParse(xml)))
        return -1;
    g_mutex_lock(&driver->lock);
    if (storagePoolCheckDuplicate(driver, def, true, &obj) < 0)
        goto cleanup;
    if (!obj) {
        obj = storagePoolObjNew(g_steal_pointer(&def));
        g_ptr_array_add(driver->pools, obj);
        added = true;
    } else {
        /* a defined pool runs with this definition until it stops */
        virStoragePoolDefFree(obj->newDef);
        obj->newDef = obj->def;
        obj->def = g_steal_pointer(&def);
    }
    if ((flags & (CREATE_WITH_BUILD | CREATE_WITH_BUILD_OVERWRITE |
                  CREATE_WITH_BUILD_NO_OVERWRITE) &&
         storagePoolObjBuildDir(driver, obj, storageBuildFlags(flags)) < 0) ||
        storagePoolObjStart(driver, obj) < 0) {
        if (added) {
            storagePoolObjRemove(driver, obj);
        } else {
            virStoragePoolDefFree(obj->def);
            obj->def = g_steal_pointer(&obj->newDef);
        }
        goto cleanup;
    }
    storageDriverEmit(driver, obj, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                      VIR_STORAGE_POOL_EVENT_STARTED);
    storagePoolRefFill(ref, obj);
    ret = 0;
 cleanup:
    g_mutex_unlock(&driver->lock);
    return ret;
}

/* ---- operations on one pool ----------------------------------------------------- */

int
storagePoolRun(storageDriver *driver, const unsigned char *uuid,
               const char *name, storagePoolNeed need, storagePoolOp op,
               void *opaque)
{
    storagePoolObj *obj;
    int ret = -1;

    g_mutex_lock(&driver->lock);
    if (!(obj = storagePoolObjFindByUUID(driver, uuid, name)))
        goto cleanup;
    if ((need == STORAGE_POOL_NEED_ACTIVE && storagePoolObjCheckActive(obj) < 0) ||
        (need == STORAGE_POOL_NEED_STARTABLE && storagePoolObjCheckInactive(obj, false) < 0) ||
        (need == STORAGE_POOL_NEED_STOPPED && storagePoolObjCheckInactive(obj, true) < 0))
        goto cleanup;
    ret = op(driver, obj, opaque);
 cleanup:
    g_mutex_unlock(&driver->lock);
    return ret;
}

static void
storageDriverEmitLifecycle(storageDriver *driver, storagePoolObj *obj, int event)
{
    storageDriverEmit(driver, obj, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, event);
}

/* Stops active @obj; a transient pool is gone afterwards. */
static void
storagePoolObjStopAndEmit(storageDriver *driver, storagePoolObj *obj)
{
    storagePoolObjStop(driver, obj);
    storageDriverEmitLifecycle(driver, obj, VIR_STORAGE_POOL_EVENT_STOPPED);
    if (!obj->persistent)
        storagePoolObjRemove(driver, obj);
}

static int
storagePoolDoCreate(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    unsigned int flags = *(unsigned int *)opaque;

    if ((flags && storagePoolObjBuildDir(driver, obj, storageBuildFlags(flags)) < 0) ||
        storagePoolObjStart(driver, obj) < 0)
        return -1;
    storageDriverEmitLifecycle(driver, obj, VIR_STORAGE_POOL_EVENT_STARTED);
    return 0;
}

int
storagePoolCreate(storageDriver *driver, const unsigned char *uuid,
                  const char *name, unsigned int flags)
{
    if (storageCheckCreateFlags(flags) < 0)
        return -1;
    return storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_STARTABLE,
                          storagePoolDoCreate, &flags);
}

static int
storagePoolDoBuild(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    if (storagePoolObjBuildDir(driver, obj, *(unsigned int *)opaque) < 0)
        return -1;
    storageDriverEmitLifecycle(driver, obj, VIR_STORAGE_POOL_EVENT_CREATED);
    return 0;
}

int
storagePoolBuild(storageDriver *driver, const unsigned char *uuid,
                 const char *name, unsigned int flags)
{
    /* REPAIR / RESIZE are for disk pools */
    if (!virCheckFlags(flags, BUILD_OVERWRITE | BUILD_NO_OVERWRITE))
        return -1;
    return storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_STARTABLE,
                          storagePoolDoBuild, &flags);
}

static int
storagePoolDoDestroy(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    storagePoolObjStopAndEmit(driver, obj);
    return 0;
}

int
storagePoolDestroy(storageDriver *driver, const unsigned char *uuid,
                   const char *name)
{
    return storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_ACTIVE,
                          storagePoolDoDestroy, NULL);
}

static int
storagePoolDoDelete(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    const char *dir = obj->def->targetPath;

    if (rmdir(dir) < 0 && errno != ENOENT) {
        virReportSystemError(errno, _("failed to remove pool '%1$s'"),
                             obj->def->targetPath);
        return -1;
    }
    storageDriverEmitLifecycle(driver, obj, VIR_STORAGE_POOL_EVENT_DELETED);
    return 0;
}

int
storagePoolDelete(storageDriver *driver, const unsigned char *uuid,
                  const char *name, unsigned int flags)
{
    if (!virCheckFlags(flags, 0))
        return -1;
    return storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_STOPPED,
                          storagePoolDoDelete, NULL);
}

static int
storagePoolDoUndefine(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    g_autofree char *config = storageDriverFile(driver->configDir, obj->def->name);

    if (!obj->persistent) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("cannot undefine transient storage pool"));
        return -1;
    }
    if (storageDriverSetAutostartLink(driver, obj->def->name, false) < 0 ||
        virFileRemove(config) < 0)
        return -1;
    storageDriverEmitLifecycle(driver, obj, VIR_STORAGE_POOL_EVENT_UNDEFINED);
    storagePoolObjRemove(driver, obj);
    return 0;
}

int
storagePoolUndefine(storageDriver *driver, const unsigned char *uuid,
                    const char *name)
{
    return storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_STOPPED,
                          storagePoolDoUndefine, NULL);
}

static int
storagePoolDoRefresh(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    if (storagePoolObjRefresh(driver, obj) < 0) {
        /* libvirt stops a pool whose refresh fails */
        storagePoolObjStopAndEmit(driver, obj);
        return -1;
    }
    storageDriverEmit(driver, obj, VIR_STORAGE_POOL_EVENT_ID_REFRESH, 0);
    return 0;
}

int
storagePoolRefresh(storageDriver *driver, const unsigned char *uuid,
                   const char *name, unsigned int flags)
{
    if (!virCheckFlags(flags, 0))
        return -1;
    return storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_ACTIVE,
                          storagePoolDoRefresh, NULL);
}

/* ---- properties ---------------------------------------------------------------- */

static int
storagePoolDoGetInfo(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    storagePoolInfo *info = opaque;

    info->state = obj->active ? VIR_STORAGE_POOL_RUNNING : VIR_STORAGE_POOL_INACTIVE;
    info->capacity = obj->def->capacity;
    info->allocation = obj->def->allocation;
    info->available = obj->def->available;
    return 0;
}

int
storagePoolGetInfo(storageDriver *driver, const unsigned char *uuid,
                   const char *name, storagePoolInfo *info)
{
    return storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_ANY,
                          storagePoolDoGetInfo, info);
}

typedef struct {
    unsigned int flags;
    char *xml;
} storagePoolXMLReq;

static int
storagePoolDoGetXMLDesc(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    storagePoolXMLReq *req = opaque;

    req->xml = virStoragePoolDefFormat((req->flags & XML_INACTIVE) && obj->newDef ?
                                       obj->newDef : obj->def);
    return 0;
}

char *
storagePoolGetXMLDesc(storageDriver *driver, const unsigned char *uuid,
                      const char *name, unsigned int flags)
{
    storagePoolXMLReq req = { .flags = flags };

    if (!virCheckFlags(flags, XML_INACTIVE) ||
        storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_ANY,
                       storagePoolDoGetXMLDesc, &req) < 0)
        return NULL;
    return req.xml;
}

/* GET_AUTOSTART / IS_ACTIVE / IS_PERSISTENT: 1 or 0 */
static int
storagePoolDoGetAutostart(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    return obj->autostart;
}

static int
storagePoolDoIsActive(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    return obj->active;
}

static int
storagePoolDoIsPersistent(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    return obj->persistent;
}

int
storagePoolGetAutostart(storageDriver *driver, const unsigned char *uuid,
                        const char *name, int *autostart)
{
    int rc = storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_ANY,
                            storagePoolDoGetAutostart, NULL);

    if (rc < 0)
        return -1;
    *autostart = rc;
    return 0;
}

int
storagePoolIsActive(storageDriver *driver, const unsigned char *uuid,
                    const char *name)
{
    return storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_ANY,
                          storagePoolDoIsActive, NULL);
}

int
storagePoolIsPersistent(storageDriver *driver, const unsigned char *uuid,
                        const char *name)
{
    return storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_ANY,
                          storagePoolDoIsPersistent, NULL);
}

static int
storagePoolDoSetAutostart(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    bool autostart = *(int *)opaque != 0;

    if (!obj->persistent) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("cannot set autostart for transient pool"));
        return -1;
    }
    if (obj->autostart != autostart &&
        storageDriverSetAutostartLink(driver, obj->def->name, autostart) < 0)
        return -1;
    obj->autostart = autostart;
    return 0;
}

int
storagePoolSetAutostart(storageDriver *driver, const unsigned char *uuid,
                        const char *name, int autostart)
{
    return storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_ANY,
                          storagePoolDoSetAutostart, &autostart);
}
