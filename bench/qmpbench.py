"""The QMP floor: QEMU's own migration driven directly over QMP.

Two QEMUs on this host, the source running the test guest, the
destination started with -incoming defer; the migration is driven the
way a management layer drives it (see run_qmp()).  Used by
qmp-migrate.py and, for the ratio to the floor, by virsh-migrate.py.
"""

import os
import select
import time

from benchlib import (BenchError, DST_ADDR, MIB, Qemu, QmpError, WorkDir,
                      dump_and_check, event_ms, free_port, log, make_image,
                      new_result, now_ms)

ACTIVE_STATES = ("setup", "active", "pre-switchover", "device",
                 "postcopy-active", "postcopy-paused", "postcopy-recover")


def boot_deadline(accel, params):
    """Seconds to wait for the first `pass`: boot plus one pass."""
    boot = 120.0 if accel == "kvm" else 180.0
    if params["rate"]:
        return boot + 2.0 * params["pages"] / params["rate"]
    return boot


def pass_seconds(params):
    if params["rate"]:
        return params["pages"] / params["rate"]
    return 1.0


def set_caps(qmp, caps):
    """Sets capabilities one by one (errors name the capability)."""
    for cap in caps:
        qmp.cmd("migrate-set-capabilities",
                {"capabilities": [{"capability": cap, "state": True}]})


def setup_migration(scn, src, dst, notes):
    """Capabilities on both sides, parameters on the source."""
    caps = ["events"]
    if scn.mode == "postcopy":
        caps.append("postcopy-ram")
        if scn.preempt:
            caps.append("postcopy-preempt")
    set_caps(src.qmp, caps)
    set_caps(dst.qmp, caps)
    if scn.libvirt_caps:
        # what libvirt 9.0 always enables when QEMU has it
        set_caps(src.qmp, ["pause-before-switchover"])
        set_caps(dst.qmp, ["late-block-activate"])
    if scn.mode == "postcopy" and scn.blocktime:
        try:
            set_caps(dst.qmp, ["postcopy-blocktime"])
        except QmpError as err:
            notes.append("postcopy-blocktime refused: " + err.desc)
    params = {"max-bandwidth": scn.bandwidth_mib * MIB,
              "max-postcopy-bandwidth": scn.postcopy_bandwidth_mib * MIB}
    if scn.downtime_ms is not None:
        params["downtime-limit"] = scn.downtime_ms
    src.qmp.cmd("migrate-set-parameters", params)


class MigrationWatch:
    """What the event loop has seen so far."""

    def __init__(self):
        self.t0 = None
        self.src_status = {}
        self.dst_status = {}
        self.passes = 0
        self.switch_cmd = None
        self.dst_cont = None
        self.dst_running = None
        self.last_info = None


def start_postcopy(src, watch):
    """Asks for the switch; QEMU refuses it only when no migration has
    started, which the callers rule out (a late request after completion
    is accepted and ignored)."""
    src.qmp.cmd("migrate-start-postcopy")
    watch.switch_cmd = now_ms()


def handle_events(scn, src, dst, watch):
    for ev in src.qmp.take_events():
        data = ev.get("data") or {}
        if ev["event"] == "MIGRATION":
            watch.src_status.setdefault(data["status"], event_ms(ev))
            if data["status"] == "pre-switchover":
                src.qmp.cmd("migrate-continue", {"state": "pre-switchover"})
        elif ev["event"] == "MIGRATION_PASS":
            watch.passes = max(watch.passes, data.get("pass", 0))
            if (scn.mode == "postcopy" and scn.postcopy_after == "pass"
                    and watch.passes >= 2 and watch.switch_cmd is None):
                start_postcopy(src, watch)
    for ev in dst.qmp.take_events():
        data = ev.get("data") or {}
        if ev["event"] == "MIGRATION":
            status = data["status"]
            watch.dst_status.setdefault(status, event_ms(ev))
            if (status in ("postcopy-active", "completed")
                    and watch.dst_cont is None):
                dst.qmp.cmd("cont")
                watch.dst_cont = now_ms()
        elif ev["event"] == "RESUME" and watch.dst_running is None:
            watch.dst_running = event_ms(ev)


def follow_migration(scn, src, dst, watch):
    """Runs the event loop; returns "completed", "timeout" or a failure."""
    deadline = time.time() + scn.timeout_s
    hard_deadline = deadline + scn.timeout_s
    next_query = 0.0
    while True:
        select.select([src.qmp, dst.qmp], [], [], 0.05)
        handle_events(scn, src, dst, watch)
        if "completed" in watch.src_status and watch.dst_running:
            return "completed"
        for side, status in (("source", watch.src_status),
                             ("destination", watch.dst_status)):
            for bad in ("failed", "cancelled"):
                if bad in status:
                    return "%s-%s" % (side, bad)
        src.alive()
        dst.alive()
        if time.time() >= next_query:
            info = src.qmp.cmd("query-migrate")
            if info.get("status") in ACTIVE_STATES and "ram" in info:
                watch.last_info = info
            next_query = time.time() + 0.5
        in_postcopy = "postcopy-active" in watch.src_status
        if time.time() > deadline and not in_postcopy:
            return "timeout"
        if time.time() > hard_deadline:
            return "postcopy-timeout"


def cancel_migration(src, watch, params):
    """migrate_cancel; then checks that the guest still runs at the source."""
    src.qmp.cmd("migrate_cancel")
    deadline = time.time() + 30
    while "cancelled" not in watch.src_status and time.time() < deadline:
        select.select([src.qmp], [], [], 0.1)
        for ev in src.qmp.take_events():
            if ev["event"] == "MIGRATION":
                watch.src_status.setdefault(ev["data"]["status"],
                                            event_ms(ev))
    last = src.serial.last()
    later = src.serial.wait_pass(last, time.time() + 30
                                 + 2 * pass_seconds(params), src.alive)
    if later is None:
        return "src-stuck"
    return "src-runs"


def final_info(qmp):
    """query-migrate after completion.  QEMU emits the `completed` event
    before it has computed total-time (a query right after the event
    can read 0), so ask again for up to 2 s."""
    deadline = time.time() + 2.0
    while True:
        info = qmp.cmd("query-migrate")
        if info.get("total-time") or time.time() > deadline:
            return info
        time.sleep(0.02)


def collect_figures(res, src, dst, watch, notes):
    info = final_info(src.qmp)
    ram = info.get("ram", {})
    res["total_ms"] = info.get("total-time")
    res["downtime_ms"] = info.get("downtime")
    res["setup_ms"] = info.get("setup-time")
    res["ram_transferred"] = ram.get("transferred")
    res["iterations"] = ram.get("dirty-sync-count")
    res["wall_ms"] = watch.dst_running - watch.t0
    if watch.last_info is not None:
        lram = watch.last_info["ram"]
        rate = lram.get("dirty-pages-rate", 0) * lram.get("page-size", 4096)
        res["qemu_dirty_mibs"] = round(rate / MIB, 1)
    notes.append("ram: precopy %s, downtime %s, postcopy %s bytes; "
                 "mbps %s" % (ram.get("precopy-bytes"),
                              ram.get("downtime-bytes"),
                              ram.get("postcopy-bytes"), ram.get("mbps")))
    if watch.switch_cmd is not None:
        res["pc_switched"] = ("yes" if "postcopy-active" in watch.src_status
                              else "no")
        res["pc_requests"] = ram.get("postcopy-requests")
        res["switch_to_complete_ms"] = (watch.src_status["completed"]
                                        - watch.switch_cmd)
        dinfo = dst.qmp.cmd("query-migrate")
        if "postcopy-blocktime" in dinfo:
            res["pc_blocktime_ms"] = dinfo["postcopy-blocktime"]
            notes.append("vcpu blocktime: %s ms"
                         % dinfo.get("postcopy-vcpu-blocktime"))
        if "postcopy-active" in watch.src_status:
            notes.append("migrate -> postcopy-active: %.0f ms"
                         % (watch.src_status["postcopy-active"] - watch.t0))


def verify_destination(build, res, image, params, src, dst, notes):
    """Serial passes continue on the destination; memory is consistent."""
    src_last = src.serial.last()
    dst_first = dst.serial.wait_pass(None, time.time() + 30
                                     + 2 * pass_seconds(params), dst.alive)
    if dst_first is None:
        res["check"] = "no-pass-on-dst"
        return
    notes.append("serial: source's last pass %s, destination's first %s"
                 % (src_last, dst_first))
    ok, verdict = dump_and_check(build, dst.qmp, image, params,
                                 os.path.join(os.path.dirname(image),
                                              "dst.dump"))
    notes.append("memcheck: " + verdict)
    if not ok:
        res["check"] = "FAIL"
    elif src_last is not None and dst_first != src_last + 1:
        res["check"] = "serial-gap"
    else:
        res["check"] = "ok"


def migrate(build, accel, scn, res, work, notes):
    image = os.path.join(work.path, "guest.img")
    params = make_image(build, image, scn.size_mib, scn.rate_mib)
    mem = params["memory-mib"]
    src = Qemu(work.path, "src", image, mem, accel)
    dst = Qemu(work.path, "dst", image, mem, accel, incoming=True)
    try:
        src.start()
        src.qmp.cmd("cont")
        if src.serial.wait_pass(None, time.time()
                                + boot_deadline(accel, params),
                                src.alive) is None:
            raise BenchError("no pass on the source's serial port")
        # what any management layer pays on top of the floor: starting
        # the destination's QEMU (compare.py shows it apart)
        t = now_ms()
        dst.start()
        res["dst_start_ms"] = now_ms() - t
        setup_migration(scn, src, dst, notes)
        uri = "tcp:%s:%d" % (DST_ADDR, free_port(DST_ADDR))
        dst.qmp.cmd("migrate-incoming", {"uri": uri})
        watch = MigrationWatch()
        watch.t0 = now_ms()
        src.qmp.cmd("migrate", {"uri": uri})
        if scn.mode == "postcopy" and scn.postcopy_after == "immediate":
            start_postcopy(src, watch)
        outcome = follow_migration(scn, src, dst, watch)
        if outcome == "timeout":
            res["result"] = "not-converged-%ds" % scn.timeout_s
            res["check"] = cancel_migration(src, watch, params)
            if watch.last_info is not None:
                notes.append("at cancel: iterations %s, remaining %s bytes"
                             % (watch.last_info["ram"].get("dirty-sync-count"),
                                watch.last_info["ram"].get("remaining")))
            return
        res["result"] = outcome
        if outcome != "completed":
            notes.append("source: " + str(src.qmp.cmd("query-migrate")))
            return
        collect_figures(res, src, dst, watch, notes)
        verify_destination(build, res, image, params, src, dst, notes)
    finally:
        dst.stop()
        src.stop()


def run_qmp(build, accel, scn, keep=False, quiet=False):
    """One run of SCN; returns the result dict (benchlib.FIELDS)."""
    res = new_result(scn, accel)
    notes = []
    work = WorkDir("virtmig-bench-qmp-", keep)
    log("qmp: " + scn.describe(), quiet)
    try:
        migrate(build, accel, scn, res, work, notes)
    except BenchError as err:
        res["result"] = "error"
        notes.append("error: " + str(err))
    finally:
        work.cleanup()
    for note in notes:
        log("  " + note, quiet)
    return res
