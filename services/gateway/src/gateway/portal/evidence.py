"""A library's evidence: the list with filters, a new item (nothing is created until its first
save), the form (drafts save as you type; a submitted or approved item only on an explicit
save), the detail page with its thread and audit trail, and the item's changes (submit,
withdraw, delete a draft, share, answer a question)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.auth import current_identity
from gateway.portal import l10n
from gateway.portal.actions import evidence_actions
from gateway.portal.base import bp, require, revision, signed_in, svc, tell, try_svc
from gateway.portal.forms import FormErrors, from_answer
from gateway.portal.l10n import small_int
from shared.vocabulary import DRAFT, EVIDENCE_STATUSES

LIST_FILTERS = ("status", "kind", "dimension", "q", "page")
# The service's field names -> the form's input ids (a group's first box for a list of boxes).
EVIDENCE_INPUTS = {"title": "title", "description": "description", "kind": "kind", "dimension": "dimension",
                   "date": "date", "participants": "participants", "sdgs": "sdgs-1",
                   "age_groups": "age_groups-children", "partners": "partners", "co_created": "co_created",
                   "before": "before", "after": "after", "unit": "unit", "staff_share": "staff_share",
                   "public": "public", "revision": "title", "links": "description"}


@bp.get("/bibliotek/<library_id>/aktiviteter")
@signed_in
def evidence_list(library_id: str):
    require("evidence.read", library_id)
    filters = {k: v for k, v in request.args.items() if k in LIST_FILTERS and v}
    if filters.get("status") not in (None, *EVIDENCE_STATUSES):
        filters.pop("status")
    answer = svc("evidence", "GET", f"/libraries/{library_id}/evidence", params={**filters, "per_page": 25})
    return render_template("evidence_list.html", library_id=library_id, answer=answer, filters=filters)


@bp.route("/bibliotek/<library_id>/aktiviteter/ny", methods=["GET", "POST"])
@signed_in
def evidence_new(library_id: str):
    """An empty form; the item exists only once the person saves it the first time."""
    require("evidence.create", library_id)
    item: dict = {"library_id": library_id, "status": DRAFT, "kind": request.args.get("kind") or "activity"}
    errors = FormErrors()
    status = 200
    if request.method == "POST":
        body = form_to_evidence(request.form)
        body.pop("revision", None)
        answer = svc("evidence", "POST", f"/libraries/{library_id}/evidence", json=body)
        if answer.ok and isinstance(answer.data, dict) and answer.data.get("id"):
            tell(answer, _("Aktiviteten er gemt som kladde. Den gemmes nu, mens du skriver."))
            return redirect(url_for("portal.evidence_edit", evidence_id=answer.data["id"]))
        item.update(body)
        errors, status = from_answer(answer, EVIDENCE_INPUTS, default_input="title"), answer.status
    return render_template("evidence_form.html", item=item, errors=errors, new=True,
                           allowed=["edit"]), status


def _item(evidence_id: str, action: str) -> dict:
    answer = svc("evidence", "GET", f"/evidence/{evidence_id}")
    if not answer.ok or not isinstance(answer.data, dict):
        abort(404)
    require(action, answer.data.get("library_id") or "?")
    return answer.data


def _may(item: dict, action: str) -> None:
    if action not in evidence_actions(item, current_identity()):
        abort(403)


@bp.get("/evidens/<evidence_id>")
@signed_in
def evidence_detail(evidence_id: str):
    item = _item(evidence_id, "evidence.read")
    thread = try_svc("evidence", "GET", f"/evidence/{evidence_id}/thread")
    audit = try_svc("evidence", "GET", f"/evidence/{evidence_id}/audit")
    return render_template("evidence_detail.html", item=item, thread=thread, audit=audit,
                           partners=partner_names(item.get("partners")),
                           allowed=evidence_actions(item, current_identity()))


def partner_names(partners) -> list[str]:
    return [p.get("name", "") if isinstance(p, dict) else str(p) for p in partners or []]


@bp.route("/evidens/<evidence_id>/rediger", methods=["GET", "POST"])
@signed_in
def evidence_edit(evidence_id: str):
    item = _item(evidence_id, "evidence.update")
    errors, status = FormErrors(), 200
    if request.method == "POST":  # an explicit save (the only way a submitted or approved item changes)
        _may(item, "edit")
        body = form_to_evidence(request.form)
        answer = svc("evidence", "PATCH", f"/evidence/{evidence_id}", json=body)
        if answer.ok:
            tell(answer, _("Ændringerne er gemt."))
            return redirect(url_for("portal.evidence_detail", evidence_id=evidence_id))
        errors, status = from_answer(answer, EVIDENCE_INPUTS, default_input="title"), answer.status
        item = {**item, **body, "partners": body.get("partners", [])}
    return render_template("evidence_form.html", item=item, errors=errors, new=False,
                           allowed=evidence_actions(item, current_identity())), status


def form_to_evidence(form) -> dict:
    """Turn the evidence form into the API's body (the same rules as the page's script)."""
    participants = l10n.form_number(form.get("participants"))
    body = {
        "revision": small_int(form.get("revision")) or 0,
        "kind": form.get("kind") or "activity", "title": form.get("title", "").strip(),
        "description": form.get("description", "").strip(),
        "dimension": form.get("dimension") or None, "date": l10n.form_date(form.get("date")),
        "sdgs": [n for n in map(small_int, form.getlist("sdgs")) if n is not None],
        "participants": participants,
        "age_groups": form.getlist("age_groups"),
        "partners": [p.strip() for p in form.get("partners", "").split(",") if p.strip()],
        "co_created": form.get("co_created") == "on",
        "public": form.get("public") == "on",
    }
    for name in ("before", "after", "staff_share"):
        value = l10n.form_number(form.get(name))
        if value is not None:
            body[name] = value
    if form.get("unit", "").strip():
        body["unit"] = form["unit"].strip()
    return body


@bp.post("/evidens/<evidence_id>/indsend")
@signed_in
def evidence_submit(evidence_id: str):
    item = _item(evidence_id, "evidence.submit")
    _may(item, "submit")
    answer = svc("evidence", "POST", f"/evidence/{evidence_id}/submit", json={"revision": item.get("revision")})
    if not answer.ok and answer.status == 422:
        # Say what is missing beside each field of the form (nothing was submitted).
        return render_template("evidence_form.html", item=item, new=False, allowed=evidence_actions(
            item, current_identity()), errors=from_answer(answer, EVIDENCE_INPUTS, default_input="title")), 422
    tell(answer, _("Aktiviteten er indsendt til vurdering."))
    return redirect(url_for("portal.evidence_detail", evidence_id=evidence_id))


@bp.post("/evidens/<evidence_id>/traek-tilbage")
@signed_in
def evidence_withdraw(evidence_id: str):
    item = _item(evidence_id, "evidence.submit")
    _may(item, "withdraw")
    body: dict[str, object] = {"revision": revision(item.get("revision"))}
    if request.form.get("reason", "").strip():
        body["reason"] = request.form["reason"].strip()
    tell(svc("evidence", "POST", f"/evidence/{evidence_id}/withdraw", json=body),
         _("Aktiviteten er trukket tilbage. Du kan rette den og indsende den igen."))
    return redirect(url_for("portal.evidence_detail", evidence_id=evidence_id))


@bp.post("/evidens/<evidence_id>/slet")
@signed_in
def evidence_delete(evidence_id: str):
    """Delete a draft (submitted and approved items are withdrawn instead, keeping their history)."""
    item = _item(evidence_id, "evidence.update")
    _may(item, "delete")
    answer = svc("evidence", "DELETE", f"/evidence/{evidence_id}",
                 json={"revision": revision(item.get("revision"))})
    if tell(answer, _("Kladden er slettet.")):
        return redirect(url_for("portal.evidence_list", library_id=item.get("library_id")))
    return redirect(url_for("portal.evidence_detail", evidence_id=evidence_id))


@bp.post("/evidens/<evidence_id>/del")
@signed_in
def evidence_share(evidence_id: str):
    item = _item(evidence_id, "evidence.update")
    _may(item, "share")
    tell(svc("evidence", "POST", f"/evidence/{evidence_id}/share", json={"revision": item.get("revision")}),
         _("Aktiviteten er delt med de andre biblioteker."))
    return redirect(url_for("portal.evidence_detail", evidence_id=evidence_id))


def answer_changes(form, item: dict) -> dict:
    """The fields the library changed while answering a question (only those that differ)."""
    changes: dict = {}
    if form.get("title") is not None and form["title"].strip() != (item.get("title") or ""):
        changes["title"] = form["title"].strip()
    if form.get("description") is not None and form["description"].strip() != (item.get("description") or ""):
        changes["description"] = form["description"].strip()
    if form.get("date") is not None and l10n.form_date(form["date"]) != item.get("date"):
        changes["date"] = l10n.form_date(form["date"])
    if form.get("participants") is not None:
        value = l10n.form_number(form["participants"])
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
    item = _item(evidence_id, "thread.post")
    _may(item, "answer")
    body = {"message": request.form.get("message", ""), "answer": True,
            "revision": revision(item.get("revision"))}
    changes = answer_changes(request.form, item)
    if changes:
        body["changes"] = changes
    tell(svc("evidence", "POST", f"/evidence/{evidence_id}/thread", json=body),
         _("Dit svar er sendt, og aktiviteten er indsendt igen."))
    return redirect(url_for("portal.evidence_detail", evidence_id=evidence_id) + "#traad")


@bp.post("/evidens/<evidence_id>/traad")
@signed_in
def thread_post(evidence_id: str):
    _item(evidence_id, "thread.post")
    tell(svc("evidence", "POST", f"/evidence/{evidence_id}/thread",
             json={"message": request.form.get("message", ""), "answer": request.form.get("answer") == "on"}),
         _("Beskeden er sendt."))
    return redirect(url_for("portal.evidence_detail", evidence_id=evidence_id) + "#traad")
