"""Extracting structured data from a document into a JSON Schema (or a pydantic model), each field with
the passage it came from. LLM: vLLM's JSON-schema constrained decoding, validated, re-asked on invalid
output. Without an LLM: rules for dates, amounts, phone numbers, organisations (`agents.rules`).
"""
from __future__ import annotations

import json
from typing import Any

import jsonschema

from agents.budget import fit
from agents.errors import ExtractionFailed, LLMOutputError
from agents.extractive import Passage
from agents.prompts import EXTRACT_SYSTEM, extract_user, passages_block, retry_user
from agents.rules import extract_fields
from agents.tasks import RULES_NOTICE, Workspace, label, llm_or_extractive, note_extractive, schema_of, source
from agents.types import ExtractedField, Extraction
from rag.filters import Filters
from rag.kb import SearchHit
from rag.store import DocumentRecord


def extract(ws: Workspace, document: DocumentRecord, schema: Any) -> Extraction:
    """Fill `schema` from `document`; raises ExtractionFailed when the model can't satisfy it."""
    json_schema = schema_of(schema)
    jsonschema.Draft202012Validator.check_schema(json_schema)  # a broken schema is the caller's error, said now
    if json_schema.get("type", "object") != "object" or not json_schema.get("properties"):
        raise ValueError("the schema must describe an object with properties")
    hits = _relevant(ws, document, json_schema)
    notices: list[str] = []
    return llm_or_extractive(ws.llm, notices, lambda: _llm_extract(ws, document, json_schema, schema, hits, notices),
                             lambda: _rule_extract(ws, document, json_schema, hits, notices))


def _relevant(ws: Workspace, document: DocumentRecord, schema: dict[str, Any], limit: int = 40) -> list[SearchHit]:
    """The document's chunks in order when few; else those most relevant to the schema's fields."""
    chunks = ws.kb.store.document_chunks(document.id)
    if len(chunks) <= limit:
        return [SearchHit(chunk=c, document=document, score=0.0) for c in chunks]
    query = " ".join(f"{name} {prop.get('description', '')} {prop.get('title', '')}"
                     for name, prop in schema["properties"].items())
    hits = ws.kb.search_lexical(query, k=limit, filters=Filters(documents=(document.id,)))
    return sorted(hits, key=lambda h: h.chunk.ordinal)


def _wrapper(schema: dict[str, Any]) -> dict[str, Any]:
    """The user's schema as "data", beside "sources": the passage number each field came from."""
    sources = {name: {"type": ["integer", "null"]} for name in schema["properties"]}
    defs = {k: schema[k] for k in ("$defs", "definitions") if k in schema}
    data = {k: v for k, v in schema.items() if k not in ("$defs", "definitions")}
    return {"type": "object", **defs, "properties": {"data": data, "sources": {"type": "object", "properties": sources}},
            "required": ["data", "sources"]}


def _errors(schema: Any, json_schema: dict[str, Any], data: Any) -> list[str]:
    """Why `data` fails the schema (pydantic's messages for a model class, jsonschema's for a dict)."""
    if hasattr(schema, "model_validate"):
        from pydantic import ValidationError

        try:
            schema.model_validate(data)
            return []
        except ValidationError as error:
            return [f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in error.errors()]
    validator = jsonschema.Draft202012Validator(json_schema)
    return [f"{'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(data)]


def _llm_extract(ws: Workspace, document: DocumentRecord, json_schema: dict[str, Any], schema: Any,
                 hits: list[SearchHit], notices: list[str]) -> Extraction:
    llm = ws.llm
    probe = extract_user(passages_block([]), json_schema, document.name)
    fitted = fit(llm.count_tokens, llm.context_length, ws.settings.llm_max_tokens,
                 [("system", EXTRACT_SYSTEM), ("user", probe)], [f"{label(h)}\n{h.chunk.text}" for h in hits])
    sent = hits[: len(fitted.passages)]
    if fitted.dropped_passages:
        notices.append(f"문서가 길어 스키마와 관련 깊은 부분 {len(sent)}개만 보고 추출했습니다.")
    block = passages_block([(i + 1, "", t) for i, t in enumerate(fitted.passages)])
    messages = [("system", EXTRACT_SYSTEM), ("user", extract_user(block, json_schema, document.name))]
    wrapper = _wrapper(json_schema)
    raw, errors = "", []
    for attempt in range(1, ws.settings.extract_retries + 2):
        try:
            reply = llm.generate_json(messages, wrapper, name="extraction")
            raw = json.dumps(reply, ensure_ascii=False)
            data = reply.get("data") if isinstance(reply, dict) else None
            errors = ["(root): the reply has no 'data' object"] if not isinstance(data, dict) else \
                _errors(schema, json_schema, data)
        except LLMOutputError as error:
            raw, errors, data = error.raw, [str(error)], None
        if not errors:
            fields = _fields(data, reply.get("sources") or {}, sent, list(json_schema["properties"]))
            if llm.licence_notice:
                notices.append(llm.licence_notice)
            return Extraction(document_id=document.id, document=document.name, data=data, fields=fields,
                              missing=[k for k in json_schema["properties"] if data.get(k) is None],
                              attempts=attempt, mode="llm", model=llm.model, notices=notices)
        messages = messages + [("assistant", raw), ("user", retry_user(errors))]
    raise ExtractionFailed(
        f"{document.name}: 모델의 출력이 {ws.settings.extract_retries + 1}번 모두 스키마에 맞지 않았습니다: "
        f"{'; '.join(errors[:3])}", raw=raw, errors=errors)


def _fields(data: dict[str, Any], sources: dict[str, Any], sent: list[SearchHit],
            names: list[str]) -> dict[str, ExtractedField]:
    fields = {}
    for name in dict.fromkeys([*names, *data]):  # every schema field, also those the model left out
        value = data.get(name)
        n = sources.get(name)
        cited = source(n, sent[n - 1]) if isinstance(n, int) and 1 <= n <= len(sent) and value is not None else None
        fields[name] = ExtractedField(value=value, source=cited, reason=None if value is not None else "모델이 찾지 못함")
    return fields


def _rule_extract(ws: Workspace, document: DocumentRecord, json_schema: dict[str, Any], hits: list[SearchHit],
                  notices: list[str]) -> Extraction:
    passages = [Passage(h.chunk.id, h.chunk.text, rank=i) for i, h in enumerate(hits)]
    reasons: dict[str, str] = {}
    matches = extract_fields(json_schema, passages, ws.kiwi, reasons)
    by_id = {h.chunk.id: h for h in hits}
    data: dict[str, Any] = {}
    fields: dict[str, ExtractedField] = {}
    for n, name in enumerate(json_schema["properties"], start=1):
        match = matches.get(name)
        data[name] = match.value if match else None
        cited = source(n, by_id[match.chunk_id], (match.start, match.end)) if match else None
        fields[name] = ExtractedField(value=data[name], source=cited, how=match.how if match else None,
                                      reason=None if match else reasons.get(name, "찾지 못함"))
    missing = [k for k, v in data.items() if v is None]
    note_extractive(notices, RULES_NOTICE)
    if missing:
        notices.append(f"찾지 못한 항목: {', '.join(missing)}")
    return Extraction(document_id=document.id, document=document.name, data=data, fields=fields, missing=missing,
                      mode="extractive", notices=notices)
