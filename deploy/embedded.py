"""`make run`: the whole platform on one machine with only Python.

Starts SecantusDB (a MongoDB-compatible server) with its data in .run/, a local SMTP sink whose
mail you can read in the browser (unless CHORA_SMTP_HOST is set), and every service. With RabbitMQ
reachable each service runs as its own processes (HTTP + consumer), as in production; otherwise all
services run in this one process on kombu's in-memory transport. Ctrl-C stops all it started.
"""

from __future__ import annotations

import html
import importlib
import os
import signal
import subprocess
import sys
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared" / "src"))

from chora_testing.servers import Secantus, SmtpSink, free_port, wait_for_port  # noqa: E402
from chora_testing.settings import settings_of  # noqa: E402

from shared.config import ServiceSettings  # noqa: E402
from shared.runtime import broker_reachable  # noqa: E402

BACKEND_SERVICES = ("registration", "evidence", "scoring", "notification")
RUN_DIR = Path(os.environ.get("CHORA_RUN_DIR", ROOT / ".run"))


def log(line: str) -> None:
    print(f"[make run] {line}", flush=True)


class MailViewer(ThreadingHTTPServer):
    """A tiny page listing the mail the local sink captured."""

    def __init__(self, port: int, maildir: Path):
        self.maildir = maildir
        super().__init__(("127.0.0.1", port), _MailHandler)


class _MailHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        files = sorted(self.server.maildir.glob("*.eml"), reverse=True)
        parts = ["<!doctype html><html lang='da'><meta charset='utf-8'><title>Sendt post</title>",
                 "<body style='font-family:sans-serif;max-width:60rem;margin:auto'><h1>Sendt post (lokal)</h1>"]
        if not files:
            parts.append("<p>Ingen mails endnu.</p>")
        for path in files[:100]:
            msg = message_from_bytes(path.read_bytes(), policy=policy.default)
            body = msg.get_body(preferencelist=("plain",))
            text = body.get_content() if body else ""
            parts.append(
                f"<article style='border:1px solid #ccc;padding:1rem;margin:1rem 0'>"
                f"<h2 style='font-size:1.1rem'>{html.escape(str(msg['Subject']))}</h2>"
                f"<p>Til: {html.escape(str(msg['To']))} &middot; {html.escape(str(msg['Date']))}</p>"
                f"<pre style='white-space:pre-wrap'>{html.escape(text)}</pre></article>"
            )
        data = "".join(parts).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Platform:
    def __init__(self, env: dict[str, str]):
        self.env = env
        self.children: list[subprocess.Popen] = []
        self.servers = []
        self.secantus: Secantus | None = None
        self.sink: SmtpSink | None = None
        self.viewer: MailViewer | None = None
        self.runtimes = []

    # -- infrastructure ---------------------------------------------------------------------------
    def start_infrastructure(self) -> None:
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        if "CHORA_MONGO_URL" not in self.env:
            data = RUN_DIR / "secantus-data"
            data.mkdir(exist_ok=True)
            self.secantus = Secantus(str(data), log_path=str(RUN_DIR / "secantus.log")).start()
            self.env["CHORA_MONGO_URL"] = self.secantus.url
            log(f"SecantusDB on 127.0.0.1:{self.secantus.port} (data in {data})")
        if "CHORA_SMTP_HOST" not in self.env:
            self.sink = SmtpSink(maildir=str(RUN_DIR / "mail")).start()
            self.env["CHORA_SMTP_HOST"], self.env["CHORA_SMTP_PORT"] = "127.0.0.1", str(self.sink.port)
            viewer_port = int(self.env.get("CHORA_MAIL_VIEWER_PORT", "8025"))
            try:
                self.viewer = MailViewer(viewer_port, RUN_DIR / "mail")
                threading.Thread(target=self.viewer.serve_forever, daemon=True).start()
                log(f"mail is kept, not sent: read it at http://127.0.0.1:{viewer_port}/ (files in {RUN_DIR / 'mail'})")
            except OSError:
                log(f"mail is kept, not sent: files in {RUN_DIR / 'mail'}")
        else:
            log(f"mail goes to {self.env['CHORA_SMTP_HOST']}:{self.env.get('CHORA_SMTP_PORT', '25')}")
        for service in BACKEND_SERVICES:
            port = free_port()
            self.env[f"CHORA_{service.upper()}_PORT"] = str(port)
            self.env[f"CHORA_{service.upper()}_URL"] = f"http://127.0.0.1:{port}"
        self.env.setdefault("CHORA_GATEWAY_PORT", "8080")
        self.env.setdefault("CHORA_SEED_DEMO", "1")
        self.env.setdefault("CHORA_BOOTSTRAP_ADMIN_EMAIL", "admin@verdensmaal.local")
        self.env.setdefault("CHORA_BOOTSTRAP_ADMIN_PASSWORD", "verdensmaal-admin")
        self.env.setdefault("CHORA_SECRET_KEY", "embedded-" + os.urandom(16).hex())
        self.env["CHORA_PUBLIC_URL"] = self.env.get("CHORA_PUBLIC_URL", f"http://127.0.0.1:{self.env['CHORA_GATEWAY_PORT']}")

    # -- services as processes (RabbitMQ) ---------------------------------------------------------
    def start_processes(self) -> None:
        env = {**os.environ, **self.env, "CHORA_WEB_WORKERS": "1"}
        for service in BACKEND_SERVICES:  # start-up work once, before any of its processes serves
            subprocess.run([sys.executable, "-m", f"{service}.migrate"], env=env, cwd=ROOT, check=True)
        for service in (*BACKEND_SERVICES, "gateway"):
            port = self.env["CHORA_GATEWAY_PORT"] if service == "gateway" else self.env[f"CHORA_{service.upper()}_PORT"]
            self._spawn([sys.executable, "-m", "gunicorn", "--config", "python:shared.gunicorn_conf",
                         f"{service}.api:create_app()"], {**env, "CHORA_HTTP_PORT": port}, f"{service}-api")
            if service != "gateway":
                self._spawn([sys.executable, "-m", f"{service}.consumer"], env, f"{service}-consumer")

    def _spawn(self, cmd, env, name) -> None:
        logfile = open(RUN_DIR / f"{name}.log", "ab")
        self.children.append(subprocess.Popen(cmd, env=env, stdout=logfile, stderr=subprocess.STDOUT, cwd=ROOT))

    # -- everything in this process (in-memory transport) -----------------------------------------
    def start_in_process(self) -> None:
        from werkzeug.serving import make_server

        os.environ.update(self.env)
        for service in (*BACKEND_SERVICES, "gateway"):
            settings = settings_of(service)
            if service == "gateway":
                app = importlib.import_module("gateway.api").create_app(settings)
            else:
                importlib.import_module(f"{service}.migrate").run(settings)
                built = importlib.import_module(f"{service}.bootstrap").bootstrap(settings)
                app = importlib.import_module(f"{service}.api").create_app(service=built)
                if service != "registration":  # registration consumes nothing
                    importlib.import_module(f"{service}.consumer").start(built)
                self.runtimes.append(built)
            server = make_server("127.0.0.1", settings.http_port, app, threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True, name=f"http-{service}").start()
            self.servers.append(server)

    # -- stop -------------------------------------------------------------------------------------
    def stop(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.terminate()
        for child in self.children:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
        for server in self.servers:
            server.shutdown()
        for runtime in self.runtimes:
            runtime.stop()
        if self.viewer is not None:
            self.viewer.shutdown()
        if self.sink is not None:
            self.sink.stop()
        if self.secantus is not None:
            self.secantus.stop()


def main() -> int:
    env = {k: v for k, v in os.environ.items() if k.startswith("CHORA_")}
    amqp_url = env.get("CHORA_AMQP_URL", ServiceSettings.amqp_url)
    use_broker = not amqp_url.startswith("memory://") and broker_reachable(amqp_url) == "ok"
    if not use_broker:
        env["CHORA_AMQP_URL"] = "memory://"
    platform = Platform(env)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    try:
        platform.start_infrastructure()
        if use_broker:
            log(f"RabbitMQ reachable: each service runs as its own processes (logs in {RUN_DIR})")
            platform.start_processes()
        else:
            log("RabbitMQ not reachable: all services in this process on the in-memory transport")
            platform.start_in_process()
        port = int(platform.env["CHORA_GATEWAY_PORT"])
        wait_for_port(port, timeout=60)
        log(f"the portal is ready: http://127.0.0.1:{port}/  (API docs: http://127.0.0.1:{port}/api/v1/docs)")
        log(f"administrator: {platform.env['CHORA_BOOTSTRAP_ADMIN_EMAIL']} / {platform.env['CHORA_BOOTSTRAP_ADMIN_PASSWORD']}")
        log("press Ctrl-C to stop everything")
        while not stopping.is_set():
            if any(c.poll() is not None for c in platform.children):
                dead = [c.args for c in platform.children if c.poll() is not None]
                log(f"a service process stopped unexpectedly: {dead}; stopping")
                break
            stopping.wait(1)
    finally:
        log("stopping ...")
        platform.stop()
        log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
