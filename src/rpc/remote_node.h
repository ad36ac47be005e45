/*
 * remote_node.h: host facts the remote program reports itself
 *
 * NODE_GET_INFO (from /proc and /sys), the host name, free memory and
 * the QEMU version, computed the way libvirt's daemon does.  The parsers
 * are pure functions over file contents so they can be tested.
 */
#pragma once

#include "internal.h"

typedef struct _remoteNodeInfo remoteNodeInfo;
struct _remoteNodeInfo {
    char model[32];               /* CPU architecture, e.g. "x86_64" */
    unsigned long long memoryKiB; /* MemTotal */
    int cpus;                     /* online CPUs */
    int mhz;
    int nodes;                    /* NUMA nodes */
    int sockets;                  /* per node */
    int cores;                    /* per socket */
    int threads;                  /* per core */
};

/**
 * remoteNodeParseInfo:
 * @cpuinfo, @meminfo: contents of /proc/cpuinfo and /proc/meminfo
 * @nnodes: NUMA nodes found under /sys/devices/system/node (0: unknown)
 * @arch: machine name (uname -m)
 *
 * Fills @info; when the topology does not add up it reports libvirt's
 * fallback (1 node, 1 socket, all CPUs as cores, 1 thread).
 * Returns 0, or -1 (VIR_ERR_INTERNAL_ERROR) if no CPU or memory was found.
 */
int remoteNodeParseInfo(const char *cpuinfo, const char *meminfo, int nnodes,
                        const char *arch, remoteNodeInfo *info);

/* The real host's information. */
int remoteNodeGetInfo(remoteNodeInfo *info);

/* Free memory in bytes (MemFree). */
int remoteNodeGetFreeMemory(unsigned long long *bytes);

/* The host name as libvirt reports it: the canonical (fully qualified)
 * name when the resolver knows one, else gethostname(). */
char *remoteNodeGetHostname(void);

/* "QEMU emulator version 7.2.22 (...)" -> 7002022 (libvirt's encoding
 * major * 1000000 + minor * 1000 + micro).  0, or -1 if unparsable. */
int remoteNodeParseQEMUVersion(const char *output, unsigned long long *version);

/* Caches the version of the host's qemu-system-ARCH (run once). */
typedef struct _remoteNodeCache remoteNodeCache;
remoteNodeCache *remoteNodeCacheNew(void);
void remoteNodeCacheFree(remoteNodeCache *cache);
int remoteNodeGetQEMUVersion(remoteNodeCache *cache,
                             unsigned long long *version);
