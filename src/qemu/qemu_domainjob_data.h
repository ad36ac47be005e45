/*
 * qemu_domainjob_data.h: helpers around qemuDomainJobData
 *
 * qemuDomainJobData itself and its New/Copy/Free/ToType/ToParams
 * functions are declared in qemu_domainjob.h; this header adds the
 * unit conversions shared by the job statistics and the migration
 * cookie (both implemented in qemu_domainjob_data.c).
 */
#pragma once

#include "qemu_domainjob.h"

/**
 * qemuDomainJobDataMbpsToBps:
 * QEMU reports bandwidth in Mbit/s (M = 10^6); libvirt reports bytes/s
 * as mbps * 10^6 / 8 truncated ("memory_bps", "disk_bps").  The result
 * is stable under qemuDomainJobDataBpsToMbps(): converting bytes/s to
 * Mbit/s and back gives the same bytes/s.  0 for a non-positive (or
 * NaN) @mbps.
 */
unsigned long long qemuDomainJobDataMbpsToBps(double mbps);

/* Inverse of qemuDomainJobDataMbpsToBps (used when bytes/s arrive in a
 * migration cookie). */
double qemuDomainJobDataBpsToMbps(unsigned long long bps);
