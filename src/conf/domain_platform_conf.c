/*
 * domain_platform_conf.c: the PC platform's timers (<clock><timer>) and
 * power management (<pm>)
 *
 * virt-install and virt-manager give every x86 guest an RTC that
 * catches up, a PIT that delays, no HPET and no S3/S4; these decide
 * devices and ACPI tables that reach the migration stream, so they are
 * modelled, not ignored.  Timers virtmig does not build (kvmclock, tsc,
 * hypervclock, platform...) and tick policies QEMU lacks for a timer
 * are refused with VIR_ERR_CONFIG_UNSUPPORTED naming them.
 */
#include "domain_conf_priv.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

VIR_ENUM_IMPL(virDomainTimerName, VIR_DOMAIN_TIMER_NAME_LAST,
              "rtc", "pit", "hpet");
VIR_ENUM_IMPL(virDomainTimerTickpolicy, VIR_DOMAIN_TIMER_TICKPOLICY_LAST,
              "none", "delay", "catchup", "merge", "discard");

/* The tick policies QEMU offers per timer (libvirt's
 * qemuDomainDefValidateClockTimers); none: the policy may not be set. */
static bool
virDomainTimerTickpolicyValid(int name, int policy)
{
    if (policy == VIR_DOMAIN_TIMER_TICKPOLICY_NONE)
        return true;
    switch ((virDomainTimerName)name) {
    case VIR_DOMAIN_TIMER_NAME_RTC:
        return policy == VIR_DOMAIN_TIMER_TICKPOLICY_DELAY ||
               policy == VIR_DOMAIN_TIMER_TICKPOLICY_CATCHUP;
    case VIR_DOMAIN_TIMER_NAME_PIT:
        return policy == VIR_DOMAIN_TIMER_TICKPOLICY_DELAY ||
               policy == VIR_DOMAIN_TIMER_TICKPOLICY_DISCARD;
    case VIR_DOMAIN_TIMER_NAME_HPET:
    case VIR_DOMAIN_TIMER_NAME_LAST:
        break;
    }
    return false;
}

static virDomainTimerDef *
virDomainTimerDefParseXML(xmlNodePtr node)
{
    g_autofree virDomainTimerDef *timer = g_new0(virDomainTimerDef, 1);
    g_autofree char *name = virXMLPropString(node, "name");
    g_autofree char *policy = virXMLPropString(node, "tickpolicy");

    if (!name) {
        virReportError(VIR_ERR_XML_ERROR, "%s", _("missing timer name"));
        return NULL;
    }
    if ((timer->name = virDomainTimerNameTypeFromString(name)) < 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported element <timer name='%1$s'>"), name);
        return NULL;
    }
    if (virXMLPropEnum(node, "present", virTristateBoolTypeFromString,
                       VIR_XML_PROP_NONZERO, &timer->present) < 0)
        return NULL;
    if (policy &&
        ((timer->tickpolicy = virDomainTimerTickpolicyTypeFromString(policy)) <= 0 ||
         !virDomainTimerTickpolicyValid(timer->name, timer->tickpolicy))) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported element <timer name='%1$s' tickpolicy='%2$s'>"),
                       name, policy);
        return NULL;
    }
    /* QEMU cannot take the PC's RTC or PIT away */
    if (timer->present == VIR_TRISTATE_BOOL_NO &&
        timer->name != VIR_DOMAIN_TIMER_NAME_HPET) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported element <timer name='%1$s' present='no'>"),
                       name);
        return NULL;
    }
    return g_steal_pointer(&timer);
}

int
virDomainDefParseTimers(virDomainDef *def, xmlNodePtr clock)
{
    xmlNodePtr cur;
    size_t i;

    for (cur = clock ? clock->children : NULL; cur; cur = cur->next) {
        virDomainTimerDef *timer;

        if (cur->type != XML_ELEMENT_NODE ||
            !xmlStrEqual(cur->name, BAD_CAST "timer"))
            continue;
        if (!(timer = virDomainTimerDefParseXML(cur)))
            return -1;
        for (i = 0; i < def->ntimers; i++) {
            if (def->timers[i]->name == timer->name) {
                virReportError(VIR_ERR_XML_ERROR,
                               _("duplicate timer '%1$s'"),
                               virDomainTimerNameTypeToString(timer->name));
                g_free(timer);
                return -1;
            }
        }
        VIR_APPEND_ELEMENT(def->timers, def->ntimers, timer);
    }
    return 0;
}

int
virDomainDefParsePM(virDomainDef *def, xmlXPathContext *ctxt)
{
    xmlNodePtr mem = virXPathNode("./pm[1]/suspend-to-mem[1]", ctxt);
    xmlNodePtr disk = virXPathNode("./pm[1]/suspend-to-disk[1]", ctxt);

    if ((mem && virXMLPropEnum(mem, "enabled", virTristateBoolTypeFromString,
                               VIR_XML_PROP_REQUIRED | VIR_XML_PROP_NONZERO,
                               &def->pm.s3) < 0) ||
        (disk && virXMLPropEnum(disk, "enabled", virTristateBoolTypeFromString,
                                VIR_XML_PROP_REQUIRED | VIR_XML_PROP_NONZERO,
                                &def->pm.s4) < 0))
        return -1;
    return 0;
}

void
virDomainDefFormatClock(virXMLBuf *buf, const virDomainDef *def)
{
    size_t i;

    virXMLBufAsprintf(buf, "<clock offset='%s'",
                      virDomainClockOffsetTypeToString(def->clockOffset));
    if (def->ntimers == 0) {
        virXMLBufAdd(buf, "/>\n");
        return;
    }
    virXMLBufAdd(buf, ">\n");
    virXMLBufAdjustIndent(buf, 2);
    for (i = 0; i < def->ntimers; i++) {
        const virDomainTimerDef *timer = def->timers[i];

        virXMLBufAsprintf(buf, "<timer name='%s'",
                          virDomainTimerNameTypeToString(timer->name));
        if (timer->present)
            virXMLBufAsprintf(buf, " present='%s'",
                              virTristateBoolTypeToString(timer->present));
        if (timer->tickpolicy)
            virXMLBufAsprintf(buf, " tickpolicy='%s'",
                              virDomainTimerTickpolicyTypeToString(timer->tickpolicy));
        virXMLBufAdd(buf, "/>\n");
    }
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</clock>\n");
}

void
virDomainDefFormatPM(virXMLBuf *buf, const virDomainDef *def)
{
    if (!def->pm.s3 && !def->pm.s4)
        return;
    virXMLBufAdd(buf, "<pm>\n");
    virXMLBufAdjustIndent(buf, 2);
    if (def->pm.s3)
        virXMLBufAsprintf(buf, "<suspend-to-mem enabled='%s'/>\n",
                          virTristateBoolTypeToString(def->pm.s3));
    if (def->pm.s4)
        virXMLBufAsprintf(buf, "<suspend-to-disk enabled='%s'/>\n",
                          virTristateBoolTypeToString(def->pm.s4));
    virXMLBufAdjustIndent(buf, -2);
    virXMLBufAdd(buf, "</pm>\n");
}
