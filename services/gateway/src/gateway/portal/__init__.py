"""The web portal: server-rendered pages (Jinja2), Danish first with English available, plain
CSS and a little vanilla JavaScript, no build step."""

from __future__ import annotations

from flask import Flask, request

from gateway.auth import csrf_token, current_identity
from gateway.portal import account, admin, assessor, library, public  # noqa: F401  (register the views)
from gateway.portal.base import (
    AGE_GROUPS,
    AUDIT_ACTIONS,
    COHORT_STATES,
    DELIVERY_STATUSES,
    DIMENSIONS,
    FIELD_LABELS,
    KINDS,
    LIBRARY_STATUSES,
    MODEL_STATUSES,
    PERSON_STATUSES,
    REGISTRATION_STATUSES,
    ROLES,
    SDG_COLOURS,
    SDG_NAMES,
    STATUSES,
    bp,
    items_of,
    progress_view,
    sdg_grid_html,
    text_on,
)
from gateway.portal.i18n import forget, gettext, lang

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


def install(app: Flask) -> None:
    app.register_blueprint(bp)

    # functions and constants as globals: imported macros see them too
    app.jinja_env.globals.update({
        "_": gettext, "csrf_token": csrf_token, "DIMENSIONS": DIMENSIONS, "KINDS": KINDS,
        "AGE_GROUPS": AGE_GROUPS, "STATUSES": STATUSES, "LIBRARY_STATUSES": LIBRARY_STATUSES, "REGISTRATION_STATUSES": REGISTRATION_STATUSES,
        "PERSON_STATUSES": PERSON_STATUSES, "AUDIT_ACTIONS": AUDIT_ACTIONS, "FIELD_LABELS": FIELD_LABELS,
        "MODEL_STATUSES": MODEL_STATUSES, "COHORT_STATES": COHORT_STATES, "DELIVERY_STATUSES": DELIVERY_STATUSES, "ROLES": ROLES, "SDG_COLOURS": SDG_COLOURS,
        "SDG_NAMES": SDG_NAMES, "text_on": text_on, "sdg_grid_html": sdg_grid_html, "progress_view": progress_view, "items_of": items_of})

    app.jinja_env.globals["url_for"] = _memoised_url_for(app)
    app.jinja_env.filters["field_label"] = lambda name: gettext(FIELD_LABELS.get(str(name), str(name)))

    app.before_request(forget)
    app.teardown_request(forget)

    @app.context_processor
    def portal_globals():
        return {"lang": lang(), "who": current_identity(), "current_path": request.full_path.rstrip("?")}

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if not request.path.startswith("/certifikat/") or not request.path.endswith(".svg"):
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
