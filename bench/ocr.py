"""OCR accuracy and speed: character error rate per image and mean, seconds per image, peak memory.

    python bench/ocr.py                        # tesseract, scene and auto on the three sets below
    python bench/ocr.py --engines auto --synthetic 10 --pdf-pages 1     # a quick subset
    python bench/ocr.py --signal               # auto's probe per image: lines, median line height, route
    python bench/ocr.py --sweep                # Tesseract: psm × languages × upscale × confidence floor
    python bench/ocr.py --engines tesseract --pdf-pages 2 --tilt 2 [--no-deskew]   # pages fed 2° crooked
    python bench/ocr.py --engines auto --synthetic 0 --pdf-pages 4 --pages 20,60 [--dpi 200]   # held-out pages
    python bench/ocr.py --engines auto --synthetic 10 --photo-side 4032 --pdf-pages 0   # phone-sized photos
    python bench/ocr.py --synthetic 0 --pdf-pages 1 --stages   # CPU seconds per stage of a page
    python bench/ocr.py --synthetic 0 --pdf-pages 3 --pages-at-once   # a file read one / two pages at a time

Sets: `ocr/manifest.jsonl` in the shared data (`image`, `gt` paths: a road-sign photo, a rendered text
line, a phone screenshot); synthetic scene photos (tests/scene_images.py: signs, labels, storefronts,
bus stops, warnings, with perspective, lighting, blur, noise and JPEG; `--seed`, `--synthetic N`); and
text-layer PDF pages rasterised at KORAG_OCR_DPI as a scanner would, scored against the same pages' text
layer (`korean-text-with-tables.pdf`, a two-column brochure, and `pcasm-book-korean.pdf`, running prose).

CER = edit distance / ground-truth length, after NFC with all whitespace removed (the convention of
shared/data/ocr/README). Seconds are wall time per image after a warm-up (models loaded, Tesseract
checked), with CPU seconds beside them (this process and Tesseract's; less sensitive to load); peak
RSS is this process's (Tesseract runs in child processes, not counted).
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


Item = tuple[str, "Path | Image.Image", str]  # (name, image or its path, ground truth)


def load_set(data: Path) -> list[Item]:
    items = []
    for line in (data / "ocr" / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            truth = (data / "ocr" / row["gt"]).read_text(encoding="utf-8")
            items.append((row["image"], data / "ocr" / row["image"], truth))
    return items


def synthetic_set(seed: int, count: int, long_side: int = 0) -> list[Item]:
    """The synthetic scene photos; `long_side` resizes them to a phone camera's resolution (4032 px)."""
    from tests.scene_images import scene_set

    def sized(image: Image.Image) -> Image.Image:
        if not long_side:
            return image
        scale = long_side / max(image.size)
        return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BICUBIC)

    return [(scene.name, sized(scene.image), scene.truth) for scene in scene_set(seed, count)]


def pdf_set(path: Path, pages: int, dpi: int, tilt: float = 0.0, numbers: list[int] | None = None) -> list[Item]:
    """Rasterised text-layer pages with that layer as the truth; `tilt` rotates them like a page fed
    crooked into a scanner. Running text only: 500+ characters, mostly Hangul (not a table of contents
    of dot leaders or a code listing); the first `pages` such pages, or those of `numbers` that are."""
    from ingest.loaders import load
    from ingest.render import page_images

    data = path.read_bytes()
    parsed = load(data, path.name)
    layer = {p: "".join(b.text for b in parsed.blocks if b.page == p) for p in range(1, (parsed.page_count or 0) + 1)}
    wanted = [p for p in sorted(layer) if len(squeeze(layer[p])) >= 500
              and sum("\uac00" <= c <= "\ud7a3" for c in squeeze(layer[p])) >= 0.5 * len(squeeze(layer[p]))
              and (numbers is None or p in numbers)][:pages]
    items = []
    for page, image in page_images(data, path.name, wanted, dpi):
        if tilt:
            image = image.rotate(tilt, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        items.append((f"{path.name} p.{page}", image, layer[page]))
    return items


def _image(source: Path | Image.Image) -> Image.Image:
    if isinstance(source, Image.Image):
        return source
    image = Image.open(source)
    image.load()
    return image


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (Tesseract runs as a child process):
    less sensitive than wall time to what else the machine is doing."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


CPU: list[float] = []  # CPU seconds per image of the last run_set, beside its wall seconds


def run_set(engine: OcrEngine, items: list[Item], verbose: bool = True) -> tuple[list[float], list[float]]:
    """CER and wall seconds of every image (CPU seconds in `CPU`); per-image lines when `verbose`."""
    if hasattr(engine, "warm_up"):
        engine.warm_up()  # Kiwi, the detector and the tesseract check, outside the timings
    scores, seconds = [], []
    CPU.clear()
    for name, source, truth in items:
        image = _image(source)
        started, cpu_started = time.perf_counter(), cpu_seconds()
        result = engine.read(image)
        elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
        score = cer(truth, result.text)
        scores.append(score)
        seconds.append(elapsed)
        CPU.append(cpu)
        if verbose:
            route = f"  → {result.engine}" if result.chosen else ""
            print(f"  {name[:46]:46s} CER {score:6.1%}  (with spaces {cer_spaced(truth, result.text):6.1%})  "
                  f"{elapsed:5.2f}s wall {cpu:5.2f}s CPU  ({len(squeeze(truth))} chars){route}", flush=True)
    return scores, seconds


def peak_rss() -> str:
    import resource

    # Tesseract runs as child processes; RUSAGE_CHILDREN would report the forked copy of this process
    # (its RSS before exec), not Tesseract's own, so only this process's peak is reported
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"peak RSS {own:.0f} MiB (this process: models, Kiwi, images; Tesseract runs in its own processes)"


def signal(sets: dict[str, list[Item]], settings: Settings) -> None:
    """What `auto` sees: the detector probe's line count and median line height, and where it routes."""
    from ingest.ocr.auto import AutoEngine

    auto = engine_for(settings, "auto")
    assert isinstance(auto, AutoEngine)
    auto.scene.warm_up()
    for label, items in sets.items():
        print(f"\n{label}")
        for name, source, _ in items:
            started = time.perf_counter()
            chosen, _lines = auto.choose(_image(source))
            print(f"  {name[:46]:46s} {chosen.engine:9s} {chosen.reason}  ({time.perf_counter() - started:.2f}s)")


def pages_at_once(items: list[Item], settings: Settings) -> None:
    """A file's pages read one at a time and two at a time (`ingest.ocr.pages.read_ahead`, what ingestion
    and `korag ocr` do): wall and CPU seconds for the whole set, and whether the texts are the same."""
    from ingest.ocr.pages import read_ahead

    engine = engine_for(settings, "auto")
    engine.warm_up()
    texts = {}
    for threads in (1, 2):
        images = [(n, _image(source)) for n, (_, source, _) in enumerate(items, 1)]
        started, cpu_started = time.perf_counter(), cpu_seconds()
        texts[threads] = [result.text for _, result in read_ahead(engine, iter(images), threads)]
        print(f"  {threads} page(s) at a time: {len(items)} pages in {time.perf_counter() - started:6.2f} s wall, "
              f"{cpu_seconds() - cpu_started:6.2f} s CPU", flush=True)
    print(f"  same text both ways: {texts[1] == texts[2]}")


def stages(items: list[Item], settings: Settings) -> None:
    """Where a page's seconds go under `auto`: the probe, preprocessing, Tesseract (with its default
    OpenMP threads and with one), word post-processing (CPU seconds, children included)."""
    import os

    from ingest.ocr import preprocess, tesseract
    from ingest.ocr.auto import AutoEngine

    auto = engine_for(settings, "auto")
    assert isinstance(auto, AutoEngine)
    auto.warm_up()
    ocr = auto.tesseract
    assert isinstance(ocr, TesseractEngine)
    options = ["--psm", str(ocr.psm), "--dpi", str(ocr.dpi)]
    for name, source, _ in items:
        image = _image(source)
        times = {}

        def timed(label, call):
            started = cpu_seconds()
            value = call()
            times[label] = cpu_seconds() - started
            return value

        timed("probe", lambda: auto.choose(image))
        prepared, transform = timed("prepare", lambda: preprocess.prepare(image, ocr.min_long_side, ocr.deskew))
        limit = os.environ.pop("OMP_THREAD_LIMIT", None)
        try:
            os.environ["OMP_THREAD_LIMIT"] = str(os.cpu_count() or 1)
            timed("tesseract, all threads", lambda: tesseract.run_tsv(prepared, ocr.languages, options, 600))
            os.environ["OMP_THREAD_LIMIT"] = "1"
            data = timed("tesseract, one thread", lambda: tesseract.run_tsv(prepared, ocr.languages, options, 600))
        finally:
            os.environ.pop("OMP_THREAD_LIMIT", None)
            if limit is not None:
                os.environ["OMP_THREAD_LIMIT"] = limit
        timed("words + Kiwi", lambda: tesseract._join_split_eojeol(tesseract._clip_to_lines(
            list(tesseract._tesseract_words(data, transform))), ocr.kiwi))
        print(f"  {name[:40]:40s} CPU s: " + "  ".join(f"{k} {v:.2f}" for k, v in times.items()), flush=True)


def sweep(items: list[Item], pdf: list[Item], settings: Settings, deskew: bool) -> None:
    """Tesseract settings grid; upscaling only touches small images, so PDF pages are scored once per
    psm × languages × floor."""
    print("psm  languages  min conf  upscale  mean CER  s/image  per image" + ("  PDF pages" if pdf else ""))
    grid = [(psm, "kor+eng") for psm in (3, 4, 6, 11)] + [(4, "kor"), (6, "kor")]
    for (psm, languages), floor in itertools.product(grid, (0.0, 0.5)):
        pdf_scores: list[float] = []
        for upscale in (0, 2000):
            engine = TesseractEngine(languages, psm, upscale, deskew, settings.ocr_dpi, floor)
            per_image, seconds = run_set(engine, items, verbose=False)
            if pdf and not pdf_scores:
                pdf_scores = run_set(engine, pdf, verbose=False)[0]
            print(f"{psm:3d}  {languages:9s}  {floor:8.1f}  {upscale:7d}  {statistics.mean(per_image):8.1%}  "
                  f"{statistics.mean(seconds):7.2f}  " + "  ".join(f"{s:6.1%}" for s in per_image)
                  + (f"  {statistics.mean(pdf_scores):6.1%}" if pdf_scores else ""), flush=True)


def main() -> None:
    default_data = REPO.parent / "shared" / "data"
    settings = Settings()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=default_data)
    parser.add_argument("--engines", default="tesseract,scene,auto",
                        help="comma-separated: tesseract, scene, auto, varco (default: tesseract,scene,auto)")
    parser.add_argument("--synthetic", type=int, default=20, help="synthetic scene photos (0: none)")
    parser.add_argument("--photo-side", type=int, default=0, help="resize the synthetic photos to this long side "
                        "(4032: a 12-megapixel phone photo)")
    parser.add_argument("--seed", type=int, default=2, help="seed of the synthetic set (2: held out; the crop steps "
                        "were chosen on seeds 0 and 1, auto's thresholds on seed 0)")
    parser.add_argument("--pdf-pages", type=int, default=2, help="rasterised pages of each of " + ", ".join(PDFS))
    parser.add_argument("--languages", default=settings.ocr_languages)
    parser.add_argument("--psm", type=int, default=settings.ocr_psm)
    parser.add_argument("--min-long-side", type=int, default=settings.ocr_min_long_side)
    parser.add_argument("--deskew", action=argparse.BooleanOptionalAction, default=settings.ocr_deskew)
    parser.add_argument("--min-confidence", type=float, default=settings.ocr_min_confidence)
    parser.add_argument("--pages", default="", help="comma-separated page numbers to rasterise (those of each PDF "
                        "that are running text; default: the first --pdf-pages such pages)")
    parser.add_argument("--dpi", type=int, default=settings.ocr_dpi, help="render the PDF pages at this resolution")
    parser.add_argument("--tilt", type=float, default=0.0, help="rotate the rasterised PDF pages this many degrees")
    parser.add_argument("--sweep", action="store_true", help="Tesseract: psm × languages × upscale × confidence floor")
    parser.add_argument("--pages-at-once", action="store_true", help="the PDF pages as one file, read one and two "
                        "pages at a time (wall and CPU seconds)")
    parser.add_argument("--stages", action="store_true", help="CPU seconds per stage of auto on the PDF pages")
    parser.add_argument("--signal", action="store_true", help="print auto's probe and route per image, read nothing")
    args = parser.parse_args()
    settings = settings.model_copy(update={
        "ocr_languages": args.languages, "ocr_psm": args.psm, "ocr_min_long_side": args.min_long_side,
        "ocr_deskew": args.deskew, "ocr_min_confidence": args.min_confidence, "ocr_dpi": args.dpi})
    numbers = [int(n) for n in args.pages.split(",") if n.strip()] or None
    sets = {f"shared OCR set ({args.data / 'ocr'})": load_set(args.data)}
    if args.synthetic:
        label = f"synthetic scene photos (seed {args.seed}, {args.synthetic} images" + (
            f", {args.photo_side} px)" if args.photo_side else ")")
        sets[label] = synthetic_set(args.seed, args.synthetic, args.photo_side)
    if args.pdf_pages:
        sets[f"rasterised PDF pages at {settings.ocr_dpi} dpi" + (f", tilted {args.tilt}°" if args.tilt else "")] = [
            item for path in PDFS for item in pdf_set(args.data / path, args.pdf_pages, settings.ocr_dpi, args.tilt,
                                                                numbers)]
    if args.sweep:
        sweep(next(iter(sets.values())), [i for label, items in sets.items() if "PDF" in label for i in items],
              settings, args.deskew)
        return
    if args.signal:
        signal(sets, settings)
        return
    if args.stages:
        stages([i for label, items in sets.items() if "PDF" in label for i in items], settings)
        return
    if args.pages_at_once:
        pages_at_once([i for label, items in sets.items() if "PDF" in label for i in items], settings)
        return

    summary = []
    for name in args.engines.split(","):
        engine = engine_for(settings, name.strip())
        print(f"\n=== engine {name} (Tesseract {settings.ocr_languages} psm {settings.ocr_psm}"
              f" deskew={settings.ocr_deskew}) ===")
        for label, items in sets.items():
            print(label)
            scores, seconds = run_set(engine, items)
            line = (f"{name:9s} {label[:44]:44s} mean CER {statistics.mean(scores):6.1%}  "
                    f"{statistics.mean(seconds):5.2f} s/image (max {max(seconds):5.2f})  "
                    f"CPU {statistics.mean(CPU):5.2f} s/image (max {max(CPU):5.2f})")
            print("  " + line)
            summary.append(line)
    print("\nsummary")
    print("\n".join(summary))
    print(peak_rss())


if __name__ == "__main__":
    main()
