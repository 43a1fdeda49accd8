"""Validate evidence item content: lenient for drafts, stricter for submission.

Light by design: only kind, title and dimension are required to submit; a note and a photo is
valid evidence. A draft keeps every valid field even when others are invalid, so nothing typed is
lost. Rule on targets: in a draft any official target may be tagged; on submit each target's SDG
must also be among the item's SDGs (explicit rather than silently adding the goal, because the
SDG breadth requirement counts distinct SDGs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shared.vocabulary import OPERATIONS_MEASURE, STAFF_TRAINING

from . import values as v
from .errors import EvidenceError, InvalidEvidence, InvalidField
from .model import Content

MAX_TITLE, MAX_DESCRIPTION, MAX_UNIT = 200, 10_000, 50
MAX_PARTICIPANTS = 10_000_000

LABELS_DA = {
    "kind": "Type",
    "title": "Titel",
    "description": "Beskrivelse",
    "dimension": "Dimension",
    "unit": "Enhed",
}

# Every field a library may type, with its validator and its value when cleared (None given).
FIELDS: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "kind": (v.kind, None),
    "title": (lambda x: v.text("title", x, min_len=1, max_len=MAX_TITLE, label_da="Titel"), None),
    "description": (lambda x: v.text("description", x, max_len=MAX_DESCRIPTION, label_da="Beskrivelse"), ""),
    "dimension": (v.dimension, None),
    "sdgs": (v.sdg_list, ()),
    "targets": (v.target_list, ()),
    "date": (lambda x: v.iso_date("date", x), None),
    "end_date": (lambda x: v.iso_date("end_date", x), None),
    "participants": (lambda x: v.integer("participants", x, minimum=0, maximum=MAX_PARTICIPANTS), None),
    "age_groups": (v.age_group_list, ()),
    "partners": (v.partner_list, ()),
    "co_created": (lambda x: v.boolean("co_created", x), False),
    "before": (lambda x: v.number("before", x), None),
    "after": (lambda x: v.number("after", x), None),
    "unit": (lambda x: v.text("unit", x, min_len=1, max_len=MAX_UNIT, label_da="Enhed"), None),
    "staff_share": (lambda x: v.number("staff_share", x, minimum=0, maximum=100), None),
    "links": (v.url_list, ()),
    "public": (lambda x: v.boolean("public", x), False),
}
# What an evidence item says, in a stable order (a shared case copies these, the export's CSV
# columns follow them); `public` is the library's choice about the item, not its content.
CONTENT_FIELDS: tuple[str, ...] = tuple(name for name in FIELDS if name != "public")
FIGURE_FIELDS = ("before", "after", "unit")


def validate_draft(data: Mapping[str, Any], base: Content | None = None) -> tuple[dict[str, Any], list[EvidenceError]]:
    """Keep every valid field of `data`, report the invalid ones separately.

    `base` is the stored item the changes apply to; cross-field rules (end date before start
    date) look at the merged result. Unknown or system fields are reported, never stored.
    """
    clean: dict[str, Any] = {}
    errors: list[EvidenceError] = []
    for name, raw in data.items():
        if name not in FIELDS:
            errors.append(
                InvalidField(
                    "unknown_field",
                    f"Feltet {name!r} kan ikke angives her.",
                    f"The field {name!r} cannot be set here.",
                    field=name,
                )
            )
            continue
        check, default = FIELDS[name]
        if raw is None or (raw == "" and name != "description"):
            clean[name] = default
            continue
        try:
            clean[name] = check(raw)
        except InvalidField as exc:
            errors.append(exc)
    start = clean.get("date", base.date if base else None)
    end = clean.get("end_date", base.end_date if base else None)
    if ("date" in clean or "end_date" in clean) and start and end and end < start:
        # Blame (and leave unstored) the end date if it was typed now, else the new start date.
        blamed = "end_date" if "end_date" in clean else "date"
        errors.append(_end_before_start(blamed))
        clean.pop(blamed)
    return clean, errors


def validate_for_submit(item: Content) -> None:
    """Raise InvalidEvidence listing every problem that prevents submitting `item`."""
    problems: list[EvidenceError] = []
    for name in ("kind", "title", "dimension"):
        if not getattr(item, name):
            problems.append(
                InvalidField("required", f"{LABELS_DA[name]} skal udfyldes.", f"{name} is required.", field=name)
            )
    if item.end_date and not item.date:
        problems.append(
            InvalidField(
                "end_without_start",
                "En slutdato kræver en startdato.",
                "An end date needs a start date.",
                field="date",
            )
        )
    if item.targets:
        try:
            v.targets_within_sdgs(item.targets, item.sdgs)
        except InvalidField as exc:
            problems.append(exc)
    figures = [f for f in FIGURE_FIELDS if getattr(item, f) is not None]
    if figures and item.kind and item.kind != OPERATIONS_MEASURE:
        problems.append(
            InvalidField(
                "figures_need_operations_measure",
                "Før- og efter-tal hører kun til et driftstiltag.",
                "Before and after figures belong to an operations measure only.",
                field=figures[0],
            )
        )
    elif (item.before is not None or item.after is not None) and item.unit is None:
        problems.append(
            InvalidField(
                "unit_required",
                "Angiv enheden for før- og efter-tallene (fx kWh).",
                "Give the unit of the before and after figures (e.g. kWh).",
                field="unit",
            )
        )
    if item.staff_share is not None and item.kind and item.kind != STAFF_TRAINING:
        problems.append(
            InvalidField(
                "share_needs_staff_training",
                "Andel af personalet hører kun til en personaleuddannelse.",
                "The staff share belongs to a staff training item only.",
                field="staff_share",
            )
        )
    if problems:
        raise InvalidEvidence(problems)


def _end_before_start(field: str) -> InvalidField:
    return InvalidField(
        "end_before_start",
        "Slutdatoen ligger før startdatoen.",
        "The end date is before the start date.",
        field=field,
    )
