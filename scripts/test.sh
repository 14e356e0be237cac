#!/usr/bin/env bash
# Run the whole test suite: lint, types, import layering, and pytest on SQLite and PostGIS.
#
#   bash scripts/test.sh [pytest arguments]
#
# Creates .venv on first use. PostGIS tests use IOC_TEST_POSTGIS_URL; when it is unset, the
# script tries the local server (postgres@127.0.0.1, database ioc_test) and prepares it. With
# IOC_TEST_REQUIRE_POSTGIS=1 (as in CI) a missing PostGIS fails the run instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/venv.sh

if [ -z "${IOC_TEST_POSTGIS_URL:-}" ]; then
  candidate="postgresql+psycopg://postgres@127.0.0.1:5432/ioc_test"
  if .venv/bin/python scripts/prepare_postgis.py "$candidate"; then
    export IOC_TEST_POSTGIS_URL="$candidate"
  elif [ "${IOC_TEST_REQUIRE_POSTGIS:-}" = "1" ]; then
    echo "PostGIS is required (IOC_TEST_REQUIRE_POSTGIS=1) but not available" >&2
    exit 1
  else
    echo "==> no PostGIS database found: PostGIS tests will be skipped (see README)"
  fi
fi

bash scripts/build_frontend.sh
echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> mypy"
.venv/bin/mypy
echo "==> import layering"
.venv/bin/lint-imports --no-cache --no-logo
echo "==> pytest"
# The topology test (tests/topology: nginx, two gunicorn processes, the worker, Redis and
# PostGIS, see docs/operations.md) spends most of its time waiting for processes to start, so
# it runs in a pytest process of its own beside the main suite; its output follows the
# suite's, each line marked [topology]. A run limited to some test paths leaves it out;
# IOC_TEST_TOPOLOGY=1 or 0 decides instead.
topology_default=1
for argument in "$@"; do
  case "$argument" in tests*|./tests*) topology_default=0 ;; esac
done
topology_log=$(mktemp)
trap 'rm -f "$topology_log"' EXIT
topology_pid=""
if [ "${IOC_TEST_TOPOLOGY:-$topology_default}" != "0" ]; then
  .venv/bin/python -m pytest --numprocesses=0 -q -p no:cacheprovider tests/topology \
    >"$topology_log" 2>&1 &
  topology_pid=$!
fi
# One worker per core (pytest-xdist); IOC_TEST_WORKERS=0 runs everything in this process.
suite_status=0
.venv/bin/python -m pytest --numprocesses="${IOC_TEST_WORKERS:-auto}" \
  --ignore=tests/topology "$@" || suite_status=$?
topology_status=0
if [ -n "$topology_pid" ]; then
  wait "$topology_pid" || topology_status=$?
  echo "==> pytest tests/topology (run beside the suite)"
  sed 's/^/[topology] /' "$topology_log"
fi
if [ "$suite_status" -ne 0 ] || [ "$topology_status" -ne 0 ]; then
  echo "==> failed: suite exit $suite_status, topology exit $topology_status" >&2
  exit 1
fi
