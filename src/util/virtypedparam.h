/*
 * virtypedparam.h: libvirt typed parameters (name, type, value)
 *
 * Used for migration parameters, job statistics and other extensible
 * API arguments.  Type numbers are libvirt's VIR_TYPED_PARAM_* values:
 * they travel over the wire in remote_typed_param.
 */
#pragma once

#include "internal.h"

#define VIR_TYPED_PARAM_FIELD_LENGTH 80

typedef enum {
    VIR_TYPED_PARAM_INT = 1,
    VIR_TYPED_PARAM_UINT = 2,
    VIR_TYPED_PARAM_LLONG = 3,
    VIR_TYPED_PARAM_ULLONG = 4,
    VIR_TYPED_PARAM_DOUBLE = 5,
    VIR_TYPED_PARAM_BOOLEAN = 6,
    VIR_TYPED_PARAM_STRING = 7,
    VIR_TYPED_PARAM_LAST
} virTypedParameterType;

typedef struct _virTypedParameter virTypedParameter;
struct _virTypedParameter {
    char field[VIR_TYPED_PARAM_FIELD_LENGTH];
    int type;
    union {
        int i;
        unsigned int ui;
        long long int l;
        unsigned long long int ul;
        double d;
        char b;
        char *s;     /* owned */
    } value;
};

/* A growable list of parameters; owns the strings. */
typedef struct _virTypedParamList virTypedParamList;
struct _virTypedParamList {
    virTypedParameter *par;
    size_t npar;
    size_t alloc;
};

virTypedParamList *virTypedParamListNew(void);
void virTypedParamListFree(virTypedParamList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virTypedParamList, virTypedParamListFree);

/* Adders fail (-1, VIR_ERR_INVALID_ARG) only on a name too long. */
int virTypedParamListAddInt(virTypedParamList *l, const char *name, int v);
int virTypedParamListAddUInt(virTypedParamList *l, const char *name,
                             unsigned int v);
int virTypedParamListAddLLong(virTypedParamList *l, const char *name,
                              long long v);
int virTypedParamListAddULLong(virTypedParamList *l, const char *name,
                               unsigned long long v);
int virTypedParamListAddDouble(virTypedParamList *l, const char *name,
                               double v);
int virTypedParamListAddBoolean(virTypedParamList *l, const char *name,
                                bool v);
int virTypedParamListAddString(virTypedParamList *l, const char *name,
                               const char *v);

/* Appends a copy of @src (its string duplicated). */
int virTypedParamListAddCopy(virTypedParamList *l, const virTypedParameter *src);

/* Frees the strings of @params[0..n) (not the array itself). */
void virTypedParamsClear(virTypedParameter *params, size_t n);

/* First parameter called @name, or NULL. */
const virTypedParameter *virTypedParamsGet(const virTypedParameter *params,
                                           size_t n, const char *name);

/*
 * Getters: 1 and *value set if present with the right type, 0 if
 * absent, -1 with VIR_ERR_INVALID_ARG if present with another type.
 */
int virTypedParamsGetString(const virTypedParameter *params, size_t n,
                            const char *name, const char **value);
int virTypedParamsGetULLong(const virTypedParameter *params, size_t n,
                            const char *name, unsigned long long *value);
int virTypedParamsGetInt(const virTypedParameter *params, size_t n,
                         const char *name, int *value);

/**
 * virTypedParamsValidate:
 * Checks every parameter of @params against the allowed names and types
 * given as NULL-terminated pairs (const char *name, int type, ...).
 * Unknown names → VIR_ERR_ARGUMENT_UNSUPPORTED "parameter 'NAME' not
 * supported" (libvirt's wording); a wrong type → VIR_ERR_INVALID_ARG.
 */
int virTypedParamsValidate(const virTypedParameter *params, size_t n, ...)
    G_GNUC_NULL_TERMINATED;
