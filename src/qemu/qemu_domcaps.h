/*
 * qemu_domcaps.h: what QEMU offers a guest under one accelerator, and
 * the domain capabilities / CPU model names built from it
 *
 * Probed over QMP (query-machines, query-cpu-definitions, and
 * query-cpu-model-expansion of the usable models) by running the
 * emulator with "-machine none,accel=kvm|tcg"; qemu_capabilities.c
 * caches one probe per accelerator for the driver's lifetime.
 */
#pragma once

#include "internal.h"
#include "domain_capabilities.h"

typedef struct _qemuCapsMachineInfo qemuCapsMachineInfo;
struct _qemuCapsMachineInfo {
    char *name;              /* canonical, e.g. "pc-i440fx-7.2" */
    char *alias;             /* e.g. "pc", or NULL */
    unsigned int maxCpus;    /* QEMU's cpu-max */
    bool isDefault;
};

typedef struct _qemuCapsCPUModelInfo qemuCapsCPUModelInfo;
struct _qemuCapsCPUModelInfo {
    char *name;
    bool usable;             /* no unavailable-features */
    unsigned int nfeatures;  /* features its full expansion enables
                              * (usable models only) */
};

typedef struct _qemuCapsAccel qemuCapsAccel;
struct _qemuCapsAccel {
    GArray *machines;        /* of qemuCapsMachineInfo, "none" left out */
    GArray *cpuModels;       /* of qemuCapsCPUModelInfo: the named models
                              * a <cpu mode='custom'> may use */
};

void qemuCapsAccelFree(qemuCapsAccel *accel);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuCapsAccel, qemuCapsAccelFree);

/* Runs @emulator with accelerator "kvm" or "tcg" and collects its
 * answers; NULL with an error reported if it cannot be run. */
qemuCapsAccel *qemuCapsAccelProbe(const char *emulator, bool kvm);

/* Parses QMP replies (one JSON object per line, as QEMU writes them on
 * "-qmp stdio"), recognised by the ids the probe gives its commands,
 * into @accel.  Lines of other ids or none are ignored. */
void qemuCapsAccelParse(qemuCapsAccel *accel, const char *output);
qemuCapsAccel *qemuCapsAccelNew(void);

/* The named model closest to the host CPU as this accelerator exposes
 * it (the usable model enabling most features), or NULL. */
const char *qemuCapsAccelHostModel(const qemuCapsAccel *accel);

/**
 * qemuDomCapsBuild:
 * The domain capabilities of @machine (NULL: QEMU's default machine;
 * an alias is resolved) of @emulator under @virtType.  NULL with
 * VIR_ERR_INVALID_ARG if the machine is unknown.
 */
virDomainCaps *qemuDomCapsBuild(const qemuCapsAccel *accel,
                                const char *emulator, const char *arch,
                                const char *machine,
                                virDomainVirtType virtType);
