"""Invalid input explained to a person, and raw input no schema should see refused with the
field named."""

import pytest
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates

from shared.config import ServiceSettings
from shared.http import create_service_app
from shared.validation import InputRefused, bilingual, danish, field_errors, parse_json

pytestmark = pytest.mark.unit


class Coordinator(Schema):
    name = fields.Str(required=True, metadata={"label_da": "Dit navn", "label_en": "Your name"})
    email = fields.Email(required=True, metadata={"label_da": "E-mail", "label_en": "Email"})


class Registration(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=2),
                      metadata={"label_da": "Bibliotekets navn", "label_en": "The library's name"})
    isil = fields.Str(required=True, metadata={"label_da": "ISIL-kode", "label_en": "ISIL code"})
    staff_count = fields.Int(validate=validate.Range(1, 10_000),
                             metadata={"label_da": "Antal ansatte", "label_en": "Number of staff"})
    coordinator = fields.Nested(Coordinator, required=True)

    @validates("isil")
    def isil_form(self, value, **_):
        if not value.startswith("DK-7"):
            raise ValidationError(bilingual("ISIL-koden skal have formen DK-7xxxxx.", "The ISIL code must look like DK-7xxxxx."))


def test_every_bad_field_is_named_with_its_label_and_a_danish_reason():
    schema = Registration()
    try:
        schema.load({"name": "", "isil": "SE-1", "staff_count": 0, "coordinator": {"email": "nope"}})
    except ValidationError as exc:
        problems = field_errors({"json": exc.messages}, schema)
    by_field = {p.field: p for p in problems}
    assert set(by_field) == {"name", "isil", "staff_count", "coordinator.name", "coordinator.email"}
    assert by_field["isil"].message_da == "ISIL-koden skal have formen DK-7xxxxx."
    assert by_field["name"].label_da == "Bibliotekets navn" and by_field["name"].message_da == "Skal være mindst 2 tegn."
    assert by_field["coordinator.name"].label_da == "Dit navn" and by_field["coordinator.name"].message_da == "Skal udfyldes."
    assert by_field["staff_count"].message_da == "Skal være mellem 1 og 10000."


def test_an_unknown_english_message_still_gets_danish_words():
    assert danish("Something only a library says.") == "Ugyldig værdi."


@pytest.mark.parametrize("body,field", [
    (b'{"a": 1e999}', "a"), (b'{"a": NaN}', "a"), (b'{"page": 9223372036854775808}', "page"),
    (b'{"title": "a\\u0000b"}', "title"), (b'{"t": ["ok", "\\ud800"]}', "t.1"), (b"[" * 1000 + b"]" * 1000, "_"),
    (b'{"x": ' + b'{"x": ' * 40 + b"1" + b"}" * 41, None),
])
def test_raw_json_that_no_field_may_hold_is_refused_naming_the_field(body, field):
    with pytest.raises(InputRefused) as refused:
        parse_json(body)
    if field is not None:
        assert refused.value.error.field == field


def test_an_app_answers_a_bad_body_and_a_bad_query_with_a_4xx_naming_the_field():
    settings = ServiceSettings.from_env({"CHORA_SECRET_KEY": "test"}, service="test")
    app, api = create_service_app(settings, title="Test")
    bp = Blueprint("t", __name__)

    @bp.route("/registrations", methods=["POST"])
    @bp.arguments(Registration)
    def register(body):
        return {"ok": True}

    @bp.route("/search")
    def search():
        return {"ok": True}

    api.register_blueprint(bp)
    client = app.test_client()
    answer = client.post("/registrations", json={"name": "", "isil": "x", "coordinator": {}})
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    errors = answer.json["errors"]
    assert set(errors) == {"coordinator.email", "coordinator.name", "isil", "name"}
    assert errors["isil"]["label"] == "ISIL-kode" and errors["isil"]["message"].startswith("ISIL-koden")
    assert "4 felter skal rettes" in answer.json["detail"]
    for bad in ("/search?q=a%00b", "/search?page=99999999999999999999"):
        refused = client.get(bad)
        assert refused.status_code == 400 and refused.json["field"] in ("q", "page"), bad
    deep = client.post("/registrations", data=b"[" * 5000 + b"]" * 5000, content_type="application/json")
    assert deep.status_code == 400 and deep.json["code"] == "invalid_input"
