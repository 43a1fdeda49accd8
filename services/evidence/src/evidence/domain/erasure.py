"""Erase a person from evidence records while keeping the records (GDPR erasure on request).

Audit trails and threads must still show that *someone* acted, so the entries stay; only the name
and e-mail are replaced. The person id is kept: it is a pseudonym that links nothing once the
registration service has erased the person.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar

from .model import Contact, PersonRef

ERASED_NAME = "Slettet bruger"
T = TypeVar("T")


def erase_person(doc: T, person_id: str) -> tuple[T, bool]:
    """Return an item or plan with the person's name and e-mail replaced, and whether anything changed."""
    new = _erase(doc, person_id)
    return new, new != doc


def _erase(node: Any, person_id: str) -> Any:
    if isinstance(node, PersonRef) and node.person_id == person_id:
        return replace(node, name=ERASED_NAME)
    if isinstance(node, Contact) and node.person_id == person_id:
        return replace(node, name=ERASED_NAME, email=None)
    if isinstance(node, tuple):
        erased = tuple(_erase(value, person_id) for value in node)
        return node if all(a is b for a, b in zip(erased, node, strict=True)) else erased
    if is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for f in fields(node):
            value = getattr(node, f.name)
            erased = _erase(value, person_id)
            if erased is not value:
                changes[f.name] = erased
        return replace(node, **changes) if changes else node
    return node
