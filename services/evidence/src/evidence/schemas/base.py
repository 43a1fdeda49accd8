"""What the evidence schemas are built from: labels, the answer base that reads `Seen` resources,
a few fields marshmallow lacks, the draft schema that lets the domain judge typed content, and the
schema of an answer that is one of several."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, post_dump

from evidence.domain import Seen


def label(da: str, en: str, description: str = "") -> dict[str, str]:
    """The metadata of a field a person fills in: its label in Danish and English."""
    meta = {"label_da": da, "label_en": en}
    if description:
        meta["description"] = description
    return meta


def about(description: str) -> dict[str, str]:
    return {"description": description}


class AnswerSchema(Schema):
    """A response body dumped from the service's plain data; every field is always present
    (`required` documents that), and a `Seen` resource also answers `actions` and what it carries."""

    # Optional members left out of the body when they are empty (documented as not required).
    OMIT_WHEN_NONE: ClassVar[tuple[str, ...]] = ()

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        if isinstance(obj, Seen):
            if attr == "actions":
                return list(obj.actions)
            if attr in obj.also:
                return obj.also[attr]
            obj = obj.resource
        return super().get_attribute(obj, attr, default)

    @post_dump
    def _omit_empty(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        for name in self.OMIT_WHEN_NONE:
            if data.get(name) is None:
                data.pop(name, None)
        return data


class IsoDate(fields.Date):
    """A calendar date; stored and answered as its ISO string (`YYYY-MM-DD`)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        assert isinstance(value, date)
        return value.isoformat()


class Figure(fields.Float):
    """A number as typed: a whole number stays whole (`5`, not `5.0`)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class Count(fields.Integer):
    """How many entries the attribute (a list) has."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> int:
        return len(value or ())


class AttachmentPath(fields.String):
    """The service path of an attachment's bytes or its thumbnail (the gateway maps it)."""

    def __init__(self, *, thumbnail: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.thumbnail = thumbnail

    def serialize(self, attr: str, obj: Any, accessor: Any = None, **kwargs: Any) -> str | None:
        if self.thumbnail and not obj.thumbnail_id:
            return None
        path = f"/evidence/{obj.item_id}/attachments/{obj.file_id}"
        return f"{path}/thumbnail" if self.thumbnail else path


class NameOrPartner(fields.Nested):
    """A partner given as a name, or as `{name, kind}`."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, partial: Any = None, **kwargs: Any) -> Any:
        given = {"name": value} if isinstance(value, str) else value
        return super()._deserialize(given, attr, data, partial=partial, **kwargs)


class DraftSchema(Schema):
    """A body of content fields that the domain judges field by field (a draft keeps every valid
    field; each invalid one is reported in Danish and English). The declared types and validators
    say what the domain accepts; a content field they refuse is handed on as sent, for the domain
    to name, and so is an undeclared one (the domain reports it as unknown)."""

    # Fields of the request itself (the revision it is based on): refused here, like any schema.
    OWN_FIELDS: ClassVar[frozenset[str]] = frozenset({"revision"})

    def load(self, data: Any, *, many: bool | None = None, partial: Any = None,  # type: ignore[override]
             unknown: str | None = None) -> Any:
        try:
            return super().load(data, many=many, partial=partial, unknown=unknown)
        except ValidationError as exc:
            if not isinstance(data, Mapping) or not isinstance(exc.messages, dict):
                raise
            refused_here = {k: v for k, v in exc.messages.items() if k in self.OWN_FIELDS or k not in data}
            if refused_here:
                raise ValidationError(refused_here, data=data, valid_data=exc.valid_data) from None
            valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}
            return {**valid, **{k: data[k] for k in exc.messages}}


class OneOf(Schema):
    """An answer that is one of several schemas, picked per answer; the operation documents it as
    `oneOf` those schemas (`openapi`), each of which is what really dumps the body."""

    def __init__(self, pick: Callable[[Any], type[Schema]], *choices: type[Schema]):
        super().__init__()
        self.pick = pick
        self.choices = choices
        self._dumpers = {choice: choice() for choice in choices}

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        return self._dumpers[self.pick(obj)].dump(obj, many=many)

    def openapi(self, status: int) -> dict[str, Any]:
        """The `@blp.doc` that documents this answer under `status` as oneOf its schemas."""
        schema = {"oneOf": list(self.choices)}
        return {"responses": {status: {"content": {"application/json": {"schema": schema}}}}}
