/*
 * virsocket.h: GSocket helpers shared by the RPC server and client
 */
#pragma once

#include <gio/gio.h>

/* A source calling @func(@sock, cond, @data) in @ctx whenever @sock is
 * ready for @cond; the caller owns the returned reference (destroy and
 * unref it to stop watching). */
GSource *virSocketWatch(GSocket *sock, GIOCondition cond,
                        GSocketSourceFunc func, gpointer data,
                        GMainContext *ctx);

/* Turns Nagle's algorithm off on a TCP socket (no-op on others), as
 * libvirt does: a reply written in several pieces (TLS records) must
 * not wait for the peer's delayed ACK, 40 ms per call. */
void virSocketSetNoDelay(GSocket *sock);
