"""The registration HTTP API (services/README.md, "registration"): thin views that validate the
body, read the gateway-signed identity, call one handler and map the result."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from registration import schemas as s
from registration.config import Settings
from registration.domain import municipalities
from registration.domain.signin import ThrottlePolicy
from registration.handlers import Handlers, LibraryView, branch_view
from shared.http import Problem, current_identity
from shared.mongo import ServiceStore

HANDLERS_KEY = "registration.handlers"  # app.extensions[...]: tests swap the clock through it


def create_app(settings: Settings | None = None, *, service=None):
    """The gunicorn entry point: 'registration.api:create_app()'."""
    from registration.bootstrap import SERVICE

    service = service or SERVICE.bootstrap(settings)
    return SERVICE.create_app(service.settings, service.runtime)


def library_out(view: LibraryView) -> dict[str, Any]:
    lib = view.library
    data = {name: getattr(lib, name) for name in s.LibraryOut._declared_fields if hasattr(lib, name)}
    data["branches"] = [branch_view(b) for b in lib.branches]
    data["enrolment"] = view.enrolment
    return data


def person_out(person) -> Any:
    return person


def signin_out(person) -> dict[str, Any]:
    return {"person_id": person.person_id, "name": person.name, "email": person.email, "role": person.role,
            "library_id": person.library_id, "language": person.language}


BAD_CREDENTIALS = dict(
    detail="Forkert e-mailadresse eller adgangskode.",
    detail_en="Wrong email address or password.",
    code="invalid_credentials",
)


def blueprints(store: ServiceStore, settings: Settings) -> list[Blueprint]:
    """Build this service's blueprints around one Handlers object (one per app)."""
    h = Handlers(store, throttle=ThrottlePolicy.from_settings(settings))

    def me():
        return current_identity(settings)

    onboarding = Blueprint("onboarding", __name__, description="Self-registration, confirmation, credentials")
    onboarding.record_once(lambda state: state.app.extensions.__setitem__(HANDLERS_KEY, h))

    @onboarding.route("/registrations", methods=["POST"])
    @onboarding.arguments(s.RegistrationIn)
    @onboarding.response(201, s.RegisteredOut)
    def register(body):
        """Register a library and its first coordinator (both pending until the email is confirmed)."""
        me()
        lib, coord = body["library"], body["coordinator"]
        form = {**lib, "coordinator_name": coord["name"], "coordinator_email": coord["email"],
                "coordinator_language": coord.get("language", "da")}
        library_id, person_id = h.register(form, coord["password"])
        return {"library_id": library_id, "person_id": person_id}

    @onboarding.route("/email-confirmations", methods=["POST"])
    @onboarding.arguments(s.TokenIn)
    @onboarding.response(200, s.RegisteredOut)
    def confirm(body):
        """Confirm a coordinator's email address with the token from the mail."""
        me()
        library_id, person_id = h.confirm_email(body["token"])
        return {"library_id": library_id, "person_id": person_id}

    @onboarding.route("/email-confirmations/resend", methods=["POST"])
    @onboarding.arguments(s.EmailIn)
    @onboarding.response(202, s.AcceptedOut)
    def resend_confirmation(body):
        """Send a new confirmation link (answers 202 whether or not the address is known)."""
        me()
        h.resend_confirmation(body["email"])
        return {"status": "accepted"}

    @onboarding.route("/credentials/verify", methods=["POST"])
    @onboarding.arguments(s.CredentialsIn)
    @onboarding.response(200, s.SignInOut)
    def verify(body):
        """Check an email and password for the gateway; 401 alike for unknown email and wrong password,
        429 `throttled` after too many failures for the account or from the client address."""
        me()
        person = h.verify_credentials(body["email"], body["password"], body.get("client_address"))
        if person is None:
            raise Problem(401, **BAD_CREDENTIALS)
        return signin_out(person)

    @onboarding.route("/password-resets", methods=["POST"])
    @onboarding.arguments(s.EmailIn)
    @onboarding.response(202, s.AcceptedOut)
    def request_reset(body):
        """Mail a password reset link (answers 202 whether or not the address is known)."""
        me()
        h.request_password_reset(body["email"])
        return {"status": "accepted"}

    @onboarding.route("/password-resets/complete", methods=["POST"])
    @onboarding.arguments(s.PasswordResetCompleteIn)
    @onboarding.response(200, s.PersonIdOut)
    def complete_reset(body):
        """Set a new password with the token from the reset mail."""
        me()
        return {"person_id": h.complete_password_reset(body["token"], body["password"])}

    @onboarding.route("/municipalities", methods=["GET"])
    @onboarding.response(200, s.MunicipalitiesOut)
    def list_municipalities():
        """The 98 Danish municipalities, official spelling."""
        me()
        return {"items": list(municipalities())}

    people = Blueprint("people", __name__, description="People, invitations, GDPR")

    @people.route("/people/<person_id>", methods=["GET"])
    @people.response(200, s.PersonOut)
    def get_person(person_id):
        """A person (self, programme staff, or staff of the same library)."""
        return h.get_person(me(), person_id)

    @people.route("/people/<person_id>", methods=["PATCH"])
    @people.arguments(s.PersonPatchIn)
    @people.response(200, s.PersonOut)
    def patch_person(body, person_id):
        """Change name/language (self, administrator) or role/active (coordinator, administrator)."""
        return h.update_person(me(), person_id, body)

    @people.route("/people/<person_id>/reactivate", methods=["POST"])
    @people.response(200, s.PersonOut)
    def reactivate_person(person_id):
        """Let a deactivated person sign in again (coordinator of their library, administrator); 409 if erased."""
        return h.reactivate_person(me(), person_id)

    @people.route("/people/<person_id>/export", methods=["GET"])
    @people.response(200, s.PersonExportOut)
    def export_person(person_id):
        """Everything held about a person, as JSON (GDPR access)."""
        return h.export_person(me(), person_id)

    @people.route("/people/<person_id>", methods=["DELETE"])
    @people.response(204)
    def erase_person(person_id):
        """Erase a person (GDPR; administrator): the person is removed, person.erased is published."""
        h.erase_person(me(), person_id)

    @people.route("/libraries/<library_id>/people", methods=["GET"])
    @people.response(200, s.PeopleOut)
    def library_people(library_id):
        """The people of a library, any status."""
        return {"items": h.people_of_library(me(), library_id)}

    @people.route("/invitations", methods=["POST"])
    @people.arguments(s.InvitationIn)
    @people.response(201, s.PersonIdOut)
    def invite(body):
        """Invite someone to a library (coordinator, administrator) or to the programme staff (administrator)."""
        return {"person_id": h.invite(me(), **body)}

    @people.route("/invitations/<person_id>/resend", methods=["POST"])
    @people.response(202, s.PersonIdOut)
    def resend_invitation(person_id):
        """Send a new invitation link; the previous one stops working."""
        h.resend_invitation(me(), person_id)
        return {"person_id": person_id}

    @people.route("/invitations/<person_id>", methods=["DELETE"])
    @people.response(204)
    def revoke_invitation(person_id):
        """Revoke a pending invitation."""
        h.revoke_invitation(me(), person_id)

    @people.route("/invitations/accept", methods=["POST"])
    @people.arguments(s.AcceptInvitationIn)
    @people.response(200, s.JoinedOut)
    def accept(body):
        """Accept an invitation: set a password (and a name if the inviter gave none)."""
        me()
        person_id, library_id = h.accept_invitation(body["token"], body["password"], body.get("name"))
        return {"person_id": person_id, "library_id": library_id}

    libraries = Blueprint("libraries", __name__, description="Libraries and branches")

    @libraries.route("/libraries", methods=["GET"])
    @libraries.arguments(s.LibraryQuery, location="query")
    @libraries.response(200, s.LibrariesOut)
    def list_libraries(query):
        """Every library (programme staff), filtered by status, municipality or cohort."""
        views = h.list_libraries(me(), **query)
        return {"items": [library_out(v) for v in views], "total": len(views)}

    @libraries.route("/libraries/<library_id>", methods=["GET"])
    @libraries.response(200, s.LibraryOut)
    def get_library(library_id):
        """A library with its branches and current enrolment."""
        return library_out(h.get_library(me(), library_id))

    @libraries.route("/libraries/<library_id>", methods=["PATCH"])
    @libraries.arguments(s.LibraryPatchIn)
    @libraries.response(200, s.LibraryOut)
    def patch_library(body, library_id):
        """Change a library's details (its coordinator, or an administrator)."""
        return library_out(h.update_library(me(), library_id, body))

    @libraries.route("/libraries/<library_id>/withdraw", methods=["POST"])
    @libraries.arguments(s.WithdrawIn)
    @libraries.response(200, s.LibraryOut)
    def withdraw(body, library_id):
        """Withdraw a library from the programme (ends its enrolment)."""
        return library_out(h.withdraw_library(me(), library_id, body.get("reason")))

    @libraries.route("/libraries/<library_id>/branches", methods=["POST"])
    @libraries.arguments(s.BranchIn)
    @libraries.response(201, s.BranchOut)
    def add_branch(body, library_id):
        """Add a branch (filial)."""
        return h.add_branch(me(), library_id, body["name"])

    @libraries.route("/libraries/<library_id>/branches/<branch_id>", methods=["PATCH"])
    @libraries.arguments(s.BranchPatchIn)
    @libraries.response(200, s.BranchOut)
    def patch_branch(body, library_id, branch_id):
        """Rename or close a branch."""
        return h.change_branch(me(), library_id, branch_id, name=body.get("name"), status=body.get("status"))

    cohorts = Blueprint("cohorts", __name__, description="Cohorts and enrolments")

    @cohorts.route("/cohorts", methods=["GET"])
    @cohorts.response(200, s.CohortsOut)
    def list_cohorts():
        """The cohorts (anyone signed in)."""
        return {"items": h.list_cohorts(me())}

    @cohorts.route("/cohorts", methods=["POST"])
    @cohorts.arguments(s.CohortIn)
    @cohorts.response(201, s.CohortOut)
    def create_cohort(body):
        """Create a cohort (administrator)."""
        return h.create_cohort(me(), **body)

    @cohorts.route("/cohorts/<cohort_id>", methods=["PATCH"])
    @cohorts.arguments(s.CohortPatchIn)
    @cohorts.response(200, s.CohortOut)
    def patch_cohort(body, cohort_id):
        """Rename, open or close a cohort (administrator)."""
        return h.update_cohort(me(), cohort_id, body)

    @cohorts.route("/libraries/<library_id>/enrolment", methods=["PUT"])
    @cohorts.arguments(s.EnrolmentIn)
    @cohorts.response(200, s.EnrolmentOut)
    def put_enrolment(body, library_id):
        """Enrol a library in a cohort, or move it there (administrator)."""
        return h.enrol(me(), library_id, body["cohort_id"])

    @cohorts.route("/libraries/<library_id>/enrolment", methods=["DELETE"])
    @cohorts.response(204)
    def delete_enrolment(library_id):
        """End a library's enrolment (administrator)."""
        h.withdraw_enrolment(me(), library_id)

    def require_identity() -> None:
        me()  # no identity, no answer: 401 comes before any validation of the body

    every = [onboarding, people, libraries, cohorts]
    for bp in every:
        bp.before_request(require_identity)
    return every
