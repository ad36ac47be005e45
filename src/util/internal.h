/*
 * internal.h: definitions shared by every layer of virtmig
 */
#pragma once

#include <glib.h>
#include <glib/gi18n-lib.h>
#include <stdbool.h>
#include <errno.h>

/* N_() (mark for translation without translating) comes from gi18n. */

/* A printable string for possibly NULL @s. */
#define NULLSTR(s) ((s) ? (s) : "<null>")

/* Explicitly discard a return value the compiler would warn about. */
#define ignore_value(x) \
    (__extension__ ({ __typeof__ (x) __x = (x); (void) __x; }))

#define VIR_UUID_BUFLEN 16
#define VIR_UUID_STRING_BUFLEN 37

/*
 * Compile-time string tables for enums: VIR_ENUM_DECL in the header,
 * VIR_ENUM_IMPL in the .c file.  The table length is checked against
 * the enum's _LAST value, so adding a value without a string fails to
 * build.
 */
#define VIR_ENUM_DECL(name) \
    const char *name ## TypeToString(int type); \
    int name ## TypeFromString(const char *str)

#define VIR_ENUM_IMPL(name, lastVal, ...) \
    static const char *const name ## TypeList[] = { __VA_ARGS__ }; \
    G_STATIC_ASSERT(G_N_ELEMENTS(name ## TypeList) == lastVal); \
    const char *name ## TypeToString(int type) \
    { \
        return virEnumToString(name ## TypeList, \
                               G_N_ELEMENTS(name ## TypeList), type); \
    } \
    int name ## TypeFromString(const char *str) \
    { \
        return virEnumFromString(name ## TypeList, \
                                 G_N_ELEMENTS(name ## TypeList), str); \
    }

const char *virEnumToString(const char *const *types, unsigned int ntypes,
                            int type);
int virEnumFromString(const char *const *types, unsigned int ntypes,
                      const char *type);

/* Argument check for flags: reports VIR_ERR_INVALID_ARG naming the
 * unsupported bits and returns false.  Use as
 *   if (!virCheckFlags(flags, SUPPORTED, __func__)) return -1;  */
bool virCheckFlagsImpl(unsigned int flags, unsigned int supported,
                       const char *func, int domain);
#define virCheckFlags(flags, supported) \
    virCheckFlagsImpl((flags), (supported), __func__, VIR_FROM_THIS)
