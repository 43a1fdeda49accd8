"""Unit tests of the registration domain: plain objects and a fixed clock; nothing real but the
reference data files shipped with the service (and argon2 in test_passwords)."""

from __future__ import annotations

from datetime import datetime

import pytest
from registration_builders import NOW, active_library_with_coordinator

from registration.domain import Library, Person


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def library_and_coordinator() -> tuple[Library, Person]:
    return active_library_with_coordinator()
