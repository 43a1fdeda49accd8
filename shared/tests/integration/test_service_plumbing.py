"""A minimal service built on ServiceDefinition, run against real SecantusDB and RabbitMQ:
health, readiness, metrics, problem+json, and correlation ids from HTTP through the bus."""

import json
import logging

import pytest
from chora_testing.miniservice import ServiceDefinition
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from shared import jsonlog
from shared.events.base import CATALOGUE, Payload, event
from shared.http import Problem

pytestmark = pytest.mark.integration

if "test.requested" not in CATALOGUE:
    @event("test.requested", version=1, producer="echo", consumers=("echo",))
    class Requested(Payload):
        """A test event: a ping was posted."""

        key = fields.Str(required=True)

    @event("test.echoed", version=1, producer="echo")
    class Echoed(Payload):
        """A test event answering test.requested (nobody consumes it)."""

        key = fields.Str(required=True)


class PingIn(Schema):
    key = fields.Str(required=True, validate=validate.Length(min=1, max=20))


class Refused(Exception):
    message_da = "Nøglen er optaget."
    message_en = "The key is taken."
    field = "key"
    code = "key_taken"


def blueprints(store, settings):
    bp = Blueprint("pings", __name__)

    @bp.route("/pings")
    class Pings(MethodView):
        @bp.arguments(PingIn)
        @bp.response(201)
        def post(self, body):
            if body["key"] == "taken":
                raise Refused()
            if body["key"] == "boom":
                raise RuntimeError("secret internals")
            if body["key"] == "forbidden":
                raise Problem(403, "Ingen adgang.", detail_en="No access.")
            store.transact(lambda tx: tx.emit("test.requested", {"key": body["key"]}))
            return {"key": body["key"]}

    return [bp]


def echo(store, evt, settings):
    store.transact(lambda tx: tx.emit("test.echoed", {"key": evt.payload["key"]}), inbox=("echo", evt.id))


def definition(name):
    return ServiceDefinition(
        name=name, title="Test service", mapped_errors={Refused: 409}, blueprints=blueprints,
        event_handlers={"test.requested": echo},
    )


@pytest.fixture
def service(settings_for):
    settings = settings_for("echo")
    svc = definition("echo")
    consumer = svc.start_consumer(settings)
    assert consumer.consumer.ready.wait(10)
    app = svc.create_app(settings)
    yield app.test_client()
    app.extensions["chora_runtime"].stop()
    consumer.stop()


def test_health_readiness_and_metrics_answer(service):
    assert service.get("/healthz").json == {"status": "ok"}
    ready = service.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"] == {"mongodb": "ok", "broker": "ok"}
    service.post("/pings", json={"key": "m"})
    text = service.get("/metrics").get_data(as_text=True)
    assert "chora_http_requests_total" in text and 'service="echo"' in text


def test_readiness_reports_a_broker_that_cannot_be_reached(settings_for):
    settings = settings_for("echo", amqp_url="amqp://guest:guest@127.0.0.1:1/%2F")
    app = definition("echo").create_app(settings)
    try:
        answer = app.test_client().get("/readyz")
        assert answer.status_code == 503
        assert answer.json["checks"]["broker"].startswith("error")
        assert answer.json["checks"]["mongodb"] == "ok"
    finally:
        app.extensions["chora_runtime"].stop()


def test_errors_are_problem_json_naming_the_field_and_never_a_stack_trace(service):
    invalid = service.post("/pings", json={"key": ""})
    assert invalid.status_code == 422 and invalid.mimetype == "application/problem+json"
    assert invalid.json["field"] == "key" and "key" in invalid.json["errors"]
    assert invalid.json["detail"] and invalid.json["detail_en"] and invalid.json["request_id"]

    conflict = service.post("/pings", json={"key": "taken"})
    assert conflict.status_code == 409
    assert conflict.json["detail"] == "Nøglen er optaget." and conflict.json["field"] == "key"

    crash = service.post("/pings", json={"key": "boom"})
    assert crash.status_code == 500 and crash.mimetype == "application/problem+json"
    assert "secret internals" not in crash.get_data(as_text=True)
    assert "Traceback" not in crash.get_data(as_text=True)

    assert service.post("/pings", json={"key": "forbidden"}).status_code == 403
    missing = service.get("/no/such/path")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_openapi_document_is_served(service):
    doc = service.get("/openapi.json").json
    assert "/pings" in doc["paths"] and doc["info"]["title"] == "Test service"


@pytest.mark.wire("test.requested", "test.echoed")
def test_the_trace_of_a_request_is_the_correlation_id_of_its_events_across_services(service, wire):
    trace_id = "ab" * 16
    answer = service.post("/pings", json={"key": "corr"}, headers={"traceparent": f"00-{trace_id}-{'cd' * 8}-01"})
    assert answer.headers["X-Correlation-ID"] == trace_id
    requested = wire.wait_for("test.requested", lambda e: e["payload"]["key"] == "corr")[0]
    echoed = wire.wait_for("test.echoed", lambda e: e["payload"]["key"] == "corr")[0]
    assert requested["correlation_id"] == trace_id and echoed["correlation_id"] == trace_id
    assert echoed["causation_id"] == requested["id"]  # caused by the event it answers
    # The trace context travels in the AMQP headers, hop after hop.
    assert requested["_headers"]["traceparent"].split("-")[1] == trace_id
    assert echoed["_headers"]["traceparent"].split("-")[1] == trace_id
    assert requested["_delivery_mode"] == 2  # persistent


def test_log_lines_are_json_with_the_trace_id_as_correlation_id():
    from shared import context, tracing

    formatter = jsonlog.JsonFormatter("echo")
    record = logging.makeLogRecord({"msg": "hello %s", "args": ("x",), "levelname": "INFO"})
    with context.bound(correlation="c-9", request="r-1"):
        line = json.loads(formatter.format(record))
    assert line["msg"] == "hello x" and line["correlation_id"] == "c-9" and line["request_id"] == "r-1"
    assert line["service"] == "echo"
    tracing.configure("echo")
    with tracing.span("echo", "work") as span:
        line = json.loads(formatter.format(record))
    assert line["correlation_id"] == line["trace_id"] == format(span.get_span_context().trace_id, "032x")
