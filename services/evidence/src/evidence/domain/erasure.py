"""Erase a person from evidence records while keeping the records (GDPR erasure on request).

Audit trails and threads must still show that *someone* acted, so the entries stay; only the name
and e-mail are replaced. The person id is kept: it is a pseudonym that links nothing once the
registration service has erased the person.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

ERASED_NAME = "Slettet bruger"


def erase_person(doc: Mapping[str, Any], person_id: str) -> tuple[dict, bool]:
    """Return a copy of an item, plan or case with the person's name and e-mail replaced, and whether anything changed."""
    new = copy.deepcopy(dict(doc))
    changed = _walk(new, person_id)
    return new, changed


def _walk(node: Any, person_id: str) -> bool:
    changed = False
    if isinstance(node, dict):
        if node.get("person_id") == person_id:
            if "name" in node and node["name"] != ERASED_NAME:
                node["name"] = ERASED_NAME
                changed = True
            if node.get("email") is not None:
                node["email"] = None
                changed = True
        for value in node.values():
            changed = _walk(value, person_id) or changed
    elif isinstance(node, list):
        for value in node:
            changed = _walk(value, person_id) or changed
    return changed
