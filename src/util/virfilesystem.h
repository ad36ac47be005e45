/*
 * virfilesystem.h: which file systems hold storage both hosts of a
 * migration see (libvirt's virFileIsSharedFS / virFileIsClusterFS)
 */
#pragma once

#include "internal.h"

typedef enum {
    VIR_FILE_SYSTEM_LOCAL = 0,      /* this host only (ext4, xfs, tmpfs...) */
    VIR_FILE_SYSTEM_SHARED,         /* network FS: NFS, CIFS/SMB, GlusterFS... */
    VIR_FILE_SYSTEM_CLUSTER,        /* cluster FS, coherent without cache
                                     * tricks: GFS2, OCFS2, CephFS, GPFS */
} virFileSystemKind;

/**
 * virFileSystemClassify:
 * @magic: statfs' f_type
 * @mountType: the mount's type from /proc/self/mounts (for FUSE file
 *             systems, e.g. "fuse.glusterfs"), or NULL
 * @name: set to the file system's name when not local (static string)
 *
 * Pure: the table of shared and cluster file systems.
 */
virFileSystemKind virFileSystemClassify(unsigned long long magic,
                                        const char *mountType,
                                        const char **name);

/**
 * virFileSystemOf:
 * The kind of file system @path is on; a path that does not exist yet
 * is judged by its nearest existing parent directory.  Returns 0 and
 * sets *@kind (and *@name when not local), or -1 with an error reported.
 */
int virFileSystemOf(const char *path, virFileSystemKind *kind,
                    const char **name);
