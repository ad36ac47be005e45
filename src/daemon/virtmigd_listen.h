/*
 * virtmigd_listen.h: the daemon's listeners, as its config asks for them
 */
#pragma once

#include "internal.h"
#include "remote_server.h"
#include "virtmigd_config.h"

/**
 * virtmigdListen:
 * Opens the UNIX sockets (rw and ro: unix_sock_dir, _perms, _group),
 * the TCP listeners (listen_tcp: beyond loopback only with SASL or
 * insecure_tcp_allowed) and the TLS listeners (listen_tls, with the
 * server credentials from the config or libvirt's PKI paths under the
 * root), each with its authentication (auth_unix_rw, auth_unix_ro,
 * auth_tcp, auth_tls).  0, or -1 with an error that says what to fix.
 */
int virtmigdListen(remoteServer *srv, const virtmigdPaths *paths,
                   const virtmigdConfig *cfg);

/* Some listener of @cfg asks for SASL (auth_* = "sasl", or a TCP
 * listener beyond loopback without auth_tcp): the daemon needs a SASL
 * context (virtmigdListen's clients are refused without one). */
bool virtmigdListenUsesSASL(const virtmigdConfig *cfg);

/* A literal address in 127.0.0.0/8 or ::1. */
bool virtmigdAddressIsLoopback(const char *addr);
