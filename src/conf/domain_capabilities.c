/*
 * domain_capabilities.c: libvirt's domain capabilities document
 *
 * The element order and shapes are those of libvirt 9.0 (an element
 * with supported='no' has no children).  Enum values are taken from
 * the enums the domain XML parser accepts, so that the document cannot
 * advertise a value virtmig would refuse.
 */
#include <string.h>

#include "domain_capabilities.h"

/* libvirt 9.0's virArch names (src/util/virarch.c), VIR_ARCH_NONE
 * excepted: it is "unknown architecture" there too. */
static const char *const virDomainCapsArchNames[] = {
    "alpha", "armv6l", "armv7l", "armv7b", "aarch64", "cris", "i686",
    "ia64", "lm32", "loongarch64", "m68k", "microblaze", "microblazeel",
    "mips", "mipsel", "mips64", "mips64el", "openrisc", "parisc",
    "parisc64", "ppc", "ppcle", "ppc64", "ppc64le", "ppcemb", "riscv32",
    "riscv64", "s390", "s390x", "sh4", "sh4eb", "sparc", "sparc64",
    "unicore32", "x86_64", "xtensa", "xtensaeb", NULL
};

/* The architectures of libvirt 9.0's CPU drivers (src/cpu/cpu_*.c). */
static const char *const virDomainCapsCPUDriverArchs[] = {
    "i686", "x86_64", "ppc64", "ppc64le", "s390", "s390x", "armv6l",
    "armv7l", "armv7b", "aarch64", NULL
};

/* libvirt 9.0's virDomainVirtType names. */
static const char *const virDomainCapsVirtTypes[] = {
    "none", "qemu", "kqemu", "kvm", "xen", "lxc", "uml", "openvz", "test",
    "vmware", "hyperv", "vbox", "phyp", "parallels", "bhyve", "vz", "hvf",
    NULL
};

bool
virDomainCapsArchIsKnown(const char *name)
{
    return g_strv_contains(virDomainCapsArchNames, name);
}

bool
virDomainCapsArchHasCPUDriver(const char *arch)
{
    return g_strv_contains(virDomainCapsCPUDriverArchs, arch);
}

bool
virDomainCapsArchIsX86(const char *arch)
{
    return g_str_equal(arch, "x86_64") || g_str_equal(arch, "i686");
}

bool
virDomainCapsVirtTypeIsKnown(const char *name)
{
    return g_strv_contains(virDomainCapsVirtTypes, name);
}

void
virDomainCapsFree(virDomainCaps *caps)
{
    size_t i;

    if (!caps)
        return;
    for (i = 0; i < caps->nmodels; i++)
        g_free(caps->models[i].name);
    g_free(caps->models);
    g_free(caps->path);
    g_free(caps->machine);
    g_free(caps->arch);
    g_free(caps->hostModel);
    g_free(caps);
}

/* ---- formatting helpers ---- */

/* <enum name='NAME'> with @values (NULL-terminated; empty: <enum/>). */
static void
virDomainCapsEnumFormat(virXMLBuf *buf, const char *name,
                        const char *const *values)
{
    if (!values || !values[0]) {
        virXMLBufAsprintf(buf, "<enum name='%s'/>\n", name);
        return;
    }
    virXMLBufAsprintf(buf, "<enum name='%s'>\n", name);
    virXMLBufAdjustIndent(buf, 2);
    for (; *values; values++)
        virXMLBufEscapeString(buf, "<value>%s</value>\n", *values);
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</enum>\n");
}

/* Every value of a parser enum: @toString(0 .. @last - 1). */
static void
virDomainCapsEnumFormatAll(virXMLBuf *buf, const char *name,
                           const char *(*toString)(int), int last)
{
    g_autoptr(GPtrArray) values = g_ptr_array_new();
    int i;

    for (i = 0; i < last; i++)
        g_ptr_array_add(values, (gpointer)toString(i));
    g_ptr_array_add(values, NULL);
    virDomainCapsEnumFormat(buf, name, (const char *const *)values->pdata);
}

static void
virDomainCapsUnsupported(virXMLBuf *buf, const char *element)
{
    virXMLBufAsprintf(buf, "<%s supported='no'/>\n", element);
}

/* ---- sections ---- */

/* No <loader>/<nvram> and no firmware auto-selection: BIOS only. */
static void
virDomainCapsOSFormat(virXMLBuf *buf)
{
    virXMLBufAdd(buf, "<os supported='yes'>\n");
    virXMLBufAdjustIndent(buf, 2);
    virDomainCapsEnumFormat(buf, "firmware", NULL);
    virDomainCapsUnsupported(buf, "loader");
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</os>\n");
}

static void
virDomainCapsCPUFormat(virXMLBuf *buf, const virDomainCaps *caps)
{
    static const char *const onOff[] = { "on", "off", NULL };
    size_t i;

    virXMLBufAdd(buf, "<cpu>\n");
    virXMLBufAdjustIndent(buf, 2);

    if (caps->hostPassthrough) {
        virXMLBufAdd(buf, "<mode name='host-passthrough' supported='yes'>\n");
        virXMLBufAdjustIndent(buf, 2);
        virDomainCapsEnumFormat(buf, "hostPassthroughMigratable", onOff);
        virXMLBufAdjustIndent(buf, -2);
        virXMLBufAdd(buf, "</mode>\n");
    } else {
        virXMLBufAdd(buf, "<mode name='host-passthrough' supported='no'/>\n");
    }
    /* <cpu mode='maximum'> is refused by the parser */
    virXMLBufAdd(buf, "<mode name='maximum' supported='no'/>\n");

    if (caps->hostModel) {
        virXMLBufAdd(buf, "<mode name='host-model' supported='yes'>\n");
        virXMLBufAdjustIndent(buf, 2);
        virXMLBufEscapeString(buf, "<model fallback='forbid'>%s</model>\n",
                              caps->hostModel);
        virXMLBufAdjustIndent(buf, -2);
        virXMLBufAdd(buf, "</mode>\n");
    } else {
        virXMLBufAdd(buf, "<mode name='host-model' supported='no'/>\n");
    }

    if (caps->nmodels == 0) {
        virXMLBufAdd(buf, "<mode name='custom' supported='no'/>\n");
    } else {
        virXMLBufAdd(buf, "<mode name='custom' supported='yes'>\n");
        virXMLBufAdjustIndent(buf, 2);
        for (i = 0; i < caps->nmodels; i++) {
            virXMLBufAsprintf(buf, "<model usable='%s'>",
                              caps->models[i].usable ? "yes" : "no");
            virXMLBufEscapeString(buf, "%s</model>\n", caps->models[i].name);
        }
        virXMLBufAdjustIndent(buf, -2);
        virXMLBufAdd(buf, "</mode>\n");
    }

    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</cpu>\n");
}

/* A supported device whose one enum lists every value of a parser enum. */
static void
virDomainCapsDeviceFormat(virXMLBuf *buf, const char *element,
                          const char *enumName, const char *(*toString)(int),
                          int last)
{
    virXMLBufAsprintf(buf, "<%s supported='yes'>\n", element);
    virXMLBufAdjustIndent(buf, 2);
    virDomainCapsEnumFormatAll(buf, enumName, toString, last);
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAsprintf(buf, "</%s>\n", element);
}

static void
virDomainCapsDevicesFormat(virXMLBuf *buf)
{
    /* the parser's <channel> accepts type='unix' only (the serial and
     * console types of virDomainChr are not channel sources) */
    static const char *const channelTypes[] = { "unix", NULL };
    static const char *const rngModels[] = { "virtio", NULL };
    static const char *const rngBackends[] = { "random", NULL };

    virXMLBufAdd(buf, "<devices>\n");
    virXMLBufAdjustIndent(buf, 2);

    virXMLBufAdd(buf, "<disk supported='yes'>\n");
    virXMLBufAdjustIndent(buf, 2);
    virDomainCapsEnumFormatAll(buf, "diskDevice", virDomainDiskDeviceTypeToString,
                               VIR_DOMAIN_DISK_DEVICE_LAST);
    virDomainCapsEnumFormatAll(buf, "bus", virDomainDiskBusTypeToString,
                               VIR_DOMAIN_DISK_BUS_LAST);
    /* <disk model=...> is not accepted */
    virDomainCapsEnumFormat(buf, "model", NULL);
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</disk>\n");

    virDomainCapsDeviceFormat(buf, "graphics", "type",
                              virDomainGraphicsTypeToString,
                              VIR_DOMAIN_GRAPHICS_TYPE_LAST);
    virDomainCapsDeviceFormat(buf, "video", "modelType",
                              virDomainVideoTypeToString,
                              VIR_DOMAIN_VIDEO_TYPE_LAST);

    virDomainCapsUnsupported(buf, "hostdev");

    virXMLBufAdd(buf, "<rng supported='yes'>\n");
    virXMLBufAdjustIndent(buf, 2);
    virDomainCapsEnumFormat(buf, "model", rngModels);
    virDomainCapsEnumFormat(buf, "backendModel", rngBackends);
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</rng>\n");

    virDomainCapsUnsupported(buf, "filesystem");
    virDomainCapsUnsupported(buf, "tpm");
    virDomainCapsUnsupported(buf, "redirdev");

    virXMLBufAdd(buf, "<channel supported='yes'>\n");
    virXMLBufAdjustIndent(buf, 2);
    virDomainCapsEnumFormat(buf, "type", channelTypes);
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</channel>\n");

    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</devices>\n");
}

/* None of libvirt's optional features is accepted by the parser. */
static void
virDomainCapsFeaturesFormat(virXMLBuf *buf)
{
    static const char *const features[] = {
        "gic", "vmcoreinfo", "genid", "backingStoreInput", "backup", "sev",
        "sgx", "hyperv", NULL
    };
    const char *const *f;

    virXMLBufAdd(buf, "<features>\n");
    virXMLBufAdjustIndent(buf, 2);
    for (f = features; *f; f++)
        virDomainCapsUnsupported(buf, *f);
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</features>\n");
}

char *
virDomainCapsFormat(const virDomainCaps *caps)
{
    g_auto(virXMLBuf) buf;

    virXMLBufInit(&buf);
    virXMLBufAdd(&buf, "<domainCapabilities>\n");
    virXMLBufAdjustIndent(&buf, 2);
    virXMLBufEscapeString(&buf, "<path>%s</path>\n", caps->path);
    virXMLBufAsprintf(&buf, "<domain>%s</domain>\n",
                      virDomainVirtTypeToString(caps->virtType));
    virXMLBufEscapeString(&buf, "<machine>%s</machine>\n", caps->machine);
    virXMLBufEscapeString(&buf, "<arch>%s</arch>\n", caps->arch);
    virXMLBufAsprintf(&buf, "<vcpu max='%u'/>\n", caps->maxvcpus);
    virDomainCapsUnsupported(&buf, "iothreads");
    virDomainCapsOSFormat(&buf);
    virDomainCapsCPUFormat(&buf, caps);
    virDomainCapsUnsupported(&buf, "memoryBacking");
    virDomainCapsDevicesFormat(&buf);
    virDomainCapsFeaturesFormat(&buf);
    virXMLBufAdjustIndent(&buf, -2);
    virXMLBufAdd(&buf, "</domainCapabilities>\n");
    return virXMLBufContentAndReset(&buf);
}
