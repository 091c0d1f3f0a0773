#!/usr/bin/env bash
# The browser checks, from a fresh clone: installs Chromium (Debian's, only if
# /usr/bin/chromium is missing) and the npm packages, builds motcua, starts it on a free local
# port with a new data directory and its demo accounts, runs the checks against it, stops it.
#
#   tests/browser/run.sh            axe.mjs (WCAG on every page), keyboard.mjs (keyboard-only
#                                   submission, focus visible, error summary focused), nojs.mjs
#                                   (the submission with JavaScript off), resume.mjs (the connection
#                                   cut mid-way and resumed in a new session; the session-expiry
#                                   warning), assisted.mjs (an assisted submission at the desk,
#                                   claimed by the citizen) and weight.mjs (each
#                                   page under 50 KB transferred); ends with "browser: N passed,
#                                   M failed" and fails when any check failed
#   tests/browser/run.sh screenshots  the README's screenshots (phone and desktop, vi and en) into
#                                   docs/screenshots/, by hand
#   tests/browser/run.sh only X.mjs one check script, counted the same way (while working on it)
#   tests/browser/run.sh weight     only weight.mjs, with the slow-3G timings, rewriting its
#                                   section of BENCHMARKS.md (bench/page-weight.sh)
#
# As root on a fresh machine, or any user with chromium installed.
# Honours CARGO_TARGET_DIR. Never downloads a browser through npm/playwright.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mode="${1:-all}"
scripts="axe.mjs keyboard.mjs nojs.mjs resume.mjs assisted.mjs weight.mjs"
case "$mode" in
  all|weight|screenshots) ;;
  only) [ -n "${2:-}" ] && [ -f "$here/$2" ] || { echo "usage: $0 only SCRIPT.mjs"; exit 2; }; scripts="$2" ;;
  *) echo "usage: $0 [weight|screenshots|only SCRIPT.mjs]"; exit 2 ;;
esac
root="$(cd "$here/../.." && pwd)"

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y chromium
fi

echo "== npm ci (tests/browser)"
if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ] \
  || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi

echo "== cargo build -p motcua"
(cd "$root" && cargo build -p motcua)
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
bin="$target_dir/debug/motcua"

data="$(mktemp -d "${TMPDIR:-/tmp}/motcua-axe.XXXXXX")"
log="$data/server.log"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
  || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
base="http://127.0.0.1:$port"

server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

echo "== starting motcua on $base (data in $data)"
"$bin" --data-dir "$data/data" serve --addr "127.0.0.1:$port" >"$log" 2>&1 &
server_pid=$!

for _ in $(seq 1 240); do
  if curl -fsS "$base/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "motcua exited early:"; cat "$log"; exit 1
  fi
  sleep 0.5
done
curl -fsS "$base/healthz" >/dev/null || { echo "motcua not healthy after 120 s:"; cat "$log"; exit 1; }

# The demo accounts, one a line: "  username  password  Role  [agency CODE]".
password_of() { awk -v u="$1" '$1 == u && NF >= 3 { print $2; exit }' "$log"; }
citizen_pw="$(password_of demo)"
official_pw="$(password_of canbo.congan)"
admin_pw="$(password_of admin)"
if [ -z "$citizen_pw" ] || [ -z "$official_pw" ]; then
  echo "no demo accounts in the server's output:"; cat "$log"; exit 1
fi

export BASE_URL="$base" CITIZEN_USER=demo CITIZEN_PASSWORD="$citizen_pw" \
  OFFICIAL_USER=canbo.congan OFFICIAL_PASSWORD="$official_pw" \
  ADMIN_USER="${admin_pw:+admin}" ADMIN_PASSWORD="$admin_pw"

if [ "$mode" = screenshots ]; then
  echo "== screenshots.mjs (writes docs/screenshots/)"
  (cd "$here" && node screenshots.mjs "$root/docs/screenshots")
  exit 0
fi
if [ "$mode" = weight ]; then
  echo "== weight.mjs --slow3g (writes BENCHMARKS.md)"
  (cd "$here" && node weight.mjs --slow3g --write "$root/BENCHMARKS.md")
  exit $?
fi

# Each script ends with "NAME: N passed, M failed"; their sum closes the run.
status=0
passed=0
failed=0
for script in $scripts; do
  echo "== $script"
  out="$data/$script.out"
  rc=0
  (cd "$here" && node "$script") 2>&1 | tee "$out" || rc=$?
  [ "$rc" -eq 0 ] || status=1
  line="$(grep -E '^([a-z]+: )?[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1 || true)"
  if [ -z "$line" ]; then echo "($script printed no count)"; status=1; continue; fi
  counts="${line#*: }"
  passed=$((passed + ${counts%% passed*}))
  f="${counts#*, }"
  failed=$((failed + ${f%% failed*}))
done
echo "browser: $passed passed, $failed failed"
exit "$status"
