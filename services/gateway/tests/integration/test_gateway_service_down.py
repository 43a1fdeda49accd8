"""A stopped service: its API answers 503 problem+json, its pages a friendly Danish 503 page,
and everything else keeps working. Uses for real: the registration service on SecantusDB and
RabbitMQ (served over HTTP on a free port); scoring's URL points at a closed port."""

import threading

import pytest
from chora_testing.servers import free_port
from werkzeug.serving import make_server

from gateway.api import create_app

pytestmark = pytest.mark.integration


@pytest.fixture
def gateway(settings_for):
    from registration import api, migrate

    reg_port, closed_port = free_port(), free_port()  # nothing listens on closed_port
    urls = {"registration": f"http://127.0.0.1:{reg_port}", "scoring": f"http://127.0.0.1:{closed_port}",
            "evidence": f"http://127.0.0.1:{closed_port}", "notification": f"http://127.0.0.1:{closed_port}"}
    migrate.run(settings_for("registration"))
    reg_app = api.create_app(settings_for("registration"))
    server = make_server("127.0.0.1", reg_port, reg_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app = create_app(settings_for("gateway", service_urls=urls))
    yield app.test_client()
    server.shutdown()
    reg_app.extensions["chora_runtime"].stop()


def test_the_api_of_a_stopped_service_answers_503_problem_json(gateway):
    resp = gateway.get("/api/v1/public/libraries", headers={"X-Request-ID": "req-123"})
    assert resp.status_code == 503
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["status"] == 503 and body["service"] == "scoring" and body["request_id"] == "req-123"
    assert "Traceback" not in resp.get_data(as_text=True)


def test_a_page_of_a_stopped_service_is_a_friendly_danish_503_page(gateway):
    resp = gateway.get("/biblioteker")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 503 and resp.mimetype == "text/html"
    assert '<html lang="da">' in page and "midlertidigt utilgængelig" in page
    assert "Traceback" not in page


def test_pages_and_calls_of_the_running_service_keep_working(gateway):
    page = gateway.get("/tilmeld")
    assert page.status_code == 200
    assert "Aarhus" in page.get_data(as_text=True)  # the municipalities come from registration
    created = gateway.post("/api/v1/registrations", json={
        "library": {"name": "Nede Bibliotek", "isil": "DK-765432", "municipality": "Odense",
                    "kind": "folkebibliotek", "staff_count": 4},
        "coordinator": {"name": "Ida", "email": "ida@nede.example", "password": "et-godt-kodeord-42"}})
    assert created.status_code == 201, created.get_json()
    assert gateway.get("/log-ind").status_code == 200
    assert gateway.get("/api/v1/openapi.json").status_code == 200
