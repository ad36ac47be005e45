/*
 * domain_validate.c: rules a parsed domain definition must satisfy
 *
 * Checks spanning several elements, run after the defaults are filled.
 * Codes and texts are libvirt 9.0's (domain_validate.c, qemu_validate.c)
 * where libvirt has the same rule.
 */
#include "domain_conf_priv.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

static int
virDomainDefValidateSizes(const virDomainDef *def)
{
    const virCPUDef *cpu = def->cpu;

    if (def->memory == 0) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("Memory size must be specified via <memory> or in the <numa> configuration"));
        return -1;
    }
    if (def->vcpus == 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("Domain requires at least 1 vCPU"));
        return -1;
    }
    if (def->vcpusCurrent > def->vcpus) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("maximum vCPU count must not be less than current vCPU count"));
        return -1;
    }
    if (cpu && cpu->sockets &&
        (unsigned long long)cpu->sockets * cpu->dies * cpu->cores *
        cpu->threads != def->vcpus) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("CPU topology doesn't match maximum vcpu count"));
        return -1;
    }
    return 0;
}

/* libvirt: per-device <boot order> excludes <os><boot>, and an order is
 * used once. */
static int
virDomainDefValidateBootOrder(const virDomainDef *def)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    size_t ndevs = def->ndisks + def->nnets;
    size_t i;

    for (i = 0; i < ndevs; i++) {
        unsigned int order;

        if (i < def->ndisks)
            order = def->disks[i]->info.bootIndex;
        else
            order = def->nets[i - def->ndisks]->info.bootIndex;
        if (order == 0)
            continue;
        if (def->os.nBootDevs > 0) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("per-device boot elements cannot be used together with os/boot elements"));
            return -1;
        }
        if (!g_hash_table_add(seen, GUINT_TO_POINTER(order))) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("boot order '%1$u' used for more than one device"),
                           order);
            return -1;
        }
    }
    return 0;
}

static int
virDomainDiskDefValidate(const virDomainDiskDef *disk)
{
    bool wantDrive = disk->bus != VIR_DOMAIN_DISK_BUS_VIRTIO;

    if (!disk->src && disk->device != VIR_DOMAIN_DISK_DEVICE_CDROM) {
        virReportError(VIR_ERR_NO_SOURCE, "%s", disk->dst);
        return -1;
    }
    if (disk->driverName && !g_str_equal(disk->driverName, "qemu")) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported driver name '%1$s' for disk '%2$s'"),
                       disk->driverName, disk->dst);
        return -1;
    }
    if (disk->device == VIR_DOMAIN_DISK_DEVICE_CDROM &&
        disk->bus == VIR_DOMAIN_DISK_BUS_VIRTIO) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("cdrom device with virtio bus isn't supported"));
        return -1;
    }
    if (disk->info.type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE &&
        (disk->info.type == VIR_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE) != wantDrive) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("Invalid address type '%1$s' for the disk '%2$s' with the bus type '%3$s'"),
                       virDomainDeviceAddressTypeToString(disk->info.type),
                       disk->dst, virDomainDiskBusTypeToString(disk->bus));
        return -1;
    }
    return 0;
}

static bool
virDomainDriveAddressEqual(const virDomainDiskDef *a, const virDomainDiskDef *b)
{
    const virDomainDeviceDriveAddress *x = &a->info.addr.drive;
    const virDomainDeviceDriveAddress *y = &b->info.addr.drive;

    return a->info.type == VIR_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE &&
        b->info.type == VIR_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE &&
        a->bus == b->bus && x->controller == y->controller &&
        x->bus == y->bus && x->target == y->target && x->unit == y->unit;
}

static int
virDomainDefValidateDisks(const virDomainDef *def)
{
    size_t i;
    size_t j;

    for (i = 0; i < def->ndisks; i++) {
        const virDomainDiskDef *a = def->disks[i];

        if (virDomainDiskDefValidate(a) < 0)
            return -1;
        for (j = i + 1; j < def->ndisks; j++) {
            const virDomainDiskDef *b = def->disks[j];

            if (g_str_equal(a->dst, b->dst)) {
                virReportError(VIR_ERR_XML_ERROR,
                               _("target '%1$s' duplicated for disk sources '%2$s' and '%3$s'"),
                               a->dst, a->src ? a->src : "<null>",
                               b->src ? b->src : "<null>");
                return -1;
            }
            if (virDomainDriveAddressEqual(a, b)) {
                virReportError(VIR_ERR_XML_ERROR,
                               _("Found duplicate drive address for disk with target name '%1$s' controller='%2$u' bus='%3$u' target='%4$u' unit='%5$u'"),
                               b->dst, b->info.addr.drive.controller,
                               b->info.addr.drive.bus, b->info.addr.drive.target,
                               b->info.addr.drive.unit);
                return -1;
            }
        }
    }
    return 0;
}

/* Which models a controller type may have (DEFAULT always fits). */
static bool
virDomainControllerModelFits(const virDomainControllerDef *ctrl)
{
    switch ((virDomainControllerModel)ctrl->model) {
    case VIR_DOMAIN_CONTROLLER_MODEL_DEFAULT:
        return true;
    case VIR_DOMAIN_CONTROLLER_MODEL_PIIX3_UHCI:
    case VIR_DOMAIN_CONTROLLER_MODEL_QEMU_XHCI:
    case VIR_DOMAIN_CONTROLLER_MODEL_USB_NONE:
        return ctrl->type == VIR_DOMAIN_CONTROLLER_TYPE_USB;
    case VIR_DOMAIN_CONTROLLER_MODEL_PCI_ROOT:
    case VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT:
        return ctrl->type == VIR_DOMAIN_CONTROLLER_TYPE_PCI && ctrl->idx == 0;
    case VIR_DOMAIN_CONTROLLER_MODEL_VIRTIO_SCSI:
    case VIR_DOMAIN_CONTROLLER_MODEL_LSILOGIC:
        return ctrl->type == VIR_DOMAIN_CONTROLLER_TYPE_SCSI;
    case VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT:
    case VIR_DOMAIN_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE:
    case VIR_DOMAIN_CONTROLLER_MODEL_PCI_BRIDGE:
        return ctrl->type == VIR_DOMAIN_CONTROLLER_TYPE_PCI && ctrl->idx > 0;
    case VIR_DOMAIN_CONTROLLER_MODEL_ICH9_EHCI1:
    case VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI1:
    case VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI2:
    case VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI3:
        return ctrl->type == VIR_DOMAIN_CONTROLLER_TYPE_USB;
    case VIR_DOMAIN_CONTROLLER_MODEL_LAST:
        break;
    }
    return false;
}

static int
virDomainControllerValidatePCI(const virDomainControllerDef *ctrl)
{
    const char *name = virDomainControllerPCIModelName(ctrl->model);

    if (ctrl->type != VIR_DOMAIN_CONTROLLER_TYPE_PCI)
        return 0;
    if (ctrl->idx > 0 && !name) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("a PCI controller with index > 0 must be a pcie-root-port, pcie-to-pci-bridge or pci-bridge"));
        return -1;
    }
    if (ctrl->modelName && g_strcmp0(ctrl->modelName, name) != 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported element <model name='%1$s'> of a %2$s controller"),
                       ctrl->modelName,
                       virDomainControllerModelTypeToString(ctrl->model));
        return -1;
    }
    return 0;
}

/* QEMU's qemu-xhci has 1 to 15 ports of each kind (p2, p3); the other
 * USB controllers have a fixed number (libvirt's checks). */
static int
virDomainControllerValidatePorts(const virDomainControllerDef *ctrl)
{
    if (ctrl->ports < 0)
        return 0;
    if (ctrl->model != VIR_DOMAIN_CONTROLLER_MODEL_QEMU_XHCI) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("usb controller type %1$s doesn't support 'ports' with this QEMU binary"),
                       virDomainControllerModelTypeToString(ctrl->model));
        return -1;
    }
    if (ctrl->ports > 15) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("'%1$s' controller only supports up to '%2$u' ports"),
                       virDomainControllerModelTypeToString(ctrl->model), 15);
        return -1;
    }
    return 0;
}

static int
virDomainDefValidateControllers(const virDomainDef *def)
{
    size_t i;
    size_t j;

    for (i = 0; i < def->ncontrollers; i++) {
        const virDomainControllerDef *a = def->controllers[i];
        const char *type = virDomainControllerTypeToString(a->type);

        if (!virDomainControllerModelFits(a)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("controller model '%1$s' is not valid for type '%2$s'"),
                           virDomainControllerModelTypeToString(a->model), type);
            return -1;
        }
        if (virDomainControllerValidatePCI(a) < 0 ||
            virDomainControllerValidatePorts(a) < 0)
            return -1;
        for (j = i + 1; j < def->ncontrollers; j++) {
            if (def->controllers[j]->type == a->type &&
                def->controllers[j]->idx == a->idx &&
                !(virDomainControllerIsUSBCompanion(a) &&
                  virDomainControllerIsUSBCompanion(def->controllers[j]) &&
                  a->model != def->controllers[j]->model)) {
                virReportError(VIR_ERR_XML_ERROR,
                               _("Multiple '%1$s' controllers with index '%2$u'"),
                               type, a->idx);
                return -1;
            }
        }
    }
    return 0;
}

static int
virDomainDefValidateChrs(const virDomainDef *def)
{
    size_t i;
    size_t j;

    if (def->nconsoles > 1) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("only one console is supported"));
        return -1;
    }
    for (i = 0; i < def->nserials; i++) {
        for (j = i + 1; j < def->nserials; j++) {
            if (def->serials[i]->port == def->serials[j]->port) {
                virReportError(VIR_ERR_XML_ERROR,
                               _("target port '%1$d' already allocated"),
                               def->serials[j]->port);
                return -1;
            }
        }
    }
    return 0;
}

static int
virDomainDefValidateDisplay(const virDomainDef *def)
{
    size_t i;

    if (def->ngraphics > 1) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("only 1 graphics device of each type (sdl, vnc, spice, headless, dbus) is supported"));
        return -1;
    }
    for (i = 0; i < def->ngraphics; i++) {
        const virDomainGraphicsDef *gr = def->graphics[i];

        if (gr->port != -1 && (gr->port < 5900 || gr->port > 65535)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("vnc port must be in range [5900,65535]"));
            return -1;
        }
    }
    for (i = 0; i < def->nvideos; i++) {
        if (i > 0 && def->videos[i]->primary) {
            virReportError(VIR_ERR_XML_ERROR, "%s",
                           _("Only one primary video device is supported"));
            return -1;
        }
        if (def->videos[i]->type == VIR_DOMAIN_VIDEO_TYPE_NONE &&
            def->nvideos > 1) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("video type 'none' must be the only video device"));
            return -1;
        }
    }
    return 0;
}

/* ---- device addresses ---- */

typedef struct {
    const virDomainDef *def;
    GHashTable *pci;            /* "BB:SS.F" -> the device's element name */
} virDomainAddrCheck;

static bool
virDomainDefHasControllerIndex(const virDomainDef *def, int type,
                               unsigned int idx)
{
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == type && def->controllers[i]->idx == idx)
            return true;
    }
    return false;
}

static int
virDomainValidatePCIAddress(virDomainAddrCheck *check,
                            const virPCIDeviceAddress *pci, const char *what)
{
    g_autofree char *str = g_strdup_printf("%04x:%02x:%02x.%x", pci->domain,
                                           pci->bus, pci->slot, pci->function);

    if (g_hash_table_contains(check->pci, str)) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("Attempted double use of PCI Address %1$s"), str);
        return -1;
    }
    g_hash_table_insert(check->pci, g_steal_pointer(&str), (gpointer)what);
    if (pci->bus > 0 &&
        !virDomainDefHasControllerIndex(check->def, VIR_DOMAIN_CONTROLLER_TYPE_PCI,
                                        pci->bus)) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("the %1$s at PCI bus 0x%2$02x has no PCI controller with index='%3$u'"),
                       what, pci->bus, pci->bus);
        return -1;
    }
    return 0;
}

/* An address must not be used twice and must name a bus that exists:
 * a PCI bus of a PCI controller, a virtio-serial controller. */
static int
virDomainValidateAddressCb(virDomainDeviceInfo *info, const char *what,
                           void *opaque)
{
    virDomainAddrCheck *check = opaque;

    switch ((virDomainDeviceAddressType)info->type) {
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_PCI:
        return virDomainValidatePCIAddress(check, &info->addr.pci, what);
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_VIRTIO_SERIAL:
        if (!virDomainDefHasControllerIndex(check->def,
                                            VIR_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL,
                                            info->addr.vioserial.controller)) {
            virReportError(VIR_ERR_XML_ERROR,
                           _("the %1$s's virtio-serial controller %2$u does not exist"),
                           what, info->addr.vioserial.controller);
            return -1;
        }
        return 0;
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_USB:
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE:
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE:
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_LAST:
        break;
    }
    return 0;
}

static int
virDomainDefValidateAddresses(const virDomainDef *def)
{
    virDomainAddrCheck check = {
        .def = def,
        .pci = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
    };
    int ret;

    /* the walk does not change @def */
    ret = virDomainDefForeachDeviceInfo((virDomainDef *)def,
                                        virDomainValidateAddressCb, &check);
    g_hash_table_unref(check.pci);
    return ret;
}

int
virDomainDefValidate(const virDomainDef *def)
{
    if (virDomainDefValidateSizes(def) < 0 ||
        virDomainDefValidateBootOrder(def) < 0 ||
        virDomainDefValidateDisks(def) < 0 ||
        virDomainDefValidateControllers(def) < 0 ||
        virDomainDefValidateAddresses(def) < 0 ||
        virDomainDefValidateChrs(def) < 0 ||
        virDomainDefValidateDisplay(def) < 0)
        return -1;
    return 0;
}
