"""The one lock file of the workspace: resolved from PyPI alone, hashed, up to date with every
pyproject.toml, and what `make venv` and the images install."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
UV = ROOT / ".tools" / "bin" / "uv"
PYPI = "https://pypi.org/simple"
SECANTUS = "0.7.0b3"


def lock() -> dict:
    return tomllib.loads((ROOT / "uv.lock").read_text())


def lock_problems(locked: dict) -> list[str]:
    """List packages of the lock that come from elsewhere than PyPI or carry no hash."""
    problems = []
    for package in locked["package"]:
        source = package["source"]
        if "editable" in source or "virtual" in source:
            continue
        if source.get("registry") != PYPI:
            problems.append(f"{package['name']}: from {source}, not {PYPI}")
            continue
        files = [package.get("sdist"), *package.get("wheels", [])]
        if not any(f and f.get("hash", "").startswith("sha256:") for f in files):
            problems.append(f"{package['name']}: no hash")
    return problems


def test_the_lock_resolves_every_package_from_pypi_with_hashes():
    assert lock_problems(lock()) == []


def test_the_lock_covers_every_member_of_the_workspace():
    members = {"chora-shared", "chora-testing", *(f"chora-{p.parent.name}" for p in (ROOT / "services").glob("*/pyproject.toml"))}
    assert set(lock()["manifest"]["members"]) == members
    editable = {p["name"] for p in lock()["package"] if "editable" in p["source"]}
    assert editable == members


def test_secantusdb_is_pinned_to_the_version_the_suite_passes_against():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert f"SecantusDB=={SECANTUS}" in pyproject["dependency-groups"]["dev"]
    assert [p["version"] for p in lock()["package"] if p["name"] == "secantusdb"] == [SECANTUS]


def test_make_installs_exactly_the_lock_and_refuses_a_stale_one():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"\$\(UV\) sync --locked ", makefile)
    assert re.search(r"^lock: ", makefile, re.M) and "$(UV) lock $(LOCK_ARGS)" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert not (ROOT / "requirements-dev.txt").exists(), "test tools go into the dev group of pyproject.toml"


def test_the_lock_is_up_to_date_with_every_pyproject():
    if not UV.exists():
        pytest.skip("make venv bootstraps .tools/bin/uv")
    result = subprocess.run([str(UV), "lock", "--check", "--offline"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- the check catches a lock from elsewhere ----------------------------------------------------


def test_a_package_from_another_index_or_without_hash_is_reported():
    broken = lock()
    kombu = next(p for p in broken["package"] if p["name"] == "kombu")
    kombu["source"] = {"registry": "file:///opt/pypi/simple"}
    pika = next(p for p in broken["package"] if p["name"] == "pika")
    pika.pop("sdist", None)
    pika["wheels"] = [{k: v for k, v in w.items() if k != "hash"} for w in pika["wheels"]]
    assert lock_problems(broken) == [
        "kombu: from {'registry': 'file:///opt/pypi/simple'}, not https://pypi.org/simple",
        "pika: no hash",
    ]
