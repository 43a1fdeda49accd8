"""Self-registration, email confirmation and duplicate ISILs, on real SecantusDB and RabbitMQ."""

import threading
import time
from datetime import timedelta

import pytest
from registration_http import registration_body

pytestmark = [pytest.mark.integration, pytest.mark.wire(
    "library.activated", "library.registered", "person.email_confirmation_requested", "person.joined",
)]


def test_registration_publishes_the_token_and_confirming_it_activates_library_and_coordinator(api, wire):
    resp = api.register(isil="dk-654321", email="Mette@Bib.example")
    assert resp.status_code == 201, resp.json
    library_id, person_id = resp.json["library_id"], resp.json["person_id"]

    registered = wire.wait_for("library.registered")[0]["payload"]
    assert registered["library_id"] == library_id and registered["isil"] == "DK-654321"
    assert registered["status"] == "pending"
    assert registered["coordinator"]["email"] == "mette@bib.example"
    assert registered["address"] == "Banegårdspladsen 1, 2750 Ballerup"
    token = registered["confirmation_token"]
    stored = api.db.people.find_one({"_id": person_id})
    assert token not in str(stored) and stored["password_hash"].startswith("$argon2id$")

    confirmed = api.call("POST", "/email-confirmations", {"token": token})
    assert confirmed.status_code == 200
    assert confirmed.json == {"library_id": library_id, "person_id": person_id}
    assert wire.wait_for("library.activated")[0]["payload"]["library_id"] == library_id
    joined = wire.wait_for("person.joined")[0]["payload"]
    assert joined["person_id"] == person_id and joined["role"] == "coordinator"

    view = api.call("GET", f"/libraries/{library_id}", who=api.as_person(person_id))
    assert view.status_code == 200 and view.json["status"] == "active"


def _nothing_else_registered(api, wire, expected_library_id):
    """A later good registration's event arrives, and it is the only library.registered on the wire."""
    wire.wait_for("library.registered", lambda e: e["payload"]["library_id"] == expected_library_id)
    assert [e["payload"]["library_id"] for e in wire.of_type("library.registered")] == [expected_library_id]


@pytest.mark.parametrize(
    ("library", "coordinator", "field"),
    [
        ({"isil": "DK-12345"}, {}, "library.isil"),
        ({"isil": "SE-123456"}, {}, "library.isil"),
        ({"municipality": "Atlantis"}, {}, "library.municipality"),
        ({"name": "x" * 201}, {}, "library.name"),
        ({}, {"name": "y" * 201}, "coordinator.name"),
        ({}, {"email": "not-an-email"}, "coordinator.email"),
        ({"staff_count": 0}, {}, "library.staff_count"),
        ({}, {"password": "short"}, "coordinator.password"),
    ],
)
def test_bad_registration_is_refused_naming_the_field_and_changes_nothing(api, wire, library, coordinator, field):
    body = registration_body(isil="DK-111111")
    body["library"].update(library)
    body["coordinator"].update(coordinator)
    resp = api.call("POST", "/registrations", body)
    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json"
    assert resp.json["field"] == field
    assert resp.json["detail"] and resp.json["detail_en"] and resp.json["detail"] != resp.json["detail_en"]
    assert api.db.libraries.count_documents({}) == 0 and api.db.people.count_documents({}) == 0
    # only the shipped cohorts' announcements from start-up may still be waiting for the relay
    pending = [e["type"] for doc in api.db.outbox.find() for e in doc["events"]]
    assert [t for t in pending if t != "cohort.created"] == []  # only the start-up announcement of the cohorts

    good = api.register(isil="DK-222222")
    _nothing_else_registered(api, wire, good.json["library_id"])


def test_a_taken_isil_is_refused_with_409_in_danish_and_the_first_library_is_untouched(api, wire):
    first = api.register(isil="DK-333333", email="a@bib.example")
    assert first.status_code == 201
    again = api.register(isil="dk-333333", email="b@bib.example", name="Anden Bibliotek")
    assert again.status_code == 409
    assert again.json["field"] == "isil" and again.json["type"].endswith("/isil_in_use")
    assert "ISIL-koden DK-333333 er allerede registreret" in again.json["detail"]
    assert "already registered" in again.json["detail_en"]
    assert api.db.libraries.count_documents({}) == 1
    assert api.db.people.count_documents({"email": "b@bib.example"}) == 0
    _nothing_else_registered(api, wire, first.json["library_id"])


def test_a_taken_email_is_refused_with_409(api):
    assert api.register(isil="DK-444441", email="same@bib.example").status_code == 201
    again = api.register(isil="DK-444442", email="SAME@bib.example")
    assert again.status_code == 409 and again.json["field"] == "email"
    assert api.db.libraries.count_documents({}) == 1


def test_simultaneous_registrations_of_one_isil_leave_exactly_one_library(api, wire):
    bodies = [registration_body(isil="DK-555555", email=f"k{i}@bib.example") for i in range(6)]
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []
    lock = threading.Lock()

    def post(body):
        client = api.app.test_client()
        barrier.wait()
        resp = client.post("/registrations", json=body, headers=api.headers())
        with lock:
            statuses.append(resp.status_code)

    threads = [threading.Thread(target=post, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [201] + [409] * (len(bodies) - 1)
    assert api.db.libraries.count_documents({"isil": "DK-555555"}) == 1
    assert api.db.people.count_documents({}) == 1
    winner = api.db.libraries.find_one({"isil": "DK-555555"})["_id"]
    _nothing_else_registered(api, wire, winner)


def test_a_confirmation_link_works_once(api, wire):
    resp = api.register(isil="DK-666666")
    token = wire.wait_for("library.registered")[0]["payload"]["confirmation_token"]
    assert api.call("POST", "/email-confirmations", {"token": token}).status_code == 200
    version = api.db.libraries.find_one({})["version"]
    reused = api.call("POST", "/email-confirmations", {"token": token})
    assert reused.status_code == 410 and reused.json["type"].endswith("/token_used") and reused.json["field"] == "token"
    assert api.db.libraries.find_one({"_id": resp.json["library_id"]})["version"] == version
    wire.wait_for("person.joined")
    time.sleep(0.5)
    assert len(wire.of_type("library.activated")) == 1 and len(wire.of_type("person.joined")) == 1


def test_an_expired_confirmation_link_is_refused_and_a_resent_one_works(api, wire):
    resp = api.register(isil="DK-777777", email="late@bib.example")
    old = wire.wait_for("library.registered")[0]["payload"]["confirmation_token"]
    api.clock.offset = timedelta(hours=49)
    expired = api.call("POST", "/email-confirmations", {"token": old})
    assert expired.status_code == 410 and expired.json["type"].endswith("/token_expired")
    assert api.db.people.find_one({"_id": resp.json["person_id"]})["status"] == "pending"
    assert api.db.libraries.find_one({})["status"] == "pending"

    assert api.call("POST", "/email-confirmations/resend", {"email": "late@bib.example"}).status_code == 202
    assert api.call("POST", "/email-confirmations/resend", {"email": "nobody@bib.example"}).status_code == 202
    fresh = wire.wait_for("person.email_confirmation_requested")[0]["payload"]
    assert fresh["email"] == "late@bib.example" and fresh["library_name"] == "Ballerup Bibliotekerne"
    assert api.call("POST", "/email-confirmations", {"token": fresh["confirmation_token"]}).status_code == 200
    assert api.db.libraries.find_one({})["status"] == "active"


def test_an_unknown_token_is_404_and_a_request_without_identity_is_401(api):
    assert api.call("POST", "/email-confirmations", {"token": "made-up"}).status_code == 404
    unsigned = api.client.post("/registrations", json={})
    assert unsigned.status_code == 401 and unsigned.json["status"] == 401
    forged = api.client.get("/municipalities", headers={"X-Chora-Identity": "forged"})
    assert forged.status_code == 401


def test_municipalities_and_openapi_are_served(api):
    munis = api.call("GET", "/municipalities").json["items"]
    assert len(munis) == 98 and "København" in munis
    spec = api.client.get("/openapi.json").json
    for path in ("/registrations", "/credentials/verify", "/invitations", "/libraries/{library_id}/enrolment"):
        assert path in spec["paths"], path
