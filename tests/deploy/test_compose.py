"""Static checks of docker-compose.yml (no Docker engine here), and `docker compose config` where
a Compose v2 client is installed (it needs no engine; these machines have none, so that test
skips here unless CHORA_COMPOSE names a Compose v2 binary).

The checks are functions returning a list of problems: the real file must yield none, and a
deliberately broken copy must yield the expected problem, so the checks are known to bite."""

from __future__ import annotations

import copy
import importlib
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
TEST_ENV = Path(__file__).with_name("compose.env")

GATEWAY = "gateway"
BACKEND = ("registration", "evidence", "scoring", "notification")
# Services with an event consumer (registration consumes no events: its relay runs in its API).
CONSUMING = ("evidence", "scoring", "notification")
# Services with a scheduled job (a loop here, a CronJob on Kubernetes).
SCHEDULED = ("scoring", "notification")
INFRASTRUCTURE = ("rabbitmq", "mongodb", "mailpit", "rabbitmq-users")
# One-shot jobs beside the services' migrations: the broker accounts (chora-bus broker-users).
ONE_SHOT_JOBS = ("rabbitmq-users",)
# A ${VAR...} reference (stood in for before a URL is parsed).
_VARIABLE = re.compile(r"\$\{[^}]*\}")
# A variable holding a secret: it must be required (${VAR:?message}), never defaulted.
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|_KEY)$")

_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def service_names() -> list[str]:
    """Name every service that has a Dockerfile under services/."""
    return sorted(p.parent.name for p in (ROOT / "services").glob("*/Dockerfile"))


def container_names_of(service: str) -> list[str]:
    """Name the compose containers a service runs as."""
    if service == GATEWAY:
        return [GATEWAY]
    names = [f"{service}-migrate", f"{service}-api"]
    if service in CONSUMING:
        names.append(f"{service}-consumer")
    if service in SCHEDULED:
        names.append(f"{service}-scheduler")
    return names


def interpolate(value: object, env: dict[str, str] | None = None) -> str:
    """Resolve ${VAR}, ${VAR:-default} and ${VAR:?message} as compose would, and $$ as a literal $."""
    env = env or {}

    def resolve(match: re.Match) -> str:
        name, operator, word = match.group(1), match.group(2), match.group(3) or ""
        if env.get(name):
            return env[name]
        if operator and operator.endswith("?"):
            raise KeyError(f"{name}: {word}")
        return word if operator else ""

    return _INTERPOLATION.sub(resolve, str(value)).replace("$$", "$")


def load_env_file(path: Path = TEST_ENV) -> dict[str, str]:
    """Read a .env file (KEY=value lines)."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def env_of(container: dict, env: dict[str, str] | None = None) -> dict[str, str]:
    """Return a container's environment as a mapping, interpolated with the test values."""
    values = container.get("environment") or {}
    if isinstance(values, list):
        values = dict(item.split("=", 1) if "=" in item else (item, "") for item in values)
    env = load_env_file() if env is None else env
    return {key: interpolate(value, env) for key, value in values.items()}


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


def _image_problems(name: str, image: str) -> list[str]:
    resolved = interpolate(image, load_env_file())
    if "latest" in image or ":" not in resolved.rsplit("/", 1)[-1]:
        return [f"{name}: image {image!r} must carry a version tag, never latest"]
    if re.search(r"\$\{CHORA_VERSION:-", image):
        return [f"{name}: CHORA_VERSION must be required, not defaulted"]
    return []


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
        one_shot = name.endswith("-migrate") or name in ONE_SHOT_JOBS
        long_running_without_port = name.endswith("-scheduler")
        if not one_shot and not long_running_without_port:
            if not container.get("healthcheck") or not container["healthcheck"].get("test"):
                problems.append(f"{name}: no healthcheck")
        if one_shot:
            if container.get("restart") not in ("no", None):
                problems.append(f"{name}: a one-shot must not restart")
        elif container.get("restart") not in ("unless-stopped", "always"):
            problems.append(f"{name}: no restart policy")
        limits = ((container.get("deploy") or {}).get("resources") or {}).get("limits") or {}
        if not limits.get("memory"):
            problems.append(f"{name}: no memory limit (deploy.resources.limits.memory)")
        if container.get("image"):
            problems.extend(_image_problems(name, container["image"]))
        else:
            problems.append(f"{name}: no image (with a version tag)")
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

    expected = {name for service in service_names() for name in container_names_of(service)}
    for name in sorted(set(containers) - expected - set(INFRASTRUCTURE)):
        problems.append(f"{name}: not a container any service runs (remove it)")

    secret_keys = {}
    for service in service_names():
        if service != GATEWAY and service not in BACKEND:
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
            image = str(container.get("image", ""))
            if not image.startswith(f"chora/{service}:"):
                problems.append(f"{name}: image must be chora/{service}:<version>, got {image!r}")

            env = env_of(container)
            if not env.get("CHORA_SECRET_KEY"):
                problems.append(f"{name}: no CHORA_SECRET_KEY")
            secret_keys[name] = env.get("CHORA_SECRET_KEY")
            if "CHORA_MONGO_URL" in env:
                problems.append(
                    f"{name}: gets the shared CHORA_MONGO_URL; use its own CHORA_{service.upper()}_MONGO_URL"
                )
            foreign = [k for k in env if k.endswith("_MONGO_URL") and k != f"CHORA_{service.upper()}_MONGO_URL"]
            if foreign:
                problems.append(f"{name}: holds another service's database credentials {foreign}")

            deps = depends_on_of(container)
            command = container.get("command")
            if service == GATEWAY:
                published = [str(p) for p in container.get("ports", [])]
                if not any(interpolate(p).split(":")[-1] == "8080" for p in published):
                    problems.append(f"{name}: must publish port 8080")
                if env.get("CHORA_HTTP_PORT") != "8080":
                    problems.append(f"{name}: gunicorn must bind 8080 (CHORA_HTTP_PORT)")
                user = urlsplit(_VARIABLE.sub("secret", env.get("CHORA_AMQP_URL", ""))).username
                if user != "gateway":
                    problems.append(f"{name}: must hear person.access_changed as its own broker account 'gateway', "
                                    f"not {user!r}")
                for target in BACKEND:
                    url = env.get(f"CHORA_{target.upper()}_URL")
                    if url != f"http://{target}-api:8000":
                        problems.append(f"{name}: CHORA_{target.upper()}_URL must be http://{target}-api:8000")
                    if deps.get(f"{target}-api") != "service_healthy":
                        problems.append(f"{name}: must wait for a healthy {target}-api")
                if command is not None:
                    problems.append(f"{name}: overrides the image's gunicorn command")
                continue

            url = env.get(f"CHORA_{service.upper()}_MONGO_URL")
            if not url:
                problems.append(f"{name}: no CHORA_{service.upper()}_MONGO_URL")
            else:
                problems.extend(_mongo_url_problems(name, service, url, mongo_env))
            if deps.get("mongodb") != "service_healthy":
                problems.append(f"{name}: must wait for a healthy mongodb")

            role = name.removeprefix(f"{service}-")
            if role == "migrate":
                if command != ["python", "-m", f"{service}.migrate"]:
                    problems.append(f"{name}: command must be python -m {service}.migrate, got {command!r}")
                continue
            if not env.get("CHORA_AMQP_URL"):
                problems.append(f"{name}: no CHORA_AMQP_URL")
            elif urlsplit(_VARIABLE.sub("secret", env["CHORA_AMQP_URL"])).username != service:
                problems.append(f"{name}: must connect to the broker as its own account {service!r}")
            if deps.get(f"{service}-migrate") != "service_completed_successfully":
                problems.append(f"{name}: must wait for {service}-migrate to complete successfully")
            if deps.get("rabbitmq") != "service_healthy":
                problems.append(f"{name}: must wait for a healthy rabbitmq")
            if role in ("consumer", "scheduler"):
                if command != ["python", "-m", f"{service}.{role}"]:
                    problems.append(f"{name}: command must be python -m {service}.{role}, got {command!r}")
            elif command is not None:
                problems.append(f"{name}: overrides the image's gunicorn command")
            if role == "api" and env.get("CHORA_HTTP_PORT") != "8000":
                problems.append(f"{name}: CHORA_HTTP_PORT must be 8000")
            if role == "consumer" and env.get("CHORA_METRICS_PORT") != "9100":
                problems.append(f"{name}: CHORA_METRICS_PORT must be 9100 (its health and metrics port)")

    if len(set(secret_keys.values())) > 1:
        problems.append(f"CHORA_SECRET_KEY differs between containers: {sorted(secret_keys)}")
    return problems


def compose_text() -> str:
    """Return docker-compose.yml without its comment lines (they quote ${VAR:?...} as an example)."""
    return "\n".join(line for line in COMPOSE_FILE.read_text().splitlines() if not line.lstrip().startswith("#"))


def secret_default_problems(text: str) -> list[str]:
    """List secrets the compose file gives a default instead of requiring them."""
    problems = []
    for match in _INTERPOLATION.finditer(text):
        name, operator = match.group(1), match.group(2)
        if SECRET_NAME.search(name) and name != "CHORA_SMTP_PASSWORD" and operator != ":?":
            problems.append(f"{name} must be required (${{{name}:?message}}), not defaulted")
    return problems


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())


def test_compose_file_has_no_problems(compose):
    assert compose_problems(compose) == []


def test_every_service_runs_its_migrate_one_shot_before_its_other_containers(compose):
    for service in BACKEND:
        migrate = compose["services"][f"{service}-migrate"]
        assert migrate["command"] == ["python", "-m", f"{service}.migrate"]
        assert depends_on_of(migrate) == {"mongodb": "service_healthy"}
        for name in container_names_of(service)[1:]:
            assert depends_on_of(compose["services"][name])[f"{service}-migrate"] == "service_completed_successfully"


def test_registration_runs_no_consumer_because_it_consumes_no_events(compose):
    assert "registration-consumer" not in compose["services"]
    for service in BACKEND:
        bootstrap = importlib.import_module(f"{service}.bootstrap")
        handlers = getattr(getattr(bootstrap, "SERVICE", None), "event_handlers", None)
        if handlers is None:
            pytest.skip(f"{service}.bootstrap no longer names its event handlers as SERVICE.event_handlers")
        assert bool(handlers) == (service in CONSUMING), service


def test_the_schedulers_are_one_process_each(compose):
    schedulers = sorted(name for name in compose["services"] if name.endswith("-scheduler"))
    assert schedulers == ["notification-scheduler", "scoring-scheduler"]
    for name in schedulers:
        assert "replicas" not in (compose["services"][name].get("deploy") or {})


def test_every_secret_is_required_and_listed_in_the_env_example():
    text = compose_text()
    assert secret_default_problems(text) == []
    example = (ROOT / "deploy" / "env.example").read_text()
    required = {m.group(1) for m in _INTERPOLATION.finditer(text) if m.group(2) == ":?"}
    assert {"CHORA_SECRET_KEY", "RABBITMQ_PASSWORD", "MONGO_ROOT_PASSWORD", "CHORA_VERSION"} <= required
    for variable in required:
        assert f"{variable}=" in example, f"{variable} is required but not in deploy/env.example"
        assert variable in load_env_file(), f"{variable} is required but not in {TEST_ENV.name}"


def test_a_missing_secret_stops_compose_with_the_variables_name(compose):
    env = load_env_file()
    del env["EVIDENCE_DB_PASSWORD"]
    with pytest.raises(KeyError, match="EVIDENCE_DB_PASSWORD: set EVIDENCE_DB_PASSWORD in .env"):
        env_of(compose["services"]["evidence-api"], env)


def test_the_secret_key_is_the_same_for_the_gateway_and_every_service(compose):
    keys = {
        name: env_of(container).get("CHORA_SECRET_KEY")
        for name, container in compose["services"].items()
        if name not in INFRASTRUCTURE
    }
    assert len(keys) == 14
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
    for service in BACKEND:
        assert f'"{service}"' in script
        assert f"{service.upper()}_DB_PASSWORD" in env_of(compose["services"]["mongodb"])
    assert "root" not in script.split("roles")[1].split("]")[0]


def test_rabbitmq_config_is_mounted_and_sets_quorum_queues_and_heartbeat(compose):
    rabbitmq = compose["services"]["rabbitmq"]
    assert rabbitmq["image"].startswith("rabbitmq:3.13.")
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


def test_consumer_healthchecks_call_healthz_on_the_metrics_port(compose):
    for service in CONSUMING:
        test = compose["services"][f"{service}-consumer"]["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"]
        assert "/healthz" in test[3] and "CHORA_METRICS_PORT" in test[3] and "/proc/1/cmdline" not in test[3]
        compile(test[3], "<healthcheck>", "exec")  # a syntax error would make it forever unhealthy


def test_http_healthchecks_call_healthz_on_the_containers_own_port(compose):
    for name, container in compose["services"].items():
        if name.endswith("-api") or name == GATEWAY:
            test = container["healthcheck"]["test"]
            assert test[:3] == ["CMD", "python", "-c"] and "/healthz" in test[3]
            compile(test[3], "<healthcheck>", "exec")


# --- docker compose itself, where a Compose v2 client is installed -----------------------------


def compose_command() -> list[str] | None:
    """Return a Compose v2 command line (CHORA_COMPOSE, `docker compose` or docker-compose), or None."""
    candidates = []
    if os.environ.get("CHORA_COMPOSE"):
        candidates.append([os.environ["CHORA_COMPOSE"]])
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for command in candidates:
        result = subprocess.run([*command, "version", "--short"], capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip().lstrip("v").startswith("2."):
            return command
    return None


@pytest.fixture(scope="module")
def docker_compose():
    command = compose_command()
    if command is None:
        pytest.skip("no Compose v2 client here (set CHORA_COMPOSE to one to run these)")
    return command


def run_compose(command: list[str], *args: str, env_file: Path | None = TEST_ENV) -> subprocess.CompletedProcess:
    # An empty environment, so nothing on this machine fills a variable the file requires.
    options = ["--env-file", str(env_file)] if env_file else ["--env-file", os.devnull]
    return subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "--project-directory", str(ROOT), *options, *args],
        capture_output=True, text=True, env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")},
    )


def test_docker_compose_accepts_the_file_and_resolves_what_the_checks_read(docker_compose):
    result = run_compose(docker_compose, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)
    assert sorted(rendered["services"]) == sorted(yaml.safe_load(COMPOSE_FILE.read_text())["services"])
    for name, container in rendered["services"].items():
        assert container["deploy"]["resources"]["limits"]["memory"], name
        assert "latest" not in container["image"], name


def test_docker_compose_refuses_to_start_without_the_secrets(docker_compose):
    result = run_compose(docker_compose, "config", "-q", env_file=None)
    assert result.returncode != 0
    assert "required variable" in result.stderr and "set " in result.stderr


# --- the checks catch broken files ------------------------------------------------------------


def test_a_consumer_without_healthcheck_is_reported(compose):
    broken = copy.deepcopy(compose)
    del broken["services"]["scoring-consumer"]["healthcheck"]
    assert compose_problems(broken) == ["scoring-consumer: no healthcheck"]


def test_a_missing_consumer_and_a_leftover_registration_consumer_are_reported(compose):
    broken = copy.deepcopy(compose)
    broken["services"]["registration-consumer"] = broken["services"].pop("evidence-consumer")
    problems = compose_problems(broken)
    assert "evidence-consumer: missing (services/evidence/Dockerfile exists)" in problems
    assert "registration-consumer: not a container any service runs (remove it)" in problems


def test_an_api_that_does_not_wait_for_its_migration_is_reported(compose):
    broken = copy.deepcopy(compose)
    del broken["services"]["notification-api"]["depends_on"]["notification-migrate"]
    broken["services"]["scoring-migrate"]["restart"] = "unless-stopped"
    assert set(compose_problems(broken)) == {
        "notification-api: must wait for notification-migrate to complete successfully",
        "scoring-migrate: a one-shot must not restart",
    }


def test_a_latest_or_defaulted_image_tag_and_a_missing_limit_are_reported(compose):
    broken = copy.deepcopy(compose)
    broken["services"]["mailpit"]["image"] = "axllent/mailpit:latest"
    broken["services"]["evidence-api"]["image"] = "chora/evidence:${CHORA_VERSION:-1.0.0}"
    del broken["services"]["gateway"]["deploy"]
    assert set(compose_problems(broken)) == {
        "mailpit: image 'axllent/mailpit:latest' must carry a version tag, never latest",
        "evidence-api: CHORA_VERSION must be required, not defaulted",
        "gateway: no memory limit (deploy.resources.limits.memory)",
    }


def test_a_defaulted_secret_is_reported():
    text = compose_text().replace(
        "${SCORING_DB_PASSWORD:?set SCORING_DB_PASSWORD in .env}", "${SCORING_DB_PASSWORD:-scoring-dev-only}", 1
    )
    assert secret_default_problems(text) == ["SCORING_DB_PASSWORD must be required (${SCORING_DB_PASSWORD:?message}), not defaulted"]


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
    for name in ("scoring-migrate", "scoring-api", "scoring-consumer", "scoring-scheduler"):
        assert f"{name}: Mongo URL password differs from the one mongodb creates the user with" in problems


def test_a_mongodb_without_replica_set_and_a_rabbitmq_without_hostname_are_reported(compose):
    broken = copy.deepcopy(compose)
    broken["services"]["mongodb"]["command"] = ["mongod", "--bind_ip_all"]
    del broken["services"]["rabbitmq"]["hostname"]
    assert set(compose_problems(broken)) == {
        "mongodb: must run as a replica set (--replSet)",
        "rabbitmq: needs a fixed hostname (its node name names its data directory)",
    }


def test_a_gateway_missing_a_service_url_or_its_port_or_on_another_broker_account_is_reported(compose):
    broken = copy.deepcopy(compose)
    gateway = broken["services"]["gateway"]
    gateway["environment"] = {k: v for k, v in gateway["environment"].items() if k != "CHORA_SCORING_URL"}
    gateway["environment"]["CHORA_AMQP_URL"] = "amqp://chora:x@rabbitmq:5672/%2F"  # the administrator's account
    gateway["ports"] = ["9090:9090"]
    assert set(compose_problems(broken)) == {
        "gateway: must publish port 8080",
        "gateway: CHORA_SCORING_URL must be http://scoring-api:8000",
        "gateway: must hear person.access_changed as its own broker account 'gateway', not 'chora'",
    }


def test_differing_secret_keys_and_unknown_dependencies_are_reported(compose):
    broken = copy.deepcopy(compose)
    api = broken["services"]["registration-api"]
    api["environment"] = {**api["environment"], "CHORA_SECRET_KEY": "another"}
    api["depends_on"] = {**api["depends_on"], "redis": {"condition": "service_healthy"}}
    problems = compose_problems(broken)
    assert "registration-api: depends on unknown container 'redis'" in problems
    assert any(p.startswith("CHORA_SECRET_KEY differs between containers") for p in problems)


def test_a_scheduler_running_the_consumer_is_reported(compose):
    broken = copy.deepcopy(compose)
    broken["services"]["scoring-scheduler"]["command"] = ["python", "-m", "scoring.consumer"]
    assert compose_problems(broken) == [
        "scoring-scheduler: command must be python -m scoring.scheduler, got ['python', '-m', 'scoring.consumer']"
    ]
