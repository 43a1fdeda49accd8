"""Validate and normalise single input values; each returns the clean value or raises InvalidField.

Lists come back as tuples (the aggregates are frozen), in a canonical order without repeats.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from shared import vocabulary

from .errors import InvalidField
from .model import Partner

MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)
MAX_SDG_VALUES = 17 * 2
MAX_TARGET_VALUES = 169
MAX_PARTNERS = 50
MAX_LINKS = 20
MAX_PARTNER_NAME, MAX_PARTNER_KIND, MAX_LINK = 200, 100, 2000


def invalid(field: str, code: str, da: str, en: str) -> InvalidField:
    """Build an InvalidField error for `field`."""
    return InvalidField(code, da, en, field=field)


def text(field: str, value: Any, *, max_len: int, min_len: int = 0, label_da: str = "") -> str:
    """Strip a string and check its length."""
    if not isinstance(value, str):
        raise invalid(field, "not_text", f"{label_da or field} skal være tekst.", f"{field} must be text.")
    clean: str = value.strip()
    if len(clean) < min_len:
        raise invalid(field, "required", f"{label_da or field} skal udfyldes.", f"{field} is required.")
    if len(clean) > max_len:
        raise invalid(
            field,
            "too_long",
            f"{label_da or field} må højst være {max_len} tegn (er {len(clean)}).",
            f"{field} may be at most {max_len} characters (is {len(clean)}).",
        )
    return clean


def choice(field: str, value: Any, allowed: tuple[str, ...], label_da: str) -> str:
    """Check that `value` is one of `allowed`."""
    if value not in allowed:
        raise invalid(
            field,
            "unknown_value",
            f"Ukendt {label_da}: {value!r}. Tilladt: {', '.join(allowed)}.",
            f"Unknown {field}: {value!r}. Allowed: {', '.join(allowed)}.",
        )
    return str(value)


def kind(value: Any) -> str:
    """Check an evidence kind."""
    return choice("kind", value, vocabulary.EVIDENCE_KINDS, "type")


def dimension(value: Any, field: str = "dimension") -> str:
    """Check a dimension of the model."""
    return choice(field, value, vocabulary.DIMENSIONS, "dimension")


def _as_list(field: str, value: Any, max_items: int) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise invalid(field, "not_list", f"{field} skal være en liste.", f"{field} must be a list.")
    if len(value) > max_items:
        raise invalid(
            field,
            "too_many",
            f"Højst {max_items} værdier i {field}.",
            f"At most {max_items} values in {field}.",
        )
    return list(value)


def integer(field: str, value: Any, *, minimum: int, maximum: int) -> int:
    """Accept an int (or a string of digits from a form) within bounds."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, "not_integer", f"{field} skal være et helt tal.", f"{field} must be a whole number.")
    if not minimum <= value <= maximum:
        raise invalid(
            field,
            "out_of_range",
            f"{field} skal være mellem {minimum} og {maximum}.",
            f"{field} must be between {minimum} and {maximum}.",
        )
    return value


def number(field: str, value: Any, *, minimum: float | None = None, maximum: float | None = None) -> float:
    """Accept a finite int or float (or a numeric string, comma or point as decimal mark)."""
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise invalid(field, "not_number", f"{field} skal være et tal.", f"{field} must be a number.")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise invalid(
            field,
            "out_of_range",
            f"{field} skal være mellem {minimum} og {maximum}.",
            f"{field} must be between {minimum} and {maximum}.",
        )
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def boolean(field: str, value: Any) -> bool:
    """Accept only true or false."""
    if not isinstance(value, bool):
        raise invalid(field, "not_boolean", f"{field} skal være sand eller falsk.", f"{field} must be true or false.")
    return value


def as_date(value: Any) -> date | None:
    """A date from a date, a datetime or an ISO `YYYY-MM-DD` string; None if it is none of them."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def iso_date(field: str, value: Any) -> str:
    """Accept a date or an ISO `YYYY-MM-DD` string; return the ISO string (BSON has no date type)."""
    day = as_date(value)
    if day is None:
        raise invalid(
            field, "not_date", f"{field} skal være en dato (ÅÅÅÅ-MM-DD).", f"{field} must be a date (YYYY-MM-DD)."
        )
    if not MIN_DATE <= day <= MAX_DATE:
        raise invalid(
            field,
            "out_of_range",
            f"{field} skal ligge mellem {MIN_DATE.year} og {MAX_DATE.year}.",
            f"{field} must be between {MIN_DATE.year} and {MAX_DATE.year}.",
        )
    return day.isoformat()


def sdg_list(value: Any, field: str = "sdgs") -> tuple[int, ...]:
    """Accept SDG numbers 1..17 (ints or digit strings); return them sorted without duplicates."""
    out: set[int] = set()
    for raw in _as_list(field, value, MAX_SDG_VALUES):
        n = raw
        if isinstance(raw, str) and raw.strip().isdigit():
            n = int(raw.strip())
        if isinstance(n, bool) or not isinstance(n, int) or n not in vocabulary.SDGS:
            raise invalid(
                field,
                "unknown_sdg",
                f"Verdensmål {raw!r} findes ikke; verdensmålene er 1-17.",
                f"SDG {raw!r} does not exist; the SDGs are 1-17.",
            )
        out.add(n)
    return tuple(sorted(out))


def target_sort_key(target_id: str) -> tuple[int, int, str]:
    """Order targets as the UN lists them: numbered targets first, then lettered ones."""
    goal, _, rest = target_id.partition(".")
    return (int(goal), 0, rest.zfill(3)) if rest.isdigit() else (int(goal), 1, rest)


def target_list(value: Any, field: str = "targets") -> tuple[str, ...]:
    """Accept official target ids such as `4.7` or `12.a`; return them in official order."""
    out: set[str] = set()
    for raw in _as_list(field, value, MAX_TARGET_VALUES):
        t = raw.strip().lower() if isinstance(raw, str) else raw
        if not isinstance(t, str) or not vocabulary.is_sdg_target(t):
            raise invalid(
                field,
                "unknown_target",
                f"Delmål {raw!r} findes ikke blandt de 169 officielle delmål.",
                f"Target {raw!r} is not one of the 169 official targets.",
            )
        out.add(t)
    return tuple(sorted(out, key=target_sort_key))


def targets_within_sdgs(targets: tuple[str, ...], sdgs: tuple[int, ...], field: str = "targets") -> None:
    """Require each target's SDG to be among the chosen SDGs (checked on submit, not on drafts)."""
    stray = [t for t in targets if vocabulary.goal_of(t) not in sdgs]
    if stray:
        goals = ", ".join(sorted({str(vocabulary.goal_of(t)) for t in stray}, key=int))
        raise invalid(
            field,
            "target_outside_sdgs",
            f"Delmål {', '.join(stray)} hører til verdensmål {goals}, som ikke er valgt.",
            f"Target(s) {', '.join(stray)} belong to SDG {goals}, which is not selected.",
        )


def age_group_list(value: Any) -> tuple[str, ...]:
    """Accept known age groups; return them in canonical order without duplicates."""
    items = _as_list("age_groups", value, len(vocabulary.AGE_GROUPS) * 2)
    for g in items:
        choice("age_groups", g, vocabulary.AGE_GROUPS, "aldersgruppe")
    return tuple(g for g in vocabulary.AGE_GROUPS if g in items)


def partner_list(value: Any) -> tuple[Partner, ...]:
    """Accept partners as names or `{name, kind}`; drop repeated names (case-insensitive)."""
    out: list[Partner] = []
    seen: set[str] = set()
    for raw in _as_list("partners", value, MAX_PARTNERS):
        entry = {"name": raw.name, "kind": raw.kind} if isinstance(raw, Partner) else raw
        entry = {"name": entry} if isinstance(entry, str) else entry
        if not isinstance(entry, dict) or set(entry) - {"name", "kind"}:
            raise invalid(
                "partners",
                "bad_partner",
                "En partner angives med navn og evt. type.",
                "A partner is given as a name and an optional kind.",
            )
        name = text("partners", entry.get("name"), min_len=1, max_len=MAX_PARTNER_NAME, label_da="Partnerens navn")
        kind_ = entry.get("kind")
        if kind_ is not None:
            kind_ = text("partners", kind_, max_len=MAX_PARTNER_KIND) or None
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(Partner(name, kind_))
    return tuple(out)


def url_list(value: Any) -> tuple[str, ...]:
    """Accept up to 20 http(s) links, without duplicates."""
    out: list[str] = []
    for raw in _as_list("links", value, MAX_LINKS):
        url = text("links", raw, min_len=1, max_len=MAX_LINK)
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise invalid(
                "links",
                "bad_url",
                f"Linket {url!r} skal begynde med http:// eller https://.",
                f"The link {url!r} must start with http:// or https://.",
            )
        if url not in out:
            out.append(url)
    return tuple(out)
