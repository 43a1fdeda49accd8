"""Repository-wide pytest set-up: loads the real-server fixtures of chora_testing
(SecantusDB, RabbitMQ with per-test names, aiosmtpd, a pika wire observer)."""

pytest_plugins = ["chora_testing.fixtures"]
