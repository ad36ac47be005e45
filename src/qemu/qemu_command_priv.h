/*
 * qemu_command_priv.h: shared state of the command-line builder
 *
 * Internal to qemu_command.c and qemu_command_storage.c.
 */
#pragma once

#include "qemu_command.h"

typedef struct _qemuCommandBuilder qemuCommandBuilder;
struct _qemuCommandBuilder {
    GPtrArray *argv;                    /* of owned strings */
    const virDomainDef *def;
    const qemuCommandParams *params;
    bool q35;                           /* PCIe machine: pcie.0, AHCI built in */
    unsigned int *diskBoot;             /* bootindex per disk, 0 = none */
    unsigned int *netBoot;              /* bootindex per interface */
};

/* Appends "OPT" and the option string @value (taking it over). */
void qemuBuildAddOpt(qemuCommandBuilder *b, const char *opt, GString *value);

/* Appends ",KEY=VALUE" (no comma if @opt is empty) with VALUE escaped;
 * nothing if @value is NULL. */
void qemuOptAddStr(GString *opt, const char *key, const char *value);

/* Appends ",KEY=N". */
void qemuOptAddUInt(GString *opt, const char *key, unsigned int value);

/* Appends ",KEY=on" or ",KEY=off". */
void qemuOptAddSwitch(GString *opt, const char *key, bool on);

/* Appends ",bus=pci.0[,multifunction=on],addr=0xS[.0xF]" for a PCI
 * address (pcie.0 on q35, "pci.N" behind the PCI controller of index N)
 * and nothing without one.  Returns -1 with an error reported for an
 * address QEMU cannot honour (another PCI domain, a bus no controller
 * provides, a drive address) on the device named @what. */
int qemuBuildPCIAddressOpts(GString *opt, const qemuCommandBuilder *b,
                            const virDomainDeviceInfo *info, const char *what);

/* The PCI controller (root port, bridge) providing bus @idx > 0. */
const virDomainControllerDef *qemuBuildFindPCIController(const virDomainDef *def,
                                                         unsigned int idx);

/* -chardev/-device for channels, -device for USB inputs, -audiodev,
 * sound cards and RNGs (qemu_command_aux.c). */
int qemuBuildChannels(qemuCommandBuilder *b);
int qemuBuildInputs(qemuCommandBuilder *b);
void qemuBuildAudios(qemuCommandBuilder *b);
int qemuBuildSounds(qemuCommandBuilder *b);
int qemuBuildRNGs(qemuCommandBuilder *b);

/* The -audiodev id of <audio id=N> ("audioN"); caller frees. */
char *qemuAudioAlias(unsigned int id);

/* The socket of a channel: its path, or @params->channelDir/NAME. */
char *qemuChannelPath(const qemuCommandBuilder *b, const virDomainChrDef *chr);

/* The qdev id of a disk (libvirt's alias scheme); caller frees. */
char *qemuDiskAlias(const virDomainDef *def, const virDomainDiskDef *disk);

/* The qdev id of a controller ("usb", "scsi0", "sata1"...); caller frees. */
char *qemuControllerAlias(const virDomainControllerDef *ctrl);

/* -device for each controller QEMU does not provide by itself. */
int qemuBuildControllers(qemuCommandBuilder *b);

/* -blockdev storage and format nodes and -device for every disk. */
int qemuBuildDisks(qemuCommandBuilder *b);
