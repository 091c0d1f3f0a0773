#!/usr/bin/env bash
# The dossier read's statement alone, under pgbench: the PostgreSQL side of the read benchmark
# without the server. Run by hand on a database the throughput benchmark kept:
#   KEEP=1 bash bench/throughput.sh          # prints "kept: databases motcua_bench_…"
#   bash bench/read-statement.sh postgres://127.0.0.1:5432/motcua_bench_…
# Each script in bench/statements/ picks a dossier code at random (one primary-key lookup in a
# table of the codes, made here) and then runs one form of the read:
#   lookup-only        the pick alone (the floor every other line includes)
#   read-union-all     the dossier, its history and documents as a three-part UNION ALL (before)
#   read-json-agg      the dossier row by code with history and documents aggregated as JSON
#                      (now; the procedure's name comes from the server's reference cache)
#   read-dossier-only  the dossier row alone by code (no history, no documents)
# pgbench sends parameters and reads results as text, the server binary: the figures compare
# the forms with each other, they are not the server's cost per read.
set -euo pipefail
URL="${1:?usage: read-statement.sh DATABASE_URL}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/statements"
CLIENTS="${CLIENTS:-16}"
DURATION="${DURATION:-10}"
psql "$URL" -qc "DROP TABLE IF EXISTS bench_codes; CREATE TABLE bench_codes (n serial PRIMARY KEY, code text);
  INSERT INTO bench_codes (code) SELECT code FROM dossiers WHERE code IS NOT NULL ORDER BY random(); ANALYZE bench_codes;"
N="$(psql "$URL" -tAc "SELECT count(*) FROM bench_codes")"
echo "dossiers with a code: $N; $CLIENTS clients, $DURATION s each"
for s in lookup-only read-union-all read-json-agg read-dossier-only; do
  tps="$(pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" -D "ncodes=$N" -f "$HERE/$s.sql" "$URL" 2>&1 |
    awk '/^tps/{print $3; exit}')"
  printf '%-18s %10.0f TPS  %6.0f µs of CPU (all cores) per transaction\n' "$s" "$tps" "$(awk -v t="$tps" -v c="$(nproc)" 'BEGIN{print c*1e6/t}')"
done
psql "$URL" -qc "DROP TABLE bench_codes"
