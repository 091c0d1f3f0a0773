#!/usr/bin/env python3
"""Samples the machine every INTERVAL seconds while a scenario runs (bench/throughput.sh).

    sample.py OUT [INTERVAL [PROBE_DIR]]

Writes one line per sample to OUT, until killed (SIGTERM):

    unix_ms busy_ticks iowait_ticks steal_ticks writes write_ms flushes flush_ms in_flight

- busy/iowait/steal: /proc/stat's first line, in clock ticks (all CPUs; busy = user + nice +
  system + irq + softirq);
- writes, write_ms, flushes, flush_ms, in_flight: /proc/diskstats, summed over whole disks
  (no partitions): writes completed, milliseconds spent writing, flush requests completed,
  milliseconds spent flushing, and I/Os in flight at the moment of the sample.

Counters are cumulative: a reader takes differences between samples. Set beside a scenario's
trace (dossiers.lua's FILE.trace), it tells whether slow dossiers came while the disk was slow
to write or flush (PostgreSQL's commits wait for the WAL's flush) or the CPUs were saturated.

With PROBE_DIR, a second thread also writes 8 kB and waits for it to reach the disk
(`fdatasync`, as PostgreSQL's commit does with its WAL by default), in a file of its own there,
once per INTERVAL, and writes "unix_ms latency_ms" per flush to OUT.probe. The disk's counters
are coarse (a write that takes 150 ms shows in the next sample's totals); the probe times each
flush, so a stall of the disk shows as one slow flush. The probe speaks for PostgreSQL's WAL
only where both are on one disk (on the benchmark's machines, everything is on one).
"""

import os
import signal
import sys
import threading
import time


def disks() -> list:
    # Whole disks only: a partition's I/O is also counted in its disk's line.
    names = []
    for name in os.listdir("/sys/block"):
        if name.startswith(("loop", "ram", "zram")):
            continue
        names.append(name)
    return names


def probe(directory: str, out_path: str, interval: float, stop: threading.Event) -> None:
    path = os.path.join(directory, f"flush-probe.{os.getpid()}")
    size = 4 << 20  # written once and flushed, so each probe rewrites allocated blocks as WAL does
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.pwrite(fd, b"\0" * size, 0)
        os.fsync(fd)
        block, offset = os.urandom(8192), 0
        with open(out_path, "w") as out:
            while not stop.is_set():
                start, t0 = time.time(), time.perf_counter()
                os.pwrite(fd, block, offset)
                os.fdatasync(fd)
                out.write(f"{start * 1000:.1f} {(time.perf_counter() - t0) * 1000:.3f}\n")
                offset = (offset + 8192) % size
                stop.wait(max(0.0, interval - (time.time() - start)))
            out.flush()
    finally:
        os.close(fd)
        os.unlink(path)


def main() -> None:
    out_path = sys.argv[1]
    interval = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
    probe_dir = sys.argv[3] if len(sys.argv) > 3 else None
    whole = set(disks())
    running = True
    stopped = threading.Event()

    def stop(*_):
        nonlocal running
        running = False
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    prober = None
    if probe_dir:
        prober = threading.Thread(target=probe, args=(probe_dir, out_path + ".probe", interval, stopped))
        prober.start()
    with open(out_path, "w") as out:
        while running:
            now = time.time()
            with open("/proc/stat") as f:
                cpu = f.readline().split()
            user, nice, system, _idle, iowait, irq, softirq, steal = (int(x) for x in cpu[1:9])
            writes = write_ms = flushes = flush_ms = in_flight = 0
            with open("/proc/diskstats") as f:
                for line in f:
                    p = line.split()
                    if p[2] not in whole:
                        continue
                    writes += int(p[7])
                    write_ms += int(p[10])
                    in_flight += int(p[11])
                    if len(p) >= 20:  # kernels since 5.5 count flushes
                        flushes += int(p[18])
                        flush_ms += int(p[19])
            out.write(
                f"{now * 1000:.0f} {user + nice + system + irq + softirq} {iowait} {steal} "
                f"{writes} {write_ms} {flushes} {flush_ms} {in_flight}\n"
            )
            out.flush()
            stopped.wait(max(0.0, interval - (time.time() - now)))
    if prober:
        prober.join()


if __name__ == "__main__":
    main()
