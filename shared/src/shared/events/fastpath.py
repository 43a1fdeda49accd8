"""A compiled fast path for validating and normalising event payloads.

The contract of a payload is its marshmallow schema: `schema.dump(schema.load(payload))` gives the
normalised payload or a validation error. Every event is validated twice (on publish and on
receipt), and marshmallow's generic machinery costs about a millisecond for a payload the size of
`score.changed`. For the plain shapes the catalogue uses (strings, numbers, booleans, lists, dicts,
nested schemas, ISO dates and times, with their validators) `compile_schema` builds a checker that
gives the same result many times faster.

The checker never reports an error and never guesses: a value of another type than the plain one
(an integer written as a string, say), a failing validator or anything it does not know makes it
decline, and the caller runs marshmallow, which gives the normalised payload or the error. A field
type it does not know is checked by that marshmallow field itself. Tests hold it equal to
marshmallow over the whole catalogue.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields
from marshmallow.utils import missing

Converter = Callable[[Any], Any]


class Decline(Exception):
    """The fast path is not sure: marshmallow decides."""


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# What datetime.isoformat() writes for an aware datetime (which is what marshmallow dumps).
_AWARE_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?[+-]\d{2}:\d{2}")


def _str(v: Any) -> Any:
    if type(v) is str:
        return v
    raise Decline


def _int(v: Any) -> Any:
    if type(v) is int:
        return v
    raise Decline


def _float(v: Any) -> Any:
    if type(v) is float:
        if math.isfinite(v):
            return v
        raise Decline
    if type(v) is int:
        return float(v)
    raise Decline


def _bool(v: Any) -> Any:
    if type(v) is bool:
        return v
    raise Decline


def _raw(v: Any) -> Any:
    return v


def _date(v: Any) -> Any:
    if type(v) is str and _DATE.fullmatch(v):
        try:
            date.fromisoformat(v)
        except ValueError:
            raise Decline from None
        return v
    raise Decline


def _aware_datetime(v: Any) -> Any:
    if type(v) is str and _AWARE_DATETIME.fullmatch(v):
        try:
            return datetime.fromisoformat(v).isoformat()
        except ValueError:
            raise Decline from None
    raise Decline


_PLAIN: dict[type, Converter] = {
    fields.String: _str,
    fields.Integer: _int,
    fields.Float: _float,
    fields.Boolean: _bool,
    fields.Raw: _raw,
    fields.Date: _date,
}


def _by_marshmallow(field: fields.Field) -> Converter:
    """A field the fast path does not know, checked by the marshmallow field itself."""

    def convert(v: Any) -> Any:
        try:
            return field._serialize(field.deserialize(v), field.name, None)
        except ValidationError:
            raise Decline from None

    return convert


def _validated(convert: Converter, validators: list[Callable[[Any], Any]]) -> Converter:
    def check(v: Any) -> Any:
        out = convert(v)
        try:
            for validator in validators:
                if validator(out) is False:
                    raise Decline
        except ValidationError:
            raise Decline from None
        return out

    return check


def _nullable(convert: Converter, allow_none: bool) -> Converter:
    def check(v: Any) -> Any:
        if v is None:
            if allow_none:
                return None
            raise Decline
        return convert(v)

    return check


def _list(inner: Converter) -> Converter:
    def check(v: Any) -> Any:
        if type(v) is not list:
            raise Decline
        return [inner(x) for x in v]

    return check


def _dict(keys: Converter, values: Converter) -> Converter:
    def check(v: Any) -> Any:
        if type(v) is not dict:
            raise Decline
        return {keys(k): values(x) for k, x in v.items()}

    return check


def _field(field: fields.Field) -> Converter:
    """The converter of one field (None handling and validators included)."""
    if field.data_key is not None or field.attribute is not None or field.load_only or field.dump_only:
        return _by_marshmallow(field)
    kind = type(field)
    convert: Converter | None = _PLAIN.get(kind)
    loaded_equals_dumped = kind not in (fields.Date, fields.AwareDateTime)
    if kind is fields.AwareDateTime and getattr(field, "format", None) is None:
        convert = _aware_datetime
    elif kind is fields.List and isinstance(field, fields.List):
        convert = _list(_field(field.inner))
    elif kind is fields.Dict and isinstance(field, fields.Dict):
        convert = _dict(
            _field(field.key_field) if field.key_field is not None else _raw,
            _field(field.value_field) if field.value_field is not None else _raw,
        )
    elif isinstance(field, fields.Nested) and kind is fields.Nested and not field.many and not field.only \
            and not field.exclude:
        nested = field.schema
        if field.unknown not in (None, EXCLUDE) or nested.unknown != EXCLUDE:
            return _by_marshmallow(field)
        compiled = compile_schema(nested)
        convert = compiled if compiled is not None else None
    if convert is None:
        return _by_marshmallow(field)
    if field.validators:
        if not loaded_equals_dumped:
            return _by_marshmallow(field)  # validators see the loaded date, not the string
        convert = _validated(convert, list(field.validators))
    return _nullable(convert, field.allow_none)


def compile_schema(schema: Schema) -> Callable[[Mapping[str, Any]], dict[str, Any]] | None:
    """A function giving `schema.dump(schema.load(payload))` or raising Decline, or None when the
    schema uses what the fast path does not model (hooks, unknown fields kept or refused, many)."""
    if schema.many or any(schema._hooks.values()) or schema.unknown != EXCLUDE:
        return None
    if any(f.dump_default is not missing for f in schema.fields.values()):
        return None
    declared = [(name, f) for name, f in schema.fields.items()]
    plan = []
    for name, f in declared:
        default = f.load_default
        plan.append((name, _field(f), f.required, default, f))

    def convert(payload: Mapping[str, Any]) -> dict[str, Any]:
        if type(payload) is not dict:
            raise Decline
        out: dict[str, Any] = {}
        for name, check, required, default, field in plan:
            if name in payload:
                out[name] = check(payload[name])
            elif required:
                raise Decline
            elif default is not missing:
                value = default() if callable(default) else default
                out[name] = None if value is None else field._serialize(value, name, None)
        return out

    return convert


__all__ = ["Decline", "compile_schema"]
