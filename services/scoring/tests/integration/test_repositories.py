"""The repositories' contract, run against the in-memory fakes (tests/fakes.py) and against
SecantusDB (scoring.store), so the fakes the handler tests use cannot drift from the store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from scoring_fakes import fake_repositories

from scoring import migrate, store
from scoring.domain import MODEL_V1, Item, ModelVersionTaken, Projection, new_draft, new_library, tick
from scoring.domain.evidence import Entry
from scoring.domain.library import rescored_from_items
from shared.mongo import connect

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)
TODAY = NOW.date().isoformat()


@pytest.fixture(params=["fake", "secantus"])
def repos(request):
    if request.param == "fake":
        yield fake_repositories()
        return
    settings = request.getfixturevalue("settings_for")("scoring")
    migrate.run(settings)
    client = connect(settings.mongo_url, app_name="contract-test")
    try:
        with client.start_session() as session:  # as inside a unit of work
            yield store.repositories(store.ModelCache())(client[settings.mongo_db], session)
    finally:
        client.close()


def items(n: int, status: str = "approved") -> list[Item]:
    return [Item(id=f"i{k}", kind="activity", status=status, dimension="faellesskaber", co_created=True,
                 sdgs=(k + 1,), partners=(f"P{k}",), age_groups=(("children", "adults", "seniors")[k % 3],),
                 date=(NOW.date() - timedelta(days=3)).isoformat(), participants=10) for k in range(n)]


def scored(library_id: str, n: int = 2, now: datetime = NOW, model=MODEL_V1, **fields):
    library = replace(new_library(library_id, now), registered=True, staff_count=25, **fields)
    return rescored_from_items(library, model, items(n), now)[0]


def certified(library_id: str, **fields):
    library = scored(library_id, **fields)
    state = replace(library.certificate, status="certified", certificate_id=f"cert-{library_id}", cycle=1,
                    cycle_start=TODAY, valid_until=NOW.date().replace(year=NOW.year + 3).isoformat())
    return replace(library, certificate=state)


def test_a_saved_library_reads_back_the_same(repos):
    library = scored("lib-1", name="Roskilde Bibliotek", municipality="Roskilde")
    repos.libraries.save(library)
    assert repos.libraries.get("lib-1") == library
    assert repos.libraries.get("nope") is None


def test_saving_an_unchanged_library_writes_nothing_and_a_change_is_kept(repos):
    repos.libraries.save(scored("lib-1"))
    read = repos.libraries.get("lib-1")
    assert repos.libraries.save_all([read]) == 0
    assert repos.libraries.save_all([replace(read, name="Nyt navn")]) == 1
    assert repos.libraries.get("lib-1").name == "Nyt navn"


def test_outdated_libraries_are_those_of_an_older_model_or_an_earlier_day(repos):
    v2 = replace(MODEL_V1, version=2)
    repos.models.add(v2)  # a score names a published version
    repos.libraries.save_all([
        scored("lib-a", model=v2),  # current
        scored("lib-b"),  # an older model version
        scored("lib-c", model=v2, now=NOW - timedelta(days=1)),  # an earlier day
        new_library("lib-d", NOW),  # never scored
    ])
    assert repos.libraries.outdated_ids(2, TODAY) == ["lib-b", "lib-c", "lib-d"]
    assert [lib.library_id for lib in repos.libraries.outdated_between(2, TODAY, "lib-a", "lib-c")] == \
        ["lib-b", "lib-c"]


def test_certificates_are_due_for_the_scheduler_on_their_next_tick_day(repos):
    library = certified("lib-1")
    repos.libraries.save_all([library, scored("lib-2")])
    first_reminder = (NOW.date().replace(year=NOW.year + 1) - timedelta(days=60)).isoformat()
    day_before = (NOW.date().replace(year=NOW.year + 1) - timedelta(days=61)).isoformat()
    assert repos.libraries.due_for_tick(day_before) == []
    assert repos.libraries.due_for_tick(first_reminder) == ["lib-1"]
    reminded = tick(library.certificate, datetime.fromisoformat(first_reminder + "T09:00:00+00:00"))[0]
    repos.libraries.save(replace(repos.libraries.get("lib-1"), certificate=reminded))
    assert repos.libraries.due_for_tick(first_reminder) == []


def test_the_review_queue_lists_ready_libraries_longest_waiting_first_without_withdrawn_ones(repos):
    def ready(library_id, since, **fields):
        library = scored(library_id, **fields)
        history = ({"at": since.isoformat(), "from": "in_progress", "to": "ready_for_review", "by": None,
                    "note": ""},)
        return replace(library, certificate=replace(library.certificate, status="ready_for_review", history=history))

    repos.libraries.save_all([ready("lib-late", NOW), ready("lib-early", NOW - timedelta(days=2)),
                              ready("lib-gone", NOW - timedelta(days=5), status="withdrawn"), scored("lib-busy")])
    assert [lib.library_id for lib in repos.libraries.ready_for_review()] == ["lib-early", "lib-late"]


def test_certified_libraries_are_found_by_municipality_and_by_certificate_id(repos):
    aarhus, roskilde = certified("lib-1", municipality="Aarhus"), certified("lib-2", municipality="Roskilde")
    repos.libraries.save_all([aarhus, roskilde, certified("lib-3", status="withdrawn"), scored("lib-4")])
    assert sorted(lib.library_id for lib in repos.libraries.certified()) == ["lib-1", "lib-2"]
    assert [lib.library_id for lib in repos.libraries.certified("Roskilde")] == ["lib-2"]
    assert repos.libraries.by_certificate(roskilde.certificate.certificate_id) == roskilde
    assert repos.libraries.by_certificate("nope") is None


def test_the_figures_count_registered_libraries_that_have_not_withdrawn(repos):
    repos.libraries.save_all([scored("lib-1"), scored("lib-2", status="withdrawn"), new_library("lib-3", NOW)])
    assert [lib.library_id for lib in repos.libraries.in_figures()] == ["lib-1"]
    assert [lib.library_id for lib in repos.libraries.all()] == ["lib-1", "lib-2", "lib-3"]


def test_model_versions_are_added_once_and_the_highest_published_one_is_current(repos):
    assert repos.models.current() == MODEL_V1 and repos.models.latest_version() == 1
    draft = new_draft(MODEL_V1, by="p1", at=NOW.isoformat())
    repos.models.add(draft)
    with pytest.raises(ModelVersionTaken):
        repos.models.add(draft)
    assert (repos.models.open_draft(), repos.models.latest_version()) == (draft, 2)
    published = replace(draft, status="published", published_at=NOW.isoformat(), published_by="p1")
    repos.models.save(published)
    assert repos.models.current() == published and repos.models.open_draft() is None
    assert [m.version for m in repos.models.all()] == [1, 2] and repos.models.get(3) is None


def test_evidence_projections_read_back_by_library_by_list_and_by_id_range(repos):
    entry = Entry(2, "approved", NOW.isoformat(), 2, {"kind": "activity", "sdgs": [4], "partners": ["DN"]},
                  NOW.isoformat())
    for lid in ("lib-1", "lib-2", "lib-3"):
        repos.evidence.save(Projection(lid, {"i1": entry, "case:k": replace(entry, data=None, data_revision=0)}))
    assert repos.evidence.get("lib-1") == Projection("lib-1", {"i1": entry, "case:k": replace(entry, data=None,
                                                                                               data_revision=0)})
    assert repos.evidence.get("nope") == Projection("nope")
    assert set(repos.evidence.get_many(["lib-2", "nope"])) == {"lib-2", "nope"}
    assert sorted(repos.evidence.between("lib-2", "lib-3")) == ["lib-2", "lib-3"]


def test_a_cohort_keeps_its_newest_name(repos):
    assert repos.cohorts.save_if_newer({"cohort_id": "k1", "name": "Forløb 2026", "version": 2})
    assert not repos.cohorts.save_if_newer({"cohort_id": "k1", "name": "Gammelt navn", "version": 1})
    assert repos.cohorts.names() == {"k1": "Forløb 2026"}
