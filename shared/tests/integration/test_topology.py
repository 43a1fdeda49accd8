"""The topology as the broker holds it: quorum queues declared on the real RabbitMQ (a single
node runs them too) and their arguments read back with rabbitmqctl."""

import subprocess

import pytest
from kombu import Connection

from shared.messaging.topology import Topology

pytestmark = pytest.mark.integration


def queue_arguments(prefix: str) -> dict[str, tuple[str, str]]:
    out = subprocess.run(["rabbitmqctl", "-q", "list_queues", "name", "type", "arguments"], capture_output=True,
                         text=True, timeout=60, check=True).stdout
    rows = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if parts and parts[0].startswith(f"{prefix}."):
            rows[parts[0]] = (parts[1], parts[2])
    return rows


def test_quorum_queues_are_declared_with_at_least_once_dead_lettering_and_reject_publish(amqp_url, run_prefix,
                                                                                     settings_for):
    settings_for("scoring")  # the fixture removes this run's queues afterwards
    topology = Topology(run_prefix, "scoring", (1, 2), "quorum")
    with Connection(amqp_url) as conn:
        topology.declare(conn.channel())
    queues = queue_arguments(run_prefix)
    main_type, main = queues[f"{run_prefix}.scoring"]
    assert main_type == "quorum"
    assert '"x-dead-letter-strategy","at-least-once"' in main and '"x-overflow","reject-publish"' in main
    assert f'"x-dead-letter-routing-key","{run_prefix}.scoring.dead"' in main
    for delay in (1, 2):
        retry_type, retry = queues[f"{run_prefix}.scoring.retry.{delay}s"]
        assert retry_type == "quorum" and '"x-dead-letter-strategy","at-least-once"' in retry
        assert '"x-overflow","reject-publish"' in retry and f'"x-message-ttl",{delay * 1000}' in retry
    assert queues[f"{run_prefix}.scoring.dead"][0] == "quorum"
    archive_type, archive = queues[f"{run_prefix}.archive"]  # scoring's score.changed and certificate.* go there
    assert archive_type == "quorum" and '"x-overflow","drop-head"' in archive


def test_a_queue_declared_before_with_other_arguments_is_used_as_it_is(amqp_url, run_prefix, settings_for):
    settings_for("scoring")
    with Connection(amqp_url) as conn:
        Topology(run_prefix, "scoring", (1, 2), "classic").declare(conn.channel())  # an older deployment's
        Topology(run_prefix, "scoring", (1, 2), "quorum").declare(conn.channel())  # refused, then used as it is
        channel = conn.channel()
        assert channel.queue_declare(f"{run_prefix}.scoring", passive=True).queue == f"{run_prefix}.scoring"
    assert queue_arguments(run_prefix)[f"{run_prefix}.scoring"][0] == "classic"
