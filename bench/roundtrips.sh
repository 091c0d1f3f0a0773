#!/usr/bin/env bash
# SQL round trips per API request on PostgreSQL (issue 4, profiling). Run by hand, never by CI.
#
# Starts `motcua serve` on a fresh scratch database whose sessions log every statement
# (`ALTER DATABASE … SET log_min_duration_statement = 0`: that database only, the server's
# other databases are untouched), makes one citizen and its bearer token, then sends, one at
# a time: a draft (POST /api/v1/dossiers), its submission (POST …/submit) and a read
# (GET /api/v1/dossiers/{code}), each twice (the first of each warms the connection's prepared
# statements), and prints, for the second of each, the statements PostgreSQL executed: every
# `execute` of a prepared statement and every simple-protocol statement (BEGIN, COMMIT) is one
# round trip. Needs a superuser on PG_URL (to set the logging of the scratch database) and
# read access to the server log (PG_LOG).
#
# Settings (environment): PG_URL (postgres://127.0.0.1:5432/test), PG_LOG
# (/var/log/postgresql/postgresql-15-main.log), MOTCUA_BIN (default: the release build in
# CARGO_TARGET_DIR or target/), VERBOSE=1 to print the statements, SAVE=DIR to keep the three
# answers (draft.json, submitted.json, read.json) to compare two builds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_URL="${PG_URL:-postgres://127.0.0.1:5432/test}"
PG_LOG="${PG_LOG:-/var/log/postgresql/postgresql-15-main.log}"
BIN="${MOTCUA_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/motcua}"
VERBOSE="${VERBOSE:-0}"
DB="motcua_rt_$(date +%s)_$$"
DB_URL="${PG_URL%/*}/$DB"
WORK="$(mktemp -d /tmp/motcua-roundtrips.XXXXXX)"
SERVER_PID=""

cleanup() {
  local rc=$?
  if [ "$rc" != 0 ] && [ -f "$WORK/server.log" ]; then tail -20 "$WORK/server.log" >&2; fi
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
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
for _ in $(seq 1 300); do
  curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
MOTCUA_PASSWORD=mat-khau-do-vong-1 DATABASE_URL="$DB_URL" RUST_LOG=warn \
  "$BIN" --data-dir "$WORK/data" users create --username congdan --role citizen --full-name "Công dân" >/dev/null
TOKEN="$(curl -fs "$BASE/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"username":"congdan","password":"mat-khau-do-vong-1"}' | jq -r .access_token)"
# From now on, every statement of the server's sessions is logged (new sessions only: restart
# the pool by restarting the server).
psql "$PG_URL" -qc "ALTER DATABASE \"$DB\" SET log_min_duration_statement = 0" >/dev/null
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
DATABASE_URL="$DB_URL" RUST_LOG=warn "$BIN" --data-dir "$WORK/data" serve --addr "127.0.0.1:$PORT" --no-demo \
  >>"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

BODY='{"procedure_code":"1.010041","agency_code":"CAX.00004","delivery":"online",
  "applicant":{"full_name":"Nguyễn Văn An","id_number":"001090012345","phone":"0912345678","address":"1 Phố Huế, Hà Nội"}}'
# measure NAME CMD…: runs the request, then counts this database's statements in the log.
measure() {
  local name="$1" before
  shift
  sleep 0.3
  before="$(stat -c %s "$PG_LOG")"
  "$@" >"$WORK/out"
  sleep 0.5
  tail -c +"$((before + 1))" "$PG_LOG" | grep -a "@$DB " | grep -a "duration:" >"$WORK/log" || true
  local n
  n="$(grep -acE 'duration: [0-9.]+ ms  (execute|statement:)' "$WORK/log" || true)"
  printf '%-8s %2d round trips (%d statements prepared)\n' "$name" "$n" "$(grep -ac ' parse ' "$WORK/log" || true)"
  if [ "$VERBOSE" = 1 ]; then
    grep -aE 'duration: [0-9.]+ ms  (execute|statement:)' "$WORK/log" \
      | sed -E 's/.*duration: ([0-9.]+ ms)  (execute [^:]*|statement): /    \1  /' | cut -c1-150
  fi
}
create() { curl -fsS "$BASE/api/v1/dossiers" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$BODY"; }
submit() { curl -fsS -X POST "$BASE/api/v1/dossiers/$(jq -r .id "$WORK/draft")/submit" -H "Authorization: Bearer $TOKEN"; }
read_() { curl -fsS "$BASE/api/v1/dossiers/$(jq -r .code "$WORK/submitted")" -H "Authorization: Bearer $TOKEN"; }
for round in warm measured; do
  if [ "$round" = warm ]; then
    create >"$WORK/draft"; submit >"$WORK/submitted"; read_ >/dev/null
    continue
  fi
  measure create create; cp "$WORK/out" "$WORK/draft"
  measure submit submit; cp "$WORK/out" "$WORK/submitted"
  measure read read_
  if [ -n "${SAVE:-}" ]; then
    mkdir -p "$SAVE"
    cp "$WORK/draft" "$SAVE/draft.json"; cp "$WORK/submitted" "$SAVE/submitted.json"; cp "$WORK/out" "$SAVE/read.json"
  fi
done
