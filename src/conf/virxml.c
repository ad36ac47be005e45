/*
 * virxml.c: libxml2 helpers for the configuration parsers
 */
#include <string.h>
#include <stdarg.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/entities.h>

#include "virxml.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_XML

typedef struct {
    int errdomain;
    bool reported;
} virXMLParserState;

/* The line holding the parser's current position and a "----^" line
 * pointing at the column, as libvirt shows them under parse errors. */
static void
virXMLParserErrorContext(xmlParserCtxtPtr pctxt, char **line, char **pointer)
{
    const xmlChar *base = pctxt->input->base;
    const xmlChar *cur = pctxt->input->cur;
    const xmlChar *start;
    const xmlChar *end;
    GString *ptr = g_string_new(NULL);
    size_t col;
    size_t i;

    while (cur > base && (*cur == '\n' || *cur == '\r' || *cur == '\0'))
        cur--;
    start = cur;
    while (start > base && start[-1] != '\n' && start[-1] != '\r')
        start--;
    end = start;
    while (*end && *end != '\n' && *end != '\r')
        end++;
    col = pctxt->input->cur - start;
    *line = g_strndup((const char *)start, end - start);
    for (i = 0; i < col && (*line)[i]; i++)
        g_string_append_c(ptr, (*line)[i] == '\t' ? '\t' : '-');
    g_string_append_c(ptr, '^');
    *pointer = g_string_free(ptr, FALSE);
}

/* libxml2 structured error callback: reports the first fatal error. */
static void
virXMLParserError(void *data, xmlErrorPtr err)
{
    xmlParserCtxtPtr pctxt = data;
    virXMLParserState *state = pctxt ? pctxt->_private : NULL;
    g_autofree char *line = NULL;
    g_autofree char *pointer = NULL;

    if (!state || state->reported || !err || err->level != XML_ERR_FATAL ||
        !err->message || !pctxt->input)
        return;
    state->reported = true;
    virXMLParserErrorContext(pctxt, &line, &pointer);
    virReportErrorFull(state->errdomain, VIR_ERR_XML_DETAIL, __FILE__,
                       __func__, __LINE__, "%s:%d: %s%s\n%s",
                       err->file ? err->file : "(string)", err->line,
                       err->message, line, pointer);
}

/* libxml2 must be initialised once, from one thread, before
 * concurrent use. */
static gpointer
virXMLInitOnce(gpointer data)
{
    xmlInitParser();
    return data;
}

static xmlDoc *
virXMLParseDoc(const char *xml, const char *url, int errdomain)
{
    virXMLParserState state = { .errdomain = errdomain, .reported = false };
    xmlParserCtxtPtr pctxt = NULL;
    xmlDoc *doc = NULL;
    size_t len = strlen(xml);
    static GOnce once = G_ONCE_INIT;

    g_once(&once, virXMLInitOnce, NULL);
    if (len > 0 && len <= G_MAXINT &&
        (pctxt = xmlCreateMemoryParserCtxt(xml, (int)len))) {
        pctxt->_private = &state;
        pctxt->sax->serror = virXMLParserError;
        pctxt->vctxt.error = NULL;
        pctxt->vctxt.warning = NULL;
        if (url)
            pctxt->input->filename = (char *)xmlStrdup(BAD_CAST url);
        xmlCtxtUseOptions(pctxt, XML_PARSE_NONET | XML_PARSE_NOWARNING |
                          XML_PARSE_NOERROR | XML_PARSE_NOCDATA);
        xmlParseDocument(pctxt);
        if (pctxt->wellFormed && pctxt->myDoc)
            doc = pctxt->myDoc;
        else if (pctxt->myDoc)
            xmlFreeDoc(pctxt->myDoc);
        pctxt->myDoc = NULL;
        xmlFreeParserCtxt(pctxt);
    }
    if (!doc && !state.reported)
        virReportError(VIR_ERR_XML_ERROR, _("failed to parse xml document '%1$s'"),
                       url ? url : "[inline data]");
    return doc;
}

xmlDoc *
virXMLParseString(const char *xml, const char *url, const char *rootname,
                  int errdomain, xmlXPathContext **ctxt)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlNodePtr root;

    if (!(doc = virXMLParseDoc(xml, url, errdomain)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root) {
        virReportError(VIR_ERR_XML_ERROR, "%s", _("missing root element"));
        return NULL;
    }
    if (!xmlStrEqual(root->name, BAD_CAST rootname)) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("expecting root element of '%1$s', not '%2$s'"),
                       rootname, (const char *)root->name);
        return NULL;
    }
    if (!(*ctxt = xmlXPathNewContext(doc))) {
        virReportOOMError();
        return NULL;
    }
    (*ctxt)->node = root;
    return g_steal_pointer(&doc);
}

char *
virXMLPropString(xmlNodePtr node, const char *name)
{
    xmlChar *val = xmlGetNoNsProp(node, BAD_CAST name);
    char *ret;

    if (!val)
        return NULL;
    ret = g_strdup((const char *)val);
    xmlFree(val);
    return ret;
}

char *
virXMLNodeContentString(xmlNodePtr node)
{
    xmlChar *val = xmlNodeGetContent(node);
    char *ret = g_strdup(val ? (const char *)val : "");

    xmlFree(val);
    return ret;
}

xmlNodePtr
virXMLNodeGetChild(xmlNodePtr node, const char *name)
{
    xmlNodePtr cur;

    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE &&
            xmlStrEqual(cur->name, BAD_CAST name))
            return cur;
    }
    return NULL;
}

char *
virXPathString(const char *xpath, xmlXPathContext *ctxt)
{
    g_autoptr(xmlXPathObject) obj = xmlXPathEval(BAD_CAST xpath, ctxt);

    if (!obj || obj->type != XPATH_STRING || !obj->stringval ||
        obj->stringval[0] == '\0')
        return NULL;
    return g_strdup((const char *)obj->stringval);
}

xmlNodePtr
virXPathNode(const char *xpath, xmlXPathContext *ctxt)
{
    g_autoptr(xmlXPathObject) obj = xmlXPathEval(BAD_CAST xpath, ctxt);

    if (!obj || obj->type != XPATH_NODESET || !obj->nodesetval ||
        obj->nodesetval->nodeNr <= 0)
        return NULL;
    return obj->nodesetval->nodeTab[0];
}

int
virXPathNodeSet(const char *xpath, xmlXPathContext *ctxt, xmlNodePtr **list)
{
    g_autoptr(xmlXPathObject) obj = xmlXPathEval(BAD_CAST xpath, ctxt);
    int n;

    *list = NULL;
    if (!obj || obj->type != XPATH_NODESET) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("Incorrect xpath '%1$s'"), xpath);
        return -1;
    }
    if (!obj->nodesetval || obj->nodesetval->nodeNr <= 0)
        return 0;
    n = obj->nodesetval->nodeNr;
    *list = g_new0(xmlNodePtr, n);
    memcpy(*list, obj->nodesetval->nodeTab, n * sizeof(xmlNodePtr));
    return n;
}

/* Strict decimal/hex/octal parse of a whole string. */
static bool
virXMLStrToULL(const char *str, int base, unsigned long long *value)
{
    char *end = NULL;
    guint64 v;

    if (!str || !*str || g_ascii_isspace(*str) || *str == '-' || *str == '+')
        return false;
    errno = 0;
    v = g_ascii_strtoull(str, &end, base);
    if (errno != 0 || end == str || *end != '\0')
        return false;
    *value = v;
    return true;
}

int
virXPathULongLong(const char *xpath, xmlXPathContext *ctxt,
                  unsigned long long *value)
{
    xmlNodePtr node = virXPathNode(xpath, ctxt);
    g_autofree char *str = NULL;

    if (!node)
        return 0;
    str = virXMLNodeContentString(node);
    g_strstrip(str);
    if (!*str)
        return 0;
    if (!virXMLStrToULL(str, 10, value)) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("Invalid value '%1$s' for element or attribute '%2$s'"),
                       str, xpath);
        return -1;
    }
    return 1;
}

/* Shared head of the typed attribute readers: fetches the value and
 * handles absence.  Returns 1 with *str set, 0 if absent, -1 on error. */
static int
virXMLPropFetch(xmlNodePtr node, const char *name, virXMLPropFlags flags,
                char **str)
{
    if ((*str = virXMLPropString(node, name)))
        return 1;
    if (flags & VIR_XML_PROP_REQUIRED) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("Missing required attribute '%1$s' in element '%2$s'"),
                       name, (const char *)node->name);
        return -1;
    }
    return 0;
}

static int
virXMLPropReportZero(xmlNodePtr node, const char *name)
{
    virReportError(VIR_ERR_XML_ERROR,
                   _("Invalid value for attribute '%1$s' in element '%2$s': Zero is not permitted"),
                   name, (const char *)node->name);
    return -1;
}

int
virXMLPropEnum(xmlNodePtr node, const char *name,
               int (*strToInt)(const char *), virXMLPropFlags flags,
               int *result)
{
    g_autofree char *str = NULL;
    int rc = virXMLPropFetch(node, name, flags, &str);
    int val;

    if (rc <= 0)
        return rc;
    if ((val = strToInt(str)) < 0 ||
        ((flags & VIR_XML_PROP_NONZERO) && val == 0)) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("Invalid value for attribute '%1$s' in element '%2$s': '%3$s'."),
                       name, (const char *)node->name, str);
        return -1;
    }
    *result = val;
    return 1;
}

int
virXMLPropULongLong(xmlNodePtr node, const char *name, int base,
                    virXMLPropFlags flags, unsigned long long *result)
{
    g_autofree char *str = NULL;
    int rc = virXMLPropFetch(node, name, flags, &str);
    unsigned long long val;

    if (rc <= 0)
        return rc;
    if (!virXMLStrToULL(str, base, &val)) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("Invalid value for attribute '%1$s' in element '%2$s': '%3$s'. Expected non-negative integer value"),
                       name, (const char *)node->name, str);
        return -1;
    }
    if ((flags & VIR_XML_PROP_NONZERO) && val == 0)
        return virXMLPropReportZero(node, name);
    *result = val;
    return 1;
}

int
virXMLPropUInt(xmlNodePtr node, const char *name, int base,
               virXMLPropFlags flags, unsigned int *result)
{
    unsigned long long val = 0;
    int rc = virXMLPropULongLong(node, name, base, flags, &val);

    if (rc <= 0)
        return rc;
    if (val > G_MAXUINT) {
        g_autofree char *str = virXMLPropString(node, name);

        virReportError(VIR_ERR_XML_ERROR,
                       _("Invalid value for attribute '%1$s' in element '%2$s': '%3$s'. Expected non-negative integer value"),
                       name, (const char *)node->name, str);
        return -1;
    }
    *result = (unsigned int)val;
    return 1;
}

int
virXMLPropInt(xmlNodePtr node, const char *name, int base,
              virXMLPropFlags flags, int *result)
{
    g_autofree char *str = NULL;
    int rc = virXMLPropFetch(node, name, flags, &str);
    char *end = NULL;
    gint64 val;

    if (rc <= 0)
        return rc;
    errno = 0;
    val = g_ascii_strtoll(str, &end, base);
    if (!*str || errno != 0 || *end != '\0' || val < G_MININT ||
        val > G_MAXINT || g_ascii_isspace(*str)) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("Invalid value for attribute '%1$s' in element '%2$s': '%3$s'. Expected integer value"),
                       name, (const char *)node->name, str);
        return -1;
    }
    if ((flags & VIR_XML_PROP_NONZERO) && val == 0)
        return virXMLPropReportZero(node, name);
    *result = (int)val;
    return 1;
}

void
virXMLBufInit(virXMLBuf *buf)
{
    buf->str = g_string_new(NULL);
    buf->indent = 0;
}

void
virXMLBufClear(virXMLBuf *buf)
{
    if (buf->str)
        g_string_free(buf->str, TRUE);
    buf->str = NULL;
    buf->indent = 0;
}

char *
virXMLBufContentAndReset(virXMLBuf *buf)
{
    char *ret = g_string_free(buf->str, FALSE);

    buf->str = g_string_new(NULL);
    buf->indent = 0;
    return ret;
}

void
virXMLBufAdjustIndent(virXMLBuf *buf, int delta)
{
    buf->indent = MAX(0, buf->indent + delta);
}

static void
virXMLBufApplyIndent(virXMLBuf *buf)
{
    GString *s = buf->str;

    if (s->len == 0 || s->str[s->len - 1] == '\n') {
        int i;

        for (i = 0; i < buf->indent; i++)
            g_string_append_c(s, ' ');
    }
}

void
virXMLBufAdd(virXMLBuf *buf, const char *str)
{
    virXMLBufApplyIndent(buf);
    g_string_append(buf->str, str);
}

void
virXMLBufAsprintf(virXMLBuf *buf, const char *fmt, ...)
{
    va_list args;

    virXMLBufApplyIndent(buf);
    va_start(args, fmt);
    g_string_append_vprintf(buf->str, fmt, args);
    va_end(args);
}

char *
virXMLEscapeString(const char *str)
{
    xmlChar *enc = xmlEncodeSpecialChars(NULL, BAD_CAST str);
    GString *out = g_string_new(NULL);
    const char *p;

    for (p = (const char *)enc; p && *p; p++) {
        if (*p == '\'')
            g_string_append(out, "&apos;");
        else
            g_string_append_c(out, *p);
    }
    xmlFree(enc);
    return g_string_free(out, FALSE);
}

void
virXMLBufEscapeString(virXMLBuf *buf, const char *fmt, const char *str)
{
    g_autofree char *esc = NULL;

    if (!str)
        return;
    esc = virXMLEscapeString(str);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    virXMLBufAsprintf(buf, fmt, esc);
#pragma GCC diagnostic pop
}
