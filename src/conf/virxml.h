/*
 * virxml.h: libxml2 helpers for the configuration parsers
 *
 * Parsing from strings only (no file or network access), XPath
 * look-ups and typed attribute readers that report errors with
 * libvirt's wording (domain VIR_FROM_XML), plus a small indenting
 * output buffer that writes libvirt-style XML (single-quoted
 * attributes, two-space indentation).
 */
#pragma once

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "internal.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree);

/**
 * virXMLParseString:
 * @xml: the document text
 * @url: name used in error messages, e.g. "(domain_definition)"
 * @rootname: required name of the root element
 * @errdomain: virErrorDomain to report well-formedness errors in
 * @ctxt: set to a new XPath context whose node is the root element
 *
 * Parses @xml without network access or entity expansion.  A document
 * that is not well formed is reported as VIR_ERR_XML_DETAIL with the
 * parser's message and the offending line, like libvirt; a wrong root
 * element as VIR_ERR_XML_ERROR.  Returns the document (free it after
 * @ctxt) or NULL.
 */
xmlDoc *virXMLParseString(const char *xml, const char *url,
                          const char *rootname, int errdomain,
                          xmlXPathContext **ctxt);

/* The value of attribute @name of @node (caller frees), or NULL. */
char *virXMLPropString(xmlNodePtr node, const char *name);

/* The text content of @node (caller frees); never NULL. */
char *virXMLNodeContentString(xmlNodePtr node);

/* The first element child of @node called @name, or NULL. */
xmlNodePtr virXMLNodeGetChild(xmlNodePtr node, const char *name);

/**
 * virXPathString:
 * Evaluates string(@xpath) relative to @ctxt's node.  Returns a new
 * string, or NULL if the result is empty.
 */
char *virXPathString(const char *xpath, xmlXPathContext *ctxt);

/* The first node matching @xpath, or NULL. */
xmlNodePtr virXPathNode(const char *xpath, xmlXPathContext *ctxt);

/**
 * virXPathNodeSet:
 * Stores the nodes matching @xpath in a new array *@list (caller frees
 * the array, not the nodes; NULL if none).  Returns the count, or -1
 * with an error reported if the expression is invalid.
 */
int virXPathNodeSet(const char *xpath, xmlXPathContext *ctxt,
                    xmlNodePtr **list);

/**
 * virXPathULongLong:
 * Parses the text of the first node matching @xpath as an unsigned
 * decimal.  Returns 1 with *@value set, 0 if there is no such node (or
 * it is empty), -1 with VIR_ERR_XML_ERROR reported if not a number.
 */
int virXPathULongLong(const char *xpath, xmlXPathContext *ctxt,
                      unsigned long long *value);

typedef enum {
    VIR_XML_PROP_NONE = 0,
    VIR_XML_PROP_REQUIRED = 1 << 0, /* a missing attribute is an error */
    VIR_XML_PROP_NONZERO = 1 << 1,  /* value 0 is an error */
} virXMLPropFlags;

/**
 * virXMLPropEnum:
 * @strToInt: an enum's TypeFromString function
 *
 * Reads attribute @name of @node into *@result.  Returns 1 if present
 * and valid, 0 if absent (and not required; *@result untouched), -1
 * with VIR_ERR_XML_ERROR reported ("Invalid value for attribute ...").
 * With VIR_XML_PROP_NONZERO, the enum value 0 is refused too.
 */
int virXMLPropEnum(xmlNodePtr node, const char *name,
                   int (*strToInt)(const char *),
                   virXMLPropFlags flags, int *result);

/* As virXMLPropUInt for the full unsigned long long range. */
int virXMLPropULongLong(xmlNodePtr node, const char *name, int base,
                        virXMLPropFlags flags, unsigned long long *result);

/* Like virXMLPropEnum for an unsigned integer in @base (0: auto). */
int virXMLPropUInt(xmlNodePtr node, const char *name, int base,
                   virXMLPropFlags flags, unsigned int *result);

/* Like virXMLPropEnum for a signed integer in @base (0: auto). */
int virXMLPropInt(xmlNodePtr node, const char *name, int base,
                  virXMLPropFlags flags, int *result);

/*
 * virXMLBuf: output buffer for libvirt-style XML.
 *
 * libxml2's xmlTextWriter cannot be used for this: with a single-quote
 * quoting character it leaves "'" unescaped inside attribute values.
 * Escaping itself is done by libxml2 (xmlEncodeSpecialChars); only the
 * apostrophe is added on top.
 */
typedef struct _virXMLBuf virXMLBuf;
struct _virXMLBuf {
    GString *str;
    int indent;   /* current indentation in spaces */
};

/* Initialises @buf (empty, no indentation). */
void virXMLBufInit(virXMLBuf *buf);
/* Frees the content of @buf (safe on an initialised or cleared buffer). */
void virXMLBufClear(virXMLBuf *buf);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virXMLBuf, virXMLBufClear);

/* Returns the content (caller frees) and empties @buf. */
char *virXMLBufContentAndReset(virXMLBuf *buf);

/* Changes the indentation of following lines by @delta spaces. */
void virXMLBufAdjustIndent(virXMLBuf *buf, int delta);

/* Appends @str verbatim, indenting it if it starts a line. */
void virXMLBufAdd(virXMLBuf *buf, const char *str);

/* printf-style append; arguments are NOT escaped. */
void virXMLBufAsprintf(virXMLBuf *buf, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/**
 * virXMLBufEscapeString:
 * Appends @fmt with its single "%s" replaced by @str escaped for XML
 * (&lt; &gt; &amp; &quot; &apos;).  Does nothing if @str is NULL, so
 * optional attributes read naturally:
 *   virXMLBufEscapeString(buf, " title='%s'", def->title);
 */
void virXMLBufEscapeString(virXMLBuf *buf, const char *fmt, const char *str);

/* Escapes @str for XML text or a single-quoted attribute (caller frees). */
char *virXMLEscapeString(const char *str);
