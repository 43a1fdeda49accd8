import json
from datetime import timedelta

import jsonschema
import pytest
from credentials_independent import DATA, canonical

from scoring.credentials import build_credential, did_web
from scoring.credentials.credential import xsd_datetime

pytestmark = pytest.mark.unit

SCHEMA = json.loads((DATA / "ob_v3p0_achievementcredential_schema.json").read_text(encoding="utf-8"))


def test_credential_has_the_contexts_types_issuer_and_dates_issue_14_names(issued, facts):
    credential = issued.credential
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"].startswith("https://verdensmaal.example.dk/")
    assert credential["issuer"] == {
        "id": "did:web:verdensmaal.example.dk",
        "type": ["Profile"],
        "name": "CHORA 2030",
        "url": "https://verdensmaal.example.dk",
    }
    assert credential["validFrom"] == xsd_datetime(facts.awarded_at)
    assert credential["validUntil"] == f"{facts.valid_until.isoformat()}T23:59:59Z"
    assert facts.valid_until.year == facts.awarded_at.year + 3
    assert credential["name"]


def test_subject_names_the_library_with_its_isil_and_an_achievement_with_danish_criteria(issued):
    subject = issued.credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["name"] == "Aarhus Kommunes Biblioteker"
    assert subject["identifier"][0] == {
        "type": "IdentityObject",
        "hashed": False,
        "identityHash": "DK-775100",
        "identityType": "ext:ISIL",
    }
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["id"].startswith("https://verdensmaal.example.dk/")
    assert achievement["name"] == "Verdensmålscertificeret bibliotek"
    assert achievement["description"]
    assert "certificeringsmodellen" in achievement["criteria"]["narrative"]
    assert "version 2" in achievement["criteria"]["narrative"]
    assert achievement["image"]["type"] == "Image" and achievement["image"]["id"].endswith("/badge.png")


def test_branches_are_listed_as_identifiers_and_in_the_subjects_narrative(issued):
    subject = issued.credential["credentialSubject"]
    branch_ids = [i["identityHash"] for i in subject["identifier"] if i["identityType"] == "ext:BranchISIL"]
    assert branch_ids == ["DK-775100", "DK-775101"]
    assert "Dokk1 (DK-775100)" in subject["narrative"] and "Tranbjerg Bibliotek (DK-775101)" in subject["narrative"]


def test_credential_carries_a_revocation_entry_of_its_status_list(issued, facts):
    assert issued.credential["credentialStatus"] == {
        "id": f"{facts.status_list_url}#{facts.status_list_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(facts.status_list_index),
        "statusListCredential": facts.status_list_url,
    }


def test_signed_credential_validates_against_the_open_badges_3_json_schema(issued):
    validator = jsonschema.Draft201909Validator(SCHEMA)
    assert list(validator.iter_errors(issued.credential)) == []


def test_schema_validation_can_fail_on_a_credential_without_its_subjects_achievement(issued):
    broken = json.loads(json.dumps(issued.credential))
    del broken["credentialSubject"]["achievement"]
    assert list(jsonschema.Draft201909Validator(SCHEMA).iter_errors(broken))


def test_every_property_of_the_credential_is_defined_by_its_contexts(issued):
    # Read independently: every member must turn into a statement, none may vanish.
    nquads = canonical({k: v for k, v in issued.credential.items() if k != "proof"})
    for text in ("DK-775101", "Tranbjerg Bibliotek", "version 2", "ext:ISIL", "statusListIndex", "CHORA 2030"):
        assert text in nquads


def test_a_renewal_is_a_new_credential_of_the_same_certificate(issuer, facts, now):
    first = build_credential(facts, did_web(facts.public_url))
    renewed = build_credential(
        type(facts)(**{**facts.__dict__, "cycle": 2, "awarded_at": facts.awarded_at + timedelta(days=1000)}),
        did_web(facts.public_url),
    )
    assert first["id"] != renewed["id"]
    assert facts.certificate_id in first["id"] and facts.certificate_id in renewed["id"]
