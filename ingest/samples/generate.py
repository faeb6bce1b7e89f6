"""Regenerate korag's own Korean sample documents: one small file per supported format.

    python -m ingest.samples.generate            # writes ingest/samples/files/* and expected.json, then checks them
    python -m ingest.samples.generate --check    # only re-reads the committed files and checks them
    python -m ingest.samples.generate --out DIR  # writes the samples into DIR instead

All content is original: internal documents of a fictional company, 한빛전자 주식회사 (Hanbit
Electronics).  Each file covers a different topic and carries distinctive facts (numbers, dates,
names) that tests and the quickstart demo search for; `EXPECTED` (written to expected.json) lists them.

Output is deterministic: fixed document metadata, fixed zip timestamps, reportlab's invariant mode.
The HWP and HWPX files are written byte by byte here (HWP 5.0 through `ingest.samples.cfb`); the
other formats use python-docx, python-pptx, openpyxl and reportlab (reportlab only for the PDF).

`verify()` re-reads the files with the generic libraries only (python-docx, python-pptx, openpyxl,
pypdf, olefile, zipfile + lxml, html.parser), never with korag's own loaders.
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import json
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from xml.sax.saxutils import escape

from ingest.samples import FILES
from ingest.samples.cfb import write_cfb

EXPECTED_JSON = Path(__file__).parent / "expected.json"
FONT_DIR = Path("/usr/share/fonts/truetype/nanum")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # what Hangul writes into HWPX members; also python's minimum
CREATED = dt.datetime(2025, 1, 2, 9, 0, 0)


# ---------------------------------------------------------------------------------------------
# Expected facts: what correctly extracted text must contain (after collapsing whitespace).
#   snippets         in the default extraction
#   questions        a natural question and a string in the passage that answers it
#   absent_snippets  in the file, but NOT in the default extraction (page header, <script>)
#   notes_snippets   PPTX speaker notes
#   page_snippets    PDF: text that must be on that (1-based) page
# ---------------------------------------------------------------------------------------------
EXPECTED: list[dict] = [
    {
        "file": "취업규칙.docx",
        "format": "docx",
        "snippets": ["15일의 유급휴가", "총 휴가 일수는 25일을 한도로 한다", "시차출퇴근제", "리프레시 휴가",
                     "2025년 3월 1일부터 시행한다"],
        "questions": [
            {"q": "입사하고 1년이 지나면 연차휴가를 며칠 받나요?", "answer_snippet": "15일의 유급휴가"},
            {"q": "근속 10년이 되면 받을 수 있는 특별휴가는 무엇인가요?", "answer_snippet": "리프레시 휴가"},
        ],
    },
    {
        "file": "출장비_규정.hwpx",
        "format": "hwpx",
        "snippets": ["출장비 지급 규정", "1킬로미터당 250원", "7일 이내에 출장비 정산서", "120,000원",
                     "20퍼센트를 가산한 금액"],
        "absent_snippets": ["대외비"],
        "questions": [
            {"q": "부장이 출장을 가면 숙박비는 1박에 얼마까지 받을 수 있나요?", "answer_snippet": "120,000원"},
            {"q": "자가용으로 출장을 가면 유류비는 어떻게 계산하나요?", "answer_snippet": "1킬로미터당 250원"},
        ],
    },
    {
        "file": "보안_지침.hwp",
        "format": "hwp",
        "snippets": ["정보보안 지침", "12자 이상", "90일마다 변경", "내선 7700", "보안담당관 김도윤 책임", "사내한정"],
        "questions": [
            {"q": "업무용 계정 비밀번호는 얼마나 자주 바꿔야 하나요?", "answer_snippet": "90일마다 변경"},
            {"q": "보안사고를 발견하면 어디에 신고해야 하나요?", "answer_snippet": "내선 7700"},
        ],
    },
    {
        "file": "2025_사업계획.pdf",
        "format": "pdf",
        "snippets": ["2025년 사업계획", "매출 목표는 1,200억 원", "신규 채용 인원은 45명", "평택 제2공장",
                     "클린에어 X7"],
        "page_snippets": [
            {"page": 1, "text": "내실 있는 성장, 고객 중심 혁신"},
            {"page": 2, "text": "매출 목표는 1,200억 원"},
            {"page": 3, "text": "신규 채용 인원은 45명"},
        ],
        "questions": [
            {"q": "2025년 매출 목표는 얼마인가요?", "answer_snippet": "매출 목표는 1,200억 원"},
            {"q": "올해 신규 채용은 몇 명인가요?", "answer_snippet": "신규 채용 인원은 45명"},
        ],
    },
    {
        "file": "고객지원_매뉴얼.pptx",
        "format": "pptx",
        "snippets": ["고객지원 응대 매뉴얼", "빛나리", "24시간 이내에 1차 답변", "팬 모터 5년", "부품 보유 기간"],
        "notes_snippets": ["2시간 이내에 고객에게 회신 전화"],
        "questions": [
            {"q": "공기청정기의 핵심 부품 보증 기간은 얼마인가요?", "answer_snippet": "팬 모터 5년"},
            {"q": "이메일 문의에는 언제까지 답변해야 하나요?", "answer_snippet": "24시간 이내에 1차 답변"},
        ],
    },
    {
        "file": "부서별_예산.xlsx",
        "format": "xlsx",
        "snippets": ["연구개발1팀", "HB-410", "해외영업팀", "최민서", "2300"],
        "questions": [
            {"q": "생산관리팀의 2025년 투자비 예산은 얼마인가요?", "answer_snippet": "2300"},
            {"q": "연구개발1팀 팀장은 누구인가요?", "answer_snippet": "최민서"},
        ],
    },
    {
        "file": "복지_안내.html",
        "format": "html",
        "snippets": ["2025년 한빛전자 복지 제도 안내", "복지포인트 120만 포인트", "학기당 최대 300만 원",
                     "제주 서귀포 한빛 연수원", "부모 회갑·칠순"],
        "absent_snippets": ["스크립트 안의 문장은 추출되면 안 됩니다", "font-family"],
        "questions": [
            {"q": "복지포인트는 1년에 얼마나 받나요?", "answer_snippet": "복지포인트 120만 포인트"},
            {"q": "대학생 자녀 학자금은 얼마까지 지원되나요?", "answer_snippet": "학기당 최대 300만 원"},
        ],
    },
    {
        "file": "회의록.md",
        "format": "md",
        "snippets": ["2025년 제3차 제품개발 회의록", "출시일을 2025년 9월 1일로 확정", "4,350원으로 인하",
                     "일반 고객 120명", "그린필텍"],
        "questions": [
            {"q": "클린에어 X7 출시일은 언제로 확정되었나요?", "answer_snippet": "출시일을 2025년 9월 1일로 확정"},
            {"q": "헤파 필터 단가는 얼마로 내려갔나요?", "answer_snippet": "4,350원으로 인하"},
        ],
    },
    {
        "file": "공지사항_cp949.txt",
        "format": "txt",
        "encoding": "cp949",
        "snippets": ["전기설비 정기 점검 및 정전 안내", "오전 8시부터 오후 2시까지", "수변전 설비", "내선 2150",
                     "똠얌꿍 쌀국수"],
        "questions": [
            {"q": "본사 정전 점검은 언제 하나요?", "answer_snippet": "2025년 10월 11일(토)"},
            {"q": "점검 당일 출근하려면 어디에 신청해야 하나요?", "answer_snippet": "내선 2150"},
        ],
    },
]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def collapse(text: str) -> str:
    """Whitespace runs to one space: how snippets are compared."""
    return " ".join(text.split())


_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def rezip(data: bytes, stored: tuple[str, ...] = ()) -> bytes:
    """Rewrite a zip with fixed member timestamps and attributes, keeping member order.

    Also pins dcterms:created/modified in docProps/core.xml (openpyxl stamps "now" on save).
    """
    stamp = CREATED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                blob = _CORE_DATES.sub(lambda m: m.group(1) + stamp + m.group(3), blob)
            dst.writestr(_zinfo(info.filename, info.filename not in stored), blob)
    return out.getvalue()


def _zinfo(name: str, deflate: bool = True) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    info.create_system = 0
    info.external_attr = 0
    return info


# ---------------------------------------------------------------------------------------------
# 1. 취업규칙.docx
# ---------------------------------------------------------------------------------------------
RULES_LEAVE_TABLE = [
    ("휴가 종류", "일수", "비고"),
    ("본인 결혼", "5일", "결혼일 전후 30일 이내에 사용"),
    ("자녀 결혼", "1일", "결혼 당일 사용"),
    ("배우자 출산", "20일", "출산일로부터 120일 이내, 3회까지 나누어 사용"),
    ("부모·배우자 사망", "5일", "배우자의 부모 포함"),
    ("조부모 사망", "3일", "외조부모 포함"),
    ("리프레시 휴가", "10일", "근속 10년이 되는 해에 1회 부여"),
]

# ("h0".."h2", text) headings, ("p", text) paragraphs, ("li", text) bullet items, ("table", rows)
RULES_BODY: list[tuple] = [
    ("h0", "한빛전자 주식회사 취업규칙"),
    ("p", "제정 2018. 3. 1. / 개정 2025. 3. 1. / 소관 부서: 인사팀"),
    ("h1", "제1장 총칙"),
    ("h2", "제1조(목적)"),
    ("p", "이 규칙은 근로기준법에 따라 한빛전자 주식회사(이하 \"회사\"라 한다)에 근무하는 직원의 채용, 복무, "
          "근로시간, 휴가 등 근로조건에 관한 사항을 정함을 목적으로 한다."),
    ("h2", "제2조(적용 범위)"),
    ("p", "이 규칙은 회사와 근로계약을 체결한 모든 직원에게 적용한다. 다만, 계약직 및 단시간 근로자에 대하여는 "
          "개별 근로계약서에서 달리 정한 사항을 우선하여 적용한다."),
    ("h2", "제3조(규칙의 게시)"),
    ("p", "회사는 이 규칙을 사내 인트라넷 \"한빛포털\"의 인사 게시판에 게시하여 직원이 언제든지 열람할 수 있도록 한다."),
    ("h1", "제2장 복무"),
    ("h2", "제4조(근무시간)"),
    ("p", "① 근무시간은 휴게시간을 제외하고 1일 8시간, 1주 40시간으로 하며, 시업 시각은 오전 9시, 종업 시각은 "
          "오후 6시로 한다."),
    ("p", "② 휴게시간은 낮 12시부터 오후 1시까지 1시간으로 한다."),
    ("p", "③ 직원은 소속 부서장의 승인을 받아 오전 7시부터 오전 10시 사이에서 30분 단위로 출근 시각을 선택하는 "
          "시차출퇴근제를 이용할 수 있다."),
    ("h2", "제5조(복무 의무)"),
    ("p", "직원은 다음 각 호의 의무를 성실히 지켜야 한다."),
    ("li", "직무를 성실히 수행하고 상사의 정당한 업무 지시에 따를 것"),
    ("li", "재직 중은 물론 퇴직 후에도 업무상 알게 된 회사의 영업비밀을 누설하지 아니할 것"),
    ("li", "회사의 사전 승인 없이 다른 직무를 겸하거나 영리 업무에 종사하지 아니할 것"),
    ("li", "회사의 명예와 품위를 손상하는 행위를 하지 아니할 것"),
    ("h2", "제6조(지각·조퇴 및 외출)"),
    ("p", "직원이 지각, 조퇴 또는 외출을 하려는 경우에는 미리 전자결재로 부서장의 승인을 받아야 한다. 지각, 조퇴 "
          "및 외출 시간은 합산하여 8시간을 연차휴가 1일로 계산한다."),
    ("h1", "제3장 휴가"),
    ("h2", "제7조(연차휴가)"),
    ("p", "① 회사는 1년간 80퍼센트 이상 출근한 직원에게 15일의 유급휴가를 준다."),
    ("p", "② 회사는 3년 이상 계속하여 근로한 직원에게 최초 1년을 초과하는 계속 근로 연수 매 2년에 대하여 1일을 "
          "가산한 유급휴가를 준다. 이 경우 가산휴가를 포함한 총 휴가 일수는 25일을 한도로 한다."),
    ("p", "③ 계속하여 근로한 기간이 1년 미만인 직원에게는 1개월 개근 시 1일의 유급휴가를 준다."),
    ("p", "④ 사용하지 못한 연차휴가는 다음 해 1월 급여 지급일에 연차휴가 미사용 수당으로 정산한다."),
    ("h2", "제8조(특별휴가)"),
    ("p", "회사는 다음 표에서 정한 바에 따라 특별휴가를 유급으로 부여한다."),
    ("table", RULES_LEAVE_TABLE),
    ("h2", "제9조(휴가의 신청)"),
    ("p", "휴가를 사용하려는 직원은 사용 예정일 3일 전까지 \"한빛포털\"에서 휴가 신청서를 제출하여야 한다. 다만, "
          "질병 등 부득이한 사유가 있는 경우에는 사후에 제출할 수 있다."),
    ("h1", "부칙"),
    ("p", "이 규칙은 2025년 3월 1일부터 시행한다."),
]


def build_docx() -> bytes:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "맑은 고딕"
    normal.font.size = Pt(10.5)
    for kind, content in RULES_BODY:
        if kind.startswith("h"):
            doc.add_heading(content, level=int(kind[1]))
        elif kind == "p":
            doc.add_paragraph(content)
        elif kind == "li":
            doc.add_paragraph(content, style="List Bullet")
        elif kind == "table":
            table = doc.add_table(rows=len(content), cols=len(content[0]))
            table.style = "Table Grid"
            for r, row in enumerate(content):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
                    if r == 0:
                        for run in table.cell(r, c).paragraphs[0].runs:
                            run.bold = True
    props = doc.core_properties
    props.title = "한빛전자 주식회사 취업규칙"
    props.author = "한빛전자 인사팀"
    props.last_modified_by = "한빛전자 인사팀"
    props.subject = "사내 규정"
    props.keywords = "취업규칙, 근무시간, 연차휴가"
    props.comments = "korag 샘플 문서 (가상의 회사)"
    props.revision = 1
    props.created = CREATED
    props.modified = CREATED
    props.last_printed = CREATED
    buf = io.BytesIO()
    doc.save(buf)
    return rezip(buf.getvalue())


# ---------------------------------------------------------------------------------------------
# 2. 출장비_규정.hwpx
# ---------------------------------------------------------------------------------------------
HWPX_NS = {
    "ha": "http://www.hancom.co.kr/hwpml/2011/app",
    "hp": "http://www.hancom.co.kr/hwpml/2011/paragraph",
    "hp10": "http://www.hancom.co.kr/hwpml/2016/paragraph",
    "hs": "http://www.hancom.co.kr/hwpml/2011/section",
    "hc": "http://www.hancom.co.kr/hwpml/2011/core",
    "hh": "http://www.hancom.co.kr/hwpml/2011/head",
    "hhs": "http://www.hancom.co.kr/hwpml/2011/history",
    "hm": "http://www.hancom.co.kr/hwpml/2011/master-page",
    "hpf": "http://www.hancom.co.kr/schema/2011/hpf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "opf": "http://www.idpf.org/2007/opf/",
    "ooxmlchart": "http://www.hancom.co.kr/hwpml/2016/ooxmlchart",
    "hwpunitchar": "http://www.hancom.co.kr/hwpml/2016/HwpUnitChar",
    "epub": "http://www.idpf.org/2007/ops",
    "config": "urn:oasis:names:tc:opendocument:xmlns:config:1.0",
}
_XMLDECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'
_NSDECL = "".join(f' xmlns:{k}="{v}"' for k, v in HWPX_NS.items())

TRAVEL_HEADER_TEXT = "대외비 · 총무팀 관리 문서 (무단 복제 및 외부 반출 금지)"
TRAVEL_TABLE = [
    ("직급", "일비(1일)", "숙박비(1박 상한)", "식비(1일)"),
    ("임원", "50,000원", "150,000원", "60,000원"),
    ("부장", "40,000원", "120,000원", "45,000원"),
    ("차장·과장", "35,000원", "100,000원", "40,000원"),
    ("대리·사원", "30,000원", "80,000원", "35,000원"),
]
TRAVEL_COL_WIDTHS = (9520, 11000, 11000, 11000)  # HWPUNIT (1/7200 inch); sum = A4 text width 42520
# A paragraph is a list of runs (charPr id, text); ("table", rows) is a table paragraph.
TRAVEL_BODY: list = [
    [(1, "출장비 지급 규정")],
    [(0, "[시행 2025. 1. 1.] [총무팀 소관]")],
    [(1, "제1조(목적)"), (0, " 이 규정은 한빛전자 주식회사 임직원이 업무상 출장을 하는 경우에 지급하는 여비의 기준과 "
                           "정산 절차를 정함을 목적으로 한다.")],
    [(1, "제2조(출장의 구분)"), (0, " ① 출장은 국내출장과 국외출장으로 구분한다.")],
    [(0, "② 국내출장 가운데 출발지로부터 왕복 100킬로미터 미만인 출장은 근거리 출장으로 보아 일비의 2분의 1을 지급하고 "
         "숙박비는 지급하지 아니한다.")],
    [(1, "제3조(여비의 지급 기준)"), (0, " 국내출장 여비는 다음 표와 같이 직급별로 지급한다. 숙박비는 실비로 정산하되 "
                                     "표의 금액을 상한으로 한다.")],
    ("table", TRAVEL_TABLE),
    [(1, "제4조(숙박비의 특례)"), (0, " 서울특별시 및 광역시에서 숙박하는 경우에는 제3조의 숙박비 상한액에 20퍼센트를 "
                                 "가산한 금액까지 실비로 지급한다. 직급이 다른 직원이 같은 숙소를 함께 사용하는 경우에는 "
                                 "상위 직급의 기준을 적용한다.")],
    [(1, "제5조(교통비)"), (0, " ① 철도는 KTX 일반실, 항공은 일반석을 기준으로 실비를 지급한다.")],
    [(0, "② 부득이하게 자가용 차량을 이용한 경우에는 주행거리 1킬로미터당 250원의 유류비와 통행료 실비를 지급한다.")],
    # one sentence split over three runs (the middle one bold), as Hangul writes formatted text
    [(1, "제6조(정산)"), (0, " 출장자는 출장에서 돌아온 날부터 "), (1, "7일 이내"),
     (0, "에 출장비 정산서와 증빙 영수증을 전자결재로 제출하여야 한다. 기한 안에 정산하지 아니한 선지급금은 "
         "다음 달 급여에서 공제한다.")],
    [(1, "제7조(선지급)"), (0, " 국외출장 또는 5일 이상의 국내출장에 대하여는 출장자의 신청에 따라 예상 여비의 "
                           "80퍼센트 범위에서 미리 지급할 수 있다.")],
    [(1, "부칙"), (0, " 이 규정은 2025년 1월 1일부터 시행한다.")],
]


def _hwpx_p(runs_xml: str) -> str:
    return (f'<hp:p id="0" paraPrIDRef="0" styleIDRef="0" pageBreak="0" columnBreak="0" merged="0">'
            f"{runs_xml}</hp:p>")


def _hwpx_run(char_pr: int, text: str, prefix: str = "") -> str:
    return f'<hp:run charPrIDRef="{char_pr}">{prefix}<hp:t>{escape(text)}</hp:t></hp:run>'


def _hwpx_sublist(paragraph_xml: str, vert: str = "CENTER", width: int = 0, height: int = 0) -> str:
    return (f'<hp:subList id="" textDirection="HORIZONTAL" lineWrap="BREAK" vertAlign="{vert}" linkListIDRef="0" '
            f'linkListNextIDRef="0" textWidth="{width}" textHeight="{height}" hasTextRef="0" hasNumRef="0">'
            f"{paragraph_xml}</hp:subList>")


def _hwpx_table(rows: list[tuple[str, ...]], widths: tuple[int, ...]) -> str:
    row_h = 1800
    total_w = sum(widths)
    cells = []
    for r, row in enumerate(rows):
        tcs = []
        for c, value in enumerate(row):
            para = _hwpx_p(_hwpx_run(1 if r == 0 else 0, value))
            tcs.append(
                f'<hp:tc name="" header="{1 if r == 0 else 0}" hasMargin="0" protect="0" editable="0" dirty="0" '
                f'borderFillIDRef="2">{_hwpx_sublist(para)}<hp:cellAddr colAddr="{c}" rowAddr="{r}"/>'
                f'<hp:cellSpan colSpan="1" rowSpan="1"/><hp:cellSz width="{widths[c]}" height="{row_h}"/>'
                f'<hp:cellMargin left="510" right="510" top="141" bottom="141"/></hp:tc>')
        cells.append(f"<hp:tr>{''.join(tcs)}</hp:tr>")
    return (f'<hp:tbl id="1001" zOrder="0" numberingType="TABLE" textWrap="TOP_AND_BOTTOM" textFlow="BOTH_SIDES" '
            f'lock="0" dropcapstyle="None" pageBreak="CELL" repeatHeader="1" rowCnt="{len(rows)}" '
            f'colCnt="{len(rows[0])}" cellSpacing="0" borderFillIDRef="2" noAdjust="0">'
            f'<hp:sz width="{total_w}" widthRelTo="ABSOLUTE" height="{row_h * len(rows)}" heightRelTo="ABSOLUTE" '
            f'protect="0"/><hp:pos treatAsChar="1" affectLSpacing="0" flowWithText="1" allowOverlap="0" '
            f'holdAnchorAndSO="0" vertRelTo="PARA" horzRelTo="COLUMN" vertAlign="TOP" horzAlign="LEFT" '
            f'vertOffset="0" horzOffset="0"/><hp:outMargin left="0" right="0" top="0" bottom="0"/>'
            f'<hp:inMargin left="510" right="510" top="141" bottom="141"/>{"".join(cells)}</hp:tbl>')


_HWPX_SECPR = (
    '<hp:secPr id="" textDirection="HORIZONTAL" spaceColumns="1134" tabStop="8000" tabStopVal="4000" '
    'tabStopUnit="HWPUNIT" outlineShapeIDRef="0" memoShapeIDRef="0" textVerticalWidthHead="0" masterPageCnt="0">'
    '<hp:grid lineGrid="0" charGrid="0" wonggojiFormat="0"/>'
    '<hp:startNum pageStartsOn="BOTH" page="0" pic="0" tbl="0" equation="0"/>'
    '<hp:visibility hideFirstHeader="0" hideFirstFooter="0" hideFirstMasterPage="0" border="SHOW_ALL" '
    'fill="SHOW_ALL" hideFirstPageNum="0" hideFirstEmptyLine="0" showLineNumber="0"/>'
    '<hp:pagePr landscape="WIDELY" width="59528" height="84186" gutterType="LEFT_ONLY">'
    '<hp:margin header="4252" footer="4252" gutter="0" left="8504" right="8504" top="5668" bottom="4252"/>'
    "</hp:pagePr></hp:secPr>"
    '<hp:ctrl><hp:colPr id="" type="NEWSPAPER" layout="LEFT" colCount="1" sameSz="1" sameGap="0"/></hp:ctrl>'
)


def hwpx_section_xml() -> str:
    paras = []
    for i, item in enumerate(TRAVEL_BODY):
        if isinstance(item, tuple) and item[0] == "table":
            paras.append(_hwpx_p(f'<hp:run charPrIDRef="0">{_hwpx_table(item[1], TRAVEL_COL_WIDTHS)}<hp:t/></hp:run>'))
            continue
        runs = [_hwpx_run(cp, text) for cp, text in item]
        if i == 0:
            # The first paragraph carries the section properties and the page header control.
            header_para = _hwpx_p(_hwpx_run(0, TRAVEL_HEADER_TEXT))
            header = (f'<hp:ctrl><hp:header id="1" applyPageType="BOTH">'
                      f'{_hwpx_sublist(header_para, vert="TOP", width=42520, height=4252)}</hp:header></hp:ctrl>')
            cp, text = item[0]
            runs[0] = _hwpx_run(cp, text, prefix=header)
            runs.insert(0, f'<hp:run charPrIDRef="0">{_HWPX_SECPR}</hp:run>')
        paras.append(_hwpx_p("".join(runs)))
    return f"{_XMLDECL}<hs:sec{_NSDECL}>{''.join(paras)}</hs:sec>"


def _hwpx_charpr(cid: int, height: int, bold: bool) -> str:
    langs = ("hangul", "latin", "hanja", "japanese", "other", "symbol", "user")

    def attrs(value: str) -> str:
        return " ".join(f'{lang}="{value}"' for lang in langs)

    return (f'<hh:charPr id="{cid}" height="{height}" textColor="#000000" shadeColor="none" useFontSpace="0" '
            f'useKerning="0" symMark="NONE" borderFillIDRef="1"><hh:fontRef {attrs("0")}/>'
            f'<hh:ratio {attrs("100")}/><hh:spacing {attrs("0")}/><hh:relSz {attrs("100")}/>'
            f'<hh:offset {attrs("0")}/>{"<hh:bold/>" if bold else ""}'
            f'<hh:underline type="NONE" shape="SOLID" color="#000000"/><hh:strikeout shape="NONE" color="#000000"/>'
            f'<hh:outline type="NONE"/><hh:shadow type="NONE" color="#C0C0C0" offsetX="10" offsetY="10"/></hh:charPr>')


def _hwpx_borderfill(bid: int, line: str) -> str:
    sides = "".join(f'<hh:{s}Border type="{line}" width="0.12 mm" color="#000000"/>'
                    for s in ("left", "right", "top", "bottom"))
    return (f'<hh:borderFill id="{bid}" threeD="0" shadow="0" centerLine="NONE" breakCellSeparateLine="0">'
            f'<hh:slash type="NONE" Crooked="0" isCounter="0"/><hh:backSlash type="NONE" Crooked="0" isCounter="0"/>'
            f'{sides}<hh:diagonal type="SOLID" width="0.1 mm" color="#000000"/></hh:borderFill>')


def hwpx_header_xml() -> str:
    fonts = "".join(
        f'<hh:fontface lang="{lang}" fontCnt="1"><hh:font id="0" face="함초롬바탕" type="TTF" isEmbedded="0"/>'
        f"</hh:fontface>"
        for lang in ("HANGUL", "LATIN", "HANJA", "JAPANESE", "OTHER", "SYMBOL", "USER"))
    para_pr = (
        '<hh:paraPr id="0" tabPrIDRef="0" condense="0" fontLineHeight="0" snapToGrid="1" suppressLineNumbers="0" '
        'checked="0"><hh:align horizontal="JUSTIFY" vertical="BASELINE"/><hh:heading type="NONE" idRef="0" level="0"/>'
        '<hh:breakSetting breakLatinWord="KEEP_WORD" breakNonLatinWord="KEEP_WORD" widowOrphan="0" keepWithNext="0" '
        'keepLines="0" pageBreakBefore="0" lineWrap="BREAK"/><hh:autoSpacing eAsianEng="0" eAsianNum="0"/>'
        '<hh:margin><hc:intent value="0" unit="HWPUNIT"/><hc:left value="0" unit="HWPUNIT"/>'
        '<hc:right value="0" unit="HWPUNIT"/><hc:prev value="0" unit="HWPUNIT"/><hc:next value="0" unit="HWPUNIT"/>'
        '</hh:margin><hh:lineSpacing type="PERCENT" value="160" unit="HWPUNIT"/>'
        '<hh:border borderFillIDRef="1" offsetLeft="0" offsetRight="0" offsetTop="0" offsetBottom="0" connect="0" '
        'ignoreMargin="0"/></hh:paraPr>')
    return (
        f'{_XMLDECL}<hh:head{_NSDECL} version="1.4" secCnt="1">'
        '<hh:beginNum page="1" footnote="1" endnote="1" pic="1" tbl="1" equation="1"/><hh:refList>'
        f'<hh:fontfaces itemCnt="7">{fonts}</hh:fontfaces>'
        f'<hh:borderFills itemCnt="2">{_hwpx_borderfill(1, "NONE")}{_hwpx_borderfill(2, "SOLID")}</hh:borderFills>'
        f'<hh:charProperties itemCnt="2">{_hwpx_charpr(0, 1000, False)}{_hwpx_charpr(1, 1000, True)}'
        '</hh:charProperties>'
        '<hh:tabProperties itemCnt="1"><hh:tabPr id="0" autoTabLeft="0" autoTabRight="0"/></hh:tabProperties>'
        f'<hh:paraProperties itemCnt="1">{para_pr}</hh:paraProperties>'
        '<hh:styles itemCnt="1"><hh:style id="0" type="PARA" name="바탕글" engName="Normal" paraPrIDRef="0" '
        'charPrIDRef="0" nextStyleIDRef="0" langID="1042" lockForm="0"/></hh:styles></hh:refList>'
        '<hh:compatibleDocument targetProgram="HWP201X"><hh:layoutCompatibility/></hh:compatibleDocument>'
        '<hh:docOption><hh:linkinfo path="" pageInherit="1" footnoteInherit="0"/></hh:docOption>'
        '<hh:trackchageConfig flags="56"/></hh:head>')


def _preview_lines(body: list) -> list[str]:
    """Preview text the way Hangul writes it: one line per paragraph, table rows as <cell><cell>."""
    lines = []
    for item in body:
        if isinstance(item, tuple) and item[0] == "table":
            lines += ["".join(f"<{cell}>" for cell in row) for row in item[1]]
        elif isinstance(item, str):
            lines.append(item)
        else:
            lines.append("".join(text for _, text in item))
    return lines


def build_hwpx() -> bytes:
    stamp = CREATED.strftime("%Y-%m-%dT%H:%M:%SZ")
    members = {
        "mimetype": b"application/hwp+zip",
        "version.xml": (
            f'{_XMLDECL}<hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version" '
            'tagetApplication="WORDPROCESSOR" major="5" minor="1" micro="0" buildNumber="1" os="1" xmlVersion="1.4" '
            'application="korag sample generator" appVersion="0.1.0"/>').encode(),
        "Contents/header.xml": hwpx_header_xml().encode(),
        "Contents/section0.xml": hwpx_section_xml().encode(),
        "Preview/PrvText.txt": "\r\n".join(_preview_lines(TRAVEL_BODY)).encode(),
        "settings.xml": (
            f'{_XMLDECL}<ha:HWPApplicationSetting xmlns:ha="{HWPX_NS["ha"]}" xmlns:config="{HWPX_NS["config"]}">'
            '<ha:CaretPosition listIDRef="0" paraIDRef="0" pos="0"/></ha:HWPApplicationSetting>').encode(),
        "META-INF/container.rdf": (
            f'{_XMLDECL}<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about=""><ns0:hasPart xmlns:ns0="http://www.hancom.co.kr/hwpml/2016/meta/pkg#" '
            'rdf:resource="Contents/header.xml"/></rdf:Description><rdf:Description rdf:about="Contents/header.xml">'
            '<rdf:type rdf:resource="http://www.hancom.co.kr/hwpml/2016/meta/pkg#HeaderFile"/></rdf:Description>'
            '<rdf:Description rdf:about=""><ns0:hasPart xmlns:ns0="http://www.hancom.co.kr/hwpml/2016/meta/pkg#" '
            'rdf:resource="Contents/section0.xml"/></rdf:Description><rdf:Description '
            'rdf:about="Contents/section0.xml"><rdf:type '
            'rdf:resource="http://www.hancom.co.kr/hwpml/2016/meta/pkg#SectionFile"/></rdf:Description>'
            '<rdf:Description rdf:about=""><rdf:type rdf:resource="http://www.hancom.co.kr/hwpml/2016/meta/pkg#Document"/>'
            "</rdf:Description></rdf:RDF>").encode(),
        "Contents/content.hpf": (
            f'{_XMLDECL}<opf:package{_NSDECL} version="" unique-identifier="" id="">'
            "<opf:metadata><opf:title>출장비 지급 규정</opf:title><opf:language>ko</opf:language>"
            '<opf:meta name="creator" content="text">한빛전자 총무팀</opf:meta>'
            '<opf:meta name="subject" content="text">사내 규정</opf:meta>'
            '<opf:meta name="description" content="text">korag 샘플 문서 (가상의 회사)</opf:meta>'
            '<opf:meta name="lastsaveby" content="text">한빛전자 총무팀</opf:meta>'
            f'<opf:meta name="CreatedDate" content="text">{stamp}</opf:meta>'
            f'<opf:meta name="ModifiedDate" content="text">{stamp}</opf:meta>'
            '<opf:meta name="keyword" content="text">출장비, 여비, 숙박비</opf:meta></opf:metadata>'
            '<opf:manifest><opf:item id="header" href="Contents/header.xml" media-type="application/xml"/>'
            '<opf:item id="section0" href="Contents/section0.xml" media-type="application/xml"/>'
            '<opf:item id="settings" href="settings.xml" media-type="application/xml"/></opf:manifest>'
            '<opf:spine><opf:itemref idref="header" linear="yes"/><opf:itemref idref="section0" linear="yes"/>'
            "</opf:spine></opf:package>").encode(),
        "META-INF/container.xml": (
            f'{_XMLDECL}<ocf:container xmlns:ocf="urn:oasis:names:tc:opendocument:xmlns:container" '
            'xmlns:hpf="http://www.hancom.co.kr/schema/2011/hpf"><ocf:rootfiles>'
            '<ocf:rootfile full-path="Contents/content.hpf" media-type="application/hwpml-package+xml"/>'
            '<ocf:rootfile full-path="Preview/PrvText.txt" media-type="text/plain"/>'
            '<ocf:rootfile full-path="META-INF/container.rdf" media-type="application/rdf+xml"/>'
            "</ocf:rootfiles></ocf:container>").encode(),
        "META-INF/manifest.xml": (
            f'{_XMLDECL}<odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>').encode(),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, blob in members.items():  # mimetype first and stored, as the format requires
            zf.writestr(_zinfo(name, deflate=name not in ("mimetype", "version.xml")), blob)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# 3. 보안_지침.hwp (HWP 5.0 binary: CFB container, raw-deflate record streams)
# ---------------------------------------------------------------------------------------------
SECURITY_TABLE = [
    ("등급", "정의", "보관 기간"),
    ("극비", "유출되면 회사 경영에 중대한 피해를 주는 정보", "10년"),
    ("대외비", "사외로 유출되면 회사에 손실을 주는 정보", "5년"),
    ("사내한정", "임직원에게만 공개하는 정보", "3년"),
    ("일반", "외부에 공개하여도 무방한 정보", "1년"),
]
SECURITY_COL_WIDTHS = (8000, 24520, 10000)
SECURITY_BODY: list = [
    "정보보안 지침",
    "정보보안팀 | 2025년 2월 개정",
    "제1조(목적) 이 지침은 한빛전자 주식회사의 정보자산을 보호하고 보안사고를 예방하기 위하여 임직원이 지켜야 할 "
    "정보보안 기준을 정함을 목적으로 한다.",
    "제2조(비밀번호 관리) ① 업무용 계정의 비밀번호는 영문 대문자, 영문 소문자, 숫자, 특수문자 가운데 3종류 이상을 "
    "조합하여 12자 이상으로 설정하여야 한다.",
    "② 비밀번호는 90일마다 변경하여야 하며, 최근에 사용한 비밀번호 5개는 다시 사용할 수 없다.",
    "③ 로그인에 연속하여 5회 실패하면 해당 계정은 30분 동안 잠긴다.",
    "제3조(이동식 저장매체) 개인 소유의 USB 메모리 등 이동식 저장매체는 업무용 PC에 연결할 수 없다. 업무상 "
    "불가피한 경우에는 보안담당관 김도윤 책임의 사전 승인을 받아 회사가 지급한 보안 USB만 사용한다.",
    "제4조(문서 등급과 보관 기간) 회사의 문서는 다음 표와 같이 등급을 나누어 관리한다.",
    ("table", SECURITY_TABLE),
    "제5조(보안사고 신고) 임직원은 악성코드 감염, 정보 유출 등 보안사고를 발견한 경우 즉시 해당 PC의 네트워크 "
    "연결을 끊고 1시간 이내에 정보보안팀(내선 7700)에 신고하여야 한다.",
    "제6조(클린데스크) 퇴근할 때에는 책상 위에 문서를 두지 말고, 모든 문서와 저장매체를 잠금장치가 있는 서랍에 "
    "보관하여야 한다.",
    "제7조(보안교육) 모든 임직원은 매년 상반기와 하반기에 각 2시간의 정보보안 교육을 이수하여야 한다.",
    "부칙 이 지침은 2025년 2월 17일부터 시행한다.",
]

HWPTAG_DOCUMENT_PROPERTIES = 16
HWPTAG_PARA_HEADER = 66
HWPTAG_PARA_TEXT = 67
HWPTAG_PARA_CHAR_SHAPE = 68
HWPTAG_CTRL_HEADER = 71
HWPTAG_LIST_HEADER = 72
HWPTAG_TABLE = 77
HWP_VERSION = 0x05000300  # 5.0.3.0: PARA_HEADER is 22 bytes (the 24-byte form starts at 5.0.3.2)
CTRL_TABLE = 0x74626C20  # 'tbl ' as the spec's MAKE_4CHID, stored little endian


def hwp_record(tag: int, level: int, payload: bytes) -> bytes:
    size = len(payload)
    if size >= 0xFFF:
        return struct.pack("<II", tag | (level << 10) | (0xFFF << 20), size) + payload
    return struct.pack("<I", tag | (level << 10) | (size << 20)) + payload


def _hwp_paragraph(text: str, level: int, last: bool, control_mask: int = 0) -> bytes:
    """PARA_HEADER + PARA_TEXT + PARA_CHAR_SHAPE for one paragraph (text without the final CR)."""
    wchars = (text + "\r").encode("utf-16-le")
    n_chars = len(wchars) // 2
    header = struct.pack(
        "<IIHBBHHHI",
        n_chars | (0x80000000 if last else 0),  # high bit: last paragraph of its list
        control_mask,
        0,  # para shape id
        0,  # style id
        0,  # split type
        1,  # char shape count
        0,  # range tag count
        0,  # line align (PARA_LINE_SEG) count: none written
        0,  # instance id
    )
    return (hwp_record(HWPTAG_PARA_HEADER, level, header)
            + hwp_record(HWPTAG_PARA_TEXT, level + 1, wchars)
            + hwp_record(HWPTAG_PARA_CHAR_SHAPE, level + 1, struct.pack("<II", 0, 0)))


def _hwp_table(rows: list[tuple[str, ...]], widths: tuple[int, ...], level: int, last: bool) -> bytes:
    """A paragraph holding one table: the extended control char in the text, CTRL_HEADER, TABLE, cells."""
    ctrl = "\x0b" + struct.pack("<I", CTRL_TABLE).decode("utf-16-le") + "\0" * 4 + "\x0b"
    out = bytearray(_hwp_paragraph(ctrl, level, last, control_mask=1 << 11))
    n_rows, n_cols, row_h = len(rows), len(rows[0]), 1800
    common = struct.pack(
        "<IiiIIi4hIiH",
        0x082A2311,  # object attributes (treat as char, wrap top and bottom), as Hangul writes for tables
        0, 0,  # vertical, horizontal offset
        sum(widths), row_h * n_rows,
        0,  # z-order
        0, 0, 0, 0,  # outer margins
        0x48425450,  # instance id
        0,  # page-break prevention
        0,  # description length
    )
    out += hwp_record(HWPTAG_CTRL_HEADER, level + 1, struct.pack("<I", CTRL_TABLE) + common)
    out += hwp_record(HWPTAG_TABLE, level + 2, struct.pack(
        f"<IHHH4H{n_rows}HHH",
        0x04000004,  # table attributes: split across pages by cell
        n_rows, n_cols,
        0,  # cell spacing
        510, 510, 141, 141,  # inner margins
        *([n_cols] * n_rows),  # cells per row
        1,  # border fill id
        0,  # valid zone count
    ))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            list_header = struct.pack("<HHI", 1, 0, 0x00010020)  # 1 paragraph; vertical align centre
            cell = struct.pack("<HHHHII4HH", c, r, 1, 1, widths[c], row_h, 510, 510, 141, 141, 1)
            out += hwp_record(HWPTAG_LIST_HEADER, level + 2, list_header + cell + struct.pack("<I", widths[c])
                              + b"\0" * 9)
            out += _hwp_paragraph(value, level + 2, last=True)
    return bytes(out)


def hwp_section_records() -> bytes:
    out = bytearray()
    for i, item in enumerate(SECURITY_BODY):
        last = i == len(SECURITY_BODY) - 1
        if isinstance(item, tuple):
            out += _hwp_table(item[1], SECURITY_COL_WIDTHS, 0, last)
        else:
            out += _hwp_paragraph(item, 0, last)
    return bytes(out)


def _deflate(data: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


def build_hwp() -> bytes:
    file_header = b"HWP Document File".ljust(32, b"\0") + struct.pack("<II", HWP_VERSION, 1)  # flags: compressed
    file_header = file_header.ljust(256, b"\0")
    doc_properties = struct.pack(
        "<H6HIII",
        1,  # number of sections
        1, 1, 1, 1, 1, 1,  # start numbers: page, footnote, endnote, picture, table, equation
        0, 0, 0,  # caret: list id, paragraph id, position in paragraph
    )
    doc_info = hwp_record(HWPTAG_DOCUMENT_PROPERTIES, 0, doc_properties)
    preview = "\r\n".join(_preview_lines(SECURITY_BODY)).encode("utf-16-le")
    return write_cfb({
        "FileHeader": file_header,
        "DocInfo": _deflate(doc_info),
        "BodyText/Section0": _deflate(hwp_section_records()),
        "PrvText": preview,
    })


# ---------------------------------------------------------------------------------------------
# 4. 2025_사업계획.pdf
# ---------------------------------------------------------------------------------------------
PLAN_PAGES: list[list[tuple]] = [
    [
        ("title", "2025년 사업계획"),
        ("sub", "한빛전자 주식회사 경영기획팀 | 2024년 12월 20일 이사회 승인"),
        ("h", "1. 경영 환경과 기본 방향"),
        ("p", "2025년에는 글로벌 경기 둔화와 원자재 가격 변동이 이어질 것으로 예상된다. 회사는 \"내실 있는 성장, "
              "고객 중심 혁신\"을 경영 방침으로 정하고, 프리미엄 소형가전과 스마트 공기질 관리 제품에 역량을 집중한다."),
        ("p", "대표이사 박서준은 신년 경영 설명회에서 2030년까지 스마트 생활가전 분야 세계 10위권에 진입한다는 "
              "중장기 비전을 발표하였다. 이를 위해 올해는 제품 경쟁력 강화, 해외 시장 확대, 생산 효율화의 세 가지 "
              "과제를 중점적으로 추진한다."),
        ("p", "본 계획의 세부 목표는 2쪽의 매출 및 손익 목표와 3쪽의 인력 및 투자 계획으로 구성된다. 각 부서는 "
              "1월 31일까지 부서별 실행 계획을 경영기획팀에 제출한다."),
    ],
    [
        ("h", "2. 매출 및 손익 목표"),
        ("p", "2025년 매출 목표는 1,200억 원으로, 전년 실적 1,052억 원보다 약 14% 늘어난 수준이다. 영업이익은 "
              "96억 원을 목표로 하며 영업이익률 8.0%를 달성하고자 한다."),
        ("p", "해외 매출 비중은 2024년 35%에서 2025년 42%로 높인다. 베트남 하노이 판매법인을 중심으로 동남아시아 "
              "유통망을 넓히고, 유럽 시장에는 공기청정기 신제품 \"클린에어 X7\"을 출시한다."),
        ("table", [
            ("제품군", "2024년 실적", "2025년 목표"),
            ("공기청정기", "448억 원", "520억 원"),
            ("제습기", "281억 원", "310억 원"),
            ("소형 주방가전", "216억 원", "250억 원"),
            ("부품 및 서비스", "107억 원", "120억 원"),
            ("합계", "1,052억 원", "1,200억 원"),
        ]),
        ("p", "분기별 매출 비중은 제습기 성수기인 2분기와 3분기에 58%가 집중될 것으로 보고 재고 계획을 수립한다."),
    ],
    [
        ("h", "3. 인력 및 투자 계획"),
        ("p", "2025년 신규 채용 인원은 45명이며, 이 가운데 연구개발 인력이 28명, 생산 인력이 10명, 영업 인력이 "
              "7명이다. 신입사원 공개 채용은 3월과 9월 두 차례 실시한다."),
        ("p", "설비 투자로는 평택 제2공장 증설에 230억 원을 투입하며, 2025년 10월 준공을 목표로 한다. 증설이 "
              "끝나면 공기청정기 연간 생산능력은 60만 대에서 90만 대로 늘어난다."),
        ("p", "연구개발 투자는 매출액의 6.5% 수준인 78억 원으로 편성하였다. 이 가운데 25억 원은 저소음 팬과 "
              "고효율 필터 등 핵심 부품 기술 개발에 배정한다."),
        ("p", "경영기획팀은 분기마다 계획 대비 실적을 점검하여 이사회에 보고한다."),
    ],
]


def build_pdf() -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = FONT_DIR / "NanumGothic.ttf", FONT_DIR / "NanumGothicBold.ttf"
    if not regular.exists() or not bold.exists():
        raise FileNotFoundError(f"{regular} and {bold} are needed for the PDF sample (Debian: fonts-nanum)")
    pdfmetrics.registerFont(TTFont("NanumGothic", str(regular)))
    pdfmetrics.registerFont(TTFont("NanumGothic-Bold", str(bold)))

    body = ParagraphStyle("body", fontName="NanumGothic", fontSize=11, leading=18, spaceAfter=8)
    styles = {
        "title": ParagraphStyle("title", fontName="NanumGothic-Bold", fontSize=22, leading=30, spaceAfter=6),
        "sub": ParagraphStyle("sub", fontName="NanumGothic", fontSize=10, leading=14, spaceAfter=18,
                              textColor=colors.HexColor("#555555")),
        "h": ParagraphStyle("h", fontName="NanumGothic-Bold", fontSize=15, leading=22, spaceBefore=6, spaceAfter=10),
        "p": body,
    }

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("NanumGothic", 8)
        canvas.drawString(20 * mm, 12 * mm, "한빛전자 주식회사 | 2025년 사업계획")
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, f"{doc.page} / {len(PLAN_PAGES)}")
        canvas.restoreState()

    story = []
    for page_no, page in enumerate(PLAN_PAGES):
        if page_no:
            story.append(PageBreak())
        for kind, content in page:
            if kind == "table":
                table = Table(content, colWidths=[60 * mm, 45 * mm, 45 * mm])
                table.setStyle(TableStyle([
                    ("FONTNAME", (0, 0), (-1, -1), "NanumGothic"),
                    ("FONTNAME", (0, 0), (-1, 0), "NanumGothic-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 10),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF7")),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ]))
                story += [table, Spacer(1, 10)]
            else:
                story.append(Paragraph(html.escape(content, quote=False), styles[kind]))

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=25 * mm, bottomMargin=25 * mm,
        title="2025년 사업계획", author="한빛전자 경영기획팀", subject="한빛전자 주식회사 2025년 사업계획",
        creator="korag ingest.samples.generate", keywords="사업계획, 매출 목표, 채용, 투자", invariant=1,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# 5. 고객지원_매뉴얼.pptx
# ---------------------------------------------------------------------------------------------
SUPPORT_WARRANTY = [
    ("제품군", "무상 보증 기간", "핵심 부품 보증", "부품 보유 기간"),
    ("공기청정기", "2년", "팬 모터 5년", "7년"),
    ("제습기", "1년", "컴프레서 4년", "7년"),
    ("전기밥솥", "1년", "내솥 코팅 2년", "6년"),
    ("무선청소기", "1년", "배터리 2년", "6년"),
]
SUPPORT_SLIDES: list[dict] = [
    {"layout": 0, "title": "고객지원 응대 매뉴얼", "subtitle": "한빛전자 고객지원센터 · 2025년 개정판"},
    {"layout": 1, "title": "상담 채널과 운영 시간", "bullets": [
        (0, "대표번호 1588-4170: 평일 09:00~18:00, 토요일 09:00~13:00 (일요일·공휴일 휴무)"),
        (0, "카카오톡 채널 \"한빛전자 고객센터\": 평일 09:00~20:00 상담사 연결"),
        (0, "AI 챗봇 \"빛나리\": 연중무휴 24시간 자동 응답"),
        (0, "이메일 cs@hanbit-elec.example: 접수 후 24시간 이내에 1차 답변"),
    ], "notes": "운영 시간은 2025년 1월 1일부터 적용한다. 토요일 상담은 제품 고장 접수만 받는다."},
    {"layout": 1, "title": "응대 원칙", "bullets": [
        (0, "전화는 벨이 세 번 울리기 전에 받고 소속과 이름을 밝힌다"),
        (0, "고객의 말을 끝까지 듣고 요지를 다시 확인한다"),
        (1, "예: \"말씀하신 내용이 필터 교체 주기 문의가 맞으신가요?\""),
        (0, "바로 답하기 어려우면 회신 시각을 약속하고 반드시 지킨다"),
        (0, "상담을 마치면 5분 이내에 상담 이력을 CRM에 기록한다"),
    ], "notes": "강사 참고: 불만 등급 A(안전 관련 불만 또는 3회 이상 반복된 불만)는 즉시 파트장에게 보고하고, "
                "2시간 이내에 고객에게 회신 전화를 한다. 역할극 실습은 20분으로 진행한다."},
    {"layout": 5, "title": "제품별 무상 보증 기간", "table": SUPPORT_WARRANTY,
     "notes": "보증 기간은 구매일부터 계산한다. 구매 영수증이 없으면 제조일로부터 3개월이 지난 날을 구매일로 본다."},
]


def build_pptx() -> bytes:
    from pptx import Presentation
    from pptx.util import Emu, Pt

    prs = Presentation()
    for spec in SUPPORT_SLIDES:
        slide = prs.slides.add_slide(prs.slide_layouts[spec["layout"]])
        slide.shapes.title.text = spec["title"]
        if "subtitle" in spec:
            slide.placeholders[1].text = spec["subtitle"]
        if "bullets" in spec:
            frame = slide.placeholders[1].text_frame
            for i, (level, text) in enumerate(spec["bullets"]):
                para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
                para.text = text
                para.level = level
                para.font.size = Pt(20 if level == 0 else 16)
        if "table" in spec:
            rows = spec["table"]
            left, top = Emu(457200), Emu(1600200)
            width, height = prs.slide_width - 2 * left, Emu(370840 * len(rows))
            table = slide.shapes.add_table(len(rows), len(rows[0]), left, top, width, height).table
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
                    table.cell(r, c).text_frame.paragraphs[0].font.size = Pt(16)
        if "notes" in spec:
            slide.notes_slide.notes_text_frame.text = spec["notes"]
    props = prs.core_properties
    props.title = "고객지원 응대 매뉴얼"
    props.author = "한빛전자 고객지원센터"
    props.last_modified_by = "한빛전자 고객지원센터"
    props.subject = "상담원 교육 자료"
    props.comments = "korag 샘플 문서 (가상의 회사)"
    props.revision = 1
    props.created = CREATED
    props.modified = CREATED
    buf = io.BytesIO()
    prs.save(buf)
    return rezip(buf.getvalue())


# ---------------------------------------------------------------------------------------------
# 6. 부서별_예산.xlsx
# ---------------------------------------------------------------------------------------------
BUDGET_HEADER = ("부서코드", "부서명", "인건비(백만 원)", "운영비(백만 원)", "투자비(백만 원)", "합계(백만 원)", "예산 확정일")
BUDGET_ROWS = [
    ("HB-100", "경영기획팀", 820, 210, 40, dt.date(2025, 1, 10)),
    ("HB-110", "인사팀", 640, 380, 20, dt.date(2025, 1, 10)),
    ("HB-120", "재무팀", 590, 150, 30, dt.date(2025, 1, 10)),
    ("HB-130", "총무팀", 470, 520, 180, dt.date(2025, 1, 10)),
    ("HB-200", "연구개발1팀", 2150, 640, 1320, dt.date(2025, 1, 17)),
    ("HB-210", "연구개발2팀", 1890, 580, 970, dt.date(2025, 1, 17)),
    ("HB-300", "생산관리팀", 1480, 910, 2300, dt.date(2025, 1, 17)),
    ("HB-310", "품질보증팀", 760, 290, 410, dt.date(2025, 1, 10)),
    ("HB-400", "국내영업팀", 1120, 860, 60, dt.date(2025, 1, 10)),
    ("HB-410", "해외영업팀", 980, 1240, 90, dt.date(2025, 2, 3)),
    ("HB-500", "고객지원팀", 690, 330, 50, dt.date(2025, 1, 10)),
    ("HB-600", "정보보안팀", 410, 270, 350, dt.date(2025, 1, 10)),
]
STAFF_HEADER = ("부서명", "팀장", "정원", "현원", "결원", "기준일", "비고")
STAFF_ROWS = [
    ("경영기획팀", "이정훈", 12, 11, "", "2025년 사업계획 총괄"),
    ("인사팀", "장수빈", 9, 9, "", ""),
    ("재무팀", "문경호", 10, 9, "", "회계사 1명 채용 중"),
    ("총무팀", "배은정", 8, 8, "", "시설관리파트 포함"),
    ("연구개발1팀", "최민서", 38, 34, "", "공기청정기·제습기"),
    ("연구개발2팀", "강태윤", 31, 29, "", "소형 주방가전"),
    ("생산관리팀", "노현우", 64, 61, "", "평택 제1공장"),
    ("품질보증팀", "신아름", 15, 15, "", ""),
    ("국내영업팀", "임재혁", 22, 20, "", ""),
    ("해외영업팀", "고은채", 18, 15, "", "베트남 하노이 판매법인 파견 3명 별도"),
    ("고객지원팀", "서예린", 26, 24, "", ""),
    ("정보보안팀", "김도윤", 6, 6, "", "보안담당관 겸임"),
]
STAFF_DATE = dt.date(2025, 3, 31)


def build_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE6F2")

    ws = wb.active
    ws.title = "2025년 예산"
    ws.append(BUDGET_HEADER)
    totals = [0, 0, 0, 0]
    for code, name, labour, running, invest, date in BUDGET_ROWS:
        total = labour + running + invest
        for i, v in enumerate((labour, running, invest, total)):
            totals[i] += v
        ws.append((code, name, labour, running, invest, total, date))
    ws.append(("", "합계", *totals, None))
    for row in ws.iter_rows(min_row=2, min_col=7, max_col=7):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    ws2 = wb.create_sheet("인원 현황")
    ws2.append(STAFF_HEADER)
    for name, lead, quota, current, _, note in STAFF_ROWS:
        ws2.append((name, lead, quota, current, quota - current, STAFF_DATE, note or None))
    for row in ws2.iter_rows(min_row=2, min_col=6, max_col=6):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"

    for sheet, widths in ((ws, (10, 14, 16, 16, 16, 16, 14)), (ws2, (14, 10, 8, 8, 8, 12, 36))):
        for cell in sheet[1]:
            cell.font, cell.fill = bold, fill
        for i, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + i)].width = width
        sheet.freeze_panes = "A2"
    for cell in ws[ws.max_row]:
        cell.font = bold

    props = wb.properties
    props.title = "2025년 부서별 예산 및 인원 현황"
    props.creator = "한빛전자 재무팀"
    props.lastModifiedBy = "한빛전자 재무팀"
    props.description = "korag 샘플 문서 (가상의 회사)"
    props.created = CREATED
    props.modified = CREATED
    buf = io.BytesIO()
    wb.save(buf)
    return rezip(buf.getvalue())


# ---------------------------------------------------------------------------------------------
# 7. 복지_안내.html
# ---------------------------------------------------------------------------------------------
WELFARE_HTML = """<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>2025년 한빛전자 복지 제도 안내</title>
<style>
  body { font-family: "맑은 고딕", sans-serif; line-height: 1.7; max-width: 760px; margin: 2em auto; }
  table { border-collapse: collapse; }
  th, td { border: 1px solid #999; padding: 4px 10px; }
</style>
<script>
  // 스크립트 안의 문장은 추출되면 안 됩니다
  document.addEventListener("DOMContentLoaded", function () { console.log("welfare page ready"); });
</script>
</head>
<body>
<h1>2025년 한빛전자 복지 제도 안내</h1>
<p>인사팀은 임직원의 생활 안정과 건강 증진을 위하여 2025년 복지 제도를 다음과 같이 안내합니다.
바뀐 내용은 2025년 1월 1일부터 적용됩니다.</p>

<h2>1. 선택적 복리후생(복지포인트)</h2>
<p>모든 정규직 임직원에게 매년 1월 복지포인트 120만 포인트를 지급합니다. 1포인트는 1원으로 사용할 수 있으며,
근속 5년마다 10만 포인트가 추가됩니다. 사용하지 않은 포인트는 12월 20일에 소멸하므로 기한 안에 사용하시기 바랍니다.</p>

<h2>2. 건강검진</h2>
<p>임직원 본인은 매년 1회 종합건강검진을 받을 수 있으며, 만 40세 이상 임직원은 배우자도 같은 조건으로 검진을 받을 수
있습니다. 검진 기관은 회사와 제휴한 병원 7곳 가운데에서 고릅니다.</p>

<h2>3. 자녀 학자금</h2>
<p>고등학생 자녀는 수업료 전액을, 대학생 자녀는 학기당 최대 300만 원을 지원합니다. 지원 대상은 자녀 2명까지입니다.</p>

<h2>4. 경조금</h2>
<table>
  <thead>
    <tr><th>구분</th><th>지급 금액</th><th>제출 서류</th></tr>
  </thead>
  <tbody>
    <tr><td>본인 결혼</td><td>100만 원</td><td>청첩장</td></tr>
    <tr><td>자녀 출산</td><td>50만 원</td><td>출생증명서</td></tr>
    <tr><td>자녀 결혼</td><td>50만 원</td><td>청첩장</td></tr>
    <tr><td>부모 회갑·칠순</td><td>30만 원</td><td>가족관계증명서</td></tr>
    <tr><td>본인·배우자 부모 사망</td><td>100만 원</td><td>사망진단서</td></tr>
  </tbody>
</table>

<h2>5. 휴양시설</h2>
<p>회사가 법인 회원권을 가진 휴양시설은 아래와 같습니다. 예약은 이용일 30일 전부터 선착순으로 받습니다.</p>
<ul>
  <li>제주 서귀포 한빛 연수원 (객실 12실)</li>
  <li>강원 평창 리조트 (법인 회원권 4구좌)</li>
  <li>경북 경주 보문단지 콘도 (여름 성수기에는 추첨)</li>
</ul>

<footer>
<p>문의: 인사팀 복리후생 담당 (내선 2340) &middot; &copy; 2025 한빛전자 주식회사</p>
</footer>
</body>
</html>
"""


# ---------------------------------------------------------------------------------------------
# 8. 회의록.md
# ---------------------------------------------------------------------------------------------
MINUTES_MD = """# 2025년 제3차 제품개발 회의록

- 일시: 2025년 4월 17일(목) 14:00~15:30
- 장소: 본사 7층 대회의실(한빛홀)
- 참석자: 정하윤 상무(주재), 오세훈 수석연구원, 한지민 책임, 윤태호 선임, 서예린 매니저(마케팅)
- 작성자: 윤태호 선임

## 1. 안건

1. 클린에어 X7 출시 일정 조정
2. 필터 협력사 단가 협상 결과
3. 베타 테스트 운영 계획

## 2. 논의 내용

### 2.1 클린에어 X7 출시 일정

오세훈 수석연구원은 소음 저감을 위한 설계 변경으로 금형을 수정해야 하므로 양산 일정이 3주가량 늦어진다고
보고하였다. 마케팅 담당 서예린 매니저는 추석 연휴 전에 판매를 시작하려면 9월 초에는 출시해야 한다는 의견을 냈다.

- 최대 풍량 모드 소음: 기존 52dB에서 목표 47dB로 낮춤
- 금형 수정 완료 예정일: 6월 13일

### 2.2 필터 단가 협상

한지민 책임은 협력사 ㈜그린필텍과 협상한 결과 헤파 필터 개당 단가를 4,800원에서 4,350원으로 인하하기로
합의하였다고 보고하였다. 연간 구매 물량 18만 개를 기준으로 약 8,100만 원의 원가 절감 효과가 예상된다.

### 2.3 베타 테스트

6월 23일부터 7월 18일까지 일반 고객 120명을 대상으로 베타 테스트를 진행한다. 참가자는 사내 추천 30명과
온라인 공개 모집 90명으로 구성한다.

## 3. 결정 사항

- 클린에어 X7 출시일을 2025년 9월 1일로 확정한다.
- 필터 단가 인하분은 7월 생산분부터 적용한다.
- 베타 테스트 결과 소음 불만이 10%를 넘으면 출시 여부를 8월 첫째 주 회의에서 다시 논의한다.

## 4. 후속 조치

| 담당자 | 할 일 | 기한 |
|---|---|---|
| 오세훈 | 금형 수정 및 소음 재측정 | 2025-06-13 |
| 한지민 | 그린필텍 단가 계약서 체결 | 2025-05-02 |
| 서예린 | 베타 테스트 참가자 모집 공고 | 2025-05-30 |
| 윤태호 | 회의록 배포 및 일정 공유 | 2025-04-18 |

다음 회의: 2025년 5월 15일(목) 14:00, 한빛홀
"""


# ---------------------------------------------------------------------------------------------
# 9. 공지사항_cp949.txt (CP949, CRLF line ends; 똠 is outside KS X 1001, so EUC-KR cannot decode it)
# ---------------------------------------------------------------------------------------------
NOTICE_TXT = """[사내 공지] 본사 사옥 전기설비 정기 점검 및 정전 안내

수신: 전 임직원
발신: 총무팀 시설관리파트
날짜: 2025년 9월 24일

1. 점검 일시
   2025년 10월 11일(토) 오전 8시부터 오후 2시까지 (약 6시간)

2. 점검 내용
   수변전 설비 정기 점검으로 본사 사옥 전체가 정전됩니다. 점검 시간에는 엘리베이터와 출입 게이트도 멈춥니다.

3. 협조 사항
   - 10월 10일(금) 퇴근 전까지 개인 PC와 모니터의 전원을 끄고 멀티탭 스위치를 내려 주시기 바랍니다.
   - 서버실 장비는 정보보안팀이 무정전 전원장치(UPS)로 별도 관리합니다.
   - 점검 당일 출근이 필요한 직원은 9월 30일(화)까지 총무팀(내선 2150)에 신청하여 주시기 바랍니다.

4. 주차장 이용
   점검 당일에는 지하 주차장 출입 차단기가 열린 상태로 유지되며, 지하 2층과 3층은 조명이 꺼지므로
   가급적 지상 방문객 주차장(12면)을 이용하여 주시기 바랍니다.

5. 기타
   - 정전이 끝난 뒤 사내 인트라넷 "한빛포털"과 전자결재 시스템은 오후 3시 이후에 정상화될 예정입니다.
   - 추석 연휴 직전인 10월 2일(목) 구내식당 점심 특식으로 똠얌꿍 쌀국수가 나옵니다. 많이 이용해 주십시오.

문의: 총무팀 시설관리파트 (내선 2150)
"""


def build_notice() -> bytes:
    return NOTICE_TXT.replace("\n", "\r\n").encode("cp949")


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------
BUILDERS: dict[str, Callable[[], bytes]] = {
    "취업규칙.docx": build_docx,
    "출장비_규정.hwpx": build_hwpx,
    "보안_지침.hwp": build_hwp,
    "2025_사업계획.pdf": build_pdf,
    "고객지원_매뉴얼.pptx": build_pptx,
    "부서별_예산.xlsx": build_xlsx,
    "복지_안내.html": lambda: WELFARE_HTML.encode("utf-8"),
    "회의록.md": lambda: MINUTES_MD.encode("utf-8"),
    "공지사항_cp949.txt": build_notice,
}


def generate(outdir: Path = FILES, names: list[str] | None = None) -> dict[str, Path]:
    """Write the samples (all, or only `names`) into `outdir`; return name -> path."""
    outdir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, build in BUILDERS.items():
        if names is not None and name not in names:
            continue
        path = outdir / name
        path.write_bytes(build())
        written[name] = path
    return written


def expected_json() -> str:
    return json.dumps(EXPECTED, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------
# Re-reading with generic libraries (no korag loaders)
# ---------------------------------------------------------------------------------------------
def hwp_records(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    """(tag, level, payload) for each record of a decompressed HWP record stream."""
    pos = 0
    while pos < len(data):
        if pos + 4 > len(data):
            raise ValueError(f"truncated record header at {pos}")
        (head,) = struct.unpack_from("<I", data, pos)
        pos += 4
        tag, level, size = head & 0x3FF, (head >> 10) & 0x3FF, head >> 20
        if size == 0xFFF:
            (size,) = struct.unpack_from("<I", data, pos)
            pos += 4
        if pos + size > len(data):
            raise ValueError(f"record {tag} at {pos} runs past the end")
        yield tag, level, data[pos:pos + size]
        pos += size


def _para_text(payload: bytes) -> str:
    """PARA_TEXT to str: skip 8-unit inline/extended controls, keep tab/line break, drop the CR."""
    units = struct.unpack(f"<{len(payload) // 2}H", payload)
    out, i = [], 0
    while i < len(units):
        u = units[i]
        if u < 32:
            if u in (0, 10, 13, 24, 25, 26, 27, 28, 29, 30, 31):  # one-unit "char" controls
                out.append({10: "\n", 30: " ", 31: " "}.get(u, ""))
                i += 1
            else:
                out.append("\t" if u == 9 else "")
                i += 8
            continue
        out.append(chr(u))
        i += 1
    return "".join(out)


def hwp_text(data: bytes) -> str:
    """All paragraph text of an HWP 5 file (body and table cells), checking the record structure."""
    import olefile

    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_UNSURE)
    header = ole.openstream("FileHeader").read()
    if not header.startswith(b"HWP Document File"):
        raise ValueError("not an HWP 5 FileHeader")
    version, flags = struct.unpack_from("<II", header, 32)
    if flags & 2:
        raise ValueError("password-protected HWP")
    compressed = bool(flags & 1)
    lines = []
    section = 0
    while ole.exists(f"BodyText/Section{section}"):
        raw = ole.openstream(f"BodyText/Section{section}").read()
        body = zlib.decompress(raw, -15) if compressed else raw
        prev_level, expect = -1, None
        for tag, level, payload in hwp_records(body):
            if level > prev_level + 1:
                raise ValueError(f"record {tag} jumps from level {prev_level} to {level}")
            prev_level = level
            if tag == HWPTAG_PARA_HEADER:
                expect = struct.unpack_from("<I", payload)[0] & 0x7FFFFFFF
            elif tag == HWPTAG_PARA_TEXT:
                if len(payload) // 2 != expect:
                    raise ValueError(f"PARA_TEXT has {len(payload) // 2} units, PARA_HEADER says {expect}")
                lines.append(_para_text(payload))
        section += 1
    if section == 0:
        raise ValueError("no BodyText/Section0")
    return "\n".join(lines)


def hwpx_text(data: bytes) -> tuple[str, str]:
    """(body text, page header/footer text) of an HWPX file."""
    from lxml import etree

    hp = "{%s}" % HWPX_NS["hp"]
    zf = zipfile.ZipFile(io.BytesIO(data))
    if zf.infolist()[0].filename != "mimetype" or zf.read("mimetype") != b"application/hwp+zip":
        raise ValueError("mimetype must be the first member and say application/hwp+zip")
    if zf.infolist()[0].compress_type != zipfile.ZIP_STORED:
        raise ValueError("mimetype must be stored, not deflated")
    hpf = etree.fromstring(zf.read("Contents/content.hpf"))
    opf = "{%s}" % HWPX_NS["opf"]
    hrefs = {i.get("id"): i.get("href") for i in hpf.iter(f"{opf}item")}
    sections = [hrefs[r.get("idref")] for r in hpf.iter(f"{opf}itemref") if "section" in hrefs[r.get("idref")]]
    body, margins = [], []
    for href in sections:
        root = etree.fromstring(zf.read(href))
        for p in root.iter(f"{hp}p"):
            texts = [t for t in p.iter(f"{hp}t") if _hwpx_owner_p(t, hp) is p]
            in_margin = any(a.tag in (f"{hp}header", f"{hp}footer") for a in p.iterancestors())
            (margins if in_margin else body).append("".join("".join(t.itertext()) for t in texts))
    return "\n".join(body), "\n".join(margins)


def _hwpx_owner_p(node, hp: str):
    return next(a for a in node.iterancestors() if a.tag == f"{hp}p")


def docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(parts)


def pptx_text(data: bytes) -> tuple[str, str]:
    """(slide text, speaker notes)."""
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    slides, notes = [], []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                slides.append(shape.text_frame.text)
            if shape.has_table:
                slides += [" | ".join(c.text for c in row.cells) for row in shape.table.rows]
        if slide.has_notes_slide:
            notes.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(slides), "\n".join(notes)


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), data_only=True)
    lines = []
    for ws in wb.worksheets:
        lines.append(f"## {ws.title}")
        for row in ws.iter_rows(values_only=True):
            lines.append(" | ".join("" if v is None else str(v) for v in row))
    return "\n".join(lines)


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(data: bytes) -> str:
    parser = _HTMLText()
    parser.feed(data.decode("utf-8"))
    return " ".join(parser.parts)


def generic_text(name: str, data: bytes) -> dict[str, object]:
    """Text of one sample read with generic libraries: {"text": ..., plus "margins"/"notes"/"pages"}."""
    ext = name.rsplit(".", 1)[-1]
    if ext == "docx":
        return {"text": docx_text(data)}
    if ext == "hwpx":
        body, margins = hwpx_text(data)
        return {"text": body, "margins": margins}
    if ext == "hwp":
        return {"text": hwp_text(data)}
    if ext == "pdf":
        pages = pdf_pages(data)
        return {"text": "\n".join(pages), "pages": pages}
    if ext == "pptx":
        slides, notes = pptx_text(data)
        return {"text": slides, "notes": notes}
    if ext == "xlsx":
        return {"text": xlsx_text(data)}
    if ext == "html":
        return {"text": html_text(data)}
    if ext == "md":
        return {"text": data.decode("utf-8")}
    if ext == "txt":
        return {"text": data.decode("cp949")}
    raise ValueError(f"no generic reader for {name}")


SIZE_LIMITS = {"pdf": 300_000}
DEFAULT_SIZE_LIMIT = 100_000


def verify(folder: Path = FILES) -> list[str]:
    """Problems found in the samples in `folder` (empty list: all good)."""
    problems = []
    for entry in EXPECTED:
        name = entry["file"]
        path = folder / name
        if not path.exists():
            problems.append(f"{name}: missing")
            continue
        data = path.read_bytes()
        limit = SIZE_LIMITS.get(entry["format"], DEFAULT_SIZE_LIMIT)
        if len(data) > limit:
            problems.append(f"{name}: {len(data)} bytes, over {limit}")
        try:
            got = generic_text(name, data)
        except Exception as err:  # noqa: BLE001 - report any reader failure as a problem
            problems.append(f"{name}: cannot be read back ({type(err).__name__}: {err})")
            continue
        text = collapse(str(got["text"]))
        wanted = list(entry["snippets"]) + [q["answer_snippet"] for q in entry["questions"]]
        problems += [f"{name}: snippet {s!r} not found" for s in wanted if collapse(s) not in text]
        problems += [f"{name}: {s!r} should not be in the default text" for s in entry.get("absent_snippets", [])
                     if collapse(s) in text]
        if entry["format"] == "hwpx":
            margins = collapse(str(got["margins"]))
            problems += [f"{name}: header text {s!r} not found" for s in entry["absent_snippets"] if s not in margins]
        if entry["format"] == "html":
            raw = data.decode("utf-8")
            problems += [f"{name}: {s!r} not in the raw file" for s in entry["absent_snippets"] if s not in raw]
        for s in entry.get("notes_snippets", []):
            if collapse(s) not in collapse(str(got["notes"])):
                problems.append(f"{name}: notes snippet {s!r} not found")
        for item in entry.get("page_snippets", []):
            pages = got["pages"]
            if collapse(item["text"]) not in collapse(pages[item["page"] - 1]):
                problems.append(f"{name}: {item['text']!r} not on page {item['page']}")
        if entry["format"] == "pdf" and len(got["pages"]) != 3:
            problems.append(f"{name}: {len(got['pages'])} pages, expected 3")
        if entry.get("encoding") == "cp949":
            for codec in ("utf-8", "euc-kr"):
                try:
                    data.decode(codec)
                except UnicodeDecodeError:
                    continue
                problems.append(f"{name}: decodes as {codec}; it should need CP949")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.samples.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=FILES, help="folder to write the samples into")
    parser.add_argument("--check", action="store_true", help="only check the existing files")
    args = parser.parse_args(argv)
    if not args.check:
        for name, path in generate(args.out).items():
            print(f"{path.stat().st_size:>8}  {name}")
        if args.out == FILES:
            EXPECTED_JSON.write_text(expected_json(), encoding="utf-8")
            print(f"wrote {EXPECTED_JSON}")
    problems = verify(args.out)
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    print("all samples check out" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
