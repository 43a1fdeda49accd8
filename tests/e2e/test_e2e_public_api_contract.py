"""The public API's document and its error answers, against the real services: every operation
the gateway forwards is described by the running backend's own document, ids with non-ASCII or
reserved characters are never a server error, and 405 and 414 are problem+json."""

from urllib.parse import unquote

import pytest
import requests

from gateway import api_v1

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"


def test_every_forwarded_operation_is_described_by_the_backend_that_answers_it(platform):
    spec = requests.get(platform.api("/openapi.json"), timeout=30).json()
    assert "x-backends-unavailable" not in spec["info"], spec["info"]
    for fwd in api_v1.FORWARDS:
        op = spec["paths"][fwd.path][fwd.method.lower()]
        answers = {code for code in op["responses"] if code[0] == "2"}
        assert answers, f"{fwd.method} {fwd.path}: {fwd.service} documents no {fwd.method} {fwd.backend_path}"
    for ref in _refs(spec):
        kind, _, name = ref.removeprefix("#/components/").partition("/")
        assert name in spec["components"][kind], ref
    assert any(name.startswith("scoring.") for name in spec["components"]["schemas"])


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from ([value] if key == "$ref" else _refs(value))
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


SEGMENTS = ("%C3%A6", "%3F", "a%2Fb", "%25", "%E2%80%8F", "%F0%9F%8C%8D", "%23x")


def test_an_id_of_any_character_is_never_a_server_error(platform):
    for segment in SEGMENTS:
        api = requests.get(platform.api(f"/public/certificates/{segment}"), timeout=10)
        if segment == "a%2Fb":  # a slash is no id: the gateway's own routing answers
            assert api.status_code == 404 and api.headers["Content-Type"].startswith(PROBLEM)
        else:  # an unknown certificate is verified as "unknown": the id reached scoring whole
            assert api.status_code == 200, (segment, api.status_code, api.text)
            assert api.json()["status"] == "unknown" and api.json()["certificate_id"] == unquote(segment)
        badge = requests.get(platform.api(f"/public/certificates/{segment}/badge.svg"), timeout=10)
        page = requests.get(f"{platform.url}/certifikat/{segment}", timeout=10)
        assert badge.status_code < 500 and page.status_code < 500, (segment, badge.status_code, page.status_code)


def test_a_wrong_method_names_the_allowed_ones_and_a_long_address_is_414_problem_json(platform):
    wrong = requests.delete(platform.api("/public/libraries"), timeout=10)
    assert wrong.status_code == 405 and wrong.headers["Content-Type"].startswith(PROBLEM)
    assert "GET" in wrong.headers["Allow"]
    long = requests.get(platform.api("/public/libraries?municipality=" + "a" * 4100), timeout=10)
    assert long.status_code == 414 and long.headers["Content-Type"].startswith(PROBLEM)
