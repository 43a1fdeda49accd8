"""Handlers: commands and consumed events -> domain -> store + outbox, one transaction each."""

from scoring.handlers.certificates import (
    DECISIONS,
    LibraryNotFound,
    Scheduler,
    certificate_view,
    decide,
    public_certificate,
    run_scheduler_once,
)
from scoring.handlers.core import BATCH_SIZE, evaluate, rescore_all, utcnow
from scoring.handlers.events import EVENT_HANDLERS, handle_batch
from scoring.handlers.models import (
    ModelNotFound,
    create_draft,
    get_model,
    list_models,
    preview_model,
    publish_model,
    rescore_stale,
    seed_model_v1,
    update_draft,
)
from scoring.handlers.views import (
    adjust_requirement,
    directory,
    figures,
    figures_csv,
    progress,
    projection_from_export,
    rebuild,
    requirements,
    review_queue,
)

__all__ = [
    "BATCH_SIZE", "DECISIONS", "EVENT_HANDLERS", "handle_batch", "LibraryNotFound", "ModelNotFound", "Scheduler",
    "adjust_requirement", "certificate_view", "create_draft", "decide", "directory", "evaluate", "figures",
    "figures_csv", "get_model", "list_models", "preview_model", "progress", "projection_from_export",
    "public_certificate", "publish_model", "rebuild", "requirements", "rescore_all", "rescore_stale",
    "review_queue", "run_scheduler_once", "seed_model_v1", "update_draft", "utcnow",
]
