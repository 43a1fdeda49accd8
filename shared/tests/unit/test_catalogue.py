"""Every event type in the catalogue round-trips through the envelope and the wire format."""

import json
from datetime import UTC, datetime

import pytest
from marshmallow import fields, validate

from shared.events import CATALOGUE, EventError, decode, from_dict, new_event

pytestmark = pytest.mark.unit


def sample_for(field: fields.Field, depth: int = 0):
    """A valid sample value for a marshmallow field, honouring OneOf/Range/Length."""
    for v in field.validators:
        if isinstance(v, validate.OneOf):
            return list(v.choices)[0]
    if isinstance(field, fields.Nested):
        schema = field.schema
        value = {name: sample_for(f, depth + 1) for name, f in schema.fields.items() if not f.dump_only}
        return [value] if field.many else value
    if isinstance(field, fields.List):
        return [sample_for(field.inner, depth + 1)]
    if isinstance(field, fields.Dict):
        return {"k": sample_for(field.value_field, depth + 1) if field.value_field else 1}
    if isinstance(field, fields.Email):
        return "person@example.dk"
    if isinstance(field, fields.Url):
        return "https://example.dk/"
    if isinstance(field, fields.Date):  # before DateTime: Date subclasses it
        return "2026-01-02"
    if isinstance(field, (fields.AwareDateTime, fields.DateTime)):
        return "2026-01-02T03:04:05+00:00"
    if isinstance(field, fields.Bool):
        return True
    if isinstance(field, (fields.Float, fields.Decimal)):
        return _in_range(field, 0.5)
    if isinstance(field, fields.Int):
        return _in_range(field, 1)
    if isinstance(field, fields.Raw) and not isinstance(field, fields.Str):
        return "raw"
    return "DK-123456" if "isil" in (field.name or "") else "tekst"


def _in_range(field, default):
    for v in field.validators:
        if isinstance(v, validate.Range) and v.min is not None and default < v.min:
            return v.min
    return default


def sample_payload(schema_cls) -> dict:
    return {name: sample_for(f) for name, f in schema_cls().fields.items() if not f.dump_only}


def test_catalogue_declares_the_event_types_of_every_producer():
    producers = {name.split(".")[0] for name in CATALOGUE}
    assert {"library", "person", "evidence", "score", "certificate", "mail"} <= producers


def test_every_event_type_names_its_producer_and_its_consumers_among_the_services():
    services = {"registration", "evidence", "scoring", "notification"}
    real = {name: spec for name, spec in CATALOGUE.items() if not name.startswith("test.")}
    for name, spec in real.items():
        assert spec.producer in services, name
        assert set(spec.consumers) <= services and spec.producer not in spec.consumers, name
    assert real["evidence.submitted"].producer == "evidence"
    assert real["evidence.submitted"].consumers == ("notification", "scoring")
    assert real["score.changed"].consumers == ()  # a fact nobody consumes yet: archived


def test_tokens_are_the_sealed_fields_and_only_notification_may_open_them():
    sealed = {name: spec.sealed for name, spec in CATALOGUE.items() if spec.sealed}
    assert sealed == {
        "library.registered": (("confirmation_token", "notification"),),
        "person.email_confirmation_requested": (("confirmation_token", "notification"),),
        "person.invited": (("invitation_token", "notification"),),
        "person.password_reset_requested": (("reset_token", "notification"),),
    }


def test_a_sealed_field_is_encrypted_for_its_audience_and_opened_by_it_alone():
    from cryptography.fernet import Fernet

    from shared.events.sealing import Sealer, SealError, redacted

    sealer = Sealer(Fernet.generate_key())
    payload = {"invitation_token": "hemmelig-123", "email": "a@b.dk"}
    sealed = sealer.seal("person.invited", payload)
    assert sealed["email"] == "a@b.dk" and "hemmelig-123" not in sealed["invitation_token"]
    assert sealed["invitation_token"].startswith("sealed:")
    assert sealer.open("person.invited", sealed, "notification")["invitation_token"] == "hemmelig-123"
    assert sealer.open("person.invited", sealed, "scoring") == sealed  # not its field: left sealed
    with pytest.raises(SealError):
        Sealer(Fernet.generate_key()).open("person.invited", sealed, "notification")
    assert redacted("person.invited", sealed)["invitation_token"] == "[sealed]"
    assert redacted("person.invited", payload)["invitation_token"] == "[sealed]"  # also one from before sealing


@pytest.mark.parametrize("type_", sorted(CATALOGUE))
def test_every_event_type_round_trips_through_the_wire(type_):
    payload = sample_payload(CATALOGUE[type_].schema)
    evt = new_event(type_, payload, producer="test", correlation_id="c1")
    received = decode(evt.to_json())
    assert received.type == type_
    assert received.version == CATALOGUE[type_].version
    assert received.payload == evt.payload
    assert received.id == evt.id and received.correlation_id == "c1"


def test_unknown_payload_fields_are_tolerated_on_receipt():
    type_ = "mail.failed"
    payload = {"mail_id": "m1", "template": "welcome", "reason": "550", "person_id": None, "library_id": None}
    data = new_event(type_, payload, producer="test").to_dict()
    data["payload"]["added_in_a_later_version"] = 42
    data["also_new_in_envelope"] = True
    assert from_dict(data).payload["mail_id"] == "m1"


def test_a_payload_failing_its_schema_is_refused_on_publish_and_on_receipt():
    with pytest.raises(EventError):
        new_event("mail.failed", {"mail_id": "m1"}, producer="test")
    data = new_event("mail.failed", {"mail_id": "m", "template": "t", "reason": "r"}, producer="t").to_dict()
    del data["payload"]["reason"]
    with pytest.raises(EventError):
        from_dict(data)


def test_bad_json_and_unknown_types_are_refused():
    with pytest.raises(EventError):
        decode(b"{not json")
    with pytest.raises(EventError):
        decode(json.dumps({"id": "1", "type": "no.such", "version": 1, "occurred_at": "2026-01-01T00:00:00+00:00",
                           "producer": "x", "correlation_id": "c", "causation_id": None, "payload": {}}))


def test_occurred_at_is_utc():
    evt = new_event("mail.failed", {"mail_id": "m", "template": "t", "reason": "r"}, producer="t",
                    now=datetime(2026, 5, 1, 12, tzinfo=UTC))
    assert evt.to_dict()["occurred_at"] == "2026-05-01T12:00:00+00:00"
