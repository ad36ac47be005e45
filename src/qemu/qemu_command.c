/*
 * qemu_command.c: domain definition -> QEMU command line
 *
 * The order and the option names follow what libvirt 9.0 passes to
 * QEMU 7.2 (src/qemu/qemu_command.c, tests/qemuxml2argvdata), with
 * key=value option strings instead of JSON.  Storage (controllers and
 * disks) is built in qemu_command_storage.c.
 */
#include <string.h>

#include "qemu_command_priv.h"
#include "virerror.h"
#include "virlog.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_command");

#define QEMU_VNC_PORT_MIN 5900
#define QEMU_VNC_AUTOPORT_DISPLAYS 99
#define QEMU_ISA_SERIAL_PORTS 4

/* ------------------------------------------------------------------ */
/* option-string helpers                                                */

char *
qemuBuildEscapeOptValue(const char *value)
{
    GString *out = g_string_sized_new(strlen(value) + 4);
    const char *p;

    for (p = value; *p; p++) {
        if (*p == ',')
            g_string_append_c(out, ',');
        g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

void
qemuBuildAddOpt(qemuCommandBuilder *b, const char *opt, GString *value)
{
    g_ptr_array_add(b->argv, g_strdup(opt));
    g_ptr_array_add(b->argv, g_string_free(value, FALSE));
}

static void
qemuBuildAdd(qemuCommandBuilder *b, const char *arg)
{
    g_ptr_array_add(b->argv, g_strdup(arg));
}

void
qemuOptAddStr(GString *opt, const char *key, const char *value)
{
    g_autofree char *esc = NULL;

    if (!value)
        return;
    esc = qemuBuildEscapeOptValue(value);
    g_string_append_printf(opt, "%s%s=%s", opt->len ? "," : "", key, esc);
}

void
qemuOptAddUInt(GString *opt, const char *key, unsigned int value)
{
    g_string_append_printf(opt, "%s%s=%u", opt->len ? "," : "", key, value);
}

void
qemuOptAddSwitch(GString *opt, const char *key, bool on)
{
    qemuOptAddStr(opt, key, on ? "on" : "off");
}

/* Names QEMU parses without an escape mechanism (-cpu, the implied
 * first value of -machine): letters, digits and "-_." only. */
static bool
qemuBuildCheckToken(const char *value, const char *what)
{
    const char *p;

    for (p = value; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-_.", *p))
            break;
    }
    if (*value && !*p)
        return true;
    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("invalid %1$s '%2$s'"), what, value);
    return false;
}

int
qemuBuildPCIAddressOpts(GString *opt, const qemuCommandBuilder *b,
                        const virDomainDeviceInfo *info, const char *what)
{
    const virPCIDeviceAddress *pci = &info->addr.pci;

    if (info->type == VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE)
        return 0;
    if (info->type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_PCI) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("address type '%1$s' is not valid for %2$s"),
                       virDomainDeviceAddressTypeToString(info->type), what);
        return -1;
    }
    if (pci->domain != 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("PCI address %1$04x:%2$02x:%3$02x.%4$x of %5$s is not in PCI domain 0"),
                       pci->domain, pci->bus, pci->slot, pci->function, what);
        return -1;
    }
    if (pci->bus == 0) {
        qemuOptAddStr(opt, "bus", b->q35 ? "pcie.0" : "pci.0");
    } else if (qemuBuildFindPCIController(b->def, pci->bus)) {
        /* a bus behind a PCI controller: its alias, "pci.N" */
        g_string_append_printf(opt, ",bus=pci.%u", pci->bus);
    } else {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("PCI address %1$04x:%2$02x:%3$02x.%4$x of %5$s is on a bus no controller provides"),
                       pci->domain, pci->bus, pci->slot, pci->function, what);
        return -1;
    }
    if (pci->multi != VIR_TRISTATE_SWITCH_ABSENT)
        qemuOptAddSwitch(opt, "multifunction", pci->multi == VIR_TRISTATE_SWITCH_ON);
    g_string_append_printf(opt, ",addr=0x%x", pci->slot);
    if (pci->function)
        g_string_append_printf(opt, ".0x%x", pci->function);
    return 0;
}

const virDomainControllerDef *
qemuBuildFindPCIController(const virDomainDef *def, unsigned int idx)
{
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        const virDomainControllerDef *ctrl = def->controllers[i];

        if (ctrl->type == VIR_DOMAIN_CONTROLLER_TYPE_PCI && ctrl->idx == idx &&
            idx > 0)
            return ctrl;
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* machine, CPU, memory                                                 */

static int
qemuBuildMachine(qemuCommandBuilder *b)
{
    const virDomainDef *def = b->def;
    const char *type = def->os.machine ? def->os.machine : "pc";
    GString *opt;

    if (def->os.arch && !g_str_equal(def->os.arch, "x86_64")) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("architecture '%1$s' is not supported, only x86_64"),
                       def->os.arch);
        return -1;
    }
    if (def->virtType == VIR_DOMAIN_VIRT_KVM && !b->params->kvmUsable) {
        /* /dev/kvm missing or not accessible; type 'qemu' would use TCG */
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("domain type 'kvm' requires KVM, but KVM is not available"));
        return -1;
    }
    if (!qemuBuildCheckToken(type, _("machine type")))
        return -1;
    opt = g_string_new(type);
    qemuOptAddStr(opt, "accel",
                  def->virtType == VIR_DOMAIN_VIRT_KVM ? "kvm" : "tcg");
    qemuOptAddSwitch(opt, "usb", false);
    qemuOptAddSwitch(opt, "dump-guest-core", false);
    if (def->features[VIR_DOMAIN_FEATURE_ACPI] != VIR_TRISTATE_SWITCH_ON)
        qemuOptAddSwitch(opt, "acpi", false);
    if (def->features[VIR_DOMAIN_FEATURE_VMPORT] != VIR_TRISTATE_SWITCH_ABSENT)
        qemuOptAddSwitch(opt, "vmport",
                         def->features[VIR_DOMAIN_FEATURE_VMPORT] == VIR_TRISTATE_SWITCH_ON);
    qemuBuildAddOpt(b, "-machine", opt);
    return 0;
}

/* The -cpu base model for @cpu into *@model (NULL: no -cpu needed):
 * host-passthrough needs KVM; host-model is "host" under KVM and "max"
 * (everything TCG can emulate) under TCG. */
static int
qemuBuildCpuModel(const virDomainDef *def, const char **model)
{
    const virCPUDef *cpu = def->cpu;
    bool kvm = def->virtType == VIR_DOMAIN_VIRT_KVM;

    *model = NULL;
    switch ((virCPUMode)cpu->mode) {
    case VIR_CPU_MODE_HOST_PASSTHROUGH:
        if (!kvm) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("CPU mode '%1$s' for %2$s %3$s domain on %4$s host is not supported by hypervisor"),
                           virCPUModeTypeToString(cpu->mode), "x86_64",
                           virDomainVirtTypeToString(def->virtType), "x86_64");
            return -1;
        }
        *model = "host";
        return 0;
    case VIR_CPU_MODE_HOST_MODEL:
        *model = kvm ? "host" : "max";
        return 0;
    case VIR_CPU_MODE_CUSTOM:
    case VIR_CPU_MODE_LAST:
        break;
    }
    if (!cpu->model && cpu->nfeatures > 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("Non-empty feature list specified without CPU model"));
        return -1;
    }
    if (cpu->model && !qemuBuildCheckToken(cpu->model, _("CPU model")))
        return -1;
    *model = cpu->model;
    return 0;
}

static int
qemuBuildCpu(qemuCommandBuilder *b)
{
    const virCPUDef *cpu = b->def->cpu;
    const char *model = NULL;
    GString *opt;
    size_t i;

    if (!cpu)
        return 0;
    if (qemuBuildCpuModel(b->def, &model) < 0)
        return -1;
    if (!model)
        return 0;
    for (i = 0; i < cpu->nfeatures; i++) {
        if (!qemuBuildCheckToken(cpu->features[i].name, _("CPU feature")))
            return -1;
    }
    opt = g_string_new(model);
    if (cpu->mode == VIR_CPU_MODE_HOST_PASSTHROUGH && cpu->migratable)
        qemuOptAddSwitch(opt, "migratable",
                         cpu->migratable == VIR_TRISTATE_SWITCH_ON);
    for (i = 0; i < cpu->nfeatures; i++) {
        int policy = cpu->features[i].policy;

        qemuOptAddSwitch(opt, cpu->features[i].name,
                         policy != VIR_CPU_FEATURE_DISABLE &&
                         policy != VIR_CPU_FEATURE_FORBID);
    }
    qemuBuildAddOpt(b, "-cpu", opt);
    return 0;
}

static void
qemuBuildMemorySmp(qemuCommandBuilder *b)
{
    const virDomainDef *def = b->def;
    const virCPUDef *cpu = def->cpu;
    GString *mem = g_string_new(NULL);
    GString *opt = g_string_new(NULL);

    g_string_printf(mem, "size=%lluk", def->memory);
    qemuBuildAddOpt(b, "-m", mem);
    g_string_append_printf(opt, "%u", def->vcpusCurrent);
    if (cpu && cpu->sockets) {
        qemuOptAddUInt(opt, "maxcpus", def->vcpus);
        qemuOptAddUInt(opt, "sockets", cpu->sockets);
        if (cpu->dies > 1)
            qemuOptAddUInt(opt, "dies", cpu->dies);
        qemuOptAddUInt(opt, "cores", cpu->cores);
        qemuOptAddUInt(opt, "threads", cpu->threads);
    } else if (def->vcpusCurrent != def->vcpus) {
        qemuOptAddUInt(opt, "maxcpus", def->vcpus);
        qemuOptAddUInt(opt, "sockets", def->vcpus);
        qemuOptAddUInt(opt, "cores", 1);
        qemuOptAddUInt(opt, "threads", 1);
    }
    qemuBuildAddOpt(b, "-smp", opt);
}

/* ------------------------------------------------------------------ */
/* monitor, clock, lifecycle, boot                                      */

static int
qemuBuildMonitor(qemuCommandBuilder *b)
{
    GString *chr = g_string_new("socket");

    if (!b->params->monitorPath) {
        g_string_free(chr, TRUE);
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("no monitor socket path given"));
        return -1;
    }
    qemuOptAddStr(chr, "id", "charmonitor");
    qemuOptAddStr(chr, "path", b->params->monitorPath);
    qemuOptAddSwitch(chr, "server", true);
    qemuOptAddSwitch(chr, "wait", false);
    qemuBuildAddOpt(b, "-chardev", chr);
    qemuBuildAddOpt(b, "-mon",
                    g_string_new("chardev=charmonitor,id=monitor,mode=control"));
    return 0;
}

static const virDomainTimerDef *
qemuBuildFindTimer(const virDomainDef *def, int name)
{
    size_t i;

    for (i = 0; i < def->ntimers; i++) {
        if (def->timers[i]->name == name)
            return def->timers[i];
    }
    return NULL;
}

/* -rtc, then the timers as libvirt gives them (qemuBuildClockCommandLine):
 * an RTC that catches up is driftfix=slew, a PIT kvm-pit's
 * lost_tick_policy, an absent HPET -no-hpet. */
static void
qemuBuildClock(qemuCommandBuilder *b)
{
    const virDomainDef *def = b->def;
    const virDomainTimerDef *rtc = qemuBuildFindTimer(def, VIR_DOMAIN_TIMER_NAME_RTC);
    const virDomainTimerDef *pit = qemuBuildFindTimer(def, VIR_DOMAIN_TIMER_NAME_PIT);
    const virDomainTimerDef *hpet = qemuBuildFindTimer(def, VIR_DOMAIN_TIMER_NAME_HPET);
    GString *opt = g_string_new(NULL);

    qemuOptAddStr(opt, "base",
                  def->clockOffset == VIR_DOMAIN_CLOCK_OFFSET_LOCALTIME ?
                  "localtime" : "utc");
    if (rtc && rtc->tickpolicy == VIR_DOMAIN_TIMER_TICKPOLICY_CATCHUP)
        qemuOptAddStr(opt, "driftfix", "slew");
    qemuBuildAddOpt(b, "-rtc", opt);
    if (pit) {
        opt = g_string_new("kvm-pit.lost_tick_policy=");
        g_string_append(opt, pit->tickpolicy == VIR_DOMAIN_TIMER_TICKPOLICY_DISCARD ?
                        "discard" : "delay");
        qemuBuildAddOpt(b, "-global", opt);
    }
    if (hpet && hpet->present == VIR_TRISTATE_BOOL_NO)
        qemuBuildAdd(b, "-no-hpet");
}

/* QEMU must stay after a guest poweroff that is to be preserved or
 * turned into a restart by the driver. */
static void
qemuBuildLifecycle(qemuCommandBuilder *b)
{
    const virDomainDef *def = b->def;

    if (def->onPoweroff != VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY)
        qemuBuildAdd(b, "-no-shutdown");
    if (def->onReboot == VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY)
        qemuBuildAdd(b, "-no-reboot");
}

/* <pm>: the chipset's power management device offers S3/S4 or not. */
static void
qemuBuildPM(qemuCommandBuilder *b)
{
    const char *dev = b->q35 ? "ICH9-LPC" : "PIIX4_PM";
    GString *opt;

    if (b->def->pm.s3) {
        opt = g_string_new(NULL);
        g_string_printf(opt, "%s.disable_s3=%d", dev,
                        b->def->pm.s3 == VIR_TRISTATE_BOOL_NO);
        qemuBuildAddOpt(b, "-global", opt);
    }
    if (b->def->pm.s4) {
        opt = g_string_new(NULL);
        g_string_printf(opt, "%s.disable_s4=%d", dev,
                        b->def->pm.s4 == VIR_TRISTATE_BOOL_NO);
        qemuBuildAddOpt(b, "-global", opt);
    }
}

/* libvirt's mapping of <os><boot dev=...> onto per-device bootindex:
 * the N-th boot entry goes to the first device of its kind. */
static void
qemuBuildAssignBootIndexes(qemuCommandBuilder *b)
{
    const virDomainDef *def = b->def;
    size_t i;
    size_t j;

    for (i = 0; i < def->ndisks; i++)
        b->diskBoot[i] = def->disks[i]->info.bootIndex;
    for (i = 0; i < def->nnets; i++)
        b->netBoot[i] = def->nets[i]->info.bootIndex;
    for (i = 0; i < def->os.nBootDevs; i++) {
        int dev = def->os.bootDevs[i];

        if (dev == VIR_DOMAIN_BOOT_NET && def->nnets > 0 && !b->netBoot[0]) {
            b->netBoot[0] = i + 1;
            continue;
        }
        for (j = 0; j < def->ndisks; j++) {
            int device = def->disks[j]->device;

            if ((dev == VIR_DOMAIN_BOOT_DISK && device == VIR_DOMAIN_DISK_DEVICE_DISK) ||
                (dev == VIR_DOMAIN_BOOT_CDROM && device == VIR_DOMAIN_DISK_DEVICE_CDROM)) {
                if (!b->diskBoot[j])
                    b->diskBoot[j] = i + 1;
                break;
            }
        }
    }
}

static void
qemuBuildBoot(qemuCommandBuilder *b)
{
    const virDomainDef *def = b->def;

    qemuBuildAddOpt(b, "-boot", g_string_new("strict=on"));
    /* plain arguments, not option strings: no escaping */
    if (def->os.kernel) {
        qemuBuildAdd(b, "-kernel");
        qemuBuildAdd(b, def->os.kernel);
    }
    if (def->os.initrd) {
        qemuBuildAdd(b, "-initrd");
        qemuBuildAdd(b, def->os.initrd);
    }
    if (def->os.cmdline) {
        qemuBuildAdd(b, "-append");
        qemuBuildAdd(b, def->os.cmdline);
    }
}

/* ------------------------------------------------------------------ */
/* network, serial ports                                                */

static const char *
qemuNetModelDevice(int model)
{
    switch ((virDomainNetModel)model) {
    case VIR_DOMAIN_NET_MODEL_VIRTIO:
        return "virtio-net-pci";
    case VIR_DOMAIN_NET_MODEL_E1000:
        return "e1000";
    case VIR_DOMAIN_NET_MODEL_E1000E:
        return "e1000e";
    case VIR_DOMAIN_NET_MODEL_DEFAULT:
    case VIR_DOMAIN_NET_MODEL_RTL8139:
    case VIR_DOMAIN_NET_MODEL_LAST:
        break;
    }
    return "rtl8139";
}

static int
qemuBuildNet(qemuCommandBuilder *b, size_t idx)
{
    const virDomainNetDef *net = b->def->nets[idx];
    g_autofree char *hostnet = g_strdup_printf("hostnet%zu", idx);
    g_autofree char *alias = g_strdup_printf("net%zu", idx);
    GString *netdev = g_string_new(NULL);
    GString *dev = g_string_new(qemuNetModelDevice(net->model));
    char mac[VIR_MAC_STRING_BUFLEN];

    if (net->type == VIR_DOMAIN_NET_TYPE_ETHERNET) {
        g_string_append(netdev, "tap");
        qemuOptAddStr(netdev, "id", hostnet);
        qemuOptAddStr(netdev, "ifname", net->ifname);
        qemuOptAddStr(netdev, "script", "no");
        qemuOptAddStr(netdev, "downscript", "no");
    } else {
        g_string_append(netdev, "user");
        qemuOptAddStr(netdev, "id", hostnet);
    }
    qemuOptAddStr(dev, "netdev", hostnet);
    qemuOptAddStr(dev, "id", alias);
    qemuOptAddStr(dev, "mac", virMacAddrFormat(net->mac, mac));
    if (qemuBuildPCIAddressOpts(dev, b, &net->info, "interface") < 0) {
        g_string_free(netdev, TRUE);
        g_string_free(dev, TRUE);
        return -1;
    }
    if (b->netBoot[idx])
        qemuOptAddUInt(dev, "bootindex", b->netBoot[idx]);
    qemuBuildAddOpt(b, "-netdev", netdev);
    qemuBuildAddOpt(b, "-device", dev);
    return 0;
}

static int
qemuBuildSerial(qemuCommandBuilder *b, size_t idx)
{
    const virDomainChrDef *chr = b->def->serials[idx];
    g_autofree char *charid = g_strdup_printf("charserial%zu", idx);
    g_autofree char *alias = g_strdup_printf("serial%zu", idx);
    GString *backend = g_string_new(virDomainChrTypeToString(chr->type));
    GString *dev = g_string_new("isa-serial");

    if (chr->port < 0 || chr->port >= QEMU_ISA_SERIAL_PORTS) {
        g_string_free(backend, TRUE);
        g_string_free(dev, TRUE);
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("isa-serial port %1$d is out of range [0..%2$d]"),
                       chr->port, QEMU_ISA_SERIAL_PORTS - 1);
        return -1;
    }
    qemuOptAddStr(backend, "id", charid);
    if (chr->type == VIR_DOMAIN_CHR_TYPE_FILE) {
        qemuOptAddStr(backend, "path", chr->path);
        qemuOptAddSwitch(backend, "append", true);
    }
    qemuOptAddStr(dev, "chardev", charid);
    qemuOptAddStr(dev, "id", alias);
    qemuOptAddUInt(dev, "index", chr->port);
    qemuBuildAddOpt(b, "-chardev", backend);
    qemuBuildAddOpt(b, "-device", dev);
    return 0;
}

/* ------------------------------------------------------------------ */
/* display                                                              */

/* "ADDR:DISPLAY": IPv6 addresses in brackets; -1 lets QEMU choose. */
static GString *
qemuBuildVncAddress(const virDomainGraphicsDef *gr, const char *listen)
{
    GString *opt = g_string_new(NULL);
    g_autofree char *esc = qemuBuildEscapeOptValue(listen);

    if (strchr(listen, ':') && listen[0] != '[')
        g_string_append_printf(opt, "[%s]", esc);
    else
        g_string_append(opt, esc);
    if (gr->port >= QEMU_VNC_PORT_MIN)
        g_string_append_printf(opt, ":%d", gr->port - QEMU_VNC_PORT_MIN);
    else
        g_string_append_printf(opt, ":0,to=%d", QEMU_VNC_AUTOPORT_DISPLAYS);
    return opt;
}

static int
qemuBuildGraphics(qemuCommandBuilder *b)
{
    const virDomainGraphicsDef *gr;
    const char *listen;
    GString *opt;

    if (b->def->ngraphics == 0)
        return 0;
    gr = b->def->graphics[0];
    listen = gr->listen ? gr->listen : b->params->vncListen;
    if (!listen)
        listen = QEMU_COMMAND_DEFAULT_VNC_LISTEN;
    if (strpbrk(listen, "=, ")) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("invalid VNC listen address '%1$s'"), listen);
        return -1;
    }
    opt = qemuBuildVncAddress(gr, listen);
    if (gr->passwd)
        qemuOptAddSwitch(opt, "password", true);
    if (b->def->naudios > 0) {
        g_autofree char *audiodev = qemuAudioAlias(b->def->audios[0]->id);

        qemuOptAddStr(opt, "audiodev", audiodev);
    }
    qemuBuildAddOpt(b, "-vnc", opt);
    return 0;
}

/* libvirt's devices: a primary virtio video is virtio-vga, a secondary
 * one virtio-gpu-pci; a secondary VGA is "secondary-vga". */
static const char *
qemuVideoDevice(const virDomainVideoDef *video)
{
    switch ((virDomainVideoType)video->type) {
    case VIR_DOMAIN_VIDEO_TYPE_VGA:
        return video->primary ? "VGA" : "secondary-vga";
    case VIR_DOMAIN_VIDEO_TYPE_VIRTIO:
        return video->primary ? "virtio-vga" : "virtio-gpu-pci";
    case VIR_DOMAIN_VIDEO_TYPE_CIRRUS:
        return video->primary ? "cirrus-vga" : NULL;
    case VIR_DOMAIN_VIDEO_TYPE_NONE:
    case VIR_DOMAIN_VIDEO_TYPE_LAST:
        break;
    }
    return NULL;
}

static int
qemuBuildVideo(qemuCommandBuilder *b, size_t idx)
{
    const virDomainVideoDef *video = b->def->videos[idx];
    g_autofree char *alias = g_strdup_printf("video%zu", idx);
    const char *driver;
    GString *opt;

    if (video->type == VIR_DOMAIN_VIDEO_TYPE_NONE)
        return 0;
    if (!(driver = qemuVideoDevice(video))) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("video type '%1$s' is only valid as primary video device"),
                       virDomainVideoTypeToString(video->type));
        return -1;
    }
    opt = g_string_new(driver);
    qemuOptAddStr(opt, "id", alias);
    if (video->type == VIR_DOMAIN_VIDEO_TYPE_VGA && video->vram)
        qemuOptAddUInt(opt, "vgamem_mb", video->vram / 1024);
    if (video->type == VIR_DOMAIN_VIDEO_TYPE_VIRTIO && video->heads)
        qemuOptAddUInt(opt, "max_outputs", video->heads);
    if (qemuBuildPCIAddressOpts(opt, b, &video->info, "video") < 0) {
        g_string_free(opt, TRUE);
        return -1;
    }
    qemuBuildAddOpt(b, "-device", opt);
    return 0;
}

static int
qemuBuildVideos(qemuCommandBuilder *b)
{
    size_t i;

    for (i = 0; i < b->def->nvideos; i++) {
        if (qemuBuildVideo(b, i) < 0)
            return -1;
    }
    return 0;
}

static int
qemuBuildMemballoon(qemuCommandBuilder *b)
{
    const virDomainMemballoonDef *mb = b->def->memballoon;
    GString *opt;

    if (!mb || mb->model != VIR_DOMAIN_MEMBALLOON_MODEL_VIRTIO)
        return 0;
    opt = g_string_new("virtio-balloon-pci");
    qemuOptAddStr(opt, "id", "balloon0");
    if (qemuBuildPCIAddressOpts(opt, b, &mb->info, "memballoon") < 0) {
        g_string_free(opt, TRUE);
        return -1;
    }
    qemuBuildAddOpt(b, "-device", opt);
    return 0;
}

/* ------------------------------------------------------------------ */
/* the command line                                                     */

/* In libvirt's order (qemuBuildCommandLine): controllers, disks, NICs,
 * serial ports, channels, inputs, audio, VNC, video, sound, balloon,
 * RNGs. */
static int
qemuBuildDevices(qemuCommandBuilder *b)
{
    size_t i;

    if (qemuBuildControllers(b) < 0 || qemuBuildDisks(b) < 0)
        return -1;
    for (i = 0; i < b->def->nnets; i++) {
        if (qemuBuildNet(b, i) < 0)
            return -1;
    }
    for (i = 0; i < b->def->nserials; i++) {
        if (qemuBuildSerial(b, i) < 0)
            return -1;
    }
    if (qemuBuildChannels(b) < 0 || qemuBuildInputs(b) < 0)
        return -1;
    qemuBuildAudios(b);
    if (qemuBuildGraphics(b) < 0 || qemuBuildVideos(b) < 0 ||
        qemuBuildSounds(b) < 0 || qemuBuildMemballoon(b) < 0 ||
        qemuBuildRNGs(b) < 0)
        return -1;
    return 0;
}

static const char *
qemuBuildEmulator(const virDomainDef *def, const qemuCommandParams *params)
{
    if (params->emulator)
        return params->emulator;
    if (def->emulator)
        return def->emulator;
    return QEMU_COMMAND_DEFAULT_EMULATOR;
}

static int
qemuBuildCommandLineHead(qemuCommandBuilder *b)
{
    const virDomainDef *def = b->def;
    GString *name = g_string_new(NULL);
    char uuid[VIR_UUID_STRING_BUFLEN];

    qemuBuildAdd(b, qemuBuildEmulator(def, b->params));
    qemuOptAddStr(name, "guest", def->name);
    qemuOptAddSwitch(name, "debug-threads", true);
    qemuBuildAddOpt(b, "-name", name);
    qemuBuildAdd(b, "-S");
    if (qemuBuildMachine(b) < 0 || qemuBuildCpu(b) < 0)
        return -1;
    qemuBuildMemorySmp(b);
    qemuBuildAdd(b, "-uuid");
    qemuBuildAdd(b, virUUIDFormat(def->uuid, uuid));
    if (def->ngraphics == 0)
        qemuBuildAddOpt(b, "-display", g_string_new("none"));
    qemuBuildAdd(b, "-no-user-config");
    qemuBuildAdd(b, "-nodefaults");
    if (qemuBuildMonitor(b) < 0)
        return -1;
    qemuBuildClock(b);
    qemuBuildLifecycle(b);
    qemuBuildPM(b);
    qemuBuildBoot(b);
    return 0;
}

GStrv
qemuBuildCommandLine(const virDomainDef *def, const qemuCommandParams *params)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autofree unsigned int *diskBoot = g_new0(unsigned int, def->ndisks + 1);
    g_autofree unsigned int *netBoot = g_new0(unsigned int, def->nnets + 1);
    qemuCommandBuilder b = {
        .argv = argv,
        .def = def,
        .params = params,
        .q35 = virDomainDefIsQ35(def),
        .diskBoot = diskBoot,
        .netBoot = netBoot,
    };

    qemuBuildAssignBootIndexes(&b);
    if (qemuBuildCommandLineHead(&b) < 0 || qemuBuildDevices(&b) < 0)
        return NULL;
    if (params->incoming) {
        qemuBuildAdd(&b, "-incoming");
        qemuBuildAdd(&b, "defer");
    }
    VIR_DEBUG("built %u arguments for domain '%s'", argv->len, def->name);
    g_ptr_array_add(argv, NULL);
    g_ptr_array_set_free_func(argv, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&argv), FALSE);
}

/* ------------------------------------------------------------------ */
/* aliases                                                              */

static void
qemuSetAlias(virDomainDeviceInfo *info, char *alias)
{
    g_free(info->alias);
    info->alias = alias;
}

void
qemuAssignDeviceAliases(virDomainDef *def)
{
    unsigned int node = 0;
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        qemuSetAlias(&def->disks[i]->info, qemuDiskAlias(def, def->disks[i]));
        def->disks[i]->srcIndex = def->disks[i]->src ? ++node : 0;
    }
    for (i = 0; i < def->ncontrollers; i++) {
        qemuSetAlias(&def->controllers[i]->info,
                     qemuControllerAlias(def->controllers[i]));
    }
    for (i = 0; i < def->nnets; i++)
        qemuSetAlias(&def->nets[i]->info, g_strdup_printf("net%zu", i));
    for (i = 0; i < def->nserials; i++)
        qemuSetAlias(&def->serials[i]->info, g_strdup_printf("serial%zu", i));
    if (def->nconsoles > 0 && def->nserials > 0)
        qemuSetAlias(&def->consoles[0]->info, g_strdup("serial0"));
    for (i = 0; i < def->nchannels; i++)
        qemuSetAlias(&def->channels[i]->info, g_strdup_printf("channel%zu", i));
    for (i = 0; i < def->ninputs; i++)
        qemuSetAlias(&def->inputs[i]->info, g_strdup_printf("input%zu", i));
    for (i = 0; i < def->nsounds; i++)
        qemuSetAlias(&def->sounds[i]->info, g_strdup_printf("sound%zu", i));
    for (i = 0; i < def->nvideos; i++)
        qemuSetAlias(&def->videos[i]->info, g_strdup_printf("video%zu", i));
    if (def->memballoon && def->memballoon->model == VIR_DOMAIN_MEMBALLOON_MODEL_VIRTIO)
        qemuSetAlias(&def->memballoon->info, g_strdup("balloon0"));
    for (i = 0; i < def->nrngs; i++)
        qemuSetAlias(&def->rngs[i]->info, g_strdup_printf("rng%zu", i));
}
