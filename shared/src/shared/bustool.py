"""The operator's bus tool (pika): queue depths and consumers, dead letters with their reasons,
replay of one or all dead letters, purge with confirmation, and a service's parked outbox events.

    chora-bus queues
    chora-bus dead notification [--bodies]         (sealed fields are shown as [sealed])
    chora-bus replay notification --all            (or --id MESSAGE_ID)
    chora-bus purge chora.notification.dead        (asks you to type the name; --yes skips)
    chora-bus outbox registration                  (events pending and parked, with the reasons)
    chora-bus outbox-replay registration --all     (or --id EVENT_ID: parked events back to the relay)
    chora-bus broker-users --admin-url http://rabbitmq:15672   (each service's account and permissions)

A replayed message keeps every header (the original routing key, who published it) and is
published with this tool's broker user as `user_id`: run it with the service's own account (its
CHORA_AMQP_URL, e.g. inside its container), whose republished messages the consumer trusts to
name their producer; a replay under another account is dead-lettered again as not the producer's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import quote

import pika
import requests
from pika.exceptions import ChannelClosedByBroker
from pymongo import MongoClient
from pymongo.database import Database

from shared.config import ServiceSettings
from shared.events import consuming_services
from shared.events.sealing import redacted
from shared.messaging.permissions import ACCOUNTS, service_permissions, user_name
from shared.messaging.relay import replay_parked
from shared.messaging.topology import H_ORIGINAL_KEY, H_QUEUE, H_REASON, H_REPLAYED, H_RETRIES
from shared.mongo import OUTBOX, PARKED, connect

CONSUMING_SERVICES = ("registration", "evidence", "scoring", "notification")


@dataclass
class DeadLetter:
    message_id: str | None
    reason: str
    queue: str
    routing_key: str | None
    failed_at: str | None
    body: bytes


class BusTool:
    def __init__(self, amqp_url: str, prefix: str, retry_delays: tuple[int, ...] = (1, 10, 60)):
        self.params = pika.URLParameters(amqp_url)
        self.prefix = prefix
        self.retry_delays = retry_delays

    def _connect(self) -> pika.BlockingConnection:
        return pika.BlockingConnection(self.params)

    def queue_names(self, service: str) -> list[str]:
        main = f"{self.prefix}.{service}"
        return [main, *(f"{main}.retry.{d}s" for d in self.retry_delays), f"{main}.dead"]

    def queues(self, services: Iterable[str] = CONSUMING_SERVICES) -> list[tuple[str, int, int]]:
        """(name, messages, consumers) for every queue of the given services, and the archive, that exists."""
        rows = []
        conn = self._connect()
        try:
            names = [name for service in services for name in self.queue_names(service)]
            for name in [*names, f"{self.prefix}.archive"]:
                ch = conn.channel()
                try:
                    ok = ch.queue_declare(name, passive=True).method
                    rows.append((name, ok.message_count, ok.consumer_count))
                    ch.close()
                except ChannelClosedByBroker:
                    continue  # not declared (yet): nothing to show
        finally:
            conn.close()
        return rows

    def _each_dead(self, service: str, decide: Callable[[DeadLetter], bool],
                   on_take: Callable[[Any, DeadLetter, Any], None] | None = None) -> list[DeadLetter]:
        """Walk the dead-letter queue once; messages for which decide() is true are taken
        (on_take publishes them, then they are acked), the rest are returned to the queue."""
        dead_queue = f"{self.prefix}.{service}.dead"
        conn = self._connect()
        seen: list[DeadLetter] = []
        try:
            ch = conn.channel()
            ch.confirm_delivery()
            depth = ch.queue_declare(dead_queue, passive=True).method.message_count
            unacked = []
            for _ in range(depth):
                method, props, body = ch.basic_get(dead_queue, auto_ack=False)
                if method is None:
                    break
                headers = props.headers or {}
                letter = DeadLetter(
                    message_id=props.message_id,
                    reason=str(headers.get(H_REASON, "")),
                    queue=str(headers.get(H_QUEUE, f"{self.prefix}.{service}")),
                    routing_key=headers.get(H_ORIGINAL_KEY),
                    failed_at=headers.get("x-chora-failed-at"),
                    body=body,
                )
                seen.append(letter)
                if decide(letter):
                    if on_take is not None:
                        on_take(ch, letter, props)
                    ch.basic_ack(method.delivery_tag)
                else:
                    unacked.append(method.delivery_tag)
            for tag in unacked:
                ch.basic_nack(tag, requeue=True)
            ch.close()
        finally:
            conn.close()
        return seen

    def dead_letters(self, service: str) -> list[DeadLetter]:
        return self._each_dead(service, lambda _l: False)

    def replay(self, service: str, message_id: str | None = None) -> int:
        """Move dead letters (one by id, or all) back to the service queue; return how many."""
        replayed = []

        def republish(ch: Any, letter: DeadLetter, props: Any) -> None:
            # Every header stays (the original routing key, who published it, the trace context);
            # only the retry count starts again.
            headers = dict(props.headers or {})
            headers[H_REPLAYED] = int(headers.get(H_REPLAYED) or 0) + 1
            headers[H_RETRIES] = 0
            ch.basic_publish(
                exchange="",
                routing_key=letter.queue,
                body=letter.body,
                properties=pika.BasicProperties(
                    content_type=props.content_type or "application/json",
                    content_encoding=props.content_encoding,
                    delivery_mode=2,
                    message_id=props.message_id,
                    correlation_id=props.correlation_id,
                    type=props.type,
                    user_id=self.params.credentials.username,
                    headers=headers,
                ),
                mandatory=True,
            )
            replayed.append(letter)

        self._each_dead(service, lambda letter: message_id is None or letter.message_id == message_id, republish)
        return len(replayed)

    @staticmethod
    def shown_body(letter: DeadLetter) -> str:
        """A dead letter's body for an operator's eyes: sealed fields redacted."""
        try:
            data = json.loads(letter.body)
        except ValueError:
            return letter.body[:500].decode("utf-8", "replace")
        if isinstance(data, dict) and isinstance(data.get("payload"), dict):
            data["payload"] = redacted(str(data.get("type")), data["payload"])
        return json.dumps(data, ensure_ascii=False)

    def purge(self, queue: str) -> int:
        conn = self._connect()
        try:
            return int(conn.channel().queue_purge(queue).method.message_count)
        finally:
            conn.close()


@dataclass
class OutboxEntry:
    event_id: str
    type: str
    state: str  # pending or parked
    attempts: int
    reason: str | None
    created_at: object


def outbox_entries(db: Database[Any]) -> list[OutboxEntry]:
    """Every event waiting in a service's outbox and every parked one, oldest first."""
    rows = []
    for collection, state in ((OUTBOX, "pending"), (PARKED, "parked")):
        for doc in db[collection].find({}).sort("created_at", 1):
            for e in doc["events"]:
                rows.append(OutboxEntry(e["id"], e["type"], state, int(doc.get("attempts", 0)),
                                        doc.get("parked_reason") or doc.get("last_error"), doc["created_at"]))
    return rows


def apply_broker_users(admin_url: str, admin: tuple[str, str], prefix: str, passwords: dict[str, str], *,
                       user_prefix: str = "", vhost: str = "/") -> list[str]:
    """Create or update each service's broker account with the catalogue's permissions, through the
    RabbitMQ management API (idempotent); return the accounts."""
    base, v = admin_url.rstrip("/"), quote(vhost, safe="")
    done = []
    with requests.Session() as http:
        http.auth = admin
        for service, password in passwords.items():
            name = user_name(user_prefix, service)
            u = quote(name, safe="")
            perms = service_permissions(prefix, service)
            for path, body in (
                (f"/api/users/{u}", {"password": password, "tags": ""}),
                (f"/api/permissions/{v}/{u}", {"configure": perms.configure, "write": perms.write, "read": perms.read}),
                (f"/api/topic-permissions/{v}/{u}",
                 {"exchange": f"{prefix}.events", "write": perms.topic_write, "read": perms.topic_read}),
            ):
                answer = http.put(base + path, json=body, timeout=10)
                if answer.status_code not in (200, 201, 204):
                    raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:200]}")
            done.append(name)
    return done


def _service_db(args: argparse.Namespace) -> tuple[MongoClient[Any], Database[Any]]:
    env = dict(os.environ)
    if args.mongo_url:
        env[f"CHORA_{args.service.upper()}_MONGO_URL"] = args.mongo_url
    if args.mongo_db:
        env[f"CHORA_{args.service.upper()}_MONGO_DB"] = args.mongo_db
    # The tool needs only where the service's database is; it holds no key, so no secret is asked for.
    settings = ServiceSettings.from_env({**env, "CHORA_EMBEDDED": "1"}, service=args.service)
    client = connect(settings.mongo_url, app_name="chora-bus")
    return client, client[settings.mongo_db]


def main(argv: list[str] | None = None, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="chora-bus", description="Inspect and repair the event bus.")
    parser.add_argument("--amqp-url", default=os.environ.get("CHORA_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"))
    parser.add_argument("--prefix", default=os.environ.get("CHORA_AMQP_PREFIX", "chora"))
    parser.add_argument("--retry-delays", default=os.environ.get("CHORA_RETRY_DELAYS", "1,10,60"))
    sub = parser.add_subparsers(dest="command", required=True)
    queues = sub.add_parser("queues", help="queues with depth and consumers")
    queues.add_argument("--service", action="append", help="only these services (repeatable)")
    dead = sub.add_parser("dead", help="list a service's dead letters with their reasons")
    dead.add_argument("service")
    dead.add_argument("--bodies", action="store_true", help="also print each body (sealed fields redacted)")
    replay = sub.add_parser("replay", help="replay dead letters to their queue")
    replay.add_argument("service")
    which = replay.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", dest="message_id")
    which.add_argument("--all", action="store_true")
    purge = sub.add_parser("purge", help="empty a queue (asks for confirmation)")
    purge.add_argument("queue")
    purge.add_argument("--yes", action="store_true")
    for name, text in (("outbox", "list a service's pending and parked outbox events"),
                       ("outbox-replay", "give a service's parked outbox events back to its relay")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("service")
        cmd.add_argument("--mongo-url", help="default: CHORA_<SERVICE>_MONGO_URL or CHORA_MONGO_URL")
        cmd.add_argument("--mongo-db", help="default: the service's database")
        if name == "outbox-replay":
            chosen = cmd.add_mutually_exclusive_group(required=True)
            chosen.add_argument("--id", dest="event_id")
            chosen.add_argument("--all", action="store_true")
    users = sub.add_parser("broker-users", help="create each service's broker account (management API)")
    users.add_argument("--admin-url", default=os.environ.get("CHORA_BROKER_ADMIN_URL", "http://rabbitmq:15672"))
    users.add_argument("--vhost", default="/")
    users.add_argument("--user-prefix", default=os.environ.get("CHORA_AMQP_USER_PREFIX", ""))
    args = parser.parse_args(argv)

    tool = BusTool(args.amqp_url, args.prefix, tuple(int(d) for d in args.retry_delays.split(",")))
    if args.command == "queues":
        print(f"{'queue':50} {'messages':>9} {'consumers':>9}", file=out)
        for name, messages, consumers in tool.queues(tuple(args.service or consuming_services() or CONSUMING_SERVICES)):
            print(f"{name:50} {messages:>9} {consumers:>9}", file=out)
    elif args.command == "dead":
        letters = tool.dead_letters(args.service)
        for letter in letters:
            print(f"{letter.message_id}\t{letter.routing_key}\t{letter.failed_at}\t{letter.reason}", file=out)
            if args.bodies:
                print(f"  {tool.shown_body(letter)}", file=out)
        print(f"{len(letters)} dead letter(s)", file=out)
    elif args.command == "replay":
        count = tool.replay(args.service, None if args.all else args.message_id)
        print(f"replayed {count}", file=out)
        return 0 if count or args.all else 1
    elif args.command == "purge":
        if not args.yes:
            print(f"Type the queue name ({args.queue}) to purge it: ", end="", file=out, flush=True)
            if stdin.readline().strip() != args.queue:
                print("not purged", file=out)
                return 1
        print(f"purged {tool.purge(args.queue)}", file=out)
    elif args.command == "broker-users":
        # The administrator's account from CHORA_BROKER_ADMIN_USER/PASSWORD, each service's password
        # from CHORA_BROKER_PASSWORD_<SERVICE>.
        admin = (os.environ["CHORA_BROKER_ADMIN_USER"], os.environ["CHORA_BROKER_ADMIN_PASSWORD"])
        passwords = {s: os.environ[f"CHORA_BROKER_PASSWORD_{s.upper()}"] for s in ACCOUNTS}
        for name in apply_broker_users(args.admin_url, admin, args.prefix, passwords, user_prefix=args.user_prefix,
                                       vhost=args.vhost):
            print(f"account {name}: permissions set", file=out)
    elif args.command == "outbox":
        client, db = _service_db(args)
        try:
            entries = outbox_entries(db)
        finally:
            client.close()
        for e in entries:
            print(f"{e.event_id}\t{e.type}\t{e.state}\t{e.attempts} attempt(s)\t{e.reason or ''}", file=out)
        parked = sum(e.state == "parked" for e in entries)
        print(f"{len(entries) - parked} pending, {parked} parked", file=out)
    elif args.command == "outbox-replay":
        client, db = _service_db(args)
        try:
            count = replay_parked(db, None if args.all else [args.event_id])
        finally:
            client.close()
        print(f"gave back {count} parked outbox document(s)", file=out)
        return 0 if count or args.all else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
