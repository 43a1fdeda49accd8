"""An unsubscribe link in a mail sent before the master secret was rotated still works while the old
master is listed in CHORA_PREVIOUS_SECRET_KEYS, and stops working once it is dropped."""

import pytest

from notification.domain.errors import InvalidUnsubscribeToken
from notification.domain.preferences import make_unsubscribe_token, read_unsubscribe_token
from shared import keys

pytestmark = pytest.mark.unit

OLD, NEW = "old-master-secret-for-the-mails", "new-master-secret-after-rotation"


def test_an_old_link_opens_with_the_ring_and_not_without_it():
    link = make_unsubscribe_token(keys.derive(OLD, keys.UNSUBSCRIBE), "p-42")
    ring = [keys.derive(NEW, keys.UNSUBSCRIBE), keys.derive(OLD, keys.UNSUBSCRIBE)]
    assert read_unsubscribe_token(ring, link) == "p-42"
    with pytest.raises(InvalidUnsubscribeToken):
        read_unsubscribe_token([keys.derive(NEW, keys.UNSUBSCRIBE)], link)
