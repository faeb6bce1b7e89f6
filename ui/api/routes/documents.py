"""/v1/kbs/{kb}/documents: upload (one ingest job per file), list, show, tag and delete documents."""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, File, Form, Response, UploadFile

from agents.errors import IngestError
from agents.jobs import check_size
from rag import embed_state
from rag.acl import parse_readers
from rag.kb import KnowledgeBase
from ui.api.deps import JobsDep, KbAdmin, KbReader, SettingsDep
from ui.api.errors import ApiError, status_of
from ui.api.models import BlockOut, DocumentDetailOut, DocumentOut, FileErrorOut, JobOut, TagsIn, UploadOut

router = APIRouter()
# `kb` is named first where a route has more path parameters: it keeps their order in the OpenAPI spec


def _out(knowledge: KnowledgeBase, doc, vectors=None) -> DocumentOut:
    if vectors is None:
        vectors = embed_state.document_vectors(knowledge, [doc.id]).get(doc.id)
    return DocumentOut.of(doc, knowledge.store.tags(doc.id), knowledge.store.access.readers(doc.id), vectors)


@router.get("/kbs/{kb}/documents", response_model=list[DocumentOut], tags=["documents"])
def list_documents(assistant: KbReader) -> list[DocumentOut]:
    """The documents the caller may read, each with its vectors ("검색 가능 · 벡터 n/m")."""
    documents = assistant.documents()
    vectors = embed_state.document_vectors(assistant.kb, [d.id for d in documents])
    return [_out(assistant.kb, d, vectors.get(d.id)) for d in documents]


@router.post("/kbs/{kb}/documents", response_model=UploadOut, status_code=202, tags=["documents"])
def upload(assistant: KbReader, response: Response, settings: SettingsDep, queue: JobsDep,
           files: list[UploadFile] = File(description="One or more documents (multipart/form-data)"),
           tags: list[str] = Form(default=[], description="Tags for every uploaded document"),
           readers: list[str] = Form(default=[], description="Who may read them: group:<name> or user:<name>; "
                                                             "none: everyone who can use the KB"),
           ocr_engine: Literal["auto", "tesseract", "scene", "varco"] | None = Form(
               None, description="OCR for scans and images (default: KORAG_OCR_ENGINE)")) -> UploadOut:
    """Upload documents: one ingest job each, answered at once (202) with the job ids; follow them with
    GET /v1/jobs/{id}: queued → parsing → searchable (ask away) → embedding n/m → done. With Redis the
    jobs run on workers; without, on a thread of this process. Files that are too large, not a
    supported format or unreadable are refused before any job exists, each named."""
    wanted = parse_readers(readers) or None
    accepted, refused = [], []
    for upload in files:
        name = upload.filename or ""
        try:
            if upload.size is not None:
                check_size(name, upload.size, settings)  # before reading the body into memory
            data = upload.file.read()
            queue.check(data, name)
            accepted.append((data, name))
        except IngestError as err:
            refused.append((err, FileErrorOut(name=name, error=err.reason)))
    if refused:
        status, code = max((status_of(err) for err, _ in refused), key=lambda sc: (sc[0] == 413, sc[0] == 415))
        names = ", ".join(f.name for _, f in refused)
        raise ApiError(status, code, f"refused: {names}; nothing was queued", [f for _, f in refused])
    infos = [queue.submit(assistant, data, name, tags=tags, readers=wanted, ocr_engine=ocr_engine)
             for data, name in accepted]
    return UploadOut(queue=queue.kind, jobs=[JobOut.of(i) for i in infos])


@router.get("/kbs/{kb}/documents/{doc}", response_model=DocumentDetailOut, tags=["documents"])
def show_document(kb: str, doc: str, assistant: KbReader) -> DocumentDetailOut:
    """A document (by id, id prefix or file name) with its extracted text blocks (404 if the caller
    may not read it)."""
    knowledge = assistant.kb
    record = assistant.document(doc)
    blocks = [BlockOut(kind=b.kind, page=b.page, heading_path=list(b.heading_path), text=b.text, label=b.label)
              for b in knowledge.store.blocks(record.id)]
    assistant.audit("read", record.name)
    return DocumentDetailOut(**_out(knowledge, record).model_dump(), blocks=blocks)


@router.put("/kbs/{kb}/documents/{doc}/tags", response_model=DocumentOut, tags=["documents"])
def tag_document(kb: str, doc: str, body: TagsIn, assistant: KbAdmin) -> DocumentOut:
    """Replace a document's tags (search filters use them; admins only)."""
    knowledge = assistant.kb
    record = knowledge.document(doc)
    with knowledge.writing():
        knowledge.store.set_tags(record.id, [t.strip() for t in body.tags if t.strip()])
    return _out(knowledge, knowledge.document(record.id))


@router.delete("/kbs/{kb}/documents/{doc}", response_model=DocumentOut, tags=["documents"])
def delete_document(kb: str, doc: str, assistant: KbAdmin) -> DocumentOut:
    """Delete a document: its chunks, index entries and stored original; returns what was deleted (admins only)."""
    knowledge = assistant.kb
    record = knowledge.document(doc)
    tags, readers = knowledge.store.tags(record.id), knowledge.store.access.readers(record.id)
    return DocumentOut.of(knowledge.delete_document(doc), tags, readers)
