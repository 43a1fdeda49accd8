"""The pure scoring domain: the model as data, requirement profiles, the evidence projection,
scoring, the library aggregate, the certificate lifecycle, model changes, national figures, the
commands and the actions a caller may take. No I/O here."""

from scoring.domain.changes import Change, Impact, ImpactPreview, LibraryData, diff_models, preview, publish
from scoring.domain.defaults import MODEL_V1
from scoring.domain.emit import Emit
from scoring.domain.errors import (
    InvalidAdjustment,
    InvalidEvidenceEvent,
    InvalidModel,
    InvalidTransition,
    LibraryNotFound,
    ModelNotEditable,
    ModelNotFound,
    ModelVersionTaken,
    ScoringError,
    UnknownRequirement,
)
from scoring.domain.evidence import Projection, apply, empty_projection
from scoring.domain.figures import LibrarySummary, national_figures, summarize_library
from scoring.domain.items import Item
from scoring.domain.library import Library, new_library
from scoring.domain.lifecycle import (
    CertificateState,
    award,
    complete_checkin,
    new_certificate_state,
    observe_score,
    renew,
    revoke,
    tick,
    verification_status,
)
from scoring.domain.model import Model, Requirement, new_draft, put_requirement, remove_requirement, validate_model
from scoring.domain.profiles import Adjustment, Profile, adjust, default_target, effective_target, targets
from scoring.domain.progress import Counts, RequirementScore, Score, count_items, score, score_counts

__all__ = [
    "MODEL_V1",
    "Adjustment",
    "CertificateState",
    "Change",
    "Counts",
    "Emit",
    "Impact",
    "ImpactPreview",
    "InvalidAdjustment",
    "InvalidEvidenceEvent",
    "InvalidModel",
    "InvalidTransition",
    "Item",
    "Library",
    "LibraryData",
    "LibraryNotFound",
    "LibrarySummary",
    "Model",
    "ModelNotEditable",
    "ModelNotFound",
    "ModelVersionTaken",
    "Profile",
    "Projection",
    "Requirement",
    "RequirementScore",
    "Score",
    "ScoringError",
    "UnknownRequirement",
    "adjust",
    "apply",
    "award",
    "complete_checkin",
    "count_items",
    "default_target",
    "diff_models",
    "effective_target",
    "empty_projection",
    "national_figures",
    "new_library",
    "new_certificate_state",
    "new_draft",
    "observe_score",
    "preview",
    "publish",
    "put_requirement",
    "remove_requirement",
    "renew",
    "revoke",
    "score",
    "score_counts",
    "summarize_library",
    "targets",
    "tick",
    "validate_model",
    "verification_status",
]
