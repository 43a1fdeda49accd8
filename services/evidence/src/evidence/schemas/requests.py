"""Request bodies and queries of the evidence API, as strict as the domain: the OpenAPI document
says exactly what the service accepts, and every field a person fills in carries its label."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from evidence.domain import items as content
from evidence.domain import lifecycle, plans, values
from shared import vocabulary

from .base import DraftSchema, NameOrPartner, about, label

TEXT = validate.Length(max=lifecycle.MAX_TEXT)
REVISION = validate.Range(min=1)


class PartnerInSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.Str(required=True, validate=validate.Length(1, values.MAX_PARTNER_NAME),
                      metadata=label("Partnerens navn", "Partner's name"))
    kind = fields.Str(allow_none=True, validate=validate.Length(max=values.MAX_PARTNER_KIND),
                      metadata=label("Partnerens type", "Kind of partner", "e.g. association, school"))


def _sdgs(**kw: Any) -> fields.Field:
    return fields.List(fields.Int(strict=False, validate=validate.Range(1, 17)), allow_none=True,
                       validate=validate.Length(max=values.MAX_SDG_VALUES), **kw)


def _targets(**kw: Any) -> fields.Field:
    return fields.List(fields.Str(validate=validate.OneOf(vocabulary.sdg_targets())), allow_none=True,
                       validate=validate.Length(max=values.MAX_TARGET_VALUES), **kw)


def _date(**kw: Any) -> fields.Field:
    return fields.Date(allow_none=True, validate=validate.Range(values.MIN_DATE, values.MAX_DATE), **kw)


def _bool(**kw: Any) -> fields.Field:
    return fields.Bool(allow_none=True, truthy={True}, falsy={False}, **kw)


def content_fields() -> dict[str, fields.Field]:
    """The fields a library types about an item (None clears one), each as the domain checks it."""
    return {
        "kind": fields.Str(allow_none=True, validate=validate.OneOf(vocabulary.EVIDENCE_KINDS),
                           metadata=label("Type", "Kind")),
        "title": fields.Str(allow_none=True, validate=validate.Length(1, content.MAX_TITLE),
                            metadata=label("Titel", "Title")),
        "description": fields.Str(allow_none=True, validate=validate.Length(max=content.MAX_DESCRIPTION),
                                  metadata=label("Beskrivelse", "Description")),
        "dimension": fields.Str(allow_none=True, validate=validate.OneOf(vocabulary.DIMENSIONS),
                                metadata=label("Dimension", "Dimension")),
        "sdgs": _sdgs(metadata=label("Verdensmål", "SDGs", "SDG numbers 1-17")),
        "targets": _targets(metadata=label("Delmål", "Targets", "official target ids such as 4.7 or 12.a")),
        "date": _date(metadata=label("Dato", "Date", "the (first) day")),
        "end_date": _date(metadata=label("Slutdato", "End date", "not before date")),
        "participants": fields.Int(allow_none=True, strict=False, validate=validate.Range(0, content.MAX_PARTICIPANTS),
                                   metadata=label("Deltagere", "Participants")),
        "age_groups": fields.List(fields.Str(validate=validate.OneOf(vocabulary.AGE_GROUPS)), allow_none=True,
                                  validate=validate.Length(max=len(vocabulary.AGE_GROUPS) * 2),
                                  metadata=label("Aldersgrupper", "Age groups")),
        "partners": fields.List(NameOrPartner(PartnerInSchema), allow_none=True,
                                validate=validate.Length(max=values.MAX_PARTNERS),
                                metadata=label("Partnere", "Partners", "names, or {name, kind}")),
        "co_created": _bool(metadata=label("Skabt sammen med borgere eller partnere",
                                           "Co-created with citizens or partners")),
        "before": fields.Float(allow_none=True, metadata=label("Før", "Before", "operations measure")),
        "after": fields.Float(allow_none=True, metadata=label("Efter", "After", "operations measure")),
        "unit": fields.Str(allow_none=True, validate=validate.Length(1, content.MAX_UNIT),
                           metadata=label("Enhed", "Unit", "of before and after, e.g. kWh")),
        "staff_share": fields.Float(allow_none=True, validate=validate.Range(0, 100),
                                    metadata=label("Andel af personalet (%)", "Share of staff (%)", "staff training")),
        "links": fields.List(fields.Url(schemes={"http", "https"}, require_tld=False,
                                        validate=validate.Length(1, values.MAX_LINK)),
                             allow_none=True, validate=validate.Length(max=values.MAX_LINKS),
                             metadata=label("Links", "Links", "http(s) addresses")),
        "public": _bool(metadata=label("Vis offentligt, når den er godkendt", "Show publicly once approved")),
    }


class ItemContentSchema(DraftSchema.from_dict(content_fields())):  # type: ignore[misc]
    """An item's content fields, any subset (a new draft, or the changes answering a question)."""

    class Meta:
        unknown = RAISE


class ItemPatchSchema(ItemContentSchema):
    """Changes to a draft and the revision they are based on."""

    revision = fields.Int(required=True, validate=REVISION,
                          metadata=about("the revision the changes are based on (409 if stale)"))


class GoalInSchema(Schema):
    class Meta:
        unknown = RAISE

    dimension = fields.Str(required=True, validate=validate.OneOf(vocabulary.DIMENSIONS),
                           metadata=label("Dimension", "Dimension"))
    title = fields.Str(load_default="", validate=validate.Length(max=plans.MAX_GOAL_TITLE),
                       metadata=label("Målets titel", "Goal"))
    description = fields.Str(load_default="", validate=validate.Length(max=plans.MAX_GOAL_DESCRIPTION),
                             metadata=label("Beskrivelse", "Description"))
    sdgs = _sdgs(load_default=list, metadata=label("Verdensmål", "SDGs"))
    targets = _targets(load_default=list, metadata=label("Delmål", "Targets"))


class PlanContentSchema(DraftSchema):
    """An action plan's fields, any subset."""

    class Meta:
        unknown = RAISE

    start_year = fields.Int(allow_none=True, strict=False,
                            validate=validate.Range(plans.MIN_START_YEAR, plans.MAX_START_YEAR),
                            metadata=label("Startår", "First year", "the plan covers three years from it"))
    goals = fields.List(fields.Nested(GoalInSchema), allow_none=True, validate=validate.Length(max=plans.MAX_GOALS),
                        metadata=label("Mål", "Goals"))


class PlanPutSchema(PlanContentSchema):
    revision = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=0),
                          metadata=about("the revision the change is based on; 0 or absent to create the plan"))


class RevisionSchema(Schema):
    class Meta:
        unknown = RAISE

    revision = fields.Int(required=True, validate=REVISION, metadata=about("the revision it is based on"))


class OptionalRevisionSchema(Schema):
    class Meta:
        unknown = RAISE

    revision = fields.Int(load_default=None, allow_none=True, validate=REVISION,
                          metadata=about("the revision it is based on (absent: the current one)"))


class WithdrawSchema(RevisionSchema):
    reason = fields.Str(load_default=None, allow_none=True, validate=TEXT,
                        metadata=label("Begrundelse", "Reason"))


class ReviewSchema(OptionalRevisionSchema):
    decision = fields.Str(required=True, validate=validate.OneOf(vocabulary.REVIEW_DECISIONS),
                          metadata=label("Afgørelse", "Decision"))
    comment = fields.Str(load_default=None, allow_none=True, validate=TEXT,
                         metadata=label("Begrundelse", "Comment", "required to reject or ask"))
    deadline = fields.Date(load_default=None, allow_none=True,
                           metadata=label("Frist", "Deadline", "clarification: after today, within a year"))


class PlanReviewSchema(ReviewSchema):
    decision = fields.Str(required=True, validate=validate.OneOf(plans.PLAN_DECISIONS),
                          metadata=label("Afgørelse", "Decision"))


class ThreadPostSchema(OptionalRevisionSchema):
    message = fields.Str(required=True, validate=validate.Length(1, lifecycle.MAX_TEXT),
                         metadata=label("Besked", "Message"))
    answer = fields.Bool(required=True, metadata=label(
        "Besvar og indsend igen", "Answer and resubmit",
        "true: the library answers the question and resubmits; false: a message in the open thread"))
    changes = fields.Nested(ItemContentSchema, load_default=None, allow_none=True,
                            metadata=about("content changes made with the answer (answer=true only)"))


class PlanThreadPostSchema(OptionalRevisionSchema):
    message = fields.Str(required=True, validate=validate.Length(1, lifecycle.MAX_TEXT),
                         metadata=label("Dit svar", "Your answer"))
    answer = fields.Bool(required=True, metadata=label(
        "Besvar og indsend igen", "Answer and resubmit", "must be true: answering resubmits the plan"))
    changes = fields.Nested(PlanContentSchema, load_default=None, allow_none=True,
                            metadata=about("changes made with the answer"))


class CopyCaseSchema(Schema):
    class Meta:
        unknown = RAISE

    library_id = fields.Str(required=True, validate=validate.Length(1, 200), metadata=about("your library"))
    into = fields.Str(load_default="evidence", validate=validate.OneOf(("evidence", "plan")),
                      metadata=label("Kopiér til", "Copy into", "a new draft item, or a goal of the action plan"))


class PageQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


class ItemListQuery(PageQuery):
    status = fields.Str(load_default=None, validate=validate.OneOf(vocabulary.EVIDENCE_STATUSES),
                        metadata=label("Status", "Status"))
    kind = fields.Str(load_default=None, validate=validate.OneOf(vocabulary.EVIDENCE_KINDS),
                      metadata=label("Type", "Kind"))
    dimension = fields.Str(load_default=None, validate=validate.OneOf(vocabulary.DIMENSIONS),
                           metadata=label("Dimension", "Dimension"))
    q = fields.Str(load_default=None, validate=validate.Length(max=200), metadata=label("Søg", "Search"))
    # summary=1: a few fields per item and no count of a later page (`total` is null unless this
    # is the last page) - what a dashboard shows.
    summary = fields.Bool(load_default=False, metadata=about("1: a few fields per item, total only on the last page"))


class CaseQuery(PageQuery):
    q = fields.Str(load_default=None, validate=validate.Length(max=200), metadata=label("Søg", "Search"))
    sdg = fields.Int(load_default=None, validate=validate.Range(1, 17), metadata=label("Verdensmål", "SDG"))
    dimension = fields.Str(load_default=None, validate=validate.OneOf(vocabulary.DIMENSIONS),
                           metadata=label("Dimension", "Dimension"))


class ExportQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    format = fields.Str(load_default="json", validate=validate.OneOf(("json", "csv")))


class UploadFormSchema(OptionalRevisionSchema):
    """The multipart form's fields besides the file."""

    class Meta:
        unknown = EXCLUDE
