"""The registration HTTP API: thin flask-smorest views that parse the body, read the gateway-signed
identity, hand one command to the message bus (or ask one view) and answer through the response
schema. `ERRORS` is the service's one table from domain errors to HTTP statuses."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Blueprint

from registration import schemas as s
from registration import views
from registration.bootstrap import Service, bootstrap
from registration.config import Settings
from registration.domain import commands as c
from registration.domain.errors import (
    Conflict,
    Forbidden,
    InvalidCredentials,
    NotFound,
    RegistrationError,
    TokenGone,
)
from registration.domain.signin import SignInThrottled
from shared import jsonlog
from shared.http import Problem, create_service_app, current_identity
from shared.identity import Identity

# Domain errors -> HTTP status (problem+json with the error's Danish and English text and field).
# The most specific class wins: every error is a RegistrationError (422) unless it is one below.
ERRORS: dict[type[Exception], int] = {
    RegistrationError: 422,
    InvalidCredentials: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TokenGone: 410,
    SignInThrottled: 429,
}

SERVICE_KEY = "registration.service"  # app.extensions[...]: the Service this app runs on


def create_app(settings: Settings | None = None, *, service: Service | None = None) -> Flask:
    """Build the HTTP app and start this process's outbox relay (gunicorn: 'registration.api:create_app()')."""
    service = service or bootstrap(settings)
    jsonlog.configure(service.settings.service, service.settings.log_level)
    service.runtime.start_relay()
    app, api = create_service_app(service.settings, title="Registration: libraries, people, cohorts",
                                  runtime_ready=lambda: ready(service), mapped_errors=ERRORS,
                                  idempotency_db=service.runtime.store.db if service.runtime.store is not None else None)
    for bp in blueprints(service):
        api.register_blueprint(bp)
    app.extensions["chora_runtime"] = service.runtime
    app.extensions[SERVICE_KEY] = service
    return app


def ready(service: Service) -> dict[str, str]:
    """Readiness: the database and broker answer, and the database is migrated."""
    checks = service.runtime.check_ready()
    try:
        checks["schema"] = service.schema_check()
    except Exception as exc:  # the database check above already says why
        checks["schema"] = f"error: {exc.__class__.__name__}"
    return checks


def blueprints(service: Service) -> list[Blueprint]:
    """This service's blueprints, each view closing over the one service."""
    bus, uow = service.bus, service.uow

    def me() -> Identity:
        return current_identity(service.settings)

    def before_each_request() -> None:
        schema = service.schema_check()
        if schema != "ok":
            raise Problem(503, "Tjenesten er ved at blive opdateret. Prøv igen om lidt.",
                          detail_en=f"The service is not ready: {schema}.", code="schema_not_ready")
        me()  # no identity, no answer: 401 comes before any validation of the body

    onboarding = Blueprint("onboarding", __name__, description="Self-registration, confirmation, credentials")

    @onboarding.route("/registrations", methods=["POST"])
    @onboarding.arguments(s.RegistrationIn)
    @onboarding.response(201, s.RegisteredOut)
    def register(body: dict[str, Any]) -> Any:
        """Register a library and its first coordinator (both pending until the email is confirmed)."""
        lib, coord = body["library"], body["coordinator"]
        return bus.handle(c.RegisterLibrary(
            name=lib["name"], isil=lib["isil"], municipality=lib["municipality"], kind=lib["kind"],
            staff_count=lib["staff_count"], website=lib.get("website"), address=lib.get("address"),
            branches=tuple(lib.get("branches") or ()), coordinator_name=coord["name"],
            coordinator_email=coord["email"], coordinator_language=coord["language"], password=coord["password"],
        ))

    @onboarding.route("/email-confirmations", methods=["POST"])
    @onboarding.arguments(s.TokenIn)
    @onboarding.response(200, s.RegisteredOut)
    def confirm(body: dict[str, Any]) -> Any:
        """Confirm a coordinator's email address with the token from the mail."""
        return bus.handle(c.ConfirmEmail(body["token"]))

    @onboarding.route("/email-confirmations/resend", methods=["POST"])
    @onboarding.arguments(s.EmailIn)
    @onboarding.response(202, s.AcceptedOut)
    def resend_confirmation(body: dict[str, Any]) -> Any:
        """Send a new confirmation link (answers 202 whether or not the address is known)."""
        bus.handle(c.ResendConfirmation(body["email"]))
        return {"status": "accepted"}

    @onboarding.route("/credentials/verify", methods=["POST"])
    @onboarding.arguments(s.CredentialsIn)
    @onboarding.response(200, s.SignInOut)
    def verify(body: dict[str, Any]) -> Any:
        """Check an email and password for the gateway; 401 alike for unknown email and wrong password,
        429 `throttled` after too many failures for the account or from the client address."""
        return bus.handle(c.VerifyCredentials(body["email"], body["password"], body.get("client_address")))

    @onboarding.route("/password-resets", methods=["POST"])
    @onboarding.arguments(s.EmailIn)
    @onboarding.response(202, s.AcceptedOut)
    def request_reset(body: dict[str, Any]) -> Any:
        """Mail a password reset link (answers 202 whether or not the address is known)."""
        bus.handle(c.RequestPasswordReset(body["email"]))
        return {"status": "accepted"}

    @onboarding.route("/password-resets/complete", methods=["POST"])
    @onboarding.arguments(s.PasswordResetCompleteIn)
    @onboarding.response(200, s.PersonIdOut)
    def complete_reset(body: dict[str, Any]) -> Any:
        """Set a new password with the token from the reset mail."""
        return {"person_id": bus.handle(c.CompletePasswordReset(body["token"], body["password"]))}

    @onboarding.route("/municipalities", methods=["GET"])
    @onboarding.response(200, s.MunicipalitiesOut)
    def list_municipalities() -> Any:
        """The 98 Danish municipalities, official spelling."""
        return views.municipalities()

    people = Blueprint("people", __name__, description="People, invitations, GDPR")

    @people.route("/people/<person_id>", methods=["GET"])
    @people.response(200, s.PersonOut)
    def get_person(person_id: str) -> Any:
        """A person (self, programme staff, or staff of the same library)."""
        return views.person(person_id, me(), uow)

    @people.route("/people/<person_id>", methods=["PATCH"])
    @people.arguments(s.PersonPatchIn)
    @people.response(200, s.PersonOut)
    def patch_person(body: dict[str, Any], person_id: str) -> Any:
        """Change name/language (self, administrator) or role/active (coordinator, administrator)."""
        bus.handle(c.UpdatePerson(me(), person_id, **body))
        return views.person(person_id, me(), uow)

    @people.route("/people/<person_id>/reactivate", methods=["POST"])
    @people.response(200, s.PersonOut)
    def reactivate_person(person_id: str) -> Any:
        """Let a deactivated person sign in again (coordinator of their library, administrator); 409 if erased."""
        bus.handle(c.ReactivatePerson(me(), person_id))
        return views.person(person_id, me(), uow)

    @people.route("/people/<person_id>/export", methods=["GET"])
    @people.response(200, s.PersonExportOut)
    def export_person(person_id: str) -> Any:
        """Everything held about a person, as JSON (GDPR access)."""
        return views.export_person(person_id, me(), uow)

    @people.route("/people/<person_id>", methods=["DELETE"])
    @people.response(204)
    def erase_person(person_id: str) -> None:
        """Erase a person (GDPR; administrator): the person is removed, person.erased is published."""
        bus.handle(c.ErasePerson(me(), person_id))

    @people.route("/libraries/<library_id>/people", methods=["GET"])
    @people.response(200, s.PeopleOut)
    def library_people(library_id: str) -> Any:
        """The people of a library, any status."""
        return views.people_of_library(library_id, me(), uow)

    @people.route("/invitations", methods=["POST"])
    @people.arguments(s.InvitationIn)
    @people.response(201, s.PersonIdOut)
    def invite(body: dict[str, Any]) -> Any:
        """Invite someone to a library (coordinator, administrator) or to the programme staff (administrator)."""
        return {"person_id": bus.handle(c.InvitePerson(me(), **body))}

    @people.route("/invitations/<person_id>/resend", methods=["POST"])
    @people.response(202, s.PersonIdOut)
    def resend_invitation(person_id: str) -> Any:
        """Send a new invitation link; the previous one stops working."""
        bus.handle(c.ResendInvitation(me(), person_id))
        return {"person_id": person_id}

    @people.route("/invitations/<person_id>", methods=["DELETE"])
    @people.response(204)
    def revoke_invitation(person_id: str) -> None:
        """Revoke a pending invitation."""
        bus.handle(c.RevokeInvitation(me(), person_id))

    @people.route("/invitations/accept", methods=["POST"])
    @people.arguments(s.AcceptInvitationIn)
    @people.response(200, s.JoinedOut)
    def accept(body: dict[str, Any]) -> Any:
        """Accept an invitation: set a password (and a name if the inviter gave none)."""
        return bus.handle(c.AcceptInvitation(body["token"], body["password"], body.get("name")))

    libraries = Blueprint("libraries", __name__, description="Libraries and branches")

    @libraries.route("/libraries", methods=["GET"])
    @libraries.arguments(s.LibraryQuery, location="query")
    @libraries.response(200, s.LibrariesOut)
    def list_libraries(query: dict[str, Any]) -> Any:
        """Every library (programme staff), filtered by status, municipality or cohort."""
        return views.libraries(me(), uow, **query)

    @libraries.route("/libraries/<library_id>", methods=["GET"])
    @libraries.response(200, s.LibraryOut)
    def get_library(library_id: str) -> Any:
        """A library with its branches and current enrolment."""
        return views.library(library_id, me(), uow)

    @libraries.route("/libraries/<library_id>", methods=["PATCH"])
    @libraries.arguments(s.LibraryPatchIn)
    @libraries.response(200, s.LibraryOut)
    def patch_library(body: dict[str, Any], library_id: str) -> Any:
        """Change a library's details (its coordinator, or an administrator)."""
        bus.handle(c.UpdateLibrary(me(), library_id, body))
        return views.library(library_id, me(), uow)

    @libraries.route("/libraries/<library_id>/withdraw", methods=["POST"])
    @libraries.arguments(s.WithdrawIn)
    @libraries.response(200, s.LibraryOut)
    def withdraw(body: dict[str, Any], library_id: str) -> Any:
        """Withdraw a library from the programme (ends its enrolment)."""
        bus.handle(c.WithdrawLibrary(me(), library_id, body.get("reason")))
        return views.library(library_id, me(), uow)

    @libraries.route("/libraries/<library_id>/branches", methods=["GET"])
    @libraries.response(200, s.BranchesOut)
    def list_branches(library_id: str) -> Any:
        """A library's branches, open and closed, with what the caller may do with each."""
        return views.branches(library_id, me(), uow)

    @libraries.route("/libraries/<library_id>/branches", methods=["POST"])
    @libraries.arguments(s.BranchIn)
    @libraries.response(201, s.BranchOut)
    def add_branch(body: dict[str, Any], library_id: str) -> Any:
        """Add a branch (filial): a name, optionally its ISIL code (DK-7, municipality code, branch
        number) and address."""
        branch_id = bus.handle(c.AddBranch(me(), library_id, body["name"], isil=body.get("isil"),
                                           address=body.get("address")))
        return views.branch(library_id, branch_id, me(), uow)

    def _change_branch(body: dict[str, Any], library_id: str | None, branch_id: str) -> Any:
        details: dict[str, Any] = {name: body[name] or "" for name in ("isil", "address") if name in body}
        found = bus.handle(c.ChangeBranch(me(), library_id, branch_id, name=body.get("name"),
                                          close=body.get("status") == "closed", details=details))
        return views.branch(found, branch_id, me(), uow)

    @libraries.route("/libraries/<library_id>/branches/<branch_id>", methods=["PATCH"])
    @libraries.arguments(s.BranchPatchIn)
    @libraries.response(200, s.BranchOut)
    def patch_branch(body: dict[str, Any], library_id: str, branch_id: str) -> Any:
        """Rename a branch, change its ISIL code or address, or close it."""
        return _change_branch(body, library_id, branch_id)

    @libraries.route("/branches/<branch_id>", methods=["PATCH"])
    @libraries.arguments(s.BranchPatchIn)
    @libraries.response(200, s.BranchOut)
    def patch_branch_by_id(body: dict[str, Any], branch_id: str) -> Any:
        """The same change, naming only the branch (its library is the one that has it)."""
        return _change_branch(body, None, branch_id)

    cohorts = Blueprint("cohorts", __name__, description="Cohorts and enrolments")

    @cohorts.route("/cohorts", methods=["GET"])
    @cohorts.response(200, s.CohortsOut)
    def list_cohorts() -> Any:
        """The cohorts (anyone signed in)."""
        return views.cohorts(me(), uow)

    @cohorts.route("/cohorts", methods=["POST"])
    @cohorts.arguments(s.CohortIn)
    @cohorts.response(201, s.CohortOut)
    def create_cohort(body: dict[str, Any]) -> Any:
        """Create a cohort (administrator)."""
        return views.cohort(bus.handle(c.CreateCohort(me(), **body)), me(), uow)

    @cohorts.route("/cohorts/<cohort_id>", methods=["PATCH"])
    @cohorts.arguments(s.CohortPatchIn)
    @cohorts.response(200, s.CohortOut)
    def patch_cohort(body: dict[str, Any], cohort_id: str) -> Any:
        """Rename, open or close a cohort (administrator)."""
        bus.handle(c.UpdateCohort(me(), cohort_id, **body))
        return views.cohort(cohort_id, me(), uow)

    @cohorts.route("/libraries/<library_id>/enrolment", methods=["PUT"])
    @cohorts.arguments(s.EnrolmentIn)
    @cohorts.response(200, s.EnrolmentOut)
    def put_enrolment(body: dict[str, Any], library_id: str) -> Any:
        """Enrol a library in a cohort, or move it there (administrator)."""
        bus.handle(c.EnrolLibrary(me(), library_id, body["cohort_id"]))
        return views.enrolment(library_id, me(), uow)

    @cohorts.route("/libraries/<library_id>/enrolment", methods=["DELETE"])
    @cohorts.response(204)
    def delete_enrolment(library_id: str) -> None:
        """End a library's enrolment (administrator)."""
        bus.handle(c.EndEnrolment(me(), library_id))

    every = [onboarding, people, libraries, cohorts]
    for bp in every:
        bp.before_request(before_each_request)
    return every
