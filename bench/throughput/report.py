#!/usr/bin/env python3
"""Report of bench/throughput.sh: prints the figures and (WRITE=1) rewrites the throughput
section of BENCHMARKS.md, between <!-- throughput:begin --> and <!-- throughput:end -->.
The hand-written reading between <!-- throughput:reading:begin --> and
<!-- throughput:reading:end --> is kept from the previous section.

Usage: report.py BENCHMARKS.md WRITE (0 or 1); the rest comes from the environment that
throughput.sh exports.
"""

import json
import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

BEGIN, END = "<!-- throughput:begin -->", "<!-- throughput:end -->"
R_BEGIN, R_END = "<!-- throughput:reading:begin -->", "<!-- throughput:reading:end -->"


def read(path: Path) -> dict:
    out = {}
    for line in path.read_text().splitlines():
        if " " in line:
            k, v = line.split(" ", 1)
            out[k] = v.strip()
    return out


def num(v, default=0.0) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


def fmt_int(x: float) -> str:
    return f"{x:,.0f}"


def fmt_ms(x: float) -> str:
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = re.sub(r"\s+", " ", line.split(":", 1)[1]).strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    nproc = os.cpu_count()
    virt = ""
    try:
        v = subprocess.run(["systemd-detect-virt"], capture_output=True, text=True).stdout.strip()
        if v and v != "none":
            virt = f", virtualised ({v})"
    except OSError:
        pass
    return f"{nproc} cores ({cpu}{virt}), {mem_kb / 1024 / 1024:.1f} GiB, Linux {platform.release()}"


def tool_version(cmd: list) -> str:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
        return (r.stdout + r.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def main() -> None:
    bench_md, write = Path(sys.argv[1]), sys.argv[2] == "1"
    env = os.environ
    res = Path(env["RESULTS"])
    s = {n: read(res / n) for n in ["submit", "upload", "read", "submit_paced", "read_paced", "pgbench_N", "pgbench_S"]}
    # Added later: older result directories lack it.
    s["pgbench_N_paced"] = read(res / "pgbench_N_paced") if (res / "pgbench_N_paced").exists() else {}
    tails = {n: read(res / f"{n}.tail") for n in ["submit_paced", "pgbench_N_paced"] if (res / f"{n}.tail").exists()}
    shape = json.loads((res / "shape.json").read_text())
    conns, dur = env["CONNECTIONS"], env["DURATION"]
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    pg_version = tool_version(["psql", "-tAc", "SHOW server_version", os.environ.get("PG_URL", "postgres://127.0.0.1:5432/test")])
    wrk_version = tool_version(["wrk", "--version"]).split(" Copyright")[0]

    tps_n, tps_s = num(s["pgbench_N"].get("tps")), num(s["pgbench_S"].get("tps"))
    sub, upl, rd = num(s["submit"]["per_second"]), num(s["upload"]["per_second"]), num(s["read"]["per_second"])
    peak_rss_mb = max(num(s[n]["rss_peak_kb"]) for n in ["submit", "upload", "read", "submit_paced", "read_paced"]) / 1024
    ratio_n = sub / tps_n if tps_n else 0
    ratio_s = rd / tps_s if tps_s else 0

    rows = []
    labels = {
        "submit": ("submissions, no file (create + submit)", "as fast as it goes", "dossiers"),
        "upload": ("submissions with one 200 KB PDF (create + upload + submit)", "as fast as it goes", "dossiers"),
        "read": ("reads (GET by code, with history and documents)", "as fast as it goes", "reads"),
        "submit_paced": ("submissions, no file, paced", f"{fmt_int(num(env['SUBMIT_RATE']))}/s", "dossiers"),
        "read_paced": ("reads, paced", f"{fmt_int(num(env['READ_RATE']))}/s", "reads"),
    }
    for n, (label, offered, unit) in labels.items():
        r = s[n]
        fails = int(num(r.get("failures")))
        fail_txt = str(fails) if fails == 0 else f"{fails} ({r.get('failure_statuses')})"
        rows.append(
            f"| {label} | {offered} | **{fmt_int(num(r['per_second']))}** {unit}/s "
            f"({fmt_int(num(r['requests_per_second']))} req/s) | {fmt_ms(num(r['p50_ms']))} / {fmt_ms(num(r['p99_ms']))} "
            f"| {fmt_ms(num(r['step_p50_ms']))} / {fmt_ms(num(r['step_p99_ms']))} | {fail_txt} "
            f"| {num(r['rss_peak_kb']) / 1024:.0f} "
            f"| {num(r['cpu_server']):.2f} / {num(r['cpu_postgres']):.2f} / {num(r['cpu_loadgen']):.2f} of {num(r['cpu_busy']):.2f}, {num(r['cpu_steal']):.2f} stolen "
            f"| {r['load'].split()[0]} |"
        )
    for n, flag in [("pgbench_N", "-N"), ("pgbench_S", "-S")]:
        r = s[n]
        rows.append(
            f"| pgbench `{flag}` ({env['CONNECTIONS']} clients, `-j 2`, scale {env['PGBENCH_SCALE']}) | as fast as it goes "
            f"| **{fmt_int(num(r['tps']))}** TPS | {r.get('latency_ms', '?')} (mean) | | | "
            # A sample taken after pgbench ended would miss its backends (negative): not shown then.
            + (f"| – / {num(r['cpu_postgres']):.2f} / {num(r['cpu_loadgen']):.2f} (pgbench) of {num(r['cpu_busy']):.2f}, {num(r['cpu_steal']):.2f} stolen "
               if num(r['cpu_postgres']) >= 0 and num(r['cpu_loadgen']) >= 0
               else f"| not split; machine busy {num(r['cpu_busy']):.2f} ")
            + f"| {r['load'].split()[0]} |"
        )

    pp = s["pgbench_N_paced"]
    if pp:
        rows.append(
            f"| pgbench `-N`, paced (`-R`, the paced submissions' commits: two a dossier) | {fmt_int(num(pp['rate_target']))}/s "
            f"| **{fmt_int(num(pp['tps']))}** TPS | {fmt_ms(num(pp['p50_ms']))} / {fmt_ms(num(pp['p99_ms']))} | | | "
            f"| – / {num(pp['cpu_postgres']):.2f} / {num(pp['cpu_loadgen']):.2f} (pgbench) of {num(pp['cpu_busy']):.2f}, {num(pp['cpu_steal']):.2f} stolen "
            f"| {pp['load'].split()[0]} |"
        )

    def tail_text(n: str, what: str) -> str:
        t = tails.get(n)
        if not t or num(t.get("probe_flushes")) == 0:
            return ""
        slow, bursts, on_stall = int(num(t["slow"])), int(num(t["slow_bursts"])), int(num(t["slow_bursts_on_stall"]))
        return (
            f"{what}: {slow} over {env.get('TAIL_MS', '50')} ms, in {bursts} bursts, {on_stall} of them while a flush of "
            f"the disk probe took over {env.get('STALL_MS', '20')} ms; the probe's flushes (8 kB, every {env.get('PROBE_MS', '20')} ms) "
            f"took {fmt_ms(num(t['probe_p50_ms']))} ms at the median, {fmt_ms(num(t['probe_p99_ms']))} at p99 and "
            f"{fmt_ms(num(t['probe_max_ms']))} at most, {int(num(t['probe_stalls']))} over {env.get('STALL_MS', '20')} ms."
        )

    stall_lines = [x for x in (tail_text("submit_paced", "Slow dossiers in the paced submissions"),
                               tail_text("pgbench_N_paced", "Slow transactions in the paced pgbench `-N`")) if x]
    stall_note = (
        "\n".join(stall_lines)
        + " (`bench/throughput/tail.py`: a burst is slow items that started less than 250 ms apart; a"
        " burst on a stall waited on the disk, as every commit on the machine did meanwhile.)"
        if stall_lines else ""
    )

    # Scenarios during which PostgreSQL began a checkpoint (older result files lack the count).
    checkpointed = [labels[n][0] for n in labels if num(s[n].get("checkpoints")) > 0]

    checkpoint_note = (
        "PostgreSQL began a checkpoint during these scenarios: " + "; ".join(checkpointed)
        + ". After one begins, the first change of each page writes the whole page to WAL, and commits slow down for a while."
        if checkpointed
        else "PostgreSQL began no checkpoint during the scenarios."
    )

    per_item = {
        n: num(s[n].get("xacts")) / max(1.0, num(s[n]["completed"]) + num(s[n].get("failures")))
        for n in ["submit", "upload", "read"]
    }
    sp, rp = s["submit_paced"], s["read_paced"]
    targets = [
        ("submissions without files", "≥ 1,000 dossiers/s", f"{fmt_int(sub)}/s", sub >= 1000),
        ("… against pgbench `-N`", "≥ 22 %", f"{ratio_n:.1%}", ratio_n >= 0.22),
        (
            f"p99 at {fmt_int(num(env['SUBMIT_RATE']))} dossiers/s",
            "< 50 ms",
            f"{fmt_ms(num(sp['p99_ms']))} ms (reached {fmt_int(num(sp['per_second']))}/s)"
            + (f"; pgbench `-N` at {fmt_int(num(pp['rate_target']))}/s: {fmt_ms(num(pp['p99_ms']))} ms" if pp else ""),
            num(sp["p99_ms"]) < 50 and num(sp["per_second"]) >= 0.97 * num(env["SUBMIT_RATE"]),
        ),
        ("reads", "≥ 10,000/s", f"{fmt_int(rd)}/s", rd >= 10000),
        ("… against pgbench `-S`", "≥ 20 %", f"{ratio_s:.1%}", ratio_s >= 0.20),
        (
            f"p99 at {fmt_int(num(env['READ_RATE']))} reads/s",
            "< 10 ms",
            f"{fmt_ms(num(rp['p99_ms']))} ms (reached {fmt_int(num(rp['per_second']))}/s)",
            num(rp["p99_ms"]) < 10 and num(rp["per_second"]) >= 0.97 * num(env["READ_RATE"]),
        ),
        ("server RSS under that load", "< 150 MB", f"{peak_rss_mb:.0f} MB (peak, VmHWM)", peak_rss_mb < 150),
    ]

    procs = " ".join(env["PROCEDURES"].split())
    shares = ", ".join(
        f"`{spec.split('=')[0]}` {spec.split('=')[1]} % ({shape['procedures'][spec.split('=')[0]]:,} agencies)"
        for spec in env["PROCEDURES"].split()
    )

    print("\n== throughput ==")
    for t in targets:
        print(f"  {t[0]:<40} target {t[1]:<20} measured {t[2]:<36} {'met' if t[3] else 'MISSED'}")
    print(f"  pgbench -N {tps_n:.0f} TPS, -S {tps_s:.0f} TPS")

    old = bench_md.read_text()
    reading = (
        "(Not written yet: what limits the figures, from the CPU split and a profile.)"
    )
    if BEGIN in old and R_BEGIN in old:
        section_old = old.split(BEGIN, 1)[1].split(END, 1)[0]
        if R_BEGIN in section_old and R_END in section_old:
            reading = section_old.split(R_BEGIN, 1)[1].split(R_END, 1)[0].strip()

    text = f"""{BEGIN}
## Throughput on PostgreSQL (issue 4)

What: the dossier API of the release build on PostgreSQL, loaded by wrk over HTTP/1.1 on
loopback, with server, database and load generator on this one machine; in the same run,
pgbench on the same PostgreSQL server as the machine's reference ceiling. Scenarios, {dur} s
each, {conns} connections (one wrk thread each), after a 6 s warm-up: a **submission** is a
dossier created (`POST /api/v1/dossiers`, a draft) and submitted (`POST …/submit`, which issues
its code), two requests and two transactions; **with a document**, a 200 KB PDF (each one
different, so the content-addressed store writes each) is uploaded (`POST …/documents`,
multipart) in between; a **read** is `GET /api/v1/dossiers/{{code}}` with the owner's bearer
token (the full view: history, documents, due-date explanation), over the dossiers made in the
run, uniformly. Paced runs start dossiers on a fixed schedule (spread over the connections) and
count each latency from its scheduled start, so a server that falls behind is charged for the
wait. A dossier's latency runs from its first request to the answer to its last; "per request"
is each HTTP request alone. No `Idempotency-Key` is sent. The server runs as `motcua serve
--no-demo` with its defaults (a PostgreSQL pool of 16 connections, documents in a local
directory, `RUST_LOG=warn`); the accounts are {env['CITIZENS']} citizens made with
`motcua users create`, their tokens from `POST /api/v1/auth/token`.

Load shape: {shares}. The agencies are the commune police (`CAX.*`) or commune People's
Committees (`UBNDX.*`) that receive each procedure, as `GET /api/v1/agencies?procedure_code=`
lists them, {shape['communes']:,} communes. Communes get Zipf weights 1/rank^{env['ZIPF_S']}
over a fixed pseudo-random ranking (seed {env['SEED']}; the same commune is busy for every
procedure): the busiest commune gets {shape['busiest_commune_share']:.1%} of the dossiers, the top
1 % of communes {shape['top_1pct_share']:.0%}, the top 10 % {shape['top_10pct_share']:.0%}, the
median commune {shape['median_commune_share']:.3%} (`bench/throughput/shape.py`). Why not an
exponent of 1 (Zipf's law of city sizes): communes are drawn to comparable populations (the
2025 mergers followed population and area norms), so traffic is less concentrated than across
cities; with 1, the busiest commune would take 11.5 % of the country's dossiers and the top 1 %
of communes about half (`ZIPF_S=1` reruns it so). Dossier codes are numbered per agency and day,
so the busiest agencies are where submissions contend. Each dossier's citizen is drawn uniformly
from the accounts.

Command (builds the release binary, creates and drops its own databases on the server at
`PG_URL`, default `postgres://127.0.0.1:5432/test`, and rewrites this section except the
reading below; settings in the script's header):

```sh
bench/throughput.sh            # about 5 minutes after the build; installs wrk when missing
```

Run of {date}: commit `{env['COMMIT']}`{env.get('DIRTY', '')}; {machine()}; PostgreSQL
{pg_version} (Debian's defaults: `shared_buffers` 128 MB, `synchronous_commit` on); {wrk_version}.
Load average (1, 5, 15 min) {env['LOAD_AT_START']} when measuring began, {env['LOAD_AT_END']} at
the end; the machine is shared, other builds may run beside it.

| scenario ({date}) | offered | reached | p50 / p99 per dossier or read (ms) | p50 / p99 per request (ms) | failures | server peak RSS (MB) | CPU, cores: server / PostgreSQL / wrk, of the machine's busy, stolen by the hypervisor | load (1 min) before |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}

Ratios in this run: submissions without files {fmt_int(sub)}/s ÷ pgbench `-N` {fmt_int(tps_n)}
TPS = **{ratio_n:.1%}**; reads {fmt_int(rd)}/s ÷ pgbench `-S` {fmt_int(tps_s)} TPS =
**{ratio_s:.1%}**. With a document: {fmt_int(upl)} dossiers/s. The run made
{fmt_int(num(env['DOSSIERS']))} dossiers ({env['DB_MB']} MB of database, {env['DOCS_MB']} MB of
documents); the server's resident memory was {num(env['RSS_IDLE_KB']) / 1024:.0f} MB started and idle (catalogue loaded) and
{num(env['RSS_END_KB']) / 1024:.0f} MB at the end. CPU figures are sampled from 2 s after each
scenario's start to 2 s before its end; PostgreSQL's are its backends serving the benchmark's
database only (not other databases on the same server).
PostgreSQL counted about {per_item['submit']:.0f} transactions (statements outside a transaction
count one each) per submission without a file, {per_item['upload']:.0f} with a document and
{per_item['read']:.1f} per read (`pg_stat_database.xact_commit`; a pgbench `-N` or `-S`
transaction counts one).
{checkpoint_note}
{stall_note}

| target (issue 4) | wanted | measured | |
| --- | --- | --- | --- |
{chr(10).join(f"| {t[0]} | {t[1]} | {t[2]} | {'met' if t[3] else '**missed**'} |" for t in targets)}

{R_BEGIN}
{reading}
{R_END}
{END}"""

    if not write:
        print(text)
        return
    current = bench_md.read_text()
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        new = head + text + tail
    else:
        new = current.rstrip("\n") + "\n\n" + text + "\n"
    bench_md.write_text(new)
    print(f"BENCHMARKS.md: throughput section written ({date})")


if __name__ == "__main__":
    main()
