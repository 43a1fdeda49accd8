"""Read-only queries (cosmicpython's views): a library's progress, requirement profile and
certificate, public verification, the directory, the review queue, model versions and their
preview, and the national figures, as plain data in the shapes scoring.schemas documents. Every
answer about something the caller can act on carries its `actions` (scoring.domain.actions)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

from scoring.domain import (
    Library,
    LibraryData,
    LibraryNotFound,
    LibrarySummary,
    Model,
    ModelNotFound,
    diff_models,
    national_figures,
    preview,
    targets,
    tick,
    verification_status,
)
from scoring.domain.actions import certificate_actions, model_actions, requirement_actions
from scoring.domain.library import CERTIFICATE_STATUSES
from scoring.domain.lifecycle import ready_since, status_dates
from shared.uow import UnitOfWork

if TYPE_CHECKING:  # the repositories' type only; handlers and views get them from the unit of work
    from scoring.store import Repositories
from shared.vocabulary import CERTIFIED, CHECKIN_DUE, IN_PROGRESS, READY_FOR_REVIEW

Uow: TypeAlias = "UnitOfWork[Repositories]"


def _library(uow: Uow, library_id: str) -> Library:
    library = uow.repos.libraries.get(library_id)
    if library is None:
        raise LibraryNotFound(library_id)
    return library


def _reading_model(uow: Uow) -> Model:
    return uow.repos.models.current_for_reading() or uow.repos.current_model()


# -- a library -------------------------------------------------------------------------------------


def progress(library_id: str, language: str, role: str, uow: Uow, now: datetime) -> dict[str, Any]:
    """The library's progress scored now against the current model: per requirement, per
    dimension, overall, SDGs and what is missing (Danish unless language is en)."""
    library = _library(uow, library_id)
    model = _reading_model(uow)
    s = uow.repos.score_now(library, model, now)
    body = s.to_dict(language)
    if library.certificate.status in CERTIFICATE_STATUSES:
        body["status"] = library.certificate.status  # once certified, the certificate's status shows
    allowed = requirement_actions(role)
    for row in body["requirements"]:
        row["actions"] = allowed
    body.update(library_id=library_id, model_version=s.model_version, score_status=s.status,
                missing_en=list(s.missing_en), certificate_id=library.certificate.certificate_id,
                actions=certificate_actions(library, s, role, now))
    return body


def requirements(library_id: str, role: str, uow: Uow) -> dict[str, Any]:
    """The library's requirement profile: each requirement's default, effective target and history."""
    library = _library(uow, library_id)
    model = _reading_model(uow)
    return {"library_id": library_id, "staff_count": library.staff_count, "model_version": model.version,
            "requirements": profile_rows(model, library, role)}


def profile_rows(model: Model, library: Library, role: str) -> list[dict[str, Any]]:
    """Each requirement of the model as it applies to the library, with what the caller may do."""
    allowed = requirement_actions(role)
    return [
        {"id": r.id, "dimension": r.dimension, "text_da": r.text_da, "text_en": r.text_en, "measure": r.measure,
         "model_target": r.target, "default_target": t.default, "target": t.target, "source": t.source,
         "scale_by_size": r.scale_by_size, "adjustments": [a.to_dict() for a in library.profile.history(r.id)],
         "actions": allowed}
        for r, t in zip(model.requirements, targets(model, library.profile, library.staff_count), strict=True)
    ]


def certificate(library_id: str, role: str, uow: Uow, now: datetime) -> dict[str, Any]:
    """The library's certificate and its history, as its staff and the programme's staff see it."""
    library = _library(uow, library_id)
    state = library.certificate
    s = uow.repos.score_now(library, _reading_model(uow), now)
    return {
        "library_id": library_id,
        "certificate_id": state.certificate_id,
        "status": tick(state, now)[0].status,
        "verification": verification_status(state, now),
        "awarded_at": state.awarded_at,
        "awarded_by": state.awarded_by,
        "valid_until": state.valid_until,
        "cycle": state.cycle,
        "cycle_start": state.cycle_start,
        "checkins_done": list(state.checkins_done),
        "revoked_at": state.revoked_at,
        "revoke_reason": state.revoke_reason,
        "lapsed_at": status_dates(state, now)["lapsed_at"],
        "due_on": status_dates(state, now)["due_on"],
        "history": [dict(h) for h in state.history],
        "actions": certificate_actions(library, s, role, now),
    }


def decided(library: Library, role: str, uow: Uow, now: datetime) -> dict[str, Any]:
    """The answer to a certification decision: the certificate now and what may be decided next."""
    state = library.certificate
    s = uow.repos.score_now(library, _reading_model(uow), now)
    return {"certificate_id": state.certificate_id, "valid_until": state.valid_until,
            "status": tick(state, now)[0].status, "actions": certificate_actions(library, s, role, now)}


# -- public ------------------------------------------------------------------------------------------


def public_certificate(certificate_id: str, uow: Uow, now: datetime) -> dict[str, Any]:
    """What anyone may know about a certificate id: valid, checkin_due, lapsed, revoked or unknown."""
    library = uow.repos.libraries.by_certificate(certificate_id)
    if library is None:
        return {"certificate_id": certificate_id, "status": "unknown", "library_id": None, "library_name": None,
                "municipality": None, "awarded_at": None, "valid_until": None, "revoked_at": None,
                "lapsed_at": None, "due_on": None}
    state = library.certificate
    status = verification_status(state, now)
    dates = status_dates(state, now)
    return {"certificate_id": certificate_id, "status": status,
            "library_id": library.library_id, "library_name": library.name, "municipality": library.municipality,
            "awarded_at": state.awarded_at,
            # A revoked or lapsed certificate is valid until nothing: only the day it ended is told.
            "valid_until": state.valid_until if status in ("valid", "checkin_due") else None, **dates}


def directory(municipality: str | None, uow: Uow, now: datetime) -> list[dict[str, Any]]:
    """Certified libraries (certificate valid or awaiting check-in), by name."""
    out = []
    for library in uow.repos.libraries.certified(municipality):
        status = verification_status(library.certificate, now)
        if status not in ("valid", "checkin_due"):
            continue  # lapsed today, before the scheduler's next pass
        state = library.certificate
        out.append({"library_id": library.library_id, "name": library.name, "municipality": library.municipality,
                    "certificate": {"certificate_id": state.certificate_id, "status": status,
                                    "awarded_at": state.awarded_at, "valid_until": state.valid_until}})
    return sorted(out, key=lambda x: ((x["name"] or "").casefold(), x["library_id"]))


# -- programme staff ---------------------------------------------------------------------------------


def review_queue(uow: Uow) -> list[dict[str, Any]]:
    """Libraries ready for review (all minimums met provisionally), the longest waiting first."""
    return [
        {"library_id": lib.library_id, "name": lib.name, "municipality": lib.municipality,
         "ready_since": ready_since(lib.certificate),
         "overall": round(lib.score.overall_provisional, 4) if lib.score else None,
         "verified": round(lib.score.overall_verified, 4) if lib.score else None}
        for lib in uow.repos.libraries.ready_for_review()
    ]


def models(role: str, uow: Uow) -> list[dict[str, Any]]:
    """Every model version, oldest first, with what the caller may do with each."""
    current = uow.repos.models.current()
    return [model_answer(m, current, role) for m in uow.repos.models.all()]


def model(version: int, role: str, uow: Uow) -> dict[str, Any]:
    found = uow.repos.models.get(version)
    if found is None:
        raise ModelNotFound(version)
    return model_answer(found, uow.repos.models.current(), role)


def model_answer(m: Model, current: Model | None, role: str) -> dict[str, Any]:
    return {**m.to_dict(), "actions": model_actions(m, current, role)}


def preview_model(version: int, uow: Uow, now: datetime) -> dict[str, Any]:
    """Which libraries would change status under this model version, and what it changes."""
    candidate = uow.repos.models.get(version)
    if candidate is None:
        raise ModelNotFound(version)
    libraries = uow.repos.libraries.all()
    projections = uow.repos.evidence.get_many([lib.library_id for lib in libraries])
    data = (
        LibraryData(
            library_id=lib.library_id, profile=lib.profile, items=tuple(projections[lib.library_id].items()),
            status=lib.score.status if lib.score else "not_started", staff_count=lib.staff_count, name=lib.name,
            overall=round(lib.score.overall_provisional, 4) if lib.score else None,
        )
        for lib in libraries
    )
    result = preview(candidate, data, now.date()).to_dict()
    current = uow.repos.models.current()
    result["changes"] = [c.to_dict() for c in diff_models(current, candidate)] if current is not None else []
    result["certified_affected"] = sorted(
        lib.library_id for lib in libraries if lib.certificate.status in (CERTIFIED, CHECKIN_DUE)
    ) if result["changed"] else []
    return result


def figures(uow: Uow, *, cohort: str | None = None, municipality: str | None = None,
            month_from: str | None = None, month_to: str | None = None) -> dict[str, Any]:
    """National figures (approved evidence) by cohort, municipality and month."""
    summaries = []
    cohorts: dict[str, str] = {}
    current_names = uow.repos.cohorts.names()  # a renamed cohort shows its new name
    evidence = uow.repos.evidence.summaries()
    for lib in uow.repos.libraries.in_figures():
        if lib.cohort_id:
            cohorts[lib.cohort_id] = current_names.get(lib.cohort_id) or lib.cohort_name or lib.cohort_id
        facts = evidence.get(lib.library_id) or LibrarySummary(lib.library_id, status="")
        summaries.append(replace(facts, status=lib.certificate.status, cohort=lib.cohort_id,
                                 municipality=lib.municipality, name=lib.name))
    result = national_figures(summaries, cohort=cohort, municipality=municipality,
                              month_from=month_from, month_to=month_to)
    result["certified"] = sum(n for st, n in result["by_status"].items() if st in (CERTIFIED, CHECKIN_DUE))
    result["in_progress"] = sum(n for st, n in result["by_status"].items() if st in (IN_PROGRESS, READY_FOR_REVIEW))
    result["cohorts"] = cohorts
    return result


def figures_csv(result: dict[str, Any]) -> str:
    """The figures as one CSV table: totals, then by cohort, municipality and month."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    # `name` (last, so readers of the other columns are unaffected) is the cohort's current name.
    w.writerow(["section", "key", "libraries", "certified", "in_progress", "activities", "participants", "name"])
    w.writerow(["total", "", result["libraries"], result["certified"], result["in_progress"],
                result["activities"], result["participants"]])
    names = result.get("cohorts") or {}
    for section in ("by_cohort", "by_municipality"):
        for key, g in result[section].items():
            row = [section[3:], _cell(key), g["libraries"], g["certified"], g["in_progress"],
                   g["activities"], g["participants"]]
            if section == "by_cohort" and names.get(key):
                row.append(_cell(names[key]))
            w.writerow(row)
    for m in result["by_month"]:
        w.writerow(["month", m["month"], "", "", "", m["activities"], m["participants"]])
    for goal, n in result["sdgs"].items():
        w.writerow(["sdg", goal, n, "", "", "", ""])
    w.writerow(["partners", "", result["partners"], "", "", "", ""])
    return buf.getvalue()


def _cell(text: str) -> str:
    # Names typed by people must not run as spreadsheet formulas.
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text
