"""HTTP API of the notification service (only the gateway calls it, with a signed identity):
the delivery log, resend, preferences, unsubscribe, and running the scheduler now.

Thin views: parse -> one command through the bus (or one view function) -> the answer through
its schema. `ERRORS` is the service's one table of domain errors to statuses.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint

from notification import views
from notification.bootstrap import Service, bootstrap
from notification.config import Settings
from notification.domain.commands import ResendMail, RunScheduler, SetPreferences, Unsubscribe
from notification.domain.errors import (
    AdministratorsOnly,
    AlreadyPlanned,
    InvalidUnsubscribeToken,
    NotFound,
    ResendRefused,
)
from notification.schemas import (
    Delivery,
    DeliveryPage,
    DeliveryQuery,
    Preferences,
    PreferencesIn,
    SchedulerResult,
    UnsubscribeBody,
)
from shared.http import PROBLEM, ProblemSchema, create_service_app, current_identity, problem_response
from shared.jsonlog import configure as configure_logging

ERRORS: dict[type[Exception], int] = {
    InvalidUnsubscribeToken: 400,
    AdministratorsOnly: 403,
    NotFound: 404,
    ResendRefused: 409,
    AlreadyPlanned: 409,
}

# What answers while the database is not migrated: the probes and the API's own document.
ALWAYS_SERVED = frozenset({"health", "api-docs"})


def _problems(bp: Blueprint, *statuses: int) -> Any:
    """Document the error answers a view may give (problem+json)."""
    def decorate(view: Any) -> Any:
        for status in statuses:
            view = bp.alt_response(status, schema=ProblemSchema, content_type=PROBLEM,
                                   description="problem+json")(view)
        return view
    return decorate


def blueprint(service: Service) -> Blueprint:
    """Return the service's views, bound to one service."""
    bp = Blueprint("notification", __name__, description="Mail: delivery log, preferences, unsubscribe")
    settings, bus, uow = service.settings, service.bus, service.uow

    @bp.route("/deliveries", methods=["GET"])
    @bp.arguments(DeliveryQuery, location="query")
    @bp.response(200, DeliveryPage)
    @_problems(bp, 401, 403, 404)
    def list_deliveries(query: dict[str, Any]) -> Any:
        """The delivery log: an administrator's of every library, staff's of their own library only."""
        return views.deliveries(query, current_identity(settings), uow)

    @bp.route("/deliveries/<mail_id>/resend", methods=["POST"])
    @bp.response(202, Delivery)
    @_problems(bp, 401, 403, 404, 409)
    def resend(mail_id: str) -> Any:
        """Queue a logged mail again (administrators)."""
        return bus.handle(ResendMail(mail_id, current_identity(settings)))

    @bp.route("/people/<person_id>/preferences", methods=["GET"])
    @bp.response(200, Preferences)
    @_problems(bp, 401, 404)
    def get_preferences(person_id: str) -> Any:
        """A person's mail preferences (the person, or an administrator)."""
        return views.preferences(person_id, current_identity(settings), uow)

    @bp.route("/people/<person_id>/preferences", methods=["PUT"])
    @bp.arguments(PreferencesIn)
    @bp.response(200, Preferences)
    @_problems(bp, 401, 404)
    def put_preferences(body: dict[str, Any], person_id: str) -> Any:
        """Change one's own mail preferences."""
        return bus.handle(SetPreferences(person_id, body["non_essential"], current_identity(settings)))

    @bp.route("/unsubscribe", methods=["POST"])
    @bp.arguments(UnsubscribeBody)
    @bp.response(200, Preferences)
    @_problems(bp, 400, 401)
    def unsubscribe(body: dict[str, Any]) -> Any:
        """Turn off non-essential mail with the signed link from a mail (anyone holding it)."""
        current_identity(settings)  # anonymous is fine, but it must come through the gateway
        return bus.handle(Unsubscribe(body["token"]))

    @bp.route("/scheduler/run", methods=["POST"])
    @bp.response(200, SchedulerResult)
    @_problems(bp, 401, 403)
    def run_scheduler() -> Any:
        """Run the scheduler's pass now (administrators); safe to repeat."""
        return bus.handle(RunScheduler(current_identity(settings)))

    return bp


def _refuse_until_migrated(app: Flask, service: Service) -> None:
    """Answer 503 to every request but the probes until the database is at our schema version."""
    migrated = False

    @app.before_request
    def check_schema() -> ResponseReturnValue | None:
        nonlocal migrated
        if migrated or request.blueprint in ALWAYS_SERVED:
            return None
        status = service.schema_status()
        if status == "ok":
            migrated = True  # a schema version does not go back
            return None
        if status.startswith("error"):
            return problem_response(503, "Tjenesten kan ikke nå sin database. Prøv igen om lidt.",
                                    detail_en=f"The service cannot reach its database: {status}", code="unavailable")
        return problem_response(503, "Tjenesten er ikke klar: databasen er ikke migreret.",
                                detail_en=f"The service is not ready: {status}", code="not_migrated")


def create_app(settings: Settings | None = None, *, service: Service | None = None) -> Flask:
    """Build the HTTP app and start this process's outbox relay (gunicorn: 'notification.api:create_app()')."""
    service = service or bootstrap(settings)
    configure_logging(service.settings.service, service.settings.log_level)
    app, api = create_service_app(
        service.settings, title="Notification service", mapped_errors=ERRORS,
        runtime_ready=lambda: {**service.runtime.check_ready(), "schema": service.schema_status()},
        idempotency_db=service.runtime.store.db if service.runtime.store is not None else None,
    )
    _refuse_until_migrated(app, service)
    api.register_blueprint(blueprint(service))
    service.runtime.start_relay()
    app.extensions["chora_runtime"] = service.runtime
    app.extensions["chora_service"] = service
    return app
