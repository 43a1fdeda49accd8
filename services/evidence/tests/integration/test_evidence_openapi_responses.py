"""The evidence service's OpenAPI document describes every response, and describes it truly: a
journey through every operation on the real app loads each JSON body with the documented schema
(no undeclared field, no missing one), and the bodies are still exactly what views.py renders
(documenting them must not filter them)."""

import io
import re

import pytest
from marshmallow import ValidationError
from PIL import Image

from conftest import ACTIVITY, ANONYMOUS, CARL
from evidence import responses as out
from evidence import views as v
from evidence.domain import export_items, plan_snapshot

pytestmark = pytest.mark.integration

METHODS = ("get", "put", "post", "patch", "delete")
GOALS = [
    {"dimension": "formidling", "title": "Fire SDG-udstillinger om året", "sdgs": [4], "targets": ["4.7"]},
    {"dimension": "faellesskaber", "title": "Reparationscafé hver måned", "sdgs": [12]},
    {"dimension": "drift", "title": "Halvér energiforbruget", "sdgs": [7, 13]},
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def jpeg() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(data, format="JPEG")
    return data.getvalue()


@pytest.fixture
def spec(app):
    return app.test_client().get("/openapi.json").get_json()


def operations(spec):
    for path, ops in spec["paths"].items():
        for method in METHODS:
            if method in ops:
                yield path, method, ops[method]


def schema_names(schema: dict) -> list[str]:
    """The component names a documented JSON schema refers to (one, or the choices of a oneOf)."""
    refs = [schema] if "$ref" in schema else schema.get("oneOf", [])
    return [ref["$ref"].rsplit("/", 1)[-1] for ref in refs if "$ref" in ref]


def test_every_operation_documents_a_success_response_with_a_schema_or_a_media_type(spec):
    components = spec["components"]["schemas"]
    found = list(operations(spec))
    assert len(found) >= 28  # every route of api.py
    for path, method, op in found:
        where = f"{method.upper()} {path}"
        successes = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert successes, f"{where}: no documented success response"
        for code, response in successes.items():
            if code == "204":
                assert "content" not in response, where
                continue
            assert response.get("description"), where
            content = response.get("content")
            assert content, f"{where} {code}: no content documented"
            for media_type, body in content.items():
                schema = body.get("schema")
                assert schema, f"{where} {code} {media_type}: no schema"
                if media_type == "application/json":
                    names = schema_names(schema)
                    assert names, f"{where} {code}: the JSON body is not a documented schema"
                    for name in names:
                        assert components[name]["properties"], f"{where}: {name} has no properties"
                        assert components[name].get("required"), f"{where}: {name} declares nothing required"
                else:  # a file or CSV: its media type, bytes or text
                    assert "/" in media_type and "*" not in media_type, where
                    assert schema["type"] == "string", where


def test_downloads_document_every_type_an_attachment_can_have(spec):
    download = spec["paths"]["/evidence/{item_id}/attachments/{file_id}"]["get"]["responses"]["200"]
    assert set(download["content"]) == set(out.ATTACHMENT_TYPES) == {
        "image/jpeg", "image/png", "image/webp", "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    assert {c["schema"]["format"] for c in download["content"].values()} == {"binary"}
    assert "Content-Disposition" in download["headers"]
    thumbnail = spec["paths"]["/evidence/{item_id}/attachments/{file_id}/thumbnail"]["get"]["responses"]["200"]
    assert set(thumbnail["content"]) == {"image/jpeg"}
    export = spec["paths"]["/libraries/{library_id}/export"]["get"]["responses"]["200"]["content"]
    assert set(export) == {"application/json", "text/csv"}
    assert schema_names(export["application/json"]["schema"]) == ["Export"]


def test_every_reference_in_the_document_resolves(spec):
    components = spec["components"]
    text = str(spec)
    for ref in set(re.findall(r"'#/components/(\w+)/(\w+)'", text)):
        assert ref[1] in components[ref[0]], ref


def journey(anna, assessor, as_):
    """Call every operation of the API once with success; return ids for the checks."""
    item = anna.create()
    iid = item["id"]
    anna.get("/libraries/lib-aarhus/evidence")
    anna.get("/libraries/lib-aarhus/evidence?summary=1")
    anna.get(f"/evidence/{iid}")
    anna.patch(f"/evidence/{iid}", json={"revision": 1, "participants": 41})
    image = anna.upload(iid, jpeg(), "foto.jpg", "image/jpeg", revision=2).get_json()["attachment"]
    anna.get(image["download_url"])
    anna.get(image["thumbnail_url"])
    pdf = anna.upload(iid, PDF, "program.pdf", revision=3).get_json()["attachment"]
    anna.delete(pdf["download_url"] + "?revision=4")
    anna.post(f"/evidence/{iid}/submit", json={"revision": 5})
    assessor.get("/review-queue")
    assessor.post(f"/evidence/{iid}/review", json={"decision": "clarification_requested", "comment": "Hvor mange?",
                                                   "deadline": "2025-04-15"})
    assessor.post(f"/evidence/{iid}/thread", json={"message": "Gerne med aldersfordeling."})
    anna.get(f"/evidence/{iid}/thread")
    anna.post(f"/evidence/{iid}/thread", json={"message": "41 i alt", "answer": True, "changes": {"participants": 42}})
    assessor.post(f"/evidence/{iid}/review", json={"decision": "approved", "comment": "Fint"})
    anna.get(f"/evidence/{iid}/audit")
    case = anna.post(f"/evidence/{iid}/share", json={}).get_json()
    carl = as_(CARL)
    carl.get("/shared-cases?q=reparation")
    carl.get(f"/shared-cases/{case['id']}")
    carl.post(f"/shared-cases/{case['id']}/copy", json={"library_id": "lib-odense"})
    carl.post(f"/shared-cases/{case['id']}/copy", json={"library_id": "lib-odense", "into": "plan"})

    other = anna.create({**ACTIVITY, "title": "Byttemarked"})
    anna.post(f"/evidence/{other['id']}/withdraw", json={"revision": 1, "reason": "Dublet"})

    anna.put("/libraries/lib-aarhus/action-plan", json={"start_year": 2025, "goals": GOALS})
    anna.post("/libraries/lib-aarhus/action-plan/submit", json={})
    assessor.post("/libraries/lib-aarhus/action-plan/review",
                  json={"decision": "clarification_requested", "comment": "Hvordan måles energien?",
                        "deadline": "2025-04-15"})
    anna.get("/libraries/lib-aarhus/action-plan/thread")
    anna.post("/libraries/lib-aarhus/action-plan/thread", json={"message": "Månedlige målinger", "answer": True})
    assessor.post("/libraries/lib-aarhus/action-plan/review", json={"decision": "approved"})
    plan = anna.put("/libraries/lib-aarhus/action-plan", json={"start_year": 2026}).get_json()  # version 2
    anna.get("/libraries/lib-aarhus/action-plan")
    anna.get("/libraries/lib-aarhus/action-plan/audit")
    anna.get("/libraries/lib-aarhus/export?format=json")
    anna.get("/libraries/lib-aarhus/export?format=csv")
    as_(ANONYMOUS).get("/public/libraries/lib-aarhus/activities")
    return {"item": iid, "withdrawn": other["id"], "case": case["id"], "plan": plan["id"]}


@pytest.fixture
def answered(app):
    """Record each answer the app gives: (spec path, method, status, media type, JSON body or None)."""
    seen: list[tuple] = []

    @app.after_request
    def record(response):
        from flask import request

        if request.url_rule is not None:
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", request.url_rule.rule)
            body = response.get_json(silent=True) if response.mimetype.endswith("json") else None
            seen.append((path, request.method.lower(), response.status_code, response.mimetype, body))
        return response

    return seen


def test_every_body_of_a_journey_through_every_operation_matches_its_documented_schema(
        app, answered, anna, assessor, as_, spec):
    journey(anna, assessor, as_)
    documented = {(path, method) for path, method, _ in operations(spec)}
    called = {(path, method) for path, method, status, _, _ in answered if 200 <= status < 300}
    assert documented - called == set()  # the journey reached every operation, each with success
    for path, method, status, mimetype, body in answered:
        if (path, method) not in documented:
            continue
        where = f"{method.upper()} {path} {status}"
        assert status < 300, (where, body)
        content = spec["paths"][path][method]["responses"][str(status)]["content"]
        assert mimetype in content, where
        if mimetype != "application/json":
            continue
        errors = {}
        for name in schema_names(content[mimetype]["schema"]):
            try:
                getattr(out, name + "Schema")().load(body)
                break
            except ValidationError as exc:
                errors[name] = exc.messages
        else:
            pytest.fail(f"{where}: the body does not match its documented schema: {errors}")


def test_a_field_missing_from_the_schema_would_be_caught():
    body = {"id": "c1", "revision": 1, "status": "draft", "entries": [], "surprise": True}
    with pytest.raises(ValidationError) as caught:
        out.AuditSchema().load(body)
    assert "surprise" in caught.value.messages
    with pytest.raises(ValidationError):
        out.AuditSchema().load({"id": "c1", "revision": 1, "status": "draft"})  # entries missing


def test_the_bodies_are_exactly_what_the_views_render_from_the_stored_documents(anna, assessor, as_, db):
    ids = journey(anna, assessor, as_)
    stored_item = db.items.find_one({"_id": ids["item"]})
    item = anna.get(f"/evidence/{ids['item']}").get_json()
    assert item == v.item_json(stored_item)
    assert item["decision"]["reviewer"]["name"] == "Dorte Ravn" and item["attachments"][0]["thumbnail_url"]
    listing = anna.get("/libraries/lib-aarhus/evidence").get_json()
    stored = {d["_id"]: d for d in db.items.find({"library_id": "lib-aarhus"})}
    assert listing["items"] == [v.item_json(stored[i["id"]]) for i in listing["items"]]
    assert (listing["total"], listing["page"], listing["per_page"]) == (2, 1, 20)
    assert anna.get(f"/evidence/{ids['item']}/audit").get_json() == v.audit_json(stored_item, "item_id")
    assert anna.get(f"/evidence/{ids['item']}/thread").get_json() == v.thread_json(stored_item, "item_id")

    stored_plan = db.plans.find_one({"_id": ids["plan"]})
    plan = anna.get("/libraries/lib-aarhus/action-plan").get_json()
    assert plan == v.plan_json(stored_plan) and plan["previous_versions"][0]["approved_at"]
    assert anna.get("/libraries/lib-aarhus/action-plan/thread").get_json() == v.thread_json(stored_plan, "plan_id")

    case = as_(CARL).get(f"/shared-cases/{ids['case']}").get_json()
    assert case == v.case_json(db.cases.find_one({"_id": ids["case"]}))

    export = anna.get("/libraries/lib-aarhus/export").get_json()
    assert export.pop("exported_at")
    assert export == {
        "format_version": 1, "library_id": "lib-aarhus", "library_name": None,
        "items": export_items(db.items.find({"library_id": "lib-aarhus"})),
        "action_plan": v.jsonable(plan_snapshot(stored_plan) | {"approved_version": 1}),
    }
    assert set(export["action_plan"]) == set(out.ExportPlanSchema().fields)

    public = as_(ANONYMOUS).get("/public/libraries/lib-aarhus/activities").get_json()
    assert public == {"library_id": "lib-aarhus", "library_name": None,
                      "items": [v.public_item_json(stored_item)]}
