/*
 * domain_capabilities.h: libvirt's domain capabilities document
 *
 * What a guest of one emulator / machine type / virt type may use, as
 * virConnectGetDomainCapabilities answers it.  The host-dependent part
 * (machine, vCPU limit, CPU models and their usability) comes from the
 * driver's probe of QEMU; the device models and enum values are the
 * ones virtmig's domain XML accepts (the enums of domain_conf.h), so
 * that clients such as virt-manager only propose what virtmig runs.
 * No I/O here.
 */
#pragma once

#include "internal.h"
#include "domain_conf.h"

typedef struct _virDomainCapsCPUModel virDomainCapsCPUModel;
struct _virDomainCapsCPUModel {
    char *name;
    bool usable;          /* QEMU can run it on this host as it is */
};

typedef struct _virDomainCaps virDomainCaps;
struct _virDomainCaps {
    char *path;                    /* the emulator */
    virDomainVirtType virtType;
    char *machine;                 /* canonical machine type */
    char *arch;
    unsigned int maxvcpus;
    bool hostPassthrough;          /* <cpu mode='host-passthrough'> runs */
    char *hostModel;               /* the named model closest to what
                                    * host-model gives, NULL: host-model
                                    * unsupported */
    virDomainCapsCPUModel *models; /* <cpu mode='custom'> models */
    size_t nmodels;
};

void virDomainCapsFree(virDomainCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainCaps, virDomainCapsFree);

/* The <domainCapabilities> document (caller frees). */
char *virDomainCapsFormat(const virDomainCaps *caps);

/* Is @name one of libvirt 9.0's architecture names (virArch, "none"
 * excluded)? */
bool virDomainCapsArchIsKnown(const char *name);

/* Does libvirt 9.0 have a CPU driver for @arch (x86, ppc64, s390, arm)?
 * For the others it answers CPU model queries with VIR_ERR_NO_SUPPORT. */
bool virDomainCapsArchHasCPUDriver(const char *arch);

/* Is @arch one of the x86 architectures (x86_64, i686)? */
bool virDomainCapsArchIsX86(const char *arch);

/* Is @name one of libvirt 9.0's virt types (virDomainVirtType, e.g.
 * "xen", "lxc", "kvm")? */
bool virDomainCapsVirtTypeIsKnown(const char *name);
