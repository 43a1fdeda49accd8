"""Supervision and scale-out tests: a whole `make run` for real.

Uses for real: deploy/embedded.py as a child process with its own SecantusDB and run directory,
every service as its own gunicorn and consumer processes on the real RabbitMQ (names prefixed per
test), mail to this test's aiosmtpd server, and HTTP through the gateway. Processes are found in
/proc and disturbed with real signals; results are read back through the API, the mail, pika
and pymongo. Nothing is faked.
"""

from __future__ import annotations

import pytest
from chora_testing.servers import free_port
from chora_testing.wire import delete_prefixed, run_queues


@pytest.fixture
def gateway_port() -> int:
    return free_port()


@pytest.fixture
def clean_broker(amqp_url, run_prefix):
    """Remove the run's queues and exchange afterwards (a whole platform declared them)."""
    yield
    delete_prefixed(amqp_url, run_prefix, run_queues(run_prefix))
