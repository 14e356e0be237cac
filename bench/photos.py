"""What does one photo upload cost in CPU? The whole photo step of intake — header checks,
decoding (reduced for large JPEGs), turning upright, re-encoding photo and thumbnail — for
the uploads the issue measured and for ordinary ones.

    .venv/bin/python bench/photos.py [--rounds 5]

Each case is built once in memory (a photo-like picture: gradients with grain, so the JPEG
encoder has real work), then processed ``--rounds`` times with ``process_photos``; the CPU
time (``time.process_time``) and wall time per upload are printed as min / median / max.
Refused cases print the refusal. Nothing touches a database or the disk.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

from PIL import Image, ImageFilter

from ioc.errors import InvalidInput
from ioc.feedback.intake.photos import process_photos


def photo_like(width: int, height: int) -> Image.Image:
    """Smooth colour gradients with fine grain, about as hard to encode as a daylight photo."""
    base = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize((width, height)),
            Image.radial_gradient("L").resize((width, height)),
            Image.linear_gradient("L").rotate(90).resize((width, height)),
        ),
    )
    grain = Image.effect_noise((width, height), 24).convert("RGB")
    return Image.blend(base, grain, 0.15).filter(ImageFilter.SMOOTH)


def encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def cases() -> list[tuple[str, Callable[[], list[bytes]]]]:
    return [
        ("phone photo, 1920x1440 JPEG (as the app sends it)",
         lambda: [encoded(photo_like(1920, 1440), "JPEG", quality=88)]),
        ("12 MP JPEG, 4032x3024",
         lambda: [encoded(photo_like(4032, 3024), "JPEG", quality=88)]),
        ("48 MP JPEG, 8064x6048 (decoded at half size)",
         lambda: [encoded(photo_like(8064, 6048), "JPEG", quality=80)]),
        ("five 12 MP JPEGs in one upload",
         lambda: [encoded(photo_like(4032, 3024), "JPEG", quality=88)] * 5),
        ("39.7 MP PNG, 7280x5456, flat (refused)",
         lambda: [encoded(Image.new("RGB", (7280, 5456), "white"), "PNG", optimize=True)]),
        ("five 39.7 MP flat PNGs in one upload (refused)",
         lambda: [encoded(Image.new("RGB", (7280, 5456), "white"), "PNG", optimize=True)] * 5),
    ]  # fmt: skip


def measure(raws: list[bytes], rounds: int) -> tuple[list[float], list[float], str]:
    cpu, wall, outcome = [], [], ""
    for _ in range(rounds):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        try:
            process_photos(raws)
            outcome = "stored"
        except InvalidInput as refusal:
            outcome = f"refused: {refusal.details['fields']}"
        cpu.append((time.process_time() - cpu0) * 1000)
        wall.append((time.perf_counter() - wall0) * 1000)
    return cpu, wall, outcome


def spread(values: list[float]) -> str:
    return f"{min(values):.0f} / {statistics.median(values):.0f} / {max(values):.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print("| upload | body | CPU ms (min / median / max) | wall ms | outcome |")
    print("|---|---|---|---|---|")
    for name, build in cases():
        raws = build()
        cpu, wall, outcome = measure(raws, args.rounds)
        size = sum(len(raw) for raw in raws) / 1024
        print(f"| {name} | {size:,.0f} KB | {spread(cpu)} | {spread(wall)} | {outcome} |")


if __name__ == "__main__":
    main()
