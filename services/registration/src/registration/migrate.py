"""`python -m registration.migrate`: the start-up work, run once per rollout before the API serves.

Creates the indexes, the shipped cohorts, the demo seed when CHORA_SEED_DEMO=1 and the first
administrator when CHORA_BOOTSTRAP_ADMIN_EMAIL and _PASSWORD are set, then records the schema
version the API checks for. Idempotent: a second run (or several at once) changes nothing. The
events it records (cohort.created, ...) wait in the outbox for the API processes' relay.
"""

from __future__ import annotations

import logging

from registration import store
from registration.bootstrap import Service, bootstrap
from registration.config import Settings
from registration.domain import commands as c
from shared import jsonlog

log = logging.getLogger(__name__)


def run(settings: Settings | None = None) -> None:
    """Bring the service's database to the schema version this code needs (safe to run again)."""
    service = bootstrap(settings)
    try:
        migrate(service)
    finally:
        service.stop()


def migrate(service: Service) -> None:
    """Do the start-up work on a built service."""
    settings = service.settings
    service.runtime.open_store().ensure_indexes(store.INDEXES)
    if service.bus.handle(c.AddShippedCohorts()):
        log.info("shipped cohorts created")
    if settings.seed_demo:
        created = service.bus.handle(c.SeedPilotLibraries())
        if created:
            log.info("seeded pilot libraries", extra={"libraries_created": created})
    if settings.bootstrap_admin_email:
        if service.bus.handle(c.CreateFirstAdministrator(settings.bootstrap_admin_email,
                                                         settings.bootstrap_admin_password)):
            log.info("bootstrap administrator created")
    schema = service.uow.repos.schema
    if (schema.version() or 0) < store.SCHEMA_VERSION:
        schema.record(store.SCHEMA_VERSION, service.clock())
        log.info("schema version recorded", extra={"schema_version": store.SCHEMA_VERSION})


def main() -> None:
    """Entry point of `python -m registration.migrate`."""
    settings = Settings.from_env()
    jsonlog.configure(settings.service, settings.log_level)
    run(settings)


if __name__ == "__main__":
    main()
