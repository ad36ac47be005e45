/*
 * storage_volume.c: the file volumes of dir pools: scanning, details
 * from `qemu-img info --output=json`, creation with `qemu-img create`,
 * deletion, and the volume lookups and listings
 */
#include <json-c/json.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage_driver_priv.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_volume");

G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put);

/* libvirt's VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA,
 * VIR_STORAGE_VOL_GET_PHYSICAL, VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS
 * (nothing to do for files; ZEROED is refused) */
#define VOL_CREATE_PREALLOC_METADATA (1U << 0)
#define VOL_GET_PHYSICAL (1U << 0)
#define VOL_DELETE_WITH_SNAPSHOTS (1U << 1)

/* ---- qemu-img ------------------------------------------------------------ */

/* Runs qemu-img with @argv (NULL-terminated, argv[0] "qemu-img");
 * its stdout into *@out if not NULL.  -1 reported with @what. */
static int
storageRunQemuImg(const char *const *argv, char **out, const char *what,
                  const char *path)
{
    g_autofree char *err = NULL;
    g_autoptr(GError) gerr = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                      out, &err, &status, &gerr) ||
        !g_spawn_check_wait_status(status, &gerr)) {
        virReportError(VIR_ERR_INTERNAL_ERROR, _("failed to %1$s '%2$s': %3$s"),
                       what, path,
                       err && *g_strstrip(err) ? err : gerr->message);
        return -1;
    }
    return 0;
}

static bool
storageJSONUInt(json_object *obj, const char *key, unsigned long long *value)
{
    json_object *val = NULL;

    if (!json_object_object_get_ex(obj, key, &val) ||
        !json_object_is_type(val, json_type_int))
        return false;
    *value = json_object_get_uint64(val);
    return true;
}

/* "format-specific": {"type": "qcow2", "data": {"compat": "1.1"}} */
static char *
storageJSONQcow2Compat(json_object *info)
{
    json_object *specific = NULL;
    json_object *data = NULL;
    json_object *compat = NULL;

    if (!json_object_object_get_ex(info, "format-specific", &specific) ||
        !json_object_object_get_ex(specific, "data", &data) ||
        !json_object_object_get_ex(data, "compat", &compat) ||
        !json_object_is_type(compat, json_type_string))
        return NULL;
    return g_strdup(json_object_get_string(compat));
}

/* Format, capacity (virtual size) and allocation (actual size) of the
 * image at @def->path from qemu-img's JSON; physical size, timestamps
 * and ownership from stat.  Again at every GET_INFO / GET_XML_DESC, as
 * libvirt refreshes a volume (a guest may be writing to it). */
static int
storageVolProbe(virStorageVolDef *def)
{
    const char *argv[] = { "qemu-img", "info", "-U", "--output=json", def->path, NULL };
    g_autofree char *out = NULL;
    g_autoptr(json_object) info = NULL;
    json_object *format = NULL;
    struct stat sb;
    int f;

    if (stat(def->path, &sb) < 0) {
        virReportSystemError(errno, _("cannot stat file '%1$s'"), def->path);
        return -1;
    }
    def->physical = sb.st_size;
    def->hasTimestamps = true;
    def->atime = sb.st_atim;
    def->mtime = sb.st_mtim;
    def->ctime = sb.st_ctim;
    def->perms.mode = sb.st_mode & 0777;
    def->perms.uid = sb.st_uid;
    def->perms.gid = sb.st_gid;
    def->allocation = (unsigned long long)sb.st_blocks * 512;
    def->capacity = sb.st_size;
    def->format = VIR_STORAGE_FILE_RAW;
    if (storageRunQemuImg(argv, &out, _("probe"), def->path) < 0)
        return -1;
    if (!(info = json_tokener_parse(out)) ||
        !json_object_object_get_ex(info, "format", &format) ||
        !json_object_is_type(format, json_type_string) ||
        !storageJSONUInt(info, "virtual-size", &def->capacity)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("cannot parse qemu-img's information about '%1$s'"),
                       def->path);
        return -1;
    }
    ignore_value(storageJSONUInt(info, "actual-size", &def->allocation));
    if ((f = virStorageFileFormatTypeFromString(json_object_get_string(format))) > 0)
        def->format = f;
    g_free(def->compat);
    def->compat = storageJSONQcow2Compat(info);
    return 0;
}

/* The volume file @name in @obj's directory, probed. */
static virStorageVolDef *
storageVolLoad(storageDriver *driver, storagePoolObj *obj, const char *name)
{
    g_autoptr(virStorageVolDef) def = g_new0(virStorageVolDef, 1);
    const char *dir = obj->def->targetPath;

    def->name = g_strdup(name);
    def->type = VIR_STORAGE_VOL_FILE;
    def->path = g_build_filename(dir, name, NULL);
    def->key = g_strdup(def->path);
    if (storageVolProbe(def) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

/* GPtrArray order of volumes: by name */
static gint
storageVolCompare(gconstpointer a, gconstpointer b)
{
    const virStorageVolDef *const *x = a;
    const virStorageVolDef *const *y = b;

    return strcmp((*x)->name, (*y)->name);
}

int
storagePoolObjScanVolumes(storageDriver *driver, storagePoolObj *obj)
{
    const char *dir = obj->def->targetPath;
    g_autoptr(GPtrArray) vols = NULL;
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) gerr = NULL;
    const char *entry;

    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        virReportSystemError(ENOENT, _("cannot open directory '%1$s'"), dir);
        return -1;
    }
    if (!(d = g_dir_open(dir, 0, &gerr))) {
        virReportError(VIR_ERR_SYSTEM_ERROR, _("cannot open directory '%1$s': %2$s"),
                       dir, gerr->message);
        return -1;
    }
    vols = g_ptr_array_new_with_free_func((GDestroyNotify)virStorageVolDefFree);
    while ((entry = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, entry, NULL);
        virStorageVolDef *vol;

        /* libvirt skips what it cannot open; so do we */
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) ||
            g_file_test(path, G_FILE_TEST_IS_SYMLINK))
            continue;
        if (!(vol = storageVolLoad(driver, obj, entry))) {
            VIR_WARN("pool %s: skipping %s: %s", obj->def->name, path,
                     virGetLastErrorMessage());
            continue;
        }
        g_ptr_array_add(vols, vol);
    }
    g_ptr_array_sort(vols, storageVolCompare);
    g_ptr_array_unref(obj->vols);
    obj->vols = g_steal_pointer(&vols);
    return 0;
}

/* ---- look-ups (lock held) ---------------------------------------------------- */

static virStorageVolDef *
storageVolFindByName(storagePoolObj *obj, const char *name, bool report)
{
    guint i;

    for (i = 0; i < obj->vols->len; i++) {
        virStorageVolDef *vol = g_ptr_array_index(obj->vols, i);

        if (g_str_equal(vol->name, name))
            return vol;
    }
    if (report)
        virReportError(VIR_ERR_NO_STORAGE_VOL,
                       _("no storage vol with matching name '%1$s'"), name);
    return NULL;
}

static void
storageVolRefFill(storageVolRef *ref, const storagePoolObj *obj,
                  const virStorageVolDef *vol)
{
    ref->pool = g_strdup(obj->def->name);
    ref->name = g_strdup(vol->name);
    ref->key = g_strdup(vol->key);
}

/* The volume named by the wire's (pool name, volume name). */
static virStorageVolDef *
storageVolFind(storageDriver *driver, const char *pool, const char *name,
               storagePoolObj **objp)
{
    storagePoolObj *obj = storagePoolObjFindByName(driver, pool);

    if (!obj || storagePoolObjCheckActive(obj) < 0)
        return NULL;
    if (objp)
        *objp = obj;
    return storageVolFindByName(obj, name, true);
}


/* The first volume of an active pool whose key (@byKey) or path is
 * @str. */
static int
storageVolFindGlobal(storageDriver *driver, const char *str, bool byKey,
                     storageVolRef *ref)
{
    guint i, j;

    for (i = 0; i < driver->pools->len; i++) {
        storagePoolObj *obj = g_ptr_array_index(driver->pools, i);

        for (j = 0; obj->active && j < obj->vols->len; j++) {
            virStorageVolDef *vol = g_ptr_array_index(obj->vols, j);

            if (g_str_equal(byKey ? vol->key : vol->path, str)) {
                storageVolRefFill(ref, obj, vol);
                return 0;
            }
        }
    }
    return -1;
}

typedef struct {
    const char *name;
    storageVolRef *ref;
} storageVolNameReq;

static int
storageVolDoLookupByName(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    storageVolNameReq *req = opaque;
    virStorageVolDef *vol = storageVolFindByName(obj, req->name, true);

    if (!vol)
        return -1;
    storageVolRefFill(req->ref, obj, vol);
    return 0;
}

int
storageVolLookupByName(storageDriver *driver, const unsigned char *pool,
                       const char *poolName, const char *name,
                       storageVolRef *ref)
{
    storageVolNameReq req = { .name = name, .ref = ref };

    return storagePoolRun(driver, pool, poolName, STORAGE_POOL_NEED_ACTIVE,
                          storageVolDoLookupByName, &req);
}

int
storageVolLookupByKey(storageDriver *driver, const char *key, storageVolRef *ref)
{
    int ret;

    g_mutex_lock(&driver->lock);
    ret = storageVolFindGlobal(driver, key, true, ref);
    g_mutex_unlock(&driver->lock);
    if (ret < 0)
        virReportError(VIR_ERR_NO_STORAGE_VOL,
                       _("no storage vol with matching key %1$s"), key);
    return ret;
}

int
storageVolLookupByPath(storageDriver *driver, const char *path, storageVolRef *ref)
{
    g_autofree char *clean = storageSanitizePath(path);
    int ret;

    g_mutex_lock(&driver->lock);
    ret = storageVolFindGlobal(driver, clean, false, ref);
    g_mutex_unlock(&driver->lock);
    if (ret < 0) {
        if (g_str_equal(clean, path))
            virReportError(VIR_ERR_NO_STORAGE_VOL,
                           _("no storage vol with matching path '%1$s'"), path);
        else
            virReportError(VIR_ERR_NO_STORAGE_VOL,
                           _("no storage vol with matching path '%1$s' (%2$s)"),
                           path, clean);
    }
    return ret;
}

/* ---- listing ----------------------------------------------------------------- */

static int
storagePoolDoNumOfVolumes(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    return obj->vols->len;
}

int
storagePoolNumOfVolumes(storageDriver *driver, const unsigned char *uuid,
                        const char *name)
{
    return storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_ACTIVE,
                          storagePoolDoNumOfVolumes, NULL);
}

typedef struct {
    int max;
    char **names;
} storageVolNamesReq;

static int
storagePoolDoListVolumes(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    storageVolNamesReq *req = opaque;
    guint n = MIN(obj->vols->len, (guint)MAX(req->max, 0));
    guint i;

    req->names = g_new0(char *, n + 1);
    for (i = 0; i < n; i++)
        req->names[i] = g_strdup(((virStorageVolDef *)g_ptr_array_index(obj->vols, i))->name);
    return n;
}

int
storagePoolListVolumes(storageDriver *driver, const unsigned char *uuid,
                       const char *name, int maxnames, char ***names)
{
    storageVolNamesReq req = { .max = maxnames };
    int n = storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_ACTIVE,
                           storagePoolDoListVolumes, &req);

    if (n >= 0)
        *names = req.names;
    return n;
}

static int
storagePoolDoListAllVolumes(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    storageVolRef **vols = opaque;
    guint i;

    if (vols) {
        *vols = g_new0(storageVolRef, obj->vols->len + 1);
        for (i = 0; i < obj->vols->len; i++)
            storageVolRefFill(&(*vols)[i], obj, g_ptr_array_index(obj->vols, i));
    }
    return obj->vols->len;
}

int
storagePoolListAllVolumes(storageDriver *driver, const unsigned char *uuid,
                          const char *name, unsigned int flags,
                          storageVolRef **vols)
{
    if (!virCheckFlags(flags, 0))
        return -1;
    return storagePoolRun(driver, uuid, name, STORAGE_POOL_NEED_ACTIVE,
                          storagePoolDoListAllVolumes, vols);
}

/* ---- creation / deletion ------------------------------------------------------- */

/* Creates the file of @def (path set) with qemu-img, or as a copy of
 * @src's image converted to @def's format. */
static int
storageVolCreateImage(const virStorageVolDef *def, const virStorageVolDef *src,
                      unsigned int flags)
{
    const char *format = virStorageFileFormatTypeToString(def->format);
    g_autofree char *size = g_strdup_printf("%llu", def->capacity);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();

    g_ptr_array_add(argv, (char *)"qemu-img");
    if (src) {
        g_ptr_array_add(argv, (char *)"convert");
        g_ptr_array_add(argv, (char *)"-U");
        g_ptr_array_add(argv, (char *)"-q");
        g_ptr_array_add(argv, (char *)"-f");
        g_ptr_array_add(argv, (char *)virStorageFileFormatTypeToString(src->format));
        g_ptr_array_add(argv, (char *)"-O");
        g_ptr_array_add(argv, (char *)format);
        g_ptr_array_add(argv, src->path);
        g_ptr_array_add(argv, def->path);
    } else {
        g_ptr_array_add(argv, (char *)"create");
        g_ptr_array_add(argv, (char *)"-q");
        g_ptr_array_add(argv, (char *)"-f");
        g_ptr_array_add(argv, (char *)format);
        if (def->format == VIR_STORAGE_FILE_QCOW2 &&
            (flags & VOL_CREATE_PREALLOC_METADATA)) {
            g_ptr_array_add(argv, (char *)"-o");
            g_ptr_array_add(argv, (char *)"preallocation=metadata");
        } else if (def->format == VIR_STORAGE_FILE_RAW && def->hasAllocation &&
                   def->capacity > 0 && def->allocation >= def->capacity) {
            /* a fully allocated raw file (virsh vol-create-as --allocation) */
            g_ptr_array_add(argv, (char *)"-o");
            g_ptr_array_add(argv, (char *)"preallocation=falloc");
        }
        g_ptr_array_add(argv, def->path);
        g_ptr_array_add(argv, size);
    }
    g_ptr_array_add(argv, NULL);
    return storageRunQemuImg((const char *const *)argv->pdata, NULL,
                             _("create volume"), def->path);
}

static int
storageVolApplyPerms(const virStorageVolDef *def)
{
    const virStoragePerms *perms = &def->perms;
    mode_t mode = perms->mode >= 0 ? perms->mode : 0600;

    if (chmod(def->path, mode) < 0) {
        virReportSystemError(errno, _("cannot set mode of '%1$s' to %2$04o"),
                             def->path, (unsigned int)mode);
        return -1;
    }
    if ((perms->uid >= 0 || perms->gid >= 0) &&
        chown(def->path, perms->uid, perms->gid) < 0) {
        virReportSystemError(errno, _("cannot chown '%1$s' to (%2$lld, %3$lld)"),
                             def->path, perms->uid, perms->gid);
        return -1;
    }
    return 0;
}

/* The new volume @xml in @obj (from @src if not NULL). */
static int
storageVolCreate(storageDriver *driver, storagePoolObj *obj, const char *xml,
                 const virStorageVolDef *src, unsigned int flags,
                 storageVolRef *ref)
{
    g_autoptr(virStorageVolDef) def = virStorageVolDefParseString(xml);
    virStorageVolDef *vol;

    if (!def)
        return -1;
    if (def->type != VIR_STORAGE_VOL_FILE) {
        virReportError(VIR_ERR_NO_SUPPORT, "%s",
                       _("storage pool does not support volume creation of this type"));
        return -1;
    }
    if (storageVolFindByName(obj, def->name, false)) {
        virReportError(VIR_ERR_STORAGE_VOL_EXIST,
                       _("'%1$s'"), def->name);
        return -1;
    }
    def->path = g_build_filename(obj->def->targetPath, def->name, NULL);
    if (g_file_test(def->path, G_FILE_TEST_EXISTS)) {
        virReportError(VIR_ERR_STORAGE_VOL_EXIST, _("'%1$s'"), def->name);
        return -1;
    }
    if (storageVolCreateImage(def, src, flags) < 0)
        return -1;
    if (storageVolApplyPerms(def) < 0 ||
        !(vol = storageVolLoad(driver, obj, def->name))) {
        ignore_value(unlink(def->path));
        return -1;
    }
    g_ptr_array_add(obj->vols, vol);
    g_ptr_array_sort(obj->vols, storageVolCompare);
    storageVolRefFill(ref, obj, vol);
    return 0;
}

typedef struct {
    const char *xml;
    const char *srcPool;          /* NULL: a new image */
    const char *srcName;
    unsigned int flags;
    storageVolRef *ref;
} storageVolCreateReq;

static int
storageVolDoCreate(storageDriver *driver, storagePoolObj *obj, void *opaque)
{
    storageVolCreateReq *req = opaque;
    virStorageVolDef *src = NULL;

    if (req->srcPool && !(src = storageVolFind(driver, req->srcPool, req->srcName, NULL)))
        return -1;
    return storageVolCreate(driver, obj, req->xml, src, req->flags, req->ref);
}

int
storageVolCreateXML(storageDriver *driver, const unsigned char *pool,
                    const char *poolName, const char *xml, unsigned int flags,
                    storageVolRef *ref)
{
    storageVolCreateReq req = { .xml = xml, .flags = flags, .ref = ref };

    if (!virCheckFlags(flags, VOL_CREATE_PREALLOC_METADATA))
        return -1;
    return storagePoolRun(driver, pool, poolName, STORAGE_POOL_NEED_ACTIVE,
                          storageVolDoCreate, &req);
}

int
storageVolCreateXMLFrom(storageDriver *driver, const unsigned char *pool,
                        const char *poolName, const char *xml,
                        const char *srcPool, const char *srcName,
                        unsigned int flags, storageVolRef *ref)
{
    storageVolCreateReq req = { .xml = xml, .srcPool = srcPool,
                                .srcName = srcName, .flags = flags, .ref = ref };

    if (!virCheckFlags(flags, 0))
        return -1;
    return storagePoolRun(driver, pool, poolName, STORAGE_POOL_NEED_ACTIVE,
                          storageVolDoCreate, &req);
}

int
storageVolDelete(storageDriver *driver, const char *pool, const char *name,
                 unsigned int flags)
{
    storagePoolObj *obj = NULL;
    virStorageVolDef *vol;
    int ret = -1;

    if (!virCheckFlags(flags, VOL_DELETE_WITH_SNAPSHOTS))
        return -1;
    g_mutex_lock(&driver->lock);
    if (!(vol = storageVolFind(driver, pool, name, &obj)))
        goto cleanup;
    if (unlink(vol->path) < 0 && errno != ENOENT) {
        virReportSystemError(errno, _("cannot unlink file '%1$s'"), vol->path);
        goto cleanup;
    }
    g_ptr_array_remove(obj->vols, vol);
    ret = 0;
 cleanup:
    g_mutex_unlock(&driver->lock);
    return ret;
}

/* ---- properties ------------------------------------------------------------------ */

int
storageVolGetInfo(storageDriver *driver, const char *pool, const char *name,
                  unsigned int flags, storageVolInfo *info)
{
    virStorageVolDef *vol;
    int ret = -1;

    if (!virCheckFlags(flags, VOL_GET_PHYSICAL))
        return -1;
    g_mutex_lock(&driver->lock);
    if ((vol = storageVolFind(driver, pool, name, NULL)) &&
        storageVolProbe(vol) == 0) {
        info->type = vol->type;
        info->capacity = vol->capacity;
        info->allocation = flags & VOL_GET_PHYSICAL ? vol->physical : vol->allocation;
        ret = 0;
    }
    g_mutex_unlock(&driver->lock);
    return ret;
}

char *
storageVolGetXMLDesc(storageDriver *driver, const char *pool, const char *name,
                     unsigned int flags)
{
    virStorageVolDef *vol;
    char *xml = NULL;

    if (!virCheckFlags(flags, 0))
        return NULL;
    g_mutex_lock(&driver->lock);
    if ((vol = storageVolFind(driver, pool, name, NULL)) &&
        storageVolProbe(vol) == 0)
        xml = virStorageVolDefFormat(vol);
    g_mutex_unlock(&driver->lock);
    return xml;
}

char *
storageVolGetPath(storageDriver *driver, const char *pool, const char *name)
{
    virStorageVolDef *vol;
    char *path = NULL;

    g_mutex_lock(&driver->lock);
    if ((vol = storageVolFind(driver, pool, name, NULL)))
        path = g_strdup(vol->path);
    g_mutex_unlock(&driver->lock);
    return path;
}
