"""Marshmallow schemas of the HTTP API, which are its OpenAPI document: every request body is
validated with the domain's own rules (so the field is named and the message is the domain's
Danish and English text), every field a person fills in carries its Danish and English label, and
every answer is dumped through its response schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from registration.domain.actions import BRANCH_ACTIONS, COHORT_ACTIONS, LIBRARY_ACTIONS, PERSON_ACTIONS
from registration.domain.cohorts import YEAR_MAX, YEAR_MIN
from registration.domain.errors import InvalidField
from registration.domain.onboarding import MAX_BRANCHES_AT_REGISTRATION
from registration.domain.validation import (
    ADDRESS_MAX,
    NAME_MAX,
    PASSWORD_MAX,
    PASSWORD_MIN,
    STAFF_MAX,
    STAFF_MIN,
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
from shared.vocabulary import (
    COHORT_STATES,
    LANGUAGES,
    LIBRARY_KINDS,
    PERSON_STATUSES,
    REGISTRATION_STATUSES,
    ROLES,
)

TOKEN_MAX, EMAIL_MAX, ID_MAX = 200, 320, 64


def rule(normalize: Callable[..., Any]) -> Callable[[Any], None]:
    """Turn a domain rule into a marshmallow validator: [Danish, English] messages on failure."""

    def check(value: Any) -> None:
        try:
            normalize(value)
        except InvalidField as err:
            raise ValidationError([err.message_da, err.message_en]) from None

    return check


def optional_name(value: Any) -> None:
    """A name that may be left empty (the invitation's and its acceptance's)."""
    if value != "":
        rule(normalize_name)(value)


def labelled(da: str, en: str, **document: Any) -> dict[str, Any]:
    """Field metadata: the label a person understands, and OpenAPI keywords (maxLength, enum,
    pattern...) that say in the document what the domain rule checks."""
    return {"label_da": da, "label_en": en, **document}


def _name(da: str, en: str, **kw: Any) -> fields.Str:
    return fields.Str(validate=rule(normalize_name), metadata=labelled(da, en, maxLength=NAME_MAX), **kw)


def _email(**kw: Any) -> fields.Str:
    return fields.Str(validate=rule(normalize_email), metadata=labelled("E-mailadresse", "Email address",
                                                                        maxLength=254, format="email"), **kw)


def _password(**kw: Any) -> fields.Str:
    return fields.Str(load_only=True, validate=rule(check_password),
                      metadata=labelled("Adgangskode", "Password", minLength=PASSWORD_MIN, maxLength=PASSWORD_MAX),
                      **kw)


def _language(**kw: Any) -> fields.Str:
    return fields.Str(validate=rule(normalize_language), metadata=labelled("Sprog", "Language", enum=list(LANGUAGES)),
                      **kw)


def _token() -> fields.Str:
    # Not typed by a person: it comes from the link in a mail.
    return fields.Str(required=True, load_only=True, validate=validate.Length(min=1, max=TOKEN_MAX))


def _isil(**kw: Any) -> fields.Str:
    return fields.Str(validate=rule(normalize_isil), metadata=labelled(
        "ISIL-kode", "ISIL code", pattern="^[Dd][Kk]-[0-9]{6}$", example="DK-123456"), **kw)


def _municipality(**kw: Any) -> fields.Str:
    return fields.Str(validate=rule(normalize_municipality), metadata=labelled(
        "Kommune", "Municipality", description="one of GET /municipalities (case and a ' Kommune' suffix ignored)"),
        **kw)


def _kind(**kw: Any) -> fields.Str:
    return fields.Str(validate=rule(normalize_kind),
                      metadata=labelled("Bibliotekstype", "Kind of library", enum=list(LIBRARY_KINDS)), **kw)


def _staff_count(**kw: Any) -> fields.Int:
    return fields.Int(strict=True, validate=rule(normalize_staff_count), metadata=labelled(
        "Antal medarbejdere", "Number of staff", minimum=STAFF_MIN, maximum=STAFF_MAX), **kw)


def _website() -> fields.Str:
    return fields.Str(allow_none=True, validate=rule(normalize_website),
                      metadata=labelled("Hjemmeside", "Website", maxLength=2000, format="uri"))


def _address() -> fields.Str:
    return fields.Str(allow_none=True, validate=rule(normalize_address),
                      metadata=labelled("Adresse", "Address", maxLength=ADDRESS_MAX))


def _year(da: str, en: str, **kw: Any) -> fields.Int:
    return fields.Int(strict=True, validate=validate.Range(YEAR_MIN, YEAR_MAX), metadata=labelled(da, en), **kw)


def _enum(values: tuple[str, ...], **kw: Any) -> fields.Str:
    return fields.Str(metadata={"enum": list(values)}, **kw)


def _actions(names: tuple[str, ...]) -> fields.List:
    return fields.List(fields.Str(metadata={"enum": list(names)}), required=True,
                       metadata={"description": "what the caller may do with this resource now"})


class Strict(Schema):
    """Unknown fields are refused (marshmallow's default): a typo must not be silently ignored."""


# -- requests -------------------------------------------------------------------------------------------


class LibraryIn(Strict):
    name = _name("Bibliotekets navn", "Library name", required=True)
    isil = _isil(required=True)
    municipality = _municipality(required=True)
    kind = _kind(required=True)
    staff_count = _staff_count(required=True)
    website = _website()
    address = _address()
    branches = fields.List(fields.Str(validate=rule(normalize_name), metadata={"maxLength": NAME_MAX}),
                           validate=validate.Length(max=MAX_BRANCHES_AT_REGISTRATION),
                           metadata=labelled("Filialer", "Branches"))


class CoordinatorIn(Strict):
    name = _name("Dit navn", "Your name", required=True)
    email = _email(required=True)
    password = _password(required=True)
    language = _language(load_default="da")


class RegistrationIn(Strict):
    library = fields.Nested(LibraryIn, required=True)
    coordinator = fields.Nested(CoordinatorIn, required=True)


class TokenIn(Strict):
    token = _token()


class EmailIn(Strict):
    # Lenient on purpose: the answer is the same for any address.
    email = fields.Str(required=True, validate=validate.Length(min=1, max=EMAIL_MAX),
                       metadata=labelled("E-mailadresse", "Email address", maxLength=EMAIL_MAX))


class CredentialsIn(Strict):
    email = fields.Str(required=True, validate=validate.Length(min=1, max=EMAIL_MAX),
                       metadata=labelled("E-mailadresse", "Email address", maxLength=EMAIL_MAX))
    password = fields.Str(required=True, load_only=True, validate=validate.Length(min=1, max=1024),
                          metadata=labelled("Adgangskode", "Password", maxLength=1024))
    # The address the gateway saw the sign-in come from (its failures are counted per address).
    client_address = fields.Str(allow_none=True, validate=validate.Length(max=64), metadata={"example": "192.0.2.10"})


class PasswordResetCompleteIn(Strict):
    token = _token()
    password = _password(required=True)


class PersonPatchIn(Strict):
    name = _name("Navn", "Name")
    language = _language()
    role = fields.Str(validate=validate.OneOf(ROLES), metadata=labelled("Rolle", "Role"))
    active = fields.Bool(strict=True, metadata=labelled("Aktiv", "Active"))


class InvitationIn(Strict):
    email = _email(required=True)
    name = fields.Str(allow_none=True, validate=optional_name, metadata=labelled("Navn", "Name", maxLength=NAME_MAX))
    role = fields.Str(required=True, validate=validate.OneOf(ROLES), metadata=labelled("Rolle", "Role"))
    library_id = fields.Str(allow_none=True, validate=validate.Length(min=1, max=ID_MAX))
    language = _language(load_default="da")


class AcceptInvitationIn(Strict):
    token = _token()
    password = _password(required=True)
    name = fields.Str(allow_none=True, validate=optional_name, metadata=labelled("Dit navn", "Your name",
                                                                                maxLength=NAME_MAX))


class LibraryPatchIn(Strict):
    name = _name("Bibliotekets navn", "Library name")
    isil = _isil()
    municipality = _municipality()
    kind = _kind()
    staff_count = _staff_count()
    website = _website()
    address = _address()


class WithdrawIn(Strict):
    reason = fields.Str(allow_none=True, validate=validate.Length(max=1000),
                        metadata=labelled("Begrundelse", "Reason"))


class BranchIn(Strict):
    name = _name("Filialens navn", "Branch name", required=True)


class BranchPatchIn(Strict):
    name = _name("Filialens navn", "Branch name")
    status = fields.Str(validate=validate.OneOf(("closed",)), metadata=labelled("Status", "Status"))


class CohortIn(Strict):
    name = _name("Forløbets navn", "Name of the cohort", required=True)
    start_year = _year("Startår", "Start year", required=True)
    end_year = _year("Slutår", "End year", allow_none=True)
    # A new cohort is planned unless the administrator opens (or closes) it at once.
    state = fields.Str(load_default="planned", validate=validate.OneOf(COHORT_STATES),
                       metadata=labelled("Status", "State"))


class CohortPatchIn(Strict):
    name = _name("Forløbets navn", "Name of the cohort")
    state = fields.Str(validate=validate.OneOf(("open", "closed")), metadata=labelled("Status", "State"))


class EnrolmentIn(Strict):
    cohort_id = fields.Str(required=True, validate=validate.Length(min=1, max=ID_MAX),
                           metadata=labelled("Forløb", "Cohort"))


class LibraryQuery(Schema):
    status = fields.Str(validate=validate.OneOf(REGISTRATION_STATUSES), metadata=labelled("Status", "Status"))
    municipality = fields.Str(validate=validate.Length(max=100), metadata=labelled("Kommune", "Municipality"))
    cohort_id = fields.Str(validate=validate.Length(max=ID_MAX), metadata=labelled("Forløb", "Cohort"))


# -- responses ------------------------------------------------------------------------------------------


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
    role = _enum(ROLES)
    library_id = fields.Str(allow_none=True)
    language = _enum(LANGUAGES)


class PersonOut(Schema):
    person_id = fields.Str(required=True)
    library_id = fields.Str(allow_none=True)
    name = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    role = _enum(ROLES)
    status = _enum(PERSON_STATUSES)
    language = _enum(LANGUAGES)
    invited_by = fields.Str(allow_none=True)
    created_at = fields.DateTime()
    activated_at = fields.DateTime(allow_none=True)
    deactivated_at = fields.DateTime(allow_none=True)
    reactivated_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    version = fields.Int()
    actions = _actions(PERSON_ACTIONS)


class PeopleOut(Schema):
    items = fields.List(fields.Nested(PersonOut), required=True)


class PersonExportOut(Schema):
    """Everything the registration service holds about a person."""

    person_id = fields.Str(required=True)
    library_id = fields.Str(allow_none=True)
    library_name = fields.Str(allow_none=True)
    name = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    role = _enum(ROLES)
    language = _enum(LANGUAGES)
    status = _enum(PERSON_STATUSES)
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
    name = fields.Str()
    status = _enum(("open", "closed"))
    opened_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    actions = _actions(BRANCH_ACTIONS)


class EnrolmentOut(Schema):
    enrolment_id = fields.Str(required=True)
    library_id = fields.Str()
    cohort_id = fields.Str()
    cohort_name = fields.Str()
    status = _enum(("active", "withdrawn"))
    started_at = fields.DateTime()
    withdrawn_at = fields.DateTime(allow_none=True)
    reason = fields.Str(allow_none=True)


class LibraryOut(Schema):
    library_id = fields.Str(required=True)
    name = fields.Str()
    isil = fields.Str()
    municipality = fields.Str()
    kind = _enum(LIBRARY_KINDS)
    staff_count = fields.Int()
    website = fields.Str(allow_none=True)
    address = fields.Str(allow_none=True)
    status = _enum(REGISTRATION_STATUSES)
    origin = _enum(("self_service", "seed"))
    registered_at = fields.DateTime()
    activated_at = fields.DateTime(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    version = fields.Int()
    branches = fields.List(fields.Nested(BranchOut))
    enrolment = fields.Nested(EnrolmentOut, allow_none=True)
    actions = _actions(LIBRARY_ACTIONS)


class LibrariesOut(Schema):
    items = fields.List(fields.Nested(LibraryOut), required=True)
    total = fields.Int(required=True)


class CohortOut(Schema):
    cohort_id = fields.Str(required=True)
    name = fields.Str()
    start_year = fields.Int()
    end_year = fields.Int(allow_none=True)
    state = _enum(COHORT_STATES)
    actions = _actions(COHORT_ACTIONS)


class CohortsOut(Schema):
    items = fields.List(fields.Nested(CohortOut), required=True)


class MunicipalitiesOut(Schema):
    items = fields.List(fields.Str(), required=True)
