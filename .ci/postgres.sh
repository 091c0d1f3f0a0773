#!/usr/bin/env bash
# PostgreSQL for the tests: `.ci/postgres.sh URL` makes sure the server URL points to answers,
# starting the local cluster when PostgreSQL is installed but not running (Debian's
# pg_ctlcluster); `.ci/postgres.sh URL --drop-scratch` drops the scratch databases the tests
# made (motcua_t_*). To test against another server, set MOTCUA_TEST_DATABASE_URL to it.
set -euo pipefail
url=${1:?usage: postgres.sh URL [--drop-scratch]}

if [ "${2:-}" = "--drop-scratch" ]; then
    psql "$url" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'motcua\_t\_%'" | while read -r db; do
        psql "$url" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || echo "postgres.sh: could not drop $db" >&2
    done
    exit 0
fi

if psql "$url" -Atqc 'SELECT 1' >/dev/null 2>&1; then
    exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for version in $(ls /etc/postgresql); do
        echo "postgres.sh: starting the local PostgreSQL $version cluster" >&2
        pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
    done
    for _ in $(seq 1 30); do
        psql "$url" -Atqc 'SELECT 1' >/dev/null 2>&1 && exit 0
        sleep 1
    done
fi
echo "postgres.sh: no PostgreSQL answers at $url: install it (Debian: apt-get install postgresql)," >&2
echo "  or point MOTCUA_TEST_DATABASE_URL at a server where this role may create databases." >&2
exit 1
