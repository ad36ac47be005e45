/*
 * testutils.h: helpers for golden-file unit tests (GLib gtest based)
 *
 * Set VIRTMIG_TEST_REGENERATE=1 to rewrite expected files from the
 * actual output instead of comparing.
 */
#pragma once

#include "internal.h"

/* Absolute path of @relpath under the tests source directory. */
char *virTestSrcPath(const char *relpath);

/* Reads a test data file (relative to the tests source dir) or aborts. */
char *virTestLoadFile(const char *relpath);

/**
 * virTestCompareToFile:
 * Compares @actual with the content of @relpath byte for byte; prints a
 * unified-style first-difference report on mismatch.  With
 * VIRTMIG_TEST_REGENERATE=1 writes @actual to the file instead.
 * Returns true if equal (or regenerated).
 */
bool virTestCompareToFile(const char *actual, const char *relpath);

/* Sorted list of file names in @reldir ending in @suffix. */
GStrv virTestListFiles(const char *reldir, const char *suffix);

/* "CODE: message\n" of the thread's last error, CODE as the name of
 * libvirt's virErrorNumber (e.g. VIR_ERR_XML_ERROR): what the tests'
 * .err files hold.  Caller frees. */
char *virTestFormatLastError(void);
/* Appends "NAME TYPE VALUE\n" for a typed parameter (golden files of
 * typed parameter lists). */
struct _virTypedParameter;
void virTestFormatTypedParam(GString *out, const struct _virTypedParameter *par);
