"""The broker parts of docker-compose.yml and deploy/k8s: each service connects as its own account
with the catalogue's permissions, and only registration and notification hold the seal key."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from shared.messaging.permissions import SERVICES, service_permissions

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def compose_env(container: dict) -> dict:
    env = container.get("environment") or {}
    return {k: str(v) for k, v in env.items()}


def test_each_compose_service_connects_as_its_own_broker_account_made_by_the_users_job():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    containers = compose["services"]
    for service in SERVICES:
        for role in ("api", "consumer"):
            env = compose_env(containers[f"{service}-{role}"])
            assert urlsplit(env["CHORA_AMQP_URL"]).username == service
            assert env["CHORA_QUEUE_TYPE"] == "quorum" and env["CHORA_AMQP_SHARED_USER"] == ""
            assert ("CHORA_EVENT_SEAL_KEY" in env) == (service in ("registration", "notification"))
            assert containers[f"{service}-{role}"]["depends_on"]["rabbitmq-users"]["condition"] == \
                "service_completed_successfully"
    job = containers["rabbitmq-users"]
    assert job["command"][:2] == ["chora-bus", "broker-users"]
    assert set(compose_env(job)) >= {f"CHORA_BROKER_PASSWORD_{s.upper()}" for s in SERVICES}
    assert "CHORA_AMQP_URL" not in compose_env(containers["gateway"])


def test_the_kubernetes_accounts_carry_the_catalogues_permissions():
    documents = list(yaml.safe_load_all((ROOT / "deploy" / "k8s" / "infra" / "rabbitmq-users.yaml").read_text()))
    by_kind = {(d["kind"], d["metadata"]["name"]): d for d in documents}
    for service in SERVICES:
        perms = service_permissions("chora", service)
        assert by_kind[("User", f"chora-{service}")]["spec"]["importCredentialsSecret"]["name"] == \
            f"chora-{service}-broker-user"
        assert by_kind[("Permission", f"chora-{service}")]["spec"]["permissions"] == {
            "configure": perms.configure, "write": perms.write, "read": perms.read}
        assert by_kind[("TopicPermission", f"chora-{service}")]["spec"]["permissions"] == {
            "exchange": "chora.events", "write": perms.topic_write, "read": perms.topic_read}
    secrets = {d["metadata"]["name"]: d["stringData"]
               for d in yaml.safe_load_all((ROOT / "deploy" / "k8s" / "secret.template.yaml").read_text())}
    for service in SERVICES:
        assert urlsplit(secrets[f"chora-{service}-db"]["CHORA_AMQP_URL"]).username == f"chora-{service}"
        assert ("CHORA_EVENT_SEAL_KEY" in secrets[f"chora-{service}-db"]) == (service in ("registration", "notification"))
    assert "CHORA_AMQP_URL" not in secrets["chora-secrets"]
