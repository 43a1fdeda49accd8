"""Repository-wide pytest set-up: loads the real-server fixtures of shared.testing
(SecantusDB, RabbitMQ with per-test names, aiosmtpd, a pika wire observer)."""

pytest_plugins = ["shared.testing.fixtures"]
