"""Answers of the public API: what the services return (services/README.md), described for
/api/v1/openapi.json.

The gateway relays the service's answer as it is (`api_v1.relay` returns a Flask Response, which
flask-smorest passes through without dumping it through these schemas), so these classes document
the shape and never filter it. Every answer is open (`additionalProperties`): a service may add a
field, and clients should ignore the ones they do not know. `required` marks the fields that are
always present; `nullable` the ones that may be null.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from gateway.schemas.bodies import AGE_GROUPS, DIMENSIONS, KINDS, ROLES

EVIDENCE_STATUSES = ("draft", "submitted", "clarification_requested", "approved", "rejected", "withdrawn")
PLAN_STATUSES = ("draft", "submitted", "clarification_requested", "approved")
LIFECYCLE_STATUSES = ("not_started", "in_progress", "ready_for_review", "certified", "checkin_due", "lapsed",
                      "revoked")
VERIFICATION_STATUSES = ("valid", "checkin_due", "lapsed", "revoked", "unknown")


class Answer(Schema):
    """A response body; a service may add fields (documented as additionalProperties)."""

    class Meta:
        unknown = INCLUDE


def _meta(description: str, extra: dict) -> dict:
    return ({"description": description} if description else {}) | extra


def _s(description: str = "", *, required: bool = False, nullable: bool = False, **meta) -> fields.String:
    """A string; `meta` goes to the OpenAPI property (example, format)."""
    return fields.String(required=required, allow_none=nullable, metadata=_meta(description, meta))


def _when(description: str, *, required: bool = True, nullable: bool = True) -> fields.String:
    """An ISO 8601 timestamp (UTC)."""
    return fields.String(required=required, allow_none=nullable,
                         metadata={"format": "date-time", "description": description})


def _one_of(values, description: str = "", *, required: bool = False, **meta) -> fields.String:
    """A string from a fixed list (an `enum` in the document)."""
    return fields.String(required=required, validate=validate.OneOf(values), metadata=_meta(description, meta))


# -- registration --------------------------------------------------------------------------------


class RegistrationOut(Answer):
    library_id = _s(required=True)
    person_id = _s(required=True)


class AcceptedOut(Answer):
    status = fields.String(required=True, metadata={"example": "accepted",
                                                    "description": "always `accepted`, whether or not the address is known"})


class PersonIdOut(Answer):
    person_id = _s(required=True)


class JoinedOut(Answer):
    person_id = _s(required=True)
    library_id = _s("null for programme staff (assessor, administrator)", required=True, nullable=True)


class AccessTokenOut(Schema):
    access_token = fields.String()
    token_type = fields.String(metadata={"example": "Bearer"})
    expires_in = fields.Integer()


class MeOut(Schema):
    person_id = fields.String()
    name = fields.String()
    email = fields.String()
    role = fields.String()
    library_id = fields.String(allow_none=True)


class PersonOut(Answer):
    person_id = _s(required=True)
    library_id = _s("null for programme staff", required=True, nullable=True)
    name = _s("null until an invited person gives a name, and after erasure", required=True, nullable=True)
    email = _s("null after erasure", required=True, nullable=True)
    role = _one_of(ROLES, required=True)
    status = _one_of(("invited", "pending", "active", "deactivated", "erased"), required=True)
    language = _one_of(("da", "en"), required=True)
    invited_by = _s("person id of the inviter", nullable=True)
    created_at = _when("", nullable=False)
    activated_at = _when("")
    deactivated_at = _when("")
    reactivated_at = _when("")
    updated_at = _when("")
    version = fields.Integer(metadata={"description": "bumped by every change"})


class PeopleOut(Answer):
    items = fields.List(fields.Nested(PersonOut), required=True,
                        metadata={"description": "every person of the library, any status"})


class BranchOut(Answer):
    branch_id = _s(required=True)
    name = _s(required=True)
    status = _one_of(("open", "closed"), required=True)
    opened_at = _when("", nullable=False)
    closed_at = _when("")


class EnrolmentOut(Answer):
    enrolment_id = _s(required=True)
    library_id = _s(required=True)
    cohort_id = _s(required=True)
    cohort_name = _s(required=True)
    status = _s("active, or withdrawn once ended", required=True)
    started_at = _when("", nullable=False)
    withdrawn_at = _when("", required=False)
    reason = _s("why the enrolment ended", nullable=True)


class LibraryOut(Answer):
    library_id = _s(required=True)
    name = _s(required=True)
    isil = _s(required=True, example="DK-123456")
    municipality = _s(required=True)
    kind = _s(required=True, example="folkebibliotek")
    staff_count = fields.Integer(required=True)
    website = _s(nullable=True)
    address = _s(nullable=True)
    status = _one_of(("pending", "active", "withdrawn"), required=True)
    origin = _one_of(("self_service", "seed"), "seed: created from the pilot data")
    registered_at = _when("", nullable=False)
    activated_at = _when("", required=False)
    withdrawn_at = _when("", required=False)
    updated_at = _when("", required=False)
    version = fields.Integer(metadata={"description": "bumped by every change"})
    branches = fields.List(fields.Nested(BranchOut), required=True)
    enrolment = fields.Nested(EnrolmentOut, required=True, allow_none=True,
                              metadata={"description": "the current cohort enrolment; null if not enrolled"})


# -- evidence ------------------------------------------------------------------------------------


class ActorOut(Answer):
    """Who did something (audit trail, thread, decision)."""

    person_id = _s(required=True)
    name = _s(required=True, nullable=True)
    role = _one_of(ROLES + ("anonymous",), required=True)


class SubmitterOut(Answer):
    person_id = _s(required=True)
    name = _s(nullable=True)
    email = _s(nullable=True)


class DecisionOut(Answer):
    decision = _one_of(("approved", "clarification_requested", "rejected"), required=True)
    comment = _s(required=True, nullable=True)
    deadline = _s("YYYY-MM-DD, with clarification_requested", required=True, nullable=True)
    reviewer = fields.Nested(ActorOut, required=True)
    at = _when("", nullable=False)
    revision = fields.Integer(metadata={"description": "evidence items: the revision the decision made"})


class PartnerOut(Answer):
    name = _s(required=True)
    kind = _s(required=True, nullable=True)


class AttachmentOut(Answer):
    id = _s(required=True)
    filename = _s(required=True)
    mime = _s(required=True, example="image/jpeg")
    size = fields.Integer(required=True, metadata={"description": "bytes"})
    added_at = _when("")
    added_by = fields.Nested(ActorOut, allow_none=True)
    download_url = _s("path below /api/v1", required=True)
    thumbnail_url = _s("path below /api/v1; null unless the file is an image", required=True, nullable=True)


def _content(description: str, field: fields.Field | None = None, **kw) -> fields.Field:
    """A content field of an evidence item: always present in a full item, absent in a summary."""
    field = field or fields.String(allow_none=True)
    field.metadata = {**field.metadata, "description": description, **kw}
    return field


class EvidenceOut(Answer):
    """An evidence item. With `summary=true` on the list only id, title, status, kind, revision
    and updated_at are present."""

    id = _s(required=True)
    library_id = _s()
    library_name = _s(nullable=True)
    status = _one_of(EVIDENCE_STATUSES, required=True, example="draft")
    revision = fields.Integer(required=True, metadata={"description": "send it back with every change (409 if stale)"})
    created_at = _when("", required=False)
    created_by = fields.Nested(ActorOut)
    updated_at = _when("", required=True)
    submitted_at = _when("", required=False)
    submitted_by = fields.Nested(SubmitterOut, allow_none=True)
    decided_at = _when("", required=False)
    decision = fields.Nested(DecisionOut, allow_none=True, metadata={"description": "the latest review"})
    deadline = _s("YYYY-MM-DD: answer the clarification by then", nullable=True)
    shared_case_id = _s("set once shared with other libraries", nullable=True)
    copied_from = fields.Dict(allow_none=True, metadata={"description": "{case_id, library_id, library_name} of a "
                                                                         "copied shared case"})
    kind = fields.String(required=True, allow_none=True, validate=validate.OneOf(KINDS))
    title = fields.String(required=True, allow_none=True)
    description = _content("text")
    dimension = _content("dimension", fields.String(allow_none=True, validate=validate.OneOf(DIMENSIONS)))
    sdgs = _content("SDG numbers 1-17", fields.List(fields.Integer()))
    targets = _content("official target ids such as 4.7", fields.List(fields.String()))
    date = _content("YYYY-MM-DD (start)", format="date")
    end_date = _content("YYYY-MM-DD", format="date")
    participants = _content("number of participants", fields.Integer(allow_none=True))
    age_groups = _content("age groups reached", fields.List(fields.String(validate=validate.OneOf(AGE_GROUPS))))
    partners = _content("partners", fields.List(fields.Nested(PartnerOut)))
    co_created = _content("co-created with citizens or partners", fields.Boolean())
    before = _content("operations measure: figure before", fields.Float(allow_none=True))
    after = _content("operations measure: figure after", fields.Float(allow_none=True))
    unit = _content("unit of before/after, e.g. kWh")
    staff_share = _content("staff training: percentage of staff 0-100", fields.Float(allow_none=True))
    links = _content("http(s) links", fields.List(fields.String()))
    public = _content("shown in the public directory once approved", fields.Boolean())
    attachments = fields.List(fields.Nested(AttachmentOut))
    thread_count = fields.Integer(metadata={"description": "messages in the clarification thread"})


class EvidenceList(Answer):
    items = fields.List(fields.Nested(EvidenceOut), required=True)
    total = fields.Integer(required=True, allow_none=True,
                           metadata={"description": "null with summary=true unless this is the last page"})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class AttachmentAddedOut(Answer):
    attachment = fields.Nested(AttachmentOut, required=True)
    item = fields.Nested(EvidenceOut, required=True, metadata={"description": "the item with its new revision"})


class ThreadMessageOut(Answer):
    at = _when("", nullable=False)
    by = fields.Nested(ActorOut, required=True)
    side = _one_of(("assessor", "library"), required=True)
    text = _s(required=True)
    deadline = _s("YYYY-MM-DD: the assessor's question carries the deadline of the answer")


class ThreadOut(Answer):
    id = _s("the evidence item's id", required=True)
    revision = fields.Integer(required=True)
    status = _one_of(EVIDENCE_STATUSES, required=True)
    deadline = _s("YYYY-MM-DD of the open clarification", required=True, nullable=True)
    messages = fields.List(fields.Nested(ThreadMessageOut), required=True, metadata={"description": "oldest first"})


class ThreadPostedOut(ThreadOut):
    item = fields.Nested(EvidenceOut, required=True, metadata={"description": "the item after the message"})


class GoalOut(Answer):
    dimension = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    title = _s(required=True)
    description = _s()
    sdgs = fields.List(fields.Integer(), required=True)
    targets = fields.List(fields.String(), required=True)


class PlanVersionOut(Answer):
    """An earlier approved version of the plan."""

    plan_id = _s(required=True)
    version = fields.Integer(required=True)
    start_year = fields.Integer(allow_none=True)
    end_year = fields.Integer(allow_none=True)
    goals = fields.List(fields.Nested(GoalOut))
    approved_at = _when("", required=False)


class PlanOut(Answer):
    """The 3-year action plan (handleplan)."""

    id = _s(required=True)
    library_id = _s(required=True)
    library_name = _s(required=True, nullable=True)
    status = _one_of(PLAN_STATUSES, required=True)
    revision = fields.Integer(required=True, metadata={"description": "send it back with every change (409 if stale)"})
    version = fields.Integer(required=True, metadata={"description": "editing an approved plan starts the next version"})
    approved_version = fields.Integer(required=True, allow_none=True,
                                      metadata={"description": "the version in force; null until one is approved"})
    start_year = fields.Integer(required=True, allow_none=True)
    end_year = fields.Integer(required=True, allow_none=True, metadata={"description": "start_year + 2"})
    goals = fields.List(fields.Nested(GoalOut), required=True)
    created_at = _when("")
    updated_at = _when("")
    submitted_at = _when("")
    submitted_by = fields.Nested(SubmitterOut, required=True, allow_none=True)
    decision = fields.Nested(DecisionOut, required=True, allow_none=True)
    deadline = _s("YYYY-MM-DD of an open clarification", required=True, nullable=True)
    previous_versions = fields.List(fields.Nested(PlanVersionOut), required=True)
    thread_count = fields.Integer(required=True)


class ReviewQueueOut(Answer):
    items = fields.List(fields.Nested(EvidenceOut), required=True,
                        metadata={"description": "submitted evidence, oldest submission first"})
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    plans = fields.List(fields.Nested(PlanOut), required=True, metadata={"description": "submitted action plans"})


class PublicActivityOut(Answer):
    """An approved item its library marked public: content only, no personal data."""

    id = _s(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    title = _s(required=True)
    description = _s(nullable=True)
    dimension = fields.String(required=True, allow_none=True, validate=validate.OneOf(DIMENSIONS))
    sdgs = fields.List(fields.Integer(), required=True)
    targets = fields.List(fields.String(), required=True)
    date = _s("YYYY-MM-DD", nullable=True, format="date")
    end_date = _s("YYYY-MM-DD", nullable=True, format="date")
    participants = fields.Integer(allow_none=True)
    age_groups = fields.List(fields.String(validate=validate.OneOf(AGE_GROUPS)))
    partners = fields.List(fields.Nested(PartnerOut), required=True)
    co_created = fields.Boolean(allow_none=True)
    before = fields.Float(allow_none=True)
    after = fields.Float(allow_none=True)
    unit = _s(nullable=True)
    links = fields.List(fields.String())


class PublicActivitiesOut(Answer):
    library_id = _s(required=True)
    library_name = _s(required=True, nullable=True)
    items = fields.List(fields.Nested(PublicActivityOut), required=True)


# -- scoring -------------------------------------------------------------------------------------


class Part(Answer):
    provisional = fields.Float(required=True, metadata={"description": "0-1, submitted and approved evidence"})
    verified = fields.Float(required=True, metadata={"description": "0-1, approved evidence only"})


class RequirementProgress(Answer):
    id = _s(required=True, example="C1")
    dimension = fields.String(validate=validate.OneOf(DIMENSIONS))
    text_da = _s()
    achieved = fields.Float(required=True)
    target = fields.Float(required=True)
    progress = fields.Float(required=True, metadata={"description": "min(1, achieved / target), provisional"})
    verified_progress = fields.Float()


class SdgCoverage(Answer):
    """The SDGs the library's evidence covers."""

    provisional = fields.List(fields.Integer(), required=True, metadata={"description": "submitted and approved"})
    verified = fields.List(fields.Integer(), required=True, metadata={"description": "approved only"})


class ProgressOut(Answer):
    status = _one_of(LIFECYCLE_STATUSES, required=True)
    overall = fields.Nested(Part, required=True)
    dimensions = fields.Dict(keys=fields.String(), values=fields.Nested(Part), required=True)
    requirements = fields.List(fields.Nested(RequirementProgress), required=True)
    sdgs = fields.Nested(SdgCoverage, required=True)
    missing = fields.List(fields.String(), required=True, metadata={"description": "what is still missing (Danish)"})
    missing_en = fields.List(fields.String())
    library_id = _s()
    model_version = fields.Integer()
    score_status = _s("the score's own status, before the certificate's")
    certificate_id = _s(nullable=True)


class AdjustmentOut(Answer):
    requirement_id = _s(required=True)
    target = fields.Float(required=True, allow_none=True, metadata={"description": "null: back to the default"})
    reason = _s(required=True)
    author = _s("person id of the assessor", required=True)
    at = _when("", nullable=False)


class ProfileRequirementOut(Answer):
    id = _s(required=True, example="C1")
    dimension = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    text_da = _s(required=True)
    text_en = _s(required=True)
    measure = _s(required=True)
    model_target = fields.Float(required=True, metadata={"description": "the model's default"})
    default_target = fields.Float(required=True, metadata={"description": "the default for this library's size"})
    target = fields.Float(required=True, metadata={"description": "the effective target"})
    source = _one_of(("default", "scaled", "adjusted"), required=True)
    scale_by_size = fields.Boolean(required=True)
    adjustments = fields.List(fields.Nested(AdjustmentOut), required=True, metadata={"description": "oldest first"})


class RequirementsOut(Answer):
    library_id = _s(required=True)
    staff_count = fields.Integer(required=True, allow_none=True)
    model_version = fields.Integer(required=True)
    requirements = fields.List(fields.Nested(ProfileRequirementOut), required=True)


class CertificationOut(Answer):
    certificate_id = _s(required=True, nullable=True)
    valid_until = _s("YYYY-MM-DD", required=True, nullable=True)
    status = _one_of(LIFECYCLE_STATUSES)


class CertificateOut(Answer):
    """What anyone may know about a certificate id."""

    certificate_id = _s(required=True)
    status = _one_of(VERIFICATION_STATUSES, required=True)
    library_id = _s(required=True, nullable=True)
    library_name = _s(required=True, nullable=True)
    municipality = _s(required=True, nullable=True)
    awarded_at = _s(required=True, nullable=True)
    valid_until = _s("YYYY-MM-DD", required=True, nullable=True)


class LibraryCertificateOut(Answer):
    """A library's certificate as its staff and the assessors see it."""

    library_id = _s(required=True)
    certificate_id = _s("null until awarded", required=True, nullable=True)
    status = _one_of(LIFECYCLE_STATUSES, required=True)
    verification = _one_of(VERIFICATION_STATUSES, "what the public check answers", required=True)
    awarded_at = _s(required=True, nullable=True)
    awarded_by = _s("person id of the assessor", required=True, nullable=True)
    valid_until = _s("YYYY-MM-DD", required=True, nullable=True)
    cycle = fields.Integer(required=True, metadata={"description": "3-year cycles so far"})
    cycle_start = _s("YYYY-MM-DD", required=True, nullable=True)
    checkins_done = fields.List(fields.Integer(), required=True,
                                metadata={"description": "anniversaries (1, 2) checked in during this cycle"})
    revoked_at = _s(required=True, nullable=True)
    revoke_reason = _s(required=True, nullable=True)
    history = fields.List(fields.Dict(), required=True, metadata={"description": "every decision, oldest first"})


class PublicCertificate(Answer):
    certificate_id = _s(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("valid", "checkin_due")))
    awarded_at = _s(required=True, nullable=True)
    valid_until = _s("YYYY-MM-DD", required=True, nullable=True)


class PublicLibrary(Answer):
    library_id = _s(required=True)
    name = _s(required=True, nullable=True)
    municipality = _s(required=True, nullable=True)
    certificate = fields.Nested(PublicCertificate, required=True)


class PublicDirectory(Answer):
    libraries = fields.List(fields.Nested(PublicLibrary), required=True)
