"""The store loads exactly the part of the projection a scope covers, on real SecantusDB."""

from datetime import UTC, datetime

import pytest
from notification_testkit import activated, evidence, joined, plan, registered, seed_library

from notification.domain.recipients import Scope, registration_scope, restrict
from notification.domain.routing import scope_of

pytestmark = pytest.mark.integration

SCOPES = {
    "evidence.submitted": scope_of("evidence.submitted", evidence({"resubmission": False})),
    "action_plan.approved": scope_of("action_plan.approved", plan({"comment": None}, status="approved")),
    "certificate.awarded": scope_of("certificate.awarded", {"library_id": "L1", "certificate_id": "C1"}),
    "library.ready_for_review": scope_of("library.ready_for_review", {"library_id": "L1"}),
    "model.published": scope_of("model.published", {"version": 2, "changes": []}),
    "person.erased": registration_scope("person.erased", {"person_id": "P2"}),
    "library.registered": registration_scope("library.registered", registered("L2", "Odense Bibliotek")),
    "nothing": Scope(),
    "unknown people and library": Scope.of(person_ids=["nobody"], library_ids=["L404"], staff=[("L404", None)]),
}


@pytest.fixture
def seeded(harness):
    """L1 (seed_library), L2 with a coordinator, withdrawn L3, a deactivated, an erased and an opted-out person."""
    seed_library(harness)
    harness.handle("library.registered", registered("L2", "Odense Bibliotek", token="t2", coordinator={
        "person_id": "Q1", "name": "Quinn", "email": "quinn@odense.dk", "language": "en", "role": "coordinator"}))
    harness.handle("library.activated", activated("L2", "Odense Bibliotek"))
    harness.handle("library.registered", registered("L3", "Gammel Filial", token="t3", coordinator={
        "person_id": "W1", "name": "Wanda", "email": "wanda@filial.dk", "language": "da", "role": "coordinator"}))
    harness.handle("library.withdrawn", {**activated("L3", "Gammel Filial"), "status": "withdrawn",
                                         "withdrawn_at": "2025-03-02T10:00:00+00:00", "reason": None})
    harness.handle("person.joined", joined("P4", "Poul", "poul@aarhus.dk", "coordinator", "L1"))
    harness.handle("person.deactivated", {"person_id": "P4", "library_id": "L1", "version": 3, "role": "coordinator",
                                          "deactivated_at": "2025-03-02T10:00:00+00:00", "reason": "deactivated"})
    harness.handle("person.joined", joined("P5", "Eva", "eva@aarhus.dk", "member", "L1"))
    harness.handle("person.erased", {"person_id": "P5", "library_id": "L1"})
    harness.service.uow.repos.preferences.set("P2", False, datetime.now(UTC))
    return harness


@pytest.mark.parametrize("name", sorted(SCOPES))
def test_a_scoped_load_is_the_whole_projection_restricted_to_the_scope(seeded, name):
    scope = SCOPES[name] | (Scope.of(person_ids=["P5"]) if name == "person.erased" else Scope())
    everything = seeded.service.uow.repos.recipients.load()
    assert seeded.service.uow.repos.recipients.load(scope) == restrict(everything, scope)


def test_a_scoped_load_reads_only_the_people_the_event_needs(seeded):
    assert sorted(seeded.service.uow.repos.recipients.load(SCOPES["evidence.submitted"])["people"]) == ["P3"]
    assert sorted(seeded.service.uow.repos.recipients.load(SCOPES["action_plan.approved"])["people"]) == ["P1", "P2", "P3"]
    assert sorted(seeded.service.uow.repos.recipients.load(SCOPES["library.ready_for_review"])["people"]) == ["A1", "A2"]
    model = seeded.service.uow.repos.recipients.load(SCOPES["model.published"])
    assert sorted(model["people"]) == ["P1", "P2", "Q1", "W1"]
    assert model["libraries"]["L3"]["status"] == "withdrawn"
    assert seeded.service.uow.repos.recipients.load(SCOPES["certificate.awarded"])["people"]["P2"]["prefs"] == {
        "non_essential": False}
