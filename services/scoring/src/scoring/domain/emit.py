"""What domain functions hand back for publishing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Emit:
    """An event the caller must publish (through its outbox, in the same write as the new state)."""

    type: str
    payload: dict[str, Any]
