"""Integration tests of the notification service. Uses for real: SecantusDB (a fresh database per
test, migrated by `notification.migrate.run`), RabbitMQ (names unique to the test) and an SMTP
server (aiosmtpd) per test. Events are built with the shared catalogue (validated as on the wire)
and either handed to the service's bus as the consumer would, or published onto the real exchange.
The service is built by its own bootstrap with a clock the test sets; helpers are in
notification_testkit.py."""

import pytest
from notification_fakes import Clock
from notification_testkit import FAST, Harness

from notification import migrate
from notification.bootstrap import bootstrap


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def harness(settings_for, smtp, clock):
    settings = settings_for("notification", smtp_host="127.0.0.1", smtp_port=smtp.port, mail_rate_per_second=200.0,
                            **FAST)
    migrate.run(settings)
    service = bootstrap(settings, clock=clock)
    yield Harness(service, smtp, clock)
    service.stop()
