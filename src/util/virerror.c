/*
 * virerror.c: per-thread last error with libvirt's codes and messages
 */
#include <string.h>
#include <stdarg.h>

#include "virerror.h"
#include "virlog.h"

VIR_LOG_INIT("util.error");

typedef struct {
    const char *msg;      /* message with no detail */
    const char *msginfo;  /* message template with one %s for the detail */
} virErrorMsgTuple;

/* libvirt's own wording per code, so that virsh prints the same text
 * against virtmigd as against libvirtd. */
static const virErrorMsgTuple virErrorMsgStrings[VIR_ERR_NUMBER_LAST] = {
    [VIR_ERR_OK] = { NULL, NULL },
    [VIR_ERR_INTERNAL_ERROR] = { N_("internal error"), N_("internal error: %s") },
    [VIR_ERR_NO_MEMORY] = { N_("out of memory"), N_("out of memory: %s") },
    [VIR_ERR_NO_SUPPORT] = {
        N_("this function is not supported by the connection driver"),
        N_("this function is not supported by the connection driver: %s") },
    [VIR_ERR_NO_CONNECT] = { N_("no connection driver available"),
                             N_("no connection driver available for %s") },
    [VIR_ERR_INVALID_CONN] = { N_("invalid connection pointer in"),
                               N_("invalid connection pointer in %s") },
    [VIR_ERR_INVALID_DOMAIN] = { N_("invalid domain pointer in"),
                                 N_("invalid domain pointer in %s") },
    [VIR_ERR_INVALID_ARG] = { N_("invalid argument"), N_("invalid argument: %s") },
    [VIR_ERR_OPERATION_FAILED] = { N_("operation failed"),
                                   N_("operation failed: %s") },
    [VIR_ERR_OS_TYPE] = { N_("unknown OS type"), N_("unknown OS type %s") },
    [VIR_ERR_NO_SOURCE] = { N_("missing source information for device"),
                            N_("missing source information for device %s") },
    [VIR_ERR_NO_TARGET] = { N_("missing target information for device"),
                            N_("missing target information for device %s") },
    [VIR_ERR_NO_NAME] = { N_("missing name information"),
                          N_("missing name information in %s") },
    [VIR_ERR_NO_OS] = { N_("missing operating system information"),
                        N_("missing operating system information for %s") },
    [VIR_ERR_NO_DEVICE] = { N_("missing devices information"),
                            N_("missing devices information for %s") },
    [VIR_ERR_XML_ERROR] = { N_("XML description is invalid or not well formed"),
                            N_("XML error: %s") },
    [VIR_ERR_DOM_EXIST] = { N_("this domain exists already"),
                            N_("domain %s exists already") },
    [VIR_ERR_OPERATION_DENIED] = { N_("operation forbidden for read only access"),
                                   N_("operation forbidden: %s") },
    [VIR_ERR_OPEN_FAILED] = { N_("failed to open configuration file for reading"),
                              N_("failed to open %s for reading") },
    [VIR_ERR_READ_FAILED] = { N_("failed to read configuration file"),
                              N_("failed to read configuration file %s") },
    [VIR_ERR_PARSE_FAILED] = { N_("failed to parse configuration file"),
                               N_("failed to parse configuration file %s") },
    [VIR_ERR_CONF_SYNTAX] = { N_("configuration file syntax error"),
                              N_("configuration file syntax error: %s") },
    [VIR_ERR_WRITE_FAILED] = { N_("failed to write configuration file"),
                               N_("failed to write configuration file: %s") },
    [VIR_ERR_XML_DETAIL] = { N_("parser error"), "%s" },
    [VIR_ERR_SYSTEM_ERROR] = { N_("system call error"), "%s" },
    [VIR_ERR_RPC] = { N_("RPC error"), "%s" },
    [VIR_ERR_GNUTLS_ERROR] = { N_("GNUTLS call error"), "%s" },
    [VIR_ERR_NO_DOMAIN] = { N_("Domain not found"), N_("Domain not found: %s") },
    [VIR_ERR_NO_STORAGE_POOL] = { N_("Storage pool not found"),
                                  N_("Storage pool not found: %s") },
    [VIR_ERR_NO_STORAGE_VOL] = { N_("Storage volume not found"),
                                 N_("Storage volume not found: %s") },
    [VIR_ERR_STORAGE_PROBE_FAILED] = { N_("Storage pool probe failed"),
                                       N_("Storage pool probe failed: %s") },
    [VIR_ERR_STORAGE_POOL_BUILT] = { N_("Storage pool already built"),
                                     N_("Storage pool already built: %s") },
    [VIR_ERR_STORAGE_VOL_EXIST] = { N_("this storage volume exists already"),
                                    N_("storage volume %s exists already") },
    [VIR_ERR_NO_NETWORK] = { N_("Network not found"), N_("Network not found: %s") },
    [VIR_ERR_NO_NODE_DEVICE] = { N_("Node device not found"),
                                 N_("Node device not found: %s") },
    [VIR_ERR_NO_INTERFACE] = { N_("Interface not found"),
                               N_("Interface not found: %s") },
    [VIR_ERR_NO_NWFILTER] = { N_("Network filter not found"),
                              N_("Network filter not found: %s") },
    [VIR_ERR_NO_SECRET] = { N_("Secret not found"), N_("Secret not found: %s") },
    [VIR_ERR_INVALID_MAC] = { N_("invalid MAC address"),
                              N_("invalid MAC address: %s") },
    [VIR_ERR_AUTH_FAILED] = { N_("authentication failed"),
                              N_("authentication failed: %s") },
    [VIR_ERR_NO_SECURITY_MODEL] = { N_("Security model not found"),
                                    N_("Security model not found: %s") },
    [VIR_ERR_OPERATION_INVALID] = { N_("Requested operation is not valid"),
                                    N_("Requested operation is not valid: %s") },
    [VIR_ERR_CONFIG_UNSUPPORTED] = { N_("unsupported configuration"),
                                     N_("unsupported configuration: %s") },
    [VIR_ERR_OPERATION_TIMEOUT] = { N_("Timed out during operation"),
                                    N_("Timed out during operation: %s") },
    [VIR_ERR_MIGRATE_PERSIST_FAILED] = {
        N_("Failed to make domain persistent after migration"),
        N_("Failed to make domain persistent after migration: %s") },
    [VIR_ERR_NO_DOMAIN_SNAPSHOT] = { N_("Domain snapshot not found"),
                                     N_("Domain snapshot not found: %s") },
    [VIR_ERR_NO_DOMAIN_CHECKPOINT] = { N_("Domain checkpoint not found"),
                                       N_("Domain checkpoint not found: %s") },
    [VIR_ERR_ARGUMENT_UNSUPPORTED] = { N_("argument unsupported"),
                                       N_("argument unsupported: %s") },
    [VIR_ERR_OPERATION_ABORTED] = { N_("operation aborted"),
                                    N_("operation aborted: %s") },
    [VIR_ERR_NO_DOMAIN_METADATA] = { N_("metadata not found"),
                                     N_("metadata not found: %s") },
    [VIR_ERR_MIGRATE_UNSAFE] = { N_("Unsafe migration"),
                                 N_("Unsafe migration: %s") },
    [VIR_ERR_OVERFLOW] = { N_("numerical overflow"),
                           N_("numerical overflow: %s") },
    [VIR_ERR_OPERATION_UNSUPPORTED] = { N_("Operation not supported"),
                                        N_("Operation not supported: %s") },
    [VIR_ERR_AGENT_UNRESPONSIVE] = { N_("guest agent is not responding"),
                                     N_("Guest agent is not responding: %s") },
    [VIR_ERR_RESOURCE_BUSY] = { N_("resource busy"), N_("resource busy: %s") },
    [VIR_ERR_ACCESS_DENIED] = { N_("access denied"), N_("access denied: %s") },
    [VIR_ERR_CPU_INCOMPATIBLE] = { N_("the CPU is incompatible with host CPU"),
                                   N_("the CPU is incompatible with host CPU: %s") },
    [VIR_ERR_XML_INVALID_SCHEMA] = {
        N_("XML document failed to validate against schema"),
        N_("XML document failed to validate against schema: %s") },
    [VIR_ERR_MIGRATE_FINISH_OK] = { N_("migration successfully aborted"),
                                    N_("migration successfully aborted: %s") },
    [VIR_ERR_DEVICE_MISSING] = { N_("device not found"),
                                 N_("device not found: %s") },
    [VIR_ERR_MULTIPLE_DOMAINS] = { N_("multiple matching domains found"),
                                   N_("multiple matching domains found: %s") },
};

/* The last error of each thread.  Freed with the thread. */
static void virLastErrorFree(gpointer data);
static GPrivate virLastErrorKey = G_PRIVATE_INIT(virLastErrorFree);

static void
virErrorClear(virError *err)
{
    g_clear_pointer(&err->message, g_free);
    g_clear_pointer(&err->str1, g_free);
    g_clear_pointer(&err->str2, g_free);
    g_clear_pointer(&err->str3, g_free);
    err->code = VIR_ERR_OK;
    err->domain = VIR_FROM_NONE;
    err->level = VIR_ERR_NONE;
    err->int1 = err->int2 = 0;
}

void
virErrorFree(virError *err)
{
    if (!err)
        return;
    virErrorClear(err);
    g_free(err);
}

static void
virLastErrorFree(gpointer data)
{
    virErrorFree(data);
}

static virError *
virLastErrorObject(void)
{
    virError *err = g_private_get(&virLastErrorKey);

    if (!err) {
        err = g_new0(virError, 1);
        g_private_set(&virLastErrorKey, err);
    }
    return err;
}

char *
virErrorMsgFormat(int code, const char *info)
{
    const virErrorMsgTuple *tuple = NULL;

    if (code > VIR_ERR_OK && code < VIR_ERR_NUMBER_LAST &&
        virErrorMsgStrings[code].msg)
        tuple = &virErrorMsgStrings[code];

    if (!tuple)
        return g_strdup(info ? info : _("unknown error"));
    if (!info)
        return g_strdup(_(tuple->msg));
    /* The templates have exactly one %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    return g_strdup_printf(_(tuple->msginfo), info);
#pragma GCC diagnostic pop
}

static void
virRaiseError(int domain, int code, const char *file, const char *func,
              size_t line, const char *info)
{
    virError *err = virLastErrorObject();

    virErrorClear(err);
    err->code = code;
    err->domain = domain;
    err->level = VIR_ERR_ERROR;
    err->message = virErrorMsgFormat(code, info);
    err->str1 = g_strdup(info);
    virLogMessage(&virLogSelf, VIR_LOG_ERROR, file, line, func,
                  "%s", err->message);
}

void
virReportErrorFull(int domain, int code,
                   const char *file, const char *func, size_t line,
                   const char *fmt, ...)
{
    g_autofree char *info = NULL;
    int save_errno = errno;
    va_list args;

    va_start(args, fmt);
    info = g_strdup_vprintf(fmt, args);
    va_end(args);
    virRaiseError(domain, code, file, func, line, info);
    errno = save_errno;
}

bool
virCheckFlagsAs(int domain, unsigned int flags, unsigned int supported,
                const char *func)
{
    unsigned int unsupported = flags & ~supported;
    virError *err;

    if (!unsupported)
        return true;
    err = virLastErrorObject();
    virErrorClear(err);
    err->code = VIR_ERR_INVALID_ARG;
    err->domain = domain;
    err->level = VIR_ERR_ERROR;
    err->message = g_strdup_printf(_("unsupported flags (0x%1$x) in function %2$s"),
                                   unsupported, func);
    err->str1 = g_strdup(func);
    err->str2 = g_strdup("flags");
    virLogMessage(&virLogSelf, VIR_LOG_ERROR, __FILE__, __LINE__, func,
                  "%s", err->message);
    return false;
}

void
virReportSystemErrorFull(int domain, int errnum,
                         const char *file, const char *func, size_t line,
                         const char *fmt, ...)
{
    g_autofree char *detail = NULL;
    g_autofree char *info = NULL;
    va_list args;

    va_start(args, fmt);
    detail = g_strdup_vprintf(fmt, args);
    va_end(args);
    info = g_strdup_printf("%s: %s", detail, g_strerror(errnum));
    virRaiseError(domain, VIR_ERR_SYSTEM_ERROR, file, func, line, info);
    errno = errnum;
}

virError *
virGetLastError(void)
{
    virError *err = g_private_get(&virLastErrorKey);

    if (!err || err->code == VIR_ERR_OK)
        return NULL;
    return err;
}

int
virGetLastErrorCode(void)
{
    virError *err = virGetLastError();

    return err ? err->code : VIR_ERR_OK;
}

const char *
virGetLastErrorMessage(void)
{
    virError *err = virGetLastError();

    if (!err)
        return _("no error");
    return err->message ? err->message : _("unknown error");
}

void
virResetLastError(void)
{
    virError *err = g_private_get(&virLastErrorKey);

    if (err)
        virErrorClear(err);
}

virError *
virErrorCopy(const virError *err)
{
    virError *copy;

    if (!err)
        return NULL;
    copy = g_new0(virError, 1);
    copy->code = err->code;
    copy->domain = err->domain;
    copy->level = err->level;
    copy->message = g_strdup(err->message);
    copy->str1 = g_strdup(err->str1);
    copy->str2 = g_strdup(err->str2);
    copy->str3 = g_strdup(err->str3);
    copy->int1 = err->int1;
    copy->int2 = err->int2;
    return copy;
}

virError *
virSaveLastError(void)
{
    return virErrorCopy(virGetLastError());
}

void
virSetError(const virError *err)
{
    virError *last = virLastErrorObject();

    virErrorClear(last);
    if (!err)
        return;
    last->code = err->code;
    last->domain = err->domain;
    last->level = err->level;
    last->message = g_strdup(err->message);
    last->str1 = g_strdup(err->str1);
    last->str2 = g_strdup(err->str2);
    last->str3 = g_strdup(err->str3);
    last->int1 = err->int1;
    last->int2 = err->int2;
}

void
virErrorPreserveLast(virError **saveerr)
{
    *saveerr = virSaveLastError();
}

void
virErrorRestore(virError **savederr)
{
    if (!*savederr)
        return;
    virSetError(*savederr);
    g_clear_pointer(savederr, virErrorFree);
}
