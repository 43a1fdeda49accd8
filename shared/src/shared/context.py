"""Request and correlation ids carried across HTTP calls, log lines and events. The correlation
id is the trace id (shared.tracing) wherever a trace is active."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
causation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("causation_id", default=None)
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def new_id() -> str:
    return uuid.uuid4().hex


def current_correlation_id() -> str:
    """Return the correlation id of the work in progress, or a new one when none is bound.

    A new id is not stored: work outside a request or a message (a scheduler run, start-up)
    must not leave its id on the thread for unrelated work that follows; bind one with
    `bound()` to correlate several events."""
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        return trace.format_trace_id(span.trace_id)
    return correlation_id.get() or new_id()


@contextmanager
def bound(*, correlation: str | None, causation: str | None = None, request: str | None = None) -> Iterator[None]:
    """Bind ids for the duration of one unit of work (a message or a request)."""
    tokens = [
        (correlation_id, correlation_id.set(correlation)),
        (causation_id, causation_id.set(causation)),
        (request_id, request_id.set(request)),
    ]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
