"""hOCR output: OCR results as the hOCR 1.2 HTML microformat (pages, paragraphs, lines, words with boxes)."""
from __future__ import annotations

import html

from ingest.ocr.types import BoundingBox, OcrResult, enclosing


def to_hocr(results: list[OcrResult]) -> str:
    """hOCR 1.2 (https://kba.github.io/hocr-spec/1.2/): one `ocr_page` per result, boxes in pixels."""
    def bbox(box: BoundingBox) -> str:
        return f"bbox {box.left} {box.top} {box.right} {box.bottom}"

    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<!DOCTYPE html>',
           '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="ko" lang="ko">',
           '<head><meta charset="utf-8"/><title></title>',
           f'<meta name="ocr-system" content="korag {html.escape(results[0].engine if results else "")}"/>',
           '<meta name="ocr-capabilities" content="ocr_page ocr_par ocr_line ocrx_word"/></head>', "<body>"]
    for n, result in enumerate(results, 1):
        page = result.page or n
        out.append(f'<div class="ocr_page" id="page_{page}" '
                   f'title="{bbox(BoundingBox(0, 0, result.width, result.height))}; ppageno {page - 1}">')
        for p, paragraph in enumerate(result.paragraphs(), 1):
            box = enclosing([line.box for line in paragraph])
            out.append(f'<p class="ocr_par" id="par_{page}_{p}" title="{bbox(box)}">')
            for line in paragraph:
                out.append(f'<span class="ocr_line" id="line_{page}_{line.words[0].line}" title="{bbox(line.box)}">')
                for w in line.words:
                    conf = f"; x_wconf {round(w.confidence * 100)}" if w.confidence is not None else ""
                    out.append(f'<span class="ocrx_word" id="word_{page}_{w.order}" title="{bbox(w.box)}{conf}">'
                               f"{html.escape(w.text)}</span>")
                out.append("</span>")
            out.append("</p>")
        out.append("</div>")
    out += ["</body>", "</html>"]
    return "\n".join(out)
