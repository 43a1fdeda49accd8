"""Declare event types once: a versioned marshmallow payload schema per type."""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import EXCLUDE, Schema


class Payload(Schema):
    """Base for event payload schemas; unknown fields are tolerated on receipt."""

    class Meta:
        unknown = EXCLUDE


@dataclass(frozen=True)
class EventType:
    name: str
    version: int
    schema: type[Payload]
    description: str


CATALOGUE: dict[str, EventType] = {}


def event(name: str, version: int = 1):
    """Register a payload schema under an event type name (the routing key)."""

    def register(schema: type[Payload]) -> type[Payload]:
        if name in CATALOGUE and CATALOGUE[name].schema is not schema:
            raise ValueError(f"event type {name!r} declared twice")
        doc = (schema.__doc__ or "").strip().splitlines()
        CATALOGUE[name] = EventType(name, version, schema, doc[0] if doc else "")
        schema.event_type = name  # type: ignore[attr-defined]
        schema.event_version = version  # type: ignore[attr-defined]
        return schema

    return register
