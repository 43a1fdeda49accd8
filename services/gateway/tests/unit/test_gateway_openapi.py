"""The OpenAPI document of /api/v1: every operation documents its answer and its errors, the
document holds together as OpenAPI 3, and documenting an answer never changes it (the relayed
answer reaches the client byte for byte). Flask's test client with the fake backend."""

import re

import pytest
from gateway_fakes import OWN, bearer, make_app, response

from gateway import schemas as s

pytestmark = pytest.mark.unit

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PROBLEM = "application/problem+json"
UNDECLARED = "served_by_a_newer_service"  # a field no answer schema declares


@pytest.fixture(scope="module")
def spec():
    app, _ = make_app()
    return app.test_client().get("/api/v1/openapi.json").get_json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def resolve(spec, node):
    """Follow a local $ref (#/components/...) to what it names."""
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def nullable(prop):
    """apispec writes a nullable nested schema as anyOf [$ref, {nullable}]."""
    return prop.get("nullable") is True or any(part.get("nullable") for part in prop.get("anyOf", []))


def test_every_operation_documents_its_success_answer_with_a_schema(spec):
    undocumented = []
    for name, op in operations(spec):
        successes = {code: resolve(spec, r) for code, r in op["responses"].items() if code[0] == "2"}
        assert successes, f"{name} documents no success answer"
        for code, answer in successes.items():
            if code == "204":
                assert not answer.get("content"), f"{name}: 204 has no body"
                continue
            content = answer.get("content") or {}
            if not content or not all((media.get("schema") or {}) for media in content.values()):
                undocumented.append(f"{name} {code}")
    assert not undocumented, undocumented


def test_the_operations_that_were_undocumented_name_their_answer(spec):
    def schema_of(path, method, code="200"):
        content = resolve(spec, spec["paths"]["/api/v1" + path][method]["responses"][code])["content"]
        return content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]

    assert schema_of("/libraries/{library_id}", "get") == "LibraryOut"
    assert schema_of("/libraries/{library_id}/people", "get") == "PeopleOut"
    assert schema_of("/people/{person_id}/reactivate", "post") == "PersonOut"
    assert schema_of("/evidence/{evidence_id}/thread", "get") == "ThreadOut"
    assert schema_of("/libraries/{library_id}/action-plan", "get") == "PlanOut"
    assert schema_of("/review-queue", "get") == "ReviewQueueOut"
    assert schema_of("/libraries/{library_id}/requirements", "get") == "RequirementsOut"
    assert schema_of("/public/libraries/{library_id}/activities", "get") == "PublicActivitiesOut"
    assert schema_of("/libraries/{library_id}/certification", "post", "201") == "CertificationOut"
    assert schema_of("/libraries/{library_id}/certification", "post", "200") == "CertificationOut"
    library = spec["components"]["schemas"]["LibraryOut"]
    assert nullable(library["properties"]["enrolment"]) and nullable(library["properties"]["website"])
    assert not nullable(library["properties"]["name"])
    assert "website" not in library.get("required", []) and "library_id" in library["required"]
    assert library["additionalProperties"] is True  # a service may add fields


def test_every_error_answer_is_problem_json(spec):
    for name, op in operations(spec):
        for code, answer in op["responses"].items():
            if code[0] in "45" or code == "default":
                content = resolve(spec, answer)["content"]
                assert list(content) == [PROBLEM], f"{name} {code}"
                assert resolve(spec, content[PROBLEM]["schema"]) is spec["components"]["schemas"]["Problem"]


def test_signed_in_operations_document_401_404_and_503(spec):
    for name, op in operations(spec):
        path = name.split(" ", 1)[1]
        if "/public/" in path or path.endswith(("/registrations", "/email-confirmations", "/resend",
                                                "/auth/token", "/password-resets", "/complete", "/accept")):
            assert "503" in op["responses"], name
            continue
        assert {"401", "503"} <= set(op["responses"]), name
        if not name.startswith("GET") or "/review-queue" in name:  # CSRF, or a role the table leaves out
            assert "403" in op["responses"], name
        if "{" in path:
            assert "404" in op["responses"], name
    conflict = spec["paths"]["/api/v1/people/{person_id}/reactivate"]["post"]["responses"]["409"]
    assert "person_erased" in conflict["description"]


def test_the_document_is_valid_openapi_3(spec):
    """openapi-spec-validator is not a dependency: the structure the specification requires."""
    assert re.fullmatch(r"3\.0\.\d+", spec["openapi"])
    assert spec["info"]["title"] and spec["info"]["version"]
    ids = []
    for path, item in spec["paths"].items():
        assert path.startswith("/api/v1/"), path
        templated = set(re.findall(r"\{([^}]+)\}", path))
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            name = f"{method.upper()} {path}"
            if "operationId" in op:
                ids.append(op["operationId"])
            params = [resolve(spec, p) for p in item.get("parameters", []) + op.get("parameters", [])]
            for p in params:
                assert p["in"] in ("path", "query", "header", "cookie") and p["name"], name
                assert ("schema" in p) != ("content" in p), name
            declared = {p["name"] for p in params if p["in"] == "path"}
            assert declared == templated, f"{name}: path parameters {declared} != {templated}"
            assert all(p["required"] is True for p in params if p["in"] == "path"), name
            assert op["responses"], name
            for code, answer in op["responses"].items():
                assert code == "default" or re.fullmatch(r"[1-5](\d\d|XX)", code), f"{name} {code}"
                assert resolve(spec, answer)["description"], f"{name} {code}"
            if "requestBody" in op:
                assert resolve(spec, op["requestBody"])["content"], name
    assert len(ids) == len(set(ids)), "operationIds are unique"
    for name, schema in spec["components"]["schemas"].items():
        assert schema.get("type", "object") == "object", name
        for field, prop in (schema.get("properties") or {}).items():
            assert {"$ref", "anyOf", "allOf"} & set(prop) or prop.get("type") in (
                "string", "integer", "number", "boolean", "array", "object") or prop == {}, f"{name}.{field}"
            if prop.get("type") == "array":
                assert "items" in prop, f"{name}.{field}"
        assert set(schema.get("required", [])) <= set(schema.get("properties", {})), name

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(spec):
        assert ref.startswith("#/components/"), ref
        assert resolve(spec, {"$ref": ref}) is not None, ref


# -- documenting an answer never changes it -------------------------------------------------------

ACTOR = {"person_id": "p-assessor", "name": "Assessor", "role": "assessor"}
ITEM = {"id": "ev-own", "library_id": OWN, "library_name": "Aarhus Bibliotek", "status": "clarification_requested",
        "revision": 4, "kind": "activity", "title": "Byttemarked", "sdgs": [12], "partners": [{"name": "Genbrug",
        "kind": None}], "participants": 40, "before": 1.0, "attachments": [], "thread_count": 1,
        "updated_at": "2026-11-20T10:00:00+00:00", UNDECLARED: {"score": 0.5}}
PLAN = {"id": "pl-1", "library_id": OWN, "library_name": "Aarhus Bibliotek", "status": "submitted", "revision": 2,
        "version": 1, "approved_version": None, "start_year": 2026, "end_year": 2028,
        "goals": [{"dimension": "drift", "title": "Mindre affald", "description": "", "sdgs": [12], "targets": []}],
        "submitted_by": {"person_id": "p-coordinator", "name": "Coordinator", "email": "c@example.dk"},
        "decision": None, "deadline": None, "previous_versions": [], "thread_count": 0, UNDECLARED: True}

# (role, method, path below /api/v1, the service call it forwards to, answer schema, the service's body)
PASSED_THROUGH = [
    ("coordinator", "GET", f"/libraries/{OWN}", ("GET", f"/libraries/{OWN}"), s.LibraryOut,
     {"library_id": OWN, "name": "Aarhus Bibliotek", "isil": "DK-775100", "municipality": "Aarhus",
      "kind": "folkebibliotek", "staff_count": 120, "website": None, "status": "active", "branches": [],
      "enrolment": None, "registered_at": "2026-01-05T08:00:00+00:00", UNDECLARED: "x"}),
    ("coordinator", "GET", f"/libraries/{OWN}/people", ("GET", f"/libraries/{OWN}/people"), s.PeopleOut,
     {"items": [{"person_id": "pr-own", "library_id": OWN, "name": "Åse Ærø", "email": "aase@example.dk",
                 "role": "member", "status": "deactivated", "language": "da", UNDECLARED: 1}], UNDECLARED: []}),
    ("coordinator", "POST", "/people/pr-own/reactivate", ("POST", "/people/pr-own/reactivate"), s.PersonOut,
     {"person_id": "pr-own", "library_id": OWN, "name": "Åse", "email": "aase@example.dk", "role": "member",
      "status": "active", "language": "da", "version": 7, UNDECLARED: "2026-11-25"}),
    ("coordinator", "GET", "/evidence/ev-own/thread", ("GET", "/evidence/ev-own/thread"), s.ThreadOut,
     {"id": "ev-own", "revision": 4, "status": "clarification_requested", "deadline": "2026-12-01",
      "messages": [{"at": "2026-11-20T10:00:00+00:00", "by": ACTOR, "side": "assessor", "text": "Hvor mange?",
                    "deadline": "2026-12-01"}], UNDECLARED: {"nested": [1, 2.5]}}),
    ("coordinator", "GET", f"/libraries/{OWN}/action-plan", ("GET", f"/libraries/{OWN}/action-plan"), s.PlanOut,
     PLAN),
    ("assessor", "GET", "/review-queue", ("GET", "/review-queue"), s.ReviewQueueOut,
     {"items": [ITEM], "total": 1, "page": 1, "per_page": 20, "plans": [PLAN], UNDECLARED: "x"}),
    ("coordinator", "GET", f"/libraries/{OWN}/requirements", ("GET", f"/libraries/{OWN}/requirements"),
     s.RequirementsOut,
     {"library_id": OWN, "staff_count": 8, "model_version": 1, "requirements": [
         {"id": "C1", "dimension": "faellesskaber", "text_da": "Samskabte aktiviteter", "text_en": "Co-created",
          "measure": "count", "model_target": 3, "default_target": 2, "target": 2, "source": "scaled",
          "scale_by_size": True, "adjustments": []}], UNDECLARED: "x"}),
    ("anonymous", "GET", f"/public/libraries/{OWN}/activities", ("GET", f"/public/libraries/{OWN}/activities"),
     s.PublicActivitiesOut,
     {"library_id": OWN, "library_name": "Aarhus Bibliotek", "items": [
         {"id": "ev-own", "kind": "activity", "title": "Byttemarked", "sdgs": [12], "targets": [],
          "partners": [{"name": "Genbrug", "kind": None}], "dimension": "faellesskaber", UNDECLARED: 3}],
     UNDECLARED: None}),
]


@pytest.mark.parametrize("role,method,path,forwarded,schema,body", PASSED_THROUGH,
                         ids=[f"{m} {p}" for _, m, p, _, _, _ in PASSED_THROUGH])
def test_the_service_answer_reaches_the_client_unchanged(role, method, path, forwarded, schema, body):
    app, fake = make_app()
    answer = response(200, body)
    answer.headers["ETag"] = '"r4"'
    fake.answers[forwarded] = answer
    resp = app.test_client().open("/api/v1" + path, method=method, headers=bearer(role))
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    # Byte for byte: the fake's json.dumps spacing and \u escapes differ from Flask's jsonify, so
    # any re-serialisation through the schema would show even if no field were dropped.
    assert resp.get_data() == answer.content
    assert resp.get_json()[UNDECLARED] == body[UNDECLARED]
    assert resp.headers["ETag"] == '"r4"'
    # ...while the schema itself would drop that field: the pass-through is what keeps it.
    assert UNDECLARED not in schema().dump(body)


def test_a_service_problem_reaches_the_client_unchanged_with_its_status_and_type():
    app, fake = make_app()
    problem = {"type": "https://verdensmaal.dk/problems/person_erased", "title": "Konflikt", "title_en": "Conflict",
               "status": 409, "detail": "Personen er slettet.", "detail_en": "The person was erased.",
               "request_id": "r-1", "code": "person_erased"}
    fake.answers[("POST", "/people/pr-own/reactivate")] = response(409, problem, "application/problem+json")
    resp = app.test_client().post("/api/v1/people/pr-own/reactivate", headers=bearer("coordinator"))
    assert resp.status_code == 409 and resp.mimetype == PROBLEM
    assert resp.get_json() == problem


def test_the_docs_page_lists_the_answer_of_an_operation_that_had_none():
    app, _ = make_app()
    page = app.test_client().get("/api/v1/docs").get_data(as_text=True)
    assert 'id="schema-ThreadOut"' in page and 'id="schema-Problem"' in page
    thread = page.split('id="get--api-v1-evidence-evidence_id-thread"')[1].split("</section>")[0]
    assert '<code>200</code> application/json: <a href="#schema-ThreadOut">ThreadOut</a>' in thread
    assert '<code>404</code> application/problem+json: <a href="#schema-Problem">Problem</a>' in thread
