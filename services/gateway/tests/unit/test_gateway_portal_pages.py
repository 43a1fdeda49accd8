"""Portal pages render in Danish first, switch to English, and degrade per section when a
service is down (a fake backend stands in for the services)."""

import re

import pytest
from gateway_fakes import OWN, bearer, make_app, response

from gateway.client import ServiceUnavailable
from gateway.portal.base import progress_view, text_on

pytestmark = pytest.mark.unit


def test_pages_are_danish_first_with_a_skip_link_and_english_on_request():
    app, _ = make_app()
    client = app.test_client()
    page = client.get("/log-ind").get_data(as_text=True)
    assert '<html lang="da">' in page and 'href="#main-content"' in page and "Log ind" in page
    client.get("/sprog/en")
    page = client.get("/log-ind").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page


def test_the_dashboard_keeps_working_when_scoring_is_down():
    app, fake = make_app()
    original = fake.call

    def call(service, method, path, who=None, **kw):
        if service == "scoring":
            raise ServiceUnavailable("scoring", "down")
        if path == f"/libraries/{OWN}":
            return response(200, {"name": "Testrup Bibliotek"})
        return original(service, method, path, who, **kw)

    fake.call = call
    client = app.test_client()
    with client.session_transaction() as session:
        from dataclasses import asdict

        from gateway_fakes import person
        session["identity"] = asdict(person("coordinator"))
    page = client.get(f"/bibliotek/{OWN}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Testrup Bibliotek" in text and "midlertidigt utilgængelig" in text


def test_another_librarys_dashboard_is_not_found_for_staff():
    app, _ = make_app()
    client = app.test_client()
    with client.session_transaction() as session:
        from dataclasses import asdict

        from gateway_fakes import person
        session["identity"] = asdict(person("member"))
    assert client.get("/bibliotek/lib-other").status_code == 404


def test_signed_out_visitors_are_sent_to_login():
    app, _ = make_app()
    resp = app.test_client().get(f"/bibliotek/{OWN}")
    assert resp.status_code == 302 and "/log-ind" in resp.headers["Location"]


def test_the_api_docs_page_lists_the_operations_without_loading_anything_from_elsewhere():
    app, _ = make_app()
    page = app.test_client().get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/auth/token" in page and "/api/v1/libraries/{library_id}/evidence" in page
    assert "https://" not in page.split("<main")[1].split("openapi.json")[0] or "cdn" not in page.lower()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)


def test_the_openapi_document_describes_the_public_contract():
    app, _ = make_app()
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path in ("/api/v1/registrations", "/api/v1/email-confirmations", "/api/v1/auth/token", "/api/v1/me",
                 "/api/v1/invitations", "/api/v1/invitations/accept", "/api/v1/libraries/{library_id}/evidence",
                 "/api/v1/evidence/{evidence_id}", "/api/v1/evidence/{evidence_id}/attachments",
                 "/api/v1/evidence/{evidence_id}/submit", "/api/v1/evidence/{evidence_id}/review",
                 "/api/v1/libraries/{library_id}/progress", "/api/v1/libraries/{library_id}/certification",
                 "/api/v1/public/libraries", "/api/v1/public/certificates/{certificate_id}"):
        assert path in paths, path
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_covered_sdgs_are_read_from_the_progress_and_missing_texts_are_plain():
    view = progress_view({"status": "in_progress", "overall": {"provisional": 0.5, "verified": 0.25},
                          "dimensions": {"drift": {"provisional": 0.4, "verified": 0.1}},
                          "sdgs": [4, 12], "missing": [{"message_da": "Mangler en handleplan"}]})
    assert view["covered"] == {4, 12} and view["missing"] == ["Mangler en handleplan"]
    assert [d["provisional"] for d in view["dimensions"]] == [0, 0, 0.4]


def test_sdg_tiles_get_the_text_colour_with_the_better_contrast():
    assert text_on("#FCC30B") == "#000000"  # goal 7 yellow: black text
    assert text_on("#19486A") == "#FFFFFF"  # goal 17 navy: white text


def test_unknown_api_paths_are_problem_json_and_unknown_pages_are_html():
    app, _ = make_app()
    client = app.test_client()
    assert client.get("/api/v1/nothing", headers=bearer("member")).mimetype == "application/problem+json"
    assert client.get("/intet-her").mimetype == "text/html"
