/*
 * qemu_migration_recovery.h: finishing or keeping migrations found in
 * status files when the daemon starts (table in the .c file and in
 * docs/jobs.md)
 */
#pragma once

#include "qemu_domain.h"

/**
 * qemuMigrationRecover:
 * @vm: locked, just reconnected (no sync job held)
 *
 * Takes over the async job the status file recorded (restored with no
 * thread driving it) and acts on it: ends it, or keeps it unattended
 * for post-copy recovery.  Returns 0 if the
 * domain is still active afterwards, -1 if recovery stopped it.
 */
int qemuMigrationRecover(qemuDriver *driver, virDomainObj *vm);
