#!/usr/bin/env bash
# The desk with a real backlog (issue 5): 100,000 dossiers in progress at one agency on
# PostgreSQL; how long the queue's first page takes, as the page (/desk, HTML) and the API
# (GET /api/v1/desk/dossiers?per_page=50), including the counts. Run by hand, never by CI.
#
# Builds the release binary, creates a fresh database, starts `motcua serve` on it, inserts
# the backlog with one SQL statement (statuses as a busy desk has them: 20 % submitted, 55 %
# received, 10 % waiting on a supplement, 15 % approved; due instants spread over ±30 days;
# the default commune route's steps), runs VACUUM ANALYZE, signs an official in, then times REQUESTS
# sequential requests of each with curl and reports the median and p95 in milliseconds.
# Rewrites the desk section of BENCHMARKS.md (between <!-- desk:begin --> and <!-- desk:end -->).
#
# Settings (environment): PG_URL (postgres://127.0.0.1:5432/test), DOSSIERS (100000),
# REQUESTS (50), WRITE (1: rewrite BENCHMARKS.md), MOTCUA_BIN (use this binary).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_URL="${PG_URL:-postgres://127.0.0.1:5432/test}"
DOSSIERS="${DOSSIERS:-100000}"
REQUESTS="${REQUESTS:-50}"
WRITE="${WRITE:-1}"
AGENCY="CAX.00004"
PROCEDURE="1.010041"
PASSWORD="mat-khau-benchmark-1"
log() { printf '[desk %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [ -n "${MOTCUA_BIN:-}" ]; then
  BIN="$MOTCUA_BIN"
else
  log "building the release binary"
  (cd "$ROOT" && cargo build --release -p motcua --quiet)
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/motcua"
fi
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"

DB="motcua_desk_$(date +%s)_$$"
DB_URL="${PG_URL%/*}/$DB"
WORK="$(mktemp -d /tmp/motcua-desk.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  [ "${KEEP:-0}" = 1 ] && { log "kept database $DB_URL and $WORK"; return; }
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
psql "$PG_URL" -qc "CREATE DATABASE \"$DB\"" >/dev/null

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
DATABASE_URL="$DB_URL" RUST_LOG=warn "$BIN" --data-dir "$WORK/data" serve --addr "127.0.0.1:$PORT" --no-demo \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

run() { MOTCUA_PASSWORD="$PASSWORD" DATABASE_URL="$DB_URL" RUST_LOG=warn "$BIN" --data-dir "$WORK/data" "$@" >/dev/null; }
run users create --username congdan --role citizen
run users create --username canbo --role official --agency "$AGENCY"

log "inserting $DOSSIERS dossiers at $AGENCY"
psql "$DB_URL" -q <<SQL
INSERT INTO dossiers (id, code, procedure_code, agency_code, owner_id, applicant, applicant_id_number, delivery, form,
  status, version, time_value, time_unit, created_at, submitted_at, received_at, due_at, updated_at,
  route_id, step, step_agency_code, step_since)
SELECT md5(g::text), '$AGENCY-' || to_char(now() - (g % 300) * interval '1 day', 'YYMMDD') || '-' || lpad(g::text, 6, '0'),
  '$PROCEDURE', '$AGENCY', (SELECT id FROM users WHERE username = 'congdan'),
  '{"full_name":"Nguyễn Văn An","id_number":"001090000001","phone":"0912345678","address":"Số 1 Ba Đình"}',
  '001090000001', 'online', '{}',
  s.status, 3, 1, 'working_days', now() - interval '40 days', now() - (g % 40) * interval '1 day',
  CASE WHEN s.status <> 'submitted' THEN now() - (g % 40) * interval '1 day' END,
  now() + ((g % 61) - 30) * interval '1 day', now() - (g % 1000) * interval '1 minute',
  'default-commune', s.step, '$AGENCY', now() - (g % 40) * interval '1 day'
FROM generate_series(1, $DOSSIERS) g,
LATERAL (SELECT CASE WHEN g % 20 < 4 THEN 'submitted' WHEN g % 20 < 15 THEN 'received'
                     WHEN g % 20 < 17 THEN 'supplement_requested' ELSE 'approved' END AS status) st,
LATERAL (SELECT st.status, CASE st.status WHEN 'submitted' THEN 'receive' WHEN 'approved' THEN 'return'
                     ELSE 'examine' END AS step) s;
SQL
# A live database is vacuumed by autovacuum, which keeps the visibility map that index-only
# counts rely on; a bulk load just made has none yet.
psql "$DB_URL" -qc "VACUUM ANALYZE"

TOKEN="$(curl -fs "$BASE/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d "{\"username\":\"canbo\",\"password\":\"$PASSWORD\"}" | jq -r .access_token)"
JAR="$WORK/cookies"
CSRF="$(curl -fs -c "$JAR" -b "$JAR" "$BASE/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')"
curl -fs -c "$JAR" -b "$JAR" -o /dev/null "$BASE/login" --data-urlencode "csrf=$CSRF" \
  --data-urlencode "login=canbo" --data-urlencode "password=$PASSWORD"

# Times REQUESTS requests of a URL (after two to warm up); prints "median p95" in ms.
measure() {
  local t=()
  for i in $(seq 1 $((REQUESTS + 2))); do
    v="$(curl -fs -o /dev/null -w '%{time_total}' "$@")"
    [ "$i" -gt 2 ] && t+=("$v")
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f %.1f\n", a[int((NR+1)/2)]*1000, a[int(NR*0.95+0.5)]*1000}'
}
log "timing $REQUESTS requests each"
read -r PAGE_MED PAGE_P95 < <(measure -b "$JAR" "$BASE/desk")
read -r API_MED API_P95 < <(measure -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/desk/dossiers?per_page=50")
read -r SOON_MED SOON_P95 < <(measure -b "$JAR" "$BASE/desk?due=overdue&sort=due")
ROWS="$(curl -fs -b "$JAR" "$BASE/desk" | grep -c 'name="dossiers"' || true)"
TOTAL="$(curl -fs -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/desk/dossiers?per_page=1" | jq .total)"

REPORT="$(cat <<MD
<!-- desk:begin -->
## The desk with 100,000 dossiers (issue 5)

\`bash bench/desk.sh\` on $(date -u +%Y-%m-%d), commit $COMMIT, $(nproc) cores, PostgreSQL
$(psql "$PG_URL" -Atc 'SHOW server_version'), release build; server, database and curl on one machine.
$TOTAL dossiers in progress at $AGENCY (the page shows $ROWS rows); $REQUESTS sequential requests each.

| request | median | p95 |
| --- | --- | --- |
| \`/desk\` (first page, HTML, with counts) | $PAGE_MED ms | $PAGE_P95 ms |
| \`GET /api/v1/desk/dossiers?per_page=50\` | $API_MED ms | $API_P95 ms |
| \`/desk?due=overdue\` | $SOON_MED ms | $SOON_P95 ms |

Target: the first page under 100 ms.
<!-- desk:end -->
MD
)"
echo "$REPORT"
if [ "$WRITE" = 1 ]; then
  python3 - "$ROOT/BENCHMARKS.md" "$REPORT" <<'PY'
import sys, re
path, report = sys.argv[1], sys.argv[2]
text = open(path).read()
if "<!-- desk:begin -->" in text:
    text = re.sub(r"<!-- desk:begin -->.*?<!-- desk:end -->", lambda m: report, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n" + report + "\n"
open(path, "w").write(text)
PY
fi
