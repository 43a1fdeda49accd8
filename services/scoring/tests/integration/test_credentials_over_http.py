"""The credentials library wired to real HTTP: the issuer's did.json and status list are served by a
real server on 127.0.0.1, and the verifier's callables fetch them over the loopback network, as the
gateway's public endpoints will serve them. (No database or broker is involved in this test.)"""

import json
import threading
import urllib.request
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scoring.credentials import (
    Branch,
    CertificateFacts,
    Issuer,
    Keyring,
    badge_png,
    bake_png,
    did_document_path,
    did_web,
    empty_bitstring,
    generate_key,
    verify,
    with_bit,
)
from scoring.credentials.keys import did_web_document_url
from scoring.domain.lifecycle import add_years

pytestmark = pytest.mark.integration


@pytest.fixture
def site():
    """A real HTTP server whose path -> (content type, body) table the test fills and changes."""
    pages: dict[str, tuple[str, bytes]] = {}
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            requested.append(self.path)
            if self.path not in pages:
                self.send_error(404)
                return
            kind, body = pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pages, requested
    server.shutdown()
    server.server_close()


def fetch_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:  # loopback only: the test's own server
        return json.loads(response.read())


def test_a_baked_badge_verifies_with_keys_and_status_fetched_over_http_and_fails_once_revoked(site):
    public_url, pages, requested = site
    now = datetime.now(UTC).replace(microsecond=0)
    did = did_web(public_url)
    assert did == f"did:web:127.0.0.1%3A{public_url.rsplit(':', 1)[1]}"
    issuer = Issuer(Keyring(did, [generate_key("key-1", now - timedelta(days=1))]), public_url)
    list_path = "/api/v1/public/status-lists/1"
    facts = CertificateFacts(
        certificate_id="c0ffee",
        library_id="lib-odense",
        library_name="Odense Bibliotekerne",
        isil="DK-746100",
        municipality="Odense",
        awarded_at=now - timedelta(hours=1),
        valid_until=add_years(now.date(), 3),
        model_version=1,
        public_url=public_url,
        status_list_url=public_url + list_path,
        status_list_index=4_242,
        branches=(Branch("Odense Centralbibliotek", "DK-746100"),),
    )
    issued = issuer.issue(facts, now - timedelta(hours=1))
    status_list = issuer.issue_status_list(facts.status_list_url, empty_bitstring(), now - timedelta(hours=1))
    pages[did_document_path(public_url)] = ("application/did+json", json.dumps(issuer.keyring.did_document()).encode())
    pages[list_path] = ("application/vc+jwt", status_list.jwt.encode())

    def keys(issuer_did: str):
        # Trust decision: only our own DID is resolved; did:web over http only because this is loopback.
        return fetch_json(did_web_document_url(issuer_did, scheme="http")) if issuer_did == did else None

    def fetch_status_list(url: str):
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()

    badge = bake_png(badge_png(facts.library_name, facts.valid_until), json.dumps(issued.credential))
    result = verify(badge, keys=keys, fetch_status_list=fetch_status_list, now=now)
    assert result.verified, result.checks
    assert requested == ["/.well-known/did.json", list_path, "/.well-known/did.json"]

    revoked = issuer.sign(with_bit(status_list.credential, facts.status_list_index), now)
    pages[list_path] = ("application/vc+jwt", revoked.jwt.encode())
    again = verify(badge, keys=keys, fetch_status_list=fetch_status_list, now=now)
    assert not again.verified and again.outcome == "revoked"
    assert again.message_da == "Certifikatet er tilbagekaldt."

    del pages[list_path]  # the list is unreachable: no answer, never "valid"
    assert verify(issued.jwt, keys=keys, fetch_status_list=fetch_status_list, now=now).outcome == "status_unknown"
