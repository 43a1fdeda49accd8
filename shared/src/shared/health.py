"""Liveness and readiness of a consumer process, served over HTTP on its metrics port.

A consumer has no HTTP API of its own, so `python -m <service>.consumer` serves `/healthz` and
`/readyz` on `CHORA_METRICS_PORT` (9100 in containers; `make run` gives each process a free port;
0 turns the server off). Kubernetes probes, compose healthchecks and `make run`'s supervisor all
ask the same two questions:

- live (`/healthz`): the consumer's thread is running, its broker connection has not been lost
  for more than LOST_LIMIT seconds, and its loop has turned within STALL_LIMIT seconds (kombu's
  loop turns at least once a second while idle, so a handler stuck for minutes shows here);
  the outbox relay's thread is running. Not live means: restart this process.
- ready (`/readyz`): attached to its queue (consuming) and its loop turned recently. Not ready
  means: it is starting, reconnecting or busy; do not count it as a working replica.

A process that consumes nothing (it runs only its outbox relay) is live and ready while the
relay's thread runs. Further routes (the Prometheus `/metrics` WSGI app) are mounted with
`HealthServer.mount`, so one port serves them all.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

if TYPE_CHECKING:
    from shared.runtime import Runtime

log = logging.getLogger(__name__)

LOST_LIMIT = 60.0  # seconds without a broker connection before the process is not live
STALL_LIMIT = 300.0  # seconds the consumer loop may be stuck (one handler call) before it is not live
READY_TURN = 30.0  # seconds since the loop's last turn within which the consumer counts as handling

Check = Callable[[], tuple[bool, dict[str, Any]]]


def consumer_checks(runtime: Runtime, clock: Callable[[], float] = time.monotonic) -> tuple[Check, Check]:
    """Return the (live, ready) checks of a consumer process's runtime."""

    def relay_alive() -> bool:
        return runtime.relay is not None and runtime.relay.alive

    def live() -> tuple[bool, dict[str, Any]]:
        consumer = runtime.consumer
        detail: dict[str, Any] = {"relay": "ok" if relay_alive() else "stopped"}
        if consumer is not None:
            now = clock()
            detail["consumer"] = "ok" if consumer.thread_alive else "stopped"
            if consumer.lost_since is not None and now - consumer.lost_since > LOST_LIMIT:
                detail["broker"] = f"connection lost {now - consumer.lost_since:.0f}s ago"
            if consumer.lost_since is None and now - consumer.last_turn > STALL_LIMIT:
                detail["loop"] = f"stuck for {now - consumer.last_turn:.0f}s"
        return all(v == "ok" for v in detail.values()), detail

    def ready() -> tuple[bool, dict[str, Any]]:
        consumer = runtime.consumer
        detail: dict[str, Any] = {"relay": "ok" if relay_alive() else "stopped"}
        if consumer is not None:
            detail["queue"] = "attached" if consumer.ready.is_set() else "not attached"
            idle = clock() - consumer.last_turn
            detail["handling"] = "ok" if idle <= READY_TURN else f"loop last turned {idle:.0f}s ago"
        ok = detail["relay"] == "ok" and detail.get("queue", "attached") == "attached" \
            and detail.get("handling", "ok") == "ok"
        return ok, detail

    return live, ready


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - probes every second would flood the log
        pass


class HealthServer:
    """A small threaded HTTP server answering /healthz and /readyz (and whatever is mounted)."""

    def __init__(self, port: int, live: Check, ready: Check, host: str = "0.0.0.0"):
        self.checks = {"/healthz": live, "/readyz": ready}
        self.mounts: dict[str, Callable[..., Any]] = {}
        self._server = make_server(host, port, self._app, server_class=_Server, handler_class=_QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="health-http", daemon=True)

    def mount(self, path: str, wsgi_app: Callable[..., Any]) -> None:
        """Serve another WSGI app (e.g. prometheus_client.make_wsgi_app()) at `path`."""
        self.mounts[path] = wsgi_app

    def start(self) -> HealthServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path in self.mounts:
            answer: Iterable[bytes] = self.mounts[path](environ, start_response)
            return answer
        check = self.checks.get(path)
        if check is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        try:
            ok, detail = check()
        except Exception as exc:  # a failing check is an answer (not live), never a crash of the server
            ok, detail = False, {"error": exc.__class__.__name__}
        body = json.dumps({"status": "ok" if ok else "failing", **detail}).encode()
        start_response("200 OK" if ok else "503 Service Unavailable",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def serve(runtime: Runtime, port: int) -> HealthServer:
    """Start the health server of a consumer process on `port` (0 picks a free one)."""
    live, ready = consumer_checks(runtime)
    server = HealthServer(port, live, ready).start()
    log.info("health checks served", extra={"port": server.port})
    return server
