/*
 * storage_conf.c: storage pool and volume XML (parse / format, no I/O)
 */
#include <string.h>

#include "storage_conf.h"
#include "virerror.h"
#include "viruuid.h"
#include "virxml.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_ENUM_IMPL(virStoragePool, VIR_STORAGE_POOL_LAST,
              "dir", "fs", "netfs", "logical", "disk", "iscsi",
              "iscsi-direct", "scsi", "mpath", "rbd", "sheepdog", "gluster",
              "zfs", "vstorage");

VIR_ENUM_IMPL(virStorageFileFormat, VIR_STORAGE_FILE_LAST,
              "none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc",
              "vdi", "fat", "vhd", "ploop", "cow", "qcow", "qcow2", "qed",
              "vmdk");

VIR_ENUM_IMPL(virStorageVol, VIR_STORAGE_VOL_LAST,
              "file", "block", "dir", "network", "netdir", "ploop");

/* ---- sizes ------------------------------------------------------------ */

int
virStorageScaleSize(unsigned long long value, const char *unit,
                    unsigned long long *bytes)
{
    static const char prefixes[] = "kmgtpe";
    unsigned long long base = 1024;
    unsigned long long scale = 1;
    const char *p;
    size_t len;

    if (!unit || !*unit || g_ascii_strcasecmp(unit, "b") == 0 ||
        g_ascii_strcasecmp(unit, "byte") == 0 ||
        g_ascii_strcasecmp(unit, "bytes") == 0) {
        *bytes = value;
        return 0;
    }
    len = strlen(unit);
    p = strchr(prefixes, g_ascii_tolower(unit[0]));
    /* "K", "KiB": powers of 1024; "KB": powers of 1000 (libvirt's rule) */
    if (p && len == 2 && g_ascii_tolower(unit[1]) == 'b')
        base = 1000;
    else if (p && len == 3 && g_ascii_tolower(unit[1]) == 'i' &&
             g_ascii_tolower(unit[2]) == 'b')
        base = 1024;
    else if (!p || len != 1)
        p = NULL;
    if (!p) {
        virReportError(VIR_ERR_INVALID_ARG, _("unknown suffix '%1$s'"), unit);
        return -1;
    }
    for (len = 0; len <= (size_t)(p - prefixes); len++)
        scale *= base;
    if (value > G_MAXUINT64 / scale) {
        virReportError(VIR_ERR_OVERFLOW, "%s", _("value too large"));
        return -1;
    }
    *bytes = value * scale;
    return 0;
}

/* <NAME unit='...'>N</NAME> under @ctxt's node: 1 (set), 0 (absent), -1. */
static int
virStorageParseSize(xmlXPathContext *ctxt, const char *name,
                    unsigned long long *bytes)
{
    g_autofree char *xpath = g_strdup_printf("./%s[1]", name);
    xmlNodePtr node = virXPathNode(xpath, ctxt);
    g_autofree char *unit = NULL;
    g_autofree char *text = NULL;
    unsigned long long value;
    char *end = NULL;

    if (!node)
        return 0;
    unit = virXMLPropString(node, "unit");
    text = virXMLNodeContentString(node);
    g_strstrip(text);
    errno = 0;
    value = g_ascii_strtoull(text, &end, 10);
    if (!*text || *end || errno || text[0] == '-') {
        virReportError(VIR_ERR_XML_ERROR, _("malformed %1$s element"), name);
        return -1;
    }
    if (virStorageScaleSize(value, unit, bytes) < 0)
        return -1;
    return 1;
}

/* ---- permissions -------------------------------------------------------- */

static void
virStoragePermsInit(virStoragePerms *perms)
{
    perms->mode = -1;
    perms->uid = -1;
    perms->gid = -1;
    perms->label = NULL;
}

static int
virStorageParseID(xmlXPathContext *ctxt, const char *xpath, const char *what,
                  long long *id)
{
    g_autofree char *text = virXPathString(xpath, ctxt);
    char *end = NULL;

    if (!text)
        return 0;
    *id = g_ascii_strtoll(text, &end, 10);
    if (*end || *id < -1 || *id > G_MAXUINT32) {
        virReportError(VIR_ERR_XML_ERROR, _("malformed %1$s element"), what);
        return -1;
    }
    return 0;
}

/* <permissions> under @ctxt's node, if present. */
static int
virStoragePermsParse(xmlXPathContext *ctxt, virStoragePerms *perms)
{
    xmlNodePtr saved = ctxt->node;
    xmlNodePtr node = virXPathNode("./permissions[1]", ctxt);
    g_autofree char *mode = NULL;
    int ret = -1;

    virStoragePermsInit(perms);
    if (!node)
        return 0;
    ctxt->node = node;
    if ((mode = virXPathString("string(./mode)", ctxt))) {
        char *end = NULL;
        long long val = g_ascii_strtoll(mode, &end, 8);

        if (*end || val < 0 || val > 0777) {
            virReportError(VIR_ERR_XML_ERROR, "%s", _("malformed octal mode"));
            goto cleanup;
        }
        perms->mode = val;
    }
    if (virStorageParseID(ctxt, "string(./owner)", "owner", &perms->uid) < 0 ||
        virStorageParseID(ctxt, "string(./group)", "group", &perms->gid) < 0)
        goto cleanup;
    perms->label = virXPathString("string(./label)", ctxt);
    ret = 0;
 cleanup:
    ctxt->node = saved;
    return ret;
}

static void
virStoragePermsFormat(virXMLBuf *buf, const virStoragePerms *perms)
{
    if (perms->mode < 0 && perms->uid < 0 && perms->gid < 0 && !perms->label)
        return;
    virXMLBufAdd(buf, "<permissions>\n");
    virXMLBufAdjustIndent(buf, 2);
    if (perms->mode >= 0)
        virXMLBufAsprintf(buf, "<mode>0%o</mode>\n", (unsigned int)perms->mode);
    if (perms->uid >= 0)
        virXMLBufAsprintf(buf, "<owner>%lld</owner>\n", perms->uid);
    if (perms->gid >= 0)
        virXMLBufAsprintf(buf, "<group>%lld</group>\n", perms->gid);
    virXMLBufEscapeString(buf, "<label>%s</label>\n", perms->label);
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</permissions>\n");
}

/* ---- pools -------------------------------------------------------------- */

void
virStoragePoolDefFree(virStoragePoolDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->targetPath);
    g_free(def->perms.label);
    g_free(def);
}

/* @path without trailing slashes (but "/" stays). */
static char *
virStorageCleanPath(const char *path)
{
    char *clean = g_strdup(path);
    size_t len = strlen(clean);

    while (len > 1 && clean[len - 1] == '/')
        clean[--len] = '\0';
    return clean;
}

static int
virStoragePoolDefParseIdentity(xmlXPathContext *ctxt, virStoragePoolDef *def)
{
    g_autofree char *uuid = NULL;

    if (!(def->name = virXPathString("string(./name)", ctxt))) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("missing pool source name element"));
        return -1;
    }
    if (strchr(def->name, '/')) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("name %1$s cannot contain '/'"), def->name);
        return -1;
    }
    if (!(uuid = virXPathString("string(./uuid)", ctxt)))
        return virUUIDGenerate(def->uuid);
    if (virUUIDParse(uuid, def->uuid) < 0) {
        virReportError(VIR_ERR_XML_ERROR, "%s", _("malformed uuid element"));
        return -1;
    }
    return 0;
}

static int
virStoragePoolDefParseTarget(xmlXPathContext *ctxt, virStoragePoolDef *def)
{
    xmlNodePtr saved = ctxt->node;
    xmlNodePtr target = virXPathNode("./target[1]", ctxt);
    g_autofree char *path = NULL;
    int ret = -1;

    if (target) {
        ctxt->node = target;
        path = virXPathString("string(./path)", ctxt);
    }
    if (!path) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("missing storage pool target path"));
        goto cleanup;
    }
    if (path[0] != '/') {
        virReportError(VIR_ERR_XML_ERROR,
                       _("storage pool target path '%1$s' must be absolute"), path);
        goto cleanup;
    }
    def->targetPath = virStorageCleanPath(path);
    ret = virStoragePermsParse(ctxt, &def->perms);
 cleanup:
    ctxt->node = saved;
    return ret;
}

virStoragePoolDef *
virStoragePoolDefParseString(const char *xml)
{
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(virStoragePoolDef) def = g_new0(virStoragePoolDef, 1);
    g_autofree char *type = NULL;
    int t;

    virStoragePermsInit(&def->perms);
    if (!(doc = virXMLParseString(xml, _("(storage_pool_definition)"), "pool",
                                  VIR_FROM_STORAGE, &ctxt)))
        return NULL;
    if (!(type = virXMLPropString(ctxt->node, "type"))) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("storage pool missing type attribute"));
        return NULL;
    }
    if ((t = virStoragePoolTypeFromString(type)) < 0) {
        virReportError(VIR_ERR_XML_ERROR, _("unknown storage pool type %1$s"), type);
        return NULL;
    }
    def->type = t;
    if (virStoragePoolDefParseIdentity(ctxt, def) < 0)
        return NULL;
    /* only a dir pool's target is understood: other types are refused
     * by the driver, which names them */
    if (def->type == VIR_STORAGE_POOL_DIR &&
        virStoragePoolDefParseTarget(ctxt, def) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

char *
virStoragePoolDefFormat(const virStoragePoolDef *def)
{
    g_auto(virXMLBuf) buf;
    char uuid[VIR_UUID_STRING_BUFLEN];

    virXMLBufInit(&buf);
    virXMLBufAsprintf(&buf, "<pool type='%s'>\n", virStoragePoolTypeToString(def->type));
    virXMLBufAdjustIndent(&buf, 2);
    virXMLBufEscapeString(&buf, "<name>%s</name>\n", def->name);
    virXMLBufAsprintf(&buf, "<uuid>%s</uuid>\n", virUUIDFormat(def->uuid, uuid));
    virXMLBufAsprintf(&buf, "<capacity unit='bytes'>%llu</capacity>\n", def->capacity);
    virXMLBufAsprintf(&buf, "<allocation unit='bytes'>%llu</allocation>\n",
                      def->allocation);
    virXMLBufAsprintf(&buf, "<available unit='bytes'>%llu</available>\n",
                      def->available);
    virXMLBufAdd(&buf, "<source>\n");
    virXMLBufAdd(&buf, "</source>\n");
    if (def->targetPath) {
        virXMLBufAdd(&buf, "<target>\n");
        virXMLBufAdjustIndent(&buf, 2);
        virXMLBufEscapeString(&buf, "<path>%s</path>\n", def->targetPath);
        virStoragePermsFormat(&buf, &def->perms);
        virXMLBufAdjustIndent(&buf, -2);
        virXMLBufAdd(&buf, "</target>\n");
    }
    virXMLBufAdjustIndent(&buf, -2);
    virXMLBufAdd(&buf, "</pool>\n");
    return virXMLBufContentAndReset(&buf);
}

/* ---- volumes ------------------------------------------------------------ */

void
virStorageVolDefFree(virStorageVolDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->key);
    g_free(def->path);
    g_free(def->perms.label);
    g_free(def->compat);
    g_free(def);
}

static int
virStorageVolDefParseTarget(xmlXPathContext *ctxt, virStorageVolDef *def)
{
    xmlNodePtr saved = ctxt->node;
    xmlNodePtr target = virXPathNode("./target[1]", ctxt);
    g_autofree char *format = NULL;
    int ret = -1;

    def->format = VIR_STORAGE_FILE_RAW;
    virStoragePermsInit(&def->perms);
    if (!target)
        return 0;
    ctxt->node = target;
    if ((format = virXPathString("string(./format/@type)", ctxt))) {
        int f = virStorageFileFormatTypeFromString(format);

        if (f <= VIR_STORAGE_FILE_NONE || f == VIR_STORAGE_FILE_DIR) {
            virReportError(VIR_ERR_XML_ERROR, _("unknown volume format type %1$s"),
                           format);
            goto cleanup;
        }
        def->format = f;
    }
    ret = virStoragePermsParse(ctxt, &def->perms);
 cleanup:
    ctxt->node = saved;
    return ret;
}

virStorageVolDef *
virStorageVolDefParseString(const char *xml)
{
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(virStorageVolDef) def = g_new0(virStorageVolDef, 1);
    g_autofree char *type = NULL;
    int rc;

    if (!(doc = virXMLParseString(xml, _("(storage_volume_definition)"), "volume",
                                  VIR_FROM_STORAGE, &ctxt)))
        return NULL;
    if ((type = virXMLPropString(ctxt->node, "type"))) {
        int t = virStorageVolTypeFromString(type);

        if (t < 0) {
            virReportError(VIR_ERR_INTERNAL_ERROR, _("unknown volume type '%1$s'"),
                           type);
            return NULL;
        }
        def->type = t;
    }
    if (!(def->name = virXPathString("string(./name)", ctxt))) {
        virReportError(VIR_ERR_XML_ERROR, "%s", _("missing volume name element"));
        return NULL;
    }
    if (strchr(def->name, '/')) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("volume name '%1$s' cannot contain '/'"), def->name);
        return NULL;
    }
    if ((rc = virStorageParseSize(ctxt, "capacity", &def->capacity)) < 0)
        return NULL;
    if (rc == 0) {
        virReportError(VIR_ERR_XML_ERROR, "%s", _("missing capacity element"));
        return NULL;
    }
    if ((rc = virStorageParseSize(ctxt, "allocation", &def->allocation)) < 0)
        return NULL;
    def->hasAllocation = rc > 0;
    /* silently creating a standalone image would lose the guest's data */
    if (virXPathNode("./backingStore/path", ctxt)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("volumes with a backing store are not supported"));
        return NULL;
    }
    if (virStorageVolDefParseTarget(ctxt, def) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

/* <NAME>SECONDS[.NANOSECONDS]</NAME>, the fraction only if not 0 */
static void
virStorageTimestampFormat(virXMLBuf *buf, const char *name,
                          const struct timespec *ts)
{
    virXMLBufAsprintf(buf, "<%s>%lld", name, (long long)ts->tv_sec);
    if (ts->tv_nsec)
        virXMLBufAsprintf(buf, ".%09ld", ts->tv_nsec);
    virXMLBufAsprintf(buf, "</%s>\n", name);
}

char *
virStorageVolDefFormat(const virStorageVolDef *def)
{
    g_auto(virXMLBuf) buf;

    virXMLBufInit(&buf);
    virXMLBufAsprintf(&buf, "<volume type='%s'>\n", virStorageVolTypeToString(def->type));
    virXMLBufAdjustIndent(&buf, 2);
    virXMLBufEscapeString(&buf, "<name>%s</name>\n", def->name);
    virXMLBufEscapeString(&buf, "<key>%s</key>\n", def->key);
    virXMLBufAdd(&buf, "<source>\n");
    virXMLBufAdd(&buf, "</source>\n");
    virXMLBufAsprintf(&buf, "<capacity unit='bytes'>%llu</capacity>\n", def->capacity);
    virXMLBufAsprintf(&buf, "<allocation unit='bytes'>%llu</allocation>\n",
                      def->allocation);
    virXMLBufAsprintf(&buf, "<physical unit='bytes'>%llu</physical>\n", def->physical);
    virXMLBufAdd(&buf, "<target>\n");
    virXMLBufAdjustIndent(&buf, 2);
    virXMLBufEscapeString(&buf, "<path>%s</path>\n", def->path);
    virXMLBufAsprintf(&buf, "<format type='%s'/>\n",
                      virStorageFileFormatTypeToString(def->format));
    virStoragePermsFormat(&buf, &def->perms);
    if (def->hasTimestamps) {
        virXMLBufAdd(&buf, "<timestamps>\n");
        virXMLBufAdjustIndent(&buf, 2);
        virStorageTimestampFormat(&buf, "atime", &def->atime);
        virStorageTimestampFormat(&buf, "ctime", &def->ctime);
        virStorageTimestampFormat(&buf, "mtime", &def->mtime);
        virXMLBufAdjustIndent(&buf, -2);
        virXMLBufAdd(&buf, "</timestamps>\n");
    }
    virXMLBufEscapeString(&buf, "<compat>%s</compat>\n", def->compat);
    virXMLBufAdjustIndent(&buf, -2);
    virXMLBufAdd(&buf, "</target>\n");
    virXMLBufAdjustIndent(&buf, -2);
    virXMLBufAdd(&buf, "</volume>\n");
    return virXMLBufContentAndReset(&buf);
}
