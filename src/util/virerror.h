/*
 * virerror.h: error reporting with libvirt's error numbers and domains
 *
 * The numbers below are libvirt's public virErrorNumber / virErrorDomain
 * values: they travel over the wire in remote_error, so they must never
 * be renumbered.  Errors are reported once, where they are detected,
 * into a per-thread "last error" slot; callers only propagate -1/NULL.
 */
#pragma once

#include "internal.h"

typedef enum {
    VIR_ERR_NONE = 0,
    VIR_ERR_WARNING = 1,
    VIR_ERR_ERROR = 2,
} virErrorLevel;

typedef enum {
    VIR_FROM_NONE = 0,
    VIR_FROM_XML = 5,
    VIR_FROM_DOM = 6,
    VIR_FROM_RPC = 7,
    VIR_FROM_CONF = 9,
    VIR_FROM_QEMU = 10,
    VIR_FROM_TEST = 12,
    VIR_FROM_REMOTE = 13,
    VIR_FROM_STORAGE = 18,
    VIR_FROM_NETWORK = 19,
    VIR_FROM_DOMAIN = 20,
    VIR_FROM_NODEDEV = 22,
    VIR_FROM_SECURITY = 24,
    VIR_FROM_INTERFACE = 26,
    VIR_FROM_SECRET = 30,
    VIR_FROM_CPU = 31,
    VIR_FROM_NWFILTER = 33,
    VIR_FROM_STREAMS = 38,
    VIR_FROM_CAPABILITIES = 44,
    VIR_FROM_URI = 45,
    VIR_FROM_AUTH = 46,
    VIR_FROM_DEVICE = 49,
    VIR_FROM_THREAD = 61,
    VIR_FROM_LOGGING = 63,
} virErrorDomain;

typedef enum {
    VIR_ERR_OK = 0,
    VIR_ERR_INTERNAL_ERROR = 1,
    VIR_ERR_NO_MEMORY = 2,
    VIR_ERR_NO_SUPPORT = 3,
    VIR_ERR_UNKNOWN_HOST = 4,
    VIR_ERR_NO_CONNECT = 5,
    VIR_ERR_INVALID_CONN = 6,
    VIR_ERR_INVALID_DOMAIN = 7,
    VIR_ERR_INVALID_ARG = 8,
    VIR_ERR_OPERATION_FAILED = 9,
    VIR_ERR_GET_FAILED = 10,
    VIR_ERR_POST_FAILED = 11,
    VIR_ERR_HTTP_ERROR = 12,
    VIR_ERR_SEXPR_SERIAL = 13,
    VIR_ERR_NO_XEN = 14,
    VIR_ERR_XEN_CALL = 15,
    VIR_ERR_OS_TYPE = 16,
    VIR_ERR_NO_KERNEL = 17,
    VIR_ERR_NO_ROOT = 18,
    VIR_ERR_NO_SOURCE = 19,
    VIR_ERR_NO_TARGET = 20,
    VIR_ERR_NO_NAME = 21,
    VIR_ERR_NO_OS = 22,
    VIR_ERR_NO_DEVICE = 23,
    VIR_ERR_NO_XENSTORE = 24,
    VIR_ERR_DRIVER_FULL = 25,
    VIR_ERR_CALL_FAILED = 26,
    VIR_ERR_XML_ERROR = 27,
    VIR_ERR_DOM_EXIST = 28,
    VIR_ERR_OPERATION_DENIED = 29,
    VIR_ERR_OPEN_FAILED = 30,
    VIR_ERR_READ_FAILED = 31,
    VIR_ERR_PARSE_FAILED = 32,
    VIR_ERR_CONF_SYNTAX = 33,
    VIR_ERR_WRITE_FAILED = 34,
    VIR_ERR_XML_DETAIL = 35,
    VIR_ERR_INVALID_NETWORK = 36,
    VIR_ERR_NETWORK_EXIST = 37,
    VIR_ERR_SYSTEM_ERROR = 38,
    VIR_ERR_RPC = 39,
    VIR_ERR_GNUTLS_ERROR = 40,
    VIR_WAR_NO_NETWORK = 41,
    VIR_ERR_NO_DOMAIN = 42,
    VIR_ERR_NO_NETWORK = 43,
    VIR_ERR_INVALID_MAC = 44,
    VIR_ERR_AUTH_FAILED = 45,
    VIR_ERR_INVALID_STORAGE_POOL = 46,
    VIR_ERR_INVALID_STORAGE_VOL = 47,
    VIR_WAR_NO_STORAGE = 48,
    VIR_ERR_NO_STORAGE_POOL = 49,
    VIR_ERR_NO_STORAGE_VOL = 50,
    VIR_WAR_NO_NODE = 51,
    VIR_ERR_INVALID_NODE_DEVICE = 52,
    VIR_ERR_NO_NODE_DEVICE = 53,
    VIR_ERR_NO_SECURITY_MODEL = 54,
    VIR_ERR_OPERATION_INVALID = 55,
    VIR_WAR_NO_INTERFACE = 56,
    VIR_ERR_NO_INTERFACE = 57,
    VIR_ERR_INVALID_INTERFACE = 58,
    VIR_ERR_MULTIPLE_INTERFACES = 59,
    VIR_WAR_NO_NWFILTER = 60,
    VIR_ERR_INVALID_NWFILTER = 61,
    VIR_ERR_NO_NWFILTER = 62,
    VIR_ERR_BUILD_FIREWALL = 63,
    VIR_WAR_NO_SECRET = 64,
    VIR_ERR_INVALID_SECRET = 65,
    VIR_ERR_NO_SECRET = 66,
    VIR_ERR_CONFIG_UNSUPPORTED = 67,
    VIR_ERR_OPERATION_TIMEOUT = 68,
    VIR_ERR_MIGRATE_PERSIST_FAILED = 69,
    VIR_ERR_HOOK_SCRIPT_FAILED = 70,
    VIR_ERR_INVALID_DOMAIN_SNAPSHOT = 71,
    VIR_ERR_NO_DOMAIN_SNAPSHOT = 72,
    VIR_ERR_INVALID_STREAM = 73,
    VIR_ERR_ARGUMENT_UNSUPPORTED = 74,
    VIR_ERR_STORAGE_PROBE_FAILED = 75,
    VIR_ERR_STORAGE_POOL_BUILT = 76,
    VIR_ERR_SNAPSHOT_REVERT_RISKY = 77,
    VIR_ERR_OPERATION_ABORTED = 78,
    VIR_ERR_AUTH_CANCELLED = 79,
    VIR_ERR_NO_DOMAIN_METADATA = 80,
    VIR_ERR_MIGRATE_UNSAFE = 81,
    VIR_ERR_OVERFLOW = 82,
    VIR_ERR_BLOCK_COPY_ACTIVE = 83,
    VIR_ERR_OPERATION_UNSUPPORTED = 84,
    VIR_ERR_SSH = 85,
    VIR_ERR_AGENT_UNRESPONSIVE = 86,
    VIR_ERR_RESOURCE_BUSY = 87,
    VIR_ERR_ACCESS_DENIED = 88,
    VIR_ERR_DBUS_SERVICE = 89,
    VIR_ERR_STORAGE_VOL_EXIST = 90,
    VIR_ERR_CPU_INCOMPATIBLE = 91,
    VIR_ERR_XML_INVALID_SCHEMA = 92,
    VIR_ERR_MIGRATE_FINISH_OK = 93,
    VIR_ERR_AUTH_UNAVAILABLE = 94,
    VIR_ERR_NO_SERVER = 95,
    VIR_ERR_NO_CLIENT = 96,
    VIR_ERR_AGENT_UNSYNCED = 97,
    VIR_ERR_LIBSSH = 98,
    VIR_ERR_DEVICE_MISSING = 99,
    VIR_ERR_INVALID_NWFILTER_BINDING = 100,
    VIR_ERR_NO_NWFILTER_BINDING = 101,
    VIR_ERR_INVALID_DOMAIN_CHECKPOINT = 102,
    VIR_ERR_NO_DOMAIN_CHECKPOINT = 103,
    VIR_ERR_NO_DOMAIN_BACKUP = 104,
    VIR_ERR_INVALID_NETWORK_PORT = 105,
    VIR_ERR_NETWORK_PORT_EXIST = 106,
    VIR_ERR_NO_NETWORK_PORT = 107,
    VIR_ERR_NO_HOSTNAME = 108,
    VIR_ERR_CHECKPOINT_INCONSISTENT = 109,
    VIR_ERR_MULTIPLE_DOMAINS = 110,
    VIR_ERR_NUMBER_LAST
} virErrorNumber;

typedef struct _virError virError;
struct _virError {
    int code;           /* virErrorNumber */
    int domain;         /* virErrorDomain */
    char *message;      /* full, human readable message as libvirt forms it */
    int level;          /* virErrorLevel */
    char *str1;         /* extra information, as in libvirt's remote_error */
    char *str2;
    char *str3;
    int int1;
    int int2;
};

void virErrorFree(virError *err);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virError, virErrorFree);

/* Formats the detail with @fmt and stores the error as the calling
 * thread's last error, prefixed the way libvirt prefixes that code
 * (e.g. "unsupported configuration: %s").  Also logs it. */
void virReportErrorFull(int domain, int code,
                        const char *file, const char *func, size_t line,
                        const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/* libvirt's virCheckFlags in the libvirt function @func: false, with
 * VIR_ERR_INVALID_ARG "unsupported flags (0x..) in function @func"
 * (no "invalid argument" prefix, str1 @func, str2 "flags", as libvirt's
 * virReportInvalidArg), if @flags has bits outside @supported. */
bool virCheckFlagsAs(int domain, unsigned int flags, unsigned int supported,
                     const char *func);

/* Like virReportErrorFull with VIR_ERR_SYSTEM_ERROR, appending
 * ": strerror(errnum)" to the message. */
void virReportSystemErrorFull(int domain, int errnum,
                              const char *file, const char *func, size_t line,
                              const char *fmt, ...) G_GNUC_PRINTF(6, 7);

#define virReportError(code, ...) \
    virReportErrorFull(VIR_FROM_THIS, code, __FILE__, __func__, __LINE__, \
                       __VA_ARGS__)
#define virReportSystemError(errnum, ...) \
    virReportSystemErrorFull(VIR_FROM_THIS, errnum, __FILE__, __func__, \
                             __LINE__, __VA_ARGS__)
#define virReportOOMError() \
    virReportError(VIR_ERR_NO_MEMORY, "%s", _("out of memory"))

/* The calling thread's last error, or NULL.  Owned by the thread. */
virError *virGetLastError(void);
int virGetLastErrorCode(void);
const char *virGetLastErrorMessage(void);
void virResetLastError(void);

/* Deep copy of the last error (or NULL if none); caller owns it. */
virError *virSaveLastError(void);
virError *virErrorCopy(const virError *err);

/* Installs a copy of @err as the thread's last error (e.g. an error
 * received from a peer or handed over from another thread). */
void virSetError(const virError *err);

/* Keep the first error across cleanup code that may report more. */
void virErrorPreserveLast(virError **saveerr);
void virErrorRestore(virError **savederr);

/* The message libvirt forms for @code with detail @info (NULL: none).
 * Returned string is owned by the caller. */
char *virErrorMsgFormat(int code, const char *info);
