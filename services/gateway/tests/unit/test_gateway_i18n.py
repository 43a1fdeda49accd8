"""Every string a page can show has its English translation (Danish stays the default)."""

import ast
import re
from pathlib import Path

import pytest

from gateway.portal import base
from gateway.portal.i18n import EN
from gateway.portal.library import TEAM_ACTIONS

pytestmark = pytest.mark.unit

PACKAGE = Path(base.__file__).resolve().parents[1]
LABEL_TABLES = ("DIMENSIONS", "KINDS", "AGE_GROUPS", "STATUSES", "LIBRARY_STATUSES", "REGISTRATION_STATUSES", "ROLES",
                "SDG_NAMES", "AUDIT_ACTIONS", "FIELD_LABELS", "MODEL_STATUSES", "COHORT_STATES", "DELIVERY_STATUSES",
                "PERSON_STATUSES")


def template_strings() -> set[str]:
    found = set()
    for path in (PACKAGE / "templates").glob("*.html"):
        text = path.read_text()
        found |= set(re.findall(r'_\(\s*"([^"]+)"\s*\)', text)) | set(re.findall(r"_\(\s*'([^']+)'\s*\)", text))
    return found


def python_messages() -> set[str]:
    """Sentences the portal's views flash or show (string constants ending in a full stop)."""
    found = set()
    for path in (PACKAGE / "portal").glob("*.py"):
        if path.name == "i18n.py":
            continue
        tree = ast.parse(path.read_text())
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        found |= {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and id(node) not in docstrings and node.value.endswith(".") and " " in node.value}
    return found


def test_every_template_string_has_an_english_translation():
    missing = sorted(template_strings() - set(EN))
    assert not missing, missing


def test_every_label_and_message_has_an_english_translation():
    labels = {v for name in LABEL_TABLES for v in getattr(base, name).values()} | set(TEAM_ACTIONS.values())
    missing = sorted((labels | python_messages()) - set(EN) - set(EN.values()))
    assert not missing, missing


def test_the_scan_finds_the_strings_it_checks():
    assert "Skift rolle" in template_strings() and "Rollen er ændret." in python_messages()
