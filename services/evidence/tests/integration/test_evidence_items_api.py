"""Evidence items over HTTP: drafts that save as you go, validation, tenancy, export, public view."""

import csv
import io

import pytest

from conftest import ACTIVITY, ANONYMOUS, BO, CARL, DORTE

pytestmark = pytest.mark.integration


def test_a_draft_is_created_read_and_listed_by_its_library(anna):
    item = anna.create()
    assert item["status"] == "draft" and item["revision"] == 1 and item["library_id"] == "lib-aarhus"
    assert item["sdgs"] == [12, 13] and item["partners"][0]["name"] == "Repair Café Aarhus"
    assert anna.get(f"/evidence/{item['id']}").get_json() == item
    listing = anna.get("/libraries/lib-aarhus/evidence?q=reparation").get_json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == item["id"]
    assert listing["page"] == 1 and listing["per_page"] == 20
    assert anna.get("/libraries/lib-aarhus/evidence?status=approved").get_json()["total"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sdgs": [4, 18]}, "sdgs"),
        ({"targets": ["4.99"]}, "targets"),
        ({"date": "2025-03-05", "end_date": "2025-03-01"}, "end_date"),
    ],
)
def test_an_invalid_value_is_422_naming_the_field_and_the_valid_ones_are_kept(anna, change, field):
    item = anna.create({"kind": "activity", "title": "Kladde"})
    body = {"revision": item["revision"], "title": "Ny titel", "participants": 12, **change}
    r = anna.patch(f"/evidence/{item['id']}", json=body)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    problem = r.get_json()
    assert problem["field"] == field and field in problem["errors"]
    assert problem["detail"] and problem["detail_en"]
    # Nothing typed is lost: the valid fields were saved with a new revision.
    saved = anna.get(f"/evidence/{item['id']}").get_json()
    assert saved["title"] == "Ny titel" and saved["participants"] == 12
    assert saved["revision"] == item["revision"] + 1 == problem["item"]["revision"]
    assert saved.get(field) in (None, [])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "activity", "sdgs": [18]}, "sdgs"),
        ({"kind": "activity", "targets": ["4.99"]}, "targets"),
        ({"kind": "activity", "date": "2025-03-05", "end_date": "2025-03-01"}, "end_date"),
    ],
)
def test_a_new_draft_with_an_invalid_value_is_422_and_nothing_is_stored(anna, db, data, field):
    r = anna.post("/libraries/lib-aarhus/evidence", json=data)
    assert r.status_code == 422 and r.get_json()["field"] == field
    assert db.items.count_documents({}) == 0


def test_another_librarys_item_is_404_for_every_read_and_write(anna, as_):
    item = anna.create()
    carl = as_(CARL)
    iid = item["id"]
    assert carl.get(f"/evidence/{iid}").status_code == 404
    assert carl.get(f"/evidence/{iid}/audit").status_code == 404
    assert carl.get(f"/evidence/{iid}/thread").status_code == 404
    assert carl.patch(f"/evidence/{iid}", json={"revision": 1, "title": "x"}).status_code == 404
    assert carl.post(f"/evidence/{iid}/submit", json={"revision": 1}).status_code == 404
    assert carl.get("/libraries/lib-aarhus/evidence").status_code == 404
    assert carl.post("/libraries/lib-aarhus/evidence", json=ACTIVITY).status_code == 404
    assert carl.get("/libraries/lib-aarhus/export").status_code == 404
    assert carl.get("/libraries/lib-aarhus/action-plan").status_code == 404
    assert anna.get(f"/evidence/{iid}").get_json()["title"] == ACTIVITY["title"]  # untouched


def test_a_colleague_edits_and_an_assessor_reads_but_may_not_edit(anna, as_):
    item = anna.create()
    bo = as_(BO)
    r = bo.patch(f"/evidence/{item['id']}", json={"revision": 1, "participants": 41})
    assert r.status_code == 200 and r.get_json()["participants"] == 41
    dorte = as_(DORTE)
    assert dorte.get(f"/evidence/{item['id']}").status_code == 200
    assert dorte.patch(f"/evidence/{item['id']}", json={"revision": 2, "title": "x"}).status_code == 403


def test_requests_without_a_genuine_identity_are_refused(app, anna):
    item = anna.create()
    client = app.test_client()
    assert client.get(f"/evidence/{item['id']}").status_code == 401
    assert client.get(f"/evidence/{item['id']}", headers={"X-Chora-Identity": "forged"}).status_code == 401


def test_export_gives_json_and_csv_without_personal_data(anna, as_):
    first = anna.create()
    anna.create({"kind": "operations_measure", "title": "=LED", "dimension": "drift", "before": 100,
                 "after": 60, "unit": "kWh"})
    data = anna.get("/libraries/lib-aarhus/export?format=json").get_json()
    assert data["library_id"] == "lib-aarhus" and data["format_version"] == 1 and data["action_plan"] is None
    assert {i["item_id"] for i in data["items"]} >= {first["id"]}
    assert "Anna" not in str(data)
    r = anna.get("/libraries/lib-aarhus/export?format=csv")
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2 and {r_["title"] for r_ in rows} == {"Reparationscafé", "'=LED"}
    assert as_(DORTE).get("/libraries/lib-aarhus/export").status_code == 200


def test_the_public_sees_only_approved_public_items_and_no_names(anna, assessor, as_):
    public = anna.create()
    hidden = anna.create({**ACTIVITY, "public": False, "title": "Intern"})
    anna.create({**ACTIVITY, "title": "Kladde"})
    for item in (public, hidden):
        anna.post(f"/evidence/{item['id']}/submit", json={"revision": 1})
        assessor.post(f"/evidence/{item['id']}/review", json={"decision": "approved"})
    r = as_(ANONYMOUS).get("/public/libraries/lib-aarhus/activities")
    assert r.status_code == 200
    body = r.get_json()
    assert [i["title"] for i in body["items"]] == ["Reparationscafé"]
    text = str(body)
    assert "Anna" not in text and "Dorte" not in text and "p-anna" not in text
    assert as_(ANONYMOUS).get(f"/evidence/{public['id']}").status_code == 401


def test_the_openapi_document_lists_the_contract_paths(app):
    spec = app.test_client().get("/openapi.json").get_json()
    paths = spec["paths"]
    for path in ("/libraries/{library_id}/evidence", "/evidence/{item_id}", "/evidence/{item_id}/attachments",
                 "/libraries/{library_id}/action-plan", "/shared-cases", "/review-queue",
                 "/public/libraries/{library_id}/activities", "/libraries/{library_id}/export"):
        assert path in paths, path
    assert "requestBody" in paths["/evidence/{item_id}"]["patch"]


def test_every_page_of_a_library_list_reports_the_same_total(anna, as_):
    ids = [anna.create()["id"] for _ in range(3)]
    as_(CARL).create()  # another library's item is never counted
    pages = [anna.get(f"/libraries/lib-aarhus/evidence?per_page=2&page={n}").get_json() for n in (1, 2, 3)]
    assert [p["total"] for p in pages] == [3, 3, 3]
    assert [len(p["items"]) for p in pages] == [2, 1, 0]
    assert sorted(i["id"] for p in pages for i in p["items"]) == sorted(ids)
    assert anna.get("/libraries/lib-aarhus/evidence?per_page=3").get_json()["total"] == 3
    assert anna.get("/libraries/lib-aarhus/evidence?per_page=5").get_json()["total"] == 3


def test_a_summary_list_gives_the_newest_items_with_a_few_fields_and_counts_only_on_its_last_page(anna, as_):
    ids = [anna.create()["id"] for _ in range(3)]
    as_(CARL).create()  # another library's item is never listed
    full = anna.get("/libraries/lib-aarhus/evidence?per_page=5").get_json()["items"]
    first = anna.get("/libraries/lib-aarhus/evidence?per_page=2&summary=1").get_json()
    assert [i["id"] for i in first["items"]] == [i["id"] for i in full][:2]  # the full list's order
    assert set(first["items"][0]) == {"id", "title", "status", "kind", "revision", "updated_at", "actions"}
    assert first["items"][0]["actions"] == ["edit", "submit", "withdraw", "delete", "attach"]
    assert first["items"][0]["status"] == "draft" and first["total"] is None
    last = anna.get("/libraries/lib-aarhus/evidence?per_page=5&summary=1").get_json()
    assert last["total"] == 3 and sorted(i["id"] for i in last["items"]) == sorted(ids)
    assert last["items"][0]["title"] == full[0]["title"] and last["items"][0]["revision"] == full[0]["revision"]
    assert as_(CARL).get("/libraries/lib-aarhus/evidence?summary=1").status_code == 404  # tenancy as before
