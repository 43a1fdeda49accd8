"""HTTP API of the notification service: delivery log, resend, preferences, unsubscribe, scheduler.

Thin views: validate -> identity and tenant check -> one handler call -> map the result.
"""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from notification import handlers
from notification import store as repo
from notification.config import Settings
from notification.scheduler import run_scheduler_once
from shared.http import Problem, current_identity
from shared.identity import STAFF_ROLES, Identity
from shared.mongo import ServiceStore


class DeliveryQuery(Schema):
    library_id = fields.Str(load_default=None)
    person_id = fields.Str(load_default=None)
    status = fields.Str(load_default=None, validate=validate.OneOf(repo.STATUSES))
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Int(load_default=50, validate=validate.Range(min=1, max=200))


class Delivery(Schema):
    id = fields.Str(attribute="_id")
    event_type = fields.Str()
    event_id = fields.Str()
    template = fields.Str()
    essential = fields.Bool()
    person_id = fields.Str()
    library_id = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    name = fields.Str(allow_none=True)
    language = fields.Str()
    status = fields.Str()
    attempts = fields.Int()
    resends = fields.Int()
    last_error = fields.Str(allow_none=True)
    created_at = fields.AwareDateTime()
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)


class DeliveryPage(Schema):
    items = fields.List(fields.Nested(Delivery))
    total = fields.Int()
    page = fields.Int()
    per_page = fields.Int()


class Preferences(Schema):
    non_essential = fields.Bool(required=True)


class UnsubscribeBody(Schema):
    token = fields.Str(required=True, validate=validate.Length(min=1, max=500))


class UnsubscribeResult(Schema):
    non_essential = fields.Bool()


class SchedulerResult(Schema):
    digest_mails = fields.Int()
    reminder_mails = fields.Int()


def _not_found(what_da: str, what_en: str) -> Problem:
    return Problem(404, f"{what_da} findes ikke.", detail_en=f"{what_en} not found.", code="not_found")


def _forbidden() -> Problem:
    return Problem(403, "Det kræver rollen administrator.", detail_en="Requires the administrator role.",
                   code="forbidden")


def _require_admin(identity: Identity) -> None:
    if identity.role != "administrator":
        raise _forbidden()


def blueprints(store: ServiceStore, settings: Settings) -> list[Blueprint]:
    bp = Blueprint("notification", __name__, description="Mail: delivery log, preferences, unsubscribe")

    @bp.route("/deliveries", methods=["GET"])
    @bp.arguments(DeliveryQuery, location="query")
    @bp.response(200, DeliveryPage)
    def list_deliveries(query):
        identity = current_identity(settings)
        if identity.role in STAFF_ROLES:
            # Staff see their own library's mail only; asking for another library reveals nothing.
            if query["library_id"] not in (None, identity.library_id):
                raise _not_found("Biblioteket", "Library")
            query["library_id"] = identity.library_id
        elif identity.role != "administrator":
            raise _forbidden()
        items, total = repo.list_mails(store.db, **query)
        return {"items": items, "total": total, "page": query["page"], "per_page": query["per_page"]}

    @bp.route("/deliveries/<mail_id>/resend", methods=["POST"])
    @bp.response(202, Delivery)
    def resend(mail_id):
        _require_admin(current_identity(settings))
        try:
            mail = handlers.resend(store, mail_id)
        except handlers.ResendRefused as exc:
            why = {
                "sending": ("Mailen er ved at blive sendt.", "The mail is being sent right now."),
                "erased": ("Modtageren er slettet.", "The recipient was erased."),
                "token": ("Linket i mailen er brugt eller udløbet; bed personen om et nyt link.",
                          "The link in this mail is used or expired; ask the person to request a new one."),
            }[exc.args[0]]
            raise Problem(409, why[0], detail_en=why[1], code=f"resend_{exc.args[0]}") from None
        if mail is None:
            raise _not_found("Mailen", "Mail")
        return mail

    @bp.route("/people/<person_id>/preferences", methods=["GET"])
    @bp.response(200, Preferences)
    def get_preferences(person_id):
        identity = current_identity(settings)
        if identity.person_id != person_id and identity.role != "administrator":
            raise _not_found("Personen", "Person")
        if repo.is_erased(store.db, person_id):
            raise _not_found("Personen", "Person")
        return repo.get_preferences(store.db, person_id)

    @bp.route("/people/<person_id>/preferences", methods=["PUT"])
    @bp.arguments(Preferences)
    @bp.response(200, Preferences)
    def put_preferences(body, person_id):
        identity = current_identity(settings)
        if identity.person_id != person_id or repo.is_erased(store.db, person_id):
            raise _not_found("Personen", "Person")
        return handlers.set_preferences(store, person_id, body["non_essential"])

    @bp.route("/unsubscribe", methods=["POST"])
    @bp.arguments(UnsubscribeBody)
    @bp.response(200, UnsubscribeResult)
    def unsubscribe(body):
        current_identity(settings)  # anonymous is fine, but it must come through the gateway
        handlers.unsubscribe(store, settings, body["token"])
        return {"non_essential": False}

    @bp.route("/scheduler/run", methods=["POST"])
    @bp.response(200, SchedulerResult)
    def run_scheduler():
        _require_admin(current_identity(settings))
        return run_scheduler_once(store, handlers.clock())

    return [bp]


def create_app(settings: Settings | None = None, *, service=None):
    """The gunicorn entry point: 'notification.api:create_app()'."""
    from notification.bootstrap import SERVICE

    service = service or SERVICE.bootstrap(settings)
    return SERVICE.create_app(service.settings, service.runtime)
