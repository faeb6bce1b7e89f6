"""The portal in a real browser: `korag serve` on a free loopback port, driven by headless Debian Chromium
(Playwright). Upload a Korean document, ask, open the citation, visit every page; screenshots of each
page go to tmp/web-screenshots/ (git-ignored; KORAG_TEST_ARTIFACTS moves them) for a person to look at.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES
from tests.scripted_openai import Reply
from tests.ui.test_web import BROKEN_PDF, NOTICE, SCAN, cited, scan_png

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
RULES = SAMPLES / "출장비_규정.hwpx"
SUMMARY = "출장비 규정은 직급별 일비·숙박비·식비의 상한을 정한다 [1]. 출장자는 돌아온 날부터 7일 이내에 정산한다 [2]."


def _reply(body: dict) -> Reply:
    """The scripted LLM: an answer, a summary or an extraction, by the task's system prompt."""
    system = str(body["messages"][0]["content"])
    if "요약" in system:
        return Reply(text=SUMMARY, chunk_chars=4)
    if "JSON" in system:
        data = {"문서번호": "총무팀-2025-0123", "시행일자": "2025-03-04", "수신": "각 부서장", "제목": "출장비 지급 기준 변경 안내"}
        return Reply(text=json.dumps({"data": data, "sources": {k: 1 for k in data}}, ensure_ascii=False))
    if "다시 쓰세요" in system:  # a follow-up is rewritten to stand alone first
        return Reply(text=str(body["messages"][-1]["content"]).rsplit("마지막 질문:", 1)[-1].strip())
    if "영수증" in str(body["messages"][-1]["content"]).rsplit("질문:", 1)[-1]:
        return Reply(text=f"영수증은 돌아온 날부터 7일 이내에 제출합니다 [{cited(body, '영수증은')}].")
    n = cited(body, "직급: 부장 · 일비(1일): 40,000원")
    return Reply(text=f"부장은 숙박비를 1박 120,000원까지 받을 수 있습니다 [{n}].", chunk_chars=2, delay_s=0.2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = Path(os.environ.get("KORAG_TEST_ARTIFACTS") or REPO / "tmp" / "web-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture()
def portal_url(tmp_path, scripted_openai):
    """`korag serve` in a subprocess with its own KORAG_HOME and the scripted LLM; its URL once healthy."""
    scripted_openai.default = _reply
    port = _free_port()
    env = {**os.environ, "KORAG_HOME": str(tmp_path / "home"), "KORAG_KB": "포털", "KORAG_EMBEDDER": "none",
           "KORAG_LLM_BASE_URL": scripted_openai.base_url, "KORAG_LLM_MODEL": "scripted-model"}
    env.pop("KORAG_REDIS_URL", None)
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "ui.cli", "serve", "--port", str(port)], cwd=REPO, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("korag serve did not start:\n" + (tmp_path / "serve.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture()
def browser_page():
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (.ci/setup: apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        # tall: Streamlit scrolls inside its main block, so a full-page screenshot is one viewport
        page = browser.new_page(viewport={"width": 1400, "height": 1400}, locale="ko-KR")
        page.set_default_timeout(60_000)
        yield page
        browser.close()


def settle(page) -> None:
    """Wait until Streamlit has finished running the script (its 'running' indicator is gone)."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    page.wait_for_timeout(300)


def go(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=title, exact=True, level=1).wait_for()
    settle(page)


def choose(page, document: str) -> None:
    """Pick a document in the page's first select box (the sidebar's KB box is not in stMain)."""
    page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option").filter(has_text=document).click()
    settle(page)


def shoot(page, artifacts: Path, name: str) -> None:
    assert page.get_by_test_id("stException").count() == 0, f"{name}: a traceback is on the page"
    assert "Traceback" not in page.content()
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def test_upload_ask_open_citation_and_visit_every_page(portal_url, browser_page, artifacts, tmp_path):
    page = browser_page
    page.goto(portal_url)
    page.get_by_role("heading", name="질문하기", exact=True, level=1).wait_for()
    settle(page)

    go(page, "문서")
    (tmp_path / "공문_출장비.txt").write_text(NOTICE, encoding="utf-8")
    (tmp_path / "깨진.pdf").write_bytes(BROKEN_PDF)
    files = [RULES, tmp_path / "공문_출장비.txt", tmp_path / "깨진.pdf"]
    ocr = shutil.which("tesseract") is not None
    if ocr:  # a scan: its text comes from OCR, and its citation shows the page with boxes
        (tmp_path / "안내.png").write_bytes(scan_png(SCAN))
        files.append(tmp_path / "안내.png")
    page.locator("input[type=file]").first.set_input_files([str(f) for f in files])
    page.get_by_text("깨진.pdf").first.wait_for()
    page.get_by_role("button", name="수집 시작").click()
    page.get_by_text(f"{len(files) - 1}개 완료, 1개 실패").wait_for()
    settle(page)
    page.get_by_test_id("stDataFrame").wait_for()  # the document list
    shoot(page, artifacts, "2-문서")

    go(page, "질문하기")
    page.get_by_test_id("stChatInputTextArea").fill("부장이 출장을 가면 숙박비는 1박에 얼마까지 받을 수 있나요?")
    page.get_by_test_id("stChatInputTextArea").press("Enter")
    source = page.get_by_test_id("stExpander").filter(has_text=re.compile(r"출장비_규정\.hwpx( › .+)? · 1쪽"))
    source.wait_for()
    settle(page)
    assert page.get_by_text("LLM · scripted-model").count() >= 1
    source.locator("summary").click()
    passage = source.locator(".korag-passage")
    passage.wait_for()
    assert "120,000원" in passage.inner_text() and "120,000원" in source.locator("mark").inner_text()
    page.wait_for_timeout(1000)  # the expander's opening animation
    shoot(page, artifacts, "1-질문하기")

    if ocr:
        page.get_by_test_id("stChatInputTextArea").fill("숙박비 영수증은 언제까지 제출하나요?")
        page.get_by_test_id("stChatInputTextArea").press("Enter")
        scan = page.get_by_test_id("stExpander").filter(has_text="안내.png · 1쪽")
        scan.wait_for()
        settle(page)
        scan.locator("summary").click()
        scan.get_by_test_id("stImage").wait_for()
        page.wait_for_timeout(1000)
        assert "영수증은" in scan.locator("mark").inner_text()
        assert page.get_by_text("LLM을 사용할 수 없어").count() == 0
        scan.scroll_into_view_if_needed()
        shoot(page, artifacts, "1b-질문하기-OCR")

    go(page, "요약")
    choose(page, RULES.name)
    page.get_by_role("button", name="요약하기").click()
    page.get_by_text("직급별 일비").wait_for()
    settle(page)
    page.get_by_test_id("stExpander").filter(has_text=f"[1] {RULES.name}").locator("summary").click()
    page.wait_for_timeout(1000)  # the expander's opening animation
    shoot(page, artifacts, "3-요약")

    go(page, "추출")
    choose(page, "공문_출장비.txt")
    page.get_by_role("button", name="추출하기").click()
    page.get_by_role("button", name="CSV 내려받기").wait_for()
    settle(page)
    assert page.get_by_text("총무팀-2025-0123").count() >= 1
    shoot(page, artifacts, "4-추출")

    go(page, "OCR")
    if shutil.which("tesseract"):
        (tmp_path / "안내.png").write_bytes(scan_png(SCAN))
        page.locator("input[type=file]").first.set_input_files(str(tmp_path / "안내.png"))
        page.get_by_role("button", name="OCR 실행").wait_for()
        settle(page)
        page.get_by_role("button", name="OCR 실행").click()
        page.get_by_text("빨간 상자: 읽은 줄").wait_for()
        settle(page)
    shoot(page, artifacts, "5-OCR")

    go(page, "상태")
    page.get_by_text("LLM", exact=True).first.wait_for()
    shoot(page, artifacts, "6-상태")
