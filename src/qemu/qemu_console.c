/*
 * qemu_console.c: console sessions on a domain's serial terminal
 * (virDomainOpenConsole)
 *
 * As libvirt's virchrdev: one session per terminal path; opening a
 * busy one fails unless forced, which revokes the session in place.
 * The sessions live in driver->consoles under driver->consoleLock, a
 * leaf lock (taken after the domain's lock is released, never with
 * another lock inside it); revoke callbacks run outside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "qemu_conf.h"
#include "qemu_console.h"
#include "domain_conf.h"
#include "virdomainobj.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_console");

typedef struct {
    guint64 token;
    char *path;
    qemuConsoleRevokeFunc revoke;
    void *opaque;
    GDestroyNotify freeOpaque;
} qemuConsole;

static void
qemuConsoleFree(qemuConsole *con)
{
    if (con->freeOpaque)
        con->freeOpaque(con->opaque);
    g_free(con->path);
    g_free(con);
}

GPtrArray *
qemuConsoleListNew(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)qemuConsoleFree);
}

/* libvirt's choice: the alias among consoles then serial ports, or the
 * first console, else the first serial port.  A console that mirrors
 * serials[0] stands for it. */
static virDomainChrDef *
qemuConsoleFindDevice(virDomainDef *def, const char *devname)
{
    virDomainChrDef *chr = NULL;
    size_t i;

    if (!devname) {
        if (def->nconsoles > 0)
            chr = def->consoles[0];
        else if (def->nserials > 0)
            chr = def->serials[0];
    }
    for (i = 0; devname && !chr && i < def->nconsoles; i++) {
        if (g_strcmp0(def->consoles[i]->info.alias, devname) == 0)
            chr = def->consoles[i];
    }
    for (i = 0; devname && !chr && i < def->nserials; i++) {
        if (g_strcmp0(def->serials[i]->info.alias, devname) == 0)
            chr = def->serials[i];
    }
    if (chr && chr->deviceType == VIR_DOMAIN_CHR_DEVICE_CONSOLE &&
        def->nserials > 0 && chr == def->consoles[0])
        chr = def->serials[0];
    return chr;
}

/* The terminal of the device to open, or NULL with libvirt's error. */
static char *
qemuConsoleGetPath(qemuDriver *driver, const unsigned char *uuid,
                   const char *devname)
{
    virDomainObj *vm = virDomainObjListFindByUUID(driver->domains, uuid);
    virDomainChrDef *chr;
    char *path = NULL;

    if (!vm)
        return NULL;
    if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
    } else if (!(chr = qemuConsoleFindDevice(vm->def, devname))) {
        virReportError(VIR_ERR_INTERNAL_ERROR, _("cannot find character device %1$s"),
                       NULLSTR(devname));
    } else if (chr->type != VIR_DOMAIN_CHR_TYPE_PTY) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("character device %1$s is not using a PTY"),
                       devname ? devname : NULLSTR(chr->info.alias));
    } else if (!chr->path) {
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("PTY device is not yet assigned"));
    } else {
        path = g_strdup(chr->path);
    }
    virDomainObjEndAPI(&vm);
    return path;
}

/* Opens the terminal in raw mode, as libvirt's virFDStreamOpenPTY: the
 * guest's bytes pass unchanged, nothing is echoed back to it. */
static int
qemuConsoleOpenTerminal(const char *path)
{
    struct termios tio;
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0) {
        virReportSystemError(errno, _("Unable to open stream for '%1$s'"), path);
        return -1;
    }
    if (tcgetattr(fd, &tio) == 0) {
        cfmakeraw(&tio);
        if (tcsetattr(fd, TCSANOW, &tio) < 0) {
            virReportSystemError(errno, _("unable to set tty attributes: %1$s"), path);
            close(fd);
            return -1;
        }
    }
    return fd;
}

/* The session on @path, removed from the list (lock held), or NULL. */
static qemuConsole *
qemuConsoleSteal(qemuDriver *driver, const char *path)
{
    guint i;

    for (i = 0; i < driver->consoles->len; i++) {
        qemuConsole *con = g_ptr_array_index(driver->consoles, i);

        if (g_str_equal(con->path, path))
            return g_ptr_array_steal_index(driver->consoles, i);
    }
    return NULL;
}

int
qemuDomainOpenConsole(qemuDriver *driver, const unsigned char *uuid,
                      const char *devname, unsigned int flags,
                      qemuConsoleRevokeFunc revoke, void *opaque,
                      GDestroyNotify freeOpaque, int *fd, guint64 *token)
{
    g_autofree char *path = NULL;
    qemuConsole *old = NULL;
    qemuConsole *con;
    int tfd;

    if (!virCheckFlags(flags, VIR_DOMAIN_CONSOLE_SAFE | VIR_DOMAIN_CONSOLE_FORCE))
        return -1;
    if (!(path = qemuConsoleGetPath(driver, uuid, devname)))
        return -1;

    g_mutex_lock(&driver->consoleLock);
    old = qemuConsoleSteal(driver, path);
    if (old && !(flags & VIR_DOMAIN_CONSOLE_FORCE)) {
        g_ptr_array_add(driver->consoles, old);
        g_mutex_unlock(&driver->consoleLock);
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("Active console session exists for this domain"));
        return -1;
    }
    if ((tfd = qemuConsoleOpenTerminal(path)) < 0) {
        if (old)
            g_ptr_array_add(driver->consoles, old);
        g_mutex_unlock(&driver->consoleLock);
        return -1;
    }
    con = g_new0(qemuConsole, 1);
    con->token = ++driver->lastConsoleToken;
    con->path = g_steal_pointer(&path);
    con->revoke = revoke;
    con->opaque = opaque;
    con->freeOpaque = freeOpaque;
    g_ptr_array_add(driver->consoles, con);
    *token = con->token;
    g_mutex_unlock(&driver->consoleLock);

    if (old) {
        VIR_INFO("console %s: session %" G_GUINT64_FORMAT " taken over by %" G_GUINT64_FORMAT,
                 con->path, old->token, *token);
        if (old->revoke)
            old->revoke(old->opaque);
        qemuConsoleFree(old);
    }
    *fd = tfd;
    return 0;
}

void
qemuDomainCloseConsole(qemuDriver *driver, guint64 token)
{
    qemuConsole *con = NULL;
    guint i;

    g_mutex_lock(&driver->consoleLock);
    for (i = 0; i < driver->consoles->len; i++) {
        if (((qemuConsole *)g_ptr_array_index(driver->consoles, i))->token == token) {
            con = g_ptr_array_steal_index(driver->consoles, i);
            break;
        }
    }
    g_mutex_unlock(&driver->consoleLock);
    if (con)
        qemuConsoleFree(con);
}
