/*
 * rpcfakedomcaps.c: the fake driver's domain capabilities and CPU
 * models (a fixed answer: the RPC tests check the wire, not QEMU)
 */
#include "qemu_driver.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

char *
qemuConnectGetDomainCapabilities(qemuDriver *driver, const char *emulatorbin,
                                 const char *arch, const char *machine,
                                 const char *virttype, unsigned int flags)
{
    if (!virCheckFlagsAs(VIR_FROM_QEMU, flags, 0, "qemuConnectGetDomainCapabilities"))
        return NULL;
    if (machine && !g_str_equal(machine, "pc")) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("the machine '%1$s' is not supported by emulator '%2$s'"),
                       machine, "/usr/bin/qemu-system-x86_64");
        return NULL;
    }
    return g_strdup_printf("<domainCapabilities>\n"
                           "  <path>%s</path>\n"
                           "  <domain>%s</domain>\n"
                           "  <machine>pc-i440fx-7.2</machine>\n"
                           "  <arch>%s</arch>\n"
                           "</domainCapabilities>\n",
                           emulatorbin ? emulatorbin : "/usr/bin/qemu-system-x86_64",
                           virttype ? virttype : "kvm", arch ? arch : "x86_64");
}

int
qemuConnectGetCPUModelNames(qemuDriver *driver, const char *arch,
                            char ***models, unsigned int flags)
{
    static const char *const names[] = { "qemu64", "Haswell", "EPYC", NULL };

    if (!virCheckFlagsAs(VIR_FROM_QEMU, flags, 0, "qemuConnectGetCPUModelNames"))
        return -1;
    if (!g_str_equal(arch, "x86_64")) {
        virReportError(VIR_ERR_INVALID_ARG, _("cannot find architecture %1$s"), arch);
        return -1;
    }
    if (models)
        *models = g_strdupv((char **)names);
    return g_strv_length((char **)names);
}
