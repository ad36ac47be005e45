/*
 * domain_whitelist.c: what virtmig accepts of a libvirt domain XML
 *
 * One table decides the fate of every element of a domain document:
 *
 *  MODELLED      parsed into virDomainDef and formatted from it.  Its
 *                attributes must be in the rule's list, its 'type' (if
 *                the rule restricts it) one virtmig implements, and its
 *                children must have rules of their own.
 *  PASSTHROUGH   kept verbatim and re-emitted in its canonical place:
 *                elements that do not change what the guest sees or
 *                how QEMU runs it (<metadata>, <resource>, <seclabel>).
 *                An optional accept function narrows which instances
 *                qualify.
 *
 * Anything else (e.g. <hostdev>, <filesystem>, <sound><codec>, <tpm>,
 * <memoryBacking>, <numatune>, <channel type='spicevmc'>,
 * <timer name='kvmclock'>, <timer track=...>,
 * <input type='passthrough'>, <interface type='bridge'>, an unknown
 * attribute such as discard= on a
 * disk <driver>) affects the guest and is refused with
 * VIR_ERR_CONFIG_UNSUPPORTED ("unsupported element <hostdev>",
 * "unsupported element <interface type='bridge'>"), never silently
 * dropped.
 *
 * This file also owns the pass-through nodes: copying them out of the
 * parsed document, dropping their live-only parts and formatting them.
 */
#include <string.h>

#include "domain_conf_priv.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

typedef enum {
    VIR_DOMAIN_XML_MODELLED,
    VIR_DOMAIN_XML_PASSTHROUGH,
} virDomainXMLDisposition;

typedef bool (*virDomainXMLAcceptFunc)(xmlNodePtr node);

typedef struct {
    const char *path;                  /* element path from the root */
    virDomainXMLDisposition disposition;
    const char *attrs;                 /* MODELLED: known attributes */
    const char *types;                 /* MODELLED: values the 'type'
                                        * attribute may have, NULL = any */
    virDomainXMLAcceptFunc accept;     /* PASSTHROUGH: NULL = always */
} virDomainXMLRule;

#define M(path, attrs) { path, VIR_DOMAIN_XML_MODELLED, attrs, NULL, NULL }
#define T(path, attrs, types) { path, VIR_DOMAIN_XML_MODELLED, attrs, types, NULL }
#define P(path, accept) { path, VIR_DOMAIN_XML_PASSTHROUGH, NULL, NULL, accept }
#define DEVICE_INFO(dev) \
    M("domain/devices/" dev "/alias", "name"), \
    T("domain/devices/" dev "/address", \
      "type domain bus slot function multifunction controller target unit port", \
      "pci drive virtio-serial usb")

/* The whitelist.  Order is irrelevant; paths are unique. */
static const virDomainXMLRule virDomainXMLRules[] = {
    M("domain", "type id"),
    M("domain/name", ""),
    M("domain/uuid", ""),
    M("domain/title", ""),
    M("domain/description", ""),
    P("domain/metadata", NULL),
    M("domain/memory", "unit"),
    M("domain/currentMemory", "unit"),
    M("domain/vcpu", "placement current"),
    P("domain/resource", NULL),
    M("domain/os", ""),
    M("domain/os/type", "arch machine"),
    M("domain/os/boot", "dev"),
    M("domain/os/kernel", ""),
    M("domain/os/initrd", ""),
    M("domain/os/cmdline", ""),
    M("domain/features", ""),
    M("domain/features/acpi", ""),
    M("domain/features/apic", ""),
    M("domain/features/pae", ""),
    M("domain/features/vmport", "state"),
    M("domain/cpu", "mode match check migratable"),
    M("domain/cpu/model", "fallback"),
    M("domain/cpu/topology", "sockets dies cores threads"),
    M("domain/cpu/feature", "policy name"),
    M("domain/clock", "offset"),
    M("domain/clock/timer", "name present tickpolicy"),
    M("domain/pm", ""),
    M("domain/pm/suspend-to-mem", "enabled"),
    M("domain/pm/suspend-to-disk", "enabled"),
    M("domain/on_poweroff", ""),
    M("domain/on_reboot", ""),
    M("domain/on_crash", ""),
    M("domain/devices", ""),
    M("domain/devices/emulator", ""),

    T("domain/devices/disk", "type device", "file block"),
    T("domain/devices/disk/driver", "name type cache", "raw qcow2"),
    M("domain/devices/disk/source", "file dev index"),
    M("domain/devices/disk/backingStore", ""),
    M("domain/devices/disk/target", "dev bus"),
    M("domain/devices/disk/readonly", ""),
    M("domain/devices/disk/shareable", ""),
    M("domain/devices/disk/boot", "order"),
    DEVICE_INFO("disk"),

    T("domain/devices/controller", "type index model ports",
      "ide scsi sata virtio-serial usb pci"),
    M("domain/devices/controller/model", "name"),
    M("domain/devices/controller/target", "chassisNr chassis port"),
    M("domain/devices/controller/master", "startport"),
    DEVICE_INFO("controller"),

    T("domain/devices/interface", "type", "user ethernet"),
    M("domain/devices/interface/mac", "address"),
    T("domain/devices/interface/model", "type", "virtio e1000 e1000e rtl8139"),
    M("domain/devices/interface/target", "dev"),
    M("domain/devices/interface/boot", "order"),
    DEVICE_INFO("interface"),

    T("domain/devices/serial", "type", "pty file"),
    M("domain/devices/serial/source", "path append"),
    T("domain/devices/serial/target", "type port", "isa-serial"),
    M("domain/devices/serial/target/model", "name"),
    M("domain/devices/serial/alias", "name"),
    T("domain/devices/console", "type tty", "pty file"),
    M("domain/devices/console/source", "path append"),
    T("domain/devices/console/target", "type port", "serial"),
    M("domain/devices/console/alias", "name"),

    T("domain/devices/channel", "type", "unix"),
    M("domain/devices/channel/source", "mode path"),
    T("domain/devices/channel/target", "type name state", "virtio"),
    DEVICE_INFO("channel"),
    T("domain/devices/input", "type bus", "mouse tablet keyboard"),
    DEVICE_INFO("input"),
    T("domain/devices/graphics", "type port autoport listen passwd passwdValidTo", "vnc"),
    T("domain/devices/graphics/listen", "type address", "address"),
    M("domain/devices/sound", "model"),
    M("domain/devices/sound/audio", "id"),
    DEVICE_INFO("sound"),
    T("domain/devices/audio", "id type", "none"),
    M("domain/devices/video", ""),
    T("domain/devices/video/model", "type vram heads primary",
      "vga cirrus virtio none"),
    DEVICE_INFO("video"),
    M("domain/devices/memballoon", "model"),
    DEVICE_INFO("memballoon"),
    M("domain/devices/rng", "model"),
    M("domain/devices/rng/backend", "model"),
    DEVICE_INFO("rng"),

    P("domain/seclabel", NULL),
};

#undef M
#undef T
#undef P
#undef DEVICE_INFO

static const virDomainXMLRule *
virDomainXMLRuleLookup(const char *path)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(virDomainXMLRules); i++) {
        if (g_str_equal(virDomainXMLRules[i].path, path))
            return &virDomainXMLRules[i];
    }
    return NULL;
}

/* "prefix:name" for namespaced elements, as written in the document. */
static char *
virDomainXMLNodeQName(xmlNodePtr node)
{
    if (node->ns && node->ns->prefix)
        return g_strdup_printf("%s:%s", node->ns->prefix, node->name);
    return g_strdup((const char *)node->name);
}

static void
virDomainXMLReportRejected(xmlNodePtr node)
{
    g_autofree char *qname = virDomainXMLNodeQName(node);
    GString *attrs = g_string_new(NULL);
    g_autofree char *attrstr = NULL;
    xmlAttrPtr attr;

    for (attr = node->properties; attr; attr = attr->next) {
        g_autofree char *val = virXMLPropString(node, (const char *)attr->name);

        g_string_append_printf(attrs, " %s='%s'", attr->name, val ? val : "");
    }
    attrstr = g_string_free(attrs, FALSE);
    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("unsupported element <%1$s%2$s>"), qname, attrstr);
}

static int
virDomainXMLCheckAttrs(xmlNodePtr node, const virDomainXMLRule *rule)
{
    g_auto(GStrv) known = g_strsplit(rule->attrs, " ", -1);
    xmlAttrPtr attr;

    for (attr = node->properties; attr; attr = attr->next) {
        if (attr->ns || !g_strv_contains((const char *const *)known,
                                         (const char *)attr->name)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported attribute '%1$s' of element <%2$s>"),
                           (const char *)attr->name, (const char *)node->name);
            return -1;
        }
    }
    return 0;
}

/* A modelled element whose 'type' names something virtmig does not
 * implement (e.g. <interface type='bridge'>) is refused as a whole. */
static int
virDomainXMLCheckType(xmlNodePtr node, const virDomainXMLRule *rule)
{
    g_autofree char *type = NULL;
    g_auto(GStrv) types = NULL;

    if (!rule->types || !(type = virXMLPropString(node, "type")))
        return 0;
    types = g_strsplit(rule->types, " ", -1);
    if (g_strv_contains((const char *const *)types, type))
        return 0;
    virDomainXMLReportRejected(node);
    return -1;
}

static int
virDomainXMLCheckNode(xmlNodePtr node, const char *parentPath)
{
    g_autofree char *qname = virDomainXMLNodeQName(node);
    g_autofree char *path = NULL;
    const virDomainXMLRule *rule;
    xmlNodePtr cur;

    if (parentPath)
        path = g_strdup_printf("%s/%s", parentPath, qname);
    else
        path = g_strdup(qname);
    if (!(rule = virDomainXMLRuleLookup(path))) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported element <%1$s>"), qname);
        return -1;
    }
    if (rule->disposition == VIR_DOMAIN_XML_PASSTHROUGH) {
        if (rule->accept && !rule->accept(node)) {
            virDomainXMLReportRejected(node);
            return -1;
        }
        return 0;
    }
    if (virDomainXMLCheckAttrs(node, rule) < 0 ||
        virDomainXMLCheckType(node, rule) < 0)
        return -1;
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE &&
            virDomainXMLCheckNode(cur, path) < 0)
            return -1;
    }
    return 0;
}

int
virDomainXMLCheckSupported(xmlNodePtr root)
{
    return virDomainXMLCheckNode(root, NULL);
}

/* ------------------------------------------------------------------ */
/* pass-through nodes                                                   */

static bool
virDomainXMLIsBlank(xmlNodePtr node)
{
    return node->type == XML_TEXT_NODE && xmlIsBlankNode(node);
}

/* Is @child of the pass-through element @parent live-only data?
 * <alias> of devices and the labels of a dynamic <seclabel>. */
static bool
virDomainXMLIsLiveOnly(xmlNodePtr parent, xmlNodePtr child)
{
    g_autofree char *type = NULL;

    if (child->type != XML_ELEMENT_NODE)
        return false;
    if (xmlStrEqual(child->name, BAD_CAST "alias"))
        return !xmlStrEqual(parent->name, BAD_CAST "metadata");
    if (!xmlStrEqual(parent->name, BAD_CAST "seclabel"))
        return false;
    type = virXMLPropString(parent, "type");
    return g_strcmp0(type, "dynamic") == 0 &&
        (xmlStrEqual(child->name, BAD_CAST "label") ||
         xmlStrEqual(child->name, BAD_CAST "imagelabel"));
}

/* Drops comments and blank text between elements (and with @inactive
 * the live-only children) so that formatting can re-indent. */
static void
virDomainXMLNodeTidy(xmlNodePtr node, bool keepComments, bool inactive)
{
    xmlNodePtr cur = node->children;
    bool hasElements = false;

    for (; cur; cur = cur->next)
        hasElements |= cur->type == XML_ELEMENT_NODE;
    cur = node->children;
    while (cur) {
        xmlNodePtr next = cur->next;

        if ((hasElements && virDomainXMLIsBlank(cur)) ||
            (!keepComments && cur->type == XML_COMMENT_NODE) ||
            (inactive && virDomainXMLIsLiveOnly(node, cur))) {
            xmlUnlinkNode(cur);
            xmlFreeNode(cur);
        } else if (cur->type == XML_ELEMENT_NODE) {
            virDomainXMLNodeTidy(cur, keepComments, inactive);
        }
        cur = next;
    }
}

virDomainXMLNode *
virDomainXMLNodeNew(xmlNodePtr node, unsigned int flags)
{
    virDomainXMLNode *ret = g_new0(virDomainXMLNode, 1);
    bool isMetadata = xmlStrEqual(node->name, BAD_CAST "metadata");
    xmlNodePtr copy;

    ret->doc = xmlNewDoc(BAD_CAST "1.0");
    copy = xmlDocCopyNode(node, ret->doc, 1);
    xmlDocSetRootElement(ret->doc, copy);
    virDomainXMLNodeTidy(copy, isMetadata,
                         !!(flags & VIR_DOMAIN_DEF_PARSE_INACTIVE));
    return ret;
}

void
virDomainXMLNodeClearLiveData(virDomainXMLNode *node)
{
    xmlNodePtr root = xmlDocGetRootElement(node->doc);

    virDomainXMLNodeTidy(root, xmlStrEqual(root->name, BAD_CAST "metadata"),
                         true);
}

static void
virDomainXMLElementFormat(virXMLBuf *buf, xmlNodePtr node, bool inactive);

static void
virDomainXMLAttrsFormat(virXMLBuf *buf, xmlNodePtr node)
{
    xmlAttrPtr attr;
    xmlNsPtr ns;

    for (ns = node->nsDef; ns; ns = ns->next) {
        if (ns->prefix)
            virXMLBufAsprintf(buf, " xmlns:%s", (const char *)ns->prefix);
        else
            virXMLBufAdd(buf, " xmlns");
        virXMLBufEscapeString(buf, "='%s'", (const char *)ns->href);
    }
    for (attr = node->properties; attr; attr = attr->next) {
        g_autofree char *val = virXMLPropString(node, (const char *)attr->name);

        virXMLBufAsprintf(buf, " %s", (const char *)attr->name);
        virXMLBufEscapeString(buf, "='%s'", val ? val : "");
    }
}

static void
virDomainXMLChildrenFormat(virXMLBuf *buf, xmlNodePtr node, bool inactive)
{
    xmlNodePtr cur;

    virXMLBufAdjustIndent(buf, 2);
    for (cur = node->children; cur; cur = cur->next) {
        if (inactive && virDomainXMLIsLiveOnly(node, cur))
            continue;
        if (cur->type == XML_ELEMENT_NODE) {
            virDomainXMLElementFormat(buf, cur, inactive);
        } else if (cur->type == XML_TEXT_NODE && !xmlIsBlankNode(cur)) {
            g_autofree char *text = virXMLNodeContentString(cur);

            virXMLBufEscapeString(buf, "%s\n", g_strstrip(text));
        }
    }
    virXMLBufAdjustIndent(buf, -2);
}

static void
virDomainXMLElementFormat(virXMLBuf *buf, xmlNodePtr node, bool inactive)
{
    g_autofree char *qname = virDomainXMLNodeQName(node);
    g_autoptr(GString) text = g_string_new(NULL);
    bool hasElements = false;
    xmlNodePtr cur;

    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE) {
            hasElements |= !(inactive && virDomainXMLIsLiveOnly(node, cur));
        } else if (cur->type == XML_TEXT_NODE && !xmlIsBlankNode(cur)) {
            g_string_append(text, (const char *)cur->content);
        }
    }
    virXMLBufAsprintf(buf, "<%s", qname);
    virDomainXMLAttrsFormat(buf, node);
    if (hasElements) {
        virXMLBufAdd(buf, ">\n");
        virDomainXMLChildrenFormat(buf, node, inactive);
        virXMLBufAsprintf(buf, "</%s>\n", qname);
    } else if (text->len > 0) {
        virXMLBufEscapeString(buf, ">%s", text->str);
        virXMLBufAsprintf(buf, "</%s>\n", qname);
    } else {
        virXMLBufAdd(buf, "/>\n");
    }
}

void
virDomainXMLNodeFormat(virXMLBuf *buf, const virDomainXMLNode *node,
                       unsigned int flags)
{
    xmlNodePtr root = xmlDocGetRootElement(node->doc);
    g_autoptr(xmlBuffer) xmlbuf = NULL;

    if (!xmlStrEqual(root->name, BAD_CAST "metadata")) {
        virDomainXMLElementFormat(buf, root,
                                  !!(flags & VIR_DOMAIN_DEF_FORMAT_INACTIVE));
        return;
    }
    /* Like libvirt: foreign XML in <metadata> is dumped by libxml2
     * (which keeps its namespaces and its double quotes). */
    xmlbuf = xmlBufferCreate();
    xmlNodeDump(xmlbuf, node->doc, root, buf->indent / 2, 1);
    virXMLBufAsprintf(buf, "%s\n", (const char *)xmlBufferContent(xmlbuf));
}
