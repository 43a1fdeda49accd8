"""What every portal page uses: the blueprint, calling a service as the signed-in person,
sign-in guards, reporting an outcome, and the SDG colours' contrast."""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from gateway import authz
from gateway.auth import current_identity
from gateway.client import ServiceUnavailable
from gateway.core import gw
from gateway.portal.l10n import lang
from shared.vocabulary import DIMENSIONS

bp = Blueprint("portal", __name__)


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@functools.lru_cache(maxsize=256)
def text_on(hex_colour: str) -> str:
    """Black or white text, whichever contrasts more with the background (WCAG)."""
    return "#000000" if contrast("#000000", hex_colour) >= contrast("#FFFFFF", hex_colour) else "#FFFFFF"


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
    """Flash the outcome of a change: `done` (already translated) or the service's own message
    (already in the reader's language). Return whether it succeeded."""
    if answer is None:
        flash(_("Tjenesten er midlertidigt utilgængelig. Prøv igen om lidt."), "error")
        return False
    if answer.ok:
        if done:
            flash(done, "ok")
        return True
    flash(answer.detail or _("Der opstod en fejl."), "error")
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


def revision(default: Any = 0) -> int:
    """The form's `revision` (the version the person saw), or `default` if it sent none that reads."""
    text = (request.form.get("revision") or "").strip()
    if text.isdigit() and len(text) < 16:
        return int(text)
    try:
        return int(default or 0)
    except (TypeError, ValueError):
        return 0


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
    for key in DIMENSIONS:
        d = dims_raw.get(key) or {}
        dims.append({"key": key, "provisional": _number(d.get("provisional", d)) if isinstance(d, dict) else _number(d),
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
