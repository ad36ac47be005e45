/*
 * remote_event.h: domain events from the QEMU driver to the clients
 *
 * The driver calls remoteEventListener from any thread; it only copies
 * the event into a queue and wakes the main context, where the events
 * are encoded and queued to every client that registered for them (in
 * order).  Payloads (qemuDomainEvent.params, a GVariant a{sv}) expected
 * per event ID, for the events the driver raises:
 *
 *   LIFECYCLE            ev->event / ev->detail, no params
 *   MIGRATION_ITERATION  "iteration" int32 (i)
 *   JOB_COMPLETED        the job statistics: every entry becomes a typed
 *                        parameter (int32/uint32/int64/uint64/double/
 *                        boolean/string), e.g. "time_elapsed" uint64
 *   QEMU_DOMAIN_EVENT_ID_MONITOR (the QEMU program's monitor events)
 *                        "event" s, "seconds" x, "micros" u, and
 *                        "details" s when QEMU sent data
 *
 * Registrations for other event IDs are accepted (at most
 * REMOTE_EVENT_CALLBACKS_MAX per connection); such events would be
 * logged and not delivered.
 */
#pragma once

#include "remote_dispatch.h"

remoteEventQueue *remoteEventQueueNew(remoteServer *srv);

/* Drops undelivered events.  Call after the listener is removed. */
void remoteEventQueueFree(remoteEventQueue *queue);

/* The qemuDomainEventCallback; @opaque is the queue. */
void remoteEventListener(const qemuDomainEvent *ev, void *opaque);

/* The close hook that forgets a client's registrations. */
void remoteEventClientClosed(virNetServerClient *client, void *opaque);

/* The MESSAGE packet of @ev for registration @cb, or NULL if @ev's ID
 * has no encoder (or the payload lacks a field; logged). */
GBytes *remoteEventEncode(const qemuDomainEvent *ev,
                          const remoteEventCallback *cb, size_t maxLength);
