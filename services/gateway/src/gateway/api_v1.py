"""The public JSON API at /api/v1: the contract of issue #7, mapped onto the services' internal
paths. Views are thin: who is calling -> the authorisation table -> one forwarded call.

The answer schemas document the services' answers; they do not filter them: a view returns the
relayed Flask Response, which flask-smorest passes through untouched (it dumps through the
schema only a dict a view returns, as `token` and `me` do with answers the gateway builds)."""

from __future__ import annotations

from typing import Any

import requests
from flask import Response, current_app, g, jsonify, request
from flask_smorest import Blueprint

from gateway import schemas as s
from gateway.auth import TOKEN_LIFETIME, csrf_valid, current_identity, issue_token
from gateway.core import SignInRefused, authenticate, enforce, enforce_on_evidence, enforce_on_person, gw
from shared.http import PROBLEM, Problem, ProblemSchema

blp = Blueprint("api_v1", __name__, url_prefix="/api/v1", description="Verdensmålscertificering: public API")

_PASSED_HEADERS = ("Content-Disposition", "ETag", "Cache-Control", "Location")

# The problem+json answers an operation documents (`fails`), with what they mean.
ERRORS = {
    401: "Sign in first (`unauthenticated`), or the access token is invalid or expired (`invalid_token`).",
    403: "Your role may not do this (`forbidden`), or a change signed in by the portal's cookie lacks the "
         "`X-CSRF-Token` header (`csrf`).",
    404: "Not found, or another library's (its existence is not revealed).",
    409: "Conflicts with the current state.",
    410: "The link's token has expired, was used, or a newer one was sent.",
    413: "The file is too large (20 MB per file, 100 MB per item).",
    415: "The file type is not supported (JPEG, PNG, WebP, PDF, DOCX, XLSX).",
    422: "Invalid data: `field` names the first field at fault, `errors` every one.",
    429: "Too many failed sign-ins for the account or from the address (`throttled`).",
    503: "A service behind the gateway is unavailable (`service_unavailable`, naming the `service`).",
}
SIGNED_IN = (401, 403, 404, 503)  # what any signed-in call may meet (see authz.decide)
STALE = ("The revision sent is not the current one (`stale_revision`), or the status does not allow "
         "this (`illegal_transition`, with `current_state`).")
BINARY = {"type": "string", "format": "binary"}


def fails(*statuses: int, conflict: str | None = None, invalid: str | None = None):
    """Document the problem+json answers of an operation (`conflict`, `invalid`: say why for it)."""
    said = {409: conflict, 422: invalid}
    listed = set(statuses) | {status for status, why in said.items() if why}

    def decorate(view):
        for status in sorted(listed, reverse=True):
            view = blp.alt_response(status, schema=ProblemSchema, content_type=PROBLEM,
                                    description=said.get(status) or ERRORS[status])(view)
        return view

    return decorate


def relay(resp: requests.Response) -> Response:
    """Answer with what the service answered (status, body, content type)."""
    out = Response(resp.content, status=resp.status_code,
                   content_type=resp.headers.get("Content-Type", "application/json"))
    for name in _PASSED_HEADERS:
        if name in resp.headers:
            out.headers[name] = resp.headers[name]
    return out


def body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


@blp.before_request
def check_session_csrf():
    """Calls authenticated by the portal's cookie must carry the CSRF token when they change state."""
    current_identity()
    if g.get("bad_token"):
        raise Problem(401, "Ugyldig eller udløbet adgangsnøgle.", detail_en="Invalid or expired access token.",
                      code="invalid_token")
    if g.get("via_session") and request.method not in ("GET", "HEAD", "OPTIONS") and not csrf_valid():
        raise Problem(403, "Sikkerhedsnøglen (CSRF) mangler eller er forkert.", detail_en="Missing or wrong CSRF token.",
                      code="csrf")
    return None


def _passed(*names: str) -> dict[str, str]:
    """The named query parameters of this request, to pass on to a service."""
    return {name: request.args[name] for name in names if name in request.args}


def call(service: str, method: str, path: str, **kw) -> Response:
    return relay(gw().client.call(service, method, path, current_identity(), **kw))


# --- accounts -------------------------------------------------------------------------------

@blp.post("/registrations")
@blp.arguments(s.RegistrationIn)
@blp.response(201, s.RegistrationOut)
@fails(403, 503, conflict="The ISIL code (`isil_in_use`) or the coordinator's email address "
                          "(`email_in_use`) is already registered.")
def register(_data):
    """Register a library and its coordinator; a confirmation mail carries a link with token=."""
    enforce(current_identity(), "registration.create")
    return call("registration", "POST", "/registrations", json=body())


@blp.post("/email-confirmations")
@blp.arguments(s.TokenIn)
@blp.response(200, s.RegistrationOut)
@fails(403, 404, 410, 503)
def confirm_email(_data):
    """Confirm an email address with the token from the mail."""
    return call("registration", "POST", "/email-confirmations", json=body())


@blp.post("/email-confirmations/resend")
@blp.arguments(s.EmailIn)
@blp.response(202, s.AcceptedOut)
@fails(403, 503)
def resend_confirmation(_data):
    """Send the confirmation mail again (always 202)."""
    return call("registration", "POST", "/email-confirmations/resend", json=body())


@blp.post("/auth/token")
@blp.arguments(s.CredentialsIn)
@blp.response(200, s.AccessTokenOut)
@fails(401, 429, 503)
def token(data):
    """Exchange email and password for a bearer access token."""
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


@blp.get("/me")
@blp.response(200, s.MeOut)
@fails(401, 503)
def me():
    """The signed-in person."""
    who = current_identity()
    enforce(who, "me.read")
    resp = gw().client.get("registration", f"/people/{who.person_id}", who)
    person = resp.json() if resp.status_code == 200 else {}
    return {"person_id": who.person_id, "name": person.get("name", who.name),
            "email": person.get("email", who.email), "role": person.get("role", who.role),
            "library_id": person.get("library_id", who.library_id)}


@blp.post("/password-resets")
@blp.arguments(s.EmailIn)
@blp.response(202, s.AcceptedOut)
@fails(403, 503)
def password_reset(_data):
    """Ask for a password-reset mail (always 202)."""
    return call("registration", "POST", "/password-resets", json=body())


@blp.post("/password-resets/complete")
@blp.arguments(s.PasswordResetCompleteIn)
@blp.response(200, s.PersonIdOut)
@fails(403, 404, 410, 503)
def password_reset_complete(_data):
    """Set a new password with the token from the mail."""
    return call("registration", "POST", "/password-resets/complete", json=body())


@blp.post("/invitations")
@blp.arguments(s.InvitationIn)
@blp.response(201, s.PersonIdOut)
@fails(*SIGNED_IN, conflict="The address belongs to an active person (`email_in_use`) or has an open "
                            "invitation (`invitation_pending`).")
def invite(data):
    """Invite a colleague (coordinator: own library; administrator: any library)."""
    who = current_identity()
    enforce(who, "invitation.create", data.get("library_id"))
    payload = body()
    if who.library_id and not payload.get("library_id"):
        payload["library_id"] = who.library_id
    return call("registration", "POST", "/invitations", json=payload)


@blp.post("/invitations/accept")
@blp.arguments(s.AcceptIn)
@blp.response(200, s.JoinedOut)
@fails(403, 404, 410, 503)
def accept_invitation(_data):
    """Accept an invitation with the token from the mail and choose a password."""
    return call("registration", "POST", "/invitations/accept", json=body())


@blp.get("/libraries/<library_id>")
@blp.response(200, s.LibraryOut)
@fails(*SIGNED_IN)
def library(library_id):
    """A library's registration details."""
    enforce(current_identity(), "library.read", library_id)
    return call("registration", "GET", f"/libraries/{library_id}")


@blp.get("/libraries/<library_id>/people")
@blp.response(200, s.PeopleOut)
@fails(*SIGNED_IN)
def people(library_id):
    """The library's team."""
    enforce(current_identity(), "team.read", library_id)
    return call("registration", "GET", f"/libraries/{library_id}/people")


@blp.post("/people/<person_id>/reactivate")
@blp.response(200, s.PersonOut)
@fails(*SIGNED_IN, conflict="`person_erased`: the person was erased; `never_joined`: the invitation was revoked "
                            "(invite again); `email_in_use`: the address was invited again meanwhile.")
def reactivate_person(person_id):
    """Let a deactivated colleague sign in again (coordinator: own library; administrator: anyone).

    409 `person_erased` for an erased person, `never_joined` for a revoked invitation (invite
    again), `email_in_use` when the address was invited again meanwhile.
    """
    enforce_on_person(current_identity(), "person.reactivate", person_id)
    return call("registration", "POST", f"/people/{person_id}/reactivate")


@blp.put("/libraries/<library_id>/enrolment")
@blp.arguments(s.EnrolmentIn)
@blp.response(200, s.EnrolmentOut)
@fails(*SIGNED_IN, conflict="The cohort is not open for enrolment (`cohort_not_open`).")
def enrol(_data, library_id):
    """Enrol the library in an open cohort, or move it there from its current one (administrator)."""
    enforce(current_identity(), "enrolment.manage", library_id)
    return call("registration", "PUT", f"/libraries/{library_id}/enrolment", json=body())


@blp.delete("/libraries/<library_id>/enrolment")
@blp.response(204)
@fails(*SIGNED_IN)
def end_enrolment(library_id):
    """End the library's enrolment in its cohort (administrator); 404 if it is not enrolled."""
    enforce(current_identity(), "enrolment.manage", library_id)
    return call("registration", "DELETE", f"/libraries/{library_id}/enrolment")


# --- evidence -------------------------------------------------------------------------------

@blp.post("/libraries/<library_id>/evidence")
@blp.arguments(s.EvidenceIn)
@blp.response(201, s.EvidenceOut)
@fails(*SIGNED_IN)
def create_evidence(_data, library_id):
    """Log evidence (starts as a draft)."""
    enforce(current_identity(), "evidence.create", library_id)
    return call("evidence", "POST", f"/libraries/{library_id}/evidence", json=body())


@blp.get("/libraries/<library_id>/evidence")
@blp.arguments(s.EvidenceQuery, location="query")
@blp.response(200, s.EvidenceList)
@fails(*SIGNED_IN)
def list_evidence(_query, library_id):
    """The library's evidence, filtered and paginated."""
    enforce(current_identity(), "evidence.read", library_id)
    return call("evidence", "GET", f"/libraries/{library_id}/evidence", params=request.args)


@blp.get("/evidence/<evidence_id>")
@blp.response(200, s.EvidenceOut)
@fails(*SIGNED_IN)
def get_evidence(evidence_id):
    """One evidence item."""
    item = enforce_on_evidence(current_identity(), "evidence.read", evidence_id)
    if item is not None:  # already fetched (as this caller) to learn its library
        return jsonify(item)
    return call("evidence", "GET", f"/evidence/{evidence_id}")


@blp.patch("/evidence/<evidence_id>")
@blp.arguments(s.EvidencePatch)
@blp.response(200, s.EvidenceOut)
@fails(*SIGNED_IN, conflict=STALE,
       invalid="Some fields were not saved (`fields_not_saved`): the valid ones were, and `item` is the "
               "saved item whose `revision` the next change must send.")
def patch_evidence(_data, evidence_id):
    """Change a draft (send the revision it is based on; 409 if stale)."""
    item = enforce_on_evidence(current_identity(), "evidence.update", evidence_id)
    payload = body()
    if "revision" not in payload and item:
        payload["revision"] = item.get("revision")
    return call("evidence", "PATCH", f"/evidence/{evidence_id}", json=payload)


@blp.post("/evidence/<evidence_id>/attachments")
@blp.response(201, s.AttachmentAddedOut)
@blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": BINARY, "revision": {"type": "integer"}}}}}})
@fails(*SIGNED_IN, 409, 413, 415, 422, conflict=STALE)
def attach(evidence_id):
    """Attach a file (multipart field `file`): a photo or a PDF."""
    enforce_on_evidence(current_identity(), "evidence.attach", evidence_id)
    upload = request.files.get("file")
    if upload is None:
        raise Problem(422, "Vælg en fil.", detail_en="Choose a file.", field="file", code="validation")
    files = {"file": (upload.filename, upload.stream, upload.mimetype or "application/octet-stream")}
    return call("evidence", "POST", f"/evidence/{evidence_id}/attachments", files=files)


@blp.get("/evidence/<evidence_id>/attachments/<attachment_id>")
@blp.doc(responses={"200": {"description": "The file's bytes, as a download (Content-Disposition: attachment).",
                            "content": {"application/octet-stream": {"schema": BINARY}}}})
@fails(*SIGNED_IN)
def download(evidence_id, attachment_id):
    """Download an attachment."""
    enforce_on_evidence(current_identity(), "evidence.read", evidence_id)
    return call("evidence", "GET", f"/evidence/{evidence_id}/attachments/{attachment_id}")


@blp.post("/evidence/<evidence_id>/submit")
@blp.arguments(s.RevisionIn)
@blp.response(200, s.EvidenceOut)
@fails(*SIGNED_IN, conflict=STALE, invalid="Not ready to submit: `problems` lists what is missing.")
def submit(_data, evidence_id):
    """Submit a draft for review -> {"status": "submitted"}."""
    item = enforce_on_evidence(current_identity(), "evidence.submit", evidence_id)
    payload = body()
    if "revision" not in payload and item:
        payload["revision"] = item.get("revision")
    return call("evidence", "POST", f"/evidence/{evidence_id}/submit", json=payload)


@blp.post("/evidence/<evidence_id>/review")
@blp.arguments(s.ReviewIn)
@blp.response(200, s.EvidenceOut)
@fails(*SIGNED_IN, conflict=STALE)
def review(_data, evidence_id):
    """Approve, ask for clarification or reject (assessor)."""
    enforce_on_evidence(current_identity(), "evidence.review", evidence_id)
    return call("evidence", "POST", f"/evidence/{evidence_id}/review", json=body())


@blp.get("/evidence/<evidence_id>/thread")
@blp.response(200, s.ThreadOut)
@fails(*SIGNED_IN)
def thread(evidence_id):
    """The clarification thread of an item."""
    enforce_on_evidence(current_identity(), "thread.read", evidence_id)
    return call("evidence", "GET", f"/evidence/{evidence_id}/thread")


@blp.post("/evidence/<evidence_id>/thread")
@blp.arguments(s.ThreadIn)
@blp.response(201, s.ThreadPostedOut)
@fails(*SIGNED_IN, conflict=STALE)
def post_thread(_data, evidence_id):
    """Write in the clarification thread."""
    enforce_on_evidence(current_identity(), "thread.post", evidence_id)
    return call("evidence", "POST", f"/evidence/{evidence_id}/thread", json=body())


@blp.get("/libraries/<library_id>/action-plan")
@blp.response(200, s.PlanOut)
@fails(*SIGNED_IN)
def action_plan(library_id):
    """The library's 3-year action plan."""
    enforce(current_identity(), "action_plan.read", library_id)
    return call("evidence", "GET", f"/libraries/{library_id}/action-plan")


@blp.put("/libraries/<library_id>/action-plan")
@blp.arguments(s.PlanIn)
@blp.response(200, s.PlanOut)
@fails(*SIGNED_IN, conflict=STALE,
       invalid="Some fields were not saved (`fields_not_saved`): the valid ones were, and `plan` is the "
               "saved plan whose `revision` the next change must send.")
def put_action_plan(_data, library_id):
    """Save the action plan (3-year goals per dimension, tagged with SDGs)."""
    enforce(current_identity(), "action_plan.edit", library_id)
    return call("evidence", "PUT", f"/libraries/{library_id}/action-plan", json=body())


@blp.post("/libraries/<library_id>/action-plan/submit")
@blp.arguments(s.RevisionIn)
@blp.response(200, s.PlanOut)
@fails(*SIGNED_IN, conflict=STALE, invalid="Not ready to submit: `problems` lists what is missing.")
def submit_action_plan(_data, library_id):
    """Submit the action plan for the assessor's approval."""
    enforce(current_identity(), "action_plan.edit", library_id)
    return call("evidence", "POST", f"/libraries/{library_id}/action-plan/submit", json=body())


@blp.post("/libraries/<library_id>/action-plan/review")
@blp.arguments(s.PlanReviewIn)
@blp.response(200, s.PlanOut)
@fails(*SIGNED_IN, conflict=STALE)
def review_action_plan(_data, library_id):
    """Approve the action plan or ask for clarification (assessor)."""
    enforce(current_identity(), "action_plan.review", library_id)
    return call("evidence", "POST", f"/libraries/{library_id}/action-plan/review", json=body())


@blp.get("/review-queue")
@blp.doc(parameters=[
    {"in": "query", "name": "page", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"in": "query", "name": "per_page", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
])
@blp.response(200, s.ReviewQueueOut)
@fails(401, 403, 503)
def review_queue():
    """Submitted evidence awaiting review, oldest first (programme staff)."""
    enforce(current_identity(), "review_queue.read")
    return call("evidence", "GET", "/review-queue", params=_passed("page", "per_page"))


# --- scoring --------------------------------------------------------------------------------

@blp.get("/libraries/<library_id>/progress")
@blp.doc(parameters=[{"in": "query", "name": "lang", "description": "`en` for the missing lines in English",
                      "schema": {"type": "string", "enum": ["da", "en"], "default": "da"}}])
@blp.response(200, s.ProgressOut)
@fails(*SIGNED_IN)
def progress(library_id):
    """Progress against the library's requirement profile."""
    enforce(current_identity(), "progress.read", library_id)
    return call("scoring", "GET", f"/libraries/{library_id}/progress", params=_passed("lang"))


@blp.get("/libraries/<library_id>/requirements")
@blp.response(200, s.RequirementsOut)
@fails(*SIGNED_IN)
def requirements(library_id):
    """The library's requirement profile with its adjustment history."""
    enforce(current_identity(), "progress.read", library_id)
    return call("scoring", "GET", f"/libraries/{library_id}/requirements")


@blp.post("/libraries/<library_id>/requirements/<requirement_id>/adjustments")
@blp.arguments(s.AdjustmentIn)
@blp.response(201, s.ProfileRequirementOut)
@fails(*SIGNED_IN)
def adjust(_data, library_id, requirement_id):
    """Adjust a requirement's target, with a reason (assessor)."""
    enforce(current_identity(), "requirements.adjust", library_id)
    return call("scoring", "POST", f"/libraries/{library_id}/requirements/{requirement_id}/adjustments", json=body())


@blp.post("/libraries/<library_id>/certification")
@blp.arguments(s.CertificationIn)
@blp.response(201, s.CertificationOut)
@blp.alt_response(200, schema=s.CertificationOut, success=True, description="renew, revoke or check_in")
@fails(*SIGNED_IN, conflict="The certificate's status does not allow this decision (`invalid_transition`).")
def certification(_data, library_id):
    """Award, renew, revoke or check in a certificate (assessor)."""
    enforce(current_identity(), "certification.decide", library_id)
    return call("scoring", "POST", f"/libraries/{library_id}/certification", json=body())


@blp.get("/libraries/<library_id>/certificate")
@blp.response(200, s.LibraryCertificateOut)
@fails(*SIGNED_IN)
def certificate(library_id):
    """The library's certificate."""
    enforce(current_identity(), "progress.read", library_id)
    return call("scoring", "GET", f"/libraries/{library_id}/certificate")


# --- public ---------------------------------------------------------------------------------

@blp.get("/public/libraries")
@blp.arguments(s.MunicipalityQuery, location="query")
@blp.response(200, s.PublicDirectory)
@fails(503)
def public_libraries(_query):
    """Certified libraries (no authentication)."""
    return call("scoring", "GET", "/public/libraries", params=request.args)


@blp.get("/public/libraries/<library_id>/activities")
@blp.response(200, s.PublicActivitiesOut)
@fails(503)
def public_activities(library_id):
    """A library's approved public activities (no authentication)."""
    return call("evidence", "GET", f"/public/libraries/{library_id}/activities")


@blp.get("/public/certificates/<certificate_id>")
@blp.response(200, s.CertificateOut)
@fails(503)
def public_certificate(certificate_id):
    """Verify a certificate (no authentication)."""
    return call("scoring", "GET", f"/public/certificates/{certificate_id}")


@blp.get("/public/certificates/<certificate_id>/badge.svg")
@blp.doc(responses={"200": {"description": "The badge (SVG).", "content": {"image/svg+xml": {"schema": BINARY}}}})
@fails(503)
def public_badge(certificate_id):
    """The certificate's badge to embed (SVG)."""
    return call("scoring", "GET", f"/public/certificates/{certificate_id}/badge.svg")
