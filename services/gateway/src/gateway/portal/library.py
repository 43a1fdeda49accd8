"""A library's own pages: dashboard, evidence list and form, evidence detail with its thread,
the team and the action plan."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from gateway.auth import current_identity
from gateway.client import ServiceUnavailable
from gateway.core import gw
from gateway.portal.base import (
    AGE_GROUPS,
    DIMENSIONS,
    KINDS,
    STATUSES,
    Answer,
    bp,
    check_csrf,
    require,
    signed_in,
    svc,
    tell,
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
    # The three answers are fetched at once (client.get_many); the library's details (rarely changed, the same for
    # everyone allowed here) may be up to client.LIBRARY_TTL seconds old (see gateway/client.py).
    require("progress.read", library_id)
    client, who = gw().client, current_identity()

    def answer(resp) -> Answer | None:
        if isinstance(resp, ServiceUnavailable):
            return None
        if isinstance(resp, Exception):
            raise resp
        try:
            return Answer(resp.status_code, resp.json())
        except ValueError:
            return Answer(resp.status_code, None)

    details = f"/libraries/{library_id}"
    calls = [("scoring", f"/libraries/{library_id}/progress", who, {"lang": lang()}),
             ("evidence", f"/libraries/{library_id}/evidence", who, {"per_page": 5, "summary": 1})]
    cached = client.cache.get(("registration", details))
    if cached is None:
        calls.append(("registration", details, who, None))
    progress, recent, *rest = client.get_many(calls)
    if rest and not isinstance(rest[0], Exception) and rest[0].status_code == 200:
        client.cache.put(("registration", details), rest[0])
    library, progress, recent = answer(rest[0] if rest else cached), answer(progress), answer(recent)
    if library is not None and library.status == 404:
        abort(404)
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
    audit = try_svc("evidence", "GET", f"/evidence/{evidence_id}/audit")
    return render_template("evidence_detail.html", item=item, thread=thread, audit=audit,
                           partners=partner_names(item.get("partners")))


def partner_names(partners) -> list[str]:
    return [p.get("name", "") if isinstance(p, dict) else str(p) for p in partners or []]


@bp.post("/evidens/<evidence_id>/traek-tilbage")
@signed_in
def evidence_withdraw(evidence_id: str):
    check_csrf()
    item = _item(evidence_id, "evidence.submit")
    body: dict[str, object] = {"revision": int(request.form.get("revision") or item.get("revision") or 0)}
    if request.form.get("reason", "").strip():
        body["reason"] = request.form["reason"].strip()
    tell(svc("evidence", "POST", f"/evidence/{evidence_id}/withdraw", json=body),
         "Aktiviteten er trukket tilbage. Du kan rette den og indsende den igen.")
    return redirect(url_for("portal.evidence_detail", evidence_id=evidence_id))


@bp.post("/evidens/<evidence_id>/del")
@signed_in
def evidence_share(evidence_id: str):
    check_csrf()
    item = _item(evidence_id, "evidence.update")
    tell(svc("evidence", "POST", f"/evidence/{evidence_id}/share", json={"revision": item.get("revision")}),
         "Aktiviteten er delt med de andre biblioteker.")
    return redirect(url_for("portal.evidence_detail", evidence_id=evidence_id))


ANSWER_FIELDS = ("title", "description", "date", "participants", "partners")


def answer_changes(form, item: dict) -> dict:
    """The fields the library changed while answering a question (only those that differ)."""
    changes: dict = {}
    if form.get("title") is not None and form["title"].strip() != (item.get("title") or ""):
        changes["title"] = form["title"].strip()
    if form.get("description") is not None and form["description"].strip() != (item.get("description") or ""):
        changes["description"] = form["description"].strip()
    if form.get("date") is not None and (form["date"] or None) != item.get("date"):
        changes["date"] = form["date"] or None
    if form.get("participants") is not None:
        text = form["participants"].strip()
        value = int(text) if text.isdigit() else (None if not text else text)
        if value != item.get("participants"):
            changes["participants"] = value
    if form.get("partners") is not None:
        names = [p.strip() for p in form["partners"].split(",") if p.strip()]
        if names != partner_names(item.get("partners")):
            changes["partners"] = names
    return changes


@bp.post("/evidens/<evidence_id>/svar")
@signed_in
def clarification_answer(evidence_id: str):
    check_csrf()
    item = _item(evidence_id, "thread.post")
    body = {"message": request.form.get("message", ""), "answer": True,
            "revision": int(request.form.get("revision") or item.get("revision") or 0)}
    changes = answer_changes(request.form, item)
    if changes:
        body["changes"] = changes
    tell(svc("evidence", "POST", f"/evidence/{evidence_id}/thread", json=body),
         "Dit svar er sendt, og aktiviteten er indsendt igen.")
    return redirect(url_for("portal.evidence_detail", evidence_id=evidence_id) + "#traad")


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
    tell(svc("evidence", "POST", f"/evidence/{evidence_id}/thread",
             json={"message": request.form.get("message", ""), "answer": request.form.get("answer") == "on"}),
         "Beskeden er sendt.")
    return redirect(url_for("portal.evidence_detail", evidence_id=evidence_id) + "#traad")


@bp.route("/bibliotek/<library_id>/team", methods=["GET", "POST"])
@signed_in
def team(library_id: str):
    require("team.read", library_id)
    if request.method == "POST":
        check_csrf()
        require("invitation.create", library_id)
        answer = svc("registration", "POST", "/invitations", json={
            "email": request.form.get("email", "").strip(), "name": request.form.get("name", "").strip(),
            "role": request.form.get("role", "member"), "library_id": library_id,
            "language": request.form.get("language") if request.form.get("language") in ("da", "en") else "da"})
        tell(answer, "Invitationen er sendt.")
        return redirect(url_for("portal.team", library_id=library_id))
    people = svc("registration", "GET", f"/libraries/{library_id}/people")
    return render_template("team.html", library_id=library_id, people=people)


TEAM_ACTIONS = {
    "role": "Rollen er ændret.",
    "deactivate": "Personen er deaktiveret og kan ikke længere logge ind.",
    "reactivate": "Personen er genaktiveret og kan logge ind igen med sin gamle adgangskode.",
    "resend": "Invitationen er sendt igen. Det gamle link virker ikke længere.",
    "revoke": "Invitationen er tilbagekaldt.",
}
TEAM_PERMISSIONS = {"resend": "invitation.create", "revoke": "invitation.create", "reactivate": "person.reactivate"}


def _colleague(library_id: str, person_id: str) -> tuple[dict | None, bool]:
    """(the person if they belong to this library, whether registration said "not found")."""
    person = svc("registration", "GET", f"/people/{person_id}")
    if person.ok and (person.data or {}).get("library_id") == library_id:
        return person.data, False
    return None, person.status == 404


@bp.post("/bibliotek/<library_id>/team/<person_id>")
@signed_in
def team_change(library_id: str, person_id: str):
    """Change a colleague's role, deactivate (after confirming) or reactivate them, or resend or
    revoke their invitation."""
    check_csrf()
    action = request.form.get("action", "")
    if action not in TEAM_ACTIONS:
        abort(400)
    require(TEAM_PERMISSIONS.get(action, "person.role_change"), library_id)
    person, not_found = _colleague(library_id, person_id)
    if person is None:
        if action != "reactivate" or not not_found:
            abort(404)
        # Not visible, perhaps erased meanwhile: registration answers from the signed identity,
        # 409 "erased, cannot be reactivated" for this library's own people, 404 for anyone else.
        answer = svc("registration", "POST", f"/people/{person_id}/reactivate")
        if answer.status == 404:
            abort(404)
        tell(answer, TEAM_ACTIONS[action])
        return redirect(url_for("portal.team", library_id=library_id))
    if action == "deactivate" and request.form.get("confirmed") != "ja":
        # Deactivation is asked about first, on a page of its own (no script needed).
        return redirect(url_for("portal.team_deactivate", library_id=library_id, person_id=person_id), 303)
    if action == "role":
        role = request.form.get("role", "")
        if role not in ("coordinator", "member"):
            abort(400)
        answer = svc("registration", "PATCH", f"/people/{person_id}", json={"role": role})
    elif action == "deactivate":
        answer = svc("registration", "PATCH", f"/people/{person_id}", json={"active": False})
    elif action == "reactivate":
        answer = svc("registration", "POST", f"/people/{person_id}/reactivate")
    elif action == "resend":
        answer = svc("registration", "POST", f"/invitations/{person_id}/resend")
    else:
        answer = svc("registration", "DELETE", f"/invitations/{person_id}")
    tell(answer, TEAM_ACTIONS[action])
    return redirect(url_for("portal.team", library_id=library_id))


@bp.get("/bibliotek/<library_id>/team/<person_id>/deaktiver")
@signed_in
def team_deactivate(library_id: str, person_id: str):
    """Ask before deactivating a colleague: the page's form posts the change with its CSRF token."""
    require("person.role_change", library_id)
    person, _ = _colleague(library_id, person_id)
    if person is None:
        abort(404)
    if person.get("status") not in ("active", "pending"):
        return redirect(url_for("portal.team", library_id=library_id))
    return render_template("team_deactivate.html", library_id=library_id, person=person)


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
    require("shared_case.read")
    filters = {k: v for k, v in request.args.items() if k in ("q", "dimension", "sdg", "page") and v}
    if "sdg" in filters and not (filters["sdg"].isdigit() and 1 <= int(filters["sdg"]) <= 17):
        filters.pop("sdg")
    if "dimension" in filters and filters["dimension"] not in DIMENSIONS:
        filters.pop("dimension")
    answer = svc("evidence", "GET", "/shared-cases", params={**filters, "per_page": 20})
    return render_template("shared_cases.html", answer=answer, filters=filters)


@bp.post("/delte-cases/<case_id>/kopier")
@signed_in
def copy_case(case_id: str):
    """Copy a shared case as a new draft of evidence, or as a goal of our action plan."""
    check_csrf()
    library_id = _own_library()
    require("shared_case.copy", library_id)
    into = "plan" if request.form.get("into") == "plan" else "evidence"
    answer = svc("evidence", "POST", f"/shared-cases/{case_id}/copy", json={"library_id": library_id, "into": into})
    if into == "plan":
        if tell(answer, "Erfaringen er kopieret ind i jeres handleplan som et nyt mål."):
            return redirect(url_for("portal.action_plan", library_id=library_id))
        return redirect(url_for("portal.shared_cases"))
    if answer.ok and isinstance(answer.data, dict) and answer.data.get("id"):
        tell(answer, "Erfaringen er kopieret som en ny kladde. Ret den til, så den passer til jer.")
        return redirect(url_for("portal.evidence_edit", evidence_id=answer.data["id"]))
    tell(answer, "")
    return redirect(url_for("portal.shared_cases"))


__all__ = ["STATUSES"]
