"""Every portal page, for every role, answers what that role should see: 200 with the page's own
heading for those who may see it, a redirect to sign-in for the anonymous visitor where signing
in is needed, and 403 (the role may not) or 404 (another library's) for the others. A fake
backend answers the services' calls; the end-to-end tests run the same pages for real."""

import re
from dataclasses import asdict

import pytest
from gateway_fakes import OWN, make_app, person, response

from gateway import authz

pytestmark = pytest.mark.unit

STAFF = {"coordinator", "member"}
PROGRAMME = {"assessor", "administrator"}
SIGNED_IN = STAFF | PROGRAMME
EVERYONE = SIGNED_IN | {"anonymous"}
ADMIN = {"administrator"}
MODEL = {"version": 2, "status": "draft", "requirements": [
    {"id": "F1", "dimension": "formidling", "text_da": "Formidling", "text_en": "Communication", "target": 4}]}

# path, the h1 for those who may see it (None: a redirect for them too), who may see it
PAGES = [
    ("/", "Verdensmålscertificering for biblioteker", {"anonymous"}),
    ("/log-ind", "Log ind", EVERYONE),
    ("/tilmeld", "Tilmeld bibliotek", EVERYONE),
    ("/bekraeft?token=t", "Bekræft e-mail", EVERYONE),
    ("/invitation?token=t", "Accepter invitation", EVERYONE),
    ("/nulstil", "Nulstil adgangskode", EVERYONE),
    ("/nulstil?token=t", "Nulstil adgangskode", EVERYONE),
    ("/afmeld?token=t", "Afmeld e-mails", EVERYONE),
    ("/biblioteker", "Certificerede biblioteker", EVERYONE),
    ("/certifikat", "Tjek certifikat", EVERYONE),
    ("/certifikat/c1", "Tjek certifikat", EVERYONE),
    ("/profil", "Min profil", SIGNED_IN),
    (f"/bibliotek/{OWN}", "Overblik", SIGNED_IN),
    (f"/bibliotek/{OWN}/aktiviteter?status=draft", "Aktiviteter", SIGNED_IN),
    (f"/bibliotek/{OWN}/aktiviteter/ny", "Ny aktivitet", STAFF),
    ("/evidens/ev-own", "Uden titel", SIGNED_IN),
    ("/evidens/ev-own/rediger", "Ret aktivitet", STAFF),
    (f"/bibliotek/{OWN}/team", "Team", SIGNED_IN),
    (f"/bibliotek/{OWN}/handleplan", "Handleplan", SIGNED_IN),
    (f"/bibliotek/{OWN}/handleplan/tjek", "Tjek dine svar", STAFF),
    ("/delte-cases", "Delte cases", SIGNED_IN),
    ("/delte-cases?q=cafe&sdg=12", "Delte cases", SIGNED_IN),
    ("/vurdering", "Kø til vurdering", PROGRAMME),
    (f"/vurdering/{OWN}", f"Vurdering: {OWN}", PROGRAMME),
    ("/admin", "Administration", PROGRAMME),
    ("/admin/biblioteker?status=active", "Biblioteker", PROGRAMME),
    ("/admin/tal?municipality=Aarhus", "Nationale tal", PROGRAMME),
    ("/admin/modeller", "Modelversioner", ADMIN),
    ("/admin/modeller/2", "Modelversion 2", ADMIN),
    ("/admin/modeller/2?virkning=1", "Modelversion 2", ADMIN),
    ("/admin/kohorter", "Kohorter", ADMIN),
    (f"/admin/biblioteker/{OWN}", OWN, ADMIN),
    ("/admin/forsendelser", "Fejlede forsendelser", {"coordinator", "administrator"}),
    ("/admin/forsendelser?status=all", "Forsendelser", {"coordinator", "administrator"}),
]
# Pages that refuse another library's staff as "not found" rather than "not for your role".
OTHER_LIBRARY = [("/bibliotek/lib-other", 404), ("/bibliotek/lib-other/team", 404),
                 ("/bibliotek/lib-other/handleplan", 404), ("/evidens/ev-other", 404)]
# A signed-in visitor of the front page goes to their own start page.
HOME = {"coordinator": "/bibliotek", "member": "/bibliotek", "assessor": "/vurdering", "administrator": "/admin"}


@pytest.fixture(scope="module")
def gateway():
    app, fake = make_app()
    fake.answers[("GET", "/models/2")] = response(200, MODEL)
    return app


def client_for(app, role):
    client = app.test_client()
    if role != "anonymous":
        with client.session_transaction() as session:
            session["identity"] = asdict(person(role))
    return client


def heading(page: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip() if found else ""


@pytest.mark.parametrize("role", authz.ROLES)
@pytest.mark.parametrize("path,title,allowed", PAGES, ids=[p for p, *_ in PAGES])
def test_each_page_answers_each_role_as_expected(gateway, path, title, allowed, role):
    resp = client_for(gateway, role).get(path)
    if path == "/" and role != "anonymous":
        assert resp.status_code == 302 and resp.headers["Location"] == HOME[role]
    elif role in allowed:
        assert resp.status_code == 200, resp.status_code
        assert heading(resp.get_data(as_text=True)).startswith(title)
    elif role == "anonymous":
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/log-ind?next=")
    else:
        assert resp.status_code in (403, 404), resp.status_code
        assert resp.mimetype == "text/html"


@pytest.mark.parametrize("role", sorted(STAFF))
@pytest.mark.parametrize("path,status", OTHER_LIBRARY)
def test_another_librarys_pages_are_not_found_for_staff(gateway, path, status, role):
    assert client_for(gateway, role).get(path).status_code == status


@pytest.mark.parametrize("path,title,allowed", [p for p in PAGES if p[0] != "/"])
def test_each_page_has_an_english_heading_when_english_is_chosen(gateway, path, title, allowed):
    role = "administrator" if "administrator" in allowed else sorted(allowed)[0]
    client = client_for(gateway, role)
    client.get("/sprog/en")
    page = client.get(path).get_data(as_text=True)
    assert '<html lang="en">' in page
    if title not in (OWN, "Team", "Administration") and not title.startswith("Modelversion"):  # the same words in English
        assert not heading(page).startswith(title), f"{path}: still Danish: {heading(page)}"
