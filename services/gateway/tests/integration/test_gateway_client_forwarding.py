"""The forwarding client against a real HTTP server: what it passes on (ids, the signed identity,
an Idempotency-Key on every change, each id quoted as one path segment), what it caches for how
long, that a write through the gateway empties the cache of library details, and what a 503 says
became of a change."""

import socket
import threading
import time

import pytest
from chora_testing.servers import free_port
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from gateway import client as client_module
from gateway.client import IdempotencyKeys, ServiceClient, ServiceUnavailable, idempotency, url_path
from shared import context, identity, keys
from shared.http import request_binding
from shared.identity import Identity

pytestmark = pytest.mark.integration

SECRET = "client-secret"
KEYS = {name: keys.derive(SECRET, keys.identity_purpose(name)) for name in ("registration", "scoring", "evidence")}
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
                       who=identity.verify(KEYS["registration"], request.headers[identity.HEADER],
                                           request_binding("registration")).person_id,
                       request_id=request.headers.get("X-Request-ID"),
                       correlation_id=request.headers.get("X-Correlation-ID"))

    @app.route("/slow", methods=["GET", "POST"])
    def slow():
        seen.append("slow")
        time.sleep(0.3)
        return jsonify(slept=True)

    @app.route("/keys/<path:rest>", methods=["GET", "POST", "DELETE"])
    def keys_(rest):
        identity.verify(KEYS["registration"], request.headers[identity.HEADER], request_binding("registration"))
        return jsonify(key=request.headers.get("Idempotency-Key"), path=request.path, raw=request.environ["RAW_URI"]
                       if "RAW_URI" in request.environ else request.environ.get("REQUEST_URI"))

    barrier = threading.Barrier(2, timeout=5)

    @app.route("/together")
    def together():
        # Answers only when a second request is in flight at the same time (else 500 after 5 s).
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            barrier.reset()
            return jsonify(together=False), 500
        return jsonify(together=True)

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
    client = ServiceClient({"registration": url}, KEYS)
    with context.bound(correlation=None, request="req-1"):  # a request with no correlation id of its own
        got = client.post("registration", "/echo", ANNA, json={"a": 1}, params={"x": [1, 2], "skip": None}).json()
    assert got == {"method": "POST", "args": {"x": ["1", "2"]}, "json": {"a": 1}, "who": "p-anna",
                   "request_id": "req-1", "correlation_id": "req-1"}
    client.get("registration", "/echo", ANNA)
    # Each call is signed for itself: the POST's header is no good for the GET.
    assert seen[0] != seen[1]
    with pytest.raises(ValueError, match="another request"):
        identity.verify(KEYS["registration"], seen[0], identity.Binding.of("registration", "GET", "/echo"))


def test_concurrent_calls_keep_the_request_id_and_hand_back_errors(backend):
    url, _ = backend
    client = ServiceClient({"registration": url, "scoring": f"http://127.0.0.1:{free_port()}"}, KEYS)
    token = context.request_id.set("req-2")
    try:
        first, second, down = client.gather([lambda: client.get("registration", "/echo", ANNA),
                                             lambda: client.get("registration", "/echo", ANNA),
                                             lambda: client.get("scoring", "/echo", ANNA)])
    finally:
        context.request_id.reset(token)
    assert first.json()["request_id"] == second.json()["request_id"] == "req-2"
    assert isinstance(down, ServiceUnavailable) and down.service == "scoring"


def test_library_details_are_reused_until_a_write_through_the_gateway_or_the_ttl(backend):
    url, _ = backend
    now = [1000.0]
    client = ServiceClient({"registration": url}, KEYS, timer=lambda: now[0])
    assert client.cached_get("registration", "/libraries/lib-1", ANNA).json()["name"] == "Første navn"
    client.cache.put(("registration", "/libraries/lib-1"), client_module.ServiceResponse(200, {}, b'{"name": "gemt"}'))
    assert client.cached_get("registration", "/libraries/lib-1", ANNA).json()["name"] == "gemt"
    client.call("registration", "PATCH", "/libraries/lib-1", ANNA, json={"name": "Nyt navn"})
    assert client.cached_get("registration", "/libraries/lib-1", ANNA).json()["name"] == "Nyt navn"
    client.cache.put(("registration", "/libraries/lib-1"), client_module.ServiceResponse(200, {}, b'{"name": "gemt"}'))
    now[0] += client_module.LIBRARY_TTL + 1
    assert client.cached_get("registration", "/libraries/lib-1", ANNA).json()["name"] == "Nyt navn"


def test_gets_to_several_services_run_at_once_and_a_slow_answer_is_never_asked_again(backend):
    url, seen = backend
    client = ServiceClient({"scoring": url, "evidence": url, "registration": f"http://127.0.0.1:{free_port()}"}, KEYS)
    # /together answers only while the other call is in flight too: sent one after the other,
    # the first would wait in vain and fail.
    a, b, down = client.get_many([("scoring", "/together", ANNA, None), ("evidence", "/together", ANNA, None),
                                  ("registration", "/echo", ANNA, None)])
    assert a.status_code == b.status_code == 200 and a.json() == b.json() == {"together": True}
    assert isinstance(down, ServiceUnavailable) and down.service == "registration"
    impatient = ServiceClient({"scoring": url}, KEYS, read_timeout=0.1)
    with pytest.raises(ServiceUnavailable):
        impatient.get("scoring", "/slow", ANNA)
    time.sleep(0.3)
    assert seen.count("slow") == 1  # the timed-out GET was sent once


def test_a_get_on_a_connection_the_service_closed_while_idle_is_sent_again_on_a_new_one():
    listener = socket.create_server(("127.0.0.1", 0))
    connections = []

    def serve():  # answers one request per connection, then closes it (like an expired keep-alive)
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            connections.append(conn)
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(4096)
            body = b'{"n": %d}' % len(connections)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                         % (len(body), body))
            time.sleep(0.05)
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    client = ServiceClient({"evidence": f"http://127.0.0.1:{listener.getsockname()[1]}"}, KEYS)
    try:
        assert client.get("evidence", "/x", ANNA).json() == {"n": 1}
        time.sleep(0.1)  # the service has closed the kept-alive connection by now
        assert client.get("evidence", "/x", ANNA).json() == {"n": 2}
        assert len(connections) == 2
    finally:
        listener.close()
        client.close()


def test_every_change_carries_an_idempotency_key_derived_from_the_request_s_and_a_read_none(backend):
    url, _ = backend
    client = ServiceClient({"registration": url}, KEYS)
    token = idempotency.set(IdempotencyKeys("form-123"))
    try:
        first = client.post("registration", "/keys/a", ANNA, json={}).json()["key"]
        second = client.call("registration", "DELETE", "/keys/b", ANNA).json()["key"]
        read = client.get("registration", "/keys/c", ANNA).json()["key"]
    finally:
        idempotency.reset(token)
    assert (first, second, read) == ("form-123", "form-123.2", None)
    unkeyed = [client.post("registration", "/keys/d", ANNA, json={}).json()["key"] for _ in range(2)]
    assert all(unkeyed) and unkeyed[0] != unkeyed[1]  # none given: one of its own per change


def test_an_id_with_non_ascii_or_reserved_characters_reaches_the_service_as_one_segment(backend):
    url, _ = backend
    client = ServiceClient({"registration": url}, KEYS)
    answer = client.get("registration", url_path("/keys/{}/x", "æ?#/ %"), ANNA).json()
    assert answer["path"] == "/keys/æ?#/ %/x"
    assert answer["raw"].startswith("/keys/%C3%A6%3F%23%2F%20%25/x")
    raw = client.get("registration", "/keys/æble", ANNA).json()  # a path built without the helper
    assert raw["path"] == "/keys/æble"


def test_a_503_says_whether_a_change_may_have_been_applied(backend):
    url, seen = backend
    closed = f"http://127.0.0.1:{free_port()}"
    client = ServiceClient({"registration": closed, "scoring": url}, KEYS, read_timeout=0.1)
    with pytest.raises(ServiceUnavailable) as never_left:
        client.post("registration", "/keys/x", ANNA, json={})
    assert never_left.value.outcome == "not_applied"
    with pytest.raises(ServiceUnavailable) as timed_out:
        client.post("scoring", "/slow", ANNA, json={})
    assert timed_out.value.outcome == "unknown"
    with pytest.raises(ServiceUnavailable) as read:
        client.get("scoring", "/slow", ANNA)
    assert read.value.outcome == "not_applied"  # a read changes nothing
    time.sleep(0.4)
    assert seen.count("slow") == 2  # neither was sent twice
