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
once per INTERVAL, and writes "unix_ms latency_ms" per flush to OUT.probe (unix_ms: when the
flush began). Its own file is removed when the sampler ends. The disk's counters
are coarse (a write that takes 150 ms shows in the next sample's totals); the probe times each
flush, so a stall of the disk shows as one slow flush. The probe speaks for PostgreSQL's WAL
only where both are on one disk (on the benchmark's machines, everything is on one).
"""

import os
import signal
import sys
import threading
import time


PROBE_FILE_BYTES = 4 << 20  # the probe's own file, rewritten 8 kB at a time


def disks() -> list:
    """Whole physical disks: a partition's I/O is also counted in its disk's line, and a device
    stacked on others (LVM, RAID: it has "slaves") in theirs."""
    names = []
    for name in os.listdir("/sys/block"):
        if name.startswith(("loop", "ram", "zram")):
            continue
        try:
            if os.listdir(f"/sys/block/{name}/slaves"):
                continue
        except OSError:
            pass
        names.append(name)
    return names


def open_probe(directory: str) -> tuple:
    """The probe's file, made and flushed once (4 MB, so each probe rewrites allocated blocks as
    the WAL does). Raises OSError where it cannot be written: the caller says so and stops."""
    path = os.path.join(directory, f"flush-probe.{os.getpid()}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.pwrite(fd, b"\0" * PROBE_FILE_BYTES, 0)
        os.fsync(fd)
    except OSError:
        os.close(fd)
        os.unlink(path)
        raise
    return fd, path



def probe(fd: int, out, interval: float, stop: threading.Event) -> None:
    block, offset = os.urandom(8192), 0
    while not stop.is_set():
        start, t0 = time.time(), time.perf_counter()
        os.pwrite(fd, block, offset)
        os.fdatasync(fd)
        out.write(f"{start * 1000:.1f} {(time.perf_counter() - t0) * 1000:.3f}\n")
        offset = (offset + 8192) % PROBE_FILE_BYTES
        stop.wait(max(0.0, interval - (time.time() - start)))


def sample(out, whole: set) -> None:
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


def main() -> int:
    if len(sys.argv) < 2:
        print("usage: sample.py OUT [INTERVAL [PROBE_DIR]]", file=sys.stderr)
        return 2
    out_path = sys.argv[1]
    try:
        interval = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
    except ValueError:
        interval = float("nan")
    if not interval > 0:  # also NaN
        print(f"sample.py: INTERVAL must be a number of seconds above 0, not {sys.argv[2]!r}", file=sys.stderr)
        return 2
    probe_dir = sys.argv[3] if len(sys.argv) > 3 else None
    stopped = threading.Event()
    # SIGTERM is how throughput.sh ends a sampler; an interrupt or a hang-up ends it the same way,
    # so that the probe's thread stops and its file is removed.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stopped.set())
    probe_fd = probe_path = None
    if probe_dir:
        try:
            probe_fd, probe_path = open_probe(probe_dir)
        except OSError as e:
            print(f"sample.py: cannot probe the disk in {probe_dir}: {e}", file=sys.stderr)
            return 1
    prober = out = probe_out = None
    try:
        out = open(out_path, "w")
        if probe_dir:
            probe_out = open(out_path + ".probe", "w")
            prober = threading.Thread(target=probe, args=(probe_fd, probe_out, interval, stopped))
            prober.start()
        whole = set(disks())
        while not stopped.is_set():
            started = time.time()
            sample(out, whole)
            stopped.wait(max(0.0, interval - (time.time() - started)))
    except OSError as e:
        print(f"sample.py: {e}", file=sys.stderr)
        return 1
    finally:
        stopped.set()  # an error in the loop must not leave the probe running
        if prober:
            prober.join()
        for f in (out, probe_out):
            if f:
                f.close()
        if probe_fd is not None:
            os.close(probe_fd)
            os.unlink(probe_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
