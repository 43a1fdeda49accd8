"""Domain errors of the notification service; each names the field and says why in Danish and English."""


class NotificationError(Exception):
    """Base class of the notification domain's errors."""

    code = "notification_error"
    field: str | None = None
    message_da = "Der opstod en fejl."
    message_en = "An error occurred."


class UnknownTemplate(NotificationError):
    """A template name or language that the service does not have."""

    code = "unknown_template"
    message_da = "Skabelonen findes ikke."
    message_en = "The template does not exist."


class InvalidAddress(NotificationError):
    """An e-mail address that cannot be put safely into a header."""

    code = "invalid_address"
    field = "email"
    message_da = "E-mailadressen er ugyldig."
    message_en = "The e-mail address is invalid."


class InvalidUnsubscribeToken(NotificationError):
    """An unsubscribe token that was not signed by us or was tampered with."""

    code = "invalid_unsubscribe_token"
    field = "token"
    message_da = "Afmeldingslinket er ugyldigt."
    message_en = "The unsubscribe link is not valid."
