"""Write the binary documents of the extraction set's "holdout9" split (HWPX, DOCX, PDF, XLSX, PPTX).

    python tests/data/extraction/holdout9/make.py

All content is written for this set (fictional agencies, companies and people, realistic layouts);
the TXT documents beside this script (a 소방서 공문 sent to a 수신자 list whose 제목 wraps onto a second
line, and a 세탁소 receipt and an 안경원 receipt that the bench draws as images and reads back by OCR) are
committed as they are. The HWPX, DOCX and PDF writers are holdout2's (tests/data/extraction/holdout2/make.py);
the XLSX (openpyxl) and PPTX (python-pptx) writers are this script's, re-zipped with fixed timestamps so that
a rerun writes the same bytes.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("holdout2_make", HERE.parent / "holdout2" / "make.py")
h2 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(h2)

CREATED = dt.datetime(2026, 9, 1, 9, 0, 0)

# ------------------------------------------------------------------------------------------------
# HWPX: ("table", rows, widths) or a paragraph string
# ------------------------------------------------------------------------------------------------
HISTORY_BUS_LETTER = [
    "강이 흐르는 문화도시, 윤슬",
    "재 단 법 인   윤 슬 문 화 관 광 재 단",
    "수 신 자   윤슬시 관내 초·중학교장",
    "(경   유)   윤슬교육지원청교육장",
    "제    목   2026 하반기 「윤슬 강변 역사문화 체험버스」 참가 학교 모집 및 신청서 제출 안내",
    "1. 관련: 윤슬교육지원청 초등교육지원과-5127(2026. 8. 24.) 「2026 지역 연계 현장체험학습 지원 계획」",
    "2. 우리 재단은 학생들이 윤슬강 일대의 역사·문화 자원을 직접 보고 배울 수 있도록 「윤슬 강변 역사문화 "
    "체험버스」를 운영하고 있으며, 2026년 하반기 참가 학교를 다음과 같이 모집하오니 각 학교에서는 적극 "
    "신청하여 주시기 바랍니다.",
    "  가. 운영 기간: 2026. 10. 5.(월) ~ 11. 27.(금) 중 평일",
    "  나. 모집 규모: 24개교 (학교당 1회, 1회 최대 40명)",
    "  다. 코    스: 윤슬나루터 → 옛 윤슬역사(驛舍) 전시관 → 강변 생태습지 (약 4시간)",
    "  라. 지원 내용: 버스 임차료, 해설사, 체험 재료비 전액 (학교당 최대 95만원 상당, 학교 부담 없음)",
    "  마. 신청 기한: 2026. 9. 18.(금) 17:00까지",
    "  바. 신청 방법: 붙임 신청서를 작성하여 재단 전자우편(bus@yunseul-ct.example.or.kr)으로 제출",
    "3. 참가 학교는 신청 순서와 지역 안배를 고려하여 선정하며, 선정 결과는 2026. 9. 30.(수)에 각 학교로 "
    "개별 안내합니다.",
    "붙임  1. 체험버스 참가 신청서 1부.",
    "      2. 코스별 운영 안내 1부.  끝.",
    "재단법인 윤슬문화관광재단 이사장",
    ("table", [("주임", "교육사업팀장", "문화사업본부장"),
               ("탁여울", "금하람", "(전결) 09/03")], (14000, 14520, 14000)),
    "협조자",
    "시행  교육사업팀-0742  (2026. 9. 3.)        접수",
    "우 14507  한별도 윤슬시 강변문화로 120, 3층  / www.yunseul-ct.example.or.kr",
    "전화 031-478-2251  전송 031-478-2259  / yeoul.tak@yunseul-ct.example.or.kr  / 공개",
]

JAZZ_CONTRACT = [
    "공연 출연 계약서",
    ("table", [("구  분", "갑 (주최자)", "을 (출연자 소속사)"),
               ("명  칭", "재단법인 윤슬문화관광재단", "주식회사 파란새벽엔터테인먼트"),
               ("대 표 자", "이사장  한 무 결", "대표이사  추 서 연"),
               ("주  소", "한별도 윤슬시 강변문화로 120, 3층", "서울특별시 마포구 잔다리로 31, 5층"),
               ("연 락 처", "031-478-2260", "02-334-7185")], (9000, 16760, 16760)),
    "위 갑과 을은 을의 소속 아티스트 「새벽다섯시」(재즈 5인조)의 공연 출연에 관하여 다음과 같이 계약을 "
    "체결한다.",
    "제1조(공연 개요) 공연의 개요는 다음과 같다.",
    ("table", [("공 연 명", "2026 윤슬 강변 재즈 페스티벌"),
               ("공연 일시", "2026. 10. 10.(토) 19:30 ~ 20:40 (70분), 리허설 당일 15:00"),
               ("공연 장소", "윤슬 강변공원 수변무대 (야외)"),
               ("계약 기간", "2026년 9월 14일 ~ 2026년 10월 31일"),
               ("출 연 료", "금 일천이백오십만원정 (₩12,500,000, 부가가치세 별도)")], (12000, 30520)),
    "제2조(출연료 지급) ① 갑은 계약 체결 후 14일 이내에 출연료의 100분의 30인 금 삼백칠십오만원정"
    "(₩3,750,000)을 계약금으로 지급하고, 잔금은 공연 종료 후 7일 이내에 지급한다.",
    "② 을은 출연료를 청구할 때 세금계산서를 발행한다.",
    "제3조(무대·음향) 갑은 을이 공연 20일 전까지 제출한 기술요청서에 따라 무대, 음향, 조명 장비와 대기실을 "
    "제공한다.",
    "제4조(출연자 변경) 을은 갑의 사전 서면 동의 없이 출연자를 변경할 수 없으며, 불가피한 사정으로 구성원을 "
    "바꿀 때에는 공연 10일 전까지 갑에게 알려야 한다.",
    "제5조(천재지변 등) 태풍·호우 등 천재지변이나 감염병 확산으로 공연이 취소된 경우 을은 이미 받은 계약금을 "
    "돌려주지 아니하며, 갑의 잔금 지급 의무는 소멸한다.",
    "제6조(위약금) 당사자 일방이 정당한 사유 없이 계약을 이행하지 아니한 경우 출연료의 100분의 50을 상대방에게 "
    "위약금으로 지급한다.",
    "제7조(촬영 및 홍보) 갑은 공연 실황을 촬영하여 비영리 홍보 목적으로 사용할 수 있으며, 유료 판매 등 영리 "
    "목적의 사용은 을과 따로 협의한다.",
    "이 계약의 성립을 증명하기 위하여 계약서 2통을 작성하여 갑과 을이 기명날인한 후 각 1통씩 보관한다.",
    "2026년 9월 14일",
    "갑  재단법인 윤슬문화관광재단  이사장  한 무 결  (인)",
    "을  주식회사 파란새벽엔터테인먼트  대표이사  추 서 연  (인)",
]

BIKE_TENDER = [
    "윤슬시 공고 제2026-1907호",
    "2026년 공공자전거(윤슬바이크) 300대 구매 제한경쟁입찰 공고",
    "2026년 공공자전거 추가 도입을 위한 물품 구매 입찰을 다음과 같이 공고합니다.",
    "2026. 9. 15.",
    "윤 슬 시 장",
    "1. 입찰에 부치는 사항",
    ("table", [("입찰건명", "2026년 공공자전거(윤슬바이크) 300대 구매"),
               ("수요기관", "윤슬시 교통정책과"),
               ("규    격", "26인치 알루미늄 프레임, 3단 내장기어, 스마트 잠금장치(IoT) 포함"),
               ("수    량", "300대"),
               ("기초금액", "2억 3천만원 (부가가치세 포함)"),
               ("납품기한", "계약일부터 90일 이내"),
               ("납품장소", "윤슬시 공공자전거 정비센터 (윤슬시 강변로 210)")], (10000, 32520)),
    "2. 입찰 참가자격: 「중소기업제품 구매촉진 및 판로지원에 관한 법률」에 따라 자전거 품목의 "
    "직접생산확인증명서를 받은 중소기업으로서, 입찰서 제출 마감일 전일까지 나라장터에 입찰참가자격을 "
    "등록한 자",
    "3. 입찰 일정",
    ("table", [("구  분", "일  시", "비  고"),
               ("전자입찰서 제출 개시", "2026. 9. 21.(월) 10:00", "국가종합전자조달시스템(나라장터)"),
               ("전자입찰서 제출 마감", "2026. 10. 5.(월) 10:00", ""),
               ("개  찰", "2026. 10. 5.(월) 11:00", "재무과 입찰집행관 PC")], (14000, 14520, 14000)),
    "4. 낙찰자 결정: 예정가격 이하로 입찰한 자 중 최저가격 입찰자 순으로 「지방자치단체 입찰 시 낙찰자 "
    "결정기준」에 따른 적격심사를 하여 종합평점 85점 이상인 자를 낙찰자로 결정합니다.",
    "5. 입찰보증금: 입찰금액의 100분의 5 이상 (입찰보증금 지급각서 제출로 갈음)",
    "6. 기타: 이 공고에 명시되지 아니한 사항은 나라장터 공고문과 관계 법령에 따릅니다.",
    "7. 문의: 입찰 관련 재무과 계약팀 (031-470-2274), 규격 관련 교통정책과 (031-470-3518)",
]

# ------------------------------------------------------------------------------------------------
# DOCX: ("h", text), ("p", text), ("table", rows)
# ------------------------------------------------------------------------------------------------
LOGISTICS_LETTER = [
    ("h", "주식회사 온새미로지스"),
    ("p", "(우 17124) 경기도 용인시 처인구 물류단지로 45  |  대표전화 031-8036-4500  |  팩스 031-8036-4509"),
    ("p", "문서번호 : 온새미-수송-2026-0219"),
    ("p", "시행일자 : '26.9.1."),
    ("p", "수    신 : 협력 운송사 대표"),
    ("p", "참    조 : 배차 담당자"),
    ("p", "제    목 : 2026년 추석 특별수송 기간 운영 안내 및 투입 차량 회신 요청"),
    ("p", "1. 귀사의 노고에 깊이 감사드립니다."),
    ("p", "2. 당사는 추석 명절 선물 물량 증가에 대비하여 아래와 같이 특별수송 기간을 운영하오니, 협력 운송사에서는 "
          "투입 가능한 차량 대수를 회신하여 주시기 바랍니다."),
    ("p", "  1) 특별수송 기간: 2026. 9. 14.(월) ~ 9. 23.(수) (10일간)"),
    ("p", "  2) 운영 거점: 용인 처인 허브터미널, 이천 마장 서브터미널"),
    ("p", "  3) 가산 운임: 기간 중 1회 운행당 기본 운임에 35,000원 가산"),
    ("p", "  4) 완주 장려금: 기간 중 15회 이상 운행한 차량에 대하여 1대당 금 삼십만원정 별도 지급"),
    ("p", "3. 투입 가능 차량 현황(차량번호, 톤수, 기사 연락처)을 붙임 양식에 작성하여 2026. 9. 8.(화)까지 담당자 "
          "전자우편(dispatch@onsaemi.example.co.kr)으로 보내 주시기 바랍니다."),
    ("p", "4. 기한 내 회신이 없는 운송사는 평시 배차 기준에 따라 배정하오니 양해하여 주시기 바랍니다."),
    ("p", "붙임 : 특별수송 투입 차량 현황 양식 1부.  끝."),
    ("p", "주식회사 온새미로지스 대표이사  감 태 오  (직인생략)"),
    ("p", "담당 : 수송운영팀 대리 여은비 (전화 031-8036-4521)"),
]

TRUCK_SERVICE_CONTRACT = [
    ("h", "차량 정기정비 용역 계약서"),
    ("p", "계약번호: 윤슬시-자원순환-2026-118"),
    ("table", [("용 역 명", "2026년 하반기 생활폐기물 수거차량 정기정비 용역"),
               ("대상 차량", "압축진개차 12대, 암롤차 4대, 음식물 수거차 2대 (총 18대)"),
               ("계약 금액", "28,600,000원 (일금 이천팔백육십만원, 부가가치세 포함)"),
               ("계약 기간", "2026. 10. 1. ~ 2026. 12. 31."),
               ("계약보증금", "계약금액의 100분의 10 (2,860,000원)"),
               ("지체상금률", "1,000분의 2.5"),
               ("하자보수기간", "정비 완료일부터 3개월")]),
    ("p", "윤슬시(이하 \"갑\"이라 한다)와 주식회사 바른차정비(이하 \"을\"이라 한다)는 위 용역에 관하여 상호 신의와 "
          "성실을 원칙으로 다음과 같이 계약을 체결한다."),
    ("p", "제1조(용역의 내용) 을은 대상 차량에 대하여 월 1회 정기점검(엔진오일·필터 교환, 유압장치·브레이크 점검)과 "
          "고장 수리를 수행한다."),
    ("p", "제2조(정비 장소) 정기점검은 윤슬시 자원순환센터 차고지에서 하며, 차고지에서 수리할 수 없는 고장은 을의 "
          "정비공장(윤슬시 공단3로 17)으로 견인하여 수리한다."),
    ("p", "제3조(대차 제공) 을은 수리 기간이 2일을 넘는 경우 같은 용도의 대체 차량을 무상으로 제공하여야 한다."),
    ("p", "제4조(대금 지급) 갑은 분기 말에 을이 제출한 정비 실적 보고서를 검사한 후 청구를 받은 날부터 5일 이내에 "
          "대금을 지급한다."),
    ("p", "제5조(부품) 을은 순정 부품 또는 이와 같은 수준 이상의 인증 부품을 사용하여야 하며, 교체한 부품은 갑의 "
          "확인을 받은 후 처리한다."),
    ("p", "제6조(손해배상) 을의 정비 잘못으로 차량이 고장 나거나 사고가 난 경우 을은 그 손해를 배상하여야 한다."),
    ("p", "제7조(기타) 이 계약에서 정하지 아니한 사항은 「지방자치단체를 당사자로 하는 계약에 관한 법률」과 관계 "
          "법령에 따른다."),
    ("p", "2026. 9. 22."),
    ("table", [("발주기관 (갑)", "계약상대자 (을)"),
               ("윤슬시", "주식회사 바른차정비"),
               ("주소: 한별도 윤슬시 시청로 1", "주소: 한별도 윤슬시 공단3로 17"),
               ("윤슬시장  성 다 현  (직인)", "대표이사  곽 민 결  (인)"),
               ("", "사업자등록번호 507-86-40219")]),
]

# ------------------------------------------------------------------------------------------------
# PDF: ("title"|"h"|"p", text) or ("table", rows)
# ------------------------------------------------------------------------------------------------
NEOUL_MARKET_LETTER = [
    ("p", "군민이 행복한 희망 너울"),
    ("title", "너 울 군"),
    ("p", "수신자  너울농업협동조합장"),
    ("p", "(경유)"),
    ("p", "제목  2026 너울 가을 농특산물 직거래 장터 참여 농가 추천 협조 요청"),
    ("p", "1. 귀 조합의 무궁한 발전을 기원합니다."),
    ("p", "2. 우리 군은 추석 이후 농산물 소비를 늘리고 생산 농가의 판로를 넓히기 위하여 「2026 너울 가을 농특산물 "
          "직거래 장터」를 아래와 같이 운영하고자 하오니, 참여 농가를 추천하여 주시기 바랍니다."),
    ("p", "  가. 일    시: 2026. 10. 16.(금) ~ 10. 18.(일), 10:00 ~ 18:00"),
    ("p", "  나. 장    소: 너울군 종합운동장 앞 광장"),
    ("p", "  다. 모집 규모: 농가 부스 45개 (농가당 1부스)"),
    ("p", "  라. 부스 사용료: 1부스당 3일 기준 5만원 (천막·탁자·전기 제공)"),
    ("p", "  마. 추천 대상: 너울군에 주소를 두고 농산물을 직접 생산하는 농업인"),
    ("p", "3. 추천 농가 명단은 붙임 서식에 따라 작성하여 2026. 10. 2.(금)까지 군 농업정책과(팩스 031-560-2419)로 "
          "제출하여 주시기 바랍니다."),
    ("p", "붙임  직거래 장터 참여 농가 추천서(서식) 1부.  끝."),
    ("title", "너 울 군 수"),
    ("p", "주무관 피새론     유통지원팀장 도한결     농업정책과장 (전결) 2026. 9. 9."),
    ("table", [("시행", "농업정책과-8816 (2026. 9. 9.)", "접수", "너울농협-1457 (2026. 9. 10.)")]),
    ("p", "우 14670  한별도 너울군 너울읍 군청길 15  /  www.neoul.example.go.kr"),
    ("p", "전화 031-560-2414  /  전송 031-560-2419  /  saeron.pi@neoul.example.go.kr  /  공개"),
]

WATER_BILL = [
    ("title", "2026년 9월분 상하수도요금 납입고지서"),
    ("p", "윤슬시 맑은물사업소"),
    ("table", [("고객번호", "07-2231-0458", "전자납부번호", "41470-2609-0722310458"),
               ("납 부 자", "석 하 온", "업    종", "가정용 (구경 15mm)"),
               ("수용가 주소", "한별도 윤슬시 솔내로 57, 102동 803호", "발 행 일", "2026. 9. 10.")]),
    ("h", "사용 내역"),
    ("table", [("사용기간", "2026. 7. 21. ~ 2026. 8. 20.", "검 침 일", "2026. 8. 21."),
               ("전월 지침", "1,482", "당월 지침", "1,505"),
               ("사 용 량", "23㎥", "전년 동월", "19㎥")]),
    ("h", "요금 내역"),
    ("table", [("구분", "금액(원)"),
               ("상수도 기본요금", "1,080"),
               ("상수도 사용요금", "17,940"),
               ("하수도 사용요금", "14,490"),
               ("물이용부담금", "3,910"),
               ("당월 요금 계", "37,420"),
               ("미납 요금", "0")]),
    ("table", [("납기 내 금액", "37,420원", "납부기한", "2026. 9. 30.(수)"),
               ("납기 후 금액", "38,540원", "가산금", "납기 내 금액의 3%")]),
    ("p", "※ 납부 방법: 전국 은행·우체국 창구 및 CD/ATM, 인터넷뱅킹 지방세입 납부, 가상계좌(한별은행 "
          "562-901-22310458)"),
    ("p", "※ 자동이체를 신청하시면 다음 달부터 요금의 1%(최대 1,000원)를 감면해 드립니다."),
    ("p", "문의: 윤슬시 맑은물사업소 요금팀  031-470-6251 (평일 09:00~18:00)"),
]

# ------------------------------------------------------------------------------------------------
# XLSX: a 거래명세서 drawn as an Excel form (values, not formulas: openpyxl stores no cached results)
# ------------------------------------------------------------------------------------------------
PRODUCE_ITEMS = [  # 품목, 규격, 단위, 수량, 단가, 과세 여부
    ("친환경 쌀(백미)", "20kg", "포", 6, 68000, False),
    ("감자", "10kg", "박스", 5, 24000, False),
    ("애호박", "개당", "개", 60, 1300, False),
    ("깐양파", "10kg", "박스", 4, 21500, False),
    ("무항생제 달걀", "30구", "판", 12, 9800, False),
    ("두부(국산콩)", "1kg", "모", 30, 4200, False),
    ("들기름", "1.8L", "병", 3, 38000, True),
    ("고춧가루", "1kg", "봉", 5, 32000, False),
    ("국간장", "1.8L", "병", 4, 12500, True),
]


def _rezip(blob: bytes) -> bytes:
    """The same package with fixed entry timestamps and a fixed dcterms:modified, so reruns are byte-identical."""
    src = zipfile.ZipFile(io.BytesIO(blob))
    stamp = CREATED.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode()
                for tag in ("dcterms:created", "dcterms:modified"):
                    text = re.sub(rf"(<{tag}[^>]*>)[^<]*(</{tag}>)", rf"\g<1>{stamp}\g<2>", text)
                data = text.encode()
            entry = zipfile.ZipInfo(info.filename, date_time=CREATED.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zf.writestr(entry, data)
    return out.getvalue()


def build_statement_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "거래명세서"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for col, width in zip("ABCDEFGHI", (6, 16, 22, 8, 8, 14, 16, 12, 10)):
        ws.column_dimensions[col].width = width

    def put(ref: str, value, merge: str | None = None, bold: bool = False, size: int = 10, fmt: str | None = None):
        cell = ws[ref]
        cell.value = value
        cell.font = Font(name="맑은 고딕", bold=bold, size=size)
        cell.alignment = center
        if fmt:
            cell.number_format = fmt
        if merge:
            ws.merge_cells(f"{ref}:{merge}")
        return cell

    put("A1", "거 래 명 세 서", "I1", bold=True, size=20)
    put("A2", "(공급받는자 보관용)", "I2")
    put("A3", "거래일자")
    put("B3", "2026년 9월 8일 (화)", "C3")
    put("G3", "일련번호")
    put("H3", "NL-260908-03", "I3")
    put("A4", "공급받는자", "A7", bold=True)
    put("E4", "공급자", "E9", bold=True)
    buyer = [("상    호", "윤슬중학교"), ("담 당 자", "영양교사 남다은"), ("주    소", "한별도 윤슬시 배움로 40"),
             ("전    화", "031-475-3302")]
    for n, (label, value) in enumerate(buyer, start=4):
        put(f"B{n}", label)
        put(f"C{n}", value, f"D{n}")
    supplier = [("등록번호", "226-81-37514"), ("상    호", "너울로컬푸드 영농조합법인"), ("대 표 자", "인하늘"),
                ("주    소", "한별도 너울군 너울읍 장터길 8"), ("업태/종목", "도소매 / 농산물"),
                ("전화/팩스", "031-563-7708 / 031-563-7709")]
    for n, (label, value) in enumerate(supplier, start=4):
        put(f"F{n}", label)
        put(f"G{n}", value, f"I{n}")
    put("A8", "아래와 같이 납품합니다.", "D9")
    supply = sum(q * p for _, _, _, q, p, _ in PRODUCE_ITEMS)
    tax = sum(q * p // 10 for _, _, _, q, p, taxed in PRODUCE_ITEMS if taxed)
    assert (supply, tax) == (1_259_600, 16_400)
    put("A10", "합계금액", "B10", bold=True)
    put("C10", "일금 일백이십칠만육천원정", "E10", bold=True)
    put("F10", supply + tax, "G10", bold=True, fmt='"₩"#,##0')
    put("H10", "(부가세 포함)", "I10")
    for col, head in zip("ABCDEFGHI", ("No", "품    목", "규격", "단위", "수량", "단가", "공급가액", "세액", "비고")):
        put(f"{col}11", head, bold=True)
    row = 12
    for n, (name, spec, unit, qty, price, taxed) in enumerate(PRODUCE_ITEMS, start=1):
        amount = qty * price
        values = (n, name, spec, unit, qty, price, amount, amount // 10 if taxed else 0, "과세" if taxed else "면세")
        for col, value in zip("ABCDEFGHI", values):
            put(f"{col}{row}", value, fmt="#,##0" if col in "EFGH" else None)
        row += 1
    put(f"A{row}", "소    계", f"F{row}", bold=True)
    put(f"G{row}", supply, fmt="#,##0", bold=True)
    put(f"H{row}", tax, fmt="#,##0", bold=True)
    put(f"I{row}", "")
    row += 1
    put(f"A{row}", "합    계", f"F{row}", bold=True)
    put(f"G{row}", supply + tax, f"H{row}", fmt="#,##0", bold=True)
    put(f"I{row}", "")
    for line in ws.iter_rows(min_row=3, max_row=row, max_col=9):
        for cell in line:
            cell.border = box
    row += 2
    ws[f"A{row}"] = "입금계좌: 한별농협 351-0902-4471-13 (예금주: 너울로컬푸드영농조합법인)"
    ws[f"A{row + 1}"] = "※ 들기름, 국간장 외 품목은 면세 농산물입니다."
    ws[f"A{row + 3}"] = "인수자:                        (인)"
    wb.properties.creator = "너울로컬푸드"
    wb.properties.lastModifiedBy = ""
    wb.properties.title = "거래명세서"
    wb.properties.created = wb.properties.modified = CREATED
    buf = io.BytesIO()
    wb.save(buf)
    return _rezip(buf.getvalue())


# ------------------------------------------------------------------------------------------------
# PPTX: a 결과보고 deck (title slide, bullet slides, a budget table)
# ------------------------------------------------------------------------------------------------
NIGHT_MARKET_SLIDES = [
    ("title", "2026 윤슬 강변 별빛야시장 운영 결과 보고",
     "2026. 9. 11.  |  윤슬시 지역경제과 골목상권팀\n작성: 주무관 위 나 래   검토: 골목상권팀장 채 윤 겸"),
    ("bullets", "1. 운영 개요",
     ["기간: 2026. 8. 28.(금) ~ 8. 30.(일), 3일간 18:00 ~ 23:00",
      "장소: 윤슬 강변공원 수변광장 및 산책로 일원",
      "참여 셀러: 86팀 (먹거리 32팀, 수공예 41팀, 체험 13팀)",
      "방문객: 약 12,400명 (일평균 4,130여 명, 출입구 계수기 기준)",
      "주최·주관: 윤슬시 / 윤슬시상인연합회"]),
    ("table", "2. 예산 집행",
     [("구분", "예산액(원)", "집행액(원)", "집행률"),
      ("무대·조명 설치", "14,000,000", "13,620,000", "97.3%"),
      ("부스·천막 임차", "9,500,000", "9,500,000", "100.0%"),
      ("홍보물 제작", "4,000,000", "3,760,000", "94.0%"),
      ("안전관리 인력", "5,500,000", "5,300,000", "96.4%"),
      ("기타 운영비", "2,000,000", "1,000,000", "50.0%"),
      ("합계", "35,000,000", "33,180,000", "94.8%")],
     "※ 총예산 3,500만 원 중 3,318만 원 집행, 잔액 182만 원은 9월 중 반납 예정"),
    ("bullets", "3. 성과 및 개선 과제",
     ["셀러 매출 합계 약 1억 4천만 원 (셀러 설문 응답 71팀 기준)",
      "방문객 만족도 4.6점 (5점 만점, 현장 설문 512명)",
      "개선: 이동식 화장실 추가(6동 → 10동), 주차 안내 인력 보강, 우천 시 대체 장소 사전 확보",
      "향후: 2027년 봄(5월) 시즌 포함 연 2회 개최 추진, 2027년 본예산 5,000만 원 요구 예정"]),
]


def build_deck_pptx(slides: list, title: str) -> bytes:
    from pptx import Presentation
    from pptx.util import Emu, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)
    for spec in slides:
        kind = spec[0]
        if kind == "title":
            slide = prs.slides.add_slide(prs.slide_layouts[0])
            slide.shapes.title.text = spec[1]
            slide.placeholders[1].text = spec[2]
        elif kind == "bullets":
            slide = prs.slides.add_slide(prs.slide_layouts[1])
            slide.shapes.title.text = spec[1]
            body = slide.placeholders[1].text_frame
            body.text = spec[2][0]
            for line in spec[2][1:]:
                body.add_paragraph().text = line
            for paragraph in body.paragraphs:
                paragraph.font.size = Pt(20)
        else:
            _, heading, rows, note = spec
            slide = prs.slides.add_slide(prs.slide_layouts[5])
            slide.shapes.title.text = heading
            shape = slide.shapes.add_table(len(rows), len(rows[0]), Emu(900000), Emu(1700000), Emu(10400000),
                                           Emu(3400000))
            for r, line in enumerate(rows):
                for c, value in enumerate(line):
                    shape.table.cell(r, c).text = value
                    shape.table.cell(r, c).text_frame.paragraphs[0].font.size = Pt(16)
            box = slide.shapes.add_textbox(Emu(900000), Emu(5400000), Emu(10400000), Emu(600000))
            box.text_frame.text = note
            box.text_frame.paragraphs[0].font.size = Pt(16)
    props = prs.core_properties
    props.title, props.author, props.last_modified_by = title, "", ""
    props.created = props.modified = CREATED
    props.revision = 1
    buf = io.BytesIO()
    prs.save(buf)
    return _rezip(buf.getvalue())


FILES = {
    "윤슬문화관광재단_체험버스_공문.hwpx": lambda: h2.build_hwpx(HISTORY_BUS_LETTER,
                                                       "윤슬 강변 역사문화 체험버스 참가 학교 모집 안내",
                                                       "재단법인 윤슬문화관광재단 교육사업팀"),
    "재즈페스티벌_공연출연_계약서.hwpx": lambda: h2.build_hwpx(JAZZ_CONTRACT, "공연 출연 계약서",
                                                      "재단법인 윤슬문화관광재단"),
    "공공자전거_구매_입찰공고.hwpx": lambda: h2.build_hwpx(BIKE_TENDER, "공공자전거 구매 제한경쟁입찰 공고",
                                                  "윤슬시 재무과"),
    "온새미로지스_추석특별수송_공문.docx": lambda: h2.build_docx(LOGISTICS_LETTER, "추석 특별수송 기간 운영 안내"),
    "청소차량_정비용역_계약서.docx": lambda: h2.build_docx(TRUCK_SERVICE_CONTRACT, "차량 정기정비 용역 계약서"),
    "너울군_직거래장터_공문.pdf": lambda: h2.build_pdf(NEOUL_MARKET_LETTER, "직거래 장터 참여 농가 추천 협조 요청"),
    "상하수도요금_납입고지서.pdf": lambda: h2.build_pdf(WATER_BILL, "상하수도요금 납입고지서"),
    "로컬푸드_거래명세서.xlsx": build_statement_xlsx,
    "강변야시장_결과보고.pptx": lambda: build_deck_pptx(NIGHT_MARKET_SLIDES, "별빛야시장 운영 결과 보고"),
}

if __name__ == "__main__":
    for name, build in FILES.items():
        (HERE / name).write_bytes(build())
        print(name, (HERE / name).stat().st_size)
