"""Extraction rules read a field from the place the document gives it, and leave it null otherwise:
공문 접수 blanks, "수신자 참조", titles over two lines, "(경유)" lines, a 시행 cell read line by line,
contract parties and dates, OCR'd receipts (bare figures, split names), weak labels that name another thing."""
from __future__ import annotations

from agents.contract_terms import closing_date, parties
from agents.extractive import Passage
from agents.letterhead import as_text, letterhead
from agents.rules import extract_fields


def _text(description: str, **extra) -> dict:
    return {"type": ["string", "null"], "description": description, **extra}


def _values(schema_props: dict, passages: list[Passage], kiwi=None) -> tuple[dict, dict]:
    reasons: dict[str, str] = {}
    fields = extract_fields({"type": "object", "properties": schema_props}, passages, kiwi, reasons=reasons)
    return {k: (m.value if m else None) for k, m in fields.items()}, reasons


# A plain-text 공문 as the TXT loader hands it over (indents dropped), written for this test.
LETTER = [Passage(1, "경 상 남 도"),
          Passage(2, "수신  수신자 참조\n(경유)  경상남도교육감\n제목  2026년 도민 안전체험관 운영 안내 및 단체\n"
                     "체험 신청 요청"),
          Passage(3, "1. 체험관을 다음과 같이 운영합니다.\n가. 일시: 2026. 3. 2.(월) ~ 12. 18.(금)\n"
                     "2. 신청은 2026. 2. 20.까지 받습니다.  끝.\n경 상 남 도 지 사\n수신자  창원시장, 김해시장\n"
                     "시행  안전정책과-3301 (2026. 2. 2.)        접수\n전화 055-211-0000")]


def test_letter_places_and_blanks():
    parts = {role: as_text(part) for role, part in letterhead(LETTER).items()}
    assert parts["recipient"] == "창원시장, 김해시장"  # "수신자 참조": the 수신자 line under the 발신명의
    assert parts["via"] == "경상남도교육감"
    assert parts["title"] == "2026년 도민 안전체험관 운영 안내 및 단체 체험 신청 요청"  # one title over two lines
    assert parts["doc_number"] == "안전정책과-3301" and parts["date"] == "2026-02-02"
    assert parts["received_date"] == ""  # the 접수 place is there and empty
    values, reasons = _values({"접수일자": _text("접수 일자", format="date"), "신청기한": _text("신청 기한", format="date"),
                               "제목": _text("문서 제목")}, LETTER)
    # not the 시행 date next to "접수", not the event's "일시" for a deadline: the date "신청은 …까지" sets
    assert values["접수일자"] is None and "접수" in reasons["접수일자"]
    assert values["신청기한"] == "2026-02-20" and values["제목"].endswith("신청 요청")


def test_a_received_letter_gives_its_received_date():
    letter = [Passage(1, "수신 각 구청장\n제목 협조 요청\n시행 총무과-12 (2025. 7. 14.)   접수 인사과-990 (2025. 7. 15.)")]
    assert as_text(letterhead(letter)["received_date"]) == "2025-07-15"
    # the structure step puts a mid-line 접수 on its own line; the 시행 line's event "일시" is not it
    split = [Passage(1, "가. 일시: 2025. 10. 16.(목)\n시행 총무과-12 (2025. 7. 14.)\n접수 인사과-990 (2025. 7. 15.)\n우 16508")]
    assert as_text(letterhead(split)["received_date"]) == "2025-07-15"
    blank = [Passage(1, "시행 총무과-12 (2025. 7. 14.)\n접수\n우 16508")]
    assert as_text(letterhead(blank)["received_date"]) == ""


def test_a_pdf_issue_cell_read_line_by_line_and_a_spaced_museum_letterhead():
    letter = [Passage(1, "국 립 민 속 박 물 관\n수신: 문화체육관광부장관\n제목: 결과 보고"), Passage(2, "시행"),
              Passage(3, "전시과-1042\n(2025. 8. 4.) 접수\n우 03045 서울특별시 종로구")]
    parts = {role: as_text(part) for role, part in letterhead(letter).items()}
    assert parts["sender"] == "국립민속박물관" and parts["doc_number"] == "전시과-1042"
    assert parts["date"] == "2025-08-04" and parts["received_date"] == ""


def test_a_company_letter_is_sent_by_the_company_on_its_first_line():
    letter = [Passage(1, "주식회사 가람물산\n문서번호: 가람-2025-01\n수  신: 거래처 대표\n제  목: 단가 협의 요청")]
    values, _ = _values({"발신": _text("발신 기관 (발신명의)"), "수신": _text("수신자")}, letter)
    assert values == {"발신": "주식회사 가람물산", "수신": "거래처 대표"}


CONTRACT = [Passage(1, '임차인 주식회사 새길(이하 "갑"이라 한다)과 임대인 박정호(이하 "을"이라 한다)는 다음과 같이 계약한다.\n'
                       "제1조(계약기간) 계약기간: 2025. 5. 1. ~ 2026. 4. 30.\n"
                       "제2조(선급금) 갑은 계약 체결 후 7일 이내에 선급금 1천만원을 을에게 지급한다.\n"
                       "2025. 4. 20.\n갑  주식회사 새길  대표이사 한지민 (인)\n을  박정호 (인)")]


def test_contract_parties_and_date_from_their_places():
    assert [p.value for p in parties(CONTRACT)] == ["주식회사 새길", "박정호"]
    assert closing_date(CONTRACT).value.iso() == "2025-04-20"
    values, _ = _values({"당사자": {"type": "array", "items": {"type": "string"}},
                         "계약일": _text("계약 체결일", format="date"),
                         "선급금": {"type": ["integer", "null"]}, "계약보증금": {"type": ["integer", "null"]}}, CONTRACT)
    # 계약일 is not the 계약기간's first day; 계약보증금 is not the 선급금 a "계약" three words earlier names
    assert values == {"당사자": ["주식회사 새길", "박정호"], "계약일": "2025-04-20", "선급금": 10_000_000, "계약보증금": None}


def test_receipt_figures_without_won_and_names_split_by_ocr():
    slip = [Passage(1, "가맹점 명: 카페 하늘\n대표자: 서 민 지\n공급 가액 21,364\n부가세 2,136\n합계 금액 23,500\n"
                       "공급 받는 자: 한빛초등학교 귀하\n승인 번호: 30012458")]
    values, _ = _values({"상호": _text("가게 이름"), "대표자": _text("대표자"), "합계": {"type": ["integer", "null"]},
                         "부가세": {"type": ["integer", "null"]}, "공급받는자": _text("공급받는자")}, slip)
    assert values == {"상호": "카페 하늘", "대표자": "서민지", "합계": 23_500, "부가세": 2_136, "공급받는자": "한빛초등학교"}


def test_one_weak_label_over_two_values_is_no_answer(kiwi):
    invoice = [Passage(1, "공급자\n등록번호\n128-86-00000\n상호\n가나상사\n공급받는자\n상호\n다라시청")]
    values, reasons = _values({"공급받는자 상호": _text("공급받는자 상호")}, invoice, kiwi)
    assert values["공급받는자 상호"] in (None, "다라시청")  # never the supplier's name
    rules = [Passage(1, "제4조 자기계발비는 연 120만원 한도에서 지원한다.\n제5조 건강검진비는 50만원 한도에서 지원한다.")]
    values, reasons = _values({"교육비 한도": {"type": ["integer", "null"], "description": "지원 한도 (원)"}}, rules, kiwi)
    assert values["교육비 한도"] is None and "똑같이" in reasons["교육비 한도"]  # "한도" follows both amounts


def test_a_press_release_genre_line_is_not_its_title():
    release = [Passage(1, "보 도 자 료\n보도 일시 2025. 11. 20.(목) 12:00\n소상공인 지원 확대")]
    values, _ = _values({"제목": _text("보도자료 제목")}, release)
    assert values["제목"] != "보 도 자 료"


def test_a_value_ends_at_the_next_rendered_cell():
    # ingest renders a table row's cells joined by " · ": never part of a value
    row = [Passage(1, "담당부서: 미래전략과 · 담당과장: 장인숙(02-2110-2430) · 담 당 자: 용찬재 사무관")]
    values, _ = _values({"담당부서": _text("담당 부서"), "담당과장": _text("담당 과장")}, row)
    assert values == {"담당부서": "미래전략과", "담당과장": "장인숙"}


def test_a_flattened_row_s_value_stops_at_the_next_label_and_a_title_is_not_a_name(kiwi):
    # a PDF's table row comes out as one line of words: "담당부서 X 담당자 차장 Y"
    release = [Passage(1, "보 도 자 료\n담당부서 숲체험사업실 담당자 차장 민서진\n연락처 042-000-0000")]
    values, _ = _values({"담당부서": _text("담당 부서"), "담당자": _text("담당자 이름")}, release, kiwi)
    assert values == {"담당부서": "숲체험사업실", "담당자": "민서진"}
    letter = [Passage(1, "수신 새봄식품(주)\n참조 영업 담당자\n제목 단가 협의")]
    assert _values({"참조": _text("참조")}, letter, kiwi)[0]["참조"] == "영업 담당자"  # ends on a label word: whole


def test_a_registration_number_has_its_shape_and_next_meeting_is_another_meeting(kiwi):
    slip = [Passage(1, "새온마트 가온점\n카드 번호 5107-37**-****-2281\n승인 번호 30012458")]
    values, _ = _values({"사업자등록번호": _text("사업자등록번호")}, slip, kiwi)
    assert values["사업자등록번호"] is None  # a card number is not a business registration number
    receipt = [Passage(1, "온새미베이커리\n사업자번호: 504-21-66093  대표: 정민규")]
    assert _values({"사업자등록번호": _text("사업자등록번호")}, receipt, kiwi)[0]["사업자등록번호"] == "504-21-66093"
    minutes = [Passage(1, "벚꽃축제 추진위원회 회의록\n참석: 위원 9명\n5. 다음 회의: 2026. 1. 27.(화) 14:00, 같은 장소")]
    date = {"type": ["string", "null"], "format": "date"}
    values, _ = _values({"회의일": date, "차기 회의일": date}, minutes, kiwi)
    assert values == {"회의일": None, "차기 회의일": "2026-01-27"}


def test_a_document_s_only_e_mail_address_is_its_e_mail():
    email = {"type": ["string", "null"], "format": "email"}
    one = [Passage(1, "도담대학교\n수신 주식회사 푸른길관광 대표이사\n학생지원처 정예진 / 041-550-6624 / yj.jung@dodam.example.ac.kr")]
    assert _values({"이메일": email}, one)[0]["이메일"] == "yj.jung@dodam.example.ac.kr"
    two = [Passage(1, "담당 a.kim@example.go.kr\n참조 b.lee@example.go.kr")]
    values, reasons = _values({"이메일": email}, two)
    assert values["이메일"] is None and "2개" in reasons["이메일"]  # two and no label: no guess


def test_a_title_label_alone_on_its_line_takes_the_next_lines():
    # a PDF header cell: "제목" ends one block, the title (two lines) starts the next
    letter = [Passage(1, "한국농어촌문화진흥원"), Passage(2, "수신 전국 시·군 농업기술센터소장\n(경유)\n제목"),
              Passage(3, "2026년 농촌 청년 마을활동가 지원사업 참여\n마을 추천 요청\n1. 귀 기관의 발전을 기원합니다.")]
    values, _ = _values({"제목": _text("공문 제목")}, letter)
    assert values["제목"] == "2026년 농촌 청년 마을활동가 지원사업 참여 마을 추천 요청"


def test_names_after_titles_in_lines_and_lists_a_plate_number_and_a_service_contract_s_name(kiwi):
    memo = [Passage(1, "협 조 전\n담당 : 인재개발팀 선임 봉세아 (내선 3142, seah.bong@example.co.kr)\n"
                       "보고자  농업환경연구과 연구원  도 하 람  (인)\n출장자 : 연구원 도하람, 주임 백서린")]
    people = {"type": ["array", "null"], "items": {"type": "string"}, "description": "출장자 이름"}
    values, _ = _values({"담당자": _text("담당자 이름"), "보고자": _text("보고자 이름"), "출장자": people}, memo, kiwi)
    assert values == {"담당자": "봉세아", "보고자": "도하람", "출장자": ["도하람", "백서린"]}
    ticket = [Passage(1, "솔내공영주차장\n차량 번호 : 38 나 4172\n주차 요금 3,000원")]
    assert _values({"차량번호": _text("차량번호")}, ticket, kiwi)[0]["차량번호"] == "38나4172"
    contract = [Passage(1, "시설경비 용역 계약서\n제1조(계약의 내용)\n① 용 역 명 : 2026년 가람청소년수련관 시설경비 용역\n"
                           "② 계약금액 : 금 사천삼백이십만원정")]
    assert _values({"계약명": _text("계약 이름")}, contract, kiwi)[0]["계약명"] == "2026년 가람청소년수련관 시설경비 용역"


def test_a_receipt_s_store_name_heads_its_business_block():
    receipt = [Passage(1, "[영수증]\n한우명가 마포점\n대표: 김태식\n사업자번호: 105-12-34567\n합계 84,000")]
    assert _values({"상호": _text("가게 이름")}, receipt)[0]["상호"] == "한우명가 마포점"
    # no 대표/사업자 block under the first line: a letterhead, not a store
    letter = [Passage(1, "서울특별시\n수신 국토교통부장관\n제목 추진실적 제출")]
    values, reasons = _values({"상호": _text("가게 이름")}, letter)
    assert values["상호"] is None


def test_a_fax_is_not_the_phone_and_a_business_number_is_not_an_approval_number(kiwi):
    footer = [Passage(1, "단해시 기후에너지과\n전화 055-610-3826  전송 055-610-3839  이메일 energy@example.go.kr")]
    values, _ = _values({"전화": _text("전화번호"), "팩스": _text("팩스 번호")}, footer, kiwi)
    assert values == {"전화": "055-610-3826", "팩스": "055-610-3839"}
    receipt = [Passage(1, "늘봄온누리약국\n대표 맹지호\n사업자 번호 318-05-72164\n현금 결제 12,400원")]
    values, _ = _values({"승인번호": _text("카드 승인번호"), "사업자등록번호": _text("사업자등록번호")}, receipt, kiwi)
    assert values["승인번호"] is None and values["사업자등록번호"] == "318-05-72164"
