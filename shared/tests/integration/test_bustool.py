"""The operator's bus tool (pika) against the real RabbitMQ."""

import io

import pytest

from shared.bustool import main

pytestmark = pytest.mark.integration


def run(settings, *args, stdin=""):
    out = io.StringIO()
    code = main(["--amqp-url", settings.amqp_url, "--prefix", settings.amqp_prefix,
                 "--retry-delays", ",".join(map(str, settings.retry_delays)), *args],
                stdin=io.StringIO(stdin), out=out)
    return code, out.getvalue()


def test_lists_queues_with_depth_and_consumers(pipeline, settings_for):
    settings = settings_for("sink")
    code, out = run(settings, "queues", "--service", "sink")
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith(f"{settings.amqp_prefix}.sink "))
    assert line.split()[-1] == "1"  # the pipeline's consumer
    assert f"{settings.amqp_prefix}.sink.dead" in out and f"{settings.amqp_prefix}.sink.retry.1s" in out


def test_lists_dead_letters_with_reasons_and_purges_only_after_confirmation(pipeline, settings_for):
    settings = settings_for("sink")
    pipeline.fail.add("poison")
    pipeline.producer.start_relay()
    pipeline.emit("poison")
    import time
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "1 dead letter" not in run(settings, "dead", "sink")[1]:
        time.sleep(0.3)
    code, out = run(settings, "dead", "sink")
    assert "handler fault for poison" in out and "1 dead letter(s)" in out

    dead_queue = f"{settings.amqp_prefix}.sink.dead"
    code, out = run(settings, "purge", dead_queue, stdin="wrong-name\n")
    assert code == 1 and "not purged" in out
    assert "1 dead letter(s)" in run(settings, "dead", "sink")[1]
    code, out = run(settings, "purge", dead_queue, stdin=f"{dead_queue}\n")
    assert code == 0 and "purged 1" in out
    assert "0 dead letter(s)" in run(settings, "dead", "sink")[1]
