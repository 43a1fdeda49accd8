"""Offline JSON-LD: the shipped contexts, a loader that refuses every other URL, RDF canonicalisation.

Credentials are canonicalised with RDF Dataset Canonicalization (RDFC-1.0, which PyLD calls by its
older name URDNA2015). The contexts are standard vocabularies shipped in `contexts/` (their sources
are in `contexts/SOURCES.md`); a document naming any other context fails, so nothing is ever
fetched and a credential cannot pull in a vocabulary we did not review. Canonicalisation runs in
"safe mode": a property that the contexts do not define would silently vanish from the signed
statements, so it is an error instead.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

from cachetools import LRUCache
from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdError, JsonLdProcessor

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3P0: "ob-v3p0-context-3.0.3.json",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    DID_V1: "did-v1.jsonld",
}


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class CanonicalizationError(ValueError):
    """The document cannot be turned into canonical RDF statements (unknown context, undefined term)."""


def shipped_contexts() -> dict[str, Any]:
    """Read the shipped context files, keyed by the URL each one is published at."""
    folder = resources.files("scoring.credentials").joinpath("contexts")
    return {url: json.loads(folder.joinpath(name).read_text(encoding="utf-8")) for url, name in CONTEXT_FILES.items()}


class OfflineLoader:
    """A PyLD document loader that serves the shipped contexts and refuses every other URL."""

    def __init__(self, documents: Mapping[str, Any] | None = None):
        self._documents = dict(shipped_contexts() if documents is None else documents)

    @property
    def urls(self) -> frozenset[str]:
        """The context URLs this loader serves."""
        return frozenset(self._documents)

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        if url not in self._documents:
            raise JsonLdError(
                f"Context {url!r} is not shipped with this service; it is never fetched.",
                "jsonld.LoadDocumentError",
                {"url": url},
                code="loading document failed",
            )
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            # PyLD may keep or alter what it is given; the shipped copy stays pristine.
            "document": copy.deepcopy(self._documents[url]),
        }


class Canonicalizer:
    """Turn JSON-LD documents into canonical N-Quads with the offline loader only."""

    def __init__(self, loader: OfflineLoader | None = None):
        self.loader = loader or OfflineLoader()
        # A cache of our own: PyLD's default one is shared by every caller in the process.
        self._resolved: LRUCache[str, Any] = LRUCache(maxsize=64)
        # The cache is not thread-safe and gunicorn serves from threads; canonicalising takes ms.
        self._lock = threading.Lock()

    def canonicalize(self, document: Mapping[str, Any]) -> str:
        """Return the RDFC-1.0 canonical N-Quads of a JSON-LD document; raise CanonicalizationError."""
        dropped: list[str] = []
        processor = JsonLdProcessor(on_property_dropped=lambda iri: dropped.append(str(iri)))
        options = {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": self.loader,
            "contextResolver": ContextResolver(self._resolved, self.loader),
            "base": None,  # relative IRIs stay relative (and are refused), never resolved against a guess
        }
        with self._lock:
            return self._canonicalize(processor, document, options, dropped)

    def _canonicalize(self, processor: JsonLdProcessor, document: Mapping[str, Any], options, dropped) -> str:
        try:
            expanded = processor.expand(copy.deepcopy(dict(document)), options)
            if dropped:
                raise CanonicalizationError(f"Properties not defined by the document's contexts: {', '.join(dropped)}")
            relative = sorted(set(_relative_iris(expanded)))
            if relative:
                raise CanonicalizationError(f"Values that are not absolute IRIs: {', '.join(relative)}")
            return processor.normalize(expanded, options)
        except CanonicalizationError:
            raise
        except JsonLdError as exc:
            raise CanonicalizationError(_innermost_message(exc)) from exc
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as exc:
            # PyLD raises plain Python errors for some malformed input (a relative @id, a wrong
            # type where a map is expected): to the caller these are all "cannot canonicalise".
            raise CanonicalizationError(f"The document is not valid JSON-LD: {exc}") from exc


def _relative_iris(node: Any) -> Iterator[str]:
    """Ids and types in expanded JSON-LD that are neither absolute IRIs nor blank nodes (RDF drops them)."""
    if isinstance(node, list):
        for item in node:
            yield from _relative_iris(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in ("@id", "@type"):
                for iri in value if isinstance(value, list) else [value]:
                    if isinstance(iri, str) and not (iri.startswith("_:") or _ABSOLUTE.match(iri)):
                        yield iri
            elif key != "@value":
                yield from _relative_iris(value)


def _innermost_message(exc: BaseException) -> str:
    """The most specific message in a chain of JSON-LD errors (PyLD wraps the cause several times)."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return str(exc.args[0]) if exc.args else str(exc)
