"""What a caller may do with a resource, for the answers to say (the portal shows what they allow
and never re-derives the rules). Each list is worked out by trying the decision itself, so an
action is offered exactly when carrying it out now would be accepted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from scoring.domain.errors import ScoringError
from scoring.domain.library import Library
from scoring.domain.lifecycle import award, complete_checkin, renew, revoke
from scoring.domain.model import DRAFT, Model
from scoring.domain.progress import Score
from shared.vocabulary import ADMINISTRATOR, PROGRAMME_ROLES

# Certification decisions in the order a page offers them.
CERTIFICATE_ACTIONS = ("award", "check_in", "renew", "revoke")
MODEL_ACTIONS = ("edit", "preview", "publish")
REQUIREMENT_ACTIONS = ("adjust",)


def certificate_actions(library: Library, score: Score, role: str, now: datetime) -> list[str]:
    """The certification decisions `role` may take on the library now (assessors and
    administrators), given its score now under the current model."""
    if role not in PROGRAMME_ROLES:
        return []
    state = library.certificate
    attempts: dict[str, Callable[[], Any]] = {
        "award": lambda: award(state, score, awarded_by=role, now=now, certificate_id="-"),
        "check_in": lambda: complete_checkin(state, by=role, now=now),
        "renew": lambda: renew(state, renewed_by=role, now=now, action_plan_approved_at=library.plan_approved_at),
        # The reason is the caller's to give when deciding; any state that has a certificate takes one.
        "revoke": lambda: revoke(state, revoked_by=role, reason="-", now=now),
    }
    return [name for name in CERTIFICATE_ACTIONS if _accepted(attempts[name])]


def model_actions(model: Model, current: Model | None, role: str) -> list[str]:
    """What an administrator may do with a model version: a draft is edited, previewed, published."""
    if role != ADMINISTRATOR or model.status != DRAFT:
        return []
    if current is not None and model.version <= current.version:
        return ["edit"]  # a draft older than the published head can no longer be published
    return list(MODEL_ACTIONS)


def requirement_actions(role: str) -> list[str]:
    """What the caller may do with one of a library's requirements: an assessor adjusts its target."""
    return list(REQUIREMENT_ACTIONS) if role in PROGRAMME_ROLES else []


def _accepted(attempt: Callable[[], Any]) -> bool:
    try:
        attempt()
    except ScoringError:
        return False
    return True
