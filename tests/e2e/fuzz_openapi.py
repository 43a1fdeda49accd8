"""Issue 12 point 1: no input gives a 5xx, and every answer to valid input matches the document.

Schemathesis fuzzes the gateway's public API (`/api/v1/openapi.json`, anonymous and with each
role's bearer token) and every backend's own document (`/openapi.json`, with the identity the
gateway would sign for each role), on the whole platform started for real. A bounded run (a few
requests per operation, caller and kind of data, a fixed seed) is part of `make test`; `make fuzz`
runs it long: CHORA_FUZZ_EXAMPLES per operation (and CHORA_FUZZ_SEED).
"""

from __future__ import annotations

import os

import pytest
import requests
from chora_testing.fuzz import Report, SigningAuth, fuzz
from e2e_journey import ADMIN_EMAIL, ADMIN_PASSWORD, assessor, register_and_confirm

from shared.identity import Identity
from shared.vocabulary import ANONYMOUS as ANONYMOUS_ROLE

pytestmark = pytest.mark.e2e

BACKEND = ("registration", "evidence", "scoring", "notification")
EXAMPLES = int(os.environ.get("CHORA_FUZZ_EXAMPLES", "2"))
SEED = int(os.environ.get("CHORA_FUZZ_SEED", "20261204"))


def session(headers: dict[str, str] | None = None, auth=None) -> requests.Session:
    s = requests.Session()
    s.headers.update(headers or {})
    s.auth = auth
    return s


def test_no_input_gives_a_server_error_and_every_answer_matches_its_document(platform):
    ids, _data, coordinator = register_and_confirm(platform)
    roles = {"anonymous": {}, "coordinator": coordinator, "assessor": assessor(platform),
             "administrator": platform.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)}
    me = {role: (requests.get(platform.api("/me"), headers=h, timeout=10).json() if h else None)
          for role, h in roles.items()}

    total = Report()
    gateway_doc = requests.get(platform.api("/openapi.json"), timeout=30).json()
    total.merge(fuzz(gateway_doc, platform.url, {role: session(h) for role, h in roles.items()},
                     examples=EXAMPLES, fuzz_seed=SEED,
                     # Signing out ends the callers' sessions for the rest of the run.
                     include=lambda method, path: not path.endswith("/sessions/end")))
    for service in BACKEND:
        settings = platform.settings[service]
        doc = requests.get(f"{platform.service_urls[service]}/openapi.json", timeout=30).json()
        callers = {}
        for role, person in me.items():
            who = Identity(person["person_id"], person["role"], person.get("library_id"), person.get("name") or "") \
                if person else Identity("anonymous", ANONYMOUS_ROLE)
            callers[role] = session(auth=SigningAuth(settings.identity_secret, service, who))
        total.merge(fuzz(doc, platform.service_urls[service], callers, examples=EXAMPLES, fuzz_seed=SEED,
                         include=lambda method, path: not path.endswith("/sessions/end")))

    print(f"\nfuzzed {total.operations} operations with {total.requests} requests: "
          f"{len(total.server_errors)} server errors, {len(total.mismatches)} answers not as documented")
    assert total.requests > 0 and ids["library_id"]
    assert total.server_errors == [], "\n".join(map(str, total.server_errors[:40]))
    assert total.mismatches == [], "\n".join(map(str, total.mismatches[:40]))
