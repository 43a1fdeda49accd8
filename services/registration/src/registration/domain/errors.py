"""Domain errors: each carries a stable code, the input field concerned, Danish and English text,
and a kind that the HTTP layer maps to a status (invalid 422, conflict 409, not_found 404, gone 410)."""

from __future__ import annotations

from typing import Any


class RegistrationError(Exception):
    """Base of every rule the registration domain refuses to break."""

    code: str = "registration_error"
    kind: str = "invalid"

    def __init__(
        self,
        message_da: str,
        message_en: str,
        *,
        code: str | None = None,
        field: str | None = None,
        kind: str | None = None,
    ) -> None:
        super().__init__(message_en)
        self.message_da = message_da
        self.message_en = message_en
        self.field = field
        if code is not None:
            self.code = code
        if kind is not None:
            self.kind = kind

    def as_dict(self) -> dict[str, Any]:
        """Return the error as plain data, for problem+json or logs."""
        return {
            "code": self.code,
            "kind": self.kind,
            "field": self.field,
            "message_da": self.message_da,
            "message_en": self.message_en,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, field={self.field!r})"


class InvalidField(RegistrationError):
    """One input value breaks a validation rule."""

    kind = "invalid"

    def __init__(self, field: str, code: str, message_da: str, message_en: str) -> None:
        super().__init__(message_da, message_en, code=code, field=field)


class InvalidInput(RegistrationError):
    """Several input values are invalid; `errors` lists each one (a form shows them all at once)."""

    code = "invalid_input"
    kind = "invalid"

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


class IllegalTransition(RegistrationError):
    """An action is not allowed in the current state; the state is named in both messages."""

    kind = "conflict"

    def __init__(self, what_da: str, what_en: str, state: str, *, code: str = "illegal_transition") -> None:
        self.state = state
        super().__init__(
            f"Kan ikke {what_da}: status er '{state}'.",
            f"Cannot {what_en}: the current state is '{state}'.",
            code=code,
        )


class Conflict(RegistrationError):
    kind = "conflict"


class NotFound(RegistrationError):
    kind = "not_found"


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

    field = "token"


class TokenUnknown(TokenError):
    code = "token_unknown"
    kind = "not_found"

    def __init__(self) -> None:
        super().__init__(
            "Linket er ugyldigt. Tjek at du har kopieret hele linket.",
            "The link is not valid. Check that you copied the whole link.",
            field="token",
        )


class TokenExpired(TokenError):
    code = "token_expired"
    kind = "gone"

    def __init__(self) -> None:
        super().__init__(
            "Linket er udløbet. Bed om et nyt.",
            "The link has expired. Ask for a new one.",
            field="token",
        )


class TokenUsed(TokenError):
    code = "token_used"
    kind = "gone"

    def __init__(self) -> None:
        super().__init__(
            "Linket er allerede brugt.",
            "The link has already been used.",
            field="token",
        )


class TokenSuperseded(TokenError):
    code = "token_superseded"
    kind = "gone"

    def __init__(self) -> None:
        super().__init__(
            "Linket er erstattet af et nyere. Brug linket i den seneste e-mail.",
            "The link was replaced by a newer one. Use the link in the latest email.",
            field="token",
        )
