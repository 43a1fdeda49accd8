"""Test harness: real SecantusDB, real RabbitMQ (names unique per run), a real SMTP server
(aiosmtpd) capturing mail, and a wire observer on pika. Loaded as a pytest plugin."""
