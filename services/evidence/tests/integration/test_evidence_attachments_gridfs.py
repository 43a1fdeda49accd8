"""Attachments on real GridFS (SecantusDB): round trips, thumbnails, size limits refused before a
byte is stored, content checked from the bytes, no orphan files."""

import io
import zipfile

import pytest
from PIL import Image

from conftest import CARL
from evidence.domain import TooLarge
from evidence.handlers import spool

pytestmark = pytest.mark.integration

MB = 1024 * 1024


def image(fmt: str, size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, format=fmt)
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def stored(db) -> tuple[int, int]:
    return db["files.files"].count_documents({}), db["files.chunks"].count_documents({})


def test_a_jpeg_round_trips_through_gridfs_with_a_jpeg_thumbnail(anna, db):
    item = anna.create()
    data = image("JPEG")
    r = anna.upload(item["id"], data, "Café billede.jpg", "image/jpeg", revision=1)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    attachment = body["attachment"]
    assert attachment["mime"] == "image/jpeg" and attachment["size"] == len(data)
    assert body["item"]["revision"] == 2 and body["item"]["attachments"][0]["id"] == attachment["id"]
    assert stored(db)[0] == 2  # the original and its thumbnail

    download = anna.get(attachment["download_url"])
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Type"] == "image/jpeg"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Caf%C3%A9%20billede.jpg" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    thumb = anna.get(attachment["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.data[:3] == b"\xff\xd8\xff"
    assert max(Image.open(io.BytesIO(thumb.data)).size) == 400
    assert thumb.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("data", "name", "mime"), [
    (PDF, "program.pdf", "application/pdf"),
    (docx(), "referat.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (image("PNG", (20, 20)), "plakat.png", "image/png"),
])
def test_pdf_docx_and_png_are_accepted_and_downloaded_byte_for_byte(anna, data, name, mime):
    item = anna.create()
    r = anna.upload(item["id"], data, name)
    assert r.status_code == 201, r.get_json()
    attachment = r.get_json()["attachment"]
    assert attachment["mime"] == mime
    assert (attachment["thumbnail_url"] is not None) == (mime == "image/png")
    assert anna.get(attachment["download_url"]).data == data


@pytest.mark.parametrize(("data", "name", "code"), [
    (image("PNG", (20, 20)), "rapport.pdf", "extension_mismatch"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200, "foto.jpg", "unsupported_type"),
])
def test_a_file_whose_bytes_contradict_its_name_is_refused_and_nothing_is_stored(anna, db, data, name, code):
    item = anna.create()
    r = anna.upload(item["id"], data, name)
    assert r.status_code == 415 and r.get_json()["type"].endswith(code) and r.get_json()["field"] == "file"
    assert stored(db) == (0, 0)
    assert anna.get(f"/evidence/{item['id']}").get_json()["attachments"] == []


def test_an_upload_over_20_mb_is_refused_without_storing_a_byte(anna, db):
    item = anna.create()
    before = stored(db)
    r = anna.upload(item["id"], b"%PDF-" + b"0" * (20 * MB), "stor.pdf")
    assert r.status_code == 413 and r.get_json()["field"] == "file"
    assert stored(db) == before == (0, 0)
    assert anna.get(f"/evidence/{item['id']}").get_json()["revision"] == 1


def test_the_spool_stops_reading_past_the_limit_when_no_length_is_announced():
    class Endless(io.RawIOBase):
        read_bytes = 0

        def read(self, n=-1):
            self.read_bytes += n
            return b"x" * n

    source = Endless()
    with pytest.raises(TooLarge):
        spool(source, limit=MB)
    assert source.read_bytes <= MB + 256 * 1024


def test_an_upload_taking_the_item_over_100_mb_is_refused_without_storing_a_byte(anna, db):
    item = anna.create()
    # 95 MB already attached (records only: the limit is checked against the recorded sizes).
    fake = [{"file_id": f"f{i}", "filename": f"{i}.pdf", "mime": "application/pdf", "size": 19 * MB}
            for i in range(5)]
    db.items.update_one({"_id": item["id"]}, {"$set": {"attachments": fake}})
    r = anna.upload(item["id"], b"%PDF-" + b"0" * (6 * MB), "sjette.pdf")
    assert r.status_code == 413 and r.get_json()["type"].endswith("item_too_large")
    assert stored(db) == (0, 0)


def test_a_stale_revision_leaves_no_orphan_file_in_gridfs(anna, db):
    item = anna.create()
    anna.patch(f"/evidence/{item['id']}", json={"revision": 1, "participants": 3})
    r = anna.upload(item["id"], image("JPEG", (50, 50)), "sent.jpg", revision=1)
    assert r.status_code == 409 and r.get_json()["field"] == "revision"
    assert stored(db) == (0, 0)


def test_removing_an_attachment_deletes_its_bytes_and_thumbnail(anna, db):
    item = anna.create()
    attachment = anna.upload(item["id"], image("JPEG", (50, 50)), "a.jpg").get_json()["attachment"]
    assert stored(db)[0] == 2
    r = anna.delete(attachment["download_url"])
    assert r.status_code == 200 and r.get_json()["item"]["attachments"] == []
    assert stored(db) == (0, 0)
    assert anna.get(attachment["download_url"]).status_code == 404


def test_another_library_cannot_download_or_upload(anna, as_, db):
    item = anna.create()
    attachment = anna.upload(item["id"], PDF, "p.pdf").get_json()["attachment"]
    carl = as_(CARL)
    assert carl.get(attachment["download_url"]).status_code == 404
    assert carl.upload(item["id"], PDF, "q.pdf").status_code == 404
    assert stored(db)[0] == 1


def test_deleting_a_draft_removes_it_and_its_files_but_a_submitted_item_is_withdrawn_instead(anna, db, as_):
    item = anna.create()
    anna.upload(item["id"], image("JPEG", (50, 50)), "a.jpg")
    assert stored(db)[0] == 2
    assert as_(CARL).delete(f"/evidence/{item['id']}").status_code == 404
    r = anna.delete(f"/evidence/{item['id']}?revision=2")
    assert r.status_code == 204 and r.data == b""
    assert anna.get(f"/evidence/{item['id']}").status_code == 404
    assert stored(db) == (0, 0) and db.items.count_documents({}) == 0
    submitted = anna.create()
    anna.post(f"/evidence/{submitted['id']}/submit", json={"revision": 1})
    r = anna.delete(f"/evidence/{submitted['id']}")
    assert r.status_code == 409 and r.get_json()["current_state"] == "submitted"
    assert anna.get(f"/evidence/{submitted['id']}").get_json()["actions"] == ["withdraw", "share"]
