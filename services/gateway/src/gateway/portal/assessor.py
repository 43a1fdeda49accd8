"""The assessor's pages: the queue and a library's review page (decide evidence, adjust
requirement targets with a reason, award the certificate)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from gateway.portal.base import bp, check_csrf, require, signed_in, svc, tell, try_svc
from gateway.portal.i18n import lang


@bp.get("/vurdering")
@signed_in
def queue():
    require("review_queue.read")
    ready = try_svc("scoring", "GET", "/review-queue")
    awaiting = try_svc("evidence", "GET", "/review-queue")
    return render_template("queue.html", ready=ready, awaiting=awaiting)


@bp.get("/vurdering/<library_id>")
@signed_in
def review_library(library_id: str):
    require("review_queue.read")
    library = try_svc("registration", "GET", f"/libraries/{library_id}")
    progress = try_svc("scoring", "GET", f"/libraries/{library_id}/progress", params={"lang": lang()})
    submitted = try_svc("evidence", "GET", f"/libraries/{library_id}/evidence",
                        params={"status": "submitted", "per_page": 100})
    certificate = try_svc("scoring", "GET", f"/libraries/{library_id}/certificate")
    plan = try_svc("evidence", "GET", f"/libraries/{library_id}/action-plan")
    return render_template("review_library.html", library_id=library_id, library=library, progress=progress,
                           submitted=submitted, certificate=certificate, plan=plan)


@bp.post("/vurdering/<library_id>/handleplan")
@signed_in
def review_plan(library_id: str):
    check_csrf()
    require("action_plan.review", library_id)
    # The decision is the assessor's: none given is the service's to refuse (naming the field).
    payload = {name: request.form[name] for name in ("decision",) if name in request.form}
    if request.form.get("comment"):
        payload["comment"] = request.form["comment"]
    answer = svc("evidence", "POST", f"/libraries/{library_id}/action-plan/review", json=payload)
    tell(answer, "Afgørelsen om handleplanen er gemt.")
    return redirect(url_for("portal.review_library", library_id=library_id))


@bp.post("/vurdering/aktivitet/<evidence_id>")
@signed_in
def review_evidence(evidence_id: str):
    check_csrf()
    require("evidence.review")
    payload: dict[str, object] = {name: request.form[name] for name in ("decision",) if name in request.form}
    for name in ("comment", "deadline"):
        if request.form.get(name):
            payload[name] = request.form[name]
    if request.form.get("revision", "").isdigit():
        payload["revision"] = int(request.form["revision"])
    answer = svc("evidence", "POST", f"/evidence/{evidence_id}/review", json=payload)
    library_id = request.form.get("library_id", "")
    tell(answer, "Afgørelsen er gemt.")
    return redirect(url_for("portal.review_library", library_id=library_id))


@bp.post("/vurdering/<library_id>/krav/<requirement_id>")
@signed_in
def adjust_requirement(library_id: str, requirement_id: str):
    check_csrf()
    require("requirements.adjust", library_id)
    target: float | str | None
    try:
        target = float(request.form.get("target", ""))
    except ValueError:
        target = request.form.get("target")
    answer = svc("scoring", "POST", f"/libraries/{library_id}/requirements/{requirement_id}/adjustments",
                 json={"target": target, "reason": request.form.get("reason", "")})
    tell(answer, "Målet er justeret.")
    return redirect(url_for("portal.review_library", library_id=library_id))


@bp.post("/vurdering/<library_id>/certificering")
@signed_in
def certify(library_id: str):
    check_csrf()
    require("certification.decide", library_id)
    payload = {name: request.form[name] for name in ("decision",) if name in request.form}
    if request.form.get("reason"):
        payload["reason"] = request.form["reason"]
    answer = svc("scoring", "POST", f"/libraries/{library_id}/certification", json=payload)
    tell(answer, "Certifikatet er tildelt.")
    return redirect(url_for("portal.review_library", library_id=library_id))
