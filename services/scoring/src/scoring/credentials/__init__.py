"""Open Badges 3.0 credentials for certificates: build, sign, publish keys, revoke, bake, verify, print.

A self-contained library (no Flask, no pymongo, no network): scoring's handlers and the gateway's
public pages call it. See "Credentials (Open Badges 3.0)" in the scoring README for how to wire it.
"""

from scoring.credentials.baking import BakingError, bake_png, bake_svg, unbake_png, unbake_svg
from scoring.credentials.credential import Branch, CertificateFacts, build_credential
from scoring.credentials.issuer import MEDIA_TYPE_JWT, MEDIA_TYPE_LD, Issued, Issuer
from scoring.credentials.jsonld import CanonicalizationError, Canonicalizer, OfflineLoader
from scoring.credentials.keys import (
    InvalidKey,
    IssuerKey,
    Keyring,
    did_document_path,
    did_web,
    ensure_key_file,
    generate_key,
    load_keyring,
    rotate_key_file,
)
from scoring.credentials.pdf import certificate_pdf
from scoring.credentials.render import badge_png
from scoring.credentials.status import (
    MIN_BITS,
    StatusListError,
    bitstring_with,
    empty_bitstring,
    get_bit,
    is_set,
    set_bit,
    status_entry,
    with_bit,
)
from scoring.credentials.verify import Check, VerificationResult, verify

__all__ = [
    "MEDIA_TYPE_JWT",
    "MEDIA_TYPE_LD",
    "MIN_BITS",
    "BakingError",
    "Branch",
    "CanonicalizationError",
    "Canonicalizer",
    "CertificateFacts",
    "Check",
    "InvalidKey",
    "Issued",
    "Issuer",
    "IssuerKey",
    "Keyring",
    "OfflineLoader",
    "StatusListError",
    "VerificationResult",
    "bake_png",
    "bake_svg",
    "badge_png",
    "bitstring_with",
    "build_credential",
    "certificate_pdf",
    "did_document_path",
    "did_web",
    "empty_bitstring",
    "ensure_key_file",
    "generate_key",
    "load_keyring",
    "get_bit",
    "is_set",
    "rotate_key_file",
    "set_bit",
    "status_entry",
    "unbake_png",
    "unbake_svg",
    "verify",
    "with_bit",
]
