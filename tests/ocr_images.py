"""Korean test images drawn at test time with NanumGothic (fonts-nanum): no binaries in the repository.

`render` returns the image and, for every line, each visible character with its pixel box, so tests can
check OCR boxes against where the text really is and script VARCO-VISION replies from real geometry.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")

Glyphs = list[list[tuple[str, tuple[int, int, int, int]]]]  # per line: (character, (left, top, right, bottom))


def font(size: int) -> ImageFont.FreeTypeFont:
    if not FONT.exists():
        pytest.skip("NanumGothic is not installed (apt-get install fonts-nanum)")
    return ImageFont.truetype(str(FONT), size)


def render(lines: list[str], size: int = 40, margin: int = 80, line_gap: float = 2.0,
           width: int | None = None) -> tuple[Image.Image, Glyphs]:
    """Black text on white, one line per entry ("" leaves a blank line)."""
    face = font(size)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    width = width or margin * 2 + max(int(probe.textlength(line, font=face)) for line in lines if line)
    height = margin * 2 + int(size * line_gap * len(lines))
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    glyphs: Glyphs = []
    for n, line in enumerate(lines):
        y = margin + int(n * size * line_gap)
        draw.text((margin, y), line, font=face, fill=0)
        boxes = []
        for i, ch in enumerate(line):
            if ch.strip():
                x = margin + draw.textlength(line[:i], font=face)
                boxes.append((ch, tuple(round(v) for v in draw.textbbox((x, y), ch, font=face))))
        if boxes:
            glyphs.append(boxes)
    return image, glyphs


def varco_reply(glyphs: Glyphs, width: int, height: int, separator: str = "") -> str:
    """What VARCO-VISION-2.0-OCR writes for these characters: `<char>c</char><bbox>x1, y1, x2, y2</bbox>`,
    coordinates as fractions of the image with three decimals (model card format)."""
    return separator.join(
        f"<char>{ch}</char><bbox>{l / width:.3f}, {t / height:.3f}, {r / width:.3f}, {b / height:.3f}</bbox>"
        for line in glyphs for ch, (l, t, r, b) in line)
