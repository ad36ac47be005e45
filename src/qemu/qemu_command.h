/*
 * qemu_command.h: domain definition -> QEMU command line
 *
 * Builds the argv of qemu-system-x86_64 (QEMU 7.2) for a domain.  The
 * builder is pure: it reads the definition and the parameters the
 * caller probed (KVM availability, paths) and does no I/O, so the same
 * definition gives the same argv on every host (which live migration
 * relies on: device ids, bus addresses and node names must match).
 *
 * Every value that comes from the definition and lands inside a QEMU
 * option string is escaped (',' doubled), so a name or path can never
 * add options.  Values QEMU cannot escape (CPU model and feature names,
 * machine type, VNC listen address) are checked instead.
 *
 * What the caller must do around the argv:
 *  - start QEMU with it (-S: the guest is paused until "cont");
 *  - VNC: with autoport and no port chosen yet (-1), QEMU picks a free
 *    display in 5900-5999 (":0,to=99"): read it back with query-vnc;
 *    with a passwd, set it with the set_password QMP command (the argv
 *    only says password=on);
 *  - currentMemory < memory: set the balloon target after start;
 *  - file chardevs are opened with append=on: truncate the file first
 *    unless <source append='on'/> (libvirt truncates too);
 *  - on_poweroff='restart': QEMU runs with -no-shutdown; on the
 *    SHUTDOWN event reset the guest (system_reset + cont).
 */
#pragma once

#include "internal.h"
#include "domain_conf.h"

#define QEMU_COMMAND_DEFAULT_EMULATOR "qemu-system-x86_64"
#define QEMU_COMMAND_DEFAULT_VNC_LISTEN "127.0.0.1"

typedef struct _qemuCommandParams qemuCommandParams;
struct _qemuCommandParams {
    const char *monitorPath;    /* QMP socket QEMU listens on (required) */
    bool kvmUsable;             /* /dev/kvm usable, probed by the caller */
    bool incoming;              /* incoming migration: -incoming defer */
    const char *emulator;       /* binary override; NULL: <emulator> of
                                 * the definition, else the default */
    const char *vncListen;      /* VNC address when <graphics> has none;
                                 * NULL: 127.0.0.1 */
    const char *channelDir;     /* sockets of channels without a path */
};

/**
 * qemuBuildCommandLine:
 * @def: the domain definition (validated)
 * @params: host facts and paths
 *
 * Returns the NULL-terminated argv (argv[0] is the emulator; caller
 * frees with g_strfreev), or NULL with an error reported, e.g.
 * VIR_ERR_CONFIG_UNSUPPORTED "domain type 'kvm' ... KVM is not
 * available" when @def asks for KVM and @params->kvmUsable is false.
 */
GStrv qemuBuildCommandLine(const virDomainDef *def,
                           const qemuCommandParams *params);

/**
 * qemuAssignDeviceAliases:
 * Fills the live-only <alias> of every device of @def with the id the
 * command line gives it (libvirt's names: "ide0-0-0", "virtio-disk0",
 * "net0", "serial0", "video0", "balloon0", "usb", ...) and each disk's
 * <source index=> with its block node number ("libvirt-N-format").
 * Call on the live definition when starting the domain.
 */
void qemuAssignDeviceAliases(virDomainDef *def);

/**
 * qemuBuildEscapeOptValue:
 * Returns @value with every ',' doubled, for use inside a QEMU option
 * string (caller frees).
 */
char *qemuBuildEscapeOptValue(const char *value);
