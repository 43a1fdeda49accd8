"""Render mail from templates and build safe MIME messages.

Templates live in `notification/templates/<language>/<name>.txt|.html` and extend a shared layout.
Each mail's `.txt` template sets `subject` at top level. HTML is autoescaped, so user text (titles,
comments, names) can never inject markup; plain text is not escaped (it is not HTML). Portal links
are built only through `link()`, which joins the configured `public_url` and URL-encodes query
values, so a token cannot break out of its link.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2

from notification.domain.errors import InvalidAddress, UnknownTemplate
from notification.domain.localtime import local_day
from notification.domain.preferences import make_unsubscribe_token
from notification.domain.recipients import DEFAULT_LANGUAGE, language_of
from notification.domain.routing import TEMPLATES, PlannedMail
from shared.vocabulary import (
    ACTIVITY,
    ADMINISTRATOR,
    ASSESSOR,
    COMMUNICATION,
    COORDINATOR,
    MEMBER,
    OPERATIONS_MEASURE,
    SHARED_CASE,
    STAFF_TRAINING,
)

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"

PLATFORM_NAME = {
    "da": "Verdensmålscertificering for biblioteker",
    "en": "SDG certification for libraries",
}

# Every portal path a mail links to, in one place, so the gateway's routes can be checked against it.
PORTAL_PATHS = {
    "home": "/",
    "login": "/log-ind",
    "confirm_email": "/bekraeft",
    "invitation": "/invitation",
    "password_reset": "/nulstil",
    "unsubscribe": "/afmeld",
    "evidence": "/evidens/{item_id}",
    "library": "/bibliotek/{library_id}",
    "review_queue": "/vurdering",
    "review_library": "/vurdering/{library_id}",
    "action_plan": "/bibliotek/{library_id}/handleplan",
    "model": "/model",
}

# How mail names the vocabulary's kinds and roles (shared.vocabulary's keys): in the forms the
# sentences need ("Vi har modtaget aktiviteten ...", "... as staff member"), not the portal's
# headings; a unit test keeps every key of the vocabulary covered.
LABELS: dict[str, dict[str, str]] = {
    "da": {
        ACTIVITY: "aktiviteten",
        COMMUNICATION: "formidlingen",
        OPERATIONS_MEASURE: "driftstiltaget",
        STAFF_TRAINING: "personaleuddannelsen",
        SHARED_CASE: "vidensdelingen",
        COORDINATOR: "koordinator",
        MEMBER: "medarbejder",
        ASSESSOR: "assessor",
        ADMINISTRATOR: "administrator",
    },
    "en": {
        ACTIVITY: "activity",
        COMMUNICATION: "communication",
        OPERATIONS_MEASURE: "operations measure",
        STAFF_TRAINING: "staff training",
        SHARED_CASE: "shared case",
        COORDINATOR: "coordinator",
        MEMBER: "staff member",
        ASSESSOR: "assessor",
        ADMINISTRATOR: "administrator",
    },
}

_MONTHS = {
    "da": ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
           "september", "oktober", "november", "december"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}  # fmt: skip

# C0/C1 controls, DEL and the Unicode line/paragraph separators: none belongs in a header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class RenderedMail:
    """A rendered mail: subject and both bodies; `unsubscribe_url` only for non-essential mail."""

    subject: str
    text: str
    html: str
    unsubscribe_url: str | None = None


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def format_date(value: Any, language: str = DEFAULT_LANGUAGE) -> str:
    """Format an ISO date or datetime as "14. marts 2025" (da) or "14 March 2025" (en).

    A moment is shown as its day in Copenhagen (`localtime`), where the reader is.
    """
    if value in (None, ""):
        return ""
    day = _as_date(value)
    if day is None:
        return str(value)
    lang = language_of(language)
    month = _MONTHS[lang][day.month - 1]
    return f"{day.day}. {month} {day.year}" if lang == "da" else f"{day.day} {month} {day.year}"


def _as_date(value: Any) -> date | None:
    """Return the day a value names: a date as it is, a moment as its Copenhagen day (naive = UTC)."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return local_day(value)
    text = str(value)
    try:
        if len(text) == 10:  # an ISO day: nothing to convert
            return date.fromisoformat(text)
        return local_day(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None


def days_until(deadline: Any, today: Any) -> int | None:
    """Return how many days lie between today and a deadline (negative once it has passed).

    A moment given as `today` counts as its day in Copenhagen: at 23:30 UTC a deadline "tomorrow"
    (UTC) is already today for the library.
    """
    end, start = _as_date(deadline), _as_date(today)
    if end is None or start is None:
        return None
    return (end - start).days


def relative_days(days: int | None, language: str = DEFAULT_LANGUAGE) -> str:
    """Say when something falls, seen from today: "i dag", "i morgen", "om 3 dage", "i går"..."""
    if days is None:
        return ""
    lang = language_of(language)
    if lang == "da":
        named = {0: "i dag", 1: "i morgen", -1: "i går"}
        return named.get(days) or (f"om {days} dage" if days > 0 else f"for {-days} dage siden")
    named = {0: "today", 1: "tomorrow", -1: "yesterday"}
    return named.get(days) or (f"in {days} days" if days > 0 else f"{-days} days ago")


def portal_url(public_url: str, page: str, **params: Any) -> str:
    """Return an absolute portal link: PORTAL_PATHS[page] under public_url, params as query."""
    template = PORTAL_PATHS[page]
    path_params = {k: quote(str(v), safe="") for k, v in params.items() if f"{{{k}}}" in template}
    path = template.format(**path_params)
    query = {k: v for k, v in params.items() if k not in path_params and v is not None}
    url = public_url.rstrip("/") + path
    return f"{url}?{urlencode(query)}" if query else url


def render(
    template: str,
    language: str | None,
    context: Mapping[str, Any],
    public_url: str,
    *,
    unsubscribe_url: str | None = None,
    today: date | None = None,
) -> RenderedMail:
    """Render a mail's subject, text and HTML in the person's language (Danish by default).

    `today` is the day the mail goes out, for text such as "om 2 dage"; without it, the day the
    mail was planned (`planned_on` in the context) is used.
    """
    if template not in TEMPLATES:
        raise UnknownTemplate(template)
    lang = language_of(language)
    env = _environment()
    seen_from = today or _as_date(context.get("planned_on"))
    values = {
        "library_id": None,
        "library_name": "",
        **context,
        # The greeting is a single line even if a name arrives with line breaks in it.
        "recipient_name": _one_line(str(context.get("recipient_name") or "")),
        "lang": lang,
        "platform_name": PLATFORM_NAME[lang],
        "public_url": public_url.rstrip("/"),
        "unsubscribe_url": unsubscribe_url,
        "link": lambda page, **params: portal_url(public_url, page, **params),
        "fdate": lambda value: format_date(value, lang),
        "label": lambda code: LABELS[lang].get(str(code), str(code or "")),
        "days_until": lambda value: days_until(value, seen_from),
        "in_days": lambda value: relative_days(days_until(value, seen_from), lang),
    }
    try:
        text_template = env.get_template(f"{lang}/{template}.txt")
        html_template = env.get_template(f"{lang}/{template}.html")
    except jinja2.TemplateNotFound as exc:
        raise UnknownTemplate(f"{lang}/{template}") from exc
    text_module = text_template.make_module(values)
    subject = _one_line(str(getattr(text_module, "subject", "")))
    text = str(text_module).strip() + "\n"
    html = html_template.render({**values, "subject": subject})
    return RenderedMail(subject=subject, text=text, html=html, unsubscribe_url=unsubscribe_url)


def render_planned(planned: PlannedMail, public_url: str, unsubscribe_secret: str | bytes, *,
                   today: date | None = None) -> RenderedMail:
    """Render a planned mail, adding a signed unsubscribe link unless the mail is essential."""
    unsubscribe_url = None
    if not planned.essential:
        token = make_unsubscribe_token(unsubscribe_secret, planned.person_id)
        unsubscribe_url = portal_url(public_url, "unsubscribe", token=token)
    return render(
        planned.template, planned.language, planned.context, public_url,
        unsubscribe_url=unsubscribe_url, today=today,
    )  # fmt: skip


def _one_line(value: str) -> str:
    """Replace control characters (CR, LF, NUL...) by spaces and collapse runs of whitespace."""
    value = unicodedata.normalize("NFC", value)
    return " ".join(_CONTROL.sub(" ", value).split())


def _address(name: str, email: str) -> Address:
    email = (email or "").strip()
    if not email or _CONTROL.search(email) or any(ch.isspace() for ch in email):
        raise InvalidAddress("the e-mail address contains whitespace or control characters")
    if email.count("@") != 1 or not all(email.split("@")):
        raise InvalidAddress("the e-mail address must be local@domain")
    try:
        return Address(display_name=_one_line(name or ""), addr_spec=email)
    except (ValueError, IndexError) as exc:  # headerregistry's parser rejects malformed addresses
        raise InvalidAddress(str(exc)) from exc


def message_id_for(dedup_key: str, domain: str) -> str:
    """Return a Message-ID derived from the dedup key, so a resent mail keeps the same id."""
    digest = hashlib.sha256(dedup_key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{_one_line(domain).replace(' ', '') or 'localhost'}>"


def build_message(
    rendered: RenderedMail,
    to_name: str,
    to_email: str,
    from_addr: str | Address,
    *,
    message_id: str | None = None,
    sent_at: datetime | None = None,
) -> EmailMessage:
    """Build a multipart/alternative message whose headers no user text can inject into."""
    if isinstance(from_addr, str):
        from_name, from_email = parseaddr(_one_line(from_addr))
        sender = _address(from_name, from_email)
    else:
        sender = _address(from_addr.display_name, from_addr.addr_spec)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = _address(to_name, to_email)
    message["Subject"] = _one_line(rendered.subject)
    # RFC 3834: tell auto-responders not to answer.
    message["Auto-Submitted"] = "auto-generated"
    if message_id:
        message["Message-ID"] = _one_line(message_id)
    if sent_at is not None:
        message["Date"] = format_datetime(sent_at)
    if rendered.unsubscribe_url:
        url = _one_line(rendered.unsubscribe_url).replace(" ", "%20").replace(">", "%3E")
        message["List-Unsubscribe"] = f"<{url}>"
        # RFC 8058 one-click: mail clients POST to the URL without showing a page.
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message
