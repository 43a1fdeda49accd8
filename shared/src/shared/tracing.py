"""OpenTelemetry traces across HTTP and AMQP: one trace from a request at the gateway through the
services' transactions, the outbox relay's publish and every consumer's handling to the mail.

The context travels as W3C `traceparent` (and `tracestate`) in HTTP headers, in each outbox event
(written in the same commit as the state change, so a publish long after the request still joins
its trace) and in the AMQP message headers. Every process installs an SDK tracer provider, so trace
ids exist even when nothing is exported: the correlation id in logs and events is the trace id.

The exporter follows the standard variables: OTEL_TRACES_EXPORTER = otlp | console | none (the
default here is none), OTEL_EXPORTER_OTLP_ENDPOINT and friends for OTLP (HTTP/protobuf),
OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER. A test installs its own provider (an in-memory exporter)
before the services start; configure() then leaves it in place.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from opentelemetry.trace import Link, SpanKind, format_trace_id

__all__ = ["SpanKind", "carrier", "configure", "context_from", "current_trace_id", "span", "tracer"]


def configure(service: str, env: Mapping[str, str] | None = None) -> None:
    """Install this process's tracer provider once (after fork); the exporter follows OTEL_TRACES_EXPORTER."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return  # already installed: by an earlier service of this process, or by a test
    env = os.environ if env is None else env
    provider = TracerProvider(resource=Resource.create({"service.name": env.get("OTEL_SERVICE_NAME") or service}))
    for name in (n.strip() for n in env.get("OTEL_TRACES_EXPORTER", "none").split(",")):
        if name == "otlp":
            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        elif name == "console":
            provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    trace.set_tracer_provider(provider)


def tracer(service: str) -> trace.Tracer:
    """The tracer of one service (its name is the instrumentation scope, so a one-process platform's
    spans still say which service made them)."""
    return trace.get_tracer(f"chora.{service}")


def carrier() -> dict[str, str]:
    """The current trace context as W3C headers (traceparent, tracestate), to store or send."""
    headers: dict[str, str] = {}
    propagate.inject(headers)
    return headers


def context_from(headers: Mapping[str, Any] | None) -> Context | None:
    """The trace context carried in headers (HTTP, AMQP or an outbox event), or None."""
    if not headers or "traceparent" not in headers:
        return None
    return propagate.extract({k: str(v) for k, v in headers.items() if k in ("traceparent", "tracestate")})


def current_trace_id() -> str | None:
    """The trace id of the active span as 32 hex digits, or None outside any trace."""
    ctx = trace.get_current_span().get_span_context()
    return format_trace_id(ctx.trace_id) if ctx.is_valid else None


@contextmanager
def span(service: str, name: str, *, kind: SpanKind = SpanKind.INTERNAL, parent: Context | None = None,
         links: list[Context] | None = None, attributes: Mapping[str, Any] | None = None) -> Iterator[trace.Span]:
    """A span of `service`, current for the block, child of `parent` (a carried context) when given."""
    span_links = [Link(trace.get_current_span(c).get_span_context()) for c in links or ()]
    with tracer(service).start_as_current_span(name, context=parent, kind=kind, links=span_links,
                                               attributes={"chora.service": service, **(attributes or {})}) as current:
        yield current
