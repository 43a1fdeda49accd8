"""Domain errors of the notification service; each has a code, names the field it concerns and
says why in Danish and English (`api.ERRORS` maps each type to its HTTP status)."""

from __future__ import annotations


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
    """An unsubscribe token that was not signed by us, was tampered with, or names someone erased."""

    code = "invalid_unsubscribe_token"
    field = "token"
    message_da = "Afmeldingslinket er ugyldigt."
    message_en = "The unsubscribe link is not valid."


class AdministratorsOnly(NotificationError):
    """Only an administrator may do this (resend a mail, run the scheduler, read every delivery)."""

    code = "forbidden"
    message_da = "Det kræver rollen administrator."
    message_en = "Requires the administrator role."


class NotFound(NotificationError):
    """Something that does not exist, or that the caller may not know exists."""

    code = "not_found"


class UnknownLibrary(NotFound):
    message_da = "Biblioteket findes ikke."
    message_en = "Library not found."


class UnknownPerson(NotFound):
    message_da = "Personen findes ikke."
    message_en = "Person not found."


class UnknownMail(NotFound):
    message_da = "Mailen findes ikke."
    message_en = "Mail not found."


class ResendRefused(NotificationError):
    """A logged mail that cannot be queued again; the subclass says why."""

    code = "resend_refused"


class MailBeingSent(ResendRefused):
    code = "resend_sending"
    message_da = "Mailen er ved at blive sendt."
    message_en = "The mail is being sent right now."


class RecipientErased(ResendRefused):
    code = "resend_erased"
    message_da = "Modtageren er slettet."
    message_en = "The recipient was erased."


class LinkAlreadySent(ResendRefused):
    code = "resend_token"
    message_da = "Linket i mailen er brugt eller udløbet; bed personen om et nyt link."
    message_en = "The link in this mail is used or expired; ask the person to request a new one."


class AlreadyPlanned(NotificationError):
    """The work was done already (by another scheduler run): a mail for this event and person, or
    this day's digest, exists. The store raises it for the unique indexes that say so."""

    code = "already_planned"
    message_da = "Det er allerede planlagt."
    message_en = "This was planned already."
