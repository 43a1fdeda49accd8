"""A certificate that ends says so everywhere the public looks: revoked (only with a reason, the
event carrying what the coordinators are told), lapsed and awaiting its check-in, read back through
the public check and the badge (real app and store; events observed on the wire)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from scoring_events import headers
from test_scoring_lifecycle import at, certified_library

from scoring import scheduler
from scoring.badge import danish_day

pytestmark = [pytest.mark.integration, pytest.mark.wire("certificate.revoked", "certificate.lapsed")]


def public(app, settings, certificate_id):
    anon = headers(settings, "anonymous")
    client = app.test_client()
    answer = client.get(f"/public/certificates/{certificate_id}", headers=anon).get_json()
    badge = client.get(f"/public/certificates/{certificate_id}/badge.svg", headers=anon).get_data(as_text=True)
    return answer, badge


def test_a_revocation_without_a_reason_is_refused_naming_the_field_and_nothing_changes(app, scoring_settings):
    cert = certified_library(app, scoring_settings)
    client, assessor = app.test_client(), headers(scoring_settings, "assessor")
    for body in ({"decision": "revoke"}, {"decision": "revoke", "reason": "   "}, {"decision": "revoke", "reason": None}):
        res = client.post("/libraries/lib-c/certification", json=body, headers=assessor)
        problem = res.get_json()
        assert (res.status_code, res.mimetype) == (422, "application/problem+json"), problem
        assert problem["field"] == "reason" and set(problem["errors"]) == {"reason"}
        assert problem["errors"]["reason"]["message"] == "Skriv hvorfor certifikatet tilbagekaldes."
        assert problem["errors"]["reason"]["message_en"] == "Say why the certificate is revoked."
    held = client.get("/libraries/lib-c/certificate", headers=assessor).get_json()
    assert (held["status"], held["revoked_at"]) == ("certified", None)
    assert public(app, scoring_settings, cert["certificate_id"])[0]["status"] == "valid"


def test_a_revoked_certificate_says_tilbagekaldt_with_its_date_and_no_validity(app, scoring_settings, clock, wire):
    cert = certified_library(app, scoring_settings)
    client, assessor = app.test_client(), headers(scoring_settings, "assessor", person_id="p-anna")
    clock.advance(days=40)
    res = client.post("/libraries/lib-c/certification", json={"decision": "revoke", "reason": "Aktiviteterne fandt ikke sted"},
                      headers=assessor)
    assert res.status_code == 200, res.get_json()
    assert (res.get_json()["status"], res.get_json()["actions"]) == ("revoked", [])

    event = wire.wait_for("certificate.revoked")[0]["payload"]
    assert {k: event[k] for k in ("library_id", "certificate_id", "reason", "revoked_by")} == {
        "library_id": "lib-c", "certificate_id": cert["certificate_id"],
        "reason": "Aktiviteterne fandt ikke sted", "revoked_by": "p-anna"}
    revoked_on = clock().date()
    assert datetime.fromisoformat(event["revoked_at"]).astimezone(UTC).date() == revoked_on

    answer, badge = public(app, scoring_settings, cert["certificate_id"])
    assert answer["status"] == "revoked" and answer["valid_until"] is None
    assert answer["revoked_at"][:10] == revoked_on.isoformat()
    assert f"Tilbagekaldt {danish_day(revoked_on.isoformat())}" in badge
    assert "Gyldigt" not in badge and 'data-status="revoked"' in badge
    held = client.get("/libraries/lib-c/certificate", headers=assessor).get_json()
    assert (held["status"], held["revoke_reason"], held["actions"]) == ("revoked", "Aktiviteterne fandt ikke sted", [])


def test_a_certificate_awaiting_its_checkin_and_then_lapsed_says_so_with_its_dates(app, service, scoring_settings,
                                                                                   clock, wire):
    cert = certified_library(app, scoring_settings)
    awarded = date.fromisoformat(cert["valid_until"]).replace(year=date.fromisoformat(cert["valid_until"]).year - 3)
    anniversary = awarded.replace(year=awarded.year + 1)
    clock.set(at(anniversary - timedelta(days=10)))
    scheduler.run_once(service)
    answer, badge = public(app, scoring_settings, cert["certificate_id"])
    assert (answer["status"], answer["due_on"], answer["valid_until"]) == (
        "checkin_due", anniversary.isoformat(), cert["valid_until"])
    assert f"Årlig opfølgning senest {danish_day(anniversary.isoformat())}" in badge
    assert f"Gyldigt til {danish_day(cert['valid_until'])}" in badge

    clock.set(at(anniversary + timedelta(days=31)))
    # before the scheduler's pass the public check already says lapsed, from the first day past the grace
    answer, badge = public(app, scoring_settings, cert["certificate_id"])
    assert (answer["status"], answer["lapsed_at"]) == ("lapsed", (anniversary + timedelta(days=31)).isoformat())
    scheduler.run_once(service)
    wire.wait_for("certificate.lapsed")
    answer, badge = public(app, scoring_settings, cert["certificate_id"])
    assert answer["status"] == "lapsed" and answer["valid_until"] is None and answer["due_on"] is None
    assert answer["lapsed_at"][:10] == clock().date().isoformat()
    assert f"Udløbet {danish_day(clock().date().isoformat())}" in badge and "Gyldigt" not in badge
