"""gunicorn settings for production: one gevent worker per process (see README)."""

import os
import shutil
import tempfile

bind = os.environ.get("IOC_BIND", "0.0.0.0:8000")
# Flask-SocketIO needs exactly one worker per process; scale with more processes or hosts
# behind the load balancer, joined by the Redis message queue.
workers = 1
worker_class = "gevent"
# Connections one process holds open (websockets of wall maps and consoles included); the
# requests it works on at once are bounded lower, by IOC_MAX_IN_FLIGHT, and one more is
# refused with 503 at once instead of slowing down every other (docs/operations.md).
worker_connections = int(os.environ.get("IOC_WORKER_CONNECTIONS", "2000"))
timeout = 60
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
# The request id the app answered with, so access lines match the app's own log lines.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s" %({x-request-id}o)s'
)
# gunicorn 27 otherwise opens a control socket in the home directory.
control_socket_disable = True


def post_worker_init(worker):
    """Each worker pushes committed events to its Socket.IO clients (and, through Redis, to
    every other process's)."""
    from ioc.wsgi import start_background_work

    start_background_work()


# Prometheus metrics from every process, added up by /metrics: each process keeps its values
# in files in this folder. It must be set before a worker imports prometheus-client, which is
# why it is decided here, in the master, before any worker starts.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="ioc-metrics-")


def on_starting(server):
    """Start from empty files: values of an earlier run's processes are not this run's."""
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    """A dead process's live gauges (websocket connections) no longer count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
