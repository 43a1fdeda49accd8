import io
import json
import struct
import xml.etree.ElementTree as ET
import zlib

import pytest
from PIL import Image

from scoring.badge import COLOURS, badge_svg
from scoring.credentials import BakingError, badge_png, bake_png, bake_svg, unbake_png, unbake_svg, verify

pytestmark = pytest.mark.unit

OB = "https://purl.imsglobal.org/ob/v3p0"


def chunks(png: bytes):
    """A PNG chunk reader of the test's own: (type, data) in file order, CRCs checked."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, found = 8, []
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        assert struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])[0] == zlib.crc32(kind + data)
        found.append((kind, data))
        pos += 12 + length
    return found


@pytest.fixture
def baked_png(issued):
    return bake_png(badge_png("Aarhus Kommunes Biblioteker", "2029-01-02"), json.dumps(issued.credential))


def test_png_carries_the_credential_json_in_one_uncompressed_itxt_chunk_before_iend(baked_png, issued):
    found = chunks(baked_png)
    kinds = [k for k, _ in found]
    assert kinds[-1] == b"IEND" and kinds[-2] == b"iTXt" and kinds.count(b"iTXt") == 1
    keyword, rest = found[-2][1].split(b"\x00", 1)
    assert keyword == b"openbadgecredential"
    assert rest[0:2] == b"\x00\x00"  # compression flag and method: none
    language, translated, text = rest[2:].split(b"\x00", 2)
    assert language == b"" and translated == b""
    assert json.loads(text.decode("utf-8")) == issued.credential


def test_pillow_reads_the_baked_text_chunk_and_the_image_is_unchanged(baked_png, issued):
    image = Image.open(io.BytesIO(baked_png))
    image.load()
    assert json.loads(image.text["openbadgecredential"]) == issued.credential
    plain = Image.open(io.BytesIO(badge_png("Aarhus Kommunes Biblioteker", "2029-01-02")))
    assert image.tobytes() == plain.tobytes()


def test_baking_again_replaces_the_credential_rather_than_adding_a_second(baked_png, issued):
    again = bake_png(baked_png, issued.jwt)
    assert [k for k, _ in chunks(again)].count(b"iTXt") == 1
    assert unbake_png(again) == issued.jwt


def test_svg_carries_the_jwt_in_the_verify_attribute_of_openbadges_credential(issued):
    svg = bake_svg(
        badge_svg({"status": "valid", "library_name": "Aarhus", "valid_until": "2029-01-02"}), jwt=issued.jwt
    )
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    first = root[0]
    assert first.tag == f"{{{OB}}}credential"
    assert first.get("verify") == issued.jwt
    assert len(root.findall(f".//{{{OB}}}credential")) == 1
    assert root.find("{http://www.w3.org/2000/svg}title").text == "Verdensmålscertificeret bibliotek"
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in svg


def test_svg_can_carry_the_json_form_in_cdata_and_both_unbake(issued):
    svg = bake_svg(badge_svg({"status": "valid", "library_name": "A"}), credential_json=json.dumps(issued.credential))
    assert "<![CDATA[" in svg
    element = ET.fromstring(svg.encode("utf-8")).find(f"{{{OB}}}credential")
    assert json.loads(element.text) == issued.credential
    assert json.loads(unbake_svg(svg)) == issued.credential


def test_baked_png_and_svg_verify(baked_png, issued, status_list, keys, now):
    svg = bake_svg(badge_svg({"status": "valid", "library_name": "A"}), jwt=issued.jwt)
    for data, source, proof in ((baked_png, "png", "DataIntegrityProof"), (svg.encode(), "svg", "vc+jwt")):
        result = verify(data, keys=keys, now=now, status_list=status_list.credential)
        assert result.verified, result.checks
        assert result.source == source and result.proof.startswith(proof)


def test_a_badge_without_a_credential_and_a_broken_file_are_reported_not_raised(keys, now):
    plain = badge_png("A", None)
    assert unbake_png(plain) is None
    assert verify(plain, keys=keys, now=now).outcome == "malformed"
    assert verify(plain[:-20], keys=keys, now=now).outcome == "malformed"
    with pytest.raises(BakingError):
        bake_png(b"GIF89a", "x")
    evil = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'
    assert verify(evil, keys=keys, now=now).outcome == "malformed"


def test_png_badge_looks_like_the_svg_badge(now):
    image = Image.open(io.BytesIO(badge_png("Aarhus Kommunes Biblioteker", "2029-01-02"))).convert("RGB")
    assert image.size == (720, 240)
    green = tuple(int(COLOURS["valid"][i : i + 2], 16) for i in (1, 3, 5))
    assert image.getpixel((6, 120)) == green  # the ring
    assert image.getpixel((672, 48)) == green  # the status dot
    assert image.getpixel((600, 210)) == (255, 255, 255)  # inside, clear of the text
    revoked = Image.open(io.BytesIO(badge_png("A", None, status="revoked"))).convert("RGB")
    assert revoked.getpixel((6, 120)) != green
