/*
 * qemu_domcaps.c: QEMU's offer per accelerator, domain capabilities and
 * CPU model names
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>

#include "qemu_domcaps.h"
#include "qemu_conf.h"
#include "qemu_monitor.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_domcaps");

/* QMP ids of the probe's commands */
#define QEMU_DOMCAPS_ID_MACHINES "machines"
#define QEMU_DOMCAPS_ID_CPUS "cpus"
#define QEMU_DOMCAPS_ID_EXPAND "expand:"   /* + the model's name */

static void
qemuCapsMachineInfoClear(gpointer data)
{
    qemuCapsMachineInfo *m = data;

    g_free(m->name);
    g_free(m->alias);
}

static void
qemuCapsCPUModelInfoClear(gpointer data)
{
    g_free(((qemuCapsCPUModelInfo *)data)->name);
}

qemuCapsAccel *
qemuCapsAccelNew(void)
{
    qemuCapsAccel *accel = g_new0(qemuCapsAccel, 1);

    accel->machines = g_array_new(FALSE, TRUE, sizeof(qemuCapsMachineInfo));
    g_array_set_clear_func(accel->machines, qemuCapsMachineInfoClear);
    accel->cpuModels = g_array_new(FALSE, TRUE, sizeof(qemuCapsCPUModelInfo));
    g_array_set_clear_func(accel->cpuModels, qemuCapsCPUModelInfoClear);
    return accel;
}

void
qemuCapsAccelFree(qemuCapsAccel *accel)
{
    if (!accel)
        return;
    g_array_unref(accel->machines);
    g_array_unref(accel->cpuModels);
    g_free(accel);
}

/* ---- parsing QMP replies ---- */

static const char *
qemuDomCapsJSONString(json_object *obj, const char *key)
{
    json_object *val = NULL;

    if (!json_object_object_get_ex(obj, key, &val) ||
        !json_object_is_type(val, json_type_string))
        return NULL;
    return json_object_get_string(val);
}

static bool
qemuDomCapsJSONBool(json_object *obj, const char *key)
{
    json_object *val = NULL;

    return json_object_object_get_ex(obj, key, &val) &&
        json_object_is_type(val, json_type_boolean) &&
        json_object_get_boolean(val);
}

static void
qemuDomCapsParseMachines(qemuCapsAccel *accel, json_object *list)
{
    size_t i;

    for (i = 0; i < json_object_array_length(list); i++) {
        json_object *obj = json_object_array_get_idx(list, i);
        const char *name = qemuDomCapsJSONString(obj, "name");
        json_object *max = NULL;
        qemuCapsMachineInfo m = { 0 };

        /* "none" runs no guest: libvirt does not offer it either */
        if (!name || g_str_equal(name, "none"))
            continue;
        m.name = g_strdup(name);
        m.alias = g_strdup(qemuDomCapsJSONString(obj, "alias"));
        m.isDefault = qemuDomCapsJSONBool(obj, "is-default");
        if (json_object_object_get_ex(obj, "cpu-max", &max))
            m.maxCpus = json_object_get_int(max);
        g_array_append_val(accel->machines, m);
    }
}

/* Models a <cpu mode='custom'> names: not "host"/"max"/"base" (those
 * are host-passthrough / host-model / nothing) and not QEMU's versioned
 * names ("Skylake-Client-v2"): the unversioned ones alias them, and
 * libvirt lists only those. */
static bool
qemuDomCapsIsNamedModel(const char *name)
{
    const char *v = strrchr(name, '-');

    if (g_str_equal(name, "host") || g_str_equal(name, "max") ||
        g_str_equal(name, "base"))
        return false;
    if (v && v[1] == 'v' && v[2] && strspn(v + 2, "0123456789") == strlen(v + 2))
        return false;
    return true;
}

static void
qemuDomCapsParseCPUs(qemuCapsAccel *accel, json_object *list)
{
    size_t i;

    for (i = 0; i < json_object_array_length(list); i++) {
        json_object *obj = json_object_array_get_idx(list, i);
        const char *name = qemuDomCapsJSONString(obj, "name");
        json_object *unavail = NULL;
        qemuCapsCPUModelInfo m = { 0 };

        if (!name || !qemuDomCapsIsNamedModel(name))
            continue;
        m.name = g_strdup(name);
        m.usable = json_object_object_get_ex(obj, "unavailable-features", &unavail) &&
            json_object_is_type(unavail, json_type_array) &&
            json_object_array_length(unavail) == 0;
        g_array_append_val(accel->cpuModels, m);
    }
}

static void
qemuDomCapsParseExpansion(qemuCapsAccel *accel, const char *name,
                          json_object *ret)
{
    json_object *model = NULL;
    json_object *props = NULL;
    unsigned int n = 0;
    guint i;

    if (!json_object_object_get_ex(ret, "model", &model) ||
        !json_object_object_get_ex(model, "props", &props) ||
        !json_object_is_type(props, json_type_object))
        return;
    json_object_object_foreach(props, key, val) {
        (void)key;
        if (json_object_is_type(val, json_type_boolean) &&
            json_object_get_boolean(val))
            n++;
    }
    for (i = 0; i < accel->cpuModels->len; i++) {
        qemuCapsCPUModelInfo *m = &g_array_index(accel->cpuModels,
                                                 qemuCapsCPUModelInfo, i);

        if (g_str_equal(m->name, name))
            m->nfeatures = n;
    }
}

void
qemuCapsAccelParse(qemuCapsAccel *accel, const char *output)
{
    g_auto(GStrv) lines = g_strsplit(output, "\n", -1);
    size_t i;

    for (i = 0; lines[i]; i++) {
        g_autoptr(json_object) reply = NULL;
        json_object *ret = NULL;
        const char *id;

        if (!*lines[i] ||
            !(reply = json_tokener_parse(lines[i])) ||
            !(id = qemuDomCapsJSONString(reply, "id")) ||
            !json_object_object_get_ex(reply, "return", &ret))
            continue;
        if (g_str_equal(id, QEMU_DOMCAPS_ID_MACHINES) &&
            json_object_is_type(ret, json_type_array))
            qemuDomCapsParseMachines(accel, ret);
        else if (g_str_equal(id, QEMU_DOMCAPS_ID_CPUS) &&
                 json_object_is_type(ret, json_type_array))
            qemuDomCapsParseCPUs(accel, ret);
        else if (g_str_has_prefix(id, QEMU_DOMCAPS_ID_EXPAND))
            qemuDomCapsParseExpansion(accel, id + strlen(QEMU_DOMCAPS_ID_EXPAND),
                                      ret);
    }
}

const char *
qemuCapsAccelHostModel(const qemuCapsAccel *accel)
{
    const qemuCapsCPUModelInfo *best = NULL;
    guint i;

    for (i = 0; i < accel->cpuModels->len; i++) {
        const qemuCapsCPUModelInfo *m = &g_array_index(accel->cpuModels,
                                                       qemuCapsCPUModelInfo, i);

        if (m->usable && (!best || m->nfeatures > best->nfeatures))
            best = m;
    }
    return best ? best->name : NULL;
}

/* ---- probing ---- */

/* Runs @emulator on QMP with @commands (after qmp_capabilities, before
 * quit); returns what it wrote. */
static char *
qemuDomCapsRunQMP(const char *emulator, bool kvm, const char *commands)
{
    g_autofree char *machine = g_strdup_printf("none,accel=%s", kvm ? "kvm" : "tcg");
    const char *argv[] = {
        emulator, "-S", "-no-user-config", "-nodefaults", "-display", "none",
        "-machine", machine, "-qmp", "stdio", NULL
    };
    g_autofree char *input = g_strdup_printf("{\"execute\":\"qmp_capabilities\"}\n"
                                             "%s{\"execute\":\"quit\"}\n",
                                             commands);
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) gerr = NULL;
    g_autofree char *out = NULL;

    if (!(proc = g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                   G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                   G_SUBPROCESS_FLAGS_STDERR_SILENCE, &gerr)) ||
        !g_subprocess_communicate_utf8(proc, input, NULL, &out, NULL, &gerr) ||
        !g_subprocess_wait_check(proc, NULL, &gerr)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("cannot probe '%1$s' (accel=%2$s): %3$s"), emulator,
                       kvm ? "kvm" : "tcg", gerr->message);
        return NULL;
    }
    return g_steal_pointer(&out);
}

qemuCapsAccel *
qemuCapsAccelProbe(const char *emulator, bool kvm)
{
    g_autoptr(qemuCapsAccel) accel = qemuCapsAccelNew();
    g_autoptr(GString) expand = g_string_new(NULL);
    g_autofree char *out = NULL;
    g_autofree char *outExpand = NULL;
    guint i;

    if (!(out = qemuDomCapsRunQMP(emulator, kvm,
                                  "{\"execute\":\"query-machines\",\"id\":\""
                                  QEMU_DOMCAPS_ID_MACHINES "\"}\n"
                                  "{\"execute\":\"query-cpu-definitions\",\"id\":\""
                                  QEMU_DOMCAPS_ID_CPUS "\"}\n")))
        return NULL;
    qemuCapsAccelParse(accel, out);
    if (accel->machines->len == 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("'%1$s' (accel=%2$s) reported no machine types"),
                       emulator, kvm ? "kvm" : "tcg");
        return NULL;
    }

    /* the features of the usable models pick the host-model's name */
    for (i = 0; i < accel->cpuModels->len; i++) {
        const qemuCapsCPUModelInfo *m = &g_array_index(accel->cpuModels,
                                                       qemuCapsCPUModelInfo, i);

        if (m->usable)
            g_string_append_printf(expand,
                                   "{\"execute\":\"query-cpu-model-expansion\","
                                   "\"arguments\":{\"type\":\"full\",\"model\":"
                                   "{\"name\":\"%s\"}},\"id\":\"%s%s\"}\n",
                                   m->name, QEMU_DOMCAPS_ID_EXPAND, m->name);
    }
    if (expand->len > 0) {
        if (!(outExpand = qemuDomCapsRunQMP(emulator, kvm, expand->str)))
            return NULL;
        qemuCapsAccelParse(accel, outExpand);
    }
    VIR_DEBUG("probed %s accel=%s: %u machine types, %u CPU models",
              emulator, kvm ? "kvm" : "tcg", accel->machines->len,
              accel->cpuModels->len);
    return g_steal_pointer(&accel);
}

/* ---- domain capabilities ---- */

static const qemuCapsMachineInfo *
qemuDomCapsFindMachine(const qemuCapsAccel *accel, const char *name)
{
    guint i;

    for (i = 0; i < accel->machines->len; i++) {
        const qemuCapsMachineInfo *m = &g_array_index(accel->machines,
                                                      qemuCapsMachineInfo, i);

        if (name ? g_str_equal(m->name, name) || g_strcmp0(m->alias, name) == 0
                 : m->isDefault)
            return m;
    }
    return NULL;
}

virDomainCaps *
qemuDomCapsBuild(const qemuCapsAccel *accel, const char *emulator,
                 const char *arch, const char *machine,
                 virDomainVirtType virtType)
{
    const qemuCapsMachineInfo *m = qemuDomCapsFindMachine(accel, machine);
    g_autoptr(virDomainCaps) caps = NULL;
    guint i;

    if (!m && !machine)
        m = &g_array_index(accel->machines, qemuCapsMachineInfo, 0);
    if (!m) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("the machine '%1$s' is not supported by emulator '%2$s'"),
                       machine, emulator);
        return NULL;
    }
    caps = g_new0(virDomainCaps, 1);
    caps->path = g_strdup(emulator);
    caps->virtType = virtType;
    caps->machine = g_strdup(m->name);
    caps->arch = g_strdup(arch);
    caps->maxvcpus = m->maxCpus;
    /* the command line refuses host-passthrough without KVM */
    caps->hostPassthrough = virtType == VIR_DOMAIN_VIRT_KVM;
    caps->hostModel = g_strdup(qemuCapsAccelHostModel(accel));
    caps->nmodels = accel->cpuModels->len;
    caps->models = g_new0(virDomainCapsCPUModel, caps->nmodels);
    for (i = 0; i < accel->cpuModels->len; i++) {
        const qemuCapsCPUModelInfo *cpu = &g_array_index(accel->cpuModels,
                                                         qemuCapsCPUModelInfo, i);

        caps->models[i].name = g_strdup(cpu->name);
        caps->models[i].usable = cpu->usable;
    }
    return g_steal_pointer(&caps);
}

/* ---- driver API ---- */

/* The architecture of the driver's emulator: virtmig runs x86_64. */
#define QEMU_DOMCAPS_ARCH "x86_64"

/* libvirt's checks of the emulator argument: it must exist, and be the
 * binary virtmigd runs (virtmigd probes no other). */
static int
qemuDomCapsCheckEmulator(qemuDriver *driver, const char *emulatorbin)
{
    g_autofree char *real = NULL;
    g_autofree char *ours = NULL;

    if (access(emulatorbin, X_OK) < 0) {
        virReportSystemError(errno, _("Cannot check QEMU binary %1$s"),
                             emulatorbin);
        return -1;
    }
    real = realpath(emulatorbin, NULL);
    ours = realpath(qemuCapsGetEmulator(driver->caps), NULL);
    if (!real || !ours || !g_str_equal(real, ours)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("emulator '%1$s' is not supported, only '%2$s'"),
                       emulatorbin, qemuCapsGetEmulator(driver->caps));
        return -1;
    }
    return 0;
}

/* The arguments as libvirt's qemuConnectGetDomainCapabilities checks
 * them, in its order; fills *@virtType. */
static int
qemuDomCapsCheckArgs(qemuDriver *driver, const char *emulatorbin,
                     const char *arch, const char *virttype,
                     virDomainVirtType *virtType)
{
    int vt = -1;

    if (virttype && !virDomainCapsVirtTypeIsKnown(virttype)) {
        virReportError(VIR_ERR_INVALID_ARG, _("unknown virttype: %1$s"), virttype);
        return -1;
    }
    if (arch && !virDomainCapsArchIsKnown(arch)) {
        virReportError(VIR_ERR_INVALID_ARG, _("unknown architecture: %1$s"), arch);
        return -1;
    }
    if (emulatorbin) {
        if (qemuDomCapsCheckEmulator(driver, emulatorbin) < 0)
            return -1;
        if (arch && !g_str_equal(arch, QEMU_DOMCAPS_ARCH)) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("architecture from emulator '%1$s' doesn't match given architecture '%2$s'"),
                           QEMU_DOMCAPS_ARCH, arch);
            return -1;
        }
    } else if (arch && !g_str_equal(arch, QEMU_DOMCAPS_ARCH)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unable to find any emulator to serve '%1$s' architecture"),
                       arch);
        return -1;
    }
    /* "none" is libvirt's VIR_DOMAIN_VIRT_NONE: the default */
    if (virttype && !g_str_equal(virttype, "none"))
        vt = virDomainVirtTypeFromString(virttype);
    else
        vt = qemuCapsKVMUsable() ? VIR_DOMAIN_VIRT_KVM : VIR_DOMAIN_VIRT_QEMU;
    if (vt < 0 || (vt == VIR_DOMAIN_VIRT_KVM && !qemuCapsKVMUsable())) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("Emulator '%1$s' does not support virt type '%2$s'"),
                       qemuCapsGetEmulator(driver->caps), virttype);
        return -1;
    }
    *virtType = vt;
    return 0;
}

char *
qemuConnectGetDomainCapabilities(qemuDriver *driver, const char *emulatorbin,
                                 const char *arch, const char *machine,
                                 const char *virttype, unsigned int flags)
{
    virDomainVirtType virtType;
    const qemuCapsAccel *accel;
    g_autoptr(virDomainCaps) caps = NULL;

    if (!virCheckFlagsAs(VIR_FROM_QEMU, flags, 0, "qemuConnectGetDomainCapabilities"))
        return NULL;
    if (qemuDomCapsCheckArgs(driver, emulatorbin, arch, virttype, &virtType) < 0 ||
        !(accel = qemuCapsGetAccel(driver->caps, virtType == VIR_DOMAIN_VIRT_KVM)) ||
        !(caps = qemuDomCapsBuild(accel, qemuCapsGetEmulator(driver->caps),
                                  QEMU_DOMCAPS_ARCH, machine, virtType)))
        return NULL;
    return virDomainCapsFormat(caps);
}

int
qemuConnectGetCPUModelNames(qemuDriver *driver, const char *arch,
                            char ***models, unsigned int flags)
{
    const qemuCapsAccel *accel;
    guint i;

    if (!virCheckFlagsAs(VIR_FROM_QEMU, flags, 0, "qemuConnectGetCPUModelNames"))
        return -1;
    if (!virDomainCapsArchIsKnown(arch)) {
        virReportError(VIR_ERR_INVALID_ARG, _("cannot find architecture %1$s"),
                       arch);
        return -1;
    }
    if (!virDomainCapsArchHasCPUDriver(arch)) {
        virReportErrorFull(VIR_FROM_CPU, VIR_ERR_NO_SUPPORT, __FILE__, __func__,
                           __LINE__,
                           _("'%1$s' architecture is not supported by CPU driver"),
                           arch);
        return -1;
    }
    /* libvirt's CPU drivers other than x86 (and ppc64) list no models:
     * "all CPU models are accepted"; virtmigd runs none of them */
    if (!virDomainCapsArchIsX86(arch)) {
        if (models)
            *models = g_new0(char *, 1);
        return 0;
    }
    if (!(accel = qemuCapsGetAccel(driver->caps, qemuCapsKVMUsable())))
        return -1;
    if (models) {
        *models = g_new0(char *, accel->cpuModels->len + 1);
        for (i = 0; i < accel->cpuModels->len; i++)
            (*models)[i] = g_strdup(g_array_index(accel->cpuModels,
                                                  qemuCapsCPUModelInfo, i).name);
    }
    return accel->cpuModels->len;
}
