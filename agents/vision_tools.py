"""The agent's vision tools: OCR a stored document's page; with VARCO-VISION, ask about a page or a region.

The engines are ingestion's (`ingest.ocr`); pages render through `ingest.render` (one PDFium lock).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PIL import Image

from ingest.ocr import BoundingBox, engine_for, tesseract_for
from ingest.render import page_images

if TYPE_CHECKING:
    from rag.settings import Settings


def make_tools(settings: Settings, kb: Any = None, reader: Any = None) -> list:
    """LangChain tools over the KB's stored originals: OCR a page; with a VLM, ask about a page or a region.

    Tools name documents (id or file name), never paths: text in a document must not be able to steer
    the agent into reading arbitrary files on the server.
    """
    if kb is None:
        return []
    from langchain_core.tools import StructuredTool
    from pydantic import BaseModel, Field

    class PageArgs(BaseModel):
        document: str = Field(description="문서 id 또는 파일 이름 (이미지 또는 PDF)")
        page: int = Field(1, ge=1, description="쪽 번호 (이미지는 1)")

    class AskArgs(PageArgs):
        question: str = Field(description="이미지에 대한 질문 (한국어)")

    class RegionArgs(AskArgs):
        left: float = Field(ge=0, le=1, description="영역 왼쪽 (쪽 너비에 대한 비율 0–1)")
        top: float = Field(ge=0, le=1, description="영역 위쪽 (쪽 높이에 대한 비율 0–1)")
        right: float = Field(ge=0, le=1, description="영역 오른쪽 (비율 0–1)")
        bottom: float = Field(ge=0, le=1, description="영역 아래쪽 (비율 0–1)")

    def page_image(document: str, page: int) -> Image.Image:
        record = kb.document(document, reader)  # only documents the person asking may read
        original = kb.file_path(record.sha256, record.name)
        if not original.exists() and not settings.keep_originals:
            raise FileNotFoundError("이 지식베이스는 원본 파일을 보관하지 않습니다 (KORAG_KEEP_ORIGINALS=false)")
        data = original.read_bytes()
        return next(iter(page_images(data, record.name, [page], settings.ocr_dpi)))[1]

    def guarded(work: Callable[..., str]) -> Callable[..., str]:
        def run(**kwargs: Any) -> str:
            try:
                return work(**kwargs)
            except Exception as err:  # noqa: BLE001 - a tool reports failure to the agent, it never raises
                return f"오류: {err}"
        return run

    def ocr_page(document: str, page: int = 1) -> str:
        result = (engine_for(settings) or tesseract_for(settings)).read(page_image(document, page), page)
        return result.text or "(글자를 찾지 못했습니다)"

    tools = [StructuredTool.from_function(guarded(ocr_page), name="ocr_page", args_schema=PageArgs,
                                          description="문서(이미지·스캔 PDF)의 한 쪽을 OCR로 읽어 글자를 돌려줍니다.")]
    if settings.vlm_base_url:
        from ingest.ocr.varco import VarcoClient

        client = VarcoClient.from_settings(settings)

        def ask_image(document: str, question: str, page: int = 1) -> str:
            return client.ask(page_image(document, page), question)

        def ask_image_region(document: str, question: str, left: float, top: float, right: float, bottom: float,
                             page: int = 1) -> str:
            image = page_image(document, page)
            w, h = image.size
            box = BoundingBox(round(left * w), round(top * h), max(round(right * w), round(left * w) + 1),
                              max(round(bottom * h), round(top * h) + 1))
            return client.ask_region(image, box, question)

        tools += [
            StructuredTool.from_function(guarded(ask_image), name="ask_image", args_schema=AskArgs,
                                         description="문서의 한 쪽 이미지에 대해 질문합니다 (VARCO-VISION)."),
            StructuredTool.from_function(guarded(ask_image_region), name="ask_image_region", args_schema=RegionArgs,
                                         description="문서 한 쪽의 특정 영역(비율 좌표)에 대해 질문합니다 (VARCO-VISION)."),
        ]
    return tools
