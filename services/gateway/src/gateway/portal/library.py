"""A library's own pages: dashboard, evidence list and form, evidence detail with its thread,
the team and the action plan."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from gateway.auth import current_identity
from gateway.portal.base import (
    AGE_GROUPS,
    DIMENSIONS,
    KINDS,
    STATUSES,
    bp,
    check_csrf,
    require,
    signed_in,
    svc,
    try_svc,
)
from gateway.portal.i18n import lang


def _own_library() -> str:
    who = current_identity()
    if not who.library_id:
        abort(404)
    return who.library_id


@bp.get("/bibliotek")
@signed_in
def dashboard():
    return redirect(url_for("portal.library_dashboard", library_id=_own_library()))


@bp.get("/bibliotek/<library_id>")
@signed_in
def library_dashboard(library_id: str):
    require("progress.read", library_id)
    library = try_svc("registration", "GET", f"/libraries/{library_id}")
    if library is not None and library.status == 404:
        abort(404)
    progress = try_svc("scoring", "GET", f"/libraries/{library_id}/progress", params={"lang": lang()})
    recent = try_svc("evidence", "GET", f"/libraries/{library_id}/evidence", params={"per_page": 5})
    return render_template("dashboard.html", library_id=library_id, library=library, progress=progress,
                           recent=recent)


@bp.get("/bibliotek/<library_id>/aktiviteter")
@signed_in
def evidence_list(library_id: str):
    require("evidence.read", library_id)
    filters = {k: v for k, v in request.args.items() if k in ("status", "kind", "dimension", "q", "page") and v}
    answer = svc("evidence", "GET", f"/libraries/{library_id}/evidence", params={**filters, "per_page": 25})
    return render_template("evidence_list.html", library_id=library_id, answer=answer, filters=filters)


@bp.post("/bibliotek/<library_id>/aktiviteter/ny")
@signed_in
def evidence_new(library_id: str):
    check_csrf()
    require("evidence.create", library_id)
    payload = {"kind": request.form.get("kind") or "activity", "title": request.form.get("title") or "Ny aktivitet",
               "dimension": request.form.get("dimension") or "formidling"}
    answer = svc("evidence", "POST", f"/libraries/{library_id}/evidence", json=payload)
    if not answer.ok:
        return render_template("message.html", title="Fejl", message=answer.detail), answer.status
    return redirect(url_for("portal.evidence_edit", evidence_id=answer.data["id"]))


def _item(evidence_id: str, action: str) -> dict:
    answer = svc("evidence", "GET", f"/evidence/{evidence_id}")
    if not answer.ok:
        abort(404)
    require(action, answer.data.get("library_id") or "?")
    return answer.data


@bp.get("/evidens/<evidence_id>")
@signed_in
def evidence_detail(evidence_id: str):
    item = _item(evidence_id, "evidence.read")
    thread = try_svc("evidence", "GET", f"/evidence/{evidence_id}/thread")
    return render_template("evidence_detail.html", item=item, thread=thread)


@bp.route("/evidens/<evidence_id>/rediger", methods=["GET", "POST"])
@signed_in
def evidence_edit(evidence_id: str):
    item = _item(evidence_id, "evidence.update")
    error = None
    if request.method == "POST":  # the form also works without JavaScript
        check_csrf()
        answer = svc("evidence", "PATCH", f"/evidence/{evidence_id}", json=form_to_evidence(request.form))
        if answer.ok:
            return redirect(url_for("portal.evidence_detail", evidence_id=evidence_id))
        error = answer.detail
    return render_template("evidence_form.html", item=item, error=error, kinds=KINDS, dimensions=DIMENSIONS,
                           age_groups=AGE_GROUPS)


def form_to_evidence(form) -> dict:
    """Turn the evidence form into the API's body (the same rules as the page's script)."""
    participants = form.get("participants", "").strip()
    return {
        "revision": int(form.get("revision", "0") or 0),
        "kind": form.get("kind"), "title": form.get("title", ""), "description": form.get("description", ""),
        "dimension": form.get("dimension"), "date": form.get("date") or None,
        "sdgs": [int(v) for v in form.getlist("sdgs") if v.isdigit()],
        "participants": int(participants) if participants.isdigit() else None,
        "age_groups": form.getlist("age_groups"),
        "partners": [p.strip() for p in form.get("partners", "").split(",") if p.strip()],
        "co_created": form.get("co_created") == "on",
        "public": form.get("public") == "on",
        **{name: float(form[name].replace(",", ".")) for name in ("before", "after", "staff_share")
           if _is_number(form.get(name, ""))},
        **({"unit": form["unit"].strip()} if form.get("unit", "").strip() else {}),
    }


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
        return True
    except ValueError:
        return False


@bp.post("/evidens/<evidence_id>/indsend")
@signed_in
def evidence_submit(evidence_id: str):
    check_csrf()
    item = _item(evidence_id, "evidence.submit")
    answer = svc("evidence", "POST", f"/evidence/{evidence_id}/submit", json={"revision": item.get("revision")})
    if not answer.ok:
        return render_template("message.html", title="Kunne ikke indsende", message=answer.detail), answer.status
    return redirect(url_for("portal.evidence_detail", evidence_id=evidence_id))


@bp.post("/evidens/<evidence_id>/traad")
@signed_in
def thread_post(evidence_id: str):
    check_csrf()
    _item(evidence_id, "thread.post")
    svc("evidence", "POST", f"/evidence/{evidence_id}/thread",
        json={"message": request.form.get("message", ""), "answer": request.form.get("answer") == "on"})
    return redirect(url_for("portal.evidence_detail", evidence_id=evidence_id) + "#traad")


@bp.route("/bibliotek/<library_id>/team", methods=["GET", "POST"])
@signed_in
def team(library_id: str):
    require("team.read", library_id)
    message = error = None
    if request.method == "POST":
        check_csrf()
        require("invitation.create", library_id)
        answer = svc("registration", "POST", "/invitations", json={
            "email": request.form.get("email", "").strip(), "name": request.form.get("name", "").strip(),
            "role": request.form.get("role", "member"), "library_id": library_id})
        if answer.ok:
            message = "Invitationen er sendt."
        else:
            error = answer.detail
    people = svc("registration", "GET", f"/libraries/{library_id}/people")
    return render_template("team.html", library_id=library_id, people=people, message=message, error=error)


@bp.route("/bibliotek/<library_id>/handleplan", methods=["GET", "POST"])
@signed_in
def action_plan(library_id: str):
    require("action_plan.read", library_id)
    error = message = None
    if request.method == "POST":
        check_csrf()
        require("action_plan.edit", library_id)
        goals = [{"dimension": d, "title": request.form.get(f"goal_{d}", "").strip(),
                  "sdgs": [int(v) for v in request.form.getlist(f"sdgs_{d}") if v.isdigit()]}
                 for d in DIMENSIONS]
        body = {"goals": [g for g in goals if g["title"]], "revision": int(request.form.get("revision") or 0)}
        if request.form.get("start_year", "").isdigit():
            body["start_year"] = int(request.form["start_year"])
        answer = svc("evidence", "PUT", f"/libraries/{library_id}/action-plan", json=body)
        if answer.ok and request.form.get("submit") == "1":
            answer = svc("evidence", "POST", f"/libraries/{library_id}/action-plan/submit",
                         json={"revision": answer.data.get("revision")})
        message, error = ("Handleplanen er gemt.", None) if answer.ok else (None, answer.detail)
    plan = svc("evidence", "GET", f"/libraries/{library_id}/action-plan")
    return render_template("action_plan.html", library_id=library_id, plan=plan, error=error, message=message)


@bp.get("/delte-cases")
@signed_in
def shared_cases():
    answer = svc("evidence", "GET", "/shared-cases", params={"q": request.args.get("q", "")})
    return render_template("shared_cases.html", answer=answer)


@bp.post("/delte-cases/<case_id>/kopier")
@signed_in
def copy_case(case_id: str):
    check_csrf()
    library_id = _own_library()
    require("shared_case.copy", library_id)
    answer = svc("evidence", "POST", f"/shared-cases/{case_id}/copy", json={"library_id": library_id})
    if answer.ok and isinstance(answer.data, dict) and answer.data.get("id"):
        return redirect(url_for("portal.evidence_edit", evidence_id=answer.data["id"]))
    return render_template("message.html", title="Kunne ikke kopiere", message=answer.detail), answer.status


__all__ = ["STATUSES"]
