"""The one place where the registration service is wired: settings, store indexes, error table,
blueprints, start-up work (cohorts, optional demo seed, first administrator)."""

from __future__ import annotations

import logging

from registration import api, handlers, store
from registration.access import Forbidden
from registration.config import Settings
from registration.domain.errors import (
    Conflict,
    IllegalTransition,
    InvalidField,
    InvalidInput,
    NotFound,
    RegistrationError,
    TokenExpired,
    TokenSuperseded,
    TokenUnknown,
    TokenUsed,
)
from registration.domain.signin import SignInThrottled
from shared.mongo import ServiceStore
from shared.service import ServiceDefinition

log = logging.getLogger(__name__)

# Domain errors -> HTTP status (problem+json with the error's Danish and English text and field).
MAPPED_ERRORS: dict[type[Exception], int] = {
    RegistrationError: 422,
    InvalidField: 422,
    InvalidInput: 422,
    Forbidden: 403,
    NotFound: 404,
    TokenUnknown: 404,
    Conflict: 409,
    IllegalTransition: 409,
    TokenExpired: 410,
    TokenUsed: 410,
    TokenSuperseded: 410,
    SignInThrottled: 429,
}


def on_start(service_store: ServiceStore, settings: Settings) -> None:
    """Create the cohorts, the demo seed if asked for, and the first administrator if configured.

    Every step is idempotent, across restarts and across workers starting at the same moment.
    """
    h = handlers.Handlers(service_store)
    created = h.seed(demo=settings.seed_demo)
    if created:
        log.info("seeded pilot libraries", extra={"libraries_created": created})
    if settings.bootstrap_admin_email:
        if h.ensure_bootstrap_admin(settings.bootstrap_admin_email, settings.bootstrap_admin_password):
            log.info("bootstrap administrator created")


SERVICE = ServiceDefinition(
    name="registration",
    settings_class=Settings,
    title="Registration: libraries, people, cohorts",
    indexes=store.INDEXES,
    mapped_errors=MAPPED_ERRORS,
    blueprints=api.blueprints,
    event_handlers=handlers.EVENT_HANDLERS,
    on_start=on_start,
)


def bootstrap(settings: Settings | None = None):
    """Build the service from its settings (the HTTP app and the consumer run on what this gives)."""
    return SERVICE.bootstrap(settings)
