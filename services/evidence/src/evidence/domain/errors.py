"""Domain errors of the evidence service, each carrying a Danish and an English message."""

from __future__ import annotations

from typing import Any, Literal

ErrorKind = Literal["invalid", "conflict", "not_found", "forbidden", "too_large", "unsupported"]


class EvidenceError(Exception):
    """Base of every domain error; the service maps `kind` to an HTTP status in one table."""

    kind: ErrorKind = "invalid"
    current_state: str | None = None  # set on illegal transitions: the document's status

    def __init__(
        self,
        code: str,
        message_da: str,
        message_en: str,
        *,
        field: str | None = None,
        kind: ErrorKind | None = None,
    ) -> None:
        super().__init__(message_en)
        self.code = code
        self.field = field
        self.message_da = message_da
        self.message_en = message_en
        if kind is not None:
            self.kind = kind

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly description (used in problem+json bodies and draft responses)."""
        return {
            "code": self.code,
            "field": self.field,
            "kind": self.kind,
            "message_da": self.message_da,
            "message_en": self.message_en,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, field={self.field!r})"


class InvalidField(EvidenceError):
    """One input field has an invalid value."""

    kind: ErrorKind = "invalid"


class InvalidEvidence(EvidenceError):
    """A document cannot be submitted; `problems` lists every field that is wrong or missing."""

    kind: ErrorKind = "invalid"

    def __init__(self, problems: list[EvidenceError]) -> None:
        first = problems[0] if problems else None
        super().__init__(
            "incomplete",
            "Bidraget kan ikke indsendes: " + "; ".join(p.message_da for p in problems),
            "The evidence cannot be submitted: " + "; ".join(p.message_en for p in problems),
            field=first.field if first else None,
        )
        self.problems = problems

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["problems"] = [p.to_dict() for p in self.problems]
        return data


class Conflict(EvidenceError):
    """The request does not fit the document's current state or revision."""

    kind: ErrorKind = "conflict"


class Forbidden(EvidenceError):
    """The person may not do this to this document."""

    kind: ErrorKind = "forbidden"


class NotFound(EvidenceError):
    """A referenced thing does not exist."""

    kind: ErrorKind = "not_found"


class TooLarge(EvidenceError):
    """A file or the item's files together exceed a size limit."""

    kind: ErrorKind = "too_large"


class Unsupported(EvidenceError):
    """A file's content is not one of the accepted types, or contradicts its name."""

    kind: ErrorKind = "unsupported"
