"""The public API's OpenAPI document, composed from the backends' own documents (a fake document
per backend here; tests/e2e checks it against the real services): every forwarded operation is
described by the backend that answers it, with the gateway's parameter names, only the query
parameters it passes on, the backend's components under the backend's name, and the gateway's
own problem answers; a backend that is away is said to be. The relayed answer reaches the client
byte for byte."""

import re

import pytest
from gateway_fakes import OWN, SECRET, FakeClient, bearer, make_app, response

from gateway import api_v1
from gateway.api import create_app
from gateway.bootstrap import bootstrap
from gateway.client import ServiceUnavailable
from gateway.config import Settings
from gateway.openapi import RETRY_AFTER, shape

pytestmark = pytest.mark.unit

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PROBLEM = "application/problem+json"
UNDECLARED = "served_by_a_newer_service"


def backend_document(service: str) -> dict:
    """A backend's document with an operation for every path the gateway forwards to it; its
    path parameters are named differently ({p0}, {p1}) and its query has one the gateway drops."""
    paths: dict = {}
    for fwd in api_v1.FORWARDS:
        if fwd.service != service:
            continue
        parts = re.split(r"\{[^}]*\}", fwd.backend_path)
        path = "".join(part + (f"{{p{n}}}" if n < len(parts) - 1 else "") for n, part in enumerate(parts))
        names = re.findall(r"\{([^}]*)\}", path)
        op = {"responses": {"200": {"description": "OK", "content": {"application/json": {
                  "schema": {"$ref": "#/components/schemas/Thing"}}}},
                            "422": {"$ref": "#/components/responses/UNPROCESSABLE_ENTITY"}},
              "parameters": [{"in": "query", "name": n, "schema": {"type": "string"}}
                             for n in ("lang", "page", "per_page", "status", "internal_only")]}
        if fwd.method in ("POST", "PUT", "PATCH"):
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Body"}}}}
        item = paths.setdefault(path, {"parameters": [
            {"in": "path", "name": n, "required": True, "schema": {"type": "string", "maxLength": 64}}
            for n in names]})
        item[fwd.method.lower()] = op
    return {"openapi": "3.0.3", "info": {"title": service, "version": "1"}, "paths": paths, "components": {
        "schemas": {"Thing": {"type": "object", "properties": {"part": {"$ref": "#/components/schemas/Part"}}},
                    "Part": {"type": "object", "properties": {"n": {"type": "integer"}}},
                    "Body": {"type": "object", "properties": {"decision": {"type": "string"}}, "required": ["decision"]},
                    "Unused": {"type": "object"}},
        "responses": {"UNPROCESSABLE_ENTITY": {"description": "invalid", "content": {PROBLEM: {
            "schema": {"$ref": "#/components/schemas/Part"}}}}}}}


class Backends(FakeClient):
    def __init__(self):
        super().__init__()
        self.down: set[str] = set()
        self.documents_asked = 0

    def call(self, service, method, path, who=None, **kw):
        if path == "/openapi.json":
            self.documents_asked += 1
            if service in self.down:
                raise ServiceUnavailable(service, "down")
            return response(200, backend_document(service))
        return super().call(service, method, path, who, **kw)


@pytest.fixture(scope="module")
def spec():
    app, _ = make_app(Backends())
    return app.test_client().get("/api/v1/openapi.json").get_json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_every_forwarded_operation_is_described_by_the_backend_that_answers_it(spec):
    for fwd in api_v1.FORWARDS:
        op = spec["paths"][fwd.path][fwd.method.lower()]
        content = op["responses"]["200"]["content"]["application/json"]
        assert content["schema"] == {"$ref": f"#/components/schemas/{fwd.service}.Thing"}, fwd.path
        if fwd.method in ("POST", "PUT", "PATCH"):
            body = op["requestBody"]["content"]["application/json"]["schema"]
            assert resolve(spec, body)["required"] == ["decision"]
    schemas = spec["components"]["schemas"]
    assert schemas["scoring.Part"] == {"type": "object", "properties": {"n": {"type": "integer"}}}  # transitively
    assert "scoring.Unused" not in schemas
    invalid = spec["paths"]["/api/v1/libraries/{library_id}/progress"]["get"]["responses"]["422"]
    assert resolve(spec, invalid)["description"] == "invalid"


def test_path_parameters_carry_the_gateway_s_names_and_the_backend_s_schema(spec):
    op = spec["paths"]["/api/v1/evidence/{evidence_id}/attachments/{attachment_id}"]["get"]
    assert [(p["name"], p["schema"]) for p in op["parameters"] if p["in"] == "path"] == [
        ("evidence_id", {"type": "string", "maxLength": 64}), ("attachment_id", {"type": "string", "maxLength": 64})]


def test_only_the_query_parameters_the_gateway_passes_on_are_documented(spec):
    def query(path, method="get"):
        return {p["name"] for p in spec["paths"]["/api/v1" + path][method]["parameters"] if p["in"] == "query"}

    assert query("/review-queue") == {"page", "per_page"}
    assert query("/libraries/{library_id}/progress") == {"lang"}
    assert query("/libraries/{library_id}/evidence") == {"lang", "page", "per_page", "status", "internal_only"}
    assert query("/libraries/{library_id}/action-plan") == set()


def test_the_gateway_adds_the_problem_answers_it_gives_itself(spec):
    for fwd in api_v1.FORWARDS:
        op = spec["paths"][fwd.path][fwd.method.lower()]
        for status in fwd.errors:
            answer = op["responses"][str(status)]
            assert list(answer["content"]) == [PROBLEM]
            assert resolve(spec, answer["content"][PROBLEM]["schema"]) is spec["components"]["schemas"]["Problem"]
    signed_in = spec["paths"]["/api/v1/libraries/{library_id}/progress"]["get"]["responses"]
    assert {"401", "403", "404", "503"} <= set(signed_in)
    assert "outcome" in signed_in["503"]["description"]


def test_the_gateway_s_own_operations_come_from_its_schemas(spec):
    token = spec["paths"]["/api/v1/auth/token"]["post"]
    answer = resolve(spec, token["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(answer["properties"]) == {"access_token", "token_type", "expires_in"}
    assert {"401", "422", "429", "503"} <= set(token["responses"])


def test_the_document_is_valid_openapi_3(spec):
    """openapi-spec-validator is not a dependency: the structure the specification requires."""
    assert re.fullmatch(r"3\.0\.\d+", spec["openapi"])
    ids = []
    for path, item in spec["paths"].items():
        assert path.startswith("/api/v1/"), path
        templated = set(re.findall(r"\{([^}]+)\}", path))
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            ids.append(op.get("operationId"))
            params = [resolve(spec, p) for p in item.get("parameters", []) + op.get("parameters", [])]
            assert {p["name"] for p in params if p["in"] == "path"} == templated, f"{method} {path}"
            assert all(p["required"] is True for p in params if p["in"] == "path")
            for code, answer in op["responses"].items():
                assert code == "default" or re.fullmatch(r"[1-5]\d\d", code)
                assert resolve(spec, answer)["description"]
    assert len(ids) == len(set(ids)), "operationIds are unique"

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from ([value] if key == "$ref" else refs(value))
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(spec):
        assert resolve(spec, {"$ref": ref}) is not None, ref


def test_a_backend_that_is_away_is_said_to_be_and_its_document_is_read_once_it_is_back():
    now = [1000.0]
    fake = Backends()
    fake.down = {"scoring"}
    settings = Settings.from_env({"CHORA_SECRET_KEY": SECRET})
    app = create_app(service=bootstrap(settings, client=fake, subscribe=False, clock=lambda: now[0]))
    client = app.test_client()
    first = client.get("/api/v1/openapi.json").get_json()
    assert first["info"]["x-backends-unavailable"] == ["scoring"]
    progress = first["paths"]["/api/v1/libraries/{library_id}/progress"]["get"]
    assert set(progress["responses"]) >= {"default", "401", "503"}
    assert first["paths"]["/api/v1/libraries/{library_id}/people"]["get"]["responses"]["200"]  # the others are there
    fake.down = set()
    asked = fake.documents_asked
    client.get("/api/v1/openapi.json")
    assert fake.documents_asked == asked  # kept between documents ...
    now[0] += RETRY_AFTER + 1
    again = client.get("/api/v1/openapi.json").get_json()  # ... and asked again after a while
    assert "x-backends-unavailable" not in again["info"]
    assert "200" in again["paths"]["/api/v1/libraries/{library_id}/progress"]["get"]["responses"]


def test_a_path_matches_the_backend_s_however_its_parameters_are_named():
    assert shape("/evidence/{item_id}/attachments/{file_id}") == shape("/evidence/<evidence_id>/attachments/{x}")


# -- what the gateway answers is what the service answered ----------------------------------------

PASSED_THROUGH = [
    ("coordinator", "GET", f"/libraries/{OWN}", ("GET", f"/libraries/{OWN}")),
    ("coordinator", "GET", f"/libraries/{OWN}/people", ("GET", f"/libraries/{OWN}/people")),
    ("coordinator", "POST", "/people/pr-own/reactivate", ("POST", "/people/pr-own/reactivate")),
    ("coordinator", "GET", "/evidence/ev-own/thread", ("GET", "/evidence/ev-own/thread")),
    ("coordinator", "GET", f"/libraries/{OWN}/action-plan", ("GET", f"/libraries/{OWN}/action-plan")),
    ("assessor", "GET", "/review-queue", ("GET", "/review-queue")),
    ("coordinator", "GET", f"/libraries/{OWN}/requirements", ("GET", f"/libraries/{OWN}/requirements")),
    ("anonymous", "GET", f"/public/libraries/{OWN}/activities", ("GET", f"/public/libraries/{OWN}/activities")),
    ("coordinator", "GET", "/me", ("GET", "/people/p-coordinator")),
]


@pytest.mark.parametrize("role,method,path,forwarded", PASSED_THROUGH, ids=[f"{m} {p}" for _, m, p, _ in PASSED_THROUGH])
def test_the_service_answer_reaches_the_client_unchanged(role, method, path, forwarded):
    app, fake = make_app()
    body = {"name": "Åse Ærø", UNDECLARED: {"nested": [1, 2.5]}}
    answer = response(200, body)
    answer.headers["ETag"] = '"r4"'
    fake.answers[forwarded] = answer
    resp = app.test_client().open("/api/v1" + path, method=method, headers=bearer(role))
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    # Byte for byte: the fake's json.dumps spacing and \u escapes differ from Flask's jsonify.
    assert resp.get_data() == answer.content
    assert resp.headers["ETag"] == '"r4"'


def test_a_service_problem_reaches_the_client_unchanged_with_its_status_and_type():
    app, fake = make_app()
    problem = {"type": "https://verdensmaal.dk/problems/person_erased", "title": "Konflikt", "title_en": "Conflict",
               "status": 409, "detail": "Personen er slettet.", "detail_en": "The person was erased.",
               "request_id": "r-1", "code": "person_erased"}
    fake.answers[("POST", "/people/pr-own/reactivate")] = response(409, problem, "application/problem+json")
    resp = app.test_client().post("/api/v1/people/pr-own/reactivate", headers=bearer("coordinator"))
    assert resp.status_code == 409 and resp.mimetype == PROBLEM
    assert resp.get_json() == problem


def test_the_docs_page_lists_the_composed_document():
    app, _ = make_app(Backends())
    page = app.test_client().get("/api/v1/docs").get_data(as_text=True)
    assert 'id="schema-evidence.Thing"' in page and 'id="schema-Problem"' in page
    thread = page.split('id="get--api-v1-evidence-evidence_id-thread"')[1].split("</section>")[0]
    assert '<code>200</code> application/json: <a href="#schema-evidence.Thing">evidence.Thing</a>' in thread
    assert '<code>404</code> application/problem+json: <a href="#schema-Problem">Problem</a>' in thread
