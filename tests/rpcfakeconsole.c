/*
 * rpcfakeconsole.c: the fake driver's consoles (virDomainOpenConsole)
 *
 * One session per domain, as the real driver keeps one per terminal:
 * the daemon's end of a socket pair stands for the pty, the test holds
 * the guest's end (rpcFakeDriverConsolePeer).  Errors as libvirt's.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rpcfakedriver.h"
#include "rpcfakedriverpriv.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

typedef struct {
    guint64 token;
    char *name;                   /* the domain */
    int peer;                     /* the guest's end */
    qemuConsoleRevokeFunc revoke;
    void *opaque;
    GDestroyNotify freeOpaque;
} fakeConsole;

static void
fakeConsoleFree(fakeConsole *con)
{
    if (con->freeOpaque)
        con->freeOpaque(con->opaque);
    if (con->peer >= 0)
        close(con->peer);
    g_free(con->name);
    g_free(con);
}

void
rpcFakeConsoleInit(qemuDriver *driver)
{
    driver->consoles = g_ptr_array_new_with_free_func((GDestroyNotify)fakeConsoleFree);
}

void
rpcFakeConsoleClear(qemuDriver *driver)
{
    g_clear_pointer(&driver->consoles, g_ptr_array_unref);
    g_clear_pointer(&driver->consoleBanner, g_free);
}

void
rpcFakeDriverConsoleSetBanner(qemuDriver *driver, const char *banner)
{
    g_mutex_lock(&driver->lock);
    g_free(driver->consoleBanner);
    driver->consoleBanner = g_strdup(banner);
    g_mutex_unlock(&driver->lock);
}

/* The session of @name, stolen from the list (lock held), or NULL. */
static fakeConsole *
fakeConsoleSteal(qemuDriver *driver, const char *name)
{
    guint i;

    for (i = 0; i < driver->consoles->len; i++) {
        fakeConsole *con = g_ptr_array_index(driver->consoles, i);

        if (g_str_equal(con->name, name))
            return g_ptr_array_steal_index(driver->consoles, i);
    }
    return NULL;
}

/* Checks the domain and device (lock held): 0 or -1 with the error. */
static int
fakeConsoleCheck(fakeDomain *dom, const char *devname)
{
    if (!fakeActive(dom)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
        return -1;
    }
    if (g_strcmp0(devname, "serial1") == 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("character device %1$s is not using a PTY"), devname);
        return -1;
    }
    if (devname && !g_str_equal(devname, "serial0")) {
        virReportError(VIR_ERR_INTERNAL_ERROR, _("cannot find character device %1$s"),
                       devname);
        return -1;
    }
    return 0;
}

int
qemuDomainOpenConsole(qemuDriver *driver, const unsigned char *uuid,
                      const char *devname, unsigned int flags,
                      qemuConsoleRevokeFunc revoke, void *opaque,
                      GDestroyNotify freeOpaque, int *fd, guint64 *token)
{
    fakeDomain *dom;
    fakeConsole *old;
    fakeConsole *con;
    int pair[2];

    if (!virCheckFlags(flags, VIR_DOMAIN_CONSOLE_SAFE | VIR_DOMAIN_CONSOLE_FORCE))
        return -1;
    if (!(dom = fakeGet(driver, uuid)))
        return -1;
    if (fakeConsoleCheck(dom, devname) < 0) {
        g_mutex_unlock(&driver->lock);
        return -1;
    }
    old = fakeConsoleSteal(driver, dom->name);
    if (old && !(flags & VIR_DOMAIN_CONSOLE_FORCE)) {
        g_ptr_array_add(driver->consoles, old);
        g_mutex_unlock(&driver->lock);
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("Active console session exists for this domain"));
        return -1;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
        if (old)
            g_ptr_array_add(driver->consoles, old);
        g_mutex_unlock(&driver->lock);
        virReportSystemError(errno, "%s", _("cannot create a socket pair"));
        return -1;
    }
    con = g_new0(fakeConsole, 1);
    con->token = ++driver->lastConsoleToken;
    con->name = g_strdup(dom->name);
    con->peer = pair[1];
    /* output the guest wrote before the open, waiting in the terminal */
    if (driver->consoleBanner &&
        write(con->peer, driver->consoleBanner, strlen(driver->consoleBanner)) < 0)
        g_error("cannot write the console banner: %s", g_strerror(errno));
    con->revoke = revoke;
    con->opaque = opaque;
    con->freeOpaque = freeOpaque;
    g_ptr_array_add(driver->consoles, con);
    *token = con->token;
    g_mutex_unlock(&driver->lock);
    if (old) {
        if (old->revoke)
            old->revoke(old->opaque);
        fakeConsoleFree(old);
    }
    *fd = pair[0];
    return 0;
}

void
qemuDomainCloseConsole(qemuDriver *driver, guint64 token)
{
    fakeConsole *con = NULL;
    guint i;

    g_mutex_lock(&driver->lock);
    for (i = 0; i < driver->consoles->len; i++) {
        if (((fakeConsole *)g_ptr_array_index(driver->consoles, i))->token == token) {
            con = g_ptr_array_steal_index(driver->consoles, i);
            break;
        }
    }
    g_mutex_unlock(&driver->lock);
    if (con)
        fakeConsoleFree(con);
}

int
rpcFakeDriverConsoleTakePeer(qemuDriver *driver, const char *name)
{
    int fd = -1;
    guint i;

    g_mutex_lock(&driver->lock);
    for (i = 0; i < driver->consoles->len; i++) {
        fakeConsole *con = g_ptr_array_index(driver->consoles, i);

        if (g_str_equal(con->name, name)) {
            fd = con->peer;
            con->peer = -1;
        }
    }
    g_mutex_unlock(&driver->lock);
    return fd;
}

size_t
rpcFakeDriverConsoleCount(qemuDriver *driver)
{
    size_t n;

    g_mutex_lock(&driver->lock);
    n = driver->consoles->len;
    g_mutex_unlock(&driver->lock);
    return n;
}
