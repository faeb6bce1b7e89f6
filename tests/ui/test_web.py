"""The portal's pages with Streamlit's own test driver (AppTest): real KB, real Kiwi, real sample files.

Settings come from the environment (the portal reads Settings() once, cached), so each test sets its
KORAG_ variables and empties Streamlit's resource cache first.
"""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, SAMPLES
from tests.scripted_openai import Reply

RULES = SAMPLES / "출장비_규정.hwpx"
NOTICE = """한빛전자 주식회사

문서번호: 총무팀-2025-0123
시행일자: 2025. 3. 4.
수신: 각 부서장
제목: 출장비 지급 기준 변경 안내

1. 관련: 출장비 지급 규정 제3조
2. 2025년 4월 1일부터 부장 숙박비 상한을 1박 120,000원으로 조정하오니 업무에 참고하시기 바랍니다.
"""
BROKEN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"\x00\x13garbage" * 40
PAGES = {"views/ask.py": "질문하기", "views/documents.py": "문서", "views/summarize.py": "요약",
         "views/extract.py": "추출", "views/ocr.py": "OCR", "views/status.py": "상태"}


def cited(body: dict, needle: str) -> int:
    """The number the client gave the passage holding `needle` in its prompt, as a model would cite it."""
    prompt = str(body["messages"][-1]["content"])
    for number, text in re.findall(r"^\[(\d+)\] [^\n]*\n(.*?)(?=^\[\d+\] |</자료>)", prompt, re.M | re.S):
        if needle in text:
            return int(number)
    raise AssertionError(f"{needle!r} is in no passage sent to the model")


@pytest.fixture()
def portal(monkeypatch, tmp_path):
    """A function that starts the portal (AppTest) on a fresh KORAG_HOME, optionally on a page."""
    monkeypatch.setenv("KORAG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KORAG_KB", "웹")
    monkeypatch.setenv("KORAG_EMBEDDER", "none")  # BM25 only: fast, and the answers below do not need vectors
    for name in ("KORAG_LLM_BASE_URL", "KORAG_LLM_MODEL", "KORAG_LLM_PRESET", "KORAG_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    st.cache_resource.clear()

    def start(page: str | None = None, **env: str) -> AppTest:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        app = AppTest.from_file(str(REPO / "ui" / "web" / "app.py"), default_timeout=180).run()
        if page:
            app.switch_page(page).run()
        assert not app.exception, app.exception
        return app

    yield start
    st.cache_resource.clear()


def upload(app: AppTest, *files: tuple[str, bytes]) -> AppTest:
    """Choose files in the 문서 page's uploader and press 수집 시작."""
    app.file_uploader(key="uploader-0").set_value([(n, d, "application/octet-stream") for n, d in files]).run()
    button(app, "수집 시작").click().run()
    assert not app.exception, app.exception
    return app


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def markdown(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown)


def test_every_page_renders_in_korean_without_errors(portal):
    app = portal()
    for page, title in PAGES.items():
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        assert not app.error, (page, [e.value for e in app.error])
        assert [t.value for t in app.title] == [title]
    assert app.sidebar.selectbox[0].value == "웹"
    assert "추출형" in app.sidebar.caption[0].value


def test_upload_ingest_ask_and_the_citation_opens_the_cited_passage(portal):
    app = portal("views/documents.py")
    upload(app, (RULES.name, RULES.read_bytes()), ("깨진.pdf", BROKEN_PDF))
    bars = [p.proto.text for p in app.get("progress")]
    assert any(RULES.name in b and "완료" in b and "10개 청크" in b for b in bars), bars
    assert any("깨진.pdf" in b and "실패" in b for b in bars), bars  # one bad file, one reason, batch goes on
    assert "1개 완료, 1개 실패" in app.warning[0].value
    listed = app.dataframe[0].value
    assert list(listed["이름"]) == [RULES.name] and list(listed["청크"]) == [10]  # a chunk per article (issue 15)

    app.switch_page("views/ask.py").run()
    app.chat_input[0].set_value("출장비 정산서는 언제까지 제출해야 하나요?").run()
    assert not app.exception and not app.error
    assert "7일 이내" in app.chat_message[1].markdown[0].value
    assert any("추출형" in m.value for m in app.markdown)  # which mode answered
    assert any("LLM이 설정되지 않아" in i.value for i in app.info)  # the answer's notice is shown
    [source] = app.expander
    assert source.label == f"[1] {RULES.name} › 제6조(정산) · 1쪽"
    passage = next(m.value for m in source.markdown if "korag-passage" in m.value)
    assert "<mark>제6조(정산) 출장자는 출장에서 돌아온 날부터 7일 이내에" in passage
    assert "기한 안에 정산하지 아니한 선지급금은" in passage  # the whole passage, not just the quote
    assert "제7조(선지급)" not in passage  # and the passage is the article (issue 15: a chunk per 조문)


def test_a_follow_up_keeps_the_conversation(portal):
    app = portal("views/documents.py")
    upload(app, (RULES.name, RULES.read_bytes()))
    app.switch_page("views/ask.py").run()
    app.chat_input[0].set_value("출장비 정산서는 언제까지 제출해야 하나요?").run()
    app.chat_input[0].set_value("선지급은 얼마까지 받을 수 있나요?").run()
    assert not app.exception and not app.error
    assert len(app.chat_message) == 4
    assert "80퍼센트" in app.chat_message[3].markdown[0].value
    button(app, "새 대화").click().run()
    assert len(app.chat_message) == 0


def test_the_llm_answer_names_its_model_and_cites_the_table_row(portal, scripted_openai):
    scripted_openai.default = lambda body: Reply(
        text=f"부장은 숙박비를 1박 120,000원까지 받을 수 있습니다 [{cited(body, '직급: 부장 · 일비(1일): 40,000원')}].")
    app = portal("views/documents.py", KORAG_LLM_BASE_URL=scripted_openai.base_url, KORAG_LLM_MODEL="scripted-model")
    upload(app, (RULES.name, RULES.read_bytes()))
    app.switch_page("views/ask.py").run()
    app.chat_input[0].set_value("부장이 출장을 가면 숙박비는 1박에 얼마까지 받을 수 있나요?").run()
    assert not app.exception and not app.error
    assert "1박 120,000원까지" in app.chat_message[1].markdown[0].value
    assert any("LLM · scripted-model" in m.value for m in app.markdown)
    source = app.expander[0]
    passage = next(m.value for m in source.markdown if "korag-passage" in m.value)
    assert "직급: 부장 · 일비(1일): 40,000원 · 숙박비(1박 상한): 120,000원 · 식비(1일): 45,000원" in passage and "<mark>" in passage
    assert "LLM · scripted-model" in app.sidebar.caption[0].value


def test_summarize_a_document_with_citations(portal):
    app = portal("views/documents.py")
    upload(app, (RULES.name, RULES.read_bytes()))
    app.switch_page("views/summarize.py").run()
    app.radio[0].set_value("short").run()
    button(app, "요약하기").click().run()
    assert not app.exception and not app.error
    assert app.subheader[0].value == RULES.name
    assert app.expander[1].label.startswith(f"[1] {RULES.name}")  # expander[0] is the upload box
    assert "<mark>" in markdown(app)


def test_extract_a_notice_with_the_preset_and_download_it(portal):
    app = portal("views/documents.py")
    upload(app, ("공문_출장비.txt", NOTICE.encode()))
    app.switch_page("views/extract.py").run()
    assert app.selectbox(key="extract_preset").value == "공문"
    assert '"문서번호"' in app.text_area[0].value
    button(app, "추출하기").click().run()
    assert not app.exception and not app.error
    data = json.loads(app.json[0].value)
    # 발신: the company letter's letterhead (its first line, above the 문서번호/수신/제목 header)
    assert data == {"문서번호": "총무팀-2025-0123", "시행일자": "2025-03-04", "수신": "각 부서장",
                    "발신": "한빛전자 주식회사", "제목": "출장비 지급 기준 변경 안내"}
    table = app.dataframe[0].value
    assert list(table["필드"]) == ["문서번호", "시행일자", "수신", "발신", "제목"]
    assert table["근거"][1] == "2025. 3. 4."  # the source as written, beside the normalised value
    assert table["위치"][1] and "–" in table["위치"][1]  # and its span
    assert table["이유"][3] == "공문 머리: 머리" and table["근거"][3] == "한빛전자 주식회사"  # from the letterhead
    assert [d.proto.label for d in app.get("download_button")] == ["JSON 내려받기", "CSV 내려받기"]


def test_extract_refuses_a_broken_schema_with_a_message(portal):
    app = portal("views/documents.py")
    upload(app, ("공문_출장비.txt", NOTICE.encode()))
    app.switch_page("views/extract.py").run()
    app.text_area[0].set_value('{"type": "object", "properties": {"제목": ').run()
    button(app, "추출하기").click().run()
    assert not app.exception
    assert "올바른 JSON이 아닙니다" in app.error[0].value


def test_an_invalid_kb_name_is_a_message_not_a_traceback(portal):
    app = portal("views/documents.py")
    app.text_input(key="new_kb").set_value("../밖").run()
    button(app, "만들기").click().run()
    assert not app.exception
    assert "not a valid knowledge base name" in app.error[0].value


def test_a_new_kb_becomes_the_current_one(portal):
    app = portal("views/documents.py")
    app.text_input(key="new_kb").set_value("인사").run()
    button(app, "만들기").click().run()
    assert not app.exception and not app.error
    assert app.sidebar.selectbox[0].value == "인사"
    assert app.sidebar.selectbox[0].options == ["웹", "인사"]


def test_delete_a_document(portal):
    app = portal("views/documents.py")
    upload(app, (RULES.name, RULES.read_bytes()), ("공문_출장비.txt", NOTICE.encode()))
    assert button(app, "삭제").disabled  # nothing is deleted without the confirmation box
    app.checkbox(key="sure").check().run()
    button(app, "삭제").click().run()
    assert not app.exception and not app.error
    [kept] = list(app.dataframe[0].value["이름"])
    [gone] = {RULES.name, "공문_출장비.txt"} - {kept}
    assert f"삭제했습니다: {gone}" in [s.value for s in app.success]


def test_status_page_reports_the_llm_and_its_licence(portal, scripted_openai):
    app = portal("views/status.py", KORAG_LLM_BASE_URL=scripted_openai.base_url, KORAG_LLM_MODEL="scripted-model",
                 KORAG_LLM_PRESET="exaone")
    text = markdown(app)
    assert "**LLM** — 정상" in text and "**지식베이스** — 정상" in text and "**임베더** — 설정 안 됨" in text
    for part in (app.main, app.sidebar):  # on the status page, and in the sidebar of every page
        assert any("비상업 라이선스" in w.value for w in part.warning)


def test_status_page_says_when_the_llm_is_down(portal):
    app = portal("views/status.py", KORAG_LLM_BASE_URL="http://127.0.0.1:9/v1", KORAG_LLM_MODEL="none-here")
    assert "**LLM** — 연결 안 됨" in markdown(app)
    assert not app.exception and not app.error


def test_queued_uploads_wait_for_a_worker_then_finish(portal, redis_server):
    from rag.settings import Settings
    from tests.redis_server import run_burst_worker

    app = portal("views/documents.py", KORAG_REDIS_URL=redis_server.url)
    upload(app, (RULES.name, RULES.read_bytes()))
    bars = [p.proto.text for p in app.get("progress")]
    assert any(RULES.name in b and "대기 중" in b for b in bars), bars
    assert run_burst_worker(Settings())
    app.run()
    bars = [p.proto.text for p in app.get("progress")]
    assert any(RULES.name in b and "완료" in b and "10개 청크" in b for b in bars), bars


def test_schema_csv_opens_in_excel_with_hangul():
    from agents.types import ExtractedField, Extraction, Source
    from ui.web.schemas import to_csv

    source = Source(n=1, chunk_id=1, document_id="d", document="공문.txt", page=1, start=0, end=5, quote="각 부서장")
    extraction = Extraction(mode="extractive", data={"수신": "각 부서장", "당사자": ["갑", "을"]},
                            fields={"수신": ExtractedField(value="각 부서장", source=source)})
    raw = to_csv(extraction)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [{"필드": "수신", "값": "각 부서장", "문서": "공문.txt", "쪽": "1", "위치": "0–5", "근거": "각 부서장",
                     "이유": ""},
                    {"필드": "당사자", "값": "갑; 을", "문서": "", "쪽": "", "위치": "", "근거": "", "이유": ""}]


def test_extraction_rows_say_not_found_and_why():
    from agents.types import ExtractedField, Extraction
    from ui.web.schemas import rows, to_csv

    extraction = Extraction(mode="extractive", data={"문서번호": None},
                            fields={"문서번호": ExtractedField(value=None, reason="문서에 이 항목을 가리키는 라벨도 없음")})
    assert rows(extraction)[0]["값"] == "찾지 못함" and "라벨" in rows(extraction)[0]["이유"]
    csv_row = next(csv.DictReader(io.StringIO(to_csv(extraction).decode("utf-8-sig"))))
    assert csv_row["값"] == "" and "라벨" in csv_row["이유"]  # the download keeps null as an empty cell


def test_highlight_finds_the_quote_across_joined_lines():
    from ui.web.sources import highlight

    passage = "제3조 숙박비는\n실비로 정산한다. 제4조 <b>특례</b>"
    assert highlight(passage, "숙박비는 실비로 정산한다.").span == "숙박비는\n실비로 정산한다."
    exact = highlight(passage, "제4조 <b>특례</b>")
    assert exact.span == "제4조 <b>특례</b>" and "&lt;b&gt;특례&lt;/b&gt;</mark>" in exact.html()
    assert highlight(passage, "없는 문장").span == ""
    # one HTML line: a blank line in the passage must not hand the rest to Markdown
    shown = highlight("제목\n\n# 본문 | 1 |\n*강조*", "# 본문").html()
    assert "\n" not in shown and "<br><br><mark># 본문</mark> | 1 |<br>*강조*" in shown


def test_serve_binds_to_loopback_and_passes_the_upload_limit():
    from rag.settings import Settings
    from ui.cli.serve import streamlit_args

    args = streamlit_args(Settings(max_file_mb=7), None, None)
    assert "--server.address=127.0.0.1" in args and "--server.port=8501" in args
    assert "--server.maxUploadSize=7" in args and "--browser.gatherUsageStats=false" in args
    assert "--server.address=0.0.0.0" in streamlit_args(Settings(), "0.0.0.0", 9000)


def scan_png(lines: list[str]):
    """A PNG 'scan' of Korean lines drawn with NanumGothic (skips when the font is missing)."""
    from pathlib import Path

    from PIL import Image, ImageDraw, ImageFont

    font_path = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
    if not font_path.exists():
        pytest.skip("fonts-nanum is not installed: cannot draw Korean text")
    font = ImageFont.truetype(str(font_path), 44)
    image = Image.new("RGB", (1400, 120 + 90 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((80, 60 + 90 * i), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


SCAN = ["출장비 정산 안내", "숙박비 영수증은 7일 이내에 제출합니다.", "문의: 총무팀 02-555-1234"]


@pytest.mark.integration
def test_ocr_page_reads_an_image_and_draws_its_lines(portal):
    import shutil

    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed (.ci/setup installs tesseract-ocr-kor)")
    app = portal("views/ocr.py")
    app.file_uploader(key="ocr_upload").set_value(("안내.png", scan_png(SCAN), "image/png")).run()
    button(app, "OCR 실행").click().run()
    assert not app.exception and not app.error
    flat = app.text_area[0].value.replace(" ", "")  # Tesseract's word spacing in Hangul varies
    assert "숙박비영수증은7일이내에제출합니다." in flat and "총무팀02-555-1234" in flat
    # the default engine (auto) says which engine read the page and why
    assert any("엔진 scene (photo or scene text" in c.value and "줄 3개" in c.value for c in app.caption)
    assert len(app.get("image")) == 1  # the page, boxes drawn
    app.radio(key="ocr_engine").set_value("tesseract").run()
    button(app, "OCR 실행").click().run()
    assert any("엔진 tesseract ·" in c.value for c in app.caption)


@pytest.mark.integration
def test_a_citation_from_an_ocr_page_shows_the_page_with_its_box(portal):
    import shutil

    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed (.ci/setup installs tesseract-ocr-kor)")
    app = portal("views/documents.py")
    upload(app, ("안내.png", scan_png(SCAN)))
    assert "OCR 1쪽" in " ".join(p.proto.text for p in app.get("progress"))
    app.switch_page("views/ask.py").run()
    app.chat_input[0].set_value("숙박비 영수증은 언제까지 제출하나요?").run()
    assert not app.exception and not app.error
    source = app.expander[0]
    assert source.label.startswith("[1] 안내.png")
    assert "<mark>" in "".join(m.value for m in source.markdown)
    assert len(source.get("image")) == 1


def test_only_the_cited_lines_of_an_ocr_chunk_are_marked_on_the_page():
    from rag.model import Box, Chunk
    from ui.web.sources import cited_lines, highlight

    text = "출장비 정산 안내\n숙박비 영수증은 7일 이내에 제출합니다.\n문의: 총무팀 02-555-1234"
    boxes = tuple(Box(0.05, 0.1 * i, 0.6, 0.1 * i + 0.08) for i in range(3))
    chunk = Chunk(text, (), 1, (), 0, 0, len(text), boxes=boxes)
    assert cited_lines(chunk, highlight(text, "숙박비 영수증은 7일 이내에 제출합니다.")) == [False, True, False]
    assert cited_lines(chunk, highlight(text, "안내 숙박비 영수증은")) == [True, True, False]
    assert cited_lines(chunk, highlight(text, "없는 문장")) == [True, True, True]


def test_failed_queued_jobs_are_listed_as_dead_letters(portal, redis_server):
    from rag.settings import Settings
    from tests.redis_server import run_burst_worker

    app = portal("views/documents.py", KORAG_REDIS_URL=redis_server.url)
    upload(app, ("깨진보고서.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> broken"))
    run_burst_worker(Settings())
    app.run()
    [expander] = [e for e in app.expander if "실패한 작업" in e.label]
    assert expander.label.startswith("실패한 작업 1건")
    rows = expander.dataframe[0].value
    assert list(rows["파일"]) == ["깨진보고서.pdf"] and rows["이유"][0]
    app.button(key="retry").click().run()  # a file that cannot be read: its upload is gone, say so
    assert not app.exception and any("upload it again" in w.value for w in app.warning)
