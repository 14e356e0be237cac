#!/usr/bin/env bash
# Run the demo: SQLite, one process, the generated province, simulated reports.
#
#   bash scripts/demo.sh [--port 5000] [--no-simulate]
#
# Creates .venv and installs IOC on first use, then runs `ioc demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/venv.sh
bash scripts/build_frontend.sh
exec .venv/bin/ioc demo "$@"
