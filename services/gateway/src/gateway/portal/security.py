"""The portal's browser-side defences: redirects that stay on this site, and the response
headers every page carries (a Content-Security-Policy with no inline script or style, HSTS
behind TLS, a Permissions-Policy that turns off what the portal never uses)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, request

# Browsers drop tabs and newlines anywhere in a URL and trim C0 controls and spaces at its ends,
# so "/\t/evil.example" is "//evil.example" to them: remove them the same way before judging.
_DROPPED = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_DECODE = 5

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
                      "magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()")
HSTS = "max-age=31536000; includeSubDomains"


def _same_site_path(candidate: str) -> bool:
    if not candidate.startswith("/") or candidate.startswith("//") or "\\" in candidate:
        return False
    if _CONTROL.search(candidate):
        return False
    parts = urlsplit(candidate)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`.

    Judged as a browser would read it (tabs and newlines dropped, backslashes as slashes) and
    again after every round of percent-decoding, so no encoded form leads off the site."""
    if not target:
        return default
    cleaned = _DROPPED.sub("", target).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
                                             "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    decoded = cleaned
    for _ in range(_MAX_DECODE):
        if not _same_site_path(_DROPPED.sub("", decoded)):
            return default
        once = unquote(decoded)
        if once == decoded:
            return cleaned
        decoded = once
    return default  # still encoded after several rounds: nothing a page of ours links to


def install(app: Flask, *, https: bool) -> None:
    """Add the portal's security headers to every answer (HSTS only when served over https)."""

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if https:
            headers.setdefault("Strict-Transport-Security", HSTS)
        # The badge is meant to be embedded in other sites' pages; nothing else may be framed.
        embeddable = request.path.startswith("/certifikat/") and request.path.endswith(".svg")
        if not embeddable:
            headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
