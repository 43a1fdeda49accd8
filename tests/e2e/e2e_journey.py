"""Steps of the certification journey through the gateway's public API, shared by the API and
browser end-to-end tests (each step waits for the asynchronous effects it needs)."""

from __future__ import annotations

import time
import uuid

import requests

PASSWORD = "et-godt-kodeord-42"

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@verdensmaal.example", "admin-password-123"


def eventually(check, timeout: float = 30.0, interval: float = 0.3):
    """Retry check() until it returns a truthy value (events are asynchronous)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except AssertionError as exc:
            last = exc
        time.sleep(interval)
    raise AssertionError(f"not reached within {timeout}s: {last!r}")


def ok(resp: requests.Response, *statuses: int) -> dict:
    assert resp.status_code in (statuses or (200, 201)), f"{resp.request.method} {resp.url}: {resp.status_code} {resp.text}"
    return resp.json() if resp.content else {}


def new_library_data(name: str = "Testrup Bibliotek") -> dict:
    return {
        "library": {"name": name, "isil": f"DK-{uuid.uuid4().int % 10**6:06d}", "municipality": "Aarhus",
                    "kind": "folkebibliotek", "staff_count": 12},
        "coordinator": {"name": "Karen Koordinator", "email": f"karen-{uuid.uuid4().hex[:8]}@bibliotek.example",
                        "password": PASSWORD},
    }


def register_and_confirm(platform, data: dict | None = None) -> tuple[dict, dict, dict]:
    """Register a library, confirm from the mail; return (registration ids, data, auth headers)."""
    data = data or new_library_data()
    ids = ok(requests.post(platform.api("/registrations"), json=data, timeout=10), 201)
    email = data["coordinator"]["email"]
    link = platform.mail_link(email, "/bekraeft")
    ok(requests.post(platform.api("/email-confirmations"), json={"token": platform.token_from(link)}, timeout=10))
    return ids, data, platform.sign_in(email, PASSWORD)


def invite_and_accept(platform, inviter: dict, email: str, name: str, role: str, library_id: str | None = None) -> dict:
    body = {"email": email, "name": name, "role": role}
    if library_id:
        body["library_id"] = library_id
    ok(requests.post(platform.api("/invitations"), json=body, headers=inviter, timeout=10), 201)
    link = platform.mail_link(email, "/invitation")
    ok(requests.post(platform.api("/invitations/accept"), json={"token": platform.token_from(link), "password": PASSWORD},
                     timeout=10))
    return platform.sign_in(email, PASSWORD)


def assessor(platform) -> dict:

    admin = platform.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    return invite_and_accept(platform, admin, f"assessor-{uuid.uuid4().hex[:6]}@chora.example", "Anna Assessor",
                             "assessor")


ITEMS = [
    {"kind": "activity", "title": "Reparationscafé med borgerne", "dimension": "faellesskaber", "sdgs": [12, 13],
     "date": "2026-03-01", "participants": 40, "age_groups": ["children", "adults", "seniors"],
     "partners": ["Genbrugscentret", "Aarhus Lokalråd"], "co_created": True, "public": True,
     "description": "Borgere reparerer ting sammen med frivillige."},
    {"kind": "communication", "title": "Udstilling om verdensmålene", "dimension": "formidling", "sdgs": [4, 5, 6],
     "date": "2026-02-10", "public": True, "description": "En udstilling i foyeren."},
    {"kind": "operations_measure", "title": "LED-belysning", "dimension": "drift", "sdgs": [7],
     "date": "2026-01-15", "before": 12000, "after": 7000, "unit": "kWh"},
    {"kind": "staff_training", "title": "Personalemøde om verdensmålene", "dimension": "drift", "sdgs": [4],
     "date": "2026-01-20", "staff_share": 95},
    {"kind": "shared_case", "title": "Sådan holder vi reparationscafé", "dimension": "drift", "sdgs": [12],
     "date": "2026-03-05", "description": "Vores erfaringer til andre biblioteker."},
]

# With a small branch's lower targets, the five items and the plan meet every requirement.
ADJUSTED_TARGETS = {"F1": 1, "F2": 3, "C1": 1, "C2": 1, "C3": 1}


def log_and_submit(platform, headers: dict, library_id: str, item: dict) -> dict:
    created = ok(requests.post(platform.api(f"/libraries/{library_id}/evidence"), json=item, headers=headers,
                               timeout=10), 201)
    submitted = ok(requests.post(platform.api(f"/evidence/{created['id']}/submit"),
                                 json={"revision": created["revision"]}, headers=headers,
                                 timeout=10))
    assert submitted["status"] == "submitted", submitted
    return created


def plan_and_submit(platform, headers: dict, library_id: str) -> None:
    plan = ok(requests.put(platform.api(f"/libraries/{library_id}/action-plan"), headers=headers, timeout=10, json={
        "start_year": 2026, "goals": [
            {"dimension": "formidling", "title": "Fire udstillinger om året", "sdgs": [4]},
            {"dimension": "faellesskaber", "title": "Reparationscafé hver måned", "sdgs": [12]},
            {"dimension": "drift", "title": "20 % mindre energi", "sdgs": [7]}]}))
    ok(requests.post(platform.api(f"/libraries/{library_id}/action-plan/submit"), json={"revision": plan["revision"]},
                     headers=headers, timeout=10))


def progress(platform, headers: dict, library_id: str) -> dict:
    return ok(requests.get(platform.api(f"/libraries/{library_id}/progress"), headers=headers, timeout=10))
