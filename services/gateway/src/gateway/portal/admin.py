"""The administrator's pages: model versions, cohorts, libraries, national figures with a CSV
export, and failed mail deliveries."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for

from gateway.auth import current_identity
from gateway.core import gw
from gateway.portal.base import bp, check_csrf, require, signed_in, svc, try_svc


@bp.get("/admin")
@signed_in
def admin_home():
    require("library.list")
    libraries = try_svc("registration", "GET", "/libraries", params=request.args)
    figures = try_svc("scoring", "GET", "/figures")
    return render_template("admin.html", libraries=libraries, figures=figures)


@bp.get("/admin/modeller")
@signed_in
def admin_models():
    require("models.manage")
    models = svc("scoring", "GET", "/models")
    return render_template("admin_models.html", models=models, preview=None, version=None)


@bp.get("/admin/modeller/<version>/forhaandsvisning")
@signed_in
def admin_model_preview(version: str):
    require("models.manage")
    models = svc("scoring", "GET", "/models")
    preview = svc("scoring", "GET", f"/models/{version}/preview")
    return render_template("admin_models.html", models=models, preview=preview, version=version)


@bp.post("/admin/modeller/<version>/udgiv")
@signed_in
def admin_model_publish(version: str):
    check_csrf()
    require("models.manage")
    svc("scoring", "POST", f"/models/{version}/publish", json={})
    return redirect(url_for("portal.admin_models"))


@bp.post("/admin/modeller")
@signed_in
def admin_model_draft():
    check_csrf()
    require("models.manage")
    svc("scoring", "POST", "/models", json={})
    return redirect(url_for("portal.admin_models"))


@bp.route("/admin/kohorter", methods=["GET", "POST"])
@signed_in
def admin_cohorts():
    require("cohorts.manage")
    error = None
    if request.method == "POST":
        check_csrf()
        answer = svc("registration", "POST", "/cohorts", json={
            "name": request.form.get("name", ""), "start_year": int(request.form.get("start_year") or 0)})
        error = None if answer.ok else answer.detail
    cohorts = svc("registration", "GET", "/cohorts")
    return render_template("admin_cohorts.html", cohorts=cohorts, error=error)


@bp.get("/admin/tal.csv")
@signed_in
def admin_figures_csv():
    require("figures.read")
    resp = gw().client.get("scoring", "/figures.csv", current_identity(), params=request.args)
    if resp.status_code != 200:
        abort(resp.status_code if resp.status_code in (403, 404) else 502)
    return Response(resp.content, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=nationale-tal.csv"})


@bp.get("/admin/forsendelser")
@signed_in
def admin_deliveries():
    require("deliveries.read")
    deliveries = svc("notification", "GET", "/deliveries", params={"status": request.args.get("status", "failed")})
    return render_template("admin_deliveries.html", deliveries=deliveries)


@bp.post("/admin/forsendelser/<delivery_id>/gensend")
@signed_in
def admin_resend(delivery_id: str):
    check_csrf()
    require("deliveries.read")
    svc("notification", "POST", f"/deliveries/{delivery_id}/resend", json={})
    return redirect(url_for("portal.admin_deliveries"))


@bp.get("/model")
def model_alias():
    """The mails link to /model; the model pages live under /admin/modeller."""
    return redirect(url_for("portal.admin_models"))
