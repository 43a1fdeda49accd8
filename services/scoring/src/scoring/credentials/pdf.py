"""The printable certificate: an A4 PDF in Danish (reportlab), with the badge and a QR code (segno)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from scoring.credentials.credential import (
    ACHIEVEMENT_NAME,
    ISSUER_NAME,
    CertificateFacts,
    danish_date,
    verification_page,
)
from scoring.credentials.render import badge_png, font_file

GREEN = "#1b7a3a"
INK = "#1a1a1a"


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str


def _fonts() -> Fonts:
    """DejaVu Sans if the system has it (any character), else Helvetica (WinAnsi covers Danish)."""
    regular, bold = font_file(False), font_file(True)
    if regular and bold:
        # Registering the same name twice is harmless: reportlab keeps the first.
        pdfmetrics.registerFont(TTFont("CertSans", str(regular)))
        pdfmetrics.registerFont(TTFont("CertSans-Bold", str(bold)))
        return Fonts("CertSans", "CertSans-Bold")
    return Fonts("Helvetica", "Helvetica-Bold")


def qr_png(url: str) -> bytes:
    """The QR code of a URL as a PNG (error correction M, 4-module quiet zone)."""
    out = io.BytesIO()
    segno.make_qr(url, error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def certificate_pdf(facts: CertificateFacts) -> bytes:
    """Render the printable certificate of one issuance (Danish)."""
    fonts = _fonts()
    url = verification_page(facts.public_url, facts.certificate_id)
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, pageCompression=1, lang="da-DK")
    page.setTitle(f"Certifikat – {facts.library_name}")
    page.setAuthor(ISSUER_NAME)
    page.setSubject(ACHIEVEMENT_NAME)
    width, height = A4
    left = 25 * mm

    page.setStrokeColor(GREEN)
    page.setLineWidth(3)
    page.roundRect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm, 6 * mm)

    y = height - 40 * mm
    page.setFillColor(GREEN)
    page.setFont(fonts.bold, 30)
    page.drawString(left, y, "Certifikat")
    page.setFillColor(INK)
    page.setFont(fonts.regular, 16)
    page.drawString(left, y - 11 * mm, ACHIEVEMENT_NAME)

    y -= 32 * mm
    page.setFont(fonts.bold, 22)
    page.drawString(left, y, facts.library_name)
    page.setFont(fonts.regular, 12)
    page.drawString(left, y - 8 * mm, f"{facts.municipality} Kommune · ISIL {facts.isil}")

    y -= 22 * mm
    page.setFont(fonts.bold, 12)
    page.drawString(left, y, "Certifikatet omfatter")
    page.setFont(fonts.regular, 11)
    branches = facts.branches or ()
    lines = [f"{b.name} ({b.isil})" for b in branches] or [f"{facts.library_name} ({facts.isil})"]
    for line in lines:
        y -= 6 * mm
        page.drawString(left + 4 * mm, y, f"• {line}")

    y -= 14 * mm
    for label, value in (
        ("Tildelt", danish_date(facts.awarded_at.date())),
        ("Gyldigt til og med", danish_date(facts.valid_until)),
        ("Certificeringsmodel", f"version {facts.model_version}"),
        ("Certifikatnummer", facts.certificate_id),
    ):
        page.setFont(fonts.bold, 11)
        page.drawString(left, y, label)
        page.setFont(fonts.regular, 11)
        page.drawString(left + 48 * mm, y, value)
        y -= 7 * mm

    badge = ImageReader(io.BytesIO(badge_png(facts.library_name, facts.valid_until)))
    page.drawImage(badge, left, 62 * mm, width=90 * mm, height=30 * mm)

    qr_size = 40 * mm
    qr_x = width - 25 * mm - qr_size
    page.drawImage(ImageReader(io.BytesIO(qr_png(url))), qr_x, 52 * mm, width=qr_size, height=qr_size)
    page.setFont(fonts.regular, 8)
    page.drawCentredString(qr_x + qr_size / 2, 48 * mm, "Scan for at bekræfte certifikatet")

    page.setFont(fonts.regular, 10)
    page.drawString(left, 36 * mm, f"Udstedt af {ISSUER_NAME} i samarbejde med Danmarks Biblioteksforening.")
    page.drawString(left, 30 * mm, "Certifikatet er et digitalt bevis (Open Badges 3.0), som alle kan kontrollere på")
    page.setFillColor(GREEN)
    page.drawString(left, 24 * mm, url)
    page.linkURL(url, (left, 22 * mm, left + page.stringWidth(url, fonts.regular, 10), 28 * mm))
    page.showPage()
    page.save()
    return out.getvalue()
