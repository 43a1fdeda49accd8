"""Idempotency-Key on a real SecantusDB: a repeat of a committed request gets the first answer and
does nothing again; a different request under the same key is refused; a request that failed
before committing leaves the key free."""

import itertools

import pytest
from chora_testing.identity import as_caller
from flask import request
from flask_smorest import Blueprint

from shared import idempotency
from shared.http import Problem, create_service_app, current_identity
from shared.identity import Identity
from shared.runtime import Runtime

pytestmark = pytest.mark.integration

KAREN = Identity("p-karen", "coordinator", "lib-1")
ANNA = Identity("p-anna", "coordinator", "lib-1")


@pytest.fixture
def app(settings_for):
    settings = settings_for("source")
    runtime = Runtime(settings)
    store = runtime.open_store()
    store.ensure_indexes()
    app, api = create_service_app(settings, title="Test", idempotency_db=store.db)
    bp = Blueprint("things", __name__)
    numbers = itertools.count(1)

    @bp.route("/things", methods=["POST"])
    def create():
        who = current_identity(settings)
        data = request.get_json()
        if not data.get("name"):
            raise Problem(422, "Skriv et navn.", detail_en="Enter a name.", field="name", code="required")
        thing_id = f"thing-{next(numbers)}"
        store.transact(lambda tx: tx.db.things.insert_one({"_id": thing_id, "name": data["name"], "by": who.person_id},
                                                          session=tx.session))
        return {"id": thing_id, "name": data["name"]}, 201, {"Location": f"/things/{thing_id}"}

    api.register_blueprint(bp)
    app.extensions["test_db"] = store.db
    yield app
    runtime.stop()


def post(client, who, body, key):
    return client.post("/things", json=body, headers={**as_caller(who), idempotency.HEADER: key})


def test_a_repeat_gets_the_first_answer_and_does_the_work_once(app):
    client, db = app.test_client(), app.extensions["test_db"]
    first = post(client, KAREN, {"name": "Repair café"}, "form-submission-0001")
    again = post(client, KAREN, {"name": "Repair café"}, "form-submission-0001")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Location"] == first.headers["Location"]
    assert again.headers[idempotency.REPLAYED] == "true"
    assert db.things.count_documents({}) == 1
    # Another person's request under the same key is their own request.
    assert post(client, ANNA, {"name": "Repair café"}, "form-submission-0001").get_json()["id"] != first.get_json()["id"]
    assert db.things.count_documents({}) == 2


def test_a_different_request_under_a_used_key_is_refused_and_changes_nothing(app):
    client, db = app.test_client(), app.extensions["test_db"]
    post(client, KAREN, {"name": "Byttemarked"}, "form-submission-0002")
    refused = post(client, KAREN, {"name": "Klimagruppe"}, "form-submission-0002")
    assert refused.status_code == 422 and refused.get_json()["code"] == "idempotency_key_reused"
    assert [t["name"] for t in db.things.find()] == ["Byttemarked"]


def test_a_request_refused_before_committing_leaves_its_key_free(app):
    client, db = app.test_client(), app.extensions["test_db"]
    assert post(client, KAREN, {"name": ""}, "form-submission-0003").status_code == 422
    assert post(client, KAREN, {"name": ""}, "form-submission-0003").status_code == 422
    assert db[idempotency.COLLECTION].count_documents({}) == 0


def test_a_malformed_key_is_refused_naming_the_header(app):
    answer = post(app.test_client(), KAREN, {"name": "x"}, "short")
    assert answer.status_code == 400 and answer.get_json()["field"] == idempotency.HEADER
