/*
 * rpcfakedriver.h: an in-memory stand-in for the QEMU driver
 *
 * Implements src/qemu/qemu_driver.h for the RPC tests: domains live in
 * memory, "starting" one only flips its state, and events are raised
 * like the real driver's (from the calling thread).  Domains whose name
 * starts with "slow" take RPC_FAKE_SLOW_MS to start, to keep workers
 * busy in concurrency tests.
 */
#pragma once

#include "qemu_driver.h"

#define RPC_FAKE_SLOW_MS 1500

/* @capabilities: the XML CONNECT_GET_CAPABILITIES answers (copied). */
qemuDriver *rpcFakeDriverNew(const char *capabilities);

/* Raises @ev to every listener, as the driver would. */
void rpcFakeDriverEmit(qemuDriver *driver, const qemuDomainEvent *ev);

/* Number of registered event listeners. */
size_t rpcFakeDriverListenerCount(qemuDriver *driver);
