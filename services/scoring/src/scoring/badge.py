"""The public badge: a small, accessible SVG whose every text is escaped."""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape, quoteattr

STATUS_DA = {
    "valid": "Gyldigt",
    "checkin_due": "Gyldigt – årlig opfølgning forfalden",
    "lapsed": "Udløbet",
    "revoked": "Tilbagekaldt",
    "unknown": "Ukendt certifikat",
}
COLOURS = {"valid": "#1b7a3a", "checkin_due": "#8a6d00", "lapsed": "#6b6b6b", "revoked": "#a11d1d", "unknown": "#6b6b6b"}
TITLE = "Verdensmålscertificeret bibliotek"


MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
             "november", "december")


def danish_day(iso: str | None) -> str:
    """An ISO date or date-time (its date part) in Danish prose, `4. december 2026`; '' for none."""
    if not iso:
        return ""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return ""
    return f"{day.day}. {MONTHS_DA[day.month - 1]} {day.year}"


def status_lines(cert: dict) -> list[str]:
    """What the badge says of the status: a revoked or lapsed certificate the day it ended and no
    validity; one awaiting its check-in the day it is due, and its validity."""
    status = cert.get("status") or "unknown"
    valid_until = danish_day(cert.get("valid_until"))
    if status == "revoked":
        ended = danish_day(cert.get("revoked_at"))
        return [f"Tilbagekaldt {ended}" if ended else "Tilbagekaldt"]
    if status == "lapsed":
        ended = danish_day(cert.get("lapsed_at"))
        return [f"Udløbet {ended}" if ended else "Udløbet"]
    if status == "checkin_due":
        due = danish_day(cert.get("due_on"))
        return [f"Årlig opfølgning senest {due}" if due else STATUS_DA["checkin_due"]] + (
            [f"Gyldigt til {valid_until}"] if valid_until else [])
    if status == "valid":
        return [STATUS_DA["valid"] + (f" til {valid_until}" if valid_until else "")]
    return [STATUS_DA.get(status, status)]


def badge_svg(cert: dict) -> str:
    """Render a certificate's public status as an SVG badge (role img, title and description)."""
    status = cert.get("status") or "unknown"
    name = cert.get("library_name") or ""
    lines = [name, TITLE, *status_lines(cert)]
    label = " – ".join(x for x in lines if x)
    colour = COLOURS.get(status, "#6b6b6b")
    bold = ' font-weight="bold"'
    texts = "\n".join(
        f'  <text x="16" y="{30 + 22 * i}" font-size="{15 if i == 0 else 13}"{bold if i == 0 else ""}>'
        f"{escape(line)}</text>"
        for i, line in enumerate(x for x in lines if x)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="360" height="120" viewBox="0 0 360 120" role="img" '
        f'aria-labelledby="badge-title badge-desc" data-status={quoteattr(status)}>\n'
        f'  <title id="badge-title">{escape(TITLE)}</title>\n'
        f'  <desc id="badge-desc">{escape(label)}</desc>\n'
        f'  <rect width="360" height="120" rx="10" fill="#ffffff" stroke={quoteattr(colour)} stroke-width="4"/>\n'
        f'  <g font-family="Helvetica, Arial, sans-serif" fill="#1a1a1a">\n{texts}\n  </g>\n'
        f'  <circle cx="336" cy="24" r="10" fill={quoteattr(colour)}/>\n'
        "</svg>\n"
    )
