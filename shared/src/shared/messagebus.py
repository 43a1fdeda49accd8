"""The message bus every service's entry points go through: one table maps each command type and
each event type to its handler function, and the service's bootstrap injects what the handlers
ask for by name (the unit of work, the clock, the settings, a sender...).

A handler is a plain function whose first parameter is the message and whose other parameters are
dependencies, e.g. `def submit_evidence(cmd: SubmitEvidence, uow: UnitOfWork, clock: Clock)`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.events import Event

Handler = Callable[..., Any]


class UnknownMessage(LookupError):
    """No handler is declared for this command or event type."""


class MissingDependency(TypeError):
    """A handler asks for a dependency the bootstrap does not provide."""


def inject(handler: Handler, dependencies: Mapping[str, Any]) -> Callable[[Any], Any]:
    """Bind the dependencies a handler names after its first parameter."""
    params = list(inspect.signature(handler).parameters.values())[1:]
    wanted = {}
    for param in params:
        if param.name in dependencies:
            wanted[param.name] = dependencies[param.name]
        elif param.default is inspect.Parameter.empty:
            raise MissingDependency(f"{handler.__module__}.{handler.__name__} needs {param.name!r}")
    return functools.partial(handler, **wanted)


@dataclass
class MessageBus:
    """Dispatch commands (by type) and events (by event type) to their injected handlers."""

    commands: Mapping[type, Handler] = field(default_factory=dict)
    events: Mapping[str, Handler] = field(default_factory=dict)
    dependencies: Mapping[str, Any] = field(default_factory=dict)
    # Optional: handle the events already waiting together (a list), e.g. in one transaction.
    batch: Handler | None = None

    def __post_init__(self) -> None:
        self._commands = {kind: inject(h, self.dependencies) for kind, h in self.commands.items()}
        self._events = {kind: inject(h, self.dependencies) for kind, h in self.events.items()}
        self._batch = inject(self.batch, self.dependencies) if self.batch is not None else None

    def handle(self, command: Any) -> Any:
        """Run the command's handler and return its result."""
        handler = self._commands.get(type(command))
        if handler is None:
            raise UnknownMessage(type(command).__name__)
        return handler(command)

    def handle_event(self, event: Event) -> Any:
        """Run the handler of an event received from the broker."""
        handler = self._events.get(event.type)
        if handler is None:
            raise UnknownMessage(event.type)
        return handler(event)

    def handle_events(self, events: list[Event]) -> Any:
        """Run the batch handler on events received together (one by one if there is none)."""
        if self._batch is not None:
            return self._batch(events)
        for event in events:
            self.handle_event(event)
        return None

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(self.events)


__all__ = ["Handler", "MessageBus", "MissingDependency", "UnknownMessage", "inject"]
