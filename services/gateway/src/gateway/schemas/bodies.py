"""Request bodies and queries of the public API (issue #7). Bodies are checked here for shape
and the services validate them again in full; unknown fields pass through to the service."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

DIMENSIONS = ("formidling", "faellesskaber", "drift")
KINDS = ("activity", "communication", "operations_measure", "staff_training", "shared_case")
AGE_GROUPS = ("children", "youth", "adults", "seniors")
ROLES = ("coordinator", "member", "assessor", "administrator")


class Open(Schema):
    class Meta:
        unknown = INCLUDE


class LibraryIn(Open):
    name = fields.String(required=True)
    isil = fields.String(required=True, metadata={"example": "DK-123456"})
    municipality = fields.String(required=True)
    kind = fields.String(required=True, metadata={"example": "folkebibliotek"})
    staff_count = fields.Integer(required=True)
    website = fields.String()
    address = fields.String()


class CoordinatorIn(Open):
    name = fields.String(required=True)
    email = fields.Email(required=True)
    password = fields.String(required=True, load_only=True)
    language = fields.String(validate=validate.OneOf(("da", "en")))


class RegistrationIn(Open):
    library = fields.Nested(LibraryIn, required=True)
    coordinator = fields.Nested(CoordinatorIn, required=True)


class TokenIn(Open):
    token = fields.String(required=True)


class EmailIn(Open):
    email = fields.Email(required=True)


class CredentialsIn(Schema):
    email = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class InvitationIn(Open):
    email = fields.Email(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    library_id = fields.String()
    language = fields.String()


class AcceptIn(Open):
    token = fields.String(required=True)
    password = fields.String(required=True, load_only=True)
    name = fields.String()


class PasswordResetCompleteIn(Open):
    token = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


def _doc(description: str, **schema) -> fields.Raw:
    """A content field checked by the evidence service (a draft keeps its valid fields even when
    another is invalid, so the gateway documents the type but does not refuse the body)."""
    return fields.Raw(allow_none=True, metadata={"description": description, **schema})


class EvidenceIn(Open):
    kind = _doc("kind of evidence", type="string", enum=list(KINDS))
    title = _doc("1-200 characters", type="string")
    description = _doc("up to 10000 characters", type="string")
    dimension = _doc("dimension", type="string", enum=list(DIMENSIONS))
    sdgs = _doc("SDG numbers", type="array", items={"type": "integer", "minimum": 1, "maximum": 17})
    targets = _doc("official target ids such as 4.7", type="array", items={"type": "string"})
    date = _doc("YYYY-MM-DD", type="string", format="date")
    participants = _doc("number of participants", type="integer", minimum=0)
    age_groups = _doc("age groups reached", type="array", items={"type": "string", "enum": list(AGE_GROUPS)})
    partners = _doc("partner names (or {name, kind})", type="array", items={"type": "string"})
    co_created = _doc("co-created with citizens or partners", type="boolean")
    before = _doc("operations measure: figure before", type="number")
    after = _doc("operations measure: figure after", type="number")
    unit = _doc("unit of before/after, e.g. kWh", type="string")
    staff_share = _doc("staff training: percentage of staff 0-100", type="number")
    public = _doc("show in the public directory once approved", type="boolean")


class EvidencePatch(EvidenceIn):
    revision = fields.Integer(metadata={"description": "the revision the change is based on (409 if stale)"})


class RevisionIn(Open):
    revision = fields.Integer()


class EvidenceQuery(Open):
    status = fields.String()
    kind = fields.String()
    dimension = fields.String()
    q = fields.String()
    page = fields.Integer()
    per_page = fields.Integer()
    summary = fields.Boolean(metadata={"description": "true: each item as {id, title, status, kind, revision, "
                                                      "updated_at}, and `total` only on the last page"})


class ReviewIn(Open):
    decision = fields.String(required=True, validate=validate.OneOf(("approved", "clarification_requested", "rejected")))
    comment = fields.String()
    deadline = fields.String()
    revision = fields.Integer()


class PlanIn(Open):
    revision = fields.Integer(allow_none=True)
    start_year = fields.Raw(allow_none=True, metadata={"type": "integer"})
    goals = fields.Raw(allow_none=True, metadata={"type": "array", "items": {"type": "object"},
                                                  "description": "[{dimension, title, description?, sdgs}]"})


class EnrolmentIn(Open):
    cohort_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class PlanReviewIn(Open):
    decision = fields.String(required=True, validate=validate.OneOf(("approved", "clarification_requested")))
    comment = fields.String()
    deadline = fields.String()
    revision = fields.Integer()


class ThreadIn(Open):
    message = fields.String(required=True)
    answer = fields.Boolean()


class CertificationIn(Open):
    decision = fields.String(required=True, validate=validate.OneOf(("award", "renew", "revoke", "check_in")))
    reason = fields.String()


class AdjustmentIn(Open):
    target = fields.Float(required=True)
    reason = fields.String(required=True)


class MunicipalityQuery(Open):
    municipality = fields.String()
