"""Registration's tests: unit tests (tests/unit) use nothing real but the reference data shipped
with the service and argon2 with cheap parameters, handlers running on the in-memory repositories
of registration_fakes through chora_testing's FakeUnitOfWork; integration tests (tests/integration)
use a real SecantusDB, the real RabbitMQ and the pika wire observer. This file only puts
registration_fakes, shared by both levels, on the import path."""
