"""The portal's 추출 presets 계약서 and 영수증 (공문 is in test_web.py): per field the value, its source span,
and "찾지 못함" with the reason for a field the document does not state."""
from __future__ import annotations

import json

from tests.ui.test_web import button, portal, upload  # noqa: F401  (portal is a fixture)

# Written for this test: parties defined as 갑/을, an amount in Korean units, no contract period.
CONTRACT = """물품 공급 계약서
매수인 주식회사 한결건설(이하 "갑"이라 한다)과 매도인 대성레미콘 주식회사(이하 "을"이라 한다)는 다음과 같이 계약한다.
제1조(계약금액) 계약금액은 금 3억 5천만원(부가가치세 별도)으로 한다.
제2조(분쟁 해결) 이 계약에 관한 분쟁은 갑의 본점 소재지를 관할하는 법원으로 한다.
2025. 3. 14.
갑  주식회사 한결건설  대표이사 문태준 (인)
을  대성레미콘 주식회사  대표이사 배수영 (인)
"""
RECEIPT = """영 수 증
가맹점명: 초록식당
사업자번호: 214-86-12345
김치찌개 2   18,000
합계금액   18,000
"""


def _extract(app, name: str, text: str, preset: str):
    upload(app, (name, text.encode()))
    app.switch_page("views/extract.py").run()
    app.selectbox(key="extract_preset").set_value(preset).run()
    button(app, "추출하기").click().run()
    assert not app.exception and not app.error
    return json.loads(app.json[0].value), app.dataframe[0].value


def test_contract_preset_fields_sources_and_not_found(portal):
    data, table = _extract(portal("views/documents.py"), "공급계약.txt", CONTRACT, "계약서")
    assert data == {"당사자": ["주식회사 한결건설", "대성레미콘 주식회사"], "금액": 350_000_000, "기간": None}
    assert list(table["필드"]) == ["당사자", "금액", "기간"]
    assert table["근거"][1] == "3억 5천만원" and "–" in table["위치"][1]  # the amount as written, and its span
    assert table["값"][2] == "찾지 못함" and table["이유"][2]  # no period stated: null, and why


def test_receipt_preset_fields_sources_and_not_found(portal):
    data, table = _extract(portal("views/documents.py"), "영수증.txt", RECEIPT, "영수증")
    assert data == {"상호": "초록식당", "일자": None, "합계": 18_000}
    assert table["근거"][0] == "초록식당" and table["근거"][2] == "18,000"
    assert table["값"][1] == "찾지 못함" and table["이유"][1]  # the receipt has no date: not guessed
