/*
 * virsocket.c: GSocket helpers shared by the RPC server and client
 */
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "virsocket.h"

GSource *
virSocketWatch(GSocket *sock, GIOCondition cond, GSocketSourceFunc func,
               gpointer data, GMainContext *ctx)
{
    GSource *source = g_socket_create_source(sock, cond, NULL);

    g_source_set_callback(source, G_SOURCE_FUNC(func), data, NULL);
    g_source_attach(source, ctx);
    return source;
}

void
virSocketSetNoDelay(GSocket *sock)
{
    if (g_socket_get_family(sock) != G_SOCKET_FAMILY_IPV4 &&
        g_socket_get_family(sock) != G_SOCKET_FAMILY_IPV6)
        return;
    /* best effort: a failure only costs latency */
    g_socket_set_option(sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}
