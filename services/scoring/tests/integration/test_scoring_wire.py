"""Scoring on the wire: events from another service's outbox in, score and readiness events out."""

from __future__ import annotations

import time

import pika
import pytest
from scoring_events import (
    case_shared,
    evidence_payload,
    full_evidence,
    headers,
    library,
    plan_approved,
    snapshot,
)

from scoring.badge import danish_day
from shared.events import new_event

pytestmark = [pytest.mark.integration, pytest.mark.wire(
    "certificate.awarded", "library.ready_for_review", "score.changed",
)]


def for_library(library_id):
    return lambda e: e["payload"].get("library_id") == library_id


def emit(upstream, type_, payload):
    return upstream.emit(type_, payload)


def test_a_registered_library_is_scored_at_zero_and_evidence_moves_its_score(consumer, upstream, wire, app,
                                                                           scoring_settings):
    emit(upstream, "library.registered", library("lib-a"))
    first = wire.wait_for("score.changed", for_library("lib-a"))[0]["payload"]
    assert (first["provisional"], first["status"]) == (0, "not_started")

    snap = snapshot("lib-a", "communication", "formidling", sdgs=[4, 13])
    emit(upstream, *evidence_payload(snap))
    second = wire.wait_for("score.changed", for_library("lib-a"), count=2)[1]["payload"]
    assert second["status"] == "in_progress"
    assert second["provisional"] > 0 and second["verified"] == 0
    assert second["sdgs"] == [4, 13]

    body = app.test_client().get("/libraries/lib-a/progress",
                                 headers=headers(scoring_settings, "coordinator", "lib-a")).get_json()
    assert body["overall"]["provisional"] == second["provisional"]
    assert {r["id"] for r in body["requirements"]} == {"D1", "D2", "D3", "D4", "F1", "F2", "C1", "C2", "C3"}
    assert body["missing"], "a library that has just started is told what is missing"


def test_the_same_evidence_event_delivered_twice_scores_once(consumer, upstream, wire, scoring_settings):
    emit(upstream, "library.registered", library("lib-d"))
    wire.wait_for("score.changed", for_library("lib-d"))
    type_, payload = evidence_payload(snapshot("lib-d", "communication", "formidling", sdgs=[4]))
    evt = new_event(type_, payload, producer="evidence")
    conn = pika.BlockingConnection(pika.URLParameters(scoring_settings.amqp_url))
    try:
        ch = conn.channel()
        ch.confirm_delivery()
        for _ in range(2):  # a redelivery: the same event id twice
            ch.basic_publish(f"{scoring_settings.amqp_prefix}.events", type_, evt.to_json(),
                             pika.BasicProperties(content_type="application/json", delivery_mode=2,
                                                  message_id=evt.id))
    finally:
        conn.close()
    wire.wait_for("score.changed", for_library("lib-d"), count=2)
    time.sleep(1.5)
    assert len(wire.of_type("score.changed")) == 2  # registration, then one for the evidence
    assert consumer.runtime.open_store().db.inbox.count_documents({"event_id": evt.id}) == 1


def test_a_library_meeting_every_requirement_is_flagged_ready_once(consumer, upstream, wire, app, scoring_settings):
    emit(upstream, "library.registered", library("lib-r", name="Odense <Hovedbibliotek>"))
    for snap in full_evidence("lib-r"):
        emit(upstream, *evidence_payload(snap))
    emit(upstream, "case.shared", case_shared("lib-r"))
    emit(upstream, "action_plan.approved", plan_approved("lib-r"))
    ready = wire.wait_for("library.ready_for_review", for_library("lib-r"))[0]["payload"]
    assert ready["overall"] == 1.0
    # More evidence after readiness changes nothing about readiness: announced once.
    emit(upstream, *evidence_payload(snapshot("lib-r", "activity", "formidling", status="approved", sdgs=[1])))
    wire.wait_for("score.changed", lambda e: e["payload"]["library_id"] == "lib-r" and 1 in e["payload"]["sdgs"])
    time.sleep(1.0)
    assert len(wire.of_type("library.ready_for_review")) == 1

    client = app.test_client()
    queue = client.get("/review-queue", headers=headers(scoring_settings, "assessor")).get_json()["libraries"]
    assert [q["library_id"] for q in queue] == ["lib-r"]

    awarded = client.post("/libraries/lib-r/certification", json={"decision": "award"},
                          headers=headers(scoring_settings, "assessor", person_id="p-assessor"))
    assert awarded.status_code == 201, awarded.get_json()
    cert = awarded.get_json()
    assert wire.wait_for("certificate.awarded")[0]["payload"]["certificate_id"] == cert["certificate_id"]

    anon = headers(scoring_settings, "anonymous")
    public = client.get(f"/public/certificates/{cert['certificate_id']}", headers=anon).get_json()
    assert (public["status"], public["library_name"], public["valid_until"]) == (
        "valid", "Odense <Hovedbibliotek>", cert["valid_until"])
    badge = client.get(f"/public/certificates/{cert['certificate_id']}/badge.svg", headers=anon)
    svg = badge.get_data(as_text=True)
    assert badge.mimetype == "image/svg+xml"
    assert "Odense &lt;Hovedbibliotek&gt;" in svg and "<Hovedbibliotek>" not in svg
    assert "Verdensmålscertificeret bibliotek" in svg and danish_day(cert["valid_until"]) in svg and 'role="img"' in svg
    unknown = client.get("/public/certificates/nope", headers=anon).get_json()
    assert unknown["status"] == "unknown"
    directory = client.get("/public/libraries?municipality=Roskilde", headers=anon).get_json()["libraries"]
    assert [d["library_id"] for d in directory] == ["lib-r"]
    assert client.get("/public/libraries?municipality=Aarhus", headers=anon).get_json()["libraries"] == []
    assert client.get("/review-queue", headers=headers(scoring_settings, "assessor")).get_json()["libraries"] == []
