#!/usr/bin/env python3
"""Where a scenario's slow dossiers came from (bench/throughput.sh).

    tail.py TRACE SAMPLES [THRESHOLD_MS [STALL_MS]]

TRACE is dossiers.lua's FILE.trace ("start_unix_ms latency_ms first_step_ms last_step_ms"),
SAMPLES is sample.py's output. THRESHOLD_MS defaults to 50 (issue 4's p99 target for paced
submissions); a probe flush over STALL_MS (default 20: fifty times this disk's usual 0.4 ms)
is a stall of the disk. Prints "key value" lines:

- slow, slow_first_step, slow_last_step: dossiers over the threshold, and how many of them had
  their first (create) or last (submit) request over it on its own;
- slow_bursts, slow_burst_max: slow dossiers grouped into bursts (starts less than 250 ms
  apart): how many bursts, and the most dossiers in one. Few large bursts mean stalls that hit
  every connection at once (a commit that waits on the disk, a pause of the whole machine);
  many single ones mean costs of single requests;
- disk_*: the disk's write and flush latency (ms per operation) in the sample windows that
  overlap a slow dossier, and in all windows; cpu_*: the CPUs' busy share likewise;
- probe_*, where sample.py probed the disk (SAMPLES.probe): its flushes' p50, p99 and longest,
  how many were stalls, and slow_bursts_on_stall: how many bursts had a stall under way while
  their first dossier waited. A burst on a stall is a wait that every
  commit on the machine shared, whatever the server does.
"""

import os
import sys


def read_trace(path):
    rows, skipped = [], 0
    with open(path, errors="replace") as f:
        for line in f:
            try:
                row = tuple(float(x) for x in line.split())
            except ValueError:
                row = ()
            if len(row) == 4:
                rows.append(row)
            else:
                skipped += 1
    rows.sort()
    return rows, skipped


def read_samples(path):
    rows = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) == 9:
                rows.append(tuple(int(x) for x in p))
    return rows


def windows(samples, ticks_per_s=os.sysconf("SC_CLK_TCK")):
    """Per interval between samples: (start_ms, end_ms, busy_share, write_ms_per_op,
    flush_ms_per_op, in_flight_at_end)."""
    out = []
    for a, b in zip(samples, samples[1:]):
        secs = (b[0] - a[0]) / 1000
        if secs <= 0:
            continue
        ncpu = os.cpu_count() or 1
        busy = (b[1] - a[1]) / ticks_per_s / secs / ncpu
        writes, wms = b[4] - a[4], b[5] - a[5]
        flushes, fms = b[6] - a[6], b[7] - a[7]
        out.append((a[0], b[0], busy, wms / writes if writes else 0.0, fms / flushes if flushes else 0.0, b[8]))
    return out


def read_probe(path):
    try:
        with open(path) as f:
            return [tuple(float(x) for x in line.split()) for line in f if len(line.split()) == 2]
    except FileNotFoundError:
        return None


def mean(xs):
    return sum(xs) / len(xs) if xs else 0.0


def main():
    trace, skipped = read_trace(sys.argv[1])
    samples = read_samples(sys.argv[2])
    threshold = float(sys.argv[3]) if len(sys.argv) > 3 else 50.0
    slow = [r for r in trace if r[1] > threshold]
    print(f"dossiers {len(trace)}")
    print(f"trace_lines_skipped {skipped}")
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
    probe = read_probe(sys.argv[2] + ".probe")
    stall_ms = float(sys.argv[4]) if len(sys.argv) > 4 else 20.0

    def stall_during(r):
        """The longest probe flush over stall_ms under way while dossier r waited (0 if none)."""
        return max((lat for t, lat in probe or [] if lat > stall_ms and t < r[0] + r[1] and t + lat > r[0]), default=0.0)

    for b in sorted(bursts, key=len, reverse=True)[:5]:
        print(f"burst {b[0][0]:.0f} n={len(b)} max_ms={max(r[1] for r in b):.1f} stall_ms={stall_during(b[0]):.1f}")
    if probe is not None:
        lats = sorted(lat for _, lat in probe)
        n = len(lats)
        print(f"probe_flushes {n}")
        if n:
            print(f"probe_p50_ms {lats[max(0, -(-n * 50 // 100) - 1)]:.2f}")
            print(f"probe_p99_ms {lats[max(0, -(-n * 99 // 100) - 1)]:.2f}")
            print(f"probe_max_ms {lats[-1]:.2f}")
        print(f"probe_stalls {sum(1 for x in lats if x > stall_ms)}")
        print(f"slow_bursts_on_stall {sum(1 for b in bursts if stall_during(b[0]) > 0)}")
    win = windows(samples)
    if not win:
        return
    hit = [w for w in win if any(r[0] < w[1] and r[0] + r[1] > w[0] for r in slow)]
    for name, ws in (("slow", hit), ("all", win)):
        print(f"disk_write_ms_{name} {mean([w[3] for w in ws]):.2f}")
        print(f"disk_flush_ms_{name} {mean([w[4] for w in ws]):.2f}")
        print(f"disk_flush_ms_max_{name} {max((w[4] for w in ws), default=0):.2f}")
        print(f"cpu_busy_{name} {mean([w[2] for w in ws]):.2f}")
        print(f"cpu_busy_max_{name} {max((w[2] for w in ws), default=0):.2f}")


if __name__ == "__main__":
    main()
