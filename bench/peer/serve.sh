#!/usr/bin/env bash
# Start or stop the benchmark peer set up by bench/peer/setup.sh: gunicorn with 2 sync
# workers on 127.0.0.1:8900, as BENCHMARKS.md measured it.
#
#   bash bench/peer/serve.sh start     prints the master's pid (the bench's --server-pid)
#   bash bench/peer/serve.sh stop
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
home=${PEER_HOME:-/tmp/ioc-peer}
pidfile="$home/gunicorn.pid"
case "${1:-}" in
  start)
    source=$(cat "$home/source")
    export PYTHONPATH="$here:$source" DJANGO_SETTINGS_MODULE=settings
    (cd "$source" && "$home/venv/bin/gunicorn" cfh.wsgi:application --workers 2 \
      --worker-class sync --bind 127.0.0.1:8900 --daemon --pid "$pidfile" \
      --error-logfile "$home/error.log" --log-level warning)
    for _ in $(seq 1 40); do
      if curl -fs -o /dev/null http://127.0.0.1:8900/api/georeport/v2/services.json; then
        cat "$pidfile"
        exit 0
      fi
      sleep 0.5
    done
    echo "the peer did not answer; see $home/error.log" >&2
    exit 1
    ;;
  stop)
    [ -s "$pidfile" ] || exit 0
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; exit 0; }
      sleep 0.5
    done
    echo "the peer's master $pid did not stop" >&2
    exit 1
    ;;
  *)
    echo "usage: serve.sh start|stop" >&2
    exit 2
    ;;
esac
