/*
 * virnetserverclienthooks.c: what other parts of the daemon attach to a
 * client connection: close hooks, packet filters (streams, keepalive
 * take their packets before dispatch) and work deferred until a
 * worker's reply is queued.
 *
 * Every list is under client->lock; the callbacks run without it.
 */
#include "virnetserverclientpriv.h"

/* Appends to *@list (a field of @client): the new id, or -1 if closed. */
static int
virNetServerClientAddCallback(virNetServerClient *client, GArray **list,
                              GCallback func, void *opaque,
                              GDestroyNotify freeFunc)
{
    virNetServerClientCallback cb = { 0, func, opaque, freeFunc };

    g_mutex_lock(&client->lock);
    if (client->closed) {
        g_mutex_unlock(&client->lock);
        return -1;
    }
    cb.id = ++client->lastCallbackId;
    g_array_append_val(*list, cb);
    g_mutex_unlock(&client->lock);
    return cb.id;
}

static void
virNetServerClientRemoveCallback(virNetServerClient *client, GArray **list,
                                 int id)
{
    virNetServerClientCallback removed = { 0 };
    guint i;

    g_mutex_lock(&client->lock);
    for (i = 0; i < (*list)->len; i++) {
        if (g_array_index(*list, virNetServerClientCallback, i).id == id) {
            removed = g_array_index(*list, virNetServerClientCallback, i);
            g_array_remove_index(*list, i);
            break;
        }
    }
    g_mutex_unlock(&client->lock);
    if (removed.freeFunc)
        removed.freeFunc(removed.opaque);
}

int
virNetServerClientAddCloseHook(virNetServerClient *client,
                               virNetServerClientCloseFunc func,
                               void *opaque, GDestroyNotify freeFunc)
{
    return virNetServerClientAddCallback(client, &client->hooks, G_CALLBACK(func),
                                         opaque, freeFunc);
}

void
virNetServerClientRemoveCloseHook(virNetServerClient *client, int id)
{
    virNetServerClientRemoveCallback(client, &client->hooks, id);
}

int
virNetServerClientAddFilter(virNetServerClient *client,
                            virNetServerClientFilterFunc func,
                            void *opaque, GDestroyNotify freeFunc)
{
    return virNetServerClientAddCallback(client, &client->filters, G_CALLBACK(func),
                                         opaque, freeFunc);
}

void
virNetServerClientRemoveFilter(virNetServerClient *client, int id)
{
    virNetServerClientRemoveCallback(client, &client->filters, id);
}

void
virNetServerClientRunHooks(virNetServerClient *client)
{
    g_autoptr(GArray) hooks = NULL;
    guint i;

    g_mutex_lock(&client->lock);
    hooks = g_steal_pointer(&client->hooks);
    client->hooks = g_array_new(FALSE, FALSE, sizeof(virNetServerClientCallback));
    g_mutex_unlock(&client->lock);

    for (i = hooks->len; i > 0; i--) {
        virNetServerClientCallback *hook = &g_array_index(hooks, virNetServerClientCallback,
                                                          i - 1);

        ((virNetServerClientCloseFunc)(void (*)(void))hook->func)(client, hook->opaque);
        if (hook->freeFunc)
            hook->freeFunc(hook->opaque);
    }
}

/* Offers @msg to the filters (main thread): true if one took it.  The
 * filters are only removed in this thread, so the entry copied under
 * the lock stays valid while it runs. */
bool
virNetServerClientRunFilters(virNetServerClient *client, virNetMessage *msg)
{
    guint i;

    for (i = 0;; i++) {
        virNetServerClientCallback f;

        g_mutex_lock(&client->lock);
        if (i >= client->filters->len) {
            g_mutex_unlock(&client->lock);
            return false;
        }
        f = g_array_index(client->filters, virNetServerClientCallback, i);
        g_mutex_unlock(&client->lock);
        if (((virNetServerClientFilterFunc)(void (*)(void))f.func)(client, msg, f.opaque))
            return true;
    }
}

/* Frees every filter's data (the client is closed or being freed). */
void
virNetServerClientClearFilters(virNetServerClient *client)
{
    g_autoptr(GArray) filters = NULL;
    guint i;

    g_mutex_lock(&client->lock);
    filters = g_steal_pointer(&client->filters);
    client->filters = g_array_new(FALSE, FALSE, sizeof(virNetServerClientCallback));
    g_mutex_unlock(&client->lock);
    for (i = 0; i < filters->len; i++) {
        virNetServerClientCallback *f = &g_array_index(filters,
                                                       virNetServerClientCallback, i);

        if (f->freeFunc)
            f->freeFunc(f->opaque);
    }
}

void
virNetServerClientAfterReply(virNetServerClient *client,
                             virNetServerClientCloseFunc func, void *opaque,
                             GDestroyNotify freeFunc)
{
    virNetServerClientDeferred d = { g_thread_self(), func, opaque, freeFunc };

    g_mutex_lock(&client->lock);
    g_array_append_val(client->afterReply, d);
    g_mutex_unlock(&client->lock);
}

/* Runs what the calling worker deferred until its reply was queued. */
void
virNetServerClientRunAfterReply(virNetServerClient *client)
{
    g_autoptr(GArray) mine = g_array_new(FALSE, FALSE,
                                         sizeof(virNetServerClientDeferred));
    guint i = 0;

    g_mutex_lock(&client->lock);
    while (i < client->afterReply->len) {
        virNetServerClientDeferred *d = &g_array_index(client->afterReply,
                                                       virNetServerClientDeferred, i);

        if (d->thread == g_thread_self()) {
            g_array_append_val(mine, *d);
            g_array_remove_index(client->afterReply, i);
        } else {
            i++;
        }
    }
    g_mutex_unlock(&client->lock);
    for (i = 0; i < mine->len; i++) {
        virNetServerClientDeferred *d = &g_array_index(mine,
                                                       virNetServerClientDeferred, i);

        d->func(client, d->opaque);
        if (d->freeFunc)
            d->freeFunc(d->opaque);
    }
}

void
virNetServerClientFreeDeferred(GArray *deferred)
{
    guint i;

    for (i = 0; i < deferred->len; i++) {
        virNetServerClientDeferred *d = &g_array_index(deferred,
                                                       virNetServerClientDeferred, i);

        if (d->freeFunc)
            d->freeFunc(d->opaque);
    }
    g_array_unref(deferred);
}
