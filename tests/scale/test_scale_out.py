"""Two replicas of every API, consumer and outbox relay on one machine, one database per service
and one broker: a few hundred registrations and submissions, one replica of each kind SIGKILLed
midway, and every effect exactly once. The relay's leases and the consumers' inboxes are what
make it so; this shows it."""

from __future__ import annotations

import os
import signal

import pika
import pymongo
import pytest
import requests

from tests.scale.run_harness import MakeRun, Traffic, check_effects, dead_letters, wait_for

pytestmark = pytest.mark.e2e

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@verdensmaal.example", "admin-password-123"
SERVICES = ("registration", "evidence", "scoring", "notification")
CONSUMING = ("evidence", "scoring", "notification")
THREADS, PER_THREAD = 4, 75  # 300 operations: 150 registrations, 150 submissions (create + submit)


def _queue_consumers(amqp_url: str, prefix: str) -> dict[str, int]:
    """Consumers attached to each service queue, as the broker counts them (pika)."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        return {s: conn.channel().queue_declare(f"{prefix}.{s}", passive=True).method.consumer_count for s in CONSUMING}
    finally:
        conn.close()


def _outboxes(mongo_url: str, prefix: str) -> dict[str, dict[str, list[str]]]:
    """Per service, the event types still in its outbox collection (pymongo, not the services' code),
    split into those the broker returned as unroutable (nobody is bound to them) and the rest."""
    client = pymongo.MongoClient(mongo_url, serverSelectionTimeoutMS=5000)
    try:
        left: dict[str, dict[str, list[str]]] = {}
        for service in SERVICES:
            for doc in client[f"{prefix}_{service}"]["outbox"].find():
                why = "unroutable" if str(doc.get("last_error") or "").startswith("unroutable") else "pending"
                left.setdefault(why, {}).setdefault(service, []).extend(e.get("type", "?") for e in doc["events"])
        return left
    finally:
        client.close()


@pytest.mark.timeout(900)  # a whole platform twice over; minutes on a busy two-core machine
def test_two_replicas_of_everything_with_one_of_each_killed_midway_do_every_effect_exactly_once(
        tmp_path, smtp, run_prefix, amqp_url, gateway_port, clean_broker):
    run = MakeRun(tmp_path / "run", prefix=run_prefix, smtp_port=smtp.port, gateway_port=gateway_port,
                  amqp_url=amqp_url, replicas=2, env={
                      "CHORA_BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL, "CHORA_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
                      # A mail claimed by a killed sender is sent again after this (300 s by default).
                      "CHORA_MAIL_STALE_SENDING": "20"})
    try:
        run.start()
        for service in (*SERVICES, "gateway"):
            assert len(run.masters(service)) == 2, f"{service}: {run.masters(service)}"
        for service in CONSUMING:  # registration consumes nothing: its relay runs in its API processes
            assert len(run.consumers(service)) == 2, f"{service}: {run.consumers(service)}"
        wait_for(lambda: _queue_consumers(amqp_url, run_prefix) == dict.fromkeys(CONSUMING, 2), 60,
                 "two consumers on every service queue")

        traffic = Traffic(run.base, smtp)
        traffic.add_coordinators(4)
        traffic.start(threads=THREADS, per_thread=PER_THREAD)
        wait_for(lambda: traffic.operations() >= THREADS * PER_THREAD // 2, 300, "half of the traffic done")
        killed = [run.masters(service)[0].pid for service in (*SERVICES, "gateway")]
        killed += [run.consumers(service)[0].pid for service in CONSUMING]
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        traffic.join()

        admin = requests.post(f"{traffic.api}/auth/token", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
                              timeout=30)
        assert admin.status_code == 200, admin.text
        summary = check_effects(traffic, smtp, admin_headers={"Authorization": f"Bearer {admin.json()['access_token']}"},
                                diagnose=run.mails_to)
        assert summary["libraries"] + summary["registrations_uncertain"] >= THREADS * PER_THREAD // 2
        assert dead_letters(amqp_url, run_prefix) == dict.fromkeys(CONSUMING, 0)
        assert run.log_text().count("was killed by SIGKILL") == len(killed)
        print(f"\nscale-out: {summary}")

        left: dict[str, dict[str, list[str]]] = {}

        def nothing_pending() -> bool:
            left.clear()
            left.update(_outboxes(run.mongo_url(), run_prefix))
            return "pending" not in left

        try:
            wait_for(nothing_pending, 60, "no outbox holding an event the broker could route")
        except AssertionError as exc:
            raise AssertionError(f"{exc}: left {left}") from None
        # Types nobody consumes go to the bounded archive: nothing at all is left in any outbox.
        assert left == {}, f"left in the outboxes: {left}"
    finally:
        run.stop()
        run.kill_leftovers()
