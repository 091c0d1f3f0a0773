#!/usr/bin/env bash
# Throughput of the dossier API on PostgreSQL (issue 4, item 5). Run by hand, never by CI.
#
# Builds the release binary, creates a fresh PostgreSQL database, starts `motcua serve` on it,
# creates citizen accounts (`motcua users create`) and their bearer tokens, then, in one run,
# one scenario after another (NAME in brackets; a 6 s warm-up of submissions comes first):
#   1. [submit] submissions as fast as they go: POST /api/v1/dossiers + POST …/submit, no file;
#   2. [upload] the same with one 200 KB PDF uploaded (POST …/documents) between the two;
#   3. [read] reads as fast as they go: GET /api/v1/dossiers/{code} (the owner's token);
#   4. [submit_paced] submissions paced at SUBMIT_RATE dossiers/s;
#   5. [read_paced] reads paced at READ_RATE reads/s;
#   then, the server stopped, pgbench on the same PostgreSQL server (its own database), with the
#   same client count and duration, as the reference ceiling of this machine:
#   6. [pgbench_N] pgbench -N;
#   7. [pgbench_N_paced] pgbench -N paced at 2 × SUBMIT_RATE transactions/s (a dossier commits
#      twice): this machine's own commits at the paced submissions' rate;
#   8. [pgbench_S] pgbench -S.
# Results go to RESULTS = the run's directory /tmp/motcua-throughput.*/results, as NAME ("key
# value" lines) and, for every wrk scenario, the warm-up and pgbench_N_paced:
#   NAME.trace           one line per dossier, read or transaction: "start_unix_ms latency_ms
#                        first_step_ms last_step_ms" (start: its scheduled start);
#   NAME.samples         the CPUs and the disk every PROBE_MS (bench/throughput/sample.py);
#   NAME.samples.probe   the disk probe's flushes: "start_unix_ms latency_ms";
#   NAME.tail            bench/throughput/tail.py's reading of those three: the slow items, the
#                        bursts they came in (the five largest as `burst` lines), how many
#                        came while the disk stalled, the CPU share stolen meanwhile.
# The run's directory also holds the server's documents (about 1.5 GB) and its log; it and the
# databases are removed at the end unless KEEP=1.
# Load generator: wrk (Debian's package, installed with apt-get when missing) with
# bench/throughput/dossiers.lua. The load is spread over communes (Zipf) and a few busy
# procedures (bench/throughput/shape.py). Rewrites the throughput section of BENCHMARKS.md
# (between <!-- throughput:begin --> and <!-- throughput:end -->; the "Reading" paragraph
# between <!-- throughput:reading:begin/end --> is kept as written).
#
# Settings (environment):
#   PG_URL          an existing database on the server to use    postgres://127.0.0.1:5432/test
#   CONNECTIONS     HTTP connections = pgbench clients          32
#   DURATION        seconds per scenario                        20
#   SUBMIT_RATE     paced submissions, dossiers/s               300
#   READ_RATE       paced reads, reads/s                        2000
#   TAIL_MS         a dossier slower than this is "slow" in NAME.tail (tail.py)   50
#   STALL_MS        a disk probe's flush slower than this is a stall of the disk   20
#   PROBE_MS        the samples' and the disk probe's interval (sample.py), ms    20
#   PROBE_DIR       where the probe flushes its file: on PostgreSQL's disk     the run's directory
#   CITIZENS        citizen accounts (tokens)                   40
#   PROCEDURES      "code=share …"                              see below
#   ZIPF_S          Zipf exponent over communes                 0.6
#   PGBENCH_SCALE   pgbench -i -s                               10
#   MAX_LOAD        wait until the 1-minute load average is under this …   1.5
#   WAIT_MINUTES    … for at most this long, then measure anyway            10
#   WRITE           1: rewrite BENCHMARKS.md; 0: print the section instead   1
#   KEEP            1: keep the databases and the run's directory           0
#   MOTCUA_BIN      use this binary instead of building (to try the script)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/bench/throughput"
PG_URL="${PG_URL:-postgres://127.0.0.1:5432/test}"
CONNECTIONS="${CONNECTIONS:-32}"
DURATION="${DURATION:-20}"
SUBMIT_RATE="${SUBMIT_RATE:-300}"
READ_RATE="${READ_RATE:-2000}"
TAIL_MS="${TAIL_MS:-50}"
STALL_MS="${STALL_MS:-20}"
PROBE_MS="${PROBE_MS:-20}"
CITIZENS="${CITIZENS:-40}"
# Commune-level procedures that take online submissions (online level "partial": submitted
# online, the result collected in person), with their share of the dossiers.
PROCEDURES="${PROCEDURES:-1.010041=35 1.004194=20 1.004222=10 1.001193=25 1.000656=10}"
ZIPF_S="${ZIPF_S:-0.6}"
SEED="${SEED:-2025}"
PGBENCH_SCALE="${PGBENCH_SCALE:-10}"
MAX_LOAD="${MAX_LOAD:-1.5}"
WAIT_MINUTES="${WAIT_MINUTES:-10}"
WRITE="${WRITE:-1}"
KEEP="${KEEP:-0}"
PASSWORD="mat-khau-benchmark-1"

log() { printf '[throughput %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- tools -------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian package)"
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
fi
for tool in psql pgbench curl jq python3 pgrep; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

# --- build -------------------------------------------------------------------------------------
if [ -n "${MOTCUA_BIN:-}" ]; then
  BIN="$MOTCUA_BIN" # trying the script itself: figures from anything but a release build mean nothing
else
  log "building the release binary"
  (cd "$ROOT" && cargo build --release -p motcua --quiet)
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/motcua"
fi
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
DIRTY="$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo ", with uncommitted changes" || true)"

# --- database, data directory, server ----------------------------------------------------------
STAMP="$(date +%s)_$$"
DB="motcua_bench_${STAMP}"
PGB_DB="motcua_bench_pgbench_${STAMP}"
BASE_URL="${PG_URL%/*}"
DB_URL="$BASE_URL/$DB"
PGB_URL="$BASE_URL/$PGB_DB"
WORK="$(mktemp -d /tmp/motcua-throughput.XXXXXX)"
PROBE_DIR="${PROBE_DIR:-$WORK}"
if [ "$(stat -f -c %T "$PROBE_DIR")" = tmpfs ]; then
  log "warning: $PROBE_DIR is in memory (tmpfs): the disk probe will time memory, not a disk; set PROBE_DIR to a directory on PostgreSQL's disk"
fi
RESULTS="$WORK/results"
mkdir -p "$RESULTS"
SERVER_PID=""

cleanup() {
  # A sampler left by an interrupted scenario would go on probing the disk.
  # shellcheck disable=SC2046
  kill $(jobs -p) 2>/dev/null || true
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "$KEEP" != 1 ]; then
    psql "$PG_URL" -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
    psql "$PG_URL" -qc "DROP DATABASE IF EXISTS \"$PGB_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
  else
    log "kept: databases $DB, $PGB_DB; directory $WORK"
  fi
}
trap cleanup EXIT

psql "$PG_URL" -qc "CREATE DATABASE \"$DB\"" >/dev/null
psql "$PG_URL" -qc "CREATE DATABASE \"$PGB_DB\"" >/dev/null

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
log "starting motcua on $BASE, database $DB"
DATABASE_URL="$DB_URL" RUST_LOG="${RUST_LOG:-warn}" \
  "$BIN" --data-dir "$WORK/data" serve --addr "127.0.0.1:$PORT" --no-demo >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done
curl -fs "$BASE/healthz" >/dev/null || { echo "the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }

# --- accounts and tokens -----------------------------------------------------------------------
log "creating $CITIZENS citizens"
: >"$WORK/tokens"
for i in $(seq -w 1 "$CITIZENS"); do
  MOTCUA_PASSWORD="$PASSWORD" DATABASE_URL="$DB_URL" RUST_LOG=warn \
    "$BIN" --data-dir "$WORK/data" users create --username "congdan$i" --role citizen \
    --full-name "Công dân thử tải $i" >/dev/null
  curl -fs "$BASE/api/v1/auth/token" -H 'Content-Type: application/json' \
    -d "{\"username\":\"congdan$i\",\"password\":\"$PASSWORD\"}" | jq -r .access_token >>"$WORK/tokens"
done
grep -c . "$WORK/tokens" | grep -qx "$CITIZENS" || { echo "could not get every token" >&2; exit 1; }

# --- load shape --------------------------------------------------------------------------------
log "load shape: the agencies that receive each procedure"
mkdir -p "$WORK/agencies"
PROVINCES="$(jq -r '.[].Code' "$ROOT"/data/admin-units/vn-units-*.json)"
SHARES=()
for spec in $PROCEDURES; do
  code="${spec%%=*}"
  SHARES+=("$spec")
  for p in $PROVINCES; do
    curl -fs "$BASE/api/v1/agencies?procedure_code=$code&province_code=$p&limit=500" | jq '.items'
  done | jq -s 'add | map(select(.code | test("^[A-Z]+X\\.")))' >"$WORK/agencies/$code.json"
done
python3 "$HERE/shape.py" "$WORK/agencies" "$WORK/shape" "$ZIPF_S" "$SEED" "${SHARES[@]}" >"$RESULTS/shape.json"
log "shape: $(cat "$RESULTS/shape.json")"

# --- measurement helpers -----------------------------------------------------------------------
# cpu_snapshot LOADGEN_PID DBNAME: seconds since boot, then CPU clock ticks of the whole machine
# (busy; stolen by the hypervisor), of the server, of the PostgreSQL backends serving DBNAME
# (other databases on the same server, such as other test suites, are not counted) and of
# the load generator.
TICKS="$(getconf CLK_TCK)"
cpu_snapshot() {
  local up busy steal server=0 pg=0 gen d
  up="$(cut -d' ' -f1 /proc/uptime)"
  read -r busy steal < <(awk '/^cpu /{print $2+$3+$4+$7+$8, $9; exit}' /proc/stat)
  if [ -n "$SERVER_PID" ]; then server="$(awk '{print $14+$15}' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0)"; fi
  gen="$(awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0)"
  # One pass (pgrep, then one read of their stat files): a loop over /proc took about 2 s
  # under load, so the last sample ran past the end of a pgbench run and missed the ticks of
  # its backends, which had exited by then (the split came out negative).
  local pids
  pids="$(pgrep -f "^postgres: .* $2 " || true)"
  if [ -n "$pids" ]; then
    pg="$(for p in $pids; do cat "/proc/$p/stat" 2>/dev/null; done | awk '{s += $14 + $15} END {print s + 0}')"
  fi
  echo "$up $busy $steal $server $pg $gen"
}
# cpu_delta BEFORE AFTER: cores used over the window, by each.
cpu_delta() {
  read -r u0 b0 t0 s0 p0 g0 <<<"$1"
  read -r u1 b1 t1 s1 p1 g1 <<<"$2"
  awk -v w="$(awk -v a="$u0" -v b="$u1" 'BEGIN{print b-a}')" -v t="$TICKS" -v b="$((b1 - b0))" -v st="$((t1 - t0))" \
    -v s="$((s1 - s0))" -v p="$((p1 - p0))" -v g="$((g1 - g0))" \
    'BEGIN{printf "window_s %.2f\ncpu_busy %.2f\ncpu_steal %.2f\ncpu_server %.2f\ncpu_postgres %.2f\ncpu_loadgen %.2f\n", w, b/t/w, st/t/w, s/t/w, p/t/w, g/t/w}'
}
# CPU is sampled inside each run, from 2 s after its start to 2 s before its end (steady state).
sample_cpu() {
  local pid="$1" db="$2" out="$3"
  sleep 2
  local before after
  before="$(cpu_snapshot "$pid" "$db")"
  sleep $((DURATION - 4))
  after="$(cpu_snapshot "$pid" "$db")"
  cpu_delta "$before" "$after" >"$out"
}
load1() { cut -d' ' -f1 /proc/loadavg; }
# Transactions committed in the benchmark database so far (each statement outside a transaction
# counts as one; PostgreSQL publishes these counters within about a second).
xacts() { psql "$DB_URL" -tAc "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"; }
# Checkpoints PostgreSQL has begun so far (PostgreSQL 17 moved the counters to
# pg_stat_checkpointer). The first change of each page after a checkpoint writes the whole page
# to WAL, so commits are slower for a while after one begins: a paced p99 that jumps is read
# against this.
checkpoints() {
  psql "$DB_URL" -tAc "SELECT num_timed + num_requested FROM pg_stat_checkpointer" 2>/dev/null ||
    psql "$DB_URL" -tAc "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter"
}

wait_for_quiet() {
  local deadline=$((SECONDS + WAIT_MINUTES * 60))
  while awk -v l="$(load1)" -v m="$MAX_LOAD" 'BEGIN{exit !(l >= m)}'; do
    if [ $SECONDS -ge $deadline ]; then
      log "load average still $(load1) after ${WAIT_MINUTES} min: measuring anyway"
      return
    fi
    log "load average $(load1) (want < $MAX_LOAD): waiting"
    sleep 20
  done
}

# start_sampler NAME: samples the machine and probes the disk (sample.py) into
# $RESULTS/NAME.samples and NAME.samples.probe, in the background (a child of this shell, so
# that it can be waited for and cleanup finds it); its pid in SAMPLER_PID.
start_sampler() {
  python3 "$HERE/sample.py" "$RESULTS/$1.samples" "$(awk -v m="$PROBE_MS" 'BEGIN{print m / 1000}')" "$PROBE_DIR" \
    </dev/null >/dev/null 2>"$RESULTS/$1.sampler.err" &
  SAMPLER_PID=$!
}
# stop_sampler PID NAME: ends it (SIGTERM) and says so when it had failed: the scenario's
# figures stand, its NAME.tail lacks the probe's lines.
stop_sampler() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || log "$2: the sampler failed: $(tr '\n' ' ' <"$RESULTS/$2.sampler.err" | tail -c 300)"
}

# read_tail NAME: where NAME's slow items came from (tail.py over its trace and samples: bursts
# or single requests, the disk, the CPUs) into $RESULTS/NAME.tail, and a line of it in the log.
read_tail() {
  python3 "$HERE/tail.py" "$RESULTS/$1.trace" "$RESULTS/$1.samples" "$TAIL_MS" "$STALL_MS" >"$RESULTS/$1.tail"
  log "$1 over $TAIL_MS ms: $(awk '/^(slow|slow_first_step|slow_last_step|slow_bursts|slow_burst_max|slow_bursts_on_stall|probe_p99_ms|probe_max_ms|probe_stalls|cpu_busy_slow|cpu_steal_slow) /{printf "%s=%s ", $1, $2}' "$RESULTS/$1.tail")"
}

# run_wrk NAME MODE RATE [extra args]: one scenario; results in $RESULTS/NAME.
run_wrk() {
  local name="$1" mode="$2" rate="$3"
  shift 3
  echo 5 >"/proc/$SERVER_PID/clear_refs" 2>/dev/null || true # reset VmHWM to the current RSS
  local load_before x0 x1 c0 pid
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  x0="$(xacts)"
  c0="$(checkpoints)"
  start_sampler "$name"
  local sampler=$SAMPLER_PID
  wrk -t "$CONNECTIONS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 10s -s "$HERE/dossiers.lua" "$BASE" -- \
    "mode=$mode" "rate=$rate" "threads=$CONNECTIONS" "shape=$WORK/shape" "tokens=$WORK/tokens" \
    "out=$RESULTS/$name" "seed=$SEED" "$@" >"$RESULTS/$name.wrk" 2>"$RESULTS/$name.err" &
  pid=$!
  sample_cpu "$pid" "$DB" "$RESULTS/$name.cpu"
  wait "$pid" || { stop_sampler "$sampler" "$name"; cat "$RESULTS/$name.err" >&2; return 1; }
  stop_sampler "$sampler" "$name"
  x1="$(xacts)"
  cat "$RESULTS/$name.trace".* >"$RESULTS/$name.trace" && rm -f "$RESULTS/$name.trace".*
  {
    echo "load $load_before"
    echo "xacts $((x1 - x0 - 1))"
    echo "checkpoints $(($(checkpoints) - c0))"
    echo "rss_peak_kb $(awk '/VmHWM/{print $2}' "/proc/$SERVER_PID/status")"
    echo "rss_end_kb $(awk '/VmRSS/{print $2}' "/proc/$SERVER_PID/status")"
    cat "$RESULTS/$name.cpu"
  } >>"$RESULTS/$name"
  if [ -s "$RESULTS/$name.err" ]; then sed 's/^/  wrk: /' "$RESULTS/$name.err" | head -5 >&2; fi
  log "$name: $(awk '/^(per_second|p50_ms|p99_ms|failures|rss_peak_kb|cpu_busy|cpu_server|cpu_postgres|cpu_loadgen) /{printf "%s=%s ", $1, $2}' "$RESULTS/$name")"
  read_tail "$name"
}

# run_pgbench NAME FLAG [RATE]: pgbench with the same clients and duration; results in
# $RESULTS/NAME. With RATE, transactions are paced at RATE/s (-R) and each one's latency, from
# its scheduled start as in a paced wrk run, is logged (--log): its p50 and p99, and the same
# trace, samples and NAME.tail as a wrk run's.
run_pgbench() {
  local name="$1" flag="$2" rate="${3:-}" load_before pid sampler=""
  local paced=()
  if [ -n "$rate" ]; then
    paced=(-R "$rate" --log --log-prefix="$RESULTS/$name.log")
    start_sampler "$name"
    sampler=$SAMPLER_PID
  fi
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  pgbench -n "$flag" "${paced[@]}" -c "$CONNECTIONS" -j 2 -T "$DURATION" "$PGB_URL" >"$RESULTS/$name.out" 2>&1 &
  pid=$!
  sample_cpu "$pid" "$PGB_DB" "$RESULTS/$name.cpu"
  if ! wait "$pid"; then
    if [ -n "$sampler" ]; then stop_sampler "$sampler" "$name"; fi
    echo "pgbench failed ($name):" >&2
    tail -20 "$RESULTS/$name.out" >&2
    return 1
  fi
  if [ -n "$sampler" ]; then
    stop_sampler "$sampler" "$name"
    # The log's fields 3, 5 and 6: the latency (µs, from the scheduled start), and when the
    # transaction ended (Unix seconds, µs). As a trace: start, latency, and the latency again
    # for the first and last step (a transaction is one step).
    # A transaction pgbench logged as failed or skipped (no number) is left out.
    cat "$RESULTS/$name.log".* |
      awk '$3 ~ /^[0-9]+$/ {lat = $3 / 1000; printf "%.1f %.3f %.3f %.3f\n", $5 * 1000 + $6 / 1000 - lat, lat, lat, lat}' >"$RESULTS/$name.trace"
    rm -f "$RESULTS/$name.log".*
    read_tail "$name"
  fi
  {
    echo "load $load_before"
    echo "tps $(awk '/^tps/{print $3; exit}' "$RESULTS/$name.out")"
    echo "latency_ms $(awk '/^latency average/{print $4; exit}' "$RESULTS/$name.out")"
    if [ -n "$rate" ]; then
      echo "rate_target $rate"
      grep -E '^(p50_ms|p99_ms|max_ms) ' "$RESULTS/$name.tail" || true # none when no transaction finished
    fi
    cat "$RESULTS/$name.cpu"
  } >"$RESULTS/$name"
  log "$name: $(tr '\n' ' ' <"$RESULTS/$name")"
}

# --- the run -----------------------------------------------------------------------------------
RSS_IDLE_KB="$(awk '/VmRSS/{print $2}' "/proc/$SERVER_PID/status")" # started, catalogue loaded, no load yet
log "pgbench -i -s $PGBENCH_SCALE"
pgbench -i -q -s "$PGBENCH_SCALE" "$PGB_URL" >"$RESULTS/pgbench-init.out" 2>&1

wait_for_quiet
LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
log "measuring (load average $LOAD_AT_START); $DURATION s per scenario, $CONNECTIONS connections"

# Warm-up (not reported): caches, the pool, the first dossiers of the day at each agency.
DURATION_SAVED="$DURATION"
DURATION=6 run_wrk warmup submit 0
DURATION="$DURATION_SAVED"
# Statistics, as a production database has them: autovacuum gathers them there each time a
# table has grown by a tenth, and some servers (this machine's, for one: SHOW autovacuum says
# off) never gather them by themselves. Gathered after the warm-up and again once the uploads
# have filled the documents table: plans made while a table looked empty (a sequential scan
# of documents on every read) are what a live database would not have.
analyze() { psql "$DB_URL" -qc "VACUUM ANALYZE"; }
analyze

run_wrk submit submit 0
run_wrk upload upload 0 doc_bytes=200000
cat "$RESULTS"/warmup.codes "$RESULTS"/submit.codes "$RESULTS"/upload.codes >"$WORK/codes"
analyze
run_wrk read read 0 "codes=$WORK/codes"
run_wrk submit_paced submit "$SUBMIT_RATE"
run_wrk read_paced read "$READ_RATE" "codes=$WORK/codes"
RSS_END_KB="$(awk '/VmRSS/{print $2}' "/proc/$SERVER_PID/status")"
DOSSIERS="$(psql "$DB_URL" -tAc "SELECT count(*) FROM dossiers WHERE code IS NOT NULL")"
DOCS_MB="$(du -sm "$WORK/data" | cut -f1)"
DB_MB="$(psql "$DB_URL" -tAc "SELECT pg_database_size(current_database()) / 1000000")"

kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""

run_pgbench pgbench_N -N
# The same commits per second as the paced submissions (a dossier is two: create and submit).
run_pgbench pgbench_N_paced -N "$((2 * SUBMIT_RATE))"
run_pgbench pgbench_S -S
LOAD_AT_END="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- report ------------------------------------------------------------------------------------
export PG_URL RESULTS LOAD_AT_START LOAD_AT_END CONNECTIONS DURATION SUBMIT_RATE READ_RATE TAIL_MS STALL_MS PROBE_MS CITIZENS PROCEDURES \
  ZIPF_S SEED PGBENCH_SCALE COMMIT DIRTY DOSSIERS DOCS_MB DB_MB RSS_END_KB RSS_IDLE_KB
python3 "$HERE/report.py" "$ROOT/BENCHMARKS.md" "$WRITE"
