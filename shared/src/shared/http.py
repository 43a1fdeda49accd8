"""HTTP plumbing for every service: a Flask app with flask-smorest, errors as RFC 9457
problem+json (Danish first, with the field), request and correlation ids, health, readiness,
Prometheus metrics and an OpenTelemetry server span per request (continuing the caller's W3C
traceparent); the correlation id is the trace id."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from flask import Blueprint, Flask, Response, g, jsonify, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import INCLUDE, Schema, fields
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pymongo.database import Database
from werkzeug.exceptions import HTTPException

from shared import context, idempotency, identity, metrics, tracing, validation
from shared.config import ServiceSettings

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"

# Danish and English titles for the statuses we answer with.
TITLES = {
    400: ("Ugyldig forespørgsel", "Bad request"),
    401: ("Du er ikke logget ind", "Not authenticated"),
    403: ("Du har ikke adgang", "Forbidden"),
    404: ("Findes ikke", "Not found"),
    405: ("Metoden er ikke tilladt", "Method not allowed"),
    409: ("Konflikt", "Conflict"),
    410: ("Udløbet eller brugt", "Gone"),
    413: ("For stor", "Payload too large"),
    415: ("Filtypen understøttes ikke", "Unsupported media type"),
    422: ("Ugyldige data", "Invalid data"),
    429: ("For mange forsøg", "Too many requests"),
    500: ("Der opstod en fejl hos os", "Internal error"),
    503: ("Tjenesten er midlertidigt utilgængelig", "Service unavailable"),
}


class Problem(Exception):
    """Raise from a view to answer with problem+json."""

    def __init__(self, status: int, detail: str = "", *, detail_en: str = "", field: str | None = None,
                 code: str | None = None, errors: Mapping[str, Any] | None = None, **extra: Any):
        super().__init__(detail or detail_en)
        self.status, self.detail, self.detail_en = status, detail, detail_en
        self.field, self.code, self.errors, self.extra = field, code, errors, extra


def problem_response(status: int, detail: str = "", *, detail_en: str = "", field: str | None = None,
                     code: str | None = None, errors: Mapping[str, Any] | None = None, **extra: Any) -> Response:
    title_da, title_en = TITLES.get(status, ("Fejl", "Error"))
    body: dict[str, Any] = {
        "type": f"https://verdensmaal.dk/problems/{code}" if code else "about:blank",
        "title": title_da,
        "title_en": title_en,
        "status": status,
        "detail": detail or title_da,
        "detail_en": detail_en or detail or title_en,
        "request_id": context.request_id.get(),
    }
    if code:
        body["code"] = code
    if field:
        body["field"] = field
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    return response


def validation_problem(problems: list[validation.FieldError], status: int = 422,
                       code: str = "validation") -> Response:
    """A problem+json naming every field at fault, each with its label and reason."""
    if not problems:
        problems = [validation.FieldError("_", "Ugyldige data.", "Invalid data.")]
    detail_da, detail_en = validation.summary(problems)
    return problem_response(status, detail_da, detail_en=detail_en, field=problems[0].field, code=code,
                            errors=validation.as_errors(problems))


class ProblemSchema(Schema):
    """An error answer (RFC 9457 problem+json) as `problem_response` renders it; some carry more
    members (a partly saved draft its `item` or `plan` and `saved`, a 503 the `service`)."""

    class Meta:
        unknown = INCLUDE  # documented as additionalProperties: true

    type = fields.Str(required=True, metadata={"description": "https://verdensmaal.dk/problems/<code>, or about:blank"})
    title = fields.Str(required=True, metadata={"description": "Danish title of the status"})
    title_en = fields.Str(required=True, metadata={"description": "English title of the status"})
    status = fields.Int(required=True, metadata={"description": "the HTTP status"})
    detail = fields.Str(required=True, metadata={"description": "what went wrong, in Danish"})
    detail_en = fields.Str(required=True, metadata={"description": "what went wrong, in English"})
    request_id = fields.Str(required=True, allow_none=True, metadata={"description": "quote it when reporting a problem"})
    code = fields.Str(metadata={"description": "machine-readable reason, e.g. validation, stale_revision"})
    field = fields.Str(metadata={"description": "the (first) field at fault, dotted for nested fields"})
    errors = fields.Dict(
        keys=fields.Str(),
        values=fields.Dict(),
        metadata={"description": "every field at fault, in the form's order: dotted path -> "
                                 "{label, label_en, message, message_en}"},
    )
    problems = fields.List(fields.Dict(), metadata={"description": "every problem of a partly invalid document"})
    current_state = fields.Str(metadata={"description": "409: the document's status that refused the change"})


class ProblemApi(Api):  # type: ignore[misc]  # flask-smorest's Api is untyped
    """flask-smorest Api whose errors are problem+json (answered and documented)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        """Declare the shared error responses (`DEFAULT_ERROR`, `UNPROCESSABLE_ENTITY`, ...) as
        problem+json: flask-smorest's own would say application/json with its Error schema."""
        for status in HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error (problem+json)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error: HTTPException) -> Response:
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        if status == 422 and "messages" in data:
            return validation_problem(validation.field_errors(data["messages"], data.get("schema")))
        return problem_response(status, TITLES.get(status, ("", ""))[0], detail_en=error.description or "")


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    runtime_ready: Callable[[], dict[str, str]] | None = None,
    mapped_errors: Mapping[type[Exception], int] | None = None,
    api_prefix: str = "",
    idempotency_db: Database[Any] | None = None,
    metrics_collectors: Sequence[object] = (),
) -> tuple[Flask, ProblemApi]:
    """Build the Flask app and Api every service shares; the caller registers blueprints.

    With idempotency_db (the service's database), state-changing requests honour an
    Idempotency-Key header (shared.idempotency)."""
    tracing.configure(settings.service)
    app = Flask(settings.service)
    app.config.update(
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=api_prefix or "/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/static-swagger/",
        MAX_CONTENT_LENGTH=110 * 1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    api = ProblemApi(app)
    app.extensions["chora_settings"] = settings
    # First, so the request's span is current when the ids below are bound.
    FlaskInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics",
                                     request_hook=lambda span, _environ: span.set_attribute("chora.service",
                                                                                            settings.service))
    _install_request_context(app, settings)
    _install_errors(app, {idempotency.IdempotencyConflict: 409, **(mapped_errors or {})})
    if idempotency_db is not None:
        _install_idempotency(app, settings, idempotency_db)
    app.register_blueprint(_health_blueprint(runtime_ready or (lambda: {}), metrics.registry(metrics_collectors)))
    return app, api


def _install_request_context(app: Flask, settings: ServiceSettings) -> None:
    @app.before_request
    def bind_ids() -> None:
        g.started = time.perf_counter()
        rid = request.headers.get("X-Request-ID") or context.new_id()
        # The trace id (the caller's, from its traceparent, or this request's new one).
        cid = tracing.current_trace_id() or request.headers.get("X-Correlation-ID") or rid
        g.id_tokens = (context.request_id.set(rid), context.correlation_id.set(cid))

    @app.before_request
    def refuse_malformed_input() -> Response | None:
        return check_input()

    @app.after_request
    def echo_ids(response: Response) -> Response:
        response.headers["X-Request-ID"] = context.request_id.get() or ""
        response.headers["X-Correlation-ID"] = context.correlation_id.get() or ""
        if request.endpoint and not request.path.startswith("/metrics"):
            metrics.HTTP_REQUESTS.labels(settings.service, request.method, str(response.status_code)).inc()
            metrics.HTTP_LATENCY.labels(settings.service).observe(time.perf_counter() - g.get("started", time.perf_counter()))
        return response

    @app.teardown_request
    def unbind_ids(_exc: BaseException | None) -> None:
        tokens = g.pop("id_tokens", None)
        if tokens:
            context.correlation_id.reset(tokens[1])
            context.request_id.reset(tokens[0])


def check_input() -> Response | None:
    """Refuse, before any schema or view, what no field may hold: control characters and lone
    surrogates in the path, the query or a JSON body, numbers beyond 2^53 or not finite, JSON
    nested deeper than validation.MAX_DEPTH (a 4xx problem naming the field, never a 5xx)."""
    if validation.has_control_characters(request.path):
        return problem_response(404, detail_en="Not found.")
    try:
        for key, values in request.args.lists():
            validation.check_text(key, key)
            for value in values:
                validation.check_query_value(value, key)
        if request.mimetype == "application/json" or request.mimetype.endswith("+json"):
            body = request.get_data(cache=True)
            if body:
                validation.parse_json(body)
    except validation.InputRefused as refused:
        return validation_problem([refused.error], status=400, code="invalid_input")
    return None


def _install_idempotency(app: Flask, settings: ServiceSettings, db: Database[Any]) -> None:
    @app.before_request
    def replay_or_claim() -> Response | None:
        key = request.headers.get(idempotency.HEADER)
        if key is None or request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return None
        if not idempotency.KEY_FORM.match(key):
            return validation_problem([validation.FieldError(
                idempotency.HEADER, "Skal være 8-200 tegn: bogstaver, tal, punktum, bindestreg, kolon eller understreg.",
                "Must be 8-200 letters, digits, dots, dashes, colons or underscores.", idempotency.HEADER)],
                status=400, code="invalid_idempotency_key")
        try:
            principal = current_identity(settings).person_id
        except Problem:
            return None  # the view answers 401
        binding = request_binding(settings.service)
        fingerprint = idempotency.fingerprint(binding.method, binding.path, binding.query, binding.body_digest.encode())
        rid = idempotency.record_id(principal, key)
        record = idempotency.find(db, rid)
        if record is None:
            g.idempotency_token = idempotency.current.set(idempotency.Claim(rid, fingerprint))
            return None
        if record["fingerprint"] != fingerprint:
            return problem_response(
                422, "Nøglen er allerede brugt til en anden handling.", detail_en="This Idempotency-Key was used for "
                "another request.", field=idempotency.HEADER, code="idempotency_key_reused")
        answer = record.get("response")
        if answer is None:
            return problem_response(409, idempotency.IdempotencyConflict.message_da,
                                    detail_en=idempotency.IdempotencyConflict.message_en, field=idempotency.HEADER,
                                    code=idempotency.IdempotencyConflict.code)
        replay = Response(answer["body"], status=answer["status"], content_type=answer["content_type"])
        if answer.get("location"):
            replay.headers["Location"] = answer["location"]
        replay.headers[idempotency.REPLAYED] = "true"
        return replay

    @app.after_request
    def keep_answer(response: Response) -> Response:
        claim = idempotency.current.get()
        if claim is not None and claim.written and response.status_code < 500 and not response.direct_passthrough:
            idempotency.store_response(db, claim, response.status_code, response.get_data(), response.content_type or "",
                                       response.headers.get("Location"))
        return response

    @app.teardown_request
    def release_claim(_exc: BaseException | None) -> None:
        token = g.pop("idempotency_token", None)
        if token is not None:
            idempotency.current.reset(token)


def _install_errors(app: Flask, mapped: Mapping[type[Exception], int]) -> None:
    @app.errorhandler(Problem)
    def on_problem(exc: Problem) -> Response:
        return problem_response(exc.status, exc.detail, detail_en=exc.detail_en, field=exc.field,
                                code=exc.code, errors=exc.errors, **exc.extra)

    for exc_type, status in mapped.items():
        def on_domain(exc: Exception, status: int = status) -> Response:
            return problem_response(
                status,
                getattr(exc, "message_da", "") or str(exc),
                detail_en=getattr(exc, "message_en", "") or str(exc),
                field=getattr(exc, "field", None),
                code=getattr(exc, "code", None),
                **_extras(exc),
            )
        app.register_error_handler(exc_type, on_domain)

    @app.errorhandler(Exception)
    def on_unexpected(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return problem_response(exc.code or 500, detail_en=exc.description or "")
        log.exception("unhandled error")  # the trace goes to the log, never to the client
        return problem_response(500, "Der opstod en uventet fejl. Prøv igen om lidt.",
                                detail_en="An unexpected error occurred.")


def _extras(exc: Exception) -> dict[str, Any]:
    """Optional details a domain error carries: the current state of a conflict, the field
    problems of a partly saved draft."""
    extra = {}
    for name in ("current_state", "problems"):
        value = getattr(exc, name, None)
        if value:
            extra[name] = value
    return extra


def _health_blueprint(ready: Callable[[], dict[str, str]], registry: CollectorRegistry) -> Blueprint:
    bp = Blueprint("health", __name__)

    @bp.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @bp.get("/readyz")
    def readyz() -> tuple[Response, int]:
        checks = ready()
        ok = all(v == "ok" for v in checks.values())
        return jsonify(status="ok" if ok else "unavailable", checks=checks), (200 if ok else 503)

    @bp.get("/metrics")
    def metrics_view() -> Response:
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    return bp


def request_binding(service: str) -> identity.Binding:
    """What the gateway signed this request's identity for: method, path, query and body.

    A multipart body (an upload) is bound by its content type (with the random boundary the
    gateway chose) and length instead of a digest, so an upload is never read twice."""
    if request.mimetype == "multipart/form-data":
        body = f"{request.content_type}|{request.content_length}".encode()
    else:
        body = request.get_data(cache=True)
    return identity.Binding.of(service, request.method, request.path, request.query_string.decode("latin-1"), body)


def current_identity(settings: ServiceSettings) -> identity.Identity:
    """The caller's identity as signed by the gateway for this request; 401 if missing or forged."""
    token = request.headers.get(identity.HEADER)
    if not token:
        raise Problem(401, "Manglende identitet.", detail_en="Missing identity.", code="unauthenticated")
    try:
        return identity.verify(settings.identity_secrets, token, request_binding(settings.service))
    except ValueError:
        raise Problem(401, "Ugyldig identitet.", detail_en="Invalid identity.", code="unauthenticated") from None
