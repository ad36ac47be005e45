/*
 * domain_postparse.c: defaults filled in after parsing
 *
 * The same defaults libvirt's generic code (and, where noted, its QEMU
 * driver) fills in, so that the formatted XML says what the guest gets.
 * Like libvirt's QEMU driver, a new definition gets the implicit
 * devices libvirt 9.0 gives every PC guest (default USB, PCI root,
 * q35's AHCI, PS/2 inputs, a silent <audio>, a virtio balloon, a
 * virtio-serial controller for channels) and every device an address
 * (domain_addr.c), so that the XML says what the guest has and a guest
 * moving between libvirtd and virtmigd keeps its devices.  A status
 * file is taken as it is: it describes a running QEMU.  The machine
 * type alias ("pc") is resolved by the driver, which knows the QEMU.
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

static void
virDomainControllerSetPCI(virDomainControllerDef *ctrl, unsigned int slot,
                          unsigned int function)
{
    ctrl->info.type = VIR_DOMAIN_DEVICE_ADDRESS_TYPE_PCI;
    ctrl->info.addr.pci.slot = slot;
    ctrl->info.addr.pci.function = function;
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
    ctrl = virDomainControllerDefNew(type, idx, VIR_DOMAIN_CONTROLLER_MODEL_DEFAULT);
    /* the PIIX3's IDE function */
    if (type == VIR_DOMAIN_CONTROLLER_TYPE_IDE && idx == 0 &&
        virDomainDefIsI440FX(def))
        virDomainControllerSetPCI(ctrl, 1, 1);
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
 * takes the serial's source; a serial port without a console gets one,
 * as libvirt adds it to every guest with an ISA serial port. */
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
    if (def->nconsoles == 0 && def->nserials > 0) {
        VIR_APPEND_ELEMENT(def->consoles, def->nconsoles,
                           virDomainChrDefCopySource(def->serials[0],
                                                     VIR_DOMAIN_CHR_DEVICE_CONSOLE));
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

static bool
virDomainDefHasController(const virDomainDef *def, int type, int idx)
{
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == type &&
            (idx < 0 || def->controllers[i]->idx == (unsigned int)idx))
            return true;
    }
    return false;
}

static virDomainControllerDef *
virDomainDefAddController(virDomainDef *def, int type, unsigned int idx,
                          int model)
{
    virDomainControllerDef *ctrl = virDomainControllerDefNew(type, idx, model);

    VIR_APPEND_ELEMENT(def->controllers, def->ncontrollers, ctrl);
    return ctrl;
}

/* The controllers libvirt's QEMU driver gives every PC guest
 * (qemuDomainDefAddDefaultDevices): USB (piix3-uhci at 00:01.2 on
 * i440fx, qemu-xhci on q35), q35's built-in AHCI at 00:1f.2, the PCI
 * root.  A guest coming from libvirtd must find them here: libvirt
 * leaves the default USB out of the XML it sends for a migration. */
static void
virDomainDefAddDefaultControllers(virDomainDef *def)
{
    bool q35 = virDomainDefIsQ35(def);
    virDomainControllerDef *ctrl;

    if (!q35 && !virDomainDefIsI440FX(def))
        return;
    if (!virDomainDefHasController(def, VIR_DOMAIN_CONTROLLER_TYPE_USB, -1)) {
        if (q35) {
            virDomainDefAddController(def, VIR_DOMAIN_CONTROLLER_TYPE_USB, 0,
                                      VIR_DOMAIN_CONTROLLER_MODEL_QEMU_XHCI);
        } else {
            ctrl = virDomainDefAddController(def, VIR_DOMAIN_CONTROLLER_TYPE_USB, 0,
                                             VIR_DOMAIN_CONTROLLER_MODEL_PIIX3_UHCI);
            virDomainControllerSetPCI(ctrl, 1, 2);
        }
    }
    if (q35 && !virDomainDefHasController(def, VIR_DOMAIN_CONTROLLER_TYPE_SATA, 0)) {
        ctrl = virDomainDefAddController(def, VIR_DOMAIN_CONTROLLER_TYPE_SATA, 0,
                                         VIR_DOMAIN_CONTROLLER_MODEL_DEFAULT);
        virDomainControllerSetPCI(ctrl, 0x1f, 2);
    }
    if (!virDomainDefHasController(def, VIR_DOMAIN_CONTROLLER_TYPE_PCI, 0))
        virDomainDefAddController(def, VIR_DOMAIN_CONTROLLER_TYPE_PCI, 0,
                                  q35 ? VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT :
                                        VIR_DOMAIN_CONTROLLER_MODEL_PCI_ROOT);
}

/* libvirt's other implicit devices of an x86 guest: PS/2 mouse and
 * keyboard, a silent audio backend, a virtio balloon, a virtio-serial
 * controller for channels; SCSI controllers default to 'lsilogic'. */
static void
virDomainDefAddImplicitDevices(virDomainDef *def)
{
    bool mouse = false, kbd = false;
    size_t i;

    for (i = 0; i < def->ninputs; i++) {
        if (def->inputs[i]->bus != VIR_DOMAIN_INPUT_BUS_PS2)
            continue;
        mouse |= def->inputs[i]->type == VIR_DOMAIN_INPUT_TYPE_MOUSE;
        kbd |= def->inputs[i]->type == VIR_DOMAIN_INPUT_TYPE_KBD;
    }
    if (!mouse) {
        virDomainInputDef *input = g_new0(virDomainInputDef, 1);

        input->type = VIR_DOMAIN_INPUT_TYPE_MOUSE;
        VIR_APPEND_ELEMENT(def->inputs, def->ninputs, input);
    }
    if (!kbd) {
        virDomainInputDef *input = g_new0(virDomainInputDef, 1);

        input->type = VIR_DOMAIN_INPUT_TYPE_KBD;
        VIR_APPEND_ELEMENT(def->inputs, def->ninputs, input);
    }
    if (def->naudios == 0) {
        virDomainAudioDef *audio = g_new0(virDomainAudioDef, 1);

        audio->id = 1;
        VIR_APPEND_ELEMENT(def->audios, def->naudios, audio);
    }
    if (!def->memballoon) {
        def->memballoon = g_new0(virDomainMemballoonDef, 1);
        def->memballoon->model = VIR_DOMAIN_MEMBALLOON_MODEL_VIRTIO;
    }
    if (def->nchannels > 0 &&
        !virDomainDefHasController(def, VIR_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL, 0))
        virDomainDefAddController(def, VIR_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL, 0,
                                  VIR_DOMAIN_CONTROLLER_MODEL_DEFAULT);
    for (i = 0; i < def->ncontrollers; i++) {
        virDomainControllerDef *ctrl = def->controllers[i];

        if (ctrl->type == VIR_DOMAIN_CONTROLLER_TYPE_SCSI &&
            ctrl->model == VIR_DOMAIN_CONTROLLER_MODEL_DEFAULT)
            ctrl->model = VIR_DOMAIN_CONTROLLER_MODEL_LSILOGIC;
    }
}

/* The lowest index no controller of @type has. */
static unsigned int
virDomainControllerUnusedIndex(const virDomainDef *def, int type)
{
    unsigned int idx = 0;

    while (virDomainDefHasController(def, type, idx))
        idx++;
    return idx;
}

/* The USB2 companion group @ctrl (the @pos-th controller, a companion
 * without index) joins: the index of the USB controller listed just
 * before it if that one is a companion too and the group has no
 * controller of @ctrl's model yet; VIR_DOMAIN_CONTROLLER_INDEX_AUTO if
 * none. */
static unsigned int
virDomainControllerCompanionIndex(const virDomainDef *def, size_t pos)
{
    const virDomainControllerDef *ctrl = def->controllers[pos];
    const virDomainControllerDef *prev = NULL;
    size_t i;

    while (pos-- > 0 && !prev) {
        if (def->controllers[pos]->type == VIR_DOMAIN_CONTROLLER_TYPE_USB)
            prev = def->controllers[pos];
    }
    if (!prev || !virDomainControllerIsUSBCompanion(prev))
        return VIR_DOMAIN_CONTROLLER_INDEX_AUTO;
    for (i = 0; i < def->ncontrollers; i++) {
        const virDomainControllerDef *c = def->controllers[i];

        if (c->type == VIR_DOMAIN_CONTROLLER_TYPE_USB && c->idx == prev->idx &&
            c->model == ctrl->model)
            return VIR_DOMAIN_CONTROLLER_INDEX_AUTO;
    }
    return prev->idx;
}

/* Controllers without index= (virt-install writes q35 root ports so)
 * get one, in document order, by libvirt's rule: a USB2 companion joins
 * the group listed just before it, any other the lowest unused index
 * of its type. */
static void
virDomainDefAssignControllerIndexes(virDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        virDomainControllerDef *ctrl = def->controllers[i];

        if (ctrl->idx != VIR_DOMAIN_CONTROLLER_INDEX_AUTO)
            continue;
        if (virDomainControllerIsUSBCompanion(ctrl))
            ctrl->idx = virDomainControllerCompanionIndex(def, i);
        if (ctrl->idx == VIR_DOMAIN_CONTROLLER_INDEX_AUTO)
            ctrl->idx = virDomainControllerUnusedIndex(def, ctrl->type);
    }
}

int
virDomainDefPostParse(virDomainDef *def, unsigned int flags)
{
    size_t i;

    virDomainDefAssignControllerIndexes(def);
    virDomainDefPostParseGeneral(def);
    for (i = 0; i < def->nnets; i++)
        virDomainNetGenerateMAC(def->nets[i]);
    if (virDomainDefPostParseDisks(def) < 0)
        return -1;
    virDomainDefPostParseChrs(def);
    virDomainDefPostParseVideo(def);
    /* a status file says what the running QEMU has */
    if (flags & VIR_DOMAIN_DEF_PARSE_STATUS)
        return 0;
    virDomainDefAddDefaultControllers(def);
    virDomainDefAddImplicitDevices(def);
    return virDomainDefAssignAddresses(def);
}
