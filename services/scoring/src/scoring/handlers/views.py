"""Progress, requirement profiles and adjustments, the review queue, the public directory,
national figures and the rebuild of a library's projection from the evidence export."""

from __future__ import annotations

import csv
import io
import time
from datetime import datetime
from typing import Any

from scoring import store
from scoring.domain import LibrarySummary, Projection, adjust, apply, empty_projection, national_figures, targets
from scoring.domain.certificate import CERTIFIED, CHECKIN_DUE
from scoring.domain.progress import READY_FOR_REVIEW
from scoring.handlers.certificates import LibraryNotFound
from scoring.handlers.core import compute, lifecycle_of, model_in, profile_of, rescore_in
from shared.mongo import ServiceStore, Tx

LIFECYCLE_ONLY = ("certified", "checkin_due", "lapsed", "revoked")
# What `progress` reads of the library document (core.compute: the profile's adjustments and the
# staff count; lifecycle_of: the lifecycle). Keep in step with those functions.
# (SecantusDB reads a document's values one by one: the score and summary are most of it.)
PROGRESS_FIELDS = ("adjustments", "staff_count", "lifecycle", "score")

# Read-only views reuse the published model head for a few seconds instead of asking for it on
# every request. A publish in this process is seen at once (store.current_model then parses the
# new version into store._published); one made by another process within READ_MODEL_TTL seconds.
READ_MODEL_TTL = 3.0
_read_heads: dict[str, tuple[float, Any]] = {}


def _current_model_for_reading(db):
    """store.current_model for read-only views: the head may be up to READ_MODEL_TTL seconds old."""
    now = time.monotonic()
    hit = _read_heads.get(db.name)
    if hit is not None and hit[0] > now:
        model = hit[1]
        parsed = tuple(getattr(store, "_published", {}))  # keys: (database, version, published_at)
        newest = max((key[1] for key in parsed if key[0] == db.name), default=model.version)
        if newest <= model.version:
            return model
    model = store.current_model(db)
    if model is not None:
        if len(_read_heads) > 64:
            _read_heads.clear()
        _read_heads[db.name] = (now + READ_MODEL_TTL, model)
    return model


def progress(service_store: ServiceStore, library_id: str, now: datetime, language: str = "da") -> dict[str, Any]:
    """The library's progress in the public API shape, scored now against the current model."""
    db = service_store.db
    lib = db[store.LIBRARIES].find_one({"_id": library_id}, dict.fromkeys(PROGRESS_FIELDS, 1))
    if lib is None:
        raise LibraryNotFound(library_id)
    model = _current_model_for_reading(db)
    s = compute(model, lib, now, lambda: store.projection(db, library_id))
    body = s.to_dict(language)
    state = lifecycle_of(lib)
    # Once certified, the certificate's status is the library's status.
    if state.status in LIFECYCLE_ONLY:
        body["status"] = state.status
    body.update(library_id=library_id, model_version=s.model_version, score_status=s.status,
                missing_en=list(s.missing_en), certificate_id=state.certificate_id)
    return body


def requirements(service_store: ServiceStore, library_id: str) -> dict[str, Any]:
    """The library's requirement profile: each requirement's default, effective target and history."""
    db = service_store.db
    lib = store.library(db, library_id)
    if lib is None:
        raise LibraryNotFound(library_id)
    return _profile_view(store.current_model(db), lib)


def _profile_view(model, lib) -> dict[str, Any]:
    profile = profile_of(lib)
    rows = []
    for r, t in zip(model.requirements, targets(model, profile, lib.get("staff_count")), strict=True):
        rows.append({
            "id": r.id, "dimension": r.dimension, "text_da": r.text_da, "text_en": r.text_en,
            "measure": r.measure, "model_target": r.target, "default_target": t.default, "target": t.target,
            "source": t.source, "scale_by_size": r.scale_by_size,
            "adjustments": [a.to_dict() for a in profile.history(r.id)],
        })
    return {"library_id": lib["_id"], "staff_count": lib.get("staff_count"), "model_version": model.version,
            "requirements": rows}


def adjust_requirement(service_store: ServiceStore, library_id: str, requirement_id: str, target: float | None,
                       *, reason: str, by: str, now: datetime) -> dict[str, Any]:
    """Record an assessor's adjustment (kept forever) and re-score the library."""

    def fn(tx: Tx) -> dict[str, Any]:
        lib = store.library(tx.db, library_id, tx.session)
        if lib is None:
            raise LibraryNotFound(library_id)
        model = model_in(tx)
        profile = adjust(profile_of(lib), model, requirement_id, target, reason=reason, author=by,
                         at=now.isoformat())
        store.push_adjustment(tx.db, library_id, profile.adjustments[-1].to_dict(), tx.session)
        updated = rescore_in(tx, library_id, now)
        view = _profile_view(model, updated)
        return next(r for r in view["requirements"] if r["id"] == requirement_id)

    return service_store.transact(fn)


def review_queue(service_store: ServiceStore) -> list[dict[str, Any]]:
    """Libraries ready for review (all minimums met provisionally), oldest first."""
    libs = store.libraries_by_state(service_store.db, {"lifecycle_status": READY_FOR_REVIEW,
                                                       "status": {"$ne": "withdrawn"}},
                                    sort=[("ready_at", 1), ("_id", 1)])
    return [{"library_id": lib["_id"], "name": lib.get("name"), "municipality": lib.get("municipality"),
             "ready_since": lib.get("ready_at"), "overall": lib.get("overall_provisional"),
             "verified": store.score_of(lib).get("payload", {}).get("verified")} for lib in libs]


def directory(service_store: ServiceStore, municipality: str | None, now: datetime) -> list[dict[str, Any]]:
    """Certified libraries (certificate valid or awaiting check-in), by name."""
    query: dict[str, Any] = {"lifecycle_status": {"$in": [CERTIFIED, CHECKIN_DUE]}, "status": {"$ne": "withdrawn"}}
    from scoring.handlers.certificates import public_certificate

    out = []
    for lib in store.libraries_by_state(service_store.db, query):
        if municipality and lib.get("municipality") != municipality:
            continue
        cert = public_certificate(service_store, lib["certificate_id"], now)
        if cert["status"] not in ("valid", "checkin_due"):
            continue
        out.append({"library_id": lib["_id"], "name": lib.get("name"), "municipality": lib.get("municipality"),
                    "certificate": {k: cert[k] for k in ("certificate_id", "status", "awarded_at", "valid_until")}})
    return sorted(out, key=lambda x: ((x["name"] or "").casefold(), x["library_id"]))


def figures(service_store: ServiceStore, *, cohort: str | None = None, municipality: str | None = None,
            month_from: str | None = None, month_to: str | None = None) -> dict[str, Any]:
    """National figures (approved evidence) by cohort, municipality and month."""
    libs = store.libraries(service_store.db, {"status": {"$ne": "withdrawn"}, "registered": True})
    summaries = []
    cohorts: dict[str, str] = {}
    current_names = store.cohort_names(service_store.db)  # a renamed cohort shows its new name
    for lib in libs:
        s = store.summary_of(lib)
        if lib.get("cohort_id"):
            cohorts[lib["cohort_id"]] = current_names.get(lib["cohort_id"]) or lib.get("cohort_name") or lib["cohort_id"]
        summaries.append(LibrarySummary(
            library_id=lib["_id"], status=lifecycle_of(lib).status, cohort=lib.get("cohort_id"),
            municipality=lib.get("municipality"), name=lib.get("name"),
            by_month={m: tuple(v) for m, v in (s.get("by_month") or {}).items()},
            undated=tuple(s.get("undated") or (0, 0)), sdgs=tuple(s.get("sdgs") or ()),
            partners=tuple(s.get("partners") or ()),
        ))
    result = national_figures(summaries, cohort=cohort, municipality=municipality,
                              month_from=month_from, month_to=month_to)
    result["certified"] = sum(n for st, n in result["by_status"].items() if st in (CERTIFIED, CHECKIN_DUE))
    result["in_progress"] = sum(n for st, n in result["by_status"].items() if st in ("in_progress", READY_FOR_REVIEW))
    result["cohorts"] = cohorts
    return result


def figures_csv(result: dict[str, Any]) -> str:
    """The figures as one CSV table: totals, then by cohort, municipality and month."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    # `name` (last, so readers of the earlier columns are unaffected) is the cohort's current name.
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


def projection_from_export(library_id: str, items: list[dict[str, Any]]) -> Projection:
    """Build the evidence projection from the evidence service's export (one entry per item)."""
    proj = empty_projection(library_id)
    for item in items:
        snapshot = {**item, "library_id": library_id,
                    "partners": [p.get("name") if isinstance(p, dict) else p for p in item.get("partners") or []]}
        payload = {"item_id": item["item_id"], "library_id": library_id, "revision": item["revision"],
                   "status": item["status"], "item": snapshot, "decided_at": item.get("decided_at")}
        event_type = "evidence.reviewed" if item["status"] in ("approved", "rejected") else "evidence.submitted"
        proj = apply(proj, {"type": event_type, "payload": payload, "occurred_at": item.get("decided_at")})
    return proj


def rebuild(service_store: ServiceStore, library_id: str, items: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """Replace the library's evidence items with the export's; action plans and shared cases stay."""

    def fn(tx: Tx) -> dict[str, Any]:
        if store.library(tx.db, library_id, tx.session) is None:
            raise LibraryNotFound(library_id)
        old = store.projection(tx.db, library_id, tx.session)
        fresh = projection_from_export(library_id, items)
        kept = {k: e for k, e in old.entries.items()
                if k.startswith("case:") or (e.data or {}).get("kind") == "action_plan"}
        proj = Projection(library_id, {**kept, **fresh.entries})
        store.replace_projection(tx.db, proj, tx.session)
        rescore_in(tx, library_id, now, proj)
        return {"library_id": library_id, "items": len(fresh.entries), "kept": len(kept)}

    return service_store.transact(fn)
