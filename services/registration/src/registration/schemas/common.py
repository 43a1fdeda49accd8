"""The field builders the request and response schemas share: the domain's rules as validators
(the field is named and the message is the domain's Danish and English text), each field's label
and the OpenAPI keywords that say what the rule accepts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from registration.domain.cohorts import YEAR_MAX, YEAR_MIN
from registration.domain.errors import InvalidField
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
from shared.vocabulary import LANGUAGES, LIBRARY_KINDS

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


def name_field(da: str, en: str, **kw: Any) -> fields.Str:
    """A name: 1 to 200 characters, no control characters."""
    return fields.Str(validate=rule(normalize_name), metadata=labelled(da, en, maxLength=NAME_MAX), **kw)


def email_field(**kw: Any) -> fields.Str:
    """An email address the domain accepts."""
    return fields.Str(validate=rule(normalize_email), metadata=labelled("E-mailadresse", "Email address",
                                                                        maxLength=254, format="email"), **kw)


def password_field(**kw: Any) -> fields.Str:
    """A new password that passes the policy (never dumped)."""
    return fields.Str(load_only=True, validate=rule(check_password),
                      metadata=labelled("Adgangskode", "Password", minLength=PASSWORD_MIN, maxLength=PASSWORD_MAX),
                      **kw)


def language_field(**kw: Any) -> fields.Str:
    """A language code: da or en."""
    return fields.Str(validate=rule(normalize_language), metadata=labelled("Sprog", "Language", enum=list(LANGUAGES)),
                      **kw)


def token_field() -> fields.Str:
    """A single-use token from a mail link (not typed by a person, so not labelled; never dumped)."""
    return fields.Str(required=True, load_only=True, validate=validate.Length(min=1, max=TOKEN_MAX))


def isil_field(**kw: Any) -> fields.Str:
    """An ISIL code: DK- and six digits."""
    return fields.Str(validate=rule(normalize_isil), metadata=labelled(
        "ISIL-kode", "ISIL code", pattern="^[Dd][Kk]-[0-9]{6}$", example="DK-123456"), **kw)


def municipality_field(**kw: Any) -> fields.Str:
    """One of the 98 Danish municipalities."""
    return fields.Str(validate=rule(normalize_municipality), metadata=labelled(
        "Kommune", "Municipality", description="one of GET /municipalities (case and a ' Kommune' suffix ignored)"),
        **kw)


def kind_field(**kw: Any) -> fields.Str:
    """The kind of library."""
    return fields.Str(validate=rule(normalize_kind),
                      metadata=labelled("Bibliotekstype", "Kind of library", enum=list(LIBRARY_KINDS)), **kw)


def staff_count_field(**kw: Any) -> fields.Int:
    """The number of staff, 1 to 5000."""
    return fields.Int(strict=True, validate=rule(normalize_staff_count), metadata=labelled(
        "Antal medarbejdere", "Number of staff", minimum=STAFF_MIN, maximum=STAFF_MAX), **kw)


def website_field() -> fields.Str:
    """An http(s) address with a host, or null."""
    return fields.Str(allow_none=True, validate=rule(normalize_website),
                      metadata=labelled("Hjemmeside", "Website", maxLength=2000, format="uri"))


def address_field() -> fields.Str:
    """A postal address of at most 300 characters, or null."""
    return fields.Str(allow_none=True, validate=rule(normalize_address),
                      metadata=labelled("Adresse", "Address", maxLength=ADDRESS_MAX))


def year_field(da: str, en: str, **kw: Any) -> fields.Int:
    """A year from 2000 to 2100."""
    return fields.Int(strict=True, validate=validate.Range(YEAR_MIN, YEAR_MAX), metadata=labelled(da, en), **kw)


def enum_field(values: tuple[str, ...], **kw: Any) -> fields.Str:
    """An answer field documented as one of `values`."""
    return fields.Str(metadata={"enum": list(values)}, **kw)


def actions_field(names: tuple[str, ...]) -> fields.List:
    """The actions the caller may take on the resource, documented as some of `names`."""
    return fields.List(fields.Str(metadata={"enum": list(names)}), required=True,
                       metadata={"description": "what the caller may do with this resource now"})


class Strict(Schema):
    """Unknown fields are refused (marshmallow's default): a typo must not be silently ignored."""
