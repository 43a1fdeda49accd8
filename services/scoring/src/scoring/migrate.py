"""`python -m scoring.migrate`: bring the database to the schema this code needs, once per rollout
(a Kubernetes Job, a compose one-shot service, the first step of `make run` and of the tests).

It creates the indexes (store.INDEXES, with the outbox's and inbox's), seeds model version 1 as
published, and records the schema version (store.SCHEMA_VERSION) that the API and the consumer
check before they serve. Running it again changes nothing.
"""

from __future__ import annotations

import logging

from scoring import store
from scoring.bootstrap import bootstrap
from scoring.config import Settings
from scoring.domain import MODEL_V1, ModelVersionTaken
from shared import jsonlog

log = logging.getLogger(__name__)


def run(settings: Settings | None = None) -> None:
    """Create the indexes, seed model version 1 and record the schema version (idempotent)."""
    service = bootstrap(settings)
    try:
        service_store = service.runtime.open_store()
        service_store.ensure_indexes(store.INDEXES)
        if service.uow.repos.models.get(MODEL_V1.version) is None:
            try:
                service.uow.run(lambda work: work.repos.models.add(MODEL_V1))
            except ModelVersionTaken:
                pass  # another migrate seeded it at the same moment
        if store.schema_version(service_store.db) < store.SCHEMA_VERSION:
            store.set_schema_version(service_store.db, store.SCHEMA_VERSION)
        log.info("scoring database migrated", extra={"schema": store.SCHEMA_VERSION})
    finally:
        service.stop()


def main() -> None:
    settings = Settings.from_env()
    jsonlog.configure(settings.service, settings.log_level)
    run(settings)


if __name__ == "__main__":
    main()
