"""Extraction schemas for the 추출 page: Korean presets (JSON Schema) and the CSV a result downloads as."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from agents.types import Extraction, field_rows


def _text(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": ["string", "null"], "description": description, **extra}


def _number(description: str) -> dict[str, Any]:
    return {"type": ["integer", "null"], "description": description}


PRESETS: dict[str, dict[str, Any]] = {
    "공문": {"title": "공문", "type": "object", "properties": {
        "문서번호": _text("문서 번호 (예: 총무팀-2025-0123)"),
        "시행일자": _text("시행 일자 (YYYY-MM-DD)", format="date"),
        "수신": _text("수신자 또는 수신 부서"),
        "발신": _text("발신 기관 (발신명의)"),
        "제목": _text("문서 제목"),
    }},
    "계약서": {"title": "계약서", "type": "object", "properties": {
        "당사자": {"type": "array", "items": {"type": "string"}, "description": "계약 당사자 (갑, 을)"},
        "금액": _number("계약 금액 (원, 숫자만)"),
        "기간": _text("계약 기간 (시작일 ~ 종료일)"),
    }},
    "영수증": {"title": "영수증", "type": "object", "properties": {
        "상호": _text("가게 또는 회사 이름"),
        "일자": _text("거래 일자 (YYYY-MM-DD)", format="date"),
        "합계": _number("합계 금액 (원, 숫자만)"),
    }},
}


def preset_text(name: str) -> str:
    return json.dumps(PRESETS[name], ensure_ascii=False, indent=2)


def parse_schema(text: str) -> dict[str, Any]:
    """The editor's text as a JSON Schema object; ValueError with the line and column when it is not one."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"스키마가 올바른 JSON이 아닙니다 ({err.lineno}행 {err.colno}열: {err.msg})") from None
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict) or not schema["properties"]:
        raise ValueError('스키마에는 "properties"에 항목이 하나 이상 있어야 합니다')
    return schema


def rows(extraction: Extraction) -> list[dict[str, str]]:
    """One row per field: its value ("찾지 못함" when null), the span and passage it came from, and how
    it was found or why it was not."""
    return [{**row, "값": row["값"] if row["값"] != "" else "찾지 못함"} for row in field_rows(extraction)]


def to_csv(extraction: Extraction) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Hangul as Hangul."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["필드", "값", "문서", "쪽", "위치", "근거", "이유"])
    writer.writeheader()
    writer.writerows(field_rows(extraction))  # a null stays an empty cell in the data; 이유 says why
    return buffer.getvalue().encode("utf-8-sig")


def to_json(extraction: Extraction) -> bytes:
    """The data, and for each field its value and source."""
    payload = {"document": extraction.document, "data": extraction.data, "missing": extraction.missing,
               "mode": extraction.mode, "model": extraction.model,
               "fields": {k: f.model_dump(mode="json") for k, f in extraction.fields.items()}}
    return json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")
