"""Model versions: seed version 1, draft, edit, preview and publish (which re-scores everyone)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from scoring import store
from scoring.domain import (
    MODEL_V1,
    InvalidModel,
    LibraryData,
    Model,
    ModelNotEditable,
    Requirement,
    new_draft,
    preview,
    publish,
    validate_model,
)
from scoring.handlers.core import BATCH_SIZE, lifecycle_of, profile_of, rescore_all
from shared.mongo import ServiceStore, Tx


class ModelNotFound(LookupError):
    """No model with that version."""

    code = "model_not_found"
    field = "version"
    message_da = "Modelversionen findes ikke"
    message_en = "No such model version"


def seed_model_v1(service_store: ServiceStore) -> None:
    """Store MODEL_V1 as published version 1 unless it is there already (safe to repeat)."""
    if store.model_doc(service_store.db, 1) is not None:
        return
    try:
        service_store.transact(
            lambda tx: store.insert_model(tx.db, MODEL_V1, {"created_by": "seed", "created_at": None}, tx.session)
        )
    except DuplicateKeyError:
        pass  # another process seeded it at the same moment


def _load(tx: Tx, version: int) -> Model:
    doc = store.model_doc(tx.db, version, tx.session)
    if doc is None:
        raise ModelNotFound(version)
    return Model.from_dict(doc)


def get_model(service_store: ServiceStore, version: int) -> dict[str, Any]:
    doc = store.model_doc(service_store.db, version)
    if doc is None:
        raise ModelNotFound(version)
    return _public(doc)


def list_models(service_store: ServiceStore) -> list[dict[str, Any]]:
    return [_public(d) for d in store.list_models(service_store.db)]


def _public(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "_id"}


def create_draft(service_store: ServiceStore, *, by: str, now: datetime) -> dict[str, Any]:
    """A new draft from the current published model (or the open draft if there is one)."""

    def fn(tx: Tx) -> dict[str, Any]:
        existing = store.open_draft(tx.db, tx.session)
        if existing is not None:
            return _public(existing) | {"existing": True}
        base = store.current_model(tx.db, tx.session) or MODEL_V1
        draft = new_draft(base, store.latest_version(tx.db, tx.session) + 1)
        store.insert_model(tx.db, draft, {"created_by": by, "created_at": now, "based_on": base.version}, tx.session)
        return draft.to_dict() | {"created_by": by, "based_on": base.version, "existing": False}

    return service_store.transact(fn)


def update_draft(service_store: ServiceStore, version: int, requirements: list[Mapping[str, Any]], *, by: str,
                 now: datetime) -> dict[str, Any]:
    """Replace a draft's requirements; an invalid model is refused with every reason."""

    def fn(tx: Tx) -> dict[str, Any]:
        draft = _load(tx, version)
        if draft.status != "draft":
            raise ModelNotEditable(
                f"Model version {version} er udgivet og kan ikke ændres",
                f"Model version {version} is published and cannot be changed", "version",
            )
        candidate = replace(draft, requirements=tuple(Requirement.from_dict(r) for r in requirements))
        validate_model(candidate)
        store.save_model(tx.db, candidate, {"updated_by": by, "updated_at": now}, tx.session)
        return candidate.to_dict()

    return service_store.transact(fn)


def preview_model(service_store: ServiceStore, version: int, now: datetime) -> dict[str, Any]:
    """Which libraries would change status under this model version."""
    db = service_store.db
    doc = store.model_doc(db, version)
    if doc is None:
        raise ModelNotFound(version)
    model = Model.from_dict(doc)
    libs = store.libraries(db)
    projs = store.projections(db, [lib["_id"] for lib in libs])
    data = (
        LibraryData(
            library_id=lib["_id"], profile=profile_of(lib), items=tuple(projs[lib["_id"]].items()),
            status=lib.get("score_status") or "not_started", staff_count=lib.get("staff_count"),
            name=lib.get("name"), overall=lib.get("overall_provisional"),
        )
        for lib in libs
    )
    result = preview(model, data, now.date()).to_dict()
    current = store.current_model(db)
    result["changes"] = [c.to_dict() for c in _diff(current, model)]
    result["certified_affected"] = sorted(
        lib["_id"] for lib in libs if lifecycle_of(lib).status in ("certified", "checkin_due")
    ) if result["changed"] else []
    return result


def _diff(old: Model | None, new: Model) -> list:
    from scoring.domain import diff_models

    return diff_models(old, new) if old is not None else []


def publish_model(service_store: ServiceStore, version: int, *, by: str, now: datetime,
                  batch_size: int = BATCH_SIZE) -> dict[str, Any]:
    """Publish a draft (model.published with its changes), then re-score every library in batches."""

    def fn(tx: Tx) -> dict[str, Any]:
        draft = _load(tx, version)
        previous = store.current_model(tx.db, tx.session)
        published, event = publish(draft, previous=previous, published_by=by, now=now)
        store.save_model(tx.db, published, {}, tx.session)
        tx.emit(event.type, event.payload)
        return event.payload

    payload = service_store.transact(fn)
    totals = rescore_stale(service_store, now, batch_size)
    return {"version": version, "changes": payload["changes"], "rescored": totals["libraries"],
            "changed": totals["changed"]}


def rescore_stale(service_store: ServiceStore, now: datetime, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Re-score the libraries not yet scored under the current model (resumes an interrupted publish)."""
    current = store.current_model(service_store.db)
    if current is None:
        return {"libraries": 0, "changed": 0}
    return rescore_all(service_store, now, {"model_version": {"$ne": current.version}}, batch_size)


__all__ = [
    "InvalidModel", "ModelNotFound", "create_draft", "get_model", "list_models", "preview_model", "publish_model",
    "rescore_stale", "seed_model_v1", "update_draft",
]
