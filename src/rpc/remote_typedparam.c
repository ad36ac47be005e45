/*
 * remote_typedparam.c: virTypedParameter <-> remote_typed_param
 */
#include <string.h>

#include "remote_typedparam.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_RPC

static void
remoteSerializeOne(const virTypedParameter *param, remote_typed_param *val)
{
    remote_typed_param_value *v = &val->value;

    val->field = g_strdup(param->field);
    v->type = param->type;
    switch ((virTypedParameterType)param->type) {
    case VIR_TYPED_PARAM_INT:
        v->remote_typed_param_value_u.i = param->value.i;
        break;
    case VIR_TYPED_PARAM_UINT:
        v->remote_typed_param_value_u.ui = param->value.ui;
        break;
    case VIR_TYPED_PARAM_LLONG:
        v->remote_typed_param_value_u.l = param->value.l;
        break;
    case VIR_TYPED_PARAM_ULLONG:
        v->remote_typed_param_value_u.ul = param->value.ul;
        break;
    case VIR_TYPED_PARAM_DOUBLE:
        v->remote_typed_param_value_u.d = param->value.d;
        break;
    case VIR_TYPED_PARAM_BOOLEAN:
        v->remote_typed_param_value_u.b = param->value.b;
        break;
    case VIR_TYPED_PARAM_STRING:
        v->remote_typed_param_value_u.s = g_strdup(param->value.s ? param->value.s : "");
        break;
    case VIR_TYPED_PARAM_LAST:
        break;
    }
}

int
remoteSerializeTypedParams(const virTypedParameter *params, size_t n,
                           size_t max, remote_typed_param **out, u_int *outlen)
{
    size_t i;

    if (n > max) {
        virReportError(VIR_ERR_RPC,
                       _("too many remote typed parameters '%1$zu' for limit '%2$zu'"),
                       n, max);
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (params[i].type <= 0 || params[i].type >= VIR_TYPED_PARAM_LAST) {
            virReportError(VIR_ERR_RPC, _("unknown parameter type: %1$d"),
                           params[i].type);
            return -1;
        }
    }
    *out = g_new0(remote_typed_param, MAX(n, 1));
    *outlen = n;
    for (i = 0; i < n; i++)
        remoteSerializeOne(&params[i], &(*out)[i]);
    return 0;
}

static int
remoteDeserializeOne(virTypedParamList *list, const remote_typed_param *p)
{
    const remote_typed_param_value *v = &p->value;

    switch (v->type) {
    case VIR_TYPED_PARAM_INT:
        return virTypedParamListAddInt(list, p->field, v->remote_typed_param_value_u.i);
    case VIR_TYPED_PARAM_UINT:
        return virTypedParamListAddUInt(list, p->field, v->remote_typed_param_value_u.ui);
    case VIR_TYPED_PARAM_LLONG:
        return virTypedParamListAddLLong(list, p->field, v->remote_typed_param_value_u.l);
    case VIR_TYPED_PARAM_ULLONG:
        return virTypedParamListAddULLong(list, p->field, v->remote_typed_param_value_u.ul);
    case VIR_TYPED_PARAM_DOUBLE:
        return virTypedParamListAddDouble(list, p->field, v->remote_typed_param_value_u.d);
    case VIR_TYPED_PARAM_BOOLEAN:
        return virTypedParamListAddBoolean(list, p->field,
                                           v->remote_typed_param_value_u.b != 0);
    case VIR_TYPED_PARAM_STRING:
        return virTypedParamListAddString(list, p->field, v->remote_typed_param_value_u.s);
    default:
        virReportError(VIR_ERR_RPC, _("unknown parameter type: %1$d"), v->type);
        return -1;
    }
}

virTypedParamList *
remoteDeserializeTypedParams(const remote_typed_param *in, u_int n, size_t max)
{
    g_autoptr(virTypedParamList) list = virTypedParamListNew();
    u_int i;

    if (n > max) {
        virReportError(VIR_ERR_RPC,
                       _("too many remote typed parameters '%1$u' for limit '%2$zu'"),
                       n, max);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (remoteDeserializeOne(list, &in[i]) < 0)
            return NULL;
    }
    return g_steal_pointer(&list);
}

static int
remoteTypedParamFromVariant(virTypedParamList *list, const char *name,
                            GVariant *value)
{
    if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT32))
        return virTypedParamListAddInt(list, name, g_variant_get_int32(value));
    if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32))
        return virTypedParamListAddUInt(list, name, g_variant_get_uint32(value));
    if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT64))
        return virTypedParamListAddLLong(list, name, g_variant_get_int64(value));
    if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT64))
        return virTypedParamListAddULLong(list, name, g_variant_get_uint64(value));
    if (g_variant_is_of_type(value, G_VARIANT_TYPE_DOUBLE))
        return virTypedParamListAddDouble(list, name, g_variant_get_double(value));
    if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN))
        return virTypedParamListAddBoolean(list, name, g_variant_get_boolean(value));
    if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
        return virTypedParamListAddString(list, name, g_variant_get_string(value, NULL));
    return 0;
}

virTypedParamList *
remoteTypedParamsFromVariant(GVariant *dict)
{
    g_autoptr(virTypedParamList) list = virTypedParamListNew();
    GVariantIter iter;
    const char *name;
    GVariant *value;

    if (!dict || !g_variant_is_of_type(dict, G_VARIANT_TYPE_VARDICT))
        return g_steal_pointer(&list);
    g_variant_iter_init(&iter, dict);
    while (g_variant_iter_next(&iter, "{&sv}", &name, &value)) {
        int rc = remoteTypedParamFromVariant(list, name, value);

        g_variant_unref(value);
        if (rc < 0)
            return NULL;
    }
    return g_steal_pointer(&list);
}
