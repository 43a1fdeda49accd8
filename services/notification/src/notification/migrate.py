"""`python -m notification.migrate`: bring the database to `store.SCHEMA_VERSION`, once per rollout.

It creates the indexes (the outbox's, the inbox's and the service's own), runs the migrations
between versions (none yet: version 1 is the first shipped layout; no reference data to seed)
and records the version, which the API and the consumer wait for. Running it again changes
nothing.
"""

from __future__ import annotations

import logging

from notification.bootstrap import bootstrap
from notification.config import Settings
from notification.store import INDEXES, SCHEMA_VERSION, Repositories
from shared.jsonlog import configure as configure_logging
from shared.uow import Work

log = logging.getLogger(__name__)


def run(settings: Settings | None = None) -> None:
    """Create the indexes, migrate and record the schema version (safe to run again)."""
    service = bootstrap(settings)
    try:
        service.runtime.open_store().ensure_indexes(INDEXES)
        at = service.clock()

        def work(w: Work[Repositories]) -> int | None:
            found = w.repos.schema.version()
            if found is not None and found > SCHEMA_VERSION:
                raise RuntimeError(f"the database is at schema version {found}, newer than this code's "
                                   f"{SCHEMA_VERSION}: run a newer release's migrate")
            if found != SCHEMA_VERSION:
                w.repos.schema.set_version(SCHEMA_VERSION, at)
            return found

        found = service.uow.run(work)
        if found != SCHEMA_VERSION:
            log.info("database migrated", extra={"from_version": found, "to_version": SCHEMA_VERSION})
    finally:
        service.stop()


def main() -> None:
    """Migrate the database the CHORA_* variables name."""
    settings = Settings.from_env()
    configure_logging(settings.service, settings.log_level)
    run(settings)


if __name__ == "__main__":
    main()
