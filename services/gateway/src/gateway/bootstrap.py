"""The gateway's composition root: the only place that builds its settings, clock, forwarding
client, caches and the subscription to access events, and wires them together."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from gateway.access import AccessCache, AccessChecks
from gateway.access_events import AccessEvents
from gateway.client import ServiceClient
from gateway.config import Settings
from gateway.openapi import BackendDocuments
from shared import keys


@dataclass
class Gateway:
    """One gateway process's moving parts (what `create_app` serves with)."""

    settings: Settings
    clock: Callable[[], float]
    client: ServiceClient
    access: AccessChecks
    documents: BackendDocuments
    events: AccessEvents | None

    def forget_person(self, person_id: str) -> None:
        """Drop what this process knows about a person's access (their next request asks again)."""
        self.access.cache.forget(person_id)

    def start(self) -> None:
        """Attach to the access events (call in the process that serves, after fork)."""
        if self.events is not None:
            self.events.start()

    def stop(self) -> None:
        if self.events is not None:
            self.events.stop()
        self.client.close()


def bootstrap(settings: Settings | None = None, *, clock: Callable[[], float] | None = None,
              client: ServiceClient | None = None, subscribe: bool = True) -> Gateway:
    """Build the gateway (nothing connects until `start`); `subscribe=False` leaves out the access
    events, and with them the cache of access (every request then asks registration)."""
    settings = settings or Settings.from_env()
    clock = clock or time.monotonic
    client = client or ServiceClient(
        settings.service_urls, {name: settings.key(keys.identity_purpose(name)) for name in settings.service_urls},
        timer=clock)
    events: AccessEvents | None = None
    cache = AccessCache(settings.access_cache_ttl, timer=clock, trusted=lambda: events is not None and events.live.is_set())
    if subscribe:
        events = AccessEvents(settings, forget=cache.forget, attached=cache.clear)
    gateway = Gateway(settings=settings, clock=clock, client=client, access=AccessChecks(client, cache),
                      documents=BackendDocuments(client, settings.service_urls, timer=clock), events=events)
    client.on_registration_write.append(_forget_on_write(gateway))
    return gateway


def _forget_on_write(gateway: Gateway) -> Callable[[str], None]:
    def forget(path: str) -> None:
        # A change to a person made through this process applies to their next request here at
        # once, before registration's event arrives.
        parts = path.split("/")
        if len(parts) > 2 and parts[1] in ("people", "invitations"):
            gateway.forget_person(parts[2])

    return forget
