"""Checks of issued credentials that share nothing with the issuer's code.

The contexts are read here from the shipped files with a loader of this module's own and a fresh
PyLD context cache; the signature is checked with `cryptography` on the key decoded from the DID
document with `base58` directly. Nothing is imported from `scoring.credentials`.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import base58
from cachetools import LRUCache
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld
from pyld.context_resolver import ContextResolver

CONTEXTS = Path(__file__).resolve().parents[3] / "src" / "scoring" / "credentials" / "contexts"
DATA = Path(__file__).resolve().parent / "data"
FILES = {
    "https://www.w3.org/ns/credentials/v2": CONTEXTS / "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": CONTEXTS / "ob-v3p0-context-3.0.3.json",
    "https://www.w3.org/ns/did/v1": CONTEXTS / "did-v1.jsonld",
    "https://w3id.org/security/multikey/v1": CONTEXTS / "multikey-v1.jsonld",
    "https://www.w3.org/ns/credentials/examples/v2": DATA / "w3c-credentials-examples-v2.jsonld",
}


def load(url, options=None):
    return {"contextUrl": None, "documentUrl": url, "document": json.loads(FILES[url].read_text(encoding="utf-8"))}


def canonical(document: dict) -> str:
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": load,
        "contextResolver": ContextResolver(LRUCache(maxsize=16), load),
    }
    return jsonld.normalize(copy.deepcopy(document), options)


def multikey(did_document: dict, method_id: str) -> Ed25519PublicKey:
    """The Ed25519 key of a Multikey verification method listed under assertionMethod."""
    assert method_id in did_document["assertionMethod"]
    (method,) = [m for m in did_document["verificationMethod"] if m["id"] == method_id]
    assert method["type"] == "Multikey" and method["controller"] == did_document["id"]
    raw = base58.b58decode(method["publicKeyMultibase"][1:])
    assert method["publicKeyMultibase"][0] == "z" and raw[:2] == b"\xed\x01" and len(raw) == 34
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def eddsa_rdfc_2022_ok(secured: dict, public_key: Ed25519PublicKey) -> bool:
    """Verify an eddsa-rdfc-2022 proof the way the W3C cryptosuite text says, step by step."""
    (proof,) = secured["proof"] if isinstance(secured["proof"], list) else [secured["proof"]]
    proof = dict(proof)
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    signature = base58.b58decode(proof.pop("proofValue")[1:])
    document = {k: v for k, v in secured.items() if k != "proof"}
    proof["@context"] = document["@context"]
    data = hashlib.sha256(canonical(proof).encode()).digest() + hashlib.sha256(canonical(document).encode()).digest()
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
