"""gunicorn settings shared by every service image (gunicorn --config python:shared.gunicorn_conf).

No preload: each worker builds its app after fork, so MongoDB and AMQP connections are made in
the worker, never inherited across a fork.

Metrics: prometheus_client's multiprocess mode. Every worker writes its values to files in
PROMETHEUS_MULTIPROC_DIR (a fresh temporary folder unless set; set here, in the master, before
any worker imports prometheus_client) and /metrics sums them, whichever worker answers. The folder
is emptied when the master starts and a dead worker's live gauges are dropped (child_exit).
"""

import os
import shutil
import tempfile
from typing import Any

# Before prometheus_client is imported: it picks its value class (files or memory) at import, and
# the workers forked from this master inherit what the master imported.
_OWN_FOLDER = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_FOLDER:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="chora-metrics-")

from prometheus_client import multiprocess  # noqa: E402

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


def on_starting(server: Any) -> None:
    """Start from an empty metrics folder: files of an earlier master would be summed in."""
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """Drop the live gauges of a worker that exited (its counters stay in the sum)."""
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    """Remove the metrics folder this master made for itself."""
    if _OWN_FOLDER:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
