"""Every portal page renders for every role without an error, whatever shape a service answers
with (a fake backend answers every call with a small unrelated object)."""

from dataclasses import asdict

import pytest
from gateway_fakes import OWN, make_app, person

from gateway import authz

pytestmark = pytest.mark.unit

PAGES = ["/", "/log-ind", "/tilmeld", "/bekraeft?token=t", "/invitation?token=t", "/nulstil", "/nulstil?token=t",
         "/afmeld?token=t", f"/bibliotek/{OWN}", f"/bibliotek/{OWN}/aktiviteter?status=draft",
         "/evidens/ev-own", "/evidens/ev-own/rediger", f"/bibliotek/{OWN}/team", f"/bibliotek/{OWN}/handleplan",
         "/delte-cases", "/vurdering", f"/vurdering/{OWN}", "/admin", "/admin/modeller", "/admin/kohorter",
         "/admin/forsendelser", "/admin/forsendelser?status=all", "/admin/biblioteker?status=active",
         "/admin/tal?municipality=Aarhus", f"/admin/biblioteker/{OWN}", f"/admin/biblioteker/{OWN}/afmeld", "/admin/modeller/2", "/admin/modeller/2?virkning=1", "/profil",
         "/delte-cases?q=cafe&sdg=12", "/biblioteker", "/certifikat", "/certifikat/c1", "/api/v1/docs"]


@pytest.fixture(scope="module")
def gateway():
    return make_app()


@pytest.mark.parametrize("role", authz.ROLES)
@pytest.mark.parametrize("path", PAGES)
def test_page_renders_or_refuses_cleanly(gateway, path, role):
    app, _ = gateway
    client = app.test_client()
    if role != "anonymous":
        with client.session_transaction() as session:
            session["identity"] = asdict(person(role))
    resp = client.get(path)
    assert resp.status_code in (200, 302, 403, 404), resp.status_code
    assert resp.mimetype == "text/html"
