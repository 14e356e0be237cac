#!/usr/bin/env bash
# Run the demo: SQLite, one process, the generated province, simulated reports.
#
#   bash scripts/demo.sh [--port 5000] [--no-simulate]
#
# Creates .venv and installs IOC on first use, then runs `ioc demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/ioc ] || [ pyproject.toml -nt .venv/.installed ]; then
  echo "==> installing IOC into .venv (first run only)"
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet --editable ".[test]"
  touch .venv/.installed
fi
bash scripts/build_frontend.sh
exec .venv/bin/ioc demo "$@"
