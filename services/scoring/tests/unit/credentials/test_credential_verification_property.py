import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.credentials import verify

pytestmark = pytest.mark.unit

JUNK = st.one_of(
    st.none(),
    st.integers(),
    st.booleans(),
    st.text(max_size=12),
    st.just([]),
    st.just({}),
    st.just({"@id": "relative"}),
    st.just("https://evil.example/ctx"),
    st.just("2020-13-45T99:00:00Z"),
)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from paths(value, (*prefix, i))


def changed(document, path, value, delete):
    copied = copy.deepcopy(document)
    target = copied
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return copied


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_change_to_a_signed_credential_or_its_list_is_never_valid_and_never_raises(
    data, issued, status_list, keys, now
):
    target = data.draw(st.sampled_from(["credential", "list"]))
    original = issued.credential if target == "credential" else status_list.credential
    path = data.draw(st.sampled_from(list(paths(original))[1:]))
    value = data.draw(JUNK)
    delete = data.draw(st.booleans())
    mutated = changed(original, path, value, delete)
    if mutated == original:
        return
    credential, listed = (mutated, status_list.credential) if target == "credential" else (issued.credential, mutated)
    form = data.draw(st.sampled_from(["dict", "text"]))
    result = verify(credential if form == "dict" else json.dumps(credential), keys=keys, now=now, status_list=listed)
    json.dumps(result.to_dict())
    assert not result.verified, (path, value, delete)
