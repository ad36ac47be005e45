/*
 * viruuid.h: UUID generation, parsing and formatting (RFC 4122)
 */
#pragma once

#include "internal.h"

/* Fills @uuid with a random version-4 UUID from getrandom(2), as
 * libvirt does from its CSPRNG.  Returns 0, or -1 (reported). */
int virUUIDGenerate(unsigned char *uuid) G_GNUC_WARN_UNUSED_RESULT;

/* Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (dashes optional,
 * surrounding blanks allowed, like libvirt).  Returns 0, or -1 if
 * malformed (no error reported: callers know the context). */
int virUUIDParse(const char *str, unsigned char *uuid);

/* Formats into @buf of VIR_UUID_STRING_BUFLEN bytes, returns @buf. */
const char *virUUIDFormat(const unsigned char *uuid, char *buf);

/* True if the UUID is all zero bytes or all 0xff. */
bool virUUIDIsNull(const unsigned char *uuid);
