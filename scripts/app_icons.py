"""Draw the app's PNG icons (192, 512 and a maskable 512) from the artwork of static/img/icon.svg.

The SVG is a clock in a green disc: a 32-unit square, a disc of radius 15, a white ring of radius 10
(stroke 2.5) and yellow hands from (16, 9) to (16, 16) to (21, 19). Pillow does not read SVG, so the
same shapes are drawn here, four times larger than needed and scaled down for smooth edges.
Run it again after changing the artwork: ``python scripts/app_icons.py``.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND, ACCENT, WHITE = "#0b5d4b", "#ffd166", "#ffffff"
STATIC = Path(__file__).resolve().parents[1] / "static" / "img"


def draw(size: int, *, maskable: bool = False) -> Image.Image:
    big = size * 4
    image = Image.new("RGBA", (big, big), BRAND if maskable else (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    # A maskable icon is cropped to a circle of 80 % of its width: the clock stays inside that safe zone.
    unit = big / 32 * (0.72 if maskable else 1)
    centre = big / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return centre + (x - 16) * unit, centre + (y - 16) * unit

    if not maskable:
        pen.ellipse([at(1, 1), at(31, 31)], fill=BRAND)
    pen.ellipse([at(6, 6), at(26, 26)], outline=WHITE, width=round(2.5 * unit))
    width = round(2.5 * unit)
    pen.line([at(16, 9), at(16, 16), at(21, 19)], fill=ACCENT, width=width, joint="curve")
    for x, y in ((16, 9), (21, 19)):  # round caps, as stroke-linecap="round"
        (cx, cy), r = at(x, y), width / 2
        pen.ellipse([cx - r, cy - r, cx + r, cy + r], fill=ACCENT)
    return image.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    draw(192).save(STATIC / "icon-192.png", optimize=True)
    draw(512).save(STATIC / "icon-512.png", optimize=True)
    draw(512, maskable=True).save(STATIC / "icon-maskable-512.png", optimize=True)
    print("written:", ", ".join(p.name for p in sorted(STATIC.glob("icon-*.png"))))
