"""The portal's change pages forward exactly the call the service needs, refuse a form without its
CSRF token, and show the service's own message (Danish, or English when chosen) when it says no.
A fake backend stands in for the services; the end-to-end tests run the same pages for real."""

import re
from dataclasses import asdict

import pytest
from gateway_fakes import CSRF_RAW, CSRF_TOKEN, OWN, Call, make_app, person, response

from gateway.portal.admin import sdg_bars

pytestmark = pytest.mark.unit

LAST_COORDINATOR = {"status": 409, "code": "last_coordinator", "field": "role",
                    "detail": "Biblioteket skal have mindst én aktiv koordinator. Udpeg en ny koordinator først.",
                    "detail_en": "The library must keep at least one active coordinator. Appoint another one first."}


def signed_in(role="coordinator", answers=None):
    """A portal client signed in as `role`; answers maps (method, path) to (status, body)."""
    app, fake = make_app()
    original = fake.call

    def call(service, method, path, who=None, **kw):
        for (m, p), (status, body) in (answers or {}).items():
            if m == method and p == path:
                fake.calls.append(Call(service, method, path, who, kw.get("json"), {}))
                return response(status, body)
        return original(service, method, path, who, **kw)

    fake.call = call
    client = app.test_client()
    with client.session_transaction() as session:
        session["identity"] = asdict(person(role))
        session["csrf_token"] = CSRF_RAW
    return client, fake


FLASH = re.compile(r'<div class="alert alert-(success|error) flash" role="(?:status|alert)">.*?'
                   r'<p class="alert-text">(.*?)</p></div></div>', re.S)


def flashes(page: str) -> list[tuple[str, str]]:
    """The outcome messages on a page (DKFDS alerts): (success or error, text)."""
    return FLASH.findall(page)


def sent(fake, method, path):
    return [c for c in fake.calls if c.method == method and c.path == path]


COLLEAGUE = {("GET", "/people/p1"): (200, {"person_id": "p1", "library_id": OWN, "role": "member", "status": "active"})}


def test_a_coordinator_changes_a_colleagues_role_with_one_patch():
    client, fake = signed_in(answers=COLLEAGUE)
    resp = client.post(f"/bibliotek/{OWN}/team/p1", data={"csrf_token": CSRF_TOKEN, "action": "role", "role": "coordinator"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/bibliotek/{OWN}/team")
    assert [c.json for c in sent(fake, "PATCH", "/people/p1")] == [{"role": "coordinator"}]


def test_a_team_change_without_the_csrf_token_changes_nothing():
    client, fake = signed_in(answers=COLLEAGUE)
    resp = client.post(f"/bibliotek/{OWN}/team/p1", data={"action": "deactivate"})
    assert resp.status_code == 400 and not sent(fake, "PATCH", "/people/p1")


def test_deactivating_asks_first_and_sends_active_false_only_once_confirmed():
    colleague = {("GET", "/people/p1"): (200, {"person_id": "p1", "library_id": OWN, "role": "member",
                                              "status": "active", "name": "Kim Kollega", "email": "kim@bib.dk"})}
    client, fake = signed_in(answers=colleague)
    asked = client.post(f"/bibliotek/{OWN}/team/p1", data={"csrf_token": CSRF_TOKEN, "action": "deactivate"})
    assert asked.status_code == 303 and asked.headers["Location"].endswith(f"/bibliotek/{OWN}/team/p1/deaktiver")
    assert not sent(fake, "PATCH", "/people/p1")

    page = client.get(f"/bibliotek/{OWN}/team/p1/deaktiver").get_data(as_text=True)
    assert "Vil du deaktivere" in page and "Kim Kollega" in page and "Ja, deaktiver" in page
    # The confirmation is a plain form: it posts with the CSRF token and works without script.
    assert 'method="post"' in page and 'name="csrf_token" value="' in page
    assert 'name="confirmed" value="ja"' in page and f'href="/bibliotek/{OWN}/team"' in page
    assert not sent(fake, "PATCH", "/people/p1")

    done = client.post(f"/bibliotek/{OWN}/team/p1", data={"csrf_token": CSRF_TOKEN, "action": "deactivate",
                                                           "confirmed": "ja"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/bibliotek/{OWN}/team")
    assert [c.json for c in sent(fake, "PATCH", "/people/p1")] == [{"active": False}]


def test_the_confirmation_page_is_in_english_when_chosen_and_refuses_what_the_caller_may_not_do():
    client, _ = signed_in(answers=COLLEAGUE)
    client.get("/sprog/en")
    page = client.get(f"/bibliotek/{OWN}/team/p1/deaktiver").get_data(as_text=True)
    assert "Do you want to deactivate" in page and "Yes, deactivate" in page
    client, _ = signed_in("member", answers=COLLEAGUE)
    assert client.get(f"/bibliotek/{OWN}/team/p1/deaktiver").status_code == 403
    client, _ = signed_in(answers={("GET", "/people/p9"): (200, {"person_id": "p9", "library_id": "lib-other"})})
    assert client.get(f"/bibliotek/{OWN}/team/p9/deaktiver").status_code == 404
    assert client.get("/bibliotek/lib-other/team/p9/deaktiver").status_code == 404


def test_a_confirmed_deactivation_without_the_csrf_token_changes_nothing():
    client, fake = signed_in(answers=COLLEAGUE)
    resp = client.post(f"/bibliotek/{OWN}/team/p1", data={"action": "deactivate", "confirmed": "ja"})
    assert resp.status_code == 400 and not sent(fake, "PATCH", "/people/p1")


DEACTIVATED = {("GET", "/people/p1"): (200, {"person_id": "p1", "library_id": OWN, "role": "member",
                                             "status": "deactivated", "activated_at": "2026-01-01T00:00:00+00:00"})}


def test_the_team_page_offers_reactivation_for_deactivated_colleagues_who_had_joined():
    people = {("GET", f"/libraries/{OWN}/people"): (200, {"items": [
        {"person_id": "p1", "name": "Kim", "email": "kim@bib.dk", "role": "member", "status": "deactivated",
         "activated_at": "2026-01-01T00:00:00+00:00"},
        {"person_id": "p2", "name": "Pia", "email": "pia@bib.dk", "role": "member", "status": "deactivated",
         "activated_at": None},
        {"person_id": "p3", "name": "Ole", "email": "ole@bib.dk", "role": "member", "status": "active",
         "activated_at": "2026-01-01T00:00:00+00:00"}]})}
    page = signed_in(answers=people)[0].get(f"/bibliotek/{OWN}/team").get_data(as_text=True)
    rows = {pid: page.split(f'data-person="{pid}"')[1].split("</tr>")[0] for pid in ("p1", "p2", "p3")}
    assert 'value="reactivate"' in rows["p1"] and "Genaktiver" in rows["p1"]
    assert "Genaktiver" not in rows["p2"]  # a revoked invitation: invite again instead
    assert "Genaktiver" not in rows["p3"] and f'action="/bibliotek/{OWN}/team/p3/deaktiver"' in rows["p3"]
    assert 'method="get"' in rows["p3"]
    member_page = signed_in("member", answers=people)[0].get(f"/bibliotek/{OWN}/team").get_data(as_text=True)
    assert "Genaktiver" not in member_page


def test_reactivating_posts_to_registration_and_says_so():
    client, fake = signed_in(answers=DEACTIVATED)
    page = client.post(f"/bibliotek/{OWN}/team/p1", data={"csrf_token": CSRF_TOKEN, "action": "reactivate"},
                       follow_redirects=True).get_data(as_text=True)
    assert len(sent(fake, "POST", "/people/p1/reactivate")) == 1
    assert "genaktiveret" in page


def test_reactivating_an_erased_colleague_shows_registrations_refusal():
    erased = {"status": 409, "code": "person_erased", "detail": "Personen er slettet efter databeskyttelsesreglerne "
              "(GDPR) og kan ikke genaktiveres.", "detail_en": "The person was erased and cannot be reactivated."}
    client, fake = signed_in(answers={("GET", "/people/p1"): (404, {"status": 404}),
                                      ("POST", "/people/p1/reactivate"): (409, erased)})
    page = client.post(f"/bibliotek/{OWN}/team/p1", data={"csrf_token": CSRF_TOKEN, "action": "reactivate"},
                       follow_redirects=True).get_data(as_text=True)
    assert 'role="alert"' in page and "kan ikke genaktiveres" in page


def test_members_and_other_libraries_cannot_reactivate():
    client, fake = signed_in("member", answers=DEACTIVATED)
    assert client.post(f"/bibliotek/{OWN}/team/p1", data={"csrf_token": CSRF_TOKEN, "action": "reactivate"}).status_code == 403
    client, fake = signed_in(answers={("GET", "/people/p9"): (200, {"person_id": "p9", "library_id": "lib-other",
                                                                    "status": "deactivated"})})
    assert client.post(f"/bibliotek/{OWN}/team/p9", data={"csrf_token": CSRF_TOKEN, "action": "reactivate"}).status_code == 404
    assert client.post("/bibliotek/lib-other/team/p9", data={"csrf_token": CSRF_TOKEN, "action": "reactivate"}).status_code == 404
    assert not sent(fake, "POST", "/people/p9/reactivate")
    client, fake = signed_in(answers={("GET", "/people/p1"): (200, {"person_id": "p1", "library_id": OWN})})
    assert client.post(f"/bibliotek/{OWN}/team/p1", data={"action": "reactivate"}).status_code == 400
    assert not sent(fake, "POST", "/people/p1/reactivate")


def test_pending_invitations_are_resent_and_revoked():
    client, fake = signed_in(answers=COLLEAGUE)
    client.post(f"/bibliotek/{OWN}/team/p1", data={"csrf_token": CSRF_TOKEN, "action": "resend"})
    client.post(f"/bibliotek/{OWN}/team/p1", data={"csrf_token": CSRF_TOKEN, "action": "revoke"})
    assert sent(fake, "POST", "/invitations/p1/resend") and sent(fake, "DELETE", "/invitations/p1")


def test_the_last_coordinator_sees_registrations_message_in_danish_and_in_english():
    answers = {**COLLEAGUE, ("PATCH", "/people/p1"): (409, LAST_COORDINATOR)}
    client, _ = signed_in(answers=answers)
    page = client.post(f"/bibliotek/{OWN}/team/p1", data={"csrf_token": CSRF_TOKEN, "action": "role", "role": "member"},
                       follow_redirects=True).get_data(as_text=True)
    assert 'role="alert"' in page and "mindst én aktiv koordinator" in page
    client.get("/sprog/en")
    page = client.post(f"/bibliotek/{OWN}/team/p1", data={"csrf_token": CSRF_TOKEN, "action": "role", "role": "member"},
                       follow_redirects=True).get_data(as_text=True)
    assert "at least one active coordinator" in page


def test_members_may_not_change_roles_and_nobody_reaches_another_librarys_people():
    client, fake = signed_in("member", answers=COLLEAGUE)
    assert client.post(f"/bibliotek/{OWN}/team/p1", data={"csrf_token": CSRF_TOKEN, "action": "deactivate"}).status_code == 403
    assert not sent(fake, "PATCH", "/people/p1")
    client, fake = signed_in(answers={("GET", "/people/p9"): (200, {"person_id": "p9", "library_id": "lib-other"})})
    assert client.post(f"/bibliotek/{OWN}/team/p9", data={"csrf_token": CSRF_TOKEN, "action": "deactivate"}).status_code == 404
    assert not sent(fake, "PATCH", "/people/p9")


def test_withdrawing_evidence_sends_the_revision_and_the_reason():
    client, fake = signed_in()
    client.post("/evidens/ev-own/traek-tilbage", data={"csrf_token": CSRF_TOKEN, "revision": "3", "reason": "Forkert dato"})
    assert [c.json for c in sent(fake, "POST", "/evidence/ev-own/withdraw")] == [{"revision": 3, "reason": "Forkert dato"}]


def test_answering_a_question_resubmits_with_only_the_fields_that_changed():
    client, fake = signed_in(answers={("GET", "/evidence/ev-own"): (200, {
        "id": "ev-own", "library_id": OWN, "revision": 3, "status": "clarification_requested"})})
    client.post("/evidens/ev-own/svar", data={"csrf_token": CSRF_TOKEN, "revision": "3", "message": "Vi var 40.",
                                              "title": "", "participants": "40", "partners": "", "description": "",
                                              "date": ""})
    (call,) = sent(fake, "POST", "/evidence/ev-own/thread")
    assert call.json["answer"] is True and call.json["message"] == "Vi var 40." and call.json["revision"] == 3
    assert call.json["changes"] == {"participants": 40}


def test_the_evidence_page_shows_the_audit_trail_in_plain_words():
    client, _ = signed_in(answers={("GET", "/evidence/ev-own/audit"): (200, {"entries": [
        {"at": "2026-03-01T10:00:00+00:00", "action": "submit", "by": {"name": "Karen"}, "revision": 2,
         "from_status": "draft", "to_status": "submitted", "changed": ["title"]}]})})
    page = client.get("/evidens/ev-own").get_data(as_text=True)
    assert "Historik" in page and "Karen" in page and "Kladde → Indsendt" in page and "Titel" in page


def test_a_shared_case_is_copied_into_our_plan_or_as_a_draft():
    client, fake = signed_in(answers={("POST", "/shared-cases/c1/copy"): (201, {"id": "ev-new"})})
    to_plan = client.post("/delte-cases/c1/kopier", data={"csrf_token": CSRF_TOKEN, "into": "plan"})
    as_draft = client.post("/delte-cases/c1/kopier", data={"csrf_token": CSRF_TOKEN, "into": "evidence"})
    assert [c.json["into"] for c in sent(fake, "POST", "/shared-cases/c1/copy")] == ["plan", "evidence"]
    assert to_plan.headers["Location"].endswith(f"/bibliotek/{OWN}/handleplan")
    assert as_draft.headers["Location"].endswith("/evidens/ev-new/rediger")


def test_the_profile_saves_the_language_turns_off_news_and_exports_my_data():
    client, fake = signed_in("member", answers={("GET", "/people/p-member/export"): (200, {"person_id": "p-member"})})
    client.post("/profil/sprog", data={"csrf_token": CSRF_TOKEN, "language": "en"})
    assert [c.json for c in sent(fake, "PATCH", "/people/p-member")] == [{"language": "en"}]
    assert '<html lang="en">' in client.get("/profil").get_data(as_text=True)
    client.post("/profil/post", data={"csrf_token": CSRF_TOKEN})  # the box left unticked
    assert [c.json for c in sent(fake, "PUT", "/people/p-member/preferences")] == [{"non_essential": False}]
    export = client.get("/profil/eksport.json")
    assert export.mimetype == "application/json" and "attachment" in export.headers["Content-Disposition"]
    assert export.get_json() == {"person_id": "p-member"}


def test_saving_a_models_targets_sends_every_requirement_with_the_changed_target():
    model = {"version": 2, "status": "draft", "requirements": [
        {"id": "F1", "dimension": "formidling", "text_da": "Aktiviteter", "measure": "count", "target": 4, "weight": 1},
        {"id": "D1", "dimension": "drift", "text_da": "Tiltag", "measure": "count", "target": 2, "weight": 1}]}
    client, fake = signed_in("administrator", answers={("GET", "/models/2"): (200, model)})
    client.post("/admin/modeller/2", data={"csrf_token": CSRF_TOKEN, "target-F1": "6", "target-D1": "2"})
    (put,) = sent(fake, "PUT", "/models/2")
    assert [(r["id"], r["target"]) for r in put.json["requirements"]] == [("F1", 6.0), ("D1", 2)]


def test_enrolling_a_library_puts_its_enrolment_and_only_an_administrator_resends_mail():
    client, fake = signed_in("administrator")
    client.post("/admin/kohorter/tilmelding", data={"csrf_token": CSRF_TOKEN, "library_id": OWN, "cohort_id": "k1"})
    assert [c.json for c in sent(fake, "PUT", f"/libraries/{OWN}/enrolment")] == [{"cohort_id": "k1"}]
    client, fake = signed_in("coordinator")
    assert client.post("/admin/forsendelser/m1/gensend", data={"csrf_token": CSRF_TOKEN}).status_code == 403
    assert not sent(fake, "POST", "/deliveries/m1/resend")


def test_the_figures_chart_is_an_svg_with_a_text_alternative_and_bars_to_scale():
    bars = sdg_bars({"sdgs": {"4": 2, "12": 4}})
    assert [b["height"] for b in bars if b["value"]] == [80, 160] and bars[0]["height"] == 0
    client, _ = signed_in("administrator", answers={("GET", "/figures"): (200, {"libraries": 3, "sdgs": {"4": 2}})})
    page = client.get("/admin/tal").get_data(as_text=True)
    assert '<svg class="chart-svg"' in page and 'role="img"' in page and 'aria-labelledby="chart-title chart-desc"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script (the page's CSP forbids it)


# -- a library's enrolment, from the administrator's page for the library -------------------------

COHORTS = {"items": [
    {"cohort_id": "pilot", "name": "Udviklingsprojektet 2021-2023", "start_year": 2021, "end_year": 2023, "state": "closed"},
    {"cohort_id": "aaben", "name": "Det åbne program", "start_year": 2024, "end_year": None, "state": "open"},
    {"cohort_id": "k26", "name": "Forløb 2026", "start_year": 2026, "end_year": None, "state": "open"},
    {"cohort_id": "k27", "name": "Forløb 2027", "start_year": 2027, "end_year": None, "state": "planned"}]}
ENROLLED = {"library_id": OWN, "name": "Ballerup Bibliotek", "municipality": "Ballerup", "status": "active",
            "enrolment": {"enrolment_id": "e1", "cohort_id": "aaben", "cohort_name": "Det åbne program",
                          "status": "active", "started_at": "2025-02-01T10:00:00+00:00"}}
ADMIN_LIBRARY = {("GET", f"/libraries/{OWN}"): (200, ENROLLED), ("GET", "/cohorts"): (200, COHORTS)}
NOT_OPEN = {"status": 409, "code": "cohort_not_open", "field": "cohort_id",
            "detail": "Forløbet »Forløb 2026« er ikke åbent for tilmelding.",
            "detail_en": "The cohort »Forløb 2026« is not open for enrolment."}


def test_the_library_page_offers_a_move_to_the_other_open_cohorts_and_an_end_that_asks_first():
    client, _ = signed_in("administrator", answers=ADMIN_LIBRARY)
    page = client.get(f"/admin/biblioteker/{OWN}").get_data(as_text=True)
    assert "Biblioteket er tilmeldt <strong>Det åbne program</strong>" in page
    options = page[page.index('id="move-cohort"'):page.index("</select>", page.index('id="move-cohort"'))]
    assert 'value="k26"' in options and 'value="aaben"' not in options  # only another cohort
    assert 'value="pilot"' not in options and 'value="k27"' not in options  # only open ones
    assert 'name="csrf_token"' in page and 'name="moving" value="1"' in page
    assert f'href="/admin/biblioteker/{OWN}/afmeld"' in page


def test_moving_a_library_puts_its_enrolment_and_says_so_on_its_page():
    client, fake = signed_in("administrator", answers=ADMIN_LIBRARY)
    resp = client.post(f"/admin/biblioteker/{OWN}/tilmelding", data={"csrf_token": CSRF_TOKEN, "cohort_id": "k26",
                                                                       "moving": "1"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/admin/biblioteker/{OWN}")
    assert [c.json for c in sent(fake, "PUT", f"/libraries/{OWN}/enrolment")] == [{"cohort_id": "k26"}]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert ("success", "Biblioteket er flyttet til den nye kohorte.") in flashes(page)
    assert "flyttet til den nye kohorte" not in client.get(f"/admin/biblioteker/{OWN}").get_data(as_text=True)


def test_a_move_the_registration_service_refuses_shows_its_reason_as_an_error_in_danish_and_english():
    answers = {**ADMIN_LIBRARY, ("PUT", f"/libraries/{OWN}/enrolment"): (409, NOT_OPEN)}
    client, _ = signed_in("administrator", answers=answers)
    page = client.post(f"/admin/biblioteker/{OWN}/tilmelding", data={"csrf_token": CSRF_TOKEN, "cohort_id": "k26"},
                       follow_redirects=True).get_data(as_text=True)
    assert ("error", "Forløbet »Forløb 2026« er ikke åbent for tilmelding.") in flashes(page)
    assert "alert-success flash" not in page
    client.get("/sprog/en")
    page = client.post(f"/admin/biblioteker/{OWN}/tilmelding", data={"csrf_token": CSRF_TOKEN, "cohort_id": "k26"},
                       follow_redirects=True).get_data(as_text=True)
    assert "is not open for enrolment" in page


def test_a_move_without_a_cohort_or_without_the_csrf_token_changes_nothing():
    client, fake = signed_in("administrator", answers=ADMIN_LIBRARY)
    assert client.post(f"/admin/biblioteker/{OWN}/tilmelding", data={"cohort_id": "k26"}).status_code == 400
    page = client.post(f"/admin/biblioteker/{OWN}/tilmelding", data={"csrf_token": CSRF_TOKEN, "cohort_id": " "},
                       follow_redirects=True).get_data(as_text=True)
    assert ("error", "Vælg den kohorte, biblioteket skal tilmeldes.") in flashes(page)
    assert not sent(fake, "PUT", f"/libraries/{OWN}/enrolment")


def test_ending_an_enrolment_asks_for_confirmation_then_deletes_it():
    client, fake = signed_in("administrator", answers=ADMIN_LIBRARY)
    page = client.get(f"/admin/biblioteker/{OWN}/afmeld").get_data(as_text=True)
    assert "Er du sikker?" in page and "<strong>Det åbne program</strong>" in page
    assert 'name="confirm" value="yes"' in page and 'name="csrf_token"' in page
    assert not sent(fake, "DELETE", f"/libraries/{OWN}/enrolment")  # asking changes nothing
    # a post that skipped the question goes back to it
    resp = client.post(f"/admin/biblioteker/{OWN}/afmeld", data={"csrf_token": CSRF_TOKEN})
    assert resp.headers["Location"].endswith(f"/admin/biblioteker/{OWN}/afmeld")
    assert client.post(f"/admin/biblioteker/{OWN}/afmeld", data={"confirm": "yes"}).status_code == 400  # no CSRF
    assert not sent(fake, "DELETE", f"/libraries/{OWN}/enrolment")
    page = client.post(f"/admin/biblioteker/{OWN}/afmeld", data={"csrf_token": CSRF_TOKEN, "confirm": "yes"},
                       follow_redirects=True).get_data(as_text=True)
    assert len(sent(fake, "DELETE", f"/libraries/{OWN}/enrolment")) == 1
    assert ("success", "Bibliotekets tilmelding til kohorten er afsluttet.") in flashes(page)


def test_ending_an_enrolment_that_is_already_over_says_so_as_an_error():
    answers = {**ADMIN_LIBRARY, ("DELETE", f"/libraries/{OWN}/enrolment"): (404, {"status": 404, "detail": "Findes ikke."})}
    client, _ = signed_in("administrator", answers=answers)
    page = client.post(f"/admin/biblioteker/{OWN}/afmeld", data={"csrf_token": CSRF_TOKEN, "confirm": "yes"},
                       follow_redirects=True).get_data(as_text=True)
    assert ("error", "Biblioteket er ikke tilmeldt en kohorte.") in flashes(page)
    client, _ = signed_in("administrator", answers={**ADMIN_LIBRARY, ("GET", f"/libraries/{OWN}"):
                                                    (200, {**ENROLLED, "enrolment": None})})
    resp = client.get(f"/admin/biblioteker/{OWN}/afmeld")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/admin/biblioteker/{OWN}")


@pytest.mark.parametrize("role", ["coordinator", "member", "assessor"])
def test_only_an_administrator_moves_or_ends_an_enrolment(role):
    client, fake = signed_in(role, answers=ADMIN_LIBRARY)
    expected = 403  # no role but the administrator has the action at all
    assert client.get(f"/admin/biblioteker/{OWN}").status_code == expected
    assert client.get(f"/admin/biblioteker/{OWN}/afmeld").status_code == expected
    assert client.post(f"/admin/biblioteker/{OWN}/tilmelding",
                       data={"csrf_token": CSRF_TOKEN, "cohort_id": "k26"}).status_code == expected
    assert client.post(f"/admin/biblioteker/{OWN}/afmeld",
                       data={"csrf_token": CSRF_TOKEN, "confirm": "yes"}).status_code == expected
    assert client.post("/admin/kohorter/tilmelding",
                       data={"csrf_token": CSRF_TOKEN, "library_id": OWN, "cohort_id": "k26"}).status_code == expected
    assert not [c for c in fake.calls if c.method in ("PUT", "DELETE")]


# -- outcomes travel in the signed session, never in the address ----------------------------------


def test_a_forged_outcome_in_the_address_shows_nothing_on_the_review_page():
    client, _ = signed_in("assessor")
    for forged in ("besked=Certifikatet er tildelt.", "outcome=ok", "msg=Afgørelsen er gemt."):
        page = client.get(f"/vurdering/{OWN}?{forged}").get_data(as_text=True)
        assert "Certifikatet er tildelt" not in page and "Afgørelsen er gemt" not in page
        assert "flash" not in page and 'role="status"' not in page


@pytest.mark.parametrize("path,form,done", [
    (f"/vurdering/{OWN}/handleplan", {"decision": "approved"}, "Afgørelsen om handleplanen er gemt."),
    ("/vurdering/aktivitet/ev-own", {"decision": "approved", "library_id": OWN}, "Afgørelsen er gemt."),
    (f"/vurdering/{OWN}/krav/F1", {"target": "2", "reason": "lille filial"}, "Målet er justeret."),
    (f"/vurdering/{OWN}/certificering", {"decision": "award"}, "Certifikatet er tildelt."),
])
def test_an_assessors_decision_is_reported_once_through_the_session_not_the_address(path, form, done):
    client, _ = signed_in("assessor")
    resp = client.post(path, data={"csrf_token": CSRF_TOKEN, **form})
    assert resp.status_code == 302 and resp.headers["Location"] == f"/vurdering/{OWN}"  # no query string
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert ("success", done) in flashes(page)
    assert done not in client.get(f"/vurdering/{OWN}").get_data(as_text=True)  # shown once


def test_an_assessors_refused_decision_shows_the_services_reason_as_an_error():
    refused = {"status": 409, "detail": "Biblioteket er ikke klar til vurdering.", "detail_en": "Not ready."}
    client, _ = signed_in("assessor", answers={("POST", f"/libraries/{OWN}/certification"): (409, refused)})
    page = client.post(f"/vurdering/{OWN}/certificering", data={"csrf_token": CSRF_TOKEN, "decision": "award"},
                       follow_redirects=True).get_data(as_text=True)
    assert ("error", "Biblioteket er ikke klar til vurdering.") in flashes(page)
    assert "Certifikatet er tildelt" not in page
