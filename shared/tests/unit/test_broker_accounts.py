"""Each service's broker account as the catalogue makes it, and `chora-bus broker-users` putting
them to a management API (a real local HTTP server stands in for RabbitMQ's)."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.bustool import apply_broker_users
from shared.messaging.permissions import service_permissions

pytestmark = pytest.mark.unit


def test_a_service_may_write_only_the_routing_keys_of_the_types_it_produces():
    evidence = service_permissions("chora", "evidence")
    assert re.match(evidence.topic_write, "evidence.submitted") and re.match(evidence.topic_write, "case.shared")
    assert not re.match(evidence.topic_write, "library.registered")
    assert not re.match(evidence.topic_write, "evidence.submittedX")
    registration = service_permissions("chora", "registration")
    assert re.match(registration.topic_write, "person.invited") and not re.match(registration.topic_write, "score.changed")


def test_a_service_configures_its_queues_its_consumers_queues_and_the_archive_and_reads_only_its_own():
    scoring = service_permissions("chora", "scoring")
    for name in ("chora.events", "chora.scoring", "chora.scoring.retry.10s", "chora.scoring.dead",
                 "chora.notification", "chora.archive"):
        assert re.match(scoring.configure, name), name
    assert not re.match(scoring.configure, "chora.evidence")  # scoring produces nothing evidence consumes
    assert re.match(scoring.read, "chora.scoring.dead") and not re.match(scoring.read, "chora.notification")
    assert re.match(scoring.write, "amq.default")  # its retries and dead letters
    # Registration consumes nothing: no queue of its own to read.
    assert not re.match(service_permissions("chora", "registration").read, "chora.registration")


def test_broker_users_puts_each_account_and_its_permissions_to_the_management_api():
    received = []

    class Api(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_PUT(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((self.path, self.headers["Authorization"], body))
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        names = apply_broker_users(url, ("admin", "pw"), "chora", {"evidence": "e-pw", "scoring": "s-pw"})
    finally:
        server.shutdown()
    assert names == ["evidence", "scoring"]
    paths = [path for path, _, _ in received]
    assert paths == ["/api/users/evidence", "/api/permissions/%2F/evidence", "/api/topic-permissions/%2F/evidence",
                     "/api/users/scoring", "/api/permissions/%2F/scoring", "/api/topic-permissions/%2F/scoring"]
    assert all(auth.startswith("Basic ") for _, auth, _ in received)
    assert received[0][2] == {"password": "e-pw", "tags": ""}
    topic = received[2][2]
    assert topic["exchange"] == "chora.events" and topic["write"] == service_permissions("chora", "evidence").topic_write


def test_the_gateway_account_may_only_listen_to_access_changes_on_its_own_queues():
    gateway = service_permissions("chora", "gateway")
    assert re.match(gateway.configure, "chora.gateway.access.0a1b2c3d4e5f")
    assert not re.match(gateway.configure, "chora.scoring") and not re.match(gateway.read, "chora.notification")
    assert re.match(gateway.read, "chora.events") and gateway.topic_write == "^$"
    assert re.match(gateway.topic_read, "person.access_changed")
    assert not re.match(gateway.topic_read, "evidence.submitted")
