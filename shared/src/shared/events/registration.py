"""Events produced by the registration service.

Each payload carries what its consumers need so they never call back: notification gets names,
email addresses, language and the one-time token for link mails; scoring gets staff_count, kind,
municipality and (from enrolment and cohort events) the cohort. Library, person and cohort events carry the
aggregate's `version`, increasing with every change, for consumers' order guards.

Tokens travel in person.invited, library.registered, person.password_reset_requested and
person.email_confirmation_requested only, sealed (encrypted) for notification alone: the
registration service hands them in clear to Tx.emit, which seals them; notification's consumer
opens them. Notification must not log or store them beyond the mail.
"""

from datetime import UTC
from typing import Any

from marshmallow import fields, validate

from shared.events.base import Payload, Sealed, event

KINDS = ("folkebibliotek", "uddannelsesbibliotek")
LANGUAGES = ("da", "en")
ROLES = ("coordinator", "member", "assessor", "administrator")
LIBRARY_STATUSES = ("pending", "active", "withdrawn")
PERSON_STATUSES = ("invited", "pending", "active", "deactivated", "erased")


def _when(**kwargs: Any) -> fields.AwareDateTime:
    return fields.AwareDateTime(default_timezone=UTC, **kwargs)


class BranchRef(Payload):
    branch_id = fields.Str(required=True)
    name = fields.Str(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(("open", "closed")))
    isil = fields.Str(allow_none=True, load_default=None)
    address = fields.Str(allow_none=True, load_default=None)


class PersonContact(Payload):
    person_id = fields.Str(required=True)
    name = fields.Str(required=True, allow_none=True)  # None until an invited person gives it
    email = fields.Email(required=True)
    language = fields.Str(required=True, validate=validate.OneOf(LANGUAGES))
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))


class LibrarySnapshot(Payload):
    """The library as every library event carries it."""

    library_id = fields.Str(required=True)
    version = fields.Int(required=True)
    name = fields.Str(required=True)
    municipality = fields.Str(required=True)
    kind = fields.Str(required=True, validate=validate.OneOf(KINDS))
    isil = fields.Str(required=True, validate=validate.Regexp(r"^DK-[0-9]{6}$"))
    staff_count = fields.Int(required=True, validate=validate.Range(min=1, max=5000))
    website = fields.Str(load_default=None, allow_none=True)
    address = fields.Str(load_default=None, allow_none=True)  # added later: optional, backward compatible
    status = fields.Str(required=True, validate=validate.OneOf(LIBRARY_STATUSES))
    origin = fields.Str(load_default="self_service", validate=validate.OneOf(("self_service", "seed")))
    branches = fields.List(fields.Nested(BranchRef), load_default=list)
    open_branch_count = fields.Int(required=True)


class PersonEvent(Payload):
    """Who the person is, for mails and projections; library fields are None for programme staff."""

    person_id = fields.Str(required=True)
    version = fields.Int(required=True)
    name = fields.Str(required=True, allow_none=True)
    email = fields.Email(required=True)
    language = fields.Str(required=True, validate=validate.OneOf(LANGUAGES))
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))
    library_id = fields.Str(required=True, allow_none=True)


# -- libraries and branches ------------------------------------------------------------------------


@event("library.registered", version=1, producer="registration", consumers=("evidence", "notification", "scoring"))
class LibraryRegistered(LibrarySnapshot):
    """A library registered itself (pending email confirmation), or was seeded (coordinator None)."""

    registered_at = _when(required=True)
    coordinator = fields.Nested(PersonContact, required=True, allow_none=True)
    confirmation_token = Sealed(audience="notification", required=True, allow_none=True)
    token_expires_at = _when(required=True, allow_none=True)


@event("library.activated", version=1, producer="registration", consumers=("notification", "scoring"))
class LibraryActivated(LibrarySnapshot):
    """A library became active: its coordinator confirmed the email address (or it was seeded)."""

    activated_at = _when(required=True)
    coordinator = fields.Nested(PersonContact, required=True, allow_none=True)


@event("library.updated", version=1, producer="registration", consumers=("evidence", "notification", "scoring"))
class LibraryUpdated(LibrarySnapshot):
    """A library's details changed; changed_fields names them."""

    changed_fields = fields.List(fields.Str(), required=True)


@event("library.withdrawn", version=1, producer="registration", consumers=("notification", "scoring"))
class LibraryWithdrawn(LibrarySnapshot):
    """A library left the programme; its active enrolment ends with it."""

    withdrawn_at = _when(required=True)
    reason = fields.Str(load_default=None, allow_none=True)


class BranchEvent(Payload):
    library_id = fields.Str(required=True)
    version = fields.Int(required=True)
    library_name = fields.Str(required=True)
    branch_id = fields.Str(required=True)
    name = fields.Str(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(("open", "closed")))
    open_branch_count = fields.Int(required=True)
    # Optional: DK-7 + municipality code + branch number, the postal address, the code's municipality.
    isil = fields.Str(allow_none=True, load_default=None)
    address = fields.Str(allow_none=True, load_default=None)
    municipality = fields.Str(allow_none=True, load_default=None)


@event("branch.added", version=1, producer="registration", consumers=())
class BranchAdded(BranchEvent):
    """A library added a branch (filial)."""


@event("branch.changed", version=1, producer="registration", consumers=())
class BranchChanged(BranchEvent):
    """A branch was renamed, had its ISIL code or address changed (updated), or was closed."""

    change = fields.Str(required=True, validate=validate.OneOf(("renamed", "updated", "closed")))
    previous_name = fields.Str(required=True)


# -- people ----------------------------------------------------------------------------------------


@event("person.invited", version=1, producer="registration", consumers=("notification",))
class PersonInvited(PersonEvent):
    """Someone was invited to a library or to the programme staff; resend=True for a new link."""

    library_name = fields.Str(required=True, allow_none=True)
    invited_by = fields.Str(required=True, allow_none=True)
    inviter_name = fields.Str(required=True, allow_none=True)
    invitation_token = Sealed(audience="notification", required=True)
    token_expires_at = _when(required=True)
    resend = fields.Bool(load_default=False)


@event("person.joined", version=1, producer="registration", consumers=("notification",))
class PersonJoined(PersonEvent):
    """A person became active: accepted an invitation or confirmed a registration."""

    library_name = fields.Str(required=True, allow_none=True)
    joined_at = _when(required=True)


@event("person.role_changed", version=1, producer="registration", consumers=("notification",))
class PersonRoleChanged(PersonEvent):
    """A person's role changed (coordinator <-> member, assessor <-> administrator)."""

    library_name = fields.Str(load_default=None, allow_none=True)
    status = fields.Str(required=True, validate=validate.OneOf(PERSON_STATUSES))
    old_role = fields.Str(required=True, validate=validate.OneOf(ROLES))
    new_role = fields.Str(required=True, validate=validate.OneOf(ROLES))
    changed_by = fields.Str(load_default=None, allow_none=True)


@event("person.profile_changed", version=1, producer="registration", consumers=("notification",))
class PersonProfileChanged(PersonEvent):
    """A person changed their name or language preference."""

    status = fields.Str(required=True, validate=validate.OneOf(PERSON_STATUSES))
    changed_fields = fields.List(fields.Str(), required=True)


@event("person.deactivated", version=1, producer="registration", consumers=("notification",))
class PersonDeactivated(Payload):
    """A person can no longer sign in (deactivated, or their invitation was revoked)."""

    person_id = fields.Str(required=True)
    version = fields.Int(required=True)
    library_id = fields.Str(required=True, allow_none=True)
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))
    deactivated_at = _when(required=True)
    deactivated_by = fields.Str(load_default=None, allow_none=True)
    reason = fields.Str(required=True, validate=validate.OneOf(("deactivated", "invitation_revoked")))


@event("person.reactivated", version=1, producer="registration", consumers=("notification",))
class PersonReactivated(PersonEvent):
    """A deactivated person who had joined may sign in again (never an erased person).

    Carries the whole contact, like person.joined, so a consumer whose projection dropped or
    never held the person can make them a recipient again without calling back.
    """

    library_name = fields.Str(required=True, allow_none=True)
    reactivated_at = _when(required=True)
    reactivated_by = fields.Str(load_default=None, allow_none=True)


@event("person.erased", version=1, producer="registration", consumers=("evidence", "notification"))
class PersonErased(Payload):
    """A person was erased (GDPR): consumers delete what they hold about this person id."""

    person_id = fields.Str(required=True)
    library_id = fields.Str(required=True, allow_none=True)


# Issue 12 point 4 (sessions and tokens that end). Its consumer is every gateway process (a
# broadcast: each has its own exclusive, auto-delete queue bound to this type), not a service
# queue, so the catalogue names no consuming service and the archive keeps a bounded copy.
@event("person.access_changed", version=1, producer="registration", consumers=())
class PersonAccessChanged(Payload):
    """A person's access changed: logout, password change or reset, deactivation, reactivation,
    role change or erasure (status "erased"); gateways drop what they cached about the person."""

    person_id = fields.Str(required=True)
    session_generation = fields.Int(required=True, validate=validate.Range(min=0))
    status = fields.Str(required=True, validate=validate.OneOf(PERSON_STATUSES))
    role = fields.Str(required=True, allow_none=True, validate=validate.OneOf(ROLES))
    library_id = fields.Str(required=True, allow_none=True)


@event("person.password_reset_requested", version=1, producer="registration", consumers=("notification",))
class PersonPasswordResetRequested(PersonEvent):
    """An active person asked for a password reset link (valid 1 hour)."""

    reset_token = Sealed(audience="notification", required=True)
    token_expires_at = _when(required=True)


@event("person.email_confirmation_requested", version=1, producer="registration", consumers=("notification",))
class PersonEmailConfirmationRequested(PersonEvent):
    """A pending coordinator asked for a new confirmation link (the previous one stops working)."""

    library_name = fields.Str(required=True, allow_none=True)
    confirmation_token = Sealed(audience="notification", required=True)
    token_expires_at = _when(required=True)


# -- enrolments ------------------------------------------------------------------------------------


@event("enrolment.started", version=1, producer="registration", consumers=("scoring",))
class EnrolmentStarted(Payload):
    """A library was enrolled in a cohort (forløb)."""

    enrolment_id = fields.Str(required=True)
    version = fields.Int(required=True)
    library_id = fields.Str(required=True)
    library_name = fields.Str(required=True)
    municipality = fields.Str(required=True)
    cohort_id = fields.Str(required=True)
    cohort_name = fields.Str(required=True)
    start_year = fields.Int(required=True)
    end_year = fields.Int(required=True, allow_none=True)
    started_at = _when(required=True)


@event("enrolment.withdrawn", version=1, producer="registration", consumers=("scoring",))
class EnrolmentWithdrawn(Payload):
    """A library's enrolment ended: withdrawn, moved to another cohort, or the library withdrew."""

    enrolment_id = fields.Str(required=True)
    version = fields.Int(required=True)
    library_id = fields.Str(required=True)
    cohort_id = fields.Str(required=True)
    cohort_name = fields.Str(required=True)
    withdrawn_at = _when(required=True)
    reason = fields.Str(required=True, validate=validate.OneOf(("withdrawn", "moved", "library_withdrawn")))


# -- cohorts ---------------------------------------------------------------------------------------


class CohortSnapshot(Payload):
    """The cohort as every cohort event carries it, with the version for consumers' order guards."""

    cohort_id = fields.Str(required=True)
    version = fields.Int(required=True)
    name = fields.Str(required=True)
    start_year = fields.Int(required=True)
    end_year = fields.Int(required=True, allow_none=True)
    state = fields.Str(required=True, validate=validate.OneOf(("planned", "open", "closed")))
    changed = fields.List(fields.Str(validate=validate.OneOf(("name", "state"))), load_default=list)


@event("cohort.created", version=1, producer="registration", consumers=("scoring",))
class CohortCreated(CohortSnapshot):
    """An administrator created a cohort (forløb), or the service created a shipped one at start-up."""


@event("cohort.updated", version=1, producer="registration", consumers=("scoring",))
class CohortUpdated(CohortSnapshot):
    """A cohort was renamed, opened for enrolment or closed; `changed` names what changed."""
