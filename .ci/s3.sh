#!/usr/bin/env bash
# A real S3-compatible server on loopback for the object-storage tests: moto's server, from PyPI,
# pinned, in its own virtualenv (the moto a machine may have installed globally is not used).
#
#   eval "$(.ci/s3.sh)"     install if needed, start if not running, print the environment:
#                           export MOTCUA_TEST_S3_ENDPOINT=http://127.0.0.1:PORT (and the others)
#   .ci/s3.sh stop          stop the server this script started
#   .ci/s3.sh status        say whether it runs (exit 0) or not (exit 1)
#
# Only the `export` lines go to standard output; progress and errors go to standard error.
# Idempotent: a server already started by this script and still answering is reused.
#
# Settings (environment):
#   MOTCUA_S3_CACHE   where the virtualenv, the log and the pid file live
#                     (default /var/cache/motcua-s3-venv, or ~/.cache/motcua-s3-venv when that
#                     cannot be created)
#   MOTCUA_S3_PORT    port to listen on (default: a free port picked at first start, then kept)
#   PYTHON            the Python 3 (>= 3.9) that creates the virtualenv (default python3)
set -euo pipefail

MOTO_VERSION=5.2.5

cache=${MOTCUA_S3_CACHE:-/var/cache/motcua-s3-venv}
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/motcua-s3-venv
    mkdir -p "$cache"
fi
venv=$cache/venv
run=$cache/run
mkdir -p "$run"
pidfile=$run/moto.pid
portfile=$run/moto.port
logfile=$run/moto.log
python=${PYTHON:-python3}

log() { echo "s3.sh: $*" >&2; }

# The exact versions moto's server was tested with (pip freeze of the virtualenv), so that a
# dependency's new release cannot change the server under the tests.
constraints() {
    cat <<'EOF'
annotated-types==0.8.0
antlr4-python3-runtime==4.13.2
attrs==26.1.0
aws-xray-sdk==2.15.0
blinker==1.9.0
boto3==1.44.8
botocore==1.44.8
certifi==2026.10.19.post1
cffi==2.1.1
cfn-lint==1.58.0
charset-normalizer==3.5.3
click==8.5.1
cryptography==50.0.2
docker==7.2.0
Flask==3.1.3
flask-cors==6.0.5
graphql-core==3.3.2
idna==3.20
itsdangerous==2.2.0
Jinja2==3.1.6
jmespath==1.1.0
joserfc==1.8.0
jsonpatch==1.48
jsonpath-ng==1.16.0
jsonpointer==3.12
jsonschema==4.26.0
jsonschema-path==0.5.0
jsonschema-specifications==2025.9.1
lazy-object-proxy==1.13.0
MarkupSafe==3.0.4
mpmath==1.3.0
networkx==3.6.1
openapi-schema-validator==0.9.0
openapi-spec-validator==0.9.0
pathable==0.6.0
py-partiql-parser==0.6.3
pycparser==3.12
pydantic==2.14.4
pydantic-settings==2.16.3
pydantic_core==2.50.5
pyparsing==3.3.3
python-dateutil==2.9.0.post0
python-dotenv==1.2.4
PyYAML==6.0.4
referencing==0.37.0
regex==2026.11.19
requests==2.34.2
responses==0.26.3
rfc3339-validator==0.1.4
rpds-py==2026.9.1
s3transfer==0.19.3
six==1.17.0
sympy==1.14.0
typing-inspection==0.4.5
typing_extensions==4.16.0
urllib3==2.8.0
Werkzeug==3.1.9
wrapt==2.5.2
xmltodict==1.0.4
EOF
}

# True when the pid file names a live moto_server process.
running() {
    [ -s "$pidfile" ] || return 1
    local pid
    pid=$(cat "$pidfile")
    [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q moto_server
}

# True when something answers S3's ListBuckets on the port.
answers() {
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/" 2>/dev/null
}

install() {
    # The virtualenv is rebuilt when the pin or a constraint changes.
    local want
    want=$( (echo "moto[server]==$MOTO_VERSION"; constraints) | sha256sum | cut -d' ' -f1)
    if [ -x "$venv/bin/moto_server" ] && [ "$(cat "$venv/.motcua-pins" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    log "installing moto[server]==$MOTO_VERSION into $venv"
    if running; then stop; fi # it runs from the virtualenv about to be replaced
    rm -rf "$venv"
    "$python" -m venv "$venv"
    constraints >"$cache/constraints.txt"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        -c "$cache/constraints.txt" "moto[server]==$MOTO_VERSION" >&2
    echo "$want" >"$venv/.motcua-pins"
}

free_port() {
    "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

print_env() {
    local port=$1
    echo "export MOTCUA_TEST_S3_ENDPOINT=http://127.0.0.1:$port"
    # moto accepts any credentials; object_store needs some to sign with.
    echo "export MOTCUA_TEST_S3_REGION=us-east-1"
    echo "export MOTCUA_TEST_S3_ACCESS_KEY_ID=motcua-test"
    echo "export MOTCUA_TEST_S3_SECRET_ACCESS_KEY=motcua-test-secret"
}

start() {
    install
    if running; then
        local port
        port=$(cat "$portfile")
        if answers "$port"; then
            log "moto_server already running (pid $(cat "$pidfile"), port $port)"
            print_env "$port"
            return 0
        fi
        log "moto_server pid $(cat "$pidfile") does not answer on port $port; restarting it"
        stop
    fi
    local port=${MOTCUA_S3_PORT:-}
    if [ -z "$port" ]; then
        port=$(cat "$portfile" 2>/dev/null || true)
        if [ -z "$port" ] || answers "$port"; then port=$(free_port); fi
    fi
    if answers "$port"; then
        log "port $port is taken by another server; set MOTCUA_S3_PORT to a free port"
        return 1
    fi
    log "starting moto_server on 127.0.0.1:$port (log: $logfile)"
    # setsid: its own session, so it outlives this script and the CI step that ran it;
    # 9>&-: it must not inherit (and hold forever) the lock below.
    setsid "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$logfile" 2>&1 </dev/null 9>&- &
    echo $! >"$pidfile"
    echo "$port" >"$portfile"
    local i
    for i in $(seq 1 100); do
        if answers "$port"; then
            log "moto_server answers (pid $(cat "$pidfile"), after $((i / 10)).$((i % 10)) s)"
            print_env "$port"
            return 0
        fi
        if ! running; then
            log "moto_server exited; its log:"
            tail -n 30 "$logfile" >&2
            rm -f "$pidfile"
            return 1
        fi
        sleep 0.1
    done
    log "moto_server did not answer on port $port within 10 s; its log:"
    tail -n 30 "$logfile" >&2
    stop
    return 1
}

stop() {
    if ! running; then
        rm -f "$pidfile"
        log "moto_server is not running"
        return 0
    fi
    local pid i
    pid=$(cat "$pidfile")
    kill "$pid"
    for i in $(seq 1 50); do
        running || break
        sleep 0.1
    done
    if running; then kill -9 "$pid"; fi
    rm -f "$pidfile"
    log "moto_server (pid $pid) stopped"
}

# One start or stop at a time (two CI runs on one machine share the cache directory).
exec 9>"$run/lock"
flock 9

case "${1:-start}" in
start) start ;;
stop) stop ;;
status)
    if running && answers "$(cat "$portfile")"; then
        log "moto_server runs (pid $(cat "$pidfile"), port $(cat "$portfile"))"
    else
        log "moto_server is not running"
        exit 1
    fi
    ;;
*)
    echo "usage: $0 [start|stop|status]" >&2
    exit 2
    ;;
esac
