"""Write every service's Dockerfile from the one template (`make dockerfiles`).

The services' images differ only in the service's name, so they share one template,
deploy/docker/service.Dockerfile.in; tests/deploy/test_images.py fails when a committed
Dockerfile differs from what this renders."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "docker" / "service.Dockerfile.in"
HEADER = "# Generated from deploy/docker/service.Dockerfile.in by `make dockerfiles`: edit the template, not this file.\n"


def services(root: Path = ROOT) -> list[str]:
    """Name every workspace member under services/ (each has a pyproject.toml)."""
    return sorted(p.parent.name for p in (root / "services").glob("*/pyproject.toml"))


def render(service: str, root: Path = ROOT) -> str:
    """Return the Dockerfile of one service."""
    members = ["shared", "testing", *(f"services/{name}" for name in services(root))]
    copies = "\n".join(f"COPY {member}/pyproject.toml {member}/" for member in members)
    text = TEMPLATE.read_text().replace("@MEMBER_PYPROJECTS@", copies).replace("@SERVICE@", service)
    return HEADER + text


def main() -> int:
    """Write services/<name>/Dockerfile for every service."""
    for service in services():
        path = ROOT / "services" / service / "Dockerfile"
        text = render(service)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
