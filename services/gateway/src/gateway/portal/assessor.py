"""The assessor's pages: the queue and a library's review page (decide evidence, adjust
requirement targets with a reason, award the certificate)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.auth import current_identity
from gateway.portal.actions import certificate_actions, plan_actions
from gateway.portal.base import bp, require, signed_in, svc, tell, try_svc
from gateway.portal.l10n import form_date, lang, small_int


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
    who = current_identity()
    return render_template("review_library.html", library_id=library_id, library=library, progress=progress,
                           submitted=submitted, certificate=certificate, plan=plan,
                           decisions=certificate_actions(certificate.data if certificate is not None and certificate.ok
                                                         and isinstance(certificate.data, dict) else None, who),
                           plan_allowed=plan_actions(plan.data if plan is not None and plan.ok
                                                     and isinstance(plan.data, dict) else {}, who, library_id))


@bp.post("/vurdering/<library_id>/handleplan")
@signed_in
def review_plan(library_id: str):
    require("action_plan.review", library_id)
    # The decision is the assessor's: none given is the service's to refuse (naming the field).
    payload = {name: request.form[name] for name in ("decision",) if name in request.form}
    if request.form.get("comment"):
        payload["comment"] = request.form["comment"]
    answer = svc("evidence", "POST", f"/libraries/{library_id}/action-plan/review", json=payload)
    tell(answer, _("Afgørelsen om handleplanen er gemt."))
    return redirect(url_for("portal.review_library", library_id=library_id))


@bp.post("/vurdering/aktivitet/<evidence_id>")
@signed_in
def review_evidence(evidence_id: str):
    require("evidence.review")
    payload: dict[str, object] = {name: request.form[name] for name in ("decision",) if name in request.form}
    if request.form.get("comment", "").strip():
        payload["comment"] = request.form["comment"].strip()
    if request.form.get("deadline", "").strip():
        payload["deadline"] = form_date(request.form["deadline"])
    if small_int(request.form.get("revision")) is not None:
        payload["revision"] = small_int(request.form.get("revision"))
    answer = svc("evidence", "POST", f"/evidence/{evidence_id}/review", json=payload)
    library_id = request.form.get("library_id", "")
    tell(answer, _("Afgørelsen er gemt."))
    return redirect(url_for("portal.review_library", library_id=library_id))


@bp.post("/vurdering/<library_id>/krav/<requirement_id>")
@signed_in
def adjust_requirement(library_id: str, requirement_id: str):
    require("requirements.adjust", library_id)
    target: float | str | None
    try:
        target = float(request.form.get("target", ""))
    except ValueError:
        target = request.form.get("target")
    answer = svc("scoring", "POST", f"/libraries/{library_id}/requirements/{requirement_id}/adjustments",
                 json={"target": target, "reason": request.form.get("reason", "")})
    tell(answer, _("Målet er justeret."))
    return redirect(url_for("portal.review_library", library_id=library_id))


@bp.post("/vurdering/<library_id>/certificering")
@signed_in
def certify(library_id: str):
    require("certification.decide", library_id)
    decision = request.form.get("decision")
    payload = {"decision": decision} if decision is not None else {}
    if request.form.get("reason", "").strip():
        payload["reason"] = request.form["reason"].strip()
    answer = svc("scoring", "POST", f"/libraries/{library_id}/certification", json=payload)
    done = {"award": _("Certifikatet er tildelt."), "renew": _("Certifikatet er fornyet."),
            "check_in": _("Den årlige opfølgning er registreret."),
            "revoke": _("Certifikatet er tilbagekaldt.")}
    tell(answer, done.get(decision or "", _("Afgørelsen er gemt.")))
    return redirect(url_for("portal.review_library", library_id=library_id))
