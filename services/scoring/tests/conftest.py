"""Fixtures for every level of scoring's tests. Uses nothing real by itself: the in-memory
repositories of tests/fakes.py (importable as `scoring_fakes`, since every service has a
tests/fakes.py of its own), a unit of work over them (chora_testing.uow.FakeUnitOfWork), a clock the
test sets, and the service's message bus wired to them as bootstrap wires it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from chora_testing.uow import FakeUnitOfWork

from scoring import handlers
from shared.messagebus import MessageBus

_spec = importlib.util.spec_from_file_location("scoring_fakes", Path(__file__).with_name("fakes.py"))
assert _spec is not None and _spec.loader is not None
fakes = importlib.util.module_from_spec(_spec)
sys.modules["scoring_fakes"] = fakes
_spec.loader.exec_module(fakes)


@pytest.fixture
def clock():
    return fakes.FakeClock()


@pytest.fixture
def uow():
    return FakeUnitOfWork(fakes.fake_repositories(), producer="scoring")


@pytest.fixture
def bus(uow, clock):
    return MessageBus(commands=handlers.COMMAND_HANDLERS, events=handlers.EVENT_HANDLERS,
                      dependencies={"uow": uow, "clock": clock}, batch=handlers.handle_batch)
