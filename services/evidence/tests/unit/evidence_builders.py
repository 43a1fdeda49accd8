"""Shared test data for the evidence unit tests: identities, a clock and a complete activity."""

from __future__ import annotations

from datetime import UTC, datetime

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)

COORDINATOR = {
    "person_id": "p-anna",
    "role": "coordinator",
    "library_id": "lib-aarhus",
    "name": "Anna Holm",
    "email": "anna@aakb.dk",
}
MEMBER = {"person_id": "p-bo", "role": "member", "library_id": "lib-aarhus", "name": "Bo Berg", "email": "bo@aakb.dk"}
OTHER_LIBRARY = {"person_id": "p-carl", "role": "member", "library_id": "lib-odense", "name": "Carl Dam"}
ASSESSOR = {"person_id": "p-dorte", "role": "assessor", "library_id": None, "name": "Dorte Ravn"}
ADMINISTRATOR = {"person_id": "p-erik", "role": "administrator", "library_id": None, "name": "Erik Lund"}

ACTIVITY = {
    "kind": "activity",
    "title": "Reparationscafé",
    "description": "Borgere reparerer cykler og tøj sammen med frivillige.",
    "dimension": "faellesskaber",
    "sdgs": [12, 13],
    "targets": ["12.5"],
    "date": "2025-02-01",
    "end_date": "2025-02-01",
    "participants": 40,
    "age_groups": ["adults", "seniors"],
    "partners": [{"name": "Repair Café Aarhus", "kind": "association"}],
    "co_created": True,
    "links": ["https://aakb.dk/arrangementer/reparationscafe"],
    "public": True,
}


def image_bytes(fmt: str, size=(32, 24), mode="RGB") -> bytes:
    """Return a small real image encoded by Pillow (PNG, JPEG or WEBP)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, size, (200, 40, 40) if mode == "RGB" else (200, 40, 40, 128)).save(out, format=fmt)
    return out.getvalue()


def office_bytes(top: str, extra: dict | None = None) -> bytes:
    """Return a minimal OOXML-like zip: `[Content_Types].xml` plus entries under `top` (word/ or xl/)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        main = "document.xml" if top == "word/" else "workbook.xml"
        archive.writestr(top + main, "<x/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()
