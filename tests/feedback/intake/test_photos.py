"""Uploaded photos are checked by content and stored upright, as JPEG, without metadata."""

from __future__ import annotations

import hashlib
import io
import math
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from ioc.errors import InvalidInput
from ioc.feedback.intake.photos import (
    DECODE_BUDGET_PIXELS,
    MAX_LOSSLESS_PIXELS,
    MAX_PHOTO_BYTES,
    MAX_PHOTO_PIXELS,
    MAX_STORED_EDGE,
    OVER_BUDGET,
    THUMBNAIL_SIZE,
    ProcessedPhoto,
    process_photo,
    process_photos,
)

FIELD = "photos[2]"
XMP_NS = b"http://ns.adobe.com/xap/1.0/"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:xmp="' + XMP_NS + b'" xmp:CreatorTool="Redmi-Note-13"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def encode(image: Image.Image, image_format: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **params)
    return buffer.getvalue()


def camera_exif(orientation: int | None = None) -> Image.Exif:
    """EXIF as a phone writes it: the camera model and where the photo was taken (Hà Nội)."""
    exif = Image.Exif()
    exif[0x0110] = "Camera"
    if orientation is not None:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (21.0, 1.0, 42.5)
    gps[3], gps[4] = "E", (105.0, 51.0, 14.5)
    return exif


def photo_with_metadata(image_format: str = "JPEG") -> bytes:
    params: dict[str, object] = {"exif": camera_exif(), "xmp": XMP}
    if image_format == "JPEG":
        params["comment"] = b"secret"
    if image_format == "PNG":
        # Pillow's PNG writer ignores xmp=; XMP goes in an iTXt chunk, as phones write it.
        text_chunks = PngImagePlugin.PngInfo()
        text_chunks.add_itxt("XML:com.adobe.xmp", XMP.decode())
        params["pnginfo"] = text_chunks
    raw = encode(Image.new("RGB", (100, 50), "green"), image_format, **params)
    # The input really carries what the stored photo must not.
    exif = Image.open(io.BytesIO(raw)).getexif()
    assert exif[0x0110] == "Camera"
    assert exif.get_ifd(0x8825)[1] == "N"
    assert XMP_NS in raw
    assert (b"secret" in raw) == (image_format == "JPEG")
    return raw


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""
    raw = bytearray(encode(Image.new("1", (1, 1)), "PNG"))
    header = raw[16:29]  # IHDR data follows the 8-byte signature, length and chunk type
    header[0:8] = struct.pack(">II", width, height)
    raw[16:29] = header
    raw[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(header)))
    return bytes(raw)


def refusal_reason(raw: bytes) -> str:
    with pytest.raises(InvalidInput) as caught:
        process_photo(raw, field=FIELD)
    assert set(caught.value.details["fields"]) == {FIELD}
    return caught.value.details["fields"][FIELD]


def stored_images(photo: ProcessedPhoto) -> list[tuple[bytes, Image.Image]]:
    return [(data, Image.open(io.BytesIO(data))) for data in (photo.data, photo.thumbnail)]


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_stored_photo_and_thumbnail_have_no_exif_or_gps(image_format):
    photo = process_photo(photo_with_metadata(image_format), field=FIELD)

    for data, image in stored_images(photo):
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
        assert b"Exif\x00\x00" not in data
        assert b"Camera" not in data


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_stored_photo_and_thumbnail_have_no_xmp(image_format):
    photo = process_photo(photo_with_metadata(image_format), field=FIELD)

    for data, image in stored_images(photo):
        assert "xmp" not in image.info
        assert XMP_NS not in data
        assert b"Redmi-Note-13" not in data


def test_jpeg_comment_is_not_carried_into_stored_photo_or_thumbnail():
    photo = process_photo(photo_with_metadata("JPEG"), field=FIELD)

    for data, image in stored_images(photo):
        assert "comment" not in image.info
        assert b"secret" not in data


def test_stored_photo_has_no_icc_profile():
    source = Image.new("RGB", (40, 30), "blue")
    raw = encode(source, "JPEG", icc_profile=b"\x00" * 128 + b"secret-icc")

    photo = process_photo(raw, field=FIELD)

    for data, image in stored_images(photo):
        assert "icc_profile" not in image.info
        assert b"secret-icc" not in data


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_exif_orientation_is_applied_before_exif_is_dropped(image_format):
    # Left half red, right half blue; orientation 6 means "turn 90° clockwise to view",
    # so the viewer sees red on top.
    source = Image.new("RGB", (100, 50), "blue")
    source.paste("red", (0, 0, 50, 50))
    raw = encode(source, image_format, exif=camera_exif(orientation=6), quality=95)

    photo = process_photo(raw, field=FIELD)

    assert (photo.width, photo.height) == (50, 100)
    stored = Image.open(io.BytesIO(photo.data)).convert("RGB")
    assert stored.size == (50, 100)
    top_red, _, top_blue = stored.getpixel((25, 20))
    bottom_red, _, bottom_blue = stored.getpixel((25, 80))
    assert top_red > 200 > top_blue
    assert bottom_blue > 200 > bottom_red
    assert Image.open(io.BytesIO(photo.thumbnail)).size == (50, 100)


def test_photo_with_malformed_exif_is_accepted_and_turned_upright():
    # A RATIONAL tag stored as text: Pillow reads it, but fails if asked to write it back.
    entries = [
        struct.pack("<HHIHH", 0x0112, 3, 1, 6, 0),  # Orientation = 6
        struct.pack("<HHI", 0x011A, 2, 4) + b"abc\x00",  # XResolution as ASCII
    ]
    tiff = b"II*\x00" + struct.pack("<IH", 8, len(entries)) + b"".join(entries) + b"\0" * 4
    raw = encode(Image.new("RGB", (100, 50)), "JPEG", exif=b"Exif\x00\x00" + tiff)

    photo = process_photo(raw, field=FIELD)

    assert (photo.width, photo.height) == (50, 100)


def test_png_transparency_is_flattened_onto_white():
    source = Image.new("RGBA", (40, 30), (255, 0, 0, 0))
    source.paste((0, 0, 0, 255), (0, 0, 20, 30))

    photo = process_photo(encode(source, "PNG"), field=FIELD)

    stored = Image.open(io.BytesIO(photo.data))
    assert stored.mode == "RGB"
    assert all(channel > 245 for channel in stored.getpixel((35, 15)))
    assert all(channel < 10 for channel in stored.getpixel((5, 15)))


def test_palette_png_transparency_is_flattened_onto_white():
    source = Image.new("P", (40, 30), 0)
    source.putpalette([0, 0, 0, 255, 0, 0])
    raw = encode(source, "PNG", transparency=0)

    photo = process_photo(raw, field=FIELD)

    assert all(channel > 245 for channel in Image.open(io.BytesIO(photo.data)).getpixel((5, 5)))


def test_webp_is_accepted_and_stored_as_jpeg():
    raw = encode(Image.new("RGBA", (64, 48), (0, 128, 0, 255)), "WEBP")

    photo = process_photo(raw, field=FIELD)

    assert photo.content_type == "image/jpeg"
    assert (photo.width, photo.height) == (64, 48)
    assert Image.open(io.BytesIO(photo.data)).format == "JPEG"


def test_multi_picture_jpeg_from_a_phone_is_accepted():
    first, second = Image.new("RGB", (64, 48), "red"), Image.new("RGB", (64, 48), "blue")
    raw = encode(first, "MPO", save_all=True, append_images=[second])

    photo = process_photo(raw, field=FIELD)

    assert (photo.width, photo.height) == (64, 48)


def test_large_photo_is_downscaled_to_the_longest_stored_edge():
    raw = encode(Image.new("RGB", (4000, 2000), "gray"), "JPEG")

    photo = process_photo(raw, field=FIELD)

    assert (photo.width, photo.height) == (MAX_STORED_EDGE, MAX_STORED_EDGE // 2)
    assert Image.open(io.BytesIO(photo.data)).size == (photo.width, photo.height)


def test_thumbnail_fits_within_thumbnail_size_keeping_the_aspect_ratio():
    raw = encode(Image.new("RGB", (1200, 1600), "gray"), "JPEG")

    photo = process_photo(raw, field=FIELD)

    assert Image.open(io.BytesIO(photo.thumbnail)).size == (360, THUMBNAIL_SIZE[1])


def test_small_photo_is_not_enlarged():
    photo = process_photo(encode(Image.new("RGB", (100, 50)), "PNG"), field=FIELD)

    assert (photo.width, photo.height) == (100, 50)
    assert Image.open(io.BytesIO(photo.thumbnail)).size == (100, 50)


def test_stored_jpeg_is_progressive():
    photo = process_photo(encode(Image.new("RGB", (100, 50)), "PNG"), field=FIELD)

    assert Image.open(io.BytesIO(photo.data)).info.get("progressive") == 1


def test_sha256_is_of_the_stored_bytes():
    photo = process_photo(photo_with_metadata(), field=FIELD)

    assert photo.sha256 == hashlib.sha256(photo.data).hexdigest()


@pytest.mark.parametrize(
    ("image_format", "mode"),
    [("GIF", "P"), ("BMP", "RGB"), ("TIFF", "RGB"), ("PDF", "RGB"), ("ICO", "RGBA")],
)
def test_other_image_formats_are_refused_whatever_their_name(image_format, mode):
    raw = encode(Image.new(mode, (32, 32)), image_format)

    assert refusal_reason(raw) == "not a JPEG, PNG or WebP image"


def test_text_file_is_refused():
    assert refusal_reason("Đường bị ngập".encode()) == "not a JPEG, PNG or WebP image"


def test_empty_file_is_refused():
    assert refusal_reason(b"") == "empty file"


def test_file_over_the_size_limit_is_refused():
    raw = encode(Image.new("RGB", (8, 8)), "JPEG")
    oversized = raw + b"\0" * (MAX_PHOTO_BYTES + 1 - len(raw))

    assert refusal_reason(oversized) == "larger than 10 MB"


def test_truncated_jpeg_is_refused():
    raw = encode(Image.effect_noise((200, 150), 50).convert("RGB"), "JPEG")

    assert refusal_reason(raw[: len(raw) // 2]) == "image data is damaged or incomplete"


def test_truncated_png_is_refused():
    raw = encode(Image.effect_noise((200, 150), 50).convert("RGB"), "PNG")

    assert refusal_reason(raw[: len(raw) // 2]) == "image data is damaged or incomplete"


def test_jpeg_cut_inside_its_header_is_reported_as_damaged():
    raw = encode(Image.new("RGB", (8, 8)), "JPEG")

    assert refusal_reason(raw[:20]) == "image data is damaged or incomplete"


@pytest.mark.parametrize(
    "size",
    [
        (7000, 6000),  # over our limits, under Pillow's own
        (10000, 10000),  # over Pillow's warning limit
        (20000, 20000),  # over Pillow's error limit
    ],
)
def test_image_claiming_too_many_pixels_is_refused_before_decoding(size):
    assert refusal_reason(png_claiming(*size)) == "image has too many pixels"


def test_small_file_that_decompresses_to_a_huge_image_is_refused():
    bomb = encode(Image.new("1", (20000, 20000)), "PNG")
    assert len(bomb) < 100_000

    assert refusal_reason(bomb) == "image has too many pixels"


def test_processing_leaves_pillows_global_pixel_limit_alone():
    before = Image.MAX_IMAGE_PIXELS

    process_photo(encode(Image.new("RGB", (10, 10)), "PNG"), field=FIELD)

    assert before == Image.MAX_IMAGE_PIXELS


def test_refusal_names_the_photo_in_its_details():
    with pytest.raises(InvalidInput) as caught:
        process_photo(b"", field=FIELD)

    assert caught.value.message == "empty file"
    assert caught.value.to_dict()["details"] == {"fields": {FIELD: "empty file"}}


# ---- what one upload may cost ----


def test_a_39_megapixel_png_in_a_tiny_body_is_refused_from_its_header():
    # 7280 x 5456 = 39.7 MP: a flat PNG this size is a few kilobytes and seconds of CPU.
    # The header-only file cannot be decoded, so "too many pixels" proves nothing was.
    assert refusal_reason(png_claiming(7280, 5456)) == "image has too many pixels"


def test_a_png_over_the_lossless_limit_is_refused_though_a_jpeg_that_size_is_not():
    side = math.isqrt(MAX_LOSSLESS_PIXELS) + 1

    assert refusal_reason(png_claiming(side, side)) == "image has too many pixels"
    assert MAX_LOSSLESS_PIXELS < side * side < MAX_PHOTO_PIXELS


def test_a_large_jpeg_is_decoded_at_a_reduced_size_and_stored_at_the_longest_edge():
    raw = encode(Image.new("RGB", (6400, 4800), "red"), "JPEG")

    photo = process_photo(raw, field=FIELD)

    assert (photo.width, photo.height) == (MAX_STORED_EDGE, 1920)
    assert Image.open(io.BytesIO(photo.data)).getpixel((100, 100))[0] > 240


def test_jpegs_count_against_the_upload_budget_at_their_reduced_size():
    # 30.7 MP each by their headers, 92 MP together; decoded at half size, 23 MP.
    raws = [encode(Image.new("RGB", (6400, 4800), "blue"), "JPEG")] * 3

    photos = process_photos(raws)

    assert [p.width for p in photos] == [MAX_STORED_EDGE] * 3


def test_an_upload_over_the_decoding_budget_is_refused_before_anything_is_decoded():
    # Each is under the per-photo limit; together they are over the budget. Header-only
    # files fail to decode, so the budget refusal proves none was decoded.
    per_photo = png_claiming(4000, 3900)
    count = DECODE_BUDGET_PIXELS // (4000 * 3900) + 1

    with pytest.raises(InvalidInput) as caught:
        process_photos([per_photo] * count)

    assert caught.value.details["fields"] == {f"photos[{count - 1}]": OVER_BUDGET}


def test_a_normal_phone_photo_fits_the_budget_five_times():
    raw = encode(Image.new("RGB", (4032, 3024), "green"), "JPEG")

    photos = process_photos([raw] * 5)

    assert len(photos) == 5
    assert {(p.width, p.height) for p in photos} == {(MAX_STORED_EDGE, 1920)}
