"""The HTTP contract is the OpenAPI document: every answer goes through a response schema, the
resources a caller can act on document their `actions`, and errors are problem+json."""

import pytest
from notification_testkit import registered

pytestmark = pytest.mark.integration


@pytest.fixture
def document(harness):
    return harness.client().get("/openapi.json").json


def test_every_operation_answers_through_a_documented_schema(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # the path's own parameters
                continue
            success = [r for status, r in operation["responses"].items() if status.startswith("2")]
            assert success and all("schema" in r["content"]["application/json"] for r in success), (method, path)
            errors = [r for status, r in operation["responses"].items() if status.startswith("4")]
            assert errors and all("application/problem+json" in r["content"] for r in errors
                                  if "content" in r), (method, path)


def test_deliveries_and_preferences_document_what_the_caller_may_do(document):
    components = document["components"]["schemas"]
    assert components["Delivery"]["properties"]["actions"]["items"]["enum"] == ["resend"]
    assert components["Preferences"]["properties"]["actions"]["items"]["enum"] == ["edit"]
    assert "context" not in components["Delivery"]["properties"]  # one-time links stay in the service


def test_an_answer_lists_the_actions_its_caller_has(harness):
    client = harness.client()
    harness.handle("library.registered", registered())
    [admin_view] = client.get("/deliveries", headers=harness.headers()).json["items"]
    [staff_view] = client.get("/deliveries", headers=harness.headers("P1", "coordinator", "L1")).json["items"]
    assert (admin_view["actions"], staff_view["actions"]) == (["resend"], [])
