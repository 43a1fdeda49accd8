"""One contract for registration's repositories, run against the in-memory fakes (what the handler
unit tests use) and against store.py on a real SecantusDB, so the fakes cannot drift: the same
reads, the same version guard, the same domain error for every unique index."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from registration_fakes import fake_uow

from registration import store
from registration.domain.cohorts import create_cohort, start_enrolment
from registration.domain.errors import ConcurrentChange, EmailInUse, IsilInUse
from registration.domain.gdpr import Erasure
from registration.domain.library import Library
from registration.domain.onboarding import register_library
from registration.domain.people import Person, deactivate
from shared.mongo import ServiceStore, connect
from shared.uow import MongoUnitOfWork

NOW = datetime.now(UTC).replace(microsecond=0)  # SecantusDB, like MongoDB, keeps milliseconds


@pytest.fixture(params=[pytest.param("fake", marks=pytest.mark.unit),
                        pytest.param("mongo", marks=pytest.mark.integration)])
def uow(request):
    if request.param == "fake":
        yield fake_uow()
        return
    settings = request.getfixturevalue("settings_for")("registration")
    service_store = ServiceStore(connect(settings.mongo_url, app_name="contract"), settings.mongo_db, "registration")
    service_store.ensure_indexes(store.INDEXES)
    yield MongoUnitOfWork(service_store, store.Repositories)
    service_store.client.close()


def save(uow, repository: str, *aggregates) -> None:
    uow.run(lambda work: [getattr(work.repos, repository).save(a) for a in aggregates])


def a_library(isil: str | None = None, name: str = "Ballerup Bibliotekerne") -> tuple[Library, Person]:
    isil = isil or f"DK-{uuid.uuid4().int % 1_000_000:06d}"
    form = {"name": name, "isil": isil, "municipality": "Ballerup", "kind": "folkebibliotek", "staff_count": 45,
            "branches": ["Skovlunde"], "coordinator_name": "Mette", "coordinator_email": f"k-{isil.lower()}@bib.example"}
    reg = register_library(form, "hash", NOW, isil_taken_by=None, people_with_email=[], token=f"tok-{isil}")
    return reg.library, reg.coordinator


def test_a_saved_library_reads_back_as_it_was_and_is_found_by_its_isil(uow):
    library, _ = a_library("DK-100100")
    save(uow, "libraries", library)
    loaded = uow.repos.libraries.get(library.library_id)
    assert loaded == library and loaded.branches[0].name == "Skovlunde"
    assert loaded.stored_version == library.version
    assert uow.repos.libraries.id_with_isil("DK-100100") == library.library_id
    assert uow.repos.libraries.get("nobody") is None and uow.repos.libraries.id_with_isil("DK-999999") is None


def test_a_save_over_a_changed_document_or_a_second_insert_is_a_concurrent_change(uow):
    library, _ = a_library()
    save(uow, "libraries", library)
    first, second = uow.repos.libraries.get(library.library_id), uow.repos.libraries.get(library.library_id)
    first.update({"staff_count": 46}, NOW)
    save(uow, "libraries", first)
    second.update({"staff_count": 47}, NOW)
    with pytest.raises(ConcurrentChange):
        save(uow, "libraries", second)
    again, _ = a_library()
    again.library_id = library.library_id
    with pytest.raises(ConcurrentChange):
        save(uow, "libraries", again)
    assert uow.repos.libraries.get(library.library_id).staff_count == 46


def test_a_second_library_with_the_same_isil_is_refused_by_the_index(uow):
    save(uow, "libraries", a_library("DK-200200")[0])
    with pytest.raises(IsilInUse) as err:
        save(uow, "libraries", a_library("DK-200200", name="Anden")[0])
    assert err.value.field == "isil" and "DK-200200" in err.value.message_da
    assert [lib.name for lib in uow.repos.libraries.find()] == ["Ballerup Bibliotekerne"]


def test_libraries_are_found_by_status_municipality_and_ids_sorted_by_name(uow):
    b, a, c = a_library(name="B")[0], a_library(name="A")[0], a_library(name="C")[0]
    c.activate(NOW)
    save(uow, "libraries", b, a, c)
    assert [lib.name for lib in uow.repos.libraries.find()] == ["A", "B", "C"]
    assert [lib.name for lib in uow.repos.libraries.find(status="pending")] == ["A", "B"]
    assert [lib.name for lib in uow.repos.libraries.find(municipality="Ballerup", library_ids=[c.library_id,
                                                                                              b.library_id])] \
        == ["B", "C"]
    assert uow.repos.libraries.find(municipality="Aarhus") == []


def test_one_live_login_per_address_but_a_deactivated_address_can_be_used_again(uow):
    library, coordinator = a_library()
    save(uow, "people", coordinator)
    other = Person(person_id="p-other", library_id=None, role="assessor", status="invited", name="X",
                   email=coordinator.email, language="da", created_at=NOW)
    with pytest.raises(EmailInUse):
        save(uow, "people", other)
    stored = uow.repos.people.get(coordinator.person_id)
    deactivate(stored, [], NOW)
    save(uow, "people", stored)
    save(uow, "people", other)
    assert uow.repos.people.live_with_email(coordinator.email).person_id == "p-other"
    assert {p.person_id for p in uow.repos.people.with_email(coordinator.email)} == {coordinator.person_id,
                                                                                    "p-other"}


def test_people_are_found_by_token_and_library_and_erased_with_a_tombstone(uow):
    library, coordinator = a_library("DK-300300")
    later = Person(person_id="p-later", library_id=library.library_id, role="member", status="invited",
                   name="Y", email="y@bib.example", language="da", created_at=NOW + timedelta(seconds=5))
    save(uow, "people", later, coordinator)
    assert uow.repos.people.with_token("tok-DK-300300").person_id == coordinator.person_id
    assert uow.repos.people.with_token("not-a-token") is None and uow.repos.people.with_token("x" * 500) is None
    assert [p.person_id for p in uow.repos.people.of_library(library.library_id)] == [coordinator.person_id,
                                                                                     "p-later"]
    uow.run(lambda work: (work.repos.people.delete("p-later"),
                          work.repos.erasures.add(Erasure("p-later", library.library_id, "member", NOW))))
    assert uow.repos.people.get("p-later") is None
    assert uow.repos.erasures.get("p-later") == Erasure("p-later", library.library_id, "member", NOW)
    assert uow.repos.erasures.get(coordinator.person_id) is None


def test_a_password_hash_is_upgraded_only_if_it_is_still_the_one_checked(uow):
    _, coordinator = a_library()
    save(uow, "people", coordinator)
    uow.repos.people.upgrade_password_hash(coordinator.person_id, "not the stored hash", "new")
    assert uow.repos.people.get(coordinator.person_id).password_hash == "hash"
    uow.repos.people.upgrade_password_hash(coordinator.person_id, "hash", "new")
    assert uow.repos.people.get(coordinator.person_id).password_hash == "new"


def test_cohorts_are_listed_by_start_year_and_an_unchanged_version_guards_them(uow):
    late, early = create_cohort("Senere", 2030, now=NOW), create_cohort("Først", 2021, 2023, now=NOW)
    save(uow, "cohorts", late, early)
    assert [co.name for co in uow.repos.cohorts.all()] == ["Først", "Senere"]
    stale = uow.repos.cohorts.get(late.cohort_id)
    fresh = uow.repos.cohorts.get(late.cohort_id)
    fresh.open(NOW)
    save(uow, "cohorts", fresh)
    stale.rename("Omdøbt", NOW)
    with pytest.raises(ConcurrentChange):
        save(uow, "cohorts", stale)


def test_a_library_has_at_most_one_active_enrolment(uow):
    library, _ = a_library()
    cohort = create_cohort("Det åbne program", 2024, state="open")
    other = create_cohort("Forløb 2026", 2026, state="open")
    first = start_enrolment(library, cohort, NOW)
    save(uow, "enrolments", first)
    with pytest.raises(ConcurrentChange):
        save(uow, "enrolments", start_enrolment(library, other, NOW))
    current = uow.repos.enrolments.active_of(library.library_id)
    current.withdraw(NOW, reason="moved")
    save(uow, "enrolments", current, start_enrolment(library, other, NOW))
    assert uow.repos.enrolments.active_of(library.library_id).cohort_id == other.cohort_id
    assert uow.repos.enrolments.library_ids_in_cohort(other.cohort_id) == [library.library_id]
    assert uow.repos.enrolments.library_ids_in_cohort(cohort.cohort_id) == []
    assert set(uow.repos.enrolments.active_of_many([library.library_id, "nobody"])) == {library.library_id}


def test_sign_in_failures_are_counted_per_key_since_a_moment_and_taken_back(uow):
    failures = uow.repos.signin_failures
    old = failures.add(["account:a", "address:1"], NOW - timedelta(minutes=20), NOW)
    new = failures.add(["account:a", "address:1"], NOW, NOW + timedelta(minutes=15))
    failures.add(["account:b"], NOW, NOW + timedelta(minutes=15))
    since = NOW - timedelta(minutes=15)
    assert failures.counts(["account:a", "address:1", "account:b"], since) == \
        {"account:a": 1, "address:1": 1, "account:b": 1}
    failures.remove(new)
    assert failures.counts(["account:a", "address:1"], NOW - timedelta(hours=1)) == {"account:a": 1, "address:1": 1}
    failures.remove([], keys=["account:a"])
    assert failures.counts(["account:a", "address:1"], NOW - timedelta(hours=1)) == {"account:a": 0, "address:1": 1}
    assert failures.add([], NOW, NOW) == [] and old


def test_the_schema_version_is_none_until_recorded(uow):
    assert uow.repos.schema.version() is None
    uow.repos.schema.record(1, NOW)
    uow.repos.schema.record(1, NOW)
    assert uow.repos.schema.version() == 1
