"""Configuration, topology names and problem+json rendering."""

import json

import pytest

from shared import identity, keys
from shared.config import ConfigError, ServiceSettings
from shared.events import CATALOGUE, consuming_services
from shared.messaging.topology import Topology

pytestmark = pytest.mark.unit


def test_settings_read_the_documented_variables_with_a_per_service_mongo_override():
    env = {
        "CHORA_AMQP_URL": "amqp://u:p@rabbit:5672/%2F",
        "CHORA_MONGO_URL": "mongodb://shared:27017/",
        "CHORA_SCORING_MONGO_URL": "mongodb://scoring-only:27017/",
        "CHORA_SMTP_HOST": "relay", "CHORA_SMTP_PORT": "2525",
        "CHORA_GATEWAY_PORT": "9090", "CHORA_SECRET_KEY": "s3cret",
    }
    scoring = ServiceSettings.from_env(env, service="scoring")
    evidence = ServiceSettings.from_env(env, service="evidence")
    assert scoring.mongo_url == "mongodb://scoring-only:27017/"
    assert evidence.mongo_url == "mongodb://shared:27017/"
    assert scoring.mongo_db == "chora_scoring" and evidence.mongo_db == "chora_evidence"
    assert (scoring.http_port, evidence.http_port) == (8103, 8102)
    assert scoring.secret_key == "s3cret" and scoring.amqp_url.startswith("amqp://u:p@rabbit")


def test_settings_report_every_malformed_variable_at_once():
    with pytest.raises(ConfigError) as caught:
        ServiceSettings.from_env({"CHORA_EMBEDDED": "1", "CHORA_PREFETCH": "many", "CHORA_HEARTBEAT": "1.5", "CHORA_QUEUE_TYPE": "lazy"})
    text = str(caught.value)
    assert "CHORA_PREFETCH" in text and "CHORA_HEARTBEAT" in text
    with pytest.raises(ConfigError, match="queue_type"):
        ServiceSettings.from_env({"CHORA_EMBEDDED": "1", "CHORA_QUEUE_TYPE": "lazy"})


def test_topology_names_queues_per_service_with_retry_and_dead_letter_queues():
    topo = Topology("chora", "notification", (1, 10, 60), "classic")
    main = topo.main_queue()
    assert main.name == "chora.notification"
    assert main.queue_arguments == {"x-queue-type": "classic"}  # classic queues stay as they were
    retry = {q.name: q.queue_arguments for q in topo.retry_queues()}
    assert retry["chora.notification.retry.10s"]["x-message-ttl"] == 10_000
    assert retry["chora.notification.retry.10s"]["x-dead-letter-routing-key"] == "chora.notification"
    assert "x-dead-letter-strategy" not in retry["chora.notification.retry.10s"]
    assert topo.dead_letter_queue().name == "chora.notification.dead"


def test_a_consumer_queue_is_bound_to_exactly_the_types_the_catalogue_routes_to_it():
    for service in consuming_services():
        queue = Topology("chora", service).main_queue()
        keys = sorted(b.routing_key for b in queue.bindings)
        assert keys == sorted(t for t, spec in CATALOGUE.items() if service in spec.consumers)
    assert "person.invited" in [b.routing_key for b in Topology("chora", "notification").main_queue().bindings]
    assert "person.invited" not in [b.routing_key for b in Topology("chora", "scoring").main_queue().bindings]


def test_a_producer_declares_its_consumers_queues_and_archives_the_types_nobody_consumes():
    topo = Topology("chora", "registration")
    declared = {q.name: q for q in topo.queues_to_declare()}
    # Registration consumes nothing: no queue of its own, but those of everyone who reads its events.
    assert set(declared) == {"chora.evidence", "chora.notification", "chora.scoring", "chora.archive"}
    archive = declared["chora.archive"]
    assert sorted(b.routing_key for b in archive.bindings) == ["branch.added", "branch.changed", "person.access_changed"]
    assert archive.queue_arguments["x-max-length"] == 100_000
    assert archive.queue_arguments["x-overflow"] == "drop-head"
    scoring = Topology("chora", "scoring")
    assert {"score.changed", "certificate.revoked"} <= {b.routing_key for b in scoring.archive_queue(
        [t for t in scoring.produced_types if not CATALOGUE[t].consumers]).bindings}


def test_quorum_queues_dead_letter_at_least_once_with_reject_publish():
    topo = Topology("chora", "scoring", (1, 10, 60), "quorum")
    main = topo.main_queue().queue_arguments
    assert main["x-queue-type"] == "quorum"
    assert main["x-dead-letter-strategy"] == "at-least-once" and main["x-overflow"] == "reject-publish"
    assert main["x-dead-letter-routing-key"] == "chora.scoring.dead"
    for queue in topo.retry_queues():
        assert queue.queue_arguments["x-dead-letter-strategy"] == "at-least-once"
        assert queue.queue_arguments["x-overflow"] == "reject-publish"
    assert topo.archive_queue().queue_arguments["x-overflow"] == "drop-head"  # the archive drops its oldest


def test_signed_identity_is_verified_and_a_forged_one_refused():
    binding = identity.Binding.of("evidence", "GET", "/x")
    token = identity.sign(b"k", identity.Identity("p1", "coordinator", "lib1"), binding)
    assert identity.verify(b"k", token, binding).library_id == "lib1"
    with pytest.raises(ValueError):
        identity.verify(b"other-key", token, binding)
    with pytest.raises(ValueError):
        identity.verify(b"k", token[:-2] + "xx", binding)


def test_a_signed_identity_is_good_for_its_own_request_only_and_for_seconds():
    who = identity.Identity("p1", "administrator")
    post = identity.Binding.of("registration", "POST", "/people/p2", body=b'{"role": "coordinator"}')
    token = identity.sign(b"k", who, post, now=1_000_000)
    assert identity.verify(b"k", token, post, now=1_000_010).role == "administrator"
    for other in (identity.Binding.of("evidence", "POST", "/people/p2", body=b'{"role": "coordinator"}'),
                  identity.Binding.of("registration", "DELETE", "/people/p2", body=b'{"role": "coordinator"}'),
                  identity.Binding.of("registration", "POST", "/people/p3", body=b'{"role": "coordinator"}'),
                  identity.Binding.of("registration", "POST", "/people/p2", query="x=1",
                                      body=b'{"role": "coordinator"}'),
                  identity.Binding.of("registration", "POST", "/people/p2", body=b'{"role": "administrator"}')):
        with pytest.raises(ValueError):
            identity.verify(b"k", token, other, now=1_000_010)
    with pytest.raises(ValueError, match="expired"):
        identity.verify(b"k", token, post, now=1_000_000 + identity.MAX_AGE + 1)


def test_keys_differ_per_purpose_and_a_default_secret_is_refused_outside_the_embedded_mode():
    assert keys.derive("m", "session") != keys.derive("m", "bearer") != keys.derive("m", "identity:evidence")
    assert len(keys.derive("m", "session")) == 32 and keys.derive("m", "session") == keys.derive("m", "session")
    with pytest.raises(ConfigError, match="CHORA_SECRET_KEY"):
        ServiceSettings.from_env({}, service="evidence")
    assert ServiceSettings.from_env({"CHORA_EMBEDDED": "1"}, service="evidence").embedded
    own_key = keys.encode(keys.derive("m", "identity:evidence"))
    only_key = ServiceSettings.from_env({"CHORA_IDENTITY_KEY": own_key}, service="evidence")
    assert only_key.identity_secret == ServiceSettings.from_env({"CHORA_SECRET_KEY": "m"}, service="evidence").identity_secret


def test_staff_act_only_for_their_own_library():
    coordinator = identity.Identity("p1", "coordinator", "lib1")
    assessor = identity.Identity("p2", "assessor", None)
    assert coordinator.may_act_for("lib1") and not coordinator.may_act_for("lib2")
    assert assessor.may_act_for("lib2")


def test_a_transaction_s_events_go_into_outbox_documents_of_at_most_a_hundred_in_order():
    from datetime import UTC, datetime

    from shared.events import new_event
    from shared.mongo import EVENTS_PER_OUTBOX_DOCUMENT, outbox_documents

    events = [new_event("mail.failed", {"mail_id": str(i), "template": "t", "reason": "r"}, producer="notification")
              for i in range(2 * EVENTS_PER_OUTBOX_DOCUMENT + 50)]
    docs = outbox_documents(events, datetime.now(UTC))
    assert [len(d["events"]) for d in docs] == [100, 100, 50]
    assert [e["id"] for d in docs for e in d["events"]] == [e.id for e in events]
    assert [d["_id"] for d in docs] == [events[0].id, events[100].id, events[200].id]
    assert json.loads(docs[2]["events"][-1]["body"])["payload"]["mail_id"] == "249"
    assert outbox_documents([], datetime.now(UTC)) == []


def test_the_openapi_document_describes_errors_as_the_problem_json_they_are():
    from flask_smorest import Blueprint
    from marshmallow import Schema, fields

    from shared.http import PROBLEM, create_service_app

    class PingIn(Schema):
        key = fields.Str(required=True)

    app, api = create_service_app(ServiceSettings.from_env({"CHORA_EMBEDDED": "1"}, service="test"), title="Test")
    bp = Blueprint("pings", __name__)

    @bp.post("/pings")
    @bp.arguments(PingIn)
    @bp.response(201)
    def ping(body):
        return body

    api.register_blueprint(bp)
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    responses = spec["paths"]["/pings"]["post"]["responses"]
    for code in ("422", "default"):
        name = responses[code]["$ref"].rsplit("/", 1)[1]
        assert list(spec["components"]["responses"][name]["content"]) == [PROBLEM]
        assert spec["components"]["responses"][name]["content"][PROBLEM]["schema"]["$ref"].endswith("/Problem")
    problem = spec["components"]["schemas"]["Problem"]
    refused = client.post("/pings", json={})
    assert refused.status_code == 422 and refused.mimetype == PROBLEM
    assert set(refused.get_json()) <= set(problem["properties"])  # every member it sends is described
    assert set(problem["required"]) <= set(refused.get_json())
