/*
 * virconf.c: libvirt-style "key = value" configuration files
 */
#include <string.h>
#include <limits.h>

#include "virconf.h"
#include "virerror.h"
#include "virfile.h"

#define VIR_FROM_THIS VIR_FROM_CONF

#define VIR_CONF_MAX_SIZE (1024 * 1024)

typedef struct {
    char *key;
    virConfType type;
    char *str;
    long long num;
    GStrv list;
} virConfEntry;

struct _virConf {
    char *filename;
    GPtrArray *entries;   /* of virConfEntry */
    GPtrArray *keys;      /* NULL-terminated view of the keys */
};

typedef struct {
    const char *filename;
    const char *cur;
    int line;
} virConfParser;

static void
virConfEntryFree(gpointer data)
{
    virConfEntry *e = data;

    g_free(e->key);
    g_free(e->str);
    g_strfreev(e->list);
    g_free(e);
}

void
virConfFree(virConf *conf)
{
    if (!conf)
        return;
    g_ptr_array_unref(conf->entries);
    g_ptr_array_unref(conf->keys);
    g_free(conf->filename);
    g_free(conf);
}

static void G_GNUC_PRINTF(2, 3)
virConfSyntaxError(virConfParser *p, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list args;

    va_start(args, fmt);
    msg = g_strdup_vprintf(fmt, args);
    va_end(args);
    virReportError(VIR_ERR_CONF_SYNTAX, "%s:%d: %s", p->filename, p->line, msg);
}

/* Skips blanks and comments; newlines too when @newlines. */
static void
virConfSkip(virConfParser *p, bool newlines)
{
    while (*p->cur) {
        if (*p->cur == '#') {
            while (*p->cur && *p->cur != '\n')
                p->cur++;
        } else if (*p->cur == '\n' && newlines) {
            p->line++;
            p->cur++;
        } else if (*p->cur == ' ' || *p->cur == '\t' || *p->cur == '\r') {
            p->cur++;
        } else {
            break;
        }
    }
}

static char *
virConfParseString(virConfParser *p)
{
    char quote = *p->cur++;
    const char *start = p->cur;

    while (*p->cur && *p->cur != quote && *p->cur != '\n')
        p->cur++;
    if (*p->cur != quote) {
        virConfSyntaxError(p, _("unterminated string"));
        return NULL;
    }
    p->cur++;
    return g_strndup(start, p->cur - start - 1);
}

static int
virConfParseNumber(virConfParser *p, long long *num)
{
    char *end = NULL;

    errno = 0;
    *num = g_ascii_strtoll(p->cur, &end, 10);
    if (end == p->cur || errno != 0) {
        virConfSyntaxError(p, _("expecting a value"));
        return -1;
    }
    p->cur = end;
    return 0;
}

static GStrv
virConfParseList(virConfParser *p)
{
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

    p->cur++;
    virConfSkip(p, true);
    while (*p->cur != ']') {
        g_autofree char *item = NULL;

        if (*p->cur != '"' && *p->cur != '\'') {
            virConfSyntaxError(p, _("expecting a string in the list"));
            return NULL;
        }
        if (!(item = virConfParseString(p)))
            return NULL;
        g_strv_builder_add(builder, item);
        virConfSkip(p, true);
        if (*p->cur == ',') {
            p->cur++;
            virConfSkip(p, true);
        } else if (*p->cur != ']') {
            virConfSyntaxError(p, _("expecting ',' or ']' in the list"));
            return NULL;
        }
    }
    p->cur++;
    return g_strv_builder_end(builder);
}

static int
virConfParseValue(virConfParser *p, virConfEntry *e)
{
    if (*p->cur == '"' || *p->cur == '\'') {
        e->type = VIR_CONF_STRING;
        return (e->str = virConfParseString(p)) ? 0 : -1;
    }
    if (*p->cur == '[') {
        e->type = VIR_CONF_LIST;
        return (e->list = virConfParseList(p)) ? 0 : -1;
    }
    e->type = VIR_CONF_LLONG;
    return virConfParseNumber(p, &e->num);
}

static virConfEntry *
virConfFind(virConf *conf, const char *key)
{
    size_t i;

    for (i = 0; i < conf->entries->len; i++) {
        virConfEntry *e = g_ptr_array_index(conf->entries, i);
        if (g_str_equal(e->key, key))
            return e;
    }
    return NULL;
}

static int
virConfParseStatement(virConfParser *p, virConf *conf)
{
    g_autoptr(GString) key = g_string_new(NULL);
    virConfEntry *e;

    while (g_ascii_isalnum(*p->cur) || *p->cur == '_' || *p->cur == '.')
        g_string_append_c(key, *p->cur++);
    if (key->len == 0 || !g_ascii_isalpha(key->str[0])) {
        virConfSyntaxError(p, _("expecting a name"));
        return -1;
    }
    virConfSkip(p, false);
    if (*p->cur != '=') {
        virConfSyntaxError(p, _("expecting '=' after '%1$s'"), key->str);
        return -1;
    }
    p->cur++;
    virConfSkip(p, false);
    if (virConfFind(conf, key->str)) {
        virConfSyntaxError(p, _("setting '%1$s' given twice"), key->str);
        return -1;
    }
    e = g_new0(virConfEntry, 1);
    e->key = g_string_free(g_steal_pointer(&key), FALSE);
    g_ptr_array_add(conf->entries, e);
    if (virConfParseValue(p, e) < 0)
        return -1;
    virConfSkip(p, false);
    if (*p->cur == ';' || *p->cur == ',')
        p->cur++;
    virConfSkip(p, false);
    if (*p->cur && *p->cur != '\n') {
        virConfSyntaxError(p, _("unexpected text after the value of '%1$s'"),
                           e->key);
        return -1;
    }
    return 0;
}

virConf *
virConfReadString(const char *content, const char *filename)
{
    g_autoptr(virConf) conf = g_new0(virConf, 1);
    virConfParser p = { .filename = filename ? filename : "(string)",
                        .cur = content, .line = 1 };
    size_t i;

    conf->filename = g_strdup(p.filename);
    conf->entries = g_ptr_array_new_with_free_func(virConfEntryFree);
    conf->keys = g_ptr_array_new();

    for (;;) {
        virConfSkip(&p, true);
        if (!*p.cur)
            break;
        if (virConfParseStatement(&p, conf) < 0)
            return NULL;
    }
    for (i = 0; i < conf->entries->len; i++)
        g_ptr_array_add(conf->keys,
                        ((virConfEntry *)g_ptr_array_index(conf->entries, i))->key);
    g_ptr_array_add(conf->keys, NULL);
    return g_steal_pointer(&conf);
}

virConf *
virConfReadFile(const char *path)
{
    g_autofree char *data = NULL;

    if (virFileReadAll(path, VIR_CONF_MAX_SIZE, &data) < 0)
        return NULL;
    return virConfReadString(data, path);
}

const char *const *
virConfKeys(virConf *conf)
{
    return (const char *const *)conf->keys->pdata;
}

int
virConfGetType(virConf *conf, const char *key)
{
    virConfEntry *e = virConfFind(conf, key);

    return e ? (int)e->type : -1;
}

static virConfEntry *
virConfLookupTyped(virConf *conf, const char *key, virConfType type,
                   const char *what, int *ret)
{
    virConfEntry *e = virConfFind(conf, key);

    *ret = 0;
    if (!e)
        return NULL;
    if (e->type != type) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("%1$s: setting '%2$s' must be %3$s"),
                       conf->filename, key, what);
        *ret = -1;
        return NULL;
    }
    *ret = 1;
    return e;
}

int
virConfGetValueString(virConf *conf, const char *key, char **value)
{
    int ret;
    virConfEntry *e = virConfLookupTyped(conf, key, VIR_CONF_STRING,
                                         _("a string"), &ret);

    if (e) {
        g_free(*value);
        *value = g_strdup(e->str);
    }
    return ret;
}

int
virConfGetValueStringList(virConf *conf, const char *key, GStrv *value)
{
    virConfEntry *e = virConfFind(conf, key);

    if (!e)
        return 0;
    if (e->type == VIR_CONF_STRING) {
        g_strfreev(*value);
        *value = g_new0(char *, 2);
        (*value)[0] = g_strdup(e->str);
        return 1;
    }
    if (e->type != VIR_CONF_LIST) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("%1$s: setting '%2$s' must be %3$s"),
                       conf->filename, key, _("a list of strings"));
        return -1;
    }
    g_strfreev(*value);
    *value = g_strdupv(e->list);
    return 1;
}

static int
virConfGetRanged(virConf *conf, const char *key, long long min,
                 long long max, long long *value)
{
    int ret;
    virConfEntry *e = virConfLookupTyped(conf, key, VIR_CONF_LLONG,
                                         _("an integer"), &ret);

    if (!e)
        return ret;
    if (e->num < min || e->num > max) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("%1$s: setting '%2$s' is out of range (%3$lld)"),
                       conf->filename, key, e->num);
        return -1;
    }
    *value = e->num;
    return 1;
}

int
virConfGetValueInt(virConf *conf, const char *key, int *value)
{
    long long v = 0;
    int ret = virConfGetRanged(conf, key, INT_MIN, INT_MAX, &v);

    if (ret == 1)
        *value = v;
    return ret;
}

int
virConfGetValueUInt(virConf *conf, const char *key, unsigned int *value)
{
    long long v = 0;
    int ret = virConfGetRanged(conf, key, 0, UINT_MAX, &v);

    if (ret == 1)
        *value = v;
    return ret;
}

int
virConfGetValueBool(virConf *conf, const char *key, bool *value)
{
    long long v = 0;
    int ret = virConfGetRanged(conf, key, 0, 1, &v);

    if (ret == 1)
        *value = v != 0;
    return ret;
}
