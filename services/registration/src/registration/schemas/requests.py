"""Request schemas: every body and query the API accepts, as strict as the domain."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from registration.domain.onboarding import MAX_BRANCHES_AT_REGISTRATION
from registration.domain.validation import NAME_MAX, normalize_name
from registration.schemas.common import (
    EMAIL_MAX,
    ID_MAX,
    Strict,
    address_field,
    email_field,
    isil_field,
    kind_field,
    labelled,
    language_field,
    municipality_field,
    name_field,
    optional_name,
    password_field,
    rule,
    staff_count_field,
    token_field,
    website_field,
    year_field,
)
from shared.vocabulary import COHORT_STATES, REGISTRATION_STATUSES, ROLES


class LibraryIn(Strict):
    name = name_field("Bibliotekets navn", "Library name", required=True)
    isil = isil_field(required=True)
    municipality = municipality_field(required=True)
    kind = kind_field(required=True)
    staff_count = staff_count_field(required=True)
    website = website_field()
    address = address_field()
    branches = fields.List(fields.Str(validate=rule(normalize_name), metadata={"maxLength": NAME_MAX}),
                           validate=validate.Length(max=MAX_BRANCHES_AT_REGISTRATION),
                           metadata=labelled("Filialer", "Branches"))


class CoordinatorIn(Strict):
    name = name_field("Dit navn", "Your name", required=True)
    email = email_field(required=True)
    password = password_field(required=True)
    language = language_field(load_default="da")


class RegistrationIn(Strict):
    library = fields.Nested(LibraryIn, required=True)
    coordinator = fields.Nested(CoordinatorIn, required=True)


class TokenIn(Strict):
    token = token_field()


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
    token = token_field()
    password = password_field(required=True)


class PersonPatchIn(Strict):
    name = name_field("Navn", "Name")
    language = language_field()
    role = fields.Str(validate=validate.OneOf(ROLES), metadata=labelled("Rolle", "Role"))
    active = fields.Bool(strict=True, metadata=labelled("Aktiv", "Active"))


class InvitationIn(Strict):
    email = email_field(required=True)
    name = fields.Str(allow_none=True, validate=optional_name, metadata=labelled("Navn", "Name", maxLength=NAME_MAX))
    role = fields.Str(required=True, validate=validate.OneOf(ROLES), metadata=labelled("Rolle", "Role"))
    library_id = fields.Str(allow_none=True, validate=validate.Length(min=1, max=ID_MAX))
    language = language_field(load_default="da")


class AcceptInvitationIn(Strict):
    token = token_field()
    password = password_field(required=True)
    name = fields.Str(allow_none=True, validate=optional_name, metadata=labelled("Dit navn", "Your name",
                                                                                maxLength=NAME_MAX))


class LibraryPatchIn(Strict):
    name = name_field("Bibliotekets navn", "Library name")
    isil = isil_field()
    municipality = municipality_field()
    kind = kind_field()
    staff_count = staff_count_field()
    website = website_field()
    address = address_field()


class WithdrawIn(Strict):
    reason = fields.Str(allow_none=True, validate=validate.Length(max=1000),
                        metadata=labelled("Begrundelse", "Reason"))


def branch_isil_field() -> fields.Str:
    return fields.Str(allow_none=True, validate=validate.Length(max=20),
                      metadata=labelled("Filialens ISIL-kode", "Branch ISIL code"))


def branch_address_field() -> fields.Str:
    return fields.Str(allow_none=True, validate=validate.Length(max=300),
                      metadata=labelled("Filialens adresse", "Branch address"))


class BranchIn(Strict):
    name = name_field("Filialens navn", "Branch name", required=True)
    isil = branch_isil_field()
    address = branch_address_field()


class BranchPatchIn(Strict):
    name = name_field("Filialens navn", "Branch name")
    isil = branch_isil_field()
    address = branch_address_field()
    status = fields.Str(validate=validate.OneOf(("closed",)), metadata=labelled("Status", "Status"))


class CohortIn(Strict):
    name = name_field("Forløbets navn", "Name of the cohort", required=True)
    start_year = year_field("Startår", "Start year", required=True)
    end_year = year_field("Slutår", "End year", allow_none=True)
    # A new cohort is planned unless the administrator opens (or closes) it at once.
    state = fields.Str(load_default="planned", validate=validate.OneOf(COHORT_STATES),
                       metadata=labelled("Status", "State"))


class CohortPatchIn(Strict):
    name = name_field("Forløbets navn", "Name of the cohort")
    state = fields.Str(validate=validate.OneOf(("open", "closed")), metadata=labelled("Status", "State"))


class EnrolmentIn(Strict):
    cohort_id = fields.Str(required=True, validate=validate.Length(min=1, max=ID_MAX),
                           metadata=labelled("Forløb", "Cohort"))


class LibraryQuery(Schema):
    status = fields.Str(validate=validate.OneOf(REGISTRATION_STATUSES), metadata=labelled("Status", "Status"))
    municipality = fields.Str(validate=validate.Length(max=100), metadata=labelled("Kommune", "Municipality"))
    cohort_id = fields.Str(validate=validate.Length(max=ID_MAX), metadata=labelled("Forløb", "Cohort"))
