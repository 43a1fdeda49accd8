"""What `make run` keeps in its run directory between runs: the secrets it generated.

They are made once and reused, so restarting `make run` keeps every session, bearer token and
mailed link valid. Files are created with mode 0600 and never printed, except the generated
administrator password, which is printed as such until it is changed."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def kept_secret(path: Path, make=lambda: secrets.token_urlsafe(48)) -> str:
    """Read a secret from its file, creating it (0600, atomically) the first time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(make() + "\n")
    return path.read_text(encoding="utf-8").strip()


def master_secret(run_dir: Path) -> str:
    """The run's master secret (CHORA_SECRET_KEY today; the keys per purpose derive from it)."""
    return kept_secret(run_dir / "secrets" / "master-secret")


def admin_password(run_dir: Path) -> str:
    """The generated password of the first administrator (to be changed at first sign-in)."""
    return kept_secret(run_dir / "secrets" / "admin-password", lambda: secrets.token_urlsafe(12))
