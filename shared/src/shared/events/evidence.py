"""Events published by the evidence service: evidence items, action plans and shared cases.

Every payload carries the full state after the transition (the nested `item` or `plan` snapshot),
so scoring and notification never call back. A few identifying fields are repeated at the top
(ids, revision, status, kind, title, library name, submitter) so a consumer that mails or logs
needs no nesting; the schema refuses a payload whose top and snapshot disagree. `revision` grows with every write of the document:
a consumer ignores an event whose revision is not newer than the last one it applied for that id.
Payloads are in wire form (JSON types, ISO dates); validate them with `Schema().load/validate`.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from shared.events.base import Payload, event

DIMENSIONS = ("formidling", "faellesskaber", "drift")
KINDS = ("activity", "communication", "operations_measure", "staff_training", "shared_case")
AGE_GROUPS = ("children", "youth", "adults", "seniors")
STATUSES = ("draft", "submitted", "clarification_requested", "approved", "rejected", "withdrawn")
DECISIONS = ("approved", "rejected", "clarification_requested")
ROLES = ("coordinator", "member", "assessor", "administrator")

_sdg = fields.Int(validate=validate.Range(1, 17))
_target = fields.Str()  # an official id such as "4.7" or "12.a"; the producer checks the list of 169


class _Part(Schema):
    """A nested part of a payload; like payloads, it tolerates fields added later."""

    class Meta:
        unknown = EXCLUDE


class Person(_Part):
    """A person to contact; name and e-mail are null once the person is erased."""

    person_id = fields.Str(required=True)
    name = fields.Str(allow_none=True, load_default=None)
    email = fields.Str(allow_none=True, load_default=None)


class ActorRef(_Part):
    """Who caused the event."""

    person_id = fields.Str(required=True)
    name = fields.Str(allow_none=True, load_default=None)
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))


class ItemSnapshot(_Part):
    """An evidence item's state after the transition: what scoring and notification need."""

    item_id = fields.Str(required=True)
    library_id = fields.Str(required=True)
    library_name = fields.Str(allow_none=True, load_default=None)
    revision = fields.Int(required=True, validate=validate.Range(min=1))
    status = fields.Str(required=True, validate=validate.OneOf(STATUSES))
    kind = fields.Str(allow_none=True, validate=validate.OneOf(KINDS))
    title = fields.Str(allow_none=True)
    dimension = fields.Str(allow_none=True, validate=validate.OneOf(DIMENSIONS))
    sdgs = fields.List(_sdg, load_default=list)
    targets = fields.List(_target, load_default=list)
    date = fields.Date(allow_none=True, load_default=None)
    end_date = fields.Date(allow_none=True, load_default=None)
    participants = fields.Int(allow_none=True, load_default=None, validate=validate.Range(min=0))
    age_groups = fields.List(fields.Str(validate=validate.OneOf(AGE_GROUPS)), load_default=list)
    partners = fields.List(fields.Str(), load_default=list)  # partner names
    co_created = fields.Bool(load_default=False)
    before = fields.Float(allow_none=True, load_default=None)
    after = fields.Float(allow_none=True, load_default=None)
    unit = fields.Str(allow_none=True, load_default=None)
    staff_share = fields.Float(allow_none=True, load_default=None, validate=validate.Range(0, 100))
    public = fields.Bool(load_default=False)
    attachment_count = fields.Int(load_default=0)
    submitted_by = fields.Nested(Person, allow_none=True, load_default=None)


class _Header(Payload):
    """Top-level copies of the snapshot's identifying fields, checked against it."""

    snapshot_key = "item"
    header_keys: tuple[str, ...] = ()

    @validates_schema
    def _header_matches_snapshot(self, data: dict[str, Any], **kwargs: Any) -> None:
        snapshot = data.get(self.snapshot_key) or {}
        for key in self.header_keys:
            if key in data and key in snapshot and data[key] != snapshot[key]:
                raise ValidationError(f"{key} differs from {self.snapshot_key}.{key}", key)


class _EvidencePayload(_Header):
    header_keys = ("item_id", "library_id", "library_name", "revision", "status", "kind", "title", "submitted_by")

    item_id = fields.Str(required=True)
    library_id = fields.Str(required=True)
    library_name = fields.Str(allow_none=True, load_default=None)
    revision = fields.Int(required=True, validate=validate.Range(min=1))
    status = fields.Str(required=True, validate=validate.OneOf(STATUSES))
    kind = fields.Str(allow_none=True, validate=validate.OneOf(KINDS))
    title = fields.Str(allow_none=True)
    submitted_by = fields.Nested(Person, allow_none=True, load_default=None)
    item = fields.Nested(ItemSnapshot, required=True)
    actor = fields.Nested(ActorRef, required=True)


@event("evidence.submitted", version=1, producer="evidence", consumers=("notification", "scoring"))
class EvidenceSubmitted(_EvidencePayload):
    """Evidence was submitted (or resubmitted) for review."""

    resubmission = fields.Bool(load_default=False)


@event("evidence.revised", version=1, producer="evidence", consumers=("scoring",))
class EvidenceRevised(_EvidencePayload):
    """Previously submitted evidence was edited; it is back in draft (or still awaiting clarification)."""

    changed_fields = fields.List(fields.Str(), load_default=list)
    previous_status = fields.Str(validate=validate.OneOf(STATUSES))


@event("evidence.withdrawn", version=1, producer="evidence", consumers=("notification", "scoring"))
class EvidenceWithdrawn(_EvidencePayload):
    """The library withdrew evidence before a decision."""

    reason = fields.Str(allow_none=True, load_default=None)
    previous_status = fields.Str(validate=validate.OneOf(STATUSES))


@event("evidence.reviewed", version=1, producer="evidence", consumers=("notification", "scoring"))
class EvidenceReviewed(_EvidencePayload):
    """An assessor approved or rejected evidence, or asked for clarification."""

    decision = fields.Str(required=True, validate=validate.OneOf(DECISIONS))
    comment = fields.Str(allow_none=True, load_default=None)
    deadline = fields.Date(allow_none=True, load_default=None)
    reviewer = fields.Nested(ActorRef, required=True)


@event("evidence.clarification_requested", version=1, producer="evidence", consumers=("notification", "scoring"))
class EvidenceClarificationRequested(_EvidencePayload):
    """An assessor asked the library a question about evidence, with a deadline."""

    message = fields.Str(required=True)
    deadline = fields.Date(required=True)
    submitter = fields.Nested(Person, allow_none=True, load_default=None)


@event("evidence.clarification_answered", version=1, producer="evidence", consumers=("notification", "scoring"))
class EvidenceClarificationAnswered(_EvidencePayload):
    """The library answered a question and resubmitted the evidence."""

    message = fields.Str(required=True)
    changed_fields = fields.List(fields.Str(), load_default=list)


class Goal(_Part):
    """One action-plan goal."""

    dimension = fields.Str(required=True, validate=validate.OneOf(DIMENSIONS))
    title = fields.Str(required=True)
    sdgs = fields.List(_sdg, load_default=list)
    targets = fields.List(_target, load_default=list)


class PlanSnapshot(_Part):
    """An action plan's state after the transition."""

    plan_id = fields.Str(required=True)
    library_id = fields.Str(required=True)
    library_name = fields.Str(allow_none=True, load_default=None)
    revision = fields.Int(required=True, validate=validate.Range(min=1))
    version = fields.Int(required=True, validate=validate.Range(min=1))
    status = fields.Str(required=True, validate=validate.OneOf(STATUSES))
    start_year = fields.Int(allow_none=True)
    end_year = fields.Int(allow_none=True)
    goals = fields.List(fields.Nested(Goal), load_default=list)
    submitted_by = fields.Nested(Person, allow_none=True, load_default=None)


class _PlanPayload(_Header):
    snapshot_key = "plan"
    header_keys = ("plan_id", "library_id", "library_name", "revision", "version", "status", "submitted_by")

    plan_id = fields.Str(required=True)
    library_id = fields.Str(required=True)
    library_name = fields.Str(allow_none=True, load_default=None)
    revision = fields.Int(required=True, validate=validate.Range(min=1))
    version = fields.Int(required=True, validate=validate.Range(min=1))
    status = fields.Str(required=True, validate=validate.OneOf(STATUSES))
    submitted_by = fields.Nested(Person, allow_none=True, load_default=None)
    plan = fields.Nested(PlanSnapshot, required=True)
    actor = fields.Nested(ActorRef, required=True)


@event("action_plan.submitted", version=1, producer="evidence", consumers=("notification", "scoring"))
class ActionPlanSubmitted(_PlanPayload):
    """A library submitted (or, answering a question, resubmitted) its action plan."""

    message = fields.Str(allow_none=True, load_default=None)


@event("action_plan.approved", version=1, producer="evidence", consumers=("notification", "scoring"))
class ActionPlanApproved(_PlanPayload):
    """An assessor approved an action plan version."""

    comment = fields.Str(allow_none=True, load_default=None)


@event("action_plan.clarification_requested", version=1, producer="evidence", consumers=("notification", "scoring"))
class ActionPlanClarificationRequested(_PlanPayload):
    """An assessor asked the library a question about its action plan, with a deadline."""

    message = fields.Str(required=True)
    deadline = fields.Date(required=True)
    submitter = fields.Nested(Person, allow_none=True, load_default=None)


@event("case.shared", version=1, producer="evidence", consumers=("scoring",))
class CaseShared(Payload):
    """A library shared one of its activities with other libraries as a public case."""

    case_id = fields.Str(required=True)
    item_id = fields.Str(required=True)
    library_id = fields.Str(required=True)
    library_name = fields.Str(allow_none=True, load_default=None)
    revision = fields.Int(required=True, validate=validate.Range(min=1))
    kind = fields.Str(allow_none=True, validate=validate.OneOf(KINDS))
    title = fields.Str(allow_none=True)
    dimension = fields.Str(allow_none=True, validate=validate.OneOf(DIMENSIONS))
    sdgs = fields.List(_sdg, load_default=list)
    targets = fields.List(_target, load_default=list)
    actor = fields.Nested(ActorRef, required=True)
