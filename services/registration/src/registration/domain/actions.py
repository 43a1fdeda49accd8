"""What a caller may do with a resource, computed for the identity asking: every answer about a
person, library, branch or cohort carries this list, so the portal shows what it allows and never
re-derives the rules. Each action is allowed here exactly when the command would be accepted (save
for what depends on data the answer does not hold, such as whether an address is still free)."""

from __future__ import annotations

from collections.abc import Iterable

from registration.domain.access import (
    Actor,
    may_change_library,
    may_edit_profile,
    may_invite_to,
    may_manage_person,
)
from registration.domain.cohorts import OPEN, PLANNED, Cohort, Enrolment
from registration.domain.library import ACTIVE as LIBRARY_ACTIVE
from registration.domain.library import OPEN as BRANCH_OPEN
from registration.domain.library import WITHDRAWN, Branch, Library
from registration.domain.people import (
    ACTIVE,
    ADMINISTRATOR,
    DEACTIVATED,
    ERASED,
    INVITED,
    LIVE_STATUSES,
    MEMBER,
    PENDING,
    Person,
    is_last_coordinator,
)

# Every action name, in the order answers list them.
PERSON_ACTIONS = ("edit_profile", "export", "change_role", "make_coordinator", "deactivate", "reactivate",
                  "resend_invitation", "revoke_invitation", "erase")
LIBRARY_ACTIONS = ("edit", "withdraw", "add_branch", "invite", "enrol", "move_enrolment", "end_enrolment")
BRANCH_ACTIONS = ("rename", "edit", "close")
COHORT_ACTIONS = ("rename", "open", "close")


def person_actions(person: Person, actor: Actor, colleagues: Iterable[Person] = ()) -> list[str]:
    """What the actor may do with a person they can see; `colleagues` are the people of the
    person's library (a library's last active coordinator can be neither demoted nor deactivated)."""
    manage = may_manage_person(actor, person)
    last = is_last_coordinator(person, colleagues)
    allowed = {
        "edit_profile": may_edit_profile(actor, person) and person.status in LIVE_STATUSES,
        "export": actor.person_id == person.person_id or actor.role == ADMINISTRATOR,
        "change_role": manage and person.status in LIVE_STATUSES and not last,
        "make_coordinator": manage and person.library_id is not None and person.role == MEMBER
        and person.status in LIVE_STATUSES,
        # An invitation nobody accepted is revoked, not deactivated.
        "deactivate": manage and person.status in (PENDING, ACTIVE) and not last,
        # Only someone who had joined has an account to restore; the others are invited again.
        "reactivate": manage and person.status == DEACTIVATED and person.activated_at is not None
        and person.password_hash is not None,
        "resend_invitation": person.status == INVITED and may_invite_to(actor, person.library_id),
        "revoke_invitation": person.status == INVITED and may_invite_to(actor, person.library_id),
        "erase": actor.role == ADMINISTRATOR and person.status != ERASED,
    }
    return [name for name in PERSON_ACTIONS if allowed[name]]


def library_actions(library: Library, enrolment: Enrolment | None, actor: Actor) -> list[str]:
    """What the actor may do with a library they can see; `enrolment` is its active one, if any."""
    change = may_change_library(actor, library) and library.status != WITHDRAWN
    administrator = actor.role == ADMINISTRATOR
    enrolled = enrolment is not None and enrolment.is_active
    allowed = {
        "edit": change,
        "withdraw": change,
        "add_branch": change,
        "invite": library.status == LIBRARY_ACTIVE and may_invite_to(actor, library.library_id),
        "enrol": administrator and library.status != WITHDRAWN and not enrolled,
        "move_enrolment": administrator and library.status != WITHDRAWN and enrolled,
        "end_enrolment": administrator and enrolled,
    }
    return [name for name in LIBRARY_ACTIONS if allowed[name]]


def branch_actions(library: Library, branch: Branch, actor: Actor) -> list[str]:
    """What the actor may do with one of a library's branches: rename, edit (ISIL code, address) or close an open one."""
    if branch.status != BRANCH_OPEN or library.status == WITHDRAWN or not may_change_library(actor, library):
        return []
    return list(BRANCH_ACTIONS)


def cohort_actions(cohort: Cohort, actor: Actor) -> list[str]:
    """What the actor may do with a cohort: administrators rename it, open a planned one, close an open one."""
    if actor.role != ADMINISTRATOR:
        return []
    allowed = {"rename": True, "open": cohort.state == PLANNED, "close": cohort.state == OPEN}
    return [name for name in COHORT_ACTIONS if allowed[name]]


__all__ = ["BRANCH_ACTIONS", "COHORT_ACTIONS", "LIBRARY_ACTIONS", "PERSON_ACTIONS", "branch_actions",
           "cohort_actions", "library_actions", "person_actions"]
