"""Baking credentials into badge images and reading them back, as Open Badges 3.0 section 5.3 says.

PNG: one uncompressed `iTXt` chunk with keyword `openbadgecredential`, inserted just before `IEND`,
whose text is the JSON of the credential (when it carries its embedded proof) or the compact JWS.
SVG: an `<openbadges:credential>` element (namespace `https://purl.imsglobal.org/ob/v3p0`) right
after the `<svg>` start tag, with the JWS in its `verify` attribute, or the JSON in a CDATA body.

The PNG chunk is written by hand (struct and zlib's CRC-32): Pillow can only add text chunks by
re-encoding the whole image, and the spec wants the image data left as it is. Unbaking parses the
chunk list by hand too, stopping at the first matching chunk, so a large upload is not decoded.
"""

from __future__ import annotations

import struct
import zlib

from lxml import etree

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
MAX_BADGE_BYTES = 5 * 1024 * 1024


class BakingError(ValueError):
    """The image is not a PNG or SVG we can bake into or read from."""


def _chunks(png: bytes):
    """Yield (type, data, start offset) for each chunk; raise BakingError if the stream is broken."""
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image")
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(png):
            raise BakingError("the PNG is cut short")
        data = png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : end])
        if zlib.crc32(kind + data) != crc:
            raise BakingError(f"the PNG's {kind.decode('latin-1')} chunk is damaged")
        yield kind, data, pos
        if kind == b"IEND":
            return
        pos = end
    raise BakingError("the PNG has no IEND chunk")


def _itxt(text: str) -> bytes:
    # keyword, NUL, compression flag 0, method 0, empty language tag + NUL, empty translation + NUL, text
    data = KEYWORD + b"\x00" + b"\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")
    return struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", zlib.crc32(b"iTXt" + data))


def _parse_itxt(data: bytes) -> tuple[bytes, str] | None:
    keyword, sep, rest = data.partition(b"\x00")
    if not sep or len(rest) < 2:
        return None
    compressed, _method, rest = rest[0], rest[1], rest[2:]
    _language, _, rest = rest.partition(b"\x00")
    _translated, _, text = rest.partition(b"\x00")
    if compressed:
        # The spec forbids compression; read it anyway rather than reject a badge made elsewhere.
        # Bounded, so a small upload cannot expand into gigabytes.
        text = zlib.decompressobj().decompress(text, MAX_BADGE_BYTES)
    return keyword, text.decode("utf-8")


def bake_png(png: bytes, text: str) -> bytes:
    """Return the PNG with `text` (credential JSON or compact JWS) in an openbadgecredential chunk."""
    out, last = [], len(PNG_SIGNATURE)
    for kind, data, start in _chunks(png):
        if kind == b"iTXt" and (_parse_itxt(data) or (b"",))[0] == KEYWORD:
            # Only one such chunk may exist: replace what an earlier baking left.
            out.append(png[last:start])
            last = start + 12 + len(data)
        elif kind == b"IEND":
            out.append(png[last:start])
            return PNG_SIGNATURE + b"".join(out) + _itxt(text) + png[start:]
    raise BakingError("the PNG has no IEND chunk")  # _chunks raises first; kept for type checkers


def unbake_png(png: bytes) -> str | None:
    """The text of the first openbadgecredential iTXt chunk, or None if the PNG carries none."""
    for kind, data, _ in _chunks(png):
        if kind == b"iTXt":
            parsed = _parse_itxt(data)
            if parsed and parsed[0] == KEYWORD:
                return parsed[1]
    return None


def _parser() -> etree.XMLParser:
    # Uploaded SVGs are untrusted: no entities, no DTD, no network, no huge trees.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _parse_svg(svg: str | bytes) -> etree._Element:
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    if len(data) > MAX_BADGE_BYTES:
        raise BakingError("the SVG is too large")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise BakingError(f"not a well-formed SVG: {exc}") from exc
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise BakingError("not an SVG image")
    return root


def bake_svg(svg: str, *, jwt: str | None = None, credential_json: str | None = None) -> str:
    """Return the SVG with an openbadges:credential element: the JWS in `verify`, or the JSON in CDATA."""
    if (jwt is None) == (credential_json is None):
        raise ValueError("bake either a JWT or a credential's JSON")
    old = _parse_svg(svg)
    nsmap = {k: v for k, v in old.nsmap.items() if v != OB_NAMESPACE} | {"openbadges": OB_NAMESPACE}
    root = etree.Element(old.tag, attrib=dict(old.attrib), nsmap=nsmap)
    root.text = old.text
    element = etree.SubElement(root, f"{{{OB_NAMESPACE}}}credential")
    if jwt is not None:
        element.set("verify", jwt)
    else:
        element.text = etree.CDATA(credential_json)
    element.tail = old.text
    for child in old:
        if child.tag != f"{{{OB_NAMESPACE}}}credential":
            root.append(child)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8") + "\n"


def unbake_svg(svg: str | bytes) -> str | None:
    """The JWS (from `verify`) or credential JSON (the element's text) of the first openbadges:credential."""
    root = _parse_svg(svg)
    element = next(root.iter(f"{{{OB_NAMESPACE}}}credential"), None)
    if element is None:
        return None
    verify = element.get("verify")
    if verify:
        return verify.strip()
    return (element.text or "").strip() or None
