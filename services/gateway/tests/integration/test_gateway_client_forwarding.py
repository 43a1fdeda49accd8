"""The forwarding client against a real HTTP server: what it passes on, what it caches for how long,
and that a write through the gateway empties the cache of library details."""

import threading

import pytest
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from gateway import client as client_module
from gateway.client import ServiceClient, ServiceUnavailable
from shared import context, identity
from shared.identity import Identity
from shared.testing.servers import free_port

pytestmark = pytest.mark.integration

SECRET = "client-secret"
ANNA = Identity("p-anna", "coordinator", "lib-1", "Anna", "anna@example.dk")


@pytest.fixture
def backend():
    app = Flask("echo")
    seen = []
    library = {"name": "Første navn"}

    @app.route("/echo", methods=["GET", "POST", "PATCH"])
    def echo():
        seen.append(request.headers.get(identity.HEADER))
        return jsonify(method=request.method, args=request.args.to_dict(flat=False), json=request.get_json(silent=True),
                       who=identity.verify(SECRET, request.headers[identity.HEADER]).person_id,
                       request_id=request.headers.get("X-Request-ID"),
                       correlation_id=request.headers.get("X-Correlation-ID"))

    @app.route("/libraries/lib-1", methods=["GET", "PATCH"])
    def lib():
        if request.method == "PATCH":
            library.update(request.get_json())
        return jsonify(library)

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", seen
    server.shutdown()


def test_a_call_passes_the_ids_the_signed_identity_the_query_and_the_body(backend):
    url, seen = backend
    client = ServiceClient({"registration": url}, SECRET)
    token = context.request_id.set("req-1")
    try:
        got = client.post("registration", "/echo", ANNA, json={"a": 1}, params={"x": [1, 2], "skip": None}).json()
    finally:
        context.request_id.reset(token)
    assert got == {"method": "POST", "args": {"x": ["1", "2"]}, "json": {"a": 1}, "who": "p-anna",
                   "request_id": "req-1", "correlation_id": "req-1"}
    client.get("registration", "/echo", ANNA)
    assert seen[0] == seen[1]  # one signature reused within a short window, not one per call


def test_concurrent_calls_keep_the_request_id_and_hand_back_errors(backend):
    url, _ = backend
    client = ServiceClient({"registration": url, "scoring": f"http://127.0.0.1:{free_port()}"}, SECRET)
    token = context.request_id.set("req-2")
    try:
        first, second, down = client.gather([lambda: client.get("registration", "/echo", ANNA),
                                             lambda: client.get("registration", "/echo", ANNA),
                                             lambda: client.get("scoring", "/echo", ANNA)])
    finally:
        context.request_id.reset(token)
    assert first.json()["request_id"] == second.json()["request_id"] == "req-2"
    assert isinstance(down, ServiceUnavailable) and down.service == "scoring"


def test_library_details_are_reused_until_a_write_through_the_gateway_or_the_ttl(backend, monkeypatch):
    url, _ = backend
    client = ServiceClient({"registration": url}, SECRET)
    assert client.cached_get("registration", "/libraries/lib-1", ANNA).json()["name"] == "Første navn"
    client.cache.put(("registration", "/libraries/lib-1"), client_module.ServiceResponse(200, {}, b'{"name": "gemt"}'))
    assert client.cached_get("registration", "/libraries/lib-1", ANNA).json()["name"] == "gemt"
    client.call("registration", "PATCH", "/libraries/lib-1", ANNA, json={"name": "Nyt navn"})
    assert client.cached_get("registration", "/libraries/lib-1", ANNA).json()["name"] == "Nyt navn"
    client.cache.put(("registration", "/libraries/lib-1"), client_module.ServiceResponse(200, {}, b'{"name": "gemt"}'))
    now = client_module.time.monotonic()
    monkeypatch.setattr(client_module.time, "monotonic", lambda: now + client_module.LIBRARY_TTL + 1)
    assert client.cached_get("registration", "/libraries/lib-1", ANNA).json()["name"] == "Nyt navn"
