"""The public's pages: the directory of certified libraries, a library's public page and the
certificate verification page with its badge to embed."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for

from gateway.core import gw
from gateway.portal.base import bp, items_of, svc, try_svc


@bp.get("/biblioteker")
def directory():
    municipality = request.args.get("kommune", "")
    answer = svc("scoring", "GET", "/public/libraries", params={"municipality": municipality} if municipality else None)
    libraries = items_of(answer)
    known = try_svc("registration", "GET", "/municipalities")
    municipalities = [m if isinstance(m, str) else m.get("name", "") for m in items_of(known)] or sorted(
        {lib.get("municipality", "") for lib in libraries if lib.get("municipality")})
    if municipality and municipality not in municipalities:
        municipalities.append(municipality)
    return render_template("directory.html", libraries=libraries, municipality=municipality,
                           municipalities=municipalities)


@bp.get("/biblioteker/<library_id>")
def public_library(library_id: str):
    libraries = items_of(svc("scoring", "GET", "/public/libraries"))
    entry = next((lib for lib in libraries if str(lib.get("library_id")) == library_id), None)
    if entry is None:
        abort(404)
    activities = try_svc("evidence", "GET", f"/public/libraries/{library_id}/activities")
    return render_template("public_library.html", entry=entry, activities=activities)


@bp.get("/certifikat")
def verify_form():
    number = request.args.get("nummer", "").strip()
    if number:
        return redirect(url_for("portal.verify", certificate_id=number))
    return render_template("verify.html", cert=None, certificate_id="")


@bp.get("/certifikat/<certificate_id>")
def verify(certificate_id: str):
    answer = svc("scoring", "GET", f"/public/certificates/{certificate_id}")
    cert = answer.data if answer.ok and isinstance(answer.data, dict) else {"status": "unknown"}
    badge_url = gw().settings.public_url + url_for("portal.badge", certificate_id=certificate_id)
    page_url = gw().settings.public_url + url_for("portal.verify", certificate_id=certificate_id)
    return render_template("verify.html", cert=cert, certificate_id=certificate_id, badge_url=badge_url,
                           page_url=page_url)


@bp.get("/certifikat/<certificate_id>/badge.svg")
def badge(certificate_id: str):
    resp = gw().client.get("scoring", f"/public/certificates/{certificate_id}/badge.svg")
    if resp.status_code != 200:
        abort(404)
    return Response(resp.content, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=300"})
