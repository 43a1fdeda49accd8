"""The Kubernetes manifests: every overlay rendered with `kubectl kustomize`, every object validated
against the Kubernetes API schemas of K8S_VERSION (the kubernetes-validate package, strict: an
unknown field is an error) or, for the operators' and KEDA's resources, against the schemas in
crd-schemas.yaml, and the platform's policies checked on what is rendered.

Each policy is a function returning a list of problems: the rendered overlays must yield none,
and a deliberately broken copy must yield the expected problem, so the checks are known to bite.
The NetworkPolicies are checked by what they allow: a small evaluator of their semantics asks
who can open a connection to whom."""

from __future__ import annotations

import copy
import ipaddress
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
# The Kubernetes version whose API schemas the objects must satisfy (kubectl here is 1.32).
K8S_VERSION = "1.32.0"
OVERLAYS = ("staging", "production")

GATEWAY = "gateway"
BACKEND = ("registration", "evidence", "scoring", "notification")
CONSUMING = ("evidence", "scoring", "notification")  # registration consumes no events
SCHEDULED = ("scoring", "notification")
APP_COMPONENTS = ("api", "consumer", "migrate", "scheduler")
WORKLOADS = ("Deployment", "Job", "CronJob")

# Resident memory at rest, measured under `make run` with RabbitMQ (one process per service role,
# one gunicorn worker each): a gunicorn master 28 MB, a worker 49-55 MB, a consumer 50-52 MB.
# A pod is a master and CHORA_WEB_WORKERS=2 workers, or one consumer process. Requests must
# hold what a pod uses at rest; limits leave at least twice that for work.
MEASURED_AT_REST_MIB = {"api": 132, "consumer": 50, "migrate": 50, "scheduler": 50}

# Secrets created by an operator or cert-manager rather than by hand (secret.template.yaml).
OPERATOR_SECRETS = {*(f"{s}-mongodb-connection" for s in BACKEND), *(f"{s}-mongodb-scram" for s in BACKEND), "chora-tls"}


# --- rendering --------------------------------------------------------------------------------


def kustomize(path: Path) -> list[dict]:
    """Render a kustomization with the installed kubectl (kustomize v5)."""
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (with kustomize v5) is needed to render deploy/k8s"
    result = subprocess.run([kubectl, "kustomize", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict]]:
    return {overlay: kustomize(K8S / "overlays" / overlay) for overlay in OVERLAYS}


def crd_schemas() -> dict[tuple[str, str], dict]:
    """Return the custom resources' schemas by (apiVersion, kind)."""
    entries = yaml.safe_load((Path(__file__).with_name("crd-schemas.yaml")).read_text())
    return {(e["apiVersion"], e["kind"]): e["schema"] for e in entries}


def name_of(doc: dict) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def of_kind(docs: list[dict], kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


def pod_template(doc: dict) -> dict:
    """Return the pod template of a Deployment, Job or CronJob."""
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]
    return doc["spec"]["template"]


def containers_of(doc: dict) -> list[dict]:
    spec = pod_template(doc)["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def labels_match(selector: dict | None, labels: dict[str, str]) -> bool:
    """Tell whether a label selector (matchLabels, matchExpressions) selects these labels."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def memory_mib(quantity: str) -> float:
    """Convert a Kubernetes memory quantity (Mi, Gi, M, G) to MiB."""
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024, "K": 1000 / 1024**2, "M": 1000**2 / 1024**2, "G": 1000**3 / 1024**2}
    for unit, factor in sorted(units.items(), key=lambda item: -len(item[0])):
        if str(quantity).endswith(unit):
            return float(str(quantity)[: -len(unit)]) * factor
    return float(quantity) / 1024**2


def image_tag(image: str) -> str:
    return image.rsplit("/", 1)[-1].partition(":")[2]


# --- schemas ----------------------------------------------------------------------------------


def schema_problems(docs: list[dict]) -> list[str]:
    """Validate every object against its schema: Kubernetes' for K8S_VERSION, or crd-schemas.yaml."""
    problems = []
    custom = crd_schemas()
    for doc in docs:
        key = (doc.get("apiVersion"), doc.get("kind"))
        if key in custom:
            for error in jsonschema.Draft202012Validator(custom[key]).iter_errors(doc):
                path = ".".join(str(p) for p in error.absolute_path)
                problems.append(f"{name_of(doc)}: {path}: {error.message}")
            continue
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            problems.append(f"{name_of(doc)}: no schema for {key} in Kubernetes {K8S_VERSION} or crd-schemas.yaml")
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(p) for p in error.path)
            problems.append(f"{name_of(doc)}: {path}: {error.message}")
    return problems


# --- containers -------------------------------------------------------------------------------


def container_problems(docs: list[dict]) -> list[str]:
    """Check requests, limits, probes and the security context of every Chora container."""
    problems = []
    for doc in (d for d in docs if d["kind"] in WORKLOADS):
        template = pod_template(doc)
        component = template["metadata"]["labels"].get("app.kubernetes.io/component")
        pod = template["spec"]
        security = pod.get("securityContext") or {}
        if security.get("runAsNonRoot") is not True or not security.get("runAsUser"):
            problems.append(f"{name_of(doc)}: the pod must set runAsNonRoot and a non-zero runAsUser")
        if (security.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
            problems.append(f"{name_of(doc)}: the pod must use the RuntimeDefault seccomp profile")
        if pod.get("automountServiceAccountToken") is not False:
            problems.append(f"{name_of(doc)}: the pod needs no API token (automountServiceAccountToken: false)")
        for container in containers_of(doc):
            where = f"{name_of(doc)}/{container['name']}"
            resources = container.get("resources") or {}
            for kind in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if not (resources.get(kind) or {}).get(resource):
                        problems.append(f"{where}: no {resource} {kind[:-1]}")
            measured = MEASURED_AT_REST_MIB.get(component)
            memory = resources.get("requests", {}).get("memory"), resources.get("limits", {}).get("memory")
            if measured and all(memory):
                if memory_mib(memory[0]) < measured:
                    problems.append(f"{where}: memory request {memory[0]} is below the {measured} MiB measured at rest")
                if memory_mib(memory[1]) < 2 * measured:
                    problems.append(f"{where}: memory limit {memory[1]} leaves no room above the {measured} MiB at rest")
            context = container.get("securityContext") or {}
            if context.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: allowPrivilegeEscalation must be false")
            if "ALL" not in ((context.get("capabilities") or {}).get("drop") or []):
                problems.append(f"{where}: must drop all capabilities")
            if context.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}: the root filesystem must be read-only")
            if context.get("privileged") or context.get("runAsUser") == 0:
                problems.append(f"{where}: runs privileged or as root")
            if doc["kind"] == "Deployment":
                problems.extend(_probe_problems(where, container))
    return problems


def _probe_problems(where: str, container: dict) -> list[str]:
    """A probe that can fail: an HTTP check of the process's own health endpoint on a declared port."""
    problems = []
    ports = {p.get("name") for p in container.get("ports", [])} | {p["containerPort"] for p in container.get("ports", [])}
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        spec = container.get(probe)
        if not spec:
            problems.append(f"{where}: no {probe}")
            continue
        check = spec.get("httpGet")
        if not check:
            problems.append(f"{where}: {probe} must be an HTTP check of the process ({path}), not a command")
            continue
        if check.get("path") != path:
            problems.append(f"{where}: {probe} must call {path}, got {check.get('path')}")
        if check.get("port") not in ports:
            problems.append(f"{where}: {probe} calls port {check.get('port')!r}, which the container does not declare")
        if not spec.get("timeoutSeconds") or spec.get("failureThreshold", 3) < 1:
            problems.append(f"{where}: {probe} needs a timeout")
    return problems


# --- images -----------------------------------------------------------------------------------


def image_problems(docs: list[dict]) -> list[str]:
    """Every image has a version tag, never latest, and each service runs its own image."""
    problems = []
    for doc in docs:
        images = []
        if doc["kind"] in WORKLOADS:
            images = [c["image"] for c in containers_of(doc)]
            service = pod_template(doc)["metadata"]["labels"].get("app.kubernetes.io/name")
            for image in images:
                if service and not image.startswith(f"registry.example.org/chora/{service}:"):
                    problems.append(f"{name_of(doc)}: runs {image}, not the {service} image")
        elif doc["kind"] == "RabbitmqCluster":
            images = [doc["spec"].get("image", "")]
        for image in images:
            tag = image_tag(image)
            if not tag or tag == "latest":
                problems.append(f"{name_of(doc)}: image {image!r} must carry a version tag, never latest")
    return problems


# --- scaling and disruption -------------------------------------------------------------------


def scaling_problems(docs: list[dict]) -> list[str]:
    """Every API has an HPA, every consumer a KEDA scaler on its queue, every Deployment a PDB."""
    problems = []
    deployments = of_kind(docs, "Deployment")
    hpa_targets = {h["spec"]["scaleTargetRef"]["name"] for h in of_kind(docs, "HorizontalPodAutoscaler")}
    scalers = {s["spec"]["scaleTargetRef"]["name"]: s for s in of_kind(docs, "ScaledObject")}
    auths = {a["metadata"]["name"]: a for a in of_kind(docs, "TriggerAuthentication")}
    consumers = set()
    for deployment in deployments:
        name = deployment["metadata"]["name"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        component, service = labels.get("app.kubernetes.io/component"), labels.get("app.kubernetes.io/name")
        if "replicas" in deployment["spec"]:
            problems.append(f"Deployment/{name}: sets replicas, which its autoscaler owns")
        if component == "api" and name not in hpa_targets:
            problems.append(f"Deployment/{name}: an API without a HorizontalPodAutoscaler")
        if component == "consumer":
            consumers.add(service)
            command = deployment["spec"]["template"]["spec"]["containers"][0].get("command")
            if command != ["python", "-m", f"{service}.consumer"]:
                problems.append(f"Deployment/{name}: must run python -m {service}.consumer, got {command}")
            scaler = scalers.get(name)
            if scaler is None:
                problems.append(f"Deployment/{name}: a consumer without a KEDA ScaledObject")
            else:
                problems.extend(_scaler_problems(scaler, service, auths))
        budgets = [p for p in of_kind(docs, "PodDisruptionBudget") if labels_match(p["spec"]["selector"], labels)]
        if len(budgets) != 1:
            problems.append(f"Deployment/{name}: needs exactly one PodDisruptionBudget, has {len(budgets)}")
        for budget in budgets:
            others = [
                d["metadata"]["name"] for d in deployments
                if d is not deployment and labels_match(budget["spec"]["selector"], d["spec"]["template"]["metadata"]["labels"])
            ]
            if others:
                problems.append(f"PodDisruptionBudget/{budget['metadata']['name']}: also selects {others}")
    if consumers != set(CONSUMING):
        problems.append(f"consumers run for {sorted(consumers)}, expected {sorted(CONSUMING)}")
    for hpa in of_kind(docs, "HorizontalPodAutoscaler"):
        if hpa["spec"].get("minReplicas", 1) > hpa["spec"]["maxReplicas"]:
            problems.append(f"HorizontalPodAutoscaler/{hpa['metadata']['name']}: minReplicas above maxReplicas")
    return problems


def _scaler_problems(scaler: dict, service: str, auths: dict[str, dict]) -> list[str]:
    problems = []
    where = f"ScaledObject/{scaler['metadata']['name']}"
    if scaler["spec"].get("minReplicaCount", 0) < 1:
        problems.append(f"{where}: must keep a replica (consumers also run their relay and background work)")
    triggers = [t for t in scaler["spec"]["triggers"] if t["type"] == "rabbitmq"]
    if not triggers:
        problems.append(f"{where}: no rabbitmq trigger")
    for trigger in triggers:
        if trigger["metadata"].get("queueName") != f"chora.{service}":
            problems.append(f"{where}: scales on {trigger['metadata'].get('queueName')!r}, not chora.{service}")
        auth = auths.get((trigger.get("authenticationRef") or {}).get("name"))
        if auth is None or not any(r["parameter"] == "host" for r in auth["spec"].get("secretTargetRef", [])):
            problems.append(f"{where}: needs a TriggerAuthentication giving the host from a Secret")
        if "host" in trigger["metadata"] or "password" in str(trigger["metadata"]):
            problems.append(f"{where}: credentials inlined in the trigger")
    return problems


# --- secrets ----------------------------------------------------------------------------------


def template_secret_names() -> set[str]:
    """Name the Secrets secret.template.yaml tells operators to create."""
    return {d["metadata"]["name"] for d in yaml.safe_load_all((K8S / "secret.template.yaml").read_text()) if d}


def referenced_secrets(docs: list[dict]) -> dict[str, set[str]]:
    """Map each Secret name the objects reference to the objects that reference it."""
    refs: dict[str, set[str]] = {}

    def add(secret: str, doc: dict) -> None:
        refs.setdefault(secret, set()).add(name_of(doc))

    for doc in docs:
        if doc["kind"] in WORKLOADS:
            for container in containers_of(doc):
                for source in container.get("envFrom", []):
                    if "secretRef" in source:
                        add(source["secretRef"]["name"], doc)
                for variable in container.get("env", []):
                    ref = (variable.get("valueFrom") or {}).get("secretKeyRef")
                    if ref:
                        add(ref["name"], doc)
            for volume in pod_template(doc)["spec"].get("volumes", []):
                if "secret" in volume:
                    add(volume["secret"]["secretName"], doc)
        elif doc["kind"] == "TriggerAuthentication":
            for ref in doc["spec"].get("secretTargetRef", []):
                add(ref["name"], doc)
        elif doc["kind"] == "MongoDBCommunity":
            for user in doc["spec"]["users"]:
                add(user["passwordSecretRef"]["name"], doc)
        elif doc["kind"] == "RabbitmqCluster":
            for volume in yaml.safe_dump(doc["spec"].get("override", {})).split("secretName: ")[1:]:
                add(volume.split()[0], doc)
        elif doc["kind"] == "Ingress":
            for tls in doc["spec"].get("tls", []):
                add(tls["secretName"], doc)
    return refs


def secret_problems(docs: list[dict]) -> list[str]:
    """No Secret is rendered (they are created out of band); every one referenced is documented."""
    problems = [f"{name_of(d)}: a Secret in the manifests (values would be committed)" for d in of_kind(docs, "Secret")]
    known = template_secret_names() | OPERATOR_SECRETS
    for secret, users in sorted(referenced_secrets(docs).items()):
        if secret not in known:
            problems.append(f"{sorted(users)}: reference the Secret {secret!r}, which secret.template.yaml does not list")
    for doc in (d for d in docs if d["kind"] in WORKLOADS):
        for container in containers_of(doc):
            for variable in container.get("env", []):
                if "value" in variable and any(w in variable["name"] for w in ("PASSWORD", "SECRET", "_KEY", "AMQP_URL", "MONGO_URL")):
                    problems.append(f"{name_of(doc)}: {variable['name']} inlined; take it from a Secret")
    for config in of_kind(docs, "ConfigMap"):
        for key in config.get("data", {}):
            if any(w in key for w in ("PASSWORD", "SECRET", "_KEY", "AMQP_URL", "MONGO_URL")):
                problems.append(f"ConfigMap/{config['metadata']['name']}: holds {key}; it belongs in a Secret")
    return problems


# --- ingress ----------------------------------------------------------------------------------


def ingress_problems(docs: list[dict]) -> list[str]:
    """One Ingress, with a class, TLS for every host, sending everything to the gateway."""
    problems = []
    ingresses = of_kind(docs, "Ingress")
    if len(ingresses) != 1:
        return [f"expected one Ingress, found {len(ingresses)}"]
    gateway_services = {
        s["metadata"]["name"] for s in of_kind(docs, "Service") if s["spec"]["selector"].get("app.kubernetes.io/name") == GATEWAY
    }
    for ingress in ingresses:
        where = name_of(ingress)
        if not ingress["spec"].get("ingressClassName"):
            problems.append(f"{where}: no ingressClassName")
        tls_hosts = {h for tls in ingress["spec"].get("tls", []) for h in tls.get("hosts", [])}
        for rule in ingress["spec"].get("rules", []):
            if rule.get("host") not in tls_hosts:
                problems.append(f"{where}: host {rule.get('host')!r} is served without TLS")
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]["name"]
                if backend not in gateway_services:
                    problems.append(f"{where}: sends {path['path']} to {backend}, not the gateway")
    return problems


# --- databases, broker, jobs ------------------------------------------------------------------


def database_problems(docs: list[dict]) -> list[str]:
    """A MongoDB replica set per service, one user with readWrite on its own database only, the
    service's pods connecting with that user's connection string; a RabbitMQ cluster of quorum queues."""
    problems = []
    databases = {d["metadata"]["name"]: d for d in of_kind(docs, "MongoDBCommunity")}
    for service in BACKEND:
        mongodb = databases.get(f"{service}-mongodb")
        if mongodb is None:
            problems.append(f"{service}: no MongoDB replica set {service}-mongodb")
            continue
        spec = mongodb["spec"]
        if spec["type"] != "ReplicaSet":
            problems.append(f"MongoDBCommunity/{service}-mongodb: must be a replica set")
        labels = spec["statefulSet"]["spec"]["template"]["metadata"]["labels"]
        if labels.get("app.kubernetes.io/name") != service or labels.get("app.kubernetes.io/component") != "database":
            problems.append(f"MongoDBCommunity/{service}-mongodb: its pods must be labelled {service}/database for the policies")
        users = spec["users"]
        if [u["name"] for u in users] != [service]:
            problems.append(f"MongoDBCommunity/{service}-mongodb: must have exactly the user {service!r}")
        for user in users:
            if user["roles"] != [{"name": "readWrite", "db": f"chora_{service}"}] or user["db"] != f"chora_{service}":
                problems.append(f"MongoDBCommunity/{service}-mongodb: {user['name']} must have readWrite on chora_{service} only")
            connection = user.get("connectionStringSecretName")
            for doc in (d for d in docs if d["kind"] in WORKLOADS):
                if pod_template(doc)["metadata"]["labels"].get("app.kubernetes.io/name") != service:
                    continue
                env = {v["name"]: v for c in containers_of(doc) for v in c.get("env", [])}
                variable = env.get(f"CHORA_{service.upper()}_MONGO_URL")
                ref = ((variable or {}).get("valueFrom") or {}).get("secretKeyRef") or {}
                if ref.get("name") != connection or ref.get("key") != "connectionString.standard":
                    problems.append(f"{name_of(doc)}: CHORA_{service.upper()}_MONGO_URL must come from {connection}")
                foreign = [k for k in env if k.endswith("_MONGO_URL") and k != f"CHORA_{service.upper()}_MONGO_URL"]
                if foreign:
                    problems.append(f"{name_of(doc)}: holds another service's database credentials {foreign}")
    for doc in (d for d in docs if d["kind"] in WORKLOADS):
        if pod_template(doc)["metadata"]["labels"].get("app.kubernetes.io/name") == GATEWAY:
            env = {v["name"] for c in containers_of(doc) for v in c.get("env", [])}
            secrets = {s["secretRef"]["name"] for c in containers_of(doc) for s in c.get("envFrom", []) if "secretRef" in s}
            # Its own broker account (chora-gateway) and the shared key; no database credentials.
            if any(e.endswith("_MONGO_URL") for e in env) or secrets - {"chora-secrets", "chora-gateway"}:
                problems.append(f"{name_of(doc)}: the gateway holds credentials of its own ({sorted(secrets)})")
    configs = of_kind(docs, "ConfigMap")
    if not configs or any(c["data"].get("CHORA_QUEUE_TYPE") != "quorum" for c in configs):
        problems.append("the services must declare quorum queues (CHORA_QUEUE_TYPE=quorum)")
    clusters = of_kind(docs, "RabbitmqCluster")
    if len(clusters) != 1:
        problems.append(f"expected one RabbitmqCluster, found {len(clusters)}")
    for cluster in clusters:
        config = cluster["spec"]["rabbitmq"]["additionalConfig"]
        if "default_queue_type = quorum" not in config:
            problems.append(f"{name_of(cluster)}: quorum must be the default queue type")
        if "load_definitions" not in config or "chora-rabbitmq-definitions" not in yaml.safe_dump(cluster["spec"]):
            problems.append(f"{name_of(cluster)}: must load its definitions (users, permissions) from the definitions Secret")
    return problems


def job_problems(docs: list[dict]) -> list[str]:
    """A migrations Job per service per release, named after its image tag; a CronJob per scheduler."""
    problems = []
    migrations = {}
    for job in of_kind(docs, "Job"):
        labels = job["spec"]["template"]["metadata"]["labels"]
        service = labels.get("app.kubernetes.io/name")
        container = job["spec"]["template"]["spec"]["containers"][0]
        if labels.get("app.kubernetes.io/component") != "migrate":
            problems.append(f"{name_of(job)}: a Job that is not a migration")
            continue
        migrations[service] = job
        expected = f"{service}-migrate-{image_tag(container['image'])}"
        if job["metadata"]["name"] != expected:
            problems.append(f"{name_of(job)}: must be named {expected} (one Job per release)")
        if container.get("command") != ["python", "-m", f"{service}.migrate"]:
            problems.append(f"{name_of(job)}: must run python -m {service}.migrate")
        if not job["spec"].get("activeDeadlineSeconds") or job["spec"].get("backoffLimit") is None:
            problems.append(f"{name_of(job)}: needs a deadline and a backoff limit")
    if sorted(migrations) != sorted(BACKEND):
        problems.append(f"migrations for {sorted(migrations)}, expected {sorted(BACKEND)}")
    schedulers = {}
    for cron in of_kind(docs, "CronJob"):
        service = pod_template(cron)["metadata"]["labels"].get("app.kubernetes.io/name")
        schedulers[service] = cron
        command = pod_template(cron)["spec"]["containers"][0].get("command")
        if command != ["python", "-m", f"{service}.scheduler", "--once"]:
            problems.append(f"{name_of(cron)}: must run python -m {service}.scheduler --once, got {command}")
        if cron["spec"].get("concurrencyPolicy") != "Forbid":
            problems.append(f"{name_of(cron)}: two passes must never run at once (concurrencyPolicy: Forbid)")
    if sorted(schedulers) != sorted(SCHEDULED):
        problems.append(f"schedulers for {sorted(schedulers)}, expected {sorted(SCHEDULED)}")
    return problems


# --- network policies -------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """A pod (namespace, labels) or an address outside the cluster (ip)."""

    name: str
    namespace: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    ip: str = ""

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)


@dataclass
class Network:
    """The pods of a rendered overlay, the namespaces around it, and its NetworkPolicies."""

    policies: list[dict]
    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)

    def _peer_matches(self, peer: dict, policy_namespace: str, other: Endpoint) -> bool:
        if "ipBlock" in peer:
            if not other.ip:
                return False
            address = ipaddress.ip_address(other.ip)
            block = peer["ipBlock"]
            return address in ipaddress.ip_network(block["cidr"]) and not any(
                address in ipaddress.ip_network(e) for e in block.get("except", [])
            )
        if other.ip:
            return False
        if "namespaceSelector" in peer:
            if not labels_match(peer["namespaceSelector"], self.namespaces.get(other.namespace, {})):
                return False
        elif other.namespace != policy_namespace:
            return False
        return "podSelector" not in peer or labels_match(peer["podSelector"], other.label_map)

    @staticmethod
    def _port_matches(rule: dict, port: int, protocol: str) -> bool:
        if not rule.get("ports"):
            return True
        for spec in rule["ports"]:
            if spec.get("protocol", "TCP") != protocol:
                continue
            if "port" not in spec:
                return True
            if isinstance(spec["port"], int) and spec["port"] <= port <= spec.get("endPort", spec["port"]):
                return True
        return False

    def _allowed(self, direction: str, selected: Endpoint, other: Endpoint, port: int, protocol: str) -> bool:
        if selected.ip:
            return True  # outside the cluster: no policy of ours applies
        kind, peers_key = ("Ingress", "from") if direction == "ingress" else ("Egress", "to")
        applying = [
            p for p in self.policies
            if p["metadata"]["namespace"] == selected.namespace
            and kind in p["spec"].get("policyTypes", ["Ingress"])
            and labels_match(p["spec"]["podSelector"], selected.label_map)
        ]
        if not applying:
            return True
        for policy in applying:
            for rule in policy["spec"].get(direction, []):
                peers = rule.get(peers_key)
                if (not peers or any(self._peer_matches(peer, policy["metadata"]["namespace"], other) for peer in peers)) \
                        and self._port_matches(rule, port, protocol):
                    return True
        return False

    def allows(self, source: Endpoint, destination: Endpoint, port: int, protocol: str = "TCP") -> bool:
        """Tell whether source may open a connection to destination:port."""
        return self._allowed("egress", source, destination, port, protocol) and self._allowed(
            "ingress", destination, source, port, protocol
        )


def _endpoint(name: str, namespace: str, labels: dict[str, str]) -> Endpoint:
    return Endpoint(name=name, namespace=namespace, labels=tuple(sorted(labels.items())))


def network_of(docs: list[dict]) -> tuple[Network, dict[str, Endpoint]]:
    """Build the overlay's network: its pods, the cluster's namespaces around it, the policies."""
    namespace = next(d["metadata"]["name"] for d in of_kind(docs, "Namespace"))
    pods: dict[str, Endpoint] = {}
    for doc in docs:
        if doc["kind"] in WORKLOADS:
            pods[doc["metadata"]["name"]] = _endpoint(doc["metadata"]["name"], namespace, pod_template(doc)["metadata"]["labels"])
        elif doc["kind"] == "MongoDBCommunity":
            labels = {**doc["spec"]["statefulSet"]["spec"]["template"]["metadata"]["labels"], "app": f"{doc['metadata']['name']}-svc"}
            pods[doc["metadata"]["name"]] = _endpoint(doc["metadata"]["name"], namespace, labels)
        elif doc["kind"] == "RabbitmqCluster":
            # The labels the RabbitMQ Cluster Operator gives the cluster's pods.
            labels = {"app.kubernetes.io/name": doc["metadata"]["name"], "app.kubernetes.io/component": "rabbitmq",
                      "app.kubernetes.io/part-of": "rabbitmq"}
            pods[doc["metadata"]["name"]] = _endpoint(doc["metadata"]["name"], namespace, labels)
    outside = {
        "ingress-controller": ("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"}),
        "keda": ("keda", {"app": "keda-operator"}),
        "kube-dns": ("kube-system", {"k8s-app": "kube-dns"}),
        "prometheus": ("monitoring", {"app.kubernetes.io/name": "prometheus"}),
        "rabbitmq-operator": ("rabbitmq-system", {"app.kubernetes.io/component": "rabbitmq-operator"}),
        "stranger": ("default", {"app": "something-else"}),
    }
    for name, (ns, labels) in outside.items():
        pods[name] = _endpoint(name, ns, labels)
    pods["smtp-relay"] = Endpoint(name="smtp-relay", ip="203.0.113.25")
    namespaces = {ns: {"kubernetes.io/metadata.name": ns} for ns in {namespace, *(ns for ns, _ in outside.values())}}
    return Network(policies=of_kind(docs, "NetworkPolicy"), namespaces=namespaces), pods


def network_problems(docs: list[dict]) -> list[str]:
    """Only the gateway from the ingress; the service APIs only from the gateway; each database
    only from its own service; the broker only from the services and the gateway; DNS for every Chora pod."""
    problems = []
    net, pods = network_of(docs)

    def expect(source: str, destination: str, port: int, allowed: bool, protocol: str = "TCP") -> None:
        if net.allows(pods[source], pods[destination], port, protocol) != allowed:
            verb = "cannot" if allowed else "can"
            problems.append(f"{source} {verb} reach {destination}:{port}/{protocol}")

    app_pods = [n for n, p in pods.items() if p.label_map.get("app.kubernetes.io/component") in APP_COMPONENTS]
    gateway = "gateway-api"
    service_pods = {s: [n for n in app_pods if pods[n].label_map.get("app.kubernetes.io/name") == s] for s in BACKEND}
    outsiders = ["ingress-controller", "keda", "prometheus", "stranger"]

    expect("ingress-controller", gateway, 8000, True)
    for source in ["keda", "prometheus", "stranger", *app_pods]:
        if source != gateway:
            expect(source, gateway, 8000, False)
    for service in BACKEND:
        api, database = f"{service}-api", f"{service}-mongodb"
        expect(gateway, api, 8000, True)
        for source in [*outsiders, *(n for n in app_pods if n not in (gateway, api))]:
            expect(source, api, 8000, False)
        for source in service_pods[service]:
            expect(source, database, 27017, True)
            expect(source, "chora-rabbitmq", 5672, True)
        for source in [gateway, *outsiders, *(n for s in BACKEND if s != service for n in service_pods[s])]:
            expect(source, database, 27017, False)
    # The gateway hears person.access_changed (sessions that end at once on every replica).
    expect(gateway, "chora-rabbitmq", 5672, True)
    for source in outsiders:
        expect(source, "chora-rabbitmq", 5672, False)
    expect("keda", "chora-rabbitmq", 15672, True)
    expect("stranger", "chora-rabbitmq", 15672, False)
    for destination in app_pods:
        # Nothing else listens; a pod no other policy selects is closed by the default deny.
        expect("stranger", destination, 8000, False)
        expect("stranger", destination, 9100, False)
        expect("prometheus", destination, 9100, pods[destination].label_map["app.kubernetes.io/component"] == "consumer")
    for source in app_pods:
        expect(source, "kube-dns", 53, True, "UDP")
        expect(source, "stranger", 8080, False)
        expect(source, "smtp-relay", 587, source == "notification-consumer")
    return problems


ALL_CHECKS = (
    schema_problems, container_problems, image_problems, scaling_problems, secret_problems,
    ingress_problems, database_problems, job_problems, network_problems,
)


# --- the rendered overlays --------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_of_the_overlay_validates_against_its_schema(rendered, overlay):
    assert schema_problems(rendered[overlay]) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("check", ALL_CHECKS[1:], ids=lambda c: c.__name__)
def test_the_overlay_meets_the_platform_policies(rendered, overlay, check):
    assert check(rendered[overlay]) == []


def test_the_overlays_differ_in_namespace_host_size_and_release(rendered):
    staging, production = rendered["staging"], rendered["production"]
    assert {d["metadata"].get("namespace") for d in staging if d["kind"] != "Namespace"} == {"chora-staging"}
    assert {d["metadata"].get("namespace") for d in production if d["kind"] != "Namespace"} == {"chora"}
    host = {o: of_kind(rendered[o], "Ingress")[0]["spec"]["rules"][0]["host"] for o in OVERLAYS}
    assert host == {"staging": "staging.certificering.verdensmaal.dk", "production": "certificering.verdensmaal.dk"}
    assert of_kind(production, "RabbitmqCluster")[0]["spec"]["replicas"] == 3
    assert {d["spec"]["members"] for d in of_kind(production, "MongoDBCommunity")} == {3}
    assert {h["spec"]["minReplicas"] for h in of_kind(production, "HorizontalPodAutoscaler")} == {2}
    tags = {o: {image_tag(c["image"]) for d in rendered[o] if d["kind"] in WORKLOADS for c in containers_of(d)} for o in OVERLAYS}
    assert tags == {"staging": {"1.0.0-rc.1"}, "production": {"1.0.0"}}
    public = {o: of_kind(rendered[o], "ConfigMap")[0]["data"]["CHORA_PUBLIC_URL"] for o in OVERLAYS}
    assert urlsplit(public["production"]).hostname == host["production"]
    assert urlsplit(public["staging"]).hostname == host["staging"]


def test_no_manifest_names_a_latest_image():
    for path in K8S.rglob("*.yaml"):
        assert ":latest" not in path.read_text(), path


def test_the_services_are_composed_from_the_shared_templates_not_copied():
    templates = {p.parent.name for p in (K8S / "templates").glob("*/kustomization.yaml")}
    assert templates == {"api", "consumer", "migrate", "scheduler", "mongodb"}
    for service in (*BACKEND, GATEWAY):
        kustomization = yaml.safe_load((K8S / "services" / service / "kustomization.yaml").read_text())
        assert all(r.startswith("../../templates/") or not r.endswith("/") and "/" not in r for r in kustomization["resources"])
        assert kustomization["namePrefix"] == f"{service}-"
    assert not list((K8S / "services").rglob("deployment*.yaml"))


# --- the checks catch broken manifests --------------------------------------------------------


def broken(rendered: dict, kind: str, name: str, overlay: str = "production") -> tuple[list[dict], dict]:
    """Return a copy of an overlay's objects and the one to break in it."""
    docs = copy.deepcopy(rendered[overlay])
    return docs, next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def test_a_misspelt_field_fails_the_kubernetes_schema(rendered):
    docs, deployment = broken(rendered, "Deployment", "scoring-api")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {"httpGet": {"path": "/healthz", "port": 8000}}
    assert [p for p in schema_problems(docs) if "scoring-api" in p and "livenesProbe" in p]


def test_a_misspelt_field_fails_the_crd_schema(rendered):
    docs, scaler = broken(rendered, "ScaledObject", "evidence-consumer")
    scaler["spec"]["maxReplicas"] = 4
    database = next(d for d in docs if d["kind"] == "MongoDBCommunity")
    del database["spec"]["users"][0]["passwordSecretRef"]
    problems = schema_problems(docs)
    assert any("ScaledObject/evidence-consumer" in p and "maxReplicas" in p for p in problems)
    assert any("MongoDBCommunity" in p and "passwordSecretRef" in p for p in problems)


def test_a_container_without_limits_or_probes_or_as_root_is_reported(rendered):
    docs, deployment = broken(rendered, "Deployment", "notification-consumer")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    del container["resources"]["limits"]
    del container["readinessProbe"]
    container["livenessProbe"] = {"exec": {"command": ["python", "-c", "open('/proc/1/cmdline')"]}, "timeoutSeconds": 5}
    container["securityContext"]["allowPrivilegeEscalation"] = True
    problems = set(container_problems(docs))
    where = "Deployment/notification-consumer/consumer"
    assert problems == {
        f"{where}: no cpu limit",
        f"{where}: no memory limit",
        f"{where}: no readinessProbe",
        f"{where}: livenessProbe must be an HTTP check of the process (/healthz), not a command",
        f"{where}: allowPrivilegeEscalation must be false",
    }


def test_a_memory_request_below_the_measured_figure_is_reported(rendered):
    docs, deployment = broken(rendered, "Deployment", "registration-api")
    deployment["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["memory"] = "64Mi"
    deployment["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] = "200Mi"
    assert container_problems(docs) == [
        "Deployment/registration-api/api: memory request 64Mi is below the 132 MiB measured at rest",
        "Deployment/registration-api/api: memory limit 200Mi leaves no room above the 132 MiB at rest",
    ]


def test_a_consumer_without_scaler_and_an_api_without_autoscaler_or_budget_are_reported(rendered):
    docs = [
        d for d in copy.deepcopy(rendered["production"])
        if not (d["kind"] == "ScaledObject" and d["metadata"]["name"] == "scoring-consumer")
        and not (d["kind"] in ("HorizontalPodAutoscaler", "PodDisruptionBudget") and d["metadata"]["name"] == "evidence-api")
    ]
    assert set(scaling_problems(docs)) == {
        "Deployment/scoring-consumer: a consumer without a KEDA ScaledObject",
        "Deployment/evidence-api: an API without a HorizontalPodAutoscaler",
        "Deployment/evidence-api: needs exactly one PodDisruptionBudget, has 0",
    }


def test_a_scaler_on_the_wrong_queue_is_reported(rendered):
    docs, scaler = broken(rendered, "ScaledObject", "notification-consumer")
    scaler["spec"]["triggers"][0]["metadata"]["queueName"] = "chora.scoring"
    assert scaling_problems(docs) == [
        "ScaledObject/notification-consumer: scales on 'chora.scoring', not chora.notification"
    ]


def test_an_inlined_secret_and_an_unknown_secret_are_reported(rendered):
    docs, deployment = broken(rendered, "Deployment", "evidence-consumer")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["env"].append({"name": "CHORA_SMTP_PASSWORD", "value": "hunter2"})
    container["envFrom"][2]["secretRef"]["name"] = "chora-evidence-old"
    docs.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "oops", "namespace": "chora"}, "stringData": {"a": "b"}})
    assert set(secret_problems(docs)) == {
        "Secret/oops: a Secret in the manifests (values would be committed)",
        "['Deployment/evidence-consumer']: reference the Secret 'chora-evidence-old', which secret.template.yaml does not list",
        "Deployment/evidence-consumer: CHORA_SMTP_PASSWORD inlined; take it from a Secret",
    }


def test_a_latest_image_is_reported(rendered):
    docs, deployment = broken(rendered, "Deployment", "gateway-api")
    deployment["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.example.org/chora/gateway:latest"
    assert image_problems(docs) == [
        "Deployment/gateway-api: image 'registry.example.org/chora/gateway:latest' must carry a version tag, never latest"
    ]


def test_an_ingress_without_tls_or_class_or_to_another_service_is_reported(rendered):
    docs, ingress = broken(rendered, "Ingress", "gateway-ingress")
    del ingress["spec"]["ingressClassName"]
    ingress["spec"]["tls"] = []
    ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] = "scoring-api"
    assert set(ingress_problems(docs)) == {
        "Ingress/gateway-ingress: no ingressClassName",
        "Ingress/gateway-ingress: host 'certificering.verdensmaal.dk' is served without TLS",
        "Ingress/gateway-ingress: sends / to scoring-api, not the gateway",
    }


def test_a_database_user_with_more_rights_or_a_shared_connection_is_reported(rendered):
    docs, database = broken(rendered, "MongoDBCommunity", "scoring-mongodb")
    database["spec"]["users"][0]["roles"].append({"name": "readWrite", "db": "chora_evidence"})
    consumer = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "evidence-consumer")
    consumer["spec"]["template"]["spec"]["containers"][0]["env"][0]["valueFrom"]["secretKeyRef"]["name"] = "scoring-mongodb-connection"
    assert set(database_problems(docs)) == {
        "MongoDBCommunity/scoring-mongodb: scoring must have readWrite on chora_scoring only",
        "Deployment/evidence-consumer: CHORA_EVIDENCE_MONGO_URL must come from evidence-mongodb-connection",
    }


def test_a_migration_job_not_named_after_its_release_is_reported(rendered):
    docs, job = broken(rendered, "Job", "scoring-migrate-1.0.0")
    job["metadata"]["name"] = "scoring-migrate-release"
    cron = next(d for d in docs if d["kind"] == "CronJob" and d["metadata"]["name"] == "notification-scheduler")
    cron["spec"]["concurrencyPolicy"] = "Allow"
    assert set(job_problems(docs)) == {
        "Job/scoring-migrate-release: must be named scoring-migrate-1.0.0 (one Job per release)",
        "CronJob/notification-scheduler: two passes must never run at once (concurrencyPolicy: Forbid)",
    }


def test_an_open_database_and_a_missing_default_deny_are_reported(rendered):
    # Both ends must open: the database's ingress and the other service's egress.
    docs, policy = broken(rendered, "NetworkPolicy", "evidence-mongodb-ingress")
    policy["spec"]["ingress"][0]["from"].append({"podSelector": {"matchLabels": {"app.kubernetes.io/name": "scoring"}}})
    assert network_problems(docs) == []
    egress = next(d for d in docs if d["metadata"]["name"] == "scoring-mongodb-egress")
    egress["spec"]["egress"][0]["to"][0]["podSelector"] = {"matchLabels": {"app.kubernetes.io/component": "database"}}
    problems = network_problems(docs)
    assert "scoring-consumer can reach evidence-mongodb:27017/TCP" in problems
    assert "scoring-api can reach evidence-mongodb:27017/TCP" in problems
    assert all("evidence-mongodb" in p for p in problems)

    docs = [d for d in copy.deepcopy(rendered["production"]) if d["metadata"]["name"] != "default-deny-ingress"]
    problems = network_problems(docs)
    assert "stranger can reach scoring-migrate-1.0.0:8000/TCP" in problems
    assert "stranger can reach notification-scheduler:9100/TCP" in problems
    assert all("-migrate-" in p or "-scheduler" in p for p in problems)


def test_a_stranger_reaching_the_broker_and_a_pod_without_dns_are_reported(rendered):
    docs, policy = broken(rendered, "NetworkPolicy", "services-egress-broker")
    policy["spec"]["podSelector"] = {"matchLabels": {"app.kubernetes.io/part-of": "chora"}}
    rabbit = next(d for d in docs if d["metadata"]["name"] == "rabbitmq-ingress")
    rabbit["spec"]["ingress"][0]["from"] = [{"namespaceSelector": {}}]  # every pod of every namespace
    dns = next(d for d in docs if d["metadata"]["name"] == "chora-egress-dns")
    dns["spec"]["egress"][0]["ports"] = [{"protocol": "TCP", "port": 53}]
    problems = network_problems(docs)
    assert "stranger can reach chora-rabbitmq:5672/TCP" in problems
    assert "scoring-api cannot reach kube-dns:53/UDP" in problems
