"""Write the binary documents of the extraction set's "holdout2" split (HWPX, DOCX, PDF, PNG).

    python tests/data/extraction/holdout2/make.py

All content is written for this set (fictional agencies, companies and people, realistic layouts);
the TXT documents beside this script are committed as they are. HWPX reuses the byte-level writer of
ingest/samples/generate.py, DOCX python-docx, PDF reportlab, the 세금계산서 image PIL + NanumGothic.
"""
from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[3]))

from ingest.samples import generate as g  # noqa: E402

FONT_DIR = Path("/usr/share/fonts/truetype/nanum")

# ------------------------------------------------------------------------------------------------
# HWPX: ("table", rows, widths) or a paragraph string
# ------------------------------------------------------------------------------------------------
CNE_LETTER = [
    "충 청 남 도 교 육 청",
    ("table", [("수신", "도내 각 고등학교장"), ("(경유)", " "),
               ("제목", "2025학년도 학교 안전교육 운영 실태 점검 계획 안내")], (8000, 34520)),
    "1. 관련: 교육부 학생건강안전과-4102(2025. 8. 22.)",
    "2. 학교 안전교육 7대 영역 운영 실태를 다음과 같이 점검하고자 하오니, 각 학교에서는 자체 점검표를 작성하여 "
    "2025. 9. 19.(금)까지 업무포털로 제출하여 주시기 바랍니다.",
    "  가. 점검 기간: 2025. 9. 22.(월) ~ 10. 2.(목)",
    "  나. 점검 대상: 도내 고등학교 118교",
    "  다. 점검 방법: 서면 점검 및 현장 점검(표본 20교)",
    "3. 점검 결과 우수 학교에는 교육감 표창과 함께 학교당 300만원의 안전교육 운영비를 지원할 예정입니다.",
    "붙임  1. 학교 안전교육 자체 점검표 1부.",
    "      2. 점검 일정표 1부.  끝.",
    "충 청 남 도 교 육 감",
    ("table", [("장학사 박서윤", "체육건강안전과장 오명수", "교육국장 (전결)")], (14000, 14520, 14000)),
    "협조자",
    "시행  체육건강안전과-15230  (2025. 9. 3.)        접수",
    "우 32255  충청남도 홍성군 홍북읍 충남대로 22  / http://www.cne.go.kr",
    "전화 041-640-7412  전송 041-640-7429  / seoyun@korea.kr  / 대국민 공개",
]

WELFARE_RULES = [
    "복리후생비 지급 규정",
    "제정 2019. 1. 1.   개정 2025. 7. 1.   소관: 인사총무팀",
    "제1조(목적) 이 규정은 주식회사 다온테크(이하 \"회사\"라 한다)의 임직원에게 지급하는 복리후생비의 종류, "
    "지급 기준 및 절차를 정함을 목적으로 한다.",
    "제2조(적용 범위) 이 규정은 정규직 직원과 계약 기간이 1년 이상인 계약직 직원에게 적용한다.",
    "제3조(경조금) 회사는 다음 표에 따라 경조금과 경조휴가를 준다.",
    ("table", [("구분", "경조금", "경조휴가"), ("본인 결혼", "100만원", "5일"), ("자녀 결혼", "50만원", "1일"),
               ("부모 사망", "100만원", "5일"), ("조부모 사망", "30만원", "3일")], (14000, 14520, 14000)),
    "제4조(자기계발비) ① 회사는 직원 1인당 연 120만원 한도에서 도서 구입, 어학 및 자격 취득 비용을 지원한다.",
    "② 해당 연도에 쓰지 아니한 자기계발비는 다음 해로 이월하지 아니한다.",
    "제5조(건강검진) 회사는 만 40세 이상 직원과 그 배우자에게 2년에 1회 종합건강검진 비용을 1인당 50만원 "
    "한도에서 지원한다.",
    "제6조(신청) 복리후생비를 받으려는 직원은 사유가 발생한 날부터 30일 이내에 증빙서류를 첨부하여 "
    "인사총무팀에 신청하여야 한다.",
    "부칙",
    "이 규정은 2025년 7월 1일부터 시행한다.",
]

STARTUP_NOTICE = [
    "해오름시 공고 제2025-1184호",
    "2025년 해오름시 청년 창업공간 입주기업 모집 공고",
    "해오름시 청년창업센터에 입주할 기업을 다음과 같이 모집하오니, 많은 신청 바랍니다.",
    "2025. 8. 11.",
    "해 오 름 시 장",
    "1. 모집 개요",
    "  ○ 모집 규모: 입주실 12개 (기업당 1실)",
    "  ○ 입주 기간: 2025. 10. 1. ~ 2026. 9. 30. (1년, 평가 후 1년 연장 가능)",
    "  ○ 입주 비용: 관리비 월 5만원 (임대료 면제)",
    "2. 신청 자격: 공고일 현재 해오름시에 사업장을 둔 창업 7년 이내 기업으로서 대표자가 만 39세 이하인 기업",
    "3. 접수 기간: 2025. 8. 18.(월) 09:00 ~ 8. 29.(금) 18:00",
    "4. 접수 방법: 해오름시 누리집(www.haeoreum.example.go.kr)에서 온라인 접수",
    "5. 선정 방법: 서류 심사(60점)와 발표 심사(40점)를 합산하여 고득점 순으로 선정",
    "6. 문의: 해오름시 일자리경제과 창업지원팀 (☎ 031-5180-2714)",
]


def _section(body: list) -> str:
    paras = []
    for i, item in enumerate(body):
        if isinstance(item, tuple):
            _, rows, widths = item
            paras.append(g._hwpx_p(f'<hp:run charPrIDRef="0">{g._hwpx_table(rows, widths)}<hp:t/></hp:run>'))
            continue
        runs = [g._hwpx_run(0, item)]
        if i == 0:  # the first paragraph carries the section properties
            runs.insert(0, f'<hp:run charPrIDRef="0">{g._HWPX_SECPR}</hp:run>')
        paras.append(g._hwpx_p("".join(runs)))
    return f"{g._XMLDECL}<hs:sec{g._NSDECL}>{''.join(paras)}</hs:sec>"


def build_hwpx(body: list, title: str, creator: str) -> bytes:
    """The sample generator's HWPX package with this body, title and author (no page header)."""
    template = zipfile.ZipFile(io.BytesIO(g.build_hwpx()))
    preview = []
    for item in body:
        preview += ["".join(f"<{c}>" for c in row) for row in item[1]] if isinstance(item, tuple) else [item]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in template.infolist():
            blob = template.read(info.filename)
            if info.filename == "Contents/section0.xml":
                blob = _section(body).encode()
            elif info.filename == "Preview/PrvText.txt":
                blob = "\r\n".join(preview).encode()
            elif info.filename == "Contents/content.hpf":
                text = blob.decode().replace("출장비 지급 규정", title).replace("한빛전자 총무팀", creator)
                blob = text.replace("사내 규정", "").replace("출장비, 여비, 숙박비", "").encode()
            zf.writestr(g._zinfo(info.filename, deflate=info.filename not in ("mimetype", "version.xml")), blob)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------
# DOCX: ("h", text), ("p", text), ("table", rows)
# ------------------------------------------------------------------------------------------------
SAEBOM_LETTER = [
    ("h", "주식회사 새봄식품"),
    ("p", "서울특별시 성동구 성수일로 77 (우 04790) / 전화 02-466-3300 / 팩스 02-466-3309"),
    ("p", "문서번호: 새봄-구매-2025-0142"),
    ("p", "시행일자: 2025년 8월 25일(월)"),
    ("p", "수  신: 협력업체 대표이사"),
    ("p", "참  조: 영업 담당자"),
    ("p", "제  목: 2025년 하반기 원재료 납품 단가 조정 협의 요청"),
    ("p", "1. 귀사의 무궁한 발전을 기원합니다."),
    ("p", "2. 당사는 원재료 수급 여건의 변화에 따라 2025년 하반기 납품 단가를 다음과 같이 조정하고자 하오니 "
          "협의하여 주시기 바랍니다."),
    ("p", "  - 대상 품목: 국산 콩(대두) 외 4종"),
    ("p", "  - 조정 적용일: 2025. 10. 1."),
    ("p", "  - 연간 구매 예정액: 12억 원"),
    ("p", "3. 회신은 2025. 9. 12.(금)까지 구매팀 전자우편(purchase@saebomfood.example.kr)으로 보내 주시기 바랍니다."),
    ("p", "붙임: 품목별 단가 조정안 1부.  끝."),
    ("p", "주식회사 새봄식품 대표이사  윤 재 호  (직인생략)"),
    ("p", "담당: 구매팀 과장 임하늘 (내선 214)"),
]

SW_CONTRACT = [
    ("h", "소프트웨어 유지관리 용역 계약서"),
    ("p", "발주기관 해오름시(이하 \"갑\"이라 한다)와 계약상대자 주식회사 온누리시스템(이하 \"을\"이라 한다)은 "
          "다음과 같이 용역계약을 체결한다."),
    ("table", [("계약명", "2026년 통합민원시스템 유지관리 용역"),
               ("계약금액", "금 일억이천삼백만원정 (₩123,000,000, 부가가치세 포함)"),
               ("계약기간", "2026. 1. 1. ~ 2026. 12. 31."),
               ("계약보증금", "계약금액의 100분의 10 (₩12,300,000)"),
               ("지체상금률", "1,000분의 1.25"),
               ("하자보수보증기간", "해당 없음")]),
    ("p", "제1조(목적) 이 계약은 갑이 운영하는 통합민원시스템의 안정적인 운영을 위하여 을이 수행할 유지관리 "
          "용역의 범위와 조건을 정함을 목적으로 한다."),
    ("p", "제2조(대가 지급) 갑은 매 분기 종료 후 14일 이내에 분기별 유지관리 대가 ₩30,750,000을 을에게 지급한다."),
    ("p", "제3조(장애 대응) 을은 장애 접수 후 2시간 이내에 현장에 도착하여 조치를 시작하여야 한다."),
    ("p", "제4조(보안) 을은 용역 수행 중 알게 된 개인정보와 시스템 정보를 외부에 누설하여서는 아니 된다."),
    ("p", "2025년 12월 22일"),
    ("table", [("구분", "갑 (발주기관)", "을 (계약상대자)"),
               ("상호", "해오름시", "주식회사 온누리시스템"),
               ("주소", "해오름시 시청로 1", "서울특별시 구로구 디지털로 288"),
               ("대표자", "해오름시장", "대표이사 서정민")]),
]


def build_docx(body: list, title: str) -> bytes:
    from docx import Document

    doc = Document()
    for kind, content in body:
        if kind == "h":
            doc.add_heading(content, level=0)
        elif kind == "p":
            doc.add_paragraph(content)
        else:
            table = doc.add_table(rows=len(content), cols=len(content[0]))
            table.style = "Table Grid"
            for r, row in enumerate(content):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    props = doc.core_properties
    props.title, props.author, props.created, props.modified = title, "", g.CREATED, g.CREATED
    buf = io.BytesIO()
    doc.save(buf)
    return g.rezip(buf.getvalue())


# ------------------------------------------------------------------------------------------------
# PDF (reportlab): ("title"|"h"|"p", text) or ("table", rows)
# ------------------------------------------------------------------------------------------------
PRESS = [
    ("title", "보 도 자 료"),
    ("table", [("보도 일시", "2025. 11. 20.(목) 12:00 (온라인 11. 20.(목) 06:00)"),
               ("배포 일시", "2025. 11. 19.(수) 14:00"),
               ("담당 부서", "중소벤처기업부 소상공인정책과"),
               ("책임자", "과장 윤상철 (044-204-7801)"),
               ("담당자", "사무관 한지수 (044-204-7812)")]),
    ("h", "소상공인 디지털 전환에 내년 1,200억 원 투입"),
    ("p", "- 스마트상점 기술 보급 2만 곳으로 확대, 자부담 비율 30%로 인하 -"),
    ("p", "중소벤처기업부는 11월 20일 「2026년 소상공인 디지털 전환 지원 계획」을 발표하고, 내년 예산 1,200억 원을 "
          "들여 스마트상점 기술 보급을 올해 1만 2천 곳에서 2만 곳으로 늘린다고 밝혔다."),
    ("p", "스마트상점 기술은 키오스크, 서빙로봇, 스마트오더 등 점포 운영을 돕는 기술로, 내년부터는 소상공인의 "
          "자부담 비율이 기존 50%에서 30%로 낮아져 점포당 최대 500만원까지 지원받을 수 있다."),
    ("p", "신청은 2026년 1월 중 소상공인시장진흥공단 누리집에서 받으며, 자세한 내용은 공고를 통해 안내할 예정이다."),
    ("p", "중소벤처기업부 관계자는 \"디지털 기술이 영세 소상공인의 인력난과 비용 부담을 덜어 줄 것\"이라고 말했다."),
]

MUSEUM_LETTER = [
    ("title", "국 립 해 양 박 물 관"),
    ("p", "수신: 해양수산부 해양정책과장"),
    ("p", "(경유)"),
    ("p", "제목: 2025년 해양문화 순회전시 결과 보고"),
    ("p", "1. 관련: 해양정책과-3318(2025. 5. 2.)"),
    ("p", "2. 우리 기관에서 추진한 「2025년 해양문화 순회전시」 결과를 다음과 같이 보고합니다."),
    ("p", "  가. 기간: 2025. 6. 2. ~ 7. 25."),
    ("p", "  나. 장소: 전국 6개 도시 (목포, 여수, 통영, 포항, 속초, 제주)"),
    ("p", "  다. 관람 인원: 총 48,210명"),
    ("p", "  라. 집행 예산: 2억 8천만원 (예산 3억 원 대비 93.3%)"),
    ("p", "붙임  결과보고서 1부.  끝."),
    ("title", "국 립 해 양 박 물 관 장"),
    ("table", [("학예연구사 남궁현", "전시교육과장 류세아", "관장 (전결)")]),
    ("table", [("시행", "전시교육과-1042 (2025. 8. 4.)", "접수", "")]),
    ("p", "우 49111 부산광역시 영도구 해양로301번길 45 / www.mmk.example.kr"),
    ("p", "전화 051-309-1820 / 전송 051-309-1809 / hyun.ng@mmk.example.kr / 공개"),
]


def build_pdf(body: list, title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(TTFont("NanumGothic", str(FONT_DIR / "NanumGothic.ttf")))
    pdfmetrics.registerFont(TTFont("NanumGothic-Bold", str(FONT_DIR / "NanumGothicBold.ttf")))
    styles = {"title": ParagraphStyle("t", fontName="NanumGothic-Bold", fontSize=18, leading=26, alignment=1,
                                      spaceAfter=12),
              "h": ParagraphStyle("h", fontName="NanumGothic-Bold", fontSize=14, leading=20, spaceAfter=8),
              "p": ParagraphStyle("p", fontName="NanumGothic", fontSize=10.5, leading=16, spaceAfter=4)}
    flow = []
    for kind, content in body:
        if kind == "table":
            table = Table([[Paragraph(c, styles["p"]) for c in row] for row in content])
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
            flow.append(table)
        else:
            flow.append(Paragraph(content, styles[kind]))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title=title, author="", invariant=1).build(flow)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------
# PNG: a 전자세금계산서 drawn as a ruled form (supplier left, buyer right), read back by OCR
# ------------------------------------------------------------------------------------------------
def build_tax_invoice() -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    face = ImageFont.truetype(str(FONT_DIR / "NanumGothic.ttf"), 30)
    bold = ImageFont.truetype(str(FONT_DIR / "NanumGothicBold.ttf"), 40)
    image = Image.new("L", (1780, 900), 255)
    draw = ImageDraw.Draw(image)
    draw.text((560, 40), "전 자 세 금 계 산 서", font=bold, fill=0)
    draw.text((1140, 110), "승인번호 20251031-41000012-7c3a9e12", font=face, fill=0)
    left, top, row_h = 60, 170, 70
    cols = (60, 170, 390, 840, 1010, 1230, 1720)
    rows = [("공급자", "등록번호", "128-86-53017", "공급받는자", "등록번호", "214-83-77120"),
            ("", "상호", "미래오피스", "", "상호", "해오름시청"),
            ("", "성명", "권도현", "", "성명", "해오름시장"),
            ("", "사업장", "해오름시 산단로 17", "", "사업장", "해오름시 시청로 1")]
    for r, row in enumerate(rows):
        y = top + r * row_h
        for c, cell in enumerate(row):
            draw.text((cols[c] + 14, y + 18), cell, font=face, fill=0)
    for r in range(len(rows) + 1):
        draw.line((left, top + r * row_h, cols[-1], top + r * row_h), fill=0, width=2)
    for x in cols:
        draw.line((x, top, x, top + len(rows) * row_h), fill=0, width=2)
    y = top + len(rows) * row_h + 50
    for label, value in (("작성일자", "2025-10-31"), ("공급가액", "1,800,000"), ("세액", "180,000"),
                         ("합계금액", "1,980,000")):
        draw.text((80, y), label, font=face, fill=0)
        draw.text((330, y), value, font=face, fill=0)
        y += 60
    draw.text((80, y + 20), "품목: 사무용 의자 20개", font=face, fill=0)
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


FILES = {
    "충남교육청_안전교육_공문.hwpx": lambda: build_hwpx(CNE_LETTER, "학교 안전교육 운영 실태 점검 계획 안내",
                                                      "충청남도교육청"),
    "복리후생비_지급_규정.hwpx": lambda: build_hwpx(WELFARE_RULES, "복리후생비 지급 규정", "다온테크 인사총무팀"),
    "청년창업공간_모집공고.hwpx": lambda: build_hwpx(STARTUP_NOTICE, "청년 창업공간 입주기업 모집 공고", "해오름시"),
    "새봄식품_단가협의_공문.docx": lambda: build_docx(SAEBOM_LETTER, "원재료 납품 단가 조정 협의 요청"),
    "유지관리_용역계약서.docx": lambda: build_docx(SW_CONTRACT, "소프트웨어 유지관리 용역 계약서"),
    "소상공인_보도자료.pdf": lambda: build_pdf(PRESS, "보도자료"),
    "해양박물관_결과보고_공문.pdf": lambda: build_pdf(MUSEUM_LETTER, "순회전시 결과 보고"),
    "세금계산서.png": build_tax_invoice,
}

if __name__ == "__main__":
    for name, build in FILES.items():
        (HERE / name).write_bytes(build())
        print(name, (HERE / name).stat().st_size)
