import json

import pytest
from registration_builders import NOW, active_member

from registration.domain import PERSONAL_FIELDS, IllegalTransition, erase, export_person

pytestmark = pytest.mark.unit


def test_export_holds_name_email_role_language_ids_and_timestamps_only(library_and_coordinator):
    _, coordinator = library_and_coordinator
    data = export_person(coordinator)
    assert json.loads(json.dumps(data)) == data
    assert (data["name"], data["email"], data["role"], data["language"]) == (
        "Mette Hansen",
        "mette.hansen@ballerup.example",
        "coordinator",
        "da",
    )
    assert data["password_set"] is True
    assert "argon2-hash" not in json.dumps(data)
    assert set(PERSONAL_FIELDS) <= set(data)
    extra = set(data) - set(PERSONAL_FIELDS) - {"status", "password_set"}
    assert all(k.endswith("_id") or k.endswith("_at") or k == "invited_by" for k in extra)


def test_erasure_leaves_no_name_email_password_or_tokens(library_and_coordinator):
    library, coordinator = library_and_coordinator
    member = active_member(library, coordinator)
    erased = erase(member, NOW)
    assert (erased.name, erased.email, erased.password_hash, erased.tokens) == (None, None, None, [])
    assert erased.status == "erased" and not erased.can_sign_in
    dumped = json.dumps(export_person(erased), ensure_ascii=False)
    assert "Ole Jensen" not in dumped and "ole@ballerup" not in dumped


def test_erasure_event_carries_ids_only(library_and_coordinator):
    library, coordinator = library_and_coordinator
    member = active_member(library, coordinator)
    erase(member, NOW)
    (fact,) = member.events
    assert fact.type == "person.erased"
    assert fact.payload == {"person_id": member.person_id, "library_id": library.library_id}


def test_erasing_twice_is_an_illegal_transition(library_and_coordinator):
    library, coordinator = library_and_coordinator
    member = active_member(library, coordinator)
    erase(member, NOW)
    with pytest.raises(IllegalTransition) as err:
        erase(member, NOW)
    assert err.value.state == "erased"
