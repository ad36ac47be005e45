/*
 * virsocket.c: GSocket helpers shared by the RPC server and client
 */
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
