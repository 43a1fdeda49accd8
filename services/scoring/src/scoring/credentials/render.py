"""The certificate's badge as a PNG (Pillow), drawn like the SVG badge of `scoring.badge`, twice its size.

Fonts: DejaVu Sans when the system has it (Debian's fonts-dejavu-core), otherwise Pillow's own
scalable default font, so rendering never fails on a slim image.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from scoring.badge import COLOURS, STATUS_DA, TITLE

SCALE = 2
WIDTH, HEIGHT = 360 * SCALE, 120 * SCALE
INK = "#1a1a1a"
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def font_file(bold: bool = False) -> Path | None:
    """The DejaVu Sans file (bold or regular) if the system has one."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return next((d / name for d in FONT_DIRS if (d / name).is_file()), None)


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = font_file(bold)
    return ImageFont.truetype(str(path), size) if path else ImageFont.load_default(size)


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, bold: bool, width: int):
    """The largest font not above `size` at which `text` fits in `width` pixels (down to 60 %)."""
    for candidate in range(size, int(size * 0.6), -1):
        font = _font(candidate, bold)
        if draw.textlength(text, font=font) <= width:
            return font
    return _font(int(size * 0.6), bold)


def badge_lines(library_name: str, valid_until: date | str | None, status: str = "valid") -> list[str]:
    """The badge's lines, the same as the SVG badge's: name, title, status, valid until."""
    until = valid_until.isoformat() if isinstance(valid_until, date) else valid_until
    lines = [library_name, TITLE, STATUS_DA.get(status, status)] + ([f"Gyldigt til {until}"] if until else [])
    return [line for line in lines if line]


def badge_png(library_name: str, valid_until: date | str | None, status: str = "valid") -> bytes:
    """Render the badge as PNG bytes (720 x 240 px)."""
    colour = COLOURS.get(status, "#6b6b6b")
    image = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    draw = ImageDraw.Draw(image)
    s = SCALE
    draw.rounded_rectangle(
        (2 * s, 2 * s, WIDTH - 2 * s - 1, HEIGHT - 2 * s - 1), radius=10 * s, outline=colour, width=4 * s
    )
    draw.ellipse((326 * s, 14 * s, 346 * s, 34 * s), fill=colour)
    for i, line in enumerate(badge_lines(library_name, valid_until, status)):
        first = i == 0
        # The first line stops short of the status dot; the others have the full width.
        font = _fit(draw, line, (15 if first else 13) * s, first, (300 if first else 328) * s)
        draw.text((16 * s, (30 + 22 * i) * s), line, font=font, fill=INK, anchor="ls")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
