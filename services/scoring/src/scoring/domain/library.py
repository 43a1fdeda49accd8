"""A library as scoring knows it (the aggregate): what registration last told us, its enrolment,
its requirement profile, its certificate and its score with the counts it came from. Every change
goes through the functions here and returns a new Library with the events it causes; the store
keeps one document per library. (What its evidence says is the evidence Projection's.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from scoring.domain.certificate import CertificateState, new_certificate_state
from scoring.domain.emit import Emit
from scoring.domain.evidence import Projection
from scoring.domain.items import Item
from scoring.domain.lifecycle import observe_score
from scoring.domain.model import Model
from scoring.domain.profiles import Profile
from scoring.domain.progress import Counts, Score, count_items, score_counts
from shared.vocabulary import CERTIFIED, CHECKIN_DUE, LAPSED, REVOKED

# The registration snapshot's fields scoring keeps (shared.events.registration.LibrarySnapshot).
REGISTRATION_FIELDS = ("name", "municipality", "kind", "isil", "staff_count", "status", "open_branch_count")
WITHDRAWN = "withdrawn"
# Once a certificate exists, its status is the library's status in every answer.
CERTIFICATE_STATUSES = (CERTIFIED, CHECKIN_DUE, LAPSED, REVOKED)


@dataclass(frozen=True)
class Library:
    library_id: str
    created_at: str | None = None  # ISO: when scoring first heard of the library
    # -- the registration snapshot (newest version wins) --
    reg_version: int = 0
    registered: bool = False
    registered_at: str | None = None
    name: str | None = None
    municipality: str | None = None
    kind: str | None = None
    isil: str | None = None
    staff_count: int | None = None
    status: str | None = None
    open_branch_count: int | None = None
    # -- the current enrolment (the latest started one that has not ended) --
    cohort_id: str | None = None
    cohort_name: str | None = None
    enrolment_id: str | None = None
    enrolment_started_at: str | None = None
    ended_enrolments: tuple[str, ...] = ()
    # -- scoring's own state --
    profile: Profile = field(default_factory=lambda: Profile(""))
    certificate: CertificateState = field(default_factory=lambda: new_certificate_state(""))
    score: Score | None = None
    counts: Counts | None = None  # what `score` was computed from (None before the first scoring)
    scored_at: str | None = None
    plan_approved_at: str | None = None  # the latest action plan approval (renewal needs a newer one)

    @property
    def withdrawn(self) -> bool:
        return self.status == WITHDRAWN



def new_library(library_id: str, now: datetime) -> Library:
    """A library scoring has just heard of (an event about it may overtake its registration)."""
    return Library(
        library_id=library_id,
        created_at=now.isoformat(),
        profile=Profile(library_id),
        certificate=new_certificate_state(library_id),
    )


def registered(library: Library, event_type: str, payload: Mapping[str, Any]) -> Library | None:
    """Keep a newer registration snapshot (library.registered/activated/updated/withdrawn); None
    if the one held is as new or newer (events arrive in any order)."""
    if payload["version"] <= library.reg_version:
        return None
    changes: dict[str, Any] = {k: payload.get(k) for k in REGISTRATION_FIELDS}
    changes.update(reg_version=payload["version"], registered=True)
    if event_type == "library.registered":
        changes["registered_at"] = payload.get("registered_at")
    return replace(library, **changes)


def enrolled(library: Library, payload: Mapping[str, Any]) -> Library | None:
    """Follow enrolment.started: the latest started enrolment that has not ended is the cohort;
    None if this one ended already or an enrolment started later is held."""
    if payload["enrolment_id"] in library.ended_enrolments:
        return None  # its withdrawal overtook it
    started = str(payload["started_at"])
    if library.enrolment_started_at is not None and library.enrolment_started_at > started:
        return None
    return replace(
        library,
        cohort_id=payload["cohort_id"],
        cohort_name=payload["cohort_name"],
        enrolment_id=payload["enrolment_id"],
        enrolment_started_at=started,
        municipality=library.municipality or payload.get("municipality"),
        name=library.name or payload.get("library_name"),
    )


def enrolment_ended(library: Library, payload: Mapping[str, Any]) -> Library:
    """Follow enrolment.withdrawn: remember it ended; leave the cohort if it was the current one."""
    ended = tuple(sorted({*library.ended_enrolments, payload["enrolment_id"]}))
    if library.enrolment_id != payload["enrolment_id"]:
        return replace(library, ended_enrolments=ended)
    return replace(library, ended_enrolments=ended, cohort_id=None, cohort_name=None, enrolment_id=None)


def stored_counts(library: Library, model: Model, now: datetime) -> Counts | None:
    """The counts kept with the library's score, if they score `model` today exactly as counting
    its items would; None means the items must be counted."""
    counts = library.counts
    return counts if counts is not None and counts.covers(model, now.date()) else None


def current_score(library: Library, model: Model, counts: Counts) -> Score:
    """The library's score under `model` from counts that cover it (see stored_counts)."""
    return score_counts(model, library.profile, counts, library.staff_count)


def rescored(library: Library, model: Model, counts: Counts, now: datetime) -> tuple[Library, list[Emit]]:
    """Score the library from its counts; announce a changed score and follow it in the
    certificate's lifecycle (readiness for review)."""
    new = current_score(library, model, counts)
    events: list[Emit] = []
    if library.score is None or _comparable(new) != _comparable(library.score):
        events.append(Emit("score.changed", new.changed_payload()))
    certificate, emits = observe_score(library.certificate, new, now, library.name)
    events += emits
    return replace(library, score=new, counts=counts, scored_at=now.isoformat(), certificate=certificate), events


def rescored_from_items(
    library: Library, model: Model, items: list[Item], now: datetime
) -> tuple[Library, list[Emit]]:
    """Count the library's items and score it (`rescored`)."""
    return rescored(library, model, count_items(model, items, now.date()), now)


def with_evidence(library: Library, projection: Projection) -> Library:
    """Keep what the library's evidence says beyond its items' counts: the latest plan approval."""
    return replace(library, plan_approved_at=projection.latest_plan_approval())


def _comparable(score: Score) -> dict[str, Any]:
    # A new model version alone is not a change of the library's score.
    payload = score.changed_payload()
    payload.pop("model_version")
    return payload
