"""Pages for signing in and out, registering, confirming email, accepting invitations,
resetting passwords, unsubscribing and choosing the language."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, session, url_for

from gateway.auth import current_identity, sign_in, sign_out
from gateway.core import SignInRefused, authenticate, gw
from gateway.portal.base import bp, check_csrf, items_of, safe_next, signed_in, svc, tell, try_svc
from gateway.portal.i18n import forget
from gateway.portal.i18n import gettext as _


def home_for(role: str) -> str:
    return {"assessor": url_for("portal.queue"), "administrator": url_for("portal.admin_home")}.get(
        role, url_for("portal.dashboard"))


@bp.get("/")
def index():
    who = current_identity()
    if who.role != "anonymous":
        return redirect(home_for(who.role))
    return render_template("index.html")


@bp.get("/sprog/<code>")
def language(code: str):
    if code in ("da", "en"):
        session["lang"] = code
        forget()
    return redirect(safe_next(request.args.get("next"), url_for("portal.index")))


@bp.route("/log-ind", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        check_csrf()
        email, password = request.form.get("email", "").strip(), request.form.get("password", "")
        try:
            who = authenticate(email, password)
        except SignInRefused as refused:
            error = (_("For mange forsøg. Vent et kvarter og prøv igen.") if refused.throttled
                     else _("Forkert e-mail eller adgangskode."))
            return render_template("login.html", error=error, email=email), (429 if refused.throttled else 401)
        lang = session.get("lang")
        sign_in(who)
        if lang:
            session["lang"] = lang
            forget()
        return redirect(safe_next(request.args.get("next"), home_for(who.role)))
    return render_template("login.html", error=error, email="")


@bp.post("/log-ud")
def logout():
    check_csrf()
    sign_out()
    return redirect(url_for("portal.index"))


@bp.route("/tilmeld", methods=["GET", "POST"])
def register():
    answer = try_svc("registration", "GET", "/municipalities")
    municipalities = [m if isinstance(m, str) else m.get("name") for m in items_of(answer)]
    form = request.form
    if request.method == "POST":
        check_csrf()
        staff = form.get("staff_count", "").strip()
        payload = {
            "library": {"name": form.get("name", "").strip(), "isil": form.get("isil", "").strip().upper(),
                        "municipality": form.get("municipality", "").strip(), "kind": form.get("kind", ""),
                        "staff_count": int(staff) if staff.isdigit() else staff},
            "coordinator": {"name": form.get("coordinator_name", "").strip(), "email": form.get("email", "").strip(),
                            "password": form.get("password", ""), "language": session.get("lang", "da")},
        }
        result = svc("registration", "POST", "/registrations", json=payload)
        if result.ok:
            return render_template("message.html", title=_("Tjek din e-mail"), message=_(
                "Tilmeldingen er modtaget. Vi har sendt en e-mail med et link, så du kan bekræfte din adresse."))
        return render_template("register.html", municipalities=municipalities, form=form, error=result.detail,
                               field=(result.field or "").split(".")[-1]), result.status
    return render_template("register.html", municipalities=municipalities, form={}, error=None, field=None)


def _token_page(template: str, service: str, path: str, title: str, done: str, fields=("password", "name")):
    token = request.values.get("token", "")
    if request.method == "POST":
        check_csrf()
        payload = {"token": token}
        for name in fields:
            if request.form.get(name):
                payload[name] = request.form[name]
        result = svc(service, "POST", path, json=payload)
        if result.ok:
            return render_template("message.html", title=title, message=done, login_link=True)
        return render_template(template, token=token, title=title, error=result.detail), result.status
    return render_template(template, token=token, title=title, error=None)


@bp.route("/bekraeft", methods=["GET", "POST"])
def confirm():
    return _token_page("confirm.html", "registration", "/email-confirmations", _("Bekræft e-mail"),
                       _("Din e-mail er bekræftet. Du kan nu logge ind."), fields=())


@bp.route("/invitation", methods=["GET", "POST"])
def accept_invitation():
    return _token_page("invitation.html", "registration", "/invitations/accept", _("Accepter invitation"),
                       _("Velkommen! Du kan nu logge ind."))


@bp.route("/nulstil", methods=["GET", "POST"])
def reset_password():
    if not request.values.get("token"):
        if request.method == "POST":
            check_csrf()
            svc("registration", "POST", "/password-resets", json={"email": request.form.get("email", "")})
            return render_template("message.html", title=_("Nulstil adgangskode"), message=_(
                "Hvis adressen er kendt, har vi sendt en e-mail med et link."))
        return render_template("reset_request.html")
    return _token_page("reset.html", "registration", "/password-resets/complete", _("Nulstil adgangskode"),
                       _("Din adgangskode er skiftet. Du kan nu logge ind."), fields=("password",))


@bp.route("/afmeld", methods=["GET", "POST"])
def unsubscribe():
    return _token_page("unsubscribe.html", "notification", "/unsubscribe", _("Afmeld e-mails"),
                       _("Du modtager ikke længere e-mails, der ikke er nødvendige."), fields=())


@bp.get("/profil")
@signed_in
def profile():
    who = current_identity()
    person = try_svc("registration", "GET", f"/people/{who.person_id}")
    preferences = try_svc("notification", "GET", f"/people/{who.person_id}/preferences")
    return render_template("profile.html", person=person, preferences=preferences)


@bp.post("/profil/sprog")
@signed_in
def profile_language():
    check_csrf()
    who = current_identity()
    code = request.form.get("language", "")
    if code not in ("da", "en"):
        abort(400)
    if tell(try_svc("registration", "PATCH", f"/people/{who.person_id}", json={"language": code}),
            "Dit sprogvalg er gemt. Vi skriver også til dig på det sprog."):
        session["lang"] = code
        forget()
    return redirect(url_for("portal.profile"))


@bp.post("/profil/post")
@signed_in
def profile_mail():
    check_csrf()
    who = current_identity()
    wanted = request.form.get("non_essential") == "on"
    tell(try_svc("notification", "PUT", f"/people/{who.person_id}/preferences", json={"non_essential": wanted}),
         "Du får igen nyheder og påmindelser på e-mail." if wanted
         else "Du får nu kun de nødvendige e-mails (fx invitationer, nulstilling og afgørelser).")
    return redirect(url_for("portal.profile"))


@bp.get("/profil/eksport.json")
@signed_in
def profile_export():
    """Everything registration holds about me, as a JSON file to download (GDPR access)."""
    who = current_identity()
    resp = gw().client.get("registration", f"/people/{who.person_id}/export", who)
    if resp.status_code != 200:
        abort(resp.status_code if resp.status_code in (403, 404) else 502)
    return Response(resp.content, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="mine-data.json"',
                             "Cache-Control": "no-store"})
