"""Where the scoring service is wired together: indexes, error table, blueprints, handlers."""

from __future__ import annotations

from scoring import api, handlers, store
from scoring.config import Settings
from scoring.domain import (
    InvalidAdjustment,
    InvalidEvidenceEvent,
    InvalidModel,
    InvalidTransition,
    ModelNotEditable,
    UnknownRequirement,
)
from shared.mongo import ServiceStore
from shared.service import ServiceDefinition


def on_start(service_store: ServiceStore, settings: Settings) -> None:
    """Seed model version 1 (idempotently), give libraries from before `library_states` their
    lookup document, and finish a re-scoring an earlier process left unfinished."""
    handlers.seed_model_v1(service_store)
    store.migrate_library_states(service_store.db)
    handlers.rescore_stale(service_store, handlers.utcnow())


SERVICE = ServiceDefinition(
    name="scoring",
    settings_class=Settings,
    title="Scoring: model versions, requirement profiles, progress and certificates",
    indexes=store.INDEXES,
    mapped_errors={
        InvalidModel: 422,
        InvalidAdjustment: 422,
        InvalidEvidenceEvent: 422,
        UnknownRequirement: 404,
        InvalidTransition: 409,
        ModelNotEditable: 409,
        handlers.ModelNotFound: 404,
        handlers.LibraryNotFound: 404,
    },
    blueprints=api.blueprints,
    event_handlers=handlers.EVENT_HANDLERS,
    batch_handler=handlers.handle_batch,
    on_start=on_start,
    on_consumer_start=lambda store, settings: _start_scheduler(store, settings),
)


def _start_scheduler(store, settings):
    """The consumer process runs the certificate scheduler (check-in reminders, lapses, the daily
    re-score); returns its stop function."""
    handlers.seed_model_v1(store)
    return handlers.Scheduler(store, interval=settings.scheduler_interval).start().stop


def bootstrap(settings: Settings | None = None):
    """Build the service from its settings (the HTTP app and the consumer run on what this gives)."""
    return SERVICE.bootstrap(settings)
