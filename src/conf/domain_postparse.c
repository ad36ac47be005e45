/*
 * domain_postparse.c: defaults filled in after parsing
 *
 * The same defaults libvirt's generic code (and, where noted, its QEMU
 * driver) fills in, so that the formatted XML says what the guest gets.
 * Like libvirt's QEMU driver, a new definition of an i440fx guest
 * without any USB controller gets the default one (piix3-uhci at
 * 00:01.2): libvirt gives every such guest one, and leaves it out of
 * the XML it sends for a migration, so a guest coming from libvirtd
 * would otherwise arrive without the device its migration stream holds.
 * Not added yet (unlike libvirt's QEMU driver): the PCI root
 * controller, PS/2 inputs, a default memballoon, q35's default USB,
 * the machine type alias expansion and the other PCI addresses.
 */
#include <string.h>

#include "domain_conf_priv.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

#define VIR_DOMAIN_DEFAULT_ARCH "x86_64"
#define VIR_DOMAIN_DEFAULT_VRAM 16384

static void
virDomainDefPostParseGeneral(virDomainDef *def)
{
    size_t i;
    bool deviceBoot = false;

    if (def->currentMemory == 0 || def->currentMemory > def->memory)
        def->currentMemory = def->memory;
    if (def->vcpusCurrent == 0)
        def->vcpusCurrent = def->vcpus;
    if (!def->os.arch)
        def->os.arch = g_strdup(VIR_DOMAIN_DEFAULT_ARCH);

    for (i = 0; i < def->ndisks; i++)
        deviceBoot |= def->disks[i]->info.bootIndex > 0;
    for (i = 0; i < def->nnets; i++)
        deviceBoot |= def->nets[i]->info.bootIndex > 0;
    if (def->os.nBootDevs == 0 && !deviceBoot) {
        def->os.bootDevs[0] = VIR_DOMAIN_BOOT_DISK;
        def->os.nBootDevs = 1;
    }
}

/* 52:54:00:xx:xx:xx, QEMU's OUI, as libvirt generates them. */
static void
virDomainNetGenerateMAC(virDomainNetDef *net)
{
    static const unsigned char zero[VIR_MAC_BUFLEN] = { 0 };
    guint32 r;

    if (memcmp(net->mac, zero, VIR_MAC_BUFLEN) != 0)
        return;
    r = g_random_int();
    net->mac[0] = 0x52;
    net->mac[1] = 0x54;
    net->mac[2] = 0x00;
    net->mac[3] = (r >> 16) & 0xff;
    net->mac[4] = (r >> 8) & 0xff;
    net->mac[5] = r & 0xff;
}

/* libvirt's rule: the bus follows the target name's prefix. */
static int
virDomainDiskDefInferBus(virDomainDiskDef *disk)
{
    const char *dst = disk->dst;

    if (disk->bus >= 0)
        return 0;
    if (g_str_has_prefix(dst, "sd")) {
        disk->bus = VIR_DOMAIN_DISK_BUS_SCSI;
    } else if (g_str_has_prefix(dst, "vd")) {
        disk->bus = VIR_DOMAIN_DISK_BUS_VIRTIO;
    } else if (g_str_has_prefix(dst, "xvd") || g_str_has_prefix(dst, "ubd") ||
               g_str_has_prefix(dst, "fd")) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported disk bus for target '%1$s'"), dst);
        return -1;
    } else {
        disk->bus = VIR_DOMAIN_DISK_BUS_IDE;
    }
    return 0;
}

int
virDomainDiskDefAssignAddress(virDomainDiskDef *disk)
{
    virDomainDeviceDriveAddress *addr = &disk->info.addr.drive;
    int idx = virDomainDiskGetIndex(disk->dst);

    if (idx < 0) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("Unknown disk name '%1$s' and no address specified"),
                       disk->dst);
        return -1;
    }
    memset(addr, 0, sizeof(*addr));
    disk->info.type = VIR_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE;
    switch ((virDomainDiskBus)disk->bus) {
    case VIR_DOMAIN_DISK_BUS_IDE:
        addr->controller = idx / 4;
        addr->bus = (idx % 4) / 2;
        addr->unit = idx % 2;
        break;
    case VIR_DOMAIN_DISK_BUS_SATA:
        addr->controller = idx / 6;
        addr->unit = idx % 6;
        break;
    case VIR_DOMAIN_DISK_BUS_SCSI:
        /* QEMU's wide SCSI: 15 units per controller, unit 7 is the HBA */
        addr->controller = idx / 15;
        addr->unit = idx % 15;
        if (addr->unit >= 7)
            addr->unit++;
        break;
    case VIR_DOMAIN_DISK_BUS_VIRTIO:
    case VIR_DOMAIN_DISK_BUS_LAST:
        disk->info.type = VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE;
        break;
    }
    return 0;
}

static int
virDomainDiskControllerType(const virDomainDiskDef *disk)
{
    switch ((virDomainDiskBus)disk->bus) {
    case VIR_DOMAIN_DISK_BUS_IDE:
        return VIR_DOMAIN_CONTROLLER_TYPE_IDE;
    case VIR_DOMAIN_DISK_BUS_SATA:
        return VIR_DOMAIN_CONTROLLER_TYPE_SATA;
    case VIR_DOMAIN_DISK_BUS_SCSI:
        return VIR_DOMAIN_CONTROLLER_TYPE_SCSI;
    case VIR_DOMAIN_DISK_BUS_VIRTIO:
    case VIR_DOMAIN_DISK_BUS_LAST:
        break;
    }
    return -1;
}

/* Adds the controller a drive-addressed disk sits on, if missing. */
static void
virDomainDefAddDiskController(virDomainDef *def, const virDomainDiskDef *disk)
{
    int type = virDomainDiskControllerType(disk);
    unsigned int idx = disk->info.addr.drive.controller;
    virDomainControllerDef *ctrl;
    size_t i;

    if (type < 0 || disk->info.type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE)
        return;
    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == type && def->controllers[i]->idx == idx)
            return;
    }
    ctrl = g_new0(virDomainControllerDef, 1);
    ctrl->type = type;
    ctrl->idx = idx;
    VIR_APPEND_ELEMENT(def->controllers, def->ncontrollers, ctrl);
}

static int
virDomainDefPostParseDisks(virDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        virDomainDiskDef *disk = def->disks[i];

        if (virDomainDiskDefInferBus(disk) < 0)
            return -1;
        if (disk->info.type == VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE &&
            disk->bus != VIR_DOMAIN_DISK_BUS_VIRTIO &&
            virDomainDiskDefAssignAddress(disk) < 0)
            return -1;
        if (disk->device == VIR_DOMAIN_DISK_DEVICE_CDROM)
            disk->readonly = true;
    }
    for (i = 0; i < def->ndisks; i++)
        virDomainDefAddDiskController(def, def->disks[i]);
    return 0;
}

static virDomainChrDef *
virDomainChrDefCopySource(const virDomainChrDef *src, int deviceType)
{
    virDomainChrDef *chr = g_new0(virDomainChrDef, 1);

    chr->deviceType = deviceType;
    chr->type = src->type;
    chr->path = g_strdup(src->path);
    chr->append = src->append;
    chr->port = 0;
    return chr;
}

/* Serial ports get consecutive port numbers; the first console is the
 * first serial port seen through another door (libvirt's console
 * compatibility): without serials one is created from it, otherwise it
 * takes the serial's source. */
static void
virDomainDefPostParseChrs(virDomainDef *def)
{
    virDomainChrDef *con;
    size_t i;
    size_t j;

    for (i = 0; i < def->nserials; i++) {
        int maxport = -1;

        if (def->serials[i]->port >= 0)
            continue;
        for (j = 0; j < def->nserials; j++)
            maxport = MAX(maxport, def->serials[j]->port);
        def->serials[i]->port = maxport + 1;
    }
    if (def->nconsoles == 0)
        return;
    con = def->consoles[0];
    if (def->nserials == 0) {
        VIR_APPEND_ELEMENT(def->serials, def->nserials,
                           virDomainChrDefCopySource(con,
                                                     VIR_DOMAIN_CHR_DEVICE_SERIAL));
    }
    con->type = def->serials[0]->type;
    g_free(con->path);
    con->path = g_strdup(def->serials[0]->path);
    con->append = def->serials[0]->append;
    con->port = def->serials[0]->port;
    for (i = 1; i < def->nconsoles; i++) {
        if (def->consoles[i]->port < 0)
            def->consoles[i]->port = i;
    }
}

static void
virDomainDefPostParseVideo(virDomainDef *def)
{
    bool havePrimary = false;
    size_t i;

    if (def->ngraphics > 0 && def->nvideos == 0) {
        virDomainVideoDef *video = g_new0(virDomainVideoDef, 1);

        video->type = VIR_DOMAIN_VIDEO_TYPE_CIRRUS;
        VIR_APPEND_ELEMENT(def->videos, def->nvideos, video);
    }
    for (i = 0; i < def->nvideos; i++)
        havePrimary |= def->videos[i]->primary;
    for (i = 0; i < def->nvideos; i++) {
        virDomainVideoDef *video = def->videos[i];

        if (video->type == VIR_DOMAIN_VIDEO_TYPE_NONE)
            continue;
        if (!havePrimary) {
            video->primary = true;
            havePrimary = true;
        }
        if (video->heads == 0)
            video->heads = 1;
        if (video->vram == 0 && video->type != VIR_DOMAIN_VIDEO_TYPE_VIRTIO)
            video->vram = VIR_DOMAIN_DEFAULT_VRAM;
    }
}

/* An i440fx machine ("pc", "pc-i440fx-*", "pc-1.x"...): not q35, not
 * another board. */
static bool
virDomainDefIsI440FX(const virDomainDef *def)
{
    const char *m = def->os.machine;

    return m && (g_str_equal(m, "pc") || g_str_has_prefix(m, "pc-")) &&
           !virDomainDefIsQ35(def);
}

/* libvirt's default USB controller of an i440fx guest, where the XML
 * names none (qemuDomainDefAddDefaultDevices + its fixed address). */
static void
virDomainDefAddDefaultUSB(virDomainDef *def)
{
    virDomainControllerDef *ctrl;
    size_t i;

    if (!virDomainDefIsI440FX(def))
        return;
    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == VIR_DOMAIN_CONTROLLER_TYPE_USB)
            return;
    }
    ctrl = g_new0(virDomainControllerDef, 1);
    ctrl->type = VIR_DOMAIN_CONTROLLER_TYPE_USB;
    ctrl->idx = 0;
    ctrl->model = VIR_DOMAIN_CONTROLLER_MODEL_PIIX3_UHCI;
    ctrl->info.type = VIR_DOMAIN_DEVICE_ADDRESS_TYPE_PCI;
    ctrl->info.addr.pci.slot = 1;
    ctrl->info.addr.pci.function = 2;
    VIR_APPEND_ELEMENT(def->controllers, def->ncontrollers, ctrl);
}

int
virDomainDefPostParse(virDomainDef *def, unsigned int flags)
{
    size_t i;

    virDomainDefPostParseGeneral(def);
    for (i = 0; i < def->nnets; i++)
        virDomainNetGenerateMAC(def->nets[i]);
    if (virDomainDefPostParseDisks(def) < 0)
        return -1;
    virDomainDefPostParseChrs(def);
    virDomainDefPostParseVideo(def);
    /* a status file says what the running QEMU has */
    if (!(flags & VIR_DOMAIN_DEF_PARSE_STATUS))
        virDomainDefAddDefaultUSB(def);
    return 0;
}
