"""Settings of any service by name, for harnesses that start services they do not import by name."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from shared.config import SERVICES, ServiceSettings


def settings_class(service: str) -> type[ServiceSettings]:
    """The service's own settings class, or the shared base for a name that is no service."""
    if service in SERVICES:
        return importlib.import_module(f"{service}.config").Settings
    return ServiceSettings


def settings_of(service: str, environ: Mapping[str, str] | None = None, **overrides: Any) -> ServiceSettings:
    """Read a service's settings from a mapping (os.environ if none)."""
    cls = settings_class(service)
    if cls is ServiceSettings:
        overrides["service"] = service
    return cls.from_env(environ, **overrides)
