"""Invalid input explained to a person: every bad field at once, each with the label the form
shows and a reason in Danish and English; and the checks every service applies to raw input
before any schema sees it (JSON nesting, numbers, NUL and lone surrogates in text).

A schema field names itself for people with `metadata={"label_da": ..., "label_en": ...}`. A
validator that wants its own words raises `ValidationError(bilingual(da, en))`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields

# Numbers beyond this are refused everywhere: no count, page or version is that large, and
# MongoDB's integers end at 2^63.
MAX_INT = 2**53
MAX_DEPTH = 32
# C0 control characters other than tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class bilingual(str):  # noqa: N801 - reads as a function where validators raise it
    """A validation message in Danish and English (the str value is the English one)."""

    da: str

    def __new__(cls, da: str, en: str) -> bilingual:
        obj = super().__new__(cls, en)
        obj.da = da
        return obj


@dataclass(frozen=True)
class FieldError:
    """One field a person must correct: its path, label and reason in both languages."""

    field: str
    message_da: str
    message_en: str
    label_da: str = ""
    label_en: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"label": self.label_da or self.field, "label_en": self.label_en or self.label_da or self.field,
                "message": self.message_da, "message_en": self.message_en}


def as_errors(problems: list[FieldError]) -> dict[str, dict[str, str]]:
    """The problem+json `errors` member: field path -> label and reason, in the form's order."""
    return {p.field: p.to_dict() for p in problems}


def summary(problems: list[FieldError]) -> tuple[str, str]:
    """A one-line Danish and English detail naming every field at fault."""
    labels_da = ", ".join(p.label_da or p.field for p in problems)
    labels_en = ", ".join(p.label_en or p.label_da or p.field for p in problems)
    if len(problems) == 1:
        p = problems[0]
        return (f"{p.label_da or p.field}: {p.message_da}", f"{p.label_en or p.label_da or p.field}: {p.message_en}")
    return (f"{len(problems)} felter skal rettes: {labels_da}.", f"{len(problems)} fields need correcting: {labels_en}.")


# -- marshmallow's messages in Danish ---------------------------------------------------------
_DANISH: list[tuple[re.Pattern[str], str]] = [(re.compile(p), da) for p, da in [
    (r"^Missing data for required field\.$", "Skal udfyldes."),
    (r"^Field may not be null\.$", "Skal udfyldes."),
    (r"^Unknown field\.$", "Feltet kendes ikke."),
    (r"^Not a valid string\.$", "Skal være tekst."),
    (r"^Not a valid integer\.$", "Skal være et helt tal."),
    (r"^Not a valid number\.$", "Skal være et tal."),
    (r"^Not a valid boolean\.$", "Skal være ja eller nej."),
    (r"^Not a valid email address\.$", "Skal være en gyldig e-mailadresse, fx navn@bibliotek.dk."),
    (r"^Not a valid URL\.$", "Skal være en gyldig webadresse, fx https://bibliotek.dk."),
    (r"^Not a valid date\.$", "Skal være en gyldig dato."),
    (r"^Not a valid datetime\.$", "Skal være et gyldigt tidspunkt."),
    (r"^Not a valid time\.$", "Skal være et gyldigt klokkeslæt."),
    (r"^Not a valid list\.$", "Skal være en liste."),
    (r"^Not a valid mapping type\.$", "Skal være et objekt."),
    (r"^Not a valid UUID\.$", "Skal være et gyldigt id."),
    (r"^Invalid input type\.$", "Har en forkert type."),
    (r"^Invalid value\.$", "Ugyldig værdi."),
    (r"^Not a valid choice\.$", "Er ikke et af valgene."),
    (r"^String does not match expected pattern\.$", "Har ikke den forventede form."),
    (r"^Shorter than minimum length (\d+)\.$", r"Skal være mindst \1 tegn."),
    (r"^Longer than maximum length (\d+)\.$", r"Må højst være \1 tegn."),
    (r"^Length must be between (\d+) and (\d+)\.$", r"Skal være mellem \1 og \2 tegn."),
    (r"^Length must be (\d+)\.$", r"Skal være præcis \1 tegn."),
    (r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$", r"Skal være mellem \1 og \2."),
    (r"^Must be greater than or equal to (\S+)\.$", r"Skal være mindst \1."),
    (r"^Must be less than or equal to (\S+)\.$", r"Må højst være \1."),
    (r"^Must be greater than (\S+)\.$", r"Skal være større end \1."),
    (r"^Must be less than (\S+)\.$", r"Skal være mindre end \1."),
    (r"^Must be one of: (.*)\.$", r"Skal være en af: \1."),
]]


def danish(message: str) -> str:
    """Marshmallow's English message in Danish (a bilingual message keeps its own Danish)."""
    if isinstance(message, bilingual):
        return message.da
    for pattern, da in _DANISH:
        if pattern.match(message):
            return pattern.sub(da, message)
    return "Ugyldig værdi."


def _labels(field: fields.Field | None, name: str) -> tuple[str, str]:
    meta = field.metadata if field is not None else {}
    return meta.get("label_da", ""), meta.get("label_en", "")


def _child(field: fields.Field | None, key: str) -> fields.Field | None:
    """The field for a nested key below field (a Nested schema's field, a list's item)."""
    if isinstance(field, fields.Nested):
        schema = field.schema
        return schema.fields.get(key) if isinstance(schema, Schema) else None
    if isinstance(field, fields.List):
        return field.inner
    return None


def field_errors(messages: Any, schema: Schema | None = None) -> list[FieldError]:
    """Every field error in marshmallow's (possibly location-keyed) messages, labelled from schema."""
    if isinstance(messages, Mapping) and set(messages) <= {"json", "query", "form", "files", "headers", "path",
                                                            "cookies", "json_or_form", "querystring"}:
        out: list[FieldError] = []
        for part in messages.values():
            out.extend(field_errors(part, schema))
        return out
    root = fields.Nested(schema) if isinstance(schema, Schema) else None
    return list(_walk(messages, root, []))


def _walk(messages: Any, field: fields.Field | None, path: list[str]) -> Iterator[FieldError]:
    if isinstance(messages, Mapping):
        for key, inner in messages.items():
            key = str(key)
            child = _child(field, key) if path or field is not None else None
            if isinstance(field, fields.List) and key.isdigit():
                yield from _walk(inner, field.inner, [*path, key])
            else:
                yield from _walk(inner, child, [*path, key])
        return
    texts = [m for m in (messages if isinstance(messages, list) else [messages]) if isinstance(m, str)]
    if not texts:
        return
    name = ".".join(path) or "_"
    label_da, label_en = _labels(field, path[-1] if path else "")
    # The item of a list carries no label of its own: name the list.
    yield FieldError(name, " ".join(danish(t) for t in texts), " ".join(texts), label_da, label_en)


# -- raw input checks ---------------------------------------------------------------------------
class InputRefused(ValueError):
    """Raw input no schema should ever see."""

    def __init__(self, field: str, message_da: str, message_en: str):
        super().__init__(message_en)
        self.error = FieldError(field or "_", message_da, message_en)


def _refuse_text(value: str, where: str) -> None:
    if "\x00" in value or _CONTROL.search(value):
        raise InputRefused(where, "Må ikke indeholde kontroltegn.", "Must not contain control characters.")
    if _SURROGATE.search(value):
        raise InputRefused(where, "Indeholder ugyldige tegn.", "Contains invalid characters (a lone surrogate).")


def has_control_characters(value: str) -> bool:
    """Tell whether a value holds NUL, another C0 control character or a lone surrogate."""
    return bool(_CONTROL.search(value) or _SURROGATE.search(value))


def check_text(value: str, where: str) -> None:
    """Refuse NUL and other control characters and lone surrogates in one text value."""
    _refuse_text(value, where)


def check_query_value(value: str, where: str) -> None:
    """Refuse what no query parameter carries: control characters, surrogates, huge integers."""
    _refuse_text(value, where)
    stripped = value.strip()
    if re.fullmatch(r"[-+]?\d{16,}", stripped) and abs(int(stripped)) >= MAX_INT:
        raise InputRefused(where, "Tallet er for stort.", "The number is too large.")


class _NotFinite(float):
    """NaN or an infinity in the input, kept as a marker until its path is known."""


def parse_json(body: bytes) -> Any:
    """Parse a JSON body, refusing deep nesting, non-finite or huge numbers, NUL and surrogates."""
    try:
        data = json.loads(body, parse_constant=lambda name: _NotFinite("nan"))
    except RecursionError:
        raise InputRefused("_", "Data er for dybt indlejret.", "The JSON is nested too deeply.") from None
    except (ValueError, UnicodeDecodeError):
        raise InputRefused("_", "Data er ikke gyldig JSON.", "The body is not valid JSON.") from None
    _check_tree(data)
    return data


def _check_tree(data: Any) -> None:
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputRefused(path, "Data er for dybt indlejret.", "The JSON is nested too deeply.")
        if isinstance(value, str):
            _refuse_text(value, path)
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int):
            if abs(value) >= MAX_INT:
                raise InputRefused(path, "Tallet er for stort.", "The number is too large.")
        elif isinstance(value, float):
            if isinstance(value, _NotFinite) or math.isinf(value) or math.isnan(value):
                raise InputRefused(path, "Tallet er for stort eller ikke et tal.", "The number is not finite.")
        elif isinstance(value, dict):
            for key, inner in value.items():
                _refuse_text(key, path)
                stack.append((inner, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                stack.append((inner, f"{path}.{i}" if path else str(i), depth + 1))


__all__ = ["FieldError", "InputRefused", "MAX_DEPTH", "MAX_INT", "as_errors", "bilingual", "check_query_value",
           "check_text", "danish", "has_control_characters", "field_errors", "parse_json", "summary"]
