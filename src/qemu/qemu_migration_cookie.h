/*
 * qemu_migration_cookie.h: the migration cookie
 *
 * Migration protocol v3 passes an opaque "cookie" between the two
 * daemons, through the client, at every step: Begin (source) ->
 * Prepare (destination) -> Perform (source) -> Finish (destination) ->
 * Confirm (source).  Like libvirt's, ours is an XML document:
 *
 *   <qemu-migration>
 *     <name>NAME</name>                 the domain (as named on the source)
 *     <uuid>UUID</uuid>
 *     <hostname>HOST</hostname>         the host that made the cookie
 *     <hostuuid>UUID</hostuuid>
 *     <feature name='lockstate'/>       parts the receiver must understand
 *     <feature name='persistent'/>
 *     <lockstate driver='DRV'>          LOCKSTATE
 *       <leases>STATE</leases>
 *     </lockstate>
 *     <domain type='kvm'>...</domain>   PERSISTENT: the inactive definition
 *     <nbd port='P'>                    NBD: storage copy; the source
 *       <disk target='vda' capacity='N'/>  lists the disks, the
 *     </nbd>                            destination answers its port
 *     <statistics>...</statistics>      STATS: job statistics
 *     <capabilities>                    CAPS: migration capabilities
 *       <cap name='xbzrle' auto='no'/>
 *     </capabilities>
 *   </qemu-migration>
 *
 * Element names and layout are libvirt 9.0's (qemu_migration_cookie.c);
 * <statistics> children are named after the VIR_DOMAIN_JOB_* typed
 * parameters ("time_elapsed", "memory_bps" in bytes/s, ...).  libvirt's
 * other parts (graphics, network, cpu, block dirty bitmaps) are not
 * produced and are ignored when received, unless the sender marked
 * them mandatory with <feature>, which is refused.
 *
 * On the wire the cookie is the XML text followed by a NUL byte, whose
 * length counts the NUL (libvirt: cookieoutlen = strlen + 1).
 */
#pragma once

#include "internal.h"
#include "domain_conf.h"
#include "qemu_domainjob.h"

/* The largest cookie accepted or produced, NUL included (libvirt's
 * REMOTE_MIGRATE_COOKIE_MAX). */
#define QEMU_MIGRATION_COOKIE_MAX_SIZE (4 * 1024 * 1024)

/* Optional parts of a cookie. */
typedef enum {
    QEMU_MIGRATION_COOKIE_LOCKSTATE = 1 << 0,   /* lock manager state */
    QEMU_MIGRATION_COOKIE_PERSISTENT = 1 << 1,  /* persistent definition */
    QEMU_MIGRATION_COOKIE_STATS = 1 << 2,       /* job statistics */
    QEMU_MIGRATION_COOKIE_CAPS = 1 << 3,        /* migration capabilities */
    QEMU_MIGRATION_COOKIE_NBD = 1 << 4,         /* storage copy over NBD */
} qemuMigrationCookieFlags;

#define QEMU_MIGRATION_COOKIE_ALL \
    (QEMU_MIGRATION_COOKIE_LOCKSTATE | QEMU_MIGRATION_COOKIE_PERSISTENT | \
     QEMU_MIGRATION_COOKIE_STATS | QEMU_MIGRATION_COOKIE_CAPS | \
     QEMU_MIGRATION_COOKIE_NBD)

/* One disk of <nbd>: the source tells the destination the disks it will
 * copy and their virtual size. */
typedef struct _qemuMigrationCookieNBDDisk qemuMigrationCookieNBDDisk;
struct _qemuMigrationCookieNBDDisk {
    char *target;                       /* "vda" */
    unsigned long long capacity;        /* bytes */
};

typedef struct _qemuMigrationCookie qemuMigrationCookie;
struct _qemuMigrationCookie {
    unsigned int flags;         /* qemuMigrationCookieFlags: parts present */

    /* The domain. */
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];

    /* This host: written into cookies we format.  In a parsed cookie
     * only localHostUUID is set (the one Parse was given). */
    char *localHostname;
    unsigned char localHostUUID[VIR_UUID_BUFLEN];

    /* The peer that made a parsed cookie (unset in cookies we make). */
    char *remoteHostname;
    unsigned char remoteHostUUID[VIR_UUID_BUFLEN];

    /* LOCKSTATE: passed through as opaque strings.  <lockstate> is only
     * written when lockState is set (then lockDriver must be too). */
    char *lockDriver;
    char *lockState;

    /* PERSISTENT: the persistent definition for PERSIST_DEST (owned). */
    virDomainDef *persistent;

    /* STATS: job statistics (owned).  Parsed statistics have status
     * COMPLETED and operation UNKNOWN (the receiver knows which). */
    qemuDomainJobData *jobData;

    /* CAPS: bit masks of QEMU_MONITOR_MIGRATION_CAP_BIT(cap): the
     * capabilities the host's QEMU supports and those it turns on
     * automatically.  Only supported ones are sent, so automatic bits
     * outside capsSupported are lost. */
    unsigned long long capsSupported;
    unsigned long long capsAutomatic;

    /* NBD (libvirt's <nbd port='P'><disk target= capacity=/></nbd>):
     * from the source, the disks to copy; from the destination, the
     * port of its NBD server (0: not given). */
    unsigned int nbdPort;
    qemuMigrationCookieNBDDisk *nbdDisks;
    size_t nbdNDisks;
};

/**
 * qemuMigrationCookieNew:
 * A cookie without optional parts about domain @name/@uuid, made by the
 * host @hostname/@hostUUID.  Never fails.
 */
qemuMigrationCookie *qemuMigrationCookieNew(const char *name,
                                            const unsigned char *uuid,
                                            const char *hostname,
                                            const unsigned char *hostUUID);

void qemuMigrationCookieFree(qemuMigrationCookie *cookie);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMigrationCookie, qemuMigrationCookieFree);

/**
 * qemuMigrationCookieFormat:
 * @flags: the parts to include (qemuMigrationCookieFlags); a part is
 *         written if it is in both @flags and cookie->flags (STATS and
 *         PERSISTENT also need their data)
 * @out: set to the XML text, NUL-terminated (caller frees)
 * @outlen: set to strlen(*out) + 1, the length to send
 *
 * Returns 0, or -1 with an error reported (name or hostname missing,
 * lockState without lockDriver, a definition that cannot be formatted,
 * a cookie over QEMU_MIGRATION_COOKIE_MAX_SIZE).
 */
int qemuMigrationCookieFormat(const qemuMigrationCookie *cookie,
                              unsigned int flags,
                              char **out,
                              size_t *outlen);

/**
 * qemuMigrationCookieParse:
 * @data, @len: the cookie received from the peer; @len may or may not
 *              count a trailing NUL, nothing past @len is read
 * @localHostUUID: this host's UUID (required): a cookie made by a host
 *                 with the same UUID is refused with
 *                 VIR_ERR_INTERNAL_ERROR "Attempt to migrate guest to the
 *                 same host UUID"
 * @expectName, @expectUUID: if not NULL, the domain the cookie must be
 *                 about (VIR_ERR_INTERNAL_ERROR "Incoming cookie data had
 *                 unexpected name|UUID COOKIE vs EXPECTED", as libvirt)
 * @flags: the parts accepted (qemuMigrationCookieFlags); other parts are
 *         ignored unless listed as a mandatory <feature>, which fails
 *
 * An empty cookie (@data NULL, @len 0 or only a NUL) is not an error:
 * libvirt tolerates a missing cookie at every step, so the result is a
 * cookie without parts (flags 0) carrying @expectName/@expectUUID and no
 * remote host; callers that need a part check cookie->flags.
 *
 * Malformed cookies fail with VIR_ERR_INTERNAL_ERROR (missing or invalid
 * element, embedded NUL, over QEMU_MIGRATION_COOKIE_MAX_SIZE),
 * VIR_ERR_XML_DETAIL (not well formed) or VIR_ERR_XML_ERROR (wrong root
 * element), or with the domain parser's errors for a bad <domain>.
 *
 * Returns the cookie (caller frees) or NULL.
 */
qemuMigrationCookie *qemuMigrationCookieParse(const char *data,
                                              size_t len,
                                              const unsigned char *localHostUUID,
                                              const char *expectName,
                                              const unsigned char *expectUUID,
                                              unsigned int flags);
