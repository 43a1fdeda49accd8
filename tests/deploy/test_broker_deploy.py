"""The broker parts of docker-compose.yml and deploy/k8s: each service connects as its own account
with the catalogue's permissions, and only registration and notification hold the seal key."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from shared.messaging.permissions import ACCOUNTS, SERVICES, service_permissions

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def compose_env(container: dict) -> dict:
    """A container's environment with every ${VAR...} reference stood in for (a URL parses then)."""
    env = container.get("environment") or {}
    return {k: re.sub(r"\$\{[^}]*\}", "secret", str(v)) for k, v in env.items()}


def test_each_compose_service_connects_as_its_own_broker_account_made_by_the_users_job():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    containers = compose["services"]
    for service in SERVICES:
        # registration runs no consumer (it consumes nothing); every other process talks to the broker
        roles = [r for r in ("api", "consumer", "scheduler") if f"{service}-{r}" in containers]
        assert "api" in roles
        for role in roles:
            env = compose_env(containers[f"{service}-{role}"])
            assert urlsplit(env["CHORA_AMQP_URL"]).username == service
            assert env["CHORA_QUEUE_TYPE"] == "quorum" and env["CHORA_AMQP_SHARED_USER"] == ""
            assert ("CHORA_EVENT_SEAL_KEY" in env) == (service in ("registration", "notification"))
            assert containers[f"{service}-{role}"]["depends_on"]["rabbitmq-users"]["condition"] == \
                "service_completed_successfully"
    job = containers["rabbitmq-users"]
    assert job["command"][:2] == ["chora-bus", "broker-users"]
    assert set(compose_env(job)) >= {f"CHORA_BROKER_PASSWORD_{s.upper()}" for s in ACCOUNTS}
    # the gateway hears person.access_changed as its own account and holds no seal key
    gateway = compose_env(containers["gateway"])
    assert urlsplit(gateway["CHORA_AMQP_URL"]).username == "gateway" and "CHORA_EVENT_SEAL_KEY" not in gateway


def test_the_kubernetes_accounts_carry_the_catalogues_permissions():
    documents = list(yaml.safe_load_all((ROOT / "deploy" / "k8s" / "infra" / "rabbitmq-users.yaml").read_text()))
    by_kind = {(d["kind"], d["metadata"]["name"]): d for d in documents}
    for service in ACCOUNTS:
        perms = service_permissions("chora", service)
        assert by_kind[("User", f"chora-{service}")]["spec"]["importCredentialsSecret"]["name"] == \
            f"chora-{service}-broker-user"
        assert by_kind[("Permission", f"chora-{service}")]["spec"]["permissions"] == {
            "configure": perms.configure, "write": perms.write, "read": perms.read}
        assert by_kind[("TopicPermission", f"chora-{service}")]["spec"]["permissions"] == {
            "exchange": "chora.events", "write": perms.topic_write, "read": perms.topic_read}
    secrets = {d["metadata"]["name"]: d["stringData"]
               for d in yaml.safe_load_all((ROOT / "deploy" / "k8s" / "secret.template.yaml").read_text())}
    for account in ACCOUNTS:
        assert urlsplit(secrets[f"chora-{account}"]["CHORA_AMQP_URL"]).username == account
        assert secrets[f"chora-{account}-broker-user"]["username"] == account
        assert ("CHORA_EVENT_SEAL_KEY" in secrets[f"chora-{account}"]) == (account in ("registration", "notification"))
    assert "CHORA_AMQP_URL" not in secrets["chora-secrets"]
