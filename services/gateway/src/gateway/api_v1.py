"""The public JSON API at /api/v1: the gateway's own operations (a bearer token for email and
password) through flask-smorest, and every other operation forwarded, as one table (`ROUTES`):
who is calling -> the authorisation table -> one call to the service that answers, relayed as it
answered. The table also composes the OpenAPI document (gateway.openapi), from the services' own.

The gateway adds no decision of its own to what it forwards: a body is passed on as it came (a
missing decision or revision is the service's to refuse, naming the field)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint

from gateway import schemas as s
from gateway.auth import TOKEN_LIFETIME, csrf_valid, current_identity, issue_token
from gateway.client import ServiceResponse, url_path
from gateway.core import SignInRefused, authenticate, enforce, enforce_on_evidence, enforce_on_person, gw
from gateway.openapi import Forward
from shared.http import PROBLEM, Problem, ProblemSchema
from shared.identity import Identity

PREFIX = "/api/v1"
# The gateway's own operations (documented by flask-smorest) ...
blp = Blueprint("api_v1_own", __name__, url_prefix=PREFIX, description="Verdensmålscertificering: public API")
# ... and the forwarded ones (documented from the services' documents by gateway.openapi).
forwarded = FlaskBlueprint("api_v1", __name__, url_prefix=PREFIX)

_PASSED_HEADERS = ("Content-Disposition", "ETag", "Cache-Control", "Location", "Content-Security-Policy",
                   "X-Content-Type-Options")

# The problem+json answers the gateway itself gives, with what they mean.
ERRORS = {
    401: "Sign in first (`unauthenticated`), or the access token is invalid, expired or ended by a logout or a "
         "password change (`invalid_token`).",
    403: "Your role may not do this (`forbidden`), or a change signed in by the portal's cookie lacks the "
         "`X-CSRF-Token` header (`csrf`).",
    404: "Not found, or another library's (its existence is not revealed).",
    429: "Too many failed sign-ins for the account or from the address (`throttled`).",
    503: "A service behind the gateway is unavailable (`service_unavailable`, naming the `service`). "
         "`outcome` says what became of a change: `not_applied` (it never reached the service: try again) or "
         "`unknown` (it may have been applied: look before trying again, or repeat it with the same "
         "`Idempotency-Key`, which the service answers as the first time).",
}
SIGNED_IN = (401, 403, 404, 503)  # what any signed-in call may meet (see authz.decide)
PUBLIC = (503,)
ALL = None  # every query parameter is passed on


@dataclass(frozen=True)
class Route:
    """One forwarded operation: the public rule, the service and its path, and whom to ask."""

    method: str
    rule: str  # Flask rule below /api/v1
    service: str
    backend: str  # the service's path, with the public rule's parameter names
    action: str  # the authorisation table's action
    on: str | None  # what decides own or other: "library", "evidence", "person" or None
    summary: str
    errors: tuple[int, ...] = SIGNED_IN
    query: tuple[str, ...] | None = ()
    description: str = ""
    # Builds the call instead of the plain relay: (route, caller, path ids, item looked up) -> answer.
    handler: Callable[[Route, Identity, dict[str, str], dict[str, Any] | None], ResponseReturnValue] | None = None
    name: str = ""  # the endpoint's name where a page links to it (api_v1.<name>); else the operation id

    @property
    def forward(self) -> Forward:
        def openapi(rule: str) -> str:
            return rule.replace("<", "{").replace(">", "}")

        return Forward(self.method, PREFIX + openapi(self.rule), self.service, openapi(self.backend), self.summary,
                       self.description, self.errors, self.query)


def relay(resp: ServiceResponse) -> Response:
    """Answer with what the service answered (status, body, content type, the headers that matter)."""
    out = Response(resp.content, status=resp.status_code,
                   content_type=resp.headers.get("Content-Type", "application/json"))
    for name in _PASSED_HEADERS:
        if name in resp.headers:
            out.headers[name] = resp.headers[name]
    return out


def _json_body() -> Any:
    """The request's JSON body as it came (None without one)."""
    return request.get_json(silent=True) if request.is_json else None


def _call(route: Route, who: Identity, ids: dict[str, str], **kw: Any) -> Response:
    path = route.backend.replace("<", "{").replace(">", "}")
    path = path.format(**{name: url_path("{}", value) for name, value in ids.items()})
    if route.query is ALL:
        kw.setdefault("params", request.args)
    elif route.query:
        kw.setdefault("params", {name: request.args[name] for name in route.query if name in request.args})
    return relay(gw().client.call(route.service, route.method, path, who, **kw))


def _plain(route: Route, who: Identity, ids: dict[str, str], _item: dict[str, Any] | None) -> Response:
    body = _json_body() if route.method not in ("GET", "HEAD", "DELETE") else None
    return _call(route, who, ids, json=body)


def _me(route: Route, who: Identity, ids: dict[str, str], _item: dict[str, Any] | None) -> Response:
    return _call(route, who, {"person_id": who.person_id})


def _invite(route: Route, who: Identity, ids: dict[str, str], _item: dict[str, Any] | None) -> Response:
    body = _json_body()
    if isinstance(body, dict) and who.library_id and not body.get("library_id"):
        body = {**body, "library_id": who.library_id}  # staff invite into their own library
    return _call(route, who, ids, json=body)


def _evidence_item(route: Route, who: Identity, ids: dict[str, str], item: dict[str, Any] | None) -> ResponseReturnValue:
    if item is not None:  # already fetched, as this caller, to learn its library
        return jsonify(item)
    return _call(route, who, ids)


def _attach(route: Route, who: Identity, ids: dict[str, str], _item: dict[str, Any] | None) -> Response:
    upload = request.files.get("file")
    if upload is None:
        raise Problem(422, "Vælg en fil.", detail_en="Choose a file.", field="file", code="validation")
    files = {"file": (upload.filename, upload.stream, upload.mimetype or "application/octet-stream")}
    fields = {"revision": request.form["revision"]} if "revision" in request.form else {}
    return _call(route, who, ids, files=files, data=fields)


def _invite_scope(who: Identity) -> str | None:
    body = _json_body()
    return body.get("library_id") if isinstance(body, dict) and isinstance(body.get("library_id"), str) else None


R, E, S = "registration", "evidence", "scoring"
ROUTES: tuple[Route, ...] = (
    # accounts
    Route("POST", "/registrations", R, "/registrations", "registration.create", None,
          "Register a library and its coordinator; a confirmation mail carries a link with token=.", PUBLIC),
    Route("POST", "/email-confirmations", R, "/email-confirmations", "email.confirm", None,
          "Confirm an email address with the token from the mail.", PUBLIC),
    Route("POST", "/email-confirmations/resend", R, "/email-confirmations/resend", "email.confirm", None,
          "Send the confirmation mail again (always 202).", PUBLIC),
    Route("GET", "/me", R, "/people/<person_id>", "me.read", None, "The signed-in person.", (401, 503),
          handler=_me),
    Route("POST", "/password-resets", R, "/password-resets", "password.reset", None,
          "Ask for a password-reset mail (always 202).", PUBLIC),
    Route("POST", "/password-resets/complete", R, "/password-resets/complete", "password.reset", None,
          "Set a new password with the token from the mail (ends every session and token of the person).", PUBLIC),
    Route("POST", "/invitations", R, "/invitations", "invitation.create", "invitation",
          "Invite a colleague (coordinator: own library; administrator: any library).", handler=_invite),
    Route("POST", "/invitations/accept", R, "/invitations/accept", "invitation.accept", None,
          "Accept an invitation with the token from the mail and choose a password.", PUBLIC),
    # libraries and teams
    Route("GET", "/libraries/<library_id>", R, "/libraries/<library_id>", "library.read", "library",
          "A library's registration details."),
    Route("GET", "/libraries/<library_id>/people", R, "/libraries/<library_id>/people", "team.read", "library",
          "The library's team."),
    Route("POST", "/people/<person_id>/reactivate", R, "/people/<person_id>/reactivate", "person.reactivate",
          "person", "Let a deactivated colleague sign in again (coordinator: own library; administrator: anyone)."),
    Route("PUT", "/libraries/<library_id>/enrolment", R, "/libraries/<library_id>/enrolment", "enrolment.manage",
          "library", "Enrol the library in an open cohort, or move it there from its current one (administrator)."),
    Route("DELETE", "/libraries/<library_id>/enrolment", R, "/libraries/<library_id>/enrolment", "enrolment.manage",
          "library", "End the library's enrolment in its cohort (administrator)."),
    # evidence
    Route("POST", "/libraries/<library_id>/evidence", E, "/libraries/<library_id>/evidence", "evidence.create",
          "library", "Log evidence (starts as a draft)."),
    Route("GET", "/libraries/<library_id>/evidence", E, "/libraries/<library_id>/evidence", "evidence.read",
          "library", "The library's evidence, filtered and paginated.", query=ALL),
    Route("GET", "/evidence/<evidence_id>", E, "/evidence/<evidence_id>", "evidence.read", "evidence",
          "One evidence item.", handler=_evidence_item),
    Route("PATCH", "/evidence/<evidence_id>", E, "/evidence/<evidence_id>", "evidence.update", "evidence",
          "Change a draft (send the revision it is based on; 409 if stale).", name="patch_evidence"),
    Route("POST", "/evidence/<evidence_id>/attachments", E, "/evidence/<evidence_id>/attachments", "evidence.attach",
          "evidence", "Attach a file (multipart field `file`, with the item's `revision`): a photo or a PDF.",
          handler=_attach, name="attach"),
    Route("GET", "/evidence/<evidence_id>/attachments/<attachment_id>", E,
          "/evidence/<evidence_id>/attachments/<attachment_id>", "evidence.read", "evidence", "Download an attachment.",
          name="download"),
    Route("POST", "/evidence/<evidence_id>/submit", E, "/evidence/<evidence_id>/submit", "evidence.submit",
          "evidence", "Submit a draft for review (send the revision it is based on)."),
    Route("POST", "/evidence/<evidence_id>/review", E, "/evidence/<evidence_id>/review", "evidence.review",
          "evidence", "Approve, ask for clarification or reject (assessor)."),
    Route("GET", "/evidence/<evidence_id>/thread", E, "/evidence/<evidence_id>/thread", "thread.read", "evidence",
          "The clarification thread of an item."),
    Route("POST", "/evidence/<evidence_id>/thread", E, "/evidence/<evidence_id>/thread", "thread.post", "evidence",
          "Write in the clarification thread."),
    Route("GET", "/libraries/<library_id>/action-plan", E, "/libraries/<library_id>/action-plan", "action_plan.read",
          "library", "The library's 3-year action plan."),
    Route("PUT", "/libraries/<library_id>/action-plan", E, "/libraries/<library_id>/action-plan", "action_plan.edit",
          "library", "Save the action plan (3-year goals per dimension, tagged with SDGs)."),
    Route("POST", "/libraries/<library_id>/action-plan/submit", E, "/libraries/<library_id>/action-plan/submit",
          "action_plan.edit", "library", "Submit the action plan for the assessor's approval."),
    Route("POST", "/libraries/<library_id>/action-plan/review", E, "/libraries/<library_id>/action-plan/review",
          "action_plan.review", "library", "Approve the action plan or ask for clarification (assessor)."),
    Route("GET", "/review-queue", E, "/review-queue", "review_queue.read", None,
          "Submitted evidence awaiting review, oldest first (programme staff).", (401, 403, 503),
          query=("page", "per_page")),
    # scoring and certification
    Route("GET", "/libraries/<library_id>/progress", S, "/libraries/<library_id>/progress", "progress.read",
          "library", "Progress against the library's requirement profile.", query=("lang",)),
    Route("GET", "/libraries/<library_id>/requirements", S, "/libraries/<library_id>/requirements", "progress.read",
          "library", "The library's requirement profile with its adjustment history."),
    Route("POST", "/libraries/<library_id>/requirements/<requirement_id>/adjustments", S,
          "/libraries/<library_id>/requirements/<requirement_id>/adjustments", "requirements.adjust", "library",
          "Adjust a requirement's target, with a reason (assessor)."),
    Route("POST", "/libraries/<library_id>/certification", S, "/libraries/<library_id>/certification",
          "certification.decide", "library", "Award, renew, revoke or check in a certificate (assessor)."),
    Route("GET", "/libraries/<library_id>/certificate", S, "/libraries/<library_id>/certificate", "progress.read",
          "library", "The library's certificate."),
    # the public
    Route("GET", "/public/libraries", S, "/public/libraries", "public.read", None,
          "Certified libraries (no authentication).", PUBLIC, query=ALL),
    Route("GET", "/public/libraries/<library_id>/activities", E, "/public/libraries/<library_id>/activities",
          "public.read", None, "A library's approved public activities (no authentication).", PUBLIC),
    Route("GET", "/public/certificates/<certificate_id>", S, "/public/certificates/<certificate_id>", "public.read",
          None, "Verify a certificate (no authentication).", PUBLIC),
    Route("GET", "/public/certificates/<certificate_id>/badge.svg", S, "/public/certificates/<certificate_id>/badge.svg",
          "public.read", None, "The certificate's badge to embed (SVG).", PUBLIC),
)
FORWARDS = tuple(route.forward for route in ROUTES)


def _view(route: Route) -> Callable[..., ResponseReturnValue]:
    def view(**ids: str) -> ResponseReturnValue:
        who = current_identity()
        item = None
        if route.on == "library":
            enforce(who, route.action, ids.get("library_id"))
        elif route.on == "evidence":
            item = enforce_on_evidence(who, route.action, ids["evidence_id"])
        elif route.on == "person":
            enforce_on_person(who, route.action, ids["person_id"])
        elif route.on == "invitation":
            enforce(who, route.action, _invite_scope(who))
        else:
            enforce(who, route.action)
        return (route.handler or _plain)(route, who, ids, item)

    view.__doc__ = route.summary
    return view


for _route in ROUTES:
    forwarded.add_url_rule(_route.rule, _route.name or _route.forward.operation_id, _view(_route),
                           methods=[_route.method])


def check_session_csrf() -> None:
    """Refuse a bad bearer token, and a change signed in by the portal's cookie without its CSRF token."""
    current_identity()
    if g.get("bad_token"):
        raise Problem(401, "Ugyldig eller udløbet adgangsnøgle.", detail_en="Invalid or expired access token.",
                      code="invalid_token")
    if g.get("via_session") and request.method not in ("GET", "HEAD", "OPTIONS") and not csrf_valid():
        raise Problem(403, "Sikkerhedsnøglen (CSRF) mangler eller er forkert.", detail_en="Missing or wrong CSRF token.",
                      code="csrf")


blp.before_request(check_session_csrf)
forwarded.before_request(check_session_csrf)


@blp.post("/auth/token")
@blp.arguments(s.CredentialsIn)
@blp.response(200, s.AccessTokenOut)
@blp.alt_response(401, schema=ProblemSchema, content_type=PROBLEM, description="Wrong email or password "
                  "(`invalid_credentials`).")
@blp.alt_response(429, schema=ProblemSchema, content_type=PROBLEM, description=ERRORS[429])
@blp.alt_response(503, schema=ProblemSchema, content_type=PROBLEM, description=ERRORS[503])
def token(data: dict[str, str]) -> dict[str, Any]:
    """Exchange email and password for a bearer access token (it ends at a logout or password change)."""
    try:
        who = authenticate(data["email"], data["password"])
    except SignInRefused as refused:
        if refused.throttled:
            raise Problem(429, "For mange forsøg. Vent et kvarter og prøv igen.",
                          detail_en="Too many attempts. Wait a quarter of an hour.", code="throttled") from None
        raise Problem(401, "Forkert e-mail eller adgangskode.", detail_en="Wrong email or password.",
                      code="invalid_credentials") from None
    return {"access_token": issue_token(current_app.config["CHORA_BEARER_KEY"], who), "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME}
