"""Photos attached to reports: checked, turned upright and re-encoded without metadata.

A phone photo carries where it was taken (EXIF GPS), the device and sometimes a comment; report
photos are shown to the public and to agencies, so only the pixels are kept. Every photo is
stored as a fresh JPEG whatever it arrived as, with a thumbnail for lists and map pop-ups.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from ioc.errors import InvalidInput

MAX_PHOTO_BYTES = 10 * 1024 * 1024
# A 40 MP limit is above every phone camera but keeps one decoded photo near 120 MB of RAM.
MAX_PHOTO_PIXELS = 40_000_000
THUMBNAIL_SIZE = (480, 480)
MAX_STORED_EDGE = 2560
JPEG_QUALITY = 85
CONTENT_TYPE = "image/jpeg"

# Formats as Pillow detects them from the bytes, never from the file name. MPO is the
# multi-picture JPEG some phones write; its first picture is an ordinary JPEG.
_OPEN_FORMATS = ("JPEG", "PNG", "WEBP")
_ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})
# What Pillow raises for damaged image data (found by fuzzing JPEG, PNG and WebP files).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError)

NOT_SUPPORTED = "not a JPEG, PNG or WebP image"
TOO_LARGE = f"larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB"
TOO_MANY_PIXELS = "image has too many pixels"
DAMAGED = "image data is damaged or incomplete"
EMPTY = "empty file"


@dataclass(frozen=True)
class ProcessedPhoto:
    """A photo ready to store: metadata-free JPEG bytes, its thumbnail and their description."""

    data: bytes
    thumbnail: bytes
    content_type: str
    width: int
    height: int
    sha256: str  # of ``data``, to spot the same photo uploaded twice


def process_photo(raw: bytes, *, field: str) -> ProcessedPhoto:
    """Check an uploaded photo and re-encode it, upright and without metadata, as JPEG.

    ``field`` names the photo in the request (e.g. ``"photos[2]"``) so a refusal tells the
    client which photo failed.

    Raises:
        InvalidInput: the file is empty, larger than :data:`MAX_PHOTO_BYTES`, not a JPEG, PNG
            or WebP image by its content, has more than :data:`MAX_PHOTO_PIXELS` pixels, or
            cannot be fully decoded. ``details["fields"][field]`` gives the reason.
    """
    if not raw:
        raise _refusal(field, EMPTY)
    if len(raw) > MAX_PHOTO_BYTES:
        raise _refusal(field, TOO_LARGE)
    photo = _flatten_to_rgb(_upright(_decode(raw, field=field)))
    photo.thumbnail((MAX_STORED_EDGE, MAX_STORED_EDGE), Image.Resampling.LANCZOS)
    thumbnail = photo.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
    data = _encode_jpeg(photo)
    return ProcessedPhoto(
        data=data,
        thumbnail=_encode_jpeg(thumbnail),
        content_type=CONTENT_TYPE,
        width=photo.width,
        height=photo.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _refusal(field: str, reason: str) -> InvalidInput:
    return InvalidInput(reason, details={"fields": {field: reason}})


def _decode(raw: bytes, *, field: str) -> Image.Image:
    """Sniff the format, check the pixel count from the header, then decode every pixel."""
    with warnings.catch_warnings():
        # Pillow's own bomb guard (a warning above its global limit, an error above twice
        # that) fires inside Image.open; our smaller per-call limit is checked on im.size
        # below, before anything is decompressed, so the global limit is left alone.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(raw), formats=_OPEN_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refusal(field, TOO_MANY_PIXELS) from None
        except UnidentifiedImageError:
            # A JPEG/PNG/WebP signature that Pillow cannot parse is a broken upload, not a
            # wrong file type; telling the two apart saves the citizen a confused retry.
            reason = DAMAGED if _has_supported_signature(raw) else NOT_SUPPORTED
            raise _refusal(field, reason) from None
        except _DECODE_ERRORS:
            raise _refusal(field, DAMAGED) from None
        if image.format not in _ACCEPTED_FORMATS:
            raise _refusal(field, NOT_SUPPORTED)
        if image.width * image.height > MAX_PHOTO_PIXELS:
            raise _refusal(field, TOO_MANY_PIXELS)
        try:
            # Image.open reads only the header; load() decodes it all, so truncation and
            # corrupt data show up here rather than as a grey half-photo on the report.
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refusal(field, TOO_MANY_PIXELS) from None
        except _DECODE_ERRORS:
            raise _refusal(field, DAMAGED) from None
    return image


def _has_supported_signature(raw: bytes) -> bool:
    return raw.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (
        raw[:4] == b"RIFF" and raw[8:12] == b"WEBP"
    )


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation, since the stored photo will have no EXIF to say it."""
    # Parse the EXIF now, then drop the raw block: exif_transpose otherwise re-serialises the
    # EXIF into the result and fails on the malformed tags some phones write, refusing a photo
    # whose pixels are fine. The parsed EXIF (orientation included) stays cached on the image;
    # the rest of info stays too, as "transparency" is needed to flatten a palette PNG.
    image.getexif()
    image.info.pop("exif", None)
    image.info.pop("Raw profile type exif", None)
    return ImageOps.exif_transpose(image)


def _flatten_to_rgb(image: Image.Image) -> Image.Image:
    """Convert to RGB, putting transparent areas on white (JPEG has no alpha channel)."""
    if not image.has_transparency_data:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def _encode_jpeg(image: Image.Image) -> bytes:
    # Pillow writes EXIF, XMP and ICC only when passed to save(), but it copies a JPEG COM
    # comment from im.info on its own; clearing info keeps the uploader's comment out.
    image.info.clear()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()
