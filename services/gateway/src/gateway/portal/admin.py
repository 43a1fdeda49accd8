"""The administrator's pages: model versions (draft, edit targets, preview the impact, publish),
cohorts and enrolments, the libraries with filters and each library's enrolment (move, end), national figures with a chart and a CSV
export, and failed mail deliveries with resend."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for

from gateway.auth import current_identity
from gateway.core import gw
from gateway.portal.base import SDG_COLOURS, SDG_NAMES, bp, check_csrf, items_of, require, signed_in, svc, tell, try_svc

REQUIREMENT_FIELDS = ("id", "dimension", "text_da", "text_en", "measure", "target", "weight", "kind", "filters",
                      "scale_by_size", "unit_da", "unit_en")
FIGURE_FILTERS = ("cohort", "municipality", "from", "to")
LIBRARY_FILTERS = ("status", "municipality", "cohort_id")


def _cohorts() -> list[dict]:
    return items_of(try_svc("registration", "GET", "/cohorts"))


@bp.get("/admin")
@signed_in
def admin_home():
    require("library.list")
    figures = try_svc("scoring", "GET", "/figures")
    return render_template("admin.html", figures=figures)


# -- libraries -----------------------------------------------------------------------------------


@bp.get("/admin/biblioteker")
@signed_in
def admin_libraries():
    require("library.list")
    filters = {k: request.args[k].strip() for k in LIBRARY_FILTERS if request.args.get(k, "").strip()}
    if filters.get("status") not in (None, "pending", "active", "withdrawn"):
        filters.pop("status")
    libraries = try_svc("registration", "GET", "/libraries", params=filters)
    municipalities = [m if isinstance(m, str) else m.get("name", "")
                      for m in items_of(try_svc("registration", "GET", "/municipalities"))]
    return render_template("admin_libraries.html", libraries=libraries, filters=filters, cohorts=_cohorts(),
                           municipalities=municipalities)


# -- model versions ------------------------------------------------------------------------------


@bp.get("/admin/modeller")
@signed_in
def admin_models():
    require("models.manage")
    models = svc("scoring", "GET", "/models")
    return render_template("admin_models.html", models=models)


@bp.get("/admin/modeller/<int:version>")
@signed_in
def admin_model(version: int):
    require("models.manage")
    model = svc("scoring", "GET", f"/models/{version}")
    if not model.ok:
        abort(404)
    preview = svc("scoring", "GET", f"/models/{version}/preview") if request.args.get("virkning") else None
    return render_template("admin_model.html", model=model.data, preview=preview)


@bp.get("/admin/modeller/<int:version>/forhaandsvisning")
@signed_in
def admin_model_preview(version: int):
    return redirect(url_for("portal.admin_model", version=version, virkning=1) + "#virkning")


@bp.post("/admin/modeller/<int:version>")
@signed_in
def admin_model_save(version: int):
    """Save changed targets of a draft (the service takes the whole list of requirements)."""
    check_csrf()
    require("models.manage")
    model = svc("scoring", "GET", f"/models/{version}")
    if not model.ok:
        abort(404)
    requirements, changed = [], 0
    for req in model.data.get("requirements") or []:
        body = {k: req.get(k) for k in REQUIREMENT_FIELDS if k in req}
        text = request.form.get(f"target-{req['id']}", "").strip().replace(",", ".")
        if text:
            try:
                target = float(text)
            except ValueError:
                flash("Et mål skal være et tal.", "error")
                return redirect(url_for("portal.admin_model", version=version))
            if target != req.get("target"):
                body["target"], changed = target, changed + 1
        requirements.append(body)
    if changed:
        tell(svc("scoring", "PUT", f"/models/{version}", json={"requirements": requirements}), "Målene er gemt i kladden.")
    return redirect(url_for("portal.admin_model", version=version))


@bp.post("/admin/modeller/<int:version>/udgiv")
@signed_in
def admin_model_publish(version: int):
    check_csrf()
    require("models.manage")
    answer = svc("scoring", "POST", f"/models/{version}/publish", json={})
    tell(answer, "Modelversionen er udgivet, og alle biblioteker er beregnet igen.")
    return redirect(url_for("portal.admin_models"))


@bp.post("/admin/modeller")
@signed_in
def admin_model_draft():
    check_csrf()
    require("models.manage")
    answer = svc("scoring", "POST", "/models", json={})
    if tell(answer, "Kladden er klar. Ret målene, forhåndsvis virkningen og udgiv.") and answer.data.get("version"):
        return redirect(url_for("portal.admin_model", version=answer.data["version"]))
    return redirect(url_for("portal.admin_models"))


# -- cohorts and enrolments ----------------------------------------------------------------------


@bp.route("/admin/kohorter", methods=["GET", "POST"])
@signed_in
def admin_cohorts():
    require("cohorts.manage")
    if request.method == "POST":
        check_csrf()
        body = {"name": request.form.get("name", "").strip()}
        if request.form.get("state") in ("planned", "open"):
            body["state"] = request.form["state"]
        for name in ("start_year", "end_year"):
            text = request.form.get(name, "").strip()
            if text:
                body[name] = int(text) if text.isdigit() else text
        tell(svc("registration", "POST", "/cohorts", json=body), "Kohorten er oprettet.")
        return redirect(url_for("portal.admin_cohorts"))
    libraries = try_svc("registration", "GET", "/libraries")
    return render_template("admin_cohorts.html", cohorts=svc("registration", "GET", "/cohorts"), libraries=libraries)


@bp.post("/admin/kohorter/<cohort_id>/tilstand")
@signed_in
def admin_cohort_state(cohort_id: str):
    """Open a cohort for enrolment, or close it."""
    check_csrf()
    require("cohorts.manage")
    state = request.form.get("state", "")
    if state not in ("open", "closed"):
        abort(400)
    tell(svc("registration", "PATCH", f"/cohorts/{cohort_id}", json={"state": state}),
         "Kohorten er åbnet for tilmelding." if state == "open" else "Kohorten er lukket.")
    return redirect(url_for("portal.admin_cohorts"))


@bp.post("/admin/kohorter/tilmelding")
@signed_in
def admin_enrol():
    """Enrol a library in a cohort, or move it there from the one it is in."""
    check_csrf()
    require("enrolment.manage")
    library_id, cohort_id = request.form.get("library_id", ""), request.form.get("cohort_id", "")
    if not library_id or not cohort_id:
        abort(400)
    tell(svc("registration", "PUT", f"/libraries/{library_id}/enrolment", json={"cohort_id": cohort_id}),
         "Biblioteket er tilmeldt kohorten.")
    return redirect(url_for("portal.admin_cohorts"))


# -- one library's enrolment ---------------------------------------------------------------------


def _library_or_404(library_id: str) -> dict:
    answer = svc("registration", "GET", f"/libraries/{library_id}")
    if answer.status == 404:
        abort(404)
    if not answer.ok or not isinstance(answer.data, dict):
        abort(502)
    return answer.data


@bp.get("/admin/biblioteker/<library_id>")
@signed_in
def admin_library(library_id: str):
    """A library's registration and enrolment, with moving it to another cohort and ending it."""
    require("enrolment.manage", library_id)
    library = _library_or_404(library_id)
    enrolment = library.get("enrolment") if isinstance(library.get("enrolment"), dict) else None
    current = enrolment.get("cohort_id") if enrolment else None
    targets = [c for c in _cohorts() if c.get("state") == "open" and c.get("cohort_id") != current]
    return render_template("admin_library.html", library_id=library_id, library=library, enrolment=enrolment,
                           targets=targets)


@bp.post("/admin/biblioteker/<library_id>/tilmelding")
@signed_in
def admin_library_enrol(library_id: str):
    """Enrol the library in the chosen open cohort, or move it there from its current one."""
    check_csrf()
    require("enrolment.manage", library_id)
    cohort_id = request.form.get("cohort_id", "").strip()
    if not cohort_id:
        flash("Vælg den kohorte, biblioteket skal tilmeldes.", "error")
        return redirect(url_for("portal.admin_library", library_id=library_id))
    moving = request.form.get("moving") == "1"
    tell(svc("registration", "PUT", f"/libraries/{library_id}/enrolment", json={"cohort_id": cohort_id}),
         "Biblioteket er flyttet til den nye kohorte." if moving else "Biblioteket er tilmeldt kohorten.")
    return redirect(url_for("portal.admin_library", library_id=library_id))


@bp.route("/admin/biblioteker/<library_id>/afmeld", methods=["GET", "POST"])
@signed_in
def admin_library_withdraw(library_id: str):
    """Ask before ending the library's enrolment; end it only on the confirmed form."""
    require("enrolment.manage", library_id)
    if request.method == "POST":
        check_csrf()
        if request.form.get("confirm") != "yes":
            return redirect(url_for("portal.admin_library_withdraw", library_id=library_id))
        answer = svc("registration", "DELETE", f"/libraries/{library_id}/enrolment")
        if answer.status == 404:
            # the library is hidden from us, or it was no longer enrolled: say which plainly
            flash("Biblioteket er ikke tilmeldt en kohorte.", "error")
        else:
            tell(answer, "Bibliotekets tilmelding til kohorten er afsluttet.")
        return redirect(url_for("portal.admin_library", library_id=library_id))
    library = _library_or_404(library_id)
    enrolment = library.get("enrolment") if isinstance(library.get("enrolment"), dict) else None
    if not enrolment:
        flash("Biblioteket er ikke tilmeldt en kohorte.", "error")
        return redirect(url_for("portal.admin_library", library_id=library_id))
    return render_template("admin_library_withdraw.html", library_id=library_id, library=library, enrolment=enrolment)


# -- national figures ----------------------------------------------------------------------------


def _figure_filters() -> dict[str, str]:
    return {k: request.args[k].strip() for k in FIGURE_FILTERS if request.args.get(k, "").strip()}


@bp.get("/admin/tal")
@signed_in
def admin_figures():
    require("figures.read")
    filters = _figure_filters()
    figures = try_svc("scoring", "GET", "/figures", params=filters)
    data = figures.data if figures is not None and figures.ok and isinstance(figures.data, dict) else None
    return render_template("admin_figures.html", figures=figures, data=data, filters=filters, cohorts=_cohorts(),
                           bars=sdg_bars(data) if data else [])


CHART_TOP, CHART_HEIGHT, BAR_STEP, BAR_WIDTH, CHART_LEFT = 24, 160, 40, 28, 36


def sdg_bars(data: dict) -> list[dict]:
    """The bars of the per-goal chart, laid out for a server-rendered SVG (no script)."""
    per_sdg = data.get("sdgs") or {}
    values = {n: int(per_sdg.get(str(n), per_sdg.get(n, 0)) or 0) for n in range(1, 18)}
    top = max(values.values()) or 1
    bars = []
    for n, value in values.items():
        height = round(value / top * CHART_HEIGHT)
        x = CHART_LEFT + (n - 1) * BAR_STEP
        bars.append({"n": n, "name": SDG_NAMES[n], "value": value, "colour": SDG_COLOURS[n], "x": x,
                     "y": CHART_TOP + CHART_HEIGHT - height, "height": height, "width": BAR_WIDTH,
                     "label_x": x + BAR_WIDTH / 2})
    return bars


@bp.get("/admin/tal.csv")
@signed_in
def admin_figures_csv():
    require("figures.read")
    resp = gw().client.get("scoring", "/figures.csv", current_identity(), params=_figure_filters())
    if resp.status_code != 200:
        abort(resp.status_code if resp.status_code in (403, 404) else 502)
    return Response(resp.content, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=nationale-tal.csv"})


# -- mail deliveries -----------------------------------------------------------------------------


@bp.get("/admin/forsendelser")
@signed_in
def admin_deliveries():
    require("deliveries.read")
    status = request.args.get("status", "failed")
    params = {"status": status} if status in ("pending", "sending", "sent", "failed", "cancelled", "suppressed") else {}
    deliveries = svc("notification", "GET", "/deliveries", params=params)
    return render_template("admin_deliveries.html", deliveries=deliveries, status=params.get("status", ""))


@bp.post("/admin/forsendelser/<delivery_id>/gensend")
@signed_in
def admin_resend(delivery_id: str):
    check_csrf()
    require("deliveries.read")
    if current_identity().role != "administrator":
        abort(403)
    tell(svc("notification", "POST", f"/deliveries/{delivery_id}/resend", json={}),
         "Mailen er sat i kø til at blive sendt igen.")
    return redirect(url_for("portal.admin_deliveries", status=request.form.get("status", "failed")))


@bp.get("/model")
def model_alias():
    """The mails link to /model; the model pages live under /admin/modeller."""
    return redirect(url_for("portal.admin_models"))
