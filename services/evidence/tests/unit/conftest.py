"""Unit tests of the evidence domain and handlers: nothing real but Pillow and zipfile. Handlers
run on in-memory repositories (tests/fakes.py) through chora_testing's FakeUnitOfWork."""

from __future__ import annotations

import pytest
from evidence_builders import ACTIVITY, ASSESSOR, COORDINATOR, MEMBER, NOW

from evidence.domain import create_item, review_item, submit_item


@pytest.fixture
def draft():
    return create_item(ACTIVITY, COORDINATOR, item_id="item-1", now=NOW, library_name="Aarhus Bibliotekerne").new


@pytest.fixture
def submitted(draft):
    return submit_item(draft, MEMBER, based_on=draft.revision, now=NOW).new


@pytest.fixture
def approved(submitted):
    return review_item(submitted, ASSESSOR, based_on=submitted.revision, now=NOW, decision="approved").new


@pytest.fixture
def questioned(submitted):
    return review_item(
        submitted,
        ASSESSOR,
        based_on=submitted.revision,
        now=NOW,
        decision="clarification_requested",
        comment="Hvor mange deltog i alt?",
        deadline="2025-04-01",
    ).new
