"""What every portal page uses: the blueprint, calling a service as the signed-in person,
sign-in guards, CSRF, and the SDG colours."""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from markupsafe import Markup, escape

from gateway import authz
from gateway.auth import csrf_valid, current_identity
from gateway.client import ServiceUnavailable
from gateway.core import gw
from gateway.portal.i18n import EN, lang

bp = Blueprint("portal", __name__)

DIMENSIONS = {"formidling": "Biblioteket som formidler", "faellesskaber": "Biblioteket som facilitator",
              "drift": "Biblioteket som aktør"}
KINDS = {"activity": "Aktivitet", "communication": "Kommunikation", "operations_measure": "Driftstiltag",
         "staff_training": "Personaleuddannelse", "shared_case": "Delt case"}
AGE_GROUPS = {"children": "Børn", "youth": "Unge", "adults": "Voksne", "seniors": "Ældre"}
STATUSES = {"draft": "Kladde", "submitted": "Indsendt", "approved": "Godkendt", "rejected": "Afvist",
            "clarification_requested": "Uddybning ønsket", "withdrawn": "Trukket tilbage"}
LIBRARY_STATUSES = {"not_started": "Ikke startet", "in_progress": "I gang", "ready_for_review": "Klar til vurdering",
                    "certified": "Certificeret", "checkin_due": "Årlig opfølgning forfalden", "lapsed": "Udløbet",
                    "revoked": "Tilbagekaldt"}
REGISTRATION_STATUSES = {"pending": "Afventer bekræftelse", "active": "Aktiv", "withdrawn": "Udmeldt"}
AUDIT_ACTIONS = {"create": "Oprettet", "edit": "Rettet", "submit": "Indsendt", "withdraw": "Trukket tilbage",
                 "review": "Vurderet", "answer": "Spørgsmål besvaret og indsendt igen", "message": "Besked i tråden",
                 "attach": "Fil vedhæftet", "detach": "Fil fjernet", "share": "Delt med andre biblioteker"}
FIELD_LABELS = {"kind": "Type", "title": "Titel", "description": "Beskrivelse", "dimension": "Dimension",
                "sdgs": "Verdensmål", "targets": "Mål", "date": "Dato", "end_date": "Slutdato",
                "participants": "Deltagere", "age_groups": "Aldersgrupper", "partners": "Partnere",
                "co_created": "Skabt sammen med borgere eller partnere", "before": "Før", "after": "Efter",
                "unit": "Enhed", "staff_share": "Andel af personalet (%)", "links": "Links",
                "public": "Vis offentligt, når den er godkendt", "attachments": "Vedhæftede filer",
                "shared_case_id": "Delt"}
MODEL_STATUSES = {"draft": "Kladde", "published": "Udgivet"}
COHORT_STATES = {"planned": "Planlagt", "open": "Åben", "closed": "Lukket"}
DELIVERY_STATUSES = {"pending": "Venter", "sending": "Sendes", "sent": "Sendt", "failed": "Fejlet",
                     "cancelled": "Annulleret", "suppressed": "Frameldt af modtageren"}
PERSON_STATUSES = {"invited": "Inviteret", "pending": "Afventer bekræftelse", "active": "Aktiv",
                   "deactivated": "Deaktiveret", "erased": "Slettet"}
ROLES = {"coordinator": "Koordinator", "member": "Medlem", "assessor": "Assessor", "administrator": "Administrator"}

# The official colours of the 17 Sustainable Development Goals (UN brand guide).
SDG_COLOURS = {1: "#E5243B", 2: "#DDA63A", 3: "#4C9F38", 4: "#C5192D", 5: "#FF3A21", 6: "#26BDE2",
               7: "#FCC30B", 8: "#A21942", 9: "#FD6925", 10: "#DD1367", 11: "#FD9D24", 12: "#BF8B2E",
               13: "#3F7E44", 14: "#0A97D9", 15: "#56C02B", 16: "#00689D", 17: "#19486A"}
SDG_NAMES = {1: "Afskaf fattigdom", 2: "Stop sult", 3: "Sundhed og trivsel", 4: "Kvalitetsuddannelse",
             5: "Ligestilling mellem kønnene", 6: "Rent vand og sanitet", 7: "Bæredygtig energi",
             8: "Anstændige jobs og økonomisk vækst", 9: "Industri, innovation og infrastruktur",
             10: "Mindre ulighed", 11: "Bæredygtige byer og lokalsamfund", 12: "Ansvarligt forbrug og produktion",
             13: "Klimaindsats", 14: "Livet i havet", 15: "Livet på land", 16: "Fred, retfærdighed og stærke institutioner",
             17: "Partnerskaber for handling"}


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@functools.lru_cache(maxsize=256)
def text_on(hex_colour: str) -> str:
    """Black or white text, whichever contrasts more with the background (WCAG)."""
    lum = _luminance(hex_colour)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"


@functools.lru_cache(maxsize=1024)
def _sdg_grid(language: str, covered: frozenset[int]) -> Markup:
    def t(text: str) -> str:
        return escape(EN.get(text, text) if language == "en" else text)

    rows = [f'\n<ul class="sdg-grid" aria-label="{t("Verdensmål")}">\n']
    for n in range(1, 18):
        on = n in covered
        style = f' style="background:{SDG_COLOURS[n]};color:{text_on(SDG_COLOURS[n])}"' if on else ""
        rows.append(f'  <li class="sdg {"on" if on else "off"}"{style}>\n'
                    f'    <span class="sdg-number">{n}</span>\n'
                    f'    <span class="sdg-name">{t(SDG_NAMES[n])}</span>\n'
                    f'    <span class="visually-hidden">: {t("Dækket") if on else t("Ikke dækket")}</span>\n'
                    f'  </li>\n')
    rows.append("</ul>\n")
    return Markup("".join(rows))


def sdg_grid_html(covered: Any) -> Markup:
    """The 17 goals as a grid, the covered ones in their colours (the same markup for the same
    language and goals, so it is built once per combination)."""
    return _sdg_grid(lang(), frozenset(int(n) for n in covered or ()))


class Answer:
    """A service's answer as a page needs it."""

    def __init__(self, status: int, data: Any):
        self.status, self.data = status, data

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def detail(self) -> str:
        if isinstance(self.data, dict):
            if lang() == "en" and self.data.get("detail_en"):
                return self.data["detail_en"]
            return self.data.get("detail") or self.data.get("title") or ""
        return ""

    @property
    def field(self) -> str | None:
        return self.data.get("field") if isinstance(self.data, dict) else None


def tell(answer: Answer | None, done: str) -> bool:
    """Flash the outcome of a change: `done` (Danish, translated when shown) or the service's own
    message (already in the reader's language). Return whether it succeeded."""
    if answer is None:
        flash("Tjenesten er midlertidigt utilgængelig. Prøv igen om lidt.", "error")
        return False
    if answer.ok:
        flash(done, "ok")
        return True
    flash(answer.detail or "Der opstod en fejl", "error")
    return False


def svc(service: str, method: str, path: str, **kw) -> Answer:
    """Call a service as the signed-in person (a service that is down raises ServiceUnavailable)."""
    resp = gw().client.call(service, method, path, current_identity(), **kw)
    try:
        data = resp.json()
    except ValueError:
        data = None
    return Answer(resp.status_code, data)


def try_svc(service: str, method: str, path: str, **kw) -> Answer | None:
    """Like svc, but None when the service is down: the rest of the page keeps working."""
    try:
        return svc(service, method, path, **kw)
    except ServiceUnavailable:
        return None


def signed_in(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_identity().role == "anonymous":
            return redirect(url_for("portal.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapper


def require(action: str, library_id: str | None = None) -> None:
    """Enforce the authorisation table for a page (404 for another library's pages)."""
    decision = authz.decide(current_identity(), action, library_id)
    if decision is authz.Decision.ALLOW:
        return
    abort(403 if decision is authz.Decision.FORBIDDEN else 404)


def check_csrf() -> None:
    if request.method == "POST" and not csrf_valid():
        abort(400)


def safe_next(target: str | None, default: str) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return default


def _number(value: Any) -> float:
    if isinstance(value, dict):
        value = value.get("progress", value.get("value", 0))
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def progress_view(data: Any) -> dict[str, Any]:
    """Normalise a progress answer for the pages (tolerant of the shape's small variations)."""
    data = data if isinstance(data, dict) else {}
    overall = data.get("overall") or {}
    dims_raw = data.get("dimensions") or {}
    if isinstance(dims_raw, list):
        dims_raw = {d.get("id") or d.get("key") or d.get("dimension"): d for d in dims_raw if isinstance(d, dict)}
    dims = []
    for key, label in DIMENSIONS.items():
        d = dims_raw.get(key) or {}
        dims.append({"key": key, "label": label, "provisional": _number(d.get("provisional", d)) if isinstance(d, dict) else _number(d),
                     "verified": _number(d.get("verified", 0)) if isinstance(d, dict) else 0.0})
    sdgs_raw = data.get("sdgs") or []
    if isinstance(sdgs_raw, dict):
        sdgs_raw = sdgs_raw.get("covered") or sdgs_raw.get("provisional") or [
            k for k, v in sdgs_raw.items() if v and str(k).isdigit()]
    covered = set()
    for s in sdgs_raw:
        if isinstance(s, dict):
            if s.get("covered", True):
                covered.add(int(s.get("sdg") or s.get("id") or s.get("number") or 0))
        elif str(s).isdigit():
            covered.add(int(s))
    missing = []
    for m in data.get("missing") or []:
        if isinstance(m, dict):
            text = (m.get("message_en") if lang() == "en" else None) or m.get("message_da") or m.get("text") or m.get("message") or ""
            missing.append(text)
        else:
            missing.append(str(m))
    return {"status": data.get("status", ""), "provisional": _number(overall.get("provisional")),
            "verified": _number(overall.get("verified")), "dimensions": dims, "covered": covered,
            "missing": missing, "requirements": data.get("requirements") or []}


def items_of(answer: Any) -> list:
    """The items of a list answer ({items: [...]} or a bare list)."""
    if answer is None or not getattr(answer, "ok", False):
        return []
    data = answer.data
    if isinstance(data, dict):
        for key in ("items", "libraries", "people", "municipalities", "cohorts", "models", "deliveries", "cases"):
            if isinstance(data.get(key), list):
                return data[key]
        return []
    return data if isinstance(data, list) else []
