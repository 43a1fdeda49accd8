"""The event contract over a whole journey, with the production topology (the wire observer binds
the catalogue's types by name, no catch-all): registration, confirmation, an invitation, a password
reset, evidence, review, award and revocation through the gateway. Afterwards every service's
outbox is empty, no message was dead-lettered, nothing was logged at ERROR, no token from a mail
travelled in any message, and one trace runs from POST submit of evidence to the score change and
the mail (spans from the in-memory exporter)."""

from __future__ import annotations

import logging
import re

import pytest
import requests
from e2e_journey import (
    ADJUSTED_TARGETS,
    ITEMS,
    PASSWORD,
    assessor,
    eventually,
    invite_and_accept,
    log_and_submit,
    ok,
    plan_and_submit,
    progress,
    register_and_confirm,
)
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared import tracing
from shared.bustool import BusTool
from shared.events import CATALOGUE
from shared.mongo import connect

pytestmark = pytest.mark.e2e

SERVICES = ("registration", "evidence", "scoring", "notification")


@pytest.fixture
def spans():
    """Every span this process ends during the test, kept in memory."""
    tracing.configure("e2e")  # the process's SDK provider (installed once): add an exporter to it
    exporter = InMemorySpanExporter()
    trace.get_tracer_provider().add_span_processor(SimpleSpanProcessor(exporter))  # type: ignore[attr-defined]
    yield exporter
    exporter.shutdown()


def outbox_sizes(platform) -> dict[str, int]:
    sizes = {}
    for name in SERVICES:
        settings = platform.settings[name]
        client = connect(settings.mongo_url, app_name="e2e")
        try:
            db = client[settings.mongo_db]
            sizes[name] = db.outbox.count_documents({}) + db.outbox_parked.count_documents({})
        finally:
            client.close()
    return sizes


def link_in_mail(platform, to: str, path: str) -> str:
    """The link to `path` in the (first) mail to `to` that has one."""
    def body(m):
        return m.get_body(preferencelist=("plain", "html")).get_content()

    [mail] = platform.smtp.box.wait_for(lambda m: to in str(m["To"]) and f"{path}?" in body(m))[:1]
    found = re.search(r"(https?://[^\s\"'<>]*" + re.escape(path) + r"\?[^\s\"'<>]*token=[^\s\"'<>&]+)", body(mail))
    assert found
    return found.group(1)


def test_a_whole_journey_leaves_every_outbox_empty_no_error_no_token_on_the_wire_and_one_trace(
        platform, wire, caplog, spans):
    caplog.set_level(logging.INFO)
    wire.watch(*sorted(t for t in CATALOGUE if not t.startswith("test.")))

    ids, data, coordinator = register_and_confirm(platform)
    library_id = ids["library_id"]
    confirmation = platform.token_from(platform.mail_link(data["coordinator"]["email"], "/bekraeft"))
    colleague = invite_and_accept(platform, coordinator, "kollega@bibliotek.example", "Kim Kollega", "member")
    invitation = platform.token_from(platform.mail_link("kollega@bibliotek.example", "/invitation"))
    ok(requests.post(platform.api("/password-resets"), json={"email": "kollega@bibliotek.example"}, timeout=10), 202)
    reset = platform.token_from(link_in_mail(platform, "kollega@bibliotek.example", "/nulstil"))
    ok(requests.post(platform.api("/password-resets/complete"), json={"token": reset, "password": PASSWORD}, timeout=10))

    eventually(lambda: progress(platform, coordinator, library_id))
    plan_and_submit(platform, coordinator, library_id)

    def scored(cause_type: str) -> None:
        """Wait until scoring answered the latest event of a type (its score.changed names it as cause)."""
        cause = wire.wait_for(cause_type, lambda e: e["payload"].get("library_id") == library_id)[-1]["id"]
        wire.wait_for("score.changed", lambda e: e.get("causation_id") == cause)

    # Scoring takes events waiting together as one batch (one span linking them); the traced submit
    # is made when nothing else waits, so it is handled, and traced, on its own.
    scored("action_plan.submitted")
    spans.clear()
    items = [log_and_submit(platform, coordinator, library_id, ITEMS[0])]
    scored("evidence.submitted")
    items += [log_and_submit(platform, colleague if i % 2 else coordinator, library_id, item)
              for i, item in enumerate(ITEMS[1:], start=1)]
    first_submit = [s for s in spans.get_finished_spans() if s.name == "POST /api/v1/evidence/<evidence_id>/submit"]
    reviewer = assessor(platform)
    for requirement, target in ADJUSTED_TARGETS.items():
        ok(requests.post(platform.api(f"/libraries/{library_id}/requirements/{requirement}/adjustments"),
                         json={"target": target, "reason": "Lille filial"}, headers=reviewer, timeout=10), 200, 201)
    for item in items:
        ok(requests.post(platform.api(f"/evidence/{item['id']}/review"), json={"decision": "approved"},
                         headers=reviewer, timeout=10))
    ok(requests.post(platform.api(f"/libraries/{library_id}/action-plan/review"), json={"decision": "approved"},
                     headers=reviewer, timeout=10))
    eventually(lambda: progress(platform, reviewer, library_id)["overall"]["verified"] >= 1)
    award = ok(requests.post(platform.api(f"/libraries/{library_id}/certification"), json={"decision": "award"},
                             headers=reviewer, timeout=10), 201)
    ok(requests.post(platform.api(f"/libraries/{library_id}/certification"),
                     json={"decision": "revoke", "reason": "Prøve på tilbagekaldelse"}, headers=reviewer, timeout=10))
    wire.wait_for("certificate.revoked", lambda e: e["payload"]["library_id"] == library_id)
    cert = ok(requests.get(platform.api(f"/public/certificates/{award['certificate_id']}"), timeout=10))
    assert cert["status"] == "revoked"

    # Every event left every outbox (the archived types too), and none is parked.
    eventually(lambda: outbox_sizes(platform) == dict.fromkeys(SERVICES, 0), timeout=30)
    tool = BusTool(platform.settings["scoring"].amqp_url, platform.settings["scoring"].amqp_prefix,
                   platform.settings["scoring"].retry_delays)
    assert {name: tool.dead_letters(name) for name in ("evidence", "scoring", "notification")} == \
        {"evidence": [], "scoring": [], "notification": []}
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []

    # No token from a mail travelled in clear: the token fields went sealed.
    bodies = [m["_body"] for m in wire.messages]
    assert {"library.registered", "person.invited", "person.password_reset_requested"} <= {m["type"] for m in wire.messages}
    for token in (confirmation, invitation, reset):
        assert not [b for b in bodies if token.encode() in b], "a token travelled in clear"
    sealed = wire.of_type("person.invited")[0]["_body"]
    assert b'"invitation_token":"sealed:' in sealed

    # One trace from the gateway's POST submit to the score change and the mail, with every hop's span.
    assert first_submit, "\n".join(sorted({s.name for s in spans.get_finished_spans()}))
    trace_id = first_submit[0].context.trace_id
    # (service, span name or, for a consumer that may take the event in a batch, its beginning)
    wanted = [
        ("gateway", "POST /api/v1/evidence/<evidence_id>/submit"), ("gateway", "POST evidence"),
        ("evidence", "POST /evidence/<item_id>/submit"), ("evidence", "evidence transaction"),
        ("evidence", "publish evidence.submitted"),
        ("scoring", "process "), ("scoring", "scoring transaction"), ("scoring", "publish score.changed"),
        ("notification", "process "), ("notification", "notification transaction"), ("notification", "smtp send"),
    ]

    def missing():
        found = [(s.attributes.get("chora.service", ""), s.name)
                 for s in spans.get_finished_spans() if s.context.trace_id == trace_id]
        return [(service, name) for service, name in wanted
                if not any(f[0] == service and (f[1] == name or name.endswith(" ") and f[1].startswith(name))
                           for f in found)]

    try:
        eventually(lambda: not missing(), timeout=30)
    finally:
        print_trace(spans, trace_id)
    assert missing() == []


def print_trace(spans, trace_id) -> None:
    mine = sorted((s for s in spans.get_finished_spans() if s.context.trace_id == trace_id), key=lambda s: s.start_time)
    by_id = {s.context.span_id: s for s in mine}

    def depth(s):
        d = 0
        while s.parent is not None and s.parent.span_id in by_id:
            s, d = by_id[s.parent.span_id], d + 1
        return d

    start = mine[0].start_time
    print(f"\ntrace {trace.format_trace_id(trace_id)}")
    for s in mine:
        print(f"{(s.start_time - start) / 1e6:8.1f} ms {(s.end_time - s.start_time) / 1e6:7.1f} ms  "
              f"{'  ' * depth(s)}{s.attributes.get('chora.service')}: {s.name}")
