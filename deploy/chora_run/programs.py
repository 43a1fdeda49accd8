"""The process table of `make run`: which processes each service has, in start order.

One row per kind of process. A row whose module is not (yet) runnable is skipped, so the
start-up jobs and schedulers of issue 15 switch themselves on when their modules land:

- `python -m <service>.migrate` runs once, before anything else of the platform starts, and
  must exit 0 (indexes, reference data, migrations);
- `python -m <service>.scheduler` is one process per service, never replicated (the cluster's
  CronJob; the run it calls is idempotent, so a restart does no harm).

"Runnable" means the module exists and has a `__main__` guard: a module of that name that is
only a library (notification.scheduler today holds the scheduler's functions) is not started.
"""

from __future__ import annotations

import importlib.util
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pymongo import MongoClient

from chora_run.supervisor import Program

BACKEND_SERVICES = ("registration", "evidence", "scoring", "notification")
SERVICES = (*BACKEND_SERVICES, "gateway")


@dataclass(frozen=True)
class Row:
    kind: str
    module: str  # "{service}" is replaced by the service's name
    services: tuple[str, ...]
    once: bool = False
    replicated: bool = True
    probed: bool = False  # serves /healthz on CHORA_METRICS_PORT (shared.health)


TABLE = (
    Row("migrate", "{service}.migrate", SERVICES, once=True, replicated=False),
    Row("api", "gunicorn", SERVICES),
    Row("consumer", "{service}.consumer", BACKEND_SERVICES, probed=True),
    Row("scheduler", "{service}.scheduler", ("scoring", "notification"), replicated=False),
)

# Stop order: what takes requests first, the database last.
STOP_ORDER = (("api",), ("consumer", "scheduler", "migrate"), ("database",))


def runnable(module: str) -> bool:
    """Whether `python -m module` would run something (the module exists and has a __main__ guard)."""
    if module == "gunicorn":
        return True
    try:
        spec = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        return False
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return False
    with open(spec.origin, encoding="utf-8") as fh:
        source = fh.read()
    return "__name__ == \"__main__\"" in source or "__name__ == '__main__'" in source


def http_probe(url: str, timeout: float = 2.0) -> Callable[[], bool]:
    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as answer:
                return answer.status == 200
        except OSError:
            return False

    return probe


def mongo_probe(url: str, timeout_ms: int = 2000) -> Callable[[], bool]:
    """A ping with short timeouts: a stopped server does not answer it, a dead one refuses it."""
    client: MongoClient = MongoClient(url, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms,
                                      socketTimeoutMS=timeout_ms, appname="make-run-supervisor")

    def probe() -> bool:
        try:
            client.admin.command("ping")
            return True
        except Exception:
            return False

    return probe


def secantus(port: int, data_dir: str, env: Mapping[str, str]) -> Program:
    """SecantusDB on 127.0.0.1:port with its data in data_dir (kept across runs).

    With --sync-on-commit (unless CHORA_RUN_DB_SYNC=0): without it a SIGKILLed SecantusDB loses
    its last acknowledged commits (seen: 13 of 210 writes), so an answered registration or an
    acked event's effect could vanish; production MongoDB journals them (j with w:majority).
    It costs throughput (about 230 against 825 small transactions a second here)."""
    sync = ("--sync-on-commit",) if env.get("CHORA_RUN_DB_SYNC", "1") != "0" else ()
    return Program(
        name="secantus", kind="database", env=env,
        argv=("-m", "secantus", "--host", "127.0.0.1", "--port", str(port), "--storage-path", data_dir,
              "--log-level", "WARNING", *sync),
        probe=mongo_probe(f"mongodb://127.0.0.1:{port}/?retryWrites=false"),
    )


def service_programs(env: Mapping[str, str], *, ports: Mapping[str, int], bind: str, replicas: int,
                     metrics_port: Callable[[], int]) -> tuple[list[Program], list[Program]]:
    """(start-up steps, long-running processes) of every service, from the table."""
    once: list[Program] = []
    running: list[Program] = []
    for row in TABLE:
        for service in row.services:
            module = row.module.format(service=service)
            if not runnable(module):
                continue
            count = replicas if row.replicated else 1
            for replica in range(1, count + 1):
                name = f"{service}-{row.kind}" + (f"-{replica}" if count > 1 else "")
                proc_env = {**env, "CHORA_WEB_WORKERS": env.get("CHORA_WEB_WORKERS", "1")}
                probe = None
                if row.kind == "api":
                    host = bind if service == "gateway" else "127.0.0.1"
                    # --reuse-port: replicas share the service's one address (the kernel spreads the
                    # connections, as a Kubernetes Service would), and a restarted master can bind
                    # while the workers of the one it replaces finish their requests.
                    argv = ("-m", "gunicorn", "--config", "python:shared.gunicorn_conf",
                            "--bind", f"{host}:{ports[service]}", "--reuse-port", f"{service}.api:create_app()")
                else:
                    argv = ("-m", module)
                # Each process its own metrics port (in a container each has 9100 to itself).
                port = metrics_port()
                proc_env["CHORA_METRICS_PORT"] = str(port)
                if row.probed:
                    probe = http_probe(f"http://127.0.0.1:{port}/healthz")
                program = Program(name=name, argv=argv, env=proc_env, kind=row.kind, probe=probe, once=row.once)
                (once if row.once else running).append(program)
    return once, running
