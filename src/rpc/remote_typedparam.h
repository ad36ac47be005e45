/*
 * remote_typedparam.h: virTypedParameter <-> remote_typed_param
 *
 * Typed parameters travel as remote_typed_param: a field name and a
 * value union discriminated by libvirt's VIR_TYPED_PARAM_* type.
 */
#pragma once

#include "internal.h"
#include "virtypedparam.h"
#include "remote_protocol.h"

/**
 * remoteSerializeTypedParams:
 * Fills *@out / *@outlen (freed by xdr_free of the enclosing struct)
 * from @params.  Fails with VIR_ERR_RPC if there are more than @max.
 */
int remoteSerializeTypedParams(const virTypedParameter *params, size_t n,
                               size_t max, remote_typed_param **out,
                               u_int *outlen);

/* The parameters received from a client, validated (name length, type,
 * at most @max).  NULL with VIR_ERR_RPC / VIR_ERR_INVALID_ARG. */
virTypedParamList *remoteDeserializeTypedParams(const remote_typed_param *in,
                                                u_int n, size_t max);

/**
 * remoteTypedParamsFromVariant:
 * Converts a GVariant a{sv} (the driver's event payload) into typed
 * parameters: int32 -> INT, uint32 -> UINT, int64 -> LLONG,
 * uint64 -> ULLONG, double -> DOUBLE, boolean -> BOOLEAN,
 * string -> STRING; other value types are skipped.  NULL @dict gives
 * an empty list.
 */
virTypedParamList *remoteTypedParamsFromVariant(GVariant *dict);
