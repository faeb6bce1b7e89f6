"""Synthetic Korean scene-text photos with ground truth, drawn with fonts-nanum at test time.

Signs, product labels, storefronts, bus stops and warning signs: one or two panels of text (dark on
light or light on dark) on a cluttered background, then the camera's faults — perspective, lighting
falloff, blur, sensor noise and JPEG compression. `scene_set(seed, count)` is deterministic, so tests
and bench/ocr.py score the same images run after run; nothing binary is kept in the repository.

The truth is the panels' lines in reading order (left panel before right, top line before bottom),
joined by newlines.
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = Path("/usr/share/fonts/truetype/nanum")
FACES = ("NanumGothicBold.ttf", "NanumBarunGothicBold.ttf", "NanumSquareB.ttf", "NanumSquareRoundB.ttf",
         "NanumGothic.ttf", "NanumMyeongjoBold.ttf")

# what each kind of scene says: one entry = one panel, its lines
TEXTS: dict[str, list[list[str]]] = {
    "sign": [["서울역", "Seoul Station"], ["시청 1.2km"], ["출구 Exit 3"], ["인천공항", "Incheon Airport"],
             ["부산 45km"], ["광화문", "Gwanghwamun"], ["주차장 입구"], ["한강공원 500m"]],
    "label": [["유통기한 2027.03.15"], ["원산지 국내산", "중량 500g"], ["가격 3,500원"], ["냉장 보관", "0~10℃"],
              ["제조일자 2026.11.02"], ["유기농 현미", "1kg"]],
    "storefront": [["행복 베이커리"], ["24시 편의점"], ["김밥천국"], ["서울 약국"], ["우리 은행"],
                   ["새마을 식당", "02-123-4567"], ["카페 봄날"], ["미래 안경원"]],
    "bus stop": [["버스 정류장", "12-345"], ["시청 방면"], ["도착 예정 3분"], ["간선 472", "신촌 방면"],
                 ["마을버스 05"]],
    "warning": [["위험", "고압 전기"], ["출입 금지"], ["미끄럼 주의"], ["공사 중", "우회하시오"],
                ["낙석 주의"], ["금연 구역"]],
}
# (panel colour, text colour): road-sign green, blue, white, yellow, red, black
PALETTES = [((18, 110, 60), (245, 245, 240)), ((20, 60, 140), (250, 250, 250)), ((245, 245, 238), (20, 20, 20)),
            ((250, 205, 30), (15, 15, 15)), ((190, 25, 30), (255, 255, 255)), ((25, 25, 28), (240, 240, 200))]


@dataclass(frozen=True)
class Scene:
    name: str
    kind: str
    image: Image.Image
    truth: str


def font(face: str, size: int) -> ImageFont.FreeTypeFont:
    path = FONTS / face
    if not path.exists():
        import pytest

        pytest.skip("fonts-nanum is not installed (apt-get install fonts-nanum)")
    return ImageFont.truetype(str(path), size)


def _background(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A cluttered, photo-like backdrop: a sky-to-ground gradient, blobs and poles, texture."""
    w, h = size
    top = np.array([rng.randint(120, 230) for _ in range(3)], dtype=np.float32)
    bottom = np.array([rng.randint(40, 160) for _ in range(3)], dtype=np.float32)
    ramp = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    pixels = top * (1 - ramp) + bottom * ramp + np.zeros((1, w, 1), dtype=np.float32)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(4, 10)):
        x, y, r = rng.randint(0, w), rng.randint(0, h), rng.randint(10, 120)
        colour = tuple(rng.randint(30, 220) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            draw.rectangle((x, y, x + rng.randint(8, 30), h), fill=colour)  # a pole, a tree trunk
    return image.filter(ImageFilter.GaussianBlur(rng.uniform(1.5, 4)))


def _panel(rng: random.Random, lines: list[str], face: str, palette, size: int) -> Image.Image:
    fill, ink = palette
    fnt = font(face, size)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    widths = [probe.textlength(line, font=fnt) for line in lines]
    margin = int(size * rng.uniform(0.5, 0.9))
    gap = int(size * rng.uniform(0.35, 0.7))
    w = int(max(widths)) + 2 * margin
    h = len(lines) * size + (len(lines) - 1) * gap + 2 * margin
    panel = Image.new("RGB", (w, h), fill)
    draw = ImageDraw.Draw(panel)
    if rng.random() < 0.6:  # a sign's inner border
        inset = max(3, margin // 4)
        draw.rounded_rectangle((inset, inset, w - inset, h - inset), radius=inset * 2, outline=ink,
                               width=max(2, size // 14))
    for n, (line, width) in enumerate(zip(lines, widths)):
        x = (w - width) / 2 if rng.random() < 0.7 else margin
        draw.text((x, margin + n * (size + gap)), line, font=fnt, fill=ink)
    return panel


def _perspective(image: Image.Image, rng: random.Random, strength: float) -> Image.Image:
    """A camera not square to the sign: the four corners pulled by up to `strength` of the size."""
    w, h = image.size

    def jitter(x: float, y: float) -> tuple[float, float]:
        return x + rng.uniform(-strength, strength) * w, y + rng.uniform(-strength, strength) * h

    source = [jitter(0, 0), jitter(w, 0), jitter(w, h), jitter(0, h)]
    target = [(0, 0), (w, 0), (w, h), (0, h)]
    rows = []
    for (x, y), (u, v) in zip(target, source):  # solve for the homography target → source
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    coeffs = np.linalg.solve(np.array(rows, dtype=np.float64), np.array(source, dtype=np.float64).ravel())
    return image.transform((w, h), Image.Transform.PERSPECTIVE, tuple(coeffs), Image.Resampling.BICUBIC)


def make_scene(rng: random.Random, kind: str, name: str) -> Scene:
    panels = rng.sample(TEXTS[kind], 2 if kind == "sign" and rng.random() < 0.4 else 1)
    palette = rng.choice(PALETTES)
    face = rng.choice(FACES)
    size = rng.randint(34, 64)
    drawn = [_panel(rng, lines, face, palette, size) for lines in panels]
    width = rng.randint(760, 1000)
    gap = rng.randint(30, 80)
    needed = sum(p.width for p in drawn) + gap * (len(drawn) - 1)
    height = rng.randint(520, 760)
    if needed > width * 0.9:
        width = int(needed / 0.9)
    image = _background(rng, (width, max(height, max(p.height for p in drawn) + 80)))
    x = rng.randint(20, max(21, image.width - needed - 20))
    for panel in drawn:
        y = rng.randint(20, max(21, image.height - panel.height - 20))
        image.paste(panel, (x, y))
        x += panel.width + gap
    image = _perspective(image, rng, rng.uniform(0.0, 0.06))
    # lighting: light falls off across the picture (sun from one side, a street lamp)
    ramp = np.linspace(rng.uniform(0.55, 1.0), rng.uniform(0.85, 1.15), image.width, dtype=np.float32)
    pixels = np.asarray(image, dtype=np.float32) * ramp[None, :, None]
    pixels += np.random.default_rng(rng.randint(0, 2**31)).normal(0, rng.uniform(2, 9), pixels.shape)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 1.3)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=rng.randint(45, 85))
    truth = "\n".join(line for lines in panels for line in lines)
    return Scene(name, kind, Image.open(io.BytesIO(buffer.getvalue())), truth)


def scene_set(seed: int = 0, count: int = 20) -> list[Scene]:
    """`count` scenes, cycling through the kinds, the same for the same seed."""
    rng = random.Random(seed)
    kinds = sorted(TEXTS)
    return [make_scene(rng, kinds[n % len(kinds)], f"scene-{seed}-{n:02d}-{kinds[n % len(kinds)].replace(' ', '_')}")
            for n in range(count)]
