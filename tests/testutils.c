/*
 * testutils.c: helpers for golden-file unit tests
 */
#include <stdio.h>
#include <string.h>

#include "testutils.h"
#include "virerror.h"
#include "virtypedparam.h"

static const char *
virTestSrcDir(void)
{
    const char *dir = g_getenv("abs_srcdir");

    return dir ? dir : ".";
}

char *
virTestSrcPath(const char *relpath)
{
    if (g_path_is_absolute(relpath))
        return g_strdup(relpath);
    return g_build_filename(virTestSrcDir(), relpath, NULL);
}

char *
virTestLoadFile(const char *relpath)
{
    g_autofree char *path = virTestSrcPath(relpath);
    g_autoptr(GError) err = NULL;
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, &err))
        g_error("cannot read test data %s: %s", path, err->message);
    return data;
}

static void
virTestReportDiff(const char *expected, const char *actual, const char *path)
{
    size_t line = 1;
    const char *e = expected, *a = actual;
    const char *eline = e, *aline = a;

    while (*e && *a && *e == *a) {
        if (*e == '\n') {
            line++;
            eline = e + 1;
            aline = a + 1;
        }
        e++;
        a++;
    }
    fprintf(stderr, "--- %s (expected)\n+++ actual\n@@ first difference at line %zu @@\n",
            path, line);
    fprintf(stderr, "-%.*s\n", (int)strcspn(eline, "\n"), eline);
    fprintf(stderr, "+%.*s\n", (int)strcspn(aline, "\n"), aline);
}

bool
virTestCompareToFile(const char *actual, const char *relpath)
{
    g_autofree char *path = virTestSrcPath(relpath);
    g_autofree char *expected = NULL;

    if (g_getenv("VIRTMIG_TEST_REGENERATE")) {
        g_autoptr(GError) err = NULL;

        if (!g_file_set_contents(path, actual, -1, &err))
            g_error("cannot write %s: %s", path, err->message);
        return true;
    }
    if (!g_file_get_contents(path, &expected, NULL, NULL)) {
        fprintf(stderr, "missing expected file %s\n", path);
        return false;
    }
    if (g_str_equal(expected, actual))
        return true;
    virTestReportDiff(expected, actual, path);
    return false;
}

static gint
virTestStrcmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

GStrv
virTestListFiles(const char *reldir, const char *suffix)
{
    g_autofree char *path = virTestSrcPath(reldir);
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    const char *name;

    if (!dir)
        g_error("cannot open test data directory %s", path);
    while ((name = g_dir_read_name(dir))) {
        if (g_str_has_suffix(name, suffix))
            g_ptr_array_add(names, g_strdup(name));
    }
    g_ptr_array_sort(names, virTestStrcmp);
    g_ptr_array_add(names, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&names), FALSE);
}

static const char *
virTestErrorCodeName(int code)
{
    static const struct { int code; const char *name; } names[] = {
        { VIR_ERR_INTERNAL_ERROR, "VIR_ERR_INTERNAL_ERROR" },
        { VIR_ERR_INVALID_ARG, "VIR_ERR_INVALID_ARG" },
        { VIR_ERR_NO_SOURCE, "VIR_ERR_NO_SOURCE" },
        { VIR_ERR_NO_TARGET, "VIR_ERR_NO_TARGET" },
        { VIR_ERR_NO_NAME, "VIR_ERR_NO_NAME" },
        { VIR_ERR_XML_ERROR, "VIR_ERR_XML_ERROR" },
        { VIR_ERR_XML_DETAIL, "VIR_ERR_XML_DETAIL" },
        { VIR_ERR_CONFIG_UNSUPPORTED, "VIR_ERR_CONFIG_UNSUPPORTED" },
        { VIR_ERR_OVERFLOW, "VIR_ERR_OVERFLOW" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        if (names[i].code == code)
            return names[i].name;
    }
    return "UNKNOWN";
}

char *
virTestFormatLastError(void)
{
    return g_strdup_printf("%s: %s\n", virTestErrorCodeName(virGetLastErrorCode()),
                           virGetLastErrorMessage());
}

void
virTestFormatTypedParam(GString *out, const virTypedParameter *par)
{
    switch ((virTypedParameterType)par->type) {
    case VIR_TYPED_PARAM_INT:
        g_string_append_printf(out, "%s int %d\n", par->field, par->value.i);
        return;
    case VIR_TYPED_PARAM_UINT:
        g_string_append_printf(out, "%s uint %u\n", par->field, par->value.ui);
        return;
    case VIR_TYPED_PARAM_LLONG:
        g_string_append_printf(out, "%s llong %lld\n", par->field, par->value.l);
        return;
    case VIR_TYPED_PARAM_ULLONG:
        g_string_append_printf(out, "%s ullong %llu\n", par->field,
                               par->value.ul);
        return;
    case VIR_TYPED_PARAM_DOUBLE:
        g_string_append_printf(out, "%s double %.17g\n", par->field,
                               par->value.d);
        return;
    case VIR_TYPED_PARAM_BOOLEAN:
        g_string_append_printf(out, "%s boolean %d\n", par->field,
                               par->value.b);
        return;
    case VIR_TYPED_PARAM_STRING:
        g_string_append_printf(out, "%s string %s\n", par->field,
                               par->value.s);
        return;
    case VIR_TYPED_PARAM_LAST:
        break;
    }
    g_error("parameter %s has unknown type %d", par->field, par->type);
}
