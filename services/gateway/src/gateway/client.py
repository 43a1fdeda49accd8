"""Forward calls to the services on one transport: a urllib3 connection pool per service (kept
alive, shared by the worker's threads), connect and read timeouts, no retry of a call that may
have reached the service, and every outgoing request's headers built in one place (`headers`):
request and correlation ids, an `Idempotency-Key` on every state-changing call, and the caller's
identity signed for exactly that call (shared.identity: method, path, query, body digest).

Why urllib3 and not requests or httpx: measured on this machine against a bare Flask app on
gunicorn, one GET costs the calling process about 230 us of CPU through a urllib3 pool, 570 us
through an httpx.Client and 710 us through a requests.Session; the gateway is CPU-bound under
load (it shares the cores with the services), so the difference is a tenth of a dashboard's budget.

Every path the gateway puts into an internal URL is quoted: `url_path` quotes each id as one path
segment; `call` quotes what is left unquoted in any path it is given (a non-ASCII or reserved
character in an id never reaches the service raw and never becomes a 5xx).

One small per-process cache (`cached_get`, cachetools): a few answers that rarely change and do
not depend on the caller (registration's library details on the dashboard, after the gateway's
own authorisation check), kept for LIBRARY_TTL seconds. Any state-changing call this gateway
process forwards to registration empties it, so the gateway's own writes are seen at once."""

from __future__ import annotations

import contextvars
import functools
import json as jsonlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

import urllib3
from cachetools import TTLCache
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.retry import Retry

from shared import context, identity, tracing
from shared.identity import Identity

log = logging.getLogger(__name__)

ANONYMOUS = Identity(person_id="anonymous", role="anonymous")
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 15.0
LIBRARY_TTL = 10.0  # seconds registration's library details are reused by the dashboard
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What may stay as it is in a path: the separators, percent-escapes already made, and RFC 3986's
# unreserved and sub-delimiter characters. Everything else (non-ASCII, space, ?, #) is escaped.
_PATH_SAFE = "/%!$&'()*+,;=:@-._~"

# The outcome of a state-changing call that got no answer (a 503 problem says which).
NOT_APPLIED, UNKNOWN = "not_applied", "unknown"


def url_path(template: str, *segments: object) -> str:
    """An internal path with each id quoted as one segment: url_path("/evidence/{}/thread", id)."""
    return template.format(*(quote(str(segment), safe="") for segment in segments))


class ServiceUnavailable(Exception):
    """A service could not be reached or did not answer in time.

    `outcome` says what became of a state-changing call: NOT_APPLIED when the request never left
    (or the call only read), UNKNOWN when it may have reached the service and been applied."""

    def __init__(self, service: str, reason: str, outcome: str = NOT_APPLIED):
        super().__init__(f"{service} unavailable: {reason}")
        self.service, self.reason, self.outcome = service, reason, outcome


class ServiceResponse:
    """A service's answer: status, headers and body (the part of requests.Response the gateway uses)."""

    __slots__ = ("status_code", "headers", "content")

    def __init__(self, status_code: int, headers: Mapping[str, str], content: bytes):
        self.status_code, self.headers, self.content = status_code, headers, content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    def json(self) -> Any:
        return jsonlib.loads(self.content)  # ValueError (JSONDecodeError) when not JSON


class ResponseCache:
    """Answers that may be a few seconds old (cachetools' TTLCache, which is not thread-safe: locked)."""

    def __init__(self, ttl: float, maxsize: int = 4096, timer: Callable[[], float] = time.monotonic):
        self._data: TTLCache[Hashable, ServiceResponse] = TTLCache(maxsize=maxsize, ttl=ttl, timer=timer)
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> ServiceResponse | None:
        with self._lock:
            return self._data.get(key)

    def put(self, key: Hashable, value: ServiceResponse) -> None:
        with self._lock:
            self._data[key] = value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


@dataclass
class IdempotencyKeys:
    """The Idempotency-Key a request came with; each state-changing call it makes gets its own,
    derived in order (the first the key itself, then key.2, key.3 ...), so a repeated request that
    makes the same calls sends the same keys, and two calls never share one."""

    key: str | None
    used: int = field(default=0)

    def next(self) -> str:
        self.used += 1
        if self.key is None:
            return uuid.uuid4().hex  # no key given: one per call, so the service may still dedupe it
        return self.key if self.used == 1 else f"{self.key}.{self.used}"


# The current request's Idempotency-Key (bound by the app for each request, like shared.context's ids).
idempotency: contextvars.ContextVar[IdempotencyKeys | None] = contextvars.ContextVar("idempotency", default=None)


def _query(params: Mapping[str, Any] | None) -> str:
    """Encode query parameters like requests does (None dropped, lists repeated)."""
    if not params:
        return ""
    pairs: list[tuple[str, str | bytes]] = []
    for key, value in params.items():
        if value is None:
            continue
        for v in (value if isinstance(value, (list, tuple)) else (value,)):
            if v is not None:
                pairs.append((key, v if isinstance(v, (str, bytes)) else str(v)))
    return urlencode(pairs)


def _never_sent(exc: Exception) -> bool:
    """Whether a urllib3 failure happened before the request could reach the service."""
    reason = exc.reason if isinstance(exc, MaxRetryError) else exc
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


class ServiceClient:
    """HTTP calls from the gateway to the services, signed with the caller's identity."""

    def __init__(self, service_urls: Mapping[str, str], identity_keys: Mapping[str, bytes], *,
                 connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT,
                 pool_size: int = 32, timer: Callable[[], float] = time.monotonic):
        self.urls = {name: url.rstrip("/") for name, url in service_urls.items()}
        self.identity_keys = dict(identity_keys)
        timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
        # Only connection failures are retried: the request never left, so repeating it cannot
        # repeat an effect. Reads (the request may have arrived) and statuses are never retried.
        retry = Retry(total=1, connect=1, read=0, status=0, other=0, redirect=0, backoff_factor=0,
                      raise_on_status=False, raise_on_redirect=False)
        self.pools: dict[str, urllib3.HTTPConnectionPool] = {}
        self.prefixes: dict[str, str] = {}
        for name, url in self.urls.items():
            parts = urlsplit(url)
            cls = urllib3.HTTPSConnectionPool if parts.scheme == "https" else urllib3.HTTPConnectionPool
            # Never a proxy from the environment (urllib3 does not read it); no blocking for a free
            # connection: a burst beyond pool_size opens extra connections, closed after use.
            self.pools[name] = cls(parts.hostname or "127.0.0.1", parts.port, maxsize=pool_size, block=False,
                                   timeout=timeout, retries=retry)
            self.prefixes[name] = parts.path
        self.cache = ResponseCache(LIBRARY_TTL, timer=timer)
        # Called with the path of every write the gateway makes to registration.
        self.on_registration_write: list[Callable[[str], None]] = []
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()

    def headers(self, service: str, who: Identity | None, method: str, url: str, body: bytes | None = None
                ) -> dict[str, str]:
        """The headers of one call: ids, its Idempotency-Key, and `who` signed for exactly this request."""
        rid = context.request_id.get() or context.new_id()
        parts = urlsplit(url)
        binding = identity.Binding.of(service, method, unquote(parts.path), parts.query, body)
        out = {
            identity.HEADER: identity.sign(self.identity_keys[service], who or ANONYMOUS, binding),
            "X-Request-ID": rid,
            "X-Correlation-ID": context.correlation_id.get() or rid,
            "Accept": "application/json",
            **tracing.carrier(),  # W3C traceparent: the service's span joins this request's trace
        }
        if method.upper() not in SAFE_METHODS:
            keys = idempotency.get()
            out["Idempotency-Key"] = keys.next() if keys is not None else uuid.uuid4().hex
        return out

    def url(self, service: str, path: str, params: Mapping[str, Any] | None = None) -> str:
        """The URL of `path` on `service`, every unsafe character of the path quoted."""
        if service not in self.pools:
            raise KeyError(service)
        url = self.prefixes[service] + quote(path, safe=_PATH_SAFE)
        query = _query(params)
        if query:
            url += ("&" if "?" in url else "?") + query
        return url

    def call(self, service: str, method: str, path: str, who: Identity | None = None, **kwargs: Any) -> ServiceResponse:
        """Make one call (a client span of the request's trace); raise ServiceUnavailable when the
        service is down or too slow."""
        with tracing.span("gateway", f"{method} {service}", kind=tracing.SpanKind.CLIENT,
                          attributes={"http.request.method": method, "server.address": service, "url.path": path}):
            return self._call(service, method, path, who, **kwargs)

    def _call(self, service: str, method: str, path: str, who: Identity | None = None, *,
              json: Any = None, params: Mapping[str, Any] | None = None, files: Any = None,
              data: Any = None) -> ServiceResponse:
        url = self.url(service, path, params)
        body: bytes | None = None
        content_type: str | None = None
        if files:
            fields: dict[str, Any] = {}
            for name, value in files.items():
                filename, fileobj, *rest = value
                content = fileobj.read() if hasattr(fileobj, "read") else fileobj
                fields[name] = (filename, content, rest[0]) if rest else (filename, content)
            for name, value in (data or {}).items():
                fields[name] = value
            body, content_type = urllib3.encode_multipart_formdata(fields)
        elif json is not None:
            body = jsonlib.dumps(json, allow_nan=False).encode()
            content_type = "application/json"
        elif data is not None:
            if isinstance(data, Mapping):
                body = urlencode(list(data.items())).encode()
                content_type = "application/x-www-form-urlencoded"
            else:
                body = data.encode() if isinstance(data, str) else data
        # An upload is bound by its type (with the random boundary) and length, as the service checks.
        signed_body = f"{content_type}|{len(body or b'')}".encode() \
            if content_type and content_type.startswith("multipart/form-data") else body
        headers = self.headers(service, who, method, url, signed_body)
        if content_type:
            headers["Content-Type"] = content_type
        writes = method.upper() not in SAFE_METHODS
        if writes and service == "registration":
            self.cache.clear()  # the gateway's own write: never show an older library afterwards
            for callback in self.on_registration_write:
                callback(path)
        try:
            raw = self.pools[service].urlopen(method, url, body=body, headers=headers, redirect=False,
                                              assert_same_host=False, decode_content=True)
        except Urllib3Error as exc:
            outcome = NOT_APPLIED if not writes or _never_sent(exc) else UNKNOWN
            log.warning("service unavailable", extra={"backend": service, "path": path, "error": str(exc),
                                                      "outcome": outcome})
            raise ServiceUnavailable(service, type(exc).__name__, outcome) from None
        if raw.status in (502, 503, 504):
            raise ServiceUnavailable(service, f"status {raw.status}", self._outcome_of(raw.data) if writes
                                     else NOT_APPLIED)
        return ServiceResponse(raw.status, raw.headers, raw.data)

    @staticmethod
    def _outcome_of(body: bytes) -> str:
        """What a service that answered 'unavailable' says became of a write (UNKNOWN unless it says)."""
        try:
            said = jsonlib.loads(body).get("outcome")
        except (ValueError, AttributeError):
            said = None
        return said if said in (NOT_APPLIED, UNKNOWN) else UNKNOWN

    def get(self, service: str, path: str, who: Identity | None = None, **kw: Any) -> ServiceResponse:
        return self.call(service, "GET", path, who, **kw)

    def post(self, service: str, path: str, who: Identity | None = None, **kw: Any) -> ServiceResponse:
        return self.call(service, "POST", path, who, **kw)

    def cached_get(self, service: str, path: str, who: Identity | None = None) -> ServiceResponse:
        """A GET whose successful answer is reused for LIBRARY_TTL seconds by every caller: only for
        answers that do not depend on who asks (the caller has been authorised by the gateway)."""
        key = (service, path)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        resp = self.call(service, "GET", path, who)
        if resp.status_code == 200:
            self.cache.put(key, resp)
        return resp

    def get_many(self, calls: Sequence[tuple[str, str, Identity | None, Any]]) -> list[Any]:
        """GETs at once; each call is (service, path, who, params), each result the ServiceResponse
        or the ServiceUnavailable it raised."""
        results = self.gather([functools.partial(self.call, service, "GET", path, who, params=params)
                               for service, path, who, params in calls])
        for result in results:
            if isinstance(result, Exception) and not isinstance(result, ServiceUnavailable):
                raise result
        return results

    def gather(self, calls: Sequence[Callable[[], Any]]) -> list[Any]:
        """Run independent calls at once (the first in this thread, the rest on a small pool, each
        with this request's context: ids); each result is the call's value or the exception it raised."""
        if len(calls) > 1 and self._executor is None:
            with self._executor_lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="gateway-call")
        futures = [self._executor.submit(contextvars.copy_context().run, fn)  # type: ignore[union-attr]
                   for fn in calls[1:]]
        results: list[Any] = []
        for fn in calls[:1]:
            try:
                results.append(fn())
            except Exception as exc:  # noqa: BLE001 - handed back to the caller
                results.append(exc)
        for future in futures:
            try:
                results.append(future.result())
            except Exception as exc:  # noqa: BLE001 - handed back to the caller
                results.append(exc)
        return results

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False)
        for pool in self.pools.values():
            pool.close()
