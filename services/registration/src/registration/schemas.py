"""Marshmallow schemas of the HTTP API: every request body is validated here, with the domain's
own rules (so the field is named and the message is the domain's Danish and English text), and
every response is described for /openapi.json."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from registration.domain import (
    check_password,
    normalize_address,
    normalize_email,
    normalize_isil,
    normalize_kind,
    normalize_language,
    normalize_municipality,
    normalize_name,
    normalize_staff_count,
    normalize_website,
)
from registration.domain.errors import InvalidField

ROLES = ("coordinator", "member", "assessor", "administrator")


def rule(normalize: Callable[..., Any]) -> Callable[[Any], None]:
    """Turn a domain rule into a marshmallow validator: [Danish, English] messages on failure."""

    def check(value: Any) -> None:
        try:
            normalize(value)
        except InvalidField as err:
            raise ValidationError([err.message_da, err.message_en]) from None

    return check


def _name(**kw) -> fields.Str:
    return fields.Str(validate=rule(normalize_name), **kw)


class Strict(Schema):
    """Unknown fields are refused: a typo must not be silently ignored."""


# -- requests -------------------------------------------------------------------------------------


class LibraryIn(Strict):
    name = _name(required=True)
    isil = fields.Str(required=True, validate=rule(normalize_isil), metadata={"example": "DK-123456"})
    municipality = fields.Str(required=True, validate=rule(normalize_municipality))
    kind = fields.Str(required=True, validate=rule(normalize_kind))
    staff_count = fields.Int(required=True, strict=True, validate=rule(normalize_staff_count))
    website = fields.Str(allow_none=True, validate=rule(normalize_website))
    address = fields.Str(allow_none=True, validate=rule(normalize_address))
    branches = fields.List(_name(), validate=validate.Length(max=100))


class CoordinatorIn(Strict):
    name = _name(required=True)
    email = fields.Str(required=True, validate=rule(normalize_email))
    password = fields.Str(required=True, load_only=True, validate=rule(check_password))
    language = fields.Str(load_default="da", validate=rule(normalize_language))


class RegistrationIn(Strict):
    library = fields.Nested(LibraryIn, required=True)
    coordinator = fields.Nested(CoordinatorIn, required=True)


class TokenIn(Strict):
    token = fields.Str(required=True, validate=validate.Length(min=1, max=200))


class EmailIn(Strict):
    # Lenient on purpose: the answer is the same for any address.
    email = fields.Str(required=True, validate=validate.Length(min=1, max=320))


class CredentialsIn(Strict):
    email = fields.Str(required=True, validate=validate.Length(min=1, max=320))
    password = fields.Str(required=True, load_only=True, validate=validate.Length(min=1, max=1024))
    # The address the gateway saw the sign-in come from (its failures are counted per address).
    client_address = fields.Str(allow_none=True, validate=validate.Length(max=64),
                                metadata={"example": "192.0.2.10"})


class PasswordResetCompleteIn(Strict):
    token = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    password = fields.Str(required=True, load_only=True, validate=rule(check_password))


class PersonPatchIn(Strict):
    name = _name()
    language = fields.Str(validate=rule(normalize_language))
    role = fields.Str(validate=validate.OneOf(ROLES))
    active = fields.Bool(strict=True)


class InvitationIn(Strict):
    email = fields.Str(required=True, validate=rule(normalize_email))
    name = fields.Str(allow_none=True, validate=lambda v: v == "" or rule(normalize_name)(v) is None)
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))
    library_id = fields.Str(allow_none=True, validate=validate.Length(min=1, max=64))
    language = fields.Str(load_default="da", validate=rule(normalize_language))


class AcceptInvitationIn(Strict):
    token = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    password = fields.Str(required=True, load_only=True, validate=rule(check_password))
    name = fields.Str(allow_none=True, validate=lambda v: v == "" or rule(normalize_name)(v) is None)


class LibraryPatchIn(Strict):
    name = _name()
    isil = fields.Str(validate=rule(normalize_isil))
    municipality = fields.Str(validate=rule(normalize_municipality))
    kind = fields.Str(validate=rule(normalize_kind))
    staff_count = fields.Int(strict=True, validate=rule(normalize_staff_count))
    website = fields.Str(allow_none=True, validate=rule(normalize_website))
    address = fields.Str(allow_none=True, validate=rule(normalize_address))


class WithdrawIn(Strict):
    reason = fields.Str(allow_none=True, validate=validate.Length(max=1000))


class BranchIn(Strict):
    name = fields.Str(required=True, validate=rule(lambda v: normalize_name(v, "name")))


class BranchPatchIn(Strict):
    name = _name()
    status = fields.Str(validate=validate.OneOf(("closed",)))


class CohortIn(Strict):
    name = _name(required=True)
    start_year = fields.Int(required=True, strict=True, validate=validate.Range(2000, 2100))
    end_year = fields.Int(allow_none=True, strict=True, validate=validate.Range(2000, 2100))
    state = fields.Str(load_default="planned", validate=validate.OneOf(("planned", "open", "closed")))


class CohortPatchIn(Strict):
    name = _name()
    state = fields.Str(validate=validate.OneOf(("open", "closed")))


class EnrolmentIn(Strict):
    cohort_id = fields.Str(required=True, validate=validate.Length(min=1, max=64))


class LibraryQuery(Schema):
    status = fields.Str(validate=validate.OneOf(("pending", "active", "withdrawn")))
    municipality = fields.Str(validate=validate.Length(max=100))
    cohort_id = fields.Str(validate=validate.Length(max=64))


# -- responses ------------------------------------------------------------------------------------


class RegisteredOut(Schema):
    library_id = fields.Str()
    person_id = fields.Str()


class AcceptedOut(Schema):
    status = fields.Str(dump_default="accepted")


class PersonIdOut(Schema):
    person_id = fields.Str()


class JoinedOut(Schema):
    person_id = fields.Str()
    library_id = fields.Str(allow_none=True)


class SignInOut(Schema):
    person_id = fields.Str()
    name = fields.Str(allow_none=True)
    email = fields.Str()
    role = fields.Str()
    library_id = fields.Str(allow_none=True)
    language = fields.Str()


class PersonOut(Schema):
    person_id = fields.Str()
    library_id = fields.Str(allow_none=True)
    name = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    role = fields.Str()
    status = fields.Str()
    language = fields.Str()
    invited_by = fields.Str(allow_none=True)
    created_at = fields.DateTime()
    activated_at = fields.DateTime(allow_none=True)
    deactivated_at = fields.DateTime(allow_none=True)
    reactivated_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    version = fields.Int()


class PeopleOut(Schema):
    items = fields.List(fields.Nested(PersonOut))


class PersonExportOut(Schema):
    """Everything the registration service holds about a person."""

    class Meta:
        unknown = "include"

    person_id = fields.Str()
    library_id = fields.Str(allow_none=True)
    library_name = fields.Str(allow_none=True)
    name = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    role = fields.Str()
    language = fields.Str()
    status = fields.Str()
    password_set = fields.Bool()
    invited_by = fields.Str(allow_none=True)
    created_at = fields.Str(allow_none=True)
    activated_at = fields.Str(allow_none=True)
    deactivated_at = fields.Str(allow_none=True)
    reactivated_at = fields.Str(allow_none=True)
    updated_at = fields.Str(allow_none=True)
    erased_at = fields.Str(allow_none=True)


class BranchOut(Schema):
    branch_id = fields.Str()
    name = fields.Str()
    status = fields.Str()
    opened_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


class EnrolmentOut(Schema):
    enrolment_id = fields.Str()
    library_id = fields.Str()
    cohort_id = fields.Str()
    cohort_name = fields.Str()
    status = fields.Str()
    started_at = fields.DateTime()
    withdrawn_at = fields.DateTime(allow_none=True)
    reason = fields.Str(allow_none=True)


class LibraryOut(Schema):
    library_id = fields.Str()
    name = fields.Str()
    isil = fields.Str()
    municipality = fields.Str()
    kind = fields.Str()
    staff_count = fields.Int()
    website = fields.Str(allow_none=True)
    address = fields.Str(allow_none=True)
    status = fields.Str()
    origin = fields.Str()
    registered_at = fields.DateTime()
    activated_at = fields.DateTime(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    version = fields.Int()
    branches = fields.List(fields.Nested(BranchOut))
    enrolment = fields.Nested(EnrolmentOut, allow_none=True)


class LibrariesOut(Schema):
    items = fields.List(fields.Nested(LibraryOut))
    total = fields.Int()


class CohortOut(Schema):
    cohort_id = fields.Str()
    name = fields.Str()
    start_year = fields.Int()
    end_year = fields.Int(allow_none=True)
    state = fields.Str()


class CohortsOut(Schema):
    items = fields.List(fields.Nested(CohortOut))


class MunicipalitiesOut(Schema):
    items = fields.List(fields.Str())
