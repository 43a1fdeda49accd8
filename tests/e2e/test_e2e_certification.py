"""A library's whole path through the public API: register, invite a colleague, plan, log and
submit evidence, the assessor adjusts targets, approves and awards, and the public can see the
library and verify its certificate."""

import pytest
import requests
from e2e_journey import (
    ADJUSTED_TARGETS,
    ITEMS,
    assessor,
    eventually,
    invite_and_accept,
    log_and_submit,
    ok,
    plan_and_submit,
    progress,
    register_and_confirm,
)

pytestmark = pytest.mark.e2e


def test_a_library_is_certified_and_the_public_can_verify_it(platform):
    ids, data, coordinator = register_and_confirm(platform)
    library_id = ids["library_id"]
    colleague = invite_and_accept(platform, coordinator, "kollega@bibliotek.example", "Kim Kollega", "member")
    me = ok(requests.get(platform.api("/me"), headers=colleague, timeout=10))
    assert me["role"] == "member" and me["library_id"] == library_id

    start = eventually(lambda: progress(platform, coordinator, library_id))
    assert start["overall"]["provisional"] == 0

    plan_and_submit(platform, coordinator, library_id)
    items = [log_and_submit(platform, colleague if i % 2 else coordinator, library_id, item)
             for i, item in enumerate(ITEMS)]
    eventually(lambda: progress(platform, coordinator, library_id)["overall"]["provisional"] > 0)

    reviewer = assessor(platform)
    for requirement, target in ADJUSTED_TARGETS.items():
        ok(requests.post(platform.api(f"/libraries/{library_id}/requirements/{requirement}/adjustments"),
                         json={"target": target, "reason": "Lille filial"}, headers=reviewer, timeout=10), 200, 201)
    for item in items:
        ok(requests.post(platform.api(f"/evidence/{item['id']}/review"), json={"decision": "approved"},
                         headers=reviewer, timeout=10))
    ok(requests.post(platform.api(f"/libraries/{library_id}/action-plan/review"), json={"decision": "approved"},
                     headers=reviewer, timeout=10))

    verified = eventually(lambda: (p := progress(platform, reviewer, library_id))["overall"]["verified"] >= 1 and p)
    assert verified["status"] == "ready_for_review", verified

    award = ok(requests.post(platform.api(f"/libraries/{library_id}/certification"), json={"decision": "award"},
                             headers=reviewer, timeout=10), 201)
    assert award["certificate_id"] and award["valid_until"]

    listed = eventually(lambda: [lib for lib in ok(requests.get(platform.api("/public/libraries"), timeout=10))["libraries"]
                                 if lib["library_id"] == library_id])
    assert listed[0]["name"] == data["library"]["name"]
    cert = ok(requests.get(platform.api(f"/public/certificates/{award['certificate_id']}"), timeout=10))
    assert cert["status"] == "valid" and cert["library_id"] == library_id
