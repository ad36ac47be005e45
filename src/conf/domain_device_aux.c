/*
 * domain_device_aux.c: <channel>, <input>, <sound>, <audio> and <rng>
 *
 * The devices around a guest's disks and NICs that libvirt 9.0 prints
 * for ordinary QEMU guests (a guest agent channel, a USB tablet, a
 * sound card with its audio backend, a virtio RNG), parsed and
 * formatted in libvirt's layout.  The whitelist (domain_whitelist.c)
 * restricts them to what virtmig builds exactly as libvirt does.
 */
#include <string.h>

#include "domain_conf_priv.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

#define VIR_DOMAIN_RNG_DEFAULT_SOURCE "/dev/urandom"

/* Values libvirt knows that virtmig does not build. */
static const char *const virDomainInputBusUnsupported[] = {
    "xen", "virtio", "none", NULL
};
static const char *const virDomainSoundModelUnsupported[] = {
    "sb16", "es1370", "pcspk", "usb", "ich7", NULL
};

/* Reports "unsupported element <ELEM ATTR='VALUE'>". */
static void
virDomainAuxReportUnsupported(const char *elem, const char *attr,
                              const char *value)
{
    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("unsupported element <%1$s %2$s='%3$s'>"),
                   elem, attr, value);
}

/* Refuses @attr of @node unless it is absent or @want. */
static int
virDomainAuxRequireValue(xmlNodePtr node, const char *attr, const char *want)
{
    g_autofree char *val = virXMLPropString(node, attr);

    if (!val || g_str_equal(val, want))
        return 0;
    virDomainAuxReportUnsupported((const char *)node->name, attr, val);
    return -1;
}

/* ------------------------------------------------------------------ */
/* free                                                                 */

void
virDomainInputDefFree(virDomainInputDef *def)
{
    if (!def)
        return;
    virDomainDeviceInfoClear(&def->info);
    g_free(def);
}

void
virDomainSoundDefFree(virDomainSoundDef *def)
{
    if (!def)
        return;
    virDomainDeviceInfoClear(&def->info);
    g_free(def);
}

void
virDomainAudioDefFree(virDomainAudioDef *def)
{
    g_free(def);
}

void
virDomainRNGDefFree(virDomainRNGDef *def)
{
    if (!def)
        return;
    g_free(def->source);
    virDomainDeviceInfoClear(&def->info);
    g_free(def);
}

/* ------------------------------------------------------------------ */
/* parse                                                                */

/* <channel type='unix'><source mode='bind' path=/><target type='virtio'
 * name=/>: the whitelist admits only that shape. */
virDomainChrDef *
virDomainChannelDefParseXML(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(virDomainChrDef) chr = g_new0(virDomainChrDef, 1);
    xmlNodePtr source = virXMLNodeGetChild(node, "source");
    xmlNodePtr target = virXMLNodeGetChild(node, "target");
    g_autofree char *mode = NULL;

    chr->deviceType = VIR_DOMAIN_CHR_DEVICE_CHANNEL;
    chr->type = VIR_DOMAIN_CHR_TYPE_UNIX;
    chr->port = -1;
    if (source) {
        mode = virXMLPropString(source, "mode");
        if (mode && !g_str_equal(mode, "bind")) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported element <channel> source mode '%1$s'"),
                           mode);
            return NULL;
        }
        chr->path = virXMLPropString(source, "path");
    }
    if (!target || !(chr->targetName = virXMLPropString(target, "name"))) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("Missing target name for virtio channel"));
        return NULL;
    }
    if (virDomainDeviceInfoParseXML(node, flags, false, &chr->info) < 0)
        return NULL;
    if (chr->info.type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE &&
        chr->info.type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_VIRTIO_SERIAL) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("virtio channel must have a virtio-serial address"));
        return NULL;
    }
    if ((flags & VIR_DOMAIN_DEF_PARSE_INACTIVE) && virDomainChrPathIsAuto(chr))
        g_clear_pointer(&chr->path, g_free);
    return g_steal_pointer(&chr);
}

virDomainInputDef *
virDomainInputDefParseXML(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(virDomainInputDef) input = g_new0(virDomainInputDef, 1);
    g_autofree char *unsupported = NULL;
    int bus = -1;
    int rc;

    if (virXMLPropEnum(node, "type", virDomainInputTypeFromString,
                       VIR_XML_PROP_REQUIRED, &input->type) < 0)
        return NULL;
    rc = virDomainParseEnumAttr(node, "bus", virDomainInputBusTypeFromString,
                                virDomainInputBusUnsupported, &bus,
                                &unsupported);
    if (rc == -2)
        virDomainAuxReportUnsupported("input", "bus", unsupported);
    if (rc < 0 ||
        virDomainDeviceInfoParseXML(node, flags, false, &input->info) < 0)
        return NULL;
    /* libvirt's default bus: the tablet is a USB device, mouse and
     * keyboard PS/2 on x86 */
    if (bus < 0)
        bus = input->type == VIR_DOMAIN_INPUT_TYPE_TABLET ?
              VIR_DOMAIN_INPUT_BUS_USB : VIR_DOMAIN_INPUT_BUS_PS2;
    input->bus = bus;
    if (input->type == VIR_DOMAIN_INPUT_TYPE_TABLET &&
        input->bus != VIR_DOMAIN_INPUT_BUS_USB) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported element <input type='tablet' bus='%1$s'>"),
                       virDomainInputBusTypeToString(input->bus));
        return NULL;
    }
    if (input->info.type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE &&
        (input->bus != VIR_DOMAIN_INPUT_BUS_USB ||
         input->info.type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_USB)) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("input devices only take a USB address on bus='usb'"));
        return NULL;
    }
    return g_steal_pointer(&input);
}

virDomainSoundDef *
virDomainSoundDefParseXML(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(virDomainSoundDef) sound = g_new0(virDomainSoundDef, 1);
    xmlNodePtr audio = virXMLNodeGetChild(node, "audio");
    g_autofree char *unsupported = NULL;
    int rc;

    rc = virDomainParseEnumAttr(node, "model", virDomainSoundModelTypeFromString,
                                virDomainSoundModelUnsupported, &sound->model,
                                &unsupported);
    if (rc == -2)
        virDomainAuxReportUnsupported("sound", "model", unsupported);
    if (rc == 0)
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("missing sound model"));
    if (rc <= 0 ||
        (audio && virXMLPropUInt(audio, "id", 10,
                                 VIR_XML_PROP_REQUIRED | VIR_XML_PROP_NONZERO,
                                 &sound->audioId) < 0) ||
        virDomainDeviceInfoParseXML(node, flags, false, &sound->info) < 0)
        return NULL;
    return g_steal_pointer(&sound);
}

virDomainAudioDef *
virDomainAudioDefParseXML(xmlNodePtr node)
{
    g_autoptr(virDomainAudioDef) audio = g_new0(virDomainAudioDef, 1);

    if (virXMLPropUInt(node, "id", 10, VIR_XML_PROP_NONZERO, &audio->id) < 0)
        return NULL;
    return g_steal_pointer(&audio);
}

/* <rng model='virtio'><backend model='random'>FILE</backend> */
virDomainRNGDef *
virDomainRNGDefParseXML(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(virDomainRNGDef) rng = g_new0(virDomainRNGDef, 1);
    xmlNodePtr backend = virXMLNodeGetChild(node, "backend");

    if (!backend) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("missing RNG device backend"));
        return NULL;
    }
    if (virDomainAuxRequireValue(node, "model", "virtio") < 0 ||
        virDomainAuxRequireValue(backend, "model", "random") < 0)
        return NULL;
    rng->source = virXMLNodeContentString(backend);
    if (!rng->source || !*rng->source) {
        g_free(rng->source);
        rng->source = g_strdup(VIR_DOMAIN_RNG_DEFAULT_SOURCE);
    }
    if (virDomainDeviceInfoParseXML(node, flags, false, &rng->info) < 0)
        return NULL;
    return g_steal_pointer(&rng);
}

/* ------------------------------------------------------------------ */
/* format                                                               */

void
virDomainChannelDefFormat(virXMLBuf *buf, const virDomainChrDef *chr,
                          unsigned int flags)
{
    bool dropPath = (flags & (VIR_DOMAIN_DEF_FORMAT_INACTIVE |
                              VIR_DOMAIN_DEF_FORMAT_MIGRATABLE)) &&
                    virDomainChrPathIsAuto(chr);

    virXMLBufAdd(buf, "<channel type='unix'>\n");
    virXMLBufAdjustIndent(buf, 2);
    if (chr->path && !dropPath)
        virXMLBufEscapeString(buf, "<source mode='bind' path='%s'/>\n",
                              chr->path);
    virXMLBufEscapeString(buf, "<target type='virtio' name='%s'/>\n",
                          chr->targetName);
    virDomainDeviceInfoFormat(buf, &chr->info, flags);
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</channel>\n");
}

void
virDomainInputDefFormat(virXMLBuf *buf, const virDomainInputDef *input,
                        unsigned int flags)
{
    g_auto(virXMLBuf) attrs = { 0 };
    g_auto(virXMLBuf) child = { 0 };

    virXMLBufInit(&attrs);
    virXMLBufInit(&child);
    child.indent = buf->indent + 2;
    virXMLBufAsprintf(&attrs, " type='%s' bus='%s'",
                      virDomainInputTypeToString(input->type),
                      virDomainInputBusTypeToString(input->bus));
    virDomainDeviceInfoFormat(&child, &input->info, flags);
    virDomainFormatElement(buf, "input", &attrs, &child);
}

void
virDomainSoundDefFormat(virXMLBuf *buf, const virDomainSoundDef *sound,
                        unsigned int flags)
{
    g_auto(virXMLBuf) attrs = { 0 };
    g_auto(virXMLBuf) child = { 0 };

    virXMLBufInit(&attrs);
    virXMLBufInit(&child);
    child.indent = buf->indent + 2;
    virXMLBufAsprintf(&attrs, " model='%s'",
                      virDomainSoundModelTypeToString(sound->model));
    if (sound->audioId)
        virXMLBufAsprintf(&child, "<audio id='%u'/>\n", sound->audioId);
    virDomainDeviceInfoFormat(&child, &sound->info, flags);
    virDomainFormatElement(buf, "sound", &attrs, &child);
}

void
virDomainAudioDefFormat(virXMLBuf *buf, const virDomainAudioDef *audio)
{
    virXMLBufAsprintf(buf, "<audio id='%u' type='none'/>\n", audio->id);
}

void
virDomainRNGDefFormat(virXMLBuf *buf, const virDomainRNGDef *rng,
                      unsigned int flags)
{
    virXMLBufAdd(buf, "<rng model='virtio'>\n");
    virXMLBufAdjustIndent(buf, 2);
    virXMLBufEscapeString(buf, "<backend model='random'>%s</backend>\n",
                          rng->source);
    virDomainDeviceInfoFormat(buf, &rng->info, flags);
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</rng>\n");
}

/* ------------------------------------------------------------------ */
/* helpers                                                              */

/* The driver's socket for a channel without a path lives under a
 * ".../channel/target/domain-ID-NAME/" directory (libvirt's layout,
 * which virtmig follows).  Such a path is host-local runtime data:
 * not part of the persistent definition nor of a migration. */
bool
virDomainChrPathIsAuto(const virDomainChrDef *chr)
{
    return chr->deviceType == VIR_DOMAIN_CHR_DEVICE_CHANNEL && chr->path &&
           strstr(chr->path, "/channel/target/domain-") != NULL;
}
