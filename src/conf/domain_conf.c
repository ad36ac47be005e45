/*
 * domain_conf.c: domain definition: enums, object life cycle and the
 * parsing of the domain-wide sections (<name> ... <on_crash>)
 *
 * Devices are parsed in domain_device_conf.c, defaults filled in
 * domain_postparse.c, rules checked in domain_validate.c and XML written
 * in domain_format.c.  Error texts and codes follow libvirt 9.0's
 * (src/conf/domain_conf.c) where libvirt has the same check.
 */
#include <string.h>

#include "domain_conf_priv.h"
#include "virerror.h"
#include "virlog.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

VIR_LOG_INIT("conf.domain_conf");

VIR_ENUM_IMPL(virTristateBool, VIR_TRISTATE_BOOL_LAST,
              "default", "yes", "no");
VIR_ENUM_IMPL(virTristateSwitch, VIR_TRISTATE_SWITCH_LAST,
              "default", "on", "off");
VIR_ENUM_IMPL(virDomainVirt, VIR_DOMAIN_VIRT_LAST,
              "qemu", "kvm");
VIR_ENUM_IMPL(virDomainLifecycleAction, VIR_DOMAIN_LIFECYCLE_ACTION_LAST,
              "destroy", "restart", "preserve");
VIR_ENUM_IMPL(virDomainBoot, VIR_DOMAIN_BOOT_LAST,
              "fd", "cdrom", "hd", "network");
VIR_ENUM_IMPL(virDomainFeature, VIR_DOMAIN_FEATURE_LAST,
              "acpi", "apic", "pae", "vmport");
VIR_ENUM_IMPL(virDomainClockOffset, VIR_DOMAIN_CLOCK_OFFSET_LAST,
              "utc", "localtime");
VIR_ENUM_IMPL(virCPUMode, VIR_CPU_MODE_LAST,
              "custom", "host-model", "host-passthrough");
VIR_ENUM_IMPL(virCPUMatch, VIR_CPU_MATCH_LAST,
              "default", "minimum", "exact", "strict");
VIR_ENUM_IMPL(virCPUCheck, VIR_CPU_CHECK_LAST,
              "default", "none", "partial", "full");
VIR_ENUM_IMPL(virCPUFallback, VIR_CPU_FALLBACK_LAST,
              "allow", "forbid");
VIR_ENUM_IMPL(virCPUFeaturePolicy, VIR_CPU_FEATURE_LAST,
              "force", "require", "optional", "disable", "forbid");
VIR_ENUM_IMPL(virDomainDeviceAddress, VIR_DOMAIN_DEVICE_ADDRESS_TYPE_LAST,
              "none", "pci", "drive", "virtio-serial", "usb");
VIR_ENUM_IMPL(virDomainDisk, VIR_DOMAIN_DISK_TYPE_LAST,
              "file", "block");
VIR_ENUM_IMPL(virDomainDiskDevice, VIR_DOMAIN_DISK_DEVICE_LAST,
              "disk", "cdrom");
VIR_ENUM_IMPL(virDomainDiskBus, VIR_DOMAIN_DISK_BUS_LAST,
              "ide", "scsi", "virtio", "sata");
VIR_ENUM_IMPL(virDomainDiskFormat, VIR_DOMAIN_DISK_FORMAT_LAST,
              "none", "raw", "qcow2");
VIR_ENUM_IMPL(virDomainDiskCache, VIR_DOMAIN_DISK_CACHE_LAST,
              "default", "none", "writethrough", "writeback", "directsync",
              "unsafe");
VIR_ENUM_IMPL(virDomainController, VIR_DOMAIN_CONTROLLER_TYPE_LAST,
              "ide", "scsi", "sata", "virtio-serial", "usb", "pci");
VIR_ENUM_IMPL(virDomainControllerModel, VIR_DOMAIN_CONTROLLER_MODEL_LAST,
              "default", "piix3-uhci", "qemu-xhci", "none", "pci-root",
              "pcie-root", "virtio-scsi", "pcie-root-port",
              "pcie-to-pci-bridge", "pci-bridge", "ich9-ehci1", "ich9-uhci1",
              "ich9-uhci2", "ich9-uhci3", "lsilogic");
VIR_ENUM_IMPL(virDomainNet, VIR_DOMAIN_NET_TYPE_LAST,
              "user", "ethernet");
VIR_ENUM_IMPL(virDomainNetModel, VIR_DOMAIN_NET_MODEL_LAST,
              "default", "virtio", "e1000", "e1000e", "rtl8139");
VIR_ENUM_IMPL(virDomainChr, VIR_DOMAIN_CHR_TYPE_LAST,
              "pty", "file", "unix");
VIR_ENUM_IMPL(virDomainInput, VIR_DOMAIN_INPUT_TYPE_LAST,
              "mouse", "tablet", "keyboard");
VIR_ENUM_IMPL(virDomainInputBus, VIR_DOMAIN_INPUT_BUS_LAST,
              "ps2", "usb");
VIR_ENUM_IMPL(virDomainSoundModel, VIR_DOMAIN_SOUND_MODEL_LAST,
              "ich6", "ich9", "ac97");
VIR_ENUM_IMPL(virDomainGraphics, VIR_DOMAIN_GRAPHICS_TYPE_LAST,
              "vnc");
VIR_ENUM_IMPL(virDomainVideo, VIR_DOMAIN_VIDEO_TYPE_LAST,
              "vga", "cirrus", "virtio", "none");
VIR_ENUM_IMPL(virDomainMemballoonModel, VIR_DOMAIN_MEMBALLOON_MODEL_LAST,
              "virtio", "none");

/* <vcpu placement=...>: only static placement is implemented. */
typedef enum {
    VIR_DOMAIN_CPU_PLACEMENT_STATIC = 0,

    VIR_DOMAIN_CPU_PLACEMENT_LAST
} virDomainCPUPlacement;
VIR_ENUM_DECL(virDomainCPUPlacement);
VIR_ENUM_IMPL(virDomainCPUPlacement, VIR_DOMAIN_CPU_PLACEMENT_LAST,
              "static");

/* Values libvirt accepts but virtmig cannot honour. */
static const char *const virDomainLifecycleUnsupported[] = {
    "rename-restart", "coredump-destroy", "coredump-restart", NULL
};
static const char *const virDomainClockOffsetUnsupported[] = {
    "variable", "timezone", "absolute", NULL
};
static const char *const virCPUModeUnsupported[] = { "maximum", NULL };
static const char *const virDomainPlacementUnsupported[] = { "auto", NULL };

/* ------------------------------------------------------------------ */
/* shared helpers                                                       */

void
virDomainReportErrorNoDetail(int code, int errdomain)
{
    g_autoptr(virError) err = g_new0(virError, 1);

    /* virReportError always formats a detail; libvirt reports some
     * errors (e.g. VIR_ERR_NO_NAME) without one. */
    err->code = code;
    err->domain = errdomain;
    err->level = VIR_ERR_ERROR;
    err->message = virErrorMsgFormat(code, NULL);
    virSetError(err);
    VIR_DEBUG("%s", err->message);
}

int
virDomainParseEnumAttr(xmlNodePtr node, const char *name,
                       int (*fromString)(const char *),
                       const char *const *unsupported,
                       int *result, char **str)
{
    g_autofree char *val = virXMLPropString(node, name);
    int v;

    *str = NULL;
    if (!val)
        return 0;
    if ((v = fromString(val)) >= 0) {
        *result = v;
        return 1;
    }
    if (unsupported && g_strv_contains((const char *const *)unsupported, val)) {
        *str = g_steal_pointer(&val);
        return -2;
    }
    virReportErrorFull(VIR_FROM_XML, VIR_ERR_XML_ERROR, __FILE__, __func__,
                       __LINE__,
                       _("Invalid value for attribute '%1$s' in element '%2$s': '%3$s'."),
                       name, (const char *)node->name, val);
    return -1;
}

/* ------------------------------------------------------------------ */
/* life cycle                                                           */

void
virDomainXMLNodeFree(virDomainXMLNode *node)
{
    if (!node)
        return;
    if (node->doc)
        xmlFreeDoc(node->doc);
    g_free(node);
}

void
virCPUDefFree(virCPUDef *def)
{
    size_t i;

    if (!def)
        return;
    for (i = 0; i < def->nfeatures; i++)
        g_free(def->features[i].name);
    g_free(def->features);
    g_free(def->model);
    g_free(def);
}

static void
virDomainOSDefClear(virDomainOSDef *os)
{
    g_free(os->type);
    g_free(os->arch);
    g_free(os->machine);
    g_free(os->kernel);
    g_free(os->initrd);
    g_free(os->cmdline);
}

virDomainDef *
virDomainDefNew(void)
{
    virDomainDef *def = g_new0(virDomainDef, 1);

    def->id = -1;
    def->onPoweroff = VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY;
    def->onReboot = VIR_DOMAIN_LIFECYCLE_ACTION_RESTART;
    def->onCrash = VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY;
    return def;
}

#define VIR_FREE_LIST(list, n, freefunc) \
    do { \
        size_t _i; \
        for (_i = 0; _i < (n); _i++) \
            freefunc((list)[_i]); \
        g_free(list); \
    } while (0)

void
virDomainDefFree(virDomainDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    virDomainOSDefClear(&def->os);
    virCPUDefFree(def->cpu);
    g_free(def->emulator);
    VIR_FREE_LIST(def->timers, def->ntimers, g_free);
    VIR_FREE_LIST(def->disks, def->ndisks, virDomainDiskDefFree);
    VIR_FREE_LIST(def->controllers, def->ncontrollers,
                  virDomainControllerDefFree);
    VIR_FREE_LIST(def->nets, def->nnets, virDomainNetDefFree);
    VIR_FREE_LIST(def->serials, def->nserials, virDomainChrDefFree);
    VIR_FREE_LIST(def->consoles, def->nconsoles, virDomainChrDefFree);
    VIR_FREE_LIST(def->graphics, def->ngraphics, virDomainGraphicsDefFree);
    VIR_FREE_LIST(def->videos, def->nvideos, virDomainVideoDefFree);
    virDomainMemballoonDefFree(def->memballoon);
    virDomainXMLNodeFree(def->metadata);
    virDomainXMLNodeFree(def->resource);
    VIR_FREE_LIST(def->channels, def->nchannels, virDomainChrDefFree);
    VIR_FREE_LIST(def->inputs, def->ninputs, virDomainInputDefFree);
    VIR_FREE_LIST(def->sounds, def->nsounds, virDomainSoundDefFree);
    VIR_FREE_LIST(def->audios, def->naudios, virDomainAudioDefFree);
    VIR_FREE_LIST(def->rngs, def->nrngs, virDomainRNGDefFree);
    VIR_FREE_LIST(def->seclabels, def->nseclabels, virDomainXMLNodeFree);
    g_free(def);
}

/* ------------------------------------------------------------------ */
/* small public helpers                                                 */

unsigned int
virDomainDefFormatConvertXMLFlags(unsigned int xmlflags)
{
    unsigned int flags = 0;

    if (xmlflags & VIR_DOMAIN_XML_SECURE)
        flags |= VIR_DOMAIN_DEF_FORMAT_SECURE;
    if (xmlflags & VIR_DOMAIN_XML_INACTIVE)
        flags |= VIR_DOMAIN_DEF_FORMAT_INACTIVE;
    if (xmlflags & VIR_DOMAIN_XML_MIGRATABLE)
        flags |= VIR_DOMAIN_DEF_FORMAT_MIGRATABLE;
    return flags;
}

virDomainDiskDef *
virDomainDiskByTarget(const virDomainDef *def, const char *dst)
{
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        if (g_strcmp0(def->disks[i]->dst, dst) == 0)
            return def->disks[i];
    }
    return NULL;
}

int
virDomainDiskGetIndex(const char *dst)
{
    static const char *const prefixes[] = { "fd", "hd", "vd", "sd", "xvd", "ubd" };
    const char *p = NULL;
    long idx = 0;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(prefixes) && !p; i++) {
        if (g_str_has_prefix(dst, prefixes[i]))
            p = dst + strlen(prefixes[i]);
    }
    if (!p || !*p)
        return -1;
    /* bijective base 26: a=0 ... z=25, aa=26 ... */
    for (; *p; p++) {
        if (!g_ascii_islower(*p) || idx > G_MAXINT / 26 - 26)
            return -1;
        idx = idx * 26 + (*p - 'a' + 1);
    }
    return (int)(idx - 1);
}

const char *
virMacAddrFormat(const unsigned char *mac, char *buf)
{
    g_snprintf(buf, VIR_MAC_STRING_BUFLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
               mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    return buf;
}

int
virMacAddrParse(const char *str, unsigned char *mac)
{
    size_t i;

    for (i = 0; i < VIR_MAC_BUFLEN; i++) {
        int hi;
        int lo;

        if (!str[0] || !str[1])
            return -1;
        hi = g_ascii_xdigit_value(str[0]);
        lo = g_ascii_xdigit_value(str[1]);
        if (hi < 0 || lo < 0)
            return -1;
        mac[i] = (unsigned char)(hi * 16 + lo);
        str += 2;
        if (i < VIR_MAC_BUFLEN - 1) {
            if (*str != ':')
                return -1;
            str++;
        }
    }
    return *str == '\0' ? 0 : -1;
}

bool
virDomainDefIsQ35(const virDomainDef *def)
{
    const char *m = def->os.machine;

    return m && (g_str_equal(m, "q35") || g_str_has_prefix(m, "pc-q35-"));
}

#define FOREACH_INFO(list, n, what) \
    do { \
        size_t _j; \
        for (_j = 0; _j < (n); _j++) { \
            if (cb(&(list)[_j]->info, what, opaque) < 0) \
                return -1; \
        } \
    } while (0)

int
virDomainDefForeachDeviceInfo(virDomainDef *def,
                              virDomainDeviceInfoCallback cb, void *opaque)
{
    FOREACH_INFO(def->disks, def->ndisks, "disk");
    FOREACH_INFO(def->controllers, def->ncontrollers, "controller");
    FOREACH_INFO(def->nets, def->nnets, "interface");
    FOREACH_INFO(def->serials, def->nserials, "serial");
    FOREACH_INFO(def->channels, def->nchannels, "channel");
    FOREACH_INFO(def->inputs, def->ninputs, "input");
    FOREACH_INFO(def->sounds, def->nsounds, "sound");
    FOREACH_INFO(def->videos, def->nvideos, "video");
    if (def->memballoon && cb(&def->memballoon->info, "memballoon", opaque) < 0)
        return -1;
    FOREACH_INFO(def->rngs, def->nrngs, "rng");
    return 0;
}

#undef FOREACH_INFO

const char *
virDomainControllerPCIModelName(int model)
{
    switch (model) {
    case VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT:
        return "pcie-root-port";
    case VIR_DOMAIN_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE:
        return "pcie-pci-bridge";
    case VIR_DOMAIN_CONTROLLER_MODEL_PCI_BRIDGE:
        return "pci-bridge";
    default:
        return NULL;
    }
}

bool
virDomainControllerIsUSBCompanion(const virDomainControllerDef *ctrl)
{
    return ctrl->type == VIR_DOMAIN_CONTROLLER_TYPE_USB &&
           ctrl->model >= VIR_DOMAIN_CONTROLLER_MODEL_ICH9_EHCI1 &&
           ctrl->model <= VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI3;
}

bool
virDomainDefIsI440FX(const virDomainDef *def)
{
    const char *m = def->os.machine;

    /* no machine: QEMU's default, "pc" */
    return !m || ((g_str_equal(m, "pc") || g_str_has_prefix(m, "pc-")) &&
                  !virDomainDefIsQ35(def));
}

void
virDomainDefClearLiveData(virDomainDef *def)
{
    size_t i;

    def->id = -1;
    for (i = 0; i < def->ndisks; i++) {
        g_clear_pointer(&def->disks[i]->info.alias, g_free);
        def->disks[i]->srcIndex = 0;
    }
    for (i = 0; i < def->ncontrollers; i++)
        g_clear_pointer(&def->controllers[i]->info.alias, g_free);
    for (i = 0; i < def->nnets; i++)
        g_clear_pointer(&def->nets[i]->info.alias, g_free);
    for (i = 0; i < def->nserials; i++) {
        g_clear_pointer(&def->serials[i]->info.alias, g_free);
        if (def->serials[i]->type == VIR_DOMAIN_CHR_TYPE_PTY)
            g_clear_pointer(&def->serials[i]->path, g_free);
    }
    for (i = 0; i < def->nconsoles; i++) {
        g_clear_pointer(&def->consoles[i]->info.alias, g_free);
        if (def->consoles[i]->type == VIR_DOMAIN_CHR_TYPE_PTY)
            g_clear_pointer(&def->consoles[i]->path, g_free);
    }
    for (i = 0; i < def->ngraphics; i++) {
        if (def->graphics[i]->autoport)
            def->graphics[i]->port = -1;
    }
    for (i = 0; i < def->nvideos; i++)
        g_clear_pointer(&def->videos[i]->info.alias, g_free);
    if (def->memballoon)
        g_clear_pointer(&def->memballoon->info.alias, g_free);
    for (i = 0; i < def->nchannels; i++) {
        g_clear_pointer(&def->channels[i]->info.alias, g_free);
        if (virDomainChrPathIsAuto(def->channels[i]))
            g_clear_pointer(&def->channels[i]->path, g_free);
    }
    for (i = 0; i < def->ninputs; i++)
        g_clear_pointer(&def->inputs[i]->info.alias, g_free);
    for (i = 0; i < def->nsounds; i++)
        g_clear_pointer(&def->sounds[i]->info.alias, g_free);
    for (i = 0; i < def->nrngs; i++)
        g_clear_pointer(&def->rngs[i]->info.alias, g_free);
    for (i = 0; i < def->nseclabels; i++)
        virDomainXMLNodeClearLiveData(def->seclabels[i]);
}

/* ------------------------------------------------------------------ */
/* <domain>, <name>, <uuid>, <title>, <description>                     */

static int
virDomainDefParseIDs(virDomainDef *def, xmlXPathContext *ctxt,
                     unsigned int flags)
{
    g_autofree char *type = virXMLPropString(ctxt->node, "type");
    g_autofree char *uuid = NULL;

    if (!type) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("missing domain type attribute"));
        return -1;
    }
    if ((def->virtType = virDomainVirtTypeFromString(type)) < 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("invalid domain type %1$s"), type);
        return -1;
    }
    if (!(flags & VIR_DOMAIN_DEF_PARSE_INACTIVE) &&
        virXMLPropInt(ctxt->node, "id", 10, VIR_XML_PROP_NONE, &def->id) < 0)
        return -1;

    if (!(def->name = virXPathString("string(./name[1])", ctxt))) {
        virDomainReportErrorNoDetail(VIR_ERR_NO_NAME, VIR_FROM_THIS);
        return -1;
    }
    if (strchr(def->name, '/')) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("name %1$s cannot contain '/'"), def->name);
        return -1;
    }

    if (!(uuid = virXPathString("string(./uuid[1])", ctxt))) {
        if (virUUIDGenerate(def->uuid) < 0)
            return -1;
    } else if (virUUIDParse(uuid, def->uuid) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("malformed uuid element"));
        return -1;
    }

    def->title = virXPathString("string(./title[1])", ctxt);
    if (def->title && strchr(def->title, '\n')) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("Domain title can't contain newlines"));
        return -1;
    }
    def->description = virXPathString("string(./description[1])", ctxt);
    return 0;
}

/* ------------------------------------------------------------------ */
/* <memory>, <currentMemory>, <vcpu>                                    */

/* libvirt's unit suffixes: b/byte/bytes; k, KiB (1024); KB (1000); and
 * likewise M, G, T, P, E.  No unit means KiB.  Case-insensitive. */
static int
virDomainScaleToKiB(unsigned long long value, const char *unit,
                    unsigned long long *kib)
{
    static const char powers[] = "kmgtpe";
    unsigned long long scale = 1;
    unsigned long long base;
    const char *p;
    size_t i;

    if (!unit || !*unit) {
        scale = 1024;
    } else if (g_ascii_strcasecmp(unit, "b") == 0 ||
               g_ascii_strcasecmp(unit, "byte") == 0 ||
               g_ascii_strcasecmp(unit, "bytes") == 0) {
        scale = 1;
    } else {
        if (!unit[1] || g_ascii_strcasecmp(unit + 1, "iB") == 0) {
            base = 1024;
        } else if (g_ascii_tolower(unit[1]) == 'b' && !unit[2]) {
            base = 1000;
        } else {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("unknown suffix '%1$s'"), unit);
            return -1;
        }
        if (!(p = strchr(powers, g_ascii_tolower(unit[0]))) || !*p) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("unknown suffix '%1$s'"), unit);
            return -1;
        }
        for (i = 0; i <= (size_t)(p - powers); i++)
            scale *= base;
    }
    if (value && value > (unsigned long long)G_MAXINT64 / scale) {
        virReportError(VIR_ERR_OVERFLOW, _("value too large: %1$llu%2$s"),
                       value, unit ? unit : "");
        return -1;
    }
    *kib = (value * scale + 1023) / 1024;
    return 0;
}

/* Reads a scaled size element such as <memory unit='MiB'>256</memory>
 * into KiB; leaves *@kib untouched if the element is absent. */
static int
virDomainParseMemory(const char *xpath, xmlXPathContext *ctxt,
                     unsigned long long *kib)
{
    unsigned long long value = 0;
    g_autofree char *unit = NULL;
    int rc;

    if ((rc = virXPathULongLong(xpath, ctxt, &value)) <= 0)
        return rc;
    unit = virXMLPropString(virXPathNode(xpath, ctxt), "unit");
    return virDomainScaleToKiB(value, unit, kib);
}

static int
virDomainDefParseVcpus(virDomainDef *def, xmlXPathContext *ctxt)
{
    xmlNodePtr node = virXPathNode("./vcpu[1]", ctxt);
    g_autofree char *unsupported = NULL;
    unsigned long long count;
    int placement;
    int rc;

    def->vcpus = 1;
    if (!node)
        return 0;
    if ((rc = virXPathULongLong("./vcpu[1]", ctxt, &count)) < 0 ||
        count > G_MAXUINT) {
        virResetLastError();
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("maximum vcpus count must be an integer"));
        return -1;
    }
    if (rc > 0)
        def->vcpus = (unsigned int)count;
    if (virXMLPropUInt(node, "current", 10, VIR_XML_PROP_NONE,
                       &def->vcpusCurrent) < 0) {
        virResetLastError();
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("current vcpus count must be an integer"));
        return -1;
    }
    rc = virDomainParseEnumAttr(node, "placement",
                                virDomainCPUPlacementTypeFromString,
                                virDomainPlacementUnsupported,
                                &placement, &unsupported);
    if (rc == -2) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("vcpu placement '%1$s' is not supported"),
                       unsupported);
    }
    return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* <os>, <features>, <clock>, lifecycle actions                         */

static int
virDomainDefParseBoot(virDomainDef *def, xmlXPathContext *ctxt)
{
    g_autofree xmlNodePtr *nodes = NULL;
    int n;
    int i;

    if ((n = virXPathNodeSet("./os/boot", ctxt, &nodes)) < 0)
        return -1;
    if (n > VIR_DOMAIN_BOOT_LAST) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("at most %1$d <boot> elements are supported"),
                       VIR_DOMAIN_BOOT_LAST);
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (virXMLPropEnum(nodes[i], "dev", virDomainBootTypeFromString,
                           VIR_XML_PROP_REQUIRED,
                           &def->os.bootDevs[def->os.nBootDevs]) < 0)
            return -1;
        def->os.nBootDevs++;
    }
    return 0;
}

static int
virDomainDefParseOS(virDomainDef *def, xmlXPathContext *ctxt)
{
    xmlNodePtr type = virXPathNode("./os/type[1]", ctxt);

    if (!type || !(def->os.type = virXPathString("string(./os/type[1])", ctxt))) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("an os <type> must be specified"));
        return -1;
    }
    if (!g_str_equal(def->os.type, "hvm")) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("OS type '%1$s' is not supported"), def->os.type);
        return -1;
    }
    def->os.arch = virXMLPropString(type, "arch");
    def->os.machine = virXMLPropString(type, "machine");
    def->os.kernel = virXPathString("string(./os/kernel[1])", ctxt);
    def->os.initrd = virXPathString("string(./os/initrd[1])", ctxt);
    def->os.cmdline = virXPathString("string(./os/cmdline[1])", ctxt);
    return virDomainDefParseBoot(def, ctxt);
}

static int
virDomainDefParseFeatures(virDomainDef *def, xmlXPathContext *ctxt)
{
    xmlNodePtr features = virXPathNode("./features[1]", ctxt);
    xmlNodePtr cur;

    if (!features)
        return 0;
    for (cur = features->children; cur; cur = cur->next) {
        int feat;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        /* the whitelist admits only the elements of virDomainFeature */
        if ((feat = virDomainFeatureTypeFromString((const char *)cur->name)) < 0)
            continue;
        def->features[feat] = VIR_TRISTATE_SWITCH_ON;
        if (feat == VIR_DOMAIN_FEATURE_VMPORT &&
            virXMLPropEnum(cur, "state", virTristateSwitchTypeFromString,
                           VIR_XML_PROP_REQUIRED | VIR_XML_PROP_NONZERO,
                           &def->features[feat]) < 0)
            return -1;
    }
    return 0;
}

static int
virDomainDefParseClock(virDomainDef *def, xmlXPathContext *ctxt)
{
    xmlNodePtr node = virXPathNode("./clock[1]", ctxt);
    g_autofree char *offset = NULL;

    def->clockOffset = VIR_DOMAIN_CLOCK_OFFSET_UTC;
    if (virDomainDefParseTimers(def, node) < 0)
        return -1;
    if (!node || !(offset = virXMLPropString(node, "offset")))
        return 0;
    if ((def->clockOffset = virDomainClockOffsetTypeFromString(offset)) >= 0)
        return 0;
    if (g_strv_contains(virDomainClockOffsetUnsupported, offset)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("clock offset '%1$s' is not supported"), offset);
    } else {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unknown clock offset '%1$s'"), offset);
    }
    return -1;
}

static int
virDomainDefParseLifecycle(xmlXPathContext *ctxt, const char *name,
                           int *action)
{
    g_autofree char *xpath = g_strdup_printf("string(./%s[1])", name);
    g_autofree char *val = virXPathString(xpath, ctxt);

    if (!val)
        return 0;
    if ((*action = virDomainLifecycleActionTypeFromString(val)) >= 0)
        return 0;
    if (g_strv_contains(virDomainLifecycleUnsupported, val)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("%1$s action '%2$s' is not supported"), name, val);
    } else {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unknown %1$s action: %2$s"), name, val);
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* <cpu>                                                                */

static int
virCPUDefParseFeatures(virCPUDef *cpu, xmlXPathContext *ctxt)
{
    g_autofree xmlNodePtr *nodes = NULL;
    int n;
    int i;
    size_t j;

    if ((n = virXPathNodeSet("./feature", ctxt, &nodes)) <= 0)
        return n;
    cpu->features = g_new0(virCPUFeatureDef, n);
    for (i = 0; i < n; i++) {
        virCPUFeatureDef *feat = &cpu->features[cpu->nfeatures];
        g_autofree char *policy = virXMLPropString(nodes[i], "policy");

        feat->policy = VIR_CPU_FEATURE_REQUIRE;
        if (policy &&
            (feat->policy = virCPUFeaturePolicyTypeFromString(policy)) < 0) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("Invalid CPU feature policy"));
            return -1;
        }
        if (!(feat->name = virXMLPropString(nodes[i], "name")) ||
            !*feat->name) {
            g_clear_pointer(&feat->name, g_free);
            virReportError(VIR_ERR_XML_ERROR, "%s",
                           _("Missing CPU feature name"));
            return -1;
        }
        cpu->nfeatures++;
        for (j = 0; j + 1 < cpu->nfeatures; j++) {
            if (g_str_equal(cpu->features[j].name, feat->name)) {
                virReportError(VIR_ERR_XML_ERROR,
                               _("CPU feature '%1$s' specified more than once"),
                               feat->name);
                return -1;
            }
        }
    }
    return 0;
}

static int
virCPUDefParseTopology(virCPUDef *cpu, xmlNodePtr node)
{
    const virXMLPropFlags req = VIR_XML_PROP_REQUIRED | VIR_XML_PROP_NONZERO;

    if (!node)
        return 0;
    cpu->dies = 1;
    if (virXMLPropUInt(node, "sockets", 10, req, &cpu->sockets) < 0 ||
        virXMLPropUInt(node, "dies", 10, VIR_XML_PROP_NONZERO, &cpu->dies) < 0 ||
        virXMLPropUInt(node, "cores", 10, req, &cpu->cores) < 0 ||
        virXMLPropUInt(node, "threads", 10, req, &cpu->threads) < 0)
        return -1;
    return 0;
}

static int
virCPUDefParseModel(virCPUDef *cpu, xmlNodePtr node)
{
    if (!node)
        return 0;
    cpu->model = virXMLNodeContentString(node);
    g_strstrip(cpu->model);
    if (!*cpu->model) {
        virReportError(VIR_ERR_XML_ERROR, "%s", _("Missing CPU model name"));
        return -1;
    }
    if (virXMLPropEnum(node, "fallback", virCPUFallbackTypeFromString,
                       VIR_XML_PROP_NONE, &cpu->fallback) < 0)
        return -1;
    return 0;
}

static int
virCPUDefParseAttrs(virCPUDef *cpu, xmlNodePtr node)
{
    g_autofree char *unsupported = NULL;
    int rc;

    rc = virDomainParseEnumAttr(node, "mode", virCPUModeTypeFromString,
                                virCPUModeUnsupported, &cpu->mode,
                                &unsupported);
    if (rc == -2) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("CPU mode '%1$s' is not supported"), unsupported);
        return -1;
    }
    if (rc < 0 ||
        virXMLPropEnum(node, "match", virCPUMatchTypeFromString,
                       VIR_XML_PROP_NONZERO, &cpu->match) < 0 ||
        virXMLPropEnum(node, "check", virCPUCheckTypeFromString,
                       VIR_XML_PROP_NONZERO, &cpu->check) < 0 ||
        virXMLPropEnum(node, "migratable", virTristateSwitchTypeFromString,
                       VIR_XML_PROP_NONZERO, &cpu->migratable) < 0)
        return -1;
    return 0;
}

static int
virCPUDefParseXML(virDomainDef *def, xmlXPathContext *ctxt)
{
    xmlNodePtr node = virXPathNode("./cpu[1]", ctxt);
    xmlNodePtr saved = ctxt->node;
    g_autoptr(virCPUDef) cpu = NULL;
    int ret = -1;

    if (!node)
        return 0;
    cpu = g_new0(virCPUDef, 1);
    ctxt->node = node;
    if (virCPUDefParseAttrs(cpu, node) < 0 ||
        virCPUDefParseModel(cpu, virXMLNodeGetChild(node, "model")) < 0 ||
        virCPUDefParseTopology(cpu, virXMLNodeGetChild(node, "topology")) < 0 ||
        virCPUDefParseFeatures(cpu, ctxt) < 0)
        goto cleanup;
    if (cpu->model && cpu->mode == VIR_CPU_MODE_CUSTOM &&
        cpu->match == VIR_CPU_MATCH_DEFAULT)
        cpu->match = VIR_CPU_MATCH_EXACT;
    def->cpu = g_steal_pointer(&cpu);
    ret = 0;
 cleanup:
    ctxt->node = saved;
    return ret;
}

/* ------------------------------------------------------------------ */
/* the document                                                         */

static int
virDomainDefParsePassthrough(virDomainDef *def, xmlXPathContext *ctxt,
                             unsigned int flags)
{
    g_autofree xmlNodePtr *nodes = NULL;
    xmlNodePtr node;
    int n;
    int i;

    if ((node = virXPathNode("./metadata[1]", ctxt)))
        def->metadata = virDomainXMLNodeNew(node, flags);
    if ((n = virXPathNodeSet("./resource", ctxt, &nodes)) > 1) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("only one resource element is supported"));
        return -1;
    }
    if (n == 1)
        def->resource = virDomainXMLNodeNew(nodes[0], flags);
    g_clear_pointer(&nodes, g_free);
    if ((n = virXPathNodeSet("./seclabel", ctxt, &nodes)) < 0)
        return -1;
    for (i = 0; i < n; i++) {
        VIR_APPEND_ELEMENT(def->seclabels, def->nseclabels,
                           virDomainXMLNodeNew(nodes[i], flags));
    }
    return 0;
}

static virDomainDef *
virDomainDefParseXML(xmlXPathContext *ctxt, unsigned int flags)
{
    g_autoptr(virDomainDef) def = virDomainDefNew();

    if (virDomainDefParseIDs(def, ctxt, flags) < 0 ||
        virDomainParseMemory("./memory[1]", ctxt, &def->memory) < 0 ||
        virDomainParseMemory("./currentMemory[1]", ctxt,
                             &def->currentMemory) < 0 ||
        virDomainDefParseVcpus(def, ctxt) < 0 ||
        virDomainDefParseOS(def, ctxt) < 0 ||
        virDomainDefParseFeatures(def, ctxt) < 0 ||
        virCPUDefParseXML(def, ctxt) < 0 ||
        virDomainDefParseClock(def, ctxt) < 0 ||
        virDomainDefParseLifecycle(ctxt, "on_poweroff", &def->onPoweroff) < 0 ||
        virDomainDefParseLifecycle(ctxt, "on_reboot", &def->onReboot) < 0 ||
        virDomainDefParseLifecycle(ctxt, "on_crash", &def->onCrash) < 0 ||
        virDomainDefParsePM(def, ctxt) < 0 ||
        virDomainDefParseDevices(def, ctxt, flags) < 0 ||
        virDomainDefParsePassthrough(def, ctxt, flags) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

virDomainDef *
virDomainDefParseString(const char *xml, unsigned int flags)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(virDomainDef) def = NULL;

    if (!virCheckFlags(flags, VIR_DOMAIN_DEF_PARSE_INACTIVE |
                       VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE |
                       VIR_DOMAIN_DEF_PARSE_STATUS))
        return NULL;
    if (!xml) {
        virReportError(VIR_ERR_INVALID_ARG, "%s", _("no domain XML given"));
        return NULL;
    }
    if (!(doc = virXMLParseString(xml, "(domain_definition)", "domain",
                                  VIR_FROM_THIS, &ctxt)))
        return NULL;
    if (virDomainXMLCheckSupported(ctxt->node) < 0 ||
        !(def = virDomainDefParseXML(ctxt, flags)) ||
        virDomainDefPostParse(def, flags) < 0)
        return NULL;
    if (!(flags & VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE) &&
        virDomainDefValidate(def) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

virDomainDef *
virDomainDefCopy(const virDomainDef *def, bool live)
{
    unsigned int fflags = VIR_DOMAIN_DEF_FORMAT_SECURE;
    unsigned int pflags = VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE;
    g_autofree char *xml = NULL;

    if (!live) {
        fflags |= VIR_DOMAIN_DEF_FORMAT_INACTIVE;
        pflags |= VIR_DOMAIN_DEF_PARSE_INACTIVE;
    }
    if (!(xml = virDomainDefFormat(def, fflags)))
        return NULL;
    return virDomainDefParseString(xml, pflags);
}
