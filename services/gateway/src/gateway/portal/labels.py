"""What the portal calls things: the programme's vocabulary from shared.vocabulary (Danish and
English pairs) and the few labels only the portal shows, in the catalogues (lazy_gettext)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from gateway.portal.l10n import lang
from shared import vocabulary as v

VOCABULARY: dict[str, dict[Any, tuple[str, str]]] = {
    "dimension": v.DIMENSION_LABELS,
    "kind": v.KIND_LABELS,
    "status": v.EVIDENCE_STATUS_LABELS,
    "age_group": v.AGE_GROUP_LABELS,
    "role": v.ROLE_LABELS,
    "library_status": v.LIBRARY_STATUS_LABELS,
    "sdg": v.SDG_LABELS,
}


def label(table: str, key: Any) -> str:
    """A vocabulary key's label in the reader's language (the key itself if unknown)."""
    pairs = VOCABULARY[table]
    if table == "sdg":
        try:
            key = int(key)
        except (TypeError, ValueError):
            return str(key)
    pair = pairs.get(key)
    if pair is None:
        return "" if key is None else str(key)
    return pair[1] if lang() == "en" else pair[0]


def options(table: str) -> list[tuple[Any, str]]:
    """A vocabulary table as (key, label) pairs in the vocabulary's order."""
    return [(key, label(table, key)) for key in VOCABULARY[table]]


# What only the portal shows (its own words, translated through the catalogues).
REGISTRATION_STATUSES = {"pending": _l("Afventer bekræftelse"), "active": _l("Aktiv"), "withdrawn": _l("Udmeldt")}
PERSON_STATUSES = {"invited": _l("Inviteret"), "pending": _l("Afventer bekræftelse"), "active": _l("Aktiv"),
                   "deactivated": _l("Deaktiveret"), "erased": _l("Slettet")}
MODEL_STATUSES = {"draft": _l("Kladde"), "published": _l("Udgivet")}
COHORT_STATES = {"planned": _l("Planlagt"), "open": _l("Åben"), "closed": _l("Lukket")}
DELIVERY_STATUSES = {"pending": _l("Venter"), "sending": _l("Sendes"), "sent": _l("Sendt"), "failed": _l("Fejlet"),
                     "cancelled": _l("Annulleret"), "suppressed": _l("Frameldt af modtageren")}
CERTIFICATE_STATUSES = {"valid": _l("Gyldigt"), "checkin_due": _l("Gyldigt (årlig opfølgning forfalden)"),
                        "lapsed": _l("Udløbet"), "revoked": _l("Tilbagekaldt"), "unknown": _l("Ukendt")}
AUDIT_ACTIONS = {"create": _l("Oprettet"), "edit": _l("Rettet"), "submit": _l("Indsendt"),
                 "withdraw": _l("Trukket tilbage"), "review": _l("Vurderet"),
                 "answer": _l("Spørgsmål besvaret og indsendt igen"), "message": _l("Besked i tråden"),
                 "attach": _l("Fil vedhæftet"), "detach": _l("Fil fjernet"),
                 "share": _l("Delt med andre biblioteker"), "delete": _l("Slettet")}
# An evidence item's fields, as the audit trail names what changed.
FIELD_LABELS = {"kind": _l("Type"), "title": _l("Titel"), "description": _l("Beskrivelse"),
                "dimension": _l("Dimension"), "sdgs": _l("Verdensmål"), "targets": _l("Delmål"), "date": _l("Dato"),
                "end_date": _l("Slutdato"), "participants": _l("Deltagere"), "age_groups": _l("Aldersgrupper"),
                "partners": _l("Partnere"), "co_created": _l("Skabt sammen med borgere eller partnere"),
                "before": _l("Før"), "after": _l("Efter"), "unit": _l("Enhed"),
                "staff_share": _l("Andel af personalet i procent"), "links": _l("Links"),
                "public": _l("Vis offentligt, når den er godkendt"), "attachments": _l("Vedhæftede filer"),
                "shared_case_id": _l("Delt")}
# A model requirement's fields, as the impact preview names what a draft changes.
REQUIREMENT_FIELDS = {"target": _l("Mål"), "weight": _l("Vægt"), "text_da": _l("Tekst på dansk"),
                      "text_en": _l("Tekst på engelsk"), "measure": _l("Måling"), "kind": _l("Type"),
                      "filters": _l("Hvad der tæller"), "scale_by_size": _l("Skaleres efter størrelse"),
                      "unit_da": _l("Enhed på dansk"), "unit_en": _l("Enhed på engelsk"),
                      "dimension": _l("Dimension")}


def text_of(entry: Any, name: str = "text") -> str:
    """A bilingual text from an answer (`text_da`/`text_en`, `message_da`/`message_en`, or
    `message`/`message_en`) in the reader's language, Danish when no English is given."""
    if not isinstance(entry, dict):
        return "" if entry is None else str(entry)
    danish = entry.get(f"{name}_da") or entry.get(name) or ""
    english = entry.get(f"{name}_en")
    return english if lang() == "en" and english else danish
