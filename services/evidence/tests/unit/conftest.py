"""Unit tests of the evidence domain: plain dicts in and out, nothing real but Pillow and zipfile."""

from __future__ import annotations

import pytest
from evidence_builders import ACTIVITY, ASSESSOR, COORDINATOR, MEMBER, NOW

from evidence.domain import create_item, review_item, submit_item


@pytest.fixture
def draft() -> dict:
    return create_item(ACTIVITY, COORDINATOR, item_id="item-1", now=NOW, library_name="Aarhus Bibliotekerne").doc


@pytest.fixture
def submitted(draft) -> dict:
    return submit_item(draft, MEMBER, based_on=draft["revision"], now=NOW).doc


@pytest.fixture
def approved(submitted) -> dict:
    return review_item(submitted, ASSESSOR, based_on=submitted["revision"], now=NOW, decision="approved").doc


@pytest.fixture
def questioned(submitted) -> dict:
    return review_item(
        submitted,
        ASSESSOR,
        based_on=submitted["revision"],
        now=NOW,
        decision="clarification_requested",
        comment="Hvor mange deltog i alt?",
        deadline="2025-04-01",
    ).doc
