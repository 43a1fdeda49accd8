"""Make small JPEG previews of image attachments with Pillow (the service calls it on upload)."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

MAX_SOURCE_PIXELS = 50_000_000  # refuse decompression bombs well before they reach memory


def make_thumbnail(data: bytes, max_px: int = 400) -> bytes:
    """Return a JPEG no larger than max_px on its longest side, upright per EXIF, alpha on white."""
    with Image.open(io.BytesIO(data)) as image:
        if image.width * image.height > MAX_SOURCE_PIXELS:
            raise ValueError("image too large to thumbnail")
        image.draft("RGB", (max_px, max_px))  # lets JPEG decode at a reduced scale
        picture = ImageOps.exif_transpose(image)
        picture.thumbnail((max_px, max_px))
        if picture.mode in ("RGBA", "LA") or (picture.mode == "P" and "transparency" in picture.info):
            rgba = picture.convert("RGBA")
            background = Image.new("RGB", rgba.size, (255, 255, 255))
            background.paste(rgba, mask=rgba.getchannel("A"))
            picture = background
        elif picture.mode != "RGB":
            picture = picture.convert("RGB")
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=85, optimize=True)
        return out.getvalue()
