"""Validate and normalise single input values; each returns the clean value or raises InvalidField."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from .errors import InvalidField
from .sdgs import AGE_GROUPS, DIMENSIONS, KINDS, goal_of, is_target, target_sort_key

MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)


def invalid(field: str, code: str, da: str, en: str) -> InvalidField:
    """Build an InvalidField error for `field`."""
    return InvalidField(code, da, en, field=field)


def text(field: str, value: Any, *, max_len: int, min_len: int = 0, label_da: str = "") -> str:
    """Strip a string and check its length."""
    if not isinstance(value, str):
        raise invalid(field, "not_text", f"{label_da or field} skal være tekst.", f"{field} must be text.")
    value = value.strip()
    if len(value) < min_len:
        raise invalid(field, "required", f"{label_da or field} skal udfyldes.", f"{field} is required.")
    if len(value) > max_len:
        raise invalid(
            field,
            "too_long",
            f"{label_da or field} må højst være {max_len} tegn (er {len(value)}).",
            f"{field} may be at most {max_len} characters (is {len(value)}).",
        )
    return value


def choice(field: str, value: Any, allowed: tuple[str, ...], label_da: str) -> str:
    """Check that `value` is one of `allowed`."""
    if value not in allowed:
        raise invalid(
            field,
            "unknown_value",
            f"Ukendt {label_da}: {value!r}. Tilladt: {', '.join(allowed)}.",
            f"Unknown {field}: {value!r}. Allowed: {', '.join(allowed)}.",
        )
    return value


def kind(value: Any) -> str:
    return choice("kind", value, KINDS, "type")


def dimension(value: Any, field: str = "dimension") -> str:
    return choice(field, value, DIMENSIONS, "dimension")


def _as_list(field: str, value: Any, max_items: int) -> list:
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


def number(field: str, value: Any, *, minimum: float | None = None, maximum: float | None = None) -> float | int:
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
    value = as_date(value)
    if value is None:
        raise invalid(
            field, "not_date", f"{field} skal være en dato (ÅÅÅÅ-MM-DD).", f"{field} must be a date (YYYY-MM-DD)."
        )
    if not MIN_DATE <= value <= MAX_DATE:
        raise invalid(
            field,
            "out_of_range",
            f"{field} skal ligge mellem {MIN_DATE.year} og {MAX_DATE.year}.",
            f"{field} must be between {MIN_DATE.year} and {MAX_DATE.year}.",
        )
    return value.isoformat()


def sdg_list(value: Any, field: str = "sdgs") -> list[int]:
    """Accept SDG numbers 1..17 (ints or digit strings); return them sorted without duplicates."""
    out: set[int] = set()
    for raw in _as_list(field, value, 17 * 2):
        n = raw
        if isinstance(raw, str) and raw.strip().isdigit():
            n = int(raw.strip())
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 17:
            raise invalid(
                field,
                "unknown_sdg",
                f"Verdensmål {raw!r} findes ikke; verdensmålene er 1-17.",
                f"SDG {raw!r} does not exist; the SDGs are 1-17.",
            )
        out.add(n)
    return sorted(out)


def target_list(value: Any, field: str = "targets") -> list[str]:
    """Accept official target ids such as `4.7` or `12.a`; return them in official order."""
    out: set[str] = set()
    for raw in _as_list(field, value, 169):
        t = raw.strip().lower() if isinstance(raw, str) else raw
        if not isinstance(t, str) or not is_target(t):
            raise invalid(
                field,
                "unknown_target",
                f"Delmål {raw!r} findes ikke blandt de 169 officielle delmål.",
                f"Target {raw!r} is not one of the 169 official targets.",
            )
        out.add(t)
    return sorted(out, key=target_sort_key)


def targets_within_sdgs(targets: list[str], sdgs: list[int], field: str = "targets") -> None:
    """Require each target's SDG to be among the chosen SDGs (checked on submit, not on drafts)."""
    stray = [t for t in targets if goal_of(t) not in sdgs]
    if stray:
        goals = ", ".join(sorted({str(goal_of(t)) for t in stray}, key=int))
        raise invalid(
            field,
            "target_outside_sdgs",
            f"Delmål {', '.join(stray)} hører til verdensmål {goals}, som ikke er valgt.",
            f"Target(s) {', '.join(stray)} belong to SDG {goals}, which is not selected.",
        )


def age_group_list(value: Any) -> list[str]:
    """Accept known age groups; return them in canonical order without duplicates."""
    items = _as_list("age_groups", value, len(AGE_GROUPS) * 2)
    for g in items:
        choice("age_groups", g, AGE_GROUPS, "aldersgruppe")
    return [g for g in AGE_GROUPS if g in items]


def partner_list(value: Any) -> list[dict]:
    """Accept partners as names or `{name, kind}`; drop repeated names (case-insensitive)."""
    out: list[dict] = []
    seen: set[str] = set()
    for raw in _as_list("partners", value, 50):
        entry = {"name": raw} if isinstance(raw, str) else raw
        if not isinstance(entry, dict) or set(entry) - {"name", "kind"}:
            raise invalid(
                "partners",
                "bad_partner",
                "En partner angives med navn og evt. type.",
                "A partner is given as a name and an optional kind.",
            )
        name = text("partners", entry.get("name"), min_len=1, max_len=200, label_da="Partnerens navn")
        kind_ = entry.get("kind")
        if kind_ is not None:
            kind_ = text("partners", kind_, max_len=100) or None
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append({"name": name, "kind": kind_})
    return out


def url_list(value: Any) -> list[str]:
    """Accept up to 20 http(s) links, without duplicates."""
    out: list[str] = []
    for raw in _as_list("links", value, 20):
        url = text("links", raw, min_len=1, max_len=2000)
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
    return out


# What an evidence item says, in a stable order (the public copy of a shared case and the
# export's CSV columns both follow it).
CONTENT_FIELDS: tuple[str, ...] = (
    "kind",
    "title",
    "description",
    "dimension",
    "sdgs",
    "targets",
    "date",
    "end_date",
    "participants",
    "age_groups",
    "partners",
    "co_created",
    "before",
    "after",
    "unit",
    "staff_share",
    "links",
)
