/*
 * qemu_migration_recovery.h: finishing or keeping migrations found in
 * status files when the daemon starts (table in the .c file and in
 * docs/jobs.md)
 */
#pragma once

#include "qemu_domain.h"

/**
 * qemuMigrationRecover:
 * @vm: locked, just reconnected, the reconnect's sync job held
 *
 * Acts on the async job the status file recorded.  Returns 0 if the
 * domain is still active afterwards, -1 if recovery stopped it.
 */
int qemuMigrationRecover(qemuDriver *driver, virDomainObj *vm);
