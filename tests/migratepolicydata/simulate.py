#!/usr/bin/env python3
"""Writes the .samples files of migratepolicytest (run it here, by hand).

A model of QEMU's precopy, sampled every 250 ms as virtmig-migrate polls
virDomainGetJobStats: pass 1 sends all of memory; memory_remaining falls
by the link rate during a pass and, at each dirty-bitmap sync, becomes
what the guest dirtied meanwhile (at most its working set); the dirty
rate is what the last pass dirtied over its duration (0 during pass 1);
precopy completes at a sync leaving no more than link x downtime.  Each
sync also emits a MIGRATION_ITERATION event.  A scenario scripts what
the policy's actions would do (switch to post-copy, raise the downtime,
pause) at the times the policy takes them, so the streams stay the ones
the policy sees: the actions come from NAME.expected (the policy's
answers, written by the test with VIRTMIG_TEST_REGENERATE=1 and checked
by hand) and take effect at the next sample.  Run this and the test in
turn until neither changes.
"""
import os
import re

MIB = 1024 * 1024
GIB = 1024 * MIB
STEP = 250


def simulate(name, config, total, link, wss, dirty, downtime=300,
             events=None, end_ms=60000, comment=""):
    """events: {ms: ("postcopy",) | ("downtime", ms) | ("pause",)
    | ("link", bytes/s) | ("freeze", reported bps)}"""
    events = dict(events or {})
    wss = min(wss, total)
    if os.path.exists(name + ".expected"):
        names = {"POSTCOPY": "postcopy", "PAUSE": "pause", "ABORT": "abort",
                 "SET_DOWNTIME": "downtime"}
        for m in re.finditer(r"^t=(\d+) ([A-Z_]+)(?: (\d+))?:", open(name + ".expected").read(), re.M):
            ev = (names[m.group(2)],) + ((int(m.group(3)),) if m.group(3) else ())
            events[int(m.group(1)) + STEP] = ev
    lines = ["# " + l for l in comment.strip().splitlines()]
    lines.append("config " + config)
    it, left, acc, passstart, rate = 1, total, 0, 0, 0
    frozen, post, paused, t = None, False, False, 0
    lines.append(f"t=0 stats it=1 total={total} remaining={total} dirty=0 bps=0 dt={downtime}")
    while t < end_ms:
        t += STEP
        ev = events.pop(t, None)
        if ev and ev[0] == "downtime":
            downtime = ev[1]
        elif ev and ev[0] == "link":
            link = ev[1]
        elif ev and ev[0] == "freeze":
            frozen = ev[1]
        elif ev and ev[0] == "pause":
            paused = True
            lines.append(f"t={t} paused")
        elif ev and ev[0] == "abort":
            lines.append(f"t={t} failed")
            break
        elif ev and ev[0] == "postcopy":
            post, frozen = True, None
            left += acc
            acc = 0
            lines.append(f"t={t} postcopy")
        sent = 0 if frozen is not None else link * STEP // 1000
        left = max(0, left - sent)
        if not post and not paused and frozen is None:
            acc = min(wss, acc + dirty * STEP // 1000)
        bps = frozen if frozen is not None else link
        if post:
            if left == 0:
                lines.append(f"t={t} completed")
                break
            lines.append(f"t={t} stats it={it} total={total} remaining={left} "
                         f"dirty=0 bps={bps} dt={downtime} pc=1")
            continue
        if left == 0:
            # a sync: the next pass, or the end
            rate = acc * 1000 // max(1, t - passstart)
            it += 1
            left, acc, passstart = acc, 0, t
            lines.append(f"t={t} iteration it={it}")
            if left <= link * downtime // 1000:
                lines.append(f"t={t + 50} completed")
                break
        lines.append(f"t={t} stats it={it} total={total} remaining={left} "
                     f"dirty={rate} bps={bps} dt={downtime}")
    with open(name + ".samples", "w") as f:
        f.write("\n".join(lines) + "\n")


here = os.path.dirname(os.path.abspath(__file__))
os.chdir(here)

AUTO = "postcopy=auto allowed=yes downtime=300"
NEVER = "postcopy=never allowed=no downtime=300"

simulate("fast-dirtier", AUTO, GIB, 100 * MIB, 512 * MIB, 400 * MIB,
         comment="1 GiB guest rewriting 512 MiB at 400 MiB/s over a 100 MiB/s link:\n"
                 "the second pass leaves as much as the first: post-copy")
simulate("faster-dirtier", AUTO, GIB, 100 * MIB, 2 * GIB, 150 * MIB,
         comment="a guest dirtying 150 MiB/s of all its memory over a 100 MiB/s\n"
                 "link: dirty > link after the bulk pass, post-copy at once")
simulate("moderate-dirtier", AUTO, GIB, 100 * MIB, 200 * MIB, 90 * MIB,
         comment="dirty 90 MiB/s of a 200 MiB working set, 100 MiB/s link:\n"
                 "shrinking, but far too slowly: post-copy after pass 1 or 2")
simulate("slow-dirtier", AUTO, GIB, 100 * MIB, 256 * MIB, 20 * MIB,
         comment="dirty 20 MiB/s of 256 MiB, 100 MiB/s link: converges in 3 passes\n"
                 "of precopy, no switch")
simulate("after-precopy", "postcopy=after-precopy allowed=yes downtime=300",
         GIB, 100 * MIB, 64 * MIB, 5 * MIB,
         comment="even a slow dirtier switches after the first pass (virsh's\n"
                 "--postcopy-after-precopy)")
simulate("now", "postcopy=now allowed=yes downtime=300", GIB, 100 * MIB,
         64 * MIB, 5 * MIB, comment="post-copy at the first sample")
simulate("never-progress-abort", NEVER + " progress=10", GIB, 100 * MIB,
         512 * MIB, 400 * MIB, events={16000: ("freeze", 0)},
         comment="never post-copy, the link stalls at 16 s: KubeVirt's progressTimeout\n"
                 "(10 s without a new low of the remaining memory) aborts")
simulate("never-raise-downtime", NEVER + " downtime-max=2000", GIB, 100 * MIB,
         96 * MIB, 200 * MIB,
         comment="never post-copy, a 96 MiB working set dirtied at 200 MiB/s: the\n"
                 "downtime limit is raised (within 2 s) to what the pass needs and\n"
                 "precopy completes")
simulate("kubevirt-timeout-postcopy",
         "postcopy=auto allowed=yes per-gib=20 on-timeout=postcopy downtime=300",
         GIB, 40 * MIB, 512 * MIB, 400 * MIB,
         comment="KubeVirt's budget, 20 s per GiB, expires in the bulk pass (which\n"
                 "the adaptive rules cannot judge yet): post-copy")
simulate("kubevirt-timeout-pause",
         "postcopy=auto allowed=no per-gib=20 on-timeout=postcopy downtime=300",
         GIB, 40 * MIB, 512 * MIB, 400 * MIB,
         comment="the same budget when post-copy is not allowed: the guest is\n"
                 "paused and precopy completes")
simulate("kubevirt-timeout-abort",
         "postcopy=never allowed=yes per-gib=20 on-timeout=abort downtime=300",
         GIB, 40 * MIB, 512 * MIB, 400 * MIB,
         comment="the same budget with on-timeout=abort")
simulate("nova-downtime-ramp",
         "postcopy=never allowed=no per-gib=40 on-timeout=abort downtime=100 "
         "downtime-max=500 steps=4",
         GIB, 100 * MIB, 512 * MIB, 400 * MIB,
         comment="Nova's linear ramp: 4 steps from 100 to 500 ms over the 40 s\n"
                 "completion budget, then abort")
simulate("stalled", AUTO + " progress=150", GIB, 100 * MIB, 40 * MIB, 30 * MIB,
         events={10500: ("freeze", 2 * MIB)},
         comment="precopy about to converge when QEMU stops making progress (the\n"
                 "link reports 2 MiB/s, the remaining memory stays): auto mode's\n"
                 "stall detector switches to post-copy after 10 s, long before the\n"
                 "150 s progressTimeout")
simulate("never-downtime-cap-pause",
         "postcopy=never allowed=yes per-gib=30 on-timeout=postcopy downtime=300 "
         "downtime-max=500",
         GIB, 100 * MIB, 512 * MIB, 400 * MIB,
         comment="never post-copy: the downtime is raised to its 500 ms cap, which\n"
                 "is not enough; at the end of the 30 s budget the guest is paused\n"
                 "(post-copy was allowed by the migration but not by the user)")
simulate("external-postcopy",
         "postcopy=auto allowed=yes per-gib=10 progress=5 on-timeout=abort downtime=300",
         GIB, 20 * MIB, 512 * MIB, 400 * MIB, events={5000: ("postcopy",)},
         end_ms=20000,
         comment="someone else (virsh migrate-postcopy) switched at 5 s: nothing\n"
                 "more from the policy, although the budget runs out in post-copy")
simulate("long-passes", AUTO + " progress=150", 4 * GIB, 100 * MIB, 4 * GIB, 30 * MIB,
         end_ms=90000,
         comment="4 GiB dirtied at 30 MiB/s over 100 MiB/s: a 12 s second pass with\n"
                 "no new low of the remaining memory (below the end of the bulk\n"
                 "pass), but falling all along: converges in precopy, no switch")
