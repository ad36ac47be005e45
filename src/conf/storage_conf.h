/*
 * storage_conf.h: storage pool and volume definitions: XML parse and
 * format (no I/O), in libvirt's <pool> / <volume> formats
 *
 * Only what a 'dir' pool uses is kept.  Other pool types that libvirt
 * knows are parsed far enough to name the type (the driver refuses
 * them); unknown types are an XML error, as in libvirt.
 */
#pragma once

#include <time.h>

#include "internal.h"

typedef enum {
    VIR_STORAGE_POOL_DIR = 0,
    VIR_STORAGE_POOL_FS,
    VIR_STORAGE_POOL_NETFS,
    VIR_STORAGE_POOL_LOGICAL,
    VIR_STORAGE_POOL_DISK,
    VIR_STORAGE_POOL_ISCSI,
    VIR_STORAGE_POOL_ISCSI_DIRECT,
    VIR_STORAGE_POOL_SCSI,
    VIR_STORAGE_POOL_MPATH,
    VIR_STORAGE_POOL_RBD,
    VIR_STORAGE_POOL_SHEEPDOG,
    VIR_STORAGE_POOL_GLUSTER,
    VIR_STORAGE_POOL_ZFS,
    VIR_STORAGE_POOL_VSTORAGE,
    VIR_STORAGE_POOL_LAST
} virStoragePoolType;
VIR_ENUM_DECL(virStoragePool);

/* Image formats of file volumes (what qemu-img creates and probes). */
typedef enum {
    VIR_STORAGE_FILE_NONE = 0,
    VIR_STORAGE_FILE_RAW,
    VIR_STORAGE_FILE_DIR,
    VIR_STORAGE_FILE_BOCHS,
    VIR_STORAGE_FILE_CLOOP,
    VIR_STORAGE_FILE_DMG,
    VIR_STORAGE_FILE_ISO,
    VIR_STORAGE_FILE_VPC,
    VIR_STORAGE_FILE_VDI,
    VIR_STORAGE_FILE_FAT,
    VIR_STORAGE_FILE_VHD,
    VIR_STORAGE_FILE_PLOOP,
    VIR_STORAGE_FILE_COW,
    VIR_STORAGE_FILE_QCOW,
    VIR_STORAGE_FILE_QCOW2,
    VIR_STORAGE_FILE_QED,
    VIR_STORAGE_FILE_VMDK,
    VIR_STORAGE_FILE_LAST
} virStorageFileFormat;
VIR_ENUM_DECL(virStorageFileFormat);

/* libvirt's virStorageVolType (volume XML type= and GET_INFO type) */
typedef enum {
    VIR_STORAGE_VOL_FILE = 0,
    VIR_STORAGE_VOL_BLOCK,
    VIR_STORAGE_VOL_DIR,
    VIR_STORAGE_VOL_NETWORK,
    VIR_STORAGE_VOL_NETDIR,
    VIR_STORAGE_VOL_PLOOP,
    VIR_STORAGE_VOL_LAST
} virStorageVolType;
VIR_ENUM_DECL(virStorageVol);

/* <permissions>: -1 in a field means "not given". */
typedef struct {
    int mode;
    long long uid;
    long long gid;
    char *label;
} virStoragePerms;

typedef struct _virStoragePoolDef virStoragePoolDef;
struct _virStoragePoolDef {
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];
    virStoragePoolType type;
    char *targetPath;             /* as written (cleaned of trailing '/') */
    virStoragePerms perms;
    /* sizes last seen (formatted only; ignored on input) */
    unsigned long long capacity;
    unsigned long long allocation;
    unsigned long long available;
};

void virStoragePoolDefFree(virStoragePoolDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePoolDef, virStoragePoolDefFree);

/* Parses a <pool> document (a missing UUID is generated).  NULL with
 * VIR_ERR_XML_ERROR (or the parser's detail) reported. */
virStoragePoolDef *virStoragePoolDefParseString(const char *xml);

/* libvirt's pool XML of @def. */
char *virStoragePoolDefFormat(const virStoragePoolDef *def);

typedef struct _virStorageVolDef virStorageVolDef;
struct _virStorageVolDef {
    char *name;
    char *key;                    /* the path, for file volumes */
    virStorageVolType type;
    unsigned long long capacity;  /* bytes */
    unsigned long long allocation;
    unsigned long long physical;  /* size of the file */
    bool hasAllocation;           /* given on input */
    char *path;
    virStorageFileFormat format;
    virStoragePerms perms;
    /* what the image says (formatted only; ignored on input) */
    bool hasTimestamps;
    struct timespec atime;
    struct timespec mtime;
    struct timespec ctime;
    char *compat;                 /* qcow2's compat level, or NULL */
};

void virStorageVolDefFree(virStorageVolDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageVolDef, virStorageVolDefFree);

/* Parses a <volume> document for a new volume: <name> and <capacity>
 * are required, the format defaults to raw.  NULL with an error. */
virStorageVolDef *virStorageVolDefParseString(const char *xml);

/* libvirt's volume XML of @def. */
char *virStorageVolDefFormat(const virStorageVolDef *def);

/* A size in @unit ("b", "KiB", "M", "GB", ... libvirt's scaled
 * integers; NULL: bytes) in bytes; -1 with VIR_ERR_INVALID_ARG or
 * VIR_ERR_OVERFLOW reported. */
int virStorageScaleSize(unsigned long long value, const char *unit,
                        unsigned long long *bytes);
