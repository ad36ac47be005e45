/*
 * domain_conf.h: the domain definition (libvirt domain XML subset)
 *
 * virDomainDef is what virtmig understands of a libvirt domain XML
 * document.  Parsing (domain_conf.c, domain_device_conf.c), defaults
 * (domain_postparse.c), validation (domain_validate.c) and formatting
 * (domain_format.c) all work on strings: nothing here touches files,
 * hosts or processes.
 *
 * What is accepted is decided by one table in domain_whitelist.c:
 * every element is either modelled below, kept verbatim as a
 * "pass-through" node (harmless for the guest, e.g. <seclabel>), or
 * rejected with VIR_ERR_CONFIG_UNSUPPORTED naming it.
 */
#pragma once

#include "internal.h"
#include "virxml.h"

/* ---- generic tristates (libvirt's virTristateBool/Switch) ---- */

typedef enum {
    VIR_TRISTATE_BOOL_ABSENT = 0,
    VIR_TRISTATE_BOOL_YES,
    VIR_TRISTATE_BOOL_NO,

    VIR_TRISTATE_BOOL_LAST
} virTristateBool;
VIR_ENUM_DECL(virTristateBool);

typedef enum {
    VIR_TRISTATE_SWITCH_ABSENT = 0,
    VIR_TRISTATE_SWITCH_ON,
    VIR_TRISTATE_SWITCH_OFF,

    VIR_TRISTATE_SWITCH_LAST
} virTristateSwitch;
VIR_ENUM_DECL(virTristateSwitch);

/* ---- domain-wide enums ---- */

typedef enum {
    VIR_DOMAIN_VIRT_QEMU = 0,   /* TCG */
    VIR_DOMAIN_VIRT_KVM,

    VIR_DOMAIN_VIRT_LAST
} virDomainVirtType;
VIR_ENUM_DECL(virDomainVirt);

/* Only the actions virtmig can carry out; libvirt's rename-restart and
 * coredump-* are refused with VIR_ERR_CONFIG_UNSUPPORTED. */
typedef enum {
    VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY = 0,
    VIR_DOMAIN_LIFECYCLE_ACTION_RESTART,
    VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE,

    VIR_DOMAIN_LIFECYCLE_ACTION_LAST
} virDomainLifecycleAction;
VIR_ENUM_DECL(virDomainLifecycleAction);

typedef enum {
    VIR_DOMAIN_BOOT_FLOPPY = 0,
    VIR_DOMAIN_BOOT_CDROM,
    VIR_DOMAIN_BOOT_DISK,
    VIR_DOMAIN_BOOT_NET,

    VIR_DOMAIN_BOOT_LAST
} virDomainBootOrder;
VIR_ENUM_DECL(virDomainBoot);

/* <features>: each is a virTristateSwitch in def->features[] (ON when
 * the element is present; vmport carries an explicit state). */
typedef enum {
    VIR_DOMAIN_FEATURE_ACPI = 0,
    VIR_DOMAIN_FEATURE_APIC,
    VIR_DOMAIN_FEATURE_PAE,
    VIR_DOMAIN_FEATURE_VMPORT,

    VIR_DOMAIN_FEATURE_LAST
} virDomainFeature;
VIR_ENUM_DECL(virDomainFeature);

typedef enum {
    VIR_DOMAIN_CLOCK_OFFSET_UTC = 0,
    VIR_DOMAIN_CLOCK_OFFSET_LOCALTIME,

    VIR_DOMAIN_CLOCK_OFFSET_LAST
} virDomainClockOffset;
VIR_ENUM_DECL(virDomainClockOffset);

/* ---- <clock><timer>, <pm> ---- */

typedef enum {
    VIR_DOMAIN_TIMER_NAME_RTC = 0,
    VIR_DOMAIN_TIMER_NAME_PIT,
    VIR_DOMAIN_TIMER_NAME_HPET,

    VIR_DOMAIN_TIMER_NAME_LAST
} virDomainTimerName;
VIR_ENUM_DECL(virDomainTimerName);

typedef enum {
    VIR_DOMAIN_TIMER_TICKPOLICY_NONE = 0,
    VIR_DOMAIN_TIMER_TICKPOLICY_DELAY,
    VIR_DOMAIN_TIMER_TICKPOLICY_CATCHUP,
    VIR_DOMAIN_TIMER_TICKPOLICY_MERGE,
    VIR_DOMAIN_TIMER_TICKPOLICY_DISCARD,

    VIR_DOMAIN_TIMER_TICKPOLICY_LAST
} virDomainTimerTickpolicy;
VIR_ENUM_DECL(virDomainTimerTickpolicy);

/* <timer name= present= tickpolicy=/> of the PC's RTC, PIT and HPET */
typedef struct _virDomainTimerDef virDomainTimerDef;
struct _virDomainTimerDef {
    int name;                   /* virDomainTimerName */
    int present;                /* virTristateBool */
    int tickpolicy;             /* virDomainTimerTickpolicy */
};

/* <pm><suspend-to-mem enabled=/><suspend-to-disk enabled=/></pm> */
typedef struct _virDomainPMDef virDomainPMDef;
struct _virDomainPMDef {
    int s3;                     /* virTristateBool */
    int s4;                     /* virTristateBool */
};

/* ---- <cpu> ---- */

typedef enum {
    VIR_CPU_MODE_CUSTOM = 0,
    VIR_CPU_MODE_HOST_MODEL,
    VIR_CPU_MODE_HOST_PASSTHROUGH,

    VIR_CPU_MODE_LAST
} virCPUMode;
VIR_ENUM_DECL(virCPUMode);

typedef enum {
    VIR_CPU_MATCH_DEFAULT = 0,  /* not given */
    VIR_CPU_MATCH_MINIMUM,
    VIR_CPU_MATCH_EXACT,
    VIR_CPU_MATCH_STRICT,

    VIR_CPU_MATCH_LAST
} virCPUMatch;
VIR_ENUM_DECL(virCPUMatch);

typedef enum {
    VIR_CPU_CHECK_DEFAULT = 0,
    VIR_CPU_CHECK_NONE,
    VIR_CPU_CHECK_PARTIAL,
    VIR_CPU_CHECK_FULL,

    VIR_CPU_CHECK_LAST
} virCPUCheck;
VIR_ENUM_DECL(virCPUCheck);

typedef enum {
    VIR_CPU_FALLBACK_ALLOW = 0,
    VIR_CPU_FALLBACK_FORBID,

    VIR_CPU_FALLBACK_LAST
} virCPUFallback;
VIR_ENUM_DECL(virCPUFallback);

typedef enum {
    VIR_CPU_FEATURE_FORCE = 0,
    VIR_CPU_FEATURE_REQUIRE,
    VIR_CPU_FEATURE_OPTIONAL,
    VIR_CPU_FEATURE_DISABLE,
    VIR_CPU_FEATURE_FORBID,

    VIR_CPU_FEATURE_LAST
} virCPUFeaturePolicy;
VIR_ENUM_DECL(virCPUFeaturePolicy);

typedef struct _virCPUFeatureDef virCPUFeatureDef;
struct _virCPUFeatureDef {
    char *name;
    int policy;                 /* virCPUFeaturePolicy */
};

typedef struct _virCPUDef virCPUDef;
struct _virCPUDef {
    int mode;                   /* virCPUMode */
    int match;                  /* virCPUMatch */
    int check;                  /* virCPUCheck */
    int migratable;             /* virTristateSwitch (host-passthrough) */
    char *model;                /* custom/host-model: <model> text */
    int fallback;               /* virCPUFallback */
    virCPUFeatureDef *features;
    size_t nfeatures;
    /* <topology>: all 0 when absent */
    unsigned int sockets;
    unsigned int dies;
    unsigned int cores;
    unsigned int threads;
};

/* ---- device addresses and common device info ---- */

typedef enum {
    VIR_DOMAIN_DEVICE_ADDRESS_TYPE_NONE = 0,
    VIR_DOMAIN_DEVICE_ADDRESS_TYPE_PCI,
    VIR_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE,
    VIR_DOMAIN_DEVICE_ADDRESS_TYPE_VIRTIO_SERIAL,
    VIR_DOMAIN_DEVICE_ADDRESS_TYPE_USB,

    VIR_DOMAIN_DEVICE_ADDRESS_TYPE_LAST
} virDomainDeviceAddressType;
VIR_ENUM_DECL(virDomainDeviceAddress);

typedef struct _virPCIDeviceAddress virPCIDeviceAddress;
struct _virPCIDeviceAddress {
    unsigned int domain;
    unsigned int bus;
    unsigned int slot;
    unsigned int function;
    int multi;                  /* virTristateSwitch: multifunction= */
};

typedef struct _virDomainDeviceDriveAddress virDomainDeviceDriveAddress;
struct _virDomainDeviceDriveAddress {
    unsigned int controller;
    unsigned int bus;
    unsigned int target;
    unsigned int unit;
};

/* <address type='virtio-serial' controller= bus= port=/> */
typedef struct _virDomainDeviceVirtioSerialAddress virDomainDeviceVirtioSerialAddress;
struct _virDomainDeviceVirtioSerialAddress {
    unsigned int controller;
    unsigned int bus;
    unsigned int port;
};

/* <address type='usb' bus= port='1[.2...]'/>: port is a hub path */
#define VIR_DOMAIN_DEVICE_USB_MAX_PORT_DEPTH 4
typedef struct _virDomainDeviceUSBAddress virDomainDeviceUSBAddress;
struct _virDomainDeviceUSBAddress {
    unsigned int bus;
    unsigned int port[VIR_DOMAIN_DEVICE_USB_MAX_PORT_DEPTH]; /* 0-ended */
};

typedef struct _virDomainDeviceInfo virDomainDeviceInfo;
struct _virDomainDeviceInfo {
    char *alias;                /* live only: <alias name='...'/> */
    int type;                   /* virDomainDeviceAddressType */
    union {
        virPCIDeviceAddress pci;
        virDomainDeviceDriveAddress drive;
        virDomainDeviceVirtioSerialAddress vioserial;
        virDomainDeviceUSBAddress usb;
    } addr;
    unsigned int bootIndex;     /* <boot order='N'/>, 0 = none */
};

/* ---- <disk> ---- */

typedef enum {
    VIR_DOMAIN_DISK_TYPE_FILE = 0,
    VIR_DOMAIN_DISK_TYPE_BLOCK,

    VIR_DOMAIN_DISK_TYPE_LAST
} virDomainDiskType;
VIR_ENUM_DECL(virDomainDisk);

typedef enum {
    VIR_DOMAIN_DISK_DEVICE_DISK = 0,
    VIR_DOMAIN_DISK_DEVICE_CDROM,

    VIR_DOMAIN_DISK_DEVICE_LAST
} virDomainDiskDevice;
VIR_ENUM_DECL(virDomainDiskDevice);

typedef enum {
    VIR_DOMAIN_DISK_BUS_IDE = 0,
    VIR_DOMAIN_DISK_BUS_SCSI,
    VIR_DOMAIN_DISK_BUS_VIRTIO,
    VIR_DOMAIN_DISK_BUS_SATA,

    VIR_DOMAIN_DISK_BUS_LAST
} virDomainDiskBus;
VIR_ENUM_DECL(virDomainDiskBus);

typedef enum {
    VIR_DOMAIN_DISK_FORMAT_NONE = 0,    /* not given: raw */
    VIR_DOMAIN_DISK_FORMAT_RAW,
    VIR_DOMAIN_DISK_FORMAT_QCOW2,

    VIR_DOMAIN_DISK_FORMAT_LAST
} virDomainDiskFormat;
VIR_ENUM_DECL(virDomainDiskFormat);

typedef enum {
    VIR_DOMAIN_DISK_CACHE_DEFAULT = 0,
    VIR_DOMAIN_DISK_CACHE_NONE,
    VIR_DOMAIN_DISK_CACHE_WRITETHRU,
    VIR_DOMAIN_DISK_CACHE_WRITEBACK,
    VIR_DOMAIN_DISK_CACHE_DIRECTSYNC,
    VIR_DOMAIN_DISK_CACHE_UNSAFE,

    VIR_DOMAIN_DISK_CACHE_LAST
} virDomainDiskCache;
VIR_ENUM_DECL(virDomainDiskCache);

typedef struct _virDomainDiskDef virDomainDiskDef;
struct _virDomainDiskDef {
    int type;                   /* virDomainDiskType */
    int device;                 /* virDomainDiskDevice */
    char *driverName;           /* <driver name=...>, "qemu" or NULL */
    int format;                 /* virDomainDiskFormat */
    int cache;                  /* virDomainDiskCache */
    char *src;                  /* file= or dev=; NULL: empty cdrom */
    unsigned int srcIndex;      /* live only: <source index='N'> */
    bool backingStore;          /* an empty <backingStore/> was given */
    char *dst;                  /* target dev, e.g. "vda" */
    int bus;                    /* virDomainDiskBus */
    bool readonly;
    bool shareable;
    virDomainDeviceInfo info;
};

/* ---- <controller> ---- */

typedef enum {
    VIR_DOMAIN_CONTROLLER_TYPE_IDE = 0,
    VIR_DOMAIN_CONTROLLER_TYPE_SCSI,
    VIR_DOMAIN_CONTROLLER_TYPE_SATA,
    VIR_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL,
    VIR_DOMAIN_CONTROLLER_TYPE_USB,
    VIR_DOMAIN_CONTROLLER_TYPE_PCI,

    VIR_DOMAIN_CONTROLLER_TYPE_LAST
} virDomainControllerType;
VIR_ENUM_DECL(virDomainController);

/* Supported models of all controller types in one table; which model
 * fits which type is checked by validation. */
typedef enum {
    VIR_DOMAIN_CONTROLLER_MODEL_DEFAULT = 0,
    VIR_DOMAIN_CONTROLLER_MODEL_PIIX3_UHCI,
    VIR_DOMAIN_CONTROLLER_MODEL_QEMU_XHCI,
    VIR_DOMAIN_CONTROLLER_MODEL_USB_NONE,
    VIR_DOMAIN_CONTROLLER_MODEL_PCI_ROOT,
    VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT,
    VIR_DOMAIN_CONTROLLER_MODEL_VIRTIO_SCSI,
    VIR_DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT,
    VIR_DOMAIN_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE,
    VIR_DOMAIN_CONTROLLER_MODEL_PCI_BRIDGE,
    VIR_DOMAIN_CONTROLLER_MODEL_ICH9_EHCI1,
    VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI1,
    VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI2,
    VIR_DOMAIN_CONTROLLER_MODEL_ICH9_UHCI3,
    VIR_DOMAIN_CONTROLLER_MODEL_LSILOGIC,

    VIR_DOMAIN_CONTROLLER_MODEL_LAST
} virDomainControllerModel;
VIR_ENUM_DECL(virDomainControllerModel);

typedef struct _virDomainControllerDef virDomainControllerDef;
struct _virDomainControllerDef {
    int type;                   /* virDomainControllerType */
    unsigned int idx;
    int model;                  /* virDomainControllerModel */
    /* PCI controllers other than the roots: <model name=> (QEMU's
     * device) and <target chassisNr= chassis= port=>, -1 = not given */
    char *modelName;
    int chassisNr;
    int chassis;
    int port;
    int startport;              /* USB companion <master startport=>, -1 */
    int ports;                  /* qemu-xhci's <controller ports=>, -1 */
    virDomainDeviceInfo info;
};

/* ---- <interface> ---- */

typedef enum {
    VIR_DOMAIN_NET_TYPE_USER = 0,
    VIR_DOMAIN_NET_TYPE_ETHERNET,

    VIR_DOMAIN_NET_TYPE_LAST
} virDomainNetType;
VIR_ENUM_DECL(virDomainNet);

typedef enum {
    VIR_DOMAIN_NET_MODEL_DEFAULT = 0,   /* not given: rtl8139 in QEMU */
    VIR_DOMAIN_NET_MODEL_VIRTIO,
    VIR_DOMAIN_NET_MODEL_E1000,
    VIR_DOMAIN_NET_MODEL_E1000E,
    VIR_DOMAIN_NET_MODEL_RTL8139,

    VIR_DOMAIN_NET_MODEL_LAST
} virDomainNetModel;
VIR_ENUM_DECL(virDomainNetModel);

#define VIR_MAC_BUFLEN 6
#define VIR_MAC_STRING_BUFLEN (VIR_MAC_BUFLEN * 3)

typedef struct _virDomainNetDef virDomainNetDef;
struct _virDomainNetDef {
    int type;                   /* virDomainNetType */
    unsigned char mac[VIR_MAC_BUFLEN];
    int model;                  /* virDomainNetModel */
    char *ifname;               /* ethernet: <target dev=...> */
    virDomainDeviceInfo info;
};

/* ---- <serial>, <console> ---- */

typedef enum {
    VIR_DOMAIN_CHR_TYPE_PTY = 0,
    VIR_DOMAIN_CHR_TYPE_FILE,
    VIR_DOMAIN_CHR_TYPE_UNIX,

    VIR_DOMAIN_CHR_TYPE_LAST
} virDomainChrType;
VIR_ENUM_DECL(virDomainChr);

typedef enum {
    VIR_DOMAIN_CHR_DEVICE_SERIAL = 0,
    VIR_DOMAIN_CHR_DEVICE_CONSOLE,
    VIR_DOMAIN_CHR_DEVICE_CHANNEL,

    VIR_DOMAIN_CHR_DEVICE_LAST
} virDomainChrDeviceType;

typedef struct _virDomainChrDef virDomainChrDef;
struct _virDomainChrDef {
    int deviceType;             /* virDomainChrDeviceType */
    int type;                   /* virDomainChrType */
    char *path;                 /* file: the file; pty: live pty path;
                                 * unix: the socket (the driver picks
                                 * one at start when not given) */
    int append;                 /* virTristateSwitch <source append=> */
    int port;                   /* <target port=...>; -1 until assigned */
    char *targetName;           /* channel: <target type='virtio' name=> */
    virDomainDeviceInfo info;
};
/* A serial's target is always type='isa-serial' with <model
 * name='isa-serial'/>; a console's is type='serial' and mirrors
 * serials[0] (as libvirt prints it). */

/* ---- <graphics>, <video>, <memballoon> ---- */

typedef enum {
    VIR_DOMAIN_GRAPHICS_TYPE_VNC = 0,

    VIR_DOMAIN_GRAPHICS_TYPE_LAST
} virDomainGraphicsType;
VIR_ENUM_DECL(virDomainGraphics);

typedef struct _virDomainGraphicsDef virDomainGraphicsDef;
struct _virDomainGraphicsDef {
    int type;                   /* virDomainGraphicsType */
    int port;                   /* -1: allocate (autoport); live: actual */
    bool autoport;
    char *listen;               /* listen address; NULL: driver default */
    char *passwd;               /* printed only with FORMAT_SECURE */
    bool passwdExpires;         /* passwdValidTo given */
    long long passwdValidTo;    /* UNIX time (UTC) the password expires */
};

typedef enum {
    VIR_DOMAIN_VIDEO_TYPE_VGA = 0,
    VIR_DOMAIN_VIDEO_TYPE_CIRRUS,
    VIR_DOMAIN_VIDEO_TYPE_VIRTIO,
    VIR_DOMAIN_VIDEO_TYPE_NONE,

    VIR_DOMAIN_VIDEO_TYPE_LAST
} virDomainVideoType;
VIR_ENUM_DECL(virDomainVideo);

typedef struct _virDomainVideoDef virDomainVideoDef;
struct _virDomainVideoDef {
    int type;                   /* virDomainVideoType */
    unsigned int vram;          /* KiB, 0 = not given */
    unsigned int heads;         /* 0 = not given */
    bool primary;
    virDomainDeviceInfo info;
};

typedef enum {
    VIR_DOMAIN_MEMBALLOON_MODEL_VIRTIO = 0,
    VIR_DOMAIN_MEMBALLOON_MODEL_NONE,

    VIR_DOMAIN_MEMBALLOON_MODEL_LAST
} virDomainMemballoonModel;
VIR_ENUM_DECL(virDomainMemballoonModel);

/* <memballoon model='virtio'> becomes virtio-balloon-pci, 'none' nothing.
 * Without the element there is no balloon either (libvirt's QEMU driver
 * would add a virtio one; virtmig does not). */
typedef struct _virDomainMemballoonDef virDomainMemballoonDef;
struct _virDomainMemballoonDef {
    int model;                  /* virDomainMemballoonModel */
    virDomainDeviceInfo info;
};

/* ---- <input>, <sound>, <audio>, <rng> ---- */

typedef enum {
    VIR_DOMAIN_INPUT_TYPE_MOUSE = 0,
    VIR_DOMAIN_INPUT_TYPE_TABLET,
    VIR_DOMAIN_INPUT_TYPE_KBD,

    VIR_DOMAIN_INPUT_TYPE_LAST
} virDomainInputType;
VIR_ENUM_DECL(virDomainInput);

typedef enum {
    VIR_DOMAIN_INPUT_BUS_PS2 = 0,
    VIR_DOMAIN_INPUT_BUS_USB,

    VIR_DOMAIN_INPUT_BUS_LAST
} virDomainInputBus;
VIR_ENUM_DECL(virDomainInputBus);

typedef struct _virDomainInputDef virDomainInputDef;
struct _virDomainInputDef {
    int type;                   /* virDomainInputType */
    int bus;                    /* virDomainInputBus */
    virDomainDeviceInfo info;   /* USB address on bus='usb' */
};

typedef enum {
    VIR_DOMAIN_SOUND_MODEL_ICH6 = 0,
    VIR_DOMAIN_SOUND_MODEL_ICH9,
    VIR_DOMAIN_SOUND_MODEL_AC97,

    VIR_DOMAIN_SOUND_MODEL_LAST
} virDomainSoundModel;
VIR_ENUM_DECL(virDomainSoundModel);

typedef struct _virDomainSoundDef virDomainSoundDef;
struct _virDomainSoundDef {
    int model;                  /* virDomainSoundModel */
    unsigned int audioId;       /* <audio id=> child; 0 = not given */
    virDomainDeviceInfo info;
};

/* <audio type='none' id=N/>: a backend that plays nothing (the only
 * one virtmig builds; it matters only to the host). */
typedef struct _virDomainAudioDef virDomainAudioDef;
struct _virDomainAudioDef {
    unsigned int id;
};

typedef struct _virDomainRNGDef virDomainRNGDef;
struct _virDomainRNGDef {
    char *source;               /* <backend model='random'>: the file */
    virDomainDeviceInfo info;
};

/* ---- pass-through elements ---- */

/* An element kept verbatim: a private document whose root is a copy of
 * the element (blank text nodes removed).  Formatting re-indents it; the
 * inactive format drops its <alias> children and dynamic seclabel
 * labels (libvirt prints those in live XML only). */
typedef struct _virDomainXMLNode virDomainXMLNode;
struct _virDomainXMLNode {
    xmlDoc *doc;
};

/* ---- <os> ---- */

typedef struct _virDomainOSDef virDomainOSDef;
struct _virDomainOSDef {
    char *type;                 /* "hvm" */
    char *arch;                 /* e.g. "x86_64"; NULL if not given */
    char *machine;              /* e.g. "pc-i440fx-7.2"; NULL: QEMU's "pc" */
    int bootDevs[VIR_DOMAIN_BOOT_LAST];
    size_t nBootDevs;
    char *kernel;
    char *initrd;
    char *cmdline;
};

/* ---- the domain ---- */

typedef struct _virDomainDef virDomainDef;
struct _virDomainDef {
    int virtType;               /* virDomainVirtType */
    int id;                     /* live only; -1 when not running */
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];
    char *title;
    char *description;

    unsigned long long memory;          /* KiB */
    unsigned long long currentMemory;   /* KiB, <= memory */
    unsigned int vcpus;                 /* maximum */
    unsigned int vcpusCurrent;          /* online at start, <= vcpus */

    virDomainOSDef os;
    int features[VIR_DOMAIN_FEATURE_LAST];  /* virTristateSwitch */
    virCPUDef *cpu;                     /* NULL: no <cpu> */
    int clockOffset;                    /* virDomainClockOffset */
    virDomainTimerDef **timers;         /* <clock><timer> */
    size_t ntimers;
    virDomainPMDef pm;
    int onPoweroff;                     /* virDomainLifecycleAction */
    int onReboot;
    int onCrash;

    char *emulator;                     /* NULL: not given */
    virDomainDiskDef **disks;
    size_t ndisks;
    virDomainControllerDef **controllers;
    size_t ncontrollers;
    virDomainNetDef **nets;
    size_t nnets;
    virDomainChrDef **serials;
    size_t nserials;
    virDomainChrDef **consoles;
    size_t nconsoles;
    virDomainGraphicsDef **graphics;
    size_t ngraphics;
    virDomainVideoDef **videos;
    size_t nvideos;
    virDomainMemballoonDef *memballoon; /* NULL: no <memballoon> */
    virDomainChrDef **channels;
    size_t nchannels;
    virDomainInputDef **inputs;
    size_t ninputs;
    virDomainSoundDef **sounds;
    size_t nsounds;
    virDomainAudioDef **audios;
    size_t naudios;
    virDomainRNGDef **rngs;
    size_t nrngs;

    /* pass-through, in their canonical places */
    virDomainXMLNode *metadata;         /* after <description> */
    virDomainXMLNode *resource;         /* after <vcpu> */
    virDomainXMLNode **seclabels;       /* after </devices> */
    size_t nseclabels;
};

/* ---- API ---- */

typedef enum {
    /* Persistent configuration: ignore live-only data (<domain id=>,
     * <alias>, pty paths, <source index=>, dynamic seclabel labels). */
    VIR_DOMAIN_DEF_PARSE_INACTIVE = 1 << 0,
    /* Parse and fill defaults but do not call virDomainDefValidate. */
    VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE = 1 << 1,
    /* A running domain's status: it says what its QEMU has, so no
     * default device is added (libvirt's VIR_DOMAIN_DEF_PARSE_STATUS). */
    VIR_DOMAIN_DEF_PARSE_STATUS = 1 << 2,
} virDomainDefParseFlags;

typedef enum {
    /* Include security-sensitive data (VNC passwd). */
    VIR_DOMAIN_DEF_FORMAT_SECURE = 1 << 0,
    /* Persistent configuration: no id, <alias>, pty paths, source
     * index, allocated VNC port or dynamic seclabel labels. */
    VIR_DOMAIN_DEF_FORMAT_INACTIVE = 1 << 1,
    /* For another host: live XML without the host-local runtime data
     * (pty paths, source index, allocated VNC port). */
    VIR_DOMAIN_DEF_FORMAT_MIGRATABLE = 1 << 2,
} virDomainDefFormatFlags;

/* libvirt's public virDomainXMLFlags values (virsh dumpxml options). */
#define VIR_DOMAIN_XML_SECURE 1
#define VIR_DOMAIN_XML_INACTIVE 2
#define VIR_DOMAIN_XML_UPDATE_CPU 4
#define VIR_DOMAIN_XML_MIGRATABLE 8

/**
 * virDomainDefFormatConvertXMLFlags:
 * Maps public VIR_DOMAIN_XML_* flags (as sent by virsh dumpxml) to
 * VIR_DOMAIN_DEF_FORMAT_* flags.  UPDATE_CPU is accepted and ignored.
 */
unsigned int virDomainDefFormatConvertXMLFlags(unsigned int xmlflags);

/**
 * virDomainDefParseString:
 * @xml: a libvirt domain XML document
 * @flags: virDomainDefParseFlags
 *
 * Parses, fills defaults (generated UUID and MACs, disk bus from the
 * target name, drive addresses, implicit disk controllers, console and
 * serial pairing, default video for graphics) and validates.  Elements
 * virtmig cannot honour are rejected with VIR_ERR_CONFIG_UNSUPPORTED.
 * Returns a new definition (caller frees) or NULL with an error reported.
 */
virDomainDef *virDomainDefParseString(const char *xml, unsigned int flags);

/**
 * virDomainDefFormat:
 * @flags: virDomainDefFormatFlags
 *
 * Returns the XML of @def in libvirt's layout (caller frees), or NULL
 * with an error reported.
 */
char *virDomainDefFormat(const virDomainDef *def, unsigned int flags);

/**
 * virDomainDefValidate:
 * Checks the cross-element rules (memory and vCPU counts, CPU topology,
 * unique disk targets, drive addresses and controller indexes, boot
 * orders, one console/graphics/video, VNC port range).  Returns 0, or
 * -1 with an error reported.
 */
int virDomainDefValidate(const virDomainDef *def);

/**
 * virDomainDefCopy:
 * @live: copy the live-only data too (id, aliases, pty paths...)
 *
 * Deep copy through format and parse (secure data included).  Returns
 * the copy (caller frees) or NULL with an error reported.
 */
virDomainDef *virDomainDefCopy(const virDomainDef *def, bool live);

/* Allocates an empty definition (id -1, lifecycle defaults). */
virDomainDef *virDomainDefNew(void);

/* Frees @def and everything it owns; NULL-safe. */
void virDomainDefFree(virDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainDef, virDomainDefFree);

/* A channel socket path the driver generated (libvirt's
 * ".../channel/target/domain-ID-NAME/..." layout): host-local, left out
 * of inactive and migratable XML. */
bool virDomainChrPathIsAuto(const virDomainChrDef *chr);

/**
 * virDomainDeviceInfoCallback:
 * Called for one device's @info; @what names the element ("disk",
 * "controller"...).  Returning -1 stops the walk.
 */
typedef int (*virDomainDeviceInfoCallback)(virDomainDeviceInfo *info,
                                           const char *what, void *opaque);

/**
 * virDomainDefForeachDeviceInfo:
 * Calls @cb for the device info of every device of @def that has one
 * (disks, controllers, NICs, serials, channels, inputs, sounds,
 * videos, balloon, RNGs), in that order.  Returns 0, or -1 as soon as
 * @cb does.
 */
int virDomainDefForeachDeviceInfo(virDomainDef *def,
                                  virDomainDeviceInfoCallback cb, void *opaque);

/* Per-device free functions (NULL-safe). */
void virDomainDiskDefFree(virDomainDiskDef *def);
void virDomainControllerDefFree(virDomainControllerDef *def);
void virDomainNetDefFree(virDomainNetDef *def);
void virDomainChrDefFree(virDomainChrDef *def);
void virDomainGraphicsDefFree(virDomainGraphicsDef *def);
void virDomainVideoDefFree(virDomainVideoDef *def);
void virDomainMemballoonDefFree(virDomainMemballoonDef *def);
void virDomainInputDefFree(virDomainInputDef *def);
void virDomainSoundDefFree(virDomainSoundDef *def);
void virDomainAudioDefFree(virDomainAudioDef *def);
void virDomainRNGDefFree(virDomainRNGDef *def);
void virCPUDefFree(virCPUDef *def);
void virDomainXMLNodeFree(virDomainXMLNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainDiskDef, virDomainDiskDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainControllerDef, virDomainControllerDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainNetDef, virDomainNetDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainChrDef, virDomainChrDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainGraphicsDef, virDomainGraphicsDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainVideoDef, virDomainVideoDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainMemballoonDef, virDomainMemballoonDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainInputDef, virDomainInputDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainSoundDef, virDomainSoundDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainAudioDef, virDomainAudioDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainRNGDef, virDomainRNGDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virCPUDef, virCPUDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainXMLNode, virDomainXMLNodeFree);

/* Looks up a disk by target name ("vda"); NULL if none. */
virDomainDiskDef *virDomainDiskByTarget(const virDomainDef *def,
                                        const char *dst);

/**
 * virDomainDiskGetIndex:
 * The index encoded in a target name: "vda" -> 0, "hdc" -> 2,
 * "sdaa" -> 26.  Returns -1 if @dst is not of the form PREFIX+letters.
 */
int virDomainDiskGetIndex(const char *dst);

/* Formats @mac as "52:54:00:xx:xx:xx" into @buf (VIR_MAC_STRING_BUFLEN). */
const char *virMacAddrFormat(const unsigned char *mac, char *buf);

/* Parses "xx:xx:xx:xx:xx:xx"; 0 or -1 (not reported). */
int virMacAddrParse(const char *str, unsigned char *mac);

/* True if the machine type names a q35 machine ("q35", "pc-q35-7.2"). */
bool virDomainDefIsQ35(const virDomainDef *def);

/* The QEMU device (<model name=>) of a PCI controller model other than
 * the roots, as libvirt 9.0 picks it for QEMU 7.2; NULL for the roots. */
const char *virDomainControllerPCIModelName(int model);

/* ich9-ehci1 or one of its UHCI companions (they share an index and a
 * PCI slot). */
bool virDomainControllerIsUSBCompanion(const virDomainControllerDef *ctrl);

/* An i440fx machine ("pc", "pc-i440fx-*", "pc-1.x"..., or none given). */
bool virDomainDefIsI440FX(const virDomainDef *def);

/* Clears the live-only data of @def (id, aliases, pty paths, source
 * indexes, allocated VNC ports), e.g. after the domain stopped. */
void virDomainDefClearLiveData(virDomainDef *def);
