"""Uploads sent with chunked transfer encoding (no Content-Length) through the real app on real
GridFS: the announced-length check cannot help, so the capped body and the spool must refuse a
file over 20 MB with 413 problem+json naming `file` before anything reaches GridFS.

The request is the WSGI environ a server such as gunicorn builds for a chunked body: no
CONTENT_LENGTH, `Transfer-Encoding: chunked`, `wsgi.input_terminated` set and the de-chunked
bytes as `wsgi.input` (whose position tells how much the app read). One test also sends real
chunked HTTP to the app behind werkzeug's server."""

import http.client
import io
import json
import threading

import pytest
from chora_testing.identity import sign_for
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder, run_wsgi_app

from conftest import ANNA

pytestmark = pytest.mark.integration

MB = 1024 * 1024
PDF_HEAD = b"%PDF-1.4\n"
BOUNDARY = "chora-chunked-boundary"


def multipart(data: bytes, filename: str, content_type: str = "application/pdf", **form) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in form.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def signed_upload(key, item_id) -> str:
    """ANNA's identity signed for a chunked upload to the item (bound to its type, no length)."""
    return sign_for(key, "evidence", ANNA, "POST", f"/evidence/{item_id}/attachments",
                    content_type=f"multipart/form-data; boundary={BOUNDARY}")


def chunked_upload(app, key, item_id, body: bytes):
    """POST `body` as a chunked request (no Content-Length); return (response, bytes the app read)."""
    environ = EnvironBuilder(
        path=f"/evidence/{item_id}/attachments", method="POST",
        headers={"X-Chora-Identity": signed_upload(key, item_id), "Transfer-Encoding": "chunked"},
    ).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    stream = io.BytesIO(body)
    environ.update({"CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}", "wsgi.input": stream,
                    "wsgi.input_terminated": True})
    app_iter, status, headers = run_wsgi_app(app, environ, buffered=True)
    response = app.response_class(app_iter, status=status, headers=headers)
    return response, stream.tell()  # the position of the body stream: how much the app read


def stored(db) -> tuple[int, int]:
    return db["files.files"].count_documents({}), db["files.chunks"].count_documents({})


def test_the_request_really_has_no_content_length(app, settings, anna):
    seen = {}

    @app.before_request
    def record():
        from flask import request

        seen["content_length"] = request.content_length
        seen["header"] = request.headers.get("Content-Length")

    item = anna.create()
    seen.clear()
    chunked_upload(app, settings.identity_secret, item["id"], multipart(PDF_HEAD + b"%%EOF\n", "lille.pdf"))
    assert seen == {"content_length": None, "header": None}


@pytest.mark.parametrize("extra", [1, 5 * MB], ids=["just-over-20MB", "25MB"])
def test_a_chunked_upload_over_20_mb_is_413_naming_the_file_and_stores_nothing(app, settings, anna, db, extra):
    item = anna.create()
    anna.upload(item["id"], PDF_HEAD + b"%%EOF\n", "allerede.pdf")  # so the counts are not trivially zero
    before = stored(db)
    body = multipart(PDF_HEAD + b"0" * (20 * MB - len(PDF_HEAD) + extra), "stor.pdf", revision=2)
    response, read = chunked_upload(app, settings.identity_secret, item["id"], body)
    assert response.status_code == 413, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["field"] == "file" and problem["type"].endswith("file_too_large")
    assert problem["detail"] and problem["detail_en"]
    assert stored(db) == before
    # The body is capped: never much more than the limit is read, however much is sent.
    assert read <= 20 * MB + 512 * 1024
    after = anna.get(f"/evidence/{item['id']}").get_json()
    assert after["revision"] == 2 and [a["filename"] for a in after["attachments"]] == ["allerede.pdf"]


def test_a_small_chunked_upload_is_stored(app, settings, anna, db):
    item = anna.create()
    data = PDF_HEAD + b"1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response, _ = chunked_upload(app, settings.identity_secret, item["id"], multipart(data, "program.pdf", revision=1))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["attachment"]["size"] == len(data) and body["item"]["revision"] == 2
    assert stored(db) == (1, 1)
    assert anna.get(body["attachment"]["download_url"]).data == data


@pytest.fixture
def served(app):
    """The app behind a real werkzeug HTTP server (which de-chunks request bodies itself)."""
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join()
    server.server_close()


def send_chunked(port, key, item_id, body: bytes, chunk=64 * 1024):
    """POST `body` over a socket with Transfer-Encoding: chunked, as http.client encodes it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(
            "POST", f"/evidence/{item_id}/attachments", encode_chunked=True,
            body=(body[i:i + chunk] for i in range(0, len(body), chunk)),
            headers={"X-Chora-Identity": signed_upload(key, item_id),
                     "Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Transfer-Encoding": "chunked"},
        )
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), json.loads(response.read())
    finally:
        connection.close()


def test_over_a_real_http_connection_a_chunked_upload_is_stored_and_one_over_20_mb_refused(
        served, settings, anna, db):
    item = anna.create()
    status, _, body = send_chunked(served, settings.identity_secret, item["id"],
                                   multipart(PDF_HEAD + b"%%EOF\n", "lille.pdf", revision=1))
    assert status == 201, body
    assert body["attachment"]["filename"] == "lille.pdf" and stored(db) == (1, 1)

    status, content_type, problem = send_chunked(
        served, settings.identity_secret, item["id"], multipart(PDF_HEAD + b"0" * (20 * MB), "stor.pdf", revision=2))
    assert status == 413 and content_type == "application/problem+json"
    assert problem["field"] == "file" and problem["type"].endswith("file_too_large")
    assert stored(db) == (1, 1)
    assert anna.get(f"/evidence/{item['id']}").get_json()["revision"] == 2
