"""Request and response schemas of the notification API: its OpenAPI document (`GET /openapi.json`).

Every field a person fills in or picks carries a Danish and an English label; answers about what
a caller can act on carry its `actions`.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from notification.domain.actions import EDIT, RESEND
from shared.vocabulary import MAIL_STATUSES

ID = validate.Length(min=1, max=64)


def _labels(da: str, en: str) -> dict[str, str]:
    return {"label_da": da, "label_en": en}


class DeliveryQuery(Schema):
    library_id = fields.Str(load_default=None, validate=ID, metadata=_labels("Bibliotek", "Library"))
    person_id = fields.Str(load_default=None, validate=ID, metadata=_labels("Modtager", "Recipient"))
    status = fields.Str(load_default=None, validate=validate.OneOf(MAIL_STATUSES),
                        metadata=_labels("Status", "Status"))
    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=10_000), metadata=_labels("Side", "Page"))
    per_page = fields.Int(load_default=50, validate=validate.Range(min=1, max=200),
                          metadata=_labels("Pr. side", "Per page"))


class Delivery(Schema):
    """One logged mail; never its context (the one-time links in it stay in the service)."""

    id = fields.Str(attribute="_id", required=True)
    event_type = fields.Str(required=True)
    event_id = fields.Str(required=True)
    template = fields.Str(required=True)
    essential = fields.Bool(required=True)
    person_id = fields.Str(required=True)
    library_id = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True, metadata={"description": "null once the recipient is erased"})
    name = fields.Str(allow_none=True)
    language = fields.Str(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(MAIL_STATUSES))
    attempts = fields.Int(required=True)
    resends = fields.Int(required=True)
    last_error = fields.Str(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    actions = fields.List(fields.Str(validate=validate.OneOf([RESEND])), required=True, metadata={
        "description": "what the caller may do with the mail: resend (administrators; not while it is being "
                       "sent, for an erased recipient, or once its one-time link was sent)"})


class DeliveryPage(Schema):
    items = fields.List(fields.Nested(Delivery), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    per_page = fields.Int(required=True)


class PreferencesIn(Schema):
    non_essential = fields.Bool(required=True, metadata=_labels(
        "Send mig også nyheder, påmindelser og opsummeringer", "Also send me news, reminders and digests"))


class Preferences(Schema):
    non_essential = fields.Bool(required=True, metadata={
        "description": "receives non-essential mail (news, reminders, digests); essential mail always goes"})
    actions = fields.List(fields.Str(validate=validate.OneOf([EDIT])), required=True, metadata={
        "description": "what the caller may do: edit (a person their own preferences)"})


class UnsubscribeBody(Schema):
    token = fields.Str(required=True, validate=validate.Length(min=1, max=500),
                       metadata=_labels("Afmeldingslink", "Unsubscribe link"))


class SchedulerResult(Schema):
    digest_mails = fields.Int(required=True)
    reminder_mails = fields.Int(required=True)
