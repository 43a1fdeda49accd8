"""Domain errors of the notification service."""


class NotificationError(Exception):
    """Base class of the notification domain's errors."""


class UnknownTemplate(NotificationError):
    """A template name or language that the service does not have."""


class InvalidAddress(NotificationError):
    """An e-mail address that cannot be put safely into a header."""


class InvalidUnsubscribeToken(NotificationError):
    """An unsubscribe token that was not signed by us or was tampered with."""
