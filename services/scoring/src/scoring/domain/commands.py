"""Commands: what a caller asks the scoring service to do (named imperatively, handled once each by
scoring.handlers). The consumed events are the other way in; they need no command."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AdjustRequirement:
    """An assessor sets one requirement's target for one library (None: back to the default)."""

    library_id: str
    requirement_id: str
    target: float | None
    reason: str
    by: str


@dataclass(frozen=True)
class AwardCertificate:
    library_id: str
    by: str


@dataclass(frozen=True)
class RenewCertificate:
    library_id: str
    by: str


@dataclass(frozen=True)
class RevokeCertificate:
    library_id: str
    by: str
    reason: str


@dataclass(frozen=True)
class CompleteCheckIn:
    library_id: str
    by: str


# The certification decisions a request names, each with the command that carries it out.
DECISIONS: Mapping[str, type] = {
    "award": AwardCertificate,
    "renew": RenewCertificate,
    "revoke": RevokeCertificate,
    "check_in": CompleteCheckIn,
}


@dataclass(frozen=True)
class CreateModelDraft:
    """Start a draft from the current model (the open draft is answered if there is one)."""

    by: str


@dataclass(frozen=True)
class UpdateModelDraft:
    """Replace a draft's requirements (each a mapping in Requirement.from_dict's shape)."""

    version: int
    requirements: tuple[Mapping[str, Any], ...]
    by: str


@dataclass(frozen=True)
class PublishModel:
    """Publish a draft and re-score every library under it."""

    version: int
    by: str


@dataclass(frozen=True)
class TickCertificates:
    """Send the check-in reminders and lapse the certificates that are due today."""


@dataclass(frozen=True)
class RescoreOutdated:
    """Re-score every library whose score is not of the current model or not of today."""

    batch_size: int = field(default=200)
