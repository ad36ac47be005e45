/*
 * viruuid.c: UUID generation, parsing and formatting
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "viruuid.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_NONE

/* Fills @buf with @len bytes from the kernel's CSPRNG (getrandom(2),
 * which blocks only until the pool is first initialised). */
static int
virRandomBytes(unsigned char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = getrandom(buf, len, 0);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            virReportSystemError(errno, "%s", _("cannot read random bytes"));
            return -1;
        }
        buf += n;
        len -= n;
    }
    return 0;
}

int
virUUIDGenerate(unsigned char *uuid)
{
    if (virRandomBytes(uuid, VIR_UUID_BUFLEN) < 0)
        return -1;
    uuid[6] = (uuid[6] & 0x0F) | 0x40;  /* version 4 */
    uuid[8] = (uuid[8] & 0x3F) | 0x80;  /* RFC 4122 variant */
    return 0;
}

int
virUUIDParse(const char *str, unsigned char *uuid)
{
    const char *cur = str;
    size_t i;

    if (!str)
        return -1;
    while (g_ascii_isspace(*cur))
        cur++;
    for (i = 0; i < VIR_UUID_BUFLEN;) {
        int hi, lo;

        if (*cur == '-') {
            cur++;
            continue;
        }
        hi = g_ascii_xdigit_value(cur[0]);
        lo = hi < 0 ? -1 : g_ascii_xdigit_value(cur[1]);
        if (hi < 0 || lo < 0)
            return -1;
        uuid[i++] = (hi << 4) | lo;
        cur += 2;
    }
    while (*cur) {
        if (!g_ascii_isspace(*cur))
            return -1;
        cur++;
    }
    return 0;
}

const char *
virUUIDFormat(const unsigned char *uuid, char *buf)
{
    g_snprintf(buf, VIR_UUID_STRING_BUFLEN,
               "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
               "%02x%02x%02x%02x%02x%02x",
               uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5],
               uuid[6], uuid[7], uuid[8], uuid[9], uuid[10], uuid[11],
               uuid[12], uuid[13], uuid[14], uuid[15]);
    return buf;
}

bool
virUUIDIsNull(const unsigned char *uuid)
{
    size_t i;
    bool zero = true, ones = true;

    for (i = 0; i < VIR_UUID_BUFLEN; i++) {
        zero &= uuid[i] == 0;
        ones &= uuid[i] == 0xff;
    }
    return zero || ones;
}
