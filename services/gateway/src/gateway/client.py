"""Forward calls to the services: one pooled connection adapter per service, connect and read
timeouts, no retry of a call that may have reached the service, request and correlation ids
passed on and the caller's identity signed on every call."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from shared import context, identity
from shared.identity import Identity

log = logging.getLogger(__name__)

ANONYMOUS = Identity(person_id="anonymous", role="anonymous")
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 15.0


class ServiceUnavailable(Exception):
    """A service could not be reached or did not answer in time."""

    def __init__(self, service: str, reason: str):
        super().__init__(f"{service} unavailable: {reason}")
        self.service = service


class ServiceClient:
    """HTTP calls from the gateway to the services, signed with the caller's identity."""

    def __init__(self, service_urls: Mapping[str, str], secret_key: str, *,
                 connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT,
                 pool_size: int = 32):
        self.urls = {name: url.rstrip("/") for name, url in service_urls.items()}
        self.secret_key = secret_key
        self.timeout = (connect_timeout, read_timeout)
        self.session = requests.Session()
        self.session.trust_env = False  # never route service calls through a proxy from the env
        # Only connection failures are retried: the request never left, so repeating it cannot
        # repeat an effect. Reads (the request may have arrived) and statuses are never retried.
        retry = Retry(total=1, connect=1, read=0, status=0, other=0, redirect=0,
                      backoff_factor=0, raise_on_status=False, allowed_methods=frozenset({"GET", "HEAD"}))
        for _name, url in self.urls.items():
            self.session.mount(url + "/", HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=retry))

    def headers(self, who: Identity | None) -> dict[str, str]:
        rid = context.request_id.get() or context.new_id()
        return {
            identity.HEADER: identity.sign(self.secret_key, who or ANONYMOUS),
            "X-Request-ID": rid,
            "X-Correlation-ID": context.correlation_id.get() or rid,
            "Accept": "application/json",
        }

    def call(self, service: str, method: str, path: str, who: Identity | None = None, *,
             json: Any = None, params: Mapping[str, Any] | None = None, files: Any = None,
             data: Any = None, stream: bool = False) -> requests.Response:
        """Make one call; raise ServiceUnavailable when the service is down or too slow."""
        url = self.urls[service] + path
        try:
            response = self.session.request(
                method, url, headers=self.headers(who), json=json, params=params, files=files,
                data=data, timeout=self.timeout, allow_redirects=False, stream=stream,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            log.warning("service unavailable", extra={"service": service, "path": path, "error": str(exc)})
            raise ServiceUnavailable(service, type(exc).__name__) from None
        if response.status_code in (502, 503, 504):
            raise ServiceUnavailable(service, f"status {response.status_code}")
        return response

    def get(self, service: str, path: str, who: Identity | None = None, **kw) -> requests.Response:
        return self.call(service, "GET", path, who, **kw)

    def post(self, service: str, path: str, who: Identity | None = None, **kw) -> requests.Response:
        return self.call(service, "POST", path, who, **kw)

    def close(self) -> None:
        self.session.close()
