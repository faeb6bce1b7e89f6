"""OCR accuracy and speed: character error rate per image and mean, seconds per image.

    python bench/ocr.py [--data ../shared/data] [--languages kor+eng] [--psm 6] [--min-long-side 2000]
    python bench/ocr.py --sweep          # psm × languages × upscale × confidence floor, one line each
    python bench/ocr.py --pdf-pages 2    # also: rasterise text-layer PDF pages, OCR them, CER vs the layer
    python bench/ocr.py --pdf-pages 2 --tilt 2 [--no-deskew]   # the same pages fed 2° crooked

CER = edit distance / ground-truth length, after NFC with all whitespace removed (the convention of
shared/data/ocr/README). The OCR set is `ocr/manifest.jsonl` (`image`, `gt` paths). The PDF check renders
pages of `docs/unstructured_example_docs/korean-text-with-tables.pdf` at KORAG_OCR_DPI, as a scanner
would, and scores the OCR text against the same pages' text layer; `pcasm-book-korean.pdf` (running
prose) is checked the same way.
"""
from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from ingest.ocr import OcrEngine, TesseractEngine, engine_for  # noqa: E402
from rag.settings import Settings  # noqa: E402

# a two-column card brochure with tables, and a book of running prose
PDFS = ("docs/unstructured_example_docs/korean-text-with-tables.pdf", "docs/docs_pcasm_korean/pcasm-book-korean.pdf")


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, two rows at a time."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(truth: str, hypothesis: str) -> float:
    truth, hypothesis = squeeze(truth), squeeze(hypothesis)
    return edit_distance(truth, hypothesis) / max(1, len(truth))


def cer_spaced(truth: str, hypothesis: str) -> float:
    """CER with word spaces kept (runs collapsed to one): Korean search needs eojeol intact."""
    def one_space(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split())

    truth, hypothesis = one_space(truth), one_space(hypothesis)
    return edit_distance(truth, hypothesis) / max(1, len(truth))


def found(truth: str, hypothesis: str) -> float:
    """Share of the truth's characters present in the OCR text, in any order: recognition without reading order."""
    truth_counts, hypothesis_counts = Counter(squeeze(truth)), Counter(squeeze(hypothesis))
    return sum(min(n, hypothesis_counts[c]) for c, n in truth_counts.items()) / max(1, sum(truth_counts.values()))


def load_set(data: Path) -> list[tuple[str, Path, str]]:
    items = []
    for line in (data / "ocr" / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            truth = (data / "ocr" / row["gt"]).read_text(encoding="utf-8")
            items.append((row["image"], data / "ocr" / row["image"], truth))
    return items


def run_set(engine: OcrEngine, items: list[tuple[str, Path, str]],
            verbose: bool = True) -> tuple[list[float], list[float]]:
    """CER and seconds of every image; per-image lines when `verbose`."""
    if hasattr(engine, "warm_up"):
        engine.warm_up()  # Kiwi and the tesseract check, outside the timings
    scores, seconds = [], []
    for name, path, truth in items:
        image = Image.open(path)
        image.load()
        started = time.perf_counter()
        result = engine.read(image)
        elapsed = time.perf_counter() - started
        score = cer(truth, result.text)
        scores.append(score)
        seconds.append(elapsed)
        if verbose:
            print(f"  {name:46s} CER {score:6.1%}  (with spaces {cer_spaced(truth, result.text):6.1%})  {elapsed:5.2f}s"
                  f"  ({len(squeeze(truth))} chars)")
    return scores, seconds


def run_pdf(engine: OcrEngine, path: Path, pages: int, dpi: int, verbose: bool = True,
            tilt: float = 0.0) -> list[float]:
    """OCR rasterised text-layer pages and score them against the text layer; `tilt` rotates them like a
    page fed crooked into a scanner."""
    from ingest.loaders import load
    from ingest.render import page_images

    data = path.read_bytes()
    parsed = load(data, path.name)
    layer = {p: "".join(b.text for b in parsed.blocks if b.page == p) for p in range(1, (parsed.page_count or 0) + 1)}
    # running text: 500+ characters, mostly Hangul (not a table of contents of dot leaders or a code listing)
    wanted = [p for p in sorted(layer) if len(squeeze(layer[p])) >= 500
              and sum("\uac00" <= c <= "\ud7a3" for c in squeeze(layer[p])) >= 0.5 * len(squeeze(layer[p]))][:pages]
    scores = []
    for page, image in page_images(data, path.name, wanted, dpi):
        if tilt:
            image = image.rotate(tilt, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        started = time.perf_counter()
        result = engine.read(image, page)
        score = cer(layer[page], result.text)
        scores.append(score)
        if verbose:
            print(f"  {path.name} p.{page:<3d} CER {score:6.1%}  "
                  f"characters found {found(layer[page], result.text):6.1%}"
                  f"  {time.perf_counter() - started:5.2f}s  ({len(squeeze(layer[page]))} chars in the text layer, "
                  f"rendered {image.width}×{image.height})")
    if scores and verbose:
        print(f"  mean CER vs text layer: {statistics.mean(scores):.1%} over {len(scores)} pages at {dpi} dpi")
    return scores


def main() -> None:
    default_data = REPO.parent / "shared" / "data"
    settings = Settings()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=default_data)
    parser.add_argument("--engine", choices=["tesseract", "varco"], default=None, help="default: KORAG_OCR_ENGINE")
    parser.add_argument("--languages", default=settings.ocr_languages)
    parser.add_argument("--psm", type=int, default=settings.ocr_psm)
    parser.add_argument("--min-long-side", type=int, default=settings.ocr_min_long_side)
    parser.add_argument("--deskew", action=argparse.BooleanOptionalAction, default=settings.ocr_deskew)
    parser.add_argument("--min-confidence", type=float, default=settings.ocr_min_confidence)
    parser.add_argument("--tilt", type=float, default=0.0, help="rotate the rasterised PDF pages this many degrees")
    parser.add_argument("--sweep", action="store_true", help="try psm × languages × upscale × confidence floor")
    parser.add_argument("--pdf-pages", type=int, default=0,
                        help="also OCR this many rasterised pages of each of " + ", ".join(PDFS))
    args = parser.parse_args()
    items = load_set(args.data)

    if args.sweep:
        # upscaling only touches small images: rendered PDF pages are scored once per psm × languages × floor
        header = "psm  languages  min conf  upscale  mean CER  s/image  per image"
        print(header + ("  PDF pages" if args.pdf_pages else ""))
        grid = [(psm, "kor+eng") for psm in (3, 4, 6, 11)] + [(4, "kor"), (6, "kor")]
        for (psm, languages), floor in itertools.product(grid, (0.0, 0.5)):
            pdf: list[float] = []
            for upscale in (0, 2000):
                engine = TesseractEngine(languages, psm, upscale, args.deskew, settings.ocr_dpi, floor)
                per_image, seconds = run_set(engine, items, verbose=False)
                if args.pdf_pages and not pdf:
                    pdf = [score for path in PDFS
                           for score in run_pdf(engine, args.data / path, args.pdf_pages, settings.ocr_dpi, False)]
                print(f"{psm:3d}  {languages:9s}  {floor:8.1f}  {upscale:7d}  {statistics.mean(per_image):8.1%}  "
                      f"{statistics.mean(seconds):7.2f}  " + "  ".join(f"{s:6.1%}" for s in per_image)
                      + (f"  {statistics.mean(pdf):6.1%}" if pdf else ""), flush=True)
        return

    if args.engine == "varco" or (args.engine is None and settings.ocr_engine == "varco"):
        engine = engine_for(settings, "varco")
    else:
        engine = TesseractEngine(args.languages, args.psm, args.min_long_side, args.deskew, settings.ocr_dpi,
                                 args.min_confidence)
    label = getattr(engine, "name", "?")
    if isinstance(engine, TesseractEngine):
        label += (f" lang={engine.languages} psm={engine.psm} upscale={engine.min_long_side} deskew={engine.deskew}"
                  f" min_confidence={engine.min_confidence}")
    print(f"OCR set {args.data / 'ocr'} ({len(items)} images), engine: {label}")
    scores, seconds = run_set(engine, items)
    print(f"  mean CER {statistics.mean(scores):.1%}, {statistics.mean(seconds):.2f} s/image")
    for path in PDFS if args.pdf_pages else ():
        print(f"\nrasterised PDF ({path}):")
        run_pdf(engine, args.data / path, args.pdf_pages, settings.ocr_dpi, tilt=args.tilt)


if __name__ == "__main__":
    main()
