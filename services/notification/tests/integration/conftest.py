"""Integration tests of the notification service: real SecantusDB, real RabbitMQ, a real SMTP
server (aiosmtpd) per test. Events are built with the shared catalogue (validated like on the
wire) and either handed to the consumer's handler or published through another runtime's outbox
and relay onto the real exchange. Helpers live in notification_testkit.py."""

import pytest
from notification_testkit import FAST, Harness

from notification import handlers, workers
from notification.bootstrap import SERVICE


@pytest.fixture
def harness(settings_for, smtp):
    settings = settings_for("notification", smtp_host="127.0.0.1", smtp_port=smtp.port, mail_rate_per_second=200.0)
    runtime = SERVICE.runtime(settings)
    h = Harness(settings, runtime, smtp, FAST)
    workers.LAZY_START = False  # each test starts the sender itself, with short timings
    yield h
    workers.LAZY_START = True
    running = workers.running_for(runtime.open_store())
    if running is not None:
        running.stop()
    runtime.stop()
    handlers.clock = handlers.utcnow
