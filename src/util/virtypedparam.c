/*
 * virtypedparam.c: libvirt typed parameters
 */
#include <string.h>
#include <stdarg.h>

#include "virtypedparam.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_NONE

static const char *const virTypedParamTypeNames[] = {
    "", "int", "uint", "llong", "ullong", "double", "boolean", "string",
};

virTypedParamList *
virTypedParamListNew(void)
{
    return g_new0(virTypedParamList, 1);
}

void
virTypedParamsClear(virTypedParameter *params, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (params[i].type == VIR_TYPED_PARAM_STRING)
            g_clear_pointer(&params[i].value.s, g_free);
    }
}

void
virTypedParamListFree(virTypedParamList *list)
{
    if (!list)
        return;
    virTypedParamsClear(list->par, list->npar);
    g_free(list->par);
    g_free(list);
}

static virTypedParameter *
virTypedParamListAdd(virTypedParamList *l, const char *name, int type)
{
    virTypedParameter *p;

    if (strlen(name) >= VIR_TYPED_PARAM_FIELD_LENGTH) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("parameter name '%1$s' too long"), name);
        return NULL;
    }
    if (l->npar == l->alloc) {
        l->alloc = MAX(8, l->alloc * 2);
        l->par = g_renew(virTypedParameter, l->par, l->alloc);
    }
    p = &l->par[l->npar++];
    memset(p, 0, sizeof(*p));
    g_strlcpy(p->field, name, sizeof(p->field));
    p->type = type;
    return p;
}

#define VIR_TYPED_PARAM_ADDER(fn, ctype, tcode, member) \
    int \
    fn(virTypedParamList *l, const char *name, ctype v) \
    { \
        virTypedParameter *p = virTypedParamListAdd(l, name, tcode); \
        if (!p) \
            return -1; \
        p->value.member = v; \
        return 0; \
    }

VIR_TYPED_PARAM_ADDER(virTypedParamListAddInt, int, VIR_TYPED_PARAM_INT, i)
VIR_TYPED_PARAM_ADDER(virTypedParamListAddUInt, unsigned int,
                      VIR_TYPED_PARAM_UINT, ui)
VIR_TYPED_PARAM_ADDER(virTypedParamListAddLLong, long long,
                      VIR_TYPED_PARAM_LLONG, l)
VIR_TYPED_PARAM_ADDER(virTypedParamListAddULLong, unsigned long long,
                      VIR_TYPED_PARAM_ULLONG, ul)
VIR_TYPED_PARAM_ADDER(virTypedParamListAddDouble, double,
                      VIR_TYPED_PARAM_DOUBLE, d)
VIR_TYPED_PARAM_ADDER(virTypedParamListAddBoolean, bool,
                      VIR_TYPED_PARAM_BOOLEAN, b)

int
virTypedParamListAddString(virTypedParamList *l, const char *name,
                           const char *v)
{
    virTypedParameter *p = virTypedParamListAdd(l, name, VIR_TYPED_PARAM_STRING);

    if (!p)
        return -1;
    p->value.s = g_strdup(v);
    return 0;
}

int
virTypedParamListAddCopy(virTypedParamList *l, const virTypedParameter *src)
{
    virTypedParameter *p = virTypedParamListAdd(l, src->field, src->type);

    if (!p)
        return -1;
    p->value = src->value;
    if (src->type == VIR_TYPED_PARAM_STRING)
        p->value.s = g_strdup(src->value.s);
    return 0;
}

const virTypedParameter *
virTypedParamsGet(const virTypedParameter *params, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (g_str_equal(params[i].field, name))
            return &params[i];
    }
    return NULL;
}

static const virTypedParameter *
virTypedParamsGetTyped(const virTypedParameter *params, size_t n,
                       const char *name, int type, int *ret)
{
    const virTypedParameter *p = virTypedParamsGet(params, n, name);

    *ret = 0;
    if (!p)
        return NULL;
    if (p->type != type) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("invalid type '%1$s' for parameter '%2$s', expected '%3$s'"),
                       p->type > 0 && p->type < VIR_TYPED_PARAM_LAST ?
                       virTypedParamTypeNames[p->type] : "?",
                       name, virTypedParamTypeNames[type]);
        *ret = -1;
        return NULL;
    }
    *ret = 1;
    return p;
}

int
virTypedParamsGetString(const virTypedParameter *params, size_t n,
                        const char *name, const char **value)
{
    int ret;
    const virTypedParameter *p = virTypedParamsGetTyped(params, n, name,
                                                        VIR_TYPED_PARAM_STRING,
                                                        &ret);
    if (p)
        *value = p->value.s;
    return ret;
}

int
virTypedParamsGetULLong(const virTypedParameter *params, size_t n,
                        const char *name, unsigned long long *value)
{
    int ret;
    const virTypedParameter *p = virTypedParamsGetTyped(params, n, name,
                                                        VIR_TYPED_PARAM_ULLONG,
                                                        &ret);
    if (p)
        *value = p->value.ul;
    return ret;
}

int
virTypedParamsGetInt(const virTypedParameter *params, size_t n,
                     const char *name, int *value)
{
    int ret;
    const virTypedParameter *p = virTypedParamsGetTyped(params, n, name,
                                                        VIR_TYPED_PARAM_INT,
                                                        &ret);
    if (p)
        *value = p->value.i;
    return ret;
}

static int
virTypedParamsAllowedType(const char *name, va_list args)
{
    const char *allowed;

    while ((allowed = va_arg(args, const char *))) {
        int type = va_arg(args, int);

        if (g_str_equal(allowed, name))
            return type;
    }
    return -1;
}

int
virTypedParamsValidate(const virTypedParameter *params, size_t n, ...)
{
    size_t i;

    for (i = 0; i < n; i++) {
        va_list args;
        int type;

        va_start(args, n);
        type = virTypedParamsAllowedType(params[i].field, args);
        va_end(args);
        if (type < 0) {
            virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED,
                           _("parameter '%1$s' not supported"),
                           params[i].field);
            return -1;
        }
        if (params[i].type != type) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("invalid type '%1$s' for parameter '%2$s', expected '%3$s'"),
                           params[i].type > 0 && params[i].type < VIR_TYPED_PARAM_LAST ?
                           virTypedParamTypeNames[params[i].type] : "?",
                           params[i].field, virTypedParamTypeNames[type]);
            return -1;
        }
    }
    return 0;
}
