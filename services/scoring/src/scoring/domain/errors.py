"""Domain errors: every refusal carries a Danish and an English explanation."""

from __future__ import annotations


class ScoringError(Exception):
    """Base of every error the scoring domain raises; `message_da` is shown to users first."""

    code = "scoring_error"
    field: str | None = None  # the request field the error is about, when there is one

    def __init__(self, message_da: str, message_en: str, field: str | None = None):
        super().__init__(message_en)
        self.message_da = message_da
        self.message_en = message_en
        if field is not None:
            self.field = field


class InvalidModel(ScoringError):
    """A model that cannot be scored (validate_model), or a malformed stored model."""

    code = "invalid_model"
    field = "requirements"


class UnknownRequirement(ScoringError):
    code = "unknown_requirement"
    field = "requirement_id"

    def __init__(self, requirement_id: str):
        super().__init__(
            f"Kravet {requirement_id!r} findes ikke i modellen",
            f"Requirement {requirement_id!r} does not exist in the model",
        )
        self.requirement_id = requirement_id


class InvalidAdjustment(ScoringError):
    code = "invalid_adjustment"
    field = "target"


class InvalidEvidenceEvent(ScoringError):
    """An evidence event the projection cannot place (missing item id or revision, wrong library)."""

    code = "invalid_evidence_event"


class InvalidTransition(ScoringError):
    """A certificate command not allowed in the certificate's current state."""

    code = "invalid_transition"
    field = "decision"


class ModelNotEditable(ScoringError):
    code = "model_not_editable"
