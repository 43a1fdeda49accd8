"""`make run`: start the platform, say what is true when it is true, supervise, stop everything."""

from __future__ import annotations

import json
import os
import signal
import threading
import urllib.error
import urllib.request

from chora_run.platform import Platform, log, wait_until
from shared.config import ServiceSettings
from shared.runtime import broker_reachable

PORTAL_TIMEOUT = 300.0  # a cold start on a busy two-core machine takes a while


def _status(url: str, data: dict | None = None, timeout: float = 5.0) -> int:
    """The HTTP status of a GET (or a JSON POST), 0 if nothing answered."""
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def announce(platform: Platform, stopping: threading.Event) -> None:
    """Print the administrator's sign-in once it works and "ready" once the portal answers."""
    env = platform.env
    port = int(env["CHORA_GATEWAY_PORT"])
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: stopping.is_set() or _status(f"{base}/") == 200, PORTAL_TIMEOUT, "the portal")
        # Registration creates the administrator before it serves anything (its on_start).
        registration = env["CHORA_REGISTRATION_URL"]
        wait_until(lambda: stopping.is_set() or _status(f"{registration}/healthz") == 200, PORTAL_TIMEOUT,
                   "the registration service")
    except TimeoutError as exc:
        log(f"{exc}; see the logs in {platform.run_dir / 'logs'}")
        return
    if stopping.is_set():
        return
    email, password = env["CHORA_BOOTSTRAP_ADMIN_EMAIL"], env["CHORA_BOOTSTRAP_ADMIN_PASSWORD"]
    # One attempt only: failed sign-ins count towards the account's throttle.
    signed_in = _status(f"{base}/api/v1/auth/token", {"email": email, "password": password}, timeout=30)
    if signed_in == 200 and platform.admin_password_generated:
        log(f"administrator: {email} / {password}  (a generated default password, kept in "
            f"{platform.run_dir / 'secrets' / 'admin-password'}: change it after you sign in)")
    elif signed_in == 200:
        log(f"administrator: {email} (the password given in CHORA_BOOTSTRAP_ADMIN_PASSWORD)")
    elif signed_in in (401, 429):
        log(f"administrator: {email} exists, but its password is not the one make run set (changed since, "
            f"or set by a make run older than the generated passwords: then it is verdensmaal-admin); "
            f"use 'Glemt adgangskode' on the sign-in page if it is lost")
    else:
        log(f"administrator: could not sign in as {email} (answer {signed_in}); see the logs in "
            f"{platform.run_dir / 'logs'}")
    where = f"http://127.0.0.1:{port}/"
    if platform.bind in ("127.0.0.1", "localhost"):
        reach = "on this machine only; CHORA_BIND=0.0.0.0 make run exposes it to the network"
    else:
        reach = f"listening on {platform.bind}:{port}"
    log(f"the portal is ready: {where}  ({reach}; API docs: {where}api/v1/docs)")
    log("press Ctrl-C to stop everything")


def main() -> int:
    env = {k: v for k, v in os.environ.items() if k.startswith("CHORA_")}
    amqp_url = env.get("CHORA_AMQP_URL", ServiceSettings.amqp_url)
    use_broker = not amqp_url.startswith("memory://") and broker_reachable(amqp_url) == "ok"
    if not use_broker:
        env["CHORA_AMQP_URL"] = "memory://"
    platform = Platform(env)
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    code = 0
    try:
        platform.start_infrastructure()
        if use_broker:
            log(f"RabbitMQ reachable: each service runs as its own processes, supervised "
                f"({platform.replicas} of each; logs in {platform.run_dir / 'logs'})")
            platform.start_processes()
        else:
            log("RabbitMQ not reachable: all services in this process on the in-memory transport")
            platform.start_in_process()
        threading.Thread(target=announce, args=(platform, stopping), daemon=True, name="announce").start()
        platform.watch(stopping)
    except (RuntimeError, TimeoutError, OSError) as exc:
        log(f"could not start: {exc}")
        code = 1
    finally:
        log("stopping ...")
        platform.stop()
        log("stopped")
    return code
