/*
 * qemu_capabilities.h: what the host's QEMU binary offers
 *
 * Probed lazily (the first capabilities query pays for it, never a
 * domain start or a migration), then cached for the driver's lifetime.
 */
#pragma once

#include "internal.h"

typedef struct _qemuCaps qemuCaps;
typedef struct _qemuCapsAccel qemuCapsAccel;

#define QEMU_DEFAULT_EMULATOR "/usr/bin/qemu-system-x86_64"

/* @emulator: QEMU binary, NULL for QEMU_DEFAULT_EMULATOR. */
qemuCaps *qemuCapsNew(const char *emulator);
void qemuCapsFree(qemuCaps *caps);

const char *qemuCapsGetEmulator(qemuCaps *caps);

/* QEMU's version as libvirt encodes it (major * 1000000 + minor * 1000
 * + micro), or 0 with an error reported if it cannot be run. */
unsigned long qemuCapsGetVersion(qemuCaps *caps);

/* True if /dev/kvm can be opened for reading and writing. */
bool qemuCapsKVMUsable(void);

/**
 * qemuCapsGetCanonicalMachine:
 * The versioned machine type behind the alias @name ("pc" ->
 * "pc-i440fx-7.2"), or QEMU's default machine when @name is NULL.
 * Probes the binary on first use.  Returns a new string, or NULL when
 * @name is no alias or the binary cannot be probed (error reported).
 */
char *qemuCapsGetCanonicalMachine(qemuCaps *caps, const char *name);

/* libvirt-style host capabilities XML (caller frees). */
char *qemuCapsFormatXML(qemuCaps *caps, const unsigned char *hostUUID);

/* What QEMU offers under KVM (@kvm) or TCG (qemu_domcaps.h), probed on
 * first use; valid as long as @caps.  NULL with an error reported if
 * the probe failed (it is tried again next time). */
const qemuCapsAccel *qemuCapsGetAccel(qemuCaps *caps, bool kvm);
