"""The authorisation table, every action x every role x own or other library, against the
policy written out independently here in words the programme uses."""

import pytest

from gateway import authz
from gateway.authz import Decision, allowed, decide
from shared.identity import Identity

pytestmark = pytest.mark.unit

PUBLIC = {"registration.create", "email.confirm", "auth.token", "password.reset", "invitation.accept",
          "unsubscribe", "public.read"}
EVERY_SIGNED_IN = PUBLIC | {"me.read", "preferences.manage", "shared_case.read"}
LIBRARY_WORK = {"library.read", "team.read", "evidence.create", "evidence.read", "evidence.update",
                "evidence.attach", "evidence.submit", "thread.read", "thread.post", "action_plan.read",
                "action_plan.edit", "shared_case.copy", "progress.read"}
PROGRAMME_READ = {"library.read", "library.list", "team.read", "evidence.read", "thread.read",
                  "action_plan.read", "progress.read", "review_queue.read", "figures.read"}

# role -> (what it may do for its own library, what it may do for any library)
POLICY = {
    "anonymous": (PUBLIC, PUBLIC),
    "member": (EVERY_SIGNED_IN | LIBRARY_WORK, EVERY_SIGNED_IN),
    "coordinator": (EVERY_SIGNED_IN | LIBRARY_WORK | {"library.update", "invitation.create", "person.role_change",
                                                       "person.reactivate", "deliveries.read"}, EVERY_SIGNED_IN),
    "assessor": (set(), EVERY_SIGNED_IN | PROGRAMME_READ | {"evidence.review", "thread.post", "action_plan.review",
                                                           "requirements.adjust", "certification.decide"}),
    "administrator": (set(), EVERY_SIGNED_IN | PROGRAMME_READ | {"library.update", "invitation.create",
                                                                "person.role_change", "person.reactivate",
                                                                "models.manage",
                                                                "cohorts.manage", "enrolment.manage",
                                                                "deliveries.read"}),
}


def expected(role: str, action: str, own: bool) -> bool:
    own_set, any_set = POLICY[role]
    return action in any_set or (own and action in own_set)


@pytest.mark.parametrize("own", [True, False], ids=["own-library", "other-library"])
@pytest.mark.parametrize("role", authz.ROLES)
@pytest.mark.parametrize("action", sorted(authz.TABLE))
def test_table_grants_exactly_what_the_policy_says(action, role, own):
    assert allowed(role, action, own) is expected(role, action, own)


def test_every_action_in_the_policy_is_in_the_table():
    mentioned = set().union(*(own | anything for own, anything in POLICY.values()))
    assert mentioned <= set(authz.TABLE)


def test_an_anonymous_caller_is_asked_to_sign_in_not_refused():
    anon = Identity(person_id="anonymous", role="anonymous")
    assert decide(anon, "evidence.read", "lib-1") is Decision.UNAUTHENTICATED


def test_staff_asking_for_another_librarys_data_get_not_found_which_hides_that_it_exists():
    member = Identity(person_id="p1", role="member", library_id="lib-1")
    assert decide(member, "evidence.read", "lib-2") is Decision.NOT_FOUND
    assert decide(member, "evidence.read", "lib-1") is Decision.ALLOW


def test_a_role_without_the_action_is_forbidden():
    member = Identity(person_id="p1", role="member", library_id="lib-1")
    assert decide(member, "certification.decide", "lib-1") is Decision.FORBIDDEN


def test_an_unknown_role_may_do_nothing_but_public_reading_is_not_granted_either():
    odd = Identity(person_id="p1", role="system", library_id="lib-1")
    assert not any(allowed(odd.role, action, True) for action in authz.TABLE)


def test_a_coordinator_reactivates_own_colleagues_only_and_an_administrator_anyone():
    coordinator = Identity(person_id="p1", role="coordinator", library_id="lib-1")
    assert decide(coordinator, "person.reactivate", "lib-1") is Decision.ALLOW
    assert decide(coordinator, "person.reactivate", "lib-2") is Decision.NOT_FOUND
    member = Identity(person_id="p2", role="member", library_id="lib-1")
    assert decide(member, "person.reactivate", "lib-1") is Decision.FORBIDDEN
    assessor = Identity(person_id="p3", role="assessor")
    assert decide(assessor, "person.reactivate", "lib-1") is Decision.FORBIDDEN
    admin = Identity(person_id="p4", role="administrator")
    assert decide(admin, "person.reactivate", "lib-2") is Decision.ALLOW
