"""Signed identities for tests that call a service directly, as the gateway would: a test names
who calls (`as_caller(identity)`), and `SigningClient` signs that identity for the very request
the test client builds (method, path, query, body) with the app's own identity key."""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from typing import Any

from flask.testing import EnvironBuilder, FlaskClient

from shared import identity
from shared.identity import Binding, Identity

_MARK = "test-unsigned:"


def as_caller(who: Identity) -> dict[str, str]:
    """Headers naming who calls; the signing client turns them into a signature for the request."""
    return {identity.HEADER: _MARK + json.dumps(asdict(who))}


def binding_of(service: str, environ: dict[str, Any], body: bytes) -> Binding:
    """The binding a service computes for a request (shared.http.request_binding)."""
    content_type = environ.get("CONTENT_TYPE", "")
    if content_type.startswith("multipart/form-data"):
        length = environ.get("CONTENT_LENGTH")
        body = f"{content_type}|{int(length) if length else None}".encode()
    return Binding.of(service, environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""),
                      environ.get("QUERY_STRING", ""), body)


def sign_for(key: bytes, service: str, who: Identity, method: str, path: str, *, query: str = "",
             body: bytes = b"", content_type: str = "") -> str:
    """A header value signed for one request (for tests that speak raw HTTP)."""
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "CONTENT_TYPE": content_type,
               "CONTENT_LENGTH": str(len(body)) if body else ""}
    return identity.sign(key, who, binding_of(service, environ, body))


class SigningClient(FlaskClient):
    """A Flask test client that signs `as_caller` identities for each request it sends."""

    def open(self, *args: Any, buffered: bool = False, follow_redirects: bool = False, **kwargs: Any) -> Any:  # type: ignore[override]
        headers = dict(kwargs.pop("headers", None) or {})
        marked = headers.get(identity.HEADER, "")
        if not (isinstance(marked, str) and marked.startswith(_MARK)) or (args and not isinstance(args[0], str)):
            return super().open(*args, headers=headers, buffered=buffered, follow_redirects=follow_redirects,
                                **kwargs)
        who = Identity(**json.loads(marked[len(_MARK):]))
        del headers[identity.HEADER]
        # Built once, so the body signed (a multipart boundary included) is the body sent.
        builder = EnvironBuilder(self.application, *args, headers=headers, **kwargs)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        body = environ["wsgi.input"].read()
        environ["wsgi.input"] = io.BytesIO(body)
        settings = self.application.extensions["chora_settings"]
        environ["HTTP_" + identity.HEADER.upper().replace("-", "_")] = identity.sign(
            settings.identity_secret, who, binding_of(settings.service, environ, body))
        return super().open(environ, buffered=buffered, follow_redirects=follow_redirects)


def signing_client(app: Any) -> SigningClient:
    """A test client of a service app that signs `as_caller` identities per request."""
    app.test_client_class = SigningClient
    return app.test_client()
