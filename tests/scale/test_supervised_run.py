"""`make run` supervises its processes: a killed or stopped consumer, gunicorn master, gunicorn
worker or SecantusDB is replaced while registrations and submissions keep coming through the
gateway, and nothing the gateway accepted is lost or doubled."""

from __future__ import annotations

import os
import signal
import time

import pytest
import requests

from tests.scale.run_harness import MakeRun, Traffic, answers, check_effects, dead_letters, read_proc, wait_for

pytestmark = pytest.mark.e2e

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@verdensmaal.example", "admin-password-123"
RECOVERY = 120.0  # seconds a disturbed platform may take to serve again (bounded, not a goal)

# (service, kind of process, signal): every kind of process, killed and stopped.
DISRUPTIONS = [
    ("notification", "consumer", signal.SIGKILL),
    ("scoring", "consumer", signal.SIGSTOP),
    ("evidence", "master", signal.SIGKILL),
    ("registration", "master", signal.SIGSTOP),
    ("gateway", "worker", signal.SIGKILL),
    ("evidence", "worker", signal.SIGSTOP),
    ("secantus", "database", signal.SIGKILL),
    ("secantus", "database", signal.SIGSTOP),
]


def _target(run: MakeRun, service: str, kind: str):
    found = {"consumer": lambda: run.consumers(service), "master": lambda: run.masters(service),
             "worker": lambda: run.workers(service), "database": run.database}[kind]()
    assert len(found) == 1, f"expected one {service} {kind}, found {found}"
    return found[0]


def _replaced(run: MakeRun, service: str, kind: str, old_pid: int, check_db):
    """The replacement of a disturbed process, once it is there and working (else None)."""
    gone = read_proc(old_pid)
    if gone is not None and gone.state != "Z":
        return None
    try:
        new = _target(run, service, kind)
    except AssertionError:
        return None
    if kind == "consumer":
        port = new.env["CHORA_METRICS_PORT"]
        return new if answers(f"http://127.0.0.1:{port}/readyz") else None
    if kind == "database":
        return new if check_db() else None
    if kind == "master" and not run.workers(service):
        return None
    # /healthz: the process serves (readiness also asks the broker, which other runs on this
    # machine may disturb; the consumers' readiness above is about their own queue).
    url = run.base if service == "gateway" else run.service_url(service)
    return new if answers(f"{url}/healthz") else None


def _disrupt(run: MakeRun, traffic: Traffic, service: str, kind: str, sig: int, check_db) -> tuple[float, float]:
    """Signal one process, wait until it is replaced and the platform accepts work again.

    Returns (when it was signalled, seconds until it was replaced and the portal answered)."""
    victim = _target(run, service, kind)
    offset = run.log_size()
    os.kill(victim.pid, sig)
    started = time.monotonic()
    try:
        wait_for(lambda: _replaced(run, service, kind, victim.pid, check_db), RECOVERY,
                 f"{service} {kind} (pid {victim.pid}) replaced after {sig.name}")
    except AssertionError as exc:
        states = [(p.pid, p.ppid, p.state, p.command[:80]) for p in run.processes()]
        raise AssertionError(f"{exc}\nsupervisor since then:\n{run.log_text(offset)}\nprocesses: {states}") from None
    wait_for(lambda: answers(f"{run.base}/"), RECOVERY, "the portal answering")
    took = time.monotonic() - started
    before = len(traffic.tally.registered)
    wait_for(lambda: len(traffic.tally.registered) >= before + 2, RECOVERY, "registrations accepted again")
    return started, took


@pytest.mark.timeout(900)  # eight disturbances of a whole platform; minutes on a busy two-core machine
def test_killed_and_stopped_processes_are_replaced_and_no_accepted_work_is_lost_or_doubled(
        tmp_path, smtp, run_prefix, amqp_url, gateway_port, clean_broker):
    run = MakeRun(tmp_path / "run", prefix=run_prefix, smtp_port=smtp.port, gateway_port=gateway_port,
                  amqp_url=amqp_url, env={
                      "CHORA_RUN_HANG_AFTER": "5", "CHORA_RUN_TERM_GRACE": "5", "CHORA_MAIL_STALE_SENDING": "20",
                      "CHORA_BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL, "CHORA_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD})
    try:
        run.start()
        traffic = Traffic(run.base, smtp)
        traffic.add_coordinators(3)
        probe = traffic.coordinators[0]

        def check_db() -> bool:  # an answer that needs evidence's database
            listed = requests.get(f"{traffic.api}/libraries/{probe.library_id}/evidence", headers=probe.headers,
                                  timeout=5)
            return listed.status_code == 200

        traffic.start(threads=2)
        recoveries = []
        for service, kind, sig in DISRUPTIONS:
            recoveries.append((f"{service} {kind}", sig.name, *_disrupt(run, traffic, service, kind, sig, check_db)))
        traffic.stop()
        ends = [at for _, _, at, _ in recoveries[1:]] + [time.monotonic()]

        admin = requests.post(f"{traffic.api}/auth/token", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
                              timeout=30)
        assert admin.status_code == 200, admin.text
        summary = check_effects(traffic, smtp, admin_headers={"Authorization": f"Bearer {admin.json()['access_token']}"},
                                diagnose=run.mails_to)
        assert dead_letters(amqp_url, run_prefix) == {"evidence": 0, "scoring": 0, "notification": 0}
        restarts = run.log_text().count(" restarted (pid")
        assert restarts >= 6, run.log_text()  # the supervisor, not gunicorn, replaced the consumers, masters, db
        print("\nrecovery after each disturbance (signal to replaced, healthy and portal answering), and the "
              "answers other than 2xx the traffic got until the next one:")
        for (what, name, at, took), end in zip(recoveries, ends, strict=True):
            print(f"  {what:<24} {name:<8} {took:5.1f} s   {traffic.tally.failures_between(at, end):3d} failed answers")
        print(f"effects checked: {summary}")
    finally:
        run.stop()
        run.kill_leftovers()
