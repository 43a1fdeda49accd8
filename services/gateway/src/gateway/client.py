"""Forward calls to the services: one urllib3 connection pool per service, connect and read
timeouts, no retry of a call that may have reached the service, request and correlation ids
passed on and the caller's identity signed on every call.

urllib3 is used directly (not requests): per call it costs a fraction of requests' CPU (no
session merging, cookie jar, hooks or URL re-parsing), and the gateway is CPU-bound under load.

The identity header is signed for each call with the receiving service's own key and bound to
that call (method, path, query, body: shared.identity), so it is never reused.

A small per-process cache:
- `cached_get`: a short-TTL cache (LIBRARY_TTL seconds) of a few answers that rarely change and do
  not depend on the caller (used for registration's library details on the dashboard, after the
  gateway's own authorisation check). Any state-changing call this gateway process forwards to
  registration empties it, so the gateway's own writes are seen at once; a change made elsewhere
  (another gateway worker) is seen within the TTL."""

from __future__ import annotations

import contextvars
import http.client
import json as jsonlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.retry import Retry

from shared import context, identity, tracing
from shared.identity import Identity

log = logging.getLogger(__name__)

ANONYMOUS = Identity(person_id="anonymous", role="anonymous")
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 15.0
LIBRARY_TTL = 10.0  # seconds registration's library details are reused by the dashboard


class ServiceUnavailable(Exception):
    """A service could not be reached or did not answer in time."""

    def __init__(self, service: str, reason: str):
        super().__init__(f"{service} unavailable: {reason}")
        self.service = service


class ServiceResponse:
    """A service's answer: the small part of requests.Response the gateway uses."""

    __slots__ = ("status_code", "headers", "_content", "raw")

    def __init__(self, status_code: int, headers: Any, content: bytes | None, raw: Any = None):
        self.status_code, self.headers, self._content, self.raw = status_code, headers, content, raw

    @property
    def content(self) -> bytes:
        if self._content is None:
            self._content = self.raw.read() if self.raw is not None else b""
        return self._content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    def json(self) -> Any:
        return jsonlib.loads(self.content)  # ValueError (JSONDecodeError) when not JSON

    def iter_content(self, chunk_size: int = 65536):
        if self._content is not None:
            yield self._content
            return
        yield from self.raw.stream(chunk_size)

    def close(self) -> None:
        if self.raw is not None:
            self.raw.release_conn()


class TTLCache:
    """A tiny thread-safe cache of values that may be a few seconds old."""

    def __init__(self, ttl: float, max_entries: int = 4096):
        self.ttl, self.max_entries = ttl, max_entries
        self._data: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        hit = self._data.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            if len(self._data) >= self.max_entries:
                self._data.clear()
            self._data[key] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def _query(params: Mapping[str, Any] | None) -> str:
    """Encode query parameters like requests does (None dropped, lists repeated)."""
    if not params:
        return ""
    pairs = []
    for key, value in params.items():
        if value is None:
            continue
        for v in (value if isinstance(value, (list, tuple)) else (value,)):
            if v is not None:
                pairs.append((key, v if isinstance(v, (str, bytes)) else str(v)))
    return urlencode(pairs)


class _Connections(threading.local):
    """This thread's kept-alive connections for GETs, one per service (never shared by threads)."""

    def __init__(self) -> None:
        self.by_service: dict[str, http.client.HTTPConnection] = {}


# Errors that mean a kept-alive connection was closed by the service before our request reached it.
_DROPPED = (http.client.RemoteDisconnected, http.client.BadStatusLine, ConnectionResetError, BrokenPipeError,
            ConnectionAbortedError)


class ServiceClient:
    """HTTP calls from the gateway to the services, signed with the caller's identity.

    GETs (not streamed) take a cheaper path than urllib3: one kept-alive http.client connection per
    service and thread, with the same connect and read timeouts. A GET is idempotent, so when a
    reused connection turns out to have been closed by the service (gunicorn's keep-alive is 5 s)
    it is sent once more on a new connection. `get_many` sends several GETs to different services
    before reading any answer, so they run at once without a thread hand-off. Every other method
    (and streamed GETs) goes through urllib3 and is never retried once it may have been sent."""

    def __init__(self, service_urls: Mapping[str, str], identity_keys: Mapping[str, bytes], *,
                 connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT,
                 pool_size: int = 32):
        self.urls = {name: url.rstrip("/") for name, url in service_urls.items()}
        self.identity_keys = dict(identity_keys)
        self.timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
        # Only connection failures are retried: the request never left, so repeating it cannot
        # repeat an effect. Reads (the request may have arrived) and statuses are never retried.
        self.retry = Retry(total=1, connect=1, read=0, status=0, other=0, redirect=0,
                           backoff_factor=0, raise_on_status=False, raise_on_redirect=False,
                           allowed_methods=frozenset({"GET", "HEAD"}))
        # One pool per service (never a proxy from the environment: urllib3 does not read it).
        self.pools: dict[str, urllib3.HTTPConnectionPool] = {}
        for name, url in self.urls.items():
            parts = urlsplit(url)
            cls = urllib3.HTTPSConnectionPool if parts.scheme == "https" else urllib3.HTTPConnectionPool
            self.pools[name] = cls(parts.hostname, parts.port, maxsize=pool_size, block=False,
                                   timeout=self.timeout, retries=self.retry)
        self.prefixes = {name: urlsplit(url).path for name, url in self.urls.items()}
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self._addresses = {name: (urlsplit(url).scheme, urlsplit(url).hostname, urlsplit(url).port)
                           for name, url in self.urls.items()}
        self._conns = _Connections()
        self.cache = TTLCache(LIBRARY_TTL)
        # Called with the path of every write the gateway makes to registration.
        self.on_registration_write: list[Callable[[str], None]] = []
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()

    def headers(self, service: str, who: Identity | None, method: str, url: str, body: bytes | None = None
                ) -> dict[str, str]:
        """The headers of one call: ids, and `who` signed for exactly this request to `service`."""
        rid = context.request_id.get() or context.new_id()
        parts = urlsplit(url)
        binding = identity.Binding.of(service, method, unquote(parts.path), parts.query, body)
        return {
            identity.HEADER: identity.sign(self.identity_keys[service], who or ANONYMOUS, binding),
            "X-Request-ID": rid,
            "X-Correlation-ID": context.correlation_id.get() or rid,
            "Accept": "application/json",
            **tracing.carrier(),  # W3C traceparent: the service's span joins this request's trace
        }

    def call(self, service: str, method: str, path: str, who: Identity | None = None, **kwargs: Any) -> ServiceResponse:
        """Make one call (a client span of the request's trace); raise ServiceUnavailable when the
        service is down or too slow."""
        with tracing.span("gateway", f"{method} {service}", kind=tracing.SpanKind.CLIENT,
                          attributes={"http.request.method": method, "server.address": service, "url.path": path}):
            return self._call(service, method, path, who, **kwargs)

    def _call(self, service: str, method: str, path: str, who: Identity | None = None, *,
              json: Any = None, params: Mapping[str, Any] | None = None, files: Any = None,
              data: Any = None, stream: bool = False) -> ServiceResponse:
        pool = self.pools.get(service)
        if pool is None:
            raise KeyError(service)
        url = self.prefixes[service] + path
        query = _query(params)
        if query:
            url += ("&" if "?" in url else "?") + query
        if method == "GET" and not stream and not files and json is None and data is None:
            return self._finish(service, *self._send_get(service, url, self.headers(service, who, method, url)))
        body: bytes | None = None
        content_type: str | None = None
        if files:
            fields = {}
            for name, value in files.items():
                filename, fileobj, *rest = value
                content = fileobj.read() if hasattr(fileobj, "read") else fileobj
                fields[name] = (filename, content, rest[0]) if rest else (filename, content)
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
        if method != "GET" and service == "registration":
            self.cache.clear()  # the gateway's own write: never show an older library afterwards
            for callback in self.on_registration_write:
                callback(path)
        try:
            raw = pool.urlopen(method, url, body=body, headers=headers, redirect=False, assert_same_host=False,
                               preload_content=not stream, decode_content=True)
        except Urllib3Error as exc:
            log.warning("service unavailable", extra={"service": service, "path": path, "error": str(exc)})
            raise ServiceUnavailable(service, type(exc).__name__) from None
        if raw.status in (502, 503, 504):
            if stream:
                raw.release_conn()
            raise ServiceUnavailable(service, f"status {raw.status}")
        if stream:
            return ServiceResponse(raw.status, raw.headers, None, raw)
        return ServiceResponse(raw.status, raw.headers, raw.data)

    # -- the GET path: kept-alive http.client connections --------------------------------------------

    def _connect(self, service: str) -> http.client.HTTPConnection:
        scheme, host, port = self._addresses[service]
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        conn = cls(host, port, timeout=self.connect_timeout)
        try:
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as exc:
            conn.close()
            log.warning("service unavailable", extra={"service": service, "error": str(exc)})
            raise ServiceUnavailable(service, type(exc).__name__) from None
        conn.sock.settimeout(self.read_timeout)
        return conn

    def _send_get(self, service: str, url: str, headers: dict[str, str]) -> tuple[Any, str, dict[str, str], bool]:
        """Send a GET on this thread's connection to `service`; (connection, url, headers, reused)."""
        if service not in self._addresses:
            raise KeyError(service)
        conns = self._conns.by_service
        conn = conns.pop(service, None)
        reused = conn is not None
        if conn is None:
            conn = self._connect(service)
        try:
            conn.request("GET", url, headers=headers)
        except OSError as exc:
            conn.close()
            if not reused:
                raise ServiceUnavailable(service, type(exc).__name__) from None
            return self._send_get(service, url, headers)  # a fresh connection this time
        return conn, url, headers, reused

    def _finish(self, service: str, conn: Any, url: str, headers: dict[str, str], reused: bool) -> ServiceResponse:
        """Read the answer to a GET sent by _send_get and keep the connection for the next one."""
        try:
            resp = conn.getresponse()
            body = resp.read()
        except _DROPPED as exc:
            conn.close()
            if reused:  # closed by the service while idle: a GET may be sent again
                return self._finish(service, *self._send_get(service, url, headers)[:3], False)
            log.warning("service unavailable", extra={"service": service, "path": url, "error": str(exc)})
            raise ServiceUnavailable(service, type(exc).__name__) from None
        except (OSError, http.client.HTTPException) as exc:  # a timeout or a broken answer: never repeated
            conn.close()
            log.warning("service unavailable", extra={"service": service, "path": url, "error": str(exc)})
            raise ServiceUnavailable(service, type(exc).__name__) from None
        if resp.will_close:
            conn.close()
        else:
            old = self._conns.by_service.get(service)
            if old is not None:
                old.close()
            self._conns.by_service[service] = conn
        if resp.status in (502, 503, 504):
            raise ServiceUnavailable(service, f"status {resp.status}")
        return ServiceResponse(resp.status, resp.headers, body)

    def get_many(self, calls: Sequence[tuple[str, str, Identity | None, Mapping[str, Any] | None]]) -> list[Any]:
        """GETs to different services at once: every request is sent before any answer is read.
        Each call is (service, path, who, params); each result is a ServiceResponse or the
        ServiceUnavailable it raised."""
        sent: list[Any] = []
        for service, path, who, params in calls:
            url = self.prefixes[service] + path
            query = _query(params)
            if query:
                url += ("&" if "?" in url else "?") + query
            try:
                sent.append(self._send_get(service, url, self.headers(service, who, "GET", url)))
            except ServiceUnavailable as exc:
                sent.append(exc)
        results: list[Any] = []
        for (service, *_), pending in zip(calls, sent, strict=True):
            if isinstance(pending, Exception):
                results.append(pending)
                continue
            try:
                results.append(self._finish(service, *pending))
            except ServiceUnavailable as exc:
                results.append(exc)
        return results

    def get(self, service: str, path: str, who: Identity | None = None, **kw) -> ServiceResponse:
        return self.call(service, "GET", path, who, **kw)

    def post(self, service: str, path: str, who: Identity | None = None, **kw) -> ServiceResponse:
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

    def gather(self, calls: Sequence[Callable[[], Any]]) -> list[Any]:
        """Run independent calls at once (the first in this thread, the rest on a small pool, each
        with this request's context: ids); each result is the call's value or the exception it raised."""
        if self._executor is None:
            with self._executor_lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="gateway-call")
        futures = [self._executor.submit(contextvars.copy_context().run, fn) for fn in calls[1:]]
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
        for conn in list(self._conns.by_service.values()):
            conn.close()
        if self._executor is not None:
            self._executor.shutdown(wait=False)
        for pool in self.pools.values():
            pool.close()
