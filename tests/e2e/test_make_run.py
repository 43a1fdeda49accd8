"""`make run` in both of its modes, for real: deploy/embedded.py as a child process with its own
SecantusDB and run directory, either all services in one process on kombu's in-memory transport
or each service as its own supervised processes on RabbitMQ, sending mail to this test's SMTP
server (CHORA_SMTP_HOST). What it prints is checked against what is true (a sign-in, a page),
and after it stops /proc is searched for anything of the run left behind."""

from __future__ import annotations

import re
import signal
import uuid

import pytest
import requests
from chora_testing.servers import free_port
from chora_testing.wire import delete_prefixed, run_queues

from tests.scale.run_harness import PASSWORD, READY_LINE, MakeRun, registration_body, token_link, wait_for

pytestmark = pytest.mark.e2e

GENERATED = re.compile(r"administrator: (\S+) / (\S+)  \(a generated default password")


def _listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as in /proc/net/tcp) on which something listens on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            for line in fh.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, _, hex_port = local.rpartition(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                    found.add(address)
    return found


def _nothing_left(run: MakeRun) -> bool:
    return not run.processes()


@pytest.fixture
def make_run(tmp_path, smtp, run_prefix, amqp_url):
    runs: list[MakeRun] = []

    def start(mode: str, **env: str) -> MakeRun:
        run = MakeRun(tmp_path / "run", prefix=run_prefix, smtp_port=smtp.port, gateway_port=free_port(),
                      amqp_url="memory://" if mode == "in-memory" else amqp_url,
                      env={"CHORA_MAIL_VIEWER_PORT": str(free_port()), **env})
        runs.append(run)
        return run.start()

    yield start
    for run in runs:
        run.stop()
        run.kill_leftovers()
    delete_prefixed(amqp_url, run_prefix, run_queues(run_prefix))


@pytest.mark.parametrize("mode", ["in-memory", "rabbitmq"])
def test_make_run_serves_the_walking_skeleton_says_what_is_true_and_leaves_nothing_after_ctrl_c(make_run, smtp, mode):
    run = make_run(mode)
    log = run.log_text()
    assert ("in-memory transport" if mode == "in-memory" else "its own processes, supervised") in log

    # The generated administrator password is printed as such, before "ready", and it signs in.
    admin = GENERATED.search(log)
    assert admin, log
    assert log.index(admin.group(0)) < log.index(READY_LINE)
    signed_in = requests.post(f"{run.base}/api/v1/auth/token", timeout=30,
                              json={"email": admin.group(1), "password": admin.group(2)})
    assert signed_in.status_code == 200, signed_in.text
    assert (run.run_dir / "secrets" / "admin-password").stat().st_mode & 0o077 == 0

    # By default the portal listens on 127.0.0.1 only, and says how to expose it.
    assert _listening_addresses(run.gateway_port) <= {"0100007F", "0000000000000000FFFF00000100007F"}, \
        _listening_addresses(run.gateway_port)
    assert "CHORA_BIND=0.0.0.0" in log

    email = f"koordinator-{uuid.uuid4().hex[:8]}@bibliotek.example"
    answer = requests.post(f"{run.base}/api/v1/registrations", timeout=30,
                           json=registration_body(email, f"DK-7{uuid.uuid4().int % 10**5:05d}"))
    assert answer.status_code == 201, answer.text
    assert {"library_id", "person_id"} <= set(answer.json())
    assert token_link(smtp, email)

    assert run.processes(), "the run's processes are not found in /proc (the check below would prove nothing)"
    assert run.stop(signal.SIGINT) == 0
    wait_for(lambda: _nothing_left(run), 60, f"no process of the run left: {run.processes()}")
    assert not _listening_addresses(run.gateway_port)
    assert "stopped" in run.log_text()


@pytest.mark.timeout(600)  # two starts of a whole platform
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_stopping_make_run_leaves_no_process_and_its_next_start_keeps_sessions_and_data(make_run, smtp, sig):
    run = make_run("rabbitmq")
    first_admin = GENERATED.search(run.log_text())
    email = f"koordinator-{uuid.uuid4().hex[:8]}@bibliotek.example"
    answer = requests.post(f"{run.base}/api/v1/registrations", timeout=30,
                           json=registration_body(email, f"DK-7{uuid.uuid4().int % 10**5:05d}"))
    assert answer.status_code == 201, answer.text
    confirmed = requests.post(f"{run.base}/api/v1/email-confirmations", json={"token": token_link(smtp, email)},
                              timeout=30)
    assert confirmed.status_code == 200, confirmed.text
    token = requests.post(f"{run.base}/api/v1/auth/token", json={"email": email, "password": PASSWORD},
                          timeout=30).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{run.base}/api/v1/me", headers=bearer, timeout=30).status_code == 200

    # Stopped by SIGTERM, or its supervisor killed outright: nothing of the run may stay behind.
    assert len(run.processes()) >= 10
    run.send(sig)
    wait_for(lambda: _nothing_left(run), 90, "no process of the run left")

    # The next start reuses the secrets and the data: the old bearer token still works.
    offset = run.log_size()
    again = make_run("rabbitmq")
    assert again.run_dir == run.run_dir
    library = requests.get(f"{again.base}/api/v1/libraries/{answer.json()['library_id']}", headers=bearer,
                           timeout=30)
    assert library.status_code == 200, library.text
    second_admin = GENERATED.search(again.log_text(after=offset))
    assert first_admin and second_admin and second_admin.group(2) == first_admin.group(2)
