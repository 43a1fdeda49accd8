"""Where the evidence service is wired together: indexes, error table, blueprints, event handlers."""

from __future__ import annotations

from evidence import api, handlers, store
from evidence.config import Settings
from shared.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name="evidence",
    settings_class=Settings,
    title="Evidence: action plans, evidence items, attachments, reviews and shared cases",
    indexes=store.INDEXES,
    mapped_errors=api.ERROR_STATUS,
    blueprints=api.blueprints,
    event_handlers=handlers.EVENT_HANDLERS,
)


def bootstrap(settings: Settings | None = None):
    """Build the service from its settings (the HTTP app and the consumer run on what this gives)."""
    return SERVICE.bootstrap(settings)
