"""Declare event types once: a versioned marshmallow payload schema per type, with the service
that produces it and the services that consume it. The broker topology follows from these
declarations (shared.messaging.topology), so who consumes what is a declared fact."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from marshmallow import EXCLUDE, Schema, fields


class Payload(Schema):
    """Base for event payload schemas; unknown fields are tolerated on receipt."""

    class Meta:
        unknown = EXCLUDE


class Sealed(fields.Str):
    """A secret payload field (a one-time token): encrypted by the producer for `audience` alone,
    so it never travels, nor rests in a queue or a dead letter, in clear (shared.events.sealing)."""

    def __init__(self, *, audience: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.audience = audience


@dataclass(frozen=True)
class EventType:
    name: str
    version: int
    schema: type[Payload]
    description: str
    producer: str
    consumers: tuple[str, ...] = ()
    # payload field -> the one service that may read it in clear
    sealed: tuple[tuple[str, str], ...] = ()


CATALOGUE: dict[str, EventType] = {}


def event(name: str, version: int = 1, *, producer: str,
          consumers: Iterable[str] = ()) -> Callable[[type[Payload]], type[Payload]]:
    """Register a payload schema under an event type name (the routing key), its producer and consumers."""
    consumers = tuple(sorted(set(consumers)))

    def register(schema: type[Payload]) -> type[Payload]:
        if name in CATALOGUE and CATALOGUE[name].schema is not schema:
            raise ValueError(f"event type {name!r} declared twice")
        doc = (schema.__doc__ or "").strip().splitlines()
        sealed = tuple(sorted((field_name, f.audience) for field_name, f in schema._declared_fields.items()
                              if isinstance(f, Sealed)))
        for field_name, audience in sealed:
            if audience not in consumers:
                raise ValueError(f"{name}.{field_name} is sealed for {audience!r}, which does not consume {name}")
        CATALOGUE[name] = EventType(name, version, schema, doc[0] if doc else "", producer, consumers, sealed)
        schema.event_type = name  # type: ignore[attr-defined]
        schema.event_version = version  # type: ignore[attr-defined]
        return schema

    return register


def subscriptions(service: str) -> tuple[str, ...]:
    """The event types a service consumes, as the catalogue declares them."""
    return tuple(sorted(t.name for t in CATALOGUE.values() if service in t.consumers))


def produced_by(service: str) -> tuple[str, ...]:
    """The event types a service produces."""
    return tuple(sorted(t.name for t in CATALOGUE.values() if t.producer == service))


def consuming_services() -> tuple[str, ...]:
    """Every service that consumes at least one event type."""
    return tuple(sorted({c for t in CATALOGUE.values() for c in t.consumers}))
