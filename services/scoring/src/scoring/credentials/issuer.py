"""The issuer: signs certificates' credentials and status lists with both proofs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scoring.credentials.credential import ISSUER_NAME, CertificateFacts, base_url, build_credential, xsd_datetime
from scoring.credentials.jsonld import Canonicalizer
from scoring.credentials.keys import Keyring, did_web
from scoring.credentials.proofs import add_data_integrity_proof, sign_jwt
from scoring.credentials.status import status_list_credential

MEDIA_TYPE_LD = "application/vc+ld+json"
MEDIA_TYPE_JWT = "application/vc+jwt"


@dataclass(frozen=True)
class Issued:
    """One signed credential in both forms: JSON-LD with its embedded proof, and the vc+jwt."""

    credential: dict[str, Any]
    jwt: str


class Issuer:
    """CHORA 2030 as issuer under the did:web of the public URL, signing with the keyring's newest key."""

    def __init__(
        self,
        keyring: Keyring,
        public_url: str,
        canonicalizer: Canonicalizer | None = None,
        issuer_url: str | None = None,
    ):
        if keyring.did != did_web(public_url):
            raise ValueError(f"the keyring's DID {keyring.did} is not the did:web of {public_url}")
        self.keyring = keyring
        self.public_url = base_url(public_url)
        self.canonicalizer = canonicalizer or Canonicalizer()
        self.issuer_url = issuer_url or self.public_url

    @classmethod
    def from_jwks(cls, public_url: str, jwks: str | Mapping[str, Any], **kwargs: Any) -> Issuer:
        """Build the issuer from the private JWK set in configuration."""
        return cls(Keyring.from_jwks(did_web(public_url), jwks), public_url, **kwargs)

    @property
    def did(self) -> str:
        return self.keyring.did

    def profile(self) -> dict[str, Any]:
        """The issuer Profile embedded in each OpenBadgeCredential."""
        return {"id": self.did, "type": ["Profile"], "name": ISSUER_NAME, "url": self.issuer_url}

    def sign(self, unsigned: Mapping[str, Any], now: datetime) -> Issued:
        """Add the embedded proof, then secure the result as a JWT (the order Open Badges 3.0 asks)."""
        secured = add_data_integrity_proof(unsigned, self.keyring, self.canonicalizer, now)
        return Issued(credential=secured, jwt=sign_jwt(secured, self.keyring))

    def issue(self, facts: CertificateFacts, now: datetime) -> Issued:
        """Build and sign the OpenBadgeCredential of one issuance of a certificate."""
        if base_url(facts.public_url) != self.public_url:
            raise ValueError("the certificate's public URL is not the issuer's")
        return self.sign(build_credential(facts, self.did, self.issuer_url), now)

    def issue_status_list(
        self, list_url: str, bits: bytes | bytearray, now: datetime, valid_until: datetime | None = None
    ) -> Issued:
        """Sign the BitstringStatusListCredential for a bitstring, valid from `now`."""
        # The list names its issuer by DID alone: `Profile` is an Open Badges term, and the list
        # carries only the VC 2.0 context.
        unsigned = status_list_credential(
            list_url, self.did, bits, xsd_datetime(now), xsd_datetime(valid_until) if valid_until else None
        )
        return self.sign(unsigned, now)
