"""Start and stop the real servers tests and `make run` use."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


class Secantus:
    """A SecantusDB daemon on a free port with its own data folder."""

    def __init__(self, storage_path: str | None = None, port: int | None = None, log_path: str | None = None):
        self.port = port or free_port()
        self._own_dir = storage_path is None
        self.storage_path = storage_path or tempfile.mkdtemp(prefix="secantus-")
        self.log_path = log_path or os.path.join(self.storage_path, "..", f"secantus-{self.port}.log")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        # retryWrites=false: SecantusDB is far faster without retryable writes. Production
        # MongoDB URLs keep them on; this is set on the SecantusDB URL only.
        return f"mongodb://127.0.0.1:{self.port}/?retryWrites=false"

    def start(self) -> Secantus:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "secantus", "--host", "127.0.0.1", "--port", str(self.port),
             "--storage-path", self.storage_path, "--log-level", "WARNING"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_for_port(self.port, timeout=60)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
            self.proc = None
        if self._own_dir:
            shutil.rmtree(self.storage_path, ignore_errors=True)


@dataclass
class MailBox:
    """Mail captured by the SMTP sink."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)
    fail_with: str | None = None  # e.g. "550 mailbox unavailable" to simulate a permanent refusal

    def add(self, raw: bytes, mail_from: str, rcpt: list[str]) -> None:
        with self.cond:
            self.messages.append(message_from_bytes(raw, policy=policy.default))  # type: ignore[arg-type]
            self.envelopes.append((mail_from, rcpt))
            self.cond.notify_all()

    def wait_for(self, predicate=lambda m: True, count: int = 1, timeout: float = 20.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = [m for m in self.messages if predicate(m)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"expected {count} mail(s), got {len(found)} of {len(self.messages)}")
                self.cond.wait(remaining)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]


class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps what it receives, optionally also as .eml files."""

    def __init__(self, port: int | None = None, host: str = "127.0.0.1", maildir: str | None = None):
        self.host, self.port = host, port or free_port()
        self.maildir = maildir
        self.box = MailBox()
        self._controller: Any = None

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                if sink.box.fail_with:
                    return sink.box.fail_with
                raw = envelope.original_content or envelope.content
                sink.box.add(raw, envelope.mail_from, list(envelope.rcpt_tos))
                if sink.maildir:
                    os.makedirs(sink.maildir, exist_ok=True)
                    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{len(sink.box.messages):04d}.eml"
                    with open(os.path.join(sink.maildir, name), "wb") as fh:
                        fh.write(raw)
                return "250 Message accepted for delivery"

        self._controller = Controller(Handler(), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
