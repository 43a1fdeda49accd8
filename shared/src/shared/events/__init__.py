"""The event catalogue: the envelope and every event type, declared once and imported by
producers and consumers alike."""

from __future__ import annotations

import importlib
import json
import pkgutil
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from shared import context
from shared.events.base import CATALOGUE, EventType, Payload, consuming_services, event, produced_by, subscriptions

__all__ = [
    "CATALOGUE", "Event", "EventType", "EventError", "Payload", "consuming_services", "event", "new_event", "decode",
    "from_dict", "produced_by", "subscriptions",
]


class EventError(Exception):
    """An event that cannot be built or read: unknown type, bad envelope or bad payload."""

    def __init__(self, reason: str, errors: Any = None):
        super().__init__(reason if errors is None else f"{reason}: {errors}")
        self.reason = reason
        self.errors = errors


class EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Str(required=True)
    type = fields.Str(required=True)
    version = fields.Int(required=True)
    occurred_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    producer = fields.Str(required=True)
    correlation_id = fields.Str(required=True)
    causation_id = fields.Str(required=True, allow_none=True)
    payload = fields.Dict(required=True)


_ENVELOPE = EnvelopeSchema()


def _load_catalogue() -> None:
    """Import every module of this package: each declares its producer's event types."""
    for info in pkgutil.iter_modules(__path__):
        if info.name not in ("base", "sealing"):
            importlib.import_module(f"{__name__}.{info.name}")


_load_catalogue()


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    version: int
    occurred_at: datetime
    producer: str
    correlation_id: str
    causation_id: str | None
    payload: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "version": self.version,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "producer": self.producer,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "payload": self.payload,
        }

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()


_SCHEMAS: dict[str, Schema] = {}


def _schema(type_: str) -> Schema:
    """One schema instance per type: building one costs more than validating a payload."""
    schema = _SCHEMAS.get(type_)
    if schema is None:
        spec = CATALOGUE.get(type_)
        if spec is None:
            raise EventError(f"unknown event type {type_!r}")
        schema = _SCHEMAS[type_] = spec.schema()
    return schema


def _normalise(type_: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload validated and normalised by its schema (dump of load)."""
    schema = _schema(type_)
    try:
        normalised: dict[str, Any] = schema.dump(schema.load(payload))
        return normalised
    except ValidationError as exc:
        raise EventError(f"invalid payload for {type_}", exc.messages) from exc


def new_event(
    type_: str,
    payload: dict[str, Any],
    *,
    producer: str,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    now: datetime | None = None,
) -> Event:
    """Build an event, validating its payload against the catalogue (validation on publish)."""
    return Event(
        id=context.new_id(),
        type=type_,
        version=CATALOGUE[type_].version if type_ in CATALOGUE else 0,
        occurred_at=now or datetime.now(UTC),
        producer=producer,
        correlation_id=correlation_id or context.current_correlation_id(),
        causation_id=causation_id if causation_id is not None else context.causation_id.get(),
        payload=_normalise(type_, payload),
    )


def from_dict(data: Any) -> Event:
    """Validate a received envelope and its payload (validation on receipt)."""
    if not isinstance(data, dict):
        raise EventError("envelope is not a JSON object")
    try:
        env = _ENVELOPE.load(data)
    except ValidationError as exc:
        raise EventError("invalid envelope", exc.messages) from exc
    spec = CATALOGUE.get(env["type"])
    if spec is None:
        raise EventError(f"unknown event type {env['type']!r}")
    if env["version"] > spec.version:
        raise EventError(f"{env['type']} version {env['version']} is newer than known {spec.version}")
    return Event(payload=_normalise(env["type"], env["payload"]), **{k: v for k, v in env.items() if k != "payload"})


def decode(body: bytes | str) -> Event:
    """Parse and validate a message body."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise EventError("body is not valid JSON", str(exc)) from exc
    return from_dict(data)
