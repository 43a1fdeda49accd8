"""What a verification says: each check and the outcome, in Danish and English."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Outcomes, worst first: the first failing check decides what the page says.
OUTCOME_TEXT = {
    "malformed": ("Filen indeholder ikke et certifikat, der kan læses.", "The file holds no readable credential."),
    "unknown_issuer": (
        "Certifikatet er ikke udstedt af en udsteder, vi kender.",
        "The credential is not issued by an issuer we know.",
    ),
    "invalid_signature": (
        "Certifikatets underskrift passer ikke: det er ændret eller ikke ægte.",
        "The credential's signature does not match: it was altered or is not genuine.",
    ),
    "revoked": ("Certifikatet er tilbagekaldt.", "The credential has been revoked."),
    "expired": ("Certifikatet er udløbet.", "The credential has expired."),
    "not_yet_valid": ("Certifikatet er endnu ikke gyldigt.", "The credential is not valid yet."),
    "status_unknown": (
        "Underskriften er ægte, men det kunne ikke kontrolleres, om certifikatet er tilbagekaldt.",
        "The signature is genuine, but whether the credential was revoked could not be checked.",
    ),
    "valid": ("Certifikatet er ægte og gyldigt.", "The credential is genuine and valid."),
}


@dataclass(frozen=True)
class Check:
    name: str  # form | shape | signature | claims | dates | status
    ok: bool | None  # None: could not be checked
    message_da: str
    message_en: str


@dataclass(frozen=True)
class VerificationResult:
    verified: bool
    outcome: str
    message_da: str
    message_en: str
    source: str | None  # json-ld | jwt | png | svg
    proof: str | None  # DataIntegrityProof (eddsa-rdfc-2022) | vc+jwt
    key_id: str | None
    credential: dict[str, Any] | None
    checks: list[Check] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (for POST /api/v1/public/verifications)."""
        return asdict(self)


def result(
    checks: list[Check],
    outcome: str,
    source: str | None,
    proof: str | None,
    key_id: str | None,
    credential: dict[str, Any] | None,
) -> VerificationResult:
    """The result whose outcome is `outcome`, with its summary messages."""
    da, en = OUTCOME_TEXT[outcome]
    return VerificationResult(outcome == "valid", outcome, da, en, source, proof, key_id, credential, checks)


def passed(name: str, da: str, en: str) -> Check:
    """A check that passed."""
    return Check(name, True, da, en)


def failed(name: str, da: str, en: str) -> Check:
    """A check that failed."""
    return Check(name, False, da, en)


def unknown(name: str, da: str, en: str) -> Check:
    """A check that could not be made."""
    return Check(name, None, da, en)
