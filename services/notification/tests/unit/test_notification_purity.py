"""The domain stays pure: no database, broker or web framework behind its back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import notification.domain

pytestmark = pytest.mark.unit

FORBIDDEN = {"pymongo", "bson", "kombu", "amqp", "pika", "flask", "flask_smorest", "requests"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("module", sorted(Path(notification.domain.__file__).parent.glob("*.py")), ids=lambda p: p.name)
def test_domain_module_imports_no_io_library(module):
    assert not imported_roots(module) & FORBIDDEN
