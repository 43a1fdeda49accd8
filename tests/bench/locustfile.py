"""Locust users for `make bench` (run headless by tests/bench/load.py, never by hand-picked hosts).

StaffUser: a library's coordinator signed in to the portal (a session cookie), reading portal
pages, logging and submitting evidence through the portal's forms, looking at public pages.
BareUser: a bare Flask "ok" on gunicorn, the yardstick of the same run.

The signed-in sessions come from the JSON file named by CHORA_BENCH_STAFF
([{library_id, cookies: [{name, value, domain, path}]}]).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import uuid

from locust import FastHttpUser, constant, task
from requests.cookies import create_cookie

_CSRF = re.compile(r'name="csrf[-_]token" (?:value|content)="([^"]+)"')
_REVISION = re.compile(r'name="revision" id="revision" value="(\d+)"')


def _accounts():
    with open(os.environ["CHORA_BENCH_STAFF"], encoding="utf-8") as fh:
        return itertools.cycle(json.load(fh))


ACCOUNTS = _accounts() if os.environ.get("CHORA_BENCH_STAFF") else None


class StaffUser(FastHttpUser):
    wait_time = constant(0)  # capacity, not a day's pattern: each user sends its next request at once

    def on_start(self):
        # Signed in before the load starts (tests/bench/load.py): the argon2 check of ten
        # sign-ins at once would otherwise fill the first seconds of the measurement.
        assert ACCOUNTS is not None, "CHORA_BENCH_STAFF names no accounts"
        account = next(ACCOUNTS)
        self.library_id = account["library_id"]
        for cookie in account["cookies"]:
            self.client.cookiejar.set_cookie(create_cookie(**cookie))
        self.dashboard()  # the session's CSRF token is on every page

    def _page(self, path: str, name: str):
        answer = self.client.get(path, name=name)
        found = _CSRF.search(answer.text or "")
        if found:
            self.csrf = found.group(1)
        return answer

    @task(4)
    def dashboard(self):
        self._page(f"/bibliotek/{self.library_id}", "portal: dashboard")

    @task(2)
    def activities(self):
        self._page(f"/bibliotek/{self.library_id}/aktiviteter", "portal: activities")

    @task(1)
    def action_plan(self):
        self._page(f"/bibliotek/{self.library_id}/handleplan", "portal: action plan")

    @task(1)
    def shared_cases(self):
        self._page("/delte-cases", "portal: shared cases")

    @task(1)
    def submit_evidence(self):
        """As in the portal: new item, open its form, save the filled form, submit it."""
        created = self.client.post(f"/bibliotek/{self.library_id}/aktiviteter/ny", name="evidence: new",
                                   allow_redirects=False, data={"csrf_token": self.csrf, "kind": "communication",
                                                                "title": "Ny aktivitet", "dimension": "formidling"})
        location = created.headers.get("Location") or ""
        if created.status_code != 302 or "/evidens/" not in location:
            return
        evidence_id = location.split("/evidens/", 1)[1].split("/", 1)[0]
        form = self._page(f"/evidens/{evidence_id}/rediger", "evidence: open form")
        revision = _REVISION.search(form.text or "")
        self.client.post(f"/evidens/{evidence_id}/rediger", name="evidence: save", allow_redirects=False, data={
            "csrf_token": self.csrf, "revision": revision.group(1) if revision else "0", "kind": "communication",
            "title": f"Udstilling {uuid.uuid4().hex[:8]}", "description": "Om verdensmålene i foyeren.",
            "dimension": "formidling", "date": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
            "sdgs": "13", "public": "on"})
        self.client.post(f"/evidens/{evidence_id}/indsend", name="evidence: submit", allow_redirects=False,
                         data={"csrf_token": self.csrf})

    @task(2)
    def public_directory(self):
        self.client.get("/biblioteker", name="public: directory")

    @task(1)
    def public_certificate_check(self):
        self.client.get("/certifikat", name="public: certificate check")


class BareUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def ok(self):
        self.client.get("/", name="bare Flask 'ok'")
