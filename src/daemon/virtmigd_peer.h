/*
 * virtmigd_peer.h: the QEMU driver's peer-to-peer connections, backed
 * by the RPC client (src/rpc/remote_client.h)
 *
 * The driver only knows qemuMigrationPeerOps; the daemon, which links
 * both layers, provides them, so src/qemu does not depend on src/rpc.
 */
#pragma once

#include "qemu_driver.h"

const qemuMigrationPeerOps *virtmigdPeerOps(void);
