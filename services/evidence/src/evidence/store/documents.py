"""How the aggregates are stored: one MongoDB document each, the dataclass fields as they are
(`_id` is the aggregate's id). Reading builds the frozen aggregates back, tuples for lists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from evidence.domain import (
    CONTENT_FIELDS,
    ActionPlan,
    Attachment,
    AuditEntry,
    Contact,
    CopiedFrom,
    Decision,
    EvidenceItem,
    Goal,
    ItemSummary,
    Message,
    Partner,
    PersonRef,
    PlanVersion,
    SharedCase,
)

Document = dict[str, Any]
LISTS = ("sdgs", "targets", "age_groups", "links")


def item_document(item: EvidenceItem) -> Document:
    return {"_id": item.item_id, **asdict(item)}


def plan_document(plan: ActionPlan) -> Document:
    return {"_id": plan.plan_id, **asdict(plan)}


def case_document(case: SharedCase) -> Document:
    return {"_id": case.case_id, **asdict(case)}


def _ref(doc: Mapping[str, Any]) -> PersonRef:
    return PersonRef(doc["person_id"], doc.get("name"), doc.get("role", ""))


def _maybe_ref(doc: Mapping[str, Any] | None) -> PersonRef | None:
    return _ref(doc) if doc else None


def _contact(doc: Mapping[str, Any] | None) -> Contact | None:
    return Contact(doc["person_id"], doc.get("name"), doc.get("email")) if doc else None


def _audit(doc: Mapping[str, Any]) -> AuditEntry:
    return AuditEntry(at=doc["at"], action=doc["action"], by=_ref(doc["by"]), revision=doc["revision"],
                      from_status=doc["from_status"], to_status=doc["to_status"],
                      changed=tuple(doc.get("changed") or ()), note=doc.get("note"))


def _message(doc: Mapping[str, Any]) -> Message:
    return Message(at=doc["at"], by=_ref(doc["by"]), side=doc["side"], text=doc["text"], deadline=doc.get("deadline"))


def _decision(doc: Mapping[str, Any] | None) -> Decision | None:
    if not doc:
        return None
    return Decision(doc["decision"], doc.get("comment"), doc.get("deadline"), _ref(doc["reviewer"]), doc["at"], doc.get("revision"))


def _attachment(item_id: str, doc: Mapping[str, Any]) -> Attachment:
    return Attachment(item_id=item_id, file_id=doc["file_id"], filename=doc["filename"], mime=doc["mime"],
                      size=doc["size"], thumbnail_id=doc.get("thumbnail_id"), added_at=doc.get("added_at"),
                      added_by=_maybe_ref(doc.get("added_by")))


def _content(doc: Mapping[str, Any]) -> dict[str, Any]:
    content = {name: doc[name] for name in CONTENT_FIELDS if name in doc}
    for name in LISTS:
        if name in content:
            content[name] = tuple(content[name] or ())
    if "partners" in content:
        content["partners"] = tuple(Partner(p["name"], p.get("kind")) for p in content["partners"] or ())
    return content


def _reviewed(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "library_id": doc["library_id"],
        "library_name": doc.get("library_name"),
        "status": doc["status"],
        "revision": doc["revision"],
        "created_at": doc["created_at"],
        "updated_at": doc["updated_at"],
        "submitted_by": _contact(doc.get("submitted_by")),
        "submitted_at": doc.get("submitted_at"),
        "decision": _decision(doc.get("decision")),
        "deadline": doc.get("deadline"),
        # Lists leave these out (audit) or never read them; a missing part reads as empty.
        "thread": tuple(_message(m) for m in doc.get("thread") or ()),
        "audit": tuple(_audit(e) for e in doc.get("audit") or ()),
    }


def item_from(doc: Mapping[str, Any]) -> EvidenceItem:
    item_id = doc["item_id"]
    copied = doc.get("copied_from")
    return EvidenceItem(
        item_id=item_id,
        **_reviewed(doc),
        **_content(doc),
        created_by=_ref(doc["created_by"]),
        public=bool(doc.get("public")),
        attachments=tuple(_attachment(item_id, a) for a in doc.get("attachments") or ()),
        ever_submitted=bool(doc.get("ever_submitted")),
        decided_at=doc.get("decided_at"),
        shared_case_id=doc.get("shared_case_id"),
        copied_from=CopiedFrom(copied["case_id"], copied["library_id"], copied.get("library_name")) if copied else None,
    )


def summary_from(doc: Mapping[str, Any]) -> ItemSummary:
    return ItemSummary(item_id=doc["item_id"], library_id=doc["library_id"], title=doc.get("title"),
                       status=doc["status"], kind=doc.get("kind"), revision=doc["revision"],
                       updated_at=doc["updated_at"], ever_submitted=bool(doc.get("ever_submitted")),
                       shared_case_id=doc.get("shared_case_id"))


def _goal(doc: Mapping[str, Any]) -> Goal:
    return Goal(dimension=doc["dimension"], title=doc["title"], description=doc.get("description") or "",
                sdgs=tuple(doc.get("sdgs") or ()), targets=tuple(doc.get("targets") or ()))


def _version(doc: Mapping[str, Any]) -> PlanVersion:
    return PlanVersion(plan_id=doc["plan_id"], library_id=doc["library_id"], library_name=doc.get("library_name"),
                       revision=doc["revision"], version=doc["version"], status=doc["status"],
                       start_year=doc.get("start_year"), end_year=doc.get("end_year"),
                       goals=tuple(_goal(g) for g in doc.get("goals") or ()),
                       submitted_by=_contact(doc.get("submitted_by")), approved_at=doc.get("approved_at"))


def plan_from(doc: Mapping[str, Any]) -> ActionPlan:
    return ActionPlan(
        plan_id=doc["plan_id"],
        **_reviewed(doc),
        version=doc.get("version", 1),
        approved_version=doc.get("approved_version"),
        start_year=doc.get("start_year"),
        end_year=doc.get("end_year"),
        goals=tuple(_goal(g) for g in doc.get("goals") or ()),
        previous_versions=tuple(_version(v) for v in doc.get("previous_versions") or ()),
    )


def case_from(doc: Mapping[str, Any]) -> SharedCase:
    return SharedCase(case_id=doc["case_id"], source_item_id=doc["source_item_id"],
                      source_revision=doc["source_revision"], library_id=doc["library_id"],
                      library_name=doc.get("library_name"), shared_at=doc["shared_at"], **_content(doc))
