import io

import pytest
from evidence_builders import image_bytes
from PIL import Image

from evidence.domain.thumbnails import make_thumbnail

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_thumbnail_is_a_jpeg_no_larger_than_the_limit_keeping_the_aspect_ratio(fmt):
    thumb = make_thumbnail(image_bytes(fmt, size=(1200, 600)), max_px=400)
    with Image.open(io.BytesIO(thumb)) as image:
        assert image.format == "JPEG"
        assert image.size == (400, 200)


def test_a_small_image_is_not_enlarged():
    with Image.open(io.BytesIO(make_thumbnail(image_bytes("PNG", size=(40, 30))))) as image:
        assert image.size == (40, 30)


def test_transparent_images_are_flattened_onto_white():
    thumb = make_thumbnail(image_bytes("PNG", size=(50, 50), mode="RGBA"))
    with Image.open(io.BytesIO(thumb)) as image:
        assert image.mode == "RGB"


def test_bytes_that_are_not_an_image_raise():
    with pytest.raises(Exception):  # noqa: B017 - Pillow's UnidentifiedImageError
        make_thumbnail(b"%PDF-1.7 not an image")
