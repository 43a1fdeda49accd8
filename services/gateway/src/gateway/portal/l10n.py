"""The reader's language (Danish unless they chose English) and how the portal writes dates,
times and numbers for them: Babel's da_DK and en_GB forms, always in Copenhagen time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import flask_babel
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import has_request_context, session
from jinja2 import Undefined

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
# The catalogue directories are `da`/`en`; the forms of dates and numbers are Denmark's and, in
# English, British (day before month, 24-hour clock), the English a Danish public body writes.
LOCALES = {"da": "da_DK", "en": "en_GB"}
TIMEZONE = "Europe/Copenhagen"
_ZONE = ZoneInfo(TIMEZONE)
# "4. december 2026 kl. 14.05" and "4 December 2026 at 14:05"
_DATETIME = {"da": "d. MMMM y 'kl.' HH.mm", "en": "d MMMM y 'at' HH:mm"}
_FORM_DATE = re.compile(r"^\s*(\d{1,2})[./\- ](\d{1,2})[./\- ](\d{4})\s*$")


def lang() -> str:
    """The language of this request's pages: the session's choice, else Danish."""
    if has_request_context():
        chosen = session.get("lang")
        if chosen in LANGUAGES:
            return chosen
    return DEFAULT_LANGUAGE


def locale_selector() -> str:
    """Flask-Babel's locale for this request."""
    return LOCALES[lang()]


def choose(code: str) -> bool:
    """Make `code` the session's language (if it is one of ours); say whether it was."""
    if code not in LANGUAGES:
        return False
    session["lang"] = code
    flask_babel.refresh()  # the locale is cached per request
    return True


def parse_when(value: Any) -> datetime | None:
    """A moment from a service's answer: ISO 8601 (with or without offset; UTC if none) or an
    HTTP date ("Fri, 04 Dec 2026 13:05:00 GMT"); None if it is neither."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                moment = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_day(value: Any) -> date | None:
    """A calendar date from an answer ("2026-12-04", or a moment's date in Copenhagen)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    moment = parse_when(value)
    return moment.astimezone(_ZONE).date() if moment else None


def when(value: Any) -> str:
    """A moment as the reader writes it, in Copenhagen time: "4. december 2026 kl. 14.05"."""
    moment = None if isinstance(value, Undefined) else parse_when(value)
    if moment is None:
        return "" if isinstance(value, Undefined) else str(value or "")
    return babel_dates.format_datetime(moment, _DATETIME[lang()], tzinfo=_ZONE, locale=LOCALES[lang()])


def day(value: Any) -> str:
    """A date as the reader writes it: "4. december 2026" / "4 December 2026"."""
    found = None if isinstance(value, Undefined) else parse_day(value)
    if found is None:
        return "" if isinstance(value, Undefined) else str(value or "")
    return babel_dates.format_date(found, "long", locale=LOCALES[lang()])


def number(value: Any) -> str:
    """A number with the reader's decimal sign and grouping ("95,5", "1.234"); whole numbers
    without decimals."""
    if isinstance(value, Undefined) or value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value)
    try:
        figure = float(value)
    except (TypeError, ValueError):
        return str(value)
    if figure.is_integer():
        figure = int(figure)
    return babel_numbers.format_decimal(figure, locale=LOCALES[lang()])


def percent(fraction: Any) -> str:
    """A fraction (0.37) as a whole percentage: "37 %" / "37%"."""
    try:
        share = float(fraction or 0)
    except (TypeError, ValueError):
        share = 0.0
    return babel_numbers.format_percent(share, locale=LOCALES[lang()])


def form_date(text: str | None) -> str | None:
    """A date typed into a form (the date picker's "04/12/2026", "4.12.2026", or ISO) as ISO
    8601; None if empty; what cannot be read is passed on for the service to refuse by name."""
    text = (text or "").strip()
    if not text:
        return None
    found = _FORM_DATE.match(text)
    if found:
        d, m, y = (int(part) for part in found.groups())
        try:
            return date(y, m, d).isoformat()
        except ValueError:
            return text
    return text


def small_int(text: Any) -> int | None:
    """Digits that make a count, year or index (at most 15 of them) as an int, else None."""
    text = str(text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else None


def form_input_date(value: Any) -> str:
    """An ISO date as the date picker shows it in its field (DD/MM/YYYY)."""
    found = parse_day(value) if value else None
    return found.strftime("%d/%m/%Y") if found else (value or "")


def form_number(text: str | None) -> float | int | str | None:
    """A number typed with a decimal comma or point; None if empty; the text itself if it is
    no number (the service then refuses it, naming the field)."""
    text = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    candidate = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    try:
        figure = float(candidate)
    except ValueError:
        return text
    if not (figure == figure) or figure in (float("inf"), float("-inf")):
        return text
    return int(figure) if figure.is_integer() and "." not in candidate else figure
