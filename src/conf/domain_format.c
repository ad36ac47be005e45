/*
 * domain_format.c: domain definition -> libvirt-style XML
 *
 * Element order, attribute order, quoting and indentation follow what
 * libvirt 9.0 prints (virDomainDefFormatInternal), so that virsh users
 * see familiar XML and Format(Parse(Format(x))) == Format(x).
 */
#include "domain_conf_priv.h"
#include "virerror.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

/* Runtime data of this host that another host must not inherit. */
static bool
virDomainFormatHostLocal(unsigned int flags)
{
    return !(flags & (VIR_DOMAIN_DEF_FORMAT_INACTIVE |
                      VIR_DOMAIN_DEF_FORMAT_MIGRATABLE));
}

/* Emits "<name>" + escaped text + "</name>" if @text is set. */
static void
virDomainFormatTextElement(virXMLBuf *buf, const char *name, const char *text)
{
    g_autofree char *esc = NULL;

    if (!text)
        return;
    esc = virXMLEscapeString(text);
    virXMLBufAsprintf(buf, "<%s>%s</%s>\n", name, esc, name);
}

void
virDomainFormatElement(virXMLBuf *buf, const char *name, virXMLBuf *attrs,
                       virXMLBuf *children)
{
    virXMLBufAsprintf(buf, "<%s%s", name, attrs->str->str);
    if (children->str->len == 0) {
        virXMLBufAdd(buf, "/>\n");
        return;
    }
    virXMLBufAdd(buf, ">\n");
    g_string_append(buf->str, children->str->str);
    virXMLBufAsprintf(buf, "</%s>\n", name);
}

/* Starts a child buffer indented one level below @parent. */
static void
virDomainChildBufInit(virXMLBuf *child, const virXMLBuf *parent)
{
    virXMLBufInit(child);
    child->indent = parent->indent + 2;
}

/* ------------------------------------------------------------------ */
/* device info                                                          */

static void
virDomainUSBAddressFormat(virXMLBuf *buf, const virDomainDeviceUSBAddress *usb)
{
    size_t i;

    virXMLBufAsprintf(buf, "<address type='usb' bus='%u'", usb->bus);
    for (i = 0; i < VIR_DOMAIN_DEVICE_USB_MAX_PORT_DEPTH && usb->port[i]; i++)
        virXMLBufAsprintf(buf, "%s%u", i == 0 ? " port='" : ".", usb->port[i]);
    virXMLBufAdd(buf, i > 0 ? "'/>\n" : "/>\n");
}

static void
virDomainDeviceAddressFormat(virXMLBuf *buf, const virDomainDeviceInfo *info)
{
    const virPCIDeviceAddress *pci = &info->addr.pci;
    const virDomainDeviceDriveAddress *drive = &info->addr.drive;

    switch ((virDomainDeviceAddressType)info->type) {
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_PCI:
        virXMLBufAsprintf(buf, "<address type='pci' domain='0x%04x' bus='0x%02x'",
                          pci->domain, pci->bus);
        virXMLBufAsprintf(buf, " slot='0x%02x' function='0x%x'",
                          pci->slot, pci->function);
        if (pci->multi != VIR_TRISTATE_SWITCH_ABSENT)
            virXMLBufAsprintf(buf, " multifunction='%s'",
                              virTristateSwitchTypeToString(pci->multi));
        virXMLBufAdd(buf, "/>\n");
        break;
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE:
        virXMLBufAsprintf(buf, "<address type='drive' controller='%u' bus='%u'",
                          drive->controller, drive->bus);
        virXMLBufAsprintf(buf, " target='%u' unit='%u'/>\n",
                          drive->target, drive->unit);
        break;
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_VIRTIO_SERIAL:
        virXMLBufAsprintf(buf, "<address type='virtio-serial' controller='%u' bus='%u' port='%u'/>\n",
                          info->addr.vioserial.controller,
                          info->addr.vioserial.bus, info->addr.vioserial.port);
        break;
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_USB:
        virDomainUSBAddressFormat(buf, &info->addr.usb);
        break;
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE:
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_LAST:
        break;
    }
}

/* <boot> and <alias>: what comes before a device's address */
static void
virDomainDeviceInfoFormatHead(virXMLBuf *buf, const virDomainDeviceInfo *info,
                              unsigned int flags)
{
    if (info->bootIndex)
        virXMLBufAsprintf(buf, "<boot order='%u'/>\n", info->bootIndex);
    if (!(flags & VIR_DOMAIN_DEF_FORMAT_INACTIVE))
        virXMLBufEscapeString(buf, "<alias name='%s'/>\n", info->alias);
}

void
virDomainDeviceInfoFormat(virXMLBuf *buf, const virDomainDeviceInfo *info,
                          unsigned int flags)
{
    virDomainDeviceInfoFormatHead(buf, info, flags);
    virDomainDeviceAddressFormat(buf, info);
}

/* ------------------------------------------------------------------ */
/* devices                                                              */

static void
virDomainDiskDefFormat(virXMLBuf *buf, const virDomainDiskDef *disk,
                       unsigned int flags)
{
    g_auto(virXMLBuf) child = { 0 };

    virDomainChildBufInit(&child, buf);
    virXMLBufAsprintf(buf, "<disk type='%s' device='%s'>\n",
                      virDomainDiskTypeToString(disk->type),
                      virDomainDiskDeviceTypeToString(disk->device));
    if (disk->driverName || disk->format || disk->cache) {
        virXMLBufAdd(&child, "<driver");
        virXMLBufEscapeString(&child, " name='%s'", disk->driverName);
        if (disk->format)
            virXMLBufAsprintf(&child, " type='%s'",
                              virDomainDiskFormatTypeToString(disk->format));
        if (disk->cache)
            virXMLBufAsprintf(&child, " cache='%s'",
                              virDomainDiskCacheTypeToString(disk->cache));
        virXMLBufAdd(&child, "/>\n");
    }
    if (disk->src) {
        const char *attr = disk->type == VIR_DOMAIN_DISK_TYPE_BLOCK ? "dev" : "file";

        virXMLBufAsprintf(&child, "<source %s", attr);
        virXMLBufEscapeString(&child, "='%s'", disk->src);
        if (disk->srcIndex && virDomainFormatHostLocal(flags))
            virXMLBufAsprintf(&child, " index='%u'", disk->srcIndex);
        virXMLBufAdd(&child, "/>\n");
    }
    if (disk->backingStore)
        virXMLBufAdd(&child, "<backingStore/>\n");
    virXMLBufEscapeString(&child, "<target dev='%s'", disk->dst);
    virXMLBufAsprintf(&child, " bus='%s'/>\n",
                      virDomainDiskBusTypeToString(disk->bus));
    if (disk->readonly)
        virXMLBufAdd(&child, "<readonly/>\n");
    if (disk->shareable)
        virXMLBufAdd(&child, "<shareable/>\n");
    virDomainDeviceInfoFormat(&child, &disk->info, flags);
    g_string_append(buf->str, child.str->str);
    virXMLBufAdd(buf, "</disk>\n");
}

static void
virDomainControllerDefFormat(virXMLBuf *buf, const virDomainControllerDef *ctrl,
                             unsigned int flags)
{
    g_auto(virXMLBuf) attrs = { 0 };
    g_auto(virXMLBuf) child = { 0 };

    virXMLBufInit(&attrs);
    virDomainChildBufInit(&child, buf);
    virXMLBufAsprintf(&attrs, " type='%s' index='%u'",
                      virDomainControllerTypeToString(ctrl->type), ctrl->idx);
    if (ctrl->model)
        virXMLBufAsprintf(&attrs, " model='%s'",
                          virDomainControllerModelTypeToString(ctrl->model));
    if (ctrl->ports >= 0)
        virXMLBufAsprintf(&attrs, " ports='%d'", ctrl->ports);
    virXMLBufEscapeString(&child, "<model name='%s'/>\n", ctrl->modelName);
    if (ctrl->chassisNr >= 0 || ctrl->chassis >= 0 || ctrl->port >= 0) {
        virXMLBufAdd(&child, "<target");
        if (ctrl->chassisNr >= 0)
            virXMLBufAsprintf(&child, " chassisNr='%d'", ctrl->chassisNr);
        if (ctrl->chassis >= 0)
            virXMLBufAsprintf(&child, " chassis='%d'", ctrl->chassis);
        if (ctrl->port >= 0)
            virXMLBufAsprintf(&child, " port='0x%x'", ctrl->port);
        virXMLBufAdd(&child, "/>\n");
    }
    virDomainDeviceInfoFormatHead(&child, &ctrl->info, flags);
    if (ctrl->startport >= 0)
        virXMLBufAsprintf(&child, "<master startport='%d'/>\n", ctrl->startport);
    virDomainDeviceAddressFormat(&child, &ctrl->info);
    virDomainFormatElement(buf, "controller", &attrs, &child);
}

static void
virDomainNetDefFormat(virXMLBuf *buf, const virDomainNetDef *net,
                      unsigned int flags)
{
    g_auto(virXMLBuf) child = { 0 };
    char mac[VIR_MAC_STRING_BUFLEN];

    virDomainChildBufInit(&child, buf);
    virXMLBufAsprintf(buf, "<interface type='%s'>\n",
                      virDomainNetTypeToString(net->type));
    virXMLBufAsprintf(&child, "<mac address='%s'/>\n",
                      virMacAddrFormat(net->mac, mac));
    virXMLBufEscapeString(&child, "<target dev='%s'/>\n", net->ifname);
    if (net->model)
        virXMLBufAsprintf(&child, "<model type='%s'/>\n",
                          virDomainNetModelTypeToString(net->model));
    virDomainDeviceInfoFormat(&child, &net->info, flags);
    g_string_append(buf->str, child.str->str);
    virXMLBufAdd(buf, "</interface>\n");
}

/* @src supplies the source and alias: the chr itself, or for the
 * console that mirrors it, serials[0] (as libvirt prints consoles). */
static void
virDomainChrDefFormat(virXMLBuf *buf, const virDomainChrDef *chr,
                      const virDomainChrDef *src, unsigned int flags)
{
    bool console = chr->deviceType == VIR_DOMAIN_CHR_DEVICE_CONSOLE;
    const char *elem = console ? "console" : "serial";
    const char *path = src->path;
    g_auto(virXMLBuf) child = { 0 };

    if (src->type == VIR_DOMAIN_CHR_TYPE_PTY && !virDomainFormatHostLocal(flags))
        path = NULL;
    virDomainChildBufInit(&child, buf);
    virXMLBufAsprintf(buf, "<%s type='%s'", elem,
                      virDomainChrTypeToString(src->type));
    if (console && src->type == VIR_DOMAIN_CHR_TYPE_PTY)
        virXMLBufEscapeString(buf, " tty='%s'", path);
    virXMLBufAdd(buf, ">\n");
    if (path) {
        virXMLBufEscapeString(&child, "<source path='%s'", path);
        if (src->append)
            virXMLBufAsprintf(&child, " append='%s'",
                              virTristateSwitchTypeToString(src->append));
        virXMLBufAdd(&child, "/>\n");
    }
    if (console) {
        virXMLBufAsprintf(&child, "<target type='serial' port='%d'/>\n",
                          chr->port);
    } else {
        virXMLBufAsprintf(&child, "<target type='isa-serial' port='%d'>\n",
                          chr->port);
        virXMLBufAdd(&child, "  <model name='isa-serial'/>\n");
        virXMLBufAdd(&child, "</target>\n");
    }
    virDomainDeviceInfoFormat(&child, &src->info, flags);
    g_string_append(buf->str, child.str->str);
    virXMLBufAsprintf(buf, "</%s>\n", elem);
}

/* passwd (secure formats only) and passwdValidTo, as libvirt: neither
 * without a password. */
static void
virDomainGraphicsPasswdFormat(virXMLBuf *buf, const virDomainGraphicsDef *gr,
                              unsigned int flags)
{
    g_autoptr(GDateTime) dt = NULL;
    g_autofree char *validTo = NULL;

    if (!gr->passwd)
        return;
    if (flags & VIR_DOMAIN_DEF_FORMAT_SECURE)
        virXMLBufEscapeString(buf, " passwd='%s'", gr->passwd);
    if (!gr->passwdExpires ||
        !(dt = g_date_time_new_from_unix_utc(gr->passwdValidTo)))
        return;
    validTo = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S");
    virXMLBufAsprintf(buf, " passwdValidTo='%s'", validTo);
}

static void
virDomainGraphicsDefFormat(virXMLBuf *buf, const virDomainGraphicsDef *gr,
                           unsigned int flags)
{
    int port = gr->port;

    if (gr->autoport && (flags & (VIR_DOMAIN_DEF_FORMAT_INACTIVE |
                                  VIR_DOMAIN_DEF_FORMAT_MIGRATABLE)))
        port = -1;
    virXMLBufAsprintf(buf, "<graphics type='%s' port='%d' autoport='%s'",
                      virDomainGraphicsTypeToString(gr->type), port,
                      gr->autoport ? "yes" : "no");
    virXMLBufEscapeString(buf, " listen='%s'", gr->listen);
    virDomainGraphicsPasswdFormat(buf, gr, flags);
    virXMLBufAdd(buf, ">\n");
    virXMLBufAdjustIndent(buf, 2);
    virXMLBufAdd(buf, "<listen type='address'");
    virXMLBufEscapeString(buf, " address='%s'", gr->listen);
    virXMLBufAdd(buf, "/>\n");
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</graphics>\n");
}

static void
virDomainVideoDefFormat(virXMLBuf *buf, const virDomainVideoDef *video,
                        unsigned int flags)
{
    g_auto(virXMLBuf) child = { 0 };

    virDomainChildBufInit(&child, buf);
    virXMLBufAdd(buf, "<video>\n");
    virXMLBufAsprintf(&child, "<model type='%s'",
                      virDomainVideoTypeToString(video->type));
    if (video->vram)
        virXMLBufAsprintf(&child, " vram='%u'", video->vram);
    if (video->heads)
        virXMLBufAsprintf(&child, " heads='%u'", video->heads);
    if (video->primary)
        virXMLBufAdd(&child, " primary='yes'");
    virXMLBufAdd(&child, "/>\n");
    virDomainDeviceInfoFormat(&child, &video->info, flags);
    g_string_append(buf->str, child.str->str);
    virXMLBufAdd(buf, "</video>\n");
}

static void
virDomainMemballoonDefFormat(virXMLBuf *buf, const virDomainMemballoonDef *mb,
                             unsigned int flags)
{
    g_auto(virXMLBuf) attrs = { 0 };
    g_auto(virXMLBuf) child = { 0 };

    virXMLBufInit(&attrs);
    virDomainChildBufInit(&child, buf);
    virXMLBufAsprintf(&attrs, " model='%s'",
                      virDomainMemballoonModelTypeToString(mb->model));
    virDomainDeviceInfoFormat(&child, &mb->info, flags);
    virDomainFormatElement(buf, "memballoon", &attrs, &child);
}

static void
virDomainDefFormatChrs(virXMLBuf *buf, const virDomainDef *def,
                       unsigned int flags)
{
    size_t i;

    for (i = 0; i < def->nserials; i++)
        virDomainChrDefFormat(buf, def->serials[i], def->serials[i], flags);
    for (i = 0; i < def->nconsoles; i++) {
        const virDomainChrDef *src = def->consoles[i];

        if (i == 0 && def->nserials > 0)
            src = def->serials[0];
        virDomainChrDefFormat(buf, def->consoles[i], src, flags);
    }
}

static void
virDomainDefFormatDevices(virXMLBuf *buf, const virDomainDef *def,
                          unsigned int flags)
{
    size_t i;

    virXMLBufAdd(buf, "<devices>\n");
    virXMLBufAdjustIndent(buf, 2);
    virDomainFormatTextElement(buf, "emulator", def->emulator);
    for (i = 0; i < def->ndisks; i++)
        virDomainDiskDefFormat(buf, def->disks[i], flags);
    for (i = 0; i < def->ncontrollers; i++)
        virDomainControllerDefFormat(buf, def->controllers[i], flags);
    for (i = 0; i < def->nnets; i++)
        virDomainNetDefFormat(buf, def->nets[i], flags);
    virDomainDefFormatChrs(buf, def, flags);
    for (i = 0; i < def->nchannels; i++)
        virDomainChannelDefFormat(buf, def->channels[i], flags);
    for (i = 0; i < def->ninputs; i++)
        virDomainInputDefFormat(buf, def->inputs[i], flags);
    for (i = 0; i < def->ngraphics; i++)
        virDomainGraphicsDefFormat(buf, def->graphics[i], flags);
    for (i = 0; i < def->nsounds; i++)
        virDomainSoundDefFormat(buf, def->sounds[i], flags);
    for (i = 0; i < def->naudios; i++)
        virDomainAudioDefFormat(buf, def->audios[i]);
    for (i = 0; i < def->nvideos; i++)
        virDomainVideoDefFormat(buf, def->videos[i], flags);
    if (def->memballoon)
        virDomainMemballoonDefFormat(buf, def->memballoon, flags);
    for (i = 0; i < def->nrngs; i++)
        virDomainRNGDefFormat(buf, def->rngs[i], flags);
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</devices>\n");
}

/* ------------------------------------------------------------------ */
/* domain-wide sections                                                 */

static void
virDomainDefFormatOS(virXMLBuf *buf, const virDomainDef *def)
{
    size_t i;

    virXMLBufAdd(buf, "<os>\n");
    virXMLBufAdjustIndent(buf, 2);
    virXMLBufAdd(buf, "<type");
    virXMLBufEscapeString(buf, " arch='%s'", def->os.arch);
    virXMLBufEscapeString(buf, " machine='%s'", def->os.machine);
    virXMLBufEscapeString(buf, ">%s</type>\n", def->os.type);
    virDomainFormatTextElement(buf, "kernel", def->os.kernel);
    virDomainFormatTextElement(buf, "initrd", def->os.initrd);
    virDomainFormatTextElement(buf, "cmdline", def->os.cmdline);
    for (i = 0; i < def->os.nBootDevs; i++)
        virXMLBufAsprintf(buf, "<boot dev='%s'/>\n",
                          virDomainBootTypeToString(def->os.bootDevs[i]));
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</os>\n");
}

static void
virDomainDefFormatFeatures(virXMLBuf *buf, const virDomainDef *def)
{
    g_auto(virXMLBuf) child = { 0 };
    size_t i;

    virDomainChildBufInit(&child, buf);
    for (i = 0; i < VIR_DOMAIN_FEATURE_LAST; i++) {
        const char *name = virDomainFeatureTypeToString(i);

        if (def->features[i] == VIR_TRISTATE_SWITCH_ABSENT)
            continue;
        if (i == VIR_DOMAIN_FEATURE_VMPORT)
            virXMLBufAsprintf(&child, "<%s state='%s'/>\n", name,
                              virTristateSwitchTypeToString(def->features[i]));
        else
            virXMLBufAsprintf(&child, "<%s/>\n", name);
    }
    if (child.str->len == 0)
        return;
    virXMLBufAdd(buf, "<features>\n");
    g_string_append(buf->str, child.str->str);
    virXMLBufAdd(buf, "</features>\n");
}

static void
virCPUDefFormatChildren(virXMLBuf *child, const virCPUDef *cpu)
{
    size_t i;

    if (cpu->model) {
        g_autofree char *model = virXMLEscapeString(cpu->model);

        virXMLBufAsprintf(child, "<model fallback='%s'>%s</model>\n",
                          virCPUFallbackTypeToString(cpu->fallback), model);
    }
    if (cpu->sockets)
        virXMLBufAsprintf(child, "<topology sockets='%u' dies='%u' cores='%u' threads='%u'/>\n",
                          cpu->sockets, cpu->dies, cpu->cores, cpu->threads);
    for (i = 0; i < cpu->nfeatures; i++) {
        virXMLBufAsprintf(child, "<feature policy='%s'",
                          virCPUFeaturePolicyTypeToString(cpu->features[i].policy));
        virXMLBufEscapeString(child, " name='%s'/>\n", cpu->features[i].name);
    }
}

static void
virCPUDefFormat(virXMLBuf *buf, const virCPUDef *cpu)
{
    g_auto(virXMLBuf) attrs = { 0 };
    g_auto(virXMLBuf) child = { 0 };

    if (!cpu)
        return;
    virXMLBufInit(&attrs);
    virDomainChildBufInit(&child, buf);
    if (cpu->model || cpu->mode != VIR_CPU_MODE_CUSTOM)
        virXMLBufAsprintf(&attrs, " mode='%s'", virCPUModeTypeToString(cpu->mode));
    if (cpu->model && cpu->mode == VIR_CPU_MODE_CUSTOM && cpu->match)
        virXMLBufAsprintf(&attrs, " match='%s'", virCPUMatchTypeToString(cpu->match));
    if (cpu->check)
        virXMLBufAsprintf(&attrs, " check='%s'", virCPUCheckTypeToString(cpu->check));
    if (cpu->migratable)
        virXMLBufAsprintf(&attrs, " migratable='%s'",
                          virTristateSwitchTypeToString(cpu->migratable));
    virCPUDefFormatChildren(&child, cpu);
    virDomainFormatElement(buf, "cpu", &attrs, &child);
}

static void
virDomainDefFormatGeneral(virXMLBuf *buf, const virDomainDef *def,
                          unsigned int flags)
{
    char uuid[VIR_UUID_STRING_BUFLEN];

    virDomainFormatTextElement(buf, "name", def->name);
    virXMLBufAsprintf(buf, "<uuid>%s</uuid>\n", virUUIDFormat(def->uuid, uuid));
    virDomainFormatTextElement(buf, "title", def->title);
    virDomainFormatTextElement(buf, "description", def->description);
    if (def->metadata)
        virDomainXMLNodeFormat(buf, def->metadata, flags);
    virXMLBufAsprintf(buf, "<memory unit='KiB'>%llu</memory>\n", def->memory);
    virXMLBufAsprintf(buf, "<currentMemory unit='KiB'>%llu</currentMemory>\n",
                      def->currentMemory);
    virXMLBufAdd(buf, "<vcpu placement='static'");
    if (def->vcpusCurrent < def->vcpus)
        virXMLBufAsprintf(buf, " current='%u'", def->vcpusCurrent);
    virXMLBufAsprintf(buf, ">%u</vcpu>\n", def->vcpus);
    if (def->resource)
        virDomainXMLNodeFormat(buf, def->resource, flags);
}

char *
virDomainDefFormat(const virDomainDef *def, unsigned int flags)
{
    g_auto(virXMLBuf) buf = { 0 };
    size_t i;

    if (!virCheckFlags(flags, VIR_DOMAIN_DEF_FORMAT_SECURE |
                       VIR_DOMAIN_DEF_FORMAT_INACTIVE |
                       VIR_DOMAIN_DEF_FORMAT_MIGRATABLE))
        return NULL;
    virXMLBufInit(&buf);
    virXMLBufAsprintf(&buf, "<domain type='%s'",
                      virDomainVirtTypeToString(def->virtType));
    if (def->id >= 0 && !(flags & VIR_DOMAIN_DEF_FORMAT_INACTIVE))
        virXMLBufAsprintf(&buf, " id='%d'", def->id);
    virXMLBufAdd(&buf, ">\n");
    virXMLBufAdjustIndent(&buf, 2);
    virDomainDefFormatGeneral(&buf, def, flags);
    virDomainDefFormatOS(&buf, def);
    virDomainDefFormatFeatures(&buf, def);
    virCPUDefFormat(&buf, def->cpu);
    virDomainDefFormatClock(&buf, def);
    virXMLBufAsprintf(&buf, "<on_poweroff>%s</on_poweroff>\n",
                      virDomainLifecycleActionTypeToString(def->onPoweroff));
    virXMLBufAsprintf(&buf, "<on_reboot>%s</on_reboot>\n",
                      virDomainLifecycleActionTypeToString(def->onReboot));
    virXMLBufAsprintf(&buf, "<on_crash>%s</on_crash>\n",
                      virDomainLifecycleActionTypeToString(def->onCrash));
    virDomainDefFormatPM(&buf, def);
    virDomainDefFormatDevices(&buf, def, flags);
    for (i = 0; i < def->nseclabels; i++)
        virDomainXMLNodeFormat(&buf, def->seclabels[i], flags);
    virXMLBufAdjustIndent(&buf, -2);
    virXMLBufAdd(&buf, "</domain>\n");
    return virXMLBufContentAndReset(&buf);
}
