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


def test_dead_letter_bodies_are_shown_with_their_tokens_redacted(settings_for, amqp_url):
    import pika

    from shared.events import new_event

    settings = settings_for("sink")
    payload = {"person_id": "p1", "version": 1, "name": None, "email": "ny@bib.example", "language": "da",
               "role": "member", "library_id": "l1", "library_name": "Bib", "invited_by": None, "inviter_name": None,
               "invitation_token": "hemmeligt-token-42", "token_expires_at": "2030-01-01T00:00:00+00:00"}
    body = new_event("person.invited", payload, producer="registration").to_json()  # one from before sealing
    dead = f"{settings.amqp_prefix}.sink.dead"
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        ch = conn.channel()
        ch.queue_declare(dead, durable=True, arguments={"x-queue-type": "classic"})
        ch.basic_publish("", dead, body, pika.BasicProperties(message_id="m1", headers={
            "x-chora-death-reason": "test", "x-chora-original-routing-key": "person.invited"}))
    finally:
        conn.close()
    code, out = run(settings, "dead", "sink", "--bodies")
    assert code == 0 and "1 dead letter(s)" in out
    assert '"invitation_token": "[sealed]"' in out and "hemmeligt-token-42" not in out
    assert "ny@bib.example" in out  # the rest of the body is shown
