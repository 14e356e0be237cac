"""gunicorn settings for production: one gevent worker per process (see README)."""

import os

bind = os.environ.get("IOC_BIND", "0.0.0.0:8000")
# Flask-SocketIO needs exactly one worker per process; scale with more processes or hosts
# behind the load balancer, joined by the Redis message queue.
workers = 1
worker_class = "gevent"
worker_connections = int(os.environ.get("IOC_WORKER_CONNECTIONS", "2000"))
timeout = 60
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
# gunicorn 27 otherwise opens a control socket in the home directory.
control_socket_disable = True


def post_worker_init(worker):
    """Each worker pushes committed events to its Socket.IO clients (and, through Redis, to
    every other process's)."""
    from ioc.wsgi import start_background_work

    start_background_work()
