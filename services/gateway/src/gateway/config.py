"""The gateway's settings: the shared base plus where the services are, the public address and
how far to trust proxies and how long to keep a person's access."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.config import DEFAULT_PORTS, ServiceSettings, env, gateway_public_url

BACKENDS = ("registration", "evidence", "scoring", "notification")


@dataclass(frozen=True)
class Settings(ServiceSettings):
    service: str = "gateway"
    http_port: int = env("CHORA_GATEWAY_PORT", default=8080)
    public_url: str = ""
    # Each backend's base URL (CHORA_<SERVICE>_URL, default its local port).
    service_urls: Mapping[str, str] = field(default_factory=dict)
    # Reverse proxies in front of the gateway that set X-Forwarded-For/-Proto (an ingress: 1).
    # Their headers are trusted for that many hops only, so the client address the sign-in
    # throttle counts is the client's, not the proxy's; 0 (the default) trusts none.
    trusted_proxies: int = 0
    # How long (seconds) a person's access (status, role, library, session generation) is kept in
    # a process's cache at most. Events empty it the moment access changes (gateway.access); this
    # is only the safety net for an event that never came.
    access_cache_ttl: float = 600.0

    _not_from_env = frozenset({"service_urls"})

    @classmethod
    def derived(cls, environ: Mapping[str, str], service: str, values: Mapping[str, Any]) -> dict[str, Any]:
        out = super().derived(environ, service, values)
        out["public_url"] = (values.get("public_url") or gateway_public_url(environ)).rstrip("/")
        out["service_urls"] = {
            name: environ.get(f"CHORA_{name.upper()}_URL") or f"http://127.0.0.1:{DEFAULT_PORTS[name]}"
            for name in BACKENDS
        }
        return out
