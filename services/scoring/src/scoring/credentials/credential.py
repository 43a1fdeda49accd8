"""The unsigned OpenBadgeCredential of a certificate, built from what scoring knows.

Branches are listed in two standard ways: each branch ISIL is an extra `IdentityObject` in the
subject's `identifier` (identityType `ext:BranchISIL`; the library's own ISIL is `ext:ISIL`), so a
machine can match them, and the subject's `narrative` names every branch with its ISIL in Danish,
so a person reading the badge in a wallet sees what the certificate covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from scoring.credentials.jsonld import OB_V3P0, VC_V2

ISSUER_NAME = "CHORA 2030"
ACHIEVEMENT_NAME = "Verdensmålscertificeret bibliotek"
ACHIEVEMENT_SLUG = "verdensmaalscertificeret-bibliotek"
ISIL_TYPE = "ext:ISIL"
BRANCH_ISIL_TYPE = "ext:BranchISIL"
MONTHS_DA = (
    "januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip


@dataclass(frozen=True)
class Branch:
    name: str
    isil: str


@dataclass(frozen=True)
class CertificateFacts:
    """What scoring knows about one issuance of a certificate (award or renewal)."""

    certificate_id: str
    library_id: str
    library_name: str
    isil: str
    municipality: str
    awarded_at: datetime  # validFrom: the award (or renewal) instant, timezone-aware
    valid_until: date  # the last day the certificate is valid (the 3-year end)
    model_version: int
    public_url: str  # e.g. https://verdensmaal.example.dk (no trailing slash needed)
    status_list_url: str
    status_list_index: int
    branches: Sequence[Branch] = field(default=())
    cycle: int = 1  # 1 for the award, +1 for each renewal: each issuance is its own credential


def xsd_datetime(moment: datetime) -> str:
    """An XML Schema dateTime in UTC, to the second (`2026-12-04T10:00:00Z`)."""
    if moment.tzinfo is None:
        raise ValueError("datetimes in credentials must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def danish_date(day: date) -> str:
    """A date as Danish prose: `2. januar 2029`."""
    return f"{day.day}. {MONTHS_DA[day.month - 1]} {day.year}"


def end_of_day(day: date) -> str:
    """The last second of a day in UTC, as validUntil of a certificate valid through that day."""
    return f"{day.isoformat()}T23:59:59Z"


def base_url(public_url: str) -> str:
    """The public URL without a trailing slash."""
    return public_url.rstrip("/")


def credential_id(public_url: str, certificate_id: str, cycle: int) -> str:
    """The credential's id: one per issuance (award = cycle 1, each renewal the next)."""
    return f"{base_url(public_url)}/api/v1/public/certificates/{certificate_id}/credentials/{cycle}"


def subject_id(public_url: str, library_id: str) -> str:
    """The library's public page, which identifies it as the credential's subject."""
    return f"{base_url(public_url)}/biblioteker/{library_id}"


def verification_page(public_url: str, certificate_id: str) -> str:
    """The public page that verifies the certificate (the PDF's QR code points here)."""
    return f"{base_url(public_url)}/certifikat/{certificate_id}"


def badge_png_url(public_url: str, certificate_id: str) -> str:
    """Where the gateway serves the certificate's baked PNG badge."""
    return f"{base_url(public_url)}/api/v1/public/certificates/{certificate_id}/badge.png"


def identity(identity_type: str, value: str) -> dict[str, Any]:
    """A plain (unhashed) IdentityObject: ISILs are public."""
    return {"type": "IdentityObject", "hashed": False, "identityHash": value, "identityType": identity_type}


def branches_narrative(facts: CertificateFacts) -> str:
    """The Danish sentence naming the library and every branch the certificate covers."""
    if not facts.branches:
        return f"Certifikatet omfatter {facts.library_name} ({facts.isil}), {facts.municipality} Kommune."
    listed = "; ".join(f"{b.name} ({b.isil})" for b in facts.branches)
    return (
        f"Certifikatet omfatter {facts.library_name} ({facts.isil}), {facts.municipality} Kommune, "
        f"med disse afdelinger: {listed}."
    )


def criteria_narrative(model_version: int) -> str:
    """The achievement's Danish criteria, naming the model version the library was assessed by."""
    return (
        f"Biblioteket er vurderet efter certificeringsmodellen for verdensmålscertificering af biblioteker, "
        f"version {model_version}. Biblioteket har vedtaget en 3-årig handleplan og har med godkendt "
        "dokumentation opfyldt modellens mindstekrav i alle tre dimensioner: biblioteket som formidler, "
        "biblioteket som facilitator af fællesskaber og biblioteket som aktør i egen drift. "
        "CHORA 2030 har vurderet dokumentationen og tildelt certifikatet, som gælder i 3 år med årlig opfølgning."
    )


def build_credential(facts: CertificateFacts, issuer_did: str, issuer_url: str | None = None) -> dict[str, Any]:
    """Build the unsigned OpenBadgeCredential for one issuance of a certificate."""
    public = base_url(facts.public_url)
    identifiers = [identity(ISIL_TYPE, facts.isil)] + [identity(BRANCH_ISIL_TYPE, b.isil) for b in facts.branches]
    valid_from = xsd_datetime(facts.awarded_at)
    return {
        "@context": [VC_V2, OB_V3P0],
        "id": credential_id(public, facts.certificate_id, facts.cycle),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_did, "type": ["Profile"], "name": ISSUER_NAME, "url": issuer_url or public},
        "validFrom": valid_from,
        "validUntil": end_of_day(facts.valid_until),
        "awardedDate": valid_from,
        "name": f"{ACHIEVEMENT_NAME}: {facts.library_name}",
        "credentialSubject": {
            "id": subject_id(public, facts.library_id),
            "type": ["AchievementSubject"],
            "name": facts.library_name,
            "identifier": identifiers,
            "narrative": branches_narrative(facts),
            "achievement": {
                "id": f"{public}/api/v1/public/achievements/{ACHIEVEMENT_SLUG}/v{facts.model_version}",
                "type": ["Achievement"],
                "achievementType": "Certification",
                "name": ACHIEVEMENT_NAME,
                "description": (
                    "Biblioteket er verdensmålscertificeret: det arbejder med FN's verdensmål gennem formidling, "
                    "fællesskaber med borgere og lokale partnere og sin egen drift."
                ),
                "criteria": {"narrative": criteria_narrative(facts.model_version)},
                "image": {
                    "id": badge_png_url(public, facts.certificate_id),
                    "type": "Image",
                    "caption": f"{ACHIEVEMENT_NAME} – {facts.library_name}",
                },
                "inLanguage": "da",
            },
        },
        "credentialStatus": {
            "id": f"{facts.status_list_url}#{facts.status_list_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(facts.status_list_index),
            "statusListCredential": facts.status_list_url,
        },
    }
