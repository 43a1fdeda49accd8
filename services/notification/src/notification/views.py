"""Read-only queries: the delivery log, a person's preferences, the schema version in use.

Each answer about something the caller can act on carries `actions` (`domain.actions`).
"""

from __future__ import annotations

from typing import Any, TypeAlias

from notification.domain.actions import (
    Actor,
    deliveries_library,
    mail_actions,
    preference_actions,
    require_reader_of_preferences,
)
from notification.domain.errors import UnknownPerson
from notification.store import SCHEMA_VERSION, Repositories
from shared.uow import UnitOfWork

Uow: TypeAlias = UnitOfWork[Repositories]


def deliveries(query: dict[str, Any], actor: Actor, uow: Uow) -> dict[str, Any]:
    """Return one page of the delivery log the caller may read (staff: their own library's only)."""
    library_id = deliveries_library(actor, query.get("library_id"))
    page, per_page = query["page"], query["per_page"]
    items, total = uow.repos.mails.page(library_id=library_id, person_id=query.get("person_id"),
                                        status=query.get("status"), page=page, per_page=per_page)
    return {"items": [{**mail, "actions": mail_actions(mail, actor)} for mail in items], "total": total,
            "page": page, "per_page": per_page}


def preferences(person_id: str, actor: Actor, uow: Uow) -> dict[str, Any]:
    """Return a person's mail preferences (to themselves or an administrator)."""
    require_reader_of_preferences(actor, person_id)
    if uow.repos.recipients.is_erased(person_id):
        raise UnknownPerson()
    return {**uow.repos.preferences.get(person_id), "actions": preference_actions(person_id, actor)}


def schema_status(uow: Uow) -> str:
    """Return "ok" if the database is at the schema version this code needs, else what to do."""
    found = uow.repos.schema.version()
    if found == SCHEMA_VERSION:
        return "ok"
    return (f"version {SCHEMA_VERSION} needed, found {'none' if found is None else found}: "
            "run python -m notification.migrate")
