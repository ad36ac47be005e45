/*
 * remote_node.c: host facts the remote program reports itself
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/utsname.h>

#include "remote_node.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_NONE

VIR_LOG_INIT("rpc.remote_node");

#define REMOTE_NODE_PROC_MAX (4 * 1024 * 1024)

struct _remoteNodeCache {
    GMutex lock;
    bool haveVersion;
    unsigned long long qemuVersion;
};

/* The text after the colon of the first line of @text whose key is
 * @key ("cpu MHz\t\t: 2596.126"), or NULL. */
static const char *
remoteNodeFindField(const char *text, const char *key)
{
    size_t klen = strlen(key);
    const char *line = text;

    while (line && *line) {
        const char *eol = strchr(line, '\n');
        const char *colon = strchr(line, ':');

        if (strncmp(line, key, klen) == 0 &&
            (line[klen] == ' ' || line[klen] == '\t' || line[klen] == ':') &&
            colon && (!eol || colon < eol))
            return colon + 1;
        line = eol ? eol + 1 : NULL;
    }
    return NULL;
}

static long long
remoteNodeFieldNumber(const char *text, const char *key)
{
    const char *val = remoteNodeFindField(text, key);

    return val ? g_ascii_strtoll(val, NULL, 10) : -1;
}

typedef struct {
    int cpus;
    int packages;            /* distinct physical ids */
    int coresPerSocket;
    int siblings;
} remoteNodeCPUCount;

/* /proc/cpuinfo has one blank-line separated block per online CPU. */
static void
remoteNodeCountCPUs(const char *cpuinfo, remoteNodeCPUCount *count)
{
    g_autoptr(GHashTable) packages = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_auto(GStrv) blocks = g_strsplit(cpuinfo, "\n\n", -1);
    size_t i;

    for (i = 0; blocks[i]; i++) {
        long long id;

        if (!remoteNodeFindField(blocks[i], "processor"))
            continue;
        count->cpus++;
        if ((id = remoteNodeFieldNumber(blocks[i], "physical id")) >= 0)
            g_hash_table_add(packages, GINT_TO_POINTER((int)id + 1));
        if (count->coresPerSocket <= 0)
            count->coresPerSocket = remoteNodeFieldNumber(blocks[i], "cpu cores");
        if (count->siblings <= 0)
            count->siblings = remoteNodeFieldNumber(blocks[i], "siblings");
    }
    count->packages = g_hash_table_size(packages);
}

/* nodes/sockets/cores/threads, or libvirt's fallback if inconsistent. */
static void
remoteNodeTopology(const remoteNodeCPUCount *count, int nnodes,
                   remoteNodeInfo *info)
{
    int nodes = MAX(nnodes, 1);
    int cores = count->coresPerSocket;
    int threads = cores > 0 && count->siblings > 0 ? count->siblings / cores : 0;
    int sockets = count->packages / nodes;

    if (cores > 0 && threads > 0 && sockets > 0 &&
        nodes * sockets * cores * threads == count->cpus) {
        info->nodes = nodes;
        info->sockets = sockets;
        info->cores = cores;
        info->threads = threads;
        return;
    }
    info->nodes = 1;
    info->sockets = 1;
    info->cores = count->cpus;
    info->threads = 1;
}

int
remoteNodeParseInfo(const char *cpuinfo, const char *meminfo, int nnodes,
                    const char *arch, remoteNodeInfo *info)
{
    remoteNodeCPUCount count = { 0 };
    const char *mhz = remoteNodeFindField(cpuinfo, "cpu MHz");
    long long mem = remoteNodeFieldNumber(meminfo, "MemTotal");

    memset(info, 0, sizeof(*info));
    remoteNodeCountCPUs(cpuinfo, &count);
    if (count.cpus == 0 || mem <= 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("cannot parse the host's CPU and memory information"));
        return -1;
    }
    g_strlcpy(info->model, arch, sizeof(info->model));
    info->memoryKiB = mem;
    info->cpus = count.cpus;
    info->mhz = mhz ? (int)g_ascii_strtod(mhz, NULL) : 0;
    remoteNodeTopology(&count, nnodes, info);
    return 0;
}

static int
remoteNodeCountNUMANodes(void)
{
    g_autoptr(GDir) dir = g_dir_open("/sys/devices/system/node", 0, NULL);
    const char *name;
    int n = 0;

    if (!dir)
        return 0;
    while ((name = g_dir_read_name(dir))) {
        if (g_str_has_prefix(name, "node") && g_ascii_isdigit(name[4]))
            n++;
    }
    return n;
}

int
remoteNodeGetInfo(remoteNodeInfo *info)
{
    g_autofree char *cpuinfo = NULL;
    g_autofree char *meminfo = NULL;
    struct utsname uts;

    if (virFileReadAll("/proc/cpuinfo", REMOTE_NODE_PROC_MAX, &cpuinfo) < 0 ||
        virFileReadAll("/proc/meminfo", REMOTE_NODE_PROC_MAX, &meminfo) < 0)
        return -1;
    uname(&uts);
    return remoteNodeParseInfo(cpuinfo, meminfo, remoteNodeCountNUMANodes(),
                               uts.machine, info);
}

int
remoteNodeGetFreeMemory(unsigned long long *bytes)
{
    g_autofree char *meminfo = NULL;
    long long kib;

    if (virFileReadAll("/proc/meminfo", REMOTE_NODE_PROC_MAX, &meminfo) < 0)
        return -1;
    if ((kib = remoteNodeFieldNumber(meminfo, "MemFree")) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("cannot parse the host's free memory"));
        return -1;
    }
    *bytes = (unsigned long long)kib * 1024;
    return 0;
}

char *
remoteNodeGetHostname(void)
{
    struct addrinfo hints = { .ai_flags = AI_CANONNAME, .ai_family = AF_UNSPEC };
    struct addrinfo *res = NULL;
    char name[HOST_NAME_MAX + 1] = "";
    char *result;

    if (gethostname(name, sizeof(name) - 1) < 0) {
        virReportSystemError(errno, "%s", _("failed to determine host name"));
        return NULL;
    }
    if (strchr(name, '.') || g_str_has_prefix(name, "localhost"))
        return g_strdup(name);
    if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res)
        return g_strdup(name);
    if (res->ai_canonname && !g_str_has_prefix(res->ai_canonname, "localhost"))
        result = g_strdup(res->ai_canonname);
    else
        result = g_strdup(name);
    freeaddrinfo(res);
    return result;
}

int
remoteNodeParseQEMUVersion(const char *output, unsigned long long *version)
{
    const char *p = output ? strstr(output, "version ") : NULL;
    unsigned int major = 0, minor = 0, micro = 0;

    if (!p || sscanf(p + strlen("version "), "%u.%u.%u", &major, &minor, &micro) < 2)
        return -1;
    *version = major * 1000000ULL + minor * 1000ULL + micro;
    return 0;
}

remoteNodeCache *
remoteNodeCacheNew(void)
{
    remoteNodeCache *cache = g_new0(remoteNodeCache, 1);

    g_mutex_init(&cache->lock);
    return cache;
}

void
remoteNodeCacheFree(remoteNodeCache *cache)
{
    if (!cache)
        return;
    g_mutex_clear(&cache->lock);
    g_free(cache);
}

static int
remoteNodeProbeQEMUVersion(unsigned long long *version)
{
    struct utsname uts;
    g_autofree char *binary = NULL;
    g_autofree char *path = NULL;
    g_autofree char *out = NULL;
    g_autoptr(GError) err = NULL;
    const char *argv[] = { NULL, "--version", NULL };
    int status = 0;

    uname(&uts);
    binary = g_strdup_printf("qemu-system-%s", uts.machine);
    if (!(path = g_find_program_in_path(binary))) {
        virReportError(VIR_ERR_INTERNAL_ERROR, _("Cannot find QEMU binary %1$s"),
                       binary);
        return -1;
    }
    argv[0] = path;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, &out, NULL, &status, &err) ||
        remoteNodeParseQEMUVersion(out, version) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("Cannot determine the version of %1$s"), path);
        return -1;
    }
    return 0;
}

int
remoteNodeGetQEMUVersion(remoteNodeCache *cache, unsigned long long *version)
{
    int ret = 0;

    g_mutex_lock(&cache->lock);
    if (!cache->haveVersion) {
        if ((ret = remoteNodeProbeQEMUVersion(&cache->qemuVersion)) == 0)
            cache->haveVersion = true;
    }
    *version = cache->qemuVersion;
    g_mutex_unlock(&cache->lock);
    return ret;
}
