"""Mail under `make run` without CHORA_SMTP_HOST: a local SMTP server (aiosmtpd) keeps each mail as
an .eml file in .run/mail/, and a small page shows them (http://127.0.0.1:8025/)."""

from __future__ import annotations

import html
import itertools
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller


class _KeepMail:
    def __init__(self, maildir: Path):
        self.maildir = maildir
        self._numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.maildir.mkdir(parents=True, exist_ok=True)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{next(self._numbers):05d}.eml"
        (self.maildir / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class MailSink:
    """A real SMTP server on 127.0.0.1 that keeps what it receives as files."""

    def __init__(self, maildir: Path, port: int):
        self.port = port
        self._controller = Controller(_KeepMail(maildir), hostname="127.0.0.1", port=port)

    def start(self) -> MailSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


class MailViewer(ThreadingHTTPServer):
    """A page listing the newest 100 mails the local sink kept."""

    daemon_threads = True

    def __init__(self, port: int, maildir: Path):
        self.maildir = maildir
        super().__init__(("127.0.0.1", port), _MailPage)

    def start(self) -> MailViewer:
        threading.Thread(target=self.serve_forever, daemon=True, name="mail-viewer").start()
        return self


class _MailPage(BaseHTTPRequestHandler):
    server: MailViewer

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        files = sorted(self.server.maildir.glob("*.eml"), reverse=True)
        parts = ["<!doctype html><html lang='da'><meta charset='utf-8'><title>Sendt post</title>",
                 "<body style='font-family:sans-serif;max-width:60rem;margin:auto'><h1>Sendt post (lokal)</h1>"]
        if not files:
            parts.append("<p>Ingen mails endnu.</p>")
        for path in files[:100]:
            msg = message_from_bytes(path.read_bytes(), policy=policy.default)
            body = msg.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
            text = body.get_content() if body else ""
            parts.append(
                f"<article style='border:1px solid #ccc;padding:1rem;margin:1rem 0'>"
                f"<h2 style='font-size:1.1rem'>{html.escape(str(msg['Subject']))}</h2>"
                f"<p>Til: {html.escape(str(msg['To']))} &middot; {html.escape(str(msg['Date']))}</p>"
                f"<pre style='white-space:pre-wrap'>{html.escape(text)}</pre></article>"
            )
        data = "".join(parts).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
