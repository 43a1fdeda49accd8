"""The gateway as production runs it (gunicorn with shared.gunicorn_conf): an address too long is a
414 problem+json from the gateway, not gunicorn's plain page. Uses for real: gunicorn, HTTP; the
backends are not needed (nothing is forwarded) and access events use the in-memory transport."""

import os
import subprocess
import sys

import pytest
import requests
from chora_testing.servers import free_port, wait_for_port

pytestmark = pytest.mark.integration


@pytest.fixture
def gateway_on_gunicorn():
    port = free_port()
    env = {**os.environ, "CHORA_HTTP_PORT": str(port), "CHORA_WEB_WORKERS": "1", "CHORA_SECRET_KEY": "gunicorn-test",
           "CHORA_AMQP_URL": "memory://", "CHORA_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "python:shared.gunicorn_conf",
                             "gateway.api:create_app()"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(15)


def test_a_too_long_address_is_the_gateway_s_414_problem_json(gateway_on_gunicorn):
    resp = requests.get(f"{gateway_on_gunicorn}/api/v1/public/libraries?municipality=" + "a" * 6000, timeout=10)
    assert resp.status_code == 414
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert resp.json()["code"] == "uri_too_long"
