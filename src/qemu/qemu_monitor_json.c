/*
 * qemu_monitor_json.c: generic QMP command helpers and VM-state commands
 *
 * Migration commands live in qemu_monitor_json_migration.c.
 */
#include <string.h>

#include "qemu_monitor_json.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_monitor_json");

VIR_ENUM_IMPL(qemuMonitorVMStatus,
              QEMU_MONITOR_VM_STATUS_LAST,
              "debug",
              "inmigrate",
              "internal-error",
              "io-error",
              "paused",
              "postmigrate",
              "prelaunch",
              "finish-migrate",
              "restore-vm",
              "running",
              "save-vm",
              "shutdown",
              "suspended",
              "watchdog",
              "guest-panicked",
              "colo",
              "unknown");


json_object *
qemuMonitorJSONMakeCommand(const char *name, json_object *args)
{
    json_object *cmd = json_object_new_object();

    json_object_object_add(cmd, "execute", json_object_new_string(name));
    if (args)
        json_object_object_add(cmd, "arguments", args);
    return cmd;
}


const char *
qemuMonitorJSONGetString(json_object *obj, const char *key)
{
    json_object *val;

    if (!obj || !json_object_object_get_ex(obj, key, &val) ||
        !json_object_is_type(val, json_type_string))
        return NULL;
    return json_object_get_string(val);
}


static const char *
qemuMonitorJSONCommandName(json_object *cmd)
{
    const char *name = qemuMonitorJSONGetString(cmd, "execute");

    return name ? name : "<unknown>";
}


bool
qemuMonitorJSONHasErrorClass(json_object *reply, const char *klass)
{
    json_object *error;

    if (!json_object_object_get_ex(reply, "error", &error))
        return false;
    return g_strcmp0(qemuMonitorJSONGetString(error, "class"), klass) == 0;
}


int
qemuMonitorJSONCheckError(json_object *cmd, json_object *reply)
{
    const char *name = qemuMonitorJSONCommandName(cmd);
    json_object *error;
    const char *desc;
    int code = VIR_ERR_INTERNAL_ERROR;

    if (json_object_object_get_ex(reply, "return", NULL))
        return 0;

    VIR_DEBUG("unable to execute QEMU command %s: %s",
              json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN),
              json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN));
    if (!json_object_object_get_ex(reply, "error", &error) ||
        !json_object_is_type(error, json_type_object)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("unable to execute QEMU command '%1$s'"), name);
        return -1;
    }
    if (qemuMonitorJSONHasErrorClass(reply, "CommandNotFound"))
        code = VIR_ERR_OPERATION_UNSUPPORTED;
    if (!(desc = qemuMonitorJSONGetString(error, "desc")))
        desc = _("unknown QEMU command error");
    virReportError(code, _("unable to execute QEMU command '%1$s': %2$s"),
                   name, desc);
    return -1;
}


json_object *
qemuMonitorJSONGetReturn(json_object *cmd, json_object *reply, json_type type)
{
    json_object *ret;

    if (qemuMonitorJSONCheckError(cmd, reply) < 0)
        return NULL;
    json_object_object_get_ex(reply, "return", &ret);
    if (!json_object_is_type(ret, type)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("unexpected type returned by QEMU command '%1$s'"),
                       qemuMonitorJSONCommandName(cmd));
        return NULL;
    }
    return ret;
}


json_object *
qemuMonitorJSONQuery(qemuMonitor *mon, const char *name, json_type type,
                     json_object **reply)
{
    g_autoptr(json_object) cmd = qemuMonitorJSONMakeCommand(name, NULL);

    if (qemuMonitorSendCommand(mon, cmd, reply) < 0)
        return NULL;
    return qemuMonitorJSONGetReturn(cmd, *reply, type);
}


int
qemuMonitorJSONCommand(qemuMonitor *mon, json_object *cmd,
                       json_object **reply)
{
    g_autoptr(json_object) rep = NULL;

    if (qemuMonitorSendCommand(mon, cmd, &rep) < 0 ||
        qemuMonitorJSONCheckError(cmd, rep) < 0)
        return -1;
    if (reply)
        *reply = g_steal_pointer(&rep);
    return 0;
}


int
qemuMonitorJSONSimpleCommand(qemuMonitor *mon, const char *name,
                             json_object *args)
{
    g_autoptr(json_object) cmd = qemuMonitorJSONMakeCommand(name, args);

    return qemuMonitorJSONCommand(mon, cmd, NULL);
}


/* The one JSON value @str holds (nothing but white space after it), or
 * NULL with libvirt's error. */
static json_object *
qemuMonitorJSONParseStrict(const char *str)
{
    json_tokener *tok = json_tokener_new();
    /* the NUL included: it ends a number at the end */
    json_object *obj = json_tokener_parse_ex(tok, str, strlen(str) + 1);
    enum json_tokener_error err = json_tokener_get_error(tok);
    const char *rest = str + json_tokener_get_parse_end(tok);
    const char *why = NULL;

    if (!obj)
        why = json_tokener_error_desc(err == json_tokener_continue ?
                                      json_tokener_error_parse_eof : err);
    while (obj && g_ascii_isspace(*rest))
        rest++;
    if (obj && *rest)
        why = _("trailing garbage");
    json_tokener_free(tok);
    if (why) {
        virReportError(VIR_ERR_INTERNAL_ERROR, _("cannot parse json %1$s: %2$s"),
                       str, why);
        g_clear_pointer(&obj, json_object_put);
    }
    return obj;
}


int
qemuMonitorJSONArbitraryCommand(qemuMonitor *mon, const char *cmdstr,
                                char **reply)
{
    g_autoptr(json_object) cmd = NULL;
    g_autoptr(json_object) rep = NULL;

    if (!(cmd = qemuMonitorJSONParseStrict(cmdstr)))
        return -1;
    if (qemuMonitorSendCommand(mon, cmd, &rep) < 0)
        return -1;
    *reply = g_strdup(json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE));
    return 0;
}


int
qemuMonitorJSONHumanCommand(qemuMonitor *mon, const char *cmdline,
                            char **output)
{
    g_autoptr(json_object) cmd = NULL;
    g_autoptr(json_object) rep = NULL;
    json_object *args = json_object_new_object();
    json_object *ret;

    json_object_object_add(args, "command-line", json_object_new_string(cmdline));
    cmd = qemuMonitorJSONMakeCommand("human-monitor-command", args);
    if (qemuMonitorSendCommand(mon, cmd, &rep) < 0)
        return -1;
    if (qemuMonitorJSONHasErrorClass(rep, "CommandNotFound")) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("Human monitor command is not available to run %1$s"),
                       cmdline);
        return -1;
    }
    if (qemuMonitorJSONCheckError(cmd, rep) < 0)
        return -1;
    json_object_object_get_ex(rep, "return", &ret);
    if (!json_object_is_type(ret, json_type_string)) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("human monitor command was missing return data"));
        return -1;
    }
    *output = g_strdup(json_object_get_string(ret));
    return 0;
}


/* ---- query-status ---- */

int
qemuMonitorJSONParseStatus(json_object *ret, bool *running,
                           qemuMonitorVMStatus *status)
{
    json_object *val;
    const char *str;
    int value;

    if (!json_object_object_get_ex(ret, "running", &val) ||
        !json_object_is_type(val, json_type_boolean)) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("query-status reply was missing running state"));
        return -1;
    }
    *running = json_object_get_boolean(val);

    str = qemuMonitorJSONGetString(ret, "status");
    value = qemuMonitorVMStatusTypeFromString(str);
    if (value < 0 || value == QEMU_MONITOR_VM_STATUS_UNKNOWN) {
        VIR_WARN("unknown QEMU run state '%s'", str ? str : "(missing)");
        value = QEMU_MONITOR_VM_STATUS_UNKNOWN;
    }
    if (status)
        *status = value;
    return 0;
}


int
qemuMonitorJSONGetStatus(qemuMonitor *mon, bool *running,
                         qemuMonitorVMStatus *status)
{
    g_autoptr(json_object) cmd = qemuMonitorJSONMakeCommand("query-status",
                                                            NULL);
    g_autoptr(json_object) reply = NULL;
    json_object *ret;

    if (qemuMonitorSendCommand(mon, cmd, &reply) < 0 ||
        !(ret = qemuMonitorJSONGetReturn(cmd, reply, json_type_object)))
        return -1;
    return qemuMonitorJSONParseStatus(ret, running, status);
}


/* ---- simple VM-state commands ---- */

int
qemuMonitorJSONStartCPUs(qemuMonitor *mon)
{
    return qemuMonitorJSONSimpleCommand(mon, "cont", NULL);
}


int
qemuMonitorJSONStopCPUs(qemuMonitor *mon)
{
    return qemuMonitorJSONSimpleCommand(mon, "stop", NULL);
}


int
qemuMonitorJSONSystemPowerdown(qemuMonitor *mon)
{
    return qemuMonitorJSONSimpleCommand(mon, "system_powerdown", NULL);
}


int
qemuMonitorJSONSystemReset(qemuMonitor *mon)
{
    return qemuMonitorJSONSimpleCommand(mon, "system_reset", NULL);
}


int
qemuMonitorJSONQuit(qemuMonitor *mon)
{
    if (qemuMonitorJSONSimpleCommand(mon, "quit", NULL) == 0)
        return 0;
    /* QEMU may exit before its reply gets out: that is success too. */
    if (qemuMonitorIsEOF(mon)) {
        VIR_DEBUG("QEMU closed the monitor on quit");
        virResetLastError();
        return 0;
    }
    return -1;
}


static int
qemuMonitorJSONSaveMemory(qemuMonitor *mon, const char *name,
                          unsigned long long offset,
                          unsigned long long length, const char *path)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "val", json_object_new_uint64(offset));
    json_object_object_add(args, "size", json_object_new_uint64(length));
    json_object_object_add(args, "filename", json_object_new_string(path));
    return qemuMonitorJSONSimpleCommand(mon, name, args);
}


int
qemuMonitorJSONSavePhysicalMemory(qemuMonitor *mon, unsigned long long offset,
                                  unsigned long long length, const char *path)
{
    return qemuMonitorJSONSaveMemory(mon, "pmemsave", offset, length, path);
}


int
qemuMonitorJSONSaveVirtualMemory(qemuMonitor *mon, unsigned long long offset,
                                 unsigned long long length, const char *path)
{
    return qemuMonitorJSONSaveMemory(mon, "memsave", offset, length, path);
}


/* ---- QOM objects ---- */

int
qemuMonitorJSONAddTLSCredsX509(qemuMonitor *mon, const char *id,
                               const char *dir, bool listen, bool verifyPeer)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "qom-type", json_object_new_string("tls-creds-x509"));
    json_object_object_add(args, "id", json_object_new_string(id));
    json_object_object_add(args, "dir", json_object_new_string(dir));
    json_object_object_add(args, "endpoint",
                           json_object_new_string(listen ? "server" : "client"));
    json_object_object_add(args, "verify-peer", json_object_new_boolean(verifyPeer));
    return qemuMonitorJSONSimpleCommand(mon, "object-add", args);
}


int
qemuMonitorJSONDelObject(qemuMonitor *mon, const char *id, bool reportError)
{
    json_object *args = json_object_new_object();
    g_autoptr(json_object) cmd = NULL;
    g_autoptr(json_object) reply = NULL;

    json_object_object_add(args, "id", json_object_new_string(id));
    cmd = qemuMonitorJSONMakeCommand("object-del", args);
    if (qemuMonitorSendCommand(mon, cmd, &reply) < 0)
        return -1;
    if (!reportError && !json_object_object_get_ex(reply, "return", NULL)) {
        VIR_DEBUG("object-del %s: %s", id,
                  json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN));
        return -1;
    }
    return qemuMonitorJSONCheckError(cmd, reply);
}


/* ---- display passwords ---- */

int
qemuMonitorJSONSetGraphicsPassword(qemuMonitor *mon, const char *protocol,
                                   const char *password, bool expires,
                                   long long validTo, long long now)
{
    json_object *args = json_object_new_object();
    g_autofree char *time = NULL;

    json_object_object_add(args, "protocol", json_object_new_string(protocol));
    json_object_object_add(args, "password", json_object_new_string(password));
    json_object_object_add(args, "connected", json_object_new_string("keep"));
    if (qemuMonitorJSONSimpleCommand(mon, "set_password", args) < 0)
        return -1;

    if (!*password || (expires && validTo <= now))
        time = g_strdup("now");
    else if (expires)
        time = g_strdup_printf("%lld", validTo);
    else
        time = g_strdup("never");
    args = json_object_new_object();
    json_object_object_add(args, "protocol", json_object_new_string(protocol));
    json_object_object_add(args, "time", json_object_new_string(time));
    return qemuMonitorJSONSimpleCommand(mon, "expire_password", args);
}


/* ---- query-vnc, query-chardev ---- */

int
qemuMonitorJSONGetVNCPort(qemuMonitor *mon, int *port)
{
    g_autoptr(json_object) reply = NULL;
    json_object *ret;
    json_object *enabled = NULL;
    const char *service;
    guint64 val;

    *port = 0;
    if (!(ret = qemuMonitorJSONQuery(mon, "query-vnc", json_type_object, &reply)))
        return -1;
    if (!json_object_object_get_ex(ret, "enabled", &enabled) ||
        !json_object_get_boolean(enabled))
        return 0;
    if (!(service = qemuMonitorJSONGetString(ret, "service")) ||
        !g_ascii_string_to_unsigned(service, 10, 1, 65535, &val, NULL)) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("query-vnc reply has no valid 'service'"));
        return -1;
    }
    *port = val;
    return 0;
}


GHashTable *
qemuMonitorJSONGetPtyPaths(qemuMonitor *mon)
{
    g_autoptr(json_object) reply = NULL;
    g_autoptr(GHashTable) paths = NULL;
    json_object *ret;
    size_t i;

    if (!(ret = qemuMonitorJSONQuery(mon, "query-chardev", json_type_array, &reply)))
        return NULL;
    paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (i = 0; i < json_object_array_length(ret); i++) {
        json_object *entry = json_object_array_get_idx(ret, i);
        const char *label = qemuMonitorJSONGetString(entry, "label");
        const char *filename = qemuMonitorJSONGetString(entry, "filename");

        if (label && filename && g_str_has_prefix(filename, "pty:"))
            g_hash_table_insert(paths, g_strdup(label), g_strdup(filename + 4));
    }
    return g_steal_pointer(&paths);
}


/* ---- query-cpus-fast ---- */

void
qemuMonitorCPUInfoFree(qemuMonitorCPUInfo *cpus, size_t ncpus)
{
    size_t i;

    if (!cpus)
        return;
    for (i = 0; i < ncpus; i++)
        g_free(cpus[i].qomPath);
    g_free(cpus);
}


static int
qemuMonitorJSONParseCPUEntry(json_object *entry, qemuMonitorCPUInfo *cpu)
{
    json_object *index;
    json_object *thread;
    const char *path = qemuMonitorJSONGetString(entry, "qom-path");

    if (!json_object_object_get_ex(entry, "cpu-index", &index) ||
        !json_object_is_type(index, json_type_int) ||
        !json_object_object_get_ex(entry, "thread-id", &thread) ||
        !json_object_is_type(thread, json_type_int) || !path) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("malformed query-cpus-fast reply"));
        return -1;
    }
    cpu->cpuIndex = json_object_get_int(index);
    cpu->threadId = json_object_get_int(thread);
    cpu->qomPath = g_strdup(path);
    return 0;
}


int
qemuMonitorJSONParseCPUInfoFast(json_object *ret, qemuMonitorCPUInfo **cpus,
                                size_t *ncpus)
{
    size_t n = json_object_array_length(ret);
    qemuMonitorCPUInfo *list = g_new0(qemuMonitorCPUInfo, n);
    size_t i;

    for (i = 0; i < n; i++) {
        if (qemuMonitorJSONParseCPUEntry(json_object_array_get_idx(ret, i),
                                         &list[i]) < 0) {
            qemuMonitorCPUInfoFree(list, n);
            return -1;
        }
    }
    *cpus = list;
    *ncpus = n;
    return 0;
}


int
qemuMonitorJSONGetCPUInfoFast(qemuMonitor *mon, qemuMonitorCPUInfo **cpus,
                              size_t *ncpus)
{
    g_autoptr(json_object) cmd = qemuMonitorJSONMakeCommand("query-cpus-fast",
                                                            NULL);
    g_autoptr(json_object) reply = NULL;
    json_object *ret;

    if (qemuMonitorSendCommand(mon, cmd, &reply) < 0 ||
        !(ret = qemuMonitorJSONGetReturn(cmd, reply, json_type_array)))
        return -1;
    return qemuMonitorJSONParseCPUInfoFast(ret, cpus, ncpus);
}
