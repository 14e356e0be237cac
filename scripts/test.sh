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
# One worker per core (pytest-xdist); IOC_TEST_WORKERS=0 runs everything in this process.
.venv/bin/python -m pytest --numprocesses="${IOC_TEST_WORKERS:-auto}" "$@"
