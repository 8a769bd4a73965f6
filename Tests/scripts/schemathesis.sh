#!/usr/bin/env bash
# Property-based API conformance test: runs Schemathesis against a running hearthd, using the
# contract the daemon serves at /openapi.yaml (Docs/openapi.yaml).
#
#   HEARTH_URL=http://127.0.0.1:8080 HEARTH_KEY=hk_... Tests/scripts/schemathesis.sh
#
# HEARTH_KEY is a key of any role. Checks: no 5xx (not_a_server_error), every status code
# documented, content types as documented, response bodies match their schemas. Exits non-zero
# on any failure, on a connection error, or when the wall-clock bound is hit.
#
# Optional knobs:
#   HEARTH_ST_MAX_EXAMPLES  test cases per operation and phase     (default 30)
#   HEARTH_ST_TIMEOUT       wall-clock bound for the run, seconds   (default 600)
#   HEARTH_ST_WORKERS       concurrent workers                      (default 1)
#   HEARTH_ST_SEED          random seed, to reproduce a run         (default: random)
#   HEARTH_ST_CONFIG        a schemathesis.toml (e.g. pinned path ids) (default: none)
# Written for Schemathesis 4.x (checked against 4.32.5).
set -euo pipefail

: "${HEARTH_URL:?set HEARTH_URL, e.g. http://127.0.0.1:8080}"
: "${HEARTH_KEY:?set HEARTH_KEY to an API key}"
HEARTH_URL="${HEARTH_URL%/}"
max_examples="${HEARTH_ST_MAX_EXAMPLES:-30}"
time_limit="${HEARTH_ST_TIMEOUT:-600}"
workers="${HEARTH_ST_WORKERS:-1}"
python="${PYTHON:-python3}"

if ! "$python" -c 'import schemathesis' >/dev/null 2>&1; then
    echo "schemathesis.sh: $python has no schemathesis: run through Deploy/test, or set PYTHON to a Python that has it" >&2
    exit 2
fi

version="$("$python" -c 'import schemathesis; print(schemathesis.__version__)')"
echo "schemathesis.sh: Schemathesis ${version}, ${HEARTH_URL}/openapi.yaml, ${max_examples} examples per operation, at most ${time_limit}s"
case "$version" in
    4.*) ;;
    *) echo "schemathesis.sh: warning: written for Schemathesis 4.x, found ${version}" >&2 ;;
esac

args=()
if [[ -n "${HEARTH_ST_CONFIG:-}" ]]; then
    args+=(--config-file "${HEARTH_ST_CONFIG}")
fi
args+=(
    run "${HEARTH_URL}/openapi.yaml"
    --url "${HEARTH_URL}"
    --header "Authorization: Bearer ${HEARTH_KEY}"
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
    --phases examples,coverage,fuzzing,stateful
    --mode all
    --max-examples "${max_examples}"
    --workers "${workers}"
    --request-timeout 10
    --wait-for-schema 30
    --generation-database none
    --no-color
)
if [[ -n "${HEARTH_ST_SEED:-}" ]]; then
    args+=(--seed "${HEARTH_ST_SEED}")
fi

# `--max-time` in Schemathesis 4 is a budget that fuzzing repeats until it is spent, not a cap,
# so the wall-clock bound comes from timeout(1): SIGINT first (Schemathesis prints its summary),
# SIGKILL 30 s later. A timed-out run exits 124 (137 if killed), so it fails the script.
status=0
timeout --signal=INT --kill-after=30 "${time_limit}" "$python" -m schemathesis.cli "${args[@]}" || status=$?
if [[ $status -eq 124 || $status -eq 137 ]]; then
    echo "schemathesis.sh: FAILED: the run did not finish within ${time_limit}s" >&2
elif [[ $status -ne 0 ]]; then
    echo "schemathesis.sh: FAILED (exit ${status})" >&2
else
    echo "schemathesis.sh: passed"
fi
exit "$status"
