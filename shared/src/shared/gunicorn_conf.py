"""gunicorn settings shared by every service image (gunicorn --config python:shared.gunicorn_conf).

No preload: each worker builds its app after fork, so MongoDB and AMQP connections are made in
the worker, never inherited across a fork."""

import os

bind = f"0.0.0.0:{os.environ.get('CHORA_HTTP_PORT', '8000')}"
workers = int(os.environ.get("CHORA_WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("CHORA_WEB_THREADS", "8"))
preload_app = False
timeout = 30
graceful_timeout = 20
keepalive = 5
# The longest request line gunicorn lets through (its maximum; the default is 4094): the apps answer
# a longer address themselves (the gateway: 414 problem+json above 4096 characters), and only a
# line beyond this gets gunicorn's own plain 414.
limit_request_line = 8190
accesslog = None
errorlog = "-"
loglevel = os.environ.get("CHORA_LOG_LEVEL", "info").lower()
