"""The authorisation table: who may do what, for their own library or for any. The one place
the gateway decides access (the services check again from the signed identity)."""

from __future__ import annotations

from enum import StrEnum

from shared.identity import Identity

ROLES = ("anonymous", "coordinator", "member", "assessor", "administrator")
OWN, ANY = "own", "any"

_EVERYONE = {role: ANY for role in ROLES}
_SIGNED_IN = {role: ANY for role in ROLES if role != "anonymous"}
_STAFF_OWN_PROGRAMME_ANY = {"coordinator": OWN, "member": OWN, "assessor": ANY, "administrator": ANY}
_STAFF_OWN = {"coordinator": OWN, "member": OWN}
_COORDINATOR_OWN_ADMIN_ANY = {"coordinator": OWN, "administrator": ANY}
_ASSESSOR = {"assessor": ANY}
_ADMIN = {"administrator": ANY}
_PROGRAMME = {"assessor": ANY, "administrator": ANY}

# action -> role -> scope. A role missing from an action may not do it at all.
TABLE: dict[str, dict[str, str]] = {
    # accounts
    "registration.create": _EVERYONE,
    "email.confirm": _EVERYONE,
    "auth.token": _EVERYONE,
    "password.reset": _EVERYONE,
    "invitation.accept": _EVERYONE,
    "unsubscribe": _EVERYONE,
    "me.read": _SIGNED_IN,
    "preferences.manage": _SIGNED_IN,
    # libraries and teams
    "library.read": _STAFF_OWN_PROGRAMME_ANY,
    "library.update": _COORDINATOR_OWN_ADMIN_ANY,
    "library.list": _PROGRAMME,
    "team.read": _STAFF_OWN_PROGRAMME_ANY,
    "invitation.create": _COORDINATOR_OWN_ADMIN_ANY,
    "person.role_change": _COORDINATOR_OWN_ADMIN_ANY,
    "person.reactivate": _COORDINATOR_OWN_ADMIN_ANY,
    # evidence
    "evidence.create": _STAFF_OWN,
    "evidence.read": _STAFF_OWN_PROGRAMME_ANY,
    "evidence.update": _STAFF_OWN,
    "evidence.attach": _STAFF_OWN,
    "evidence.submit": _STAFF_OWN,
    "evidence.review": _ASSESSOR,
    "thread.read": _STAFF_OWN_PROGRAMME_ANY,
    "thread.post": {"coordinator": OWN, "member": OWN, "assessor": ANY},
    "action_plan.read": _STAFF_OWN_PROGRAMME_ANY,
    "action_plan.edit": _STAFF_OWN,
    "action_plan.review": _ASSESSOR,
    "shared_case.read": _SIGNED_IN,
    "shared_case.copy": _STAFF_OWN,
    # scoring and certification
    "progress.read": _STAFF_OWN_PROGRAMME_ANY,
    "requirements.adjust": _ASSESSOR,
    "certification.decide": _ASSESSOR,
    "review_queue.read": _PROGRAMME,
    "models.manage": _ADMIN,
    "cohorts.manage": _ADMIN,
    "enrolment.manage": _ADMIN,
    "figures.read": _PROGRAMME,
    "deliveries.read": {"coordinator": OWN, "administrator": ANY},
    # the public
    "public.read": _EVERYONE,
}


class Decision(StrEnum):
    ALLOW = "allow"
    UNAUTHENTICATED = "unauthenticated"  # 401: sign in first
    FORBIDDEN = "forbidden"  # 403: your role may not do this at all
    NOT_FOUND = "not_found"  # 404: another library's data (its existence is not revealed)


def scope(role: str, action: str) -> str | None:
    """Return the scope a role has for an action ("own", "any") or None."""
    return TABLE[action].get(role)


def allowed(role: str, action: str, own_library: bool) -> bool:
    """True if the role may do the action on its own library (own_library) or another."""
    granted = scope(role, action)
    return granted == ANY or (granted == OWN and own_library)


def decide(who: Identity, action: str, library_id: str | None = None) -> Decision:
    """Decide a request: library_id is the library it concerns (None: the caller's own)."""
    own = library_id is None or (who.library_id is not None and who.library_id == library_id)
    if allowed(who.role, action, own):
        return Decision.ALLOW
    if who.role == "anonymous":
        return Decision.UNAUTHENTICATED
    if scope(who.role, action) is None:
        return Decision.FORBIDDEN
    return Decision.NOT_FOUND
