/*
 * domain_conf_priv.h: helpers shared by the src/conf/domain_*.c files
 *
 * Not for use outside src/conf: the public API is domain_conf.h.
 */
#pragma once

#include "domain_conf.h"

/* A controller's idx when its XML has no index=: postparse assigns one
 * (virDomainDefAssignControllerIndexes), as libvirt does. */
#define VIR_DOMAIN_CONTROLLER_INDEX_AUTO G_MAXUINT

/* ---- domain_whitelist.c ---- */

/**
 * virDomainXMLCheckSupported:
 * @root: the <domain> element
 *
 * Walks the document against the whitelist table: every element must
 * be modelled or pass-through, and every attribute of a modelled
 * element known.  Returns 0, or -1 with VIR_ERR_CONFIG_UNSUPPORTED
 * naming the first offending element or attribute.
 */
int virDomainXMLCheckSupported(xmlNodePtr root);

/**
 * virDomainXMLNodeNew:
 * Copies @node (a pass-through element) into a private document,
 * dropping comments and blank text.  With VIR_DOMAIN_DEF_PARSE_INACTIVE
 * the live-only children are dropped too.  Returns the copy.
 */
virDomainXMLNode *virDomainXMLNodeNew(xmlNodePtr node, unsigned int flags);

/* Drops the live-only children of the pass-through element @node. */
void virDomainXMLNodeClearLiveData(virDomainXMLNode *node);

/**
 * virDomainXMLNodeFormat:
 * Appends the pass-through element @node to @buf at its current
 * indentation (libvirt quoting; <metadata> via libxml2 like libvirt).
 * @flags: virDomainDefFormatFlags (INACTIVE drops live-only children).
 */
void virDomainXMLNodeFormat(virXMLBuf *buf, const virDomainXMLNode *node,
                            unsigned int flags);

/* ---- domain_conf.c ---- */

/**
 * virDomainParseEnumAttr:
 * Reads attribute @name of @node with @fromString.  A value found in the
 * NULL-terminated list @unsupported (values libvirt knows but virtmig
 * does not implement) returns -2 with *@str set and nothing reported, so
 * that the caller reports VIR_ERR_CONFIG_UNSUPPORTED in its own words.
 * Otherwise as virXMLPropEnum: 1 set, 0 absent, -1 reported.
 */
int virDomainParseEnumAttr(xmlNodePtr node, const char *name,
                           int (*fromString)(const char *),
                           const char *const *unsupported,
                           int *result, char **str);

/* Reports @code with libvirt's detail-less message for it (e.g.
 * VIR_ERR_NO_NAME: "missing name information"). */
void virDomainReportErrorNoDetail(int code, int errdomain);

/* Appends @ptr to the array *@list of *@n pointers. */
#define VIR_APPEND_ELEMENT(list, n, ptr) \
    do { \
        (list) = g_renew(__typeof__(*(list)), (list), (n) + 1); \
        (list)[(n)++] = (ptr); \
    } while (0)

/* ---- domain_device_conf.c ---- */

/**
 * virDomainDefParseDevices:
 * Parses the children of <devices> into @def (document order kept per
 * device kind).  Returns 0 or -1 with an error reported.
 */
int virDomainDefParseDevices(virDomainDef *def, xmlXPathContext *ctxt,
                             unsigned int flags);

/* Parses <address>, <alias> (live parse only) and, if @allowBoot,
 * <boot order=> children of the device element @node. */
int virDomainDeviceInfoParseXML(xmlNodePtr node, unsigned int flags,
                                bool allowBoot, virDomainDeviceInfo *info);

/* Frees what @info owns (not @info itself). */
void virDomainDeviceInfoClear(virDomainDeviceInfo *info);

/* Allocates a controller with the "not given" markers set. */
virDomainControllerDef *virDomainControllerDefNew(int type, unsigned int idx,
                                                  int model);

/* ---- domain_device_aux.c: <channel> <input> <sound> <audio> <rng> ---- */

virDomainChrDef *virDomainChannelDefParseXML(xmlNodePtr node, unsigned int flags);
virDomainInputDef *virDomainInputDefParseXML(xmlNodePtr node, unsigned int flags);
virDomainSoundDef *virDomainSoundDefParseXML(xmlNodePtr node, unsigned int flags);
virDomainAudioDef *virDomainAudioDefParseXML(xmlNodePtr node);
virDomainRNGDef *virDomainRNGDefParseXML(xmlNodePtr node, unsigned int flags);
void virDomainChannelDefFormat(virXMLBuf *buf, const virDomainChrDef *chr,
                               unsigned int flags);
void virDomainInputDefFormat(virXMLBuf *buf, const virDomainInputDef *input,
                             unsigned int flags);
void virDomainSoundDefFormat(virXMLBuf *buf, const virDomainSoundDef *sound,
                             unsigned int flags);
void virDomainAudioDefFormat(virXMLBuf *buf, const virDomainAudioDef *audio);
void virDomainRNGDefFormat(virXMLBuf *buf, const virDomainRNGDef *rng,
                           unsigned int flags);

/* ---- domain_platform_conf.c: <clock> timers and <pm> ---- */

/* Parses the <timer> children of <clock> (@clock may be NULL) and <pm>. */
int virDomainDefParseTimers(virDomainDef *def, xmlNodePtr clock);
int virDomainDefParsePM(virDomainDef *def, xmlXPathContext *ctxt);

/* <clock offset=...> with its timers, and <pm>. */
void virDomainDefFormatClock(virXMLBuf *buf, const virDomainDef *def);
void virDomainDefFormatPM(virXMLBuf *buf, const virDomainDef *def);

/* ---- domain_format.c ---- */

/* Opens or self-closes an element whose attributes are in @attrs,
 * depending on whether @children has content; appends the children. */
void virDomainFormatElement(virXMLBuf *buf, const char *name,
                            virXMLBuf *attrs, virXMLBuf *children);

/* <boot>, <alias> (live formats) and <address> of a device. */
void virDomainDeviceInfoFormat(virXMLBuf *buf, const virDomainDeviceInfo *info,
                               unsigned int flags);

/* ---- domain_addr.c ---- */

/**
 * virDomainDefAssignAddresses:
 * Gives every device without an address the one libvirt 9.0 would:
 * PCI slots (adding q35's pcie-root-ports and pcie-to-pci-bridge as
 * needed), virtio-serial ports for channels, USB ports for inputs.
 * Returns 0 or -1 with an error reported (no slot left).
 */
int virDomainDefAssignAddresses(virDomainDef *def);

/* ---- domain_postparse.c ---- */

/**
 * virDomainDefPostParse:
 * Fills defaults after parsing: UUID and MAC generation, memory and
 * vCPU defaults, boot device, arch, disk buses and drive addresses,
 * implicit disk controllers, serial/console pairing, default video.
 * Returns 0 or -1 with an error reported.
 */
int virDomainDefPostParse(virDomainDef *def, unsigned int flags);

/**
 * virDomainDiskDefAssignAddress:
 * Gives @disk (IDE, SATA or SCSI, without an address) the drive
 * address libvirt derives from its target name.  Returns 0, or -1 with
 * VIR_ERR_XML_ERROR if the name has no index.
 */
int virDomainDiskDefAssignAddress(virDomainDiskDef *disk);
