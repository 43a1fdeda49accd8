"""Static checks of the service images (no Docker engine here) and a run of their install steps.

The Dockerfiles are rendered from one template (deploy/docker/render.py). The checks read them
as Docker would (instructions, stages) and list problems; each check is also shown to bite on a
broken copy. The last test runs the build stage's COPY and `uv sync` steps in a temporary
directory, so the lock really installs each service without the test tools."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from deploy.docker import render

ROOT = Path(__file__).resolve().parents[2]
SERVICES = render.services()
UV = ROOT / ".tools" / "bin" / "uv"
# A base image pinned to a full Python version and a Debian release: python:3.11.15-slim-bookworm.
PINNED_PYTHON = re.compile(r"^python:3\.11\.\d+-slim-(bookworm|trixie)$")
BUILD_TOOLS = ("gcc", "g++", "make", "build-essential", "uv ", "pip install", "apt-get install", "curl", "wget")
DEV_ONLY = ("pytest", "ruff", "mypy", "secantusdb", "playwright", "hypothesis", "kubernetes_validate", "uv")


@dataclass
class Instruction:
    keyword: str
    args: str


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        """Return the arguments of every instruction of this kind in the stage."""
        return [i.args for i in self.instructions if i.keyword == keyword]


def parse_dockerfile(text: str) -> list[Stage]:
    """Split a Dockerfile into stages of instructions, as dockerfile-parse reads them."""
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode()))
    stages: list[Stage] = []
    for item in parser.structure:
        keyword, args = item["instruction"], item["value"].strip()
        if keyword == "COMMENT":
            continue
        if keyword == "FROM":
            parts = args.split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(base=parts[0], name=name))
        elif stages:
            stages[-1].instructions.append(Instruction(keyword, args))
        else:
            stages.append(Stage(base="", name=None, instructions=[Instruction(keyword, args)]))
    return stages


def image_problems(service: str, text: str) -> list[str]:
    """List every rule a service Dockerfile breaks."""
    problems: list[str] = []
    stages = parse_dockerfile(text)
    if len(stages) < 2:
        return [f"{service}: not multi-stage (a build stage and a slim final stage)"]
    for stage in stages:
        if not PINNED_PYTHON.match(stage.base):
            problems.append(f"{service}: FROM {stage.base!r} is not a pinned python:3.11.x-slim-<debian> image")
    build, final = stages[0], stages[-1]
    if final.base != build.base:
        problems.append(f"{service}: the final stage must use the build stage's base (the venv links its Python)")

    runs = " ".join(build.all("RUN"))
    if "--require-hashes" not in runs or "requirements-uv.txt" not in runs:
        problems.append(f"{service}: the build stage must install uv from requirements-uv.txt with --require-hashes")
    syncs = [r for r in build.all("RUN") if r.startswith("uv sync")]
    if not syncs or not all("--locked" in s and "--no-dev" in s for s in syncs):
        problems.append(f"{service}: the build stage must install with uv sync --locked --no-dev")
    if not any(f"--package chora-{service}" in s and "--no-editable" in s for s in syncs):
        problems.append(f"{service}: the build stage must install chora-{service} from the lock, not editable")
    if not any("uv.lock" in c.split() for c in build.all("COPY")):
        problems.append(f"{service}: the build stage does not copy uv.lock")

    final_runs = " ".join(final.all("RUN")).lower()
    for tool in BUILD_TOOLS:
        if tool in final_runs:
            problems.append(f"{service}: the final stage uses a build tool ({tool.strip()})")
    if not any(c.startswith(f"--from={build.name} ") and "/opt/venv" in c for c in final.all("COPY")):
        problems.append(f"{service}: the final stage must copy only the built venv from the build stage")
    users = final.all("USER")
    if not users or users[-1].split(":")[0] in ("root", "0"):
        problems.append(f"{service}: the final stage must end as a non-root USER")
    elif not users[-1].split(":")[0].isdigit():
        problems.append(f"{service}: USER must be numeric so Kubernetes can check runAsNonRoot")

    cmds = final.all("CMD")
    if not cmds:
        problems.append(f"{service}: no CMD")
    else:
        try:
            cmd = json.loads(cmds[-1])
        except json.JSONDecodeError:
            problems.append(f"{service}: CMD must be exec form (a JSON array) so gunicorn is PID 1")
        else:
            expected = ["gunicorn", "--config", "python:shared.gunicorn_conf", f"{service}.api:create_app()"]
            if cmd != expected:
                problems.append(f"{service}: CMD must be {expected}, got {cmd}")
    if "latest" in text:
        problems.append(f"{service}: mentions latest")
    return problems


def dockerfile(service: str) -> str:
    return (ROOT / "services" / service / "Dockerfile").read_text()


def test_every_service_has_a_dockerfile_rendered_from_the_one_template():
    assert SERVICES == ["evidence", "gateway", "notification", "registration", "scoring"]
    for service in SERVICES:
        assert dockerfile(service) == render.render(service), f"run `make dockerfiles` ({service})"


def test_every_service_image_follows_the_rules():
    for service in SERVICES:
        assert image_problems(service, dockerfile(service)) == []


def test_the_image_bootstraps_the_uv_version_the_workspace_requires():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    required = pyproject["tool"]["uv"]["required-version"]
    pinned = re.search(r"^uv==(\S+)", (ROOT / "requirements-uv.txt").read_text(), re.M)
    assert pinned and required == f"=={pinned.group(1)}"
    assert "--hash=sha256:" in (ROOT / "requirements-uv.txt").read_text()


def test_the_build_context_leaves_out_local_state_and_secrets():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", ".tools", ".run", ".env", "**/*.egg-info"):
        assert entry in ignored


# --- the checks catch broken Dockerfiles ------------------------------------------------------


def test_an_unpinned_base_image_is_reported():
    broken = dockerfile("scoring").replace("python:3.11.15-slim-bookworm AS build", "python:3.11-slim AS build")
    assert "scoring: FROM 'python:3.11-slim' is not a pinned python:3.11.x-slim-<debian> image" in image_problems(
        "scoring", broken
    )


def test_a_single_stage_image_is_reported():
    text = dockerfile("evidence")
    single = text[: text.index("# -- runtime")]
    assert image_problems("evidence", single) == ["evidence: not multi-stage (a build stage and a slim final stage)"]


def test_a_root_user_and_a_compiler_in_the_final_stage_are_reported():
    text = dockerfile("gateway").replace("USER 10001:10001", "USER root")
    text = text.replace("RUN python -m pip uninstall", "RUN apt-get install -y gcc && python -m pip uninstall")
    problems = image_problems("gateway", text)
    assert "gateway: the final stage must end as a non-root USER" in problems
    assert "gateway: the final stage uses a build tool (gcc)" in problems
    assert "gateway: the final stage uses a build tool (apt-get install)" in problems


def test_an_install_that_ignores_the_lock_or_brings_test_tools_is_reported():
    text = dockerfile("notification").replace("uv sync --locked --no-dev --no-editable", "uv sync --no-editable")
    assert "notification: the build stage must install with uv sync --locked --no-dev" in image_problems(
        "notification", text
    )


def test_a_shell_form_or_foreign_command_is_reported():
    text = dockerfile("registration")
    cmd_line = next(line for line in text.splitlines() if line.startswith("CMD"))
    assert image_problems("registration", text.replace(cmd_line, "CMD gunicorn registration.api:create_app()")) == [
        "registration: CMD must be exec form (a JSON array) so gunicorn is PID 1"
    ]
    assert image_problems("registration", text.replace(cmd_line, 'CMD ["flask", "run"]'))


def test_a_dockerfile_edited_by_hand_is_out_of_sync_with_the_template():
    edited = dockerfile("scoring").replace("EXPOSE 8000 9100", "EXPOSE 8000")
    assert edited != render.render("scoring")


# --- the build stage's install steps, run for real ---------------------------------------------


def build_stage_steps(text: str) -> tuple[dict[str, str], list[list[str]], list[str]]:
    """Return the build stage's ENV, its COPY sources and its `uv` commands, in order."""
    build = parse_dockerfile(text)[0]
    env: dict[str, str] = {}
    copies: list[list[str]] = []
    commands: list[str] = []
    for instruction in build.instructions:
        if instruction.keyword == "ENV":
            for pair in shlex.split(instruction.args):
                key, _, value = pair.partition("=")
                env[key] = value
        elif instruction.keyword == "COPY":
            copies.append(instruction.args.split())
        elif instruction.keyword == "RUN" and instruction.args.startswith("uv "):
            commands.append(instruction.args)
    return env, copies, commands


@pytest.mark.integration
@pytest.mark.parametrize("service", SERVICES)
def test_the_build_stage_installs_the_service_from_the_lock_without_test_tools(service, tmp_path):
    if not UV.exists():
        pytest.skip("make venv bootstraps .tools/bin/uv")
    env, copies, commands = build_stage_steps(dockerfile(service))
    src, venv = tmp_path / "src", tmp_path / "venv"
    src.mkdir()
    tracked = set(subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split())
    for *sources, target in copies:
        if target.startswith("/"):  # requirements-uv.txt for pip: uv itself is .tools/bin/uv here
            continue
        for source in sources:
            for path in sorted(tracked):
                if path == source or (source.endswith("/") and path.startswith(source)):
                    if source.endswith("/"):
                        destination = src / target / Path(path).relative_to(source)
                    else:
                        destination = src / target / Path(path).name
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / path, destination)
    # As the image's ENV says, but without compiling bytecode and with links into uv's cache where
    # the file system allows: the same packages installed, in a fraction of the time.
    run_env = {**os.environ, **env, "UV_PROJECT_ENVIRONMENT": str(venv), "UV_PYTHON": sys.executable}
    run_env.update(UV_COMPILE_BYTECODE="0", UV_LINK_MODE="hardlink")
    for command in commands:
        argv = shlex.split(command)
        result = subprocess.run([str(UV), *argv[1:], "-q"], cwd=src, env=run_env, capture_output=True, text=True)
        assert result.returncode == 0, f"{command}: {result.stderr}"
    python = venv / "bin" / "python"
    probe = f"import {service}.api, shared.gunicorn_conf, gunicorn; print({service}.api.__file__)"
    result = subprocess.run([str(python), "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert str(src) not in result.stdout, "the service must be installed as a wheel, not linked to the sources"
    installed = {p.name.split("-")[0].lower() for p in (venv / "lib").glob("python3*/site-packages/*.dist-info")}
    assert f"chora_{service}" in installed and "chora_shared" in installed
    assert not installed & set(DEV_ONLY), f"test tools in the image: {installed & set(DEV_ONLY)}"
    others = {f"chora_{s}" for s in SERVICES} - {f"chora_{service}"}
    assert not installed & others, f"another service in the {service} image"
