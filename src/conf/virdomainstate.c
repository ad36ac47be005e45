/*
 * virdomainstate.c: names of domain states and reasons
 */
#include "virdomainstate.h"

VIR_ENUM_IMPL(virDomainState, VIR_DOMAIN_LAST,
              "nostate", "running", "blocked", "paused", "shutdown",
              "shutoff", "crashed", "pmsuspended");

VIR_ENUM_IMPL(virDomainRunningReason, VIR_DOMAIN_RUNNING_LAST,
              "unknown", "booted", "migrated", "restored", "from snapshot",
              "unpaused", "migration canceled", "save canceled", "wakeup",
              "crashed", "post-copy", "post-copy failed");

VIR_ENUM_IMPL(virDomainPausedReason, VIR_DOMAIN_PAUSED_LAST,
              "unknown", "user", "migration", "save", "dump", "ioerror",
              "watchdog", "from snapshot", "shutdown", "snapshot", "panicked",
              "starting up", "post-copy", "post-copy failed");

VIR_ENUM_IMPL(virDomainShutoffReason, VIR_DOMAIN_SHUTOFF_LAST,
              "unknown", "shutdown", "destroyed", "crashed", "migrated",
              "saved", "failed", "from snapshot", "daemon");

const char *
virDomainStateReasonToString(virDomainState state, int reason)
{
    switch (state) {
    case VIR_DOMAIN_RUNNING:
        return virDomainRunningReasonTypeToString(reason);
    case VIR_DOMAIN_PAUSED:
        return virDomainPausedReasonTypeToString(reason);
    case VIR_DOMAIN_SHUTOFF:
        return virDomainShutoffReasonTypeToString(reason);
    case VIR_DOMAIN_SHUTDOWN:
        return reason == VIR_DOMAIN_SHUTDOWN_USER ? "user" : "unknown";
    case VIR_DOMAIN_NOSTATE:
    case VIR_DOMAIN_BLOCKED:
    case VIR_DOMAIN_CRASHED:
    case VIR_DOMAIN_PMSUSPENDED:
    case VIR_DOMAIN_LAST:
        break;
    }
    return "unknown";
}

int
virDomainStateReasonFromString(virDomainState state, const char *reason)
{
    switch (state) {
    case VIR_DOMAIN_RUNNING:
        return virDomainRunningReasonTypeFromString(reason);
    case VIR_DOMAIN_PAUSED:
        return virDomainPausedReasonTypeFromString(reason);
    case VIR_DOMAIN_SHUTOFF:
        return virDomainShutoffReasonTypeFromString(reason);
    case VIR_DOMAIN_SHUTDOWN:
        return g_strcmp0(reason, "user") == 0 ? 1 : 0;
    case VIR_DOMAIN_NOSTATE:
    case VIR_DOMAIN_BLOCKED:
    case VIR_DOMAIN_CRASHED:
    case VIR_DOMAIN_PMSUSPENDED:
    case VIR_DOMAIN_LAST:
        break;
    }
    return 0;
}
