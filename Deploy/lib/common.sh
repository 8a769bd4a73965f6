# Shared by Deploy/run and Deploy/test: install what is missing, find the tools, and run a
# throwaway PostgreSQL as a non-root user. Sourced, not executed.

HEARTH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs the Debian packages Hearth needs, only those dpkg says are missing.
install_system_packages() {
    local wanted=(postgresql postgresql-contrib libpq-dev pkg-config curl "$@") missing=()
    local package
    for package in "${wanted[@]}"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Makes sure a Swift 6 toolchain is on PATH (the Swift project's own install, e.g. /opt/swift).
require_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        local candidate
        for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
            [ -x "$candidate/swift" ] && PATH="$candidate:$PATH" && break
        done
    fi
    command -v swift >/dev/null 2>&1 || die "Swift 6 is not installed: get a toolchain from swift.org (it is not a Debian package)"
    swift --version 2>/dev/null | grep -q 'Swift version 6' || die "Hearth needs Swift 6 ($(swift --version 2>&1 | head -1))"
}

# The newest PostgreSQL server programs on the machine.
postgres_bindir() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

# A TCP port on 127.0.0.1 that nothing answers on, below the kernel's ephemeral range (32768
# up), which outgoing connections take their ports from and could take before it is bound.
free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 12000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
    done
    die "no free port found"
}

# require_built DIR PROGRAM…: stops the script unless every PROGRAM is built in DIR.
require_built() {
    local dir=$1 program
    shift
    for program in "$@"; do
        [ -x "$dir/$program" ] || die "$dir/$program is not built (swift build first; -c release for benchmarks)"
    done
}

# use_scratch_database NAME: creates database NAME on the throwaway cluster and exports
# HEARTH_DATABASE_URL for it.
use_scratch_database() {
    psql "$HEARTH_TEST_DATABASE_URL" -qc "CREATE DATABASE $1" >/dev/null
    export HEARTH_DATABASE_URL=${HEARTH_TEST_DATABASE_URL%/*}/$1
}

# wait_for_hearthd PORT LOG: waits up to 30 s for the hearthd on PORT to answer /ready; if it
# does not, prints LOG (its standard error) and stops the script.
wait_for_hearthd() {
    for _ in $(seq 1 300); do
        curl -fs "http://127.0.0.1:$1/ready" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    curl -fs "http://127.0.0.1:$1/ready" >/dev/null || { cat "$2" >&2; die "hearthd on port $1 did not become ready"; }
}

# Starts a throwaway cluster (trust auth on loopback only, fsync off) and exports
# HEARTH_TEST_DATABASE_URL. As root it runs as the postgres user, since PostgreSQL refuses
# root. Call stop_throwaway_postgres on exit.
start_throwaway_postgres() {
    local bindir
    bindir=$(postgres_bindir)
    [ -n "$bindir" ] || die "PostgreSQL server programs not found under /usr/lib/postgresql"
    THROWAWAY_PG_DIR=$(mktemp -d /var/tmp/hearth-test-pg.XXXXXX)
    THROWAWAY_PG_BIN=$bindir
    THROWAWAY_PG_PORT=$(free_port)
    THROWAWAY_PG_AS=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$THROWAWAY_PG_DIR"
        chmod 0755 "$THROWAWAY_PG_DIR"
        THROWAWAY_PG_AS=(runuser -u postgres --)
    fi
    "${THROWAWAY_PG_AS[@]}" "$bindir/initdb" -D "$THROWAWAY_PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >"$THROWAWAY_PG_DIR/initdb.log" 2>&1 \
        || { cat "$THROWAWAY_PG_DIR/initdb.log" >&2; die "initdb failed"; }
    # The suites run in parallel and each end-to-end test starts hearthd with its own pool of
    # up to 10 connections: 300 slots ran out in a CI run ("too many clients already"), so the
    # throwaway cluster allows 1000. A port that was free a moment ago may be taken by another
    # cluster starting at the same time: try a few.
    local attempt
    for attempt in 1 2 3 4 5; do
        "${THROWAWAY_PG_AS[@]}" "$bindir/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -l "$THROWAWAY_PG_DIR/postgres.log" -w -t 60 \
            -o "-p $THROWAWAY_PG_PORT -k $THROWAWAY_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=1000" start >/dev/null \
            && break
        grep -q "Address already in use" "$THROWAWAY_PG_DIR/postgres.log" && [ "$attempt" -lt 5 ] \
            || { cat "$THROWAWAY_PG_DIR/postgres.log" >&2; die "the throwaway PostgreSQL did not start"; }
        THROWAWAY_PG_PORT=$(free_port)
    done
    "$bindir/pg_isready" -h 127.0.0.1 -p "$THROWAWAY_PG_PORT" -t 30 >/dev/null || die "the throwaway PostgreSQL does not answer"
    export HEARTH_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$THROWAWAY_PG_PORT/postgres"
    say "throwaway PostgreSQL on port $THROWAWAY_PG_PORT ($THROWAWAY_PG_DIR)"
}

stop_throwaway_postgres() {
    [ -n "${THROWAWAY_PG_DIR:-}" ] || return 0
    "${THROWAWAY_PG_AS[@]}" "$THROWAWAY_PG_BIN/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$THROWAWAY_PG_DIR"
    THROWAWAY_PG_DIR=
}

# A Python with scipy (solver cross-checks), schemathesis (API conformance) and the browser
# tests' pinned packages (Tests/browser/requirements.txt: selenium, axe-selenium-python,
# axe-core-python): the system's python3 if it already has them all at those versions, else a
# private virtual environment under .build/python. Exports HEARTH_PYTHON.
ensure_python_tools() {
    local requirements="$HEARTH_ROOT/Tests/browser/requirements.txt"
    if python_has_tools python3 "$requirements"; then
        HEARTH_PYTHON=$(command -v python3)
    else
        local venv="$HEARTH_ROOT/.build/python"
        if ! python_has_tools "$venv/bin/python3" "$requirements"; then
            say "installing scipy, schemathesis and the browser tests' packages into $venv"
            python3 -m venv "$venv"
            "$venv/bin/python3" -m pip install -q --disable-pip-version-check scipy schemathesis -r "$requirements"
        fi
        HEARTH_PYTHON="$venv/bin/python3"
    fi
    export HEARTH_PYTHON PYTHON="$HEARTH_PYTHON"
}

# True when PYTHON imports scipy and schemathesis and has every `name==version` of the file.
python_has_tools() {
    [ -x "$(command -v "$1" 2>/dev/null)" ] || return 1
    "$1" - "$2" >/dev/null 2>&1 <<'PY'
import importlib.metadata, re, sys
import scipy, schemathesis
for line in open(sys.argv[1]):
    pin = re.match(r"\s*([A-Za-z0-9_.-]+)==([^\s#]+)", line)
    if pin and importlib.metadata.version(pin.group(1)) != pin.group(2):
        sys.exit(1)
PY
}

# Headless Chromium and its WebDriver from Debian (`chromium`, `chromium-driver`) for the
# browser tests, installed when dpkg says they are missing. Exports HEARTH_CHROMIUM and
# HEARTH_CHROMEDRIVER; returns 1 when they cannot be had.
ensure_browser() {
    install_system_packages chromium chromium-driver || return 1
    HEARTH_CHROMIUM=$(command -v chromium || true)
    HEARTH_CHROMEDRIVER=$(command -v chromedriver || true)
    [ -n "$HEARTH_CHROMIUM" ] && [ -n "$HEARTH_CHROMEDRIVER" ] || return 1
    export HEARTH_CHROMIUM HEARTH_CHROMEDRIVER
}

# Runs the browser tests (Tests/browser/run.py) against the built binaries in HEARTH_BIN_DIR
# and the throwaway PostgreSQL; extra arguments go to run.py (e.g. -k sign_in). Without
# Chromium it fails under CI=true and skips, loudly, elsewhere.
run_browser_tests() {
    if ! ensure_browser; then
        [ "${CI:-}" = true ] && die "chromium and chromium-driver are needed for the browser tests (CI=true)"
        say "SKIPPING the browser tests: chromium or chromium-driver is missing"
        return 0
    fi
    "$HEARTH_PYTHON" "$HEARTH_ROOT/Tests/browser/run.py" "$@"
}
