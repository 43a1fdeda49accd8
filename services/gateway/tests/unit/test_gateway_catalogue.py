"""The English catalogue is complete: every string the portal's templates and views mark for
translation is in it, each with a translation that is neither empty nor fuzzy and that keeps the
source's placeholders (Danish is the source language: the msgids are the Danish text)."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

pytestmark = pytest.mark.unit

GATEWAY = Path(__file__).resolve().parents[2]
PACKAGE = GATEWAY / "src" / "gateway"
CATALOGUE = PACKAGE / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[A-Za-z]+\}")


def extracted() -> set:
    """Every message id the portal marks, as `scripts/translations.sh update` extracts them."""
    with open(GATEWAY / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), method_map, options_map, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def catalogue():
    with open(CATALOGUE, "rb") as po:
        return read_po(po)


def _translations(message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def test_every_marked_string_of_the_portal_is_in_the_english_catalogue():
    ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalogue() if m.id}
    missing = sorted(map(str, extracted() - ids))
    assert not missing, f"not in {CATALOGUE.name} (run scripts/translations.sh update): {missing}"


def test_every_message_has_an_english_translation_that_is_neither_empty_nor_fuzzy():
    problems = [m.id for m in catalogue() if m.id and (m.fuzzy or not all(_translations(m)))]
    assert not problems, problems


def test_translations_keep_the_placeholders_of_the_danish_text():
    wrong = []
    for m in catalogue():
        if not m.id:
            continue
        sources = [m.id] if isinstance(m.id, str) else list(m.id)
        expected = sorted(set(PLACEHOLDER.findall(sources[-1])))
        for text in _translations(m):
            if sorted(set(PLACEHOLDER.findall(text))) != expected:
                wrong.append((m.id, text))
    assert not wrong, wrong


def test_the_scan_finds_template_view_label_and_plural_strings():
    found = extracted()
    assert "Skift rolle" in found  # a template
    assert "Invitationen er sendt." in found  # a view's outcome
    assert "Frameldt af modtageren" in found  # a portal label (lazy)
    assert ("%(num)d bibliotek", "%(num)d biblioteker") in found  # a plural
