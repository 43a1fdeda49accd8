"""Unit tests of registration: the pure domain on plain objects and a fixed clock, and the command
handlers and views on the in-memory repositories (registration_fakes) through chora_testing's
FakeUnitOfWork, wired by the real bootstrap with a settable clock and argon2 with cheap
parameters. Nothing real but the reference data shipped with the service (and argon2 with its
real parameters in test_passwords)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from registration_builders import NOW, active_library_with_coordinator
from registration_fakes import cheap_passwords, fake_uow

from registration.bootstrap import Service, bootstrap
from registration.config import Settings
from registration.domain import Library, Person


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def library_and_coordinator() -> tuple[Library, Person]:
    return active_library_with_coordinator()


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(clock) -> Service:
    """The service as bootstrap wires it, on in-memory repositories."""
    return bootstrap(Settings(), clock=clock, uow=fake_uow(), hasher=cheap_passwords())
