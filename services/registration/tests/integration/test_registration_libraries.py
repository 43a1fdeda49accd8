"""Library details, branches, withdrawal, cohorts, enrolments and the pilot seed, on real servers."""

import time

import pytest

from registration.domain import seed_id

pytestmark = [pytest.mark.integration, pytest.mark.wire(
    "branch.added", "branch.changed", "cohort.created", "cohort.updated", "enrolment.started",
    "enrolment.withdrawn", "library.registered", "library.updated", "library.withdrawn",
)]

OPEN_PROGRAMME = "det-aabne-program"
PILOT = "udviklingsprojektet-2021-2023"


def test_library_changes_and_branches_are_published_and_bad_changes_change_nothing(api, wire, active_library):
    library_id, coordinator = active_library
    boss = api.as_person(coordinator)
    before = api.db.libraries.find_one({"_id": library_id})
    for body, field in [({"isil": "DK-1"}, "isil"), ({"municipality": "Narnia"}, "municipality"),
                        ({"name": "n" * 201}, "name"), ({"colour": "green"}, "colour")]:
        resp = api.call("PATCH", f"/libraries/{library_id}", body, who=boss)
        assert resp.status_code == 422 and resp.json["field"] == field, (body, resp.json)
    assert api.db.libraries.find_one({"_id": library_id}) == before

    updated = api.call("PATCH", f"/libraries/{library_id}", {"staff_count": 50, "municipality": "københavn"}, who=boss)
    assert updated.status_code == 200 and updated.json["municipality"] == "København"
    changed = wire.wait_for("library.updated")[0]["payload"]
    assert sorted(changed["changed_fields"]) == ["municipality", "staff_count"] and changed["staff_count"] == 50

    added = api.call("POST", f"/libraries/{library_id}/branches", {"name": "Skovlunde Bibliotek"}, who=boss)
    assert added.status_code == 201
    branch_id = added.json["branch_id"]
    twin = api.call("POST", f"/libraries/{library_id}/branches", {"name": "skovlunde bibliotek"}, who=boss)
    assert twin.status_code == 409
    renamed = api.call("PATCH", f"/libraries/{library_id}/branches/{branch_id}", {"name": "Skovlunde"}, who=boss)
    assert renamed.status_code == 200 and renamed.json["name"] == "Skovlunde"
    closed = api.call("PATCH", f"/libraries/{library_id}/branches/{branch_id}", {"status": "closed"}, who=boss)
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert wire.wait_for("branch.added")[0]["payload"]["open_branch_count"] == 1
    changes = [e["payload"]["change"] for e in wire.wait_for("branch.changed", count=2)]
    assert changes == ["renamed", "closed"]
    time.sleep(0.5)
    assert len(wire.of_type("branch.added")) == 1


def test_a_member_may_read_but_not_change_the_library(api, wire, active_library):
    library_id, coordinator = active_library
    resp = api.call("POST", "/invitations", {"email": "m@bib.example", "role": "member"}, who=api.as_person(coordinator))
    member = api.headers("member", library_id, resp.json["person_id"])
    assert api.call("GET", f"/libraries/{library_id}", who=member).status_code == 200
    assert api.call("PATCH", f"/libraries/{library_id}", {"staff_count": 2}, who=member).status_code == 403


def test_enrol_move_and_withdraw_publish_enrolment_events(api, wire, active_library):
    library_id, coordinator = active_library
    admin = api.headers("administrator")
    assert api.call("PUT", f"/libraries/{library_id}/enrolment", {"cohort_id": OPEN_PROGRAMME},
                    who=api.as_person(coordinator)).status_code == 403
    closed = api.call("PUT", f"/libraries/{library_id}/enrolment", {"cohort_id": PILOT}, who=admin)
    assert closed.status_code == 409 and closed.json["type"].endswith("/cohort_not_open")

    enrolled = api.call("PUT", f"/libraries/{library_id}/enrolment", {"cohort_id": OPEN_PROGRAMME}, who=admin)
    assert enrolled.status_code == 200 and enrolled.json["cohort_name"] == "Det åbne program"
    started = wire.wait_for("enrolment.started")[0]["payload"]
    assert started["library_id"] == library_id and started["municipality"] == "Ballerup"

    cohort = api.call("POST", "/cohorts", {"name": "Forløb 2026", "start_year": 2026, "state": "open"}, who=admin)
    assert cohort.status_code == 201
    moved = api.call("PUT", f"/libraries/{library_id}/enrolment", {"cohort_id": cohort.json["cohort_id"]}, who=admin)
    assert moved.status_code == 200 and moved.json["cohort_id"] == cohort.json["cohort_id"]
    assert wire.wait_for("enrolment.withdrawn")[0]["payload"]["reason"] == "moved"
    wire.wait_for("enrolment.started", count=2)
    view = api.call("GET", f"/libraries/{library_id}", who=admin).json
    assert view["enrolment"]["cohort_name"] == "Forløb 2026"
    listed = api.call("GET", f"/libraries?cohort_id={cohort.json['cohort_id']}", who=admin).json
    assert [lib["library_id"] for lib in listed["items"]] == [library_id] and listed["total"] == 1

    assert api.call("DELETE", f"/libraries/{library_id}/enrolment", who=admin).status_code == 204
    assert wire.wait_for("enrolment.withdrawn", count=2)[1]["payload"]["reason"] == "withdrawn"
    assert api.call("DELETE", f"/libraries/{library_id}/enrolment", who=admin).status_code == 404


def test_withdrawing_a_library_ends_its_enrolment(api, wire, active_library):
    library_id, coordinator = active_library
    admin = api.headers("administrator")
    api.call("PUT", f"/libraries/{library_id}/enrolment", {"cohort_id": OPEN_PROGRAMME}, who=admin)
    resp = api.call("POST", f"/libraries/{library_id}/withdraw", {"reason": "lukker"}, who=api.as_person(coordinator))
    assert resp.status_code == 200 and resp.json["status"] == "withdrawn" and resp.json["enrolment"] is None
    assert wire.wait_for("library.withdrawn")[0]["payload"]["reason"] == "lukker"
    assert wire.wait_for("enrolment.withdrawn")[0]["payload"]["reason"] == "library_withdrawn"
    again = api.call("POST", f"/libraries/{library_id}/withdraw", {}, who=admin)
    assert again.status_code == 409


def test_cohorts_exist_from_the_start_and_only_administrators_create_them(api):
    names = [c["name"] for c in api.call("GET", "/cohorts", who=api.headers("member", "x")).json["items"]]
    assert names == ["Udviklingsprojektet 2021-2023", "Det åbne program"]
    assert api.call("GET", "/cohorts").status_code == 403  # anonymous
    refused = api.call("POST", "/cohorts", {"name": "X", "start_year": 2026}, who=api.headers("assessor"))
    assert refused.status_code == 403
    bad = api.call("POST", "/cohorts", {"name": "X", "start_year": 1900}, who=api.headers("administrator"))
    assert bad.status_code == 422 and bad.json["field"] == "start_year"
    assert api.db.cohorts.count_documents({}) == 2


def test_the_demo_seed_creates_the_20_pilot_libraries_once(make_api, wire):
    first = make_api(seed_demo=True)
    make_api(seed_demo=True)  # migrate runs again at the next rollout and seeds nothing more
    assert first.db.libraries.count_documents({"origin": "seed", "status": "active"}) == 20
    assert first.db.enrolments.count_documents({"cohort_id": PILOT, "status": "active"}) == 20
    assert first.db.cohorts.count_documents({}) == 2
    wire.wait_for("enrolment.started", count=20)
    registered = wire.wait_for("library.registered", count=20)
    assert {e["payload"]["origin"] for e in registered} == {"seed"}
    time.sleep(0.5)
    assert len(wire.of_type("library.registered")) == 20
    ballerup = first.call("GET", f"/libraries/{seed_id('library', 'DK-900001')}", who=first.headers("assessor"))
    assert ballerup.status_code == 200 and ballerup.json["enrolment"]["cohort_id"] == PILOT


def test_creating_renaming_opening_and_closing_a_cohort_publishes_each_change_with_the_whole_cohort(api, wire):
    admin = api.headers("administrator")
    created = api.call("POST", "/cohorts", {"name": "Forløb 2027", "start_year": 2027, "end_year": 2029}, who=admin)
    assert created.status_code == 201
    cohort_id = created.json["cohort_id"]

    def mine(e):
        return e["payload"]["cohort_id"] == cohort_id

    (announced,) = wire.wait_for("cohort.created", mine)
    assert announced["payload"] == {"cohort_id": cohort_id, "version": 1, "name": "Forløb 2027", "start_year": 2027,
                                    "end_year": 2029, "state": "planned", "changed": []}
    assert announced["producer"] == "registration"

    # refused changes (closing a planned cohort, an empty name) change nothing and announce nothing
    assert api.call("PATCH", f"/cohorts/{cohort_id}", {"state": "closed"}, who=admin).status_code == 409
    assert api.call("PATCH", f"/cohorts/{cohort_id}", {"name": " "}, who=admin).status_code == 422
    assert api.call("PATCH", f"/cohorts/{cohort_id}", {"name": "Forløb 2027"}, who=admin).status_code == 200  # as is
    assert api.db.cohorts.find_one({"_id": cohort_id})["version"] == 1

    assert api.call("PATCH", f"/cohorts/{cohort_id}", {"name": "Forløb 2027-2029"}, who=admin).status_code == 200
    assert api.call("PATCH", f"/cohorts/{cohort_id}", {"state": "open"}, who=admin).json["state"] == "open"
    assert api.call("PATCH", f"/cohorts/{cohort_id}", {"state": "closed"}, who=admin).json["state"] == "closed"
    updates = [e["payload"] for e in wire.wait_for("cohort.updated", mine, count=3)]
    assert [(u["version"], u["changed"], u["name"], u["state"]) for u in sorted(updates, key=lambda u: u["version"])] \
        == [(2, ["name"], "Forløb 2027-2029", "planned"), (3, ["state"], "Forløb 2027-2029", "open"),
            (4, ["state"], "Forløb 2027-2029", "closed")]
    assert len(wire.of_type("cohort.updated")) == 3  # the refused and unchanged requests published nothing
    assert api.db.cohorts.find_one({"_id": cohort_id})["version"] == 4


def test_only_administrators_change_cohorts_and_a_refused_change_publishes_nothing(api, wire):
    admin = api.headers("administrator")
    cohort_id = api.call("POST", "/cohorts", {"name": "Forløb 2028", "start_year": 2028}, who=admin).json["cohort_id"]
    for role in ("assessor", "coordinator"):
        refused = api.call("PATCH", f"/cohorts/{cohort_id}", {"name": "Kapret"}, who=api.headers(role, "lib-x"))
        assert refused.status_code == 403
    assert api.call("PATCH", f"/cohorts/{cohort_id}", {"state": "open"}, who=admin).status_code == 200
    (update,) = wire.wait_for("cohort.updated", lambda e: e["payload"]["cohort_id"] == cohort_id)
    assert update["payload"]["name"] == "Forløb 2028" and update["payload"]["version"] == 2
    assert len(wire.of_type("cohort.updated")) == 1


def test_the_shipped_cohorts_are_announced_once(make_api, wire):
    make_api()
    shipped = wire.wait_for("cohort.created", count=2)
    assert {e["payload"]["cohort_id"] for e in shipped} == {OPEN_PROGRAMME, PILOT}
    make_api()  # migrate runs again at the next rollout and announces nothing more
    time.sleep(0.5)
    assert len(wire.of_type("cohort.created")) == 2
