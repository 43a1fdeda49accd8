"""Configuration, topology names and problem+json rendering."""

import json

import pytest

from shared import identity
from shared.config import Settings
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
    scoring = Settings.from_env("scoring", env)
    evidence = Settings.from_env("evidence", env)
    assert scoring.mongo_url == "mongodb://scoring-only:27017/"
    assert evidence.mongo_url == "mongodb://shared:27017/"
    assert scoring.mongo_db == "chora_scoring" and evidence.mongo_db == "chora_evidence"
    assert (scoring.smtp_host, scoring.smtp_port, scoring.gateway_port) == ("relay", 2525, 9090)
    assert Settings.from_env("gateway", env).http_port == 9090
    assert scoring.secret_key == "s3cret" and scoring.amqp_url.startswith("amqp://u:p@rabbit")


def test_the_sign_in_throttle_limits_default_to_five_twenty_and_a_quarter_and_can_be_set():
    default = Settings.from_env("registration", {})
    assert (default.login_max_per_account, default.login_max_per_address, default.login_window) == (5, 20, 900.0)
    env = {"CHORA_LOGIN_MAX_PER_ACCOUNT": "3", "CHORA_LOGIN_MAX_PER_ADDRESS": "0", "CHORA_LOGIN_WINDOW": "60"}
    chosen = Settings.from_env("registration", env)
    assert (chosen.login_max_per_account, chosen.login_max_per_address, chosen.login_window) == (3, 0, 60.0)


def test_topology_names_queues_per_service_with_retry_and_dead_letter_queues():
    topo = Topology("chora", "notification", ("library.registered",), (1, 10, 60), "quorum")
    main = topo.main_queue()
    assert main.name == "chora.notification"
    assert [b.routing_key for b in main.bindings] == ["library.registered"]
    assert main.queue_arguments["x-queue-type"] == "quorum"
    retry = {q.name: q.queue_arguments for q in topo.retry_queues()}
    assert retry["chora.notification.retry.10s"]["x-message-ttl"] == 10_000
    assert retry["chora.notification.retry.10s"]["x-dead-letter-routing-key"] == "chora.notification"
    assert topo.dead_letter_queue().name == "chora.notification.dead"


def test_signed_identity_is_verified_and_a_forged_one_refused():
    token = identity.sign("k", identity.Identity("p1", "coordinator", "lib1"))
    assert identity.verify("k", token).library_id == "lib1"
    with pytest.raises(ValueError):
        identity.verify("other-key", token)
    with pytest.raises(ValueError):
        identity.verify("k", token[:-2] + "xx")


def test_staff_act_only_for_their_own_library():
    coordinator = identity.Identity("p1", "coordinator", "lib1")
    assessor = identity.Identity("p2", "assessor", None)
    assert coordinator.may_act_for("lib1") and not coordinator.may_act_for("lib2")
    assert assessor.may_act_for("lib2")


def test_a_transaction_s_events_go_into_outbox_documents_of_at_most_a_hundred_in_order():
    from datetime import UTC, datetime

    from shared.events import new_event
    from shared.mongo import EVENTS_PER_OUTBOX_DOCUMENT, outbox_documents

    events = [new_event("mail.failed", {"mail_id": str(i), "template": "t", "reason": "r"}, producer="p")
              for i in range(2 * EVENTS_PER_OUTBOX_DOCUMENT + 50)]
    docs = outbox_documents(events, datetime.now(UTC))
    assert [len(d["events"]) for d in docs] == [100, 100, 50]
    assert [e["id"] for d in docs for e in d["events"]] == [e.id for e in events]
    assert [d["_id"] for d in docs] == [events[0].id, events[100].id, events[200].id]
    assert json.loads(docs[2]["events"][-1]["body"])["payload"]["mail_id"] == "249"
    assert outbox_documents([], datetime.now(UTC)) == []


def test_errors_are_documented_as_the_problem_json_they_are():
    from flask_smorest import Blueprint
    from marshmallow import Schema, fields

    from shared.http import ProblemSchema, create_service_app

    class Body(Schema):
        key = fields.Str(required=True)

    bp = Blueprint("pings", __name__)

    @bp.route("/pings", methods=["POST"])
    @bp.arguments(Body)
    def ping(body):
        return body

    app, api = create_service_app(Settings.from_env("evidence", {}), title="Test")
    api.register_blueprint(bp)
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    responses = spec["components"]["responses"]
    for name in ("DEFAULT_ERROR", "UNPROCESSABLE_ENTITY"):
        assert responses[name]["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert spec["paths"]["/pings"]["post"]["responses"]["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}
    assert set(spec["components"]["schemas"]["Problem"]["required"]) == {
        "type", "title", "title_en", "status", "detail", "detail_en", "request_id"}
    # The document matches what is answered.
    for answer in (client.post("/pings", json={}), client.get("/no/such/path")):
        assert answer.mimetype == "application/problem+json"
        ProblemSchema().load(answer.get_json())
    assert client.post("/pings", json={}).get_json()["field"] == "key"
