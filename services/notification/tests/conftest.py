"""The notification service's tests: `unit/` uses nothing real (the pure domain, and the handlers
and views through chora_testing's FakeUnitOfWork over the in-memory repositories of
notification_fakes.py, which this folder puts on the import path); `integration/` uses a real
SecantusDB, RabbitMQ and SMTP server."""
