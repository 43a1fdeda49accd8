"""The programme vocabulary: dimensions, evidence kinds, age groups, SDGs and their targets."""

from __future__ import annotations

from shared import vocabulary

DIMENSIONS: tuple[str, ...] = ("formidling", "faellesskaber", "drift")
DIMENSION_LABELS_DA = {
    "formidling": "Biblioteket som formidler",
    "faellesskaber": "Biblioteket som facilitator",
    "drift": "Biblioteket som aktør",
}

KINDS: tuple[str, ...] = (
    "activity",
    "communication",
    "operations_measure",
    "staff_training",
    "shared_case",
)
KIND_LABELS_DA = {
    "activity": "aktivitet",
    "communication": "formidling",
    "operations_measure": "driftstiltag",
    "staff_training": "personaleuddannelse",
    "shared_case": "delt erfaring",
}

AGE_GROUPS: tuple[str, ...] = ("children", "youth", "adults", "seniors")

SDGS: tuple[int, ...] = tuple(range(1, 18))


def targets() -> tuple[str, ...]:
    """Return the 169 official SDG target ids (`1.1` ... `17.19`) in official order."""
    return vocabulary.sdg_targets()


def is_target(target_id: str) -> bool:
    """Tell whether `target_id` is an official SDG target id such as `4.7` or `12.a`."""
    return vocabulary.is_sdg_target(target_id)


def goal_of(target_id: str) -> int:
    """Return the SDG a target belongs to: `12.a` -> 12."""
    return int(target_id.split(".", 1)[0])


def target_sort_key(target_id: str) -> tuple[int, int, str]:
    """Order targets as the UN lists them: numbered targets first, then lettered ones."""
    goal, _, rest = target_id.partition(".")
    return (int(goal), 0, rest.zfill(3)) if rest.isdigit() else (int(goal), 1, rest)
