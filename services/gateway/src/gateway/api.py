"""The gateway's app factory: gunicorn runs 'gateway.api:create_app()'."""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway import api_v1, docs, portal
from gateway.bootstrap import Gateway, bootstrap
from gateway.client import NOT_APPLIED, IdempotencyKeys, ServiceUnavailable, idempotency
from gateway.config import Settings
from gateway.core import gw
from gateway.openapi import compose
from shared import jsonlog, keys
from shared.http import ProblemApi, create_service_app, problem_response

log = logging.getLogger(__name__)

SESSION_REFRESH_INTERVAL = 300  # seconds
MAX_URL_LENGTH = 4096  # characters of path and query; longer is 414 (gunicorn refuses beyond 4094 bytes itself)
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")

# What a 503 tells the person to do, by what became of their change.
UNAVAILABLE_WORDS = {
    NOT_APPLIED: ("Tjenesten er midlertidigt utilgængelig, og intet blev ændret. Prøv igen om lidt.",
                  "The service is temporarily unavailable, and nothing was changed. Try again shortly."),
    "unknown": ("Tjenesten svarede ikke i tide, så vi ved ikke, om ændringen blev gemt. Se efter, om den er "
                "der, før du prøver igen (eller send den igen med samme Idempotency-Key).",
                "The service did not answer in time, so we do not know whether the change was saved. Check "
                "whether it is there before you try again (or send it again with the same Idempotency-Key)."),
}


class SlidingSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session whose 8-hour lifetime slides with use, but whose cookie is re-signed
    at most every SESSION_REFRESH_INTERVAL seconds rather than on every request (re-signing costs
    about 0.6 ms of the gateway's CPU per page). The idle timeout is thus 8 h minus up to 5 min."""

    def should_set_cookie(self, app: Flask, session: Any) -> bool:
        if session.modified:
            if session.permanent:
                session["_r"] = int(time.time())
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        now = int(time.time())
        if now - int(session.get("_r", 0)) < SESSION_REFRESH_INTERVAL:
            return False
        session["_r"] = now
        return True


def create_app(settings: Settings | None = None, *, service: Gateway | None = None) -> Flask:
    """Build the gateway: portal, public API and the forwarding client; attach to access events."""
    service = service or bootstrap(settings)
    settings = service.settings
    jsonlog.configure("gateway", settings.log_level)
    app, api = create_service_app(settings, title="Verdensmålscertificering for biblioteker", api_prefix="/api/v1")
    app.config.update(
        SECRET_KEY=settings.key(keys.SESSION),
        # Sessions signed under a previous master still open (Flask signs with SECRET_KEY only).
        SECRET_KEY_FALLBACKS=settings.key_ring(keys.SESSION)[1:],
        CHORA_BEARER_KEY=settings.key(keys.BEARER),
        CHORA_BEARER_KEYS=settings.key_ring(keys.BEARER),
        SESSION_COOKIE_NAME="chora_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
    )
    app.session_interface = SlidingSessionInterface()
    if settings.trusted_proxies > 0:
        # Behind an ingress: the client's address and scheme from the proxies' headers (only
        # as many hops as configured, so a client cannot forge its address).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies,  # type: ignore[method-assign]
                                x_proto=settings.trusted_proxies, x_host=0)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(api_v1.blp)
    app.register_blueprint(api_v1.forwarded)
    app.extensions["gateway"] = service
    _install_request_checks(app)
    _install_openapi(app, api)
    portal.install(app, https=settings.public_url.startswith("https://"))
    _install_errors(app, api)
    service.start()
    return app


def public_document(api: ProblemApi) -> dict[str, Any]:
    """The public API's OpenAPI document: the gateway's own operations and every forwarded one."""
    return compose(api.spec.to_dict(), api_v1.FORWARDS, gw().documents.get(), api_v1.ERRORS)


def _install_openapi(app: Flask, api: ProblemApi) -> None:
    def openapi_json() -> Response:
        return jsonify(public_document(api))

    # flask-smorest serves its own document (the gateway's operations only) at this endpoint
    app.view_functions["api-docs.openapi_json"] = openapi_json
    docs.install(app, lambda: public_document(api))


def _wants_api(path: str) -> bool:
    return path.startswith("/api/") or path in ("/healthz", "/readyz", "/metrics")


def _install_request_checks(app: Flask) -> None:
    @app.before_request
    def refuse_long_urls() -> ResponseReturnValue | None:
        if len(request.full_path) > MAX_URL_LENGTH:
            return problem_response(414, "Adressen er for lang.", detail_en="The address is too long.",
                                    code="uri_too_long")
        return None

    @app.before_request
    def bind_idempotency_key() -> ResponseReturnValue | None:
        """Each state-changing call this request makes carries a key derived from the one it came
        with (the API's `Idempotency-Key` header, or a portal form's `idempotency_key` field)."""
        key = request.headers.get("Idempotency-Key")
        if key is None and request.method == "POST" and request.mimetype in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            key = request.form.get("idempotency_key") or None
        if key is not None and not _IDEMPOTENCY_KEY.fullmatch(key):
            return problem_response(400, "Idempotency-Key skal være 1-200 synlige ASCII-tegn.",
                                    detail_en="Idempotency-Key must be 1-200 visible ASCII characters.",
                                    field="Idempotency-Key", code="invalid_input")
        g.idempotency_token = idempotency.set(IdempotencyKeys(key))
        return None

    @app.teardown_request
    def unbind_idempotency_key(_exc: BaseException | None) -> None:
        token = g.pop("idempotency_token", None)
        if token is not None:
            idempotency.reset(token)


def _with_allow(response: Response, exc: HTTPException) -> Response:
    for name, value in exc.get_headers():
        if name.lower() == "allow":
            response.headers["Allow"] = value
    return response


def _install_errors(app: Flask, api: ProblemApi) -> None:
    @app.errorhandler(ServiceUnavailable)
    def on_unavailable(exc: ServiceUnavailable) -> ResponseReturnValue:
        words_da, words_en = UNAVAILABLE_WORDS.get(exc.outcome, UNAVAILABLE_WORDS["unknown"])
        if _wants_api(request.path):
            return problem_response(503, words_da, detail_en=words_en, code="service_unavailable",
                                    service=exc.service, outcome=exc.outcome)
        return render_template("unavailable.html", service=exc.service, outcome=exc.outcome,
                               words_da=words_da, words_en=words_en), 503

    @app.errorhandler(HTTPException)
    def on_http(exc: HTTPException) -> ResponseReturnValue:
        if _wants_api(request.path):
            return _with_allow(api.handle_http_exception(exc), exc)
        page = app.make_response((render_template("error.html", status=exc.code or 500), exc.code or 500))
        return _with_allow(page, exc)

    @app.errorhandler(Exception)
    def on_unexpected(exc: Exception) -> ResponseReturnValue:
        if isinstance(exc, HTTPException):
            return on_http(exc)
        log.exception("unhandled error")  # the trace goes to the log, never to the client
        if _wants_api(request.path):
            return problem_response(500, "Der opstod en uventet fejl. Prøv igen om lidt.",
                                    detail_en="An unexpected error occurred.")
        return render_template("error.html", status=500), 500
