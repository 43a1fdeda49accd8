"""Marshmallow schemas of every request body and query of the evidence API.

Content fields of items are declared Raw on purpose: a draft must keep every valid field even when
another one is invalid, so the per-field checks (types, SDGs 1-17, official targets, dates) are the
domain's `validate_draft`, which reports each invalid field instead of refusing the whole body.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, fields, validate

from evidence.domain import AGE_GROUPS, DIMENSIONS, EDITABLE_FIELDS, KINDS, STATUSES

_DOC = {
    "kind": f"one of {', '.join(KINDS)}",
    "title": "text, 1-200 characters",
    "description": "text, up to 10000 characters",
    "dimension": f"one of {', '.join(DIMENSIONS)}",
    "sdgs": "list of SDG numbers 1-17",
    "targets": "list of official target ids such as '4.7' or '12.a'",
    "date": "YYYY-MM-DD (start)",
    "end_date": "YYYY-MM-DD, not before date",
    "participants": "whole number >= 0",
    "age_groups": f"list of {', '.join(AGE_GROUPS)}",
    "partners": "list of names or {name, kind}",
    "co_created": "boolean",
    "before": "number (operations measure)",
    "after": "number (operations measure)",
    "unit": "unit of before/after, e.g. kWh",
    "staff_share": "percentage 0-100 (staff training)",
    "links": "list of http(s) URLs",
    "public": "boolean: show in the public directory once approved",
}


def _content_fields() -> dict:
    return {name: fields.Raw(allow_none=True, metadata={"description": _DOC.get(name, "")}) for name in EDITABLE_FIELDS}


class ItemCreateSchema(Schema.from_dict(_content_fields())):  # type: ignore[misc]
    """A new draft: any subset of the content fields."""

    class Meta:
        unknown = RAISE


class ItemPatchSchema(Schema.from_dict(_content_fields())):  # type: ignore[misc]
    """Changes to a draft and the revision they are based on."""

    class Meta:
        unknown = INCLUDE  # reported by the domain as problems, never stored

    revision = fields.Int(required=True, validate=validate.Range(min=1))


class RevisionSchema(Schema):
    class Meta:
        unknown = RAISE

    revision = fields.Int(required=True, validate=validate.Range(min=1))


class OptionalRevisionSchema(Schema):
    class Meta:
        unknown = RAISE

    revision = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1))


class WithdrawSchema(RevisionSchema):
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class ReviewSchema(OptionalRevisionSchema):
    decision = fields.Str(required=True, validate=validate.OneOf(("approved", "rejected", "clarification_requested")))
    comment = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    deadline = fields.Date(load_default=None, allow_none=True)


class PlanReviewSchema(ReviewSchema):
    decision = fields.Str(required=True, validate=validate.OneOf(("approved", "clarification_requested")))


class ThreadPostSchema(OptionalRevisionSchema):
    message = fields.Str(required=True, validate=validate.Length(min=1, max=5000))
    answer = fields.Bool(load_default=False)
    changes = fields.Dict(load_default=None, allow_none=True,
                          metadata={"description": "content changes made with the answer (answer=true only)"})


class PlanPutSchema(Schema):
    class Meta:
        unknown = INCLUDE  # reported by the domain as problems

    revision = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=0),
                          metadata={"description": "revision the change is based on; 0 or absent to create"})
    start_year = fields.Raw(allow_none=True, metadata={"description": "first year of the 3-year period"})
    goals = fields.Raw(allow_none=True, metadata={"description": "[{dimension, title, description?, sdgs, targets?}]"})


class CopyCaseSchema(Schema):
    class Meta:
        unknown = RAISE

    library_id = fields.Str(required=True)
    into = fields.Str(load_default="evidence", validate=validate.OneOf(("evidence", "plan")))


class PageQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


class ItemListQuery(PageQuery):
    status = fields.Str(load_default=None, validate=validate.OneOf(STATUSES))
    kind = fields.Str(load_default=None, validate=validate.OneOf(KINDS))
    dimension = fields.Str(load_default=None, validate=validate.OneOf(DIMENSIONS))
    q = fields.Str(load_default=None, validate=validate.Length(max=200))
    # summary=1: only {id, title, status, kind, revision, updated_at} per item and no count of a
    # later page (`total` is null unless this is the last page) - what a dashboard shows.
    summary = fields.Bool(load_default=False)


class CaseQuery(PageQuery):
    q = fields.Str(load_default=None, validate=validate.Length(max=200))
    sdg = fields.Int(load_default=None, validate=validate.Range(1, 17))
    dimension = fields.Str(load_default=None, validate=validate.OneOf(DIMENSIONS))


class ExportQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    format = fields.Str(load_default="json", validate=validate.OneOf(("json", "csv")))


class UploadFormSchema(OptionalRevisionSchema):
    class Meta:
        unknown = EXCLUDE
