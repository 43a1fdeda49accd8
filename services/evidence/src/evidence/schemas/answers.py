"""Response bodies of the evidence API: each view answers through one of these (flask-smorest
`@blp.response`), so the OpenAPI document is what clients receive. Every field is always present
(`required`) unless noted, and may be null only where it says so."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from evidence.domain import (
    CASE_ACTIONS,
    CONTENT_FIELDS,
    DECISIONS,
    EXTENSIONS,
    ITEM_ACTIONS,
    PLAN_ACTIONS,
    PLAN_DECISIONS,
    ActionPlan,
)
from evidence.domain.lifecycle import ACTION_LABELS
from shared import vocabulary

from .base import AnswerSchema, AttachmentPath, Count, Figure, IsoDate, OneOf, about

# The types an attachment download can have (the type comes from the bytes, see domain.files).
ATTACHMENT_TYPES: tuple[str, ...] = tuple(EXTENSIONS)
# What the public directory shows of an approved, public item: content only, no people.
PUBLIC_FIELDS = tuple(name for name in CONTENT_FIELDS if name != "staff_share")
AUDIT_ACTIONS = tuple(name for name in ACTION_LABELS if name != "delete")


def _str(description: str = "", *, nullable: bool = False, **kw: Any) -> fields.Field:
    return fields.Str(required=True, allow_none=nullable, metadata=about(description) if description else {}, **kw)


def _int(description: str = "", *, nullable: bool = False, **kw: Any) -> fields.Field:
    return fields.Int(required=True, allow_none=nullable, metadata=about(description) if description else {}, **kw)


def _time(description: str = "", *, nullable: bool = False) -> fields.Field:
    return fields.DateTime(required=True, allow_none=nullable, metadata=about(description) if description else {})


def _date(description: str = "") -> fields.Field:
    return IsoDate(required=True, allow_none=True, metadata=about(description) if description else {})


def _nested(schema: type[Schema], *, nullable: bool = False, many: bool = False, description: str = "",
            **kw: Any) -> fields.Field:
    meta = about(description) if description else {}
    if many:
        return fields.List(fields.Nested(schema), required=True, metadata=meta, **kw)
    return fields.Nested(schema, required=True, allow_none=nullable, metadata=meta, **kw)


def _list(inner: fields.Field, description: str = "") -> fields.Field:
    return fields.List(inner, required=True, metadata=about(description) if description else {})


def _status() -> fields.Field:
    return _str("workflow status", validate=validate.OneOf(vocabulary.EVIDENCE_STATUSES))


def _actions(allowed: tuple[str, ...], what: str) -> fields.Field:
    return _list(fields.Str(validate=validate.OneOf(allowed)),
                 f"what the caller may do to the {what} now: {', '.join(allowed)}")


# -- people ---------------------------------------------------------------------------------------


class PersonRefSchema(AnswerSchema):
    """Who acted, as recorded in audit trails, threads and decisions (name replaced on erasure)."""

    person_id = _str()
    name = _str("'Slettet bruger' once the person is erased", nullable=True)
    role = _str(validate=validate.OneOf(vocabulary.ROLES))


class ContactSchema(AnswerSchema):
    """Who submitted: the contact notification mails (e-mail null once the person is erased)."""

    person_id = _str()
    name = _str(nullable=True)
    email = _str(nullable=True)


class PartnerSchema(AnswerSchema):
    name = _str()
    kind = _str("e.g. association, school", nullable=True)


# -- content of items and cases -------------------------------------------------------------------


def _content_field(name: str) -> fields.Field:
    made: dict[str, Any] = {
        "kind": lambda: _str("evidence kind", nullable=True, validate=validate.OneOf(vocabulary.EVIDENCE_KINDS)),
        "title": lambda: _str(nullable=True),
        "description": lambda: _str(),
        "dimension": lambda: _str(nullable=True, validate=validate.OneOf(vocabulary.DIMENSIONS)),
        "sdgs": lambda: _list(fields.Int(validate=validate.Range(1, 17)), "SDGs 1-17"),
        "targets": lambda: _list(fields.Str(), "official targets such as 4.7, 12.a"),
        "date": lambda: _date("start"),
        "end_date": lambda: _date("end"),
        "participants": lambda: _int(nullable=True),
        "age_groups": lambda: _list(fields.Str(validate=validate.OneOf(vocabulary.AGE_GROUPS))),
        "partners": lambda: _nested(PartnerSchema, many=True),
        "co_created": lambda: fields.Bool(required=True),
        "before": lambda: Figure(required=True, allow_none=True, metadata=about("operations measure: before")),
        "after": lambda: Figure(required=True, allow_none=True, metadata=about("operations measure: after")),
        "unit": lambda: _str("unit of before/after, e.g. kWh", nullable=True),
        "staff_share": lambda: Figure(required=True, allow_none=True, metadata=about("staff training: % of staff")),
        "links": lambda: _list(fields.Str()),
        "public": lambda: fields.Bool(required=True, metadata=about("shown in the public directory once approved")),
    }
    return made[name]()


def _content(names: tuple[str, ...]) -> dict[str, fields.Field]:
    return {name: _content_field(name) for name in names}


# -- evidence items -------------------------------------------------------------------------------


class AttachmentSchema(AnswerSchema):
    """A file attached to an item; the URLs are service paths (the gateway maps them)."""

    id = _str("GridFS file id", attribute="file_id")
    filename = _str()
    mime = _str(validate=validate.OneOf(ATTACHMENT_TYPES))
    size = _int("bytes")
    added_at = _time(nullable=True)
    added_by = _nested(PersonRefSchema, nullable=True)
    download_url = AttachmentPath(required=True)
    thumbnail_url = AttachmentPath(thumbnail=True, required=True, allow_none=True,
                                   metadata=about("JPEG preview, images only"))


class ItemDecisionSchema(AnswerSchema):
    decision = _str(validate=validate.OneOf(DECISIONS))
    comment = _str(nullable=True)
    deadline = _date("answer by (clarification only)")
    reviewer = _nested(PersonRefSchema)
    at = _time()
    revision = _int("the item's revision after the decision")


class CopiedFromSchema(AnswerSchema):
    case_id = _str()
    library_id = _str()
    library_name = _str(nullable=True)


class ItemSchema(AnswerSchema.from_dict(_content((*CONTENT_FIELDS, "public")))):  # type: ignore[misc]
    """An evidence item, with what the caller may do to it."""

    id = _str("item id")
    library_id = _str()
    library_name = _str(nullable=True)
    status = _status()
    revision = _int("present it with the next change (409 if stale)")
    created_at = _time()
    created_by = _nested(PersonRefSchema)
    updated_at = _time()
    submitted_at = _time(nullable=True)
    submitted_by = _nested(ContactSchema, nullable=True)
    decided_at = _time(nullable=True)
    decision = _nested(ItemDecisionSchema, nullable=True)
    deadline = _date("clarification deadline")
    shared_case_id = _str(nullable=True)
    copied_from = _nested(CopiedFromSchema, nullable=True, description="the shared case it was copied from")
    attachments = _nested(AttachmentSchema, many=True)
    thread_count = Count(required=True, attribute="thread", metadata=about("messages in the clarification thread"))
    actions = _actions(ITEM_ACTIONS, "item")


class ItemSummarySchema(AnswerSchema):
    """An item in a summary list (summary=1)."""

    id = _str()
    title = _str(nullable=True)
    status = _status()
    kind = _str(nullable=True, validate=validate.OneOf(vocabulary.EVIDENCE_KINDS))
    revision = _int()
    updated_at = _time()
    actions = _actions(ITEM_ACTIONS, "item")


class _PageSchema(AnswerSchema):
    page = _int()
    per_page = _int()


class ItemListSchema(_PageSchema):
    """A library's items, newest change first."""

    items = _nested(ItemSchema, many=True)
    total = _int()


class ItemSummaryListSchema(_PageSchema):
    """summary=1: a few fields per item; `total` is null unless this is the last page."""

    items = _nested(ItemSummarySchema, many=True)
    total = _int(nullable=True)


class AuditEntrySchema(AnswerSchema):
    OMIT_WHEN_NONE = ("note",)

    at = _time()
    action = _str(validate=validate.OneOf(AUDIT_ACTIONS))
    by = _nested(PersonRefSchema)
    revision = _int()
    from_status = _str()
    to_status = _str()
    changed = _list(fields.Str(), "fields changed")
    note = fields.Str(metadata=about("reason or comment, when given"))


class AuditSchema(AnswerSchema):
    """An item's or plan's audit trail, oldest first."""

    id = _str("item or plan id")
    revision = _int()
    status = _status()
    entries = _nested(AuditEntrySchema, many=True, attribute="audit")


class ThreadMessageSchema(AnswerSchema):
    OMIT_WHEN_NONE = ("deadline",)

    at = _time()
    by = _nested(PersonRefSchema)
    side = _str(validate=validate.OneOf(("assessor", "library")))
    text = _str()
    deadline = IsoDate(metadata=about("with the assessor's question (YYYY-MM-DD)"))


class ThreadSchema(AnswerSchema):
    """The clarification thread of an item or plan."""

    id = _str("item or plan id")
    revision = _int()
    status = _status()
    deadline = _date("answer by")
    messages = _nested(ThreadMessageSchema, many=True, attribute="thread")


class ItemThreadPostedSchema(ThreadSchema):
    """The thread after the post, and the item (resubmitted when the post answered)."""

    item = _nested(ItemSchema)


class UploadedSchema(AnswerSchema):
    """The new attachment and the item it was added to (new revision)."""

    attachment = _nested(AttachmentSchema)
    item = _nested(ItemSchema)


class ItemOnlySchema(AnswerSchema):
    """The item after the change."""

    item = _nested(ItemSchema)


# -- action plans ---------------------------------------------------------------------------------


class GoalSchema(AnswerSchema):
    dimension = _str(validate=validate.OneOf(vocabulary.DIMENSIONS))
    title = _str()
    description = _str()
    sdgs = _list(fields.Int(validate=validate.Range(1, 17)))
    targets = _list(fields.Str())


class PlanDecisionSchema(AnswerSchema):
    decision = _str(validate=validate.OneOf(PLAN_DECISIONS))
    comment = _str(nullable=True)
    deadline = _date("answer by (clarification only)")
    reviewer = _nested(PersonRefSchema)
    at = _time()


class SnapshotGoalSchema(AnswerSchema):
    dimension = _str(validate=validate.OneOf(vocabulary.DIMENSIONS))
    title = _str()
    sdgs = _list(fields.Int())
    targets = _list(fields.Str())


class _PlanSnapshotSchema(AnswerSchema):
    plan_id = _str()
    library_id = _str()
    library_name = _str(nullable=True)
    revision = _int()
    version = _int()
    status = _status()
    start_year = _int(nullable=True)
    end_year = _int(nullable=True)
    goals = _nested(SnapshotGoalSchema, many=True)
    submitted_by = _nested(ContactSchema, nullable=True)


class PreviousPlanVersionSchema(_PlanSnapshotSchema):
    """An earlier, approved version kept when the next one was drafted."""

    approved_at = _time(nullable=True)


class PlanSchema(AnswerSchema):
    """The library's 3-year action plan, with what the caller may do to it."""

    id = _str("plan id")
    library_id = _str()
    library_name = _str(nullable=True)
    status = _status()
    revision = _int("present it with the next change (409 if stale)")
    version = _int()
    approved_version = _int("the approved version in force, if any", nullable=True)
    start_year = _int(nullable=True)
    end_year = _int(nullable=True)
    goals = _nested(GoalSchema, many=True)
    created_at = _time()
    updated_at = _time()
    submitted_at = _time(nullable=True)
    submitted_by = _nested(ContactSchema, nullable=True)
    decision = _nested(PlanDecisionSchema, nullable=True)
    deadline = _date("clarification deadline")
    previous_versions = _nested(PreviousPlanVersionSchema, many=True)
    thread_count = Count(required=True, attribute="thread", metadata=about("messages in the clarification thread"))
    actions = _actions(PLAN_ACTIONS, "plan")


class PlanThreadPostedSchema(ThreadSchema):
    """The thread after the answer, and the resubmitted plan."""

    plan = _nested(PlanSchema)


# -- shared cases ---------------------------------------------------------------------------------


class CaseSchema(AnswerSchema.from_dict(_content(CONTENT_FIELDS))):  # type: ignore[misc]
    """A shared case: a frozen public copy of an item's content, without people."""

    id = _str("= case_id")
    case_id = _str()
    source_item_id = _str()
    source_revision = _int()
    library_id = _str()
    library_name = _str(nullable=True)
    shared_at = _time()
    actions = _actions(CASE_ACTIONS, "case")


class SharedCaseSchema(CaseSchema):
    """The new case and the shared item (new revision)."""

    item = _nested(ItemSchema)


class CaseListSchema(_PageSchema):
    items = _nested(CaseSchema, many=True)
    total = _int()


# -- queues, exports, public ----------------------------------------------------------------------


class ReviewQueueSchema(_PageSchema):
    """Submitted items, oldest submission first, and every submitted action plan."""

    items = _nested(ItemSchema, many=True)
    total = _int()
    plans = _nested(PlanSchema, many=True)


class ExportAttachmentSchema(AnswerSchema):
    filename = _str()
    mime = _str()
    size = _int()


class ExportItemSchema(AnswerSchema.from_dict(_content((*CONTENT_FIELDS, "public")))):  # type: ignore[misc]
    """One item as scoring's rebuild reads it: no audit trail, no thread, no people."""

    item_id = _str()
    library_id = _str()
    library_name = _str(nullable=True)
    status = _status()
    revision = _int()
    attachments = _nested(ExportAttachmentSchema, many=True)
    created_at = _time()
    submitted_at = _time(nullable=True)
    decided_at = _time(nullable=True)
    updated_at = _time()
    deadline = _date()
    copied_from = _nested(CopiedFromSchema, nullable=True)
    shared_case_id = _str(nullable=True)


class ExportPlanSchema(_PlanSnapshotSchema):
    approved_version = _int("non-null: an approved plan is in force", nullable=True)


class ExportSchema(AnswerSchema):
    """format=json: every item of the library (drafts included) and its action plan."""

    format_version = _int(validate=validate.Equal(1))
    library_id = _str()
    library_name = _str(nullable=True)
    exported_at = _time()
    items = _nested(ExportItemSchema, many=True)
    action_plan = _nested(ExportPlanSchema, nullable=True)


class PublicItemSchema(AnswerSchema.from_dict(_content(PUBLIC_FIELDS))):  # type: ignore[misc]
    """An approved, public item: content only, no people."""

    id = _str()


class PublicActivitiesSchema(AnswerSchema):
    library_id = _str()
    library_name = _str(nullable=True)
    items = _nested(PublicItemSchema, many=True)


# -- answers that are one of several --------------------------------------------------------------

def item_page() -> OneOf:
    """A page of items, or of summaries (summary=1)."""
    return OneOf(lambda page: ItemSummaryListSchema if page.summary else ItemListSchema,
                 ItemListSchema, ItemSummaryListSchema)


def copied() -> OneOf:
    """What a copied case became: a draft item, or the action plan it was added to."""
    return OneOf(lambda seen: PlanSchema if isinstance(seen.resource, ActionPlan) else ItemSchema,
                 ItemSchema, PlanSchema)
