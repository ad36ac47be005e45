/*
 * qemu_migration_cookie.c: the migration cookie (see the header)
 *
 * Formatted with virXMLBuf (libvirt's quoting and indentation), parsed
 * with libxml2 and XPath.  The cookie comes from another host, so
 * parsing is defensive: its size is bounded, it must be one NUL-free
 * XML document, and every part we accept is validated.
 */
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#include "qemu_migration_cookie.h"
#include "qemu_domainjob_data.h"
#include "virerror.h"
#include "virlog.h"
#include "viruuid.h"
#include "virxml.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_migration_cookie");

/* libvirt's mandatory-feature names (qemuMigrationCookieFlag) and the
 * part each one is here; 0 for libvirt parts we do not implement. */
static const struct {
    const char *name;
    unsigned int flag;
} qemuMigrationCookieFeatures[] = {
    { "graphics", 0 },
    { "lockstate", QEMU_MIGRATION_COOKIE_LOCKSTATE },
    { "persistent", QEMU_MIGRATION_COOKIE_PERSISTENT },
    { "network", 0 },
    { "nbd", QEMU_MIGRATION_COOKIE_NBD },
    { "statistics", QEMU_MIGRATION_COOKIE_STATS },
    { "memory-hotplug", 0 },
    { "cpu-hotplug", 0 },
    { "cpu", 0 },
    { "allowReboot", 0 },
    { "capabilities", QEMU_MIGRATION_COOKIE_CAPS },
    { "block-dirty-bitmaps", 0 },
};

/* The parts a receiver must understand (libvirt's flagsMandatory). */
#define QEMU_MIGRATION_COOKIE_MANDATORY \
    (QEMU_MIGRATION_COOKIE_LOCKSTATE | QEMU_MIGRATION_COOKIE_PERSISTENT)

typedef enum {
    QEMU_MIGRATION_COOKIE_STAT_ULL,  /* unsigned long long */
    QEMU_MIGRATION_COOKIE_STAT_LL,   /* long long */
    QEMU_MIGRATION_COOKIE_STAT_BPS,  /* double Mbit/s, sent as bytes/s */
} qemuMigrationCookieStatType;

/* One child of <statistics>: a member of qemuDomainJobData at @offset,
 * written only if the bool at @setOffset (if >= 0) is true; reading
 * the element sets that bool. */
typedef struct _qemuMigrationCookieStat qemuMigrationCookieStat;
struct _qemuMigrationCookieStat {
    const char *name;
    qemuMigrationCookieStatType type;
    size_t offset;
    ssize_t setOffset;
};

#define STAT(nm, tp, member) \
    { nm, QEMU_MIGRATION_COOKIE_STAT_ ## tp, \
      offsetof(qemuDomainJobData, member), -1 }
#define STAT_IF(nm, tp, member, setMember) \
    { nm, QEMU_MIGRATION_COOKIE_STAT_ ## tp, \
      offsetof(qemuDomainJobData, member), \
      offsetof(qemuDomainJobData, setMember) }

/* In libvirt's order (qemuMigrationCookieStatisticsXMLFormat). */
static const qemuMigrationCookieStat qemuMigrationCookieStats[] = {
    STAT("started", ULL, started),
    STAT("stopped", ULL, stopped),
    STAT("sent", ULL, sent),
    STAT_IF("delta", LL, timeDelta, timeDeltaSet),
    STAT("time_elapsed", ULL, timeElapsed),
    STAT_IF("downtime", ULL, stats.downtime, stats.downtimeSet),
    STAT_IF("setup_time", ULL, stats.setupTime, stats.setupTimeSet),
    STAT("memory_total", ULL, stats.ram.total),
    STAT("memory_processed", ULL, stats.ram.transferred),
    STAT("memory_remaining", ULL, stats.ram.remaining),
    STAT("memory_bps", BPS, stats.ram.mbps),
    STAT_IF("memory_constant", ULL, stats.ram.duplicate, stats.ramSet),
    STAT_IF("memory_normal", ULL, stats.ram.normal, stats.ramSet),
    STAT_IF("memory_normal_bytes", ULL, stats.ram.normalBytes, stats.ramSet),
    STAT("memory_dirty_rate", ULL, stats.ram.dirtyPagesRate),
    STAT("memory_iteration", ULL, stats.ram.dirtySyncCount),
    STAT("memory_postcopy_requests", ULL, stats.ram.postcopyRequests),
    STAT("memory_page_size", ULL, stats.ram.pageSize),
    STAT("disk_total", ULL, stats.disk.total),
    STAT("disk_processed", ULL, stats.disk.transferred),
    STAT("disk_remaining", ULL, stats.disk.remaining),
    STAT("disk_bps", BPS, stats.disk.mbps),
    STAT_IF("compression_cache", ULL, stats.xbzrle.cacheSize,
            stats.xbzrleSet),
    STAT_IF("compression_bytes", ULL, stats.xbzrle.bytes, stats.xbzrleSet),
    STAT_IF("compression_pages", ULL, stats.xbzrle.pages, stats.xbzrleSet),
    STAT_IF("compression_cache_misses", ULL, stats.xbzrle.cacheMiss,
            stats.xbzrleSet),
    STAT_IF("compression_overflow", ULL, stats.xbzrle.overflow,
            stats.xbzrleSet),
    STAT("auto_converge_throttle", ULL, stats.cpuThrottlePercentage),
    /* virtmig's addition: the destination measures it (postcopy-blocktime) */
    STAT_IF("postcopy_blocktime", ULL, stats.postcopyBlocktime,
            stats.postcopyBlocktimeSet),
};


qemuMigrationCookie *
qemuMigrationCookieNew(const char *name,
                       const unsigned char *uuid,
                       const char *hostname,
                       const unsigned char *hostUUID)
{
    qemuMigrationCookie *cookie = g_new0(qemuMigrationCookie, 1);

    cookie->name = g_strdup(name);
    memcpy(cookie->uuid, uuid, VIR_UUID_BUFLEN);
    cookie->localHostname = g_strdup(hostname);
    memcpy(cookie->localHostUUID, hostUUID, VIR_UUID_BUFLEN);
    return cookie;
}


void
qemuMigrationCookieFree(qemuMigrationCookie *cookie)
{
    size_t i;

    if (!cookie)
        return;
    g_free(cookie->name);
    g_free(cookie->localHostname);
    g_free(cookie->remoteHostname);
    g_free(cookie->lockDriver);
    g_free(cookie->lockState);
    virDomainDefFree(cookie->persistent);
    qemuDomainJobDataFree(cookie->jobData);
    for (i = 0; i < cookie->nbdNDisks; i++)
        g_free(cookie->nbdDisks[i].target);
    g_free(cookie->nbdDisks);
    g_free(cookie);
}


/* ---- formatting ---- */

static void
qemuMigrationCookieFormatFeatures(virXMLBuf *buf, unsigned int parts)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(qemuMigrationCookieFeatures); i++) {
        unsigned int flag = qemuMigrationCookieFeatures[i].flag;

        if (flag & parts & QEMU_MIGRATION_COOKIE_MANDATORY)
            virXMLBufAsprintf(buf, "<feature name='%s'/>\n",
                              qemuMigrationCookieFeatures[i].name);
    }
}


/* <nbd port='P'> with a <disk target= capacity=/> per disk, or empty. */
static void
qemuMigrationCookieFormatNBD(virXMLBuf *buf, const qemuMigrationCookie *cookie)
{
    size_t i;

    virXMLBufAdd(buf, "<nbd");
    if (cookie->nbdPort)
        virXMLBufAsprintf(buf, " port='%u'", cookie->nbdPort);
    if (cookie->nbdNDisks == 0) {
        virXMLBufAdd(buf, "/>\n");
        return;
    }
    virXMLBufAdd(buf, ">\n");
    virXMLBufAdjustIndent(buf, 2);
    for (i = 0; i < cookie->nbdNDisks; i++) {
        virXMLBufEscapeString(buf, "<disk target='%s'", cookie->nbdDisks[i].target);
        virXMLBufAsprintf(buf, " capacity='%llu'/>\n", cookie->nbdDisks[i].capacity);
    }
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</nbd>\n");
}


static int
qemuMigrationCookieFormatLockstate(virXMLBuf *buf,
                                   const qemuMigrationCookie *cookie)
{
    if (!cookie->lockState)
        return 0;
    if (!cookie->lockDriver) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("Missing lock driver name in migration cookie"));
        return -1;
    }
    virXMLBufEscapeString(buf, "<lockstate driver='%s'>\n", cookie->lockDriver);
    virXMLBufAdjustIndent(buf, 2);
    virXMLBufEscapeString(buf, "<leases>%s</leases>\n", cookie->lockState);
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</lockstate>\n");
    return 0;
}


/* Appends the inactive XML of @def at the current indentation.  Only
 * lines that start markup are indented: a text node spanning lines
 * (<description>) keeps its content unchanged. */
static int
qemuMigrationCookieFormatPersistent(virXMLBuf *buf, const virDomainDef *def)
{
    g_autofree char *xml = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!(xml = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_SECURE |
                                        VIR_DOMAIN_DEF_FORMAT_INACTIVE)))
        return -1;
    g_strchomp(xml);
    lines = g_strsplit(xml, "\n", -1);
    for (i = 0; lines[i]; i++) {
        if (*(lines[i] + strspn(lines[i], " ")) == '<')
            virXMLBufAdd(buf, lines[i]);
        else
            g_string_append(buf->str, lines[i]);
        g_string_append_c(buf->str, '\n');
    }
    return 0;
}


static void
qemuMigrationCookieFormatStat(virXMLBuf *buf, const qemuMigrationCookieStat *stat,
                              const qemuDomainJobData *jobData)
{
    const char *base = (const char *)jobData;
    const void *value = base + stat->offset;

    if (stat->setOffset >= 0 && !*(const bool *)(base + stat->setOffset))
        return;

    switch (stat->type) {
    case QEMU_MIGRATION_COOKIE_STAT_ULL:
        virXMLBufAsprintf(buf, "<%s>%llu</%s>\n", stat->name,
                          *(const unsigned long long *)value, stat->name);
        break;
    case QEMU_MIGRATION_COOKIE_STAT_LL:
        virXMLBufAsprintf(buf, "<%s>%lld</%s>\n", stat->name,
                          *(const long long *)value, stat->name);
        break;
    case QEMU_MIGRATION_COOKIE_STAT_BPS:
        virXMLBufAsprintf(buf, "<%s>%llu</%s>\n", stat->name,
                          qemuDomainJobDataMbpsToBps(*(const double *)value),
                          stat->name);
        break;
    }
}


static void
qemuMigrationCookieFormatStats(virXMLBuf *buf, const qemuDomainJobData *jobData)
{
    size_t i;

    virXMLBufAdd(buf, "<statistics>\n");
    virXMLBufAdjustIndent(buf, 2);
    for (i = 0; i < G_N_ELEMENTS(qemuMigrationCookieStats); i++)
        qemuMigrationCookieFormatStat(buf, &qemuMigrationCookieStats[i], jobData);
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</statistics>\n");
}


static void
qemuMigrationCookieFormatCaps(virXMLBuf *buf, const qemuMigrationCookie *cookie)
{
    size_t i;

    virXMLBufAdd(buf, "<capabilities>\n");
    virXMLBufAdjustIndent(buf, 2);
    for (i = 0; i < QEMU_MONITOR_MIGRATION_CAP_LAST; i++) {
        unsigned long long bit = QEMU_MONITOR_MIGRATION_CAP_BIT(i);

        if (!(cookie->capsSupported & bit))
            continue;
        virXMLBufAsprintf(buf, "<cap name='%s' auto='%s'/>\n",
                          qemuMonitorMigrationCapTypeToString(i),
                          (cookie->capsAutomatic & bit) ? "yes" : "no");
    }
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</capabilities>\n");
}


/* <qemu-migration> with the identity elements and the @parts. */
static int
qemuMigrationCookieFormatXML(virXMLBuf *buf, const qemuMigrationCookie *cookie,
                             unsigned int parts)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    char hostuuid[VIR_UUID_STRING_BUFLEN];

    virXMLBufAdd(buf, "<qemu-migration>\n");
    virXMLBufAdjustIndent(buf, 2);
    virXMLBufEscapeString(buf, "<name>%s</name>\n", cookie->name);
    virXMLBufAsprintf(buf, "<uuid>%s</uuid>\n", virUUIDFormat(cookie->uuid, uuid));
    virXMLBufEscapeString(buf, "<hostname>%s</hostname>\n",
                          cookie->localHostname);
    virXMLBufAsprintf(buf, "<hostuuid>%s</hostuuid>\n",
                      virUUIDFormat(cookie->localHostUUID, hostuuid));
    qemuMigrationCookieFormatFeatures(buf, parts);

    if ((parts & QEMU_MIGRATION_COOKIE_LOCKSTATE) &&
        qemuMigrationCookieFormatLockstate(buf, cookie) < 0)
        return -1;
    if ((parts & QEMU_MIGRATION_COOKIE_PERSISTENT) &&
        qemuMigrationCookieFormatPersistent(buf, cookie->persistent) < 0)
        return -1;
    if (parts & QEMU_MIGRATION_COOKIE_NBD)
        qemuMigrationCookieFormatNBD(buf, cookie);
    if (parts & QEMU_MIGRATION_COOKIE_STATS)
        qemuMigrationCookieFormatStats(buf, cookie->jobData);
    if (parts & QEMU_MIGRATION_COOKIE_CAPS)
        qemuMigrationCookieFormatCaps(buf, cookie);

    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</qemu-migration>\n");
    return 0;
}


int
qemuMigrationCookieFormat(const qemuMigrationCookie *cookie,
                          unsigned int flags,
                          char **out,
                          size_t *outlen)
{
    g_auto(virXMLBuf) buf = { 0 };
    unsigned int parts = flags & cookie->flags;
    g_autofree char *xml = NULL;
    size_t len;

    if (!virCheckFlags(flags, QEMU_MIGRATION_COOKIE_ALL))
        return -1;
    if (!cookie->name || !cookie->localHostname) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("migration cookie lacks the domain name or host name"));
        return -1;
    }
    if (!cookie->persistent)
        parts &= ~QEMU_MIGRATION_COOKIE_PERSISTENT;
    if (!cookie->jobData)
        parts &= ~QEMU_MIGRATION_COOKIE_STATS;

    virXMLBufInit(&buf);
    if (qemuMigrationCookieFormatXML(&buf, cookie, parts) < 0)
        return -1;
    xml = virXMLBufContentAndReset(&buf);
    len = strlen(xml) + 1;
    if (len > QEMU_MIGRATION_COOKIE_MAX_SIZE) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("migration cookie is too large (%1$zu bytes, at most %2$d)"),
                       len, QEMU_MIGRATION_COOKIE_MAX_SIZE);
        return -1;
    }
    VIR_DEBUG("cookielen=%zu cookie=%s", len, xml);
    *outlen = len;
    *out = g_steal_pointer(&xml);
    return 0;
}


/* ---- parsing ---- */

/* The cookie as a C string: NULL (and 0) for an empty cookie. */
static int
qemuMigrationCookieText(const char *data, size_t len, char **text)
{
    *text = NULL;
    if (!data || len == 0)
        return 0;
    if (len > QEMU_MIGRATION_COOKIE_MAX_SIZE) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("migration cookie is too large (%1$zu bytes, at most %2$d)"),
                       len, QEMU_MIGRATION_COOKIE_MAX_SIZE);
        return -1;
    }
    if (data[len - 1] == '\0')
        len--;
    if (memchr(data, '\0', len)) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("migration cookie contains a NUL byte"));
        return -1;
    }
    if (len > 0)
        *text = g_strndup(data, len);
    return 0;
}


/* The text of required element @name: error if missing or empty. */
static char *
qemuMigrationCookieRequired(xmlXPathContext *ctxt, const char *name)
{
    g_autofree char *xpath = g_strdup_printf("string(./%s[1])", name);
    char *value = virXPathString(xpath, ctxt);

    if (!value)
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("missing %1$s element in migration data"), name);
    return value;
}


static int
qemuMigrationCookieParseDomain(xmlXPathContext *ctxt,
                               qemuMigrationCookie *cookie,
                               const char *expectName,
                               const unsigned char *expectUUID)
{
    g_autofree char *uuid = NULL;
    char expected[VIR_UUID_STRING_BUFLEN];

    if (!(cookie->name = qemuMigrationCookieRequired(ctxt, "name")))
        return -1;
    if (expectName && !g_str_equal(cookie->name, expectName)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("Incoming cookie data had unexpected name %1$s vs %2$s"),
                       cookie->name, expectName);
        return -1;
    }

    if (!(uuid = qemuMigrationCookieRequired(ctxt, "uuid")))
        return -1;
    if (virUUIDParse(uuid, cookie->uuid) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("malformed uuid element in migration data"));
        return -1;
    }
    if (expectUUID && memcmp(cookie->uuid, expectUUID, VIR_UUID_BUFLEN) != 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("Incoming cookie data had unexpected UUID %1$s vs %2$s"),
                       uuid, virUUIDFormat(expectUUID, expected));
        return -1;
    }
    return 0;
}


/* The sender; refuses a cookie made by this very host. */
static int
qemuMigrationCookieParseHost(xmlXPathContext *ctxt, qemuMigrationCookie *cookie)
{
    g_autofree char *hostuuid = NULL;

    if (!(cookie->remoteHostname = qemuMigrationCookieRequired(ctxt, "hostname")) ||
        !(hostuuid = qemuMigrationCookieRequired(ctxt, "hostuuid")))
        return -1;
    if (virUUIDParse(hostuuid, cookie->remoteHostUUID) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("malformed hostuuid element in migration data"));
        return -1;
    }
    if (memcmp(cookie->remoteHostUUID, cookie->localHostUUID,
               VIR_UUID_BUFLEN) == 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("Attempt to migrate guest to the same host %1$s"),
                       hostuuid);
        return -1;
    }
    return 0;
}


/* Checks the mandatory <feature>s against @flags; returns the parts
 * they name, or -1. */
static int
qemuMigrationCookieParseFeatures(xmlXPathContext *ctxt, unsigned int flags)
{
    g_autofree xmlNodePtr *nodes = NULL;
    unsigned int parts = 0;
    int n;
    int i;

    if ((n = virXPathNodeSet("./feature", ctxt, &nodes)) < 0)
        return -1;
    for (i = 0; i < n; i++) {
        g_autofree char *name = virXMLPropString(nodes[i], "name");
        size_t j;

        if (!name) {
            virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                           _("missing feature name"));
            return -1;
        }
        for (j = 0; j < G_N_ELEMENTS(qemuMigrationCookieFeatures); j++) {
            if (g_str_equal(name, qemuMigrationCookieFeatures[j].name))
                break;
        }
        if (j == G_N_ELEMENTS(qemuMigrationCookieFeatures)) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("Unknown migration cookie feature %1$s"), name);
            return -1;
        }
        if (!(qemuMigrationCookieFeatures[j].flag & flags)) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("Unsupported migration cookie feature %1$s"), name);
            return -1;
        }
        parts |= qemuMigrationCookieFeatures[j].flag;
    }
    return (int)parts;
}


static int
qemuMigrationCookieParseLockstate(xmlXPathContext *ctxt,
                                  qemuMigrationCookie *cookie)
{
    xmlNodePtr node = virXPathNode("./lockstate[1]", ctxt);

    if (!node)
        return 0;
    if (!(cookie->lockDriver = virXMLPropString(node, "driver")) ||
        !*cookie->lockDriver) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("Missing lock driver name in migration cookie"));
        return -1;
    }
    cookie->lockState = virXPathString("string(./lockstate[1]/leases[1])", ctxt);
    cookie->flags |= QEMU_MIGRATION_COOKIE_LOCKSTATE;
    return 0;
}


static int
qemuMigrationCookieParsePersistent(xmlXPathContext *ctxt,
                                   qemuMigrationCookie *cookie)
{
    g_autofree xmlNodePtr *nodes = NULL;
    g_autoptr(xmlBuffer) xml = NULL;
    int n;

    if ((n = virXPathNodeSet("./domain", ctxt, &nodes)) <= 0)
        return n;
    if (n > 1) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("Too many domain elements in migration cookie"));
        return -1;
    }
    if (!(xml = xmlBufferCreate()) ||
        xmlNodeDump(xml, nodes[0]->doc, nodes[0], 0, 0) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("cannot extract the domain definition from the migration cookie"));
        return -1;
    }
    if (!(cookie->persistent =
          virDomainDefParseString((const char *)xmlBufferContent(xml),
                                  VIR_DOMAIN_DEF_PARSE_INACTIVE |
                                  VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE)))
        return -1;
    cookie->flags |= QEMU_MIGRATION_COOKIE_PERSISTENT;
    return 0;
}


/* Parses the text of @node as @stat into @jobData. */
static int
qemuMigrationCookieParseStat(xmlNodePtr node, const qemuMigrationCookieStat *stat,
                             qemuDomainJobData *jobData)
{
    g_autofree char *str = g_strstrip(virXMLNodeContentString(node));
    char *base = (char *)jobData;
    char *value = base + stat->offset;
    guint64 ull;
    gint64 ll;
    bool ok;

    if (stat->type == QEMU_MIGRATION_COOKIE_STAT_LL) {
        ok = g_ascii_string_to_signed(str, 10, G_MININT64, G_MAXINT64, &ll, NULL);
        if (ok)
            *(long long *)value = ll;
    } else {
        ok = g_ascii_string_to_unsigned(str, 10, 0, G_MAXUINT64, &ull, NULL);
        if (ok && stat->type == QEMU_MIGRATION_COOKIE_STAT_BPS)
            *(double *)value = qemuDomainJobDataBpsToMbps(ull);
        else if (ok)
            *(unsigned long long *)value = ull;
    }
    if (!ok) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("malformed %1$s element in migration data: '%2$s'"),
                       stat->name, str);
        return -1;
    }
    if (stat->setOffset >= 0)
        *(bool *)(base + stat->setOffset) = true;
    return 0;
}


static int
qemuMigrationCookieParseStats(xmlXPathContext *ctxt, qemuMigrationCookie *cookie)
{
    xmlNodePtr node = virXPathNode("./statistics[1]", ctxt);
    g_autoptr(qemuDomainJobData) jobData = NULL;
    size_t i;

    if (!node)
        return 0;
    jobData = qemuDomainJobDataNew();
    jobData->status = QEMU_DOMAIN_JOB_STATUS_COMPLETED;
    for (i = 0; i < G_N_ELEMENTS(qemuMigrationCookieStats); i++) {
        const qemuMigrationCookieStat *stat = &qemuMigrationCookieStats[i];
        xmlNodePtr child = virXMLNodeGetChild(node, stat->name);

        if (child && qemuMigrationCookieParseStat(child, stat, jobData) < 0)
            return -1;
    }
    if (jobData->stats.disk.total > 0)
        jobData->stats.diskSet = true;
    jobData->stats.cpuThrottlePercentageSet =
        jobData->stats.cpuThrottlePercentage > 0;
    cookie->jobData = g_steal_pointer(&jobData);
    cookie->flags |= QEMU_MIGRATION_COOKIE_STATS;
    return 0;
}


/* One <cap name= auto=>; unknown capabilities are ignored. */
static int
qemuMigrationCookieParseCap(xmlNodePtr node, qemuMigrationCookie *cookie)
{
    g_autofree char *name = virXMLPropString(node, "name");
    g_autofree char *automatic = virXMLPropString(node, "auto");
    int cap;

    if (!name) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("missing migration capability name"));
        return -1;
    }
    if (automatic && !g_str_equal(automatic, "yes") &&
        !g_str_equal(automatic, "no")) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("malformed auto attribute '%1$s' of migration capability %2$s"),
                       automatic, name);
        return -1;
    }
    if ((cap = qemuMonitorMigrationCapTypeFromString(name)) < 0) {
        VIR_DEBUG("unknown migration capability '%s'", name);
        return 0;
    }
    cookie->capsSupported |= QEMU_MONITOR_MIGRATION_CAP_BIT(cap);
    if (automatic && g_str_equal(automatic, "yes"))
        cookie->capsAutomatic |= QEMU_MONITOR_MIGRATION_CAP_BIT(cap);
    return 0;
}


static int
qemuMigrationCookieParseCaps(xmlXPathContext *ctxt, qemuMigrationCookie *cookie)
{
    g_autofree xmlNodePtr *nodes = NULL;
    int n;
    int i;

    if (!virXPathNode("./capabilities[1]", ctxt))
        return 0;
    if ((n = virXPathNodeSet("./capabilities[1]/cap", ctxt, &nodes)) < 0)
        return -1;
    for (i = 0; i < n; i++) {
        if (qemuMigrationCookieParseCap(nodes[i], cookie) < 0)
            return -1;
    }
    cookie->flags |= QEMU_MIGRATION_COOKIE_CAPS;
    return 0;
}


static int
qemuMigrationCookieParseNBD(xmlXPathContext *ctxt, qemuMigrationCookie *cookie)
{
    xmlNodePtr nbd = virXPathNode("./nbd[1]", ctxt);
    g_autofree xmlNodePtr *nodes = NULL;
    int n;
    int i;

    if (!nbd)
        return 0;
    if (virXMLPropUInt(nbd, "port", 10, VIR_XML_PROP_NONE, &cookie->nbdPort) < 0 ||
        (n = virXPathNodeSet("./nbd[1]/disk", ctxt, &nodes)) < 0)
        return -1;
    cookie->nbdDisks = g_new0(qemuMigrationCookieNBDDisk, n);
    for (i = 0; i < n; i++) {
        qemuMigrationCookieNBDDisk *disk = &cookie->nbdDisks[i];

        cookie->nbdNDisks++;
        if (!(disk->target = virXMLPropString(nodes[i], "target"))) {
            virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                           _("Malformed disk target"));
            return -1;
        }
        if (virXMLPropULongLong(nodes[i], "capacity", 10, VIR_XML_PROP_NONE,
                                &disk->capacity) < 0)
            return -1;
    }
    cookie->flags |= QEMU_MIGRATION_COOKIE_NBD;
    return 0;
}


/* The optional parts accepted by @flags. */
static int
qemuMigrationCookieParseParts(xmlXPathContext *ctxt, qemuMigrationCookie *cookie,
                              unsigned int flags)
{
    int mandatory;

    if ((mandatory = qemuMigrationCookieParseFeatures(ctxt, flags)) < 0)
        return -1;
    if (flags & QEMU_MIGRATION_COOKIE_LOCKSTATE) {
        if (qemuMigrationCookieParseLockstate(ctxt, cookie) < 0)
            return -1;
        if (mandatory & QEMU_MIGRATION_COOKIE_LOCKSTATE)
            cookie->flags |= QEMU_MIGRATION_COOKIE_LOCKSTATE;
    }
    if ((flags & QEMU_MIGRATION_COOKIE_PERSISTENT) &&
        qemuMigrationCookieParsePersistent(ctxt, cookie) < 0)
        return -1;
    if ((flags & QEMU_MIGRATION_COOKIE_STATS) &&
        qemuMigrationCookieParseStats(ctxt, cookie) < 0)
        return -1;
    if ((flags & QEMU_MIGRATION_COOKIE_CAPS) &&
        qemuMigrationCookieParseCaps(ctxt, cookie) < 0)
        return -1;
    if ((flags & QEMU_MIGRATION_COOKIE_NBD) &&
        qemuMigrationCookieParseNBD(ctxt, cookie) < 0)
        return -1;
    return 0;
}


qemuMigrationCookie *
qemuMigrationCookieParse(const char *data,
                         size_t len,
                         const unsigned char *localHostUUID,
                         const char *expectName,
                         const unsigned char *expectUUID,
                         unsigned int flags)
{
    g_autoptr(qemuMigrationCookie) cookie = NULL;
    g_autofree char *text = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;

    if (!virCheckFlags(flags, QEMU_MIGRATION_COOKIE_ALL))
        return NULL;
    if (!localHostUUID) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("the local host UUID is required to check a migration cookie"));
        return NULL;
    }
    if (qemuMigrationCookieText(data, len, &text) < 0)
        return NULL;

    cookie = g_new0(qemuMigrationCookie, 1);
    memcpy(cookie->localHostUUID, localHostUUID, VIR_UUID_BUFLEN);
    if (!text) {
        VIR_DEBUG("empty migration cookie");
        cookie->name = g_strdup(expectName);
        if (expectUUID)
            memcpy(cookie->uuid, expectUUID, VIR_UUID_BUFLEN);
        return g_steal_pointer(&cookie);
    }

    VIR_DEBUG("cookielen=%zu cookie=%s", len, text);
    if (!(doc = virXMLParseString(text, _("(qemu_migration_cookie)"),
                                  "qemu-migration", VIR_FROM_THIS, &ctxt)))
        return NULL;
    if (qemuMigrationCookieParseDomain(ctxt, cookie, expectName, expectUUID) < 0 ||
        qemuMigrationCookieParseHost(ctxt, cookie) < 0 ||
        qemuMigrationCookieParseParts(ctxt, cookie, flags) < 0)
        return NULL;
    return g_steal_pointer(&cookie);
}
