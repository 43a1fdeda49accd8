"""The routing table in the README is the one in the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from notification.domain.routing import ROUTES
from notification.domain.selectors import SELECTORS

pytestmark = pytest.mark.unit

README = Path(__file__).resolve().parents[2] / "README.md"


def table_rows(text: str, start: str, end: str | None = None) -> list[list[str]]:
    section = text.split(start, 1)[1]
    if end:
        section = section.split(end, 1)[0]
    rows = []
    for line in section.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        if set("".join(cells)) <= set("-: "):
            continue
        rows.append(cells)
    return rows[1:]  # drop the header


def code_table() -> list[list[str]]:
    return [
        [event, route.recipients.name, route.template, "yes" if route.essential else "no", route.when.name]
        for event, route in ROUTES.items()
    ]


def test_readme_routing_table_equals_the_code_table():
    rows = table_rows(README.read_text(encoding="utf-8"), "<!-- routes:start -->", "<!-- routes:end -->")
    assert rows == code_table()


def test_readme_describes_every_selector_the_code_uses():
    rows = table_rows(README.read_text(encoding="utf-8"), "Recipients:")
    described = {row[0] for row in rows}
    assert {route.recipients.name for route in ROUTES.values()} == described
    assert described <= set(SELECTORS)
