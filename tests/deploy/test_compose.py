"""Static checks of docker-compose.yml, the service Dockerfiles and deploy/k8s (no Docker here).

The checks are functions returning a list of problems: the real files must yield none, and a
deliberately broken copy must yield the expected problem, so the checks are known to bite."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
K8S_DIR = ROOT / "deploy" / "k8s"

# Services that consume events: an -api and a -consumer container each. The gateway is HTTP only.
CONSUMING = ("registration", "evidence", "scoring", "notification")
GATEWAY = "gateway"
INFRASTRUCTURE = ("rabbitmq", "mongodb")
JOBS = ("rabbitmq-users",)  # one-shot containers: they run to completion, no healthcheck or restart

_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


def service_names() -> list[str]:
    """Name every service that has a Dockerfile under services/."""
    return sorted(p.parent.name for p in (ROOT / "services").glob("*/Dockerfile"))


def container_names_of(service: str) -> list[str]:
    """Name the compose containers a service runs as."""
    if service == GATEWAY:
        return [GATEWAY]
    return [f"{service}-api", f"{service}-consumer"]


def interpolate(value: object) -> str:
    """Resolve ${VAR:-default} as compose would with nothing set, and $$ as a literal $."""
    text = str(value)
    text = _INTERPOLATION.sub(lambda m: m.group(2) or "", text)
    return text.replace("$$", "$")


def env_of(container: dict) -> dict[str, str]:
    """Return a container's environment as a mapping, whichever form compose allows."""
    env = container.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: interpolate(value) for key, value in env.items()}


def depends_on_of(container: dict) -> dict[str, str]:
    """Return depends_on as {name: condition}."""
    deps = container.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def _mongo_url_problems(name: str, service: str, url: str, mongo_env: dict[str, str]) -> list[str]:
    problems = []
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    database = f"chora_{service}"
    if parts.scheme != "mongodb" or parts.hostname != "mongodb":
        problems.append(f"{name}: Mongo URL must point at mongodb://...@mongodb, got {url!r}")
    if parts.path != f"/{database}":
        problems.append(f"{name}: Mongo URL must name its own database {database}, got {parts.path!r}")
    if parts.username != service:
        problems.append(f"{name}: Mongo URL must use the {service!r} user, got {parts.username!r}")
    if query.get("authSource") != [database]:
        problems.append(f"{name}: Mongo URL must authenticate against {database}")
    if query.get("replicaSet") != ["rs0"]:
        problems.append(f"{name}: Mongo URL must name replicaSet=rs0")
    expected_password = mongo_env.get(f"{service.upper()}_DB_PASSWORD")
    if not parts.password or parts.password != expected_password:
        problems.append(f"{name}: Mongo URL password differs from the one mongodb creates the user with")
    return problems


def compose_problems(compose: dict, root: Path = ROOT) -> list[str]:
    """List everything wrong with a loaded docker-compose file; empty when it is sound."""
    problems: list[str] = []
    containers: dict = compose.get("services") or {}
    if not containers:
        return ["no services defined"]

    for name in INFRASTRUCTURE:
        if name not in containers:
            problems.append(f"{name}: missing")

    rabbitmq = containers.get("rabbitmq", {})
    if not rabbitmq.get("hostname"):
        problems.append("rabbitmq: needs a fixed hostname (its node name names its data directory)")
    if not any(str(v).split(":")[1:2] == ["/var/lib/rabbitmq"] for v in rabbitmq.get("volumes", [])):
        problems.append("rabbitmq: needs a volume on /var/lib/rabbitmq")

    mongodb = containers.get("mongodb", {})
    command = mongodb.get("command") or []
    command = command.split() if isinstance(command, str) else list(command)
    if "--replSet" not in command:
        problems.append("mongodb: must run as a replica set (--replSet)")
    if not any(str(v).split(":")[1:2] == ["/data/db"] for v in mongodb.get("volumes", [])):
        problems.append("mongodb: needs a volume on /data/db")
    mongo_env = env_of(mongodb)

    named_volumes = set((compose.get("volumes") or {}).keys())
    for name, container in containers.items():
        if name in JOBS:
            continue
        if not container.get("healthcheck") or not container["healthcheck"].get("test"):
            problems.append(f"{name}: no healthcheck")
        if container.get("restart") not in ("unless-stopped", "always"):
            problems.append(f"{name}: no restart policy")
        for dep in depends_on_of(container):
            if dep not in containers:
                problems.append(f"{name}: depends on unknown container {dep!r}")
        for volume in container.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("."):
                if not (root / source).exists():
                    problems.append(f"{name}: mounts {source}, which does not exist")
            elif source not in named_volumes:
                problems.append(f"{name}: volume {source!r} is not declared under top-level volumes")

    secret_keys = {}
    for service in service_names():
        if service != GATEWAY and service not in CONSUMING:
            problems.append(f"{service}: a Dockerfile nobody deploys (add it to the checks and compose)")
            continue
        for name in container_names_of(service):
            container = containers.get(name)
            if container is None:
                problems.append(f"{name}: missing (services/{service}/Dockerfile exists)")
                continue
            build = container.get("build") or {}
            if build.get("context") not in (".", "./"):
                problems.append(f"{name}: build context must be the repository root")
            dockerfile = build.get("dockerfile", "")
            if dockerfile != f"services/{service}/Dockerfile" or not (root / dockerfile).is_file():
                problems.append(f"{name}: dockerfile must be services/{service}/Dockerfile, got {dockerfile!r}")

            env = env_of(container)
            # The gateway publishes and consumes nothing: it holds no broker account.
            for key in ("CHORA_SECRET_KEY",) if service == GATEWAY else ("CHORA_AMQP_URL", "CHORA_SECRET_KEY"):
                if not env.get(key):
                    problems.append(f"{name}: no {key}")
            secret_keys[name] = env.get("CHORA_SECRET_KEY")
            if "CHORA_MONGO_URL" in env:
                problems.append(
                    f"{name}: gets the shared CHORA_MONGO_URL; use its own CHORA_{service.upper()}_MONGO_URL"
                )
            foreign = [k for k in env if k.endswith("_MONGO_URL") and k != f"CHORA_{service.upper()}_MONGO_URL"]
            if foreign:
                problems.append(f"{name}: holds another service's database credentials {foreign}")

            deps = depends_on_of(container)
            if deps.get("rabbitmq") != "service_healthy":
                problems.append(f"{name}: must wait for a healthy rabbitmq")

            if service == GATEWAY:
                published = [str(p) for p in container.get("ports", [])]
                if not any(interpolate(p).split(":")[-1] == "8080" for p in published):
                    problems.append(f"{name}: must publish port 8080")
                if env.get("CHORA_HTTP_PORT") != "8080":
                    problems.append(f"{name}: gunicorn must bind 8080 (CHORA_HTTP_PORT)")
                for target in CONSUMING:
                    url = env.get(f"CHORA_{target.upper()}_URL")
                    if url != f"http://{target}-api:8000":
                        problems.append(f"{name}: CHORA_{target.upper()}_URL must be http://{target}-api:8000")
                continue

            url = env.get(f"CHORA_{service.upper()}_MONGO_URL")
            if not url:
                problems.append(f"{name}: no CHORA_{service.upper()}_MONGO_URL")
            else:
                problems.extend(_mongo_url_problems(name, service, url, mongo_env))
            if deps.get("mongodb") != "service_healthy":
                problems.append(f"{name}: must wait for a healthy mongodb")
            if env.get("CHORA_HTTP_PORT") != "8000":
                problems.append(f"{name}: CHORA_HTTP_PORT must be 8000")

            command = container.get("command")
            if name.endswith("-consumer"):
                if command != ["python", "-m", f"{service}.consumer"]:
                    problems.append(f"{name}: command must be python -m {service}.consumer, got {command!r}")
            elif command is not None and "gunicorn" not in str(command):
                problems.append(f"{name}: overrides the image's gunicorn command")

    if len(set(secret_keys.values())) > 1:
        problems.append(f"CHORA_SECRET_KEY differs between containers: {sorted(secret_keys)}")
    return problems


def dockerfile_problems(service: str, text: str) -> list[str]:
    """List what is wrong with a service Dockerfile's default command."""
    cmd_lines = [line for line in text.splitlines() if line.strip().startswith("CMD")]
    if not cmd_lines:
        return [f"{service}: Dockerfile has no CMD"]
    try:
        cmd = json.loads(cmd_lines[-1].strip()[len("CMD") :])
    except json.JSONDecodeError:
        return [f"{service}: CMD must be exec form (a JSON array) so gunicorn is PID 1"]
    expected = ["gunicorn", "--config", "python:shared.gunicorn_conf", f"{service}.api:create_app()"]
    if cmd != expected:
        return [f"{service}: CMD must be {expected}, got {cmd}"]
    return []


def k8s_problems(documents: list[dict]) -> list[str]:
    """List Deployments whose containers lack probes, and references to unknown config."""
    problems: list[str] = []
    named = {(d.get("kind"), d.get("metadata", {}).get("name")) for d in documents if d}
    deployments = [d for d in documents if d and d.get("kind") == "Deployment"]
    if not deployments:
        return ["no Deployments found"]
    for deployment in deployments:
        name = deployment["metadata"]["name"]
        pod = deployment["spec"]["template"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        if any(pod["metadata"].get("labels", {}).get(k) != v for k, v in selector.items()):
            problems.append(f"{name}: selector does not match the pod labels")
        for container in pod["spec"]["containers"]:
            for probe in ("readinessProbe", "livenessProbe"):
                if not container.get(probe):
                    problems.append(f"{name}/{container['name']}: no {probe}")
            for source in container.get("envFrom", []):
                for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                    if key in source and (kind, source[key]["name"]) not in named:
                        problems.append(f"{name}: envFrom names unknown {kind} {source[key]['name']!r}")
    pod_labels = [d["spec"]["template"]["metadata"]["labels"] for d in deployments]
    for service in (d for d in documents if d and d.get("kind") == "Service"):
        selector = service["spec"]["selector"]
        if not any(all(labels.get(k) == v for k, v in selector.items()) for labels in pod_labels):
            problems.append(f"Service {service['metadata']['name']}: selects no Deployment's pods")
    return problems


def k8s_files() -> list[Path]:
    return sorted(K8S_DIR.rglob("*.yaml"))


def load_k8s_documents() -> list[dict]:
    return [doc for path in k8s_files() for doc in yaml.safe_load_all(path.read_text()) if doc]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


# --- the real files ---------------------------------------------------------------------------


def test_compose_file_parses_into_services_and_volumes(compose):
    assert isinstance(compose["services"], dict)
    assert {"rabbitmq", "mongodb", "gateway"} <= set(compose["services"])
    assert set(compose["volumes"]) >= {"rabbitmq-data", "mongo-data"}


def test_compose_file_has_no_problems(compose):
    assert compose_problems(compose) == []


def test_every_dockerfile_service_is_deployed_and_the_checks_know_them_all():
    assert service_names() == sorted((*CONSUMING, GATEWAY))


@pytest.mark.parametrize("service", CONSUMING)
def test_each_consuming_service_runs_an_api_and_a_consumer_from_one_image(compose, service):
    api = compose["services"][f"{service}-api"]
    consumer = compose["services"][f"{service}-consumer"]
    assert api["build"] == consumer["build"] == {"context": ".", "dockerfile": f"services/{service}/Dockerfile"}
    assert api["image"] == consumer["image"]
    assert consumer["command"] == ["python", "-m", f"{service}.consumer"]


@pytest.mark.parametrize("service", service_names())
def test_each_image_runs_gunicorn_with_the_shared_config(service):
    text = (ROOT / "services" / service / "Dockerfile").read_text()
    assert dockerfile_problems(service, text) == []


def test_the_secret_key_is_the_same_for_the_gateway_and_every_service(compose):
    keys = {
        name: env_of(container).get("CHORA_SECRET_KEY")
        for name, container in compose["services"].items()
        if name not in (*INFRASTRUCTURE, *JOBS, "mailpit")
    }
    assert len(keys) == 9
    assert len(set(keys.values())) == 1 and None not in keys.values()


def test_mongodb_healthcheck_initiates_the_single_node_replica_set(compose):
    test = " ".join(compose["services"]["mongodb"]["healthcheck"]["test"])
    assert "rs.initiate" in test and "rs0" in test and "mongodb:27017" in test


def test_mongo_init_script_gives_each_service_read_write_on_its_own_database_only(compose):
    mounts = [str(v) for v in compose["services"]["mongodb"]["volumes"]]
    init_mount = next(v for v in mounts if "/docker-entrypoint-initdb.d/" in v)
    script = (ROOT / init_mount.split(":")[0]).read_text()
    assert 'role: "readWrite", db: `chora_${service}`' in script
    assert "getSiblingDB(`chora_${service}`)" in script
    for service in CONSUMING:
        assert f'"{service}"' in script
        assert f"{service.upper()}_DB_PASSWORD" in env_of(compose["services"]["mongodb"])
    assert "root" not in script.split("roles")[1].split("]")[0]


def test_rabbitmq_config_is_mounted_and_sets_quorum_queues_and_heartbeat(compose):
    rabbitmq = compose["services"]["rabbitmq"]
    assert rabbitmq["image"].startswith("rabbitmq:3.13")
    assert rabbitmq["healthcheck"]["test"] == ["CMD", "rabbitmq-diagnostics", "-q", "ping"]
    mount = next(str(v) for v in rabbitmq["volumes"] if "rabbitmq.conf" in str(v))
    settings = dict(
        line.split("=", 1)
        for line in (ROOT / mount.split(":")[0]).read_text().splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    )
    settings = {k.strip(): v.strip() for k, v in settings.items()}
    assert settings["default_queue_type"] == "quorum"
    assert int(settings["heartbeat"]) > 0


def test_consumers_healthcheck_uses_only_python_available_in_the_slim_image(compose):
    for service in CONSUMING:
        test = compose["services"][f"{service}-consumer"]["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"]
        compile(test[3], "<healthcheck>", "exec")  # a syntax error would make it forever unhealthy


def test_http_healthchecks_call_healthz_on_the_containers_own_port(compose):
    for name, container in compose["services"].items():
        if name.endswith("-api") or name == GATEWAY:
            test = container["healthcheck"]["test"]
            assert test[:3] == ["CMD", "python", "-c"] and "/healthz" in test[3]
            compile(test[3], "<healthcheck>", "exec")


def test_every_secret_has_a_dev_default_that_production_is_told_to_override():
    text = COMPOSE_FILE.read_text()
    for variable in ("CHORA_SECRET_KEY", "RABBITMQ_PASSWORD", "MONGO_ROOT_PASSWORD", "REGISTRATION_DB_PASSWORD"):
        assert re.search(r"\$\{" + variable + r":-[^}]+\}", text), variable
        assert variable in (ROOT / "deploy" / "env.example").read_text()
    assert "production MUST set it" in text


def test_k8s_manifests_parse_and_every_deployment_has_probes():
    paths = k8s_files()
    assert {p.name for p in paths} >= {"configmap.yaml", "secret.template.yaml", "gateway.yaml"}
    documents = load_k8s_documents()
    assert k8s_problems(documents) == []
    deployments = {d["metadata"]["name"] for d in documents if d["kind"] == "Deployment"}
    assert deployments == {GATEWAY, *(f"{s}-{role}" for s in CONSUMING for role in ("api", "consumer"))}


def test_k8s_consumers_run_the_consumer_module_and_get_only_their_own_database_secret():
    for doc in load_k8s_documents():
        if doc["kind"] != "Deployment" or not doc["metadata"]["name"].endswith("-consumer"):
            continue
        service = doc["metadata"]["name"].removesuffix("-consumer")
        container = doc["spec"]["template"]["spec"]["containers"][0]
        assert container["command"] == ["python", "-m", f"{service}.consumer"]
        secrets = {s["secretRef"]["name"] for s in container["envFrom"] if "secretRef" in s}
        assert secrets == {"chora-secrets", f"chora-{service}-db"}


def test_k8s_uses_quorum_queues_and_a_mongodb_replica_set():
    documents = load_k8s_documents()
    config = next(d for d in documents if d["kind"] == "ConfigMap")
    assert config["data"]["CHORA_QUEUE_TYPE"] == "quorum"
    for doc in documents:
        if doc["kind"] == "Secret":
            for key, value in doc["stringData"].items():
                if key.endswith("_MONGO_URL"):
                    assert parse_qs(urlsplit(value).query)["replicaSet"] == ["rs0"]
    cluster = next(d for d in documents if d["kind"] == "RabbitmqCluster")
    assert cluster["spec"]["replicas"] >= 3


# --- the checks catch broken files ------------------------------------------------------------


def test_a_container_without_healthcheck_is_reported(compose):
    broken = copy.deepcopy(compose)
    del broken["services"]["scoring-consumer"]["healthcheck"]
    assert compose_problems(broken) == ["scoring-consumer: no healthcheck"]


def test_a_missing_consumer_container_is_reported(compose):
    broken = copy.deepcopy(compose)
    del broken["services"]["evidence-consumer"]
    assert "evidence-consumer: missing (services/evidence/Dockerfile exists)" in compose_problems(broken)


def test_a_service_pointed_at_another_services_database_is_reported(compose):
    broken = copy.deepcopy(compose)
    env = broken["services"]["evidence-api"]["environment"] = dict(broken["services"]["evidence-api"]["environment"])
    env["CHORA_EVIDENCE_MONGO_URL"] = env["CHORA_EVIDENCE_MONGO_URL"].replace("/chora_evidence?", "/chora_scoring?")
    problems = compose_problems(broken)
    assert "evidence-api: Mongo URL must name its own database chora_evidence, got '/chora_scoring'" in problems


def test_a_mongo_password_that_differs_from_the_created_user_is_reported(compose):
    broken = copy.deepcopy(compose)
    env = broken["services"]["mongodb"]["environment"] = dict(broken["services"]["mongodb"]["environment"])
    env["SCORING_DB_PASSWORD"] = "something-else"
    problems = compose_problems(broken)
    assert "scoring-api: Mongo URL password differs from the one mongodb creates the user with" in problems
    assert "scoring-consumer: Mongo URL password differs from the one mongodb creates the user with" in problems


def test_a_mongodb_without_replica_set_and_a_rabbitmq_without_hostname_are_reported(compose):
    broken = copy.deepcopy(compose)
    broken["services"]["mongodb"]["command"] = ["mongod", "--bind_ip_all"]
    del broken["services"]["rabbitmq"]["hostname"]
    assert set(compose_problems(broken)) == {
        "mongodb: must run as a replica set (--replSet)",
        "rabbitmq: needs a fixed hostname (its node name names its data directory)",
    }


def test_a_gateway_missing_a_service_url_or_its_port_is_reported(compose):
    broken = copy.deepcopy(compose)
    gateway = broken["services"]["gateway"]
    gateway["environment"] = {k: v for k, v in gateway["environment"].items() if k != "CHORA_SCORING_URL"}
    gateway["ports"] = ["9090:9090"]
    assert set(compose_problems(broken)) == {
        "gateway: must publish port 8080",
        "gateway: CHORA_SCORING_URL must be http://scoring-api:8000",
    }


def test_differing_secret_keys_and_unknown_dependencies_are_reported(compose):
    broken = copy.deepcopy(compose)
    api = broken["services"]["registration-api"]
    api["environment"] = {**api["environment"], "CHORA_SECRET_KEY": "another"}
    api["depends_on"] = {**api["depends_on"], "redis": {"condition": "service_healthy"}}
    problems = compose_problems(broken)
    assert "registration-api: depends on unknown container 'redis'" in problems
    assert any(p.startswith("CHORA_SECRET_KEY differs between containers") for p in problems)


def test_a_dockerfile_that_does_not_run_gunicorn_with_the_shared_config_is_reported():
    text = (ROOT / "services" / "scoring" / "Dockerfile").read_text()
    flask_dev = text.replace(
        '["gunicorn", "--config", "python:shared.gunicorn_conf", "scoring.api:create_app()"]',
        '["flask", "--app", "scoring.api", "run"]',
    )
    assert flask_dev != text
    assert dockerfile_problems("scoring", flask_dev)
    shell_form = text.replace(text.splitlines()[-1], "CMD gunicorn scoring.api:create_app()")
    assert dockerfile_problems("scoring", shell_form) == [
        "scoring: CMD must be exec form (a JSON array) so gunicorn is PID 1"
    ]


def test_a_deployment_without_readiness_probe_is_reported():
    documents = copy.deepcopy(load_k8s_documents())
    deployment = next(d for d in documents if d.get("metadata", {}).get("name") == "notification-consumer")
    del deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    assert k8s_problems(documents) == ["notification-consumer/consumer: no readinessProbe"]
