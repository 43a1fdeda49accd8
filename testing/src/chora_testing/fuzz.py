"""Property-based fuzzing of an OpenAPI document against the running service with schemathesis:
every operation, with valid data (the answer must match the document) and with invalid data (the
answer must never be a 5xx), a fixed seed, a bounded number of requests per operation.

`make fuzz` runs it long (CHORA_FUZZ_EXAMPLES); `make test` runs a bounded run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.openapi import from_dict
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared import identity
from shared.identity import Binding, Identity

CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ALWAYS = [not_a_server_error]


class SigningAuth(requests.auth.AuthBase):
    """Sign `who` for each request to one backend, as the gateway does (shared.identity)."""

    def __init__(self, key: bytes, service: str, who: Identity):
        self.key, self.service, self.who = key, service, who

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        parts = urlsplit(request.url or "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            body = f"{content_type}|{len(body)}".encode()
        binding = Binding(self.service, (request.method or "GET").upper(), unquote(parts.path), parts.query,
                          hashlib.sha256(body).hexdigest())
        request.headers[identity.HEADER] = identity.sign(self.key, self.who, binding)
        return request


@dataclass
class Finding:
    caller: str
    operation: str
    mode: str
    status: int
    problem: str

    def __str__(self) -> str:
        return f"[{self.caller}] {self.operation} ({self.mode}) -> {self.status}: {self.problem[:300]}"


@dataclass
class Report:
    requests: int = 0
    server_errors: list[Finding] = field(default_factory=list)
    mismatches: list[Finding] = field(default_factory=list)
    operations: int = 0

    def merge(self, other: Report) -> None:
        self.requests += other.requests
        self.operations += other.operations
        self.server_errors += other.server_errors
        self.mismatches += other.mismatches


def fuzz(document: dict[str, Any], base_url: str, callers: dict[str, requests.Session], *, examples: int,
         fuzz_seed: int = 20261204, include: Callable[[str, str], bool] = lambda method, path: True,
         modes: Iterable[GenerationMode] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)) -> Report:
    """Fuzz every operation of the document as each caller; return what was found."""
    schema = from_dict(document)
    report = Report()
    for result in schema.get_all_operations():
        operation = result.ok()
        if not include(operation.method.upper(), operation.path):
            continue
        report.operations += 1
        for caller, session in callers.items():
            for mode in modes:
                _fuzz_operation(operation, base_url, caller, session, mode, examples, fuzz_seed, report)
    return report


def _fuzz_operation(operation: Any, base_url: str, caller: str, session: requests.Session, mode: GenerationMode,
                    examples: int, fuzz_seed: int, report: Report) -> None:
    checks = CONFORMANCE if mode == GenerationMode.POSITIVE else ALWAYS
    label = f"{operation.method.upper()} {operation.path}"

    @seed(fuzz_seed)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck), report_multiple_bugs=True)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, session=session, timeout=30)
        report.requests += 1
        try:
            case.validate_response(response, checks=checks)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as failure:  # noqa: BLE001 - schemathesis raises groups of failures
            finding = Finding(caller, label, mode.value, response.status_code, _describe(failure))
            (report.server_errors if response.status_code >= 500 else report.mismatches).append(finding)

    try:
        run()
    except (KeyboardInterrupt, SystemExit):
        raise
    except Unsatisfiable:
        # No invalid value exists for this operation's inputs (e.g. only a free-text path id).
        if mode != GenerationMode.NEGATIVE:
            report.mismatches.append(Finding(caller, label, mode.value, 0, "no valid request could be generated"))
    except BaseException as exc:  # noqa: BLE001 - a strategy that cannot be generated is a document problem
        report.mismatches.append(Finding(caller, label, mode.value, 0, f"could not fuzz: {exc!r}"))


def _describe(failure: BaseException) -> str:
    """The failures' own words (schemathesis groups them)."""
    inner = getattr(failure, "exceptions", None)
    if inner:
        return " | ".join(_describe(e) for e in inner)
    title = getattr(failure, "title", "") or failure.__class__.__name__
    message = getattr(failure, "message", "") or str(failure)
    return f"{title}: {message}".replace("\n", " ")
