/*
 * qemu_command_aux.c: channels, inputs, audio, sound cards and RNGs on
 * the QEMU command line
 *
 * Device drivers, ids and properties as libvirt 9.0 gives them to
 * QEMU 7.2 (checked against `virsh domxml-to-native` of stock
 * libvirtd): the ids and buses reach the migration stream, so they
 * must be the same for a guest to move between the two.
 */
#include "qemu_command_priv.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

char *
qemuAudioAlias(unsigned int id)
{
    return g_strdup_printf("audio%u", id);
}

char *
qemuChannelPath(const qemuCommandBuilder *b, const virDomainChrDef *chr)
{
    if (chr->path)
        return g_strdup(chr->path);
    if (!b->params->channelDir) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("no socket path for channel '%1$s'"), chr->targetName);
        return NULL;
    }
    return g_build_filename(b->params->channelDir, chr->targetName, NULL);
}

/* ------------------------------------------------------------------ */
/* <channel type='unix'> on a virtio-serial port                        */

static int
qemuBuildChannel(qemuCommandBuilder *b, size_t idx)
{
    const virDomainChrDef *chr = b->def->channels[idx];
    const virDomainDeviceVirtioSerialAddress *a = &chr->info.addr.vioserial;
    g_autofree char *charid = g_strdup_printf("charchannel%zu", idx);
    g_autofree char *alias = g_strdup_printf("channel%zu", idx);
    g_autofree char *path = qemuChannelPath(b, chr);
    GString *backend;
    GString *dev;

    if (!path)
        return -1;
    if (chr->info.type != VIR_DOMAIN_DEVICE_ADDRESS_TYPE_VIRTIO_SERIAL) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("channel '%1$s' has no virtio-serial address"),
                       chr->targetName);
        return -1;
    }
    backend = g_string_new("socket");
    qemuOptAddStr(backend, "id", charid);
    qemuOptAddStr(backend, "path", path);
    qemuOptAddSwitch(backend, "server", true);
    qemuOptAddSwitch(backend, "wait", false);
    dev = g_string_new("virtserialport");
    g_string_append_printf(dev, ",bus=virtio-serial%u.%u", a->controller, a->bus);
    qemuOptAddUInt(dev, "nr", a->port);
    qemuOptAddStr(dev, "chardev", charid);
    qemuOptAddStr(dev, "id", alias);
    qemuOptAddStr(dev, "name", chr->targetName);
    qemuBuildAddOpt(b, "-chardev", backend);
    qemuBuildAddOpt(b, "-device", dev);
    return 0;
}

int
qemuBuildChannels(qemuCommandBuilder *b)
{
    size_t i;

    for (i = 0; i < b->def->nchannels; i++) {
        if (qemuBuildChannel(b, i) < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* <input>: PS/2 devices are the machine's own                          */

static const char *
qemuInputUSBDevice(int type)
{
    switch ((virDomainInputType)type) {
    case VIR_DOMAIN_INPUT_TYPE_TABLET:
        return "usb-tablet";
    case VIR_DOMAIN_INPUT_TYPE_KBD:
        return "usb-kbd";
    case VIR_DOMAIN_INPUT_TYPE_MOUSE:
    case VIR_DOMAIN_INPUT_TYPE_LAST:
        break;
    }
    return "usb-mouse";
}

/* ",port=1[.2]" of a USB address */
static void
qemuBuildUSBPortOpt(GString *opt, const virDomainDeviceUSBAddress *usb)
{
    size_t i;

    for (i = 0; i < VIR_DOMAIN_DEVICE_USB_MAX_PORT_DEPTH && usb->port[i]; i++)
        g_string_append_printf(opt, "%s%u", i == 0 ? ",port=" : ".", usb->port[i]);
}

static bool
qemuBuildHasUSB(const virDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == VIR_DOMAIN_CONTROLLER_TYPE_USB &&
            def->controllers[i]->model != VIR_DOMAIN_CONTROLLER_MODEL_USB_NONE)
            return true;
    }
    return false;
}

int
qemuBuildInputs(qemuCommandBuilder *b)
{
    size_t i;

    for (i = 0; i < b->def->ninputs; i++) {
        const virDomainInputDef *input = b->def->inputs[i];
        g_autofree char *alias = NULL;
        GString *dev;

        if (input->bus != VIR_DOMAIN_INPUT_BUS_USB)
            continue;
        if (!qemuBuildHasUSB(b->def)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("USB is disabled for this domain, but USB devices are present in the domain XML"));
            return -1;
        }
        alias = g_strdup_printf("input%zu", i);
        dev = g_string_new(qemuInputUSBDevice(input->type));
        qemuOptAddStr(dev, "id", alias);
        if (input->info.type == VIR_DOMAIN_DEVICE_ADDRESS_TYPE_USB) {
            unsigned int bus = input->info.addr.usb.bus;

            /* the USB controller of index N is "usb" (0) or "usbN" */
            if (bus == 0)
                g_string_append(dev, ",bus=usb.0");
            else
                g_string_append_printf(dev, ",bus=usb%u.0", bus);
            qemuBuildUSBPortOpt(dev, &input->info.addr.usb);
        }
        qemuBuildAddOpt(b, "-device", dev);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* <audio>, <sound>                                                     */

void
qemuBuildAudios(qemuCommandBuilder *b)
{
    size_t i;

    for (i = 0; i < b->def->naudios; i++) {
        g_autofree char *id = qemuAudioAlias(b->def->audios[i]->id);
        GString *opt = g_string_new("none");

        qemuOptAddStr(opt, "id", id);
        qemuBuildAddOpt(b, "-audiodev", opt);
    }
}

/* The backend a sound card plays into: its <audio id=>, else the
 * first <audio> (libvirt's rule). */
static char *
qemuSoundAudiodev(const qemuCommandBuilder *b, const virDomainSoundDef *sound)
{
    if (sound->audioId)
        return qemuAudioAlias(sound->audioId);
    if (b->def->naudios > 0)
        return qemuAudioAlias(b->def->audios[0]->id);
    return NULL;
}

static const char *
qemuSoundDevice(int model)
{
    switch ((virDomainSoundModel)model) {
    case VIR_DOMAIN_SOUND_MODEL_ICH6:
        return "intel-hda";
    case VIR_DOMAIN_SOUND_MODEL_ICH9:
        return "ich9-intel-hda";
    case VIR_DOMAIN_SOUND_MODEL_AC97:
    case VIR_DOMAIN_SOUND_MODEL_LAST:
        break;
    }
    return "AC97";
}

static int
qemuBuildSound(qemuCommandBuilder *b, size_t idx)
{
    const virDomainSoundDef *sound = b->def->sounds[idx];
    g_autofree char *alias = g_strdup_printf("sound%zu", idx);
    g_autofree char *audiodev = qemuSoundAudiodev(b, sound);
    bool hda = sound->model != VIR_DOMAIN_SOUND_MODEL_AC97;
    GString *dev = g_string_new(qemuSoundDevice(sound->model));
    GString *codec;

    qemuOptAddStr(dev, "id", alias);
    if (!hda)
        qemuOptAddStr(dev, "audiodev", audiodev);
    if (qemuBuildPCIAddressOpts(dev, b, &sound->info, "sound") < 0) {
        g_string_free(dev, TRUE);
        return -1;
    }
    qemuBuildAddOpt(b, "-device", dev);
    if (!hda)
        return 0;
    codec = g_string_new("hda-duplex");
    g_string_append_printf(codec, ",id=%s-codec0,bus=%s.0,cad=0", alias, alias);
    qemuOptAddStr(codec, "audiodev", audiodev);
    qemuBuildAddOpt(b, "-device", codec);
    return 0;
}

int
qemuBuildSounds(qemuCommandBuilder *b)
{
    size_t i;

    for (i = 0; i < b->def->nsounds; i++) {
        if (qemuBuildSound(b, i) < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* <rng model='virtio'>                                                 */

int
qemuBuildRNGs(qemuCommandBuilder *b)
{
    size_t i;

    for (i = 0; i < b->def->nrngs; i++) {
        const virDomainRNGDef *rng = b->def->rngs[i];
        g_autofree char *objid = g_strdup_printf("objrng%zu", i);
        g_autofree char *alias = g_strdup_printf("rng%zu", i);
        GString *obj = g_string_new("rng-random");
        GString *dev = g_string_new("virtio-rng-pci");

        qemuOptAddStr(obj, "id", objid);
        qemuOptAddStr(obj, "filename", rng->source);
        qemuOptAddStr(dev, "rng", objid);
        qemuOptAddStr(dev, "id", alias);
        if (qemuBuildPCIAddressOpts(dev, b, &rng->info, "rng") < 0) {
            g_string_free(obj, TRUE);
            g_string_free(dev, TRUE);
            return -1;
        }
        qemuBuildAddOpt(b, "-object", obj);
        qemuBuildAddOpt(b, "-device", dev);
    }
    return 0;
}
