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
    """The model has no requirement with that id."""

    code = "unknown_requirement"
    field = "requirement_id"

    def __init__(self, requirement_id: str):
        super().__init__(
            f"Kravet {requirement_id!r} findes ikke i modellen",
            f"Requirement {requirement_id!r} does not exist in the model",
        )
        self.requirement_id = requirement_id


class InvalidAdjustment(ScoringError):
    """An assessor's adjustment the requirement cannot take (no reason, a target out of range)."""

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
    """A published model version cannot be changed or published again."""

    code = "model_not_editable"
    field = "version"


class LibraryNotFound(ScoringError):
    """No library with that id (or one the caller may not see: tenancy answers the same)."""

    code = "library_not_found"
    field = "library_id"

    def __init__(self, library_id: str):
        super().__init__("Biblioteket findes ikke", "No such library")
        self.library_id = library_id


class ModelNotFound(ScoringError):
    """No model with that version."""

    code = "model_not_found"
    field = "version"

    def __init__(self, version: int):
        super().__init__(f"Modelversion {version} findes ikke", f"No model version {version}")
        self.version = version


class ModelVersionTaken(ScoringError):
    """Another draft took the version number at the same moment (a unique `_id` collided)."""

    code = "model_version_taken"
    field = "version"

    def __init__(self, version: int):
        super().__init__(
            f"Modelversion {version} blev oprettet samtidig af en anden; prøv igen",
            f"Model version {version} was created by someone else at the same moment; try again",
        )
        self.version = version
