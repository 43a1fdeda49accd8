"""The scoring HTTP contract as marshmallow schemas: what each request may carry (as strict as the
domain, every field a person fills in labelled in Danish and English) and what each answer holds.
The OpenAPI document (/openapi.json) is built from these, and every answer is dumped through them."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from scoring.domain.actions import CERTIFICATE_ACTIONS, MODEL_ACTIONS, REQUIREMENT_ACTIONS
from scoring.domain.certificate import PRE_CERTIFICATION
from scoring.domain.commands import DECISIONS
from scoring.domain.lifecycle import VERIFICATION_STATUSES
from scoring.domain.model import FILTERS, KINDS, MEASURES, PUBLISHED
from shared.validation import bilingual
from shared.vocabulary import DIMENSIONS, LIBRARY_STATUSES

MONTH = r"^\d{4}-\d{2}(-\d{2})?$"
MODEL_STATUSES = ("draft", PUBLISHED)


def _label(da: str, en: str, **more: Any) -> dict[str, Any]:
    return {"label_da": da, "label_en": en, **more}


class Quantity(fields.Number):
    """A number as it is: an integer stays an integer in the answer (3, not 3.0)."""

    def _format_num(self, value: Any) -> Any:
        return value if isinstance(value, int | float) and not isinstance(value, bool) else float(value)


def _actions(values: tuple[str, ...], what: str) -> fields.List:
    return fields.List(fields.Str(validate=validate.OneOf(values)), required=True,
                       metadata={"description": f"what the caller may do with {what} now"})


# -- requests ------------------------------------------------------------------------------------


class RequirementIn(Schema):
    class Meta:
        unknown = RAISE

    id = fields.Str(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,20}$"),
                    metadata=_label("Kravets id", "Requirement id"))
    dimension = fields.Str(required=True, validate=validate.OneOf(DIMENSIONS),
                           metadata=_label("Dimension", "Dimension"))
    text_da = fields.Str(required=True, validate=validate.Length(1, 300),
                         metadata=_label("Kravet på dansk", "Requirement in Danish"))
    text_en = fields.Str(load_default=None, allow_none=True, validate=validate.Length(1, 300),
                         metadata=_label("Kravet på engelsk", "Requirement in English"))
    measure = fields.Str(required=True, validate=validate.OneOf(MEASURES), metadata=_label("Måling", "Measure"))
    target = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False),
                          metadata=_label("Mål", "Target"))
    weight = fields.Float(load_default=1.0, validate=validate.Range(min=0, min_inclusive=False),
                          metadata=_label("Vægt", "Weight"))
    kind = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(KINDS),
                      metadata=_label("Type", "Kind"))
    filters = fields.Dict(keys=fields.Str(validate=validate.OneOf(tuple(FILTERS))), load_default=dict,
                          metadata=_label("Filtre", "Filters"))
    scale_by_size = fields.Bool(load_default=False, metadata=_label("Skaleres efter størrelse", "Scales by size"))
    unit_da = fields.List(fields.Str(validate=validate.Length(1, 80)), load_default=None, allow_none=True,
                          validate=validate.Length(equal=2),
                          metadata=_label("Enhed på dansk (ental, flertal)", "Unit in Danish (singular, plural)"))
    unit_en = fields.List(fields.Str(validate=validate.Length(1, 80)), load_default=None, allow_none=True,
                          validate=validate.Length(equal=2),
                          metadata=_label("Enhed på engelsk (ental, flertal)", "Unit in English (singular, plural)"))


class ModelUpdateIn(Schema):
    requirements = fields.List(fields.Nested(RequirementIn), required=True, validate=validate.Length(1, 100),
                               metadata=_label("Krav", "Requirements"))


class AdjustmentIn(Schema):
    target = fields.Float(required=True, allow_none=True, validate=validate.Range(min=0, min_inclusive=False),
                          metadata=_label("Mål", "Target", description="null returns to the default"))
    reason = fields.Str(required=True, validate=validate.Length(1, 2000), metadata=_label("Begrundelse", "Reason"))


class CertificationIn(Schema):
    decision = fields.Str(required=True, validate=validate.OneOf(tuple(DECISIONS)),
                          metadata=_label("Afgørelse", "Decision"))
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                        metadata=_label("Begrundelse", "Reason", description="required to revoke"))

    @validates_schema
    def _revocation_has_a_reason(self, data: dict[str, Any], **_: Any) -> None:
        # The library's coordinators are told why; a revocation without a reason is not one.
        if data.get("decision") == "revoke" and not (data.get("reason") or "").strip():
            raise ValidationError(bilingual("Skriv hvorfor certifikatet tilbagekaldes.",
                                            "Say why the certificate is revoked."), field_name="reason")


class ProgressQuery(Schema):
    lang = fields.Str(load_default="da", validate=validate.OneOf(("da", "en")), metadata=_label("Sprog", "Language"))


class DirectoryQuery(Schema):
    municipality = fields.Str(load_default=None, validate=validate.Length(1, 100),
                              metadata=_label("Kommune", "Municipality"))


class FiguresQuery(Schema):
    cohort = fields.Str(load_default=None, validate=validate.Length(1, 100), metadata=_label("Forløb", "Cohort"))
    municipality = fields.Str(load_default=None, validate=validate.Length(1, 100),
                              metadata=_label("Kommune", "Municipality"))
    from_ = fields.Str(data_key="from", load_default=None, validate=validate.Regexp(MONTH),
                       metadata=_label("Fra måned", "From month", description="YYYY-MM"))
    to = fields.Str(load_default=None, validate=validate.Regexp(MONTH),
                    metadata=_label("Til måned", "To month", description="YYYY-MM"))


# -- a library's progress and requirements ---------------------------------------------------------


class Part(Schema):
    provisional = fields.Float(required=True, metadata={"description": "0-1, submitted and approved evidence"})
    verified = fields.Float(required=True, metadata={"description": "0-1, approved evidence only"})


class RequirementProgress(Schema):
    id = fields.Str(required=True)
    dimension = fields.Str(required=True, validate=validate.OneOf(DIMENSIONS))
    text_da = fields.Str(required=True)
    achieved = Quantity(required=True)
    target = Quantity(required=True)
    progress = fields.Float(required=True, metadata={"description": "min(1, achieved / target), provisional"})
    verified_progress = fields.Float(required=True)
    actions = _actions(REQUIREMENT_ACTIONS, "the requirement")


class SdgCoverage(Schema):
    provisional = fields.List(fields.Int(), required=True, metadata={"description": "submitted and approved"})
    verified = fields.List(fields.Int(), required=True, metadata={"description": "approved only"})


class Progress(Schema):
    status = fields.Str(required=True, validate=validate.OneOf(LIBRARY_STATUSES),
                        metadata={"description": "the certificate's status once there is one, else the score's"})
    overall = fields.Nested(Part, required=True)
    dimensions = fields.Dict(keys=fields.Str(validate=validate.OneOf(DIMENSIONS)), values=fields.Nested(Part),
                             required=True)
    requirements = fields.List(fields.Nested(RequirementProgress), required=True)
    sdgs = fields.Nested(SdgCoverage, required=True)
    missing = fields.List(fields.Str(), required=True, metadata={"description": "what is still missing (?lang)"})
    missing_en = fields.List(fields.Str(), required=True)
    library_id = fields.Str(required=True)
    model_version = fields.Int(required=True)
    score_status = fields.Str(required=True, validate=validate.OneOf(PRE_CERTIFICATION))
    certificate_id = fields.Str(required=True, allow_none=True)
    actions = _actions(CERTIFICATE_ACTIONS, "the library's certificate")


class Adjustment(Schema):
    requirement_id = fields.Str(required=True)
    target = Quantity(required=True, allow_none=True, metadata={"description": "null: back to the default"})
    reason = fields.Str(required=True)
    author = fields.Str(required=True, metadata={"description": "person id of the assessor"})
    at = fields.Str(required=True, metadata={"format": "date-time"})


class ProfileRequirement(Schema):
    id = fields.Str(required=True)
    dimension = fields.Str(required=True, validate=validate.OneOf(DIMENSIONS))
    text_da = fields.Str(required=True)
    text_en = fields.Str(required=True)
    measure = fields.Str(required=True, validate=validate.OneOf(MEASURES))
    model_target = Quantity(required=True, metadata={"description": "the model's default"})
    default_target = Quantity(required=True, metadata={"description": "the default for this library's size"})
    target = Quantity(required=True, metadata={"description": "the effective target"})
    source = fields.Str(required=True, validate=validate.OneOf(("default", "scaled", "adjusted")))
    scale_by_size = fields.Bool(required=True)
    adjustments = fields.List(fields.Nested(Adjustment), required=True, metadata={"description": "oldest first"})
    actions = _actions(REQUIREMENT_ACTIONS, "the requirement")


class Requirements(Schema):
    library_id = fields.Str(required=True)
    staff_count = fields.Int(required=True, allow_none=True)
    model_version = fields.Int(required=True)
    requirements = fields.List(fields.Nested(ProfileRequirement), required=True)


# -- certificates ----------------------------------------------------------------------------------


class Decided(Schema):
    certificate_id = fields.Str(required=True, allow_none=True)
    valid_until = fields.Str(required=True, allow_none=True, metadata={"format": "date"})
    status = fields.Str(required=True, validate=validate.OneOf(LIBRARY_STATUSES))
    actions = _actions(CERTIFICATE_ACTIONS, "the library's certificate")


class HistoryEntry(Schema):
    at = fields.Str(required=True, metadata={"format": "date-time"})
    from_ = fields.Str(data_key="from", required=True, validate=validate.OneOf(LIBRARY_STATUSES))
    to = fields.Str(required=True, validate=validate.OneOf(LIBRARY_STATUSES))
    by = fields.Str(required=True, allow_none=True, metadata={"description": "person id, null for the system"})
    note = fields.Str(required=True)


class LibraryCertificate(Schema):
    library_id = fields.Str(required=True)
    certificate_id = fields.Str(required=True, allow_none=True, metadata={"description": "null until awarded"})
    status = fields.Str(required=True, validate=validate.OneOf(LIBRARY_STATUSES))
    verification = fields.Str(required=True, validate=validate.OneOf(VERIFICATION_STATUSES),
                              metadata={"description": "what the public check answers"})
    awarded_at = fields.Str(required=True, allow_none=True, metadata={"format": "date-time"})
    awarded_by = fields.Str(required=True, allow_none=True, metadata={"description": "person id of the assessor"})
    valid_until = fields.Str(required=True, allow_none=True, metadata={"format": "date"})
    cycle = fields.Int(required=True, metadata={"description": "3-year cycles so far"})
    cycle_start = fields.Str(required=True, allow_none=True, metadata={"format": "date"})
    checkins_done = fields.List(fields.Int(), required=True,
                                metadata={"description": "anniversaries (1, 2) checked in during this cycle"})
    revoked_at = fields.Str(required=True, allow_none=True, metadata={"format": "date-time"})
    revoke_reason = fields.Str(required=True, allow_none=True)
    lapsed_at = fields.Str(load_default=None, allow_none=True, metadata={"format": "date-time",
                                                                       "description": "when it lapsed, if it has"})
    due_on = fields.Str(load_default=None, allow_none=True, metadata={
        "format": "date", "description": "the next annual check-in (or, in year 3, renewal) while it is held"})
    history = fields.List(fields.Nested(HistoryEntry), required=True, metadata={"description": "oldest first"})
    actions = _actions(CERTIFICATE_ACTIONS, "the certificate")


class PublicCertificate(Schema):
    certificate_id = fields.Str(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(VERIFICATION_STATUSES))
    library_id = fields.Str(required=True, allow_none=True)
    library_name = fields.Str(required=True, allow_none=True)
    municipality = fields.Str(required=True, allow_none=True)
    awarded_at = fields.Str(required=True, allow_none=True, metadata={"format": "date-time"})
    valid_until = fields.Str(required=True, allow_none=True, metadata={
        "format": "date", "description": "null once revoked or lapsed"})
    revoked_at = fields.Str(load_default=None, allow_none=True, metadata={"format": "date-time"})
    lapsed_at = fields.Str(load_default=None, allow_none=True, metadata={"format": "date-time"})
    due_on = fields.Str(load_default=None, allow_none=True, metadata={
        "format": "date", "description": "the next annual check-in or renewal while it is held"})


class DirectoryCertificate(Schema):
    certificate_id = fields.Str(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(("valid", "checkin_due")))
    awarded_at = fields.Str(required=True, allow_none=True, metadata={"format": "date-time"})
    valid_until = fields.Str(required=True, allow_none=True, metadata={"format": "date"})


class DirectoryEntry(Schema):
    library_id = fields.Str(required=True)
    name = fields.Str(required=True, allow_none=True)
    municipality = fields.Str(required=True, allow_none=True)
    certificate = fields.Nested(DirectoryCertificate, required=True)


class Directory(Schema):
    libraries = fields.List(fields.Nested(DirectoryEntry), required=True, metadata={"description": "by name"})


class QueueEntry(Schema):
    library_id = fields.Str(required=True)
    name = fields.Str(required=True, allow_none=True)
    municipality = fields.Str(required=True, allow_none=True)
    ready_since = fields.Str(required=True, allow_none=True, metadata={"format": "date-time"})
    overall = fields.Float(required=True, allow_none=True, metadata={"description": "0-1, provisional"})
    verified = fields.Float(required=True, allow_none=True, metadata={"description": "0-1, approved only"})


class ReviewQueue(Schema):
    libraries = fields.List(fields.Nested(QueueEntry), required=True, metadata={"description": "oldest first"})


# -- model versions --------------------------------------------------------------------------------


class RequirementOut(Schema):
    id = fields.Str(required=True)
    dimension = fields.Str(required=True, validate=validate.OneOf(DIMENSIONS))
    text_da = fields.Str(required=True)
    text_en = fields.Str(required=True)
    measure = fields.Str(required=True, validate=validate.OneOf(MEASURES))
    target = Quantity(required=True)
    weight = Quantity(required=True)
    kind = fields.Str(required=True, allow_none=True, validate=validate.OneOf(KINDS))
    filters = fields.Dict(keys=fields.Str(), required=True)
    scale_by_size = fields.Bool(required=True)
    unit_da = fields.List(fields.Str(), required=True, allow_none=True, metadata={"description": "singular, plural"})
    unit_en = fields.List(fields.Str(), required=True, allow_none=True, metadata={"description": "singular, plural"})


class ModelVersion(Schema):
    version = fields.Int(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(MODEL_STATUSES))
    published_at = fields.Str(required=True, allow_none=True, metadata={"format": "date-time"})
    published_by = fields.Str(required=True, allow_none=True)
    created_by = fields.Str(required=True, allow_none=True)
    created_at = fields.Str(required=True, allow_none=True, metadata={"format": "date-time"})
    based_on = fields.Int(required=True, allow_none=True, metadata={"description": "the version it was drafted from"})
    updated_by = fields.Str(required=True, allow_none=True)
    updated_at = fields.Str(required=True, allow_none=True, metadata={"format": "date-time"})
    requirements = fields.List(fields.Nested(RequirementOut), required=True)
    actions = _actions(MODEL_ACTIONS, "the version")


class ModelVersions(Schema):
    models = fields.List(fields.Nested(ModelVersion), required=True, metadata={"description": "oldest first"})


class Change(Schema):
    requirement_id = fields.Str(required=True)
    field = fields.Str(required=True, metadata={"description": "`requirement`: added (old null) or removed"})
    old = fields.Raw(required=True, allow_none=True)
    new = fields.Raw(required=True, allow_none=True)


class Impact(Schema):
    library_id = fields.Str(required=True)
    name = fields.Str(required=True, allow_none=True)
    old_status = fields.Str(required=True, validate=validate.OneOf(LIBRARY_STATUSES))
    new_status = fields.Str(required=True, validate=validate.OneOf(LIBRARY_STATUSES))
    old_overall = fields.Float(required=True, allow_none=True)
    new_overall = fields.Float(required=True)


class Preview(Schema):
    model_version = fields.Int(required=True)
    changed = fields.List(fields.Nested(Impact), required=True, metadata={"description": "libraries whose status "
                                                                                           "would change"})
    unchanged = fields.Int(required=True)
    changes = fields.List(fields.Nested(Change), required=True, metadata={"description": "against the current model"})
    certified_affected = fields.List(fields.Str(), required=True)


class Published(Schema):
    version = fields.Int(required=True)
    changes = fields.List(fields.Nested(Change), required=True)
    rescored = fields.Int(required=True, metadata={"description": "libraries re-scored under the new version"})
    changed = fields.Int(required=True, metadata={"description": "of them, those whose score changed"})


# -- national figures ------------------------------------------------------------------------------


class FigureGroup(Schema):
    libraries = fields.Int(required=True)
    certified = fields.Int(required=True)
    in_progress = fields.Int(required=True)
    activities = fields.Int(required=True)
    participants = fields.Int(required=True)


class FigureMonth(Schema):
    month = fields.Str(required=True, metadata={"description": "YYYY-MM"})
    activities = fields.Int(required=True)
    participants = fields.Int(required=True)


class Figures(Schema):
    libraries = fields.Int(required=True)
    certified = fields.Int(required=True)
    in_progress = fields.Int(required=True)
    by_status = fields.Dict(keys=fields.Str(validate=validate.OneOf(LIBRARY_STATUSES)), values=fields.Int(),
                            required=True)
    activities = fields.Int(required=True)
    participants = fields.Int(required=True)
    sdgs = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True,
                       metadata={"description": "goal (1-17) -> libraries with approved evidence for it"})
    sdgs_covered = fields.Int(required=True)
    partners = fields.Int(required=True)
    by_month = fields.List(fields.Nested(FigureMonth), required=True)
    by_municipality = fields.Dict(keys=fields.Str(), values=fields.Nested(FigureGroup), required=True)
    by_cohort = fields.Dict(keys=fields.Str(), values=fields.Nested(FigureGroup), required=True)
    cohorts = fields.Dict(keys=fields.Str(), values=fields.Str(), required=True,
                          metadata={"description": "cohort id -> its current name"})
