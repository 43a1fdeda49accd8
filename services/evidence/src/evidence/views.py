"""How stored documents are shown over HTTP: item, plan, case, audit and thread JSON."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from evidence.domain import EDITABLE_FIELDS, public_case

ITEM_META = (
    "library_id", "library_name", "status", "revision", "created_at", "created_by", "updated_at",
    "submitted_at", "submitted_by", "decided_at", "decision", "deadline", "shared_case_id", "copied_from",
)
# What the public directory may show of an approved, public item: content only, no people.
PUBLIC_FIELDS = ("kind", "title", "description", "dimension", "sdgs", "targets", "date", "end_date",
                 "participants", "age_groups", "partners", "co_created", "before", "after", "unit", "links")


def jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items() if k != "_id"}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def attachment_json(item_id: str, a: Mapping[str, Any]) -> dict:
    base = f"/evidence/{item_id}/attachments/{a['file_id']}"
    return jsonable({
        "id": a["file_id"],
        "filename": a["filename"],
        "mime": a["mime"],
        "size": a["size"],
        "added_at": a.get("added_at"),
        "added_by": a.get("added_by"),
        "download_url": base,
        "thumbnail_url": f"{base}/thumbnail" if a.get("thumbnail_id") else None,
    })


def item_json(item: Mapping[str, Any]) -> dict:
    out: dict[str, Any] = {"id": item["item_id"]}
    out.update({k: item.get(k) for k in ITEM_META})
    out.update({k: item.get(k) for k in EDITABLE_FIELDS})
    out["attachments"] = [attachment_json(item["item_id"], a) for a in item.get("attachments") or []]
    out["thread_count"] = len(item.get("thread") or [])
    return jsonable(out)


def summary_json(item: Mapping[str, Any]) -> dict:
    """An item as a list summary shows it: {id, title, status, kind, revision, updated_at}."""
    updated = item.get("updated_at")
    return {"id": item["item_id"], "title": item.get("title"), "status": item.get("status"),
            "kind": item.get("kind"), "revision": item.get("revision"),
            "updated_at": updated.isoformat() if isinstance(updated, (datetime, date)) else updated}


def public_item_json(item: Mapping[str, Any]) -> dict:
    out = {"id": item["item_id"], **{k: item.get(k) for k in PUBLIC_FIELDS}}
    out["partners"] = [{"name": p["name"], "kind": p.get("kind")} for p in item.get("partners") or []]
    return jsonable(out)


def plan_json(plan: Mapping[str, Any]) -> dict:
    keys = ("library_id", "library_name", "status", "revision", "version", "approved_version", "start_year",
            "end_year", "goals", "created_at", "updated_at", "submitted_at", "submitted_by", "decision", "deadline",
            "previous_versions")
    out = {"id": plan["plan_id"], **{k: plan.get(k) for k in keys}}
    out["thread_count"] = len(plan.get("thread") or [])
    return jsonable(out)


def case_json(case: Mapping[str, Any]) -> dict:
    out = public_case(case)
    out["id"] = out["case_id"]
    return jsonable(out)


def audit_json(doc: Mapping[str, Any], id_key: str) -> dict:
    return {"id": doc[id_key], "revision": doc["revision"], "status": doc["status"],
            "entries": jsonable(doc.get("audit") or [])}


def thread_json(doc: Mapping[str, Any], id_key: str) -> dict:
    return {"id": doc[id_key], "revision": doc["revision"], "status": doc["status"],
            "deadline": jsonable(doc.get("deadline")), "messages": jsonable(doc.get("thread") or [])}
