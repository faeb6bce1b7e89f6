"""`Assistant.ocr` and the agent's vision tools over a real KB (Tesseract; VARCO via the scripted server)."""
from __future__ import annotations

import io

import pytest

from agents import Assistant
from agents.vision_tools import make_tools
from rag.settings import Settings
from tests.ocr_images import render
from tests.scripted_openai import Reply

pytestmark = pytest.mark.integration
FIRST = ["출장비 지급 규정", "숙박비는 1박에 10만원을 넘지 않는다."]
SECOND = ["연차휴가 사용 안내", "연차는 부서장 승인 후 사용한다."]


@pytest.fixture(scope="module")
def scan_pdf() -> bytes:
    first, _ = render(FIRST)
    second, _ = render(SECOND)
    buffer = io.BytesIO()
    first.convert("RGB").save(buffer, format="PDF", save_all=True, append_images=[second.convert("RGB")])
    return buffer.getvalue()


def test_assistant_ocr_reads_every_page_or_the_ones_asked_for(tmp_path, scan_pdf):
    assistant = Assistant("ocr", Settings(home=tmp_path, embedder="none"))
    progress = []
    pages = assistant.ocr(scan_pdf, name="스캔.pdf", on_page=lambda done, total: progress.append((done, total)))
    assert [p.page for p in pages] == [1, 2] and progress == [(1, 2), (2, 2)]
    assert pages[0].text.splitlines()[0] == "출장비 지급 규정" and "부서장" in pages[1].text
    path = tmp_path / "스캔.pdf"
    path.write_bytes(scan_pdf)
    (only,) = assistant.ocr(path, pages=[2])
    assert only.page == 2 and only.text.startswith("연차") and "부서장" in only.text and only.engine == "tesseract"


def test_agent_tools_read_and_ask_about_stored_pages(tmp_path, scan_pdf, scripted_openai):
    settings = Settings(home=tmp_path, embedder="none", vlm_base_url=scripted_openai.base_url,
                        vlm_qa_model="NCSOFT/VARCO-VISION-2.0-14B", vlm_timeout_s=5)
    assistant = Assistant("tools", settings.model_copy(update={"ocr_engine": "tesseract"}))
    assert assistant.ingest_bytes(scan_pdf, "스캔.pdf").ok
    tools = {tool.name: tool for tool in make_tools(settings.model_copy(update={"ocr_engine": "tesseract"}),
                                                    assistant.kb)}
    assert set(tools) == {"ocr_page", "ask_image", "ask_image_region"}
    assert "부서장 승인" in tools["ocr_page"].invoke({"document": "스캔.pdf", "page": 2})
    scripted_openai.script(Reply(text="연차는 부서장 승인 후 사용합니다."), Reply(text="제목입니다."))
    answer = tools["ask_image"].invoke({"document": "스캔.pdf", "page": 2, "question": "연차는 어떻게 쓰나요?"})
    assert answer == "연차는 부서장 승인 후 사용합니다."
    region = {"document": "스캔.pdf", "page": 1, "question": "이건 뭐예요?", "left": 0.1, "top": 0.2,
              "right": 0.5, "bottom": 0.3}
    assert tools["ask_image_region"].invoke(region) == "제목입니다."
    text = scripted_openai.requests[-1]["messages"][0]["content"][1]["text"]
    assert text.startswith("<obj>이 영역</obj><bbox>0.100, 0.200, 0.500, 0.300</bbox>")
    assert scripted_openai.requests[-1]["model"] == "NCSOFT/VARCO-VISION-2.0-14B"
    assert tools["ocr_page"].invoke({"document": "없는문서.pdf"}).startswith("오류:")


def test_no_tools_without_a_knowledge_base(tmp_path):
    assert make_tools(Settings(home=tmp_path)) == []
