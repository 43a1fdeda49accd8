"""Reference data shipped with the service: the 98 municipalities and the pilot cohort seed."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


def _data_text(name: str) -> str:
    return resources.files("registration").joinpath("data", name).read_text(encoding="utf-8")


@cache
def municipalities() -> tuple[str, ...]:
    """Return the official names of Denmark's municipalities (kommuner)."""
    lines = (line.strip() for line in _data_text("municipalities.txt").splitlines())
    return tuple(unicodedata.normalize("NFC", line) for line in lines if line)


def municipality_key(name: str) -> str:
    """Fold a municipality name for comparison: case, Unicode form, spacing, a ' Kommune' suffix."""
    folded = " ".join(unicodedata.normalize("NFC", name).split()).casefold()
    if folded.endswith(" kommune"):
        folded = folded[: -len(" kommune")]
    return folded


@cache
def _municipality_index() -> dict[str, str]:
    return {municipality_key(name): name for name in municipalities()}


@cache
def municipality_codes() -> dict[str, str]:
    """The three-digit municipality code (kommunekode) of every municipality, code to name."""
    rows = (line.split("\t") for line in _data_text("municipality_codes.tsv").splitlines()
            if line.strip() and not line.startswith("#"))
    return {code.strip(): unicodedata.normalize("NFC", name.strip()) for code, name in rows}


def municipality_of_code(code: str) -> str | None:
    """The municipality a kommunekode names, or None."""
    return municipality_codes().get(code)


def canonical_municipality(name: str) -> str | None:
    """Return the official spelling of a municipality, or None if it is not one."""
    return _municipality_index().get(municipality_key(name))


@dataclass(frozen=True)
class SeedCohort:
    cohort_id: str
    name: str
    start_year: int
    end_year: int | None
    state: str


@dataclass(frozen=True)
class SeedLibrary:
    name: str
    municipality: str
    kind: str
    isil: str
    staff_count: int
    cohort_id: str


@dataclass(frozen=True)
class PilotSeed:
    cohorts: tuple[SeedCohort, ...]
    libraries: tuple[SeedLibrary, ...]


@cache
def pilot_seed() -> PilotSeed:
    """Read the pilot cohort seed (cohorts and the 20 pilot libraries) shipped with the service."""
    raw: dict[str, Any] = json.loads(_data_text("pilot_libraries.json"))
    return PilotSeed(
        cohorts=tuple(SeedCohort(**c) for c in raw["cohorts"]),
        libraries=tuple(SeedLibrary(**lib) for lib in raw["libraries"]),
    )
