/*
 * virenum.c: enum <-> string tables and flag checks
 */
#include "internal.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_NONE

const char *
virEnumToString(const char *const *types, unsigned int ntypes, int type)
{
    if (type < 0 || (unsigned int)type >= ntypes)
        return NULL;
    return types[type];
}

int
virEnumFromString(const char *const *types, unsigned int ntypes,
                  const char *type)
{
    unsigned int i;

    if (!type)
        return -1;
    for (i = 0; i < ntypes; i++) {
        if (g_str_equal(types[i], type))
            return i;
    }
    return -1;
}

bool
virCheckFlagsImpl(unsigned int flags, unsigned int supported,
                  const char *func, int domain)
{
    unsigned int unknown = flags & ~supported;

    if (unknown == 0)
        return true;
    virReportErrorFull(domain, VIR_ERR_INVALID_ARG, __FILE__, func, __LINE__,
                       _("%1$s: unsupported flags (0x%2$x)"), func, unknown);
    return false;
}
