/*
 * domain_device_conf.c: parsing of the <devices> section
 *
 * Every device parser reads the element the whitelist has already
 * admitted (domain_whitelist.c), so unknown children and attributes need
 * no handling here.  Values libvirt knows but virtmig cannot honour are
 * refused with VIR_ERR_CONFIG_UNSUPPORTED; malformed values get
 * libvirt's VIR_ERR_XML_ERROR wording.
 */
#include <string.h>

#include "domain_conf_priv.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

VIR_LOG_INIT("conf.domain_device_conf");

static const char *const virDomainDiskDeviceUnsupported[] = {
    "floppy", "lun", NULL
};
static const char *const virDomainDiskBusUnsupported[] = {
    "fdc", "xen", "usb", "uml", "sd", NULL
};
static const char *const virDomainMemballoonUnsupported[] = {
    "xen", "virtio-transitional", "virtio-non-transitional", NULL
};

/* ------------------------------------------------------------------ */
/* device info: <alias>, <address>, <boot>                               */

void
virDomainDeviceInfoClear(virDomainDeviceInfo *info)
{
    g_clear_pointer(&info->alias, g_free);
}

static int
virPCIDeviceAddressParseXML(xmlNodePtr node, virPCIDeviceAddress *addr)
{
    if (virXMLPropUInt(node, "domain", 0, VIR_XML_PROP_NONE, &addr->domain) < 0 ||
        virXMLPropUInt(node, "bus", 0, VIR_XML_PROP_NONE, &addr->bus) < 0 ||
        virXMLPropUInt(node, "slot", 0, VIR_XML_PROP_NONE, &addr->slot) < 0 ||
        virXMLPropUInt(node, "function", 0, VIR_XML_PROP_NONE, &addr->function) < 0 ||
        virXMLPropEnum(node, "multifunction", virTristateSwitchTypeFromString,
                       VIR_XML_PROP_NONZERO, &addr->multi) < 0)
        return -1;
    if (addr->domain > 0xFFFF) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("Invalid PCI address domain='0x%1$x', must be <= 0xFFFF"),
                       addr->domain);
        return -1;
    }
    if (addr->bus > 0xFF) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("Invalid PCI address bus='0x%1$x', must be <= 0xFF"),
                       addr->bus);
        return -1;
    }
    if (addr->slot > 0x1F) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("Invalid PCI address slot='0x%1$x', must be <= 0x1F"),
                       addr->slot);
        return -1;
    }
    if (addr->function > 7) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("Invalid PCI address function=0x%1$x, must be <= 7"),
                       addr->function);
        return -1;
    }
    return 0;
}

static int
virDomainDriveAddressParseXML(xmlNodePtr node,
                              virDomainDeviceDriveAddress *addr)
{
    if (virXMLPropUInt(node, "controller", 10, VIR_XML_PROP_NONE,
                       &addr->controller) < 0 ||
        virXMLPropUInt(node, "bus", 10, VIR_XML_PROP_NONE, &addr->bus) < 0 ||
        virXMLPropUInt(node, "target", 10, VIR_XML_PROP_NONE, &addr->target) < 0 ||
        virXMLPropUInt(node, "unit", 10, VIR_XML_PROP_NONE, &addr->unit) < 0)
        return -1;
    return 0;
}

static int
virDomainVirtioSerialAddressParseXML(xmlNodePtr node,
                                     virDomainDeviceVirtioSerialAddress *addr)
{
    if (virXMLPropUInt(node, "controller", 10, VIR_XML_PROP_NONE,
                       &addr->controller) < 0 ||
        virXMLPropUInt(node, "bus", 10, VIR_XML_PROP_NONE, &addr->bus) < 0 ||
        virXMLPropUInt(node, "port", 10, VIR_XML_PROP_NONE, &addr->port) < 0)
        return -1;
    return 0;
}

/* port='1' or a hub path '1.2.3' (libvirt's virDomainDeviceUSBAddressParsePort) */
static int
virDomainUSBAddressParseXML(xmlNodePtr node, virDomainDeviceUSBAddress *addr)
{
    g_autofree char *port = virXMLPropString(node, "port");
    g_auto(GStrv) parts = NULL;
    size_t i;

    if (virXMLPropUInt(node, "bus", 10, VIR_XML_PROP_NONE, &addr->bus) < 0)
        return -1;
    if (!port)
        return 0;
    parts = g_strsplit(port, ".", 0);
    if (g_strv_length(parts) > VIR_DOMAIN_DEVICE_USB_MAX_PORT_DEPTH)
        goto error;
    for (i = 0; parts[i]; i++) {
        guint64 val;

        if (!g_ascii_string_to_unsigned(parts[i], 10, 1, 255, &val, NULL))
            goto error;
        addr->port[i] = val;
    }
    return 0;

 error:
    virReportError(VIR_ERR_INTERNAL_ERROR,
                   _("Cannot parse <address> 'port' attribute"));
    return -1;
}

static int
virDomainDeviceAddressParseXML(xmlNodePtr node, virDomainDeviceInfo *info)
{
    int rc = virXMLPropEnum(node, "type", virDomainDeviceAddressTypeFromString,
                            VIR_XML_PROP_NONE, &info->type);

    if (rc == 0) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("No type specified for device address"));
        return -1;
    }
    if (rc < 0)
        return -1;

    switch ((virDomainDeviceAddressType)info->type) {
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_PCI:
        return virPCIDeviceAddressParseXML(node, &info->addr.pci);
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE:
        return virDomainDriveAddressParseXML(node, &info->addr.drive);
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_VIRTIO_SERIAL:
        return virDomainVirtioSerialAddressParseXML(node, &info->addr.vioserial);
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_USB:
        return virDomainUSBAddressParseXML(node, &info->addr.usb);
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE:
    case VIR_DOMAIN_DEVICE_ADDRESS_TYPE_LAST:
        break;
    }
    return 0;
}

int
virDomainDeviceInfoParseXML(xmlNodePtr node, unsigned int flags,
                            bool allowBoot, virDomainDeviceInfo *info)
{
    xmlNodePtr cur;

    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(cur->name, BAD_CAST "alias")) {
            if (!(flags & VIR_DOMAIN_DEF_PARSE_INACTIVE) && !info->alias)
                info->alias = virXMLPropString(cur, "name");
        } else if (xmlStrEqual(cur->name, BAD_CAST "address")) {
            if (virDomainDeviceAddressParseXML(cur, info) < 0)
                return -1;
        } else if (allowBoot && xmlStrEqual(cur->name, BAD_CAST "boot")) {
            if (virXMLPropUInt(cur, "order", 10,
                               VIR_XML_PROP_REQUIRED | VIR_XML_PROP_NONZERO,
                               &info->bootIndex) < 0)
                return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* <disk>                                                               */

void
virDomainDiskDefFree(virDomainDiskDef *def)
{
    if (!def)
        return;
    g_free(def->driverName);
    g_free(def->src);
    g_free(def->dst);
    virDomainDeviceInfoClear(&def->info);
    g_free(def);
}

static int
virDomainDiskDriverParseXML(virDomainDiskDef *disk, xmlNodePtr node)
{
    disk->driverName = virXMLPropString(node, "name");
    if (virXMLPropEnum(node, "type", virDomainDiskFormatTypeFromString,
                       VIR_XML_PROP_NONZERO, &disk->format) < 0 ||
        virXMLPropEnum(node, "cache", virDomainDiskCacheTypeFromString,
                       VIR_XML_PROP_NONE, &disk->cache) < 0)
        return -1;
    return 0;
}

static int
virDomainDiskTargetParseXML(virDomainDiskDef *disk, xmlNodePtr node)
{
    g_autofree char *unsupported = NULL;

    if (!disk->dst)
        disk->dst = virXMLPropString(node, "dev");
    switch (virDomainParseEnumAttr(node, "bus", virDomainDiskBusTypeFromString,
                                   virDomainDiskBusUnsupported, &disk->bus,
                                   &unsupported)) {
    case -2:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported disk bus '%1$s'"), unsupported);
        return -1;
    case -1:
        return -1;
    default:
        return 0;
    }
}

static int
virDomainDiskSourceParseXML(virDomainDiskDef *disk, xmlNodePtr node,
                            unsigned int flags)
{
    const char *attr = "file";

    if (disk->type == VIR_DOMAIN_DISK_TYPE_BLOCK)
        attr = "dev";
    if (!disk->src)
        disk->src = virXMLPropString(node, attr);
    if (!(flags & VIR_DOMAIN_DEF_PARSE_INACTIVE) &&
        virXMLPropUInt(node, "index", 10, VIR_XML_PROP_NONE,
                       &disk->srcIndex) < 0)
        return -1;
    return 0;
}

static int
virDomainDiskDefParseChildren(virDomainDiskDef *disk, xmlNodePtr node,
                              unsigned int flags)
{
    xmlNodePtr cur;

    for (cur = node->children; cur; cur = cur->next) {
        const char *name = (const char *)cur->name;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (g_str_equal(name, "driver")) {
            if (virDomainDiskDriverParseXML(disk, cur) < 0)
                return -1;
        } else if (g_str_equal(name, "source")) {
            if (virDomainDiskSourceParseXML(disk, cur, flags) < 0)
                return -1;
        } else if (g_str_equal(name, "target")) {
            if (virDomainDiskTargetParseXML(disk, cur) < 0)
                return -1;
        } else if (g_str_equal(name, "backingStore")) {
            disk->backingStore = true;
        } else if (g_str_equal(name, "readonly")) {
            disk->readonly = true;
        } else if (g_str_equal(name, "shareable")) {
            disk->shareable = true;
        }
    }
    return 0;
}

static int
virDomainDiskDefParseType(virDomainDiskDef *disk, xmlNodePtr node)
{
    g_autofree char *unsupported = NULL;
    int rc;

    if (virXMLPropEnum(node, "type", virDomainDiskTypeFromString,
                       VIR_XML_PROP_NONE, &disk->type) < 0)
        return -1;
    rc = virDomainParseEnumAttr(node, "device",
                                virDomainDiskDeviceTypeFromString,
                                virDomainDiskDeviceUnsupported, &disk->device,
                                &unsupported);
    if (rc == -2) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported disk device '%1$s'"), unsupported);
        return -1;
    }
    return rc < 0 ? -1 : 0;
}

static virDomainDiskDef *
virDomainDiskDefParseXML(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(virDomainDiskDef) disk = g_new0(virDomainDiskDef, 1);

    disk->bus = -1;
    if (virDomainDiskDefParseType(disk, node) < 0 ||
        virDomainDiskDefParseChildren(disk, node, flags) < 0 ||
        virDomainDeviceInfoParseXML(node, flags, true, &disk->info) < 0)
        return NULL;
    if (!disk->dst) {
        if (disk->src) {
            virReportError(VIR_ERR_NO_TARGET, "%s", disk->src);
        } else {
            virDomainReportErrorNoDetail(VIR_ERR_NO_TARGET, VIR_FROM_THIS);
        }
        return NULL;
    }
    return g_steal_pointer(&disk);
}

/* ------------------------------------------------------------------ */
/* <controller>                                                         */

void
virDomainControllerDefFree(virDomainControllerDef *def)
{
    if (!def)
        return;
    g_free(def->modelName);
    virDomainDeviceInfoClear(&def->info);
    g_free(def);
}

virDomainControllerDef *
virDomainControllerDefNew(int type, unsigned int idx, int model)
{
    virDomainControllerDef *ctrl = g_new0(virDomainControllerDef, 1);

    ctrl->type = type;
    ctrl->idx = idx;
    ctrl->model = model;
    ctrl->chassisNr = -1;
    ctrl->chassis = -1;
    ctrl->port = -1;
    ctrl->startport = -1;
    ctrl->ports = -1;
    return ctrl;
}

/* <model name=>, <target chassisNr= chassis= port=>, <master startport=> */
static int
virDomainControllerDefParseChildren(virDomainControllerDef *ctrl,
                                    xmlNodePtr node)
{
    xmlNodePtr cur;

    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(cur->name, BAD_CAST "model")) {
            g_free(ctrl->modelName);
            ctrl->modelName = virXMLPropString(cur, "name");
        } else if (xmlStrEqual(cur->name, BAD_CAST "target")) {
            if (virXMLPropInt(cur, "chassisNr", 0, VIR_XML_PROP_NONE,
                              &ctrl->chassisNr) < 0 ||
                virXMLPropInt(cur, "chassis", 0, VIR_XML_PROP_NONE,
                              &ctrl->chassis) < 0 ||
                virXMLPropInt(cur, "port", 0, VIR_XML_PROP_NONE,
                              &ctrl->port) < 0)
                return -1;
        } else if (xmlStrEqual(cur->name, BAD_CAST "master")) {
            if (virXMLPropInt(cur, "startport", 10, VIR_XML_PROP_NONE,
                              &ctrl->startport) < 0)
                return -1;
        }
    }
    return 0;
}

static virDomainControllerDef *
virDomainControllerDefParseXML(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(virDomainControllerDef) ctrl =
        virDomainControllerDefNew(0, VIR_DOMAIN_CONTROLLER_INDEX_AUTO, 0);
    g_autofree char *model = NULL;

    if (virXMLPropEnum(node, "type", virDomainControllerTypeFromString,
                       VIR_XML_PROP_REQUIRED, &ctrl->type) < 0 ||
        virXMLPropUInt(node, "index", 10, VIR_XML_PROP_NONE, &ctrl->idx) < 0 ||
        virXMLPropInt(node, "ports", 10, VIR_XML_PROP_NONE, &ctrl->ports) < 0)
        return NULL;
    if ((model = virXMLPropString(node, "model")) &&
        (ctrl->model = virDomainControllerModelTypeFromString(model)) <= 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported controller model '%1$s'"), model);
        return NULL;
    }
    if (virDomainControllerDefParseChildren(ctrl, node) < 0 ||
        virDomainDeviceInfoParseXML(node, flags, false, &ctrl->info) < 0)
        return NULL;
    return g_steal_pointer(&ctrl);
}

/* ------------------------------------------------------------------ */
/* <interface>                                                          */

void
virDomainNetDefFree(virDomainNetDef *def)
{
    if (!def)
        return;
    g_free(def->ifname);
    virDomainDeviceInfoClear(&def->info);
    g_free(def);
}

static int
virDomainNetMacParseXML(virDomainNetDef *net, xmlNodePtr node)
{
    g_autofree char *addr = virXMLPropString(node, "address");

    if (!addr)
        return 0;
    if (virMacAddrParse(addr, net->mac) < 0) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("unable to parse mac address '%1$s'"), addr);
        return -1;
    }
    if (net->mac[0] & 1) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("expected unicast mac address, found multicast '%1$s'"),
                       addr);
        return -1;
    }
    return 0;
}

static int
virDomainNetDefParseChildren(virDomainNetDef *net, xmlNodePtr node)
{
    xmlNodePtr cur;

    for (cur = node->children; cur; cur = cur->next) {
        const char *name = (const char *)cur->name;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (g_str_equal(name, "mac")) {
            if (virDomainNetMacParseXML(net, cur) < 0)
                return -1;
        } else if (g_str_equal(name, "model")) {
            if (virXMLPropEnum(cur, "type", virDomainNetModelTypeFromString,
                               VIR_XML_PROP_NONZERO, &net->model) < 0)
                return -1;
        } else if (g_str_equal(name, "target")) {
            g_free(net->ifname);
            net->ifname = virXMLPropString(cur, "dev");
        }
    }
    return 0;
}

static virDomainNetDef *
virDomainNetDefParseXML(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(virDomainNetDef) net = g_new0(virDomainNetDef, 1);

    if (virXMLPropEnum(node, "type", virDomainNetTypeFromString,
                       VIR_XML_PROP_REQUIRED, &net->type) < 0 ||
        virDomainNetDefParseChildren(net, node) < 0 ||
        virDomainDeviceInfoParseXML(node, flags, true, &net->info) < 0)
        return NULL;
    return g_steal_pointer(&net);
}

/* ------------------------------------------------------------------ */
/* <serial>, <console>                                                  */

void
virDomainChrDefFree(virDomainChrDef *def)
{
    if (!def)
        return;
    g_free(def->path);
    g_free(def->targetName);
    virDomainDeviceInfoClear(&def->info);
    g_free(def);
}

/* The whitelist restricts the target type; a serial's <model> must be
 * the ISA serial port too. */
static int
virDomainChrTargetModelCheck(xmlNodePtr target)
{
    xmlNodePtr model = virXMLNodeGetChild(target, "model");
    g_autofree char *name = model ? virXMLPropString(model, "name") : NULL;

    if (model && g_strcmp0(name, "isa-serial") != 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported serial target model '%1$s'"),
                       name ? name : "");
        return -1;
    }
    return 0;
}

static int
virDomainChrSourceParseXML(virDomainChrDef *chr, xmlNodePtr node,
                           unsigned int flags)
{
    if (chr->path)
        return 0;
    if (chr->type == VIR_DOMAIN_CHR_TYPE_FILE ||
        !(flags & VIR_DOMAIN_DEF_PARSE_INACTIVE))
        chr->path = virXMLPropString(node, "path");
    return virXMLPropEnum(node, "append", virTristateSwitchTypeFromString,
                          VIR_XML_PROP_NONZERO, &chr->append) < 0 ? -1 : 0;
}

static int
virDomainChrDefParseChildren(virDomainChrDef *chr, xmlNodePtr node,
                             unsigned int flags)
{
    xmlNodePtr cur;

    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(cur->name, BAD_CAST "source")) {
            if (virDomainChrSourceParseXML(chr, cur, flags) < 0)
                return -1;
        } else if (xmlStrEqual(cur->name, BAD_CAST "target")) {
            if (virDomainChrTargetModelCheck(cur) < 0 ||
                virXMLPropInt(cur, "port", 10, VIR_XML_PROP_NONE,
                              &chr->port) < 0)
                return -1;
        }
    }
    if (chr->type == VIR_DOMAIN_CHR_TYPE_FILE && !chr->path) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("Missing source path attribute for char device"));
        return -1;
    }
    return 0;
}

static virDomainChrDef *
virDomainChrDefParseXML(xmlNodePtr node, int deviceType, unsigned int flags)
{
    g_autoptr(virDomainChrDef) chr = g_new0(virDomainChrDef, 1);

    chr->deviceType = deviceType;
    chr->port = -1;
    if (virXMLPropEnum(node, "type", virDomainChrTypeFromString,
                       VIR_XML_PROP_NONE, &chr->type) < 0 ||
        virDomainChrDefParseChildren(chr, node, flags) < 0 ||
        virDomainDeviceInfoParseXML(node, flags, false, &chr->info) < 0)
        return NULL;
    if (chr->port < -1) {
        virReportError(VIR_ERR_XML_ERROR, _("Invalid port number: %1$d"),
                       chr->port);
        return NULL;
    }
    return g_steal_pointer(&chr);
}

/* ------------------------------------------------------------------ */
/* <graphics>                                                           */

void
virDomainGraphicsDefFree(virDomainGraphicsDef *def)
{
    if (!def)
        return;
    g_free(def->listen);
    g_free(def->passwd);
    g_free(def);
}

/* <listen type='address' address=.../>: only the first is used, as by
 * libvirt's VNC support; it must agree with the listen= attribute. */
static int
virDomainGraphicsListenParseXML(virDomainGraphicsDef *gr, xmlNodePtr node)
{
    xmlNodePtr listen = virXMLNodeGetChild(node, "listen");
    g_autofree char *address = NULL;

    if (!listen)
        return 0;
    address = virXMLPropString(listen, "address");
    if (gr->listen && address && !g_str_equal(gr->listen, address)) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("graphics 'listen' attribute '%1$s' must match 'address' attribute of first listen element (found '%2$s')"),
                       gr->listen, address);
        return -1;
    }
    if (!gr->listen)
        gr->listen = g_steal_pointer(&address);
    return 0;
}

static int
virDomainGraphicsPortParseXML(virDomainGraphicsDef *gr, xmlNodePtr node,
                              unsigned int flags)
{
    int autoport = VIR_TRISTATE_BOOL_ABSENT;
    int rc;

    gr->port = -1;
    if ((rc = virXMLPropInt(node, "port", 10, VIR_XML_PROP_NONE,
                            &gr->port)) < 0 ||
        virXMLPropEnum(node, "autoport", virTristateBoolTypeFromString,
                       VIR_XML_PROP_NONZERO, &autoport) < 0)
        return -1;
    if (gr->port == -1 || autoport == VIR_TRISTATE_BOOL_YES)
        gr->autoport = true;
    if (gr->autoport && (flags & VIR_DOMAIN_DEF_PARSE_INACTIVE))
        gr->port = -1;
    if (!gr->autoport && gr->port < 0) {
        virReportError(VIR_ERR_XML_ERROR, _("cannot parse vnc port %1$d"),
                       gr->port);
        return -1;
    }
    return 0;
}

/* passwdValidTo='YYYY-MM-DDTHH:MM:SS', UTC, as libvirt reads it. */
static int
virDomainGraphicsValidToParseXML(virDomainGraphicsDef *gr, xmlNodePtr node)
{
    g_autofree char *str = virXMLPropString(node, "passwdValidTo");
    g_autoptr(GDateTime) dt = NULL;
    int y, mo, d, h, mi, s, end = 0;

    if (!str)
        return 0;
    if (sscanf(str, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s,
               &end) != 6 || str[end] != '\0' ||
        !(dt = g_date_time_new_utc(y, mo, d, h, mi, s))) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("cannot parse password validity time '%1$s', expect YYYY-MM-DDTHH:MM:SS"),
                       str);
        return -1;
    }
    gr->passwdExpires = true;
    gr->passwdValidTo = g_date_time_to_unix(dt);
    return 0;
}

static virDomainGraphicsDef *
virDomainGraphicsDefParseXML(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(virDomainGraphicsDef) gr = g_new0(virDomainGraphicsDef, 1);

    if (virXMLPropEnum(node, "type", virDomainGraphicsTypeFromString,
                       VIR_XML_PROP_REQUIRED, &gr->type) < 0 ||
        virDomainGraphicsPortParseXML(gr, node, flags) < 0)
        return NULL;
    gr->listen = virXMLPropString(node, "listen");
    gr->passwd = virXMLPropString(node, "passwd");
    if (virDomainGraphicsValidToParseXML(gr, node) < 0 ||
        virDomainGraphicsListenParseXML(gr, node) < 0)
        return NULL;
    return g_steal_pointer(&gr);
}

/* ------------------------------------------------------------------ */
/* <video>, <memballoon>                                                */

void
virDomainVideoDefFree(virDomainVideoDef *def)
{
    if (!def)
        return;
    virDomainDeviceInfoClear(&def->info);
    g_free(def);
}

static int
virDomainVideoModelParseXML(virDomainVideoDef *video, xmlNodePtr model)
{
    int primary = VIR_TRISTATE_BOOL_ABSENT;

    if (virXMLPropEnum(model, "type", virDomainVideoTypeFromString,
                       VIR_XML_PROP_NONE, &video->type) < 0 ||
        virXMLPropUInt(model, "vram", 10, VIR_XML_PROP_NONE, &video->vram) < 0 ||
        virXMLPropUInt(model, "heads", 10, VIR_XML_PROP_NONE, &video->heads) < 0 ||
        virXMLPropEnum(model, "primary", virTristateBoolTypeFromString,
                       VIR_XML_PROP_NONZERO, &primary) < 0)
        return -1;
    video->primary = primary == VIR_TRISTATE_BOOL_YES;
    return 0;
}

static virDomainVideoDef *
virDomainVideoDefParseXML(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(virDomainVideoDef) video = g_new0(virDomainVideoDef, 1);
    xmlNodePtr model = virXMLNodeGetChild(node, "model");

    video->type = VIR_DOMAIN_VIDEO_TYPE_CIRRUS;
    if ((model && virDomainVideoModelParseXML(video, model) < 0) ||
        virDomainDeviceInfoParseXML(node, flags, false, &video->info) < 0)
        return NULL;
    return g_steal_pointer(&video);
}

void
virDomainMemballoonDefFree(virDomainMemballoonDef *def)
{
    if (!def)
        return;
    virDomainDeviceInfoClear(&def->info);
    g_free(def);
}

static virDomainMemballoonDef *
virDomainMemballoonDefParseXML(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(virDomainMemballoonDef) mb = g_new0(virDomainMemballoonDef, 1);
    g_autofree char *unsupported = NULL;
    int rc;

    rc = virDomainParseEnumAttr(node, "model",
                                virDomainMemballoonModelTypeFromString,
                                virDomainMemballoonUnsupported, &mb->model,
                                &unsupported);
    if (rc == -2) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported memballoon model '%1$s'"), unsupported);
        return NULL;
    }
    if (rc == 0) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("Missing required attribute 'model' in element 'memballoon'"));
        return NULL;
    }
    if (rc < 0 ||
        virDomainDeviceInfoParseXML(node, flags, false, &mb->info) < 0)
        return NULL;
    return g_steal_pointer(&mb);
}

/* ------------------------------------------------------------------ */
/* <devices>                                                            */

/* Display, input, sound, RNG, channel and balloon devices. */
static int
virDomainDefParseDeviceOther(virDomainDef *def, xmlNodePtr cur,
                             unsigned int flags)
{
    const char *name = (const char *)cur->name;

    if (g_str_equal(name, "graphics")) {
        virDomainGraphicsDef *gr = virDomainGraphicsDefParseXML(cur, flags);

        if (!gr)
            return -1;
        VIR_APPEND_ELEMENT(def->graphics, def->ngraphics, gr);
    } else if (g_str_equal(name, "video")) {
        virDomainVideoDef *video = virDomainVideoDefParseXML(cur, flags);

        if (!video)
            return -1;
        VIR_APPEND_ELEMENT(def->videos, def->nvideos, video);
    } else if (g_str_equal(name, "input")) {
        virDomainInputDef *input = virDomainInputDefParseXML(cur, flags);

        if (!input)
            return -1;
        VIR_APPEND_ELEMENT(def->inputs, def->ninputs, input);
    } else if (g_str_equal(name, "sound")) {
        virDomainSoundDef *sound = virDomainSoundDefParseXML(cur, flags);

        if (!sound)
            return -1;
        VIR_APPEND_ELEMENT(def->sounds, def->nsounds, sound);
    } else if (g_str_equal(name, "audio")) {
        virDomainAudioDef *audio = virDomainAudioDefParseXML(cur);

        if (!audio)
            return -1;
        VIR_APPEND_ELEMENT(def->audios, def->naudios, audio);
    } else if (g_str_equal(name, "rng")) {
        virDomainRNGDef *rng = virDomainRNGDefParseXML(cur, flags);

        if (!rng)
            return -1;
        VIR_APPEND_ELEMENT(def->rngs, def->nrngs, rng);
    } else if (g_str_equal(name, "channel")) {
        virDomainChrDef *chr = virDomainChannelDefParseXML(cur, flags);

        if (!chr)
            return -1;
        VIR_APPEND_ELEMENT(def->channels, def->nchannels, chr);
    } else if (g_str_equal(name, "memballoon")) {
        if (def->memballoon) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("only a single memory balloon device is supported"));
            return -1;
        }
        if (!(def->memballoon = virDomainMemballoonDefParseXML(cur, flags)))
            return -1;
    }
    return 0;
}

static int
virDomainDefParseChr(virDomainDef *def, xmlNodePtr cur, int deviceType,
                     unsigned int flags)
{
    virDomainChrDef *chr = virDomainChrDefParseXML(cur, deviceType, flags);

    if (!chr)
        return -1;
    if (deviceType == VIR_DOMAIN_CHR_DEVICE_SERIAL)
        VIR_APPEND_ELEMENT(def->serials, def->nserials, chr);
    else
        VIR_APPEND_ELEMENT(def->consoles, def->nconsoles, chr);
    return 0;
}

/* Storage, controllers, network and character devices. */
static int
virDomainDefParseDevice(virDomainDef *def, xmlNodePtr cur, unsigned int flags)
{
    const char *name = (const char *)cur->name;

    if (g_str_equal(name, "emulator")) {
        if (!def->emulator)
            def->emulator = virXMLNodeContentString(cur);
    } else if (g_str_equal(name, "disk")) {
        virDomainDiskDef *disk = virDomainDiskDefParseXML(cur, flags);

        if (!disk)
            return -1;
        VIR_APPEND_ELEMENT(def->disks, def->ndisks, disk);
    } else if (g_str_equal(name, "controller")) {
        virDomainControllerDef *ctrl = virDomainControllerDefParseXML(cur, flags);

        if (!ctrl)
            return -1;
        VIR_APPEND_ELEMENT(def->controllers, def->ncontrollers, ctrl);
    } else if (g_str_equal(name, "interface")) {
        virDomainNetDef *net = virDomainNetDefParseXML(cur, flags);

        if (!net)
            return -1;
        VIR_APPEND_ELEMENT(def->nets, def->nnets, net);
    } else if (g_str_equal(name, "serial")) {
        return virDomainDefParseChr(def, cur, VIR_DOMAIN_CHR_DEVICE_SERIAL, flags);
    } else if (g_str_equal(name, "console")) {
        return virDomainDefParseChr(def, cur, VIR_DOMAIN_CHR_DEVICE_CONSOLE, flags);
    } else {
        return virDomainDefParseDeviceOther(def, cur, flags);
    }
    return 0;
}

int
virDomainDefParseDevices(virDomainDef *def, xmlXPathContext *ctxt,
                         unsigned int flags)
{
    g_autofree xmlNodePtr *nodes = NULL;
    xmlNodePtr cur;
    int n;
    int i;

    if ((n = virXPathNodeSet("./devices", ctxt, &nodes)) < 0)
        return -1;
    for (i = 0; i < n; i++) {
        for (cur = nodes[i]->children; cur; cur = cur->next) {
            if (cur->type != XML_ELEMENT_NODE)
                continue;
            if (virDomainDefParseDevice(def, cur, flags) < 0)
                return -1;
        }
    }
    return 0;
}
