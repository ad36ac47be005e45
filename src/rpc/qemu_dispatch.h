/*
 * qemu_dispatch.h: libvirt's QEMU program (0x20008087) on top of the
 * QEMU driver
 *
 * Internal to src/rpc.  It is served on the remote program's
 * connections, with the same per-client state and access checks
 * (remote_dispatch.h); the procedure table and the simple handlers are
 * generated from qemu_protocol.x (gendispatch.py ->
 * qemu_dispatch_gen.[ch]), the monitor event registrations live with
 * the domain events' (remote_event.c).
 */
#pragma once

#include "remote_dispatch.h"
#include "qemu_protocol.h"
#include "qemu_dispatch_gen.h"

/* Fails with libvirt's VIR_ERR_NO_SUPPORT for the public API @api that
 * the driver does not implement ("this function is not supported by
 * the connection driver: API"). */
int qemuDispatchUnsupported(const char *api);
