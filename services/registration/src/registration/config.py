"""The registration service's settings: the shared base plus the first administrator, the demo
seed and the sign-in throttle."""

from __future__ import annotations

from dataclasses import dataclass

from shared.config import ServiceSettings


@dataclass(frozen=True)
class Settings(ServiceSettings):
    service: str = "registration"
    # The first administrator, created by migrate when both are set.
    bootstrap_admin_email: str = ""
    bootstrap_admin_password: str = ""
    # CHORA_SEED_DEMO=1: migrate seeds the 20 pilot libraries and their enrolments.
    seed_demo: bool = False
    # The sign-in throttle: failed attempts allowed per account and per client address within the
    # sliding window (seconds); a limit of 0 turns that counter off.
    login_max_per_account: int = 5
    login_max_per_address: int = 20
    login_window: float = 900.0
