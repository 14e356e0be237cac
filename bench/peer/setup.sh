#!/usr/bin/env bash
# Set up the benchmark peer: 6aika/issue-reporting (Django 3.2 + DRF, GeoReport v2) at the
# commit BENCHMARKS.md measured, on a PostGIS database of the local server, seeded as
# bench/http_load.py seeds IOC. See BENCHMARKS.md, "Side by side with a Django Open311 server".
#
#   git clone https://github.com/6aika/issue-reporting /tmp/issue-reporting
#   git -C /tmp/issue-reporting checkout 89de4fb
#   bash bench/peer/setup.sh /tmp/issue-reporting
#
# PEER_HOME (default /tmp/ioc-peer) holds its virtualenv, its pid file and the list query;
# PYTHON (default python3) makes the virtualenv: use the interpreter IOC's tier runs on.
# The database `peer` (PEER_DATABASE) is dropped and made again. Then: bench/peer/serve.sh start.
set -euo pipefail
source=$(cd "${1:?usage: setup.sh PATH-TO-issue-reporting-CHECKOUT}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
home=${PEER_HOME:-/tmp/ioc-peer}
database=${PEER_DATABASE:-peer}
commit=$(git -C "$source" rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
[ "$commit" = 89de4fb ] || echo "==> note: the checkout is at $commit; BENCHMARKS.md measured 89de4fb"
mkdir -p "$home"
"${PYTHON:-python3}" -m venv "$home/venv"
"$home/venv/bin/pip" install -q -r "$source/requirements.txt" gunicorn psycopg2-binary
psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q \
  -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" -c "CREATE DATABASE \"$database\""
psql -h 127.0.0.1 -U postgres -d "$database" -v ON_ERROR_STOP=1 -q -c "CREATE EXTENSION postgis"
echo "$source" > "$home/source"
export PYTHONPATH="$here:$source" DJANGO_SETTINGS_MODULE=settings PEER_HOME="$home" PEER_DATABASE="$database"
(cd "$source" && "$home/venv/bin/python" manage.py migrate --noinput -v0)
"$home/venv/bin/python" "$here/seed.py"
