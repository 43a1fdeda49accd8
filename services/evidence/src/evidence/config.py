"""The evidence service's settings: the shared base (it needs nothing of its own yet)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.config import ServiceSettings


@dataclass(frozen=True)
class Settings(ServiceSettings):
    service: str = "evidence"
