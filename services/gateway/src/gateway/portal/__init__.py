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
    text_on,
)
from gateway.portal.i18n import gettext, lang


def install(app: Flask) -> None:
    app.register_blueprint(bp)

    # functions and constants as globals: imported macros see them too
    app.jinja_env.globals.update({
        "_": gettext, "csrf_token": csrf_token, "DIMENSIONS": DIMENSIONS, "KINDS": KINDS,
        "AGE_GROUPS": AGE_GROUPS, "STATUSES": STATUSES, "LIBRARY_STATUSES": LIBRARY_STATUSES, "REGISTRATION_STATUSES": REGISTRATION_STATUSES,
        "PERSON_STATUSES": PERSON_STATUSES, "AUDIT_ACTIONS": AUDIT_ACTIONS, "FIELD_LABELS": FIELD_LABELS,
        "MODEL_STATUSES": MODEL_STATUSES, "COHORT_STATES": COHORT_STATES, "DELIVERY_STATUSES": DELIVERY_STATUSES, "ROLES": ROLES, "SDG_COLOURS": SDG_COLOURS,
        "SDG_NAMES": SDG_NAMES, "text_on": text_on, "progress_view": progress_view, "items_of": items_of})

    app.jinja_env.filters["field_label"] = lambda name: gettext(FIELD_LABELS.get(name, name))

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
