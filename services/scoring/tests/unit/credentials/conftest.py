"""Credentials unit tests use no server: real Ed25519 keys made per test, the shipped JSON-LD
contexts, and dates relative to the test's clock. Independent checks (`credentials_independent`)
read the context files themselves and use other libraries than the issuer's code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scoring.credentials import Branch, CertificateFacts, Issuer, Keyring, did_web, empty_bitstring, generate_key
from scoring.domain.lifecycle import add_years

PUBLIC_URL = "https://verdensmaal.example.dk"
LIST_URL = f"{PUBLIC_URL}/api/v1/public/status-lists/1"
INDEX = 94_567


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def keyring(now) -> Keyring:
    return Keyring(did_web(PUBLIC_URL), [generate_key("key-1", now - timedelta(days=30))])


@pytest.fixture
def issuer(keyring) -> Issuer:
    return Issuer(keyring, PUBLIC_URL)


@pytest.fixture
def facts(now) -> CertificateFacts:
    awarded = now - timedelta(days=1)
    return CertificateFacts(
        certificate_id="9d0c7b1e2f3a4b5c",
        library_id="lib-aarhus",
        library_name="Aarhus Kommunes Biblioteker",
        isil="DK-775100",
        municipality="Aarhus",
        awarded_at=awarded,
        valid_until=add_years(awarded.date(), 3),
        model_version=2,
        public_url=PUBLIC_URL,
        status_list_url=LIST_URL,
        status_list_index=INDEX,
        branches=(Branch("Dokk1", "DK-775100"), Branch("Tranbjerg Bibliotek", "DK-775101")),
    )


@pytest.fixture
def issued(issuer, facts, now):
    return issuer.issue(facts, now - timedelta(days=1))


@pytest.fixture
def status_list(issuer, now):
    """The signed, empty status list the credentials point at."""
    return issuer.issue_status_list(LIST_URL, empty_bitstring(), now - timedelta(days=1))


@pytest.fixture
def keys(keyring):
    """The verifier's key source: our DID document for our DID, nothing for any other issuer."""
    return lambda did: keyring.did_document() if did == keyring.did else None
