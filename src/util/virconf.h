/*
 * virconf.h: libvirt-style "key = value" configuration files
 *
 * Syntax (as libvirtd.conf): one setting per line, "# comment", values
 * are "strings" (or 'strings'), integers, or lists [ "a", "b" ] that may
 * span lines.  A key given twice is an error.
 */
#pragma once

#include "internal.h"

typedef enum {
    VIR_CONF_STRING,
    VIR_CONF_LLONG,
    VIR_CONF_LIST,
} virConfType;

typedef struct _virConf virConf;

/* Parses @content; @filename is used in error messages only.
 * Returns a new object or NULL with VIR_ERR_CONF_SYNTAX reported. */
virConf *virConfReadString(const char *content, const char *filename);
virConf *virConfReadFile(const char *path);
void virConfFree(virConf *conf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virConf, virConfFree);

/* The keys in file order (NULL-terminated, owned by @conf). */
const char *const *virConfKeys(virConf *conf);

/* The type of @key's value, or -1 if the key is absent. */
int virConfGetType(virConf *conf, const char *key);

/*
 * Getters: return 1 and set *value if the key is present, 0 if absent
 * (*value untouched), -1 with an error reported if it has another type
 * or is out of range.
 */
int virConfGetValueString(virConf *conf, const char *key, char **value);
int virConfGetValueStringList(virConf *conf, const char *key, GStrv *value);
int virConfGetValueInt(virConf *conf, const char *key, int *value);
int virConfGetValueUInt(virConf *conf, const char *key, unsigned int *value);
int virConfGetValueBool(virConf *conf, const char *key, bool *value);
