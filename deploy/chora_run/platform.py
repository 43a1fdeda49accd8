"""The platform of one `make run`: its run directory, SecantusDB, mail, and the services either
as supervised processes (RabbitMQ mode) or all in this process (kombu's in-memory transport)."""

from __future__ import annotations

import importlib
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from chora_testing.settings import settings_of
from werkzeug.serving import make_server

from chora_run import programs, state
from chora_run.mail import MailSink, MailViewer
from chora_run.supervisor import Child, Supervisor

ROOT = Path(__file__).resolve().parents[2]

BACKEND_SERVICES = programs.BACKEND_SERVICES


def log(line: str) -> None:
    print(f"[make run] {line}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.2) -> None:
    """Poll a condition until it holds (a port, an answer); raise TimeoutError naming it."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached after {timeout:.0f} s")
        time.sleep(interval)


class Platform:
    """Everything one run starts, and its supervisor."""

    def __init__(self, env: dict[str, str], *, replicas: int | None = None, log: Callable[[str], None] = log):
        self.env = env
        self.log = log
        self.run_dir = Path(env.get("CHORA_RUN_DIR") or os.environ.get("CHORA_RUN_DIR") or ROOT / ".run").resolve()
        self.env["CHORA_RUN_DIR"] = str(self.run_dir)  # also marks every process of this run
        self.replicas = replicas or int(env.get("CHORA_REPLICAS", "1"))
        self.bind = env.get("CHORA_BIND", "127.0.0.1")
        self.supervisor = Supervisor(self.log, self.run_dir / "logs",
                                     hang_after=float(env.get("CHORA_RUN_HANG_AFTER", "30")),
                                     term_grace=float(env.get("CHORA_RUN_TERM_GRACE", "10")))
        self.admin_password_generated = False
        self.sink: MailSink | None = None
        self.viewer: MailViewer | None = None
        self.servers: list = []
        self.runtimes: list = []

    @property
    def children(self) -> list:
        """The running child processes (Popen objects) of this run."""
        return [c.proc for c in self.supervisor.children if c.proc is not None]

    def child(self, name: str) -> Child:
        return next(c for c in self.supervisor.children if c.name == name)

    def _child_env(self) -> dict[str, str]:
        # The children see the CHORA_* settings of this run only, not stray ones of the caller's shell.
        base = {k: v for k, v in os.environ.items() if not k.startswith("CHORA_")}
        return {**base, **self.env}

    # -- infrastructure ---------------------------------------------------------------------------
    def start_infrastructure(self) -> None:
        """SecantusDB (supervised), mail, ports, kept secrets and the first administrator's account."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        gateway_port = int(self.env.setdefault("CHORA_GATEWAY_PORT", "8080"))
        if port_open(gateway_port):
            raise RuntimeError(f"port {gateway_port} is already in use (another make run?); "
                               f"stop it or choose another with CHORA_GATEWAY_PORT")
        self.env["CHORA_SECRET_KEY"] = self.env.get("CHORA_SECRET_KEY") or state.master_secret(self.run_dir)
        self.env.setdefault("CHORA_SEED_DEMO", "1")
        self.env.setdefault("CHORA_BOOTSTRAP_ADMIN_EMAIL", "admin@verdensmaal.local")
        if not self.env.get("CHORA_BOOTSTRAP_ADMIN_PASSWORD"):
            self.env["CHORA_BOOTSTRAP_ADMIN_PASSWORD"] = state.admin_password(self.run_dir)
            self.admin_password_generated = True
        self.env.setdefault("CHORA_PUBLIC_URL", f"http://127.0.0.1:{gateway_port}")
        for service in BACKEND_SERVICES:
            port = free_port()
            self.env[f"CHORA_{service.upper()}_PORT"] = str(port)
            self.env[f"CHORA_{service.upper()}_URL"] = f"http://127.0.0.1:{port}"
        if "CHORA_MONGO_URL" not in self.env:
            data = self.run_dir / "secantus-data"
            data.mkdir(exist_ok=True)
            port = free_port()
            db = self.supervisor.start(programs.secantus(port, str(data), self._child_env()))
            self.env["CHORA_MONGO_URL"] = f"mongodb://127.0.0.1:{port}/?retryWrites=false"
            wait_until(lambda: port_open(port) or not db.running, 60, "SecantusDB")
            if not db.running:
                raise RuntimeError(f"SecantusDB did not start; see {self.run_dir / 'logs' / 'secantus.log'}")
            self.log(f"SecantusDB on 127.0.0.1:{port} (data in {data})")
        self._start_mail()

    def _start_mail(self) -> None:
        if self.env.get("CHORA_SMTP_HOST"):
            self.log(f"mail goes to {self.env['CHORA_SMTP_HOST']}:{self.env.get('CHORA_SMTP_PORT', '25')}")
            return
        maildir = self.run_dir / "mail"
        self.sink = MailSink(maildir, free_port()).start()
        self.env["CHORA_SMTP_HOST"], self.env["CHORA_SMTP_PORT"] = "127.0.0.1", str(self.sink.port)
        viewer_port = int(self.env.get("CHORA_MAIL_VIEWER_PORT", "8025"))
        try:
            self.viewer = MailViewer(viewer_port, maildir).start()
            self.log(f"mail is kept, not sent: read it at http://127.0.0.1:{viewer_port}/ (files in {maildir})")
        except OSError:
            self.log(f"mail is kept, not sent: files in {maildir}")

    def _migrate(self, once: list) -> None:
        for program in once:
            self.supervisor.run_once(program)

    def _programs(self) -> tuple[list, list]:
        ports = {s: int(self.env[f"CHORA_{s.upper()}_PORT"]) for s in BACKEND_SERVICES}
        ports["gateway"] = int(self.env["CHORA_GATEWAY_PORT"])
        return programs.service_programs(self._child_env(), ports=ports, bind=self.bind, replicas=self.replicas,
                                         metrics_port=free_port)

    # -- services as processes (RabbitMQ) ---------------------------------------------------------
    def start_processes(self) -> None:
        """Run the start-up steps, then every API, consumer and scheduler as supervised processes."""
        once, running = self._programs()
        self._migrate(once)
        for program in running:
            self.supervisor.start(program)

    # -- everything in this process (in-memory transport) -----------------------------------------
    def start_in_process(self) -> None:
        """Run the start-up steps, then every service's HTTP app and consumer in this process."""
        once, _ = self._programs()
        self._migrate(once)
        os.environ.update(self.env)
        for service in programs.SERVICES:
            settings = settings_of(service)
            if service == "gateway":
                app = importlib.import_module("gateway.api").create_app(settings)
                host = self.bind
            else:
                # Each service through its entry points, as its processes would run it.
                built = importlib.import_module(f"{service}.bootstrap").bootstrap(settings)
                app = importlib.import_module(f"{service}.api").create_app(service=built)
                if service != "registration":  # registration consumes nothing
                    importlib.import_module(f"{service}.consumer").start(built)
                if service in ("notification", "scoring"):  # its scheduler's loop in a thread
                    importlib.import_module(f"{service}.scheduler").start(built)
                self.runtimes.append(built)
                host = "127.0.0.1"
            server = make_server(host, settings.http_port, app, threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True, name=f"http-{service}").start()
            self.servers.append(server)

    # -- watching and stopping ----------------------------------------------------------------------
    def watch(self, stopping: threading.Event, interval: float = 0.5) -> None:
        """Supervise until `stopping` is set (from this, the main thread: see supervisor.LAUNCHER)."""
        while not stopping.is_set():
            self.supervisor.tick()
            stopping.wait(interval)

    def stop(self) -> None:
        """Stop everything this run started, the database last; leave no process behind."""
        for server in self.servers:
            server.shutdown()
        for runtime in self.runtimes:
            runtime.stop()
        self.supervisor.stop(programs.STOP_ORDER)
        if self.viewer is not None:
            self.viewer.shutdown()
        if self.sink is not None:
            self.sink.stop()

