"""Prometheus metrics shared by every service (labelled by service)."""

from prometheus_client import Counter, Gauge, Histogram

EVENTS_PUBLISHED = Counter("chora_events_published_total", "Events confirmed by the broker", ["service", "type"])
EVENTS_UNROUTABLE = Counter(
    "chora_events_unroutable_total", "Events the broker returned as unroutable", ["service", "type"]
)
PUBLISH_FAILURES = Counter("chora_publish_failures_total", "Publish attempts that failed or timed out", ["service"])
OUTBOX_PENDING = Gauge("chora_outbox_pending", "Events waiting in the outbox", ["service"])
EVENTS_CONSUMED = Counter(
    "chora_events_consumed_total", "Messages handled by a consumer", ["service", "type", "outcome"]
)
HTTP_REQUESTS = Counter("chora_http_requests_total", "HTTP requests", ["service", "method", "status"])
HTTP_LATENCY = Histogram("chora_http_request_seconds", "HTTP request duration", ["service"])
