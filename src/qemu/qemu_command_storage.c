/*
 * qemu_command_storage.c: controllers and disks on the QEMU command line
 *
 * Disks use -blockdev (a protocol "storage" node and a format node, as
 * libvirt names them: libvirt-N-storage / libvirt-N-format) and a
 * -device front end on the bus of its drive address.  Cache modes map
 * as in libvirt (qemuDomainDiskCacheModeFlags):
 *
 *   cache         cache.direct  cache.no-flush  write-cache
 *   none          on            off             on
 *   writethrough  off           off             off
 *   writeback     off           off             on
 *   directsync    on            off             off
 *   unsafe        off           on              on
 *   default       (QEMU's defaults, nothing passed)
 */
#include "qemu_command_priv.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

#define QEMU_SATA_PORTS 6

/* ------------------------------------------------------------------ */
/* aliases                                                              */

/* An LSI controller addresses disks by SCSI id only (libvirt's
 * "scsiC-B-U" alias and scsi-id=U); virtio-scsi by channel, target and
 * LUN. */
static bool
qemuDiskOnLSI(const virDomainDef *def, const virDomainDiskDef *disk)
{
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        const virDomainControllerDef *ctrl = def->controllers[i];

        if (ctrl->type == VIR_DOMAIN_CONTROLLER_TYPE_SCSI &&
            ctrl->idx == disk->info.addr.drive.controller)
            return ctrl->model == VIR_DOMAIN_CONTROLLER_MODEL_LSILOGIC;
    }
    return false;
}

char *
qemuDiskAlias(const virDomainDef *def, const virDomainDiskDef *disk)
{
    const virDomainDeviceDriveAddress *a = &disk->info.addr.drive;

    switch ((virDomainDiskBus)disk->bus) {
    case VIR_DOMAIN_DISK_BUS_IDE:
        return g_strdup_printf("ide%u-%u-%u", a->controller, a->bus, a->unit);
    case VIR_DOMAIN_DISK_BUS_SATA:
        return g_strdup_printf("sata%u-%u-%u", a->controller, a->bus, a->unit);
    case VIR_DOMAIN_DISK_BUS_SCSI:
        if (qemuDiskOnLSI(def, disk))
            return g_strdup_printf("scsi%u-%u-%u", a->controller, a->bus, a->unit);
        return g_strdup_printf("scsi%u-%u-%u-%u", a->controller, a->bus,
                               a->target, a->unit);
    case VIR_DOMAIN_DISK_BUS_VIRTIO:
    case VIR_DOMAIN_DISK_BUS_LAST:
        break;
    }
    return g_strdup_printf("virtio-disk%d", virDomainDiskGetIndex(disk->dst));
}

char *
qemuControllerAlias(const virDomainControllerDef *ctrl)
{
    switch ((virDomainControllerType)ctrl->type) {
    case VIR_DOMAIN_CONTROLLER_TYPE_USB:
        if (ctrl->idx == 0)
            return g_strdup("usb");
        return g_strdup_printf("usb%u", ctrl->idx);
    case VIR_DOMAIN_CONTROLLER_TYPE_IDE:
        return g_strdup("ide");
    case VIR_DOMAIN_CONTROLLER_TYPE_PCI:
        return g_strdup_printf("pci.%u", ctrl->idx);
    case VIR_DOMAIN_CONTROLLER_TYPE_SCSI:
    case VIR_DOMAIN_CONTROLLER_TYPE_SATA:
    case VIR_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
    case VIR_DOMAIN_CONTROLLER_TYPE_LAST:
        break;
    }
    return g_strdup_printf("%s%u", virDomainControllerTypeToString(ctrl->type),
                           ctrl->idx);
}

/* ------------------------------------------------------------------ */
/* controllers                                                          */

static const char *
qemuControllerUSBDevice(const qemuCommandBuilder *b,
                        const virDomainControllerDef *ctrl)
{
    switch ((virDomainControllerModel)ctrl->model) {
    case VIR_DOMAIN_CONTROLLER_MODEL_USB_NONE:
        return NULL;
    case VIR_DOMAIN_CONTROLLER_MODEL_QEMU_XHCI:
        return "qemu-xhci";
    case VIR_DOMAIN_CONTROLLER_MODEL_ICH9_EHCI1:
        return "ich9-usb-ehci1";
    case VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI1:
        return "ich9-usb-uhci1";
    case VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI2:
        return "ich9-usb-uhci2";
    case VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI3:
        return "ich9-usb-uhci3";
    case VIR_DOMAIN_CONTROLLER_MODEL_DEFAULT:
        return b->q35 ? "qemu-xhci" : "piix3-usb-uhci";
    case VIR_DOMAIN_CONTROLLER_MODEL_PIIX3_UHCI:
    case VIR_DOMAIN_CONTROLLER_MODEL_PCI_ROOT:
    case VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT:
    case VIR_DOMAIN_CONTROLLER_MODEL_VIRTIO_SCSI:
    case VIR_DOMAIN_CONTROLLER_MODEL_LSILOGIC:
    case VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT:
    case VIR_DOMAIN_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE:
    case VIR_DOMAIN_CONTROLLER_MODEL_PCI_BRIDGE:
    case VIR_DOMAIN_CONTROLLER_MODEL_LAST:
        break;
    }
    return "piix3-usb-uhci";
}

/* The -device driver of @ctrl, or NULL if the machine provides it (PCI
 * root, PIIX IDE, q35's AHCI) or it is disabled (USB model 'none'). */
static const char *
qemuControllerDevice(const qemuCommandBuilder *b,
                     const virDomainControllerDef *ctrl)
{
    switch ((virDomainControllerType)ctrl->type) {
    case VIR_DOMAIN_CONTROLLER_TYPE_USB:
        return qemuControllerUSBDevice(b, ctrl);
    case VIR_DOMAIN_CONTROLLER_TYPE_SATA:
        return b->q35 && ctrl->idx == 0 ? NULL : "ich9-ahci";
    case VIR_DOMAIN_CONTROLLER_TYPE_SCSI:
        return ctrl->model == VIR_DOMAIN_CONTROLLER_MODEL_LSILOGIC ?
               "lsi" : "virtio-scsi-pci";
    case VIR_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
        return "virtio-serial-pci";
    case VIR_DOMAIN_CONTROLLER_TYPE_PCI:
        return virDomainControllerPCIModelName(ctrl->model);
    case VIR_DOMAIN_CONTROLLER_TYPE_IDE:
    case VIR_DOMAIN_CONTROLLER_TYPE_LAST:
        break;
    }
    return NULL;
}

/* Properties before the PCI address: a root port's port and chassis, a
 * bridge's chassis_nr, a UHCI companion's master bus. */
static bool
qemuBuildControllerProps(GString *opt, const virDomainControllerDef *ctrl,
                         const char *alias)
{
    switch (ctrl->model) {
    case VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT:
        qemuOptAddUInt(opt, "port", MAX(ctrl->port, 0));
        qemuOptAddUInt(opt, "chassis", MAX(ctrl->chassis, 0));
        break;
    case VIR_DOMAIN_CONTROLLER_MODEL_QEMU_XHCI:
        /* libvirt's ports=: as many USB 2 as USB 3 ports */
        if (ctrl->ports >= 0) {
            qemuOptAddUInt(opt, "p2", ctrl->ports);
            qemuOptAddUInt(opt, "p3", ctrl->ports);
        }
        break;
    case VIR_DOMAIN_CONTROLLER_MODEL_PCI_BRIDGE:
        qemuOptAddUInt(opt, "chassis_nr",
                       ctrl->chassisNr >= 0 ? (unsigned int)ctrl->chassisNr : ctrl->idx);
        break;
    case VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI1:
    case VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI2:
    case VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI3:
        /* a companion has no id of its own: it serves its EHCI's bus */
        g_string_append_printf(opt, ",masterbus=%s.0", alias);
        qemuOptAddUInt(opt, "firstport", MAX(ctrl->startport, 0));
        return false;
    default:
        break;
    }
    return true;
}

static int
qemuBuildControllerCheck(const qemuCommandBuilder *b,
                         const virDomainControllerDef *ctrl)
{
    if (ctrl->type != VIR_DOMAIN_CONTROLLER_TYPE_IDE)
        return 0;
    if (b->q35) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("IDE controllers are unsupported for this QEMU binary or machine type"));
        return -1;
    }
    if (ctrl->idx != 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("IDE controller index %1$u out of [0] range"),
                       ctrl->idx);
        return -1;
    }
    return 0;
}

static int
qemuBuildController(qemuCommandBuilder *b, const virDomainControllerDef *ctrl)
{
    const char *driver = qemuControllerDevice(b, ctrl);
    g_autofree char *alias = qemuControllerAlias(ctrl);
    GString *opt;

    if (qemuBuildControllerCheck(b, ctrl) < 0)
        return -1;
    if (!driver)
        return 0;
    opt = g_string_new(driver);
    if (qemuBuildControllerProps(opt, ctrl, alias))
        qemuOptAddStr(opt, "id", alias);
    if (qemuBuildPCIAddressOpts(opt, b, &ctrl->info, "controller") < 0) {
        g_string_free(opt, TRUE);
        return -1;
    }
    qemuBuildAddOpt(b, "-device", opt);
    return 0;
}

/* libvirt's order: PCI controllers by index (a bus must exist before
 * its devices), then USB, SCSI, IDE, SATA, virtio-serial. */
int
qemuBuildControllers(qemuCommandBuilder *b)
{
    static const int order[] = {
        VIR_DOMAIN_CONTROLLER_TYPE_PCI,
        VIR_DOMAIN_CONTROLLER_TYPE_USB,
        VIR_DOMAIN_CONTROLLER_TYPE_SCSI,
        VIR_DOMAIN_CONTROLLER_TYPE_IDE,
        VIR_DOMAIN_CONTROLLER_TYPE_SATA,
        VIR_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL,
    };
    size_t t;
    size_t i;

    for (t = 0; t < G_N_ELEMENTS(order); t++) {
        unsigned int maxIdx = 0;
        unsigned int idx;

        for (i = 0; i < b->def->ncontrollers; i++) {
            if (b->def->controllers[i]->type == order[t])
                maxIdx = MAX(maxIdx, b->def->controllers[i]->idx);
        }
        for (idx = 0; idx <= maxIdx; idx++) {
            for (i = 0; i < b->def->ncontrollers; i++) {
                const virDomainControllerDef *ctrl = b->def->controllers[i];

                if (ctrl->type == order[t] && ctrl->idx == idx &&
                    qemuBuildController(b, ctrl) < 0)
                    return -1;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* disks                                                                */

/* cache.direct / cache.no-flush for the block nodes, write-cache for
 * the device; false if the cache mode is QEMU's default. */
static bool
qemuDiskCacheFlags(int cache, bool *direct, bool *noflush, bool *writeback)
{
    *direct = false;
    *noflush = false;
    *writeback = true;
    switch ((virDomainDiskCache)cache) {
    case VIR_DOMAIN_DISK_CACHE_NONE:
        *direct = true;
        return true;
    case VIR_DOMAIN_DISK_CACHE_WRITETHRU:
        *writeback = false;
        return true;
    case VIR_DOMAIN_DISK_CACHE_WRITEBACK:
        return true;
    case VIR_DOMAIN_DISK_CACHE_DIRECTSYNC:
        *direct = true;
        *writeback = false;
        return true;
    case VIR_DOMAIN_DISK_CACHE_UNSAFE:
        *noflush = true;
        return true;
    case VIR_DOMAIN_DISK_CACHE_DEFAULT:
    case VIR_DOMAIN_DISK_CACHE_LAST:
        break;
    }
    return false;
}

static void
qemuBuildDiskCacheOpts(GString *opt, const virDomainDiskDef *disk)
{
    bool direct;
    bool noflush;
    bool writeback;

    if (!qemuDiskCacheFlags(disk->cache, &direct, &noflush, &writeback))
        return;
    qemuOptAddSwitch(opt, "cache.direct", direct);
    qemuOptAddSwitch(opt, "cache.no-flush", noflush);
}

static const char *
qemuDiskStorageDriver(const virDomainDiskDef *disk)
{
    if (disk->type == VIR_DOMAIN_DISK_TYPE_FILE)
        return "file";
    if (disk->device == VIR_DOMAIN_DISK_DEVICE_CDROM)
        return "host_cdrom";
    return "host_device";
}

static void
qemuBuildDiskBlockdevs(qemuCommandBuilder *b, const virDomainDiskDef *disk,
                       unsigned int node)
{
    g_autofree char *storage = g_strdup_printf("libvirt-%u-storage", node);
    g_autofree char *format = g_strdup_printf("libvirt-%u-format", node);
    const char *fmt = "raw";
    GString *proto = g_string_new(NULL);
    GString *fmtnode = g_string_new(NULL);

    if (disk->format == VIR_DOMAIN_DISK_FORMAT_QCOW2)
        fmt = "qcow2";
    qemuOptAddStr(proto, "driver", qemuDiskStorageDriver(disk));
    qemuOptAddStr(proto, "filename", disk->src);
    qemuOptAddStr(proto, "node-name", storage);
    qemuBuildDiskCacheOpts(proto, disk);
    if (disk->readonly)
        qemuOptAddSwitch(proto, "read-only", true);
    qemuOptAddSwitch(proto, "auto-read-only", true);
    qemuOptAddStr(proto, "discard", "unmap");

    qemuOptAddStr(fmtnode, "node-name", format);
    qemuOptAddSwitch(fmtnode, "read-only", disk->readonly);
    qemuBuildDiskCacheOpts(fmtnode, disk);
    qemuOptAddStr(fmtnode, "driver", fmt);
    qemuOptAddStr(fmtnode, "file", storage);

    qemuBuildAddOpt(b, "-blockdev", proto);
    qemuBuildAddOpt(b, "-blockdev", fmtnode);
}

static int
qemuBuildDiskIDEBus(GString *opt, const qemuCommandBuilder *b,
                    const virDomainDeviceDriveAddress *a)
{
    if (b->q35) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("IDE controllers are unsupported for this QEMU binary or machine type"));
        return -1;
    }
    if (a->controller != 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("IDE controller index %1$u out of [0] range"),
                       a->controller);
        return -1;
    }
    if (a->bus > 1 || a->unit > 1 || a->target != 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("IDE drive address bus=%1$u target=%2$u unit=%3$u is out of range"),
                       a->bus, a->target, a->unit);
        return -1;
    }
    g_string_append_printf(opt, ",bus=ide.%u,unit=%u", a->bus, a->unit);
    return 0;
}

static int
qemuBuildDiskSATABus(GString *opt, const qemuCommandBuilder *b,
                     const virDomainDeviceDriveAddress *a)
{
    if (a->bus != 0 || a->target != 0 || a->unit >= QEMU_SATA_PORTS) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("SATA drive address bus=%1$u target=%2$u unit=%3$u is out of range"),
                       a->bus, a->target, a->unit);
        return -1;
    }
    /* q35's built-in AHCI controller calls its ports ide.0 ... ide.5 */
    if (b->q35 && a->controller == 0)
        g_string_append_printf(opt, ",bus=ide.%u", a->unit);
    else
        g_string_append_printf(opt, ",bus=sata%u.%u", a->controller, a->unit);
    return 0;
}

/* The front-end driver and its bus properties. */
static int
qemuBuildDiskBusOpts(GString *opt, const qemuCommandBuilder *b,
                     const virDomainDiskDef *disk)
{
    const virDomainDeviceDriveAddress *a = &disk->info.addr.drive;
    bool cdrom = disk->device == VIR_DOMAIN_DISK_DEVICE_CDROM;

    switch ((virDomainDiskBus)disk->bus) {
    case VIR_DOMAIN_DISK_BUS_IDE:
        g_string_append(opt, cdrom ? "ide-cd" : "ide-hd");
        return qemuBuildDiskIDEBus(opt, b, a);
    case VIR_DOMAIN_DISK_BUS_SATA:
        g_string_append(opt, cdrom ? "ide-cd" : "ide-hd");
        return qemuBuildDiskSATABus(opt, b, a);
    case VIR_DOMAIN_DISK_BUS_SCSI:
        g_string_append(opt, cdrom ? "scsi-cd" : "scsi-hd");
        if (qemuDiskOnLSI(b->def, disk))
            g_string_append_printf(opt, ",bus=scsi%u.0,scsi-id=%u",
                                   a->controller, a->unit);
        else
            g_string_append_printf(opt, ",bus=scsi%u.0,channel=%u,scsi-id=%u,lun=%u",
                                   a->controller, a->bus, a->target, a->unit);
        return 0;
    case VIR_DOMAIN_DISK_BUS_VIRTIO:
    case VIR_DOMAIN_DISK_BUS_LAST:
        break;
    }
    g_string_append(opt, "virtio-blk-pci");
    return qemuBuildPCIAddressOpts(opt, b, &disk->info, "disk");
}

static int
qemuBuildDiskDevice(qemuCommandBuilder *b, size_t idx, unsigned int node)
{
    const virDomainDiskDef *disk = b->def->disks[idx];
    g_autofree char *alias = qemuDiskAlias(b->def, disk);
    g_autofree char *format = g_strdup_printf("libvirt-%u-format", node);
    GString *opt = g_string_new(NULL);
    bool direct;
    bool noflush;
    bool writeback;

    if (qemuBuildDiskBusOpts(opt, b, disk) < 0) {
        g_string_free(opt, TRUE);
        return -1;
    }
    if (disk->src)
        qemuOptAddStr(opt, "drive", format);
    qemuOptAddStr(opt, "id", alias);
    if (b->diskBoot[idx])
        qemuOptAddUInt(opt, "bootindex", b->diskBoot[idx]);
    if (disk->shareable)
        qemuOptAddSwitch(opt, "share-rw", true);
    if (qemuDiskCacheFlags(disk->cache, &direct, &noflush, &writeback))
        qemuOptAddSwitch(opt, "write-cache", writeback);
    qemuBuildAddOpt(b, "-device", opt);
    return 0;
}

int
qemuBuildDisks(qemuCommandBuilder *b)
{
    unsigned int node = 0;
    size_t i;

    for (i = 0; i < b->def->ndisks; i++) {
        const virDomainDiskDef *disk = b->def->disks[i];

        /* numbered like qemuAssignDeviceAliases' <source index=> */
        if (disk->src)
            qemuBuildDiskBlockdevs(b, disk, ++node);
        if (qemuBuildDiskDevice(b, i, node) < 0)
            return -1;
    }
    return 0;
}
