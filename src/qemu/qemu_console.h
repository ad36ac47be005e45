/*
 * qemu_console.h: console sessions (the API is in qemu_driver.h)
 */
#pragma once

#include "internal.h"

/* The driver's list of open sessions (driver->consoles). */
GPtrArray *qemuConsoleListNew(void);
