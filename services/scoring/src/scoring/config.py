"""The scoring service's settings: the shared base plus the daily re-score's interval."""

from __future__ import annotations

from dataclasses import dataclass

from shared.config import ServiceSettings, env


@dataclass(frozen=True)
class Settings(ServiceSettings):
    service: str = "scoring"
    # Seconds between the scheduler's passes (date windows move, check-ins fall due).
    scheduler_interval: float = env("CHORA_SCORING_SCHEDULER_INTERVAL", default=3600.0)
