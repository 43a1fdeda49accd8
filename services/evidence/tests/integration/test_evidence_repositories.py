"""One contract for the evidence repositories, run against the in-memory fakes (tests/fakes.py)
and against the real store on SecantusDB: what is saved reads back equal, writes are conditional
on the revision, duplicates are refused with the same domain errors, lists keep the same order
and totals. A fake that drifted from the store fails here."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from chora_testing.uow import FakeUnitOfWork
from evidence_fakes import FakeRepositories

from evidence import store
from evidence.domain import (
    Attachment,
    Conflict,
    CopiedFrom,
    Decision,
    EvidenceItem,
    Goal,
    Message,
    Partner,
    PersonRef,
    PlanVersion,
    SharedCase,
    create_item,
    create_plan,
    submit_item,
)
from shared.mongo import ServiceStore, connect
from shared.uow import MongoUnitOfWork

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
ANNA = {"person_id": "p-anna", "role": "coordinator", "library_id": "lib-a", "name": "Anna Holm", "email": "a@a.dk"}
DORTE = PersonRef("p-dorte", "Dorte Ravn", "assessor")


@pytest.fixture(params=["memory", pytest.param("secantus", marks=pytest.mark.integration)])
def uow(request):
    if request.param == "memory":
        yield FakeUnitOfWork(FakeRepositories())
        return
    settings = request.getfixturevalue("settings_for")("evidence")
    connection = ServiceStore(connect(settings.mongo_url, app_name="contract"), settings.mongo_db, producer="evidence")
    connection.ensure_indexes(store.INDEXES)  # the unique indexes are part of the contract
    yield MongoUnitOfWork(connection, store.Repositories)
    connection.client.close()


def an_item(item_id="i1", *, library_id="lib-a", at=NOW, **changes) -> EvidenceItem:
    item = create_item({"kind": "activity", "title": f"Aktivitet {item_id}", "dimension": "drift"},
                       {**ANNA, "library_id": library_id}, item_id=item_id, now=at).new
    return replace(item, **changes)


def a_full_item() -> EvidenceItem:
    item = submit_item(an_item(partners=(Partner("Repair Café", "association"), Partner("DN")), sdgs=(12, 13),
                               targets=("12.5",), date="2025-02-01", participants=40, before=52.5, after=31,
                               unit="kWh", public=True, kind="operations_measure"), ANNA, based_on=1, now=NOW).new
    return replace(
        item,
        attachments=(Attachment("i1", "f1", "foto.jpg", "image/jpeg", 2048, "t1", NOW, PersonRef("p-anna", "Anna", "coordinator")),),
        thread=(Message(NOW, DORTE, "assessor", "Hvor mange?", "2025-04-01"), Message(NOW, DORTE, "assessor", "Og?")),
        decision=Decision("clarification_requested", "Hvor mange?", "2025-04-01", DORTE, NOW, 3),
        deadline="2025-04-01",
        copied_from=CopiedFrom("c9", "lib-b", None),
    )


def test_an_item_with_every_kind_of_record_reads_back_equal(uow):
    item = a_full_item()
    uow.run(lambda w: w.repos.items.add(item))
    assert uow.repos.items.get("i1") == item
    assert uow.repos.items.get("nothing") is None


def test_a_save_based_on_an_overtaken_revision_is_refused_and_changes_nothing(uow):
    item = an_item()
    uow.run(lambda w: w.repos.items.add(item))
    uow.run(lambda w: w.repos.items.save(replace(item, revision=2, title="Ny"), 1))
    with pytest.raises(Conflict) as caught:
        uow.run(lambda w: w.repos.items.save(replace(item, revision=2, title="Gammel"), 1))
    assert caught.value.code == "stale_revision"
    with pytest.raises(Conflict):
        uow.run(lambda w: w.repos.items.remove("i1", 1))
    assert uow.repos.items.get("i1").title == "Ny"
    uow.run(lambda w: w.repos.items.remove("i1", 2))
    assert uow.repos.items.get("i1") is None


def test_a_failed_unit_of_work_keeps_nothing_it_wrote(uow):
    def fails(w):
        w.repos.items.add(an_item("i2"))
        w.repos.libraries.record("lib-a", "Aarhus", 1)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        uow.run(fails)
    assert uow.repos.items.get("i2") is None and uow.repos.libraries.name_of("lib-a") is None


def test_a_librarys_list_is_newest_change_first_with_the_same_total_on_every_page(uow):
    items = [an_item(f"i{n}", at=NOW + timedelta(minutes=n)) for n in range(5)]
    items.append(an_item("other", library_id="lib-b"))
    items.append(an_item("partnered", at=NOW - timedelta(days=1), partners=(Partner("Genbrugsstationen"),)))
    for item in items:
        uow.run(lambda w, item=item: w.repos.items.add(item))
    pages = [uow.repos.items.page("lib-a", page=n, per_page=2) for n in (1, 2, 3, 4)]
    assert [[i.item_id for i in found] for found, _ in pages] == [["i4", "i3"], ["i2", "i1"], ["i0", "partnered"], []]
    assert [total for _, total in pages] == [6, 6, 6, 6]
    assert all(i.audit == () for found, _ in pages for i in found)  # lists never carry the audit trail
    found, total = uow.repos.items.page("lib-a", q="GENBRUG")
    assert [i.item_id for i in found] == ["partnered"] and total == 1
    assert uow.repos.items.page("lib-a", status="approved") == ([], 0)


def test_a_summary_list_counts_only_on_its_last_page(uow):
    for n in range(3):
        uow.run(lambda w, n=n: w.repos.items.add(an_item(f"i{n}", at=NOW + timedelta(minutes=n))))
    first, total = uow.repos.items.summaries("lib-a", per_page=2)
    assert [s.item_id for s in first] == ["i2", "i1"] and total is None
    last, total = uow.repos.items.summaries("lib-a", page=2, per_page=2)
    assert [(s.item_id, s.status, s.revision) for s in last] == [("i0", "draft", 1)] and total == 3


def test_the_queue_public_list_export_and_erasure_lookups(uow):
    submitted = [submit_item(an_item(f"s{n}"), ANNA, based_on=1, now=NOW + timedelta(hours=3 - n)).new
                 for n in range(3)]
    approved = [replace(an_item(f"p{n}", date=day), status="approved", public=True)
                for n, day in enumerate(("2025-01-01", None, "2025-05-01"))]
    for item in (*submitted, *approved, replace(an_item("hidden"), status="approved")):
        uow.run(lambda w, item=item: w.repos.items.add(item))
    queue, total = uow.repos.items.submitted(per_page=2)
    assert [i.item_id for i in queue] == ["s2", "s1"] and total == 3
    assert [i.item_id for i in uow.repos.items.public("lib-a")] == ["p2", "p0", "p1"]
    assert {i.item_id for i in uow.repos.items.of_library("lib-a")} == {"s0", "s1", "s2", "p0", "p1", "p2", "hidden"}
    assert {i.item_id for i in uow.repos.items.naming("p-anna")} == {"s0", "s1", "s2", "p0", "p1", "p2", "hidden"}
    assert uow.repos.items.naming("p-nobody") == []


def test_a_library_has_one_plan_and_a_second_first_save_is_told_it_exists(uow):
    plan = create_plan({"start_year": 2025, "goals": [{"dimension": "drift", "title": "Energi", "sdgs": [7]}]},
                       ANNA, plan_id="plan-1", now=NOW).new
    plan = replace(plan, previous_versions=(PlanVersion("plan-1", "lib-a", None, 3, 1, "approved", 2024, 2026,
                                                        (Goal("drift", "Energi", "", (7,), ()),), None, NOW),))
    uow.run(lambda w: w.repos.plans.add(plan))
    assert uow.repos.plans.get("lib-a") == plan and uow.repos.plans.get("lib-b") is None
    with pytest.raises(Conflict) as caught:
        uow.run(lambda w: w.repos.plans.add(replace(plan, plan_id="plan-2")))
    assert caught.value.code == "stale_revision"
    with pytest.raises(Conflict):
        uow.run(lambda w: w.repos.plans.save(replace(plan, revision=5), 4))
    uow.run(lambda w: w.repos.plans.save(replace(plan, revision=2, status="submitted", submitted_at=NOW), 1))
    assert [p.plan_id for p in uow.repos.plans.submitted()] == ["plan-1"]
    assert [p.plan_id for p in uow.repos.plans.naming("p-anna")] == ["plan-1"]


def test_an_item_is_shared_once_and_cases_are_found_newest_first(uow):
    def case(case_id, source, at, **content):
        return SharedCase(case_id=case_id, source_item_id=source, source_revision=2, library_id="lib-a",
                          library_name="Aarhus", shared_at=at, **content)

    uow.run(lambda w: w.repos.cases.add(case("c1", "i1", NOW, title="Reparationscafé", sdgs=(12,), dimension="drift")))
    uow.run(lambda w: w.repos.cases.add(case("c2", "i2", NOW + timedelta(hours=1), title="Byttemarked", sdgs=(12, 13),
                                             partners=(Partner("Røde Kors"),))))
    with pytest.raises(Conflict) as caught:
        uow.run(lambda w: w.repos.cases.add(case("c3", "i1", NOW, title="Igen")))
    assert caught.value.code == "already_shared"
    assert uow.repos.cases.get("c1").title == "Reparationscafé"
    found, total = uow.repos.cases.search()
    assert [c.case_id for c in found] == ["c2", "c1"] and total == 2
    assert [c.case_id for c in uow.repos.cases.search(q="røde")[0]] == ["c2"]
    assert [c.case_id for c in uow.repos.cases.search(sdg=13)[0]] == ["c2"]
    assert uow.repos.cases.search(dimension="drift") == ([uow.repos.cases.get("c1")], 1)


def test_a_librarys_name_is_the_newest_version_told(uow):
    assert uow.run(lambda w: w.repos.libraries.record("lib-a", "Aarhus", 2)) is True
    assert uow.run(lambda w: w.repos.libraries.record("lib-a", "Gammelt navn", 1)) is False
    assert uow.repos.libraries.name_of("lib-a") == "Aarhus" and uow.repos.libraries.name_of(None) is None
