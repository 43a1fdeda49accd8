"""Per-service RabbitMQ accounts on the test broker, made with rabbitmqctl under a test's prefix
(so they never meet another run's) with the permissions the catalogue gives each service, and
removed afterwards."""

from __future__ import annotations

import subprocess
import uuid
from urllib.parse import quote, urlsplit, urlunsplit

from shared.messaging.permissions import service_permissions, user_name


def _ctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=120)


class BrokerUsers:
    """Accounts named <prefix>-<service>; url(service) is the AMQP URL a service connects with."""

    def __init__(self, amqp_url: str, prefix: str):
        self.amqp_url, self.prefix = amqp_url, prefix
        self.user_prefix = f"{prefix}-"
        self.passwords: dict[str, str] = {}

    def create(self, *services: str, vhost: str = "/") -> BrokerUsers:
        for service in services:
            name, password = user_name(self.user_prefix, service), uuid.uuid4().hex
            perms = service_permissions(self.prefix, service)
            _ctl("add_user", name, password)
            self.passwords[service] = password
            _ctl("set_permissions", "-p", vhost, name, perms.configure, perms.write, perms.read)
            _ctl("set_topic_permissions", "-p", vhost, name, f"{self.prefix}.events", perms.topic_write, perms.topic_read)
        return self

    def url(self, service: str) -> str:
        parts = urlsplit(self.amqp_url)
        host = parts.hostname or "127.0.0.1"
        netloc = f"{quote(user_name(self.user_prefix, service), safe='')}:{self.passwords[service]}@{host}"
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    def remove(self) -> None:
        for service in self.passwords:
            try:
                _ctl("delete_user", user_name(self.user_prefix, service))
            except subprocess.CalledProcessError:
                pass
        self.passwords.clear()
