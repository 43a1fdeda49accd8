"""The evidence service's OpenAPI document describes every response, and describes it truly: the
views answer through the documented schemas, a journey through every operation on the real app
loads each JSON body with its documented schema (no undeclared field, no missing one), and the
bodies are exactly the JSON the gateway has always received - rendered here by hand from the
documents as stored, independently of the schemas - plus the `actions` the caller may take."""

import io
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pytest
from marshmallow import ValidationError
from PIL import Image

from conftest import ACTIVITY, ANONYMOUS, CARL
from evidence.domain import CONTENT_FIELDS, in_export_order
from evidence.schemas import answers as out
from evidence.store import documents

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
    assert len(found) >= 29  # every route of api.py
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
    assessor.post(f"/evidence/{iid}/thread", json={"message": "Gerne med aldersfordeling.", "answer": False})
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
    mistake = anna.create({**ACTIVITY, "title": "Fejl"})
    anna.delete(f"/evidence/{mistake['id']}?revision=1")

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
        if status == 204:
            assert body is None, where
            continue
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


# -- the JSON the gateway has always received, rendered by hand from the stored documents ---------

ITEM_META = ("library_id", "library_name", "status", "revision", "created_at", "created_by", "updated_at",
             "submitted_at", "submitted_by", "decided_at", "decision", "deadline", "shared_case_id", "copied_from")
PUBLIC_FIELDS = tuple(name for name in CONTENT_FIELDS if name != "staff_share")
PERSON = ("person_id", "name", "role")
CONTACT = ("person_id", "name", "email")


def jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items() if k != "_id"}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def pick(doc: Mapping | None, keys: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict | None:
    if doc is None:
        return None
    return {**{k: doc.get(k) for k in keys}, **{k: doc[k] for k in optional if doc.get(k) is not None}}


def decision(doc: Mapping | None, *, with_revision: bool) -> dict | None:
    if doc is None:
        return None
    keys = ("decision", "comment", "deadline", "at", *(("revision",) if with_revision else ()))
    return {**pick(doc, keys), "reviewer": pick(doc["reviewer"], PERSON)}


def audit(entries: list) -> list:
    keys = ("at", "action", "revision", "from_status", "to_status", "changed")
    return [{**pick(e, keys, ("note",)), "by": pick(e["by"], PERSON)} for e in entries]


def messages(thread: list) -> list:
    return [{**pick(m, ("at", "side", "text"), ("deadline",)), "by": pick(m["by"], PERSON)} for m in thread]


def attachment_json(item_id: str, a: Mapping) -> dict:
    base = f"/evidence/{item_id}/attachments/{a['file_id']}"
    return jsonable({"id": a["file_id"], "filename": a["filename"], "mime": a["mime"], "size": a["size"],
                     "added_at": a.get("added_at"), "added_by": pick(a.get("added_by"), PERSON),
                     "download_url": base, "thumbnail_url": f"{base}/thumbnail" if a.get("thumbnail_id") else None})


def item_json(item: Mapping) -> dict:
    out_: dict[str, Any] = {"id": item["item_id"], **{k: item.get(k) for k in ITEM_META}}
    out_.update({k: item.get(k) for k in (*CONTENT_FIELDS, "public")})
    out_.update(created_by=pick(item["created_by"], PERSON), submitted_by=pick(item.get("submitted_by"), CONTACT),
                decision=decision(item.get("decision"), with_revision=True),
                partners=[pick(p, ("name", "kind")) for p in item.get("partners") or []])
    out_["attachments"] = [attachment_json(item["item_id"], a) for a in item.get("attachments") or []]
    out_["thread_count"] = len(item.get("thread") or [])
    return jsonable(out_)


def plan_json(plan: Mapping) -> dict:
    keys = ("library_id", "library_name", "status", "revision", "version", "approved_version", "start_year",
            "end_year", "created_at", "updated_at", "submitted_at", "deadline")
    snapshot = ("plan_id", "library_id", "library_name", "revision", "version", "status", "start_year", "end_year")
    goal = ("dimension", "title", "sdgs", "targets")
    return jsonable({
        "id": plan["plan_id"], **{k: plan.get(k) for k in keys},
        "goals": [pick(g, (*goal, "description")) for g in plan["goals"]],
        "submitted_by": pick(plan.get("submitted_by"), CONTACT),
        "decision": decision(plan.get("decision"), with_revision=False),
        "previous_versions": [{**pick(v, (*snapshot, "approved_at")), "goals": [pick(g, goal) for g in v["goals"]],
                               "submitted_by": pick(v.get("submitted_by"), CONTACT)} for v in plan["previous_versions"]],
        "thread_count": len(plan.get("thread") or []),
    })


def case_json(case: Mapping) -> dict:
    keys = ("case_id", "source_item_id", "source_revision", "library_id", "library_name", "shared_at")
    body = {**pick(case, (*keys, *CONTENT_FIELDS)), "partners": [pick(p, ("name", "kind")) for p in case["partners"]]}
    return jsonable({**body, "id": case["case_id"]})


def without_actions(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: without_actions(v) for k, v in body.items() if k != "actions"}
    if isinstance(body, list):
        return [without_actions(v) for v in body]
    return body


def test_the_bodies_are_the_json_the_gateway_always_received_plus_actions(anna, assessor, as_, db):
    ids = journey(anna, assessor, as_)
    stored_item = db.items.find_one({"_id": ids["item"]})
    item = anna.get(f"/evidence/{ids['item']}").get_json()
    assert without_actions(item) == item_json(stored_item)
    assert item["actions"] == ["edit", "attach"]  # approved and already shared
    assert item["decision"]["reviewer"]["name"] == "Dorte Ravn" and item["attachments"][0]["thumbnail_url"]
    listing = anna.get("/libraries/lib-aarhus/evidence").get_json()
    stored = {d["_id"]: d for d in db.items.find({"library_id": "lib-aarhus"})}
    assert without_actions(listing["items"]) == [item_json(stored[i["id"]]) for i in listing["items"]]
    assert (listing["total"], listing["page"], listing["per_page"]) == (2, 1, 20)
    assert anna.get(f"/evidence/{ids['item']}/audit").get_json() == {
        "id": ids["item"], "revision": stored_item["revision"], "status": stored_item["status"],
        "entries": jsonable(audit(stored_item["audit"]))}
    assert anna.get(f"/evidence/{ids['item']}/thread").get_json() == {
        "id": ids["item"], "revision": stored_item["revision"], "status": stored_item["status"],
        "deadline": stored_item["deadline"], "messages": jsonable(messages(stored_item["thread"]))}

    stored_plan = db.plans.find_one({"_id": ids["plan"]})
    plan = anna.get("/libraries/lib-aarhus/action-plan").get_json()
    assert without_actions(plan) == plan_json(stored_plan) and plan["previous_versions"][0]["approved_at"]
    assert plan["actions"] == ["edit", "submit"]

    case = as_(CARL).get(f"/shared-cases/{ids['case']}").get_json()
    assert without_actions(case) == case_json(db.cases.find_one({"_id": ids["case"]})) and case["actions"] == ["copy"]

    export = anna.get("/libraries/lib-aarhus/export").get_json()
    assert export.pop("exported_at")
    exported = ("item_id", "library_id", "library_name", "status", "revision", *CONTENT_FIELDS, "public",
                "created_at", "submitted_at", "decided_at", "updated_at", "deadline", "copied_from", "shared_case_id")
    items = in_export_order(documents.item_from(d) for d in db.items.find({"library_id": "lib-aarhus"}))
    by_id = {d["_id"]: d for d in db.items.find({"library_id": "lib-aarhus"})}
    assert export == {
        "format_version": 1, "library_id": "lib-aarhus", "library_name": None,
        "items": [jsonable({**pick(by_id[i.item_id], exported),
                            "partners": [pick(p, ("name", "kind")) for p in by_id[i.item_id]["partners"]],
                            "attachments": [pick(a, ("filename", "mime", "size"))
                                            for a in by_id[i.item_id]["attachments"]]}) for i in items],
        "action_plan": {**pick(stored_plan, ("plan_id", "library_id", "library_name", "revision", "version", "status",
                                              "start_year", "end_year", "approved_version")),
                        "goals": [pick(g, ("dimension", "title", "sdgs", "targets")) for g in stored_plan["goals"]],
                        "submitted_by": pick(stored_plan.get("submitted_by"), CONTACT)},
    }

    public = as_(ANONYMOUS).get("/public/libraries/lib-aarhus/activities").get_json()
    assert public == {"library_id": "lib-aarhus", "library_name": None, "items": [jsonable({
        "id": stored_item["item_id"], **pick(stored_item, PUBLIC_FIELDS),
        "partners": [pick(p, ("name", "kind")) for p in stored_item["partners"]]})]}
