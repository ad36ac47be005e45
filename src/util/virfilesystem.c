/*
 * virfilesystem.c: shared and cluster file systems, by statfs magic
 * (and for FUSE by the mount's type), as libvirt recognises them
 */
#include <errno.h>
#include <mntent.h>
#include <string.h>
#include <sys/vfs.h>

#include "virfilesystem.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_NONE

#define VIR_FS_FUSE_MAGIC 0x65735546ULL

static const struct {
    unsigned long long magic;
    const char *name;
    virFileSystemKind kind;
} virFileSystemMagics[] = {
    { 0x6969ULL, "nfs", VIR_FILE_SYSTEM_SHARED },
    { 0x517BULL, "smb", VIR_FILE_SYSTEM_SHARED },
    { 0xFF534D42ULL, "cifs", VIR_FILE_SYSTEM_SHARED },
    { 0xFE534D42ULL, "smb2", VIR_FILE_SYSTEM_SHARED },
    { 0x5346414FULL, "afs", VIR_FILE_SYSTEM_SHARED },
    { 0x0BD00BD0ULL, "lustre", VIR_FILE_SYSTEM_SHARED },
    { 0x01161970ULL, "gfs2", VIR_FILE_SYSTEM_CLUSTER },
    { 0x7461636FULL, "ocfs2", VIR_FILE_SYSTEM_CLUSTER },
    { 0x00C36400ULL, "ceph", VIR_FILE_SYSTEM_CLUSTER },
    { 0x47504653ULL, "gpfs", VIR_FILE_SYSTEM_CLUSTER },
};

/* FUSE file systems that are network storage, by mount type. */
static const char *const virFileSystemFuseShared[] = {
    "fuse.glusterfs", "fuse.quobyte", NULL
};

virFileSystemKind
virFileSystemClassify(unsigned long long magic, const char *mountType,
                      const char **name)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(virFileSystemMagics); i++) {
        if (virFileSystemMagics[i].magic == magic) {
            *name = virFileSystemMagics[i].name;
            return virFileSystemMagics[i].kind;
        }
    }
    for (i = 0; magic == VIR_FS_FUSE_MAGIC && mountType &&
                virFileSystemFuseShared[i]; i++) {
        if (g_str_equal(mountType, virFileSystemFuseShared[i])) {
            *name = virFileSystemFuseShared[i];
            return VIR_FILE_SYSTEM_SHARED;
        }
    }
    *name = NULL;
    return VIR_FILE_SYSTEM_LOCAL;
}

/* The type of the mount holding @path: the longest mount point that is
 * a prefix of it.  Returns a new string or NULL. */
static char *
virFileSystemMountType(const char *path)
{
    FILE *f = setmntent("/proc/self/mounts", "r");
    struct mntent ent;
    char buf[4096];
    size_t best = 0;
    char *type = NULL;

    if (!f)
        return NULL;
    while (getmntent_r(f, &ent, buf, sizeof(buf))) {
        size_t len = strlen(ent.mnt_dir);

        if (len < best || strncmp(path, ent.mnt_dir, len) != 0 ||
            (path[len] != '/' && path[len] != '\0' && len > 1))
            continue;
        best = len;
        g_free(type);
        type = g_strdup(ent.mnt_type);
    }
    endmntent(f);
    return type;
}

int
virFileSystemOf(const char *path, virFileSystemKind *kind, const char **name)
{
    g_autofree char *dir = g_strdup(path);
    g_autofree char *resolved = NULL;
    g_autofree char *mountType = NULL;
    struct statfs sb;

    /* a file to be created: its directory decides */
    while (statfs(dir, &sb) < 0) {
        char *parent;

        if (errno != ENOENT || g_str_equal(dir, "/") || g_str_equal(dir, ".")) {
            virReportSystemError(errno, _("cannot determine the file system of '%1$s'"),
                                 path);
            return -1;
        }
        parent = g_path_get_dirname(dir);
        g_free(dir);
        dir = parent;
    }
    if ((unsigned long long)sb.f_type == VIR_FS_FUSE_MAGIC &&
        (resolved = realpath(dir, NULL)))
        mountType = virFileSystemMountType(resolved);
    *kind = virFileSystemClassify((unsigned long long)sb.f_type, mountType, name);
    return 0;
}
