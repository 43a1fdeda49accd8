"""The web portal: server-rendered pages (Jinja2) on Det Fælles Designsystem (DKFDS, served from
static/dkfds), Danish first with English from the gettext catalogues (Flask-Babel), CSRF on every
form (Flask-WTF), and a little script of our own that only enhances what works without it."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from gateway import api_v1
from gateway.auth import current_identity
from gateway.portal import account, actions, admin, assessor, evidence, l10n, labels, library, public, security  # noqa: F401  (register the views)
from gateway.portal.base import bp, items_of, progress_view, text_on
from shared.vocabulary import DIMENSIONS, SDG_COLOURS, SDGS

URL_CACHE_SIZE = 8192


def _memoised_url_for(app: Flask):
    """url_for for templates, remembering the URLs it built (a page has ~20 links and building one
    costs ~15 us). A URL depends only on the endpoint, its values and the request's host and
    script root (from the WSGI environ), so those are the key; anything unusual (_external, _anchor, a relative endpoint,
    an unhashable value) is built afresh every time."""
    build = app.url_for
    cache: dict[tuple, str] = {}

    def url_for(endpoint: str, **values):
        if endpoint[:1] == "." or any(k[:1] == "_" for k in values):
            return build(endpoint, **values)
        try:
            environ = request.environ
            key = (environ.get("HTTP_HOST"), environ.get("SERVER_NAME"), environ.get("SCRIPT_NAME"), endpoint,
                   tuple(sorted(values.items())))
            hit = cache.get(key)
        except TypeError:
            return build(endpoint, **values)
        if hit is None:
            hit = build(endpoint, **values)
            if len(cache) >= URL_CACHE_SIZE:
                cache.clear()
            cache[key] = hit
        return hit

    return url_for


def install(app: Flask, *, https: bool = False) -> None:
    """Register the portal's pages, languages, CSRF protection and security headers on `app`."""
    app.register_blueprint(bp)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", l10n.LOCALES[l10n.DEFAULT_LANGUAGE])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", l10n.TIMEZONE)
    Babel(app, locale_selector=l10n.locale_selector)

    # Every state-changing request needs the session's CSRF token (form field `csrf_token` or the
    # X-CSRF-Token header), except where named here:
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session (8 h)
    csrf = CSRFProtect(app)
    # Exempt: the JSON API. Bearer-token callers carry no cookie for a forger to ride on, and the
    # calls the portal's script makes with the session cookie are held to the X-CSRF-Token
    # header by the API's own rule (api_v1.check_session_csrf), which checks the same token.
    csrf.exempt(api_v1.blp)
    csrf.exempt(api_v1.forwarded)

    security.install(app, https=https)

    # functions and constants as globals: imported macros see them too
    app.jinja_env.globals.update({
        "label": labels.label, "options": labels.options, "text_of": labels.text_of, "labels": labels,
        "DIMENSIONS": DIMENSIONS, "SDGS": SDGS, "SDG_COLOURS": SDG_COLOURS, "text_on": text_on,
        "progress_view": progress_view, "items_of": items_of, "actions": actions,
    })
    app.jinja_env.filters.update({"when": l10n.when, "day": l10n.day, "number": l10n.number,
                                  "percent": l10n.percent, "picker_date": l10n.form_input_date,
                                  "pairs": lambda values: [(value, value) for value in values or ()],
                                  "sdg_options": lambda numbers: [(n, f"{n}. {labels.label('sdg', n)}") for n in numbers]})
    app.jinja_env.globals["url_for"] = _memoised_url_for(app)

    @app.context_processor
    def portal_globals():
        return {"lang": l10n.lang(), "who": current_identity(), "current_path": request.full_path.rstrip("?")}
