"""What a person may do with a resource, as the pages offer it: the service's `actions` list when
its answer has one, else today's condition (one fallback per resource, so each is deleted in one
place once every service answers with `actions`). Pages show buttons from these lists only."""

from __future__ import annotations

from typing import Any

from shared.identity import Identity
from shared.vocabulary import PROGRAMME_ROLES, STAFF_ROLES


def _given(resource: Any) -> list[str] | None:
    if isinstance(resource, dict) and isinstance(resource.get("actions"), list):
        return [str(a) for a in resource["actions"]]
    return None


def _own_staff(who: Identity, library_id: Any) -> bool:
    return who.role in STAFF_ROLES and who.library_id is not None and who.library_id == library_id


def evidence_actions(item: dict, who: Identity) -> list[str]:
    """An evidence item's actions: edit, submit, withdraw, delete, review, answer, attach, share, copy."""
    given = _given(item)
    if given is not None:
        return given
    # Fallback until the evidence service answers with `actions` (delete: only once it does).
    status = item.get("status")
    out: list[str] = []
    if _own_staff(who, item.get("library_id")):
        if status != "submitted":
            out += ["edit", "attach"]
        if status in ("draft", "withdrawn"):
            out.append("submit")
        if status in ("draft", "submitted", "clarification_requested"):
            out.append("withdraw")
        if status == "clarification_requested":
            out.append("answer")
        if status in ("submitted", "approved") and not item.get("shared_case_id"):
            out.append("share")
    if who.role == "assessor" and status in ("submitted", "clarification_requested"):
        out.append("review")
    return out


def shared_case_actions(case: dict, who: Identity) -> list[str]:
    """A shared case's actions (copy into our plan or as a draft)."""
    given = _given(case)
    if given is not None:
        return given
    return ["copy"] if who.role in STAFF_ROLES and who.library_id else []


def plan_actions(plan: dict, who: Identity, library_id: str) -> list[str]:
    """An action plan's actions: edit, submit, review."""
    given = _given(plan)
    if given is not None:
        return given
    out: list[str] = []
    if _own_staff(who, library_id):
        out += ["edit", "submit"]
    if who.role == "assessor" and plan.get("status") == "submitted":
        out.append("review")
    return out


def certificate_actions(certificate: dict | None, who: Identity) -> list[str]:
    """A library's certification decisions: award, renew, check_in, revoke."""
    given = _given(certificate)
    if given is not None:
        return given
    # Fallback: today's page offers the award to every assessor.
    return ["award"] if who.role == "assessor" else []


# A person's actions as registration may name them, and the portal's names for them.
_PERSON_ALIASES = {"make_coordinator": "role", "make_member": "role", "change_role": "role",
                   "resend_invitation": "resend", "revoke_invitation": "revoke"}


def person_actions(person: dict, who: Identity, library_id: str) -> list[str]:
    """A colleague's actions on the team page: role, resend, revoke, deactivate, reactivate."""
    given = _given(person)
    if given is not None:
        return sorted({_PERSON_ALIASES.get(a, a) for a in given})
    manage = who.role == "administrator" or (who.role == "coordinator" and who.library_id == library_id)
    if not manage:
        return []
    status, out = person.get("status"), []
    if status in ("active", "invited", "pending") and person.get("role") in STAFF_ROLES:
        out.append("role")
    if status == "invited":
        out += ["resend", "revoke"]
    elif status in ("active", "pending"):
        out.append("deactivate")
    elif status == "deactivated" and person.get("activated_at"):
        out.append("reactivate")
    return out


def is_programme(who: Identity) -> bool:
    """Whether the person works for the programme (assessor or administrator)."""
    return who.role in PROGRAMME_ROLES
