#!/usr/bin/env python3
"""Where a scenario's slow dossiers came from (bench/throughput.sh).

    tail.py TRACE SAMPLES [THRESHOLD_MS [STALL_MS]]

TRACE is dossiers.lua's FILE.trace ("start_unix_ms latency_ms first_step_ms last_step_ms"),
SAMPLES is sample.py's output. THRESHOLD_MS defaults to 50 (issue 4's p99 target for paced
submissions); a probe flush over STALL_MS (default 20: this disk's median flush took 0.4 to
0.9 ms in the benchmark's runs)
is a stall of the disk. Lines that do not parse (a cut-off last line, say) are skipped. A
trace from pgbench (throughput.sh writes one for pgbench_N_paced) has transactions for
dossiers, each one step: its first and last step are the transaction.
Prints "key value" lines:

- dossiers, trace_lines_skipped: the trace's items, and its lines that were not one;
- p50_ms, p99_ms, max_ms: their latency (nearest rank, as dossiers.lua counts it);
- slow, slow_first_step, slow_last_step: dossiers over the threshold, and how many of them had
  their first (create) or last (submit) request over it on its own;
- slow_bursts, slow_burst_max: slow dossiers grouped into bursts (starts less than 250 ms
  apart): how many bursts, and the most dossiers in one. Few large bursts mean stalls that hit
  every connection at once (a commit that waits on the disk, a pause of the whole machine);
  many single ones mean costs of single requests; "burst START_UNIX_MS n= max_ms= stall_ms="
  lines show the five largest, with the longest stall under way while the first one waited;
- probe_*, where sample.py probed the disk (SAMPLES.probe): how many flushes, their p50, p99
  and longest (when there was one), how many were stalls, and slow_bursts_on_stall: how many
  bursts had a stall under way while their first dossier waited. A burst on a stall is a wait
  that every commit on the machine shared, whatever the server does;
- disk_write_ms_*, disk_flush_ms_*: the disk's milliseconds per write and per flush (the
  probe's own included), over the sample windows that overlap a slow dossier ("slow") and
  over all ("all"); cpu_busy_*, cpu_steal_*: the CPUs' busy share over the same windows, and
  the share the hypervisor took for other guests. A window is one sample interval; the CPU's
  clock ticks are 10 ms, so only sums over many windows mean much.
"""

import math
import os
import sys


def floats(line, n):
    """The line's n numbers, or None when it is not n finite numbers."""
    try:
        row = tuple(float(x) for x in line.split())
    except ValueError:
        return None
    return row if len(row) == n and all(math.isfinite(x) for x in row) else None


def read_rows(path, n):
    """(rows, lines skipped); a missing file is None."""
    rows, skipped = [], 0
    try:
        with open(path, errors="replace") as f:
            for line in f:
                row = floats(line, n)
                if row is None:
                    skipped += 1
                else:
                    rows.append(row)
    except FileNotFoundError:
        return None, 0
    return rows, skipped


def windows(samples, ticks_per_s=os.sysconf("SC_CLK_TCK"), ncpu=os.cpu_count() or 1):
    """Per interval between samples: (start_ms, end_ms, cpu_busy_s, cpu_s, writes, write_ms,
    flushes, flush_ms, cpu_steal_s). Sums, so that any set of windows can be totalled."""
    out = []
    for a, b in zip(samples, samples[1:]):
        secs = (b[0] - a[0]) / 1000
        if secs <= 0:
            continue
        busy, steal = (b[1] - a[1]) / ticks_per_s, (b[3] - a[3]) / ticks_per_s
        out.append((a[0], b[0], busy, secs * ncpu, b[4] - a[4], b[5] - a[5], b[6] - a[6], b[7] - a[7], steal))
    return out


def ratio(num, den):
    return num / den if den else 0.0


def nearest_rank(sorted_values, p):
    return sorted_values[max(0, math.ceil(len(sorted_values) * p / 100) - 1)]


def main():
    if len(sys.argv) < 3:
        print("usage: tail.py TRACE SAMPLES [THRESHOLD_MS [STALL_MS]]", file=sys.stderr)
        return 2
    try:
        threshold = float(sys.argv[3]) if len(sys.argv) > 3 else 50.0
        stall_ms = float(sys.argv[4]) if len(sys.argv) > 4 else 20.0
    except ValueError as e:
        print(f"tail.py: THRESHOLD_MS and STALL_MS are milliseconds: {e}", file=sys.stderr)
        return 2
    trace, skipped = read_rows(sys.argv[1], 4)
    if trace is None:
        print(f"tail.py: no trace at {sys.argv[1]}", file=sys.stderr)
        return 1
    samples, _ = read_rows(sys.argv[2], 9)
    probe, _ = read_rows(sys.argv[2] + ".probe", 2)
    trace.sort()

    slow = [r for r in trace if r[1] > threshold]
    print(f"dossiers {len(trace)}")
    print(f"trace_lines_skipped {skipped}")
    if trace:
        lats = sorted(r[1] for r in trace)
        print(f"p50_ms {nearest_rank(lats, 50):.2f}")
        print(f"p99_ms {nearest_rank(lats, 99):.2f}")
        print(f"max_ms {lats[-1]:.2f}")
    print(f"slow {len(slow)}")
    print(f"slow_first_step {sum(1 for r in slow if r[2] > threshold)}")
    print(f"slow_last_step {sum(1 for r in slow if r[3] > threshold)}")
    bursts = []
    for r in slow:
        if bursts and r[0] - bursts[-1][-1][0] < 250:
            bursts[-1].append(r)
        else:
            bursts.append([r])
    print(f"slow_bursts {len(bursts)}")
    print(f"slow_burst_max {max((len(b) for b in bursts), default=0)}")

    def stall_during(r):
        """The longest probe flush over stall_ms under way while dossier r waited (0 if none)."""
        return max((lat for t, lat in probe or [] if lat > stall_ms and t < r[0] + r[1] and t + lat > r[0]), default=0.0)

    for b in sorted(bursts, key=len, reverse=True)[:5]:
        print(f"burst {b[0][0]:.0f} n={len(b)} max_ms={max(r[1] for r in b):.1f} stall_ms={stall_during(b[0]):.1f}")
    if probe is not None:
        lats = sorted(lat for _, lat in probe)
        print(f"probe_flushes {len(lats)}")
        if lats:
            print(f"probe_p50_ms {nearest_rank(lats, 50):.2f}")
            print(f"probe_p99_ms {nearest_rank(lats, 99):.2f}")
            print(f"probe_max_ms {lats[-1]:.2f}")
        print(f"probe_stalls {sum(1 for x in lats if x > stall_ms)}")
        print(f"slow_bursts_on_stall {sum(1 for b in bursts if stall_during(b[0]) > 0)}")

    win = windows(samples or [])
    if not win:
        return 0
    # Windows that overlap a slow dossier: the slow ones sorted by start, a window's overlap
    # found by scanning those that start before it ends.
    longest = max((r[1] for r in slow), default=0.0)
    hit, i = [], 0
    for w in win:
        while i < len(slow) and slow[i][0] + longest <= w[0]:
            i += 1
        j = i
        while j < len(slow) and slow[j][0] < w[1]:
            if slow[j][0] + slow[j][1] > w[0]:
                hit.append(w)
                break
            j += 1
    for name, ws in (("slow", hit), ("all", win)):
        total = [sum(w[k] for w in ws) for k in range(2, 9)]
        busy, cpu, writes, write_ms, flushes, flush_ms, steal = total
        print(f"disk_write_ms_{name} {ratio(write_ms, writes):.2f}")
        print(f"disk_flush_ms_{name} {ratio(flush_ms, flushes):.2f}")
        print(f"cpu_busy_{name} {ratio(busy, cpu):.2f}")
        print(f"cpu_steal_{name} {ratio(steal, cpu):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
