"""Photos attached to reports: checked, turned upright and re-encoded without metadata.

A phone photo carries where it was taken (EXIF GPS), the device and sometimes a comment; report
photos are shown to the public and to agencies, so only the pixels are kept. Every photo is
stored as a fresh JPEG whatever it arrived as, with a thumbnail for lists and map pop-ups.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from ioc.errors import InvalidInput

MAX_PHOTO_BYTES = 10 * 1024 * 1024
# JPEGs above the stored size are decoded at a half, quarter or eighth of their size (the
# codec does it for free), so a 48 MP phone photo costs what a 12 MP one does; 50 MP is above
# every phone's full-resolution mode.
MAX_PHOTO_PIXELS = 50_000_000
# PNG and WebP can only be decoded whole: a few kilobytes of a flat PNG can claim 40 MP and
# cost seconds of CPU. Screenshots and edited photos stay far below 16 MP.
MAX_LOSSLESS_PIXELS = 16_000_000
# What one upload (all of its photos) may decode in total, the CPU budget of one request:
# five 12 MP phone photos fit (about 1.8 s of CPU on the reference machine, BENCHMARKS.md);
# five lossless photos at their limit do not.
DECODE_BUDGET_PIXELS = 64_000_000
THUMBNAIL_SIZE = (480, 480)
MAX_STORED_EDGE = 2560
JPEG_QUALITY = 85
CONTENT_TYPE = "image/jpeg"

# Formats as Pillow detects them from the bytes, never from the file name. MPO is the
# multi-picture JPEG some phones write; its first picture is an ordinary JPEG.
_OPEN_FORMATS = ("JPEG", "PNG", "WEBP")
_ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})
_JPEG_FORMATS = frozenset({"JPEG", "MPO"})
# What Pillow raises for damaged image data (found by fuzzing JPEG, PNG and WebP files).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError)

NOT_SUPPORTED = "not a JPEG, PNG or WebP image"
TOO_LARGE = f"larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB"
TOO_MANY_PIXELS = "image has too many pixels"
OVER_BUDGET = "these photos together have too many pixels; send fewer or smaller ones"
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


def process_photos(raws: Sequence[bytes], *, field: str = "photos") -> list[ProcessedPhoto]:
    """Check and re-encode the photos of one upload, within one decoding budget.

    Every photo's header is read and checked before any pixel is decoded, so an upload that
    would cost more than :data:`DECODE_BUDGET_PIXELS` is refused having spent almost nothing.
    Photos are named ``{field}[i]`` in refusals.

    Raises:
        InvalidInput: as :func:`process_photo`, or the photos together would decode more than
            :data:`DECODE_BUDGET_PIXELS` pixels (the first photo over the budget is named).
    """
    opened = [_open_checked(raw, field=f"{field}[{i}]") for i, raw in enumerate(raws)]
    spent = 0
    for index, image in enumerate(opened):
        spent += image.width * image.height  # after draft(): what will really be decoded
        if spent > DECODE_BUDGET_PIXELS:
            raise _refusal(f"{field}[{index}]", OVER_BUDGET)
    return [_finish(_load(image, field=f"{field}[{i}]")) for i, image in enumerate(opened)]


def process_photo(raw: bytes, *, field: str) -> ProcessedPhoto:
    """Check an uploaded photo and re-encode it, upright and without metadata, as JPEG.

    ``field`` names the photo in the request (e.g. ``"photos[2]"``) so a refusal tells the
    client which photo failed.

    Raises:
        InvalidInput: the file is empty, larger than :data:`MAX_PHOTO_BYTES`, not a JPEG, PNG
            or WebP image by its content, has more pixels than its format allows
            (:data:`MAX_PHOTO_PIXELS` for JPEG, :data:`MAX_LOSSLESS_PIXELS` for PNG and WebP),
            or cannot be fully decoded. ``details["fields"][field]`` gives the reason.
    """
    return _finish(_load(_open_checked(raw, field=field), field=field))


def _finish(image: Image.Image) -> ProcessedPhoto:
    photo = _flatten_to_rgb(_upright(image))
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


def _open_checked(raw: bytes, *, field: str) -> Image.Image:
    """Sniff the format and check the pixel count from the header; nothing is decoded yet.

    A JPEG larger than the stored size is set to decode at a reduced scale (``draft``), so
    its ``size`` afterwards is what :func:`_load` will really decode.
    """
    if not raw:
        raise _refusal(field, EMPTY)
    if len(raw) > MAX_PHOTO_BYTES:
        raise _refusal(field, TOO_LARGE)
    with warnings.catch_warnings():
        # Pillow's own bomb guard (a warning above its global limit, an error above twice
        # that) fires inside Image.open; our smaller per-format limits are checked on im.size
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
    is_jpeg = image.format in _JPEG_FORMATS
    if image.width * image.height > (MAX_PHOTO_PIXELS if is_jpeg else MAX_LOSSLESS_PIXELS):
        raise _refusal(field, TOO_MANY_PIXELS)
    if is_jpeg:
        _reduce_jpeg_decoding(image)
    return image


def _reduce_jpeg_decoding(image: Image.Image) -> None:
    """Ask the JPEG decoder for the smallest scale (1/2, 1/4, 1/8) still at least as large as
    the stored photo: the same stored pixels for a fraction of the decoding work."""
    longest = max(image.size)
    if longest <= MAX_STORED_EDGE:
        return
    ratio = MAX_STORED_EDGE / longest
    wanted = (math.ceil(image.width * ratio), math.ceil(image.height * ratio))
    try:
        image.draft(image.mode, wanted)
    except _DECODE_ERRORS:
        return  # an unusual JPEG the decoder cannot scale: decode it whole, within the limit


def _load(image: Image.Image, *, field: str) -> Image.Image:
    """Decode every pixel, so truncation and corrupt data show up here rather than as a grey
    half-photo on the report."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
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


def photo_location(raw: bytes) -> tuple[float, float] | None:
    """Where a photo says it was taken, ``(lon, lat)`` from its EXIF GPS tags, or ``None``.

    Read from the original bytes, before :func:`process_photos` strips the metadata: channels
    that carry no location of their own (e-mail) take the report's place from it. Damaged,
    missing or impossible coordinates give ``None``.
    """
    try:
        with Image.open(io.BytesIO(raw)) as image:
            gps = image.getexif().get_ifd(_GPS_IFD)
    except _DECODE_ERRORS:
        return None
    try:
        lat = _degrees(gps[_GPS_LATITUDE], gps.get(_GPS_LATITUDE_REF, "N"), "S")
        lon = _degrees(gps[_GPS_LONGITUDE], gps.get(_GPS_LONGITUDE_REF, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return lon, lat


_GPS_IFD = 0x8825
_GPS_LATITUDE_REF, _GPS_LATITUDE, _GPS_LONGITUDE_REF, _GPS_LONGITUDE = 1, 2, 3, 4


def _degrees(value: object, ref: object, negative: str) -> float:
    degrees, minutes, seconds = (float(part) for part in value)  # type: ignore[attr-defined]
    if not all(math.isfinite(part) for part in (degrees, minutes, seconds)):
        raise ValueError("not a number")
    sign = -1.0 if str(ref).strip().upper().startswith(negative) else 1.0
    return sign * (degrees + minutes / 60 + seconds / 3600)
