"""The gateway's app factory: gunicorn runs 'gateway.api:create_app()'."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import Flask, render_template, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway import api_v1, docs, portal
from gateway.client import ServiceClient, ServiceUnavailable
from gateway.config import Settings
from gateway.core import Gateway
from shared import jsonlog, keys
from shared.http import create_service_app, problem_response

log = logging.getLogger(__name__)

SESSION_REFRESH_INTERVAL = 300  # seconds


class SlidingSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session whose 8-hour lifetime slides with use, but whose cookie is re-signed
    at most every SESSION_REFRESH_INTERVAL seconds rather than on every request (re-signing costs
    about 0.6 ms of the gateway's CPU per page). The idle timeout is thus 8 h minus up to 5 min."""

    def should_set_cookie(self, app, session) -> bool:  # type: ignore[override]
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


def create_app(settings: Settings | None = None, client: ServiceClient | None = None) -> Flask:
    """Build the gateway: portal, public API and the forwarding client (nothing connects yet)."""
    settings = settings or Settings.from_env()
    jsonlog.configure("gateway", settings.log_level)
    app, api = create_service_app(settings, title="Verdensmålscertificering for biblioteker", api_prefix="/api/v1")
    app.config.update(
        SECRET_KEY=settings.key(keys.SESSION),
        CHORA_BEARER_KEY=settings.key(keys.BEARER),
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
    app.extensions["gateway"] = Gateway(settings, client or ServiceClient(
        settings.service_urls, {name: settings.key(keys.identity_purpose(name)) for name in settings.service_urls}))
    docs.install(app, api)
    portal.install(app, https=settings.public_url.startswith("https://"))
    _install_errors(app, api)
    return app


def _wants_api(path: str) -> bool:
    return path.startswith("/api/") or path in ("/healthz", "/readyz", "/metrics")


def _install_errors(app: Flask, api) -> None:
    @app.errorhandler(ServiceUnavailable)
    def on_unavailable(exc: ServiceUnavailable):
        if _wants_api(request.path):
            return problem_response(
                503, "Tjenesten er midlertidigt utilgængelig. Prøv igen om lidt.",
                detail_en="The service is temporarily unavailable. Try again shortly.",
                code="service_unavailable", service=exc.service)
        return render_template("unavailable.html", service=exc.service), 503

    @app.errorhandler(HTTPException)
    def on_http(exc: HTTPException):
        if _wants_api(request.path):
            return api.handle_http_exception(exc)
        return render_template("error.html", status=exc.code or 500), exc.code or 500

    @app.errorhandler(Exception)
    def on_unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return on_http(exc)
        log.exception("unhandled error")  # the trace goes to the log, never to the client
        if _wants_api(request.path):
            return problem_response(500, "Der opstod en uventet fejl. Prøv igen om lidt.",
                                    detail_en="An unexpected error occurred.")
        return render_template("error.html", status=500), 500
