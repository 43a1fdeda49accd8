"""Events produced by the notification service."""

from marshmallow import fields

from shared.events.base import Payload, event


@event("mail.failed", version=1, producer="notification", consumers=())
class MailFailed(Payload):
    """A mail could not be delivered and will not be retried."""

    mail_id = fields.Str(required=True)
    person_id = fields.Str(allow_none=True)
    library_id = fields.Str(allow_none=True)
    template = fields.Str(required=True)
    reason = fields.Str(required=True)
