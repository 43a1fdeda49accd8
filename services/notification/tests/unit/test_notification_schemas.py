"""The API's request schemas are as strict as the domain and label every field a person fills in;
mail names every kind and role of the shared vocabulary."""

import pytest
from marshmallow import ValidationError

from notification import schemas
from notification.domain.messages import LABELS
from shared import vocabulary

pytestmark = pytest.mark.unit

REQUESTS = [schemas.DeliveryQuery, schemas.PreferencesIn, schemas.UnsubscribeBody]


@pytest.mark.parametrize("schema", REQUESTS, ids=lambda s: s.__name__)
def test_every_request_field_has_a_danish_and_an_english_label(schema):
    for name, field in schema().fields.items():
        assert field.metadata.get("label_da") and field.metadata.get("label_en"), name


def test_a_preferences_change_without_its_decision_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as caught:
        schemas.PreferencesIn().load({})
    assert list(caught.value.messages) == ["non_essential"]


def test_the_delivery_log_is_filtered_by_the_vocabularys_statuses_only():
    assert schemas.DeliveryQuery().load({"status": "failed"})["status"] == "failed"
    with pytest.raises(ValidationError) as caught:
        schemas.DeliveryQuery().load({"status": "lost", "per_page": "500"})
    assert set(caught.value.messages) == {"status", "per_page"}


@pytest.mark.parametrize("language", ["da", "en"])
def test_mail_names_every_kind_and_role_of_the_vocabulary(language):
    assert set(vocabulary.EVIDENCE_KINDS) | set(vocabulary.ROLES) <= set(LABELS[language])
