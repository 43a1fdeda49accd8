"""Pages for signing in and out, registering a library (its details, "Tjek dine svar", then the
confirmation mail), confirming email, accepting invitations, resetting passwords, unsubscribing,
choosing the language and the person's own profile."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from gateway.auth import current_identity, sign_in, sign_out
from gateway.core import SignInRefused, authenticate, gw
from gateway.portal import l10n
from gateway.portal.base import bp, items_of, signed_in, svc, tell, try_svc
from gateway.portal.forms import FormErrors, from_answer
from gateway.portal.security import safe_next


@bp.before_request
def language_from_link():
    # A link may carry the language it was written in (`?lang=en`: an invitation sent in English).
    wanted = request.args.get("lang")
    if wanted and request.method == "GET":
        l10n.choose(wanted)


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
    l10n.choose(code)
    return redirect(safe_next(request.args.get("next"), url_for("portal.index")))


@bp.route("/log-ind", methods=["GET", "POST"])
def login():
    errors = FormErrors()
    email = ""
    if request.method == "POST":
        email, password = request.form.get("email", "").strip(), request.form.get("password", "")
        if not email:
            errors.add("email", _("Skriv din e-mailadresse."), _("E-mail"))
        if not password:
            errors.add("password", _("Skriv din adgangskode."), _("Adgangskode"))
        if errors:
            return render_template("login.html", errors=errors, email=email), 422
        try:
            who = authenticate(email, password)
        except SignInRefused as refused:
            message = (_("For mange forsøg. Vent et kvarter og prøv igen.") if refused.throttled
                       else _("Forkert e-mail eller adgangskode."))
            errors.add("email", message)
            return render_template("login.html", errors=errors, email=email), (429 if refused.throttled else 401)
        language = session.get("lang")
        sign_in(who)
        if language:
            l10n.choose(language)
        return redirect(safe_next(request.args.get("next"), home_for(who.role)))
    return render_template("login.html", errors=errors, email=email)


@bp.post("/log-ud")
def logout():
    sign_out()
    return redirect(url_for("portal.index"))


# -- registration: details, check your answers (with the password), then the confirmation mail ---

LIBRARY_FIELDS = ("name", "isil", "municipality", "kind", "staff_count")
COORDINATOR_FIELDS = ("coordinator_name", "email")
REGISTRATION_INPUTS = {"library.name": "name", "library.isil": "isil", "library.municipality": "municipality",
                       "library.kind": "kind", "library.staff_count": "staff_count",
                       "coordinator.name": "coordinator_name", "coordinator.email": "email",
                       "coordinator.password": "password", "coordinator.language": "email"}
LIBRARY_KINDS = ("folkebibliotek", "uddannelsesbibliotek")


def _registration_form() -> dict[str, str]:
    form = {name: request.form.get(name, "").strip() for name in (*LIBRARY_FIELDS, *COORDINATOR_FIELDS)}
    form["isil"] = form["isil"].upper()
    if form["kind"] not in LIBRARY_KINDS:
        form["kind"] = LIBRARY_KINDS[0]
    return form


def _missing(form: dict[str, str]) -> FormErrors:
    """What the details page still lacks (the service judges the rest when the form is sent)."""
    errors = FormErrors()
    asks = {"name": (_("Bibliotekets navn"), _("Skriv bibliotekets navn.")),
            "isil": (_("ISIL-kode"), _("Skriv bibliotekets ISIL-kode, fx DK-775100.")),
            "municipality": (_("Kommune"), _("Vælg bibliotekets kommune.")),
            "staff_count": (_("Antal ansatte"), _("Skriv, hvor mange ansatte biblioteket har.")),
            "coordinator_name": (_("Dit navn"), _("Skriv dit navn.")),
            "email": (_("E-mail"), _("Skriv din e-mailadresse."))}
    for name, (label, message) in asks.items():
        if not form.get(name):
            errors.add(name, message, label)
    return errors


def _municipalities() -> list[str]:
    answer = try_svc("registration", "GET", "/municipalities")
    return [m if isinstance(m, str) else m.get("name") for m in items_of(answer)]


@bp.route("/tilmeld", methods=["GET", "POST"])
def register():
    step = request.form.get("step") if request.method == "POST" else None
    form = _registration_form() if request.method == "POST" else {}
    if step == "details":
        errors = _missing(form)
        if errors:
            return render_template("register.html", municipalities=_municipalities(), form=form,
                                   errors=errors), 422
        return render_template("register_check.html", form=form, errors=FormErrors())
    if step == "submit":
        staff = form["staff_count"]
        payload = {
            "library": {"name": form["name"], "isil": form["isil"], "municipality": form["municipality"],
                        "kind": form["kind"], "staff_count": l10n.form_number(staff) if staff else staff},
            "coordinator": {"name": form["coordinator_name"], "email": form["email"],
                            "password": request.form.get("password", ""), "language": l10n.lang()},
        }
        result = svc("registration", "POST", "/registrations", json=payload)
        if result.ok:
            return render_template("register_done.html", email=form["email"])
        errors = from_answer(result, REGISTRATION_INPUTS, default_input="name")
        if errors and not errors.without("password"):
            return render_template("register_check.html", form=form, errors=errors), result.status
        return render_template("register.html", municipalities=_municipalities(), form=form,
                               errors=errors.without("password")), result.status
    # the first visit, or "Ret" from the check page (the answers so far come back with it)
    return render_template("register.html", municipalities=_municipalities(), form=form, errors=FormErrors())


# -- pages opened from a mail's link (token=...) ------------------------------------------------


def _token_page(template: str, service: str, path: str, title: str, done: str, fields=("password", "name")):
    token = request.values.get("token", "")
    if request.method == "POST":
        payload = {"token": token}
        for name in fields:
            if request.form.get(name):
                payload[name] = request.form[name]
        result = svc(service, "POST", path, json=payload)
        if result.ok:
            return render_template("message.html", title=title, message=done, login_link=True)
        errors = from_answer(result, {"password": "password", "name": "name", "token": "token"},
                             default_input="token")
        return render_template(template, token=token, title=title, errors=errors,
                               name=request.form.get("name", "")), result.status
    return render_template(template, token=token, title=title, errors=FormErrors(), name="")


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
            email = request.form.get("email", "").strip()
            if not email:
                errors = FormErrors().add("email", _("Skriv din e-mailadresse."), _("E-mail"))
                return render_template("reset_request.html", errors=errors), 422
            svc("registration", "POST", "/password-resets", json={"email": email})
            return render_template("message.html", title=_("Nulstil adgangskode"), message=_(
                "Hvis adressen er kendt, har vi sendt en e-mail med et link."))
        return render_template("reset_request.html", errors=FormErrors())
    return _token_page("reset.html", "registration", "/password-resets/complete", _("Nulstil adgangskode"),
                       _("Din adgangskode er skiftet. Du kan nu logge ind."), fields=("password",))


@bp.route("/afmeld", methods=["GET", "POST"])
def unsubscribe():
    return _token_page("unsubscribe.html", "notification", "/unsubscribe", _("Afmeld e-mails"),
                       _("Du modtager ikke længere e-mails, der ikke er nødvendige."), fields=())


# -- the person's own profile ---------------------------------------------------------------------


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
    who = current_identity()
    code = request.form.get("language", "")
    if code not in l10n.LANGUAGES:
        abort(400)
    answer = try_svc("registration", "PATCH", f"/people/{who.person_id}", json={"language": code})
    if answer is not None and answer.ok:
        l10n.choose(code)  # the outcome is told in the language just chosen
    tell(answer, _("Dit sprogvalg er gemt. Vi skriver også til dig på det sprog."))
    return redirect(url_for("portal.profile"))


@bp.post("/profil/post")
@signed_in
def profile_mail():
    who = current_identity()
    wanted = request.form.get("non_essential") == "on"
    tell(try_svc("notification", "PUT", f"/people/{who.person_id}/preferences", json={"non_essential": wanted}),
         _("Du får igen nyheder og påmindelser på e-mail.") if wanted
         else _("Du får nu kun de nødvendige e-mails (fx invitationer, nulstilling og afgørelser)."))
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
