"""End-to-end fixtures: the whole platform started for real in this process.

Uses for real: every service's HTTP app (its own create_app, served by werkzeug on a free port,
threaded) and its consumer (SERVICE.start_consumer) on a real SecantusDB and the real RabbitMQ
with names unique to the test (chora_testing's settings_for), a real SMTP server (aiosmtpd) that
captures the mail, and the gateway on its own free port forwarding over real HTTP. Nothing is faked.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import re
import threading
from dataclasses import dataclass, field

import pytest
import requests
from chora_testing.servers import free_port, wait_for_port
from chora_testing.settings import settings_class
from werkzeug.serving import make_server

BACKEND = ("registration", "evidence", "scoring", "notification")
from e2e_journey import ADMIN_EMAIL, ADMIN_PASSWORD  # noqa: E402


@dataclass
class Platform:
    url: str
    smtp: object
    service_urls: dict
    settings: dict = field(default_factory=dict)

    def api(self, path: str) -> str:
        return f"{self.url}/api/v1{path}"

    def mail_link(self, to: str, path: str, count: int = 1, timeout: float = 30.0) -> str:
        """Wait for the count-th mail to an address and return its link to `path` (with token=)."""
        mails = self.smtp.box.wait_for(lambda m: to.lower() in str(m["To"]).lower(), count=count, timeout=timeout)
        body = mails[count - 1].get_body(preferencelist=("plain", "html")).get_content()
        found = re.search(r"(https?://[^\s\"'<>]*" + re.escape(path) + r"\?[^\s\"'<>]*token=[^\s\"'<>&]+)", body)
        assert found, f"no {path} link with token= in the mail to {to}: {body[:500]}"
        return found.group(1).replace("&amp;", "&")

    def token_from(self, link: str) -> str:
        return re.search(r"token=([^&\s]+)", link).group(1)

    def sign_in(self, email: str, password: str) -> dict[str, str]:
        resp = requests.post(self.api("/auth/token"), json={"email": email, "password": password}, timeout=10)
        assert resp.status_code == 200, resp.text
        return {"Authorization": f"Bearer {resp.json()['access_token']}"}


class _Server(threading.Thread):
    def __init__(self, app, port: int):
        super().__init__(daemon=True, name=f"http-{port}")
        self.server = make_server("127.0.0.1", port, app, threaded=True)

    def run(self):
        self.server.serve_forever()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def platform(settings_for, smtp):
    ports = {name: free_port() for name in BACKEND}
    gateway_port = free_port()
    public_url = f"http://127.0.0.1:{gateway_port}"
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    common = {"smtp_host": smtp.host, "smtp_port": smtp.port, "public_url": public_url, "service_urls": urls}

    def for_service(name: str) -> dict:
        """The shared changes this service's settings have fields for."""
        names = {f.name for f in dataclasses.fields(settings_class(name))}
        return {key: value for key, value in common.items() if key in names}

    servers, runtimes, apps, all_settings = [], [], [], {}
    try:
        for name in BACKEND:
            extra = {"bootstrap_admin_email": ADMIN_EMAIL, "bootstrap_admin_password": ADMIN_PASSWORD} \
                if name == "registration" else {}
            settings = settings_for(name, **for_service(name), **extra)
            all_settings[name] = settings
            # Each service's entry points, as production runs them: migrate once, then the
            # HTTP app and (where the service consumes) the consumer, each on its own service.
            importlib.import_module(f"{name}.migrate").run(settings)
            bootstrap = importlib.import_module(f"{name}.bootstrap").bootstrap
            app = importlib.import_module(f"{name}.api").create_app(service=bootstrap(settings))
            apps.append(app)
            server = _Server(app, ports[name])
            server.start()
            servers.append(server)
            if importlib.util.find_spec(f"{name}.consumer") is not None and name != "registration":
                consumer_service = bootstrap(settings)
                importlib.import_module(f"{name}.consumer").start(consumer_service)
                runtimes.append(consumer_service)
        from gateway.api import create_app

        gateway_settings = settings_for("gateway", **for_service("gateway"), http_port=gateway_port)
        all_settings["gateway"] = gateway_settings
        gateway_app = create_app(gateway_settings)
        runtimes.append(gateway_app.extensions["gateway"])  # its access-event subscription, stopped below
        gateway = _Server(gateway_app, gateway_port)
        gateway.start()
        servers.append(gateway)
        for port in [*ports.values(), gateway_port]:
            wait_for_port(port, timeout=15)
        yield Platform(url=public_url, smtp=smtp, service_urls=urls, settings=all_settings)
    finally:
        for server in servers:
            server.stop()
        for runtime in runtimes:
            runtime.stop()
        for app in apps:
            runtime = app.extensions.get("chora_runtime")
            if runtime is not None:
                runtime.stop()
