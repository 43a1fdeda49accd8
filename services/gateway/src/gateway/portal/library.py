"""A library's own pages: the dashboard (the path to the certificate as a task list), the team,
the action plan (every goal shown and kept; "Tjek dine svar" before it is submitted) and the
shared cases of other libraries."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.auth import current_identity
from gateway.client import ServiceUnavailable
from gateway.core import gw
from gateway.portal.actions import plan_actions
from gateway.portal.base import Answer, bp, require, revision, signed_in, svc, tell
from gateway.portal.forms import FormErrors, from_answer
from gateway.portal.l10n import LANGUAGES, lang, small_int
from shared.vocabulary import DIMENSIONS, SDGS


def _own_library() -> str:
    who = current_identity()
    if not who.library_id:
        abort(404)
    return who.library_id


@bp.get("/bibliotek")
@signed_in
def dashboard():
    return redirect(url_for("portal.library_dashboard", library_id=_own_library()))


def _answer(resp) -> Answer | None:
    if isinstance(resp, ServiceUnavailable):
        return None
    if isinstance(resp, Exception):
        raise resp
    try:
        return Answer(resp.status_code, resp.json())
    except ValueError:
        return Answer(resp.status_code, None)


@bp.get("/bibliotek/<library_id>")
@signed_in
def library_dashboard(library_id: str):
    # The answers are fetched at once (client.get_many); the library's details (rarely changed, the same for
    # everyone allowed here) may be up to client.LIBRARY_TTL seconds old (see gateway/client.py).
    require("progress.read", library_id)
    client, who = gw().client, current_identity()
    details = f"/libraries/{library_id}"
    calls = [("scoring", f"/libraries/{library_id}/progress", who, {"lang": lang()}),
             ("evidence", f"/libraries/{library_id}/evidence", who, {"per_page": 5, "summary": 1}),
             ("evidence", f"/libraries/{library_id}/action-plan", who, None)]
    cached = client.cache.get(("registration", details))
    if cached is None:
        calls.append(("registration", details, who, None))
    progress, recent, plan, *rest = client.get_many(calls)
    if rest and not isinstance(rest[0], Exception) and rest[0].status_code == 200:
        client.cache.put(("registration", details), rest[0])
    library = _answer(rest[0] if rest else cached)
    if library is not None and library.status == 404:
        abort(404)
    return render_template("dashboard.html", library_id=library_id, library=library, progress=_answer(progress),
                           recent=_answer(recent), plan=_answer(plan))


@bp.route("/bibliotek/<library_id>/team", methods=["GET", "POST"])
@signed_in
def team(library_id: str):
    require("team.read", library_id)
    errors, invite, status = FormErrors(), {}, 200
    if request.method == "POST":
        require("invitation.create", library_id)
        invite = {"email": request.form.get("email", "").strip(), "name": request.form.get("name", "").strip(),
                  "role": request.form.get("role", "member"),
                  "language": request.form.get("language") if request.form.get("language") in LANGUAGES else "da"}
        answer = svc("registration", "POST", "/invitations", json={**invite, "library_id": library_id})
        if tell(answer, _("Invitationen er sendt.")):
            return redirect(url_for("portal.team", library_id=library_id))
        errors, status = from_answer(answer, INVITE_INPUTS, default_input="inv-email"), answer.status
    people = svc("registration", "GET", f"/libraries/{library_id}/people")
    return render_template("team.html", library_id=library_id, people=people, errors=errors, invite=invite), status


TEAM_ACTIONS = {
    "role": _l("Rollen er ændret."),
    "deactivate": _l("Personen er deaktiveret og kan ikke længere logge ind."),
    "reactivate": _l("Personen er genaktiveret og kan logge ind igen med sin gamle adgangskode."),
    "resend": _l("Invitationen er sendt igen. Det gamle link virker ikke længere."),
    "revoke": _l("Invitationen er tilbagekaldt."),
}
INVITE_INPUTS = {"email": "inv-email", "name": "inv-name", "role": "inv-role", "language": "inv-lang"}
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
        tell(answer, str(TEAM_ACTIONS[action]))
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
    tell(answer, str(TEAM_ACTIONS[action]))
    return redirect(url_for("portal.team", library_id=library_id))


@bp.get("/bibliotek/<library_id>/team/<person_id>/deaktiver")
@signed_in
def team_deactivate(library_id: str, person_id: str):
    """Ask before deactivating a colleague: the page's form posts the change with its CSRF token."""
    require("person.role_change", library_id)
    person, _unseen = _colleague(library_id, person_id)
    if person is None:
        abort(404)
    if person.get("status") not in ("active", "pending"):
        return redirect(url_for("portal.team", library_id=library_id))
    return render_template("team_deactivate.html", library_id=library_id, person=person)


# -- the action plan: every goal of each dimension, a new one, and "Tjek dine svar" ----------------

NEW_GOALS_PER_DIMENSION = 1


def plan_goals(plan: dict, indexed: list[tuple[int | None, dict]] | None = None) -> list[dict]:
    """The plan's goals in dimension order, each with its index in the saved plan (`indexed`:
    goals the form sent back, with the saved index each came from)."""
    if indexed is None:
        indexed = [(i, g) for i, g in enumerate(plan.get("goals") or []) if isinstance(g, dict)]
    goals = [dict(g, index=i) if i is not None else dict(g) for i, g in indexed]
    return sorted(goals, key=lambda g: (DIMENSIONS.index(g["dimension"]) if g.get("dimension") in DIMENSIONS
                                        else len(DIMENSIONS), g.get("index", len(goals))))


def goals_from_form(form, saved: list) -> list[tuple[int | None, dict]]:
    """Every goal the form shows with its index in the saved plan (None for a new one), merged
    into what the plan held (fields the form does not show are kept), in the form's order; a
    goal whose title was emptied is left out."""
    goals: list[tuple[int | None, dict]] = []
    for key in sorted({k.split("-")[1] for k in form if k.startswith("goal-") and k.endswith("-title")},
                      key=lambda n: small_int(n) or 0):
        title = form.get(f"goal-{key}-title", "").strip()
        if not title:
            continue
        source = form.get(f"goal-{key}-index", "")
        index = small_int(source) if (small_int(source) or 0) < len(saved) else None
        base = dict(saved[index]) if index is not None and isinstance(saved[index], dict) else {}
        dimension = form.get(f"goal-{key}-dimension") or base.get("dimension")
        goals.append((index, {**base, "dimension": dimension, "title": title, "sdgs": [
            n for n in map(small_int, form.getlist(f"goal-{key}-sdgs")) if n in SDGS]}))
    return goals


@bp.route("/bibliotek/<library_id>/handleplan", methods=["GET", "POST"])
@signed_in
def action_plan(library_id: str):
    require("action_plan.read", library_id)
    errors, status = FormErrors(), 200
    plan = svc("evidence", "GET", f"/libraries/{library_id}/action-plan")
    saved = plan.data if plan.ok and isinstance(plan.data, dict) else {}
    indexed = None
    if request.method == "POST":
        require("action_plan.edit", library_id)
        indexed = goals_from_form(request.form, list(saved.get("goals") or []))
        body: dict = {"goals": [goal for _index, goal in indexed],
                      "revision": revision()}
        start = request.form.get("start_year", "").strip()
        if start:
            body["start_year"] = small_int(start) if small_int(start) is not None else start
        answer = svc("evidence", "PUT", f"/libraries/{library_id}/action-plan", json=body)
        if answer.ok:
            if request.form.get("next") == "check":
                return redirect(url_for("portal.action_plan_check", library_id=library_id))
            tell(answer, _("Handleplanen er gemt."))
            return redirect(url_for("portal.action_plan", library_id=library_id))
        errors, status = from_answer(answer, {"start_year": "start_year", "goals": "goal-0-title"},
                                     default_input="start_year"), answer.status
        saved = {**saved, **body, "goals": body["goals"]}
    return render_template("action_plan.html", library_id=library_id, plan=plan, saved=saved,
                           goals=plan_goals(saved, indexed), errors=errors, new_goals=NEW_GOALS_PER_DIMENSION,
                           allowed=plan_actions(saved, current_identity(), library_id)), status


@bp.get("/bibliotek/<library_id>/handleplan/tjek")
@signed_in
def action_plan_check(library_id: str):
    """Tjek dine svar: the saved plan as it will be submitted, with a way back to correct it."""
    require("action_plan.edit", library_id)
    plan = svc("evidence", "GET", f"/libraries/{library_id}/action-plan")
    saved = plan.data if plan.ok and isinstance(plan.data, dict) else {}
    return render_template("action_plan_check.html", library_id=library_id, saved=saved, goals=plan_goals(saved))


@bp.post("/bibliotek/<library_id>/handleplan/indsend")
@signed_in
def action_plan_submit(library_id: str):
    require("action_plan.edit", library_id)
    answer = svc("evidence", "POST", f"/libraries/{library_id}/action-plan/submit",
                 json={"revision": revision()})
    if tell(answer, _("Handleplanen er indsendt til godkendelse.")):
        return redirect(url_for("portal.action_plan", library_id=library_id))
    return redirect(url_for("portal.action_plan_check", library_id=library_id))


@bp.get("/delte-cases")
@signed_in
def shared_cases():
    require("shared_case.read")
    filters = {k: v for k, v in request.args.items() if k in ("q", "dimension", "sdg", "page") and v}
    if "sdg" in filters and (small_int(filters["sdg"]) not in SDGS):
        filters.pop("sdg")
    if "dimension" in filters and filters["dimension"] not in DIMENSIONS:
        filters.pop("dimension")
    answer = svc("evidence", "GET", "/shared-cases", params={**filters, "per_page": 20})
    return render_template("shared_cases.html", answer=answer, filters=filters)


@bp.post("/delte-cases/<case_id>/kopier")
@signed_in
def copy_case(case_id: str):
    """Copy a shared case as a new draft of evidence, or as a goal of our action plan."""
    library_id = _own_library()
    require("shared_case.copy", library_id)
    into = "plan" if request.form.get("into") == "plan" else "evidence"
    answer = svc("evidence", "POST", f"/shared-cases/{case_id}/copy", json={"library_id": library_id, "into": into})
    if into == "plan":
        if tell(answer, _("Erfaringen er kopieret ind i jeres handleplan som et nyt mål.")):
            return redirect(url_for("portal.action_plan", library_id=library_id))
        return redirect(url_for("portal.shared_cases"))
    if answer.ok and isinstance(answer.data, dict) and answer.data.get("id"):
        tell(answer, _("Erfaringen er kopieret som en ny kladde. Ret den til, så den passer til jer."))
        return redirect(url_for("portal.evidence_edit", evidence_id=answer.data["id"]))
    tell(answer, "")
    return redirect(url_for("portal.shared_cases"))
