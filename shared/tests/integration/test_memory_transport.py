"""The backbone on kombu's in-memory transport (the one-process `make run` mode), with a real
SecantusDB: outbox, relay, consumer, inbox and retries work without a broker."""

import time

import pytest

from shared.runtime import Runtime

pytestmark = pytest.mark.integration


def test_events_flow_and_failed_handlers_are_retried_on_the_in_memory_transport(settings_for, run_prefix):
    sink_settings = settings_for("sink", amqp_url="memory://")
    source_settings = settings_for("source", amqp_url="memory://")
    calls: list[str] = []
    consumer_rt = Runtime(sink_settings, handled_types=("test.pinged",))
    store = consumer_rt.open_store()

    def handle(evt):
        calls.append(evt.payload["key"])
        if evt.payload["key"] == "flaky" and calls.count("flaky") == 1:
            raise RuntimeError("first attempt fails")
        store.transact(lambda tx: tx.db.effects.update_one({"_id": evt.payload["key"]}, {"$inc": {"n": 1}},
                                                          upsert=True, session=tx.session), inbox=("m", evt.id))

    consumer_rt.start_consumer(handle)
    assert consumer_rt.consumer.ready.wait(10)
    producer_rt = Runtime(source_settings)
    producer_rt.start_relay()
    try:
        for key in ("a", "b", "flaky"):
            producer_rt.store.transact(lambda tx, k=key: tx.emit("test.pinged", {"key": k}))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and store.db.effects.count_documents({}) < 3:
            time.sleep(0.05)
        effects = {d["_id"]: d["n"] for d in store.db.effects.find()}
        assert effects == {"a": 1, "b": 1, "flaky": 1}
        assert calls.count("flaky") == 2  # retried after its delay
        while time.monotonic() < deadline and producer_rt.store.db.outbox.count_documents({}):
            time.sleep(0.05)  # the delete follows the confirm, which may come after the effect
        assert producer_rt.store.db.outbox.count_documents({}) == 0
    finally:
        producer_rt.stop()
        consumer_rt.stop()
