"""The public API's OpenAPI document, composed: the gateway's own operations (sign-in, tokens) from
its flask-smorest schemas, and each forwarded operation from the document of the backend that
answers it, so the document says exactly what the gateway relays without restating a schema.

Each backend serves its own `/openapi.json`. The gateway fetches them when its document is first
asked for, keeps each for DOCUMENT_TTL seconds (a backend deployed alone is seen within that
time) and, when a backend does not answer, documents its operations as unavailable and asks again
after RETRY_AFTER seconds. Why at run time rather than a file generated at build time: every
service is deployed alone, so a snapshot built into the gateway's image would describe whatever
the backends were when the gateway was built, not what they answer now.

A forwarded operation keeps the backend's parameters (the path's named as the gateway names them,
the query only as far as the gateway passes it on), request body and answers; the backend's
components are copied under the backend's name (`scoring.Progress`); the gateway adds the problem
answers it gives itself (sign-in, the authorisation table, a service that is away)."""

from __future__ import annotations

import copy
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cachetools import TLRUCache

from gateway.client import ServiceClient, ServiceUnavailable

DOCUMENT_TTL = 300.0
RETRY_AFTER = 30.0
PROBLEM = "application/problem+json"
_PARAM = re.compile(r"\{[^}]*\}|<[^>]*>")


@dataclass(frozen=True)
class Forward:
    """One public operation the gateway answers by forwarding to a backend."""

    method: str  # GET, POST, ...
    path: str  # the public path in OpenAPI form: /api/v1/libraries/{library_id}/progress
    service: str
    backend_path: str  # the backend's path in OpenAPI form (its parameters may be named otherwise)
    summary: str
    description: str
    errors: tuple[int, ...]  # the problem answers the gateway itself may give
    query: tuple[str, ...] | None  # the query parameters passed on; None: all of them

    @property
    def operation_id(self) -> str:
        return f"{self.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', self.path.lower().removeprefix('/api/v1')).strip('_')}"


def shape(path: str) -> str:
    """A path with its parameters unnamed, to match a path however its parameters are named."""
    return _PARAM.sub("{}", path)


class BackendDocuments:
    """Each backend's own OpenAPI document, fetched on demand and kept a while (thread-safe)."""

    def __init__(self, client: ServiceClient, services: Iterable[str], *, timer: Callable[[], float] = time.monotonic):
        self.client, self.services = client, tuple(services)
        self._docs: TLRUCache[str, tuple[dict[str, Any] | None, float]] = TLRUCache(
            maxsize=64, ttu=lambda _k, v, now: now + v[1], timer=timer)
        self._lock = threading.Lock()

    def get(self) -> dict[str, dict[str, Any] | None]:
        """service -> its document, or None when it could not be had (asked again later)."""
        out: dict[str, dict[str, Any] | None] = {}
        for service in self.services:
            with self._lock:
                hit = self._docs.get(service)
            if hit is None:
                hit = (self._fetch(service), 0.0)
                hit = (hit[0], DOCUMENT_TTL if hit[0] is not None else RETRY_AFTER)
                with self._lock:
                    self._docs[service] = hit
            out[service] = hit[0]
        return out

    def _fetch(self, service: str) -> dict[str, Any] | None:
        try:
            resp = self.client.get(service, "/openapi.json")
            doc = resp.json() if resp.status_code == 200 else None
        except (ServiceUnavailable, ValueError):
            return None
        return doc if isinstance(doc, dict) and isinstance(doc.get("paths"), dict) else None


def compose(own: Mapping[str, Any], forwards: Iterable[Forward], documents: Mapping[str, dict[str, Any] | None],
            gateway_errors: Mapping[int, str]) -> dict[str, Any]:
    """The public document: `own` (the gateway's operations) plus every forwarded operation."""
    spec = copy.deepcopy(dict(own))
    paths = spec.setdefault("paths", {})
    components = spec.setdefault("components", {})
    copied: set[tuple[str, str, str]] = set()
    unavailable: set[str] = set()
    for fwd in forwards:
        doc = documents.get(fwd.service)
        found = _operation(doc, fwd) if doc is not None else None
        op: dict[str, Any] = {"tags": [fwd.service], "summary": fwd.summary, "operationId": fwd.operation_id}
        if fwd.description:
            op["description"] = fwd.description
        if found is None:
            unavailable.add(fwd.service)
            op["responses"] = {"default": {"description": f"The {fwd.service} service's answer (its document "
                                                          "could not be read just now)."}}
        else:
            backend_op, path_params = found
            op["parameters"] = _parameters(fwd, backend_op, path_params)
            if "requestBody" in backend_op:
                op["requestBody"] = _namespaced(fwd.service, backend_op["requestBody"])
            op["responses"] = _namespaced(fwd.service, backend_op.get("responses") or {})
            _copy_components(fwd.service, doc or {}, op, components, copied)
        if not op.get("parameters"):
            op["parameters"] = _own_path_parameters(fwd.path)
        if not op["parameters"]:
            del op["parameters"]
        for status in fwd.errors:
            op["responses"][str(status)] = {"description": gateway_errors[status],
                                            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        paths.setdefault(fwd.path, {})[fwd.method.lower()] = op
    if unavailable:
        spec.setdefault("info", {})["x-backends-unavailable"] = sorted(unavailable)
    return spec


def _operation(doc: Mapping[str, Any], fwd: Forward) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The backend's operation for a forward and the parameters of its path item."""
    wanted = shape(fwd.backend_path)
    for path, item in doc.get("paths", {}).items():
        if shape(path) == wanted and isinstance(item, dict) and fwd.method.lower() in item:
            return item[fwd.method.lower()], list(item.get("parameters") or [])
    return None


def _own_path_parameters(path: str) -> list[dict[str, Any]]:
    return [{"in": "path", "name": name, "required": True, "schema": {"type": "string", "minLength": 1}}
            for name in re.findall(r"\{([^}]*)\}", path)]


def _parameters(fwd: Forward, op: Mapping[str, Any], path_level: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The public path's parameters (the backend's schema, the gateway's names) and the query
    parameters the gateway passes on."""
    every = [*path_level, *(op.get("parameters") or [])]
    backend_path = [p for p in every if p.get("in") == "path"]
    backend_names = re.findall(r"\{([^}]*)\}", fwd.backend_path)
    out = []
    for name in re.findall(r"\{([^}]*)\}", fwd.path):
        position = backend_names.index(name) if name in backend_names else -1
        source = backend_path[position] if 0 <= position < len(backend_path) else {}
        out.append({"in": "path", "name": name, "required": True,
                    "schema": _namespaced(fwd.service, source.get("schema") or {"type": "string", "minLength": 1})})
    for param in every:
        if param.get("in") == "query" and (fwd.query is None or param.get("name") in fwd.query):
            out.append(_namespaced(fwd.service, param))
    return out


def _rename(service: str, ref: str) -> str:
    kind, _, name = ref.removeprefix("#/components/").partition("/")
    return f"#/components/{kind}/{service}.{name}"


def _namespaced(service: str, node: Any) -> Any:
    """A copy of `node` whose local references point at the backend's copied components."""
    if isinstance(node, dict):
        return {key: (_rename(service, value) if key == "$ref" and isinstance(value, str)
                      and value.startswith("#/components/") else _namespaced(service, value))
                for key, value in node.items()}
    if isinstance(node, list):
        return [_namespaced(service, value) for value in node]
    return node


def _refs(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _copy_components(service: str, doc: Mapping[str, Any], node: Any, into: dict[str, Any],
                     copied: set[tuple[str, str, str]]) -> None:
    """Copy every backend component `node` refers to (transitively) under the backend's name."""
    pending = list(_refs(node))
    prefix = "#/components/"
    while pending:
        ref = pending.pop()
        kind, _, name = ref.removeprefix(prefix).partition("/")
        if not name.startswith(f"{service}."):
            continue
        original = name.removeprefix(f"{service}.")
        if (service, kind, original) in copied:
            continue
        copied.add((service, kind, original))
        source = doc.get("components", {}).get(kind, {}).get(original)
        if source is None:
            continue
        renamed = _namespaced(service, source)
        into.setdefault(kind, {})[name] = renamed
        pending.extend(_refs(renamed))
