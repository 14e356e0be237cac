"""Draw the citizen app's icons (ioc/web/static/pwa/*.png): a rounded red square with a white
map pin. Run again after changing the design: .venv/bin/python scripts/pwa_icons.py"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "ioc" / "web" / "static" / "pwa"
RED = (214, 40, 40, 255)
WHITE = (255, 255, 255, 255)


def draw(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, size, size), fill=RED)
    else:
        pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=RED)
    # The pin stays inside the maskable safe zone (the centre 80 %).
    cx, cy, r = size / 2, size * 0.42, size * 0.17
    pen.ellipse((cx - r, cy - r, cx + r, cy + r), fill=WHITE)
    pen.polygon(
        [(cx - r * 0.87, cy + r * 0.5), (cx + r * 0.87, cy + r * 0.5), (cx, size * 0.78)],
        fill=WHITE,
    )
    hole = r * 0.42
    pen.ellipse((cx - hole, cy - hole, cx + hole, cy + hole), fill=RED)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192, maskable=False).save(OUT / "icon-192.png", optimize=True)
    draw(512, maskable=False).save(OUT / "icon-512.png", optimize=True)
    draw(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
