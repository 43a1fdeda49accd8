"""Response schemas: every answer is dumped through one of these, so the OpenAPI document is
what the API answers; resources a caller can act on carry `actions`."""

from __future__ import annotations

from marshmallow import Schema, fields

from registration.domain.actions import BRANCH_ACTIONS, COHORT_ACTIONS, LIBRARY_ACTIONS, PERSON_ACTIONS
from registration.schemas.common import actions_field, enum_field
from shared.vocabulary import COHORT_STATES, LANGUAGES, LIBRARY_KINDS, PERSON_STATUSES, REGISTRATION_STATUSES, ROLES


class RegisteredOut(Schema):
    library_id = fields.Str(required=True, allow_none=True)
    person_id = fields.Str(required=True)


class AcceptedOut(Schema):
    status = fields.Str(required=True, metadata={"enum": ["accepted"]})


class PersonIdOut(Schema):
    person_id = fields.Str(required=True)


class JoinedOut(Schema):
    person_id = fields.Str(required=True)
    library_id = fields.Str(required=True, allow_none=True)


class SignInOut(Schema):
    person_id = fields.Str(required=True)
    name = fields.Str(allow_none=True)
    email = fields.Str()
    role = enum_field(ROLES)
    library_id = fields.Str(allow_none=True)
    language = enum_field(LANGUAGES)


class PersonOut(Schema):
    person_id = fields.Str(required=True)
    library_id = fields.Str(allow_none=True)
    name = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    role = enum_field(ROLES)
    status = enum_field(PERSON_STATUSES)
    language = enum_field(LANGUAGES)
    invited_by = fields.Str(allow_none=True)
    created_at = fields.DateTime()
    activated_at = fields.DateTime(allow_none=True)
    deactivated_at = fields.DateTime(allow_none=True)
    reactivated_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    version = fields.Int()
    actions = actions_field(PERSON_ACTIONS)


class PeopleOut(Schema):
    items = fields.List(fields.Nested(PersonOut), required=True)


class PersonExportOut(Schema):
    """Everything the registration service holds about a person."""

    person_id = fields.Str(required=True)
    library_id = fields.Str(allow_none=True)
    library_name = fields.Str(allow_none=True)
    name = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    role = enum_field(ROLES)
    language = enum_field(LANGUAGES)
    status = enum_field(PERSON_STATUSES)
    password_set = fields.Bool()
    invited_by = fields.Str(allow_none=True)
    created_at = fields.Str(allow_none=True)
    activated_at = fields.Str(allow_none=True)
    deactivated_at = fields.Str(allow_none=True)
    reactivated_at = fields.Str(allow_none=True)
    updated_at = fields.Str(allow_none=True)
    erased_at = fields.Str(allow_none=True)


class BranchOut(Schema):
    branch_id = fields.Str(required=True)
    library_id = fields.Str()
    name = fields.Str()
    isil = fields.Str(allow_none=True)
    address = fields.Str(allow_none=True)
    municipality = fields.Str(allow_none=True)
    status = enum_field(("open", "closed"))
    opened_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    actions = actions_field(BRANCH_ACTIONS)


class BranchesOut(Schema):
    library_id = fields.Str(required=True)
    branches = fields.List(fields.Nested(BranchOut), required=True)
    actions = actions_field(("add_branch",))


class EnrolmentOut(Schema):
    enrolment_id = fields.Str(required=True)
    library_id = fields.Str()
    cohort_id = fields.Str()
    cohort_name = fields.Str()
    status = enum_field(("active", "withdrawn"))
    started_at = fields.DateTime()
    withdrawn_at = fields.DateTime(allow_none=True)
    reason = fields.Str(allow_none=True)


class LibraryOut(Schema):
    library_id = fields.Str(required=True)
    name = fields.Str()
    isil = fields.Str()
    municipality = fields.Str()
    kind = enum_field(LIBRARY_KINDS)
    staff_count = fields.Int()
    website = fields.Str(allow_none=True)
    address = fields.Str(allow_none=True)
    status = enum_field(REGISTRATION_STATUSES)
    origin = enum_field(("self_service", "seed"))
    registered_at = fields.DateTime()
    activated_at = fields.DateTime(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    version = fields.Int()
    branches = fields.List(fields.Nested(BranchOut))
    enrolment = fields.Nested(EnrolmentOut, allow_none=True)
    actions = actions_field(LIBRARY_ACTIONS)


class LibrariesOut(Schema):
    items = fields.List(fields.Nested(LibraryOut), required=True)
    total = fields.Int(required=True)


class CohortOut(Schema):
    cohort_id = fields.Str(required=True)
    name = fields.Str()
    start_year = fields.Int()
    end_year = fields.Int(allow_none=True)
    state = enum_field(COHORT_STATES)
    actions = actions_field(COHORT_ACTIONS)


class CohortsOut(Schema):
    items = fields.List(fields.Nested(CohortOut), required=True)


class MunicipalitiesOut(Schema):
    items = fields.List(fields.Str(), required=True)
