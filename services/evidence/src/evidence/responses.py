"""Marshmallow schemas of every response body of the evidence API, for the OpenAPI document only.

The views build their JSON with `views.py` and return Response objects; these schemas are attached
with `alt_response` (documentation), never `@response`, which would dump the body through the
schema and silently drop any field not declared here. Every field the views always write is
`required`, optional ones are not, and no other field is allowed (marshmallow's default `RAISE`),
so a test can load a real body with the schema to prove the document matches what clients get.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from evidence.domain import AGE_GROUPS, DIMENSIONS, KINDS, STATUSES
from evidence.domain.files import EXTENSIONS
from evidence.domain.values import CONTENT_FIELDS
from evidence.views import PUBLIC_FIELDS

# The types an attachment download can have (the type comes from the bytes, see domain.files).
ATTACHMENT_TYPES: tuple[str, ...] = tuple(EXTENSIONS)
BINARY = {"type": "string", "format": "binary"}
DOWNLOAD_HEADERS = {
    "Content-Disposition": {"description": "always `attachment`, with the file name (RFC 6266)",
                            "schema": {"type": "string"}},
    "X-Content-Type-Options": {"description": "`nosniff`", "schema": {"type": "string"}},
    "Content-Security-Policy": {"description": "`default-src 'none'; sandbox`", "schema": {"type": "string"}},
}


def _req(field: fields.Field) -> fields.Field:
    """Mark a field as always present in the body (it may still be null where allow_none)."""
    field.required = True
    return field


def _meta(description: str) -> dict:
    return {"description": description} if description else {}


def _str(description: str = "", *, nullable: bool = False, **kw: Any) -> fields.Field:
    return _req(fields.Str(allow_none=nullable, metadata=_meta(description), **kw))


def _int(description: str = "", *, nullable: bool = False, **kw: Any) -> fields.Field:
    return _req(fields.Int(allow_none=nullable, metadata=_meta(description), **kw))


def _time(description: str = "", *, nullable: bool = False) -> fields.Field:
    return _req(fields.DateTime(allow_none=nullable, metadata=_meta(description)))


def _date(description: str = "", *, nullable: bool = True) -> fields.Field:
    return _req(fields.Date(allow_none=nullable, metadata=_meta(description)))


def _nested(schema: type[Schema], *, nullable: bool = False, many: bool = False, description: str = "") -> fields.Field:
    if many:
        return _req(fields.List(fields.Nested(schema), metadata=_meta(description)))
    return _req(fields.Nested(schema, allow_none=nullable, metadata=_meta(description)))


def _status() -> fields.Field:
    return _str("workflow status", validate=validate.OneOf(STATUSES))


# -- people ---------------------------------------------------------------------------------------


class PersonRefSchema(Schema):
    """Who acted, as recorded in audit trails, threads and decisions (name replaced on erasure)."""

    person_id = _str()
    name = _str("'Slettet bruger' once the person is erased", nullable=True)
    role = _str(validate=validate.OneOf(("coordinator", "member", "assessor", "administrator")))


class PersonSchema(Schema):
    """Who submitted: the contact notification mails (e-mail null once the person is erased)."""

    person_id = _str()
    name = _str(nullable=True)
    email = _str(nullable=True)


class PartnerSchema(Schema):
    name = _str()
    kind = _str("e.g. association, school", nullable=True)


# -- content of items and cases -------------------------------------------------------------------

_CONTENT: dict[str, Any] = {
    "kind": lambda: _str("evidence kind", nullable=True, validate=validate.OneOf(KINDS)),
    "title": lambda: _str(nullable=True),
    "description": lambda: _str(),
    "dimension": lambda: _str(nullable=True, validate=validate.OneOf(DIMENSIONS)),
    "sdgs": lambda: _req(fields.List(fields.Int(validate=validate.Range(1, 17)), metadata={"description": "SDGs 1-17"})),
    "targets": lambda: _req(fields.List(fields.Str(), metadata={"description": "official targets such as 4.7, 12.a"})),
    "date": lambda: _date("start"),
    "end_date": lambda: _date("end"),
    "participants": lambda: _int(nullable=True),
    "age_groups": lambda: _req(fields.List(fields.Str(validate=validate.OneOf(AGE_GROUPS)))),
    "partners": lambda: _nested(PartnerSchema, many=True),
    "co_created": lambda: _req(fields.Bool()),
    "before": lambda: _req(fields.Number(allow_none=True, metadata={"description": "operations measure: before"})),
    "after": lambda: _req(fields.Number(allow_none=True, metadata={"description": "operations measure: after"})),
    "unit": lambda: _str("unit of before/after, e.g. kWh", nullable=True),
    "staff_share": lambda: _req(fields.Number(allow_none=True, metadata={"description": "staff training: % of staff"})),
    "links": lambda: _req(fields.List(fields.Str())),
    "public": lambda: _req(fields.Bool(metadata={"description": "shown in the public directory once approved"})),
}


def _content(names: tuple[str, ...]) -> dict[str, fields.Field]:
    return {name: _CONTENT[name]() for name in names}


# -- evidence items -------------------------------------------------------------------------------


class AttachmentSchema(Schema):
    """A file attached to an item; the URLs are service paths (the gateway maps them)."""

    id = _str("GridFS file id")
    filename = _str()
    mime = _str(validate=validate.OneOf(ATTACHMENT_TYPES))
    size = _int("bytes")
    added_at = _time(nullable=True)
    added_by = _nested(PersonRefSchema, nullable=True)
    download_url = _str()
    thumbnail_url = _str("JPEG preview, images only", nullable=True)


class ItemDecisionSchema(Schema):
    decision = _str(validate=validate.OneOf(("approved", "rejected", "clarification_requested")))
    comment = _str(nullable=True)
    deadline = _date("answer by (clarification only)")
    reviewer = _nested(PersonRefSchema)
    at = _time()
    revision = _int("the item's revision after the decision")


class CopiedFromSchema(Schema):
    case_id = _str()
    library_id = _str()
    library_name = _str(nullable=True)


class ItemSchema(Schema.from_dict(_content((*CONTENT_FIELDS, "public")))):  # type: ignore[misc]
    """An evidence item (views.item_json)."""

    id = _str("item id")
    library_id = _str()
    library_name = _str(nullable=True)
    status = _status()
    revision = _int("present it with the next change (409 if stale)")
    created_at = _time()
    created_by = _nested(PersonRefSchema)
    updated_at = _time()
    submitted_at = _time(nullable=True)
    submitted_by = _nested(PersonSchema, nullable=True)
    decided_at = _time(nullable=True)
    decision = _nested(ItemDecisionSchema, nullable=True)
    deadline = _date("clarification deadline")
    shared_case_id = _str(nullable=True)
    copied_from = _nested(CopiedFromSchema, nullable=True, description="the shared case it was copied from")
    attachments = _nested(AttachmentSchema, many=True)
    thread_count = _int("messages in the clarification thread")


class ItemSummarySchema(Schema):
    """An item in a summary list (summary=1, views.summary_json)."""

    id = _str()
    title = _str(nullable=True)
    status = _status()
    kind = _str(nullable=True, validate=validate.OneOf(KINDS))
    revision = _int()
    updated_at = _time()


class _PageSchema(Schema):
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


class AuditEntrySchema(Schema):
    at = _time()
    action = _str(validate=validate.OneOf(
        ("create", "edit", "submit", "withdraw", "review", "answer", "message", "attach", "share")))
    by = _nested(PersonRefSchema)
    revision = _int()
    from_status = _str()
    to_status = _str()
    changed = _req(fields.List(fields.Str(), metadata={"description": "fields changed"}))
    note = fields.Str(metadata={"description": "reason or comment, when given"})


class AuditSchema(Schema):
    """An item's or plan's audit trail, oldest first."""

    id = _str("item or plan id")
    revision = _int()
    status = _status()
    entries = _nested(AuditEntrySchema, many=True)


class ThreadMessageSchema(Schema):
    at = _time()
    by = _nested(PersonRefSchema)
    side = _str(validate=validate.OneOf(("assessor", "library")))
    text = _str()
    deadline = fields.Date(metadata={"description": "with the assessor's question (YYYY-MM-DD)"})


class ThreadSchema(Schema):
    """The clarification thread of an item or plan."""

    id = _str("item or plan id")
    revision = _int()
    status = _status()
    deadline = _date("answer by")
    messages = _nested(ThreadMessageSchema, many=True)


class ItemThreadPostedSchema(ThreadSchema):
    """The thread after the post, and the item (resubmitted when the post answered)."""

    item = _nested(ItemSchema)


class UploadedSchema(Schema):
    """The new attachment and the item it was added to (new revision)."""

    attachment = _nested(AttachmentSchema)
    item = _nested(ItemSchema)


class ItemOnlySchema(Schema):
    """The item after the change."""

    item = _nested(ItemSchema)


# -- action plans ---------------------------------------------------------------------------------


class GoalSchema(Schema):
    dimension = _str(validate=validate.OneOf(DIMENSIONS))
    title = _str()
    description = _str()
    sdgs = _req(fields.List(fields.Int(validate=validate.Range(1, 17))))
    targets = _req(fields.List(fields.Str()))


class PlanDecisionSchema(Schema):
    decision = _str(validate=validate.OneOf(("approved", "clarification_requested")))
    comment = _str(nullable=True)
    deadline = _date("answer by (clarification only)")
    reviewer = _nested(PersonRefSchema)
    at = _time()


class SnapshotGoalSchema(Schema):
    dimension = _str(validate=validate.OneOf(DIMENSIONS))
    title = _str()
    sdgs = _req(fields.List(fields.Int()))
    targets = _req(fields.List(fields.Str()))


class _PlanSnapshotSchema(Schema):
    plan_id = _str()
    library_id = _str()
    library_name = _str(nullable=True)
    revision = _int()
    version = _int()
    status = _status()
    start_year = _int(nullable=True)
    end_year = _int(nullable=True)
    goals = _nested(SnapshotGoalSchema, many=True)
    submitted_by = _nested(PersonSchema, nullable=True)


class PreviousPlanVersionSchema(_PlanSnapshotSchema):
    """An earlier, approved version kept when the next one was drafted."""

    approved_at = _time(nullable=True)


class PlanSchema(Schema):
    """The library's 3-year action plan (views.plan_json)."""

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
    submitted_by = _nested(PersonSchema, nullable=True)
    decision = _nested(PlanDecisionSchema, nullable=True)
    deadline = _date("clarification deadline")
    previous_versions = _nested(PreviousPlanVersionSchema, many=True)
    thread_count = _int()


class PlanThreadPostedSchema(ThreadSchema):
    """The thread after the answer, and the resubmitted plan."""

    plan = _nested(PlanSchema)


# -- shared cases ---------------------------------------------------------------------------------


class CaseSchema(Schema.from_dict(_content(CONTENT_FIELDS))):  # type: ignore[misc]
    """A shared case: a frozen public copy of an item's content, without people."""

    id = _str("= case_id")
    case_id = _str()
    source_item_id = _str()
    source_revision = _int()
    library_id = _str()
    library_name = _str(nullable=True)
    shared_at = _time()


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


class ExportAttachmentSchema(Schema):
    filename = _str()
    mime = _str()
    size = _int()


class ExportItemSchema(Schema.from_dict(_content((*CONTENT_FIELDS, "public")))):  # type: ignore[misc]
    """One item as scoring's rebuild reads it (domain.export_item): no audit trail, no thread."""

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


class ExportSchema(Schema):
    """format=json: every item of the library (drafts included) and its action plan."""

    format_version = _int(validate=validate.Equal(1))
    library_id = _str()
    library_name = _str(nullable=True)
    exported_at = _time()
    items = _nested(ExportItemSchema, many=True)
    action_plan = _nested(ExportPlanSchema, nullable=True)


class PublicItemSchema(Schema.from_dict(_content(PUBLIC_FIELDS))):  # type: ignore[misc]
    """An approved, public item: content only, no people."""

    id = _str()


class PublicActivitiesSchema(Schema):
    library_id = _str()
    library_name = _str(nullable=True)
    items = _nested(PublicItemSchema, many=True)
