"""Credentials, invitations, roles, tenancy, GDPR and the bootstrap administrator, on real servers."""

import threading
import time
from datetime import timedelta

import pytest

from registration.domain.commands import CreateFirstAdministrator

pytestmark = [pytest.mark.integration, pytest.mark.wire(
    "library.registered", "person.deactivated", "person.erased", "person.invited", "person.joined",
    "person.password_reset_requested", "person.profile_changed", "person.role_changed",
)]

PASSWORD = "grøn omstilling på biblioteket"


def invite(api, wire, who, email, role="member", **extra):
    resp = api.call("POST", "/invitations", {"email": email, "role": role, "name": "Ole Jensen", **extra}, who=who)
    assert resp.status_code == 201, resp.json
    person_id = resp.json["person_id"]
    evt = wire.wait_for("person.invited", lambda e: e["payload"]["person_id"] == person_id)[-1]["payload"]
    return person_id, evt["invitation_token"]


def test_credentials_answer_alike_for_unknown_email_and_wrong_password(api, active_library):
    _, coordinator = active_library
    email = api.db.people.find_one({"_id": coordinator})["email"]
    same_request = api.headers(**{"X-Request-ID": "fixed-request-id"})

    def verify(address, password):
        return api.call("POST", "/credentials/verify", {"email": address, "password": password}, who=same_request)

    # Equal time comes from equal argon2 work (tests/unit/test_passwords.py); here: equal answers.
    unknown = verify("nobody@bib.example", "wrong password here")
    wrong = verify(email, "wrong password here")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_data() == wrong.get_data()
    assert unknown.json["detail"] == "Forkert e-mailadresse eller adgangskode."

    right = verify(email.upper(), PASSWORD)
    assert right.status_code == 200
    assert right.json == {"person_id": coordinator, "name": "Mette Hansen", "email": email, "role": "coordinator",
                          "library_id": active_library[0], "language": "da"}


def test_an_unconfirmed_coordinator_cannot_sign_in(api, wire):
    api.register(isil="DK-100001", email="pending@bib.example")
    resp = api.call("POST", "/credentials/verify", {"email": "pending@bib.example", "password": PASSWORD})
    assert resp.status_code == 401


def test_invitation_is_single_use_resend_supersedes_and_acceptance_lets_the_member_sign_in(api, wire, active_library):
    library_id, coordinator = active_library
    boss = api.as_person(coordinator)
    person_id, first_token = invite(api, wire, boss, "ole@bib.example")

    duplicate = api.call("POST", "/invitations", {"email": "OLE@bib.example", "role": "member"}, who=boss)
    assert duplicate.status_code == 409 and duplicate.json["type"].endswith("/invitation_pending")
    assert api.db.people.count_documents({"email": "ole@bib.example"}) == 1

    assert api.call("POST", f"/invitations/{person_id}/resend", who=boss).status_code == 202
    resent = wire.wait_for("person.invited", lambda e: e["payload"]["resend"], count=1)[0]["payload"]
    assert resent["inviter_name"] == "Mette Hansen" and resent["library_name"] == "Ballerup Bibliotekerne"
    old = api.call("POST", "/invitations/accept", {"token": first_token, "password": PASSWORD})
    assert old.status_code == 410 and old.json["type"].endswith("/token_superseded")

    accepted = api.call("POST", "/invitations/accept", {"token": resent["invitation_token"], "password": PASSWORD})
    assert accepted.status_code == 200 and accepted.json == {"person_id": person_id, "library_id": library_id}
    joined = wire.wait_for("person.joined", lambda e: e["payload"]["person_id"] == person_id)[0]["payload"]
    assert joined["role"] == "member"
    again = api.call("POST", "/invitations/accept", {"token": resent["invitation_token"], "password": PASSWORD})
    assert again.status_code == 410
    signin = api.call("POST", "/credentials/verify", {"email": "ole@bib.example", "password": PASSWORD})
    assert signin.status_code == 200 and signin.json["role"] == "member"
    time.sleep(0.5)
    assert len(wire.of_type("person.invited")) == 2  # the refused duplicate emitted nothing


def test_an_expired_or_revoked_invitation_cannot_be_accepted(api, wire, active_library):
    _, coordinator = active_library
    boss = api.as_person(coordinator)
    late, late_token = invite(api, wire, boss, "late@bib.example")
    revoked, revoked_token = invite(api, wire, boss, "gone@bib.example")

    assert api.call("DELETE", f"/invitations/{revoked}", who=boss).status_code == 204
    deactivated = wire.wait_for("person.deactivated")[0]["payload"]
    assert deactivated["person_id"] == revoked and deactivated["reason"] == "invitation_revoked"
    refused = api.call("POST", "/invitations/accept", {"token": revoked_token, "password": PASSWORD})
    assert refused.status_code == 410

    api.clock.offset = timedelta(days=8)
    expired = api.call("POST", "/invitations/accept", {"token": late_token, "password": PASSWORD})
    assert expired.status_code == 410 and expired.json["type"].endswith("/token_expired")
    assert api.db.people.find_one({"_id": late})["status"] == "invited"
    assert api.db.people.find_one({"_id": late}).get("password_hash") is None


def test_a_member_cannot_invite_and_a_coordinator_cannot_demote_the_last_coordinator(api, wire, active_library):
    library_id, coordinator = active_library
    boss = api.as_person(coordinator)
    member_id, token = invite(api, wire, boss, "m@bib.example")
    api.call("POST", "/invitations/accept", {"token": token, "password": PASSWORD})
    member = api.as_person(member_id)

    assert api.call("POST", "/invitations", {"email": "x@bib.example", "role": "member"}, who=member).status_code == 403
    demote = api.call("PATCH", f"/people/{coordinator}", {"role": "member"}, who=boss)
    assert demote.status_code == 409 and demote.json["type"].endswith("/last_coordinator")
    leave = api.call("PATCH", f"/people/{coordinator}", {"active": False}, who=boss)
    assert leave.status_code == 409
    assert api.db.people.find_one({"_id": coordinator})["role"] == "coordinator"

    promoted = api.call("PATCH", f"/people/{member_id}", {"role": "coordinator"}, who=boss)
    assert promoted.status_code == 200 and promoted.json["role"] == "coordinator"
    changed = wire.wait_for("person.role_changed")[0]["payload"]
    assert (changed["old_role"], changed["new_role"], changed["changed_by"]) == ("member", "coordinator", coordinator)
    assert api.call("PATCH", f"/people/{coordinator}", {"active": False}, who=boss).status_code == 200
    wire.wait_for("person.deactivated", lambda e: e["payload"]["person_id"] == coordinator)

    renamed = api.call("PATCH", f"/people/{member_id}", {"name": "Ole J.", "language": "en"}, who=api.as_person(member_id))
    assert renamed.status_code == 200 and renamed.json["language"] == "en"
    assert wire.wait_for("person.profile_changed")[0]["payload"]["changed_fields"] == ["name", "language"]


def test_a_member_of_library_a_cannot_read_or_change_library_b(api, wire, active_library):
    library_a, coordinator_a = active_library
    other = api.register(isil="DK-200002", email="b@other.example")
    token = wire.wait_for("library.registered", lambda e: e["payload"]["isil"] == "DK-200002")[0]["payload"]
    api.call("POST", "/email-confirmations", {"token": token["confirmation_token"]})
    library_b, coordinator_b = other.json["library_id"], other.json["person_id"]
    a = api.as_person(coordinator_a)
    before = api.db.libraries.find_one({"_id": library_b})

    for method, path, body in [
        ("GET", f"/libraries/{library_b}", None),
        ("PATCH", f"/libraries/{library_b}", {"name": "Overtaget"}),
        ("POST", f"/libraries/{library_b}/withdraw", {}),
        ("POST", f"/libraries/{library_b}/branches", {"name": "Filial"}),
        ("GET", f"/libraries/{library_b}/people", None),
        ("GET", f"/people/{coordinator_b}", None),
        ("PATCH", f"/people/{coordinator_b}", {"role": "member"}),
        ("POST", "/invitations", {"email": "spy@bib.example", "role": "member", "library_id": library_b}),
    ]:
        resp = api.call(method, path, body, who=a)
        assert resp.status_code == 404, (method, path, resp.status_code)
    assert api.db.libraries.find_one({"_id": library_b}) == before
    assert api.call("GET", "/libraries", who=a).status_code == 403
    assert api.call("GET", f"/libraries/{library_a}", who=a).status_code == 200


def test_an_erased_person_is_gone_from_the_store_and_person_erased_is_published(api, wire, active_library):
    library_id, coordinator = active_library
    member_id, token = invite(api, wire, api.as_person(coordinator), "erase.me@bib.example")
    api.call("POST", "/invitations/accept", {"token": token, "password": PASSWORD})
    export = api.call("GET", f"/people/{member_id}/export", who=api.as_person(member_id))
    assert export.status_code == 200 and export.json["email"] == "erase.me@bib.example"
    assert export.json["password_set"] is True and "password_hash" not in export.json

    assert api.call("DELETE", f"/people/{member_id}", who=api.as_person(coordinator)).status_code == 403
    admin = api.headers("administrator")
    assert api.call("DELETE", f"/people/{member_id}", who=admin).status_code == 204
    erased = wire.wait_for("person.erased")[0]["payload"]
    assert erased == {"person_id": member_id, "library_id": library_id}
    assert api.db.people.find_one({"_id": member_id}) is None
    for name in api.db.list_collection_names():
        if name != "outbox":
            assert api.db[name].count_documents({"$or": [{"email": "erase.me@bib.example"}, {"name": "Ole Jensen"}]}) == 0
    assert api.call("GET", f"/people/{member_id}", who=admin).status_code == 404
    assert api.call("DELETE", f"/people/{member_id}", who=admin).status_code == 404
    signin = api.call("POST", "/credentials/verify", {"email": "erase.me@bib.example", "password": PASSWORD})
    assert signin.status_code == 401


def test_password_reset_always_answers_202_and_its_link_works_once(api, wire, active_library):
    _, coordinator = active_library
    email = api.db.people.find_one({"_id": coordinator})["email"]
    assert api.call("POST", "/password-resets", {"email": "nobody@bib.example"}).status_code == 202
    assert api.call("POST", "/password-resets", {"email": email}).status_code == 202
    reset = wire.wait_for("person.password_reset_requested")[0]["payload"]
    assert reset["person_id"] == coordinator
    new_password = "en helt ny sætning til biblioteket"
    bad = api.call("POST", "/password-resets/complete", {"token": reset["reset_token"], "password": "kort"})
    assert bad.status_code == 422 and bad.json["field"] == "password"
    done = api.call("POST", "/password-resets/complete", {"token": reset["reset_token"], "password": new_password})
    assert done.status_code == 200 and done.json == {"person_id": coordinator}
    reused = api.call("POST", "/password-resets/complete", {"token": reset["reset_token"], "password": new_password})
    assert reused.status_code == 410
    assert api.call("POST", "/credentials/verify", {"email": email, "password": PASSWORD}).status_code == 401
    assert api.call("POST", "/credentials/verify", {"email": email, "password": new_password}).status_code == 200
    time.sleep(0.5)
    assert len(wire.of_type("person.password_reset_requested")) == 1


def test_the_bootstrap_administrator_is_created_once_across_migrations_and_concurrent_runs(make_api, wire, settings):
    boot = dict(bootstrap_admin_email="Admin@Chora.example", bootstrap_admin_password="et langt admin kodeord")
    first = make_api(**boot)
    second = make_api(**boot)  # migrate runs again at the next rollout
    results = []
    barrier = threading.Barrier(4)

    def worker():
        barrier.wait()
        results.append(second.service.bus.handle(
            CreateFirstAdministrator(boot["bootstrap_admin_email"], "andet kodeord her")))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [False] * 4
    assert first.db.people.count_documents({"email": "admin@chora.example"}) == 1
    wire.wait_for("person.joined", lambda e: e["payload"]["role"] == "administrator")
    time.sleep(0.5)
    assert len(wire.of_type("person.joined")) == 1
    signin = first.call("POST", "/credentials/verify", {"email": "admin@chora.example", "password": boot["bootstrap_admin_password"]})
    assert signin.status_code == 200 and signin.json["role"] == "administrator" and signin.json["library_id"] is None


def test_concurrent_migrations_create_one_administrator(make_api, settings):
    api = make_api()
    api.db.people.delete_many({})
    results, barrier = [], threading.Barrier(4)

    def worker():
        barrier.wait()
        results.append(api.service.bus.handle(CreateFirstAdministrator("first@chora.example", "et langt admin kodeord")))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [False, False, False, True]
    assert api.db.people.count_documents({"email": "first@chora.example"}) == 1


def test_answers_say_what_the_caller_may_do_and_the_offered_action_works(api, wire, active_library):
    library_id, coordinator = active_library
    boss = api.as_person(coordinator)
    member_id, token = invite(api, wire, boss, "handling@bib.example")
    api.call("POST", "/invitations/accept", {"token": token, "password": PASSWORD})

    team = {p["person_id"]: p["actions"] for p in api.call("GET", f"/libraries/{library_id}/people", who=boss).json["items"]}
    assert team[member_id] == ["change_role", "make_coordinator", "deactivate"]
    assert team[coordinator] == ["edit_profile", "export"]  # the only coordinator stays one
    assert api.call("GET", f"/people/{member_id}", who=api.headers("administrator")).json["actions"][-1] == "erase"
    assert api.call("GET", f"/people/{coordinator}", who=api.as_person(member_id)).json["actions"] == []

    assert api.call("PATCH", f"/people/{member_id}", {"active": False}, who=boss).json["actions"] == ["reactivate"]
    mine = api.call("GET", f"/libraries/{library_id}", who=boss).json
    assert mine["actions"] == ["edit", "withdraw", "add_branch", "invite"]
    cohorts = api.call("GET", "/cohorts", who=api.headers("administrator")).json["items"]
    assert {c["cohort_id"]: c["actions"] for c in cohorts}["det-aabne-program"] == ["rename", "close"]

    spec = api.client.get("/openapi.json").json["components"]["schemas"]
    assert "make_coordinator" in spec["PersonOut"]["properties"]["actions"]["items"]["enum"]
    assert "actions" in spec["PersonOut"]["required"] and "actions" in spec["LibraryOut"]["required"]
