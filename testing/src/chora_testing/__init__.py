"""Test and development harness, a package of its own that no production image installs: a real
SecantusDB, real RabbitMQ names per run, a real SMTP server (aiosmtpd) capturing mail and a pika wire
observer. Loaded as a pytest plugin; `make run` uses its server starters."""
