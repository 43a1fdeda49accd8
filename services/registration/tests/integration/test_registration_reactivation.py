"""Reactivating a deactivated person, on real servers: who may, what is published, and the
refusals (erased people, another library's coordinator, an address given to someone else)."""

import time

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.wire(
    "library.registered", "person.deactivated", "person.invited", "person.reactivated",
)]

PASSWORD = "grøn omstilling på biblioteket"


def joined_member(api, wire, boss, email):
    resp = api.call("POST", "/invitations", {"email": email, "role": "member", "name": "Ole Jensen"}, who=boss)
    assert resp.status_code == 201, resp.json
    person_id = resp.json["person_id"]
    token = wire.wait_for("person.invited", lambda e: e["payload"]["person_id"] == person_id)[0]["payload"]
    accepted = api.call("POST", "/invitations/accept", {"token": token["invitation_token"], "password": PASSWORD})
    assert accepted.status_code == 200, accepted.json
    return person_id


def deactivated_member(api, wire, boss, email):
    person_id = joined_member(api, wire, boss, email)
    assert api.call("PATCH", f"/people/{person_id}", {"active": False}, who=boss).status_code == 200
    wire.wait_for("person.deactivated", lambda e: e["payload"]["person_id"] == person_id)
    return person_id


def signs_in(api, email):
    return api.call("POST", "/credentials/verify", {"email": email, "password": PASSWORD}).status_code == 200


def test_a_coordinator_reactivates_a_deactivated_colleague_who_signs_in_again(api, wire, active_library):
    library_id, coordinator = active_library
    boss = api.as_person(coordinator)
    member_id = deactivated_member(api, wire, boss, "tilbage@bib.example")
    assert not signs_in(api, "tilbage@bib.example")

    resp = api.call("POST", f"/people/{member_id}/reactivate", who=boss)
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "active" and resp.json["deactivated_at"] is None
    assert resp.json["reactivated_at"] is not None
    assert signs_in(api, "tilbage@bib.example")

    event = wire.wait_for("person.reactivated")[0]["payload"]
    assert event["person_id"] == member_id and event["library_id"] == library_id
    assert event["email"] == "tilbage@bib.example" and event["name"] == "Ole Jensen" and event["role"] == "member"
    assert event["library_name"] == "Ballerup Bibliotekerne" and event["reactivated_by"] == coordinator

    again = api.call("POST", f"/people/{member_id}/reactivate", who=boss)
    assert again.status_code == 409 and again.json["type"].endswith("/illegal_transition")
    time.sleep(0.5)
    assert len(wire.of_type("person.reactivated")) == 1  # the refused second call published nothing


def test_patch_active_true_reactivates_the_same_way(api, wire, active_library):
    _, coordinator = active_library
    boss = api.as_person(coordinator)
    member_id = deactivated_member(api, wire, boss, "patch@bib.example")
    resp = api.call("PATCH", f"/people/{member_id}", {"active": True}, who=boss)
    assert resp.status_code == 200 and resp.json["status"] == "active"
    wire.wait_for("person.reactivated", lambda e: e["payload"]["person_id"] == member_id)


def test_an_administrator_may_reactivate_anyone_but_a_member_may_not(api, wire, active_library):
    _, coordinator = active_library
    boss = api.as_person(coordinator)
    colleague = joined_member(api, wire, boss, "kollega@bib.example")
    member_id = deactivated_member(api, wire, boss, "admin.hjalp@bib.example")

    refused = api.call("POST", f"/people/{member_id}/reactivate", who=api.as_person(colleague))
    assert refused.status_code == 403
    assert api.db.people.find_one({"_id": member_id})["status"] == "deactivated"

    done = api.call("POST", f"/people/{member_id}/reactivate", who=api.headers("administrator"))
    assert done.status_code == 200 and done.json["status"] == "active"


def test_another_librarys_coordinator_gets_not_found_and_changes_nothing(api, wire, active_library):
    _, coordinator = active_library
    member_id = deactivated_member(api, wire, api.as_person(coordinator), "fremmed@bib.example")
    other = api.register(isil="DK-300003", email="c@other.example")
    token = wire.wait_for("library.registered", lambda e: e["payload"]["isil"] == "DK-300003")[0]["payload"]
    api.call("POST", "/email-confirmations", {"token": token["confirmation_token"]})
    stranger = api.as_person(other.json["person_id"])

    resp = api.call("POST", f"/people/{member_id}/reactivate", who=stranger)
    assert resp.status_code == 404
    assert api.db.people.find_one({"_id": member_id})["status"] == "deactivated"
    time.sleep(0.5)
    assert wire.of_type("person.reactivated") == []


def test_an_erased_person_can_never_be_reactivated(api, wire, active_library):
    library_id, coordinator = active_library
    boss = api.as_person(coordinator)
    member_id = deactivated_member(api, wire, boss, "slettet@bib.example")
    admin = api.headers("administrator")
    assert api.call("DELETE", f"/people/{member_id}", who=admin).status_code == 204

    for who in (admin, boss):
        resp = api.call("POST", f"/people/{member_id}/reactivate", who=who)
        assert resp.status_code == 409 and resp.json["type"].endswith("/person_erased")
        assert "slettet" in resp.json["detail"] and "genaktiveres" in resp.json["detail"]
        assert "erased" in resp.json["detail_en"]
    other = api.register(isil="DK-300004", email="d@other.example")
    stranger = api.as_person(other.json["person_id"])
    # Another library's staff learn nothing, not even that the id was erased.
    assert api.call("POST", f"/people/{member_id}/reactivate", who=stranger).status_code == 404
    assert api.call("POST", "/people/no-such-person/reactivate", who=admin).status_code == 404
    assert api.db.people.find_one({"_id": member_id}) is None
    time.sleep(0.5)
    assert wire.of_type("person.reactivated") == []


def test_reactivation_is_refused_when_the_address_was_invited_again(api, wire, active_library):
    _, coordinator = active_library
    boss = api.as_person(coordinator)
    member_id = deactivated_member(api, wire, boss, "igen@bib.example")
    invited = api.call("POST", "/invitations", {"email": "igen@bib.example", "role": "member"}, who=boss)
    assert invited.status_code == 201

    resp = api.call("POST", f"/people/{member_id}/reactivate", who=boss)
    assert resp.status_code == 409 and resp.json["type"].endswith("/email_in_use")
    assert api.db.people.find_one({"_id": member_id})["status"] == "deactivated"


def test_a_revoked_invitation_is_not_reactivated(api, wire, active_library):
    _, coordinator = active_library
    boss = api.as_person(coordinator)
    resp = api.call("POST", "/invitations", {"email": "aldrig@bib.example", "role": "member"}, who=boss)
    person_id = resp.json["person_id"]
    assert api.call("DELETE", f"/invitations/{person_id}", who=boss).status_code == 204

    refused = api.call("POST", f"/people/{person_id}/reactivate", who=boss)
    assert refused.status_code == 409 and refused.json["type"].endswith("/never_joined")
    assert "Invitér" in refused.json["detail"]
