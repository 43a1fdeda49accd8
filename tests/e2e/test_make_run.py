"""`make run` in both of its modes, for real: deploy/embedded.py as a child process with its own
SecantusDB, either all services in one process on kombu's in-memory transport or each service as
its own processes on RabbitMQ, sending mail to this test's SMTP server (CHORA_SMTP_HOST)."""

import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from chora_testing.servers import free_port
from chora_testing.wire import delete_prefixed, run_queues

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return True
    except OSError:
        return False


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "make run exited early"
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} not ready")


@pytest.fixture
def platform(tmp_path, smtp, run_prefix, amqp_url, request):
    mode = request.param
    gateway_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHORA_")}
    env.update({
        "CHORA_RUN_DIR": str(tmp_path / "run"),
        "CHORA_GATEWAY_PORT": str(gateway_port),
        "CHORA_SMTP_HOST": "127.0.0.1",
        "CHORA_SMTP_PORT": str(smtp.port),
        "CHORA_MAIL_VIEWER_PORT": str(free_port()),
        "CHORA_AMQP_PREFIX": run_prefix,
        "CHORA_DB_PREFIX": run_prefix,
        "CHORA_SEED_DEMO": "0",
    })
    if mode == "in-memory":
        env["CHORA_AMQP_URL"] = "memory://"
    log = open(tmp_path / "make-run.log", "wb")
    proc = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "embedded.py")], env=env, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(f"http://127.0.0.1:{gateway_port}/healthz", proc)
        yield mode, f"http://127.0.0.1:{gateway_port}", proc, tmp_path / "make-run.log"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
        delete_prefixed(amqp_url, run_prefix, run_queues(run_prefix))


@pytest.mark.parametrize("platform", ["in-memory", "rabbitmq"], indirect=True)
def test_make_run_serves_the_walking_skeleton_and_stops_everything_on_ctrl_c(platform, smtp):
    mode, base, proc, logfile = platform
    email = f"koordinator{random.randint(0, 10**6)}@bibliotek.dk"
    isil = f"DK-{random.randint(100000, 999999)}"
    answer = requests.post(f"{base}/api/v1/registrations", json={
        "library": {"name": "Testby Bibliotek", "isil": isil, "municipality": "Aarhus",
                    "kind": "folkebibliotek", "staff_count": 25},
        "coordinator": {"name": "Karen Koordinator", "email": email, "password": "et-godt-kodeord-123"},
    }, timeout=30)
    assert answer.status_code == 201, answer.text
    assert {"library_id", "person_id"} <= set(answer.json())

    mail = smtp.box.wait_for(lambda m: email in str(m["To"]), timeout=60)[0]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert re.search(r"token=[\w-]+", body), body

    log_text = logfile.read_text()
    expected = "in-memory transport" if mode == "in-memory" else "its own processes"
    assert expected in log_text

    gateway_port = int(base.rsplit(":", 1)[1])
    proc.send_signal(signal.SIGINT)
    assert proc.wait(60) == 0
    assert not _port_open(gateway_port)
    assert "stopped" in logfile.read_text()
