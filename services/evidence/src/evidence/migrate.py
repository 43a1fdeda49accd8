"""`python -m evidence.migrate`: bring the database to the schema version this code needs - the
indexes (the outbox's and inbox's too) and the recorded version. Run once per rollout, before the
API and the consumer (which refuse to serve until it has run); running it again changes nothing."""

from __future__ import annotations

import logging

from evidence import store
from evidence.bootstrap import bootstrap
from evidence.config import Settings
from shared import jsonlog

log = logging.getLogger(__name__)


def run(settings: Settings | None = None) -> None:
    """Create the indexes and record the schema version (idempotent)."""
    service = bootstrap(settings)
    try:
        service.store.ensure_indexes(store.INDEXES)
        if store.schema_version(service.store.db) != store.SCHEMA_VERSION:
            store.record_schema_version(service.store.db, store.SCHEMA_VERSION)
    finally:
        service.stop()


def main() -> None:
    """Migrate the database named by the environment."""
    settings = Settings.from_env()
    jsonlog.configure(settings.service, settings.log_level)
    run(settings)
    log.info("migrated", extra={"schema_version": store.SCHEMA_VERSION})


if __name__ == "__main__":
    main()
