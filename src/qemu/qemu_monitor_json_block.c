/*
 * qemu_monitor_json_block.c: QMP block jobs and the NBD server, the
 * tools of storage migration
 *
 * The destination QEMU serves the guest's disks with its NBD server
 * (nbd-server-start, block-export-add); the source QEMU opens them as
 * NBD client nodes (blockdev-add) and mirrors its disks into them
 * (blockdev-mirror), completing the mirrors at the switch-over
 * (block-job-cancel of a job in "ready" state, job-dismiss) while QEMU
 * waits in "pre-switchover" (migrate-continue).  Names and types are
 * QEMU 7.2's (qapi/block-core.json, block-export.json, job.json).
 */
#include "qemu_monitor_json.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

void
qemuMonitorJobInfoFree(qemuMonitorJobInfo *info)
{
    if (!info)
        return;
    g_free(info->id);
    g_free(info->type);
    g_free(info->error);
    g_free(info);
}

/* {"type": "inet", "host": H, "port": "P"}: an InetSocketAddress as
 * SocketAddress (flat union); @wrapped gives the legacy
 * SocketAddressLegacy layout ({"type": "inet", "data": {...}}) that
 * nbd-server-start takes. */
static json_object *
qemuMonitorJSONInetAddress(const char *host, unsigned int port, bool wrapped)
{
    json_object *addr = json_object_new_object();
    json_object *inet = wrapped ? json_object_new_object() : addr;
    g_autofree char *portstr = g_strdup_printf("%u", port);

    json_object_object_add(addr, "type", json_object_new_string("inet"));
    json_object_object_add(inet, "host", json_object_new_string(host));
    json_object_object_add(inet, "port", json_object_new_string(portstr));
    if (wrapped)
        json_object_object_add(addr, "data", inet);
    return addr;
}

int
qemuMonitorJSONNBDServerStart(qemuMonitor *mon, const char *host,
                              unsigned int port, const char *tlsCreds)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "addr", qemuMonitorJSONInetAddress(host, port, true));
    if (tlsCreds)
        json_object_object_add(args, "tls-creds", json_object_new_string(tlsCreds));
    return qemuMonitorJSONSimpleCommand(mon, "nbd-server-start", args);
}

int
qemuMonitorJSONNBDServerStop(qemuMonitor *mon)
{
    return qemuMonitorJSONSimpleCommand(mon, "nbd-server-stop", NULL);
}

int
qemuMonitorJSONBlockExportAddNBD(qemuMonitor *mon, const char *nodeName,
                                 const char *name, bool writable)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "type", json_object_new_string("nbd"));
    json_object_object_add(args, "id", json_object_new_string(name));
    json_object_object_add(args, "node-name", json_object_new_string(nodeName));
    json_object_object_add(args, "name", json_object_new_string(name));
    json_object_object_add(args, "writable", json_object_new_boolean(writable));
    return qemuMonitorJSONSimpleCommand(mon, "block-export-add", args);
}

int
qemuMonitorJSONBlockdevAddNBD(qemuMonitor *mon, const char *nodeName,
                              const char *host, unsigned int port,
                              const char *exportName, const char *tlsCreds)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "driver", json_object_new_string("nbd"));
    json_object_object_add(args, "node-name", json_object_new_string(nodeName));
    json_object_object_add(args, "server", qemuMonitorJSONInetAddress(host, port, false));
    json_object_object_add(args, "export", json_object_new_string(exportName));
    if (tlsCreds)
        json_object_object_add(args, "tls-creds", json_object_new_string(tlsCreds));
    return qemuMonitorJSONSimpleCommand(mon, "blockdev-add", args);
}

/* @name with the one argument @key: @value. */
static int
qemuMonitorJSONStringArgCommand(qemuMonitor *mon, const char *name,
                                const char *key, const char *value)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, key, json_object_new_string(value));
    return qemuMonitorJSONSimpleCommand(mon, name, args);
}

int
qemuMonitorJSONBlockdevDel(qemuMonitor *mon, const char *nodeName)
{
    return qemuMonitorJSONStringArgCommand(mon, "blockdev-del", "node-name", nodeName);
}

int
qemuMonitorJSONBlockdevMirror(qemuMonitor *mon, const char *jobId,
                              const char *device, const char *target,
                              bool top, bool syncWrites, unsigned long long speed)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "job-id", json_object_new_string(jobId));
    json_object_object_add(args, "device", json_object_new_string(device));
    json_object_object_add(args, "target", json_object_new_string(target));
    json_object_object_add(args, "sync", json_object_new_string(top ? "top" : "full"));
    if (syncWrites)
        json_object_object_add(args, "copy-mode",
                               json_object_new_string("write-blocking"));
    if (speed)
        json_object_object_add(args, "speed", json_object_new_uint64(speed));
    /* the job stays until job-dismiss, so its end is always seen */
    json_object_object_add(args, "auto-dismiss", json_object_new_boolean(false));
    return qemuMonitorJSONSimpleCommand(mon, "blockdev-mirror", args);
}

int
qemuMonitorJSONBlockJobCancel(qemuMonitor *mon, const char *jobId, bool force)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "device", json_object_new_string(jobId));
    if (force)
        json_object_object_add(args, "force", json_object_new_boolean(true));
    return qemuMonitorJSONSimpleCommand(mon, "block-job-cancel", args);
}

int
qemuMonitorJSONJobDismiss(qemuMonitor *mon, const char *jobId)
{
    return qemuMonitorJSONStringArgCommand(mon, "job-dismiss", "id", jobId);
}

int
qemuMonitorJSONMigrateContinue(qemuMonitor *mon, qemuMonitorMigrationStatus state)
{
    return qemuMonitorJSONStringArgCommand(mon, "migrate-continue", "state",
                                           qemuMonitorMigrationStatusTypeToString(state));
}

static qemuMonitorJobInfo *
qemuMonitorJSONParseJobInfo(json_object *entry)
{
    g_autoptr(qemuMonitorJobInfo) info = g_new0(qemuMonitorJobInfo, 1);
    const char *id = qemuMonitorJSONGetString(entry, "id");
    const char *status = qemuMonitorJSONGetString(entry, "status");
    json_object *val;

    if (!id || !status) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("query-jobs reply entry lacks 'id' or 'status'"));
        return NULL;
    }
    info->id = g_strdup(id);
    info->type = g_strdup(qemuMonitorJSONGetString(entry, "type"));
    info->status = qemuMonitorJobStatusParse(status);
    info->error = g_strdup(qemuMonitorJSONGetString(entry, "error"));
    if (json_object_object_get_ex(entry, "current-progress", &val))
        info->progressCurrent = json_object_get_uint64(val);
    if (json_object_object_get_ex(entry, "total-progress", &val))
        info->progressTotal = json_object_get_uint64(val);
    return g_steal_pointer(&info);
}

GPtrArray *
qemuMonitorJSONGetJobs(qemuMonitor *mon)
{
    g_autoptr(json_object) reply = NULL;
    g_autoptr(GPtrArray) jobs = NULL;
    json_object *ret;
    size_t i;

    if (!(ret = qemuMonitorJSONQuery(mon, "query-jobs", json_type_array, &reply)))
        return NULL;
    jobs = g_ptr_array_new_with_free_func((GDestroyNotify)qemuMonitorJobInfoFree);
    for (i = 0; i < json_object_array_length(ret); i++) {
        qemuMonitorJobInfo *info = qemuMonitorJSONParseJobInfo(json_object_array_get_idx(ret, i));

        if (!info)
            return NULL;
        g_ptr_array_add(jobs, info);
    }
    return g_steal_pointer(&jobs);
}

GHashTable *
qemuMonitorJSONGetBlockNodeSizes(qemuMonitor *mon)
{
    g_autoptr(json_object) cmd = NULL;
    g_autoptr(json_object) reply = NULL;
    g_autoptr(GHashTable) sizes = NULL;
    json_object *args = json_object_new_object();
    json_object *ret;
    size_t i;

    json_object_object_add(args, "flat", json_object_new_boolean(true));
    cmd = qemuMonitorJSONMakeCommand("query-named-block-nodes", args);
    if (qemuMonitorSendCommand(mon, cmd, &reply) < 0 ||
        !(ret = qemuMonitorJSONGetReturn(cmd, reply, json_type_array)))
        return NULL;
    sizes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (i = 0; i < json_object_array_length(ret); i++) {
        json_object *node = json_object_array_get_idx(ret, i);
        const char *name = qemuMonitorJSONGetString(node, "node-name");
        json_object *image = NULL;
        json_object *size = NULL;
        unsigned long long *val;

        if (!name || !json_object_object_get_ex(node, "image", &image) ||
            !json_object_object_get_ex(image, "virtual-size", &size))
            continue;
        val = g_new(unsigned long long, 1);
        *val = json_object_get_uint64(size);
        g_hash_table_insert(sizes, g_strdup(name), val);
    }
    return g_steal_pointer(&sizes);
}

