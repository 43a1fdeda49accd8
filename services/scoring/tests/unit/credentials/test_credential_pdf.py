import io

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from scoring.credentials import certificate_pdf
from scoring.credentials.credential import danish_date

pytestmark = pytest.mark.unit


@pytest.fixture
def reader(facts):
    return PdfReader(io.BytesIO(certificate_pdf(facts)))


def test_certificate_pdf_is_one_danish_page_with_the_library_branches_and_dates(reader, facts):
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in (
        "Certifikat",
        "Verdensmålscertificeret bibliotek",
        "Aarhus Kommunes Biblioteker",
        "Dokk1 (DK-775100)",
        "Tranbjerg Bibliotek (DK-775101)",
        f"Tildelt {danish_date(facts.awarded_at.date())}",
        f"Gyldigt til og med {danish_date(facts.valid_until)}",
        "version 2",
        "https://verdensmaal.example.dk/certifikat/9d0c7b1e2f3a4b5c",
    ):
        assert expected in text, expected
    assert reader.metadata.title == "Certifikat – Aarhus Kommunes Biblioteker"


def test_the_qr_code_on_the_certificate_decodes_to_its_verification_page(reader):
    decoded = []
    for picture in reader.pages[0].images:
        image = Image.open(io.BytesIO(picture.data)).convert("L")
        decoded += [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert decoded == ["https://verdensmaal.example.dk/certifikat/9d0c7b1e2f3a4b5c"]


def test_the_certificate_shows_the_badge_image(reader):
    sizes = sorted(Image.open(io.BytesIO(p.data)).size for p in reader.pages[0].images)
    assert (720, 240) in sizes
