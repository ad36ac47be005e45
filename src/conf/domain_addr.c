/*
 * domain_addr.c: PCI, virtio-serial and USB addresses for devices
 * defined without one
 *
 * A guest's PCI layout is part of its ABI: the migration stream names
 * devices by their PCI path.  libvirt's QEMU driver fixes every address
 * when a guest is defined and prints it, so XML coming from libvirt
 * always carries them; a guest defined here gets the same addresses
 * libvirt 9.0 would give it (qemuDomainAssignPCIAddresses), measured
 * against stock libvirtd:
 *
 *  i440fx  bus 0: slot 1 is the PIIX3 (IDE 1.1, USB 1.2), the primary
 *          video takes slot 2, then in this order the next free slot:
 *          PCI bridges, interfaces, sound cards, other controllers,
 *          virtio disks, the balloon, RNGs, secondary videos.  USB
 *          controllers of one index share a slot (EHCI function 7,
 *          UHCI companions 0-2).
 *  q35     pcie.0: slot 1 the primary video, 0x1b an ich9 sound card,
 *          0x1f the ICH9 (SATA 0 at 0x1f.2).  Every other PCIe device
 *          sits alone behind a pcie-root-port, conventional PCI devices
 *          on a pcie-to-pci-bridge (slots 1-31) behind one; the ports
 *          are added as needed, plus one spare for hotplug, in slots
 *          of 8 functions (port = slot * 8 + function, chassis = index).
 *
 * Only devices without an address are placed; an explicit address is
 * never moved.
 */
#include <string.h>

#include "domain_conf_priv.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

#define VIR_PCI_SLOTS 32
#define VIR_PCI_FUNCTIONS 8
#define VIR_PCI_MAX_BUSES 256
#define VIR_Q35_ICH9_SLOT 0x1f
#define VIR_Q35_SOUND_SLOT 0x1b

typedef enum {
    VIR_PCI_KIND_PCIE,          /* a PCIe endpoint: behind a root port */
    VIR_PCI_KIND_PCI,           /* conventional PCI */
} virPCIKind;

/* A device waiting for a PCI address, with what it can plug into. */
typedef struct {
    virDomainDeviceInfo *info;
    virPCIKind kind;
    int usbGroup;               /* USB controller index sharing a slot, -1 */
    unsigned int function;      /* within a shared slot */
} virPCIPending;

/* Which functions of which slot of which bus are taken. */
typedef struct {
    guint8 used[VIR_PCI_MAX_BUSES][VIR_PCI_SLOTS];  /* function bitmap */
} virPCIAddressSet;

static void
virPCIAddressSetMark(virPCIAddressSet *set, const virPCIDeviceAddress *a)
{
    if (a->domain == 0 && a->bus < VIR_PCI_MAX_BUSES && a->slot < VIR_PCI_SLOTS)
        set->used[a->bus][a->slot] |= 1u << a->function;
}

static void
virPCIAddressSetMarkInfo(virPCIAddressSet *set, const virDomainDeviceInfo *info)
{
    if (info->type == VIR_DOMAIN_DEVICE_ADDRESS_TYPE_PCI)
        virPCIAddressSetMark(set, &info->addr.pci);
}

static void
virPCIDeviceInfoSet(virDomainDeviceInfo *info, unsigned int bus,
                    unsigned int slot, unsigned int function)
{
    info->type = VIR_DOMAIN_DEVICE_ADDRESS_TYPE_PCI;
    memset(&info->addr.pci, 0, sizeof(info->addr.pci));
    info->addr.pci.bus = bus;
    info->addr.pci.slot = slot;
    info->addr.pci.function = function;
}

/* ------------------------------------------------------------------ */
/* what needs an address, in libvirt's order                            */

static bool
virDomainVideoIsPrimaryPCI(const virDomainVideoDef *video)
{
    return video->primary && video->type != VIR_DOMAIN_VIDEO_TYPE_NONE;
}

static virPCIKind
virDomainNetPCIKind(const virDomainNetDef *net)
{
    if (net->model == VIR_DOMAIN_NET_MODEL_VIRTIO ||
        net->model == VIR_DOMAIN_NET_MODEL_E1000E)
        return VIR_PCI_KIND_PCIE;
    return VIR_PCI_KIND_PCI;
}

/* Controllers QEMU gets as a PCI device, and which kind; false for the
 * roots, IDE and the q35 machine's own AHCI, and for the i440fx's
 * PIIX3 USB (fixed at 1.2 by post-parse). */
static bool
virDomainControllerNeedsPCI(const virDomainDef *def,
                            const virDomainControllerDef *ctrl,
                            virPCIKind *kind)
{
    bool q35 = virDomainDefIsQ35(def);

    *kind = VIR_PCI_KIND_PCI;
    switch ((virDomainControllerType)ctrl->type) {
    case VIR_DOMAIN_CONTROLLER_TYPE_USB:
        if (ctrl->model == VIR_DOMAIN_CONTROLLER_MODEL_USB_NONE)
            return false;
        if (ctrl->model == VIR_DOMAIN_CONTROLLER_MODEL_QEMU_XHCI)
            *kind = VIR_PCI_KIND_PCIE;
        return true;
    case VIR_DOMAIN_CONTROLLER_TYPE_SCSI:
        if (ctrl->model == VIR_DOMAIN_CONTROLLER_MODEL_VIRTIO_SCSI)
            *kind = VIR_PCI_KIND_PCIE;
        return true;
    case VIR_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
        *kind = VIR_PCI_KIND_PCIE;
        return true;
    case VIR_DOMAIN_CONTROLLER_TYPE_SATA:
        return !(q35 && ctrl->idx == 0);
    case VIR_DOMAIN_CONTROLLER_TYPE_IDE:
    case VIR_DOMAIN_CONTROLLER_TYPE_PCI:
    case VIR_DOMAIN_CONTROLLER_TYPE_LAST:
        break;
    }
    return false;
}

/* EHCI at function 7, its UHCI companions at 0, 1, 2. */
static unsigned int
virDomainUSBCompanionFunction(int model)
{
    switch (model) {
    case VIR_DOMAIN_CONTROLLER_MODEL_ICH9_EHCI1:
        return 7;
    case VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI2:
        return 1;
    case VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI3:
        return 2;
    default:
        return 0;
    }
}

static void
virPCIPendingAdd(GArray *pending, virDomainDeviceInfo *info, virPCIKind kind)
{
    virPCIPending p = { .info = info, .kind = kind, .usbGroup = -1 };

    if (info->type == VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE)
        g_array_append_val(pending, p);
}

static void
virPCIPendingAddControllers(GArray *pending, virDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        virDomainControllerDef *ctrl = def->controllers[i];
        virPCIKind kind;

        if (ctrl->info.type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE ||
            !virDomainControllerNeedsPCI(def, ctrl, &kind))
            continue;
        virPCIPendingAdd(pending, &ctrl->info, kind);
        if (virDomainControllerIsUSBCompanion(ctrl)) {
            virPCIPending *p = &g_array_index(pending, virPCIPending,
                                              pending->len - 1);

            p->usbGroup = ctrl->idx;
            p->function = virDomainUSBCompanionFunction(ctrl->model);
        }
    }
}

/* Everything but the primary video, ich9 sound on q35 and q35's root
 * ports and pcie-to-pci bridges, in libvirt's assignment order. */
static GArray *
virPCIPendingCollect(virDomainDef *def)
{
    GArray *pending = g_array_new(FALSE, TRUE, sizeof(virPCIPending));
    bool q35 = virDomainDefIsQ35(def);
    size_t i;

    /* PCI bridges first: the buses behind them are numbered by index */
    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->model == VIR_DOMAIN_CONTROLLER_MODEL_PCI_BRIDGE)
            virPCIPendingAdd(pending, &def->controllers[i]->info, VIR_PCI_KIND_PCI);
    }
    for (i = 0; i < def->nnets; i++)
        virPCIPendingAdd(pending, &def->nets[i]->info,
                         virDomainNetPCIKind(def->nets[i]));
    for (i = 0; i < def->nsounds; i++) {
        if (q35 && def->sounds[i]->model == VIR_DOMAIN_SOUND_MODEL_ICH9)
            continue;
        virPCIPendingAdd(pending, &def->sounds[i]->info, VIR_PCI_KIND_PCI);
    }
    virPCIPendingAddControllers(pending, def);
    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->bus == VIR_DOMAIN_DISK_BUS_VIRTIO)
            virPCIPendingAdd(pending, &def->disks[i]->info, VIR_PCI_KIND_PCIE);
    }
    if (def->memballoon &&
        def->memballoon->model == VIR_DOMAIN_MEMBALLOON_MODEL_VIRTIO)
        virPCIPendingAdd(pending, &def->memballoon->info, VIR_PCI_KIND_PCIE);
    for (i = 0; i < def->nrngs; i++)
        virPCIPendingAdd(pending, &def->rngs[i]->info, VIR_PCI_KIND_PCIE);
    for (i = 0; i < def->nvideos; i++) {
        virDomainVideoDef *video = def->videos[i];

        if (virDomainVideoIsPrimaryPCI(video) ||
            video->type == VIR_DOMAIN_VIDEO_TYPE_NONE)
            continue;
        virPCIPendingAdd(pending, &video->info,
                         video->type == VIR_DOMAIN_VIDEO_TYPE_VIRTIO ?
                         VIR_PCI_KIND_PCIE : VIR_PCI_KIND_PCI);
    }
    return pending;
}

static int
virPCIAddressSetMarkCb(virDomainDeviceInfo *info, const char *what G_GNUC_UNUSED,
                       void *opaque)
{
    virPCIAddressSetMarkInfo(opaque, info);
    return 0;
}

static void
virPCIAddressSetMarkAll(virPCIAddressSet *set, virDomainDef *def)
{
    ignore_value(virDomainDefForeachDeviceInfo(def, virPCIAddressSetMarkCb, set));
}

/* The primary video's fixed slot (2 on i440fx, 1 on q35), if free. */
static void
virDomainAssignPrimaryVideo(virDomainDef *def, virPCIAddressSet *set,
                            unsigned int slot)
{
    size_t i;

    for (i = 0; i < def->nvideos; i++) {
        virDomainVideoDef *video = def->videos[i];

        if (!virDomainVideoIsPrimaryPCI(video) ||
            video->info.type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE ||
            set->used[0][slot])
            continue;
        virPCIDeviceInfoSet(&video->info, 0, slot, 0);
        virPCIAddressSetMarkInfo(set, &video->info);
    }
}

static int
virPCIAddressSetFreeSlot(const virPCIAddressSet *set, unsigned int bus,
                         unsigned int first)
{
    unsigned int slot;

    for (slot = first; slot < VIR_PCI_SLOTS; slot++) {
        if (!set->used[bus][slot])
            return slot;
    }
    virReportError(VIR_ERR_INTERNAL_ERROR,
                   _("No more available PCI slots on bus %1$u"), bus);
    return -1;
}

/* A USB controller of a companion group already placed: its slot. */
static int
virPCIPendingGroupSlot(GArray *pending, size_t upto, int group)
{
    size_t i;

    for (i = 0; i < upto; i++) {
        virPCIPending *p = &g_array_index(pending, virPCIPending, i);

        if (p->usbGroup == group &&
            p->info->type == VIR_DOMAIN_DEVICE_ADDRESS_TYPE_PCI)
            return p->info->addr.pci.slot;
    }
    return -1;
}

/* Places @p on @bus (a free slot from @first, or its companion group's
 * slot). */
static int
virPCIPendingPlaceOnBus(virPCIAddressSet *set, GArray *pending, size_t idx,
                        unsigned int bus, unsigned int first)
{
    virPCIPending *p = &g_array_index(pending, virPCIPending, idx);
    int slot = -1;

    if (p->usbGroup >= 0)
        slot = virPCIPendingGroupSlot(pending, idx, p->usbGroup);
    if (slot < 0 && (slot = virPCIAddressSetFreeSlot(set, bus, first)) < 0)
        return -1;
    virPCIDeviceInfoSet(p->info, bus, slot, p->function);
    if (p->usbGroup >= 0 && p->function == 0)
        p->info->addr.pci.multi = VIR_TRISTATE_SWITCH_ON;
    virPCIAddressSetMarkInfo(set, p->info);
    return 0;
}

/* ------------------------------------------------------------------ */
/* i440fx                                                               */

static int
virDomainAssignPCIAddressesI440FX(virDomainDef *def)
{
    g_autofree virPCIAddressSet *set = g_new0(virPCIAddressSet, 1);
    g_autoptr(GArray) pending = NULL;
    size_t i;

    set->used[0][0] = 0xff;             /* host bridge */
    set->used[0][1] = 0xff;             /* PIIX3 */
    virPCIAddressSetMarkAll(set, def);
    virDomainAssignPrimaryVideo(def, set, 2);
    pending = virPCIPendingCollect(def);
    for (i = 0; i < pending->len; i++) {
        if (virPCIPendingPlaceOnBus(set, pending, i, 0, 2) < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* q35                                                                  */

static unsigned int
virDomainDefNextControllerIndex(const virDomainDef *def, int type)
{
    unsigned int next = 0;
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == type)
            next = MAX(next, def->controllers[i]->idx + 1);
    }
    return next;
}

static virDomainControllerDef *
virDomainDefAddPCIController(virDomainDef *def, int model, const char *name)
{
    unsigned int idx = virDomainDefNextControllerIndex(def,
                                                      VIR_DOMAIN_CONTROLLER_TYPE_PCI);
    virDomainControllerDef *ctrl;

    ctrl = virDomainControllerDefNew(VIR_DOMAIN_CONTROLLER_TYPE_PCI, idx, model);
    ctrl->modelName = g_strdup(name);
    if (model == VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT)
        ctrl->chassis = idx;
    VIR_APPEND_ELEMENT(def->controllers, def->ncontrollers, ctrl);
    return ctrl;
}

/* Root ports without a device behind them, and bridges' spare slots. */
typedef struct {
    GArray *freePorts;          /* bus numbers (indexes) of free ports */
    int bridge;                 /* a pcie-to-pci-bridge's index, -1 */
} virQ35Buses;

static bool
virQ35BusIsFree(const virPCIAddressSet *set, unsigned int bus)
{
    return set->used[bus][0] == 0;
}

static void
virQ35BusesInit(virQ35Buses *buses, const virDomainDef *def,
                const virPCIAddressSet *set)
{
    size_t i;

    buses->freePorts = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    buses->bridge = -1;
    for (i = 0; i < def->ncontrollers; i++) {
        const virDomainControllerDef *ctrl = def->controllers[i];

        if (ctrl->type != VIR_DOMAIN_CONTROLLER_TYPE_PCI ||
            ctrl->idx >= VIR_PCI_MAX_BUSES)
            continue;
        if (ctrl->model == VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT &&
            virQ35BusIsFree(set, ctrl->idx))
            g_array_append_val(buses->freePorts, ctrl->idx);
        if (ctrl->model == VIR_DOMAIN_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE)
            buses->bridge = ctrl->idx;
    }
}

/* Pass 1: adds the root ports and the bridge the pending devices need
 * (libvirt grows its address set the same way), plus a spare port. */
static void
virDomainQ35AddBuses(virDomainDef *def, GArray *pending, virQ35Buses *buses)
{
    unsigned int freePorts = buses->freePorts->len;
    bool haveBridge = buses->bridge >= 0;
    bool added = false;
    size_t i;

    for (i = 0; i < pending->len; i++) {
        virPCIPending *p = &g_array_index(pending, virPCIPending, i);

        if (p->kind == VIR_PCI_KIND_PCI) {
            if (haveBridge)
                continue;
            if (freePorts > 0) {
                freePorts--;
            } else {
                virDomainDefAddPCIController(def, VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT,
                                             "pcie-root-port");
            }
            virDomainDefAddPCIController(def, VIR_DOMAIN_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE,
                                         "pcie-pci-bridge");
            haveBridge = added = true;
            continue;
        }
        if (freePorts > 0) {
            freePorts--;
            continue;
        }
        virDomainDefAddPCIController(def, VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT,
                                     "pcie-root-port");
        added = true;
    }
    if (added)
        virDomainDefAddPCIController(def, VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT,
                                     "pcie-root-port");
}

/* New root ports on pcie.0, 8 functions per slot. */
static int
virDomainQ35PlaceRootPorts(virDomainDef *def, virPCIAddressSet *set)
{
    int slot = -1;
    unsigned int function = VIR_PCI_FUNCTIONS;
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        virDomainControllerDef *ctrl = def->controllers[i];

        if (ctrl->model != VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
            ctrl->info.type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE)
            continue;
        if (function == VIR_PCI_FUNCTIONS) {
            if ((slot = virPCIAddressSetFreeSlot(set, 0, 1)) < 0)
                return -1;
            function = 0;
        }
        virPCIDeviceInfoSet(&ctrl->info, 0, slot, function);
        if (function == 0)
            ctrl->info.addr.pci.multi = VIR_TRISTATE_SWITCH_ON;
        if (ctrl->port < 0)
            ctrl->port = slot * VIR_PCI_FUNCTIONS + function;
        virPCIAddressSetMarkInfo(set, &ctrl->info);
        function++;
    }
    return 0;
}

static int
virQ35TakeFreePort(virQ35Buses *buses, const virPCIAddressSet *set)
{
    size_t i;

    for (i = 0; i < buses->freePorts->len; i++) {
        unsigned int bus = g_array_index(buses->freePorts, unsigned int, i);

        if (virQ35BusIsFree(set, bus))
            return bus;
    }
    virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                   _("No free pcie-root-port for a PCI Express device"));
    return -1;
}

/* Pass 2: bridges first, then every pending device. */
static int
virDomainQ35PlaceDevices(virDomainDef *def, GArray *pending,
                         virPCIAddressSet *set)
{
    virQ35Buses buses;
    int ret = -1;
    size_t i;
    int bus;

    virQ35BusesInit(&buses, def, set);
    for (i = 0; i < def->ncontrollers; i++) {
        virDomainControllerDef *ctrl = def->controllers[i];

        if (ctrl->model != VIR_DOMAIN_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE ||
            ctrl->info.type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE)
            continue;
        if ((bus = virQ35TakeFreePort(&buses, set)) < 0)
            goto cleanup;
        virPCIDeviceInfoSet(&ctrl->info, bus, 0, 0);
        virPCIAddressSetMarkInfo(set, &ctrl->info);
    }
    for (i = 0; i < pending->len; i++) {
        virPCIPending *p = &g_array_index(pending, virPCIPending, i);

        if (p->kind == VIR_PCI_KIND_PCI) {
            if (buses.bridge < 0) {
                virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                               _("No PCI bridge for a conventional PCI device"));
                goto cleanup;
            }
            if (virPCIPendingPlaceOnBus(set, pending, i, buses.bridge, 1) < 0)
                goto cleanup;
            continue;
        }
        if ((bus = virQ35TakeFreePort(&buses, set)) < 0)
            goto cleanup;
        virPCIDeviceInfoSet(p->info, bus, 0, 0);
        virPCIAddressSetMarkInfo(set, p->info);
    }
    ret = 0;

 cleanup:
    g_array_unref(buses.freePorts);
    return ret;
}

static void
virDomainQ35AssignFixed(virDomainDef *def, virPCIAddressSet *set)
{
    size_t i;

    for (i = 0; i < def->nsounds; i++) {
        virDomainSoundDef *sound = def->sounds[i];

        if (sound->model != VIR_DOMAIN_SOUND_MODEL_ICH9 ||
            sound->info.type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE ||
            set->used[0][VIR_Q35_SOUND_SLOT])
            continue;
        virPCIDeviceInfoSet(&sound->info, 0, VIR_Q35_SOUND_SLOT, 0);
        virPCIAddressSetMarkInfo(set, &sound->info);
    }
}

static int
virDomainAssignPCIAddressesQ35(virDomainDef *def)
{
    g_autofree virPCIAddressSet *set = g_new0(virPCIAddressSet, 1);
    g_autoptr(GArray) pending = NULL;
    virQ35Buses buses;

    set->used[0][0] = 0xff;                     /* host bridge */
    set->used[0][VIR_Q35_ICH9_SLOT] = 0xff;     /* LPC, SATA, SMBus */
    virPCIAddressSetMarkAll(set, def);
    virDomainAssignPrimaryVideo(def, set, 1);
    virDomainQ35AssignFixed(def, set);
    pending = virPCIPendingCollect(def);
    if (pending->len == 0)
        return 0;
    virQ35BusesInit(&buses, def, set);
    virDomainQ35AddBuses(def, pending, &buses);
    g_array_unref(buses.freePorts);
    if (virDomainQ35PlaceRootPorts(def, set) < 0)
        return -1;
    return virDomainQ35PlaceDevices(def, pending, set);
}

/* ------------------------------------------------------------------ */
/* virtio-serial ports and USB ports                                    */

static void
virDomainAssignVirtioSerialPorts(virDomainDef *def)
{
    unsigned int next = 1;      /* port 0 is the console's */
    size_t i;

    for (i = 0; i < def->nchannels; i++) {
        const virDomainDeviceInfo *info = &def->channels[i]->info;

        if (info->type == VIR_DOMAIN_DEVICE_ADDRESS_TYPE_VIRTIO_SERIAL &&
            info->addr.vioserial.controller == 0 && info->addr.vioserial.bus == 0)
            next = MAX(next, info->addr.vioserial.port + 1);
    }
    for (i = 0; i < def->nchannels; i++) {
        virDomainDeviceInfo *info = &def->channels[i]->info;

        if (info->type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE)
            continue;
        info->type = VIR_DOMAIN_DEVICE_ADDRESS_TYPE_VIRTIO_SERIAL;
        memset(&info->addr.vioserial, 0, sizeof(info->addr.vioserial));
        info->addr.vioserial.port = next++;
    }
}

static void
virDomainAssignUSBPorts(virDomainDef *def)
{
    unsigned int next = 1;
    size_t i;

    for (i = 0; i < def->ninputs; i++) {
        const virDomainDeviceInfo *info = &def->inputs[i]->info;

        if (info->type == VIR_DOMAIN_DEVICE_ADDRESS_TYPE_USB &&
            info->addr.usb.bus == 0 && info->addr.usb.port[1] == 0)
            next = MAX(next, info->addr.usb.port[0] + 1);
    }
    for (i = 0; i < def->ninputs; i++) {
        virDomainDeviceInfo *info = &def->inputs[i]->info;

        if (def->inputs[i]->bus != VIR_DOMAIN_INPUT_BUS_USB ||
            info->type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE)
            continue;
        info->type = VIR_DOMAIN_DEVICE_ADDRESS_TYPE_USB;
        memset(&info->addr.usb, 0, sizeof(info->addr.usb));
        info->addr.usb.port[0] = next++;
    }
}

int
virDomainDefAssignAddresses(virDomainDef *def)
{
    virDomainAssignVirtioSerialPorts(def);
    virDomainAssignUSBPorts(def);
    if (virDomainDefIsQ35(def))
        return virDomainAssignPCIAddressesQ35(def);
    if (virDomainDefIsI440FX(def))
        return virDomainAssignPCIAddressesI440FX(def);
    return 0;
}
