/*
 * qemu_domain.c: per-domain data, status and config files, monitor entry
 */
#include <stdio.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "qemu_domain.h"
#include "qemu_migration_job.h"
#include "qemu_migration_params.h"
#include "qemu_monitor.h"
#include "domain_conf.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_domain");

#define QEMU_STATUS_MAX_SIZE (16 * 1024 * 1024)

static void
qemuDomainObjPrivateFree(gpointer data)
{
    qemuDomainObjPrivate *priv = data;

    if (!priv)
        return;
    qemuMonitorClose(g_steal_pointer(&priv->mon));
    g_free(priv->monitorPath);
    qemuDomainJobObjClear(&priv->job);
    qemuMigrationParamsFree(priv->migSaved);
    qemuMigrationStorageClear(&priv->storage);
    g_free(priv->vcpuThreads);
    g_free(priv);
}

void
qemuDomainObjInitPrivate(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = g_new0(qemuDomainObjPrivate, 1);

    priv->driver = driver;
    vm->privateData = priv;
    vm->privateDataFree = qemuDomainObjPrivateFree;
}

static char *
qemuDomainFormatStatus(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_autofree char *domxml = NULL;
    g_autoptr(GString) buf = g_string_new(NULL);
    g_auto(GStrv) lines = NULL;
    g_autofree char *monpath = NULL;
    size_t i;

    if (!(domxml = virDomainDefFormat(vm->def, VIR_DOMAIN_DEF_FORMAT_SECURE)))
        return NULL;
    monpath = g_markup_escape_text(priv->monitorPath ? priv->monitorPath : "", -1);
    g_string_append_printf(buf,
        "<domstatus state='%s' reason='%s' pid='%lld' id='%d' procstart='%llu' persistent='%s'%s>\n",
        virDomainStateTypeToString(vm->state),
        virDomainStateReasonToString(vm->state, vm->reason),
        (long long)vm->pid, vm->id, priv->procStart,
        vm->persistent ? "yes" : "no",
        priv->fakeReboot ? " fakereboot='yes'" : "");
    g_string_append_printf(buf, "  <monitor path='%s'/>\n", monpath);
    qemuDomainTaintFormat(priv->taint, buf);
    if (priv->job.asyncJob != VIR_ASYNC_JOB_NONE) {
        g_string_append_printf(buf, "  <job async='%s' phase='%s' flags='0x%x'/>\n",
                               virDomainAsyncJobTypeToString(priv->job.asyncJob),
                               qemuMigrationJobPhaseTypeToString(priv->job.phase),
                               priv->job.apiFlags);
    }
    lines = g_strsplit(domxml, "\n", -1);
    for (i = 0; lines[i]; i++) {
        if (*lines[i])
            g_string_append_printf(buf, "  %s\n", lines[i]);
    }
    g_string_append(buf, "</domstatus>\n");
    return g_string_free(g_steal_pointer(&buf), FALSE);
}

int
qemuDomainSaveStatus(qemuDriver *driver, virDomainObj *vm)
{
    g_autofree char *path = qemuDriverStatusFile(driver, vm->def->name);
    g_autofree char *xml = qemuDomainFormatStatus(vm);

    if (!xml)
        return -1;
    return virFileWriteAtomic(path, xml, strlen(xml), 0600);
}

void
qemuDomainSaveStatusOrWarn(qemuDriver *driver, virDomainObj *vm)
{
    if (qemuDomainSaveStatus(driver, vm) < 0)
        VIR_WARN("failed to save status of domain %s: %s", vm->def->name,
                 virGetLastErrorMessage());
}

void
qemuDomainRemoveStatus(qemuDriver *driver, virDomainObj *vm)
{
    g_autofree char *path = qemuDriverStatusFile(driver, vm->def->name);

    if (virFileRemove(path) < 0)
        VIR_WARN("%s", virGetLastErrorMessage());
}

static char *
qemuStatusProp(xmlNodePtr node, const char *name)
{
    xmlChar *val = xmlGetProp(node, (const xmlChar *)name);
    char *ret = g_strdup((const char *)val);

    xmlFree(val);
    return ret;
}

static xmlNodePtr
qemuStatusChild(xmlNodePtr node, const char *name)
{
    xmlNodePtr cur;

    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE &&
            xmlStrEqual(cur->name, (const xmlChar *)name))
            return cur;
    }
    return NULL;
}

static char *
qemuStatusNodeToString(xmlDocPtr doc, xmlNodePtr node)
{
    xmlBufferPtr xbuf = xmlBufferCreate();
    char *ret = NULL;

    if (xmlNodeDump(xbuf, doc, node, 0, 0) >= 0)
        ret = g_strdup((const char *)xmlBufferContent(xbuf));
    xmlBufferFree(xbuf);
    return ret;
}

/* The async job a status file records (only the job kind, phase and
 * flags: the threads and connections that drove it are gone). */
static int
qemuDomainParseStatusJob(virDomainObj *vm, xmlNodePtr node)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_autofree char *async = NULL;
    g_autofree char *phase = NULL;
    g_autofree char *flags = NULL;
    int asyncJob, ph;

    if (!node)
        return 0;
    async = qemuStatusProp(node, "async");
    phase = qemuStatusProp(node, "phase");
    flags = qemuStatusProp(node, "flags");
    if ((asyncJob = virDomainAsyncJobTypeFromString(async)) < 0 ||
        (ph = qemuMigrationJobPhaseTypeFromString(phase)) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("malformed domain status: job '%1$s' phase '%2$s'"),
                       NULLSTR(async), NULLSTR(phase));
        return -1;
    }
    qemuDomainObjRestoreAsyncJob(&priv->job, asyncJob, ph,
                                 flags ? g_ascii_strtoull(flags, NULL, 16) : 0);
    return 0;
}

static int
qemuDomainParseStatusAttrs(virDomainObj *vm, xmlNodePtr root)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    g_autofree char *state = qemuStatusProp(root, "state");
    g_autofree char *reason = qemuStatusProp(root, "reason");
    g_autofree char *pid = qemuStatusProp(root, "pid");
    g_autofree char *id = qemuStatusProp(root, "id");
    g_autofree char *procstart = qemuStatusProp(root, "procstart");
    g_autofree char *persistent = qemuStatusProp(root, "persistent");
    g_autofree char *fakereboot = qemuStatusProp(root, "fakereboot");
    xmlNodePtr mon = qemuStatusChild(root, "monitor");
    xmlNodePtr cur;
    int st;

    if ((st = virDomainStateTypeFromString(state)) < 0 || !pid || !id) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("malformed domain status: missing state, pid or id"));
        return -1;
    }
    vm->state = st;
    vm->reason = MAX(0, virDomainStateReasonFromString(st, reason));
    vm->pid = g_ascii_strtoll(pid, NULL, 10);
    vm->id = g_ascii_strtoll(id, NULL, 10);
    priv->procStart = procstart ? g_ascii_strtoull(procstart, NULL, 10) : 0;
    vm->persistent = g_strcmp0(persistent, "yes") == 0;
    priv->fakeReboot = g_strcmp0(fakereboot, "yes") == 0;
    if (mon)
        priv->monitorPath = qemuStatusProp(mon, "path");
    for (cur = root->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE &&
            xmlStrEqual(cur->name, (const xmlChar *)"taint")) {
            g_autofree char *flag = qemuStatusProp(cur, "flag");

            priv->taint |= qemuDomainTaintParse(flag);
        }
    }
    if (qemuDomainParseStatusJob(vm, qemuStatusChild(root, "job")) < 0)
        return -1;
    if (vm->pid <= 0 || vm->id <= 0 || !priv->monitorPath) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("malformed domain status: bad pid, id or monitor"));
        return -1;
    }
    return 0;
}

virDomainObj *
qemuDomainLoadStatus(qemuDriver *driver, const char *path)
{
    g_autofree char *data = NULL;
    g_autofree char *domxml = NULL;
    g_autoptr(virDomainObj) vm = NULL;
    virDomainDef *def;
    xmlDocPtr doc = NULL;
    xmlNodePtr root, domnode;

    if (virFileReadAll(path, QEMU_STATUS_MAX_SIZE, &data) < 0)
        return NULL;
    doc = xmlReadMemory(data, strlen(data), path, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc || !(root = xmlDocGetRootElement(doc)) ||
        !xmlStrEqual(root->name, (const xmlChar *)"domstatus") ||
        !(domnode = qemuStatusChild(root, "domain")) ||
        !(domxml = qemuStatusNodeToString(doc, domnode))) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("malformed domain status file '%1$s'"), path);
        goto error;
    }
    if (!(def = virDomainDefParseString(domxml, VIR_DOMAIN_DEF_PARSE_STATUS)))
        goto error;
    vm = virDomainObjNew(def);
    qemuDomainObjInitPrivate(driver, vm);
    if (qemuDomainParseStatusAttrs(vm, root) < 0)
        goto error;
    xmlFreeDoc(doc);
    return g_steal_pointer(&vm);

 error:
    xmlFreeDoc(doc);
    return NULL;
}

/* "pc-i440fx-7.2", "pc-q35-7.2", "pc-1.0": a versioned type, no alias;
 * such names need no probe of the binary. */
static bool
qemuDomainMachineIsVersioned(const char *machine)
{
    const char *dash = machine ? strrchr(machine, '-') : NULL;
    unsigned int major, minor;
    int end = 0;

    return dash && sscanf(dash + 1, "%u.%u%n", &major, &minor, &end) == 2 &&
           dash[1 + end] == '\0';
}

virDomainDef *
qemuDomainDefParseString(qemuDriver *driver, const char *xml,
                         unsigned int flags)
{
    g_autoptr(virDomainDef) def = virDomainDefParseString(xml, flags);
    char *machine;

    if (!def)
        return NULL;
    if (qemuDomainMachineIsVersioned(def->os.machine))
        return g_steal_pointer(&def);
    if ((machine = qemuCapsGetCanonicalMachine(driver->caps, def->os.machine))) {
        g_free(def->os.machine);
        def->os.machine = machine;
    } else if (virGetLastErrorCode() != VIR_ERR_OK) {
        /* no binary to ask: QEMU will resolve the alias itself */
        VIR_WARN("cannot resolve machine type '%s': %s",
                 NULLSTR(def->os.machine), virGetLastErrorMessage());
        virResetLastError();
    }
    return g_steal_pointer(&def);
}

int
qemuDomainSaveConfig(qemuDriver *driver, const virDomainDef *def)
{
    g_autofree char *path = qemuDriverConfigFile(driver, def->name);
    g_autofree char *xml = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_INACTIVE);

    if (!xml)
        return -1;
    return virFileWriteAtomic(path, xml, strlen(xml), 0600);
}

int
qemuDomainDeleteConfig(qemuDriver *driver, const char *name)
{
    g_autofree char *path = qemuDriverConfigFile(driver, name);

    return virFileRemove(path);
}

qemuMonitor *
qemuDomainObjEnterMonitor(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuMonitor *mon = priv->mon ? qemuMonitorRef(priv->mon) : NULL;

    virDomainObjUnlock(vm);
    if (!mon)
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("domain is not running"));
    return mon;
}

void
qemuDomainObjExitMonitor(virDomainObj *vm, qemuMonitor *mon)
{
    if (mon)
        qemuMonitorUnref(mon);
    virDomainObjLock(vm);
}
