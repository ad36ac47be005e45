/*
 * qemu_capabilities.c: what the host's QEMU binary offers
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "qemu_capabilities.h"
#include "qemu_domcaps.h"
#include "virerror.h"
#include "virlog.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_capabilities");

typedef struct {
    char *name;
    char *canonical;   /* for aliases such as "pc" */
    bool isDefault;    /* QEMU's machine when none is asked for */
} qemuCapsMachine;

struct _qemuCaps {
    char *emulator;
    GMutex lock;       /* protects everything below */
    bool probed;
    unsigned long version;
    GArray *machines;  /* of qemuCapsMachine */
    qemuCapsAccel *accel[2]; /* QMP probes, [0]: tcg, [1]: kvm; immutable
                              * once set, freed with @caps */
};

static void
qemuCapsMachineClear(gpointer data)
{
    qemuCapsMachine *m = data;

    g_free(m->name);
    g_free(m->canonical);
}

qemuCaps *
qemuCapsNew(const char *emulator)
{
    qemuCaps *caps = g_new0(qemuCaps, 1);

    caps->emulator = g_strdup(emulator ? emulator : QEMU_DEFAULT_EMULATOR);
    g_mutex_init(&caps->lock);
    caps->machines = g_array_new(FALSE, TRUE, sizeof(qemuCapsMachine));
    g_array_set_clear_func(caps->machines, qemuCapsMachineClear);
    return caps;
}

void
qemuCapsFree(qemuCaps *caps)
{
    if (!caps)
        return;
    g_array_unref(caps->machines);
    qemuCapsAccelFree(caps->accel[0]);
    qemuCapsAccelFree(caps->accel[1]);
    g_mutex_clear(&caps->lock);
    g_free(caps->emulator);
    g_free(caps);
}

const char *
qemuCapsGetEmulator(qemuCaps *caps)
{
    return caps->emulator;
}

bool
qemuCapsKVMUsable(void)
{
    return access("/dev/kvm", R_OK | W_OK) == 0;
}

static char *
qemuCapsRun(qemuCaps *caps, const char *arg1, const char *arg2)
{
    const char *argv[] = { caps->emulator, arg1, arg2, NULL };
    g_autoptr(GError) gerr = NULL;
    g_autofree char *out = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, &out, NULL, &status, &gerr) ||
        !g_spawn_check_wait_status(status, NULL)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("cannot run '%1$s %2$s': %3$s"), caps->emulator, arg1,
                       gerr ? gerr->message : _("non-zero exit status"));
        return NULL;
    }
    return g_steal_pointer(&out);
}

static unsigned long
qemuCapsParseVersion(const char *out)
{
    const char *p = strstr(out, "version ");
    unsigned int major = 0, minor = 0, micro = 0;

    if (!p || sscanf(p + 8, "%u.%u.%u", &major, &minor, &micro) < 2)
        return 0;
    return major * 1000000UL + minor * 1000UL + micro;
}

static void
qemuCapsParseMachines(qemuCaps *caps, const char *out)
{
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    size_t i;

    for (i = 1; lines[i]; i++) {
        qemuCapsMachine m = { 0 };
        const char *alias = strstr(lines[i], "(alias of ");
        char *end;

        if (!*lines[i] || g_ascii_isspace(lines[i][0]))
            continue;
        m.name = g_strndup(lines[i], strcspn(lines[i], " "));
        if (alias && (end = strchr(alias + 10, ')')))
            m.canonical = g_strndup(alias + 10, end - (alias + 10));
        m.isDefault = strstr(lines[i], "(default)") != NULL;
        if (g_str_equal(m.name, "none"))
            qemuCapsMachineClear(&m);
        else
            g_array_append_val(caps->machines, m);
    }
}

/* Runs the binary once for its version and machine types. */
static int
qemuCapsProbeLocked(qemuCaps *caps)
{
    g_autofree char *ver = NULL;
    g_autofree char *machines = NULL;

    if (caps->probed)
        return 0;
    if (!(ver = qemuCapsRun(caps, "--version", NULL)) ||
        !(machines = qemuCapsRun(caps, "-machine", "help")))
        return -1;
    caps->version = qemuCapsParseVersion(ver);
    qemuCapsParseMachines(caps, machines);
    caps->probed = true;
    VIR_DEBUG("probed %s: version %lu, %u machine types", caps->emulator,
              caps->version, caps->machines->len);
    return 0;
}

unsigned long
qemuCapsGetVersion(qemuCaps *caps)
{
    unsigned long ret = 0;

    g_mutex_lock(&caps->lock);
    if (qemuCapsProbeLocked(caps) == 0)
        ret = caps->version;
    g_mutex_unlock(&caps->lock);
    return ret;
}

char *
qemuCapsGetCanonicalMachine(qemuCaps *caps, const char *name)
{
    char *ret = NULL;
    size_t i;

    g_mutex_lock(&caps->lock);
    if (qemuCapsProbeLocked(caps) < 0)
        goto cleanup;
    for (i = 0; i < caps->machines->len; i++) {
        const qemuCapsMachine *m = &g_array_index(caps->machines,
                                                  qemuCapsMachine, i);

        if (name ? g_str_equal(m->name, name) && m->canonical : m->isDefault) {
            ret = g_strdup(m->canonical ? m->canonical : m->name);
            break;
        }
    }

 cleanup:
    g_mutex_unlock(&caps->lock);
    return ret;
}

/* Call with the lock held. */
static const qemuCapsAccel *
qemuCapsGetAccelLocked(qemuCaps *caps, bool kvm)
{
    if (!caps->accel[kvm])
        caps->accel[kvm] = qemuCapsAccelProbe(caps->emulator, kvm);
    return caps->accel[kvm];
}

const qemuCapsAccel *
qemuCapsGetAccel(qemuCaps *caps, bool kvm)
{
    const qemuCapsAccel *ret;

    g_mutex_lock(&caps->lock);
    ret = qemuCapsGetAccelLocked(caps, kvm);
    g_mutex_unlock(&caps->lock);
    return ret;
}

static void
qemuCapsFormatHost(GString *buf, const unsigned char *hostUUID,
                   const char *arch)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    long ncpus = sysconf(_SC_NPROCESSORS_ONLN);

    g_string_append(buf, "  <host>\n");
    g_string_append_printf(buf, "    <uuid>%s</uuid>\n",
                           virUUIDFormat(hostUUID, uuid));
    g_string_append(buf, "    <cpu>\n");
    g_string_append_printf(buf, "      <arch>%s</arch>\n", arch);
    g_string_append_printf(buf,
                           "      <topology sockets='1' dies='1' cores='%ld' threads='1'/>\n",
                           ncpus > 0 ? ncpus : 1);
    g_string_append(buf, "    </cpu>\n");
    g_string_append(buf, "    <power_management/>\n");
    g_string_append(buf, "    <iommu support='no'/>\n");
    g_string_append(buf, "    <migration_features>\n");
    g_string_append(buf, "      <live/>\n");
    g_string_append(buf, "      <uri_transports>\n");
    g_string_append(buf, "        <uri_transport>tcp</uri_transport>\n");
    g_string_append(buf, "      </uri_transports>\n");
    g_string_append(buf, "    </migration_features>\n");
    g_string_append(buf, "    <secmodel>\n");
    g_string_append(buf, "      <model>none</model>\n");
    g_string_append(buf, "      <doi>0</doi>\n");
    g_string_append(buf, "    </secmodel>\n");
    g_string_append(buf, "  </host>\n\n");
}

/* QEMU's cpu-max for @name from the QMP probe, or 255 (the i440fx
 * limit) when the probe failed. */
static unsigned int
qemuCapsMachineMaxCpus(const qemuCapsAccel *accel, const char *name)
{
    guint i;

    for (i = 0; accel && i < accel->machines->len; i++) {
        const qemuCapsMachineInfo *m = &g_array_index(accel->machines,
                                                      qemuCapsMachineInfo, i);

        if (g_str_equal(m->name, name))
            return m->maxCpus;
    }
    return 255;
}

static void
qemuCapsFormatMachine(GString *buf, const qemuCapsAccel *accel,
                      const qemuCapsMachine *m)
{
    const char *real = m->canonical ? m->canonical : m->name;

    g_string_append(buf, "      <machine");
    if (m->canonical)
        g_string_append_printf(buf, " canonical='%s'", m->canonical);
    g_string_append_printf(buf, " maxCpus='%u'>%s</machine>\n",
                           qemuCapsMachineMaxCpus(accel, real), m->name);
}

/* Like libvirt, the default machine comes first, then its alias, then
 * the others: clients (virt-install, virt-manager) take the first one
 * when they have no preference. */
static void
qemuCapsFormatGuest(GString *buf, qemuCaps *caps, const qemuCapsAccel *accel)
{
    g_autofree char *emu = g_markup_escape_text(caps->emulator, -1);
    const qemuCapsMachine *def = NULL;
    const char *defName = NULL;
    guint i;
    int pass;

    for (i = 0; i < caps->machines->len; i++) {
        const qemuCapsMachine *m = &g_array_index(caps->machines, qemuCapsMachine, i);

        if (m->isDefault)
            def = m;
    }
    defName = def ? (def->canonical ? def->canonical : def->name) : NULL;

    g_string_append(buf, "  <guest>\n");
    g_string_append(buf, "    <os_type>hvm</os_type>\n");
    g_string_append(buf, "    <arch name='x86_64'>\n");
    g_string_append(buf, "      <wordsize>64</wordsize>\n");
    g_string_append_printf(buf, "      <emulator>%s</emulator>\n", emu);
    /* pass 0: the default, 1: its aliases, 2: the others */
    for (pass = 0; pass < 3; pass++) {
        for (i = 0; i < caps->machines->len; i++) {
            const qemuCapsMachine *m = &g_array_index(caps->machines,
                                                      qemuCapsMachine, i);
            int rank = g_strcmp0(m->name, defName) == 0 ? 0 :
                g_strcmp0(m->canonical, defName) == 0 ? 1 : 2;

            if (rank == pass)
                qemuCapsFormatMachine(buf, accel, m);
        }
    }
    g_string_append(buf, "      <domain type='qemu'/>\n");
    if (qemuCapsKVMUsable())
        g_string_append(buf, "      <domain type='kvm'/>\n");
    g_string_append(buf, "    </arch>\n");
    g_string_append(buf, "    <features>\n");
    g_string_append(buf, "      <acpi default='on' toggle='yes'/>\n");
    g_string_append(buf, "      <apic default='on' toggle='no'/>\n");
    g_string_append(buf, "    </features>\n");
    g_string_append(buf, "  </guest>\n\n");
}

char *
qemuCapsFormatXML(qemuCaps *caps, const unsigned char *hostUUID)
{
    g_autoptr(GString) buf = g_string_new("<capabilities>\n\n");
    struct utsname uts;

    g_mutex_lock(&caps->lock);
    if (qemuCapsProbeLocked(caps) < 0) {
        g_mutex_unlock(&caps->lock);
        return NULL;
    }
    uname(&uts);
    qemuCapsFormatHost(buf, hostUUID, uts.machine);
    qemuCapsFormatGuest(buf, caps,
                        qemuCapsGetAccelLocked(caps, qemuCapsKVMUsable()));
    virResetLastError();    /* no probe: the maxCpus fallback */
    g_mutex_unlock(&caps->lock);
    g_string_append(buf, "</capabilities>\n");
    return g_string_free(g_steal_pointer(&buf), FALSE);
}
