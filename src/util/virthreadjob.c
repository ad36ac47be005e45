/*
 * virthreadjob.c: the name of the API a thread is currently serving
 */
#include "virthreadjob.h"

static GPrivate virThreadJobKey = G_PRIVATE_INIT(g_free);

void
virThreadJobSet(const char *name)
{
    g_private_replace(&virThreadJobKey, g_strdup(name));
}

const char *
virThreadJobGet(void)
{
    return g_private_get(&virThreadJobKey);
}
