"""Domain errors: each carries a stable code, the input field concerned, and Danish and English
text. The HTTP layer maps them to statuses by type (api.ERRORS): invalid input 422, forbidden 403,
not found 404, conflict 409, gone 410, throttled 429, wrong credentials 401."""

from __future__ import annotations

from typing import Any


class RegistrationError(Exception):
    """Base of every rule the registration domain refuses to break."""

    code: str = "registration_error"

    def __init__(
        self,
        message_da: str,
        message_en: str,
        *,
        code: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message_en)
        self.message_da = message_da
        self.message_en = message_en
        self.field = field
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, Any]:
        """Return the error as plain data, for problem+json or logs."""
        return {
            "code": self.code,
            "field": self.field,
            "message_da": self.message_da,
            "message_en": self.message_en,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, field={self.field!r})"


class InvalidField(RegistrationError):
    """One input value breaks a validation rule."""

    def __init__(self, field: str, code: str, message_da: str, message_en: str) -> None:
        super().__init__(message_da, message_en, code=code, field=field)


class InvalidInput(RegistrationError):
    """Several input values are invalid; `errors` lists each one (a form shows them all at once)."""

    code = "invalid_input"

    def __init__(self, errors: list[InvalidField]) -> None:
        self.errors = list(errors)
        da = "; ".join(e.message_da for e in self.errors)
        en = "; ".join(e.message_en for e in self.errors)
        field = self.errors[0].field if len(self.errors) == 1 else None
        super().__init__(f"Indtastningen er ikke gyldig: {da}", f"The input is not valid: {en}", field=field)

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["errors"] = [e.as_dict() for e in self.errors]
        return data


class Conflict(RegistrationError):
    """The request clashes with what is stored (a taken address, a rule about other records)."""


class IllegalTransition(Conflict):
    """An action is not allowed in the current state; the state is named in both messages."""

    def __init__(self, what_da: str, what_en: str, state: str, *, code: str = "illegal_transition") -> None:
        self.state = state
        super().__init__(
            f"Kan ikke {what_da}: status er '{state}'.",
            f"Cannot {what_en}: the current state is '{state}'.",
            code=code,
        )


class NotFound(RegistrationError):
    """The thing asked for does not exist."""


class Hidden(NotFound):
    """The thing does not exist, or the caller may not know that it does."""

    code = "not_found"

    def __init__(self, what: str = "resource") -> None:
        super().__init__("Findes ikke.", "Not found.")
        self.what = what


class Forbidden(RegistrationError):
    """The caller may see the thing but not do this with it."""

    code = "forbidden"

    def __init__(self, what_da: str, what_en: str) -> None:
        super().__init__(f"Du har ikke adgang til at {what_da}.", f"You are not allowed to {what_en}.")


class InvalidCredentials(RegistrationError):
    """Wrong email or password, or a person who may not sign in: one answer for all of them."""

    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("Forkert e-mailadresse eller adgangskode.", "Wrong email address or password.")


class ConcurrentChange(Conflict):
    code = "concurrent_change"

    def __init__(self) -> None:
        super().__init__(
            "Nogen ændrede det samme lige før dig. Hent siden igen og prøv igen.",
            "Someone changed the same thing just before you. Reload and try again.",
        )


class NotEditable(InvalidField):
    def __init__(self, fields: list[str]) -> None:
        super().__init__(
            fields[0],
            "not_editable",
            f"Disse felter kan ikke ændres: {', '.join(fields)}.",
            f"These fields cannot be changed: {', '.join(fields)}.",
        )


class BranchNameTaken(Conflict):
    code = "branch_name_taken"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"Biblioteket har allerede en filial med navnet '{name}'.",
            f"The library already has a branch named '{name}'.",
            field="branch_name",
        )


class BranchIsilTaken(Conflict):
    code = "branch_isil_taken"

    def __init__(self, isil: str) -> None:
        super().__init__(
            f"Biblioteket har allerede en filial med ISIL-koden {isil}.",
            f"The library already has a branch with the ISIL code {isil}.",
            field="isil",
        )


class BranchIsilElsewhere(InvalidField):
    """A branch's ISIL code names another municipality than the library's."""

    def __init__(self, isil: str, municipality: str, library_municipality: str) -> None:
        super().__init__(
            "isil",
            "isil_other_municipality",
            f"ISIL-koden {isil} hører til {municipality} Kommune, men biblioteket ligger i "
            f"{library_municipality} Kommune.",
            f"The ISIL code {isil} belongs to {municipality} municipality, but the library is in "
            f"{library_municipality} municipality.",
        )


class LastCoordinator(Conflict):
    code = "last_coordinator"

    def __init__(self) -> None:
        super().__init__(
            "Biblioteket skal have mindst én aktiv koordinator. Udpeg en ny koordinator først.",
            "The library must keep at least one active coordinator. Appoint another one first.",
            field="role",
        )


class PersonErased(Conflict):
    code = "person_erased"

    def __init__(self) -> None:
        super().__init__(
            "Personen er slettet efter databeskyttelsesreglerne (GDPR) og kan ikke genaktiveres. "
            "Invitér vedkommende igen, hvis de skal have adgang.",
            "The person was erased under data protection rules (GDPR) and cannot be reactivated. "
            "Invite them again if they need access.",
        )


class NeverJoined(Conflict):
    code = "never_joined"

    def __init__(self) -> None:
        super().__init__(
            "Personen tog aldrig imod sin invitation, så der er ingen konto at genaktivere. Invitér vedkommende igen.",
            "The person never accepted their invitation, so there is no account to reactivate. Invite them again.",
        )


class IsilInUse(Conflict):
    code = "isil_in_use"

    def __init__(self, isil: str) -> None:
        super().__init__(
            f"ISIL-koden {isil} er allerede registreret for et andet bibliotek.",
            f"The ISIL code {isil} is already registered for another library.",
            field="isil",
        )


class EmailInUse(Conflict):
    code = "email_in_use"

    def __init__(self) -> None:
        super().__init__(
            "Der findes allerede en bruger med denne e-mailadresse.",
            "A user with this email address already exists.",
            field="email",
        )


class InvitationPending(Conflict):
    code = "invitation_pending"

    def __init__(self) -> None:
        super().__init__(
            "Der er allerede sendt en invitation til denne e-mailadresse. Send den igen i stedet.",
            "An invitation to this email address is already pending. Resend it instead.",
            field="email",
        )


class AlreadyMember(Conflict):
    code = "already_member"

    def __init__(self) -> None:
        super().__init__(
            "Personen med denne e-mailadresse er allerede aktiv i biblioteket.",
            "The person with this email address is already active in the library.",
            field="email",
        )


class BranchNotFound(NotFound):
    code = "branch_not_found"

    def __init__(self, branch_id: str) -> None:
        super().__init__(
            f"Filialen {branch_id} findes ikke i dette bibliotek.",
            f"Branch {branch_id} does not exist in this library.",
            field="branch_id",
        )


class AlreadyEnrolled(Conflict):
    code = "already_enrolled"

    def __init__(self, cohort_name: str) -> None:
        super().__init__(
            f"Biblioteket er allerede tilmeldt forløbet '{cohort_name}'. Afmeld eller flyt det først.",
            f"The library is already enrolled in '{cohort_name}'. Withdraw or move it first.",
            field="cohort_id",
        )


class CohortNotOpen(Conflict):
    code = "cohort_not_open"

    def __init__(self, cohort_name: str, state: str) -> None:
        self.state = state
        super().__init__(
            f"Forløbet '{cohort_name}' er ikke åbent for tilmelding (status '{state}').",
            f"The cohort '{cohort_name}' is not open for enrolment (state '{state}').",
            field="cohort_id",
        )


class TokenError(RegistrationError):
    """Base of the single-use token failures; the portal shows each differently."""


class TokenUnknown(TokenError, NotFound):
    code = "token_unknown"
    def __init__(self) -> None:
        super().__init__(
            "Linket er ugyldigt. Tjek at du har kopieret hele linket.",
            "The link is not valid. Check that you copied the whole link.",
            field="token",
        )


class TokenGone(TokenError):
    """A token that was real but can no longer be used (expired, used, replaced)."""


class TokenExpired(TokenGone):
    code = "token_expired"
    def __init__(self) -> None:
        super().__init__(
            "Linket er udløbet. Bed om et nyt.",
            "The link has expired. Ask for a new one.",
            field="token",
        )


class TokenUsed(TokenGone):
    code = "token_used"
    def __init__(self) -> None:
        super().__init__(
            "Linket er allerede brugt.",
            "The link has already been used.",
            field="token",
        )


class TokenSuperseded(TokenGone):
    code = "token_superseded"
    def __init__(self) -> None:
        super().__init__(
            "Linket er erstattet af et nyere. Brug linket i den seneste e-mail.",
            "The link was replaced by a newer one. Use the link in the latest email.",
            field="token",
        )
