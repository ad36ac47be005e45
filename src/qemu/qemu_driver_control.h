/*
 * qemu_driver_control.h: the driver's side of autostart and of
 * virDomainReboot's fake reboot (internal to src/qemu)
 */
#pragma once

#include "qemu_conf.h"

/* Is ROOT/.../autostart/@name.xml a link to @name's definition? */
bool qemuDomainAutostartLinkExists(qemuDriver *driver, const char *name);
/* Removes @name's autostart link (undefine); a failure is only logged. */
void qemuDomainAutostartRemove(qemuDriver *driver, const char *name);

/**
 * qemuDriverAutostart:
 * Daemon start-up, once domains are loaded and reconnected: starts the
 * autostart domains that are not running, like libvirtd, once per host
 * boot (a marker in the state directory holds the boot id, so a daemon
 * restart does not start again a guest that was shut down since).
 */
void qemuDriverAutostart(qemuDriver *driver);

/* A shutdown request cancels a pending fake reboot (job held, @vm
 * locked), as libvirt's: the guest's poweroff then stops it. */
void qemuDomainFakeRebootCancel(virDomainObj *vm);

/* Worker: the guest powered off while a fake reboot was pending: reset
 * it and let it run again.  @vm locked. */
void qemuDomainFakeRebootFinish(qemuDriver *driver, virDomainObj *vm);
