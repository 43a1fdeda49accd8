"""The compiled fast path gives exactly what marshmallow gives (dump of load) or declines, over the
whole catalogue and for payloads mutated at random, valid or not."""

import copy
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from shared.events import CATALOGUE, EventError, _fast, _schema, new_event
from shared.events.fastpath import Decline

sys.path.insert(0, str(Path(__file__).parent))
from test_catalogue import sample_payload  # noqa: E402

pytestmark = pytest.mark.unit

TYPES = sorted(CATALOGUE)
COMPILED = [t for t in TYPES if _fast(t) is not None]


def marshmallow(type_, payload):
    schema = _schema(type_)
    return schema.dump(schema.load(payload))


def assert_fast_path_agrees(type_, payload, where):
    """The fast path declines, or gives what marshmallow gives for a payload marshmallow accepts."""
    try:
        expected = marshmallow(type_, copy.deepcopy(payload))
    except ValidationError:
        expected = None
    try:
        got = _fast(type_)(copy.deepcopy(payload))
    except Decline:
        return  # marshmallow decides, whatever it decides
    assert expected is not None, f"the fast path accepted what marshmallow refuses: {where}"
    assert got == expected, where


def test_most_of_the_catalogue_and_the_hot_events_are_compiled():
    assert {"score.changed", "mail.failed", "library.registered", "person.joined"} <= set(COMPILED)
    assert len(COMPILED) >= len(TYPES) * 2 // 3


@pytest.mark.parametrize("type_", COMPILED)
def test_a_valid_sample_of_every_compiled_type_takes_the_fast_path_with_marshmallows_result(type_):
    payload = sample_payload(CATALOGUE[type_].schema)
    assert _fast(type_)(copy.deepcopy(payload)) == marshmallow(type_, payload)


scalars = st.none() | st.booleans() | st.integers(-3, 2**40) | st.floats(allow_nan=True, allow_infinity=True) | \
    st.sampled_from([float("nan"), float("inf"), -1.0, 0.5, 1.5, 3.0]) | \
    st.sampled_from(["", "1", "2.5", "tekst", "not_started", "approved", "person@example.dk", "ikke en mail",
                     "2026-01-02", "2026-1-2", "2026-02-30", "2026-01-02T03:04:05+00:00", "2026-01-02T03:04:05Z",
                     "2026-01-02T03:04:05", "2026-01-02T03:04:05.123456+01:00", "2026-01-02T03:04:05.5+00:00",
                     "DK-123456"])
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["k", "id", "provisional", "verified", "extra"]), inner, max_size=3), max_leaves=6)


@st.composite
def mutated(draw, payload):
    """The payload with one value somewhere replaced, removed or added."""
    payload = copy.deepcopy(payload)
    node = payload
    while True:
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            key = draw(st.integers(0, len(node) - 1))
        else:
            break
        child = node[key]
        if isinstance(child, dict | list) and child and draw(st.booleans()):
            node = child
            continue
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            node[key] = draw(values)
        elif action == "remove":
            del node[key]
        elif isinstance(node, dict):
            node[draw(st.sampled_from(["unknown", "note"]))] = draw(values)
        else:
            node.append(draw(values))
        break
    return payload


TRICKY = [None, True, False, 0, 1, -1, 2**40, 0.0, 0.5, 1.5, -1.0, 3.0, float("nan"), float("inf"), float("-inf"),
          "", "1", "2.5", "true", "tekst", "not_started", "person@example.dk", "ikke en mail", "2026-01-02",
          "2026-1-2", "2026-02-30", "2026-01-02T03:04:05+00:00", "2026-01-02T03:04:05Z", "2026-01-02T03:04:05",
          "2026-01-02T03:04:05.5+00:00", "2026-01-02T03:04:05.123456+01:00", [], [1], ["a"], {}, {"k": 1}]


def _paths(node, prefix=()):
    """Every place in a payload a value sits at: dict keys and list positions, at any depth."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key))


def _with(payload, path, value):
    payload = copy.deepcopy(payload)
    node = payload
    for key in path[:-1]:
        node = node[key]
    if value is _REMOVED:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return payload


_REMOVED = object()


@pytest.mark.parametrize("type_", COMPILED)
def test_every_value_of_a_sample_replaced_by_each_tricky_value_gets_marshmallows_answer(type_):
    sample = sample_payload(CATALOGUE[type_].schema)
    for path in _paths(sample):
        for value in [*TRICKY, _REMOVED]:
            assert_fast_path_agrees(type_, _with(sample, path, value), f"{path} = {value!r}")


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_mutated_payload_gets_marshmallows_result_or_marshmallows_error(data):
    type_ = data.draw(st.sampled_from(COMPILED))
    payload = data.draw(mutated(sample_payload(CATALOGUE[type_].schema)))
    assert_fast_path_agrees(type_, payload, repr(payload))


def test_an_invalid_payload_is_still_refused_with_marshmallows_reasons():
    payload = sample_payload(CATALOGUE["score.changed"].schema)
    with pytest.raises(EventError) as caught:
        new_event("score.changed", {**payload, "provisional": 1.5}, producer="test")
    assert "provisional" in caught.value.errors
