import io
import zipfile

import pytest
from evidence_builders import image_bytes, office_bytes

from evidence.domain import (
    MAX_FILE_BYTES,
    MAX_ITEM_BYTES,
    InvalidField,
    TooLarge,
    Unsupported,
    check_file_size,
    check_item_total,
    check_upload,
    content_disposition,
    detect_type,
    safe_filename,
    sniff_type,
    sniff_zip_type,
)
from evidence.domain.files import DOCX, JPEG, PDF, PNG, WEBP, XLSX, ZIP

pytestmark = pytest.mark.unit

PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.mark.parametrize(("fmt", "mime"), [("PNG", PNG), ("JPEG", JPEG), ("WEBP", WEBP)])
def test_real_images_are_recognised_from_their_first_bytes(fmt, mime):
    assert sniff_type(image_bytes(fmt)[:16]) == mime


def test_a_pdf_is_recognised_and_anything_else_is_not():
    assert sniff_type(PDF_BYTES) == PDF
    assert sniff_type(EXE_BYTES) is None
    assert sniff_type(b"") is None
    assert sniff_type(b"<html><script>") is None


def test_docx_and_xlsx_are_told_apart_by_their_zip_entries():
    docx, xlsx = office_bytes("word/"), office_bytes("xl/")
    assert sniff_type(docx) == ZIP
    assert sniff_zip_type(docx) == DOCX
    assert sniff_zip_type(io.BytesIO(xlsx)) == XLSX
    assert detect_type(docx) == DOCX and detect_type(io.BytesIO(xlsx)) == XLSX


def test_a_file_object_is_left_where_it_was_after_detection():
    stream = io.BytesIO(office_bytes("xl/"))
    assert detect_type(stream) == XLSX
    assert stream.tell() == 0


def test_a_plain_zip_a_macro_workbook_and_a_broken_zip_are_refused():
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("word/readme.txt", "no content types")
    assert detect_type(plain.getvalue()) is None
    assert detect_type(office_bytes("xl/", {"xl/vbaProject.bin": b"\x00"})) is None
    assert detect_type(b"PK\x03\x04 not really a zip") is None


def test_a_real_upload_is_accepted_with_its_true_type_and_a_safe_name():
    data = image_bytes("JPEG")
    accepted = check_upload("Foto fra caféen.JPG", data, size=len(data), declared_type="image/jpeg")
    assert (accepted.mime, accepted.filename) == (JPEG, "Foto fra caféen.jpg")


def test_a_png_renamed_pdf_is_refused():
    data = image_bytes("PNG")
    with pytest.raises(Unsupported) as caught:
        check_upload("rapport.pdf", data, size=len(data), declared_type="application/pdf")
    assert caught.value.code == "extension_mismatch"
    assert ".pdf" in caught.value.message_da and "PNG" in caught.value.message_en


def test_an_executable_renamed_jpg_is_refused():
    with pytest.raises(Unsupported) as caught:
        check_upload("billede.jpg", EXE_BYTES, size=len(EXE_BYTES), declared_type="image/jpeg")
    assert caught.value.code == "unsupported_type"
    assert caught.value.kind == "unsupported"
    assert "JPEG, PNG, WebP, PDF, DOCX" in caught.value.message_da


def test_a_jpeg_hidden_behind_an_executable_name_is_refused():
    data = image_bytes("JPEG")
    with pytest.raises(Unsupported):
        check_upload("setup.jpg.exe", data, size=len(data))


def test_a_declared_type_contradicting_the_bytes_is_refused_but_a_generic_one_is_not():
    data = image_bytes("PNG")
    with pytest.raises(Unsupported) as caught:
        check_upload("graf.png", data, size=len(data), declared_type="application/pdf")
    assert caught.value.code == "type_mismatch"
    assert check_upload("graf", data, size=len(data), declared_type="application/octet-stream").filename == "graf.png"


def test_office_uploads_must_carry_their_own_extension():
    docx = office_bytes("word/")
    assert check_upload("Handleplan 2025.docx", docx, size=len(docx)).mime == DOCX
    with pytest.raises(Unsupported):
        check_upload("Handleplan 2025.xlsx", docx, size=len(docx))


def test_a_file_over_20_mb_is_refused():
    check_file_size(MAX_FILE_BYTES)
    with pytest.raises(TooLarge) as caught:
        check_file_size(MAX_FILE_BYTES + 1)
    assert caught.value.kind == "too_large" and "20 MB" in caught.value.message_da


def test_an_empty_file_is_refused():
    with pytest.raises(InvalidField):
        check_file_size(0)


def test_files_over_100_mb_per_item_are_refused():
    check_item_total([40 * 2**20, 40 * 2**20], 20 * 2**20)
    with pytest.raises(TooLarge) as caught:
        check_item_total([40 * 2**20, 40 * 2**20], 20 * 2**20 + 1)
    assert caught.value.code == "item_too_large" and "100 MB" in caught.value.message_en
    data = image_bytes("PNG")
    with pytest.raises(TooLarge):
        check_upload("a.png", data, size=len(data), existing_sizes=MAX_ITEM_BYTES)


def test_safe_filenames_drop_paths_control_characters_and_quotes():
    assert safe_filename("../../etc/passwd", PDF) == "passwd.pdf"
    assert safe_filename('C:\\Users\\x\\"ond"\r\nnavn.pdf', PDF) == "_ond_navn.pdf"
    assert safe_filename("", PNG) == "fil.png"
    assert safe_filename("a" * 300 + ".png", PNG) == "a" * 120 + ".png"


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name():
    header = content_disposition("Årsrapport æøå.pdf", PDF)
    assert header.startswith('attachment; filename="Aarsrapport aeoeaa.pdf"; ')
    assert "filename*=UTF-8''%C3%85rsrapport%20%C3%A6%C3%B8%C3%A5.pdf" in header
    assert content_disposition("x.png", PNG, inline=True).startswith("inline;")
